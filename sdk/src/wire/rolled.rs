//! A rolled dice tree on the wire, in the shape `critfumble-dice` serializes a roll.
//!
//! Every node is `{"type": "...", "value": ..., ...}`; dice nodes list their dice with what
//! happened to each. Kinds and fields this version does not know (a newer dice crate, another
//! engine) are kept as [`RolledNode::Other`] with their JSON as it came, so such a tree still
//! deserializes, and serializes back to the same JSON.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// One node of a rolled tree. Serializes exactly as `critfumble-dice` writes a `Rolled`:
/// `{"type": "binary", "value": 17, "op": "+", "lhs": {...}, "rhs": {...}}`.
///
/// ```
/// use critfumble_sdk::wire::RolledNode;
/// let json = serde_json::json!({"type": "binary", "value": 17, "op": "+",
///     "lhs": {"type": "dice", "value": 12, "notation": "1d20", "count": 1, "faces": 20,
///             "modifiers": [], "rolled_faces": "20",
///             "dice": [{"value": 12, "kept": true, "exploded": false, "rerolled": false,
///                       "added": false, "success": false, "failure": false,
///                       "critical": false, "fumble": false}]},
///     "rhs": {"type": "number", "value": 5}});
/// let tree: RolledNode = serde_json::from_value(json.clone())?;
/// assert_eq!(tree.value(), Some(17.0));
/// assert_eq!(serde_json::to_value(&tree)?, json);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RolledNode {
    /// A number: `{"type": "number", "value": 5}`.
    Number(RolledNumber),
    /// Dice, with every die rolled.
    Dice(RolledDice),
    /// A group `{a, b}` with its sub-rolls.
    Group(RolledGroup),
    /// A sign before a term.
    Unary(RolledUnary),
    /// Arithmetic on two terms.
    Binary(RolledBinary),
    /// A function such as `floor(...)`.
    Call(RolledCall),
    /// A reference such as `@{str}` or `@abilities.str.mod`, with the value it was given.
    Reference(RolledReference),
    /// A labelled term: `1d6[fire]`.
    Labeled(RolledLabeled),
    /// A node of a kind or shape this version does not know, kept as it came.
    Other(Value),
}

/// A number node.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledNumber {
    /// The number.
    pub value: f64,
}

/// A dice node: `2d20kh1` and the dice it rolled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledDice {
    /// What the node came to.
    pub value: f64,
    /// The dice as written back by the engine (`2d20kh1`).
    pub notation: String,
    /// How many dice.
    pub count: DiceCount,
    /// How many faces each die has.
    pub faces: DiceFaces,
    /// The modifiers (keep, explode, reroll, ...), as the engine writes them.
    pub modifiers: Vec<Value>,
    /// The faces as rolled (`20`, `F`, `%`), once computed faces are known.
    pub rolled_faces: Option<String>,
    /// Every die, in the order rolled: rerolled and dropped dice included, each added
    /// die after the die that exploded.
    pub dice: Vec<RolledDie>,
}

/// The count of a dice node.
#[derive(Debug, Clone, PartialEq)]
pub enum DiceCount {
    /// A written number (`2` in `2d20`; `1` for a bare `d20`).
    Literal(u64),
    /// A rolled count, as in `(1d4)d6`.
    Rolled(Box<RolledNode>),
}

/// The faces of a dice node.
#[derive(Debug, Clone, PartialEq)]
pub enum DiceFaces {
    /// A written number of faces.
    Literal(u64),
    /// `d%`: a hundred faces.
    Percent,
    /// `dF`: a Fate die, -1, 0 or +1.
    Fate,
    /// Rolled faces, as in `2d(1d6+2)`.
    Rolled(Box<RolledNode>),
}

