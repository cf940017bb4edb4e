//! [`Bounds`]: the least and greatest total an expression can give, without rolling.

use crate::ast::{
    Compare, CompareOp, Count, Dice, ExplodeStyle, Expr, Faces, Func, Modifier, ModifierKind,
    NodeId, NodeKind, RerollStyle, Select, UnaryOp,
};
use crate::die::DieKind;
use crate::eval::RollOptions;
use crate::serialize::Number;
use crate::{BinaryOp, DiceError, Span};
use serde::Serialize;

/// The least and greatest total of an expression. `None` is unbounded: an
/// exploding die has no greatest total (and a negated one no least).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bounds {
    /// The least total, or `None` when there is none.
    #[serde(serialize_with = "bound")]
    pub min: Option<f64>,
    /// The greatest total, or `None` when there is none.
    #[serde(serialize_with = "bound")]
    pub max: Option<f64>,
}

fn bound<S: serde::Serializer>(value: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    value.map(Number).serialize(s)
}

/// A closed interval; infinite ends are unbounded.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    lo: f64,
    hi: f64,
}

impl Interval {
    fn point(v: f64) -> Self {
        Interval { lo: v, hi: v }
    }

    fn new(a: f64, b: f64) -> Self {
        Interval {
            lo: a.min(b),
            hi: a.max(b),
        }
    }

    fn hull(values: impl IntoIterator<Item = f64>) -> Self {
        let mut out = Interval {
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
        };
        for v in values {
            if !v.is_nan() {
                out.lo = out.lo.min(v);
                out.hi = out.hi.max(v);
            }
        }
        out
    }

    /// `n` copies added up, for a count `n` anywhere in `count`.
    fn times(self, count: Interval) -> Interval {
        let product = |a: f64, n: f64| if a == 0.0 || n == 0.0 { 0.0 } else { a * n };
        Interval::hull([
            product(self.lo, count.lo),
            product(self.lo, count.hi),
            product(self.hi, count.lo),
            product(self.hi, count.hi),
        ])
    }
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
    pub fn bounds_with(&self, options: &RollOptions) -> Result<Bounds, DiceError> {
        let mut intervals: Vec<Interval> = Vec::with_capacity(self.nodes.len());
        for (index, node) in self.nodes.iter().enumerate() {
            let get = |id: NodeId| intervals[id.index()];
            let interval = match &node.kind {
                NodeKind::Number(v) => Interval::point(*v),
                NodeKind::Dice(dice) => dice_bounds(self, dice, &intervals, node.span)?,
                NodeKind::Group(group) => {
                    group_bounds(self, NodeId(index as u32), group, &intervals)?
                }
                NodeKind::Unary {
                    op: UnaryOp::Neg,
                    operand,
                } => {
                    let x = get(*operand);
                    Interval::new(-x.hi, -x.lo)
                }
                NodeKind::Unary {
                    op: UnaryOp::Plus,
                    operand,
                } => get(*operand),
                NodeKind::Binary { op, lhs, rhs } => {
                    binary_bounds(*op, get(*lhs), get(*rhs), node.span)?
                }
                NodeKind::Call { func, arg } => call_bounds(*func, get(*arg)),
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
            intervals.push(interval);
        }
        let root = intervals.last().copied().unwrap_or(Interval::point(0.0));
        let finite = |v: f64| v.is_finite().then_some(v + 0.0);
        Ok(Bounds {
            min: finite(root.lo),
            max: finite(root.hi),
        })
    }
}

fn binary_bounds(
    op: BinaryOp,
    a: Interval,
    b: Interval,
    span: Span,
) -> Result<Interval, DiceError> {
    let corners = |f: &dyn Fn(f64, f64) -> f64| {
        Interval::hull([f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)])
    };
    Ok(match op {
        BinaryOp::Add => Interval {
            lo: a.lo + b.lo,
            hi: a.hi + b.hi,
        },
        BinaryOp::Sub => Interval {
            lo: a.lo - b.hi,
            hi: a.hi - b.lo,
        },
        BinaryOp::Mul => corners(&|x, y| if x == 0.0 || y == 0.0 { 0.0 } else { x * y }),
        BinaryOp::Div | BinaryOp::Rem if b.lo == 0.0 && b.hi == 0.0 => {
            return Err(DiceError::DivisionByZero { span });
        }
        BinaryOp::Div => {
            // A divisor whose range spans zero is taken to be whole: its smallest
            // magnitude is then 1 (dice totals are whole numbers).
            let mut divisors = vec![b.lo, b.hi];
            if b.lo < 0.0 && b.hi > 0.0 {
                divisors.extend([-1.0, 1.0]);
            } else if b.lo == 0.0 {
                divisors[0] = 1.0_f64.min(b.hi);
            } else if b.hi == 0.0 {
                divisors[1] = (-1.0_f64).max(b.lo);
            }
            Interval::hull(divisors.iter().flat_map(|d| [a.lo / d, a.hi / d]))
        }
        BinaryOp::Rem if a.lo == a.hi && b.lo == b.hi => Interval::point(a.lo % b.lo),
        BinaryOp::Rem => {
            let m = b.lo.abs().max(b.hi.abs()) - 1.0;
            Interval {
                lo: if a.lo < 0.0 { a.lo.max(-m) } else { 0.0 },
                hi: if a.hi > 0.0 { a.hi.min(m) } else { 0.0 },
            }
        }
        BinaryOp::Pow => {
            let mut out = corners(&f64::powf);
            if a.lo < 0.0 && a.hi > 0.0 {
                out = Interval::hull([out.lo, out.hi, 0.0_f64.powf(b.lo), 0.0_f64.powf(b.hi)]);
            }
            out
        }
    })
}

