//! Bounds of one dice term: the range of one die, how many dice count, and their total.

use super::interval::{self, Interval};
use crate::ast::{
    Compare, CompareOp, Count, Dice, ExplodeStyle, Expr, Faces, Modifier, ModifierKind,
    RerollStyle, Select,
};
use crate::die::DieKind;
use crate::rolled::Die;
use crate::{DiceError, Limits, Span};

/// What a dice term can come to.
#[derive(Debug, Clone, Copy)]
pub(super) struct DiceBounds {
    /// Its total.
    pub(super) total: Interval,
    /// How many dice count toward it, after explosions and keep or drop.
    pub(super) kept: Interval,
    /// The value of one die that counts.
    pub(super) value: Interval,
}

/// The values one die can show after rerolls until (which leave out what they
/// match) and clamps.
fn face_range(kind: DieKind, dice: &Dice) -> Interval {
    let (mut lo, mut hi) = (kind.min(), kind.max());
    for modifier in &dice.modifiers {
        // A capped reroll may leave a matching face once its cap is spent.
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
            (lo, hi) = crate::termination::narrow(on, lo, hi, kind);
        }
    }
    for modifier in &dice.modifiers {
        match modifier.kind {
            ModifierKind::Min(v) => (lo, hi) = (lo.max(v), hi.max(v)),
            ModifierKind::Max(v) => (lo, hi) = (lo.min(v), hi.min(v)),
            _ => {}
        }
    }
    Interval::whole(lo as f64, hi as f64)
}

