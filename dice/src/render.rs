//! Text renderings of a roll: Markdown as Avrae users know it, and plain text.

use crate::ast::NodeKind;
use crate::display::{write_node, write_number};
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
    /// Markdown: dropped dice ~~struck~~, criticals and fumbles in **bold**,
    /// exploded dice marked `!`, and the total in backticks:
    /// ``2d20kh1 (~~12~~, **20**) + 5 = `25` ``. A comment leads, in bold.
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
            if style == Style::Markdown {
                out.write_str("**")?;
            }
            out.write_str(comment)?;
            out.write_str(match style {
                Style::Markdown => ":** ",
                Style::Plain => ": ",
            })?;
        }
        let expr = self.expr;
        write_node(expr, expr.root(), out, &mut |id, out: &mut String| {
            out.write_str(" (")?;
            match expr.node(id).kind {
                NodeKind::Group(_) => {
                    let elements = self.group_elements(id);
                    for (i, element) in elements.iter().enumerate() {
                        if i > 0 {
                            out.write_str(", ")?;
                        }
                        write_element(*element, style, out)?;
                    }
                }
                _ => {
                    // Most dice take 1 or 2 digits and a separator.
                    out.reserve(self.raw_dice(id).len() * 4);
                    let mut first = true;
                    for die in self.dice(id) {
                        if !first {
                            out.push_str(", ");
                        }
                        first = false;
                        write_die(die, style, out);
                    }
                }
            }
            out.write_char(')')
        })?;
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
