//! The canonical text of an [`Expr`]: `parse(expr.to_string()) == expr`.
//!
//! The canonical text spaces out operators and spells every modifier out, so
//! it can be longer than the input: a text near the length limit may print
//! past it, and then reads back only with a `max_length` that fits it.
//!
//! The same walk, with a hook after each dice term, renders rolled results.

use crate::Dialect;
use crate::ast::{
    BinaryOp, Compare, CompareOp, Count, ExplodeStyle, Expr, Faces, GroupStyle, Modifier,
    ModifierKind, NodeId, NodeKind, RefStyle, RerollStyle, Select, SortOrder, UnaryOp,
};
use crate::number::{write_f64, write_integer};
use std::fmt::{self, Write};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Through a String, so that the writer is compiled once, for String
        // (as the notation and the renderings use it): each copy costs some
        // 4 KB of the wasm build.
        let mut text = String::new();
        write_node(self, self.root(), &mut text, &mut |_, _| Ok(()))?;
        if let Some(comment) = &self.comment {
            write_comment(comment, &mut text)?;
        }
        f.write_str(&text)
    }
}

/// Writes ` "comment"` with `"` and `\` escaped.
pub(crate) fn write_comment<W: Write>(comment: &str, out: &mut W) -> fmt::Result {
    out.write_str(" \"")?;
    for c in comment.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

/// A hook called after each dice term and group is written, to append its results.
pub(crate) type Annotate<'h, W> = dyn FnMut(NodeId, &mut W) -> fmt::Result + 'h;

/// What a rendering adds to the canonical walk: each term's results after
/// it, and its own way with the text a user typed (Markdown escapes it).
pub(crate) trait Decorate<W> {
    /// Called after each dice term and group is written.
    fn after_term(&mut self, id: NodeId, out: &mut W) -> fmt::Result;
    /// Writes text the user typed: a label or a reference's name.
    fn user_text(&mut self, text: &str, out: &mut W) -> fmt::Result;
    /// Writes a binary operator's symbol.
    fn operator(&mut self, op: BinaryOp, out: &mut W) -> fmt::Result;
}

/// The canonical text, with a hook after each term.
struct Canonical<'a, 'h, W>(&'a mut Annotate<'h, W>);

impl<W: Write> Decorate<W> for Canonical<'_, '_, W> {
    fn after_term(&mut self, id: NodeId, out: &mut W) -> fmt::Result {
        (self.0)(id, out)
    }

    fn user_text(&mut self, text: &str, out: &mut W) -> fmt::Result {
        out.write_str(text)
    }

    fn operator(&mut self, op: BinaryOp, out: &mut W) -> fmt::Result {
        out.write_str(op.symbol())
    }
}

/// Writes node `id` of `expr` canonically, calling `annotate` after dice and groups.
pub(crate) fn write_node<W: Write>(
    expr: &Expr,
    id: NodeId,
    out: &mut W,
    annotate: &mut Annotate<'_, W>,
) -> fmt::Result {
    write_decorated(expr, id, out, &mut Canonical(annotate))
}

/// Writes node `id` of `expr`, decorated by `decorate`.
///
/// The chains that input can make long without nesting (sums, labels,
/// Avrae's dice of dice) are walked in loops, so that only parentheses,
/// groups, calls, signs and powers recurse, and those count toward
/// `Limits::max_depth`.
pub(crate) fn write_decorated<W: Write>(
    expr: &Expr,
    id: NodeId,
    out: &mut W,
    decorate: &mut dyn Decorate<W>,
) -> fmt::Result {
    match &expr.node(id).kind {
        NodeKind::Number(value) => write_number(*value, out),
        NodeKind::Dice(_) => {
            // `4d6d2d2` in Avrae: the innermost dice first, each outer one after it.
            let mut chain = vec![id];
            while let Some(count) = dice_of_dice_count(expr, chain[chain.len() - 1]) {
                chain.push(count);
            }
            for (i, &dice_id) in chain.iter().rev().enumerate() {
                let NodeKind::Dice(dice) = &expr.node(dice_id).kind else {
                    continue;
                };
                match dice.count {
                    Count::Implicit => {}
                    Count::Literal(n) => write_integer(n, out)?,
                    // Written just before, as the previous link of the chain.
                    Count::Computed(_) if i > 0 => {}
                    Count::Computed(count) => write_parenthesized(expr, count, out, decorate)?,
                }
                out.write_char('d')?;
                match dice.faces {
                    Faces::Literal(n) => write_integer(n, out)?,
                    Faces::Percent => out.write_char('%')?,
                    Faces::Fate => out.write_char('F')?,
                    Faces::Computed(faces) => write_parenthesized(expr, faces, out, decorate)?,
                }
                write_modifiers(&dice.modifiers, expr.dialect, out)?;
                decorate.after_term(dice_id, out)?;
            }
            Ok(())
        }
        NodeKind::Group(group) => {
            let set = group.style == GroupStyle::Set;
            out.write_char(if set { '(' } else { '{' })?;
            for (i, item) in group.items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_decorated(expr, *item, out, decorate)?;
            }
            // `(7,)`: a set of one keeps its comma, or it reads as `(7)`.
            if set && group.items.len() == 1 {
                out.write_char(',')?;
            }
            out.write_char(if set { ')' } else { '}' })?;
            write_modifiers(&group.modifiers, expr.dialect, out)?;
            decorate.after_term(id, out)
        }
        NodeKind::Unary { op, operand } => {
            out.write_char(match op {
                UnaryOp::Neg => '-',
                UnaryOp::Plus => '+',
            })?;
            let wrap = matches!(&expr.node(*operand).kind,
                NodeKind::Binary { op, .. } if op.precedence() < 4);
            write_maybe_parenthesized(expr, *operand, wrap, out, decorate)
        }
        NodeKind::Binary { .. } => {
            // Walk down the left spine without recursing, so that a sum of
            // thousands of terms prints without exhausting the stack.
            let mut chain = Vec::new();
            let mut left = id;
            while let NodeKind::Binary { op, lhs, rhs } = &expr.node(left).kind {
                chain.push((*op, *rhs));
                left = *lhs;
                let lhs_wraps = match &expr.node(left).kind {
                    NodeKind::Binary { op: inner, .. } => {
                        inner.precedence() < op.precedence()
                            || (op.precedence() == 4 && inner.precedence() == 4)
                    }
                    NodeKind::Unary { .. } => op.precedence() == 4,
                    _ => false,
                };
                if lhs_wraps {
                    break;
                }
            }
            let (innermost_op, _) = chain[chain.len() - 1];
            let left_wraps = match &expr.node(left).kind {
                NodeKind::Binary { op: inner, .. } => {
                    inner.precedence() < innermost_op.precedence()
                        || (innermost_op.precedence() == 4 && inner.precedence() == 4)
                }
                NodeKind::Unary { .. } => innermost_op.precedence() == 4,
                _ => false,
            };
            write_maybe_parenthesized(expr, left, left_wraps, out, decorate)?;
            for (op, rhs) in chain.into_iter().rev() {
                let precedence = op.precedence();
                let rhs_wraps = match &expr.node(rhs).kind {
                    NodeKind::Binary { op: inner, .. } => {
                        inner.precedence() < precedence
                            || (inner.precedence() == precedence && precedence != 4)
                    }
                    _ => false,
                };
                out.write_char(' ')?;
                decorate.operator(op, out)?;
                out.write_char(' ')?;
                write_maybe_parenthesized(expr, rhs, rhs_wraps, out, decorate)?;
            }
            Ok(())
        }
        NodeKind::Call { func, args } => {
            out.write_str(func.name())?;
            out.write_char('(')?;
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_decorated(expr, *arg, out, decorate)?;
            }
            out.write_char(')')
        }
        NodeKind::Ref(reference) => match reference.style {
            RefStyle::Query => {
                out.write_str("?{")?;
                decorate.user_text(&reference.name, out)?;
                if let Some(default) = reference.default {
                    out.write_char('|')?;
                    write_number(default, out)?;
                }
                out.write_char('}')
            }
            RefStyle::Attribute => {
                out.write_str("@{")?;
                decorate.user_text(&reference.name, out)?;
                out.write_char('}')
            }
            RefStyle::Path => {
                out.write_char('@')?;
                decorate.user_text(&reference.name, out)
            }
        },
        NodeKind::Labeled { .. } => {
            // `1[a][b][c]`: down the chain of labels to the labelled term, in
            // a loop, then the labels from the innermost out.
            let mut labels = Vec::new();
            let mut inner = id;
            while let NodeKind::Labeled { inner: next, label } = &expr.node(inner).kind {
                labels.push(label.as_str());
                inner = *next;
            }
            let wrap = matches!(
                &expr.node(inner).kind,
                NodeKind::Binary { .. } | NodeKind::Unary { .. }
            );
            write_maybe_parenthesized(expr, inner, wrap, out, decorate)?;
            for label in labels.into_iter().rev() {
                out.write_char('[')?;
                decorate.user_text(label, out)?;
                out.write_char(']')?;
            }
            Ok(())
        }
    }
}