pub(super) fn dice_bounds(
    expr: &Expr,
    dice: &Dice,
    intervals: &[Interval],
    limits: &Limits,
    span: Span,
) -> Result<DiceBounds, DiceError> {
    let computed_faces = matches!(dice.faces, Faces::Computed(_));
    let kind = match (DieKind::known(dice.faces, expr.dialect), dice.faces) {
        (Some(kind), _) => kind,
        (None, Faces::Computed(id)) => {
            // A roll refuses more faces than the limit, so no die has more.
            let most = expr
                .dialect
                .computed_dice(intervals[id.index()].hi)
                .min(limits.max_faces as f64)
                .max(1.0);
            DieKind::Numeric(most as u64)
        }
        (None, _) => {
            return Err(DiceError::invalid(
                "the faces of these dice are unknown",
                span,
            ));
        }
    };
    let mut face = face_range(kind, dice);
    if computed_faces {
        face.lo = face.lo.min(1.0);
    }
    let max_dice = limits.max_dice as f64;
    let mut count = match dice.count {
        Count::Implicit => Interval::point(1.0),
        Count::Literal(n) => Interval::point(n as f64),
        Count::Computed(id) => {
            let c = intervals[id.index()];
            let (lo, hi) = (
                expr.dialect.computed_dice(c.lo),
                expr.dialect.computed_dice(c.hi),
            );
            Interval::whole(lo.max(0.0).ceil(), hi.max(0.0).floor().min(max_dice))
        }
    };
    let original_count = count;
    let mut value = face;
    for modifier in &dice.modifiers {
        match modifier.kind {
            ModifierKind::Explode { style, on, cap } => {
                let on = on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.max(),
                });
                let Some(matching) = face.restrict(on, true) else {
                    continue;
                };
                if let Some(cap) = cap {
                    // At most `cap` rolls more for the whole term.
                    let cap = cap as f64;
                    match style {
                        ExplodeStyle::Compound => {
                            value.hi = value.hi.max(face.hi * (cap + 1.0));
                            value.lo = value.lo.min(face.lo * (cap + 1.0));
                        }
                        ExplodeStyle::Penetrate => {
                            count.hi += cap;
                            value.lo = value.lo.min(face.lo - 1.0);
                        }
                        ExplodeStyle::Explode | ExplodeStyle::Once => count.hi += cap,
                    }
                    continue;
                }
                match style {
                    // The extra rolls add into the die for as long as they match.
                    ExplodeStyle::Compound => {
                        if matching.hi > 0.0 {
                            value.hi = f64::INFINITY;
                        }
                        if matching.lo < 0.0 {
                            value.lo = f64::NEG_INFINITY;
                        }
                    }
                    ExplodeStyle::Explode => count.hi = f64::INFINITY,
                    ExplodeStyle::Penetrate => {
                        count.hi = f64::INFINITY;
                        value.lo = value.lo.min(face.lo - 1.0);
                    }
                    ExplodeStyle::Once => count.hi *= 2.0,
                }
            }
            ModifierKind::Reroll {
                style: RerollStyle::Add,
                on,
                ..
            } => {
                let on = on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.min(),
                });
                // At most one die for the whole term (d20's `explode_once`).
                if face.can_meet(on) && count.hi > 0.0 {
                    count.hi += 1.0;
                }
            }
            _ => {}
        }
    }
    let (kept, value) = keep_and_drop(dice, expr.dialect.merges_selectors(), count, value);
    let counting: Vec<ModifierKind> = dice
        .modifiers
        .iter()
        .map(|m| m.kind)
        .filter(|k| is_counting(*k))
        .collect();
    let per_die = if counting.is_empty() {
        value
    } else {
        contribution(value, &counting)
    };
    let mut total = per_die.times(kept);
    // With no keep, drop or counting, each die and the dice it adds form a
    // chain whose range is exact.
    let plain_pool = !dice
        .modifiers
        .iter()
        .any(|m| m.kind.is_keep_or_drop() || is_counting(m.kind));
    if plain_pool && let Some(chain) = chain_range(kind, face, dice) {
        total = if adds_once(dice) {
            // One die with its `ra` chain, and the others plain (when any die rolls).
            let others = Interval {
                lo: (original_count.lo - 1.0).max(0.0),
                hi: (original_count.hi - 1.0).max(0.0),
                integral: true,
            };
            let with_chain =
                interval::binary(crate::ast::BinaryOp::Add, face.times(others), chain, span)?;
            if original_count.lo == 0.0 {
                Interval::hull([0.0, with_chain.lo, with_chain.hi], true)
            } else {
                with_chain
            }
        } else {
            chain.times(original_count)
        };
    }
    // `mt`: the number of values that enough dice share, at most the dice
    // over the set size and at most the distinct faces they can show. It
    // comes before the margin of success, as in the roll (`eval::pool`).
    for modifier in &dice.modifiers {
        if let ModifierKind::Matches {
            min_count,
            total: true,
            ..
        } = modifier.kind
        {
            let sets = (kept.hi / min_count as f64).floor();
            let faces = value.hi - value.lo + 1.0;
            total = Interval::whole(0.0, sets.min(faces).max(0.0));
        }
    }
    for modifier in &dice.modifiers {
        if let ModifierKind::MarginOfSuccess(target) = modifier.kind {
            let t = target.value as f64;
            total = match target.op {
                CompareOp::Lt | CompareOp::Le => Interval {
                    lo: t - total.hi,
                    hi: t - total.lo,
                    ..total
                },
                _ => Interval {
                    lo: total.lo - t,
                    hi: total.hi - t,
                    ..total
                },
            };
        }
    }
    Ok(DiceBounds { total, kept, value })
}

/// Whether the term's one adder is Avrae's `ra`, which adds one die to the
/// whole term at most.
fn adds_once(dice: &Dice) -> bool {
    dice.modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::Reroll {
                style: RerollStyle::Add,
                ..
            }
        )
    })
}

