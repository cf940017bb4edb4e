//! Unit tests of the number writers: each checked byte for byte against
//! `core::fmt`, on edge cases and random inputs.

use super::{write_f64, write_integer};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

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
}
