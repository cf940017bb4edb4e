//! Text renderings of a roll: Markdown as Avrae users know it, and plain text.

mod markdown;

pub use markdown::escape_markdown;

use crate::ast::{BinaryOp, NodeId, NodeKind};
use crate::display::{Decorate, write_decorated, write_number};
use crate::number::write_integer;
use crate::rolled::{Die, GroupElement, Rolled, flag};
use std::fmt::{self, Write};

/// How dice results are decorated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Markdown,
    Plain,
}

impl Rolled<'_> {
    /// Discord's Markdown: dropped dice ~~struck~~, criticals and fumbles in
    /// **bold**, exploded dice marked `!`, and the total in backticks:
    /// ``2d20kh1 (~~12~~, **20**) + 5 = `25` ``. A comment leads, in bold.
    ///
    /// What the user typed (the comment, labels, reference names) goes
    /// through [`escape_markdown`], so it shows as typed: it makes no link,
    /// formatting or mention.
    ///
    /// ```
    /// use critfumble_dice::{parse, replay, RollOptions};
    /// let expr = parse("1d20 \"[free gold](https://evil)\"")?;
    /// let rolled = replay(&expr, &[7], &RollOptions::default())?;
    /// assert_eq!(rolled.markdown(), r"**\[free gold\]\(https\://evil\):** 1d20 (7) = `7`");
    /// # Ok::<(), critfumble_dice::DiceError>(())
    /// ```
    pub fn markdown(&self) -> String {
        self.render(Style::Markdown)
    }

    /// Appends the [`markdown`](Rolled::markdown) to `out`, without a String
    /// of its own.
    ///
    /// ```
    /// use critfumble_dice::{parse, replay, RollOptions};
    /// let expr = parse("1d20 + 5")?;
    /// let rolled = replay(&expr, &[20], &RollOptions::default())?;
    /// let mut out = String::from("> ");
    /// rolled.write_markdown(&mut out);
    /// assert_eq!(out, "> 1d20 (**20**) + 5 = `25`");
    /// # Ok::<(), critfumble_dice::DiceError>(())
    /// ```
    pub fn write_markdown(&self, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = self.write(Style::Markdown, out);
    }

    /// Plain text: dropped or rerolled dice in brackets, exploded dice marked `!`:
    /// `2d20kh1 ([12], 20) + 5 = 25`.
    pub fn plain(&self) -> String {
        self.render(Style::Plain)
    }

    fn render(&self, style: Style) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(style, &mut out);
        out
    }

    fn write(&self, style: Style, out: &mut String) -> fmt::Result {
        if let Some(comment) = self.expr.comment() {
            match style {
                Style::Markdown => {
                    out.write_str("**")?;
                    escape_markdown(comment, out);
                    out.write_str(":** ")?;
                }
                Style::Plain => {
                    out.write_str(comment)?;
                    out.write_str(": ")?;
                }
            }
        }
        let expr = self.expr;
        write_decorated(
            expr,
            expr.root(),
            out,
            &mut Results {
                rolled: self,
                style,
            },
        )?;
        out.write_str(" = ")?;
        if style == Style::Markdown {
            out.write_char('`')?;
        }
        write_number(self.total(), out)?;
        if style == Style::Markdown {
            out.write_char('`')?;
        }
        Ok(())
    }
}

/// The walk's decoration for a rendering: each term's results after it, and
/// in Markdown what the user typed escaped.
struct Results<'a, 'e> {
    rolled: &'a Rolled<'e>,
    style: Style,
}

impl Decorate<String> for Results<'_, '_> {
    fn after_term(&mut self, id: NodeId, out: &mut String) -> fmt::Result {
        let rolled = self.rolled;
        out.write_str(" (")?;
        match rolled.expr.node(id).kind {
            NodeKind::Group(_) => {
                let elements = rolled.group_elements(id);
                for (i, element) in elements.iter().enumerate() {
                    if i > 0 {
                        out.write_str(", ")?;
                    }
                    write_element(*element, self.style, out)?;
                }
            }
            _ => {
                // Most dice take 1 or 2 digits and a separator.
                out.reserve(rolled.raw_dice(id).len() * 4);
                let mut first = true;
                for die in rolled.dice(id) {
                    if !first {
                        out.push_str(", ");
                    }
                    first = false;
                    write_die(die, self.style, out);
                }
            }
        }
        out.write_char(')')
    }

    fn user_text(&mut self, text: &str, out: &mut String) -> fmt::Result {
        match self.style {
            Style::Markdown => escape_markdown(text, out),
            Style::Plain => out.push_str(text),
        }
        Ok(())
    }

    fn operator(&mut self, op: BinaryOp, out: &mut String) -> fmt::Result {
        // A bare `**` would pair with the next bold die or power as bold.
        out.write_str(match (self.style, op) {
            (Style::Markdown, BinaryOp::Pow) => "\\*\\*",
            _ => op.symbol(),
        })
    }
}

fn write_die(die: Die, style: Style, out: &mut String) {
    let gone = die.has(flag::DROPPED | flag::REROLLED);
    let bold = !gone && (die.critical() || die.fumble()) && !die.compounded();
    let (open, close) = match (style, gone, bold) {
        (Style::Markdown, true, _) => ("~~", "~~"),
        (Style::Markdown, false, true) => ("**", "**"),
        (Style::Plain, true, _) => ("[", "]"),
        _ => ("", ""),
    };
    if !open.is_empty() {
        out.push_str(open);
    }
    match u8::try_from(die.value) {
        // Nearly every die: one or two digits, pushed as bytes.
        Ok(value @ 0..=99) => {
            if value >= 10 {
                out.push(char::from(b'0' + value / 10));
            }
            out.push(char::from(b'0' + value % 10));
        }
        _ => {
            // Writing to a String cannot fail.
            let _ = write_integer(die.value, out);
        }
    }
    if !close.is_empty() {
        out.push_str(close);
    }
    if die.exploded() {
        out.push('!');
    }
}

fn write_element(element: GroupElement, style: Style, out: &mut String) -> fmt::Result {
    let (open, close) = match (style, element.kept()) {
        (_, true) => ("", ""),
        (Style::Markdown, false) => ("~~", "~~"),
        (Style::Plain, false) => ("[", "]"),
    };
    out.write_str(open)?;
    write_number(element.value, out)?;
    out.write_str(close)
}
