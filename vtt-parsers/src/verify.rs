//! Checking a reported roll: replay its formula with the reported dice and compare totals.

use critfumble_dice::{DiceError, Limits, ParseOptions, RollOptions};

use crate::record::DiceTerm;

/// Which dice dialect a formula is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Plain `NdX` arithmetic (D&D Beyond).
    Default,
    /// Roll20's dialect (`[labels]`, `cs>N`, `!`).
    Roll20,
    /// Foundry's dialect (`kh`, `x`, `r`, `[flavor]`).
    Foundry,
}

/// A parsed roll and, when it can be checked, its replay.
pub(crate) type Checked = (crate::record::ExtraRoll, Option<Replay>);

/// What a verification needs: the formula, the faces in rolled order, and the claimed total.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Replay {
    pub(crate) formula: String,
    pub(crate) dialect: Dialect,
    /// Every die in rolled order, dropped and rerolled ones included.
    pub(crate) faces: Vec<i64>,
    pub(crate) total: f64,
    /// False when a die's faces are unknown, so that the roll cannot be replayed.
    pub(crate) complete: bool,
}

impl Replay {
    /// A replay when both the formula and the total are known.
    pub(crate) fn of(
        formula: Option<&str>,
        dialect: Dialect,
        dice: &[DiceTerm],
        total: Option<f64>,
    ) -> Option<Self> {
        Some(Replay::new(formula?.to_string(), dialect, dice, total?))
    }

    pub(crate) fn new(formula: String, dialect: Dialect, dice: &[DiceTerm], total: f64) -> Self {
        Replay {
            formula,
            dialect,
            faces: dice
                .iter()
                .flat_map(|term| term.results.iter().map(|result| result.value))
                .collect(),
            total,
            complete: dice.iter().all(|term| term.faces.is_some()),
        }
    }
}

/// The verdict for one replay: `Some(true)` when the totals match, `Some(false)`
/// when they differ or the reported dice cannot be the roll of the formula, and
/// `None` when the roll cannot be checked (unknown faces, no dice read, syntax
/// the engine does not take, references such as `@{str}`).
pub(crate) fn check(replay: &Replay) -> Option<bool> {
    if !replay.complete || replay.faces.is_empty() {
        return None;
    }
    let options = ParseOptions {
        dialect: match replay.dialect {
            Dialect::Default => critfumble_dice::Dialect::Default,
            Dialect::Roll20 => critfumble_dice::Dialect::Roll20,
            Dialect::Foundry => critfumble_dice::Dialect::Foundry,
        },
        limits: Limits::default(),
    };
    let formula = engine_formula(&replay.formula, replay.dialect);
    let expr = critfumble_dice::parse_with(&formula, &options).ok()?;
    match critfumble_dice::replay(&expr, &replay.faces, &RollOptions::default()) {
        Ok(rolled) => Some((rolled.total() - replay.total).abs() < TOLERANCE),
        Err(
            DiceError::ForcedDiceExhausted { .. }
            | DiceError::UnusedForcedDice { .. }
            | DiceError::ForcedDieImpossible { .. },
        ) => Some(false),
        Err(_) => None,
    }
}

/// The formula as the engine should read it.
///
/// - Roll20's `cs` and `cf` only mark which faces count as crits there; the
///   engine reads them as success counting, which changes the total, so they go.
/// - Foundry's bare `kh`, `kl`, `dh` and `dl` mean one die; the engine wants the `1`.
fn engine_formula(formula: &str, dialect: Dialect) -> String {
    let bytes = formula.as_bytes();
    let mut out = String::with_capacity(formula.len() + 4);
    let mut index = 0;
    let mut in_label = false;
    while index < bytes.len() {
        let byte = bytes[index];
        in_label = match byte {
            b'[' => true,
            b']' => false,
            _ => in_label,
        };
        let after_dice = index > 0
            && (bytes[index - 1].is_ascii_alphanumeric() || b"<>=!".contains(&bytes[index - 1]));
        let rest = &bytes[index..];
        if !in_label
            && after_dice
            && dialect == Dialect::Roll20
            && (rest.starts_with(b"cs") || rest.starts_with(b"cf"))
        {
            index += 2;
            while index < bytes.len()
                && (b"<>=".contains(&bytes[index]) || bytes[index].is_ascii_digit())
            {
                index += 1;
            }
            continue;
        }
        let keep = [b"kh", b"kl", b"dh", b"dl"]
            .iter()
            .any(|k| rest.starts_with(*k));
        if !in_label && after_dice && dialect == Dialect::Foundry && keep {
            out.push_str(&formula[index..index + 2]);
            if !bytes.get(index + 2).is_some_and(u8::is_ascii_digit) {
                out.push('1');
            }
            index += 2;
            continue;
        }
        // Copy one whole character (formulas may hold non-ASCII labels).
        let width = formula[index..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&formula[index..index + width]);
        index += width;
    }
    out
}

/// Totals closer than this are equal (fractional modifiers such as Foundry's `+ 0.1`).
const TOLERANCE: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{DieResult, Faces};

    fn replay(
        formula: &str,
        dialect: Dialect,
        faces: Faces,
        values: &[i64],
        total: f64,
    ) -> Option<bool> {
        let dice = [DiceTerm {
            faces: Some(faces),
            results: values
                .iter()
                .map(|&value| DieResult { value, kept: true })
                .collect(),
        }];
        check(&Replay::new(formula.to_string(), dialect, &dice, total))
    }

    #[test]
    fn matching_and_tampered_totals() {
        assert_eq!(
            replay("1d20+5", Dialect::Default, Faces::Number(20), &[12], 17.0),
            Some(true)
        );
        assert_eq!(
            replay("1d20+5", Dialect::Default, Faces::Number(20), &[12], 25.0),
            Some(false)
        );
        assert_eq!(
            replay(
                "2d20kh1+5",
                Dialect::Roll20,
                Faces::Number(20),
                &[3, 15],
                20.0
            ),
            Some(true)
        );
    }

    #[test]
    fn dice_that_cannot_be_the_roll_are_false() {
        assert_eq!(
            replay("1d6", Dialect::Default, Faces::Number(6), &[9], 9.0),
            Some(false)
        );
        assert_eq!(
            replay("1d6", Dialect::Default, Faces::Number(6), &[2, 3], 2.0),
            Some(false)
        );
    }

    #[test]
    fn formulas_are_normalized_for_the_engine() {
        assert_eq!(
            engine_formula("1d20cs>19cf<2 + 1[cs STR]", Dialect::Roll20),
            "1d20 + 1[cs STR]"
        );
        assert_eq!(
            engine_formula("2d20kh + 4d6dl + 2d20kh1", Dialect::Foundry),
            "2d20kh1 + 4d6dl1 + 2d20kh1"
        );
        assert_eq!(engine_formula("1d20 + 0.1", Dialect::Foundry), "1d20 + 0.1");
        assert_eq!(engine_formula("1d20 + 5 ⚔", Dialect::Roll20), "1d20 + 5 ⚔");
    }

    #[test]
    fn unknown_faces_and_references_cannot_be_checked() {
        let dice = [DiceTerm {
            faces: None,
            results: vec![DieResult {
                value: 4,
                kept: true,
            }],
        }];
        assert_eq!(
            check(&Replay::new("1d6".into(), Dialect::Roll20, &dice, 4.0)),
            None
        );
        assert_eq!(
            replay("1d20+@{str}", Dialect::Roll20, Faces::Number(20), &[4], 4.0),
            None
        );
    }
}
