//! serde for the parsed tree ([`Expr`]) and the rolled tree ([`Rolled`]), snake_case.

use crate::ast::{Count, Expr, Faces, NodeId, NodeKind, UnaryOp};
use crate::display::write_node;
use crate::rolled::{Die, GroupElement, Rolled};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

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

/// One node of a tree, parsed only or rolled.
struct NodeView<'a, 'e> {
    expr: &'e Expr,
    rolled: Option<&'a Rolled<'e>>,
    id: NodeId,
}

impl<'a, 'e> NodeView<'a, 'e> {
    fn child(&self, id: NodeId) -> NodeView<'a, 'e> {
        NodeView {
            expr: self.expr,
            rolled: self.rolled,
            id,
        }
    }
}

impl Serialize for NodeView<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let node = self.expr.node(self.id);
        let mut map = s.serialize_map(None)?;
        let kind = match &node.kind {
            NodeKind::Number(_) => "number",
            NodeKind::Dice(_) => "dice",
            NodeKind::Group(_) => "group",
            NodeKind::Unary { .. } => "unary",
            NodeKind::Binary { .. } => "binary",
            NodeKind::Call { .. } => "call",
            NodeKind::Ref(_) => "reference",
            NodeKind::Labeled { .. } => "labeled",
        };
        map.serialize_entry("type", kind)?;
        if let Some(rolled) = self.rolled {
            map.serialize_entry("value", &Number(rolled.value(self.id)))?;
        }
        match &node.kind {
            NodeKind::Number(value) => {
                if self.rolled.is_none() {
                    map.serialize_entry("value", &Number(*value))?;
                }
            }
            NodeKind::Dice(dice) => {
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
            }
            NodeKind::Group(group) => {
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
            }
            NodeKind::Unary { op, operand } => {
                map.serialize_entry("op", if *op == UnaryOp::Neg { "-" } else { "+" })?;
                map.serialize_entry("operand", &self.child(*operand))?;
            }
            NodeKind::Binary { op, lhs, rhs } => {
                map.serialize_entry("op", op.symbol())?;
                map.serialize_entry("lhs", &self.child(*lhs))?;
                map.serialize_entry("rhs", &self.child(*rhs))?;
            }
            NodeKind::Call { func, arg } => {
                map.serialize_entry("func", func.name())?;
                map.serialize_entry("arg", &self.child(*arg))?;
            }
            NodeKind::Ref(reference) => {
                map.serialize_entry("style", &reference.style)?;
                map.serialize_entry("name", &reference.name)?;
                map.serialize_entry("default", &reference.default.map(Number))?;
            }
            NodeKind::Labeled { inner, label } => {
                map.serialize_entry("label", label)?;
                map.serialize_entry("inner", &self.child(*inner))?;
            }
        }
        map.end()
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
        map.serialize_entry(
            "root",
            &NodeView {
                expr: self,
                rolled: None,
                id: self.root(),
            },
        )?;
        map.end()
    }
}

/// The rolled tree: each node with its `value`, each dice node with its `dice`.
impl Serialize for Rolled<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        NodeView {
            expr: self.expr,
            rolled: Some(self),
            id: self.expr.root(),
        }
        .serialize(s)
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
