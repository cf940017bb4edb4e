//! Tests of the Markdown escaping against two oracles: removing the escapes
//! gives the text back, and no formatting character is left unescaped.

use super::{ZERO_WIDTH_SPACE, escape_markdown};
use proptest::prelude::*;

fn escaped(text: &str) -> String {
    let mut out = String::new();
    escape_markdown(text, &mut out);
    out
}

/// The escaping undone: a backslash keeps the character after it, and the
/// zero-width space after an `@` goes.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '@' => {
                out.push('@');
                assert_eq!(
                    chars.next(),
                    Some(ZERO_WIDTH_SPACE),
                    "an @ without its space"
                );
            }
            c => out.push(c),
        }
    }
    out
}

/// Checks Discord's rules against escaped text: every character that could
/// format is escaped where it could format, and every `@` is broken.
fn assert_inert(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let mut line_start = true;
    let mut digits_at_line_start = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            i += 2;
            line_start = false;
            digits_at_line_start = false;
            continue;
        }
        assert!(
            !"*_~`|[]()<>#\\".contains(c),
            "unescaped {c:?} at {i} in {text:?}"
        );
        if c == ':' {
            assert_ne!(chars.get(i + 1), Some(&'/'), "a link's :/ in {text:?}");
        }
        if line_start {
            assert!(!"-+".contains(c), "a list or subtext {c:?} in {text:?}");
        }
        if digits_at_line_start {
            assert_ne!(c, '.', "a numbered list in {text:?}");
        }
        if c == '@' {
            assert_eq!(
                chars.get(i + 1),
                Some(&ZERO_WIDTH_SPACE),
                "a mention in {text:?}"
            );
        }
        digits_at_line_start = c.is_ascii_digit() && (line_start || digits_at_line_start);
        line_start = c == '\n' || c == '\r' || ((c == ' ' || c == '\t') && line_start);
        i += 1;
    }
}

/// Hostile labels and comments, one per Markdown rule of Discord's.
const HOSTILE: &[&str] = &[
    "[free gold](https://evil)",
    "[free gold](<https://evil>)",
    "**bold** and __underline__ and *italic* and _italic_",
    "a ** b",
    "~~struck~~",
    "||spoiler||",
    "`code` and ```block```",
    "> quoted",
    ">>> quoted to the end",
    "# heading",
    "## heading\n### heading",
    "-# subtext",
    "- item\n* item\n+ item\n  - nested",
    "1. first\n 22. second",
    "@everyone @here",
    "<@123456789012345678> <@!123456789012345678> <@&123456789012345678>",
    "<#123456789012345678> </roll:123456789012345678> <t:1700000000:R>",
    "<:emoji:123456789012345678> <a:wave:123456789012345678>",
    "https://evil.example/free-gold",
    "\\*not bold\\*",
    "trailing backslash \\",
    "line\n# heading after a newline\r\n> quote after a CRLF",
    "@\u{200B}everyone already broken",
    "plain words, 3.5 and 1-2 stay as they are",
];

#[test]
fn hostile_text_is_inert_and_comes_back() {
    for text in HOSTILE {
        let out = escaped(text);
        assert_inert(&out);
        assert_eq!(unescape(&out), *text);
    }
}

#[test]
fn known_answers() {
    let check = |text: &str, expected: &str| assert_eq!(escaped(text), expected, "{text:?}");
    check(
        "[free gold](https://evil)",
        "\\[free gold\\]\\(https\\://evil\\)",
    );
    check("-# small", "\\-\\# small");
    check("1. first", "1\\. first");
    check("@everyone", "@\u{200B}everyone");
    check("<@&1>", "\\<@\u{200B}&1\\>");
    // Only where they could format: mid-line `-`, `+` and `.` stay bare.
    check("fire-bolt +2 3.5: ok", "fire-bolt +2 3.5: ok");
    check("a\n - b", "a\n \\- b");
}

proptest! {
    #[test]
    fn any_text_is_inert_and_comes_back(
        text in "[-+.:/@0-9a-z \\n\\r\\t*_~`|\\[\\]()<>#\\\\\u{200B}é]{0,40}"
    ) {
        let out = escaped(&text);
        assert_inert(&out);
        prop_assert_eq!(unescape(&out), text);
    }
}
