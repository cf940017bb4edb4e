//! Escaping for Discord's Markdown: text a user typed, made inert.
//!
//! Discord reads a backslash before any ASCII punctuation as that character
//! alone, so escaping is a backslash before each character that could start
//! formatting. Mentions are different: Discord finds `@everyone`, `<@id>` and
//! `<@&id>` in the raw text, escaped or not, so a zero-width space goes after
//! each `@` instead.

/// The zero-width space that breaks a mention after its `@`.
const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Appends `text` to `out` so that Discord shows it as it is: no bold,
/// italics, underline, strike-through, spoiler, code, link, quote, heading,
/// subtext or list, and no mention that pings.
///
/// [`Rolled::markdown`](crate::Rolled::markdown) escapes labels, comments
/// and reference names with it; use it for any other text of a user's
/// that goes into the same message.
///
/// Every `\ * _ ~ ` | [ ] ( ) < > #` gets a backslash, and so does a `:`
/// before `/` (which would start a link such as `https://`). At the start
/// of a line (the start of `text` counts as one), after spaces, so do `-`
/// and `+` (lists, `-#` subtext) and the `.` after a number (`1.` lists).
/// Each `@` is followed by a zero-width space (U+200B). Remove those
/// backslashes and spaces and the text is back as it was.
///
/// ```
/// let mut out = String::new();
/// critfumble_dice::escape_markdown("[free gold](https://evil) @everyone", &mut out);
/// assert_eq!(out, "\\[free gold\\]\\(https\\://evil\\) @\u{200B}everyone");
/// ```
pub fn escape_markdown(text: &str, out: &mut String) {
    out.reserve(text.len());
    // Whether only spaces (or spaces and then digits) have come since the
    // start of the line.
    let mut line_start = true;
    let mut line_number = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let escape = match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '(' | ')' | '<' | '>' | '#' => true,
            ':' => chars.peek() == Some(&'/'),
            '-' | '+' => line_start,
            '.' => line_number,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push(ZERO_WIDTH_SPACE);
        }
        (line_start, line_number) = match c {
            '\n' | '\r' => (true, false),
            ' ' | '\t' if line_start => (true, false),
            '0'..='9' if line_start || line_number => (false, true),
            _ => (false, false),
        };
    }
}

#[cfg(test)]
mod tests;