/// One die as rolled, with what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RolledDie {
    /// The value it shows (after clamping, penetration or compounding).
    pub value: i64,
    /// Whether it counts toward the total.
    pub kept: bool,
    /// Whether it exploded.
    pub exploded: bool,
    /// Whether it was rerolled away (its replacement follows it).
    pub rerolled: bool,
    /// Whether an explosion or a reroll-and-add added it.
    pub added: bool,
    /// Whether it counted as a success.
    pub success: bool,
    /// Whether it counted as a failure.
    pub failure: bool,
    /// Whether it rolled its highest face.
    pub critical: bool,
    /// Whether it rolled its lowest face.
    pub fumble: bool,
    /// Whether it came from a penetrating explosion, and so counts 1 less.
    pub penetrated: bool,
    /// Whether a `min` or `max` modifier changed its value.
    pub clamped: bool,
    /// The rolls a compounded die (`!!`) is the sum of.
    pub parts: Option<Vec<i64>>,
}

/// A group node `{a, b}kh1`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledGroup {
    /// What the group came to.
    pub value: f64,
    /// Its items, each a tree.
    pub items: Vec<RolledNode>,
    /// Its modifiers, as the engine writes them.
    pub modifiers: Vec<Value>,
    /// The sub-rolls, with whether each was kept and counted.
    pub elements: Vec<RolledElement>,
}

/// One sub-roll of a group.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledElement {
    /// Its total.
    pub value: f64,
    /// Whether it counts toward the group's total.
    pub kept: bool,
    /// Whether it counted as a success.
    pub success: bool,
    /// Whether it counted as a failure.
    pub failure: bool,
}

/// A sign before a term.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledUnary {
    /// What it came to.
    pub value: f64,
    /// `-` or `+`.
    pub op: String,
    /// The term.
    pub operand: Box<RolledNode>,
}

/// Arithmetic on two terms.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledBinary {
    /// What it came to.
    pub value: f64,
    /// The operator as written (`+`, `-`, `*`, `/`, `%`, `**`).
    pub op: String,
    /// The left term.
    pub lhs: Box<RolledNode>,
    /// The right term.
    pub rhs: Box<RolledNode>,
}

/// A function call: `floor(…)` of one argument (JSON `arg`), or `max(…, …)` of
/// several (JSON `args`, two or more).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledCall {
    /// What it came to.
    pub value: f64,
    /// The function's name (`floor`, `max`).
    pub func: String,
    /// Its arguments, in order.
    pub args: Vec<RolledNode>,
}

/// A reference, with the value the roller was given for it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledReference {
    /// The value it was given.
    pub value: f64,
    /// How it was written: `query`, `attribute` or `path`.
    pub style: String,
    /// The key it looked up.
    pub name: String,
    /// A roll query's default.
    pub default: Option<f64>,
}

/// A labelled term.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RolledLabeled {
    /// What it came to.
    pub value: f64,
    /// The label.
    pub label: String,
    /// The labelled term.
    pub inner: Box<RolledNode>,
}

impl RolledNode {
    /// Reads a node from the engine's JSON. A node whose kind or shape this version does
    /// not know becomes [`RolledNode::Other`] (its children too, so nothing is lost).
    pub fn from_json(json: Value) -> RolledNode {
        let Value::Object(map) = json else {
            return RolledNode::Other(json);
        };
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .and_then(|kind| KINDS.iter().copied().find(|known| *known == kind));
        match kind {
            Some(kind) if known_shape(kind, &map) => convert(kind, map),
            _ => RolledNode::Other(Value::Object(map)),
        }
    }

    /// What the node came to; for an unknown node, its `value` when that is a number.
    pub fn value(&self) -> Option<f64> {
        Some(match self {
            RolledNode::Number(node) => node.value,
            RolledNode::Dice(node) => node.value,
            RolledNode::Group(node) => node.value,
            RolledNode::Unary(node) => node.value,
            RolledNode::Binary(node) => node.value,
            RolledNode::Call(node) => node.value,
            RolledNode::Reference(node) => node.value,
            RolledNode::Labeled(node) => node.value,
            RolledNode::Other(json) => return json.get("value").and_then(Value::as_f64),
        })
    }

