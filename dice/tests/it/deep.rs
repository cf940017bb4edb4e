//! Deep input at every entry point, on a thread with a 256 KiB stack: sums
//! and label chains of 100,000 terms parse, roll, render, bound and
//! summarize without recursing once per term, and their JSON is refused
//! past `JSON_MAX_DEPTH` with an error rather than a stack overflow.
//! Avrae's chains of dice of dice (`1d2d2d2…`) count against `max_depth`
//! as the parentheses they stand for would, and are refused past it.

use critfumble_dice::{
    DistOptions, Distribution, Limits, ParseOptions, RollOptions, Rolled, parse_with, roll_with,
    seeded_rng,
};
#[cfg(feature = "serde")]
use critfumble_dice::{Expr, JSON_MAX_DEPTH, RollReport, StatsReport};

/// Terms in each deep input.
const TERMS: usize = 100_000;

/// Runs `f` on a thread with a 256 KiB stack, where recursion once per term
/// overflows (and aborts the test binary) long before 100,000 terms.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    on_stack(256 << 10, f);
}

/// Runs `f` on a thread with a stack of `bytes`.
pub(crate) fn on_stack(bytes: usize, f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("the thread starts")
        .join()
        .expect("the thread does not panic");
}

/// Limits that let 100,000 terms through, with the default depth.
fn roomy() -> ParseOptions {
    ParseOptions {
        limits: Limits {
            max_length: 2_000_000,
            max_dice: 1_000_000,
            ..Limits::default()
        },
        ..ParseOptions::default()
    }
}

/// Every entry point on `input`, whose total is `total`: parse, the
/// canonical text (which reads back as the same expression), a roll, its
/// Markdown and plain text, bounds, and stats (exact, as every input here
/// is). The JSON of the expression, the roll and the stats report either
/// reads back, or fails for nesting deeper than `JSON_MAX_DEPTH`.
fn every_entry_point(input: String, total: f64) {
    on_small_stack(move || {
        let options = roomy();
        let expr = parse_with(&input, &options).expect("within the limits");
        let text = expr.to_string();
        let again = parse_with(&text, &options).expect("the canonical text parses");
        assert!(
            again == expr,
            "the canonical text reads back as the expression"
        );

        let roll_options = RollOptions {
            limits: options.limits,
            ..RollOptions::default()
        };
        let rolled = roll_with(&expr, &mut seeded_rng(1), &roll_options).expect("it rolls");
        assert_eq!(rolled.total(), total);
        let total_text = critfumble_dice::parse(&total.to_string())
            .expect("a number")
            .to_string();
        assert!(rolled.markdown().ends_with(&format!("= `{total_text}`")));
        assert!(rolled.plain().ends_with(&format!("= {total_text}")));

        let bounds = expr.bounds_with(&roll_options).expect("it has bounds");
        assert_eq!((bounds.min, bounds.max), (Some(total), Some(total)));
        let dist_options = DistOptions {
            limits: options.limits,
            ..DistOptions::default()
        };
        let dist = Distribution::with_options(&expr, &dist_options).expect("it has stats");
        assert!(dist.exact);
        assert_eq!(dist.probabilities, vec![(total, 1.0)]);
        json(&input, &rolled, &dist);
    });
}

/// The JSON entry points on a deep input: the stats report reads back, and
/// the expression and the roll are too deep for JSON.
#[cfg(feature = "serde")]
fn json(input: &str, rolled: &Rolled<'_>, dist: &Distribution) {
    let stats = serde_json::to_string(&StatsReport {
        input,
        distribution: dist,
    })
    .expect("stats nest no deeper than a few levels");
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("it reads back");
    assert_eq!(stats["mean"], dist.mean);
    assert_too_deep(serde_json::to_string(rolled.expr()));
    assert_too_deep(serde_json::to_string(&RollReport { input, rolled }));
}

