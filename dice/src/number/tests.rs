//! Unit tests of the number writers and reader: each checked byte for byte
//! against `core::fmt` and `str::parse::<f64>`, on edge cases and random inputs.

use super::{decimal_value, write_f64, write_integer};
use crate::{NodeKind, parse};
use proptest::prelude::*;

fn written(value: f64) -> String {
    let mut out = String::new();
    write_f64(value, &mut out).expect("writing to a String cannot fail");
    out
}

fn assert_written_as_display(value: f64) {
    assert_eq!(
        written(value),
        format!("{value}"),
        "bits {:#x}",
        value.to_bits()
    );
}

/// The decimal expansion of 2^-n: 5^n / 10^n, as `0.000…`.
fn power_of_half(n: usize) -> String {
    // Decimal digits of 5^n, least significant first.
    let mut digits = vec![1u8];
    for _ in 0..n {
        let mut carry = 0;
        for d in &mut digits {
            let v = *d * 5 + carry;
            *d = v % 10;
            carry = v / 10;
        }
        if carry > 0 {
            digits.push(carry);
        }
    }
    let digits: String = digits.iter().rev().map(|d| char::from(b'0' + d)).collect();
    format!("0.{}{digits}", "0".repeat(n - digits.len()))
}

/// `decimal_value` of a literal `int.frac`, against `str::parse::<f64>`.
fn assert_reads_as_parse(text: &str) {
    let (integer, fraction) = text.split_once('.').unwrap_or((text, ""));
    let expected: f64 = text.parse().expect("a decimal literal");
    let actual = decimal_value(integer, fraction);
    assert_eq!(
        actual.to_bits(),
        expected.to_bits(),
        "{text}: {actual:e} against {expected:e}"
    );
}

#[test]
fn floats_are_written_as_display_writes_them() {
    let mut cases = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.1 + 0.2,
        1.0 / 3.0,
        2.0f64.powi(53) - 1.0,
        2.0f64.powi(53),
        2.0f64.powi(53) + 2.0,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        f64::EPSILON,
        f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        123456.789,
        1e15 + 0.3,
        // Exactly halfway between two shortest digit strings: `{}` takes the
        // one further from zero, ryu the even one.
        // 1455841493578080.25 and 203480497304774.375:
        5_823_365_974_312_321.0 / 4.0,
        -5_823_365_974_312_321.0 / 4.0,
        1_627_843_978_438_195.0 / 8.0,
    ];
    // Every power of two, ± and times 1.5 and 3: at 2^-24 ryu's shortest
    // digits are already `{}`'s though the value is a tie (the gap below a
    // power of two is half the gap above).
    for exponent in -1074..=1023 {
        let power = 2.0f64.powi(exponent);
        cases.extend([power, -power, power * 1.5, power * 3.0]);
    }
    for exponent in -330..=310 {
        let power: f64 = format!("1e{exponent}").parse().expect("a float");
        cases.extend([power, -power, power * 1.5, power * 9.999_999_999_999_998]);
    }
    for value in cases {
        assert_written_as_display(value);
    }
}

#[test]
fn integers_are_written_as_display_writes_them() {
    for n in [0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN, 1 << 53] {
        let mut out = String::new();
        write_integer(n, &mut out).expect("writing to a String cannot fail");
        assert_eq!(out, n.to_string());
    }
}

#[test]
fn decimals_are_read_as_parse_reads_them() {
    for text in [
        "0",
        "0.0",
        "000.000",
        ".5",
        "3.",
        "0.1",
        "0.30000000000000004",
        "0.3333333333333333",
        "0.33333333333333333",
        "1.7976931348623157",
        // Past the fast path: 2^53 + 1 is a tie between 2^53 and 2^53 + 2.
        "9007199254740993",
        "9007199254740993.0000000000000000000000001",
        "9007199254740995",
        "123456789012345678901234567890.123456789",
        "0.0000000000000000000000000000001",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "1e400",
    ] {
        let text = text.replace("1e400", &format!("1{}", "0".repeat(400)));
        assert_reads_as_parse(&text);
    }
}

#[test]
fn subnormals_and_underflow_are_read_as_parse_reads_them() {
    // 2^-1074 is the smallest subnormal, 2^-1075 half of it (a tie, to zero),
    // 2^-1076 a quarter (to zero); 2^-1022 the smallest normal.
    for n in [1022, 1023, 1074, 1075, 1076, 1100] {
        let text = power_of_half(n);
        assert_reads_as_parse(&text);
        // Just above and below: one more digit.
        assert_reads_as_parse(&format!("{text}1"));
        let (prefix, last) = text.split_at(text.len() - 1);
        let below = char::from(last.as_bytes()[0] - 1);
        assert_reads_as_parse(&format!("{prefix}{below}9999"));
    }
    // Halfway between the subnormals m and m + 1 times 2^-1074: (2m + 1) * 2^-1075.
    let half = power_of_half(1075);
    let (_, digits) = half.split_at(2);
    for m in [1u64, 2, 3, 1000, 1 << 40] {
        let mut product = digits
            .bytes()
            .rev()
            .map(|b| u128::from(b - b'0'))
            .collect::<Vec<_>>();
        let mut carry = 0;
        for d in &mut product {
            let v = *d * u128::from(2 * m + 1) + carry;
            *d = v % 10;
            carry = v / 10;
        }
        while carry > 0 {
            product.push(carry % 10);
            carry /= 10;
        }
        let product: String = product.iter().rev().map(|d| d.to_string()).collect();
        let text = format!(
            "0.{}{product}",
            "0".repeat(digits.len().saturating_sub(product.len()))
        );
        assert_reads_as_parse(&text);
    }
}

