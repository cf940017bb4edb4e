//! The parsed expression: [`Expr`], an arena of [`Node`]s in post-order.
//!
//! Nodes live in one vector, children before their parents, so that a parse
//! allocates once and a roll can evaluate the nodes in a single forward pass.

pub use crate::func::Func;
use crate::{Dialect, Span};
use smallvec::SmallVec;

/// The index of a [`Node`] inside its [`Expr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The position of the node in [`Expr::nodes`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A parsed dice expression.
///
/// Compare two expressions with `==` to compare their meaning: spans are not
/// compared, so `parse("1d6 + 2") == parse("1d6+2")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub(crate) nodes: SmallVec<[Node; 1]>,
    pub(crate) comment: Option<String>,
    pub(crate) dialect: Dialect,
    /// Dice a roll will draw at least once: a capacity hint, not a limit.
    pub(crate) dice_hint: u64,
}

impl Expr {
    /// The root node: the whole expression.
    pub fn root(&self) -> NodeId {
        NodeId(self.nodes.len().saturating_sub(1) as u32)
    }

    /// The node with this id.
    ///
    /// # Panics
    /// When `id` comes from another expression and is out of range.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// Every node, children before their parents; the root is last.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The trailing comment or quoted label (`1d20+5 "Attack"` gives `Attack`).
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// The dialect the expression was parsed in; it decides how it prints.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Appends the canonical text of node `id` alone, as the `notation` of a
    /// dice node in the JSON of a roll has it.
    ///
    /// ```
    /// let expr = critfumble_dice::parse("2D20KH1 \"Attack\"")?;
    /// let mut text = String::new();
    /// expr.write_node_text(expr.root(), &mut text);
    /// assert_eq!(text, "2d20kh1");
    /// # Ok::<(), critfumble_dice::DiceError>(())
    /// ```
    pub fn write_node_text(&self, id: NodeId, out: &mut String) {
        // Writing to a String cannot fail.
        let _ = crate::display::write_node(self, id, out, &mut |_, _| Ok(()));
    }
}

/// One node of an [`Expr`].
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it is in the input.
    pub span: Span,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// What a [`Node`] is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NodeKind {
    /// A number literal, integer or decimal.
    Number(f64),
    /// Dice with their modifiers: `4d6kh3`.
    Dice(Dice),
    /// A group of rolls: `{4d6, 3d8}kh1`.
    Group(Group),
    /// `-x` or `+x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: NodeId,
    },
    /// `lhs op rhs`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: NodeId,
        /// The right operand.
        rhs: NodeId,
    },
    /// A function of JavaScript's `Math`, as Foundry's formulas call them:
    /// `floor(x)`, `max(a, b, c)`, `clamp(x, lo, hi)`.
    Call {
        /// The function.
        func: Func,
        /// Its arguments, as many as [`Func::arity`] allows.
        args: Vec<NodeId>,
    },
    /// A value the caller supplies: `?{Bonus|0}`, `@{strength_mod}` or `@str.mod`.
    Ref(Reference),
    /// A term with a label: `1d6[fire]`, `2[STR]`.
    Labeled {
        /// The labelled term.
        inner: NodeId,
        /// The label, without brackets.
        label: String,
    },
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `+x`.
    Plus,
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum BinaryOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`: true division.
    Div,
    /// `%`: remainder with the sign of the dividend (JavaScript's `%`).
    Rem,
    /// `**` or `^`: right-associative power.
    Pow,
    /// `//`: division rounded toward −∞ (Python's `//`).
    FloorDiv,
    /// `%` in the D20 dialect: remainder with the sign of the divisor
    /// (Python's `%`), so `-7 % 3` is `2`.
    Modulo,
    /// `==` (D20): 1 when equal, else 0.
    Equal,
    /// `!=` (D20): 1 when not equal, else 0.
    NotEqual,
    /// `<` (D20): 1 when less, else 0.
    Less,
    /// `<=` (D20): 1 when less or equal, else 0.
    LessEqual,
    /// `>` (D20): 1 when greater, else 0.
    Greater,
    /// `>=` (D20): 1 when greater or equal, else 0.
    GreaterEqual,
}

impl BinaryOp {
    /// The operator as it prints.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Pow => "**",
            BinaryOp::FloorDiv => "//",
            BinaryOp::Modulo => "%",
            BinaryOp::Equal => "==",
            BinaryOp::NotEqual => "!=",
            BinaryOp::Less => "<",
            BinaryOp::LessEqual => "<=",
            BinaryOp::Greater => ">",
            BinaryOp::GreaterEqual => ">=",
        }
    }

    /// Binding strength: higher binds tighter. Comparisons bind loosest, as
    /// in d20's grammar: `1d20 + 5 >= 15` compares the sum.
    pub(crate) fn precedence(self) -> u8 {
        match self {
            BinaryOp::Equal
            | BinaryOp::NotEqual
            | BinaryOp::Less
            | BinaryOp::LessEqual
            | BinaryOp::Greater
            | BinaryOp::GreaterEqual => 0,
            BinaryOp::Add | BinaryOp::Sub => 1,
            BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::Rem
            | BinaryOp::FloorDiv
            | BinaryOp::Modulo => 2,
            BinaryOp::Pow => 4,
        }
    }

    /// Whether the operator compares and gives 1 or 0.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 0
    }
}

