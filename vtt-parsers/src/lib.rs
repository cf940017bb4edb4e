//! Roll20, Foundry VTT and D&D Beyond chat rolls, parsed into one record.
//!
//! [`parse`] turns one input of a [`Format`] into [`Parsed`] records
//! ([`RollRecord`]); [`to_roll20`] and [`to_foundry`] write Discord messages
//! back into a VTT safely. Errors ([`VttError`]) name the JSON field or HTML
//! element at fault, and no input makes the crate panic.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod crit;
mod ddb;
mod error;
mod foundry;
mod html;
mod json;
mod number;
mod record;
mod roll20;
mod terms;
mod verify;
mod writeback;

pub use error::VttError;
pub use record::{
    Crit, DiceTerm, DieResult, ExtraRoll, Faces, Kind, Parsed, Role, RollRecord, Source,
};
pub use writeback::{DiscordMessage, FoundryChatData, FoundrySpeaker, to_foundry, to_roll20};

/// The largest input [`parse`] reads, in bytes (4 MiB).
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;

/// The input formats [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The `outerHTML` of Roll20 chat `div.message` elements (`roll20-html`).
    Roll20Html,
    /// A Roll20 Mod (API) `chat:message` object as JSON (`roll20-api`).
    Roll20Api,
    /// A Foundry VTT `ChatMessage` document as JSON (`foundry`).
    Foundry,
    /// A D&D Beyond game-log message as JSON (`ddb`).
    Ddb,
}

impl Format {
    /// Every format, in the order of the CLI's `--format` values.
    pub const ALL: [Format; 4] = [
        Format::Roll20Html,
        Format::Roll20Api,
        Format::Foundry,
        Format::Ddb,
    ];

    /// The format's name as the CLI spells it, e.g. `roll20-html`.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Roll20Html => "roll20-html",
            Format::Roll20Api => "roll20-api",
            Format::Foundry => "foundry",
            Format::Ddb => "ddb",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = VttError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| VttError::UnknownFormat {
                name: name.to_string(),
            })
    }
}

/// Parses one input of `format` into its records.
///
/// JSON formats take one message object or an array of them; `roll20-html`
/// takes one or more `div.message` elements. One message gives
/// [`Parsed::One`], several give [`Parsed::Many`].
///
/// ```
/// use critfumble_vtt::{Format, Kind, parse};
///
/// let message = r#"{"who": "Alice", "type": "general", "content": "Hello"}"#;
/// let parsed = parse(Format::Roll20Api, message)?;
/// assert_eq!(parsed.records()[0].kind, Kind::Chat);
/// assert_eq!(parsed.records()[0].text.as_deref(), Some("Hello"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`VttError`] when the input is too large, is not valid JSON or HTML of the
/// format, or lacks a field or element the format requires; the error names it.
pub fn parse(format: Format, input: &str) -> Result<Parsed, VttError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(VttError::TooLarge {
            size: input.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    match format {
        Format::Roll20Html => roll20::html::parse(input),
        Format::Roll20Api => roll20::api::parse(input),
        Format::Foundry => foundry::parse(input),
        Format::Ddb => ddb::parse(input),
    }
}

/// One record as [`Parsed::One`] unless the input held several (or an array).
fn pack(mut records: Vec<RollRecord>, many: bool) -> Parsed {
    if !many
        && records.len() == 1
        && let Some(record) = records.pop()
    {
        return Parsed::One(Box::new(record));
    }
    Parsed::Many(records)
}

/// Writes a total as chat shows it: `17`, `10.5`.
fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 9.0e15 {
        format!("{number:.0}")
    } else {
        number.to_string()
    }
}
