//! The canonical text of an [`Expr`]: `parse(expr.to_string()) == expr`.
//!
//! The canonical text spaces out operators and spells every modifier out, so
//! it can be longer than the input: a text near the length limit may print
//! past it, and then reads back only with a `max_length` that fits it.
//!
//! The same walk, with a hook after each dice term, renders rolled results.

use crate::Dialect;
use crate::ast::{
    Compare, CompareOp, Count, ExplodeStyle, Expr, Faces, Modifier, ModifierKind, NodeId, NodeKind,
    RefStyle, RerollStyle, Select, SortOrder, UnaryOp,
};
use std::fmt::{self, Write};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(self, self.root(), f, &mut |_, _| Ok(()))?;
        if let Some(comment) = &self.comment {
            write_comment(comment, f)?;
        }
        Ok(())
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

/// Writes node `id` of `expr` canonically, calling `annotate` after dice and groups.
pub(crate) fn write_node<W: Write>(
    expr: &Expr,
    id: NodeId,
    out: &mut W,
    annotate: &mut Annotate<'_, W>,
) -> fmt::Result {
    match &expr.node(id).kind {
        NodeKind::Number(value) => write_number(*value, out),
        NodeKind::Dice(dice) => {
            match dice.count {
                Count::Implicit => {}
                Count::Literal(n) => write!(out, "{n}")?,
                // Avrae reads `4d6d2` as dice of dice, so it needs no parentheses
                // (and a long chain of them stays within the depth limit).
                Count::Computed(count)
                    if expr.dialect.d_after_dice_is_dice()
                        && matches!(expr.node(count).kind, NodeKind::Dice(_)) =>
                {
                    write_node(expr, count, out, annotate)?
                }
                Count::Computed(count) => write_parenthesized(expr, count, out, annotate)?,
            }
            out.write_char('d')?;
            match dice.faces {
                Faces::Literal(n) => write!(out, "{n}")?,
                Faces::Percent => out.write_char('%')?,
                Faces::Fate => out.write_char('F')?,
                Faces::Computed(faces) => write_parenthesized(expr, faces, out, annotate)?,
            }
            write_modifiers(&dice.modifiers, expr.dialect, out)?;
            annotate(id, out)
        }
        NodeKind::Group(group) => {
            out.write_char('{')?;
            for (i, item) in group.items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_node(expr, *item, out, annotate)?;
            }
            out.write_char('}')?;
            write_modifiers(&group.modifiers, expr.dialect, out)?;
            annotate(id, out)
        }
        NodeKind::Unary { op, operand } => {
            out.write_char(match op {
                UnaryOp::Neg => '-',
                UnaryOp::Plus => '+',
            })?;
            let wrap = matches!(&expr.node(*operand).kind,
                NodeKind::Binary { op, .. } if op.precedence() < 4);
            write_maybe_parenthesized(expr, *operand, wrap, out, annotate)
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
            write_maybe_parenthesized(expr, left, left_wraps, out, annotate)?;
            for (op, rhs) in chain.into_iter().rev() {
                let precedence = op.precedence();
                let rhs_wraps = match &expr.node(rhs).kind {
                    NodeKind::Binary { op: inner, .. } => {
                        inner.precedence() < precedence
                            || (inner.precedence() == precedence && precedence != 4)
                    }
                    _ => false,
                };
                write!(out, " {} ", op.symbol())?;
                write_maybe_parenthesized(expr, rhs, rhs_wraps, out, annotate)?;
            }
            Ok(())
        }
        NodeKind::Call { func, arg } => {
            out.write_str(func.name())?;
            write_parenthesized(expr, *arg, out, annotate)
        }
        NodeKind::Ref(reference) => match reference.style {
            RefStyle::Query => {
                write!(out, "?{{{}", reference.name)?;
                if let Some(default) = reference.default {
                    out.write_char('|')?;
                    write_number(default, out)?;
                }
                out.write_char('}')
            }
            RefStyle::Attribute => write!(out, "@{{{}}}", reference.name),
            RefStyle::Path => write!(out, "@{}", reference.name),
        },
        NodeKind::Labeled { inner, label } => {
            let wrap = matches!(
                &expr.node(*inner).kind,
                NodeKind::Binary { .. } | NodeKind::Unary { .. }
            );
            write_maybe_parenthesized(expr, *inner, wrap, out, annotate)?;
            write!(out, "[{label}]")
        }
    }
}

fn write_parenthesized<W: Write>(
    expr: &Expr,
    id: NodeId,
    out: &mut W,
    annotate: &mut Annotate<'_, W>,
) -> fmt::Result {
    write_maybe_parenthesized(expr, id, true, out, annotate)
}