/// Dice and their modifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Dice {
    /// How many dice.
    pub count: Count,
    /// What kind of die.
    pub faces: Faces,
    /// Modifiers in the order written. See [`Modifier`] for the order they apply in.
    pub modifiers: Vec<Modifier>,
}

/// The number of dice in a [`Dice`] term.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Count {
    /// `d20`: one die.
    Implicit,
    /// `4d6`.
    Literal(u64),
    /// `(1d4)d6`: computed when rolled.
    Computed(NodeId),
}

/// The kind of die in a [`Dice`] term.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Faces {
    /// `d20`: faces 1 to N.
    Literal(u64),
    /// `d%`: a d100, or Avrae's tens die (0, 10, …, 90) in the D20 dialect.
    Percent,
    /// `dF`: Fate dice with faces −1, 0 and +1.
    Fate,
    /// `d(1d6+2)`: computed when rolled.
    Computed(NodeId),
}

/// A group of rolls: `{4d6, 3d8}kh1` or `{3d6+1d8}>10`, or Avrae's set
/// `(1d8, 5, 2d4)kh1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The sub-rolls, in order.
    pub items: Vec<NodeId>,
    /// Keep, drop and success-counting modifiers, applied to the sub-roll totals.
    pub modifiers: Vec<Modifier>,
    /// How it was written: braces, or Avrae's parenthesized set.
    pub style: GroupStyle,
}

/// How a [`Group`] is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum GroupStyle {
    /// Roll20's and Foundry's `{4d6, 3d8}`: at least one sub-roll.
    #[default]
    Braces,
    /// Avrae's set in the D20 dialect: `(1d8, 5)`, `(7,)` (one member needs
    /// its trailing comma, since `(7)` is a parenthesized 7) or `()`. Only
    /// keep and drop (`k`, `p` with their selectors) apply to it.
    Set,
}

/// A value supplied by the caller when rolling.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// How it was written.
    pub style: RefStyle,
    /// The key to look up: `Bonus` for `?{Bonus|0}`, `str.mod` for `@str.mod`.
    pub name: String,
    /// The default of a roll query (`0` in `?{Bonus|0}`), used when the key is missing.
    pub default: Option<f64>,
}

/// How a [`Reference`] was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RefStyle {
    /// Roll20 roll query: `?{Prompt|default}`.
    Query,
    /// Roll20 attribute: `@{name}`.
    Attribute,
    /// Foundry data path: `@abilities.str.mod`.
    Path,
}

/// A modifier on dice or a group, with its span.
///
/// Modifiers on dice apply in a fixed order, whatever order they are written
/// in: first, each die as it is rolled is rerolled (`r`, `ro`, `rr`, `ra`),
/// clamped (`min`, `max`), then exploded (`!`, `!!`, `!p`, `x`, `xo`, `e`), the
/// new dice going through the same steps; then the pool is kept or dropped
/// (`k`, `d`, `p`), counted (`cs`, `>`, `f`, `df`, `sf`, `cf`, `even`, `odd`,
/// `ms`) and sorted (`s`). Two modifiers of the same step apply in the order
/// written.
#[derive(Debug, Clone)]
pub struct Modifier {
    /// What the modifier does.
    pub kind: ModifierKind,
    /// Where it is in the input.
    pub span: Span,
}

