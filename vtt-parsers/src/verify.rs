//! Checking a reported roll: replay its formula with the reported dice and compare totals.

use crate::record::{DiceTerm, Faces};

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
            complete: dice
                .iter()
                .all(|term| matches!(term.faces, Some(Faces::Number(_) | Faces::Fate(_)))),
        }
    }
}

/// The verdict for one replay: `Some(true)` when the totals match, `Some(false)`
/// when they differ, `None` when the roll cannot be checked.
pub(crate) fn check(replay: &Replay) -> Option<bool> {
    // The dice engine (`critfumble-dice`) is not merged yet: nothing can be replayed.
    let _ = replay;
    None
}
