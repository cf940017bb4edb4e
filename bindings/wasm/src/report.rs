//! A roll's report, `{"expr", "total", "rolled", "markdown"}`, in the compact
//! form of [`crate::tree`], written straight from the rolled tree.
//!
//! The other exports go through serde, and this one did too; but serde's
//! map of nine keyed booleans a die cost about 1,900 instructions a die, and
//! a roll's report is what the package builds on every `roll`. Here each
//! node is one op with its fields in a fixed order, and each die is a
//! [`DIE`] op with a flag word, so JS builds each with one object literal.
//! The shape is still the dice crate's serde shape (`RollReport`): the unit
//! tests read every kind of node back as JSON text and compare it with
//! serde_json's, and the package's tests compare whole results with the CLI.

use crate::tree::{Encoder, Unsupported};
use critfumble_dice::{
    Count, Dice, Die, Faces, Group, JSON_MAX_DEPTH, NodeId, NodeKind, Reference, Rolled, UnaryOp,
};

/// A die: its value and its flags (bit `i` for `KEYS[1 + i]`: kept,
/// exploded, rerolled, added, success, failure, critical, fumble,
/// penetrated, clamped; then [`HAS_PARTS`]).
pub(crate) const DIE: f64 = 7.0;
/// A group element: its value and its flags (kept, success, failure).
pub(crate) const ELEM: f64 = 8.0;

// Every node's value and a report's total are a bare number, not a NUM:
// the roller refuses a result that is not finite.

/// A number node: its value.
pub(crate) const NUMBER_NODE: f64 = 9.0;
/// A dice node: its value, notation, count, faces, modifiers, rolled faces,
/// the number of dice, then each die as a [`DIE`].
pub(crate) const DICE_NODE: f64 = 10.0;
/// A group node: its value, the number of items, the items, its modifiers,
/// the number of elements, then each as an [`ELEM`].
pub(crate) const GROUP_NODE: f64 = 11.0;
/// A unary node: its value, its op (a string), its operand.
pub(crate) const UNARY_NODE: f64 = 12.0;
/// A binary node: its value, its op (a string), its two sides.
pub(crate) const BINARY_NODE: f64 = 13.0;
/// A call: its value, the function's name (a string), its argument.
pub(crate) const CALL_NODE: f64 = 14.0;
/// A call of several arguments: its value, the function's name (a string),
/// how many arguments, and each of them.
pub(crate) const CALL_ARGS_NODE: f64 = 18.0;
/// A reference: its value, style, name (a string) and default.
pub(crate) const REF_NODE: f64 = 15.0;
/// A labeled node: its value, label (a string) and inner node.
pub(crate) const LABELED_NODE: f64 = 16.0;
/// A roll's report: its total, its rolled tree, and its Markdown (a string);
/// JS adds `expr`, which it passed in.
pub(crate) const REPORT: f64 = 17.0;

/// The flag of a die that has compound parts: an array of them follows it.
pub(crate) const HAS_PARTS: u32 = 1 << 10;

/// Writes the report of `rolled` into `encoder`, replacing what it held.
pub(crate) fn encode_report(rolled: &Rolled<'_>, encoder: &mut Encoder) -> Result<(), Unsupported> {
    encoder.clear();
    encoder.push(REPORT);
    encoder.push(rolled.total());
    node(rolled, rolled.expr().root(), 1, encoder)?;
    encoder.string_with(|out| rolled.write_markdown(out));
    Ok(())
}

/// Writes node `id`, `depth` levels below the root, and its children. It
/// recurses, as JS does to read it, so it stops where serde does: at the
/// depth past which the dice crate's JSON is an error. Dice, groups and
/// references are written by functions of their own, which keeps this
/// frame, the one that repeats, small.
fn node(
    rolled: &Rolled<'_>,
    id: NodeId,
    depth: usize,
    encoder: &mut Encoder,
) -> Result<(), Unsupported> {
    if depth > JSON_MAX_DEPTH {
        return Err(Unsupported::too_deep());
    }
    let child = |id: NodeId, encoder: &mut Encoder| node(rolled, id, depth + 1, encoder);
    // Finite: the roller refuses a result it cannot hold (`null` in JSON).
    let value = rolled.value(id);
    debug_assert!(value.is_finite());
    match &rolled.expr().node(id).kind {
        NodeKind::Number(_) => {
            encoder.push(NUMBER_NODE);
            encoder.push(value);
        }
        NodeKind::Dice(dice) => dice_node(rolled, id, dice, depth, encoder)?,
        NodeKind::Group(group) => group_node(rolled, id, group, depth, encoder)?,
        NodeKind::Unary { op, operand } => {
            encoder.push(UNARY_NODE);
            encoder.push(value);
            encoder.string(if *op == UnaryOp::Neg { "-" } else { "+" });
            child(*operand, encoder)?;
        }
        NodeKind::Binary { op, lhs, rhs } => {
            encoder.push(BINARY_NODE);
            encoder.push(value);
            encoder.string(op.symbol());
            child(*lhs, encoder)?;
            child(*rhs, encoder)?;
        }
        NodeKind::Call { func, args } => match args.as_slice() {
            [arg] => {
                encoder.push(CALL_NODE);
                encoder.push(value);
                encoder.string(func.name());
                child(*arg, encoder)?;
            }
            _ => {
                encoder.push(CALL_ARGS_NODE);
                encoder.push(value);
                encoder.string(func.name());
                encoder.push(args.len() as f64);
                for arg in args {
                    child(*arg, encoder)?;
                }
            }
        },
        NodeKind::Ref(reference) => reference_node(value, reference, encoder)?,
        NodeKind::Labeled { inner, label } => {
            encoder.push(LABELED_NODE);
            encoder.push(value);
            encoder.string(label);
            child(*inner, encoder)?;
        }
        _ => return Err(Unsupported::unknown_term("term")),
    }
    Ok(())
}

