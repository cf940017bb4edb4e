//! Statistics of a [`Distribution`]: mean, spread, percentiles, tails, comparisons.

use super::Distribution;
use super::pmf::Pmf;
use crate::Bounds;

/// Builds the distribution's summary from its probabilities.
pub(super) fn summarize(
    pmf: Pmf,
    truncated_mass: f64,
    bounds: Bounds,
    samples: Option<u64>,
) -> Distribution {
    let probabilities = pmf.pairs();
    let held: f64 = probabilities.iter().map(|(_, p)| p).sum();
    let held = if held > 0.0 { held } else { 1.0 };
    let mean = probabilities.iter().map(|(v, p)| v * p).sum::<f64>() / held;
    let variance = probabilities
        .iter()
        .map(|(v, p)| (v - mean) * (v - mean) * p)
        .sum::<f64>()
        / held;
    let stddev = variance.max(0.0).sqrt();
    let first = probabilities.first().map(|(v, _)| *v);
    let last = probabilities.last().map(|(v, _)| *v);
    // An exact distribution's ends are the totals it holds, unless explosions
    // make one unbounded; an estimate's ends are the exact bounds.
    let (min, max) = match samples {
        None => (
            if bounds.min.is_none() { None } else { first },
            if bounds.max.is_none() { None } else { last },
        ),
        Some(_) => (bounds.min, bounds.max),
    };
    Distribution {
        exact: samples.is_none(),
        probabilities,
        truncated_mass,
        min,
        max,
        mean,
        variance,
        stddev,
        samples,
        standard_error: samples.map(|n| stddev / (n as f64).sqrt()),
    }
}

/// How two independent totals compare.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Comparison {
    /// P(A > B).
    pub greater: f64,
    /// P(A = B).
    pub equal: f64,
    /// P(A < B).
    pub less: f64,
}

impl Distribution {
    /// P(X = total).
    pub fn probability(&self, total: f64) -> f64 {
        self.probabilities
            .iter()
            .find(|(v, _)| *v == total)
            .map_or(0.0, |(_, p)| *p)
    }

    /// P(X >= t).
    pub fn at_least(&self, t: f64) -> f64 {
        self.probabilities
            .iter()
            .filter(|(v, _)| *v >= t)
            .map(|(_, p)| p)
            .sum()
    }

    /// P(X <= t).
    pub fn at_most(&self, t: f64) -> f64 {
        self.probabilities
            .iter()
            .filter(|(v, _)| *v <= t)
            .map(|(_, p)| p)
            .sum()
    }

    /// The smallest total t with P(X <= t) >= q, for q in 0..=1.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        let held: f64 = self.probabilities.iter().map(|(_, p)| p).sum();
        let mut cumulative = 0.0;
        for (v, p) in &self.probabilities {
            cumulative += p;
            if cumulative >= q * held - 1e-12 {
                return Some(*v);
            }
        }
        self.probabilities.last().map(|(v, _)| *v)
    }

    /// P(A > B), P(A = B) and P(A < B) for independent rolls of `self` (A) and `other` (B).
    ///
    /// ```
    /// use critfumble_dice::{parse, Distribution};
    /// let advantage = Distribution::of(&parse("2d20kh1")?)?;
    /// let plus_five = Distribution::of(&parse("1d20+5")?)?;
    /// let c = advantage.compare(&plus_five);
    /// assert!((c.greater + c.equal + c.less - 1.0).abs() < 1e-9);
    /// # Ok::<(), critfumble_dice::DiceError>(())
    /// ```
    pub fn compare(&self, other: &Distribution) -> Comparison {
        let (mut greater, mut equal, mut less) = (0.0, 0.0, 0.0);
        // Both lists are sorted: walk B's cumulative mass once.
        let b = &other.probabilities;
        let mut below = 0.0;
        let mut j = 0;
        let b_total: f64 = b.iter().map(|(_, p)| p).sum();
        for (a, p) in &self.probabilities {
            while j < b.len() && b[j].0 < *a {
                below += b[j].1;
                j += 1;
            }
            let same = if j < b.len() && b[j].0 == *a {
                b[j].1
            } else {
                0.0
            };
            greater += p * below;
            equal += p * same;
            less += p * (b_total - below - same);
        }
        Comparison {
            greater,
            equal,
            less,
        }
    }
}