    /// The node's direct children, in the order the engine evaluates them.
    pub fn children(&self) -> Vec<&RolledNode> {
        match self {
            RolledNode::Dice(dice) => {
                let mut children = Vec::new();
                if let DiceCount::Rolled(count) = &dice.count {
                    children.push(&**count);
                }
                if let DiceFaces::Rolled(faces) = &dice.faces {
                    children.push(&**faces);
                }
                children
            }
            RolledNode::Group(group) => group.items.iter().collect(),
            RolledNode::Unary(unary) => vec![&*unary.operand],
            RolledNode::Binary(binary) => vec![&*binary.lhs, &*binary.rhs],
            RolledNode::Call(call) => call.args.iter().collect(),
            RolledNode::Labeled(labeled) => vec![&*labeled.inner],
            RolledNode::Number(_) | RolledNode::Reference(_) | RolledNode::Other(_) => Vec::new(),
        }
    }

    /// Every dice node of the tree, in post-order (the order the engine rolled them).
    pub fn dice_nodes(&self) -> impl Iterator<Item = &RolledDice> {
        self.post_order().into_iter().filter_map(|node| match node {
            RolledNode::Dice(dice) => Some(dice),
            _ => None,
        })
    }

    /// Every node of the tree, children before their parent and in evaluation order: the
    /// order in which the engine rolls their dice. Walked without recursion.
    pub fn post_order(&self) -> Vec<&RolledNode> {
        let mut order = Vec::new();
        // Each entry: a node, and whether its children are already in `order`.
        let mut stack = vec![(self, false)];
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                order.push(node);
                continue;
            }
            stack.push((node, true));
            for child in node.children().into_iter().rev() {
                stack.push((child, false));
            }
        }
        order
    }

    /// Whether some node of the tree is [`RolledNode::Other`].
    pub fn has_unknown_nodes(&self) -> bool {
        self.post_order()
            .iter()
            .any(|node| matches!(node, RolledNode::Other(_)))
    }
}

impl<'de> Deserialize<'de> for RolledNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(RolledNode::from_json)
    }
}

/// The node kinds this version knows.
const KINDS: [&str; 8] = [
    "number",
    "dice",
    "group",
    "unary",
    "binary",
    "call",
    "reference",
    "labeled",
];

/// The fields each known kind has besides `type` and `value`: exactly these, no more.
fn fields_of(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "number" => &[],
        "dice" => &[
            "notation",
            "count",
            "faces",
            "modifiers",
            "rolled_faces",
            "dice",
        ],
        "group" => &["items", "modifiers", "elements"],
        "unary" => &["op", "operand"],
        "binary" => &["op", "lhs", "rhs"],
        "call" => &["func", "arg"],
        "reference" => &["style", "name", "default"],
        "labeled" => &["label", "inner"],
        _ => return None,
    })
}

/// The flags every die carries, in the engine's order.
const DIE_FLAGS: [&str; 8] = [
    "kept", "exploded", "rerolled", "added", "success", "failure", "critical", "fumble",
];

/// Whether `map` is a node of `kind` as this version knows it: exactly its fields, each of
/// the right type (children are checked when they are converted).
fn known_shape(kind: &str, map: &Map<String, Value>) -> bool {
    // A call of several arguments lists them under `args` (never fewer than two).
    if kind == "call" && map.contains_key("args") {
        return map.len() == 4
            && map.get("value").is_some_and(canonical_number)
            && map.get("func").is_some_and(Value::is_string)
            && map
                .get("args")
                .and_then(Value::as_array)
                .is_some_and(|args| args.len() >= 2);
    }
    let Some(fields) = fields_of(kind) else {
        return false;
    };
    if map.len() != fields.len() + 2
        || !fields.iter().all(|field| map.contains_key(*field))
        || !map.get("value").is_some_and(canonical_number)
    {
        return false;
    }
    let text = |field: &str| map.get(field).is_some_and(Value::is_string);
    let array = |field: &str| map.get(field).is_some_and(Value::is_array);
    match kind {
        "dice" => {
            text("notation")
                && map
                    .get("count")
                    .is_some_and(|count| count.is_u64() || count.is_object())
                && map.get("faces").is_some_and(|faces| {
                    faces.is_u64() || faces.is_object() || faces == "%" || faces == "F"
                })
                && array("modifiers")
                && map
                    .get("rolled_faces")
                    .is_some_and(|faces| faces.is_string() || faces.is_null())
                && map
                    .get("dice")
                    .and_then(Value::as_array)
                    .is_some_and(|dice| dice.iter().all(known_die))
        }
        "group" => {
            array("items")
                && array("modifiers")
                && map
                    .get("elements")
                    .and_then(Value::as_array)
                    .is_some_and(|elements| elements.iter().all(known_element))
        }
        "unary" | "binary" => text("op"),
        "call" => text("func"),
        "reference" => {
            text("style")
                && text("name")
                && map
                    .get("default")
                    .is_some_and(|default| default.is_null() || canonical_number(default))
        }
        "labeled" => text("label"),
        _ => true,
    }
}

