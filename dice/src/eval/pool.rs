//! Rolls one dice term: each die through rerolls, clamps and explosions, then
//! the pool through keep and drop, counting and sorting.

use super::source::DieSource;
use crate::ast::{
    Compare, CompareOp, ExplodeStyle, Modifier, ModifierKind, RerollStyle, Select, SortOrder,
};
use crate::die::DieKind;
use crate::rolled::{DiceVec, Die, flag};
use crate::{DiceError, LimitKind, Limits, Span};

/// Everything one dice term needs while rolling.
pub(crate) struct PoolRoller<'a> {
    pub(crate) source: &'a mut dyn DieSource,
    pub(crate) limits: &'a Limits,
    /// Dice drawn so far by the whole expression.
    pub(crate) drawn: &'a mut u64,
    pub(crate) kind: DieKind,
    pub(crate) span: Span,
    /// Whether consecutive keeps (or drops) select together (d20).
    pub(crate) merge_selectors: bool,
    /// Whether Avrae's `ra` has added its one die to this term.
    pub(crate) added_once: bool,
    /// What each capped modifier (Foundry's `x2>=7`, `r2<3`) has spent of
    /// its cap, by the modifier's index.
    pub(crate) spent: Vec<u64>,
}

impl PoolRoller<'_> {
    #[inline]
    fn draw(&mut self) -> Result<i64, DiceError> {
        *self.drawn += 1;
        if *self.drawn > self.limits.max_dice {
            return Err(self.too_many_dice());
        }
        self.source.draw(self.kind, self.span)
    }

    fn too_many_dice(&self) -> DiceError {
        DiceError::Limit {
            kind: LimitKind::Dice,
            limit: self.limits.max_dice,
            span: self.span,
        }
    }

    /// Rolls `count` dice with `modifiers` into `dice` and returns the term's
    /// total. The `count` initial faces are drawn first, as Foundry, Avrae
    /// and rpg-dice-roller draw them; then each die in turn goes through the
    /// per-die steps, drawing what its rerolls and explosions add. The dice
    /// are listed die by die, each followed by what it added. Pools with no
    /// per-die step (plain, or keep/drop only) do not come here: the
    /// evaluator draws them in one go.
    pub(crate) fn roll(
        &mut self,
        count: u64,
        modifiers: &[Modifier],
        dice: &mut DiceVec,
    ) -> Result<f64, DiceError> {
        let start = dice.len();
        self.spent = vec![0; modifiers.len()];
        // The count was checked against the dice limit before the term began.
        let mut initial = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for _ in 0..count {
            initial.push(self.draw()?);
        }
        for first in initial {
            self.roll_one(Some(first), modifiers, dice, 0)?;
        }
        apply_pool_modifiers(&mut dice[start..], modifiers, self.merge_selectors)
    }

    /// Rolls one die (and whatever it adds) through the per-die steps. A die
    /// added by Avrae's `ra` goes through them too, but `ra` adds one die to
    /// the term at most, for the first die that matches (d20's
    /// `explode_once` selects one target).
    /// `first` is the die's face when it was drawn already.
    fn roll_one(
        &mut self,
        first: Option<i64>,
        modifiers: &[Modifier],
        dice: &mut DiceVec,
        added_flags: u16,
    ) -> Result<(), DiceError> {
        let (value, flags) = self.rerolled_and_clamped(first, added_flags, modifiers, dice)?;
        let index = dice.len();
        let mut die = Die::new(value.0, self.kind);
        die.value = value.1;
        die.flags |= flags | added_flags;
        dice.push(die);
        let add_after = !self.added_once
            && added_flags & flag::ADDED == 0
            && modifiers.iter().any(|m| match m.kind {
                ModifierKind::Reroll {
                    style: RerollStyle::Add,
                    on,
                    ..
                } => reroll_on(on, self.kind).matches(value.1),
                _ => false,
            });
        for (slot, modifier) in modifiers.iter().enumerate() {
            if let ModifierKind::Explode { style, on, cap } = modifier.kind {
                let on = on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: self.kind.max(),
                });
                let cap = cap.map(|cap| (slot, cap));
                self.explode(style, on, cap, modifiers, dice, index)?;
            }
        }
        if add_after {
            self.added_once = true;
            self.roll_one(None, modifiers, dice, flag::ADDED)?;
        }
        Ok(())
    }

    /// Draws a die, rerolls it as the reroll modifiers say, and clamps it.
    /// Returns (raw value, shown value) and flags; rerolled-away dice go to `dice`.
    ///
    /// The reroll conditions hold together, as Roll20's "reroll 1s and 6s"
    /// (`r1r6`) means: the die is rerolled while any reroll-until condition
    /// matches, and once more at most if a reroll-once condition matches.
    ///
    /// `first` is the face when it was drawn already; `added_flags` mark the
    /// rerolled-away dice of a die that an explosion or `ra` added, so that
    /// the dice a die added can be told from the next die.
    fn rerolled_and_clamped(
        &mut self,
        first: Option<i64>,
        added_flags: u16,
        modifiers: &[Modifier],
        dice: &mut DiceVec,
    ) -> Result<((i64, i64), u16), DiceError> {
        let mut value = match first {
            Some(value) => value,
            None => self.draw()?,
        };
        let mut once_used = false;
        let mut rerolls = 0u64;
        loop {
            let mut until = None;
            let mut once = None;
            for (slot, modifier) in modifiers.iter().enumerate() {
                let ModifierKind::Reroll { style, on, cap } = modifier.kind else {
                    continue;
                };
                let spent = self.spent.get(slot).copied().unwrap_or(0);
                if cap.is_some_and(|cap| spent >= cap) || !reroll_on(on, self.kind).matches(value) {
                    continue;
                }
                let found = Some((modifier.span, slot));
                match style {
                    RerollStyle::Until => until = until.or(found),
                    RerollStyle::Once if !once_used => once = once.or(found),
                    _ => {}
                }
            }
            let Some((span, slot)) = until.or(once) else {
                break;
            };
            if until.is_none() {
                once_used = true;
            }
            if let Some(spent) = self.spent.get_mut(slot) {
                *spent += 1;
            }
            rerolls += 1;
            if rerolls > self.limits.max_rerolls {
                return Err(DiceError::Limit {
                    kind: LimitKind::Rerolls,
                    limit: self.limits.max_rerolls,
                    span,
                });
            }
            let mut old = Die::new(value, self.kind);
            old.flags |= flag::REROLLED | added_flags;
            dice.push(old);
            value = self.draw()?;
        }
        let raw = value;
        let mut flags = 0;
        for modifier in modifiers {
            match modifier.kind {
                ModifierKind::Min(v) if value < v => {
                    value = v;
                    flags |= flag::CLAMPED;
                }
                ModifierKind::Max(v) if value > v => {
                    value = v;
                    flags |= flag::CLAMPED;
                }
                _ => {}
            }
        }
        Ok(((raw, value), flags))
    }

    /// Explodes the die at `index` while it (or the die it added) meets `on`.
    /// `cap` is the modifier's index and Foundry's cap on what it adds to the term.
    fn explode(
        &mut self,
        style: ExplodeStyle,
        on: Compare,
        cap: Option<(usize, u64)>,
        modifiers: &[Modifier],
        dice: &mut DiceVec,
        index: usize,
    ) -> Result<(), DiceError> {
        let mut current = index;
        let mut check = dice[index].value;
        let mut explosions = 0u64;
        while on.matches(check) {
            if let Some((slot, cap)) = cap {
                match self.spent.get_mut(slot) {
                    Some(spent) if *spent < cap => *spent += 1,
                    _ => break,
                }
            }
            explosions += 1;
            if explosions > self.limits.max_explosions {
                return Err(DiceError::Limit {
                    kind: LimitKind::Explosions,
                    limit: self.limits.max_explosions,
                    span: self.span,
                });
            }
            dice[current].flags |= flag::EXPLODED;
            if style == ExplodeStyle::Compound {
                // Each compounded roll is rerolled and clamped like a new die.
                let ((_, value), _) =
                    self.rerolled_and_clamped(None, flag::ADDED, modifiers, dice)?;
                if !dice[index].compounded() {
                    let first = dice[index].value;
                    dice[index].flags |= flag::COMPOUNDED;
                    dice.push(Die {
                        value: first,
                        flags: flag::PART,
                    });
                }
                dice[index].value += value;
                dice.push(Die {
                    value,
                    flags: flag::PART,
                });
                // The next check is on the roll just made, not on the sum.
                check = value;
                continue;
            }
            let ((raw, shown), flags) =
                self.rerolled_and_clamped(None, flag::ADDED, modifiers, dice)?;
            let mut die = Die::new(raw, self.kind);
            die.flags |= flags | flag::ADDED;
            die.value = shown;
            if style == ExplodeStyle::Penetrate {
                die.value -= 1;
                die.flags |= flag::PENETRATED;
            }
            current = dice.len();
            dice.push(die);
            check = shown;
            if style == ExplodeStyle::Once {
                break;
            }
        }
        Ok(())
    }
}

