//! A formula's dice terms, read through `critfumble-dice`'s parser: faces,
//! keep and drop, and Roll20's critical range.
//!
//! The VTTs report the faces of their dice but not always which the formula
//! kept, nor the faces of a Roll20 inline roll's dice; the formula tells. It is
//! read with the dice crate's own grammar in the VTT's dialect, so that
//! verification and this reading cannot disagree about what a formula means.

use critfumble_dice::{
    Compare, Dialect, Expr, Faces as DiceFaces, Limits, ModifierKind, NodeKind, ParseOptions,
    Select,
};

use crate::crit::CritRule;
use crate::record::{DiceTerm, Faces};

/// Parses `text` in `dialect`.
///
/// The dice count of a formula is capped by what one input can report (a die
/// takes at least a byte), not by the engine's default 10,000: a formula is
/// only read and replayed against dice that are really there, never rolled.
pub(crate) fn read(text: &str, dialect: Dialect) -> Option<Expr> {
    let options = ParseOptions {
        dialect,
        limits: Limits {
            max_dice: crate::MAX_INPUT_BYTES as u64,
            ..Limits::default()
        },
    };
    critfumble_dice::parse_with(text, &options).ok()
}

/// One dice term of a formula, as far as labelling the reported dice needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DiceSpec {
    /// The faces, or `None` when they are computed (`d(1d6)`) or too many to record.
    pub(crate) faces: Option<Faces>,
    /// The keep and drop modifiers, in the order the engine applies them.
    pub(crate) keep: Vec<ModifierKind>,
}

/// The dice terms of `expr` in the order the engine rolls them (its post-order
/// arena: a computed count before the dice it counts), which is the order the
/// VTTs list their dice in.
pub(crate) fn dice_specs(expr: &Expr) -> Vec<DiceSpec> {
    expr.nodes()
        .iter()
        .filter_map(|node| match &node.kind {
            NodeKind::Dice(dice) => Some(DiceSpec {
                faces: faces_of(dice.faces),
                keep: dice
                    .modifiers
                    .iter()
                    .map(|modifier| modifier.kind)
                    .filter(|kind| matches!(kind, ModifierKind::Keep(_) | ModifierKind::Drop(_)))
                    .collect(),
            }),
            _ => None,
        })
        .collect()
}

fn faces_of(faces: DiceFaces) -> Option<Faces> {
    match faces {
        DiceFaces::Literal(faces) => u32::try_from(faces).ok().map(Faces::Number),
        DiceFaces::Percent => Some(Faces::Number(100)),
        DiceFaces::Fate => Some(Faces::Fate),
        _ => None,
    }
}

/// The crit rule that `expr` sets: Roll20's `cs` and `cf` on a d20 term (the
/// last one written wins, as in Roll20), over the default 20 and 1.
pub(crate) fn crit_rule(expr: &Expr) -> CritRule {
    let mut rule = CritRule::default();
    for node in expr.nodes() {
        let NodeKind::Dice(dice) = &node.kind else {
            continue;
        };
        if dice.faces != DiceFaces::Literal(20) {
            continue;
        }
        for modifier in &dice.modifiers {
            match modifier.kind {
                ModifierKind::CriticalSuccess(compare) => rule.success = compare,
                ModifierKind::CriticalFailure(compare) => rule.failure = compare,
                _ => {}
            }
        }
    }
    rule
}

/// Marks which results of `term` count under the keep and drop modifiers
/// `keep`, when the source does not say. Each modifier applies to the dice the
/// ones before it kept; among equal dice at the cut the earlier ones go first,
/// as Foundry's `_keepOrDrop` and the dice engine do.
pub(crate) fn apply_keep(term: &mut DiceTerm, keep: &[ModifierKind]) {
    for &modifier in keep {
        let mut active: Vec<usize> = (0..term.results.len())
            .filter(|&index| term.results[index].kept)
            .collect();
        let discard: Vec<usize> = match modifier {
            ModifierKind::Keep(Select::Matching(compare)) => active
                .into_iter()
                .filter(|&index| !compare.matches(term.results[index].value))
                .collect(),
            ModifierKind::Drop(Select::Matching(compare)) => active
                .into_iter()
                .filter(|&index| compare.matches(term.results[index].value))
                .collect(),
            ModifierKind::Keep(Select::Highest(count) | Select::Lowest(count))
            | ModifierKind::Drop(Select::Highest(count) | Select::Lowest(count)) => {
                let count = usize::try_from(count).unwrap_or(usize::MAX);
                let (ascending, discarded) = match modifier {
                    ModifierKind::Keep(Select::Highest(_)) => {
                        (true, active.len().saturating_sub(count))
                    }
                    ModifierKind::Keep(_) => (false, active.len().saturating_sub(count)),
                    ModifierKind::Drop(Select::Lowest(_)) => (true, count),
                    _ => (false, count),
                };
                // The dice to discard come first; a stable sort puts earlier dice first among equals.
                if ascending {
                    active.sort_by_key(|&index| term.results[index].value);
                } else {
                    active.sort_by(|&a, &b| term.results[b].value.cmp(&term.results[a].value));
                }
                active.truncate(discarded);
                active
            }
            _ => continue,
        };
        for index in discard {
            term.results[index].kept = false;
        }
    }
}

