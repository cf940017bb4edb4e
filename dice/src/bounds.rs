//! [`Bounds`]: bounds on the total an expression can give, without rolling:
//! sound always, exact for most expressions ([`Expr::bounds_with`] says which).
//!
//! Interval arithmetic over the node arena: each node gets the interval of
//! values it can take, children before parents. Dice terms are worked out in
//! [`dice_bounds`](self::dice) from the range of one die and the range of the
//! number of dice that count.

mod dice;
mod group;
mod interval;

use crate::ast::{Expr, NodeKind, UnaryOp};
use crate::eval::RollOptions;
use crate::parse::MAX_EXACT;
use crate::{DiceError, Span};
use dice::DiceBounds;
use interval::Interval;

/// Bounds on the total of an expression: no roll falls outside them, and for
/// most expressions they are the least and greatest totals exactly (see
/// [`Expr::bounds_with`] for where they may be wider). `None` is unbounded:
/// an exploding die has no greatest total (and a negated one no least).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Bounds {
    /// A total that no roll goes below, or `None` when there is none.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize::bound"))]
    pub min: Option<f64>,
    /// A total that no roll goes above, or `None` when there is none.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serialize::bound"))]
    pub max: Option<f64>,
}

impl Expr {
    /// The bounds of the expression with no references (`@str.mod`) to fill in.
    ///
    /// ```
    /// let expr = critfumble_dice::parse("2d20kh1 + 5")?;
    /// let bounds = expr.bounds()?;
    /// assert_eq!((bounds.min, bounds.max), (Some(6.0), Some(25.0)));
    /// assert_eq!(critfumble_dice::parse("1d6!")?.bounds()?.max, None);
    /// # Ok::<(), critfumble_dice::DiceError>(())
    /// ```
    pub fn bounds(&self) -> Result<Bounds, DiceError> {
        self.bounds_with(&RollOptions::default())
    }

    /// The bounds, with references filled in from `options.vars`.
    ///
    /// They are exact for sums, keep and drop, rerolls, clamps, success
    /// counting, and explosions without keep or drop. Where an exact answer
    /// would need a search, they are still sound (no roll falls outside) but
    /// may be wider than exact: keep or drop on an exploding pool (`2d6!kl1`
    /// gives at most 6, where 5 is exact), a remainder of a fractional
    /// dividend (`1d2/2%1`), a divisor whose range spans zero, and d20's
    /// merged selectors on a set (`(1d6, 1d6, 1d6)kh1kl1`), and Roll20's
    /// group of one sub-roll of mixed dice (`{4d6+3d8}k4` gives at most 32,
    /// where 30 is exact).
    pub fn bounds_with(&self, options: &RollOptions) -> Result<Bounds, DiceError> {
        let mut intervals: Vec<Interval> = Vec::with_capacity(self.nodes.len());
        let mut dice_info: Vec<Option<DiceBounds>> = Vec::with_capacity(self.nodes.len());
        for node in self.nodes.iter() {
            let get = |id: crate::NodeId| intervals[id.index()];
            let mut info = None;
            let interval = match &node.kind {
                NodeKind::Number(v) => Interval::point(*v),
                NodeKind::Dice(d) => {
                    let bounds =
                        dice::dice_bounds(self, d, &intervals, &options.limits, node.span)?;
                    info = Some(bounds);
                    bounds.total
                }
                NodeKind::Group(g) => group::group_bounds(self, g, &intervals, &dice_info)?,
                NodeKind::Unary {
                    op: UnaryOp::Neg,
                    operand,
                } => get(*operand).negate(),
                NodeKind::Unary {
                    op: UnaryOp::Plus,
                    operand,
                } => get(*operand),
                NodeKind::Binary { op, lhs, rhs } => {
                    interval::binary(*op, get(*lhs), get(*rhs), node.span)?
                }
                NodeKind::Call { func, args } => {
                    let args: Vec<Interval> = args.iter().map(|id| get(*id)).collect();
                    interval::call(*func, &args, node.span)?
                }
                NodeKind::Ref(reference) => match options.vars.get(&reference.name) {
                    Some(v) => Interval::point(*v),
                    None => Interval::point(reference.default.ok_or_else(|| {
                        DiceError::MissingReference {
                            name: reference.name.clone(),
                            span: node.span,
                        }
                    })?),
                },
                NodeKind::Labeled { inner, .. } => get(*inner),
            };
            intervals.push(within_exact_range(interval, node.span)?);
            dice_info.push(info);
        }
        let root = intervals.last().copied().unwrap_or(Interval::point(0.0));
        // d20 shows the total truncated toward 0; truncation is monotonic.
        let root = if self.dialect.truncates_total() {
            Interval {
                lo: root.lo.trunc(),
                hi: root.hi.trunc(),
                integral: true,
            }
        } else {
            root
        };
        let finite = |v: f64| v.is_finite().then_some(v + 0.0);
        Ok(Bounds {
            min: finite(root.lo),
            max: finite(root.hi),
        })
    }
}

/// A roll refuses any value beyond ±2^53 (an overflow), so no total lies
/// past it: clip the interval there, and fail when all of it lies past it.
fn within_exact_range(interval: Interval, span: Span) -> Result<Interval, DiceError> {
    if interval.lo > MAX_EXACT || interval.hi < -MAX_EXACT {
        return Err(DiceError::Overflow { span });
    }
    let clip = |v: f64| {
        if v.is_finite() {
            v.clamp(-MAX_EXACT, MAX_EXACT)
        } else {
            v
        }
    };
    Ok(Interval {
        lo: clip(interval.lo),
        hi: clip(interval.hi),
        ..interval
    })
}