/// The compare point of a reroll: the lowest face when none is written.
fn reroll_on(on: Option<Compare>, kind: DieKind) -> Compare {
    on.unwrap_or(Compare {
        op: CompareOp::Eq,
        value: kind.min(),
    })
}

/// Keep and drop, counting, margin and sorting over the rolled pool; returns
/// the total. With `merge_selectors` (d20), a run of keeps (or of drops)
/// selects together.
pub(crate) fn apply_pool_modifiers(
    dice: &mut [Die],
    modifiers: &[Modifier],
    merge_selectors: bool,
) -> Result<f64, DiceError> {
    if merge_selectors {
        for (selects, keep) in selector_runs(modifiers) {
            select_together(dice, &selects, keep, |d| &mut d.flags, keep_or_drop);
        }
    } else {
        for modifier in modifiers {
            match modifier.kind {
                ModifierKind::Keep(select) => keep_or_drop(dice, select, true),
                ModifierKind::Drop(select) => keep_or_drop(dice, select, false),
                _ => {}
            }
        }
    }
    let counting = modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::CountSuccesses(_)
                | ModifierKind::CountFailures(_)
                | ModifierKind::DeductFailures(_)
                | ModifierKind::DeductNonSuccesses
                | ModifierKind::SubtractFailures(_)
                | ModifierKind::CountEven
                | ModifierKind::CountOdd
        )
    });
    // Clamped values can be as large as 2^53 each, so add them in i128; a total
    // past 2^53 is refused as an overflow when the node is checked.
    let mut total = 0i128;
    for die in dice.iter_mut().filter(|d| !d.has(flag::INACTIVE)) {
        let mut count = die.value;
        if counting {
            for modifier in modifiers {
                count = count_die(die, modifier.kind, count);
            }
        }
        total += i128::from(count);
    }
    let mut total = total as f64;
    for modifier in modifiers {
        if let ModifierKind::Matches {
            min_count,
            on,
            total: counts,
        } = modifier.kind
        {
            let sets = mark_matches(dice, min_count, on);
            if counts {
                total = sets as f64;
            }
        }
    }
    mark_critical_ranges(dice, modifiers);
    for modifier in modifiers {
        match modifier.kind {
            ModifierKind::MarginOfSuccess(target) => total = margin(total, target),
            ModifierKind::Sort(order) => sort_pool(dice, order),
            _ => {}
        }
    }
    Ok(total)
}

