//! Closed intervals, and the arithmetic, functions and compare points over them.

use crate::ast::{BinaryOp, Compare, CompareOp, Func};
use crate::{DiceError, Span};

/// A closed interval of the values a node can take; infinite ends are
/// unbounded. `integral` is true when every value it can take is whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Interval {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) integral: bool,
}

impl Interval {
    pub(super) fn point(v: f64) -> Self {
        Interval {
            lo: v,
            hi: v,
            integral: v.fract() == 0.0,
        }
    }

    pub(super) fn whole(lo: f64, hi: f64) -> Self {
        Interval {
            lo,
            hi,
            integral: true,
        }
    }

    /// The smallest interval holding every value in `values`.
    pub(super) fn hull(values: impl IntoIterator<Item = f64>, integral: bool) -> Self {
        let mut out = Interval {
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
            integral,
        };
        for v in values {
            if !v.is_nan() {
                out.lo = out.lo.min(v);
                out.hi = out.hi.max(v);
            }
        }
        out
    }

    pub(super) fn negate(self) -> Self {
        Interval {
            lo: -self.hi,
            hi: -self.lo,
            integral: self.integral,
        }
    }

    /// The sum of `n` values from this interval, for any `n` in `count`.
    pub(super) fn times(self, count: Interval) -> Interval {
        let product = |a: f64, n: f64| if a == 0.0 || n == 0.0 { 0.0 } else { a * n };
        Interval::hull(
            [
                product(self.lo, count.lo),
                product(self.lo, count.hi),
                product(self.hi, count.lo),
                product(self.hi, count.hi),
            ],
            self.integral,
        )
    }

    /// The part of the interval that meets `on` (or does not, when `meets` is false).
    pub(super) fn restrict(self, on: Compare, meets: bool) -> Option<Interval> {
        let v = on.value as f64;
        // Just past the compare value, on the side that leaves it out.
        let step = if self.integral { 1.0 } else { 0.0 };
        let (lo, hi) = match (on.op, meets) {
            (CompareOp::Ge, true) | (CompareOp::Lt, false) => (self.lo.max(v), self.hi),
            (CompareOp::Gt, true) | (CompareOp::Le, false) => (self.lo.max(v + step), self.hi),
            (CompareOp::Le, true) | (CompareOp::Gt, false) => (self.lo, self.hi.min(v)),
            (CompareOp::Lt, true) | (CompareOp::Ge, false) => (self.lo, self.hi.min(v - step)),
            (CompareOp::Eq, true) => (self.lo.max(v), self.hi.min(v)),
            (CompareOp::Eq, false) if self.lo == v && self.hi == v => return None,
            (CompareOp::Eq, false) if self.integral && self.lo == v => (v + 1.0, self.hi),
            (CompareOp::Eq, false) if self.integral && self.hi == v => (self.lo, v - 1.0),
            (CompareOp::Eq, false) => (self.lo, self.hi),
        };
        // A strict compare on real values leaves an open end; the closed hull is still sound.
        (lo <= hi).then_some(Interval {
            lo,
            hi,
            integral: self.integral,
        })
    }

    /// Whether some value of the interval meets `on`.
    pub(super) fn can_meet(self, on: Compare) -> bool {
        self.restrict(on, true).is_some()
    }

    /// Values worth trying to find every outcome of the compare points `at`:
    /// both ends, and the values on each side of each compare value.
    pub(super) fn probes(self, at: impl IntoIterator<Item = i64>) -> Vec<f64> {
        let step = if self.integral { 1.0 } else { 1e-9 };
        let big = |v: f64| v.clamp(-1e15, 1e15);
        let mut out = vec![big(self.lo), big(self.hi)];
        for v in at {
            let v = v as f64;
            out.extend([v - step, v, v + step]);
        }
        out.retain(|v| *v >= self.lo && *v <= self.hi);
        out
    }
}