#[cfg(not(feature = "serde"))]
fn json(_: &str, _: &Rolled<'_>, _: &Distribution) {}

#[cfg(feature = "serde")]
fn assert_too_deep(json: Result<String, serde_json::Error>) {
    let error = json.expect_err("too deep for JSON");
    assert_eq!(
        error.to_string(),
        format!("the expression nests more than {JSON_MAX_DEPTH} terms deep, too deep for JSON")
    );
}

#[test]
fn a_sum_of_100000_numbers() {
    every_entry_point(format!("{}1", "1+".repeat(TERMS - 1)), TERMS as f64);
}

#[test]
fn a_sum_of_100000_dice() {
    every_entry_point(format!("{}1d1", "1d1+".repeat(TERMS - 1)), TERMS as f64);
}

#[test]
fn a_chain_of_100000_labels() {
    every_entry_point(format!("2{}", "[a]".repeat(TERMS)), 2.0);
}

#[test]
fn a_product_of_100000_terms_with_labels() {
    every_entry_point(format!("{}1", "1[x] * ".repeat(TERMS - 1)), 1.0);
}

/// The deepest tree that has JSON reads back through serde_json (whose
/// default nesting limit servers apply), with a dice node at the bottom
/// carrying dice, compound parts and a modifier; one term more is refused.
#[cfg(feature = "serde")]
#[test]
fn the_deepest_json_reads_back() {
    let deepest = |terms: usize| -> Expr {
        let input = format!("1d6!!kh1{}", " + 1".repeat(terms - 1));
        parse_with(&input, &roomy()).expect("it parses")
    };
    let expr = deepest(JSON_MAX_DEPTH);
    let rolled =
        critfumble_dice::replay(&expr, &[6, 6, 2], &RollOptions::default()).expect("it rolls");
    let json = serde_json::to_string(&RollReport {
        input: "",
        rolled: &rolled,
    })
    .expect("within the depth");
    let value: serde_json::Value = serde_json::from_str(&json).expect("serde_json reads it");
    assert_eq!(value["total"], 14 + JSON_MAX_DEPTH - 1);
    let parsed = serde_json::to_string(&expr).expect("within the depth");
    serde_json::from_str::<serde_json::Value>(&parsed).expect("serde_json reads it");

    let expr = deepest(JSON_MAX_DEPTH + 1);
    assert_too_deep(serde_json::to_string(&expr));
}

/// Avrae's chains of dice (`1d1d1d1…`, each link dice of the dice before)
/// nest one level per link, as parentheses would: a chain of 100,000 links
/// is refused at the first link past `max_depth`, pointing at it, without
/// recursing once per link; the longest chain within the limit passes every
/// entry point.
#[test]
fn a_chain_of_100000_dice_of_dice() {
    on_small_stack(|| {
        let options = ParseOptions {
            dialect: critfumble_dice::Dialect::D20,
            ..roomy()
        };
        let max_depth = options.limits.max_depth;
        let input = format!("1d1{}", "d1".repeat(TERMS));
        let error = parse_with(&input, &options).expect_err("deeper than max_depth");
        // "1d1" takes bytes 0..3 and link k (from 1) starts at 3 + 2(k - 1).
        let refused_link = 3 + 2 * max_depth;
        match error {
            critfumble_dice::DiceError::Limit { kind, limit, span } => {
                assert_eq!(kind, critfumble_dice::LimitKind::Depth);
                assert_eq!(limit, max_depth as u64);
                assert_eq!((span.start, span.end), (refused_link, refused_link + 1));
            }
            other => panic!("expected the depth limit, got {other:?}"),
        }

        let longest = format!("1d1{}", "d1".repeat(max_depth));
        let expr = parse_with(&longest, &options).expect("within max_depth");
        assert!(parse_with(&expr.to_string(), &options).expect("canonical text") == expr);
        let roll_options = RollOptions {
            limits: options.limits,
            ..RollOptions::default()
        };
        let rolled = roll_with(&expr, &mut seeded_rng(1), &roll_options).expect("it rolls");
        assert_eq!(rolled.total(), 1.0);
        assert!(rolled.markdown().ends_with("= `1`"));
        let bounds = expr.bounds_with(&roll_options).expect("it has bounds");
        assert_eq!((bounds.min, bounds.max), (Some(1.0), Some(1.0)));
        let dist_options = DistOptions {
            limits: options.limits,
            ..DistOptions::default()
        };
        let dist = Distribution::with_options(&expr, &dist_options).expect("it has stats");
        assert_eq!(dist.probabilities, vec![(1.0, 1.0)]);
    });
}
