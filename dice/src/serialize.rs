//! serde for the parsed tree ([`Expr`]) and the rolled tree ([`Rolled`]),
//! snake_case, and the reports of the CLI and the wasm package (feature
//! `serde`).

use crate::ast::{Count, Dice, Expr, Faces, Group, NodeId, NodeKind, UnaryOp};
use crate::display::write_node;
use crate::rolled::{Die, GroupElement, Rolled};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// How deep the nodes of a tree may nest in its JSON; a deeper tree (a sum
/// of more terms, written left to right) fails to serialize with an error.
///
/// serde nests a value inside its parent by recursion, so an unbounded tree
/// could exhaust the stack; and serde_json reads at most 128 levels of
/// nesting by default (as do servers built on it, Core among them). Each
/// node is one level, with at most six more around and below it (the
/// report, a dice node's dice and their compound parts, a modifier), so
/// JSON written within this limit reads back.
pub const JSON_MAX_DEPTH: usize = 120;

/// A number as JSON: integers without a fraction, so a total of 25 is `25`.
#[derive(Clone, Copy)]
pub(crate) struct Number(pub(crate) f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

/// A bound of [`crate::Bounds`]: a number as [`Number`] writes it, or `null`.
pub(crate) fn bound<S: Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    value.map(Number).serialize(s)
}

/// One node of a tree, parsed only or rolled, `depth` levels below the root.
struct NodeView<'a, 'e> {
    expr: &'e Expr,
    rolled: Option<&'a Rolled<'e>>,
    id: NodeId,
    depth: usize,
}

impl<'a, 'e> NodeView<'a, 'e> {
    fn root(expr: &'e Expr, rolled: Option<&'a Rolled<'e>>) -> NodeView<'a, 'e> {
        NodeView {
            expr,
            rolled,
            id: expr.root(),
            depth: 1,
        }
    }

    fn child(&self, id: NodeId) -> NodeView<'a, 'e> {
        NodeView {
            expr: self.expr,
            rolled: self.rolled,
            id,
            depth: self.depth + 1,
        }
    }
}

impl Serialize for NodeView<'_, '_> {
    /// The frame of this function repeats once per level of nesting, so it
    /// holds only what leads to a child: every other entry is written by
    /// [`NodeView::leaf_entries`], and dice and groups by their own.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.depth > JSON_MAX_DEPTH {
            return Err(too_deep());
        }
        let mut map = s.serialize_map(None)?;
        self.leaf_entries(&mut map)?;
        match &self.expr.node(self.id).kind {
            NodeKind::Dice(dice) => self.dice_entries(dice, &mut map)?,
            NodeKind::Group(group) => self.group_entries(group, &mut map)?,
            NodeKind::Unary { operand: inner, .. } | NodeKind::Labeled { inner, .. } => {
                self.child_entry(inner, &mut map)?
            }
            // One argument under `arg`, as before functions took several;
            // several under `args`.
            NodeKind::Call { args, .. } => match args.as_slice() {
                [inner] => self.child_entry(inner, &mut map)?,
                _ => {
                    let args: Vec<_> = args.iter().map(|id| self.child(*id)).collect();
                    map.serialize_entry("args", &args)?;
                }
            },
            NodeKind::Binary { lhs, rhs, .. } => {
                map.serialize_entry("lhs", &self.child(*lhs))?;
                map.serialize_entry("rhs", &self.child(*rhs))?;
            }
            NodeKind::Number(_) | NodeKind::Ref(_) => {}
        }
        map.end()
    }
}

/// The error of a tree nested deeper than [`JSON_MAX_DEPTH`].
#[cold]
fn too_deep<E: serde::ser::Error>() -> E {
    E::custom(format_args!(
        "the expression nests more than {JSON_MAX_DEPTH} terms deep, too deep for JSON"
    ))
}

