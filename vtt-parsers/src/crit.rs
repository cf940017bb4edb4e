//! The crit rule: when a roll counts as a critical success or failure.
//!
//! For a roll with d20s, a **kept** d20 at or past the critical threshold is a
//! success and a kept d20 showing 1 is a failure. Dropped dice never count,
//! even though Roll20 leaves its crit classes on them, and max or min faces of
//! other dice are not crits. A roll without a d20 is no crit unless its source
//! flags it critical (a D&D Beyond `critical hit`, a dnd5e `isCritical`).

use critfumble_dice::{Compare, CompareOp};

use crate::record::{Crit, DiceTerm, Faces};

/// The thresholds of one roll: 20 and 1 unless the roll says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CritRule {
    /// The faces of a kept d20 that are a critical success.
    pub(crate) success: Compare,
    /// The faces of a kept d20 that are a critical failure.
    pub(crate) failure: Compare,
    /// The source marks the roll critical (used only when it has no d20).
    pub(crate) flagged_critical: bool,
}

impl Default for CritRule {
    fn default() -> Self {
        CritRule {
            success: at_least(20),
            failure: at_most(1),
            flagged_critical: false,
        }
    }
}

/// The compare point `>=point`.
pub(crate) const fn at_least(point: i64) -> Compare {
    Compare {
        op: CompareOp::Ge,
        value: point,
    }
}

/// The compare point `<=point`.
pub(crate) const fn at_most(point: i64) -> Compare {
    Compare {
        op: CompareOp::Le,
        value: point,
    }
}

impl CritRule {
    /// Applies the rule to the dice of one roll.
    pub(crate) fn judge(self, dice: &[DiceTerm]) -> Crit {
        let mut has_d20 = false;
        let mut failure = false;
        for term in dice
            .iter()
            .filter(|term| term.faces == Some(Faces::Number(20)))
        {
            has_d20 = true;
            for result in term.results.iter().filter(|result| result.kept) {
                if self.success.matches(result.value) {
                    return Crit::Success;
                }
                failure |= self.failure.matches(result.value);
            }
        }
        if failure {
            Crit::Failure
        } else if !has_d20 && self.flagged_critical {
            Crit::Success
        } else {
            Crit::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DieResult;

    fn term(faces: u32, results: &[(i64, bool)]) -> DiceTerm {
        DiceTerm {
            faces: Some(Faces::Number(faces)),
            results: results
                .iter()
                .map(|&(value, kept)| DieResult { value, kept })
                .collect(),
        }
    }

    #[test]
    fn kept_natural_twenty_and_one() {
        let rule = CritRule::default();
        assert_eq!(rule.judge(&[term(20, &[(20, true)])]), Crit::Success);
        assert_eq!(rule.judge(&[term(20, &[(1, true)])]), Crit::Failure);
        assert_eq!(rule.judge(&[term(20, &[(12, true)])]), Crit::None);
    }

    #[test]
    fn dropped_dice_never_count() {
        let rule = CritRule::default();
        let advantage = term(20, &[(1, false), (14, true)]);
        assert_eq!(rule.judge(&[advantage]), Crit::None);
        let disadvantage = term(20, &[(20, false), (3, true)]);
        assert_eq!(rule.judge(&[disadvantage]), Crit::None);
    }

    #[test]
    fn other_dice_at_max_or_min_are_not_crits() {
        let rule = CritRule::default();
        assert_eq!(rule.judge(&[term(6, &[(6, true), (1, true)])]), Crit::None);
    }

    #[test]
    fn custom_threshold_and_source_flag() {
        let rule = CritRule {
            success: at_least(18),
            ..CritRule::default()
        };
        assert_eq!(rule.judge(&[term(20, &[(18, true)])]), Crit::Success);
        let flagged = CritRule {
            flagged_critical: true,
            ..CritRule::default()
        };
        assert_eq!(flagged.judge(&[term(8, &[(3, true)])]), Crit::Success);
        // A flag does not overrule the d20 of an attack roll.
        assert_eq!(flagged.judge(&[term(20, &[(7, true)])]), Crit::None);
    }
}
