//! [`Distribution`]: the exact probability of every total, or a seeded Monte
//! Carlo estimate when no exact method fits the state budget.

mod die;
mod exact;
mod group;
mod keep;
mod pmf;
mod sample;
mod summary;

use crate::ast::Expr;
use crate::{DiceError, Limits};
use std::collections::HashMap;

pub use summary::Comparison;

/// How to compute a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct DistOptions {
    /// Limits as for rolling: the explosion limit is where explosions are cut.
    pub limits: Limits,
    /// Values for references such as `@str.mod`.
    pub vars: HashMap<String, f64>,
    /// The state budget: how many elementary steps (one probability times
    /// another) the exact computation may take before it gives way to Monte
    /// Carlo. Default 20,000,000, a few tens of milliseconds.
    pub budget: u64,
    /// How many rolls the Monte Carlo fallback makes at most. Default 200,000.
    pub samples: u64,
    /// How many dice the Monte Carlo fallback may draw in all, rerolls and
    /// explosions included, each roll counting at least one draw per term of
    /// the expression: it makes fewer rolls when each draws many dice, so
    /// that its work has a bound whatever the expression (`10000d1000000`
    /// makes 2,000 rolls). Default 20,000,000, a few tens of milliseconds.
    pub max_draws: u64,
    /// The Monte Carlo fallback's seed, so that its estimate is reproducible.
    pub seed: u64,
}

impl Default for DistOptions {
    fn default() -> Self {
        DistOptions {
            limits: Limits::default(),
            vars: HashMap::new(),
            budget: 20_000_000,
            samples: 200_000,
            max_draws: 20_000_000,
            seed: 0x5EED,
        }
    }
}

/// The distribution of an expression's total.
///
/// ```
/// use critfumble_dice::{parse, Distribution};
/// let dist = Distribution::of(&parse("3d6")?)?;
/// assert!(dist.exact);
/// assert!((dist.probability(10.0) - 27.0 / 216.0).abs() < 1e-12);
/// let advantage = Distribution::of(&parse("2d20kh1")?)?;
/// assert!((advantage.mean - 13.825).abs() < 1e-9);
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Distribution {
    /// Whether the probabilities are exact (up to floating point) rather than estimated.
    pub exact: bool,
    /// Each total with its probability, by total.
    pub probabilities: Vec<(f64, f64)>,
    /// Probability cut off where explosions stop being followed (at the
    /// engine's explosion limit, or once what is left is below 1e-16). It is
    /// left out of `probabilities`, which then add up to 1 minus this.
    pub truncated_mass: f64,
    /// The least total, or `None` when there is none (negated explosions).
    pub min: Option<f64>,
    /// The greatest total, or `None` when there is none (explosions).
    pub max: Option<f64>,
    /// The mean (of the totals held, weighted by their probabilities).
    pub mean: f64,
    /// The variance.
    pub variance: f64,
    /// The standard deviation.
    pub stddev: f64,
    /// For a Monte Carlo estimate: how many rolls it made.
    pub samples: Option<u64>,
    /// For a Monte Carlo estimate: the standard error of its mean.
    pub standard_error: Option<f64>,
}

/// Why the exact computation stopped.
#[derive(Debug)]
pub(crate) enum Step {
    /// It would pass the budget, or has no exact method: sample instead.
    Fallback,
    /// The expression itself is in error (a missing reference, a division by zero).
    Error(DiceError),
}

impl From<DiceError> for Step {
    fn from(error: DiceError) -> Self {
        Step::Error(error)
    }
}

/// The state budget as it is spent.
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
}

impl Budget {
    pub(crate) fn spend(&mut self, steps: u64) -> Result<(), Step> {
        self.left = self.left.checked_sub(steps).ok_or(Step::Fallback)?;
        Ok(())
    }
}

impl Distribution {
    /// The distribution of `expr`'s total with the default options.
    pub fn of(expr: &Expr) -> Result<Distribution, DiceError> {
        Distribution::with_options(expr, &DistOptions::default())
    }

    /// The distribution of `expr`'s total: exact when it fits the budget,
    /// otherwise a seeded Monte Carlo estimate (`exact: false`).
    pub fn with_options(expr: &Expr, options: &DistOptions) -> Result<Distribution, DiceError> {
        let bounds = expr.bounds_with(&crate::RollOptions {
            limits: options.limits,
            vars: options.vars.clone(),
        })?;
        let mut budget = Budget {
            left: options.budget,
        };
        match exact::distribution(expr, options, &mut budget) {
            Ok((pmf, truncated)) => Ok(summary::summarize(pmf, truncated, bounds, None)),
            Err(Step::Error(error)) => Err(error),
            Err(Step::Fallback) => {
                let (pmf, samples) = sample::monte_carlo(expr, options)?;
                Ok(summary::summarize(pmf, 0.0, bounds, Some(samples)))
            }
        }
    }
}

#[cfg(test)]
mod tests;
