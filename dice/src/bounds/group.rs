//! Bounds of a group: `{4d6, 3d8}kh1`, and a group of one roll counted per die.

use super::dice::{DiceBounds, SelectionStep, select_count, selection_steps};
use super::interval::{self, Interval};
use crate::DiceError;
use crate::ast::{Expr, Group, ModifierKind, NodeId, NodeKind, Select, UnaryOp};

pub(super) fn group_bounds(
    expr: &Expr,
    group: &Group,
    intervals: &[Interval],
    dice_info: &[Option<DiceBounds>],
) -> Result<Interval, DiceError> {
    let counting = crate::eval::is_counting(&group.modifiers);
    if let Some(pooled) = crate::eval::pooled_dice_of(expr, group) {
        // Every die of the sub-roll is an element: their count adds up, and
        // a kept die is any die of any of the terms.
        let mut kept = Interval::point(0.0);
        let mut value: Option<Interval> = None;
        for id in pooled {
            let Some(dice) = dice_info[id.index()] else {
                return Ok(intervals[group.items[0].index()]);
            };
            kept = interval::binary(
                crate::ast::BinaryOp::Add,
                kept,
                dice.kept,
                Default::default(),
            )?;
            value = Some(match value {
                None => dice.value,
                Some(v) => Interval::hull([v.lo, v.hi, dice.value.lo, dice.value.hi], true),
            });
        }
        let mut value = value.unwrap_or(Interval::point(0.0));
        for modifier in &group.modifiers {
            match modifier.kind {
                ModifierKind::Keep(select) => {
                    (kept, value) = select_count(select, true, kept, value)
                }
                ModifierKind::Drop(select) => {
                    (kept, value) = select_count(select, false, kept, value)
                }
                _ => {}
            }
        }
        return Ok(value.times(kept));
    }
    if let Some((item, dice_id)) = crate::eval::single_dice_of(expr, group)
        && let Some(dice) = dice_info[dice_id.index()]
    {
        // One element per die that counts, each the item with that die in it.
        let mut scratch = intervals.to_vec();
        scratch[dice_id.index()] = dice.value;
        let element = rebound(expr, item, &mut scratch)?;
        let (mut kept, mut value) = (dice.kept, element);
        for modifier in &group.modifiers {
            match modifier.kind {
                ModifierKind::Keep(select) => {
                    (kept, value) = select_count(select, true, kept, value)
                }
                ModifierKind::Drop(select) => {
                    (kept, value) = select_count(select, false, kept, value)
                }
                _ => {}
            }
        }
        let per_element = if counting {
            count_range(value, group)
        } else {
            value
        };
        return Ok(per_element.times(kept));
    }
    let items: Vec<Interval> = group.items.iter().map(|id| intervals[id.index()]).collect();
    // Each item's contribution when it counts; keep and drop by value may leave it out.
    let mut contributions: Vec<Interval> = Vec::with_capacity(items.len());
    let mut may_leave_out = vec![false; items.len()];
    let merge = expr.dialect.merges_selectors();
    let steps = selection_steps(&group.modifiers, merge);
    // A d20 run of several selectors may leave out any item.
    let loose = steps
        .iter()
        .any(|step| !matches!(step, SelectionStep::One(..)));
    for (i, item) in items.iter().enumerate() {
        let mut value = Some(*item);
        may_leave_out[i] = loose;
        for step in &steps {
            let (on, keep) = match step {
                SelectionStep::One(Select::Matching(on), keep) => (*on, *keep),
                _ => continue,
            };
            if let Some(v) = value {
                may_leave_out[i] |= v.restrict(on, !keep).is_some();
                value = v.restrict(on, keep);
            }
        }
        contributions.push(match value {
            Some(v) if counting => count_range(v, group),
            Some(v) => v,
            None => Interval::point(0.0),
        });
    }
    let mut lows: Vec<f64> = Vec::new();
    let mut highs: Vec<f64> = Vec::new();
    for (c, leave) in contributions.iter().zip(&may_leave_out) {
        lows.push(if *leave { c.lo.min(0.0) } else { c.lo });
        highs.push(if *leave { c.hi.max(0.0) } else { c.hi });
    }
    // Keep or drop the highest or lowest: any `k` items may be the ones that
    // count, so the least total takes the `k` least lows, the greatest the `k`
    // greatest highs (exact for sums, where the order by value is the order
    // by contribution; sound for counts).
    let mut take = items.len();
    for step in &steps {
        let most = |k: u64| usize::try_from(k).unwrap_or(usize::MAX);
        take = match *step {
            SelectionStep::One(Select::Highest(k) | Select::Lowest(k), true) => take.min(most(k)),
            SelectionStep::One(Select::Highest(k) | Select::Lowest(k), false) => {
                take.saturating_sub(most(k))
            }
            // Every item may be left out (its contribution reaches 0), so
            // taking the most the run can keep bounds every smaller choice.
            SelectionStep::Merged {
                keep: true,
                most: k,
                ..
            } => take.min(most(k)),
            SelectionStep::Merged {
                keep: false,
                least: k,
                ..
            } => take.saturating_sub(most(k)),
            _ => take,
        };
    }
    // A d20 run of several selectors keeps from both ends at once.
    let mixed = merge
        && crate::eval::selector_runs(&group.modifiers)
            .iter()
            .any(|(selects, _)| selects.len() > 1);
    let sums = |list: Vec<f64>, highest: bool| -> f64 {
        let order = crate::sort::order_by_key(list.iter().map(|&v| {
            let key = crate::sort::f64_key(v);
            if highest {
                crate::sort::descending(key)
            } else {
                key
            }
        }));
        order.iter().take(take).map(|&i| list[i]).sum()
    };
    let keeps_highest = group.modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::Keep(Select::Highest(_)) | ModifierKind::Drop(Select::Lowest(_))
        )
    });
    let keeps_lowest = group.modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::Keep(Select::Lowest(_)) | ModifierKind::Drop(Select::Highest(_))
        )
    });
    let (lo, hi) = match (keeps_highest && !mixed, keeps_lowest && !mixed, counting) {
        (true, false, false) => (sums(lows, true), sums(highs, true)),
        (false, true, false) => (sums(lows, false), sums(highs, false)),
        _ => (sums(lows, false), sums(highs, true)),
    };
    Ok(Interval {
        lo,
        hi,
        integral: contributions.iter().all(|c| c.integral),
    })
}

