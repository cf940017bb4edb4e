//! Groups: `{4d6, 3d8}kh1` keeps the best sub-roll; `{3d20+5}>21` counts per die.

use super::{binary, checked};
use crate::DiceError;
use crate::ast::{
    Count, Expr, Faces, Group, Modifier, ModifierKind, NodeId, NodeKind, Select, UnaryOp,
};
use crate::rolled::{GroupElement, Rolled, flag};

/// Fills the group's elements into `rolled.elements` and returns its total.
pub(super) fn roll_group(rolled: &mut Rolled<'_>, group: &Group) -> Result<f64, DiceError> {
    let start = rolled.elements.len();
    if let Some(pooled) = pooled_dice_of(rolled.expr, group) {
        // Roll20's `{4d6+3d8}k4`: every die of the one sub-roll is an element.
        for dice_id in pooled {
            let values: Vec<i64> = rolled
                .raw_dice(dice_id)
                .iter()
                .filter(|d| !d.has(flag::INACTIVE))
                .map(|d| d.value)
                .collect();
            for value in values {
                rolled.elements.push(GroupElement {
                    value: value as f64,
                    flags: 0,
                });
            }
        }
    } else {
        fill_elements(rolled, group)?;
    }
    select_and_total(rolled, group, start)
}

/// The elements of a group that is not a pool of dice: one per die of a
/// lone dice term, or one per sub-roll.
fn fill_elements(rolled: &mut Rolled<'_>, group: &Group) -> Result<(), DiceError> {
    match single_dice_of(rolled.expr, group) {
        Some((item, dice_id)) => {
            let values: Vec<i64> = rolled
                .raw_dice(dice_id)
                .iter()
                .filter(|d| !d.has(flag::INACTIVE))
                .map(|d| d.value)
                .collect();
            for value in values {
                let element = reevaluate(rolled, item, dice_id, value as f64)?;
                rolled.elements.push(GroupElement {
                    value: element,
                    flags: 0,
                });
            }
        }
        None => {
            for item in &group.items {
                let value = rolled.value(*item);
                rolled.elements.push(GroupElement { value, flags: 0 });
            }
        }
    }
    Ok(())
}

/// Keeps and drops the group's elements from `start` on, and totals them.
fn select_and_total(
    rolled: &mut Rolled<'_>,
    group: &Group,
    start: usize,
) -> Result<f64, DiceError> {
    let merge = rolled.expr.dialect.merges_selectors();
    let elements = &mut rolled.elements[start..];
    if merge {
        for (selects, keep) in super::pool::selector_runs(&group.modifiers) {
            super::pool::select_together(elements, &selects, keep, |e| &mut e.flags, keep_or_drop);
        }
    } else {
        for modifier in &group.modifiers {
            match modifier.kind {
                ModifierKind::Keep(select) => keep_or_drop(elements, select, true),
                ModifierKind::Drop(select) => keep_or_drop(elements, select, false),
                _ => {}
            }
        }
    }
    let counting = is_counting(&group.modifiers);
    let mut total = 0.0;
    for element in elements.iter_mut().filter(|e| e.kept()) {
        total += if counting {
            let (count, flags) = group_count(element.value, &group.modifiers);
            element.flags |= flags;
            count
        } else {
            element.value
        };
    }
    Ok(total)
}

/// Whether a group's modifiers count successes or failures instead of summing.
pub(crate) fn is_counting(modifiers: &[Modifier]) -> bool {
    modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::CountSuccesses(_)
                | ModifierKind::CountFailures(_)
                | ModifierKind::DeductFailures(_)
        )
    })
}

/// What one sub-roll counts for, and its success and failure flags: each
/// counting modifier that matches replaces the count (1, 1 or −1).
pub(crate) fn group_count(value: f64, modifiers: &[Modifier]) -> (f64, u16) {
    let mut count = 0.0;
    let mut flags = 0;
    for modifier in modifiers {
        match modifier.kind {
            ModifierKind::CountSuccesses(on) if on.matches_f64(value) => {
                flags |= flag::SUCCESS;
                count = 1.0;
            }
            ModifierKind::CountFailures(on) if on.matches_f64(value) => {
                flags |= flag::FAILURE;
                count = 1.0;
            }
            ModifierKind::DeductFailures(on) if on.matches_f64(value) => {
                flags = (flags | flag::FAILURE) & !flag::SUCCESS;
                count = -1.0;
            }
            _ => {}
        }
    }
    (count, flags)
}