/// The interval of `a op b`.
pub(super) fn binary(
    op: BinaryOp,
    a: Interval,
    b: Interval,
    span: Span,
) -> Result<Interval, DiceError> {
    let both = a.integral && b.integral;
    let corners = |f: &dyn Fn(f64, f64) -> f64, integral: bool| {
        Interval::hull(
            [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)],
            integral,
        )
    };
    Ok(match op {
        BinaryOp::Add => Interval {
            lo: a.lo + b.lo,
            hi: a.hi + b.hi,
            integral: both,
        },
        BinaryOp::Sub => Interval {
            lo: a.lo - b.hi,
            hi: a.hi - b.lo,
            integral: both,
        },
        BinaryOp::Mul => corners(&|x, y| if x == 0.0 || y == 0.0 { 0.0 } else { x * y }, both),
        BinaryOp::Div | BinaryOp::Rem if b.lo == 0.0 && b.hi == 0.0 => {
            return Err(DiceError::DivisionByZero { span });
        }
        BinaryOp::Div => divide(a, b),
        BinaryOp::Rem if a.lo == a.hi && b.lo == b.hi => Interval::point(a.lo % b.lo),
        // A whole dividend of few values and a fixed divisor: try them all.
        BinaryOp::Rem if a.integral && b.lo == b.hi && a.hi - a.lo <= 10_000.0 => {
            let values = (a.lo as i64..=a.hi as i64).map(|x| x as f64 % b.lo);
            Interval::hull(values, b.integral)
        }
        BinaryOp::Rem => {
            // |a % b| < |b| (so at most |b| - 1 for whole numbers), and |a % b| <= |a|;
            // the sign is the dividend's.
            let magnitude = b.lo.abs().max(b.hi.abs()) - if both { 1.0 } else { 0.0 };
            Interval {
                lo: if a.lo < 0.0 {
                    a.lo.max(-magnitude)
                } else {
                    0.0
                },
                hi: if a.hi > 0.0 { a.hi.min(magnitude) } else { 0.0 },
                integral: both,
            }
        }
        BinaryOp::Pow => power(a, b),
        BinaryOp::FloorDiv | BinaryOp::Modulo if b.lo == 0.0 && b.hi == 0.0 => {
            return Err(DiceError::DivisionByZero { span });
        }
        // Floor is monotonic, so the floors of the quotient's ends bound it.
        BinaryOp::FloorDiv => {
            let q = divide(a, b);
            Interval::whole(q.lo.floor(), q.hi.floor())
        }
        BinaryOp::Modulo if a.lo == a.hi && b.lo == b.hi => {
            Interval::point(crate::eval::binary(op, a.lo, b.lo, span)?)
        }
        BinaryOp::Modulo if a.integral && b.lo == b.hi && a.hi - a.lo <= 10_000.0 => {
            let values = (a.lo as i64..=a.hi as i64)
                .filter_map(|x| crate::eval::binary(op, x as f64, b.lo, span).ok());
            Interval::hull(values, b.integral)
        }
        // The sign is the divisor's, and |a % b| < |b|.
        BinaryOp::Modulo => {
            let gap = if both { 1.0 } else { 0.0 };
            Interval {
                lo: if b.lo < 0.0 { b.lo + gap } else { 0.0 },
                hi: if b.hi > 0.0 { b.hi - gap } else { 0.0 },
                integral: both,
            }
        }
        _ => compare(op, a, b),
    })
}

/// The interval of a comparison: 1 where it always holds, 0 where it never
/// does, else both.
fn compare(op: BinaryOp, a: Interval, b: Interval) -> Interval {
    let (always, never) = match op {
        BinaryOp::Less => (a.hi < b.lo, a.lo >= b.hi),
        BinaryOp::LessEqual => (a.hi <= b.lo, a.lo > b.hi),
        BinaryOp::Greater => (a.lo > b.hi, a.hi <= b.lo),
        BinaryOp::GreaterEqual => (a.lo >= b.hi, a.hi < b.lo),
        BinaryOp::Equal => (
            a.lo == a.hi && b.lo == b.hi && a.lo == b.lo,
            a.hi < b.lo || a.lo > b.hi,
        ),
        _ => (
            a.hi < b.lo || a.lo > b.hi,
            a.lo == a.hi && b.lo == b.hi && a.lo == b.lo,
        ),
    };
    match (always, never) {
        (true, _) => Interval::point(1.0),
        (_, true) => Interval::point(0.0),
        _ => Interval::whole(0.0, 1.0),
    }
}