/// The count of dice node `id` when it is dice itself and prints bare, as
/// Avrae reads `4d6d2` (dice of dice): no parentheses, so a long chain of
/// them is no deeper than one term.
fn dice_of_dice_count(expr: &Expr, id: NodeId) -> Option<NodeId> {
    match &expr.node(id).kind {
        NodeKind::Dice(dice) => match dice.count {
            Count::Computed(count)
                if expr.dialect.d_after_dice_is_dice()
                    && matches!(expr.node(count).kind, NodeKind::Dice(_)) =>
            {
                Some(count)
            }
            _ => None,
        },
        _ => None,
    }
}

fn write_parenthesized<W: Write>(
    expr: &Expr,
    id: NodeId,
    out: &mut W,
    decorate: &mut dyn Decorate<W>,
) -> fmt::Result {
    write_maybe_parenthesized(expr, id, true, out, decorate)
}

fn write_maybe_parenthesized<W: Write>(
    expr: &Expr,
    id: NodeId,
    wrap: bool,
    out: &mut W,
    decorate: &mut dyn Decorate<W>,
) -> fmt::Result {
    if wrap {
        out.write_char('(')?;
    }
    write_decorated(expr, id, out, decorate)?;
    if wrap {
        out.write_char(')')?;
    }
    Ok(())
}

