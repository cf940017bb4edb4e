//! The result of a roll: [`Rolled`], with every die's history ([`Die`]).

use crate::ast::{Expr, NodeId, NodeKind};
use crate::die::DieKind;
use smallvec::SmallVec;

/// One die as rolled, with what happened to it.
///
/// A rerolled die stays in the list, marked [`rerolled`](Die::rerolled) and not
/// kept, followed by its replacement. Dice added by an explosion follow the die
/// that exploded. A compounded die shows one value, the sum of its rolls
/// ([`Rolled::compound_parts`] gives them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Die {
    /// The value it shows (after clamping, penetration or compounding).
    pub value: i64,
    pub(crate) flags: u16,
}

pub(crate) mod flag {
    pub(crate) const DROPPED: u16 = 1;
    pub(crate) const EXPLODED: u16 = 1 << 1;
    pub(crate) const REROLLED: u16 = 1 << 2;
    pub(crate) const SUCCESS: u16 = 1 << 3;
    pub(crate) const FAILURE: u16 = 1 << 4;
    /// Bit 5: `Die::with_extremes` shifts into it directly.
    pub(crate) const CRITICAL: u16 = 1 << 5;
    /// Bit 6: `Die::with_extremes` shifts into it directly.
    pub(crate) const FUMBLE: u16 = 1 << 6;
    pub(crate) const COMPOUNDED: u16 = 1 << 7;
    pub(crate) const PENETRATED: u16 = 1 << 8;
    pub(crate) const CLAMPED: u16 = 1 << 9;
    /// One roll inside a compounded die, stored after it; not a die of its own.
    pub(crate) const PART: u16 = 1 << 10;
    /// Added to the pool by an explosion or Avrae's `ra`.
    pub(crate) const ADDED: u16 = 1 << 11;
    /// A plain die whose critical and fumble flags are worked out when it is
    /// read, from its value and its node's faces: the hot loop of `NdM` then
    /// stores one constant instead of comparing each value.
    pub(crate) const LAZY_EXTREMES: u16 = 1 << 12;
    /// Not in the pool: dropped, rerolled away, or part of a compounded die.
    pub(crate) const INACTIVE: u16 = DROPPED | REROLLED | PART;
}

impl Die {
    pub(crate) fn new(value: i64, kind: DieKind) -> Die {
        Die::with_extremes(value, kind.min(), kind.max())
    }

    /// A die showing `value`, critical at `max` and a fumble at `min`.
    #[inline]
    pub(crate) fn with_extremes(value: i64, min: i64, max: i64) -> Die {
        let flags = (u16::from(value == max) << 5) | (u16::from(value == min) << 6);
        Die { value, flags }
    }

    /// The die with its critical and fumble flags worked out, if they were left for later.
    #[inline]
    pub(crate) fn resolved(self, kind: Option<DieKind>) -> Die {
        match kind {
            Some(kind) if self.has(flag::LAZY_EXTREMES) => {
                let extremes = Die::with_extremes(self.value, kind.min(), kind.max());
                Die {
                    value: self.value,
                    flags: (self.flags & !flag::LAZY_EXTREMES) | extremes.flags,
                }
            }
            _ => self,
        }
    }

    #[inline]
    pub(crate) fn has(self, bits: u16) -> bool {
        self.flags & bits != 0
    }

    /// Whether it counts toward the total: not dropped and not rerolled away.
    pub fn kept(self) -> bool {
        !self.has(flag::DROPPED | flag::REROLLED)
    }

    /// Whether it exploded (added a die, or added into itself when compounding).
    pub fn exploded(self) -> bool {
        self.has(flag::EXPLODED)
    }

    /// Whether it was rerolled away; its replacement follows it.
    pub fn rerolled(self) -> bool {
        self.has(flag::REROLLED)
    }

    /// Whether it was added to the pool by an explosion or a reroll-and-add.
    pub fn added(self) -> bool {
        self.has(flag::ADDED)
    }

    /// Whether it counted as a success.
    pub fn success(self) -> bool {
        self.has(flag::SUCCESS)
    }

    /// Whether it counted as a failure.
    pub fn failure(self) -> bool {
        self.has(flag::FAILURE)
    }

    /// Whether it rolled its highest face (a natural 20 on a d20).
    pub fn critical(self) -> bool {
        self.has(flag::CRITICAL)
    }

    /// Whether it rolled its lowest face (a natural 1).
    pub fn fumble(self) -> bool {
        self.has(flag::FUMBLE)
    }

    /// Whether it is the sum of compounded rolls (`!!`).
    pub fn compounded(self) -> bool {
        self.has(flag::COMPOUNDED)
    }

    /// Whether it came from a penetrating explosion and so counts 1 less (`!p`).
    pub fn penetrated(self) -> bool {
        self.has(flag::PENETRATED)
    }

    /// Whether `min`/`max` changed its value.
    pub fn clamped(self) -> bool {
        self.has(flag::CLAMPED)
    }
}