fn divide(a: Interval, b: Interval) -> Interval {
    let spans_zero = b.lo < 0.0 && b.hi > 0.0;
    if !b.integral && (spans_zero || b.lo == 0.0 || b.hi == 0.0) {
        // A real divisor can come as close to zero as it likes.
        return Interval {
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            integral: false,
        };
    }
    // A whole divisor's smallest magnitude is 1.
    let mut divisors = vec![b.lo, b.hi];
    if spans_zero {
        divisors.extend([-1.0, 1.0]);
    } else if b.lo == 0.0 {
        divisors[0] = 1.0_f64.min(b.hi);
    } else if b.hi == 0.0 {
        divisors[1] = (-1.0_f64).max(b.lo);
    }
    let exact = a.lo == a.hi && b.lo == b.hi && (a.lo / b.lo).fract() == 0.0;
    Interval::hull(divisors.iter().flat_map(|d| [a.lo / d, a.hi / d]), exact)
}

/// `a ** b`: not monotonic when the base can be negative (the sign follows
/// the exponent's parity) or cross zero, so the candidates include those.
fn power(a: Interval, b: Interval) -> Interval {
    let mut bases = vec![a.lo, a.hi];
    // With a negative exponent the bases nearest zero give the largest
    // magnitudes: ±1 for whole bases, zero from either side for others.
    bases.extend(
        [-1.0, 1.0, 0.0]
            .into_iter()
            .filter(|x| *x >= a.lo && *x <= a.hi),
    );
    if a.lo < 0.0 && a.hi >= 0.0 {
        bases.push(-0.0);
    }
    let mut exponents = vec![b.lo, b.hi];
    // A negative base has a real power only for whole exponents, whose sign
    // follows their parity; so whole exponents are the candidates that
    // matter, even where the exponent's interval is not whole.
    if b.integral || a.lo < 0.0 {
        // A negative base whose magnitude grows without bound, as whole
        // exponents run to an unbounded end, takes both signs without bound:
        // `(-4) ** 1d2!!` can be -64.
        let grows_up = b.hi == f64::INFINITY && bases.iter().any(|x| *x < -1.0);
        let grows_down = b.lo == f64::NEG_INFINITY && bases.iter().any(|x| *x < 0.0 && *x > -1.0);
        if grows_up || grows_down {
            return Interval {
                lo: f64::NEG_INFINITY,
                hi: f64::INFINITY,
                integral: false,
            };
        }
        // Otherwise the whole exponents at each end, and the ones next to
        // them (the other parity).
        // (With both ends unbounded, 0 and 1 stand for them: `(-1) ** e`.)
        let (lo, hi) = match (b.lo.ceil(), b.hi.floor()) {
            (lo, hi) if lo.is_infinite() && hi.is_infinite() => (0.0, 1.0),
            ends => ends,
        };
        exponents.extend(
            [lo, lo + 1.0, hi - 1.0, hi]
                .into_iter()
                .filter(|e| e.is_finite() && *e >= b.lo && *e <= b.hi),
        );
    }
    let integral = a.integral && b.integral && b.lo >= 0.0;
    Interval::hull(
        bases
            .iter()
            .flat_map(|x| exponents.iter().map(move |e| x.powf(*e))),
        integral,
    )
}