/// What one sub-roll in `value` can count for under the group's counting modifiers.
fn count_range(value: Interval, group: &Group) -> Interval {
    let compare_values: Vec<i64> = group
        .modifiers
        .iter()
        .filter_map(|m| match m.kind {
            ModifierKind::CountSuccesses(c)
            | ModifierKind::CountFailures(c)
            | ModifierKind::DeductFailures(c) => Some(c.value),
            _ => None,
        })
        .collect();
    let counts = value
        .probes(compare_values)
        .into_iter()
        .map(|v| crate::eval::group_count(v, &group.modifiers).0);
    Interval::hull(counts, true)
}

/// Recomputes the interval of `id` after a leaf below it was replaced.
fn rebound(expr: &Expr, id: NodeId, intervals: &mut [Interval]) -> Result<Interval, DiceError> {
    let node = expr.node(id);
    let value = match &node.kind {
        NodeKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => rebound(expr, *operand, intervals)?.negate(),
        NodeKind::Unary {
            op: UnaryOp::Plus,
            operand,
        } => rebound(expr, *operand, intervals)?,
        NodeKind::Binary { op, lhs, rhs } => {
            let (a, b) = (
                rebound(expr, *lhs, intervals)?,
                rebound(expr, *rhs, intervals)?,
            );
            interval::binary(*op, a, b, node.span)?
        }
        NodeKind::Call { func, args } => {
            let args = args
                .iter()
                .map(|arg| rebound(expr, *arg, intervals))
                .collect::<Result<Vec<_>, _>>()?;
            interval::call(*func, &args, node.span)?
        }
        NodeKind::Labeled { inner, .. } => rebound(expr, *inner, intervals)?,
        _ => intervals[id.index()],
    };
    intervals[id.index()] = value;
    Ok(value)
}
