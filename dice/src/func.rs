//! [`Func`]: the functions a formula may call, JavaScript's `Math` as Foundry exposes it.

/// A function of JavaScript's `Math`, which Foundry's roll formulas call by
/// name (`floor(@level / 2)`, `max(1d20, 10)`), plus Foundry's own
/// `clamp`. Each computes what JavaScript's does; a result that is not a
/// number (`sqrt(-1)`) or past ±2^53 (`exp(99)`) is refused when rolled, as
/// every node's value is. `random` is not offered: a roll's randomness is
/// its dice, which a replay must be able to force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Func {
    /// Round toward −∞.
    Floor,
    /// Round toward +∞.
    Ceil,
    /// Round to nearest, halves toward +∞ (JavaScript's `Math.round`).
    Round,
    /// Absolute value.
    Abs,
    /// Drop the fraction, toward 0.
    Trunc,
    /// −1, 0 or 1 by the sign.
    Sign,
    /// The largest argument.
    Max,
    /// The smallest argument.
    Min,
    /// `clamp(x, lo, hi)`: `x` held within `lo` and `hi` (Foundry's `Math.clamp`).
    Clamp,
    /// `pow(a, b)`: `a` to the power `b`.
    Pow,
    /// Square root.
    Sqrt,
    /// Cube root.
    Cbrt,
    /// The square root of the sum of the squares.
    Hypot,
    /// e to the power `x`.
    Exp,
    /// e to the power `x`, minus 1.
    Expm1,
    /// Natural logarithm.
    Log,
    /// Base-10 logarithm.
    Log10,
    /// Base-2 logarithm.
    Log2,
    /// The natural logarithm of 1 + `x`.
    Log1p,
    /// Sine (radians).
    Sin,
    /// Cosine (radians).
    Cos,
    /// Tangent (radians).
    Tan,
    /// Arcsine.
    Asin,
    /// Arccosine.
    Acos,
    /// Arctangent.
    Atan,
    /// `atan2(y, x)`: the angle of the point (x, y).
    Atan2,
    /// Hyperbolic sine.
    Sinh,
    /// Hyperbolic cosine.
    Cosh,
    /// Hyperbolic tangent.
    Tanh,
    /// Inverse hyperbolic sine.
    Asinh,
    /// Inverse hyperbolic cosine.
    Acosh,
    /// Inverse hyperbolic tangent.
    Atanh,
    /// The nearest single-precision float (JavaScript's `Math.fround`).
    Fround,
    /// Leading zero bits of the 32-bit integer (JavaScript's `Math.clz32`).
    Clz32,
    /// 32-bit integer product (JavaScript's `Math.imul`).
    Imul,
}

/// Every function with its name, for reading and writing them.
const NAMES: &[(Func, &str)] = &[
    (Func::Floor, "floor"),
    (Func::Ceil, "ceil"),
    (Func::Round, "round"),
    (Func::Abs, "abs"),
    (Func::Trunc, "trunc"),
    (Func::Sign, "sign"),
    (Func::Max, "max"),
    (Func::Min, "min"),
    (Func::Clamp, "clamp"),
    (Func::Pow, "pow"),
    (Func::Sqrt, "sqrt"),
    (Func::Cbrt, "cbrt"),
    (Func::Hypot, "hypot"),
    (Func::Exp, "exp"),
    (Func::Expm1, "expm1"),
    (Func::Log, "log"),
    (Func::Log10, "log10"),
    (Func::Log2, "log2"),
    (Func::Log1p, "log1p"),
    (Func::Sin, "sin"),
    (Func::Cos, "cos"),
    (Func::Tan, "tan"),
    (Func::Asin, "asin"),
    (Func::Acos, "acos"),
    (Func::Atan, "atan"),
    (Func::Atan2, "atan2"),
    (Func::Sinh, "sinh"),
    (Func::Cosh, "cosh"),
    (Func::Tanh, "tanh"),
    (Func::Asinh, "asinh"),
    (Func::Acosh, "acosh"),
    (Func::Atanh, "atanh"),
    (Func::Fround, "fround"),
    (Func::Clz32, "clz32"),
    (Func::Imul, "imul"),
];

/// The most arguments a call of `max`, `min` or `hypot` takes; Foundry has
/// no limit, but a formula with more is surely not one a person wrote.
pub(crate) const MAX_ARGS: usize = 64;