fn call_bounds(func: Func, x: Interval) -> Interval {
    match func {
        Func::Abs if x.lo >= 0.0 => x,
        Func::Abs if x.hi <= 0.0 => Interval::new(-x.hi, -x.lo),
        Func::Abs => Interval {
            lo: 0.0,
            hi: x.hi.max(-x.lo),
        },
        _ => Interval {
            lo: func.apply(x.lo),
            hi: func.apply(x.hi),
        },
    }
}

/// The range of one die's value after rerolls until, and clamps.
fn face_range(kind: DieKind, modifiers: &[Modifier]) -> Interval {
    let (mut lo, mut hi) = (kind.min(), kind.max());
    for modifier in modifiers {
        if let ModifierKind::Reroll {
            style: RerollStyle::Until,
            on,
        } = modifier.kind
        {
            let on = on.unwrap_or(Compare {
                op: CompareOp::Eq,
                value: kind.min(),
            });
            (lo, hi) = crate::termination::narrow(on, lo, hi, kind);
        }
    }
    for modifier in modifiers {
        match modifier.kind {
            ModifierKind::Min(v) => (lo, hi) = (lo.max(v), hi.max(v)),
            ModifierKind::Max(v) => (lo, hi) = (lo.min(v), hi.min(v)),
            _ => {}
        }
    }
    Interval::new(lo as f64, hi as f64)
}

/// Whether some value in `range` meets `on`.
fn can_match(on: Compare, range: Interval) -> bool {
    let v = on.value as f64;
    match on.op {
        CompareOp::Eq => range.lo <= v && v <= range.hi,
        CompareOp::Gt => range.hi > v,
        CompareOp::Ge => range.hi >= v,
        CompareOp::Lt => range.lo < v,
        CompareOp::Le => range.lo <= v,
    }
}

