//! Fuzzes parse + bounds + roll: nothing may panic, Display must round-trip,
//! every rolled total must lie within the bounds, the JSON of the expression
//! and of the roll must read back (or be refused as too deep), and the
//! Markdown must escape what the user typed.
#![no_main]

use critfumble_dice::{
    Dialect, ParseOptions, RollOptions, RollReport, parse_with, roll_with, seeded_rng,
};
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
    // The JSON's notation reads back as the expression; a tree too deep for
    // JSON is refused with an error, never a crash.
    if let Ok(json) = serde_json::to_string(&expr) {
        let json: serde_json::Value = serde_json::from_str(&json).expect("serde_json reads it");
        let notation = json["notation"].as_str().expect("a notation");
        let again = parse_with(notation, &options).expect("the JSON's notation parses");
        assert_eq!(again, expr, "JSON round trip of {input:?}");
    }
    let bounds = expr.bounds();
    let mut rng = seeded_rng(u64::from(selector));
    if let Ok(rolled) = roll_with(&expr, &mut rng, &RollOptions::default()) {
        let markdown = rolled.markdown();
        if let Some(comment) = expr.comment() {
            let mut escaped = String::new();
            critfumble_dice::escape_markdown(comment, &mut escaped);
            assert!(markdown.starts_with(&format!("**{escaped}:** ")), "{markdown:?}");
        }
        if let Ok(json) = serde_json::to_string(&RollReport { input, rolled: &rolled }) {
            let json: serde_json::Value = serde_json::from_str(&json).expect("serde_json reads it");
            assert_eq!(json["markdown"].as_str(), Some(markdown.as_str()));
        }
        if let Ok(bounds) = bounds {
            let total = rolled.total();
            assert!(bounds.min.is_none_or(|min| total >= min), "{input:?}: {total} < {bounds:?}");
            assert!(bounds.max.is_none_or(|max| total <= max), "{input:?}: {total} > {bounds:?}");
        }
    }
});