/// Roll20's matches: flags as successes the active dice that show a value
/// at least `min_count` of them show (among those meeting `on`), and returns
/// how many such values there are.
fn mark_matches(dice: &mut [Die], min_count: u64, on: Option<Compare>) -> u64 {
    let eligible = |die: &Die| !die.has(flag::INACTIVE) && on.is_none_or(|c| c.matches(die.value));
    let mut values: Vec<i64> = dice
        .iter()
        .filter(|d| eligible(d))
        .map(|d| d.value)
        .collect();
    values.sort_unstable();
    let mut matched: Vec<i64> = Vec::new();
    for run in values.chunk_by(|a, b| a == b) {
        if run.len() as u64 >= min_count {
            matched.push(run[0]);
        }
    }
    for die in dice.iter_mut() {
        if eligible(die) && matched.binary_search(&die.value).is_ok() {
            die.flags |= flag::SUCCESS;
        }
    }
    matched.len() as u64
}

/// Roll20's `cs`/`cf`: the critical and fumble flags follow the given ranges
/// instead of the highest and lowest faces.
fn mark_critical_ranges(dice: &mut [Die], modifiers: &[Modifier]) {
    let ranges = |want_success: bool| -> Vec<Compare> {
        modifiers
            .iter()
            .filter_map(|m| match m.kind {
                ModifierKind::CriticalSuccess(c) if want_success => Some(c),
                ModifierKind::CriticalFailure(c) if !want_success => Some(c),
                _ => None,
            })
            .collect()
    };
    for (bit, compares) in [
        (flag::CRITICAL, ranges(true)),
        (flag::FUMBLE, ranges(false)),
    ] {
        if compares.is_empty() {
            continue;
        }
        for die in dice.iter_mut().filter(|d| !d.has(flag::PART)) {
            if compares.iter().any(|c| c.matches(die.value)) {
                die.flags |= bit;
            } else {
                die.flags &= !bit;
            }
        }
    }
}

