//! Refuses modifiers that can never stop (`1d1!`, Roll20's `1d6r<6`) before rolling.

use crate::ast::{Compare, CompareOp, Dice, ExplodeStyle, Modifier, ModifierKind, RerollStyle};
use crate::die::DieKind;
use crate::{Dialect, DiceError, Span};

/// Checks a dice term whose faces are known at parse time.
pub(crate) fn check_static(dice: &Dice, dialect: Dialect, _span: Span) -> Result<(), DiceError> {
    match DieKind::known(dice.faces, dialect) {
        Some(kind) => check(kind, &dice.modifiers),
        None => Ok(()),
    }
}

/// Fails when a reroll-until or an explosion would match every value the die can show.
///
/// Values are followed through the per-die steps in order: rerolls until narrow
/// the range, clamps squeeze it, and an explosion that matches all of what is
/// left would never stop.
pub(crate) fn check(kind: DieKind, modifiers: &[Modifier]) -> Result<(), DiceError> {
    let (mut lo, mut hi) = (kind.min(), kind.max());
    let all_match = |c: Compare, lo: i64, hi: i64| match c.op {
        CompareOp::Eq => lo == hi && lo == c.value,
        CompareOp::Gt => lo > c.value,
        CompareOp::Ge => lo >= c.value,
        CompareOp::Lt => hi < c.value,
        CompareOp::Le => hi <= c.value,
    };
    for modifier in modifiers {
        if let ModifierKind::Reroll {
            style: RerollStyle::Until,
            on,
            cap: None,
        } = modifier.kind
        {
            let on = on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.min(),
            });
            if all_match(on, lo, hi) {
                return Err(DiceError::NeverStops {
                    message: format!(
                        "this reroll matches every face of a d{} and would never stop",
                        kind.label()
                    ),
                    span: modifier.span,
                });
            }
            (lo, hi) = narrow(on, lo, hi, kind);
        }
    }
    for modifier in modifiers {
        match modifier.kind {
            ModifierKind::Min(v) => (lo, hi) = (lo.max(v), hi.max(v)),
            ModifierKind::Max(v) => (lo, hi) = (lo.min(v), hi.min(v)),
            _ => {}
        }
    }
    for modifier in modifiers {
        if let ModifierKind::Explode {
            style,
            on,
            cap: None,
        } = modifier.kind
        {
            if style == ExplodeStyle::Once {
                continue;
            }
            let on = on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.max(),
            });
            if all_match(on, lo, hi) {
                return Err(DiceError::NeverStops {
                    message: format!(
                        "this explosion matches every face of a d{} and would never stop",
                        kind.label()
                    ),
                    span: modifier.span,
                });
            }
        }
    }
    Ok(())
}

/// The range left after rerolling until `on` no longer matches.
pub(crate) fn narrow(on: Compare, lo: i64, hi: i64, kind: DieKind) -> (i64, i64) {
    let step = if kind == DieKind::Tens { 10 } else { 1 };
    match on.op {
        CompareOp::Lt => (lo.max(on.value), hi),
        CompareOp::Le => (lo.max(on.value + step), hi),
        CompareOp::Gt => (lo, hi.min(on.value)),
        CompareOp::Ge => (lo, hi.min(on.value - step)),
        CompareOp::Eq if on.value == lo => (lo + step, hi),
        CompareOp::Eq if on.value == hi => (lo, hi - step),
        CompareOp::Eq => (lo, hi),
    }
}