fn known_die(die: &Value) -> bool {
    let Some(die) = die.as_object() else {
        return false;
    };
    let mut expected = 1 + DIE_FLAGS.len();
    // The engine writes these only when they hold.
    for flag in ["penetrated", "clamped"] {
        match die.get(flag) {
            None => {}
            Some(Value::Bool(true)) => expected += 1,
            Some(_) => return false,
        }
    }
    match die.get("parts") {
        None => {}
        Some(Value::Array(parts)) if parts.iter().all(Value::is_i64) => expected += 1,
        Some(_) => return false,
    }
    die.len() == expected
        && die.get("value").is_some_and(Value::is_i64)
        && DIE_FLAGS
            .iter()
            .all(|flag| die.get(*flag).is_some_and(Value::is_boolean))
}

fn known_element(element: &Value) -> bool {
    element.as_object().is_some_and(|element| {
        element.len() == 4
            && element.get("value").is_some_and(canonical_number)
            && ["kept", "success", "failure"]
                .iter()
                .all(|flag| element.get(*flag).is_some_and(Value::is_boolean))
    })
}

/// Whether `value` is a number as the engine writes it ([`Number`]): a whole number below
/// 9e15 as an integer, anything else as a float. Another spelling of the same number
/// (`17.0`) makes the node unknown, so that every tree is written back exactly as it came.
fn canonical_number(value: &Value) -> bool {
    let Value::Number(number) = value else {
        return false;
    };
    let whole_and_small = |n: f64| n.fract() == 0.0 && n.abs() < 9.0e15;
    match (number.as_i64(), number.as_u64(), number.as_f64()) {
        (Some(n), _, _) => n.unsigned_abs() < 9_000_000_000_000_000,
        (None, Some(n), _) => n < 9_000_000_000_000_000,
        (None, None, Some(n)) => !whole_and_small(n),
        _ => false,
    }
}

/// Builds the node from a map that [`known_shape`] accepted.
fn convert(kind: &str, mut map: Map<String, Value>) -> RolledNode {
    let value = number(map.get("value"));
    let mut take = |field: &str| map.remove(field).unwrap_or(Value::Null);
    match kind {
        "dice" => RolledNode::Dice(RolledDice {
            value,
            notation: string(take("notation")),
            count: match take("count") {
                Value::Number(count) => DiceCount::Literal(count.as_u64().unwrap_or_default()),
                node => DiceCount::Rolled(Box::new(RolledNode::from_json(node))),
            },
            faces: match take("faces") {
                Value::Number(faces) => DiceFaces::Literal(faces.as_u64().unwrap_or_default()),
                Value::String(text) if text == "%" => DiceFaces::Percent,
                Value::String(_) => DiceFaces::Fate,
                node => DiceFaces::Rolled(Box::new(RolledNode::from_json(node))),
            },
            modifiers: array(take("modifiers")),
            rolled_faces: match take("rolled_faces") {
                Value::String(text) => Some(text),
                _ => None,
            },
            dice: array(take("dice")).iter().map(die).collect(),
        }),
        "group" => RolledNode::Group(RolledGroup {
            value,
            items: array(take("items"))
                .into_iter()
                .map(RolledNode::from_json)
                .collect(),
            modifiers: array(take("modifiers")),
            elements: array(take("elements"))
                .iter()
                .map(|element| RolledElement {
                    value: number(element.get("value")),
                    kept: flag(element, "kept"),
                    success: flag(element, "success"),
                    failure: flag(element, "failure"),
                })
                .collect(),
        }),
        "unary" => RolledNode::Unary(RolledUnary {
            value,
            op: string(take("op")),
            operand: Box::new(RolledNode::from_json(take("operand"))),
        }),
        "binary" => RolledNode::Binary(RolledBinary {
            value,
            op: string(take("op")),
            lhs: Box::new(RolledNode::from_json(take("lhs"))),
            rhs: Box::new(RolledNode::from_json(take("rhs"))),
        }),
        "call" => RolledNode::Call(RolledCall {
            value,
            func: string(take("func")),
            args: match take("args") {
                Value::Array(args) => args.into_iter().map(RolledNode::from_json).collect(),
                _ => vec![RolledNode::from_json(take("arg"))],
            },
        }),
        "reference" => RolledNode::Reference(RolledReference {
            value,
            style: string(take("style")),
            name: string(take("name")),
            default: take("default").as_f64(),
        }),
        "labeled" => RolledNode::Labeled(RolledLabeled {
            value,
            label: string(take("label")),
            inner: Box::new(RolledNode::from_json(take("inner"))),
        }),
        _ => RolledNode::Number(RolledNumber { value }),
    }
}

