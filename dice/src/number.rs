//! Numbers as text, both ways, without `core::fmt`'s float machinery:
//! integers written through `itoa`, floats through `ryu` laid out exactly as
//! Rust's `{}` lays them out, and decimal literals read exactly without
//! `str::parse::<f64>`.
//!
//! `{}` on an f64 links core's Grisu and Dragon formatters (`flt2dec`), and
//! `str::parse::<f64>` its Eisel-Lemire reader with a 10 KB table of powers
//! of five (`dec2flt`): some 20 KB of the wasm build, and `core::fmt` is
//! slow besides. Nothing reachable from the wasm exports should use either:
//! write numbers with [`write_integer`] and [`write_f64`], and read them
//! with [`decimal_value`].

use std::cmp::Ordering;
use std::fmt::{self, Write};

/// Writes an integer, as `{}` does but without going through `core::fmt`.
pub(crate) fn write_integer<W: Write + ?Sized>(n: impl itoa::Integer, out: &mut W) -> fmt::Result {
    out.write_str(itoa::Buffer::new().format(n))
}

/// An f64 that `Display`s as `{}` displays an f64, through [`write_f64`]:
/// for messages (`format!("not {}", Float(value))`) that must not link
/// core's float formatting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Float(pub(crate) f64);

impl fmt::Display for Float {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_f64(self.0, f)
    }
}