/// The interval of `func(args…)`. Each function is monotonic on its domain
/// (or piecewise so, like `abs` and `cosh`), or periodic, so its ends and
/// turning points bound it. Values outside a function's domain make a roll
/// fail (not a number), so the interval is of the values that remain, and
/// an error when none do.
pub(super) fn call(func: Func, args: &[Interval], span: Span) -> Result<Interval, DiceError> {
    let x = args.first().copied().unwrap_or(Interval::point(f64::NAN));
    let apply = |v: f64| func.apply(&[v]);
    let increasing = |x: Interval, integral: bool| Interval {
        lo: apply(x.lo),
        hi: apply(x.hi),
        integral,
    };
    let on_domain = |lo: f64, hi: f64| -> Result<Interval, DiceError> {
        let clipped = Interval {
            lo: x.lo.max(lo),
            hi: x.hi.min(hi),
            integral: x.integral,
        };
        if clipped.lo > clipped.hi || clipped.lo.is_nan() {
            return Err(DiceError::NotANumber { span });
        }
        Ok(clipped)
    };
    let all_points = args.iter().all(|a| a.lo == a.hi);
    if all_points {
        let values: Vec<f64> = args.iter().map(|a| a.lo).collect();
        let v = func.apply(&values);
        if v.is_nan() {
            return Err(DiceError::NotANumber { span });
        }
        return Ok(Interval::point(v));
    }
    let inf = f64::INFINITY;
    Ok(match func {
        Func::Abs if x.lo >= 0.0 => x,
        Func::Abs if x.hi <= 0.0 => x.negate(),
        Func::Abs => Interval {
            lo: 0.0,
            hi: x.hi.max(-x.lo),
            integral: x.integral,
        },
        Func::Floor | Func::Ceil | Func::Round | Func::Trunc | Func::Sign => increasing(x, true),
        Func::Cbrt
        | Func::Exp
        | Func::Expm1
        | Func::Asinh
        | Func::Atan
        | Func::Sinh
        | Func::Tanh
        | Func::Fround => increasing(x, false),
        Func::Sqrt => increasing(on_domain(0.0, inf)?, false),
        Func::Log | Func::Log10 | Func::Log2 => increasing(on_domain(0.0, inf)?, false),
        Func::Log1p => increasing(on_domain(-1.0, inf)?, false),
        Func::Asin => increasing(on_domain(-1.0, 1.0)?, false),
        Func::Atanh => increasing(on_domain(-1.0, 1.0)?, false),
        Func::Acosh => increasing(on_domain(1.0, inf)?, false),
        Func::Acos => {
            let x = on_domain(-1.0, 1.0)?;
            Interval {
                lo: apply(x.hi),
                hi: apply(x.lo),
                integral: false,
            }
        }
        Func::Cosh => {
            let magnitude = call(Func::Abs, &[x], span)?;
            increasing(magnitude, false)
        }
        Func::Sin | Func::Cos => Interval {
            lo: -1.0,
            hi: 1.0,
            integral: false,
        },
        Func::Tan | Func::Imul => Interval {
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            integral: func == Func::Imul,
        },
        Func::Atan2 => Interval {
            lo: -std::f64::consts::PI,
            hi: std::f64::consts::PI,
            integral: false,
        },
        Func::Clz32 => Interval::whole(0.0, 32.0),
        // Increasing in every argument.
        Func::Max | Func::Min | Func::Clamp => {
            let los: Vec<f64> = args.iter().map(|a| a.lo).collect();
            let his: Vec<f64> = args.iter().map(|a| a.hi).collect();
            Interval {
                lo: func.apply(&los),
                hi: func.apply(&his),
                integral: args.iter().all(|a| a.integral),
            }
        }
        // Increasing in each argument's magnitude.
        Func::Hypot => {
            let mut least = Vec::with_capacity(args.len());
            let mut most = Vec::with_capacity(args.len());
            for a in args {
                let magnitude = call(Func::Abs, &[*a], span)?;
                least.push(magnitude.lo);
                most.push(magnitude.hi);
            }
            Interval {
                lo: func.apply(&least),
                hi: func.apply(&most),
                integral: false,
            }
        }
        Func::Pow => {
            let y = args.get(1).copied().unwrap_or(Interval::point(f64::NAN));
            power(x, y)
        }
    })
}
