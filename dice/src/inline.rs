//! Inline rolls in text: `I hit [[1d20+5]] for [[2d6+3]] damage`.

use crate::display::write_number;
use crate::eval::{RollOptions, roll_with};
use crate::parse::{ParseOptions, parse_with};
use crate::{DiceError, Span};
use rand::Rng;

/// One `[[...]]` roll found in text.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineRoll {
    /// The expression between the brackets, trimmed.
    pub expression: String,
    /// Where the whole `[[...]]` is in the text (byte offsets).
    pub span: Span,
    /// Its total.
    pub total: f64,
    /// Its Markdown rendering.
    pub markdown: String,
    /// Its plain-text rendering.
    pub plain: String,
}

/// Text with its inline rolls rolled.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineRolls {
    /// Each inline roll, in order.
    pub rolls: Vec<InlineRoll>,
    /// The text with each `[[...]]` replaced by its total.
    pub text: String,
}

/// Rolls every `[[expression]]` in `text` and puts the totals in.
///
/// Errors carry spans into `text`, not into the single expression.
///
/// ```
/// use critfumble_dice::{roll_inline, seeded_rng, ParseOptions, RollOptions};
/// let mut rng = seeded_rng(7);
/// let out = roll_inline("I hit [[1d20+5]] for [[2d6+3]] damage", &mut rng,
///     &ParseOptions::default(), &RollOptions::default())?;
/// assert_eq!(out.rolls.len(), 2);
/// assert!(out.text.starts_with("I hit "));
/// assert!(!out.text.contains("[["));
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn roll_inline<R: Rng + ?Sized>(
    text: &str,
    rng: &mut R,
    parse_options: &ParseOptions,
    roll_options: &RollOptions,
) -> Result<InlineRolls, DiceError> {
    let mut rolls = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut rest_start = 0;
    while let Some(open) = text[rest_start..].find("[[").map(|i| i + rest_start) {
        let body_start = open + 2;
        let Some(close) = matching_close(text, body_start) else {
            return Err(DiceError::Syntax {
                message: "expected ']]' to close the inline roll".to_string(),
                span: Span::new(open, text.len()),
            });
        };
        let body = &text[body_start..close];
        let shift = |e: DiceError| shift_error(e, body_start);
        let expr = parse_with(body, parse_options).map_err(shift)?;
        let rolled = roll_with(&expr, rng, roll_options).map_err(shift)?;
        out.push_str(&text[rest_start..open]);
        // Writing to a String cannot fail.
        let _ = write_number(rolled.total(), &mut out);
        rolls.push(InlineRoll {
            expression: body.trim().to_string(),
            span: Span::new(open, close + 2),
            total: rolled.total(),
            markdown: rolled.markdown(),
            plain: rolled.plain(),
        });
        rest_start = close + 2;
    }
    out.push_str(&text[rest_start..]);
    Ok(InlineRolls { rolls, text: out })
}

/// Where the `]]` that closes an inline roll whose body starts at `from` is:
/// nested inline rolls (`[[ [[1d3]]d8 ]]`) close first. One pass.
fn matching_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 1usize;
    let mut at = from;
    while at + 1 < bytes.len() {
        match &bytes[at..at + 2] {
            b"[[" => {
                depth += 1;
                at += 2;
            }
            b"]]" => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
                at += 2;
            }
            _ => at += 1,
        }
    }
    None
}

/// Moves an error's span from the expression into the surrounding text.
fn shift_error(mut error: DiceError, by: usize) -> DiceError {
    let span = match &mut error {
        DiceError::Syntax { span, .. }
        | DiceError::Limit { span, .. }
        | DiceError::NeverStops { span, .. }
        | DiceError::InvalidDice { span, .. }
        | DiceError::Overflow { span }
        | DiceError::NotANumber { span }
        | DiceError::DivisionByZero { span }
        | DiceError::MissingReference { span, .. }
        | DiceError::ForcedDiceExhausted { span, .. }
        | DiceError::UnusedForcedDice { span, .. }
        | DiceError::ForcedDieImpossible { span, .. } => span,
    };
    *span = Span::new(span.start + by, span.end + by);
    error
}
