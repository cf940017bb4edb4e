//! Table-driven corpus: the canonical text and exact bounds, or the exact error, of each expression.
//!
//! Each line is `check(dialect, input, expect![...])`. A parsed expression shows
//! as `canonical [min, max]` (`∞` for unbounded), an error as
//! `kind start..end: message`. Snapshots were generated with `UPDATE_EXPECT=1`
//! and then checked by hand; `regressions` asserts, with `assert_eq!`, values
//! worked out by hand where the engine was once wrong.

mod arithmetic;
mod dialects;
mod dice;
mod documented;
mod errors;
mod groups;
mod limits;
mod regressions;

use critfumble_dice::{Dialect, DiceError, ParseOptions, RollOptions, parse_with, replay};
use expect_test::Expect;

const DEF: Dialect = Dialect::Default;
const R20: Dialect = Dialect::Roll20;
const FVTT: Dialect = Dialect::Foundry;
const D20: Dialect = Dialect::D20;

/// A short name for the kind of error, so that a snapshot shows which variant it was.
pub(crate) fn error_text(error: &DiceError) -> String {
    let kind = match error {
        DiceError::Syntax { .. } => "syntax",
        DiceError::Limit { .. } => "limit",
        DiceError::NeverStops { .. } => "never-stops",
        DiceError::InvalidDice { .. } => "invalid",
        DiceError::Overflow { .. } => "overflow",
        DiceError::NotANumber { .. } => "nan",
        DiceError::DivisionByZero { .. } => "div-by-zero",
        DiceError::MissingReference { .. } => "missing-ref",
        DiceError::ForcedDiceExhausted { .. } => "forced-ran-out",
        DiceError::UnusedForcedDice { .. } => "forced-left-over",
        DiceError::ForcedDieImpossible { .. } => "forced-impossible",
        _ => "other",
    };
    let span = error.span();
    format!("{kind} {}..{}: {error}", span.start, span.end)
}

fn bound(value: Option<f64>, infinity: &str) -> String {
    value.map_or_else(|| infinity.to_string(), |v| v.to_string())
}

/// Control characters as `\u{..}`, so that snapshots stay printable.
fn printable(text: String) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') => {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

/// What the corpus records for one input: canonical text and bounds, or the error.
pub(crate) fn describe(dialect: Dialect, input: &str) -> String {
    printable(describe_raw(dialect, input))
}

fn describe_raw(dialect: Dialect, input: &str) -> String {
    let expr = match parse_with(input, &ParseOptions::dialect(dialect)) {
        Ok(expr) => expr,
        Err(error) => return error_text(&error),
    };
    match expr.bounds() {
        Ok(b) => format!("{expr} [{}, {}]", bound(b.min, "-∞"), bound(b.max, "∞")),
        Err(error) => format!("{expr} bounds {}", error_text(&error)),
    }
}

fn check(dialect: Dialect, input: &str, expect: Expect) {
    expect.assert_eq(&describe(dialect, input));
}

/// The total of a forced roll, or its error: for errors that only rolling finds.
fn check_replay(dialect: Dialect, input: &str, faces: &[i64], expect: Expect) {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).expect("the input parses");
    let actual = match replay(&expr, faces, &RollOptions::default()) {
        Ok(rolled) => format!("= {}", rolled.total()),
        Err(error) => error_text(&error),
    };
    expect.assert_eq(&actual);
}

/// Only the bounds (or the error), for cases whose canonical text is beside the point.
pub(crate) fn describe_bounds(dialect: Dialect, input: &str) -> String {
    match parse_with(input, &ParseOptions::dialect(dialect)) {
        Ok(expr) => match expr.bounds() {
            Ok(b) => format!("[{}, {}]", bound(b.min, "-∞"), bound(b.max, "∞")),
            Err(error) => format!("bounds {}", error_text(&error)),
        },
        Err(error) => error_text(&error),
    }
}
