//! `critfumble roll` and `critfumble bounds`.

use crate::cli::{BoundsArgs, ExprArgs, RollArgs};
use crate::output::{BAD_INPUT, Failure, exit_for, json_line, print_line, report_fatal};
use crate::report::print_error;
use critfumble_dice::{
    ParseOptions, RollOptions, RollReport, parse_with, replay, roll_with, seeded_rng,
};
use rand::Rng;
use std::io::BufRead;
use std::process::ExitCode;

/// Runs `run` on the expression, or on each line of stdin for `-`, prints
/// each result, and returns the exit code: 0, 2 when an expression was bad,
/// 1 when the command could not go on. A reader that goes away ends it with 0.
pub(crate) fn for_each_expression(
    args: &ExprArgs,
    mut run: impl FnMut(&str) -> Result<String, Failure>,
) -> ExitCode {
    let mut bad_input = false;
    let mut one = |input: &str| match run(input) {
        Ok(line) => exit_for(&print_line(&line)),
        Err(Failure::Dice(error)) => {
            bad_input = true;
            exit_for(&print_error(input, &error, args.json))
        }
        Err(Failure::Fatal(message)) => {
            report_fatal(&message);
            Some(ExitCode::FAILURE)
        }
    };
    if args.expr == "-" {
        for line in std::io::stdin().lock().lines() {
            let stop = match line {
                Ok(line) if line.trim().is_empty() => None,
                Ok(line) => one(&line),
                Err(error) => {
                    report_fatal(&format!("cannot read standard input: {error}"));
                    Some(ExitCode::FAILURE)
                }
            };
            if let Some(code) = stop {
                return code;
            }
        }
    } else if let Some(code) = one(&args.expr) {
        return code;
    }
    if bad_input {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn options(args: &ExprArgs) -> (ParseOptions, RollOptions) {
    let parse = ParseOptions::dialect(args.dialect);
    let roll = RollOptions {
        vars: args.vars.iter().cloned().collect(),
        ..RollOptions::default()
    };
    (parse, roll)
}

/// `critfumble roll`.
pub(crate) fn roll(args: &RollArgs) -> ExitCode {
    let (parse_options, roll_options) = options(&args.expr);
    let mut rng: Box<dyn Rng> = match args.seed {
        Some(seed) => Box::new(seeded_rng(seed)),
        None => Box::new(rand::rng()),
    };
    for_each_expression(&args.expr, |input| {
        let expr = parse_with(input, &parse_options)?;
        let rolled = match &args.dice {
            Some(faces) => replay(&expr, faces, &roll_options)?,
            None => roll_with(&expr, &mut *rng, &roll_options)?,
        };
        if args.expr.json {
            json_line(&RollReport {
                input,
                rolled: &rolled,
            })
        } else {
            Ok(rolled.markdown())
        }
    })
}

/// `critfumble bounds`.
pub(crate) fn bounds(args: &BoundsArgs) -> ExitCode {
    let (parse_options, roll_options) = options(&args.expr);
    for_each_expression(&args.expr, |input| {
        let bounds = parse_with(input, &parse_options)?.bounds_with(&roll_options)?;
        if args.expr.json {
            json_line(&bounds)
        } else {
            let show = |v: Option<f64>| v.map_or("unbounded".to_string(), |v| v.to_string());
            Ok(format!("min {} max {}", show(bounds.min), show(bounds.max)))
        }
    })
}
