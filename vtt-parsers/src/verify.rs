//! Checking a reported roll: replay its formula with the reported dice and compare totals.

use critfumble_dice::{Dialect, DiceError, Expr, LimitKind, Limits, NodeKind, RollOptions};

use crate::record::DiceTerm;

/// The verdict on one roll: `Some(true)` when `expr`, replayed with every
/// reported die in rolled order, gives `total`; `Some(false)` when it gives
/// another total or the dice cannot be that formula's roll (a 9 on a d6, a die
/// too many or too few); `None` when the roll cannot be checked (no formula or
/// total, unknown faces, a formula with dice but none read, references such
/// as `@{str}`, syntax the engine does not take).
pub(crate) fn check(expr: Option<&Expr>, dice: &[DiceTerm], total: Option<f64>) -> Option<bool> {
    let (expr, total) = (expr?, total?);
    if dice.iter().any(|term| term.faces.is_none()) {
        return None;
    }
    let faces: Vec<i64> = dice
        .iter()
        .flat_map(|term| term.results.iter().map(|result| result.value))
        .collect();
    // A formula with dice whose dice were not read cannot be checked; one
    // without dice (Roll20's `Rolling 3[CON] = 3`) is checked as it is.
    let has_dice = expr
        .nodes()
        .iter()
        .any(|node| matches!(node.kind, NodeKind::Dice(_)));
    if faces.is_empty() && has_dice {
        return None;
    }
    // Every die the replay draws comes from the reported ones, so a formula
    // that needs more than were reported cannot be this roll; the cap also
    // keeps the replay's work and memory to the size of the input.
    let drawable = u64::try_from(faces.len()).unwrap_or(u64::MAX);
    let options = RollOptions {
        limits: Limits {
            max_dice: drawable,
            ..Limits::default()
        },
        ..RollOptions::default()
    };
    match critfumble_dice::replay(expr, &faces, &options) {
        Ok(rolled) => Some((rolled.total() - total).abs() < TOLERANCE),
        Err(
            DiceError::ForcedDiceExhausted { .. }
            | DiceError::UnusedForcedDice { .. }
            | DiceError::ForcedDieImpossible { .. }
            | DiceError::Limit {
                kind: LimitKind::Dice,
                ..
            },
        ) => Some(false),
        Err(_) => None,
    }
}

/// Parses `formula` in `dialect` and checks the roll against it (see [`check`]).
pub(crate) fn check_formula(
    formula: Option<&str>,
    dialect: Dialect,
    dice: &[DiceTerm],
    total: Option<f64>,
) -> Option<bool> {
    let expr = crate::terms::read(formula?, dialect)?;
    check(Some(&expr), dice, total)
}

/// The verdict on a whole message from those on its rolls: false when any
/// roll fails, true when every roll checks out, and null otherwise (a roll
/// that cannot be checked, or no roll at all).
pub(crate) fn combine(verdicts: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
    let mut all_true = true;
    let mut any = false;
    for verdict in verdicts {
        any = true;
        match verdict {
            Some(false) => return Some(false),
            Some(true) => {}
            None => all_true = false,
        }
    }
    (any && all_true).then_some(true)
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
        check_formula(Some(formula), dialect, &dice, Some(total))
    }

    #[test]
    fn matching_and_tampered_totals() {
        let d20 = Faces::Number(20);
        assert_eq!(
            replay("1d20+5", Dialect::Default, d20, &[12], 17.0),
            Some(true)
        );
        assert_eq!(
            replay("1d20+5", Dialect::Default, d20, &[12], 25.0),
            Some(false)
        );
        assert_eq!(
            replay("2d20kh1+5", Dialect::Roll20, d20, &[3, 15], 20.0),
            Some(true)
        );
    }

    #[test]
    fn dice_that_cannot_be_the_roll_are_false() {
        let d6 = Faces::Number(6);
        assert_eq!(replay("1d6", Dialect::Default, d6, &[9], 9.0), Some(false));
        assert_eq!(
            replay("1d6", Dialect::Default, d6, &[2, 3], 2.0),
            Some(false)
        );
        // More dice than were reported, however many the formula asks for.
        assert_eq!(
            replay("3d6", Dialect::Default, d6, &[2, 3], 5.0),
            Some(false)
        );
        assert_eq!(
            replay("9000d6", Dialect::Default, d6, &[2], 2.0),
            Some(false)
        );
    }

    #[test]
    fn each_vtt_formula_is_read_in_its_own_dialect() {
        let d20 = Faces::Number(20);
        // Roll20: `cs>19` marks crits and leaves the total alone.
        assert_eq!(
            replay("1d20cs>19 + 1", Dialect::Roll20, d20, &[19], 20.0),
            Some(true)
        );
        // Foundry: a bare `kh` keeps one die.
        assert_eq!(
            replay("2d20kh + 4", Dialect::Foundry, d20, &[7, 16], 20.0),
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
            check_formula(Some("1d6"), Dialect::Roll20, &dice, Some(4.0)),
            None
        );
        assert_eq!(
            replay("1d20+@{str}", Dialect::Roll20, Faces::Number(20), &[4], 4.0),
            None
        );
        // Dice that were not read leave a roll unchecked; a roll with no dice is checked.
        assert_eq!(
            check_formula(Some("1d6+3"), Dialect::Roll20, &[], Some(5.0)),
            None
        );
        assert_eq!(
            check_formula(Some("3[CON]"), Dialect::Roll20, &[], Some(3.0)),
            Some(true)
        );
        assert_eq!(
            check_formula(Some("3[CON]"), Dialect::Roll20, &[], Some(4.0)),
            Some(false)
        );
    }

    #[test]
    fn a_message_fails_when_any_roll_fails() {
        assert_eq!(combine([Some(true), Some(true)]), Some(true));
        assert_eq!(combine([Some(true), Some(false)]), Some(false));
        assert_eq!(combine([None, Some(false)]), Some(false));
        assert_eq!(combine([Some(true), None]), None);
        assert_eq!(combine([]), None);
    }
}
