//! Robustness at the limits: huge inputs are refused quickly, and long or deep
//! inputs inside the limits neither crash nor break the `Display` round trip.

use critfumble_dice::{
    Dialect, DiceError, LimitKind, ParseOptions, RollOptions, parse, parse_with, replay,
};

/// Runs `f` on a thread with the 2 MiB stack that test threads (and many
/// servers' worker threads) get, so that unbounded recursion shows up here.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    crate::deep::on_stack(2 << 20, f);
}

/// Huge literal counts and faces are refused by a limit, before any work.
#[test]
fn huge_counts_are_refused_by_a_limit() {
    let inputs = [
        "99999999d99999999",
        "99999999999999999999d6",
        "1d99999999999999999999",
        "10001d6",
        "1d1000001",
    ];
    // How fast they are refused is measured in benches/ (`refuse_huge`), not here.
    for input in inputs {
        assert!(
            matches!(parse(input), Err(DiceError::Limit { .. })),
            "{input} must be refused by a limit"
        );
    }
}

/// A computed count over the dice limit is refused before rolling anything:
/// the forced faces are not even asked for.
#[test]
fn computed_count_over_the_limit_is_refused_before_rolling() {
    let expr = parse("(100d100*100d100)d6").expect("the input parses");
    let faces = [100; 200];
    let error = replay(&expr, &faces, &RollOptions::default()).expect_err("over the limit");
    assert_eq!(
        error.to_string(),
        "number of dice exceeds the limit of 10000"
    );
}

/// A sum of 2,048 terms is within the length limit, and prints and renders
/// on a 2 MiB stack (printing it once recursed once per term; `deep.rs`
/// takes every entry point to 100,000 terms on a smaller stack).
#[test]
fn long_sum_prints_on_a_small_stack() {
    on_small_stack(|| {
        let input = format!("{}1", "1+".repeat(2047));
        let expr = parse(&input).expect("within the limits");
        assert_eq!(expr.to_string().len(), 2048 * 4 - 3);
        let rolled = replay(&expr, &[], &RollOptions::default()).expect("no dice");
        assert_eq!(rolled.total(), 2048.0);
        assert!(rolled.markdown().ends_with("= `2048`"));
    });
}

/// `2^2^…^2` nests to the right, so each `^` counts toward the depth limit
/// (the parser once recursed once per `^` unchecked): 2,047 of them
/// (4,095 bytes) must give a depth error, not overflow a 2 MiB stack.
#[test]
fn long_power_chain_is_a_depth_error() {
    on_small_stack(|| {
        let input = format!("{}2", "2^".repeat(2047));
        let result = parse(&input);
        assert!(
            matches!(
                &result,
                Err(DiceError::Limit {
                    kind: LimitKind::Depth,
                    ..
                })
            ),
            "{:?}",
            result.err()
        );
    });
}

/// Within the limits but long: a 3,201-byte sum prints as 6,401 bytes, past
/// the length limit. As documented on `Expr`'s `Display`, the canonical text
/// round-trips under the same dialect with a length limit that fits it.
#[test]
fn display_past_the_length_limit_round_trips_with_room() {
    let input = format!("{}1", "1+".repeat(1600));
    let expr = parse(&input).expect("within the limits");
    let shown = expr.to_string();
    assert!(
        parse(&shown).is_err(),
        "the default limit refuses {} bytes",
        shown.len()
    );
    let roomy = ParseOptions {
        limits: critfumble_dice::Limits {
            max_length: shown.len(),
            ..Default::default()
        },
        ..Default::default()
    };
    let again = parse_with(&shown, &roomy);
    assert!(
        again.as_ref().is_ok_and(|again| *again == expr),
        "printed as {} bytes: {:?}",
        shown.len(),
        again.err()
    );
}

/// In the D20 dialect `1d2d2d2…` is dice of dice, and prints back bare, as
/// written, not as the nested parentheses it means. Each link counts against
/// `max_depth` (see tests/it/deep.rs), so the longest chain is `max_depth`
/// links.
#[test]
fn d20_dice_chain_prints_back_as_written() {
    let options = ParseOptions::dialect(Dialect::D20);
    let input = format!("1d2{}", "d2".repeat(options.limits.max_depth));
    let expr = parse_with(&input, &options).expect("within the limits");
    let shown = expr.to_string();
    assert_eq!(shown, input);
    let again = parse_with(&shown, &options);
    assert!(
        again.as_ref().is_ok_and(|again| *again == expr),
        "printed as {shown}: {:?}",
        again.err()
    );
}

/// Found by the fuzzer: huge clamp values on many dice overflowed an i64 sum.
/// Clamp and compare values are limited to ±2^53, and totals past it are an
/// overflow error.
#[test]
fn huge_clamps_are_refused_or_overflow_cleanly() {
    let input = "D2E2!---22D1111p0D29p770+7677d47d4mi11111111111111111";
    assert!(matches!(parse(input), Err(DiceError::Syntax { .. })));
    let expr = parse("47d4mi9007199254740992").expect("within ±2^53");
    assert!(matches!(
        replay(&expr, &[1; 47], &RollOptions::default()),
        Err(DiceError::Overflow { .. })
    ));
}
