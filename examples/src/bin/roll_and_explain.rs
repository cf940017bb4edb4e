//! Rolls a dice expression and explains it: the Markdown line, each die kept
//! or dropped, and the least and greatest totals the expression can give.
//!
//! ```text
//! cargo run -p critfumble-examples --bin roll_and_explain -- "4d6kh3 + 2" [SEED]
//! ```

use std::process::ExitCode;

use critfumble_dice::parse;

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let expression = args.next().unwrap_or_else(|| "4d6kh3 + 2".to_owned());
    let expr = parse(&expression).map_err(|error| {
        // The error knows where in the expression it is: show it under a caret.
        format!("{error}\n{}", error.render_with_input(&expression))
    })?;
    // A seed makes the roll reproducible; without one the OS seeds it.
    let rolled = critfumble_examples::roll_with_seed(&expr, args.next())?;
    println!("{}", rolled.markdown());
    for die in rolled.all_dice() {
        let fate = if die.kept() { "kept" } else { "dropped" };
        let mut notes = Vec::new();
        if die.critical() {
            notes.push("its highest face");
        }
        if die.fumble() {
            notes.push("its lowest face");
        }
        if die.exploded() {
            notes.push("exploded");
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        println!("  {} {fate}{notes}", die.value);
    }
    let bounds = expr.bounds()?;
    let show = |value: Option<f64>| value.map_or("unbounded".to_owned(), |v| v.to_string());
    println!(
        "total {} of {} to {}",
        rolled.total(),
        show(bounds.min),
        show(bounds.max)
    );
    Ok(())
}

fn main() -> ExitCode {
    critfumble_examples::finish(run())
}
