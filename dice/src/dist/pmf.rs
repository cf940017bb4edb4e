//! [`Pmf`]: a probability mass function over totals, dense for whole numbers.

use super::{Budget, Step};

/// Probabilities at or below this are dropped when merging.
const NEGLIGIBLE: f64 = 0.0;

/// The probability of each total. Whole totals live in a dense vector from
/// `min`; any other totals in a sorted list of (total, probability).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pmf {
    /// `p[i]` is the probability of `min + i`.
    Int { min: i64, p: Vec<f64> },
    /// Sorted by total, no total twice.
    Real(Vec<(f64, f64)>),
}

impl Pmf {
    pub(crate) fn constant(value: f64) -> Pmf {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            Pmf::Int {
                min: value as i64,
                p: vec![1.0],
            }
        } else {
            Pmf::Real(vec![(value, 1.0)])
        }
    }

    /// A distribution from (total, probability) pairs in any order, merging equal totals.
    pub(crate) fn from_pairs(mut pairs: Vec<(f64, f64)>) -> Pmf {
        pairs.retain(|(_, p)| *p > NEGLIGIBLE);
        if pairs.is_empty() {
            return Pmf::Int {
                min: 0,
                p: Vec::new(),
            };
        }
        let whole = pairs
            .iter()
            .all(|(v, _)| v.fract() == 0.0 && v.abs() < 1e15);
        if whole {
            let min = pairs.iter().map(|(v, _)| *v as i64).min().unwrap_or(0);
            let max = pairs.iter().map(|(v, _)| *v as i64).max().unwrap_or(0);
            let width = (max - min) as usize + 1;
            if width <= pairs.len().saturating_mul(8).max(64) {
                let mut p = vec![0.0; width];
                for (v, q) in pairs {
                    p[(v as i64 - min) as usize] += q;
                }
                return Pmf::Int { min, p };
            }
        }
        let order = crate::sort::order_by_key(pairs.iter().map(|p| crate::sort::f64_key(p.0)));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
        for (v, q) in order.into_iter().map(|i| pairs[i]) {
            match merged.last_mut() {
                Some(last) if last.0 == v => last.1 += q,
                _ => merged.push((v, q)),
            }
        }
        Pmf::Real(merged)
    }

    /// Every (total, probability) with a probability above zero, by total.
    pub(crate) fn pairs(&self) -> Vec<(f64, f64)> {
        match self {
            Pmf::Int { min, p } => p
                .iter()
                .enumerate()
                .filter(|(_, q)| **q > 0.0)
                .map(|(i, q)| ((*min + i as i64) as f64, *q))
                .collect(),
            Pmf::Real(pairs) => pairs.iter().copied().filter(|(_, q)| *q > 0.0).collect(),
        }
    }

    /// How many totals it holds (its cost in a pairwise operation).
    pub(crate) fn len(&self) -> usize {
        match self {
            Pmf::Int { p, .. } => p.len(),
            Pmf::Real(pairs) => pairs.len(),
        }
    }

    /// The total probability it holds (1 minus what was cut off).
    pub(crate) fn mass(&self) -> f64 {
        match self {
            Pmf::Int { p, .. } => p.iter().sum(),
            Pmf::Real(pairs) => pairs.iter().map(|(_, q)| q).sum(),
        }
    }

    /// Applies `f` to every total.
    pub(crate) fn map(&self, f: impl Fn(f64) -> f64) -> Pmf {
        Pmf::from_pairs(self.pairs().into_iter().map(|(v, q)| (f(v), q)).collect())
    }

    /// Adds `by` to every total.
    pub(crate) fn shifted(&self, by: f64) -> Pmf {
        match self {
            Pmf::Int { min, p } if by.fract() == 0.0 && by.abs() < 1e15 => Pmf::Int {
                min: min + by as i64,
                p: p.clone(),
            },
            _ => self.map(|v| v + by),
        }
    }

    /// Scales every probability by `k` (for mixtures).
    pub(crate) fn scaled(mut self, k: f64) -> Pmf {
        match &mut self {
            Pmf::Int { p, .. } => p.iter_mut().for_each(|q| *q *= k),
            Pmf::Real(pairs) => pairs.iter_mut().for_each(|(_, q)| *q *= k),
        }
        self
    }

    /// The distribution of `a + b` for independent `a` and `b`.
    pub(crate) fn add(&self, other: &Pmf, budget: &mut Budget) -> Result<Pmf, Step> {
        budget.spend((self.len() as u64).saturating_mul(other.len() as u64))?;
        match (self, other) {
            (Pmf::Int { min: a_min, p: a }, Pmf::Int { min: b_min, p: b }) => {
                if a.is_empty() || b.is_empty() {
                    return Ok(Pmf::Int {
                        min: 0,
                        p: Vec::new(),
                    });
                }
                let mut out = vec![0.0; a.len() + b.len() - 1];
                for (i, x) in a.iter().enumerate() {
                    if *x == 0.0 {
                        continue;
                    }
                    for (j, y) in b.iter().enumerate() {
                        out[i + j] += x * y;
                    }
                }
                Ok(Pmf::Int {
                    min: a_min + b_min,
                    p: out,
                })
            }
            _ => Ok(self.pairwise(other, |x, y| x + y)),
        }
    }

    /// The distribution of `f(a, b)` for independent `a` and `b`, pair by pair.
    pub(crate) fn pairwise(&self, other: &Pmf, f: impl Fn(f64, f64) -> f64) -> Pmf {
        let (a, b) = (self.pairs(), other.pairs());
        let mut out = Vec::with_capacity(a.len() * b.len());
        for (x, p) in &a {
            for (y, q) in &b {
                out.push((f(*x, *y), p * q));
            }
        }
        Pmf::from_pairs(out)
    }

    /// The sum of `n` independent copies, by repeated squaring.
    pub(crate) fn sum_of(&self, n: u64, budget: &mut Budget) -> Result<Pmf, Step> {
        let mut result = Pmf::constant(0.0);
        let mut power = self.clone();
        let mut n = n;
        while n > 0 {
            if n & 1 == 1 {
                result = result.add(&power, budget)?;
            }
            n >>= 1;
            if n > 0 {
                power = power.add(&power, budget)?;
            }
        }
        Ok(result)
    }

    /// Adds `other`'s probabilities into this one (a mixture of the two).
    pub(crate) fn mix(&self, other: &Pmf) -> Pmf {
        match (self, other) {
            (Pmf::Int { p: a, .. }, _) if a.is_empty() => other.clone(),
            (_, Pmf::Int { p: b, .. }) if b.is_empty() => self.clone(),
            (Pmf::Int { min: a_min, p: a }, Pmf::Int { min: b_min, p: b })
                if (a_min + a.len() as i64).max(b_min + b.len() as i64) - (*a_min).min(*b_min)
                    <= 1 << 20 =>
            {
                let min = (*a_min).min(*b_min);
                let end = (a_min + a.len() as i64).max(b_min + b.len() as i64);
                let mut p = vec![0.0; (end - min) as usize];
                for (i, q) in a.iter().enumerate() {
                    p[(a_min - min) as usize + i] += q;
                }
                for (i, q) in b.iter().enumerate() {
                    p[(b_min - min) as usize + i] += q;
                }
                Pmf::Int { min, p }
            }
            _ => {
                let mut pairs = self.pairs();
                pairs.extend(other.pairs());
                Pmf::from_pairs(pairs)
            }
        }
    }
}
