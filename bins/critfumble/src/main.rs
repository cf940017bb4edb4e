//! `critfumble`: roll dice, compute bounds and probabilities from the command line.

mod cli;
mod dice;
mod output;
mod report;
mod stats;
mod vtt;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Roll(args) => dice::roll(&args),
        cli::Command::Bounds(args) => dice::bounds(&args),
        cli::Command::Stats(args) => stats::stats(&args),
        cli::Command::Vtt(command) => vtt::run(&command),
    }
}
