//! The Monte Carlo fallback: many seeded rolls of the engine itself.

use super::DistOptions;
use super::pmf::Pmf;
use crate::ast::Expr;
use crate::eval::{RollOptions, roll_with};
use crate::{DiceError, seeded_rng};
use std::collections::HashMap;

/// The distribution estimated from `options.samples` seeded rolls, and how
/// many rolls it counted. Rolls that stop at a limit (an explosion limit) are
/// left out; any other error is the expression's own and is returned.
pub(super) fn monte_carlo(expr: &Expr, options: &DistOptions) -> Result<(Pmf, u64), DiceError> {
    let mut rng = seeded_rng(options.seed);
    let roll_options = RollOptions {
        limits: options.limits,
        vars: options.vars.clone(),
    };
    let mut counts: HashMap<u64, u64> = HashMap::new();
    let mut counted = 0u64;
    for _ in 0..options.samples.max(1) {
        match roll_with(expr, &mut rng, &roll_options) {
            Ok(rolled) => {
                *counts.entry(rolled.total().to_bits()).or_default() += 1;
                counted += 1;
            }
            Err(DiceError::Limit { .. }) => {}
            Err(error) => return Err(error),
        }
    }
    let n = counted.max(1) as f64;
    let pairs = counts
        .into_iter()
        .map(|(bits, c)| (f64::from_bits(bits), c as f64 / n))
        .collect();
    Ok((Pmf::from_pairs(pairs), counted))
}