/// What one die counts for after a counting modifier, Foundry-style: each
/// modifier replaces the die's count for the dice it matches.
pub(crate) fn count_die(die: &mut Die, kind: ModifierKind, count: i64) -> i64 {
    match kind {
        ModifierKind::CountSuccesses(on) => {
            if on.matches(die.value) {
                die.flags |= flag::SUCCESS;
                1
            } else {
                0
            }
        }
        ModifierKind::CountEven | ModifierKind::CountOdd => {
            let wanted = if kind == ModifierKind::CountEven {
                0
            } else {
                1
            };
            if die.value.rem_euclid(2) == wanted {
                die.flags |= flag::SUCCESS;
                1
            } else {
                0
            }
        }
        ModifierKind::CountFailures(on) => {
            if on.matches(die.value) {
                die.flags |= flag::FAILURE;
                1
            } else {
                0
            }
        }
        ModifierKind::DeductNonSuccesses if !die.has(flag::SUCCESS) => {
            die.flags |= flag::FAILURE;
            -1
        }
        ModifierKind::DeductFailures(on) if on.matches(die.value) => {
            die.flags |= flag::FAILURE;
            die.flags &= !flag::SUCCESS;
            -1
        }
        ModifierKind::SubtractFailures(on) if on.matches(die.value) => {
            die.flags |= flag::FAILURE;
            die.flags &= !flag::SUCCESS;
            -die.value
        }
        _ => count,
    }
}

/// The margin of a total over a target (`ms>=10`) or under it (`ms<=10`).
pub(crate) fn margin(total: f64, target: Compare) -> f64 {
    let target_value = target.value as f64;
    match target.op {
        CompareOp::Lt | CompareOp::Le => target_value - total,
        CompareOp::Eq | CompareOp::Gt | CompareOp::Ge => total - target_value,
    }
}

/// The keep and drop modifiers in runs of one kind, as d20 merges them:
/// `kh2kl1p1` gives `([h2, l1], keep)` and `([=1], drop)`.
pub(crate) fn selector_runs(modifiers: &[Modifier]) -> Vec<(Vec<Select>, bool)> {
    let mut runs: Vec<(Vec<Select>, bool)> = Vec::new();
    for modifier in modifiers {
        let (select, keep) = match modifier.kind {
            ModifierKind::Keep(select) => (select, true),
            ModifierKind::Drop(select) => (select, false),
            _ => continue,
        };
        match runs.last_mut() {
            Some((selects, run_keep)) if *run_keep == keep => selects.push(select),
            _ => runs.push((vec![select], keep)),
        }
    }
    runs
}