/// Writes a number as it would be typed: `3`, `2.5`, `-1`.
pub(crate) fn write_number<W: Write>(value: f64, out: &mut W) -> fmt::Result {
    if value.fract() == 0.0 && value.abs() < 1e16 {
        write_integer(value as i64, out)
    } else {
        write_f64(value, out)
    }
}

fn write_modifiers<W: Write>(modifiers: &[Modifier], dialect: Dialect, out: &mut W) -> fmt::Result {
    for (i, modifier) in modifiers.iter().enumerate() {
        let bare_explode = matches!(
            modifier.kind,
            ModifierKind::Explode {
                style: ExplodeStyle::Explode,
                on: None,
                cap: None,
            }
        );
        let next_char = || {
            modifiers
                .get(i + 1)
                .and_then(|next| first_char(next.kind, dialect))
        };
        // `!` followed by `!` or `p` would read as `!!` or `!p`: write it as `x` there.
        if bare_explode && matches!(next_char(), Some('!' | 'p')) {
            out.write_char('x')?;
        } else if let ModifierKind::Matches {
            min_count: 2,
            on: None,
            total,
        } = modifier.kind
            && next_char().is_some_and(|c| c.is_ascii_alphabetic())
        {
            // `m` or `mt` followed by a letter would read as another modifier (`m` then
            // `sa` as `ms`): write the set size, which is otherwise left out, there.
            out.write_str(if total { "mt2" } else { "m2" })?;
        } else {
            write_modifier(modifier.kind, dialect, out)?;
        }
    }
    Ok(())
}

/// The first character of a modifier's text.
fn first_char(kind: ModifierKind, dialect: Dialect) -> Option<char> {
    /// Keeps the first character written to it.
    struct FirstChar(Option<char>);
    impl Write for FirstChar {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.or_else(|| s.chars().next());
            Ok(())
        }
    }
    let mut first = FirstChar(None);
    write_modifier(kind, dialect, &mut first).ok()?;
    first.0
}

