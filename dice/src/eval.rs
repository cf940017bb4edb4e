//! The roller: evaluates an [`Expr`] in one forward pass over its nodes.

mod group;
mod pool;
pub(crate) mod source;

use crate::ast::{BinaryOp, Count, Expr, Faces, NodeKind, UnaryOp};
use crate::die::DieKind;
use crate::number::Float;
use crate::parse::MAX_EXACT;
use crate::rolled::{Rolled, RolledNode};
use crate::{DiceError, LimitKind, Limits, Span};
pub(crate) use group::{group_count, is_counting, pooled_dice_of, single_dice_of};
use pool::PoolRoller;
pub(crate) use pool::{count_die, margin, selector_runs};
use rand::Rng;
use smallvec::SmallVec;
use source::{DieSource, ForcedSource, RandomSource};
use std::collections::HashMap;

/// How to roll: limits, and the values of references such as `@str.mod`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollOptions {
    /// Caps on dice, explosions and rerolls.
    pub limits: Limits,
    /// Values for `?{Query}`, `@{attribute}` and `@data.path` references, by name.
    pub vars: HashMap<String, f64>,
}

/// Rolls with the given random generator.
///
/// ```
/// use critfumble_dice::{parse, roll_with, seeded_rng, RollOptions};
/// let expr = parse("4d6kh3")?;
/// let mut rng = seeded_rng(42);
/// let rolled = roll_with(&expr, &mut rng, &RollOptions::default())?;
/// assert!((3.0..=18.0).contains(&rolled.total()));
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn roll_with<'e, R: Rng + ?Sized>(
    expr: &'e Expr,
    rng: &mut R,
    options: &RollOptions,
) -> Result<Rolled<'e>, DiceError> {
    evaluate(expr, &mut RandomSource::new(rng), options)
}

/// Rolls with forced die faces, in the order the dice are rolled: explosions
/// and rerolls take the next values. Fate dice take −1, 0 and 1.
///
/// Fails when the faces run out, when one cannot come from its die, or when
/// faces are left over (they would not be the roll that was reported).
///
/// ```
/// use critfumble_dice::{parse, replay, RollOptions};
/// let expr = parse("2d20kh1 + 5")?;
/// let rolled = replay(&expr, &[12, 20], &RollOptions::default())?;
/// assert_eq!(rolled.total(), 25.0);
/// assert_eq!(rolled.markdown(), "2d20kh1 (~~12~~, **20**) + 5 = `25`");
/// # Ok::<(), critfumble_dice::DiceError>(())
/// ```
pub fn replay<'e>(
    expr: &'e Expr,
    faces: &[i64],
    options: &RollOptions,
) -> Result<Rolled<'e>, DiceError> {
    let mut source = ForcedSource::new(faces);
    let rolled = evaluate(expr, &mut source, options)?;
    if source.used() < faces.len() {
        return Err(DiceError::UnusedForcedDice {
            unused: faces.len() - source.used(),
            span: expr.node(expr.root()).span,
        });
    }
    Ok(rolled)
}

/// Rolls `expr` with faces from `source`.
///
/// One compiled copy serves every source (each generator, and replays) through
/// `dyn DieSource`: the copies cost 8 KB of the wasm build each, and a source
/// is called once a pool for plain and keep/drop dice, where the indirect
/// call is lost in the noise.
pub(crate) fn evaluate<'e>(
    expr: &'e Expr,
    source: &mut dyn DieSource,
    options: &RollOptions,
) -> Result<Rolled<'e>, DiceError> {
    let hint = usize::try_from(expr.dice_hint.min(options.limits.max_dice)).unwrap_or(0);
    let mut rolled = Rolled {
        expr,
        nodes: SmallVec::new(),
        dice: SmallVec::new(),
        elements: Vec::new(),
    };
    // Reserved in place: `SmallVec::with_capacity` builds each vector on the
    // stack and copies it in (59 instructions a roll, measured with callgrind).
    rolled.nodes.reserve(expr.nodes.len());
    rolled.dice.reserve(hint);
    let limits = expr.dialect.limits(options.limits);
    fill(&mut rolled, source, &limits, options)?;
    Ok(rolled)
}

