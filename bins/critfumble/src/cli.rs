//! The command-line interface: subcommands and their flags.

use clap::{Args, Parser, Subcommand};
use critfumble_dice::{ConfigError, Dialect};

/// Dice for tabletop RPGs: Roll20, Foundry VTT and Avrae notation.
#[derive(Debug, Parser)]
#[command(name = "critfumble", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Roll an expression and print the result as Markdown (or JSON).
    Roll(RollArgs),
    /// Print the least and greatest total of an expression, without rolling.
    Bounds(BoundsArgs),
    /// Print the exact probability of every total, with a histogram (or JSON).
    Stats(StatsArgs),
    /// Read virtual tabletop chat messages.
    #[command(subcommand)]
    Vtt(crate::vtt::VttCommand),
}

/// Options shared by every command that reads an expression.
#[derive(Debug, Args)]
pub(crate) struct ExprArgs {
    /// Whose meaning to use where notations disagree.
    #[arg(long, value_parser = parse_dialect, default_value = "default")]
    pub(crate) dialect: Dialect,
    /// A value for a reference such as `@str.mod` or `?{Bonus}`: NAME=VALUE (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub(crate) vars: Vec<(String, f64)>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// The expression, or `-` to read one per line from standard input.
    #[arg(allow_hyphen_values = true)]
    pub(crate) expr: String,
}

#[derive(Debug, Args)]
pub(crate) struct RollArgs {
    /// Seed the generator, for reproducible rolls.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Force die faces in the order they are rolled, e.g. `3,6,6,2`.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub(crate) dice: Option<Vec<i64>>,
    #[command(flatten)]
    pub(crate) expr: ExprArgs,
}

#[derive(Debug, Args)]
pub(crate) struct BoundsArgs {
    #[command(flatten)]
    pub(crate) expr: ExprArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Compare with this expression: print P(A>B), P(A=B) and P(A<B), where A is EXPR.
    #[arg(long, value_name = "EXPR2", allow_hyphen_values = true)]
    pub(crate) vs: Option<String>,
    /// Write an SVG chart of the distribution (both, with --vs) to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(crate) expr: ExprArgs,
}

fn parse_dialect(s: &str) -> Result<Dialect, String> {
    s.parse().map_err(|error: ConfigError| error.to_string())
}

fn parse_var(s: &str) -> Result<(String, f64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, found '{s}'"))?;
    let value = value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("the value of '{name}' must be a number, found '{value}'"))?;
    Ok((name.trim().to_string(), value))
}
