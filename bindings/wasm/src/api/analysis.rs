//! The functions of the second .wasm: what reads an expression without
//! rolling it (its tree, bounds and distribution). Feature `stats` alone
//! keeps only the distribution (`stats_tree`).

use super::{Failure, Options, encode};
use crate::tree::Encoder;
use critfumble_dice::{DiceError, DistOptions, Distribution, StatsReport, parse_with};
#[cfg(feature = "analysis")]
use serde::Serialize;

#[cfg(feature = "analysis")]
/// The AST as `Expr` serializes it.
pub(crate) fn parse_tree(input: &str, options: &Options, out: &mut Encoder) -> Result<(), Failure> {
    let expr = parse_with(input, &options.parse).map_err(|e| Failure::dice(input, &e))?;
    encode(&expr, out)
}

#[cfg(feature = "analysis")]
/// Exactly the line `critfumble bounds --json` prints.
pub(crate) fn bounds_tree(
    input: &str,
    options: &Options,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let dice = |e: DiceError| Failure::dice(input, &e);
    let bounds = parse_with(input, &options.parse)
        .map_err(dice)?
        .bounds_with(&options.roll)
        .map_err(dice)?;
    encode(&bounds, out)
}

/// The distribution of `input`, with the CLI's options.
fn distribution(input: &str, options: &Options) -> Result<Distribution, Failure> {
    let dice = |e: DiceError| Failure::dice(input, &e);
    let expr = parse_with(input, &options.parse).map_err(dice)?;
    let dist_options = DistOptions {
        vars: options.roll.vars.clone(),
        ..DistOptions::default()
    };
    Distribution::with_options(&expr, &dist_options).map_err(dice)
}

/// Exactly the line `critfumble stats --json` prints.
pub(crate) fn stats_tree(input: &str, options: &Options, out: &mut Encoder) -> Result<(), Failure> {
    let distribution = distribution(input, options)?;
    encode(
        &StatsReport {
            input,
            distribution: &distribution,
        },
        out,
    )
}

#[cfg(feature = "analysis")]
/// `critfumble stats A --vs B --json`: its keys in its (alphabetical) order.
#[derive(Serialize)]
struct VersusJson<'a> {
    a: &'a str,
    b: &'a str,
    equal: f64,
    greater: f64,
    less: f64,
}

#[cfg(feature = "analysis")]
/// Exactly the line `critfumble stats A --vs B --json` prints. An error in
/// `b` keeps its span (into `b`) and says in its message that it is in `b`.
pub(crate) fn stats_vs_tree(
    a: &str,
    b: &str,
    options: &Options,
    out: &mut Encoder,
) -> Result<(), Failure> {
    let dist_a = distribution(a, options)?;
    let dist_b = distribution(b, options).map_err(|failure| match failure {
        Failure::Dice {
            message,
            start,
            end,
        } => Failure::Dice {
            message: format!("in b: {message}"),
            start,
            end,
        },
        other => other,
    })?;
    let c = dist_a.compare(&dist_b);
    encode(
        &VersusJson {
            a,
            b,
            equal: c.equal,
            greater: c.greater,
            less: c.less,
        },
        out,
    )
}