impl NodeView<'_, '_> {
    /// The entries of the node up to its first child: its type and value,
    /// and all of a number, a reference, or an operator or label.
    fn leaf_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let kind = &self.expr.node(self.id).kind;
        map.serialize_entry(
            "type",
            match kind {
                NodeKind::Number(_) => "number",
                NodeKind::Dice(_) => "dice",
                NodeKind::Group(_) => "group",
                NodeKind::Unary { .. } => "unary",
                NodeKind::Binary { .. } => "binary",
                NodeKind::Call { .. } => "call",
                NodeKind::Ref(_) => "reference",
                NodeKind::Labeled { .. } => "labeled",
            },
        )?;
        if let Some(rolled) = self.rolled {
            map.serialize_entry("value", &Number(rolled.value(self.id)))?;
        }
        match kind {
            NodeKind::Number(value) if self.rolled.is_none() => {
                map.serialize_entry("value", &Number(*value))
            }
            NodeKind::Unary { op, .. } => {
                map.serialize_entry("op", if *op == UnaryOp::Neg { "-" } else { "+" })
            }
            NodeKind::Binary { op, .. } => map.serialize_entry("op", op.symbol()),
            NodeKind::Call { func, .. } => map.serialize_entry("func", func.name()),
            NodeKind::Ref(reference) => {
                map.serialize_entry("style", &reference.style)?;
                map.serialize_entry("name", &reference.name)?;
                map.serialize_entry("default", &reference.default.map(Number))
            }
            NodeKind::Labeled { label, .. } => map.serialize_entry("label", label),
            _ => Ok(()),
        }
    }

    /// The one child of a unary node, a call or a label, under its key.
    fn child_entry<M: SerializeMap>(&self, id: &NodeId, map: &mut M) -> Result<(), M::Error> {
        let key = match self.expr.node(self.id).kind {
            NodeKind::Unary { .. } => "operand",
            NodeKind::Call { .. } => "arg",
            _ => "inner",
        };
        map.serialize_entry(key, &self.child(*id))
    }

    fn dice_entries<M: SerializeMap>(&self, dice: &Dice, map: &mut M) -> Result<(), M::Error> {
        let mut notation = String::new();
        // Writing to a String cannot fail.
        let _ = write_node(self.expr, self.id, &mut notation, &mut |_, _| Ok(()));
        map.serialize_entry("notation", &notation)?;
        match dice.count {
            Count::Implicit => map.serialize_entry("count", &1)?,
            Count::Literal(n) => map.serialize_entry("count", &n)?,
            Count::Computed(id) => map.serialize_entry("count", &self.child(id))?,
        }
        match dice.faces {
            Faces::Literal(n) => map.serialize_entry("faces", &n)?,
            Faces::Percent => map.serialize_entry("faces", "%")?,
            Faces::Fate => map.serialize_entry("faces", "F")?,
            Faces::Computed(id) => map.serialize_entry("faces", &self.child(id))?,
        }
        let modifiers: Vec<_> = dice.modifiers.iter().map(|m| m.kind).collect();
        map.serialize_entry("modifiers", &modifiers)?;
        if let Some(rolled) = self.rolled {
            map.serialize_entry("rolled_faces", &rolled.faces_label(self.id))?;
            map.serialize_entry(
                "dice",
                &DiceView {
                    rolled,
                    id: self.id,
                },
            )?;
        }
        Ok(())
    }

    fn group_entries<M: SerializeMap>(&self, group: &Group, map: &mut M) -> Result<(), M::Error> {
        let items: Vec<_> = group.items.iter().map(|id| self.child(*id)).collect();
        map.serialize_entry("items", &items)?;
        let modifiers: Vec<_> = group.modifiers.iter().map(|m| m.kind).collect();
        map.serialize_entry("modifiers", &modifiers)?;
        if let Some(rolled) = self.rolled {
            let elements: Vec<_> = rolled
                .group_elements(self.id)
                .iter()
                .map(|e| ElementView(*e))
                .collect();
            map.serialize_entry("elements", &elements)?;
        }
        Ok(())
    }
}

struct DiceView<'a, 'e> {
    rolled: &'a Rolled<'e>,
    id: NodeId,
}

impl Serialize for DiceView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let parts = self.rolled.compound_parts(self.id);
        let mut parts = parts.into_iter();
        let mut seq = s.serialize_seq(None)?;
        for die in self.rolled.dice(self.id) {
            let die_parts = if die.compounded() { parts.next() } else { None };
            seq.serialize_element(&DieView {
                die,
                parts: die_parts,
            })?;
        }
        seq.end()
    }
}

struct DieView {
    die: Die,
    parts: Option<Vec<i64>>,
}

