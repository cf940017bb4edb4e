//! `critfumble stats`: the distribution of a total, as a table with a histogram or as JSON.

use crate::cli::StatsArgs;
use crate::dice::{for_each_expression, options};
use crate::output::{Failure, json_line};
use critfumble_dice::{
    DiceError, DistOptions, Distribution, ParseOptions, StatsReport, chart_svg, parse_with,
};
use std::fmt::Write;
use std::process::ExitCode;

/// Columns the histogram may use, so that a line fits 80 columns.
const BAR_WIDTH: usize = 56;

/// `critfumble stats`.
pub(crate) fn stats(args: &StatsArgs) -> ExitCode {
    let (parse_options, roll_options) = options(&args.expr);
    let dist_options = DistOptions {
        vars: roll_options.vars.clone(),
        ..DistOptions::default()
    };
    for_each_expression(&args.expr, |input| {
        let a = distribution(input, &parse_options, &dist_options)?;
        let b = match &args.vs {
            Some(other) => Some(distribution(other, &parse_options, &dist_options).map_err(
                |error| {
                    // The error is about the other expression; say so in its message.
                    shifted_to(error, other)
                },
            )?),
            None => None,
        };
        if let Some(path) = &args.svg {
            let names: Vec<&str> = [input].into_iter().chain(args.vs.as_deref()).collect();
            std::fs::write(path, chart_svg(&a, b.as_ref(), &names)).map_err(|error| {
                Failure::Fatal(format!("cannot write {}: {error}", path.display()))
            })?;
        }
        Ok(match (&b, args.expr.json) {
            (Some(b), true) => {
                let c = a.compare(b);
                json_line(&serde_json::json!({
                    "a": input, "b": args.vs, "greater": c.greater, "equal": c.equal, "less": c.less,
                }))?
            }
            (Some(b), false) => {
                let c = a.compare(b);
                let other = args.vs.as_deref().unwrap_or_default();
                format!(
                    "A = {input}\nB = {other}\nP(A>B) = {:.4}%\nP(A=B) = {:.4}%\nP(A<B) = {:.4}%",
                    c.greater * 100.0,
                    c.equal * 100.0,
                    c.less * 100.0
                )
            }
            (None, true) => json_line(&StatsReport {
                input,
                distribution: &a,
            })?,
            (None, false) => table(input, &a),
        })
    })
}

fn distribution(
    input: &str,
    parse_options: &ParseOptions,
    options: &DistOptions,
) -> Result<Distribution, DiceError> {
    let expr = parse_with(input, parse_options)?;
    Distribution::with_options(&expr, options)
}

/// An error in the `--vs` expression: its message names that expression, and
/// its span (which points into the other text) is dropped.
fn shifted_to(error: DiceError, other: &str) -> DiceError {
    DiceError::InvalidDice {
        message: format!("in --vs '{other}': {error}"),
        span: critfumble_dice::Span::new(0, 0),
    }
}

/// The summary, then one line per total: its probability and a bar.
fn table(input: &str, d: &Distribution) -> String {
    let mut out = String::new();
    let show = |v: Option<f64>| v.map_or("unbounded".to_string(), number);
    let kind = if d.exact {
        "exact".to_string()
    } else {
        format!(
            "estimated from {} rolls (standard error of the mean {:.4})",
            d.samples.unwrap_or_default(),
            d.standard_error.unwrap_or_default()
        )
    };
    let _ = writeln!(out, "{input}: {kind}");
    let _ = writeln!(
        out,
        "min {}  max {}  mean {:.4}  stddev {:.4}",
        show(d.min),
        show(d.max),
        d.mean,
        d.stddev
    );
    let percentiles: Vec<String> = [5, 25, 50, 75, 95]
        .iter()
        .map(|q| format!("p{q} {}", show(d.percentile(f64::from(*q) / 100.0))))
        .collect();
    let _ = writeln!(out, "{}", percentiles.join("  "));
    if d.truncated_mass > 0.0 {
        let _ = writeln!(
            out,
            "cut off where explosions stop: {:.3e}",
            d.truncated_mass
        );
    }
    let top = d.probabilities.iter().map(|(_, p)| *p).fold(0.0, f64::max);
    let _ = write!(out, "{:>9} {:>9}", "total", "chance");
    for (v, p) in &d.probabilities {
        let _ = write!(
            out,
            "\n{:>9} {:>8.4}% {}",
            number(*v),
            p * 100.0,
            bar(*p / top)
        );
    }
    out
}

/// A bar of Unicode eighth blocks, `fraction` of the full width.
fn bar(fraction: f64) -> String {
    const EIGHTHS: [char; 8] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];
    let eighths = (fraction.clamp(0.0, 1.0) * (BAR_WIDTH * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8 - 1]);
    }
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.4}")
    }
}