/// The range of one die together with the dice it adds (by exploding,
/// penetrating, compounding or Avrae's `ra`), when exactly one modifier adds
/// dice; `None` otherwise.
fn chain_range(kind: DieKind, face: Interval, dice: &Dice) -> Option<Interval> {
    // A capped explosion counts across the term: no chain of one die.
    if dice
        .modifiers
        .iter()
        .any(|m| matches!(m.kind, ModifierKind::Explode { cap: Some(_), .. }))
    {
        return None;
    }
    let mut adders = dice.modifiers.iter().filter_map(|m| match m.kind {
        ModifierKind::Explode { style, on, .. } => Some((
            Some(style),
            on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.max(),
            }),
        )),
        ModifierKind::Reroll {
            style: RerollStyle::Add,
            on,
            ..
        } => Some((
            None,
            on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.min(),
            }),
        )),
        _ => None,
    });
    let (style, on) = adders.next()?;
    if adders.next().is_some() {
        return None;
    }
    let Some(matching) = face.restrict(on, true) else {
        return Some(face);
    };
    let rest = face.restrict(on, false);
    let (lo, hi) = match (style, rest) {
        // One extra die at most: a matching die plus any face.
        (None | Some(ExplodeStyle::Once), rest) => {
            let with_extra = (matching.lo + face.lo, matching.hi + face.hi);
            match rest {
                Some(rest) => (rest.lo.min(with_extra.0), rest.hi.max(with_extra.1)),
                None => with_extra,
            }
        }
        // Any number of matching dice, then one that does not match.
        (Some(ExplodeStyle::Explode | ExplodeStyle::Compound), Some(rest)) => {
            let lo = if matching.lo < 0.0 {
                f64::NEG_INFINITY
            } else {
                rest.lo
            };
            let hi = if matching.hi > 0.0 {
                f64::INFINITY
            } else {
                rest.hi
            };
            (lo, hi)
        }
        // The same, but each die after the first counts 1 less.
        (Some(ExplodeStyle::Penetrate), Some(rest)) => {
            let lo = if matching.lo - 1.0 < 0.0 {
                f64::NEG_INFINITY
            } else {
                rest.lo.min(matching.lo + rest.lo - 1.0)
            };
            let hi = if matching.hi - 1.0 > 0.0 {
                f64::INFINITY
            } else {
                rest.hi.max(matching.hi + rest.hi - 1.0)
            };
            (lo, hi)
        }
        // Every face explodes: refused as never stopping before bounds are asked.
        (Some(_), None) => return None,
    };
    Some(Interval::whole(lo, hi))
}

/// How many dice count, and the range of their values, after keep and drop.
pub(super) fn keep_and_drop(
    dice: &Dice,
    merge: bool,
    count: Interval,
    value: Interval,
) -> (Interval, Interval) {
    let mut kept = count;
    let mut value = value;
    for step in selection_steps(&dice.modifiers, merge) {
        match step {
            SelectionStep::One(select, keep) => {
                (kept, value) = select_count(select, keep, kept, value);
            }
            SelectionStep::Merged { keep, least, most } => {
                let (least, most) = (least as f64, most as f64);
                kept = if keep {
                    Interval {
                        lo: kept.lo.min(least),
                        hi: kept.hi.min(most),
                        ..kept
                    }
                } else {
                    Interval {
                        lo: (kept.lo - most).max(0.0),
                        hi: (kept.hi - least).max(0.0),
                        ..kept
                    }
                };
            }
            SelectionStep::Loose => kept.lo = 0.0,
        }
    }
    (kept, value)
}

/// One keep or drop as the bounds read it.
#[derive(Debug, Clone, Copy)]
pub(super) enum SelectionStep {
    /// One selector.
    One(Select, bool),
    /// A d20 run of highest and lowest selectors, selecting together: their
    /// union holds from `least` (the largest count of one side; ties can
    /// make the sides overlap) to `most` (the sum of both sides) items.
    Merged { keep: bool, least: u64, most: u64 },
    /// A d20 run with a compare point: any item may be left out.
    Loose,
}