fn number(value: Option<&Value>) -> f64 {
    value.and_then(Value::as_f64).unwrap_or_default()
}

fn string(value: Value) -> String {
    match value {
        Value::String(text) => text,
        _ => String::new(),
    }
}

fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn flag(object: &Value, name: &str) -> bool {
    object
        .get(name)
        .and_then(Value::as_bool)
        .unwrap_or_default()
}

fn die(json: &Value) -> RolledDie {
    RolledDie {
        value: json
            .get("value")
            .and_then(Value::as_i64)
            .unwrap_or_default(),
        kept: flag(json, "kept"),
        exploded: flag(json, "exploded"),
        rerolled: flag(json, "rerolled"),
        added: flag(json, "added"),
        success: flag(json, "success"),
        failure: flag(json, "failure"),
        critical: flag(json, "critical"),
        fumble: flag(json, "fumble"),
        penetrated: flag(json, "penetrated"),
        clamped: flag(json, "clamped"),
        parts: json
            .get("parts")
            .and_then(Value::as_array)
            .map(|parts| parts.iter().filter_map(Value::as_i64).collect()),
    }
}

/// A number as the engine writes it: a whole number below 9e15 without a fraction (`25`,
/// not `25.0`), anything else as a float.
struct Number(f64);

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "a whole number below 9e15 fits an i64 exactly"
            )]
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

impl Serialize for RolledNode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, value) = match self {
            RolledNode::Other(json) => return json.serialize(serializer),
            RolledNode::Number(node) => ("number", node.value),
            RolledNode::Dice(node) => ("dice", node.value),
            RolledNode::Group(node) => ("group", node.value),
            RolledNode::Unary(node) => ("unary", node.value),
            RolledNode::Binary(node) => ("binary", node.value),
            RolledNode::Call(node) => ("call", node.value),
            RolledNode::Reference(node) => ("reference", node.value),
            RolledNode::Labeled(node) => ("labeled", node.value),
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", kind)?;
        map.serialize_entry("value", &Number(value))?;
        match self {
            RolledNode::Dice(dice) => {
                map.serialize_entry("notation", &dice.notation)?;
                match &dice.count {
                    DiceCount::Literal(count) => map.serialize_entry("count", count)?,
                    DiceCount::Rolled(node) => map.serialize_entry("count", node)?,
                }
                match &dice.faces {
                    DiceFaces::Literal(faces) => map.serialize_entry("faces", faces)?,
                    DiceFaces::Percent => map.serialize_entry("faces", "%")?,
                    DiceFaces::Fate => map.serialize_entry("faces", "F")?,
                    DiceFaces::Rolled(node) => map.serialize_entry("faces", node)?,
                }
                map.serialize_entry("modifiers", &dice.modifiers)?;
                map.serialize_entry("rolled_faces", &dice.rolled_faces)?;
                map.serialize_entry("dice", &dice.dice)?;
            }
            RolledNode::Group(group) => {
                map.serialize_entry("items", &group.items)?;
                map.serialize_entry("modifiers", &group.modifiers)?;
                map.serialize_entry("elements", &group.elements)?;
            }
            RolledNode::Unary(unary) => {
                map.serialize_entry("op", &unary.op)?;
                map.serialize_entry("operand", &unary.operand)?;
            }
            RolledNode::Binary(binary) => {
                map.serialize_entry("op", &binary.op)?;
                map.serialize_entry("lhs", &binary.lhs)?;
                map.serialize_entry("rhs", &binary.rhs)?;
            }
            RolledNode::Call(call) => {
                map.serialize_entry("func", &call.func)?;
                match call.args.as_slice() {
                    [arg] => map.serialize_entry("arg", arg)?,
                    args => map.serialize_entry("args", args)?,
                }
            }
            RolledNode::Reference(reference) => {
                map.serialize_entry("style", &reference.style)?;
                map.serialize_entry("name", &reference.name)?;
                map.serialize_entry("default", &reference.default.map(Number))?;
            }
            RolledNode::Labeled(labeled) => {
                map.serialize_entry("label", &labeled.label)?;
                map.serialize_entry("inner", &labeled.inner)?;
            }
            RolledNode::Number(_) | RolledNode::Other(_) => {}
        }
        map.end()
    }
}

