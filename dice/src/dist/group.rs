//! Groups: independent sub-rolls kept, dropped or counted; and a group of
//! one roll counted per die (`{3d20+5}>21`).

use super::exact::Walk;
use super::pmf::Pmf;
use super::{Budget, Step, die, keep};
use crate::ast::{Count, Group, ModifierKind, NodeId, NodeKind, Select};

pub(super) fn group(
    walk: &mut Walk<'_, '_>,
    id: NodeId,
    group: &Group,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    let _ = id;
    let counting = crate::eval::is_counting(&group.modifiers);
    let weight = |v: f64| {
        if counting {
            crate::eval::group_count(v, &group.modifiers).0
        } else {
            v
        }
    };
    let selects: Vec<(Select, bool)> = group
        .modifiers
        .iter()
        .filter_map(|m| match m.kind {
            ModifierKind::Keep(s) => Some((s, true)),
            ModifierKind::Drop(s) => Some((s, false)),
            _ => None,
        })
        .collect();
    // Roll20's pool of several dice terms in one sub-roll: sampled.
    if crate::eval::pooled_dice_of(walk.expr, group).is_some() {
        return Err(Step::Fallback);
    }
    if let Some((item, dice_id)) = crate::eval::single_dice_of(walk.expr, group) {
        let (element, n) = per_die_element(walk, item, dice_id, budget)?;
        return identical(&element, n, &selects, &weight, budget);
    }
    let items: Vec<Pmf> = group
        .items
        .iter()
        .map(|i| walk.pmfs[i.index()].clone())
        .collect();
    match selects.as_slice() {
        [] => sum_each(&items, &weight, budget),
        [(Select::Matching(on), keep)] => {
            let (on, keep) = (*on, *keep);
            sum_each(
                &items,
                &|v| {
                    if on.matches_f64(v) == keep {
                        weight(v)
                    } else {
                        0.0
                    }
                },
                budget,
            )
        }
        [(select, keep)] => enumerate(&items, *select, *keep, &weight, budget),
        _ => Err(Step::Fallback),
    }
}

/// One element of a per-die group: the item with its dice term replaced by a
/// single die; and how many elements there are.
fn per_die_element(
    walk: &mut Walk<'_, '_>,
    item: NodeId,
    dice_id: NodeId,
    budget: &mut Budget,
) -> Result<(Pmf, u64), Step> {
    let NodeKind::Dice(dice) = &walk.expr.node(dice_id).kind else {
        return Err(Step::Fallback);
    };
    let n = match dice.count {
        Count::Implicit => 1,
        Count::Literal(n) => n,
        Count::Computed(_) => return Err(Step::Fallback),
    };
    let has_select = dice
        .modifiers
        .iter()
        .any(|m| m.kind.is_keep_or_drop() || crate::eval::is_counting(std::slice::from_ref(m)));
    let Some(kind) = crate::die::DieKind::known(dice.faces, walk.expr.dialect) else {
        return Err(Step::Fallback);
    };
    let adder = die::adder(kind, &dice.modifiers)?;
    if has_select || die::grows_pool(adder) {
        return Err(Step::Fallback);
    }
    let face = die::face(kind, &dice.modifiers);
    let (one, _) = die::chain(
        &face,
        adder,
        walk.options.limits.max_explosions,
        &|v| v,
        budget,
    )?;
    // Recompute the item's subtree with the one die in place, then put the walk back.
    let saved: Vec<Pmf> = walk.pmfs[dice_id.index()..=item.index()].to_vec();
    walk.pmfs[dice_id.index()] = one;
    let mut result = Ok(());
    for index in dice_id.index() + 1..=item.index() {
        match walk.node(NodeId(index as u32), budget) {
            Ok(pmf) => walk.pmfs[index] = pmf,
            Err(step) => {
                result = Err(step);
                break;
            }
        }
    }
    let element = walk.pmfs[item.index()].clone();
    walk.pmfs.splice(dice_id.index()..=item.index(), saved);
    result?;
    Ok((element, n))
}

/// `n` independent elements with the same distribution, kept, dropped or counted.
fn identical(
    element: &Pmf,
    n: u64,
    selects: &[(Select, bool)],
    weight: &dyn Fn(f64) -> f64,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    match selects {
        [] => element.map(weight).sum_of(n, budget),
        [(Select::Matching(on), keep)] => {
            let (on, keep) = (*on, *keep);
            element
                .map(|v| {
                    if on.matches_f64(v) == keep {
                        weight(v)
                    } else {
                        0.0
                    }
                })
                .sum_of(n, budget)
        }
        [(select, keep)] => {
            let (highest, k) = match (select, keep) {
                (Select::Highest(k), true) => (true, *k),
                (Select::Lowest(k), true) => (false, *k),
                (Select::Highest(k), false) => (false, n.saturating_sub(*k)),
                (Select::Lowest(k), false) => (true, n.saturating_sub(*k)),
                (Select::Matching(_), _) => return Err(Step::Fallback),
            };
            keep::keep(&element.pairs(), n, k, highest, weight, budget)
        }
        _ => Err(Step::Fallback),
    }
}

/// The sum of each item's weight, items being independent.
fn sum_each(items: &[Pmf], weight: &dyn Fn(f64) -> f64, budget: &mut Budget) -> Result<Pmf, Step> {
    let mut total = Pmf::constant(0.0);
    for item in items {
        total = total.add(&item.map(weight), budget)?;
    }
    Ok(total)
}

/// Keep or drop the highest or lowest among different items: every joint
/// outcome, while their number fits the budget.
fn enumerate(
    items: &[Pmf],
    select: Select,
    keep: bool,
    weight: &dyn Fn(f64) -> f64,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    let supports: Vec<Vec<(f64, f64)>> = items.iter().map(Pmf::pairs).collect();
    let outcomes = supports
        .iter()
        .try_fold(1u64, |acc, s| acc.checked_mul(s.len() as u64));
    budget.spend(
        outcomes
            .ok_or(Step::Fallback)?
            .saturating_mul(items.len() as u64),
    )?;
    let n = items.len() as u64;
    let (drop_lowest, drop) = match (select, keep) {
        (Select::Highest(k), true) => (true, n.saturating_sub(k)),
        (Select::Lowest(k), true) => (false, n.saturating_sub(k)),
        (Select::Highest(k), false) => (false, k.min(n)),
        (Select::Lowest(k), false) => (true, k.min(n)),
        (Select::Matching(_), _) => return Err(Step::Fallback),
    };
    let mut out = Vec::new();
    let mut index = vec![0usize; items.len()];
    loop {
        let mut p = 1.0;
        let mut values: Vec<(f64, usize)> = Vec::with_capacity(items.len());
        for (i, s) in supports.iter().enumerate() {
            let (v, q) = s[index[i]];
            p *= q;
            values.push((v, i));
        }
        // The same order the roller drops in: by value, ties leftmost first.
        let mut keyed: Vec<(i64, usize)> = values
            .iter()
            .map(|&(v, i)| crate::sort::keyed_f64(v, i, drop_lowest))
            .collect();
        crate::sort::sort_keyed(&mut keyed);
        let total: f64 = keyed
            .iter()
            .skip(drop as usize)
            .map(|&(_, i)| weight(values[i].0))
            .sum();
        out.push((total, p));
        // Next joint outcome (an odometer over the items).
        let mut i = 0;
        loop {
            if i == index.len() {
                return Ok(Pmf::from_pairs(out));
            }
            index[i] += 1;
            if index[i] < supports[i].len() {
                break;
            }
            index[i] = 0;
            i += 1;
        }
    }
}
