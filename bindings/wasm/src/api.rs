//! The bindings' logic without any JS types: options in, the CLI's JSON
//! objects out, in the compact form of [`crate::tree`].
//!
//! Everything here runs natively too, so the unit tests need no JS engine;
//! `lib.rs` only converts between these functions and `wasm-bindgen`'s types.

use crate::report::encode_report;
use crate::tree::{Encoder, Unsupported};
use critfumble_dice::{
    Dialect, DiceError, DistOptions, Distribution, ParseOptions, RollOptions, Rolled, StatsReport,
    parse_with, replay, roll_inline, roll_with, seeded_rng,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::HashMap;

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
            Some(name) => name.parse::<Dialect>().map_err(Failure::Option)?,
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

/// Where the faces of a roll come from.
#[derive(Debug, Clone)]
pub(crate) enum Faces {
    /// Forced faces, as `critfumble roll --dice`.
    Forced(Vec<i64>),
    /// A fresh `SeededRng` (ChaCha12) from a seed, as `critfumble roll --seed`.
    Seed(u64),
    /// An unseeded roll: a fresh [`SmallRng`] from a seed that the crypto
    /// generator drew. Seeding ChaCha12 cost more than a small roll itself;
    /// the seed is still what lets the package replay the roll for its tree.
    Unseeded(u64),
}

/// Forced faces from JS numbers, each of which must be an integer.
pub(crate) fn forced_faces(values: &[f64]) -> Result<Vec<i64>, Failure> {
    values
        .iter()
        .map(|&v| {
            if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
                Ok(v as i64)
            } else {
                // The package checks first, and says which value; this
                // message writes no float, which would link core's float
                // formatting into the .wasm.
                Err(Failure::Option(
                    "a forced die must be an integer of at most 2^53".into(),
                ))
            }
        })
        .collect()
}

/// The AST as `Expr` serializes it.
pub(crate) fn parse_tree(input: &str, options: &Options, out: &mut Encoder) -> Result<(), Failure> {
    let expr = parse_with(input, &options.parse).map_err(|e| Failure::dice(input, &e))?;
    encode(&expr, out)
}

/// Parses and rolls `input`, and hands the roll to `then`.
fn with_roll<T>(
    input: &str,
    options: &Options,
    faces: Faces,
    then: impl FnOnce(&Rolled<'_>) -> T,
) -> Result<T, Failure> {
    let dice = |e: DiceError| Failure::dice(input, &e);
    let expr = parse_with(input, &options.parse).map_err(dice)?;
    // Both generators go through `dyn Rng`, so that the roller is
    // compiled once for them (and for inline rolls) rather than once each.
    let rolled = match faces {
        Faces::Forced(faces) => replay(&expr, &faces, &options.roll),
        Faces::Seed(seed) => {
            let rng: &mut dyn Rng = &mut seeded_rng(seed);
            roll_with(&expr, rng, &options.roll)
        }
        Faces::Unseeded(seed) => {
            let rng: &mut dyn Rng = &mut SmallRng::seed_from_u64(seed);
            roll_with(&expr, rng, &options.roll)
        }
    }
    .map_err(dice)?;
    Ok(then(&rolled))
}

/// Exactly the line `critfumble roll --json` prints (the package builds the
/// same object from [`roll_tree`]; the tests compare the two).
#[cfg(test)]
pub(crate) fn roll_json(input: &str, options: &Options, faces: Faces) -> Result<String, Failure> {
    with_roll(input, options, faces, |rolled| {
        serde_json::to_string(&critfumble_dice::RollReport { input, rolled }).unwrap()
    })
}

/// The total of a roll and, for an unseeded one, the seed that replays it
/// (NaN for the others): two bare numbers.
pub(crate) fn roll_total(
    input: &str,
    options: &Options,
    faces: Faces,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let seed = match faces {
        Faces::Unseeded(seed) => seed as f64,
        Faces::Forced(_) | Faces::Seed(_) => f64::NAN,
    };
    let total = with_roll(input, options, faces, |rolled| rolled.total())?;
    out.clear();
    out.push(total);
    out.push(seed);
    Ok(())
}

/// The Markdown of a roll, a string alone.
pub(crate) fn roll_markdown(
    input: &str,
    options: &Options,
    faces: Faces,
    out: &mut Encoder,
) -> Result<(), Failure> {
    with_roll(input, options, faces, |rolled| {
        out.clear();
        out.push(crate::tree::STR);
        out.string_with(|text| rolled.write_markdown(text));
    })
}

/// The object `critfumble roll --json` prints, in the compact form of
/// [`crate::report`] (JS adds `expr`, which it passed in).
pub(crate) fn roll_tree(
    input: &str,
    options: &Options,
    faces: Faces,
    out: &mut Encoder,
) -> Result<(), Failure> {
    with_roll(input, options, faces, |rolled| {
        encode_report(rolled, out).map_err(unencodable)
    })?
}

/// Exactly the line `critfumble bounds --json` prints.
pub(crate) fn bounds_tree(
    input: &str,
    options: &Options,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let dice = |e: DiceError| Failure::dice(input, &e);
    let bounds = parse_with(input, &options.parse)
        .map_err(dice)?
        .bounds_with(&options.roll)
        .map_err(dice)?;
    encode(&bounds, out)
}

/// Text with its `[[...]]` rolls rolled: `{"text", "rolls": [...]}`.
#[derive(Serialize)]
struct InlineJson<'a> {
    text: &'a str,
    rolls: Vec<InlineRollJson<'a>>,
}

