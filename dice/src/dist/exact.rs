//! The exact distribution: one pass over the node arena, a distribution per node.

use super::die;
use super::pmf::Pmf;
use super::{Budget, DistOptions, Step, group, keep};
use crate::ast::{
    BinaryOp, Count, Dice, Expr, Faces, Func, ModifierKind, NodeId, NodeKind, Select, UnaryOp,
};
use crate::die::DieKind;
use crate::number::Float;
use crate::parse::MAX_EXACT;
use crate::{DiceError, Span};

/// The distribution of the whole expression and the mass cut off by explosions.
pub(super) fn distribution(
    expr: &Expr,
    options: &DistOptions,
    budget: &mut Budget,
) -> Result<(Pmf, f64), Step> {
    let mut walk = Walk {
        expr,
        options,
        pmfs: Vec::with_capacity(expr.nodes.len()),
        cut: 0.0,
    };
    for index in 0..expr.nodes.len() {
        let id = NodeId(index as u32);
        let pmf = within_range(walk.node(id, budget)?, expr.node(id).span)?;
        walk.pmfs.push(pmf);
    }
    let root = walk.pmfs.pop().unwrap_or_else(|| Pmf::constant(0.0));
    // d20 shows the total truncated toward 0.
    let root = if expr.dialect.truncates_total() {
        root.map(|v| v.trunc() + 0.0)
    } else {
        root
    };
    Ok((root, walk.cut))
}

/// The walk's state: the distribution of each node so far.
pub(super) struct Walk<'e, 'o> {
    pub(super) expr: &'e Expr,
    pub(super) options: &'o DistOptions,
    pub(super) pmfs: Vec<Pmf>,
    /// The probability cut off where explosions stop being followed. Cut
    /// masses are tiny, so adding them (rather than 1 - the product of what
    /// is kept, which rounds them away) is accurate.
    pub(super) cut: f64,
}

impl Walk<'_, '_> {
    pub(super) fn node(&mut self, id: NodeId, budget: &mut Budget) -> Result<Pmf, Step> {
        let node = self.expr.node(id);
        let span = node.span;
        let get = |walk: &Self, id: NodeId| walk.pmfs[id.index()].clone();
        Ok(match &node.kind {
            NodeKind::Number(v) => Pmf::constant(*v),
            NodeKind::Dice(dice) => self.dice(dice, span, budget)?,
            NodeKind::Group(g) => group::group(self, id, g, budget)?,
            NodeKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => get(self, *operand).map(|v| -v),
            NodeKind::Unary {
                op: UnaryOp::Plus,
                operand,
            } => get(self, *operand),
            NodeKind::Binary { op, lhs, rhs } => {
                let (a, b) = (get(self, *lhs), get(self, *rhs));
                binary(*op, &a, &b, span, budget)?
            }
            NodeKind::Call { func, args } => call(*func, args, &self.pmfs, span, budget)?,
            NodeKind::Ref(reference) => {
                match self.options.vars.get(&reference.name) {
                    Some(v) => Pmf::constant(*v),
                    None => Pmf::constant(reference.default.ok_or_else(|| {
                        DiceError::MissingReference {
                            name: reference.name.clone(),
                            span,
                        }
                    })?),
                }
            }
            NodeKind::Labeled { inner, .. } => get(self, *inner),
        })
    }