/// One sub-roll of a group, with whether it was kept and counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupElement {
    /// Its total.
    pub value: f64,
    pub(crate) flags: u16,
}

impl GroupElement {
    /// Whether it counts toward the group's total.
    pub fn kept(self) -> bool {
        self.flags & flag::DROPPED == 0
    }

    /// Whether it counted as a success.
    pub fn success(self) -> bool {
        self.flags & flag::SUCCESS != 0
    }

    /// Whether it counted as a failure.
    pub fn failure(self) -> bool {
        self.flags & flag::FAILURE != 0
    }
}

/// The dice of a roll: inline for a few dice, so small rolls do not allocate.
pub(crate) type DiceVec = SmallVec<[Die; 8]>;

/// What one node of the expression came to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RolledNode {
    pub(crate) value: f64,
    /// Dice nodes: the range in `Rolled::dice`. Groups: the range in `Rolled::elements`.
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// Dice nodes with computed faces (`2d(1d6+2)`): the faces they came to.
    /// Other dice nodes read their kind from the expression, which keeps this
    /// node at 24 bytes and the whole [`Rolled`], moved on every roll, at 248.
    pub(crate) computed_sides: u64,
}

/// A rolled expression: the total, and every node's value and dice.
///
/// It borrows the [`Expr`] it came from. Render it with
/// [`markdown`](Rolled::markdown) or [`plain`](Rolled::plain), or serialize it
/// with serde for the whole tree as JSON.
#[derive(Debug, Clone)]
pub struct Rolled<'e> {
    pub(crate) expr: &'e Expr,
    pub(crate) nodes: SmallVec<[RolledNode; 3]>,
    pub(crate) dice: DiceVec,
    pub(crate) elements: Vec<GroupElement>,
}

impl<'e> Rolled<'e> {
    /// The total of the whole expression: in the D20 dialect truncated
    /// toward 0, as Avrae shows it (the root's [`value`](Self::value) keeps
    /// the exact number).
    pub fn total(&self) -> f64 {
        let value = self.value(self.expr.root());
        if self.expr.dialect.truncates_total() {
            value.trunc() + 0.0
        } else {
            value
        }
    }

    /// The expression that was rolled.
    pub fn expr(&self) -> &'e Expr {
        self.expr
    }

    /// What node `id` came to.
    pub fn value(&self, id: NodeId) -> f64 {
        self.nodes[id.index()].value
    }

    /// The dice of a dice node, in the order rolled, with rerolled and dropped
    /// dice included (compound parts excluded). Empty for other nodes.
    pub fn dice(&self, id: NodeId) -> impl Iterator<Item = Die> + '_ {
        let kind = self.die_kind(id);
        self.raw_dice(id)
            .iter()
            .filter(|d| !d.has(flag::PART))
            .map(move |d| d.resolved(kind))
    }

    /// The sub-rolls of a group node. Empty for other nodes.
    pub fn group_elements(&self, id: NodeId) -> &[GroupElement] {
        match self.expr.node(id).kind {
            NodeKind::Group(_) => {
                let node = self.nodes[id.index()];
                &self.elements[node.start as usize..node.end as usize]
            }
            _ => &[],
        }
    }

    /// Every die rolled by the expression, in order (compound parts excluded).
    pub fn all_dice(&self) -> impl Iterator<Item = Die> + '_ {
        (0..self.nodes.len()).flat_map(|i| self.dice(NodeId(i as u32)))
    }

    /// The rolls that make up each compounded die of a dice node, in order.
    pub fn compound_parts(&self, id: NodeId) -> Vec<Vec<i64>> {
        let mut parts: Vec<Vec<i64>> = Vec::new();
        for die in self.raw_dice(id) {
            if die.has(flag::PART) {
                if let Some(last) = parts.last_mut() {
                    last.push(die.value);
                }
            } else if die.compounded() {
                parts.push(Vec::new());
            }
        }
        parts
    }

    /// The faces of a dice node as rolled (`20`, `F`, `%`), once computed faces are known.
    pub fn faces_label(&self, id: NodeId) -> Option<String> {
        self.die_kind(id).map(DieKind::label)
    }

    /// The kind of die a dice node rolled, once computed faces are known.
    fn die_kind(&self, id: NodeId) -> Option<DieKind> {
        match &self.expr.node(id).kind {
            NodeKind::Dice(dice) => Some(
                DieKind::known(dice.faces, self.expr.dialect)
                    .unwrap_or(DieKind::Numeric(self.nodes[id.index()].computed_sides)),
            ),
            _ => None,
        }
    }

    pub(crate) fn raw_dice(&self, id: NodeId) -> &[Die] {
        match self.expr.node(id).kind {
            NodeKind::Dice(_) => {
                let node = self.nodes[id.index()];
                &self.dice[node.start as usize..node.end as usize]
            }
            _ => &[],
        }
    }
}