fn write_maybe_parenthesized<W: Write>(
    expr: &Expr,
    id: NodeId,
    wrap: bool,
    out: &mut W,
    annotate: &mut Annotate<'_, W>,
) -> fmt::Result {
    if wrap {
        out.write_char('(')?;
    }
    write_node(expr, id, out, annotate)?;
    if wrap {
        out.write_char(')')?;
    }
    Ok(())
}

/// Writes a number as it would be typed: `3`, `2.5`, `-1`.
pub(crate) fn write_number<W: Write>(value: f64, out: &mut W) -> fmt::Result {
    if value.fract() == 0.0 && value.abs() < 1e16 {
        write!(out, "{}", value as i64)
    } else {
        write!(out, "{value}")
    }
}

fn write_modifiers<W: Write>(modifiers: &[Modifier], dialect: Dialect, out: &mut W) -> fmt::Result {
    let texts: Vec<String> = modifiers
        .iter()
        .map(|m| modifier_text(m.kind, dialect))
        .collect();
    for (i, text) in texts.iter().enumerate() {
        let next = texts.get(i + 1).and_then(|t| t.chars().next());
        let bare_explode = matches!(
            modifiers[i].kind,
            ModifierKind::Explode {
                style: ExplodeStyle::Explode,
                on: None
            }
        );
        // `!` followed by `!` or `p` would read as `!!` or `!p`: write it as `x` there.
        if bare_explode && matches!(next, Some('!' | 'p')) {
            out.write_char('x')?;
        } else {
            out.write_str(text)?;
        }
    }
    Ok(())
}

fn modifier_text(kind: ModifierKind, dialect: Dialect) -> String {
    let d20 = dialect.d_after_dice_is_dice();
    match kind {
        ModifierKind::Keep(select) => select_text("k", "kh", "kl", select),
        ModifierKind::Drop(select) if d20 => select_text("p", "ph", "pl", select),
        ModifierKind::Drop(select) => select_text("p", "dh", "dl", select),
        ModifierKind::Explode { style, on } => {
            let tag = match style {
                ExplodeStyle::Explode => "!",
                ExplodeStyle::Once => "xo",
                ExplodeStyle::Compound => "!!",
                ExplodeStyle::Penetrate => "!p",
            };
            format!("{tag}{}", on.map(bare_compare).unwrap_or_default())
        }
        ModifierKind::Reroll { style, on } => {
            let tag = match style {
                RerollStyle::Once => "ro",
                RerollStyle::Until => "rr",
                RerollStyle::Add => "ra",
            };
            format!("{tag}{}", on.map(bare_compare).unwrap_or_default())
        }
        ModifierKind::Min(v) => format!("min{v}"),
        ModifierKind::Max(v) => format!("max{v}"),
        // In Roll20 `cs` sets the critical range, so successes take its bare form.
        ModifierKind::CountSuccesses(c) if dialect.cs_cf_are_critical_ranges() => compare_text(c),
        ModifierKind::CountSuccesses(c) => format!("cs{}", compare_text(c)),
        ModifierKind::CriticalSuccess(c) => format!("cs{}", compare_text(c)),
        ModifierKind::CriticalFailure(c) => format!("cf{}", compare_text(c)),
        ModifierKind::CountFailures(c) => format!("cf{}", compare_text(c)),
        ModifierKind::DeductFailures(c) => format!("f{}", compare_text(c)),
        ModifierKind::SubtractFailures(c) => format!("sf{}", compare_text(c)),
        ModifierKind::MarginOfSuccess(c) => format!("ms{}", compare_text(c)),
        ModifierKind::CountEven => "even".to_string(),
        ModifierKind::CountOdd => "odd".to_string(),
        ModifierKind::Sort(SortOrder::Ascending) => "sa".to_string(),
        ModifierKind::Sort(SortOrder::Descending) => "sd".to_string(),
    }
}

fn select_text(by_value: &str, high: &str, low: &str, select: Select) -> String {
    match select {
        Select::Highest(n) => format!("{high}{n}"),
        Select::Lowest(n) => format!("{low}{n}"),
        Select::Matching(c) => format!("{by_value}{}", compare_text(c)),
    }
}

/// `>=5`, `=3`: always with its operator.
pub(crate) fn compare_text(c: Compare) -> String {
    format!("{}{}", c.op.symbol(), c.value)
}

/// Like [`compare_text`], but equality is a bare number: `!6`, `ro1`.
fn bare_compare(c: Compare) -> String {
    if c.op == CompareOp::Eq && c.value >= 0 {
        c.value.to_string()
    } else {
        compare_text(c)
    }
}
