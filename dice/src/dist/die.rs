//! One die's distribution: its face after rerolls and clamps, and the chain of
//! dice it adds by exploding, penetrating, compounding or Avrae's `ra`.

use super::pmf::Pmf;
use super::{Budget, Step};
use crate::ast::{Compare, CompareOp, ExplodeStyle, Modifier, ModifierKind, RerollStyle};
use crate::die::DieKind;

/// Chains are followed until the mass left in them is below this, or the
/// explosion limit is reached; what is left is reported as truncated.
const CHAIN_CUT: f64 = 1e-16;

/// The values one die shows, with their probabilities, after rerolls (which
/// hold together, as the roller applies them) and clamps. Sorted by value.
pub(super) fn face(kind: DieKind, modifiers: &[Modifier]) -> Vec<(f64, f64)> {
    let sides = kind.sides();
    let uniform = 1.0 / sides as f64;
    let raw: Vec<(i64, f64)> = (1..=sides).map(|d| (kind.value(d), uniform)).collect();
    let rerolls = |style: RerollStyle| -> Vec<Compare> {
        modifiers
            .iter()
            .filter_map(|m| match m.kind {
                ModifierKind::Reroll {
                    style: s,
                    on,
                    cap: None,
                } if s == style => Some(on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.min(),
                })),
                _ => None,
            })
            .collect()
    };
    let (until, once) = (rerolls(RerollStyle::Until), rerolls(RerollStyle::Once));
    let in_until = |v: i64| until.iter().any(|c| c.matches(v));
    let in_once = |v: i64| once.iter().any(|c| c.matches(v));
    // Rerolling until: the die ends on a value outside the until set.
    let kept_mass: f64 = raw
        .iter()
        .filter(|(v, _)| !in_until(*v))
        .map(|(_, p)| p)
        .sum();
    let after_until: Vec<(i64, f64)> = raw
        .iter()
        .map(|(v, p)| (*v, if in_until(*v) { 0.0 } else { p / kept_mass }))
        .collect();
    // One reroll more when it lands in the once set; the new roll rerolls until again.
    let once_mass: f64 = after_until
        .iter()
        .filter(|(v, _)| in_once(*v))
        .map(|(_, p)| p)
        .sum();
    let settled = after_until
        .iter()
        .map(|(v, p)| (*v, if in_once(*v) { 0.0 } else { *p } + once_mass * p));
    let clamped = settled.map(|(v, p)| {
        let mut v = v;
        for modifier in modifiers {
            match modifier.kind {
                ModifierKind::Min(m) if v < m => v = m,
                ModifierKind::Max(m) if v > m => v = m,
                _ => {}
            }
        }
        (v as f64, p)
    });
    Pmf::from_pairs(clamped.collect()).pairs()
}

/// A modifier that adds dice to the pool or to the die.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Adder {
    Explode(ExplodeStyle, Compare),
    /// Avrae's `ra`: one more die when this one matches.
    RerollAdd(Compare),
}

/// The one modifier that adds dice, if any; more than one has no exact method here.
pub(super) fn adder(kind: DieKind, modifiers: &[Modifier]) -> Result<Option<Adder>, Step> {
    // A capped modifier counts across the term: no exact method here.
    if modifiers.iter().any(|m| {
        matches!(
            m.kind,
            ModifierKind::Explode { cap: Some(_), .. } | ModifierKind::Reroll { cap: Some(_), .. }
        )
    }) {
        return Err(Step::Fallback);
    }
    let mut found = None;
    for modifier in modifiers {
        let this = match modifier.kind {
            ModifierKind::Explode { style, on, .. } => Adder::Explode(
                style,
                on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.max(),
                }),
            ),
            ModifierKind::Reroll {
                style: RerollStyle::Add,
                on,
                ..
            } => Adder::RerollAdd(on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.min(),
            })),
            _ => continue,
        };
        if found.replace(this).is_some() {
            return Err(Step::Fallback);
        }
    }
    Ok(found)
}

/// Whether an adder's dice join the pool (rather than add into one die).
pub(super) fn grows_pool(adder: Option<Adder>) -> bool {
    !matches!(
        adder,
        None | Some(Adder::Explode(ExplodeStyle::Compound, _))
    )
}

/// The distribution of the total weight of one die and every die it adds
/// (into the pool, or into itself when compounding), and the mass cut off.
/// `weight` gives what a die showing a value counts for.
pub(super) fn chain(
    face: &[(f64, f64)],
    adder: Option<Adder>,
    max_explosions: u64,
    weight: &dyn Fn(f64) -> f64,
    budget: &mut Budget,
) -> Result<(Pmf, f64), Step> {
    let weighted = |filter: &dyn Fn(f64) -> bool, shift: f64| {
        Pmf::from_pairs(
            face.iter()
                .filter(|(v, _)| filter(*v))
                .map(|(v, p)| (weight(v + shift), *p))
                .collect(),
        )
    };
    let Some(adder) = adder else {
        return Ok((weighted(&|_| true, 0.0), 0.0));
    };
    let (style, on) = match adder {
        Adder::Explode(style, on) => (Some(style), on),
        Adder::RerollAdd(on) => (None, on),
    };
    let hits = |v: f64| on.matches(v as i64);
    let first_hit = weighted(&|v| hits(v), 0.0);
    let first_miss = weighted(&|v| !hits(v), 0.0);
    let any = weighted(&|_| true, 0.0);
    match style {
        // One extra die at most.
        None | Some(ExplodeStyle::Once) => Ok((first_miss.mix(&first_hit.add(&any, budget)?), 0.0)),
        Some(style) => {
            // Each die after the first counts 1 less when penetrating; the check is on its face.
            let shift = if style == ExplodeStyle::Penetrate {
                -1.0
            } else {
                0.0
            };
            let extra_hit = weighted(&|v| hits(v), shift);
            let extra_miss = weighted(&|v| !hits(v), shift);
            // tail: the extra dice after a hit, k hits then a miss, k < the limit.
            let mut tail = extra_miss.clone();
            let mut run = extra_hit.clone();
            let mut explosions = 1;
            while run.mass() > CHAIN_CUT && explosions < max_explosions {
                tail = tail.mix(&run.add(&extra_miss, budget)?);
                run = run.add(&extra_hit, budget)?;
                explosions += 1;
            }
            let truncated = first_hit.mass() * run.mass();
            Ok((first_miss.mix(&first_hit.add(&tail, budget)?), truncated))
        }
    }
}