/// One inline roll; `start` and `end` are UTF-16 offsets of its `[[...]]`.
#[derive(Serialize)]
struct InlineRollJson<'a> {
    expression: &'a str,
    start: usize,
    end: usize,
    total: f64,
    markdown: &'a str,
    plain: &'a str,
}

/// `{"text": "I hit 17 ...", "rolls": [{"expression", "start", "end", "total", "markdown", "plain"}]}`.
pub(crate) fn roll_inline_tree(
    text: &str,
    options: &Options,
    rng: &mut dyn Rng,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let inline = roll_inline(text, rng, &options.parse, &options.roll)
        .map_err(|e| Failure::dice(text, &e))?;
    let rolls = inline
        .rolls
        .iter()
        .map(|r| InlineRollJson {
            expression: &r.expression,
            start: utf16_offset(text, r.span.start),
            end: utf16_offset(text, r.span.end),
            total: r.total,
            markdown: &r.markdown,
            plain: &r.plain,
        })
        .collect();
    encode(
        &InlineJson {
            text: &inline.text,
            rolls,
        },
        out,
    )
}

/// The distribution of `input`, with the CLI's options.
fn distribution(input: &str, options: &Options) -> Result<Distribution, Failure> {
    let dice = |e: DiceError| Failure::dice(input, &e);
    let expr = parse_with(input, &options.parse).map_err(dice)?;
    let dist_options = DistOptions {
        vars: options.roll.vars.clone(),
        ..DistOptions::default()
    };
    Distribution::with_options(&expr, &dist_options).map_err(dice)
}

/// Exactly the line `critfumble stats --json` prints.
pub(crate) fn stats_tree(input: &str, options: &Options, out: &mut Encoder) -> Result<(), Failure> {
    let distribution = distribution(input, options)?;
    encode(
        &StatsReport {
            input,
            distribution: &distribution,
        },
        out,
    )
}

/// `critfumble stats A --vs B --json`: its keys in its (alphabetical) order.
#[derive(Serialize)]
struct VersusJson<'a> {
    a: &'a str,
    b: &'a str,
    equal: f64,
    greater: f64,
    less: f64,
}

/// Exactly the line `critfumble stats A --vs B --json` prints. An error in
/// `b` keeps its span (into `b`) and says in its message that it is in `b`.
pub(crate) fn stats_vs_tree(
    a: &str,
    b: &str,
    options: &Options,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let dist_a = distribution(a, options)?;
    let dist_b = distribution(b, options).map_err(|failure| match failure {
        Failure::Dice {
            message,
            start,
            end,
        } => Failure::Dice {
            message: format!("in b: {message}"),
            start,
            end,
        },
        other => other,
    })?;
    let c = dist_a.compare(&dist_b);
    encode(
        &VersusJson {
            a,
            b,
            equal: c.equal,
            greater: c.greater,
            less: c.less,
        },
        out,
    )
}

/// `value` in the compact form of [`crate::tree`], which JS builds into the
/// object that `JSON.parse` of serde_json's text would give. The encoder
/// takes every value written here (the unit tests read each kind back as
/// serde_json's text); should it ever refuse one, the caller gets an error
/// rather than a wrong object.
fn encode<T: Serialize>(value: &T, out: &mut Encoder) -> Result<(), Failure> {
    out.encode(value).map_err(unencodable)
}

/// The failure of an encoder that refused a value.
fn unencodable(error: Unsupported) -> Failure {
    Failure::Option(format!("the result could not be encoded: {error}"))
}

#[cfg(test)]
mod tests;
