//! `critfumble roll` and `critfumble bounds`.

use crate::cli::{BoundsArgs, ExprArgs, RollArgs};
use crate::report::print_error;
use critfumble_dice::{
    DiceError, ParseOptions, RollOptions, RollReport, parse_with, replay, roll_with, seeded_rng,
};
use rand::Rng;
use std::io::BufRead;
use std::process::ExitCode;

/// Exit status for a bad expression.
const BAD_INPUT: u8 = 2;

/// Runs `run` on the expression, or on each line of stdin for `-`, and returns the exit code.
pub(crate) fn for_each_expression(
    args: &ExprArgs,
    mut run: impl FnMut(&str) -> Result<String, DiceError>,
) -> ExitCode {
    let mut failed = false;
    let mut one = |input: &str| match run(input) {
        Ok(line) => println!("{line}"),
        Err(error) => {
            failed = true;
            print_error(input, &error, args.json);
        }
    };
    if args.expr == "-" {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) if line.trim().is_empty() => {}
                Ok(line) => one(&line),
                Err(error) => {
                    eprintln!("error: cannot read standard input: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
    } else {
        one(&args.expr);
    }
    if failed {
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
        Ok(if args.expr.json {
            serde_json::to_string(&RollReport {
                input,
                rolled: &rolled,
            })
            .unwrap_or_default()
        } else {
            rolled.markdown()
        })
    })
}

/// `critfumble bounds`.
pub(crate) fn bounds(args: &BoundsArgs) -> ExitCode {
    let (parse_options, roll_options) = options(&args.expr);
    for_each_expression(&args.expr, |input| {
        let bounds = parse_with(input, &parse_options)?.bounds_with(&roll_options)?;
        Ok(if args.expr.json {
            serde_json::to_string(&bounds).unwrap_or_default()
        } else {
            let show = |v: Option<f64>| v.map_or("unbounded".to_string(), |v| v.to_string());
            format!("min {} max {}", show(bounds.min), show(bounds.max))
        })
    })
}
