//! The functions of the main .wasm: rolls and inline rolls.

use super::{Failure, Options, encode, unencodable, utf16_offset};
use crate::report::encode_report;
use crate::tree::Encoder;
use critfumble_dice::{DiceError, Rolled, parse_with, replay, roll_inline, roll_with, seeded_rng};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

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
