//! Keep or drop the highest or lowest k of n dice, by an order-statistics
//! dynamic program instead of enumerating the faces^n outcomes.
//!
//! The faces are visited from the end that is kept first (highest for keep
//! highest). At a face v, the dice not yet placed all show v or less (for
//! highest), so the number c of them showing exactly v is binomial with
//! p = P(v) / P(<= v). The state is (dice not yet placed, dice kept so far),
//! each with the distribution of the kept dice's total weight; once k dice
//! are kept the rest no longer matter.

use super::pmf::Pmf;
use super::{Budget, Step};
use std::collections::BTreeMap;

/// The distribution of the total weight of the `k` kept dice of `n`, each with
/// the face distribution `face` (sorted by value, ascending); `highest` keeps
/// the highest. Ties do not matter to the total.
pub(super) fn keep(
    face: &[(f64, f64)],
    n: u64,
    k: u64,
    highest: bool,
    weight: &dyn Fn(f64) -> f64,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    let k = k.min(n);
    let mut order: Vec<(f64, f64)> = face.to_vec();
    if highest {
        order.reverse();
    }
    // The mass of the faces from each position to the end of the visit.
    let mut rest = vec![0.0; order.len() + 1];
    for i in (0..order.len()).rev() {
        rest[i] = rest[i + 1] + order[i].1;
    }
    let mut done = Pmf::Int {
        min: 0,
        p: Vec::new(),
    };
    let mut states: BTreeMap<(u64, u64), Pmf> = BTreeMap::new();
    states.insert((n, 0), Pmf::constant(0.0));
    for (i, (value, p)) in order.iter().enumerate() {
        let share = if rest[i] > 0.0 {
            (p / rest[i]).min(1.0)
        } else {
            0.0
        };
        let w = weight(*value);
        let mut next: BTreeMap<(u64, u64), Pmf> = BTreeMap::new();
        let mut rows: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
        for ((left, kept), total) in states {
            if left == 0 || kept == k {
                done = done.mix(&total);
                continue;
            }
            budget.spend((left + 1).saturating_mul(total.len() as u64))?;
            let row = rows
                .entry(left)
                .or_insert_with(|| binomial_row(left, share));
            for c in 0..=left {
                let chance = row[c as usize];
                if chance == 0.0 {
                    continue;
                }
                let take = c.min(k - kept);
                let moved = total.shifted(take as f64 * w).scaled(chance);
                let key = (left - c, kept + take);
                if key.1 == k || key.0 == 0 {
                    done = done.mix(&moved);
                } else {
                    let merged = match next.remove(&key) {
                        Some(existing) => existing.mix(&moved),
                        None => moved,
                    };
                    next.insert(key, merged);
                }
            }
        }
        states = next;
    }
    for (_, total) in states {
        done = done.mix(&total);
    }
    Ok(done)
}

/// P(exactly c of n trials succeed) for every c, with success chance p.
///
/// Built outward from the most likely count by the ratio of neighbours and
/// then normalized: no `ln` or `exp` (whose last bits differ between platform
/// maths libraries, so native and wasm would disagree), and no underflow of
/// `(1-p)^n` to zero when n is large.
fn binomial_row(n: u64, p: f64) -> Vec<f64> {
    let mut row = vec![0.0; n as usize + 1];
    if p <= 0.0 {
        row[0] = 1.0;
        return row;
    }
    if p >= 1.0 {
        row[n as usize] = 1.0;
        return row;
    }
    let q = 1.0 - p;
    let mode = (((n + 1) as f64 * p).floor() as u64).min(n) as usize;
    row[mode] = 1.0;
    for c in mode + 1..=n as usize {
        row[c] = row[c - 1] * ((n as usize - c + 1) as f64 / c as f64) * (p / q);
    }
    for c in (0..mode).rev() {
        row[c] = row[c + 1] * ((c + 1) as f64 / (n as usize - c) as f64) * (q / p);
    }
    let sum: f64 = row.iter().sum();
    row.iter_mut().for_each(|w| *w /= sum);
    row
}
