//! The bindings' logic without any JS types: options in, the CLI's JSON
//! objects out, in the compact form of [`crate::tree`].
//!
//! Everything here runs natively too, so the unit tests need no JS engine;
//! `lib.rs` only converts between these functions and `wasm-bindgen`'s types.
//! `roll` holds the functions of the main .wasm (feature `roll`), `analysis`
//! those of the second (feature `analysis`); this module what both use.

use crate::tree::{Encoder, Unsupported};
use critfumble_dice::{Dialect, DiceError, ParseOptions, RollOptions};
use serde::Serialize;
use std::collections::HashMap;

#[cfg(feature = "stats")]
mod analysis;
#[cfg(feature = "roll")]
mod roll;

#[cfg(feature = "stats")]
pub(crate) use analysis::stats_tree;
#[cfg(feature = "analysis")]
pub(crate) use analysis::{bounds_tree, parse_tree, stats_vs_tree};
#[cfg(all(test, feature = "roll"))]
pub(crate) use roll::roll_json;
#[cfg(feature = "roll")]
pub(crate) use roll::{
    Faces, forced_faces, roll_inline_tree, roll_markdown, roll_total, roll_tree,
};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// The expression is bad; `start` and `end` are in UTF-16 code units, as
    /// JavaScript indexes strings, so `input.slice(start, end)` is the culprit.
    Dice {
        message: String,
        start: usize,
        end: usize,
    },
    /// An option is bad (an unknown dialect, a fractional forced die).
    Option(String),
}

impl Failure {
    /// A dice error whose byte span is moved to UTF-16 offsets in `input`.
    pub(crate) fn dice(input: &str, error: &DiceError) -> Self {
        let span = error.span();
        Failure::Dice {
            message: error.to_string(),
            start: utf16_offset(input, span.start),
            end: utf16_offset(input, span.end),
        }
    }
}

/// The UTF-16 offset of the byte offset `byte` in `input` (clamped, and moved
/// back to a character boundary should it fall inside one).
pub(crate) fn utf16_offset(input: &str, byte: usize) -> usize {
    let mut byte = byte.min(input.len());
    while !input.is_char_boundary(byte) {
        byte -= 1;
    }
    input[..byte].encode_utf16().count()
}

/// How to read and roll, from the JS options `{ dialect?, vars? }`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    parse: ParseOptions,
    roll: RollOptions,
}

impl Options {
    /// Options from a dialect name (`default`, `roll20`, `foundry`, `d20`) and
    /// reference values.
    pub(crate) fn new(dialect: Option<&str>, vars: HashMap<String, f64>) -> Result<Self, Failure> {
        let dialect = match dialect {
            Some(name) => name
                .parse::<Dialect>()
                .map_err(|error| Failure::Option(error.to_string()))?,
            None => Dialect::Default,
        };
        Ok(Options {
            parse: ParseOptions::dialect(dialect),
            roll: RollOptions {
                vars,
                ..RollOptions::default()
            },
        })
    }
}

/// `value` in the compact form of [`crate::tree`], which JS builds into the
/// object that `JSON.parse` of serde_json's text would give. The encoder
/// takes every value written here (the unit tests read each kind back as
/// serde_json's text); should it ever refuse one, the caller gets an error
/// rather than a wrong object.
pub(super) fn encode<T: Serialize>(value: &T, out: &mut Encoder) -> Result<(), Failure> {
    out.encode(value).map_err(unencodable)
}

/// The failure of an encoder that refused a value.
pub(super) fn unencodable(error: Unsupported) -> Failure {
    Failure::Option(format!("the result could not be encoded: {error}"))
}

#[cfg(test)]
mod tests;
