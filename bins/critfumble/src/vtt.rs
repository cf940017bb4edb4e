//! `critfumble vtt parse`: a VTT chat message in, the standard roll record(s) out as JSON.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use critfumble_vtt::{Format, parse};

use crate::output::{BAD_INPUT, Written, report_fatal, written};

#[derive(Debug, Subcommand)]
pub(crate) enum VttCommand {
    /// Parse a Roll20, Foundry or D&D Beyond chat message into roll records (JSON).
    Parse(ParseArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// The input format: roll20-html, roll20-api, foundry or ddb.
    #[arg(long, value_parser = parse_format)]
    pub(crate) format: Format,
    /// The file to read, or `-` (the default) for standard input.
    #[arg(default_value = "-", allow_hyphen_values = true)]
    pub(crate) input: PathBuf,
}

fn parse_format(name: &str) -> Result<Format, String> {
    name.parse()
        .map_err(|error: critfumble_vtt::VttError| error.to_string())
}

/// Runs a `critfumble vtt` subcommand.
pub(crate) fn run(command: &VttCommand) -> ExitCode {
    match command {
        VttCommand::Parse(args) => parse_command(args),
    }
}

fn parse_command(args: &ParseArgs) -> ExitCode {
    let input = match read_input(args) {
        Ok(input) => input,
        Err(error) => {
            report_fatal(&format!("cannot read {}: {error}", args.input.display()));
            return ExitCode::FAILURE;
        }
    };
    match parse(args.format, &input) {
        Ok(parsed) => {
            let mut stdout = std::io::stdout().lock();
            // serde_json reports a failed write and a value it cannot write
            // alike; the I/O error keeps its kind, so a closed pipe stays quiet.
            let result = serde_json::to_writer_pretty(&mut stdout, &parsed)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(stdout))
                .and_then(|()| stdout.flush());
            match written(result) {
                Written::Done | Written::ReaderGone => ExitCode::SUCCESS,
                Written::Failed => ExitCode::FAILURE,
            }
        }
        Err(error) => {
            report_fatal(&error.to_string());
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn read_input(args: &ParseArgs) -> std::io::Result<String> {
    if args.input.as_os_str() == "-" {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input)?;
        Ok(input)
    } else {
        std::fs::read_to_string(&args.input)
    }
}
