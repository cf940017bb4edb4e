//! Tokens: whitespace, numbers, binary operators, compare points and quoted text.

use crate::ast::{BinaryOp, CompareOp};
use crate::number::decimal_value;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit1, multispace0};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// The largest integer an f64 holds exactly; bigger values are refused.
pub(crate) const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

type Lexed<'a, O> = IResult<&'a str, O, ()>;

/// Skips whitespace (any Unicode whitespace, as `str::trim_start`).
pub(super) fn ws(s: &str) -> &str {
    if !s
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_whitespace() || *b >= 0x80)
    {
        return s;
    }
    match multispace0::<_, ()>(s) {
        Ok((rest, _)) if !rest.starts_with(char::is_whitespace) => rest,
        _ => s.trim_start(),
    }
}

/// The value of a run of ASCII digits, or `None` when it does not fit in a `u64`.
pub(super) fn digits_value(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |n, b| {
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// A run of ASCII digits.
pub(super) fn integer_literal(s: &str) -> Lexed<'_, &str> {
    // Hand-rolled for speed: every dice count and face goes through here.
    let len = s.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return Err(nom::Err::Error(()));
    }
    Ok((&s[len..], &s[..len]))
}

/// An integer or decimal literal: `12`, `1.5`, `.5`, `3.`. `None` when it is
/// beyond 2^53, where an f64 no longer holds every integer exactly.
pub(super) fn float_literal(s: &str) -> Lexed<'_, Option<f64>> {
    let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
    let integer = &s[..int_len];
    let after_int = &s[int_len..];
    let frac_len = match after_int.strip_prefix('.') {
        Some(frac) => 1 + frac.bytes().take_while(u8::is_ascii_digit).count(),
        None => 0,
    };
    if int_len == 0 && frac_len <= 1 {
        return Err(nom::Err::Error(()));
    }
    let rest = &after_int[frac_len..];
    // The integer part decides exactness; compare it as an integer, since
    // 2^53 + 1 rounds down to 2^53 as an f64.
    let whole = if int_len == 0 {
        Some(0)
    } else {
        digits_value(integer)
    };
    let Some(whole) = whole.filter(|w| *w as f64 <= MAX_EXACT && *w <= 1 << 53) else {
        return Ok((rest, None));
    };
    if frac_len <= 1 {
        return Ok((rest, Some(whole as f64)));
    }
    if whole == 1 << 53 {
        return Ok((rest, None));
    }
    // Exact for any number of digits (and without `str::parse::<f64>`, whose
    // tables would weigh on the wasm build).
    let fraction = &after_int[1..frac_len];
    Ok((rest, Some(decimal_value(integer, fraction))))
}

/// An optionally signed integer, as in compare points and clamps: `-1`, `5`.
pub(super) fn signed_integer(s: &str) -> Lexed<'_, &str> {
    recognize(pair(opt(char('-')), digit1)).parse(s)
}

/// A binary operator at the start of `s`. `d20` reads `%` as Python's
/// modulo and adds d20's comparisons (`==`, `!=`, `<`, `<=`, `>`, `>=`).
pub(super) fn binary_op(s: &str, d20: bool) -> Option<(BinaryOp, &str)> {
    // A match on bytes rather than nom's `alt` of tags: every operand ends
    // here, and most find the end of the input or a closing bracket.
    let (op, len) = match s.as_bytes() {
        [b'*', b'*', ..] => (BinaryOp::Pow, 2),
        [b'^', ..] => (BinaryOp::Pow, 1),
        [b'+', ..] => (BinaryOp::Add, 1),
        [b'-', ..] => (BinaryOp::Sub, 1),
        [b'*', ..] => (BinaryOp::Mul, 1),
        [b'/', b'/', ..] => (BinaryOp::FloorDiv, 2),
        [b'/', ..] => (BinaryOp::Div, 1),
        [b'%', ..] if d20 => (BinaryOp::Modulo, 1),
        [b'%', ..] => (BinaryOp::Rem, 1),
        _ if !d20 => return None,
        [b'=', b'=', ..] => (BinaryOp::Equal, 2),
        [b'!', b'=', ..] => (BinaryOp::NotEqual, 2),
        [b'<', b'=', ..] => (BinaryOp::LessEqual, 2),
        [b'>', b'=', ..] => (BinaryOp::GreaterEqual, 2),
        [b'<', ..] => (BinaryOp::Less, 1),
        [b'>', ..] => (BinaryOp::Greater, 1),
        _ => return None,
    };
    Some((op, &s[len..]))
}

/// The operator of a compare point, before the dialect gives `>` and `<` their meaning.
pub(super) fn compare_op(s: &str) -> Option<(CompareOp, &str)> {
    let op = |t: &'static str, op: CompareOp| tag::<_, _, ()>(t).map(move |_| op);
    alt((
        op(">=", CompareOp::Ge),
        op("<=", CompareOp::Le),
        op(">", CompareOp::Gt),
        op("<", CompareOp::Lt),
        op("=", CompareOp::Eq),
    ))
    .parse(s)
    .ok()
    .map(|(rest, op)| (op, rest))
}

/// The body of a `"quoted"` label after its opening quote, with `\"` and `\\` escapes.
pub(super) fn quoted(body: &str) -> Option<(String, &str)> {
    let mut text = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((text, &body[i + 1..])),
            '\\' => match chars.next() {
                Some((_, escaped)) => text.push(escaped),
                None => return None,
            },
            c => text.push(c),
        }
    }
    None
}

/// Whether a word after a space is a modifier that lost its dice (`4d6 kh3`),
/// rather than the start of a comment (`4d6 keep`).
pub(super) fn looks_like_modifier(word: &str) -> bool {
    const TAGS: &[&str] = &[
        "kh", "kl", "dh", "dl", "ph", "pl", "ro", "rr", "ra", "min", "max", "mi", "ma", "cs", "cf",
        "df", "sf", "ms", "xo", "k", "p", "r", "x", "e",
    ];
    let lower = word.to_ascii_lowercase();
    TAGS.iter().any(|tag| {
        lower.strip_prefix(tag).is_some_and(|rest| {
            let digits = rest.trim_start_matches(['<', '>', '=']);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        })
    })
}