impl PartialEq for Modifier {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// What a [`Modifier`] does.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(
    feature = "serde",
    serde(tag = "type", content = "value", rename_all = "snake_case")
)]
#[non_exhaustive]
pub enum ModifierKind {
    /// Keep the selected dice and drop the rest.
    Keep(Select),
    /// Drop the selected dice.
    Drop(Select),
    /// Explode, compound or penetrate on the compare point (the highest face when `None`).
    Explode {
        /// How the extra dice are added.
        style: ExplodeStyle,
        /// When a die explodes.
        on: Option<Compare>,
        /// Foundry's cap (`3d8x2>=7`): the most dice the whole term adds this way.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        cap: Option<u64>,
    },
    /// Reroll dice that meet the compare point (the lowest face when `None`).
    Reroll {
        /// How often, and whether the old die stays.
        style: RerollStyle,
        /// When a die is rerolled.
        on: Option<Compare>,
        /// Foundry's cap (`4d6r2<3`): the most rerolls of the whole term.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        cap: Option<u64>,
    },
    /// Raise any die below this value to it: `min3`, `mi3`.
    Min(i64),
    /// Lower any die above this value to it: `max5`, `ma5`.
    Max(i64),
    /// Count dice that meet the compare point as successes: `cs>=5`, Roll20's `>5`.
    CountSuccesses(Compare),
    /// Count dice that meet the compare point as failures; the total is the number of failures: `cf<2`.
    CountFailures(Compare),
    /// Subtract one for each die that meets the compare point: `df<2`, Roll20's `f<2`.
    DeductFailures(Compare),
    /// Foundry's `df` with no target: subtract one for each die that is not
    /// a success (`5d6cs>4df` counts successes less the other dice).
    DeductNonSuccesses,
    /// Subtract the value of each die that meets the compare point: `sf<2`.
    SubtractFailures(Compare),
    /// The total becomes its margin over (or under) the target: `ms>=10`.
    MarginOfSuccess(Compare),
    /// Roll20's `cs>18`: which faces show as critical successes. The total is unchanged.
    CriticalSuccess(Compare),
    /// Roll20's `cf<3`: which faces show as critical failures. The total is unchanged.
    CriticalFailure(Compare),
    /// Roll20's matches: dice showing the same value, at least `min_count`
    /// of them (2 unless written: `m3`), among those that meet `on` when it
    /// is given (`m>3`), are flagged as successes (Roll20 highlights them).
    /// With `total` (`mt`), the total is the number of such sets of dice.
    Matches {
        /// The fewest equal dice that make a match.
        min_count: u64,
        /// Which dice may match, when only some may.
        on: Option<Compare>,
        /// Whether the total becomes the number of matched sets (`mt`).
        total: bool,
    },
    /// Count the even dice: `even`.
    CountEven,
    /// Count the odd dice: `odd`.
    CountOdd,
    /// Sort the dice for display.
    Sort(SortOrder),
}

impl ModifierKind {
    /// Keep or drop: a step on the whole pool once it is rolled, never on one die.
    pub(crate) fn is_keep_or_drop(self) -> bool {
        matches!(self, ModifierKind::Keep(_) | ModifierKind::Drop(_))
    }
}

/// Which dice a keep or drop modifier selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Select {
    /// The highest N: `kh3`, `dh1`.
    Highest(u64),
    /// The lowest N: `kl1`, `dl1`.
    Lowest(u64),
    /// Every die that meets the compare point (Avrae's `k>5`, `p<3`, and `k3` in the D20 dialect).
    Matching(Compare),
}

/// How an explosion adds dice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ExplodeStyle {
    /// `!`, `x`, `e`: each exploding die adds a die, which may explode again.
    Explode,
    /// `xo`: each die explodes at most once.
    Once,
    /// `!!`: the extra rolls add into the same die, which shows one value.
    Compound,
    /// `!p`: like `!`, but each extra die counts 1 less.
    Penetrate,
}

/// How a reroll treats the die.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RerollStyle {
    /// `ro` (and `r` outside Roll20): reroll once, keep the new value.
    Once,
    /// `rr` (and Roll20's `r`): reroll until the die no longer meets the condition.
    Until,
    /// `ra` (Avrae): roll one more die and add it to the pool, keeping the old one.
    Add,
}

/// Sort order of `s`, `sa` and `sd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum SortOrder {
    /// Ascending: `s`, `sa`.
    Ascending,
    /// Descending: `sd`.
    Descending,
}

/// A compare point: `>=5`, `<2`, `=3`. Stored after the dialect has given `>`
/// and `<` their meaning, so `>5` in Roll20 is stored as `>=5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Compare {
    /// The comparison.
    pub op: CompareOp,
    /// The value compared with.
    pub value: i64,
}

impl Compare {
    /// Whether `x` meets the compare point.
    #[inline]
    pub fn matches(self, x: i64) -> bool {
        match self.op {
            CompareOp::Eq => x == self.value,
            CompareOp::Gt => x > self.value,
            CompareOp::Ge => x >= self.value,
            CompareOp::Lt => x < self.value,
            CompareOp::Le => x <= self.value,
        }
    }

    /// Whether a real number `x` meets the compare point (for group totals).
    pub fn matches_f64(self, x: f64) -> bool {
        let v = self.value as f64;
        match self.op {
            CompareOp::Eq => x == v,
            CompareOp::Gt => x > v,
            CompareOp::Ge => x >= v,
            CompareOp::Lt => x < v,
            CompareOp::Le => x <= v,
        }
    }
}

/// The comparison of a [`Compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum CompareOp {
    /// `=`.
    #[cfg_attr(feature = "serde", serde(rename = "="))]
    Eq,
    /// `>` (strict).
    #[cfg_attr(feature = "serde", serde(rename = ">"))]
    Gt,
    /// `>=`.
    #[cfg_attr(feature = "serde", serde(rename = ">="))]
    Ge,
    /// `<` (strict).
    #[cfg_attr(feature = "serde", serde(rename = "<"))]
    Lt,
    /// `<=`.
    #[cfg_attr(feature = "serde", serde(rename = "<="))]
    Le,
}

impl CompareOp {
    /// The operator as it prints.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }
}