/// Evaluates every node of `rolled.expr`, in order, into `rolled`, within
/// `limits` (the options' limits as the dialect narrows them).
fn fill(
    rolled: &mut Rolled<'_>,
    source: &mut dyn DieSource,
    limits: &Limits,
    options: &RollOptions,
) -> Result<(), DiceError> {
    let expr = rolled.expr;
    let mut drawn = 0u64;
    for node in &expr.nodes {
        let mut out = RolledNode {
            value: 0.0,
            start: 0,
            end: 0,
            computed_sides: 0,
        };
        out.value = match &node.kind {
            NodeKind::Number(value) => *value,
            NodeKind::Dice(dice) => {
                let kind = match DieKind::known(dice.faces, expr.dialect) {
                    Some(kind) => kind,
                    None => {
                        let kind =
                            computed_faces(rolled, dice.faces, expr.dialect, limits, node.span)?;
                        out.computed_sides = kind.sides();
                        kind
                    }
                };
                if matches!(dice.faces, Faces::Computed(_)) {
                    crate::termination::check(kind, &dice.modifiers)?;
                }
                let count = match dice.count {
                    Count::Implicit => 1,
                    Count::Literal(n) => n,
                    Count::Computed(id) => {
                        computed_count(expr.dialect.computed_dice(rolled.value(id)), node.span)?
                    }
                };
                if count > limits.max_dice.saturating_sub(drawn) {
                    return Err(DiceError::Limit {
                        kind: LimitKind::Dice,
                        limit: limits.max_dice,
                        span: node.span,
                    });
                }
                out.start = rolled.dice.len() as u32;
                let total = if dice.modifiers.iter().all(|m| m.kind.is_keep_or_drop()) {
                    // Plain `NdM` and keep/drop (`4d6kh3`), the common cases,
                    // straight to the source: the count was checked against the
                    // dice limit just above, and no die needs a step of its own.
                    drawn += count;
                    let start = rolled.dice.len();
                    let sum = source.draw_many(kind, count, &mut rolled.dice, node.span)?;
                    if dice.modifiers.is_empty() {
                        sum as f64
                    } else {
                        pool::apply_pool_modifiers(
                            &mut rolled.dice[start..],
                            &dice.modifiers,
                            expr.dialect.merges_selectors(),
                        )?
                    }
                } else {
                    let mut pool = PoolRoller {
                        source: &mut *source,
                        limits,
                        drawn: &mut drawn,
                        kind,
                        span: node.span,
                        merge_selectors: expr.dialect.merges_selectors(),
                        added_once: false,
                        spent: Vec::new(),
                    };
                    pool.roll(count, &dice.modifiers, &mut rolled.dice)?
                };
                out.end = rolled.dice.len() as u32;
                total
            }
            NodeKind::Group(group) => {
                out.start = rolled.elements.len() as u32;
                let total = group::roll_group(rolled, group)?;
                out.end = rolled.elements.len() as u32;
                total
            }
            NodeKind::Unary { op, operand } => match op {
                UnaryOp::Neg => -rolled.value(*operand),
                UnaryOp::Plus => rolled.value(*operand),
            },
            NodeKind::Binary { op, lhs, rhs } => {
                binary(*op, rolled.value(*lhs), rolled.value(*rhs), node.span)?
            }
            NodeKind::Call { func, args } => match args.as_slice() {
                [arg] => func.apply(&[rolled.value(*arg)]),
                _ => {
                    let values: SmallVec<[f64; 4]> =
                        args.iter().map(|arg| rolled.value(*arg)).collect();
                    func.apply(&values)
                }
            },
            NodeKind::Ref(reference) => match options.vars.get(&reference.name) {
                Some(value) => *value,
                None => reference
                    .default
                    .ok_or_else(|| DiceError::MissingReference {
                        name: reference.name.clone(),
                        span: node.span,
                    })?,
            },
            NodeKind::Labeled { inner, .. } => rolled.value(*inner),
        };
        out.value = checked(out.value, node.span)?;
        rolled.nodes.push(out);
    }
    Ok(())
}

/// Applies a binary operator, refusing division by zero: JavaScript's
/// semantics, and Python's for `//`, the D20 dialect's `%` and comparisons.
pub(crate) fn binary(op: BinaryOp, a: f64, b: f64, span: Span) -> Result<f64, DiceError> {
    let truth = |holds: bool| if holds { 1.0 } else { 0.0 };
    Ok(match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div if b == 0.0 => return Err(DiceError::DivisionByZero { span }),
        BinaryOp::Div => a / b,
        BinaryOp::Rem if b == 0.0 => return Err(DiceError::DivisionByZero { span }),
        BinaryOp::Rem => a % b,
        BinaryOp::Pow => a.powf(b),
        BinaryOp::FloorDiv | BinaryOp::Modulo if b == 0.0 => {
            return Err(DiceError::DivisionByZero { span });
        }
        BinaryOp::FloorDiv => (a / b).floor(),
        BinaryOp::Modulo => python_modulo(a, b),
        BinaryOp::Equal => truth(a == b),
        BinaryOp::NotEqual => truth(a != b),
        BinaryOp::Less => truth(a < b),
        BinaryOp::LessEqual => truth(a <= b),
        BinaryOp::Greater => truth(a > b),
        BinaryOp::GreaterEqual => truth(a >= b),
    })
}

/// Python's `a % b`: the remainder with the sign of the divisor.
fn python_modulo(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && (r < 0.0) != (b < 0.0) {
        r + b
    } else {
        r
    }
}

/// Refuses results that are not real or not exactly representable; turns −0 into 0.
#[inline]
pub(crate) fn checked(value: f64, span: Span) -> Result<f64, DiceError> {
    if value.is_nan() {
        return Err(DiceError::NotANumber { span });
    }
    if value.abs() > MAX_EXACT {
        return Err(DiceError::Overflow { span });
    }
    Ok(value + 0.0)
}

fn computed_count(value: f64, span: Span) -> Result<u64, DiceError> {
    if value < 0.0 || value.fract() != 0.0 {
        return Err(DiceError::invalid(
            format!(
                "the number of dice must be a whole number of at least 0, not {}",
                Float(value)
            ),
            span,
        ));
    }
    Ok(value as u64)
}

fn computed_faces(
    rolled: &Rolled<'_>,
    faces: Faces,
    dialect: crate::Dialect,
    limits: &Limits,
    span: Span,
) -> Result<DieKind, DiceError> {
    let Faces::Computed(id) = faces else {
        return Err(DiceError::invalid(
            "the faces of these dice are unknown",
            span,
        ));
    };
    let value = dialect.computed_dice(rolled.value(id));
    if value < 1.0 || value.fract() != 0.0 {
        return Err(DiceError::invalid(
            format!(
                "a die needs a whole number of faces of at least 1, not {}",
                Float(value)
            ),
            span,
        ));
    }
    if value > limits.max_faces as f64 {
        return Err(DiceError::Limit {
            kind: LimitKind::Faces,
            limit: limits.max_faces,
            span,
        });
    }
    Ok(DieKind::Numeric(value as u64))
}