/// The keep and drop modifiers as the bounds read them; with `merge` (d20)
/// a run of several selectors selects together.
pub(super) fn selection_steps(modifiers: &[Modifier], merge: bool) -> Vec<SelectionStep> {
    if !merge {
        return modifiers
            .iter()
            .filter_map(|m| match m.kind {
                ModifierKind::Keep(select) => Some(SelectionStep::One(select, true)),
                ModifierKind::Drop(select) => Some(SelectionStep::One(select, false)),
                _ => None,
            })
            .collect();
    }
    crate::eval::selector_runs(modifiers)
        .into_iter()
        .map(|(selects, keep)| match selects.as_slice() {
            [select] => SelectionStep::One(*select, keep),
            _ => {
                let (mut highest, mut lowest) = (0u64, 0u64);
                for select in &selects {
                    match select {
                        Select::Highest(n) => highest = highest.max(*n),
                        Select::Lowest(n) => lowest = lowest.max(*n),
                        Select::Matching(_) => return SelectionStep::Loose,
                    }
                }
                SelectionStep::Merged {
                    keep,
                    least: highest.max(lowest),
                    most: highest.saturating_add(lowest),
                }
            }
        })
        .collect()
}

/// One keep or drop: highest and lowest change how many count; a compare
/// point changes which values can count.
pub(super) fn select_count(
    select: Select,
    keep: bool,
    kept: Interval,
    value: Interval,
) -> (Interval, Interval) {
    match (select, keep) {
        (Select::Highest(k) | Select::Lowest(k), true) => {
            let k = k as f64;
            (
                Interval {
                    lo: kept.lo.min(k),
                    hi: kept.hi.min(k),
                    ..kept
                },
                value,
            )
        }
        (Select::Highest(k) | Select::Lowest(k), false) => {
            let k = k as f64;
            (
                Interval {
                    lo: (kept.lo - k).max(0.0),
                    hi: (kept.hi - k).max(0.0),
                    ..kept
                },
                value,
            )
        }
        (Select::Matching(on), keep) => match value.restrict(on, keep) {
            None => (Interval::point(0.0), Interval::point(0.0)),
            Some(survivors) => {
                let all_survive = value.restrict(on, !keep).is_none();
                let lo = if all_survive { kept.lo } else { 0.0 };
                (Interval { lo, ..kept }, survivors)
            }
        },
    }
}

fn is_counting(kind: ModifierKind) -> bool {
    matches!(
        kind,
        ModifierKind::CountSuccesses(_)
            | ModifierKind::CountFailures(_)
            | ModifierKind::DeductFailures(_)
            | ModifierKind::DeductNonSuccesses
            | ModifierKind::SubtractFailures(_)
            | ModifierKind::CountEven
            | ModifierKind::CountOdd
    )
}

/// What one die in `value` can count for. The compare points split the values
/// into few classes, so trying the ends and each side of each compare value,
/// each with its neighbours (both parities), covers every outcome.
fn contribution(value: Interval, counting: &[ModifierKind]) -> Interval {
    let compare_values = counting.iter().filter_map(|kind| match kind {
        ModifierKind::CountSuccesses(c)
        | ModifierKind::CountFailures(c)
        | ModifierKind::DeductFailures(c)
        | ModifierKind::SubtractFailures(c) => Some(c.value),
        _ => None,
    });
    let mut probes = value.probes(compare_values.collect::<Vec<_>>());
    // Each probe's neighbours too, so that every class the compare points
    // make is tried at both parities (`d4oddf=1` counts 1 only on a 3).
    let neighbours: Vec<f64> = probes
        .iter()
        .flat_map(|v| [v - 1.0, v + 1.0])
        .filter(|v| *v >= value.lo && *v <= value.hi)
        .collect();
    probes.extend(neighbours);
    let unbounded = |v: f64| match v {
        v if v >= 1e15 => f64::INFINITY,
        v if v <= -1e15 => f64::NEG_INFINITY,
        v => v,
    };
    let counts = probes.into_iter().map(|v| {
        let v = v as i64;
        let mut die = Die { value: v, flags: 0 };
        let mut count = v;
        for kind in counting {
            count = crate::eval::count_die(&mut die, *kind, count);
        }
        unbounded(count as f64)
    });
    // Values past the probes (an unbounded end) count like the probe at that end.
    let mut out = Interval::hull(counts, true);
    if value.hi.is_infinite()
        && counting
            .iter()
            .any(|k| matches!(k, ModifierKind::SubtractFailures(_)))
    {
        out.lo = f64::NEG_INFINITY;
    }
    out
}
