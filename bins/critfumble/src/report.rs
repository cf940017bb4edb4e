//! How errors are printed: text for people, JSON for programs.

use std::io::Write;

use critfumble_dice::DiceError;
use serde_json::json;

use crate::output::{Written, print_line};

/// Prints a dice error for `input`: a caret under the span on stderr, or the
/// JSON error object on stdout.
pub(crate) fn print_error(input: &str, error: &DiceError, as_json: bool) -> Written {
    if as_json {
        print_line(&error_json(error).to_string())
    } else {
        // A closed stderr is ignored: there is nowhere else to say it.
        let _ = writeln!(
            std::io::stderr().lock(),
            "error: {error}\n{}",
            error.render_with_input(input)
        );
        Written::Done
    }
}

/// `{"error": {"message", "start", "end"}}`.
pub(crate) fn error_json(error: &DiceError) -> serde_json::Value {
    let span = error.span();
    json!({"error": {"message": error.to_string(), "start": span.start, "end": span.end}})
}
