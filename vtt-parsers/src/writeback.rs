//! Writing Discord messages back into a VTT's chat without letting them run as commands.
//!
//! - Roll20 reads chat as commands: a leading `/` (`/w`, `/em`, `/roll`,
//!   `/direct`) or `!` (API scripts), `[[ ]]` inline rolls, `@{}` attributes,
//!   `?{}` queries, `%{}` abilities, `#macros` and `&{template:}`; it also renders
//!   HTML. [`to_roll20`] writes every one of those characters as an HTML
//!   character reference, which Roll20 shows as the character but never
//!   evaluates, and flattens line breaks.
//! - Foundry renders `content` as HTML and enriches its text (`[[/r 1d20]]`
//!   roll buttons, `@UUID[...]` links, `@Check[...]`). [`to_foundry`] escapes
//!   the HTML and puts a zero-width space inside `[[` and after `@`, since the
//!   enrichers see decoded text.

use serde::Serialize;

/// A chat message from Discord, to be relayed into a VTT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscordMessage<'a> {
    /// The author's display name on Discord.
    pub author: &'a str,
    /// The message text as typed on Discord.
    pub content: &'a str,
}

/// Zero-width space: breaks a pattern without changing what the reader sees.
const BREAK: char = '\u{200b}';

/// The name shown for an author whose name is empty or blank.
const NAMELESS: &str = "Discord user";

/// The author's name, trimmed, or [`NAMELESS`] when blank.
fn author_name(author: &str) -> &str {
    let trimmed = author.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if trimmed.is_empty() {
        NAMELESS
    } else {
        trimmed
    }
}

/// The chat text that the extension types into Roll20: `Alice (Discord): ...`.
///
/// A blank author is shown as `Discord user`.
///
/// ```
/// use critfumble_vtt::{DiscordMessage, to_roll20};
///
/// let text = to_roll20(&DiscordMessage { author: "Alice", content: "/roll [[1d20]]" });
/// assert_eq!(text, "Alice (Discord): &#47;roll &#91;&#91;1d20&#93;&#93;");
/// ```
pub fn to_roll20(message: &DiscordMessage<'_>) -> String {
    let mut out = String::with_capacity(message.author.len() + message.content.len() + 16);
    push_roll20(&mut out, author_name(message.author));
    out.push_str(" (Discord): ");
    push_roll20(&mut out, message.content);
    out
}

fn push_roll20(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '[' | ']' | '{' | '}' | '@' | '?' | '%' | '#' | '/' | '!' | '|' | '*' | '`' | '\\'
            | '~' | '$' | '=' => {
                out.push_str("&#");
                out.push_str(&u32::from(c).to_string());
                out.push(';');
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// The speaker of a relayed Foundry message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundrySpeaker {
    /// The name shown above the message.
    pub alias: String,
}

/// The data for Foundry's `ChatMessage.create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundryChatData {
    /// The message HTML, escaped.
    pub content: String,
    /// Who the message is shown as.
    pub speaker: FoundrySpeaker,
    /// Foundry's message style: 1 is out-of-character (`CONST.CHAT_MESSAGE_STYLES.OOC`).
    pub style: u8,
}

/// Foundry's out-of-character message style.
const STYLE_OOC: u8 = 1;

/// The `ChatMessage.create` data for a Discord message, with HTML-escaped content.
///
/// ```
/// use critfumble_vtt::{DiscordMessage, to_foundry};
///
/// let data = to_foundry(&DiscordMessage { author: "Bob", content: "<b>hi</b> [[1d20]]" });
/// assert_eq!(data.content, "&lt;b&gt;hi&lt;/b&gt; [\u{200b}[1d20]]");
/// assert_eq!(data.speaker.alias, "Bob (Discord)");
/// ```
pub fn to_foundry(message: &DiscordMessage<'_>) -> FoundryChatData {
    let mut alias = String::with_capacity(message.author.len() + 10);
    push_foundry(&mut alias, author_name(message.author));
    alias.push_str(" (Discord)");
    let mut content = String::with_capacity(message.content.len() + 16);
    push_foundry(&mut content, message.content);
    FoundryChatData {
        content,
        speaker: FoundrySpeaker { alias },
        style: STYLE_OOC,
    }
}

fn push_foundry(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Compare with what was written, not what was read: a dropped control
            // character between two brackets must not join them into `[[`.
            '[' if out.ends_with('[') => {
                out.push(BREAK);
                out.push('[');
            }
            '@' => {
                out.push('@');
                out.push(BREAK);
            }
            '\r' => {}
            '\n' => out.push_str("<br>"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roll20_prefix_and_escapes() {
        let text = to_roll20(&DiscordMessage {
            author: "!admin",
            content: "hi\n/w gm &{template:default}",
        });
        assert_eq!(
            text,
            "&#33;admin (Discord): hi &#47;w gm &amp;&#123;template:default&#125;"
        );
    }

    #[test]
    fn dropped_characters_do_not_join_brackets() {
        let data = to_foundry(&DiscordMessage {
            author: "A",
            content: "[\u{81}[1d20]\r]",
        });
        assert_eq!(data.content, "[\u{200b}[1d20]]");
    }

    #[test]
    fn foundry_breaks_enrichers() {
        let data = to_foundry(&DiscordMessage {
            author: "A",
            content: "@UUID[Actor.x]{Bob} [[[/r 1d6]]]\nnext",
        });
        assert_eq!(
            data.content,
            "@\u{200b}UUID[Actor.x]{Bob} [\u{200b}[\u{200b}[/r 1d6]]]<br>next"
        );
        assert_eq!(data.style, 1);
    }
}