/// For Roll20's group of one sub-roll that adds several plain dice terms and
/// keeps or drops (`{4d6+3d8}k4`, `{3d6+2d10}kh1`): the dice terms, whose
/// dice are kept and dropped together. Roll20's Dice Reference: with one
/// sub-roll, keep and drop apply to its individual dice.
pub(crate) fn pooled_dice_of(expr: &Expr, group: &Group) -> Option<Vec<NodeId>> {
    let [item] = group.items.as_slice() else {
        return None;
    };
    if !expr.dialect.single_group_per_die()
        || group.modifiers.is_empty()
        || !group.modifiers.iter().all(|m| m.kind.is_keep_or_drop())
    {
        return None;
    }
    let mut found = Vec::new();
    let mut stack = vec![*item];
    while let Some(id) = stack.pop() {
        match &expr.node(id).kind {
            NodeKind::Dice(dice)
                if !matches!(dice.count, Count::Computed(_))
                    && !matches!(dice.faces, Faces::Computed(_)) =>
            {
                found.push(id);
            }
            NodeKind::Binary {
                op: crate::ast::BinaryOp::Add,
                lhs,
                rhs,
            } => stack.extend([*rhs, *lhs]),
            NodeKind::Labeled { inner, .. } => stack.push(*inner),
            _ => return None,
        }
    }
    (found.len() > 1).then_some(found)
}

/// For a group of one roll that counts per die (`{3d20+5}>21`, in the dialects
/// that do so): the item and its only dice node.
pub(crate) fn single_dice_of(expr: &Expr, group: &Group) -> Option<(NodeId, NodeId)> {
    let [item] = group.items.as_slice() else {
        return None;
    };
    let item = *item;
    if !expr.dialect.single_group_per_die() {
        return None;
    }
    let mut found = None;
    let mut stack = vec![item];
    while let Some(id) = stack.pop() {
        match &expr.node(id).kind {
            NodeKind::Dice(dice) => {
                if found.is_some()
                    || matches!(dice.count, Count::Computed(_))
                    || matches!(dice.faces, Faces::Computed(_))
                {
                    return None;
                }
                found = Some(id);
            }
            NodeKind::Group(_) => return None,
            NodeKind::Unary { operand, .. } => stack.push(*operand),
            NodeKind::Binary { lhs, rhs, .. } => stack.extend([*lhs, *rhs]),
            NodeKind::Call { args, .. } => stack.extend(args.iter().copied()),
            NodeKind::Labeled { inner, .. } => stack.push(*inner),
            NodeKind::Number(_) | NodeKind::Ref(_) => {}
        }
    }
    found.map(|dice| (item, dice))
}

/// The value of `id` with the dice node `dice_id` replaced by one die's value.
fn reevaluate(
    rolled: &Rolled<'_>,
    id: NodeId,
    dice_id: NodeId,
    die: f64,
) -> Result<f64, DiceError> {
    if id == dice_id {
        return Ok(die);
    }
    let node = rolled.expr.node(id);
    let value = match &node.kind {
        NodeKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => -reevaluate(rolled, *operand, dice_id, die)?,
        NodeKind::Unary {
            op: UnaryOp::Plus,
            operand,
        } => reevaluate(rolled, *operand, dice_id, die)?,
        NodeKind::Binary { op, lhs, rhs } => binary(
            *op,
            reevaluate(rolled, *lhs, dice_id, die)?,
            reevaluate(rolled, *rhs, dice_id, die)?,
            node.span,
        )?,
        NodeKind::Call { func, args } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(reevaluate(rolled, *arg, dice_id, die)?);
            }
            func.apply(&values)
        }
        NodeKind::Labeled { inner, .. } => reevaluate(rolled, *inner, dice_id, die)?,
        _ => rolled.value(id),
    };
    checked(value, node.span)
}

/// Keep or drop sub-rolls by total; ties drop the leftmost.
fn keep_or_drop(elements: &mut [GroupElement], select: Select, keep: bool) {
    let active: Vec<usize> = (0..elements.len())
        .filter(|&i| elements[i].kept())
        .collect();
    let n_active = active.len() as u64;
    let (drop_lowest, n) = match (select, keep) {
        (Select::Matching(on), keep) => {
            for &i in &active {
                if on.matches_f64(elements[i].value) != keep {
                    elements[i].flags |= flag::DROPPED;
                }
            }
            return;
        }
        (Select::Highest(k), true) => (true, n_active.saturating_sub(k)),
        (Select::Lowest(k), true) => (false, n_active.saturating_sub(k)),
        (Select::Highest(k), false) => (false, k.min(n_active)),
        (Select::Lowest(k), false) => (true, k.min(n_active)),
    };
    let mut order: Vec<(i64, usize)> = active
        .into_iter()
        .map(|i| crate::sort::keyed_f64(elements[i].value, i, drop_lowest))
        .collect();
    crate::sort::sort_keyed(&mut order);
    for &(_, i) in order.iter().take(n as usize) {
        elements[i].flags |= flag::DROPPED;
    }
}
