//! Tokens: whitespace, numbers, binary operators, compare points and quoted text.

use crate::ast::{BinaryOp, CompareOp};
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit0, digit1, multispace0};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};

/// The largest integer an f64 holds exactly; bigger values are refused.
pub(crate) const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

type Lexed<'a, O> = IResult<&'a str, O, ()>;

/// Skips whitespace (any Unicode whitespace, as `str::trim_start`).
pub(super) fn ws(s: &str) -> &str {
    match multispace0::<_, ()>(s) {
        Ok((rest, _)) if !rest.starts_with(char::is_whitespace) => rest,
        _ => s.trim_start(),
    }
}

/// A run of ASCII digits.
pub(super) fn integer_literal(s: &str) -> Lexed<'_, &str> {
    digit1(s)
}

/// An integer or decimal literal: `12`, `1.5`, `.5`. `None` when beyond ±2^53.
pub(super) fn float_literal(s: &str) -> Lexed<'_, Option<f64>> {
    let (rest, text) = alt((
        recognize(pair(digit1, opt(pair(char('.'), digit0)))),
        recognize(pair(char('.'), digit1)),
    ))
    .parse(s)?;
    let value: f64 = text.parse().map_err(|_| nom::Err::Error(()))?;
    Ok((rest, (value <= MAX_EXACT).then_some(value)))
}

/// An optionally signed integer, as in compare points and clamps: `-1`, `5`.
pub(super) fn signed_integer(s: &str) -> Lexed<'_, &str> {
    recognize(pair(opt(char('-')), digit1)).parse(s)
}

/// A binary operator at the start of `s`.
pub(super) fn binary_op(s: &str) -> Option<(BinaryOp, &str)> {
    let op = |t: &'static str, op: BinaryOp| tag::<_, _, ()>(t).map(move |_| op);
    alt((
        op("**", BinaryOp::Pow),
        op("^", BinaryOp::Pow),
        op("+", BinaryOp::Add),
        op("-", BinaryOp::Sub),
        op("*", BinaryOp::Mul),
        op("/", BinaryOp::Div),
        op("%", BinaryOp::Rem),
    ))
    .parse(s)
    .ok()
    .map(|(rest, op)| (op, rest))
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