/// The compare point of a `customCrit`-style threshold: `>=`/`>` at least,
/// `<=`/`<` at most, anything else equal (Roll20's `>` includes the point).
pub(crate) fn roll20_compare(comparison: &str, point: i64) -> Compare {
    use critfumble_dice::CompareOp;
    let op = match comparison {
        ">=" | ">" => CompareOp::Ge,
        "<=" | "<" => CompareOp::Le,
        _ => CompareOp::Eq,
    };
    Compare { op, value: point }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DieResult;
    use critfumble_dice::CompareOp;

    fn specs(formula: &str, dialect: Dialect) -> Vec<DiceSpec> {
        dice_specs(&read(formula, dialect).unwrap())
    }

    #[test]
    fn finds_terms_and_skips_labels() {
        let specs = specs("1d20cs>18 + 1[STR d8] + 2d6!", Dialect::Roll20);
        let faces: Vec<_> = specs.iter().map(|spec| spec.faces).collect();
        assert_eq!(faces, [Some(Faces::Number(20)), Some(Faces::Number(6))]);
        let rule = crit_rule(&read("1d20cs>18 + 2d6", Dialect::Roll20).unwrap());
        assert_eq!(
            rule.success,
            Compare {
                op: CompareOp::Ge,
                value: 18
            }
        );
    }

    #[test]
    fn reads_keep_and_fate_and_percent() {
        let specs = specs("2d20kh1 + 4dF + d% + 4d6dl1 + 2d20kl", Dialect::Foundry);
        let keeps: Vec<_> = specs.iter().map(|spec| spec.keep.clone()).collect();
        assert_eq!(
            keeps,
            [
                vec![ModifierKind::Keep(Select::Highest(1))],
                vec![],
                vec![],
                vec![ModifierKind::Drop(Select::Lowest(1))],
                vec![ModifierKind::Keep(Select::Lowest(1))],
            ]
        );
        assert_eq!(specs[1].faces, Some(Faces::Fate));
        assert_eq!(specs[2].faces, Some(Faces::Number(100)));
    }

    #[test]
    fn references_are_not_dice_and_foundry_cs_is_no_crit() {
        assert!(specs("@{bard|d20} + 2", Dialect::Roll20).is_empty());
        assert_eq!(specs("d8", Dialect::Roll20).len(), 1);
        // In Foundry `cs>18` counts successes; the crit range stays 20.
        let rule = crit_rule(&read("1d20cs>18", Dialect::Foundry).unwrap());
        assert_eq!(rule.success, CritRule::default().success);
    }

    fn term(values: &[i64]) -> DiceTerm {
        DiceTerm {
            faces: Some(Faces::Number(20)),
            results: values
                .iter()
                .map(|&value| DieResult { value, kept: true })
                .collect(),
        }
    }

    fn kept(term: &DiceTerm) -> Vec<bool> {
        term.results.iter().map(|result| result.kept).collect()
    }

    #[test]
    fn keep_marks_the_right_dice() {
        let mut lowest = term(&[7, 15]);
        apply_keep(&mut lowest, &[ModifierKind::Keep(Select::Lowest(1))]);
        assert_eq!(kept(&lowest), [true, false]);
        let mut highest = term(&[7, 15]);
        apply_keep(&mut highest, &[ModifierKind::Keep(Select::Highest(1))]);
        assert_eq!(kept(&highest), [false, true]);
        // Among ties at the cut the earlier dice go; drops remove from what is kept.
        let mut ties = term(&[5, 5, 2, 5]);
        apply_keep(&mut ties, &[ModifierKind::Keep(Select::Highest(2))]);
        assert_eq!(kept(&ties), [false, true, false, true]);
        let mut drop = term(&[3, 1, 4, 1]);
        apply_keep(&mut drop, &[ModifierKind::Drop(Select::Lowest(1))]);
        assert_eq!(kept(&drop), [true, false, true, true]);
    }

    #[test]
    fn keep_agrees_with_the_engine() {
        // The engine's own replay is the oracle for which dice a formula keeps.
        for (formula, values) in [
            ("4d6kh3", vec![6, 2, 6, 2]),
            ("4d6dl1", vec![1, 1, 5, 3]),
            ("5d10kl2", vec![9, 3, 3, 7, 1]),
            ("3d20kh1", vec![20, 20, 4]),
            ("4d6kh2", vec![5, 5, 2, 5]),
            ("4d6dh1kl2", vec![4, 6, 4, 4]),
            ("3d20kl1", vec![1, 9, 1]),
        ] {
            let expr = read(formula, Dialect::Foundry).unwrap();
            let rolled = critfumble_dice::replay(&expr, &values, &Default::default()).unwrap();
            let engine: Vec<bool> = rolled.all_dice().map(|die| die.kept()).collect();
            let mut ours = term(&values);
            apply_keep(&mut ours, &dice_specs(&expr)[0].keep);
            // The engine applies keep and drop in the order written, as we do.
            assert_eq!(kept(&ours), engine, "{formula}");
        }
    }
}
