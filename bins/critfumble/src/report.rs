//! How results and errors are printed: text for people, JSON for programs.

use critfumble_dice::DiceError;
use serde_json::json;

/// Prints a dice error for `input`: a caret under the span on stderr, or the
/// JSON error object on stdout.
pub(crate) fn print_error(input: &str, error: &DiceError, as_json: bool) {
    if as_json {
        println!("{}", error_json(error));
    } else {
        eprintln!("error: {error}");
        eprintln!("{}", error.render_with_input(input));
    }
}

/// `{"error": {"message", "start", "end"}}`.
pub(crate) fn error_json(error: &DiceError) -> serde_json::Value {
    let span = error.span();
    json!({"error": {"message": error.to_string(), "start": span.start, "end": span.end}})
}