/// Writes one modifier. A `dyn Write`, unlike the walk: one copy of the
/// modifiers' spelling keeps the wasm build smaller.
fn write_modifier(kind: ModifierKind, dialect: Dialect, out: &mut dyn Write) -> fmt::Result {
    let d20 = dialect.d_after_dice_is_dice();
    match kind {
        ModifierKind::Keep(select) => write_select("k", "kh", "kl", select, out),
        ModifierKind::Drop(select) if d20 => write_select("p", "ph", "pl", select, out),
        ModifierKind::Drop(select) => write_select("p", "dh", "dl", select, out),
        ModifierKind::Explode { style, on, cap } => {
            out.write_str(match style {
                // d20 refuses `!`: it spells explosion `e`.
                ExplodeStyle::Explode if d20 => "e",
                ExplodeStyle::Explode => "!",
                ExplodeStyle::Once => "xo",
                ExplodeStyle::Compound => "!!",
                ExplodeStyle::Penetrate => "!p",
            })?;
            write_capped_compare(cap, on, out)
        }
        ModifierKind::Reroll { style, on, cap } => {
            out.write_str(match style {
                RerollStyle::Once => "ro",
                RerollStyle::Until => "rr",
                RerollStyle::Add => "ra",
            })?;
            write_capped_compare(cap, on, out)
        }
        ModifierKind::Min(v) => write_tagged_integer("min", v, out),
        ModifierKind::Max(v) => write_tagged_integer("max", v, out),
        // In Roll20 `cs` sets the critical range, so successes take its bare form.
        ModifierKind::CountSuccesses(c) if dialect.cs_cf_are_critical_ranges() => {
            write_compare("", c, out)
        }
        ModifierKind::CountSuccesses(c) => write_compare("cs", c, out),
        ModifierKind::CriticalSuccess(c) => write_compare("cs", c, out),
        ModifierKind::CriticalFailure(c) => write_compare("cf", c, out),
        ModifierKind::CountFailures(c) => write_compare("cf", c, out),
        ModifierKind::DeductFailures(c) => write_compare("f", c, out),
        ModifierKind::DeductNonSuccesses => out.write_str("df"),
        ModifierKind::SubtractFailures(c) => write_compare("sf", c, out),
        ModifierKind::MarginOfSuccess(c) => write_compare("ms", c, out),
        ModifierKind::Matches {
            min_count,
            on,
            total,
        } => {
            out.write_str(if total { "mt" } else { "m" })?;
            if min_count != 2 {
                write_integer(min_count, out)?;
            }
            match on {
                Some(c) => write_compare("", c, out),
                None => Ok(()),
            }
        }
        ModifierKind::CountEven => out.write_str("even"),
        ModifierKind::CountOdd => out.write_str("odd"),
        ModifierKind::Sort(SortOrder::Ascending) => out.write_str("sa"),
        ModifierKind::Sort(SortOrder::Descending) => out.write_str("sd"),
    }
}

fn write_select(
    by_value: &str,
    high: &str,
    low: &str,
    select: Select,
    out: &mut dyn Write,
) -> fmt::Result {
    match select {
        Select::Highest(n) => write_tagged_integer(high, n, out),
        Select::Lowest(n) => write_tagged_integer(low, n, out),
        Select::Matching(c) => write_compare(by_value, c, out),
    }
}

fn write_tagged_integer(tag: &str, n: impl itoa::Integer, out: &mut dyn Write) -> fmt::Result {
    out.write_str(tag)?;
    write_integer(n, out)
}

/// `tag` and the compare point, always with its operator: `cs>=5`, `=3`.
fn write_compare(tag: &str, c: Compare, out: &mut dyn Write) -> fmt::Result {
    out.write_str(tag)?;
    out.write_str(c.op.symbol())?;
    write_integer(c.value, out)
}

/// Foundry's cap and its compare point (`2>=7` in `x2>=7`), whose operator
/// is always written so that the cap reads as one; or, with no cap, the
/// compare point as [`write_bare_compare`] writes it.
fn write_capped_compare(cap: Option<u64>, on: Option<Compare>, out: &mut dyn Write) -> fmt::Result {
    match (cap, on) {
        (Some(cap), Some(c)) => {
            write_integer(cap, out)?;
            write_compare("", c, out)
        }
        _ => write_bare_compare(on, out),
    }
}

/// Like [`write_compare`] with no tag, but equality is a bare number: `!6`, `ro1`.
fn write_bare_compare(on: Option<Compare>, out: &mut dyn Write) -> fmt::Result {
    match on {
        None => Ok(()),
        Some(c) if c.op == CompareOp::Eq && c.value >= 0 => write_integer(c.value, out),
        Some(c) => write_compare("", c, out),
    }
}