/// A dice node, `depth` levels below the root.
fn dice_node(
    rolled: &Rolled<'_>,
    id: NodeId,
    dice: &Dice,
    depth: usize,
    encoder: &mut Encoder,
) -> Result<(), Unsupported> {
    let expr = rolled.expr();
    encoder.push(DICE_NODE);
    encoder.push(rolled.value(id));
    encoder.string_with(|out| expr.write_node_text(id, out));
    match dice.count {
        Count::Implicit => encoder.number(1.0),
        Count::Literal(n) => encoder.number(n as f64),
        Count::Computed(count) => node(rolled, count, depth + 1, encoder)?,
        _ => return Err(Unsupported::unknown_term("dice count")),
    }
    match dice.faces {
        Faces::Literal(n) => encoder.number(n as f64),
        Faces::Percent => encoder.append("%")?,
        Faces::Fate => encoder.append("F")?,
        Faces::Computed(faces) => node(rolled, faces, depth + 1, encoder)?,
        _ => return Err(Unsupported::unknown_term("die")),
    }
    modifiers(dice.modifiers.iter().map(|m| m.kind), encoder)?;
    encoder.append(&rolled.faces_label(id))?;
    dice_of(rolled, id, encoder)
}

/// A group node, `depth` levels below the root.
fn group_node(
    rolled: &Rolled<'_>,
    id: NodeId,
    group: &Group,
    depth: usize,
    encoder: &mut Encoder,
) -> Result<(), Unsupported> {
    encoder.push(GROUP_NODE);
    encoder.push(rolled.value(id));
    encoder.push(group.items.len() as f64);
    for item in &group.items {
        node(rolled, *item, depth + 1, encoder)?;
    }
    modifiers(group.modifiers.iter().map(|m| m.kind), encoder)?;
    let elements = rolled.group_elements(id);
    encoder.push(elements.len() as f64);
    for element in elements {
        let flags = u32::from(element.kept())
            | u32::from(element.success()) << 1
            | u32::from(element.failure()) << 2;
        encoder.ops.extend([ELEM, element.value, f64::from(flags)]);
    }
    Ok(())
}

/// A reference, which has no children.
fn reference_node(
    value: f64,
    reference: &Reference,
    encoder: &mut Encoder,
) -> Result<(), Unsupported> {
    encoder.push(REF_NODE);
    encoder.push(value);
    encoder.append(&reference.style)?;
    encoder.string(&reference.name);
    match reference.default {
        Some(default) => encoder.number(default),
        None => encoder.append(&())?,
    }
    Ok(())
}

/// A node's modifiers as serde writes them (an array of tagged objects).
fn modifiers<M: serde::Serialize>(
    kinds: impl ExactSizeIterator<Item = M>,
    encoder: &mut Encoder,
) -> Result<(), Unsupported> {
    encoder.array(kinds.len());
    for kind in kinds {
        encoder.append(&kind)?;
    }
    Ok(())
}

/// The dice of dice node `id`: how many, then each as a [`DIE`], followed by
/// its compound parts when it has them (gathered on the first compounded die).
fn dice_of(rolled: &Rolled<'_>, id: NodeId, encoder: &mut Encoder) -> Result<(), Unsupported> {
    let count_at = encoder.ops.len();
    encoder.push(0.0);
    let mut count = 0usize;
    let mut parts = None;
    for die in rolled.dice(id) {
        count += 1;
        let die_parts = if die.compounded() {
            parts
                .get_or_insert_with(|| rolled.compound_parts(id).into_iter())
                .next()
        } else {
            None
        };
        let flags = flags(die) | if die_parts.is_some() { HAS_PARTS } else { 0 };
        encoder
            .ops
            .extend([DIE, die.value as f64, f64::from(flags)]);
        if let Some(die_parts) = die_parts {
            encoder.append(&die_parts)?;
        }
    }
    encoder.ops[count_at] = count as f64;
    Ok(())
}

/// A die's flags, as the tree's [`DIE`] op has them: bit `i` for `KEYS[1 + i]`.
fn flags(die: Die) -> u32 {
    u32::from(die.kept())
        | u32::from(die.exploded()) << 1
        | u32::from(die.rerolled()) << 2
        | u32::from(die.added()) << 3
        | u32::from(die.success()) << 4
        | u32::from(die.failure()) << 5
        | u32::from(die.critical()) << 6
        | u32::from(die.fumble()) << 7
        | u32::from(die.penetrated()) << 8
        | u32::from(die.clamped()) << 9
}

#[cfg(test)]
mod tests;
