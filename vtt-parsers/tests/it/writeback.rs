//! `to_roll20` and `to_foundry` against hostile Discord messages: nothing runs as a command.

use critfumble_vtt::{DiscordMessage, to_foundry, to_roll20};

/// Messages that would run as Roll20 or Foundry commands, markup or enrichers if relayed verbatim.
const HOSTILE: &[&str] = &[
    "/w gm the secret door is behind the altar",
    "/em dances on the table",
    "/roll 1d20+100",
    "/r 1d100",
    "/gmroll 1d20",
    "/direct <img src=x onerror=alert(1)>",
    "/desc The room goes dark",
    "/ooc not a real message",
    "/as \"The King\" kneel",
    "/emas \"The King\" laughs",
    "/talktomyself on",
    "/fx beam-fire @{selected|token_id}",
    "!token-mod --set bar1_value|0",
    "!!double bang",
    "[[1d20+5]]",
    "[[ [[1d6]]d6 ]]",
    "[[1t[loot-table]]]",
    "@{selected|hp}",
    "@{target|Target|token_id}",
    "?{Modifier|0}",
    "&{template:default} {{name=Pwned}} {{roll=[[1d20]]}}",
    "%{Bob|Attack}",
    "#Fireball",
    "$[[0]]",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "hello\n/w gm hidden second line",
    "hello\r\n!api on the next line",
    "&#91;&#91;1d20&#93;&#93;",
    "&amp;{template:default}",
    "[x](javascript:alert(1))",
    "  /w gm after spaces",
    "\u{0}\u{7}\u{1b}[31mcontrol characters",
    "\u{202e}right-to-left override",
    "@UUID[Actor.abc123]{Bob}",
    "[[/r 1d20]]",
    "[[/roll 4d6kh3]]{Stats}",
    "@Check[type:perception|dc:20]",
    "@Embed[JournalEntry.x]",
    "{{name=x}}",
    "[\u{81}[1d20]]",
    "[\r[/r 1d6]]",
    "\u{200b}",
    "[\u{200b}[1d20]] @\u{200b}UUID[Actor.x]",
    "'; DROP TABLE rolls; --",
    "\"quoted\" <b>bold</b> & 'single'",
];

const AUTHORS: &[&str] = &[
    "Alice",
    "",
    "  \n ",
    "/w gm",
    "!bot",
    "<b>Mallory</b>",
    "[[1d20]]",
    "@{target|name}",
    "Zoë 🎲",
];

/// Undoes the character references that `to_roll20` writes.
fn decode_roll20(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find(';')
            .map(|i| start + i)
            .expect("every & starts a reference");
        let name = &rest[start + 1..end];
        let character = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            number => char::from_u32(number.strip_prefix('#').unwrap().parse().unwrap()).unwrap(),
        };
        out.push(character);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// What the reader should see: line breaks as spaces, other control characters gone.
fn shown(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\r' | '\n' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// The author as shown: trimmed, or `Discord user` when blank.
fn shown_author(author: &str) -> String {
    let trimmed = author.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if trimmed.is_empty() {
        "Discord user".to_string()
    } else {
        shown(trimmed)
    }
}

fn assert_roll20_safe(author: &str, content: &str) {
    let text = to_roll20(&DiscordMessage { author, content });
    assert!(
        !text.starts_with(['/', '!', ' ']),
        "{text:?} starts a command"
    );
    let mut bare = text.clone();
    for reference in ["&amp;", "&lt;", "&gt;", "&quot;"] {
        bare = bare.replace(reference, "");
    }
    while let Some(start) = bare.find("&#") {
        let end = bare[start..].find(';').map(|i| start + i).unwrap();
        assert!(
            bare[start + 2..end].chars().all(|c| c.is_ascii_digit()),
            "{text:?}"
        );
        bare.replace_range(start..=end, "");
    }
    for dangerous in [
        '[', ']', '{', '}', '@', '?', '%', '#', '/', '!', '<', '>', '&', '\n', '\r', '|', '$',
    ] {
        assert!(
            !bare.contains(dangerous),
            "{text:?} keeps a raw {dangerous:?}"
        );
    }
    assert_eq!(
        decode_roll20(&text),
        format!("{} (Discord): {}", shown_author(author), shown(content))
    );
}

fn assert_foundry_safe(author: &str, content: &str) {
    let data = to_foundry(&DiscordMessage { author, content });
    let html = data.content.replace("<br>", "\n");
    assert!(
        !html.contains(['<', '>', '"', '\'']),
        "{html:?} keeps markup"
    );
    assert!(!html.contains("[["), "{html:?} keeps an inline roll");
    let mut chars = html.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '@' {
            assert_eq!(
                chars.peek(),
                Some(&'\u{200b}'),
                "{html:?} keeps an enricher"
            );
        }
    }
    let unescaped = html
        .replace('\u{200b}', "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let expected: String = content
        .chars()
        // Zero-width spaces are compared away on both sides: the writer adds
        // them to break patterns, and one typed on Discord is invisible anyway.
        .filter(|&c| (c == '\n' || c == '\t' || !c.is_control()) && c != '\u{200b}')
        .collect();
    assert_eq!(unescaped, expected);
    assert!(data.speaker.alias.ends_with(" (Discord)"));
    assert!(!data.speaker.alias.contains('<'));
}

#[test]
fn there_are_at_least_thirty_hostile_inputs() {
    assert!(HOSTILE.len() >= 30);
}

#[test]
fn roll20_never_runs_a_discord_message() {
    for author in AUTHORS {
        for content in HOSTILE {
            assert_roll20_safe(author, content);
        }
    }
}

#[test]
fn foundry_never_renders_or_enriches_a_discord_message() {
    for author in AUTHORS {
        for content in HOSTILE {
            assert_foundry_safe(author, content);
        }
    }
}

#[test]
fn foundry_data_serializes_for_chat_message_create() {
    let data = to_foundry(&DiscordMessage {
        author: "Alice",
        content: "hi",
    });
    assert_eq!(
        serde_json::to_value(&data).unwrap(),
        serde_json::json!({"content": "hi", "speaker": {"alias": "Alice (Discord)"}, "style": 1})
    );
}

pub(crate) fn check_roll20(author: &str, content: &str) {
    assert_roll20_safe(author, content);
}

pub(crate) fn check_foundry(author: &str, content: &str) {
    assert_foundry_safe(author, content);
}