impl Func {
    /// The function's name.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(func, _)| *func == self)
            .map_or("", |(_, name)| name)
    }

    /// The function of this name, in any case.
    ///
    /// ```
    /// use critfumble_dice::Func;
    /// assert_eq!(Func::from_name("MAX"), Some(Func::Max));
    /// assert_eq!(Func::from_name("random"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Func> {
        NAMES
            .iter()
            .find(|(_, known)| known.eq_ignore_ascii_case(name))
            .map(|(func, _)| *func)
    }

    /// The least and most arguments the function takes.
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::Max | Func::Min | Func::Hypot => (1, MAX_ARGS),
            Func::Clamp => (3, 3),
            Func::Pow | Func::Atan2 | Func::Imul => (2, 2),
            _ => (1, 1),
        }
    }

    /// Applies the function to its arguments, as JavaScript's `Math` does
    /// (a missing argument reads as NaN).
    ///
    /// ```
    /// use critfumble_dice::Func;
    /// assert_eq!(Func::Max.apply(&[3.0, 9.0, 4.0]), 9.0);
    /// assert_eq!(Func::Round.apply(&[-2.5]), -2.0);
    /// assert_eq!(Func::Clamp.apply(&[12.0, 1.0, 10.0]), 10.0);
    /// ```
    pub fn apply(self, args: &[f64]) -> f64 {
        let x = args.first().copied().unwrap_or(f64::NAN);
        let y = args.get(1).copied().unwrap_or(f64::NAN);
        match self {
            Func::Floor => x.floor(),
            Func::Ceil => x.ceil(),
            Func::Round => (x + 0.5).floor(),
            Func::Abs => x.abs(),
            Func::Trunc => x.trunc(),
            Func::Sign if x == 0.0 || x.is_nan() => x,
            Func::Sign => x.signum(),
            // JavaScript's max and min: NaN if any argument is.
            Func::Max => args.iter().copied().fold(f64::NEG_INFINITY, |a, b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            }),
            Func::Min => args.iter().copied().fold(f64::INFINITY, |a, b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            }),
            Func::Clamp => {
                let hi = args.get(2).copied().unwrap_or(f64::NAN);
                Func::Min.apply(&[Func::Max.apply(&[x, y]), hi])
            }
            Func::Pow => x.powf(y),
            Func::Sqrt => x.sqrt(),
            Func::Cbrt => x.cbrt(),
            Func::Hypot => args.iter().map(|v| v * v).sum::<f64>().sqrt(),
            Func::Exp => x.exp(),
            Func::Expm1 => x.exp_m1(),
            Func::Log => x.ln(),
            Func::Log10 => x.log10(),
            Func::Log2 => x.log2(),
            Func::Log1p => x.ln_1p(),
            Func::Sin => x.sin(),
            Func::Cos => x.cos(),
            Func::Tan => x.tan(),
            Func::Asin => x.asin(),
            Func::Acos => x.acos(),
            Func::Atan => x.atan(),
            Func::Atan2 => x.atan2(y),
            Func::Sinh => x.sinh(),
            Func::Cosh => x.cosh(),
            Func::Tanh => x.tanh(),
            Func::Asinh => x.asinh(),
            Func::Acosh => x.acosh(),
            Func::Atanh => x.atanh(),
            Func::Fround => f64::from(x as f32),
            Func::Clz32 => f64::from(to_uint32(x).leading_zeros()),
            Func::Imul => f64::from((to_uint32(x) as i32).wrapping_mul(to_uint32(y) as i32)),
        }
    }
}

/// JavaScript's ToUint32: the integer part modulo 2^32 (NaN and infinities give 0).
fn to_uint32(x: f64) -> u32 {
    if !x.is_finite() {
        return 0;
    }
    x.trunc().rem_euclid(4_294_967_296.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from JavaScript's `Math` (ECMAScript's definitions).
    #[test]
    fn matches_javascript() {
        assert_eq!(Func::Sign.apply(&[-3.5]), -1.0);
        assert_eq!(Func::Trunc.apply(&[-3.7]), -3.0);
        assert_eq!(Func::Hypot.apply(&[3.0, 4.0]), 5.0);
        assert_eq!(Func::Clz32.apply(&[1.0]), 31.0);
        assert_eq!(Func::Clz32.apply(&[-1.0]), 0.0);
        assert_eq!(Func::Imul.apply(&[0xffff_ffff_u32 as f64, 5.0]), -5.0);
        assert_eq!(Func::Fround.apply(&[5.5]), 5.5);
        assert_eq!(Func::Fround.apply(&[5.05]), 5.050000190734863);
        assert!(Func::Max.apply(&[1.0, f64::NAN]).is_nan());
        assert_eq!(Func::Atan2.apply(&[1.0, 1.0]), std::f64::consts::FRAC_PI_4);
        for (func, name) in NAMES {
            assert_eq!(func.name(), *name);
            assert_eq!(Func::from_name(name), Some(*func));
        }
    }
}