impl Serialize for RolledDie {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &self.value)?;
        let flags = [
            self.kept,
            self.exploded,
            self.rerolled,
            self.added,
            self.success,
            self.failure,
            self.critical,
            self.fumble,
        ];
        for (name, set) in DIE_FLAGS.iter().zip(flags) {
            map.serialize_entry(name, &set)?;
        }
        if self.penetrated {
            map.serialize_entry("penetrated", &true)?;
        }
        if self.clamped {
            map.serialize_entry("clamped", &true)?;
        }
        if let Some(parts) = &self.parts {
            map.serialize_entry("parts", parts)?;
        }
        map.end()
    }
}

impl Serialize for RolledElement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("value", &Number(self.value))?;
        map.serialize_entry("kept", &self.kept)?;
        map.serialize_entry("success", &self.success)?;
        map.serialize_entry("failure", &self.failure)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn round_trip(json: Value) -> RolledNode {
        let node = RolledNode::from_json(json.clone());
        assert_eq!(serde_json::to_value(&node).expect("serializes"), json);
        node
    }

    /// Foundry's functions of several arguments read as typed calls and write back as
    /// the engine wrote them; one argument stays under `arg`.
    #[test]
    fn calls_of_several_arguments_are_typed() {
        let options = critfumble_dice::ParseOptions::dialect(critfumble_dice::Dialect::Foundry);
        let expr =
            critfumble_dice::parse_with("max(1d20, 10) + floor(clamp(2d6, 3, 9) / 2)", &options)
                .expect("parses");
        let rolled =
            critfumble_dice::replay(&expr, &[4, 6, 5], &critfumble_dice::RollOptions::default())
                .expect("rolls");
        let json = serde_json::to_value(&rolled).expect("serializes");
        let node = round_trip(json);
        assert!(!node.has_unknown_nodes(), "{node:?}");
        let calls: Vec<(String, usize)> = node
            .post_order()
            .iter()
            .filter_map(|n| match n {
                RolledNode::Call(call) => Some((call.func.clone(), call.args.len())),
                _ => None,
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("max".to_string(), 2),
                ("clamp".to_string(), 3),
                ("floor".to_string(), 1)
            ]
        );
        // One argument under `args` is not how the engine writes it.
        let odd = json!({"type": "call", "value": 3, "func": "max",
            "args": [{"type": "number", "value": 3}]});
        assert!(matches!(round_trip(odd), RolledNode::Other(_)));
    }

    #[test]
    fn unknown_kinds_and_fields_are_kept_as_they_came() {
        // A kind of a newer engine, inside a known parent.
        let tree = json!({"type": "binary", "value": 7, "op": "+",
            "lhs": {"type": "set", "value": 4, "items": [1, 3], "matched": true},
            "rhs": {"type": "number", "value": 3}});
        let node = round_trip(tree);
        let RolledNode::Binary(binary) = &node else {
            panic!("{node:?}")
        };
        assert!(matches!(*binary.lhs, RolledNode::Other(_)));
        assert!(node.has_unknown_nodes());
        // A known kind with a field this version does not know.
        let extra = json!({"type": "number", "value": 3, "source": "foundry"});
        assert!(matches!(round_trip(extra), RolledNode::Other(_)));
        // A die flag written as false, which the engine leaves out.
        let odd_die = json!({"type": "dice", "value": 3, "notation": "1d6", "count": 1,
            "faces": 6, "modifiers": [], "rolled_faces": "6",
            "dice": [{"value": 3, "kept": true, "exploded": false, "rerolled": false,
                      "added": false, "success": false, "failure": false,
                      "critical": false, "fumble": false, "penetrated": false}]});
        assert!(matches!(round_trip(odd_die), RolledNode::Other(_)));
        // A number the engine would write otherwise (17.0 for 17).
        assert!(matches!(
            round_trip(json!({"type": "number", "value": 17.0})),
            RolledNode::Other(_)
        ));
        // Not even an object.
        assert!(matches!(round_trip(json!([3, 4])), RolledNode::Other(_)));
        assert!(matches!(
            round_trip(json!({"sides": 20, "results": [20]})),
            RolledNode::Other(_)
        ));
    }

    #[test]
    fn post_order_puts_children_first_in_evaluation_order() {
        let tree = json!({"type": "binary", "value": 4, "op": "+",
            "lhs": {"type": "number", "value": 1},
            "rhs": {"type": "unary", "value": 3, "op": "+",
                    "operand": {"type": "number", "value": 3}}});
        let node = round_trip(tree);
        let values: Vec<_> = node.post_order().iter().map(|n| n.value()).collect();
        assert_eq!(values, [Some(1.0), Some(3.0), Some(3.0), Some(4.0)]);
    }

    /// Any JSON, and JSON shaped like the engine's with its values and flags scrambled.
    fn json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |n| n.is_finite())
                .prop_map(|n| json!(n)),
            prop::sample::select(vec![
                "number",
                "dice",
                "group",
                "unary",
                "binary",
                "call",
                "reference",
                "labeled",
                "%",
                "F",
                "20",
                "+",
            ])
            .prop_map(|text| json!(text)),
        ];
        let number_node = any::<i32>().prop_map(|n| json!({"type": "number", "value": n}));
        let leaf = prop_oneof![3 => leaf, 1 => number_node];
        leaf.prop_recursive(6, 64, 8, |inner| {
            // Every field name this module knows, and one it does not.
            let mut names: Vec<&str> = KINDS
                .iter()
                .filter_map(|kind| fields_of(kind))
                .flatten()
                .copied()
                .collect();
            names.extend(DIE_FLAGS);
            names.extend([
                "type",
                "value",
                "penetrated",
                "clamped",
                "parts",
                "args",
                "other",
            ]);
            let keys = prop::sample::select(names);
            let binary = (inner.clone(), inner.clone(), any::<i32>()).prop_map(|(lhs, rhs, n)| {
                json!({"type": "binary", "value": n, "op": "+", "lhs": lhs, "rhs": rhs})
            });
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(keys.prop_map(str::to_owned), inner, 0..10)
                    .prop_map(|map| Value::Object(map.into_iter().collect())),
                binary,
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn any_json_reads_without_panic_and_writes_back_the_same(value in json()) {
            let node = RolledNode::from_json(value.clone());
            proptest::prop_assert_eq!(serde_json::to_value(&node).expect("serializes"), value);
            let _ = node.post_order();
        }
    }

    #[test]
    fn deep_trees_are_walked_without_recursion() {
        let mut node = RolledNode::Number(RolledNumber { value: 1.0 });
        for _ in 0..100_000 {
            node = RolledNode::Unary(RolledUnary {
                value: 1.0,
                op: "+".to_owned(),
                operand: Box::new(node),
            });
        }
        assert_eq!(node.post_order().len(), 100_001);
        // Dropping a deep chain of boxes recurses; leak it instead, as a test may.
        std::mem::forget(node);
    }
}