/// Writes `value` byte for byte as `{}` (`Display`) writes an f64: the
/// shortest digits that read back to it, and never in exponent notation
/// (`1e21` is `1000000000000000000000`, `1e-7` is `0.0000001`); `-0` for
/// negative zero, `NaN`, `inf` and `-inf`. It takes a `dyn Write` so that
/// one copy serves every writer.
pub(crate) fn write_f64(value: f64, out: &mut dyn Write) -> fmt::Result {
    if value.is_nan() {
        return out.write_str("NaN");
    }
    if value.is_infinite() {
        return out.write_str(if value < 0.0 { "-inf" } else { "inf" });
    }
    // ryu finds the same shortest digits as `{}`, but lays them out its own
    // way (`1e21`, `1.5e-7`, `3.0`): read its digits and decimal point back,
    // then lay them out as `{}` does.
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(value);
    let (negative, text) = match text.strip_prefix('-') {
        Some(text) => (true, text),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once('e') {
        Some((mantissa, exponent)) => (mantissa, exponent_value(exponent)),
        None => (text, 0),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // ryu writes at most 17 significant digits and 5 leading zeros.
    let mut buffer = [0u8; 32];
    let len = integer.len() + fraction.len();
    let Some(digits) = buffer.get_mut(..len) else {
        return Err(fmt::Error);
    };
    digits[..integer.len()].copy_from_slice(integer.as_bytes());
    digits[integer.len()..].copy_from_slice(fraction.as_bytes());
    // The value is 0.DIGITS times 10^point.
    let mut point = integer.len() as i32 + exponent;
    let mut digits = &mut digits[..];
    while let [b'0', rest @ ..] = digits {
        digits = rest;
        point -= 1;
    }
    while let [rest @ .., b'0'] = digits {
        digits = rest;
    }
    // Exactly halfway between two shortest digit strings, ryu takes the
    // even one and `{}` the one further from zero. At a power of two the
    // even one may not read back (the gap below is half the gap above), and
    // then ryu's last digit is already the odd one: leave it.
    if is_even_half(value, point - len_i32(digits) - 1)
        && let Some(last) = digits.last_mut()
        && *last % 2 == 0
    {
        *last += 1;
    }
    let digits = std::str::from_utf8(&*digits).map_err(|_| fmt::Error)?;
    if negative {
        out.write_char('-')?;
    }
    let len = len_i32(digits.as_bytes());
    if digits.is_empty() {
        out.write_char('0')
    } else if point <= 0 {
        out.write_str("0.")?;
        write_zeros(point.unsigned_abs() as usize, out)?;
        out.write_str(digits)
    } else if point < len {
        let (whole, fraction) = digits.split_at(point as usize);
        out.write_str(whole)?;
        out.write_char('.')?;
        out.write_str(fraction)
    } else {
        out.write_str(digits)?;
        write_zeros((point - len) as usize, out)
    }
}

fn len_i32(digits: &[u8]) -> i32 {
    digits.len() as i32
}

/// Whether `value` (finite) lies exactly halfway between two decimals with
/// their last digit in place `position + 1`, the lower of which is even:
/// `value` is X5 times 10^`position` with X even. ryu then takes X, `{}`
/// the X + 1 above it.
fn is_even_half(value: f64, position: i32) -> bool {
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (significand, exponent) = match biased {
        0 => (fraction, -1074),
        _ => (fraction | 1 << 52, biased - 1075),
    };
    if significand == 0 {
        return false;
    }
    // |value| = odd * 2^exponent. A decimal X5 * 10^position is a multiple
    // of 2^position and of no higher power of two, so the exponents agree.
    let odd = significand >> significand.trailing_zeros();
    let exponent = exponent + significand.trailing_zeros() as i32;
    if exponent != position {
        return false;
    }
    // X5 = odd * 5^-exponent, and X is even when that is 5 modulo 20; every
    // power of 5 is 5 modulo 20. (With exponent >= 0 there are no such
    // ties: X and X + 1 would be 5 * 10^exponent away from the value, more
    // than half the gap between f64s there, which is at most 2^exponent.)
    exponent < 0 && odd % 4 == 1
}

/// The exponent after ryu's `e`: `21`, `-7`.
fn exponent_value(text: &str) -> i32 {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(digits) => (-1, digits),
        None => (1, text),
    };
    sign * digits
        .bytes()
        .fold(0, |n, b| n * 10 + i32::from(b.wrapping_sub(b'0')))
}

fn write_zeros(mut count: usize, out: &mut dyn Write) -> fmt::Result {
    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    while count > 0 {
        let run = count.min(ZEROS.len());
        out.write_str(&ZEROS[..run])?;
        count -= run;
    }
    Ok(())
}

/// Powers of ten that an f64 holds exactly: 10^0 to 10^22.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The f64 nearest to the decimal `integer.fraction` (ties to even), the
/// same value that `str::parse::<f64>` gives, for two runs of ASCII digits
/// (either may be empty). Infinity when it is too large for an f64.
pub(crate) fn decimal_value(integer: &str, fraction: &str) -> f64 {
    let (integer, mut fraction) = (integer.as_bytes(), fraction.as_bytes());
    while let [rest @ .., b'0'] = fraction {
        fraction = rest;
    }
    // Clinger's fast path: both the digits as an integer (at most 2^53) and
    // the power of ten are exact f64s, so one IEEE division rounds correctly.
    // It covers every literal of at most 15 digits. (19 digits fit in a u64.)
    if let Some(power) = EXACT_POWERS_OF_TEN.get(fraction.len())
        && integer.len() + fraction.len() <= 19
    {
        let mantissa = fraction.iter().fold(digits_value(integer), |n, b| {
            n * 10 + u64::from(b.wrapping_sub(b'0'))
        });
        if mantissa <= 1 << 53 {
            return mantissa as f64 / power;
        }
    }
    nearest_quotient(
        Big::from_digits(integer.iter().chain(fraction)),
        Big::power_of_ten(fraction.len()),
    )
}

/// The value of at most 19 ASCII digits.
fn digits_value(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0, |n, b| n * 10 + u64::from(b.wrapping_sub(b'0')))
}

