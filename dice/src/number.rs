//! Numbers as text without `core::fmt`'s float machinery: integers written
//! through `itoa`, and floats through `ryu` laid out exactly as Rust's `{}`
//! lays them out.
//!
//! `{}` on an f64 links core's Grisu and Dragon formatters (`flt2dec`),
//! some 12 KB of the wasm build, and `core::fmt` is slow besides. Nothing
//! reachable from the wasm exports should use it: write numbers with
//! [`write_integer`] and [`write_f64`].

use std::fmt::{self, Write};

/// Writes an integer, as `{}` does but without going through `core::fmt`.
pub(crate) fn write_integer<W: Write + ?Sized>(n: impl itoa::Integer, out: &mut W) -> fmt::Result {
    out.write_str(itoa::Buffer::new().format(n))
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
    // even one and `{}` the one further from zero.
    if is_even_half(value, point - len_i32(digits) - 1)
        && let Some(last) = digits.last_mut()
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

#[cfg(test)]
mod tests;
