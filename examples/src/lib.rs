//! Runnable examples of the Crit-Fumble library crates: the programs are in
//! `src/bin/`, and `tests/it/` runs each one and checks what it prints. This
//! library holds the little they share.

use std::error::Error;
use std::process::ExitCode;

use critfumble_dice::{DiceError, Expr, RollOptions, Rolled, roll_with, seeded_rng};

/// Ends an example: prints its error, if any, and gives the exit status.
pub fn finish(result: Result<(), Box<dyn Error>>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Rolls `expr` with `seed` (as typed on the command line) for a roll that
/// can be repeated, or with the OS-seeded generator without one.
///
/// # Errors
///
/// When the seed is not a number, or the roll fails (see [`DiceError`]).
pub fn roll_with_seed<'e>(
    expr: &'e Expr,
    seed: Option<String>,
) -> Result<Rolled<'e>, Box<dyn Error>> {
    let rolled: Result<Rolled<'e>, DiceError> = match seed {
        Some(seed) => roll_with(
            expr,
            &mut seeded_rng(seed.parse()?),
            &RollOptions::default(),
        ),
        None => critfumble_dice::roll(expr),
    };
    Ok(rolled?)
}