fn dice_bounds(
    expr: &Expr,
    dice: &Dice,
    intervals: &[Interval],
    span: Span,
) -> Result<Interval, DiceError> {
    let kind = match DieKind::known(dice.faces, expr.dialect) {
        Some(kind) => kind,
        None => {
            let Faces::Computed(id) = dice.faces else {
                return Err(DiceError::invalid(
                    "the faces of these dice are unknown",
                    span,
                ));
            };
            DieKind::Numeric(intervals[id.index()].hi.max(1.0) as u64)
        }
    };
    let mut face = face_range(kind, &dice.modifiers);
    if matches!(dice.faces, Faces::Computed(_)) {
        face.lo = face.lo.min(1.0);
    }
    let mut count = match dice.count {
        Count::Implicit => Interval::point(1.0),
        Count::Literal(n) => Interval::point(n as f64),
        Count::Computed(id) => {
            let c = intervals[id.index()];
            Interval {
                lo: c.lo.max(0.0).ceil(),
                hi: c.hi.max(0.0).floor(),
            }
        }
    };
    let mut per_die = face;
    for modifier in &dice.modifiers {
        match modifier.kind {
            ModifierKind::Explode { style, on } => {
                let on = on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.max(),
                });
                if !can_match(on, face) {
                    continue;
                }
                match style {
                    ExplodeStyle::Compound => per_die.hi = f64::INFINITY,
                    ExplodeStyle::Explode | ExplodeStyle::Penetrate => count.hi = f64::INFINITY,
                    ExplodeStyle::Once => count.hi *= 2.0,
                }
            }
            ModifierKind::Reroll {
                style: RerollStyle::Add,
                on,
            } => {
                let on = on.unwrap_or(Compare {
                    op: CompareOp::Eq,
                    value: kind.min(),
                });
                if can_match(on, face) {
                    count.hi *= 2.0;
                }
            }
            _ => {}
        }
    }
    // Keep and drop: how many dice count, and which values survive a selector.
    let mut kept = count;
    let mut values = per_die;
    for modifier in &dice.modifiers {
        let (select, keep) = match modifier.kind {
            ModifierKind::Keep(select) => (select, true),
            ModifierKind::Drop(select) => (select, false),
            _ => continue,
        };
        kept = match (select, keep) {
            (Select::Highest(k) | Select::Lowest(k), true) => Interval {
                lo: kept.lo.min(k as f64),
                hi: kept.hi.min(k as f64),
            },
            (Select::Highest(k) | Select::Lowest(k), false) => Interval {
                lo: (kept.lo - k as f64).max(0.0),
                hi: (kept.hi - k as f64).max(0.0),
            },
            (Select::Matching(_), _) => {
                values = Interval::new(values.lo.min(0.0), values.hi.max(0.0));
                Interval {
                    lo: 0.0,
                    hi: kept.hi,
                }
            }
        };
    }
    let counting: Vec<ModifierKind> = dice
        .modifiers
        .iter()
        .map(|m| m.kind)
        .filter(|k| {
            matches!(
                k,
                ModifierKind::CountSuccesses(_)
                    | ModifierKind::CountFailures(_)
                    | ModifierKind::DeductFailures(_)
                    | ModifierKind::SubtractFailures(_)
                    | ModifierKind::CountEven
                    | ModifierKind::CountOdd
            )
        })
        .collect();
    let per_counted = if counting.is_empty() || values.hi.is_infinite() {
        values
    } else {
        contribution_range(values, &counting)
    };
    let mut total = per_counted.times(kept);
    for modifier in &dice.modifiers {
        if let ModifierKind::MarginOfSuccess(target) = modifier.kind {
            let t = target.value as f64;
            total = match target.op {
                CompareOp::Lt | CompareOp::Le => Interval::new(t - total.hi, t - total.lo),
                _ => Interval::new(total.lo - t, total.hi - t),
            };
        }
    }
    Ok(total)
}

/// What one die in `values` can count for under the counting modifiers.
/// The compare points split the values into few classes, so trying the ends of
/// the range and the values around each compare point covers every class.
fn contribution_range(values: Interval, counting: &[ModifierKind]) -> Interval {
    let (lo, hi) = (values.lo as i64, values.hi as i64);
    let mut candidates = vec![lo, hi, lo + 1, hi - 1];
    for kind in counting {
        if let ModifierKind::CountSuccesses(c)
        | ModifierKind::CountFailures(c)
        | ModifierKind::DeductFailures(c)
        | ModifierKind::SubtractFailures(c) = kind
        {
            candidates.extend([c.value - 1, c.value, c.value + 1]);
        }
    }
    Interval::hull(
        candidates
            .into_iter()
            .filter(|v| (lo..=hi).contains(v))
            .map(|v| {
                let mut die = crate::rolled::Die { value: v, flags: 0 };
                let mut count = v;
                for kind in counting {
                    count = crate::eval::count_die(&mut die, *kind, count);
                }
                count as f64
            }),
    )
}