    /// A dice term: a mixture over its possible counts and faces.
    fn dice(&mut self, dice: &Dice, span: Span, budget: &mut Budget) -> Result<Pmf, Step> {
        let counts: Vec<(u64, f64)> = match dice.count {
            Count::Implicit => vec![(1, 1.0)],
            Count::Literal(n) => vec![(n, 1.0)],
            Count::Computed(id) => self.pmfs[id.index()]
                .pairs()
                .into_iter()
                .map(|(v, p)| (self.expr.dialect.computed_dice(v), p))
                .map(|(v, p)| {
                    if v < 0.0 || v.fract() != 0.0 {
                        return Err(Step::Error(DiceError::invalid(
                            format!(
                                "the number of dice must be a whole number of at least 0, not {}",
                                Float(v)
                            ),
                            span,
                        )));
                    }
                    if v > self.options.limits.max_dice as f64 {
                        return Err(Step::Error(DiceError::Limit {
                            kind: crate::LimitKind::Dice,
                            limit: self.options.limits.max_dice,
                            span,
                        }));
                    }
                    Ok((v as u64, p))
                })
                .collect::<Result<_, _>>()?,
        };
        let kinds: Vec<(DieKind, f64)> =
            match (DieKind::known(dice.faces, self.expr.dialect), dice.faces) {
                (Some(kind), _) => vec![(kind, 1.0)],
                (None, Faces::Computed(id)) => self.pmfs[id.index()]
                    .pairs()
                    .into_iter()
                    .map(|(v, p)| (self.expr.dialect.computed_dice(v), p))
                    .map(|(v, p)| {
                        if v < 1.0 || v.fract() != 0.0 || v > self.options.limits.max_faces as f64 {
                            return Err(Step::Error(DiceError::invalid(
                                format!(
                                    "a die needs a whole number of faces of at least 1, not {}",
                                    Float(v)
                                ),
                                span,
                            )));
                        }
                        Ok((DieKind::Numeric(v as u64), p))
                    })
                    .collect::<Result<_, _>>()?,
                (None, _) => return Err(Step::Fallback),
            };
        let mut out = Pmf::Int {
            min: 0,
            p: Vec::new(),
        };
        for (kind, p_kind) in &kinds {
            crate::termination::check(*kind, &dice.modifiers)?;
            for (count, p_count) in &counts {
                let (pmf, truncated) = self.term(*kind, *count, dice, budget)?;
                self.cut += truncated * p_kind * p_count;
                out = out.mix(&pmf.scaled(p_kind * p_count));
            }
        }
        Ok(out)
    }

    /// `count` dice of `kind` with the term's modifiers, and the mass cut off.
    fn term(
        &self,
        kind: DieKind,
        count: u64,
        dice: &Dice,
        budget: &mut Budget,
    ) -> Result<(Pmf, f64), Step> {
        let modifiers = &dice.modifiers;
        let face = die::face(kind, modifiers);
        let adder = die::adder(kind, modifiers)?;
        // `mt` counts sets of equal dice: no exact method here.
        if modifiers
            .iter()
            .any(|m| matches!(m.kind, ModifierKind::Matches { total: true, .. }))
        {
            return Err(Step::Fallback);
        }
        // `ra` adds one die to the whole term, not one per die: the dice are
        // not independent, and only a lone die has an exact method here.
        if matches!(adder, Some(die::Adder::RerollAdd(_))) && count > 1 {
            return Err(Step::Fallback);
        }
        let selects: Vec<(Select, bool)> = modifiers
            .iter()
            .filter_map(|m| match m.kind {
                ModifierKind::Keep(s) => Some((s, true)),
                ModifierKind::Drop(s) => Some((s, false)),
                _ => None,
            })
            .collect();
        let counting: Vec<ModifierKind> = modifiers
            .iter()
            .map(|m| m.kind)
            .filter(|k| {
                matches!(
                    k,
                    ModifierKind::CountSuccesses(_)
                        | ModifierKind::CountFailures(_)
                        | ModifierKind::DeductFailures(_)
                        | ModifierKind::DeductNonSuccesses
                        | ModifierKind::SubtractFailures(_)
                        | ModifierKind::CountEven
                        | ModifierKind::CountOdd
                )
            })
            .collect();
        let counted = |v: f64| -> f64 {
            if counting.is_empty() {
                return v;
            }
            let v = v as i64;
            let mut die = crate::rolled::Die { value: v, flags: 0 };
            let mut count = v;
            for kind in &counting {
                count = crate::eval::count_die(&mut die, *kind, count);
            }
            count as f64
        };
        let limit = self.options.limits.max_explosions;
        let (pmf, truncated) = match selects.as_slice() {
            [] => {
                let (one, truncated) = die::chain(&face, adder, limit, &counted, budget)?;
                (one.sum_of(count, budget)?, truncated * count as f64)
            }
            // Keep or drop by value is decided die by die.
            [(Select::Matching(on), keep)] => {
                let (on, keep) = (*on, *keep);
                let weight = |v: f64| {
                    if on.matches(v as i64) == keep {
                        counted(v)
                    } else {
                        0.0
                    }
                };
                let (one, truncated) = die::chain(&face, adder, limit, &weight, budget)?;
                (one.sum_of(count, budget)?, truncated * count as f64)
            }
            [(select, keep)] if !die::grows_pool(adder) => {
                // Compounding turns each die into one value; keep works on those.
                let (value, truncated) = die::chain(&face, adder, limit, &|v| v, budget)?;
                let value = value.pairs();
                let (highest, n) = match (select, keep) {
                    (Select::Highest(n), true) => (true, *n),
                    (Select::Lowest(n), true) => (false, *n),
                    (Select::Highest(n), false) => (false, count.saturating_sub(*n)),
                    (Select::Lowest(n), false) => (true, count.saturating_sub(*n)),
                    (Select::Matching(_), _) => return Err(Step::Fallback),
                };
                let pmf = keep::keep(&value, count, n, highest, &counted, budget)?;
                (pmf, truncated * count as f64)
            }
            _ => return Err(Step::Fallback),
        };
        let mut pmf = pmf;
        for modifier in modifiers {
            if let ModifierKind::MarginOfSuccess(target) = modifier.kind {
                pmf = pmf.map(|t| crate::eval::margin(t, target));
            }
        }
        Ok((pmf, truncated))
    }
}

