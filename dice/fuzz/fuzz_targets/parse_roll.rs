//! Fuzzes parse + bounds + roll: nothing may panic, Display must round-trip,
//! and every rolled total must lie within the bounds.
#![no_main]

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, roll_with, seeded_rng};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(input) = std::str::from_utf8(rest) else {
        return;
    };
    let dialect = match selector % 4 {
        0 => Dialect::Default,
        1 => Dialect::Roll20,
        2 => Dialect::Foundry,
        _ => Dialect::D20,
    };
    let options = ParseOptions::dialect(dialect);
    let Ok(expr) = parse_with(input, &options) else {
        return;
    };
    let text = expr.to_string();
    let reparsed = parse_with(&text, &options).expect("the canonical text parses");
    assert_eq!(reparsed, expr, "round trip of {input:?} through {text:?}");
    let bounds = expr.bounds();
    let mut rng = seeded_rng(u64::from(selector));
    if let Ok(rolled) = roll_with(&expr, &mut rng, &RollOptions::default()) {
        let _ = rolled.markdown();
        if let Ok(bounds) = bounds {
            let total = rolled.total();
            assert!(bounds.min.is_none_or(|min| total >= min), "{input:?}: {total} < {bounds:?}");
            assert!(bounds.max.is_none_or(|max| total <= max), "{input:?}: {total} > {bounds:?}");
        }
    }
});