/// What the parser reads a literal as: its value, or its error with the span.
fn literal_value(text: &str) -> Result<f64, String> {
    match parse(text) {
        Ok(expr) => match expr.node(expr.root()).kind {
            NodeKind::Number(value) => Ok(value),
            ref other => Err(format!("not a number: {other:?}")),
        },
        Err(e) => Err(format!("{}..{}: {e}", e.span().start, e.span().end)),
    }
}

/// A literal of the grammar reads as `str::parse::<f64>` reads it, unless its
/// integer part is past 2^53, which is refused as it always was.
fn assert_literal_reads_as_parse(text: &str) {
    let expected: f64 = text.parse().expect("a decimal literal");
    let whole: f64 = text.split('.').next().unwrap_or("").parse().unwrap_or(0.0);
    match literal_value(text) {
        Ok(value) => assert_eq!(value.to_bits(), expected.to_bits(), "{text}"),
        Err(error) => {
            assert!(whole >= 2f64.powi(53), "{text}: {error}");
            assert_eq!(
                error,
                format!(
                    "0..{}: this number is too large to compute exactly (at most 2^53)",
                    text.len()
                )
            );
        }
    }
    // A roll query's default goes through the same reader.
    if let Ok(value) = literal_value(text) {
        let query = parse(&format!("?{{q|{text}}}")).expect("a roll query");
        let NodeKind::Ref(reference) = &query.node(query.root()).kind else {
            panic!("not a reference: {query:?}");
        };
        assert_eq!(reference.default.map(f64::to_bits), Some(value.to_bits()));
    }
}

#[test]
fn literals_are_read_as_parse_reads_them() {
    for text in [
        "0.1",
        ".5",
        "3.",
        "2.50",
        "0.30000000000000004",
        "0.33333333333333333",
        "9007199254740991.5",
        "9007199254740992",
        "9007199254740993",
        "9007199254740992.5",
        "4503599627370497.5",
        "0.0000000000000000000000000000000000001",
    ] {
        assert_literal_reads_as_parse(text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn any_float_is_written_as_display_writes_it(bits in any::<u64>()) {
        assert_written_as_display(f64::from_bits(bits));
    }

    #[test]
    fn any_float_is_written_as_display_writes_it_near_integers(
        n in -(1i64 << 60)..(1i64 << 60),
        scale in 0i32..80,
    ) {
        assert_written_as_display(n as f64 / 2f64.powi(scale));
    }

    #[test]
    fn halfway_floats_are_written_as_display_writes_them(
        n in (1u64 << 44)..(1u64 << 53),
        scale in 2i32..12,
    ) {
        assert_written_as_display(n as f64 / 2f64.powi(scale));
    }

    #[test]
    fn any_integer_is_written_as_display_writes_it(n in any::<i64>(), u in any::<u64>()) {
        let mut out = String::new();
        write_integer(n, &mut out).expect("writing to a String cannot fail");
        write_integer(u, &mut out).expect("writing to a String cannot fail");
        prop_assert_eq!(out, format!("{n}{u}"));
    }

    #[test]
    fn short_decimals_are_read_as_parse_reads_them(text in "[0-9]{0,17}\\.[0-9]{1,25}") {
        assert_reads_as_parse(&text);
    }

    #[test]
    fn any_literal_is_read_as_parse_reads_it(
        text in "[0-9]{1,17}|[0-9]{0,17}\\.[0-9]{1,30}|[0-9]{1,3}\\.0{0,30}[0-9]{0,20}",
    ) {
        assert_literal_reads_as_parse(&text);
    }

    #[test]
    fn written_floats_read_back(bits in any::<u64>()) {
        let value = f64::from_bits(bits).abs();
        prop_assume!(value.is_finite());
        let text = written(value);
        assert_reads_as_parse(&text);
        let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
        prop_assert_eq!(decimal_value(integer, fraction).to_bits(), value.to_bits());
    }
}

proptest! {
    // Each case divides numbers of hundreds of digits: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn long_decimals_are_read_as_parse_reads_them(text in "[0-9]{0,40}\\.0{0,400}[0-9]{0,60}") {
        prop_assume!(text != ".");
        assert_reads_as_parse(&text);
    }
}
