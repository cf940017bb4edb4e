//! Text for Discord: Markdown escaping of anything a user wrote, Discord's length limits,
//! and a parse error with a caret under its span.

use critfumble_dice::DiceError;

/// The longest message content Discord accepts, in characters.
pub const MAX_CONTENT_CHARS: usize = 2_000;

/// Makes user text inert in a Discord message, on one line: the dice crate's escaping
/// (Markdown characters backslashed, `@` unable to start a mention, `://` unable to start a
/// link), with line breaks turned into spaces so that a name cannot break a message's
/// layout. Mentions are also disabled on every message (`allowed_mentions`).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    critfumble_dice::escape_markdown(&text.replace(['\n', '\r'], " "), &mut out);
    out
}

/// `text` cut to at most `max` characters, ending with `…` when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Splits a long text into pieces of at most [`MAX_CONTENT_CHARS`] characters, at line
/// breaks where it can and at a space otherwise, so that each piece is one message.
pub fn split_messages(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while rest.chars().count() > MAX_CONTENT_CHARS {
        let limit = rest
            .char_indices()
            .nth(MAX_CONTENT_CHARS)
            .map_or(rest.len(), |(at, _)| at);
        let window = &rest[..limit];
        let cut = window
            .rfind('\n')
            .or_else(|| window.rfind(' '))
            .filter(|&at| at > 0)
            .unwrap_or(limit);
        pieces.push(rest[..cut].trim_end().to_owned());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(rest.to_owned());
    }
    pieces
}

/// A dice error shown under the expression in a code block, with a caret under the span:
///
/// ```text
/// 1d20kh+5
///       ^ expected a number after 'kh'
/// ```
pub fn caret_error(input: &str, error: &DiceError) -> String {
    // A backtick in the input cannot end the code block: it is shown as a look-alike,
    // one character for one, so that the caret stays aligned.
    let rendered = error.render_with_input(input).replace('`', "ˋ");
    let boxed = format!("Cannot roll that:\n```\n{rendered}\n```");
    if boxed.chars().count() <= MAX_CONTENT_CHARS {
        return boxed;
    }
    let column = input
        .get(..error.span().start)
        .map_or(0, |before| before.chars().count())
        + 1;
    clip(
        &format!(
            "Cannot roll that: {} (at character {column})",
            escape_markdown(&error.to_string())
        ),
        MAX_CONTENT_CHARS,
    )
}

/// A total as people write it: `25`, `-3`, `2.5`.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_makes_markdown_mentions_and_links_inert() {
        assert_eq!(
            escape_markdown("[x](https://evil) @everyone **bold** <@123>"),
            "\\[x\\]\\(https\\://evil\\) @\u{200B}everyone \\*\\*bold\\*\\* \\<@\u{200B}123\\>"
        );
        // A line break cannot start a heading or a list.
        assert_eq!(escape_markdown("a\n# b"), "a \\# b");
    }

    #[test]
    fn split_keeps_every_character_and_respects_the_limit() {
        let line = "word ".repeat(150);
        let text = format!("{line}\n{line}\n{}", "x".repeat(4_500));
        let pieces = split_messages(&text);
        assert!(
            pieces
                .iter()
                .all(|piece| piece.chars().count() <= MAX_CONTENT_CHARS)
        );
        let joined: String = pieces.concat().split_whitespace().collect();
        let original: String = text.split_whitespace().collect();
        assert_eq!(joined, original);
        assert_eq!(split_messages("short"), vec!["short".to_owned()]);
    }

    #[test]
    fn caret_sits_under_the_span() {
        let error = critfumble_dice::parse("1d20kh+5").unwrap_err();
        let shown = caret_error("1d20kh+5", &error);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines[2], "1d20kh+5");
        let caret = lines[3].find('^').unwrap();
        assert_eq!(caret, error.span().start);
        // A backtick in the input is replaced one for one.
        let error = critfumble_dice::parse("1d20 + `x").unwrap_err();
        let shown = caret_error("1d20 + `x", &error);
        assert!(!shown.contains("1d20 + `x"));
        assert_eq!(shown.matches("```").count(), 2);
    }

    #[test]
    fn numbers() {
        assert_eq!(number(25.0), "25");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(1.0 / 3.0), "0.3333");
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