fn group_bounds(
    expr: &Expr,
    _id: NodeId,
    group: &crate::ast::Group,
    intervals: &[Interval],
) -> Result<Interval, DiceError> {
    let items: Vec<Interval> = group.items.iter().map(|id| intervals[id.index()]).collect();
    let (elements, count) = match crate::eval::single_dice_of(expr, group) {
        Some((item, dice_id)) => {
            let NodeKind::Dice(dice) = &expr.node(dice_id).kind else {
                return Ok(Interval::hull(items.iter().flat_map(|i| [i.lo, i.hi])));
            };
            let kind = DieKind::known(dice.faces, expr.dialect).unwrap_or(DieKind::Numeric(1));
            let mut single = intervals.to_vec();
            single[dice_id.index()] = face_range(kind, &dice.modifiers);
            let element = rebound(expr, item, &mut single)?;
            let n = match dice.count {
                Count::Literal(n) => n as usize,
                _ => 1,
            };
            (vec![element; n], true)
        }
        None => (items, false),
    };
    let _ = count;
    let n = elements.len();
    let mut kept_lo: Vec<f64> = elements.iter().map(|e| e.lo).collect();
    let mut kept_hi: Vec<f64> = elements.iter().map(|e| e.hi).collect();
    let mut matching_select = false;
    for modifier in &group.modifiers {
        let (k, highest) = match modifier.kind {
            ModifierKind::Keep(Select::Highest(k)) => (k as usize, true),
            ModifierKind::Keep(Select::Lowest(k)) => (k as usize, false),
            ModifierKind::Drop(Select::Highest(k)) => {
                (kept_lo.len().saturating_sub(k as usize), false)
            }
            ModifierKind::Drop(Select::Lowest(k)) => {
                (kept_lo.len().saturating_sub(k as usize), true)
            }
            ModifierKind::Keep(Select::Matching(_)) | ModifierKind::Drop(Select::Matching(_)) => {
                matching_select = true;
                continue;
            }
            _ => continue,
        };
        for list in [&mut kept_lo, &mut kept_hi] {
            list.sort_by(|a, b| {
                if highest {
                    b.total_cmp(a)
                } else {
                    a.total_cmp(b)
                }
            });
            list.truncate(k);
        }
    }
    let counting: Vec<ModifierKind> = group
        .modifiers
        .iter()
        .map(|m| m.kind)
        .filter(|k| {
            matches!(
                k,
                ModifierKind::CountSuccesses(_)
                    | ModifierKind::CountFailures(_)
                    | ModifierKind::DeductFailures(_)
            )
        })
        .collect();
    if !counting.is_empty() {
        let can_fail = counting
            .iter()
            .any(|k| matches!(k, ModifierKind::DeductFailures(_)));
        let m = kept_lo.len().min(n) as f64;
        let lo = if can_fail || matching_select {
            -m * f64::from(u8::from(can_fail))
        } else {
            0.0
        };
        return Ok(Interval { lo, hi: m });
    }
    let lo: f64 = kept_lo.iter().sum();
    let hi: f64 = kept_hi.iter().sum();
    if matching_select {
        return Ok(Interval {
            lo: lo.min(0.0),
            hi: hi.max(0.0),
        });
    }
    Ok(Interval { lo, hi })
}

/// Recomputes the interval of `id` from `intervals`, where a leaf was replaced.
fn rebound(expr: &Expr, id: NodeId, intervals: &mut [Interval]) -> Result<Interval, DiceError> {
    let node = expr.node(id);
    let value = match &node.kind {
        NodeKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => {
            let x = rebound(expr, *operand, intervals)?;
            Interval::new(-x.hi, -x.lo)
        }
        NodeKind::Unary {
            op: UnaryOp::Plus,
            operand,
        } => rebound(expr, *operand, intervals)?,
        NodeKind::Binary { op, lhs, rhs } => {
            let (a, b) = (
                rebound(expr, *lhs, intervals)?,
                rebound(expr, *rhs, intervals)?,
            );
            binary_bounds(*op, a, b, node.span)?
        }
        NodeKind::Call { func, arg } => call_bounds(*func, rebound(expr, *arg, intervals)?),
        NodeKind::Labeled { inner, .. } => rebound(expr, *inner, intervals)?,
        _ => intervals[id.index()],
    };
    intervals[id.index()] = value;
    Ok(value)
}