/// Applies a run of selectors together, as d20 does: each selects from the
/// same items; a keep keeps the union of what they select, a drop drops it.
/// `apply` is the one-selector keep or drop, `flags` an item's flags.
pub(crate) fn select_together<T>(
    items: &mut [T],
    selects: &[Select],
    keep: bool,
    flags: fn(&mut T) -> &mut u16,
    apply: fn(&mut [T], Select, bool),
) {
    if let [select] = selects {
        apply(items, *select, keep);
        return;
    }
    let before: Vec<u16> = items.iter_mut().map(|item| *flags(item)).collect();
    // How many of the selectors dropped each item (that a keep did not select).
    let mut dropped_by = vec![0usize; items.len()];
    for select in selects {
        apply(items, *select, keep);
        for ((item, was), count) in items.iter_mut().zip(&before).zip(&mut dropped_by) {
            let now = flags(item);
            if *now & flag::DROPPED != 0 && *was & flag::DROPPED == 0 {
                *count += 1;
            }
            *now = *was;
        }
    }
    for (item, count) in items.iter_mut().zip(dropped_by) {
        let dropped = if keep {
            count == selects.len()
        } else {
            count > 0
        };
        if dropped {
            *flags(item) |= flag::DROPPED;
        }
    }
}

/// Marks the selected active dice as dropped. Ties drop the leftmost die.
pub(crate) fn keep_or_drop(dice: &mut [Die], select: Select, keep: bool) {
    let active = dice.iter().filter(|d| !d.has(flag::INACTIVE)).count() as u64;
    let (drop_lowest, n) = match (select, keep) {
        (Select::Matching(on), keep) => {
            for die in dice.iter_mut().filter(|d| !d.has(flag::INACTIVE)) {
                if on.matches(die.value) != keep {
                    die.flags |= flag::DROPPED;
                }
            }
            return;
        }
        (Select::Highest(k), true) => (true, active.saturating_sub(k)),
        (Select::Lowest(k), true) => (false, active.saturating_sub(k)),
        (Select::Highest(k), false) => (false, k.min(active)),
        (Select::Lowest(k), false) => (true, k.min(active)),
    };
    drop_extremes(dice, n, drop_lowest);
}

/// Drops the `n` lowest (or highest) active dice, leftmost first among ties.
fn drop_extremes(dice: &mut [Die], n: u64, lowest: bool) {
    if n == 0 {
        return;
    }
    let better = |a: i64, b: i64| if lowest { a < b } else { a > b };
    if n == 1 {
        let mut pick: Option<usize> = None;
        for (i, die) in dice.iter().enumerate() {
            if die.has(flag::INACTIVE) {
                continue;
            }
            if pick.is_none_or(|p| better(die.value, dice[p].value)) {
                pick = Some(i);
            }
        }
        if let Some(p) = pick {
            dice[p].flags |= flag::DROPPED;
        }
        return;
    }
    let mut order: Vec<(i64, usize)> = (0..dice.len())
        .filter(|&i| !dice[i].has(flag::INACTIVE))
        .map(|i| {
            let value = dice[i].value;
            (
                if lowest {
                    value
                } else {
                    crate::sort::descending(value)
                },
                i,
            )
        })
        .collect();
    crate::sort::sort_keyed(&mut order);
    for &(_, i) in order.iter().take(n as usize) {
        dice[i].flags |= flag::DROPPED;
    }
}

/// Sorts the dice for display, moving each compounded die with its parts.
fn sort_pool(dice: &mut [Die], order: SortOrder) {
    let mut chunks: Vec<Vec<Die>> = Vec::new();
    for die in dice.iter() {
        match chunks.last_mut() {
            Some(chunk) if die.has(flag::PART) => chunk.push(*die),
            _ => chunks.push(vec![*die]),
        }
    }
    let sorted = crate::sort::order_by_key(chunks.iter().map(|c| match order {
        SortOrder::Ascending => c[0].value,
        SortOrder::Descending => crate::sort::descending(c[0].value),
    }));
    let dice_in_order = sorted.into_iter().flat_map(|i| chunks[i].iter().copied());
    for (slot, die) in dice.iter_mut().zip(dice_in_order) {
        *slot = die;
    }
}