/// The distribution of `a op b` for independent `a` and `b`. An outcome that
/// a roll would refuse (division by zero, overflow) makes the whole
/// distribution that error, as rolling it could.
pub(super) fn binary(
    op: BinaryOp,
    a: &Pmf,
    b: &Pmf,
    span: Span,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    match op {
        BinaryOp::Add => a.add(b, budget),
        BinaryOp::Sub => a.add(&b.map(|v| -v), budget),
        _ => {
            budget.spend((a.len() as u64).saturating_mul(b.len() as u64))?;
            if matches!(
                op,
                BinaryOp::Div | BinaryOp::Rem | BinaryOp::FloorDiv | BinaryOp::Modulo
            ) && b.pairs().iter().any(|(v, _)| *v == 0.0)
            {
                return Err(Step::Error(DiceError::DivisionByZero { span }));
            }
            let out = a.pairwise(b, |x, y| {
                crate::eval::binary(op, x, y, span).unwrap_or(f64::NAN)
            });
            for (v, _) in out.pairs() {
                crate::eval::checked(v, span)?;
            }
            Ok(out)
        }
    }
}

/// The distribution of `func(args…)` for independent arguments: one
/// argument maps, more combine pairwise (a `max`, `min` or `hypot` of three
/// folds, which is exact for `max` and `min` and leaves `hypot` to sampling,
/// whose rounding differs when folded). An outcome that a roll would refuse
/// (not a number) makes the whole distribution that error.
fn call(
    func: Func,
    args: &[NodeId],
    pmfs: &[Pmf],
    span: Span,
    budget: &mut Budget,
) -> Result<Pmf, Step> {
    let pmf = |id: &NodeId| &pmfs[id.index()];
    let out = match args {
        [x] => pmf(x).map(|v| func.apply(&[v])),
        [x, y] => {
            budget.spend((pmf(x).len() as u64).saturating_mul(pmf(y).len() as u64))?;
            pmf(x).pairwise(pmf(y), |a, b| func.apply(&[a, b]))
        }
        [x, lo, hi] if func == Func::Clamp => {
            budget.spend((pmf(x).len() as u64).saturating_mul(pmf(lo).len() as u64))?;
            let raised = pmf(x).pairwise(pmf(lo), |a, b| Func::Max.apply(&[a, b]));
            budget.spend((raised.len() as u64).saturating_mul(pmf(hi).len() as u64))?;
            raised.pairwise(pmf(hi), |a, b| Func::Min.apply(&[a, b]))
        }
        [first, rest @ ..] if matches!(func, Func::Max | Func::Min) => {
            let mut out = pmf(first).clone();
            for next in rest {
                budget.spend((out.len() as u64).saturating_mul(pmf(next).len() as u64))?;
                out = out.pairwise(pmf(next), |a, b| func.apply(&[a, b]));
            }
            out
        }
        _ => return Err(Step::Fallback),
    };
    for (v, _) in out.pairs() {
        crate::eval::checked(v, span)?;
    }
    Ok(out)
}

/// Refuses a distribution holding a total beyond ±2^53, as a roll would.
pub(super) fn within_range(pmf: Pmf, span: Span) -> Result<Pmf, Step> {
    for (v, _) in pmf.pairs() {
        if v.abs() > MAX_EXACT {
            return Err(Step::Error(DiceError::Overflow { span }));
        }
    }
    Ok(pmf)
}