impl Serialize for DieView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let die = self.die;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("value", &die.value)?;
        map.serialize_entry("kept", &die.kept())?;
        map.serialize_entry("exploded", &die.exploded())?;
        map.serialize_entry("rerolled", &die.rerolled())?;
        map.serialize_entry("added", &die.added())?;
        map.serialize_entry("success", &die.success())?;
        map.serialize_entry("failure", &die.failure())?;
        map.serialize_entry("critical", &die.critical())?;
        map.serialize_entry("fumble", &die.fumble())?;
        if die.penetrated() {
            map.serialize_entry("penetrated", &true)?;
        }
        if die.clamped() {
            map.serialize_entry("clamped", &true)?;
        }
        if let Some(parts) = &self.parts {
            map.serialize_entry("parts", parts)?;
        }
        map.end()
    }
}

struct ElementView(GroupElement);

impl Serialize for ElementView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("value", &Number(self.0.value))?;
        map.serialize_entry("kept", &self.0.kept())?;
        map.serialize_entry("success", &self.0.success())?;
        map.serialize_entry("failure", &self.0.failure())?;
        map.end()
    }
}

/// The parsed tree: `{"type": "binary", "op": "+", "lhs": {...}, "rhs": {...}}`.
impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("notation", &self.to_string())?;
        map.serialize_entry("dialect", &self.dialect)?;
        map.serialize_entry("comment", &self.comment)?;
        map.serialize_entry("root", &NodeView::root(self, None))?;
        map.end()
    }
}

/// The rolled tree: each node with its `value`, each dice node with its `dice`.
impl Serialize for Rolled<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        NodeView::root(self.expr, Some(self)).serialize(s)
    }
}

/// The report of one roll as `critfumble roll --json` and the wasm `roll` give
/// it: `{"expr", "total", "rolled", "markdown"}`.
///
/// ```
/// use critfumble_dice::{parse, replay, RollOptions, RollReport};
/// let expr = parse("1d20+5")?;
/// let rolled = replay(&expr, &[15], &RollOptions::default())?;
/// let json = serde_json::to_value(RollReport { input: "1d20+5", rolled: &rolled })?;
/// assert_eq!(json["total"], 20);
/// assert_eq!(json["markdown"], "1d20 (15) + 5 = `20`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RollReport<'a, 'e> {
    /// The expression as the user typed it.
    pub input: &'a str,
    /// The roll.
    pub rolled: &'a Rolled<'e>,
}

impl Serialize for RollReport<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("expr", self.input)?;
        map.serialize_entry("total", &Number(self.rolled.total()))?;
        map.serialize_entry("rolled", self.rolled)?;
        map.serialize_entry("markdown", &self.rolled.markdown())?;
        map.end()
    }
}

/// The report of a distribution as `critfumble stats --json` and the wasm
/// `stats` give it: `{"expr", "exact", "min", "max", "mean", "stddev",
/// "distribution": [[total, probability], ...], "percentiles", "truncated_mass"}`,
/// plus `samples` and `standard_error` for an estimate.
#[derive(Debug, Clone, Copy)]
pub struct StatsReport<'a> {
    /// The expression as the user typed it.
    pub input: &'a str,
    /// Its distribution.
    pub distribution: &'a crate::Distribution,
}

impl Serialize for StatsReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.distribution;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("expr", self.input)?;
        map.serialize_entry("exact", &d.exact)?;
        map.serialize_entry("min", &d.min.map(Number))?;
        map.serialize_entry("max", &d.max.map(Number))?;
        map.serialize_entry("mean", &d.mean)?;
        map.serialize_entry("stddev", &d.stddev)?;
        let pairs: Vec<(Number, f64)> = d
            .probabilities
            .iter()
            .map(|(v, p)| (Number(*v), *p))
            .collect();
        map.serialize_entry("distribution", &pairs)?;
        let percentiles: Vec<(&str, Option<Number>)> = [
            ("5", 0.05),
            ("25", 0.25),
            ("50", 0.5),
            ("75", 0.75),
            ("95", 0.95),
        ]
        .into_iter()
        .map(|(name, q)| (name, d.percentile(q).map(Number)))
        .collect();
        map.serialize_entry("percentiles", &Percentiles(&percentiles))?;
        map.serialize_entry("truncated_mass", &d.truncated_mass)?;
        if !d.exact {
            map.serialize_entry("samples", &d.samples)?;
            map.serialize_entry("standard_error", &d.standard_error)?;
        }
        map.end()
    }
}

/// Percentiles as a JSON object in order: `{"5": .., "25": .., ...}`.
struct Percentiles<'a>(&'a [(&'a str, Option<Number>)]);

impl Serialize for Percentiles<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
