//! The Monte Carlo fallback: many seeded rolls of the engine itself.

use super::DistOptions;
use super::pmf::Pmf;
use crate::ast::Expr;
use crate::eval::{RollOptions, roll_with};
use crate::{DiceError, seeded_rng};
use std::collections::HashMap;

/// The distribution estimated from at most `options.samples` seeded rolls,
/// stopping once `options.max_draws` dice have been drawn, and how many
/// rolls it counted. Rolls that stop at a limit (an explosion limit) are
/// left out, unless every roll did, which is that limit's error; any other
/// error is the expression's own and is returned.
///
/// One roll draws at most `Limits::max_dice` dice, so the whole draws at
/// most `max_draws` plus that many.
pub(super) fn monte_carlo(expr: &Expr, options: &DistOptions) -> Result<(Pmf, u64), DiceError> {
    let mut rng = seeded_rng(options.seed);
    let roll_options = RollOptions {
        limits: options.limits,
        vars: options.vars.clone(),
    };
    // A roll with no dice still walks every term.
    let least_work = expr.nodes().len() as u64;
    let mut counts: HashMap<u64, u64> = HashMap::new();
    let mut counted = 0u64;
    let mut drawn = 0u64;
    let mut limit = None;
    for _ in 0..options.samples.max(1) {
        if drawn >= options.max_draws {
            break;
        }
        match roll_with(expr, &mut rng, &roll_options) {
            Ok(rolled) => {
                drawn += (rolled.dice.len() as u64).max(least_work);
                *counts.entry(rolled.total().to_bits()).or_default() += 1;
                counted += 1;
            }
            // A roll stopped by a limit drew up to the dice limit; count it
            // all, so that rolls that keep failing still use up the budget.
            Err(error @ DiceError::Limit { .. }) => {
                drawn += options.limits.max_dice.max(least_work);
                limit = Some(error);
            }
            Err(error) => return Err(error),
        }
    }
    if let (0, Some(error)) = (counted, limit) {
        return Err(error);
    }
    let n = counted.max(1) as f64;
    let pairs = counts
        .into_iter()
        .map(|(bits, c)| (f64::from_bits(bits), c as f64 / n))
        .collect();
    Ok((Pmf::from_pairs(pairs), counted))
}
