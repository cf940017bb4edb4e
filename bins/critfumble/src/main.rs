//! `critfumble`: roll dice, compute bounds and probabilities from the command line.

mod cli;
mod dice;
mod report;
mod stats;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Roll(args) => dice::roll(&args),
        cli::Command::Bounds(args) => dice::bounds(&args),
        cli::Command::Stats(args) => stats::stats(&args),
    }
}
