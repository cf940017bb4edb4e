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
    // The engine reads each VTT's own dialect: Roll20's `cs`/`cf` set the
    // critical range there, and Foundry's bare `kh` keeps one die.
    let expr = critfumble_dice::parse_with(&replay.formula, &options).ok()?;
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
    fn each_vtt_formula_is_read_in_its_own_dialect() {
        // Roll20: `cs>19` marks crits and leaves the total alone.
        assert_eq!(
            replay(
                "1d20cs>19 + 1",
                Dialect::Roll20,
                Faces::Number(20),
                &[19],
                20.0
            ),
            Some(true)
        );
        // Foundry: a bare `kh` keeps one die.
        assert_eq!(
            replay(
                "2d20kh + 4",
                Dialect::Foundry,
                Faces::Number(20),
                &[7, 16],
                20.0
            ),
            Some(true)
        );
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