/// The f64 nearest to `numerator / denominator` (ties to even), by long
/// division in binary: slow, but exact for any number of digits.
#[cold]
fn nearest_quotient(mut numerator: Big, mut denominator: Big) -> f64 {
    if numerator.is_zero() {
        return 0.0;
    }
    // Scale the two so that their quotient q lies in [1, 2); the value is
    // then q * 2^exponent.
    let mut exponent = numerator.bit_len() as i64 - denominator.bit_len() as i64;
    if exponent > 0 {
        denominator.shift_left(exponent.unsigned_abs());
    } else {
        numerator.shift_left(exponent.unsigned_abs());
    }
    if numerator.cmp(&denominator) == Ordering::Less {
        numerator.shift_left(1);
        exponent -= 1;
    }
    if exponent > 1023 {
        return f64::INFINITY;
    }
    // The significant bits an f64 has room for: 53, fewer below 2^-1022.
    let bits = (exponent + 1075).min(53);
    if bits <= 0 {
        // Below 2^-1074, the smallest subnormal: the nearest is it or zero,
        // and an exact half (2^-1075 itself) goes to the even one, zero.
        let above_half = bits == 0 && numerator.cmp(&denominator) == Ordering::Greater;
        return if above_half { f64::from_bits(1) } else { 0.0 };
    }
    // The leading bit is 1; then one bit per step, and the remainder decides
    // the rounding.
    numerator.subtract(&denominator);
    let mut significand: u64 = 1;
    for _ in 1..bits {
        numerator.shift_left(1);
        significand <<= 1;
        if numerator.cmp(&denominator) != Ordering::Less {
            numerator.subtract(&denominator);
            significand |= 1;
        }
    }
    numerator.shift_left(1);
    match numerator.cmp(&denominator) {
        Ordering::Greater => significand += 1,
        Ordering::Equal => significand += significand & 1,
        Ordering::Less => {}
    }
    // Exact: the significand fits in `bits` bits (or rounded up to a power
    // of two), and the power of two is an f64 of its own.
    significand as f64 * power_of_two(exponent + 1 - bits)
}

/// 2^n as an f64, for n in -1074..=1023.
fn power_of_two(n: i64) -> f64 {
    if n >= -1022 {
        f64::from_bits(((n + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (n + 1074))
    }
}

/// A natural number in base 2^32, least significant limb first, with no
/// zero limbs at the top (zero has none at all).
struct Big(Vec<u32>);

// Only literals of more than 15 digits come here. The operations used in
// loops stay out of line (`inline(never)`): one copy each keeps the wasm
// build small, and speed matters little on this path.
impl Big {
    /// The number that a run of ASCII digits spells.
    fn from_digits<'a>(digits: impl Iterator<Item = &'a u8>) -> Big {
        let mut n = Big(Vec::new());
        let (mut chunk, mut scale) = (0, 1);
        for b in digits {
            chunk = chunk * 10 + u32::from(b.wrapping_sub(b'0'));
            scale *= 10;
            if scale == 1_000_000_000 {
                n.multiply_add(scale, chunk);
                (chunk, scale) = (0, 1);
            }
        }
        n.multiply_add(scale, chunk);
        n
    }

    fn power_of_ten(mut exponent: usize) -> Big {
        let mut n = Big(vec![1]);
        while exponent >= 9 {
            n.multiply_add(1_000_000_000, 0);
            exponent -= 9;
        }
        n.multiply_add(10u32.pow(exponent as u32), 0);
        n
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// `self * factor + addend`.
    #[inline(never)]
    fn multiply_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            Some(top) => self.0.len() as u64 * 32 - u64::from(top.leading_zeros()),
            None => 0,
        }
    }

    fn shift_left(&mut self, bits: u64) {
        if self.is_zero() {
            return;
        }
        let (limbs, bits) = ((bits / 32) as usize, bits % 32);
        let mut shifted = vec![0; limbs];
        shifted.reserve(self.0.len() + 1);
        let mut carry = 0;
        for limb in &self.0 {
            let v = u64::from(*limb) << bits;
            shifted.push(v as u32 | carry);
            carry = (v >> 32) as u32;
        }
        if carry > 0 {
            shifted.push(carry);
        }
        self.0 = shifted;
    }

    /// `self - other`, for `other <= self`.
    #[inline(never)]
    fn subtract(&mut self, other: &Big) {
        let mut borrow = false;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let (v, b1) = limb.overflowing_sub(other.0.get(i).copied().unwrap_or(0));
            let (v, b2) = v.overflowing_sub(u32::from(borrow));
            *limb = v;
            borrow = b1 || b2;
        }
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    #[inline(never)]
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

#[cfg(test)]
mod tests;
