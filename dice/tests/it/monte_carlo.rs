//! The Monte Carlo fallback: its estimates against exact answers, and the
//! bound on its work.

use critfumble_dice::{DiceError, DistOptions, Distribution, LimitKind, Limits, parse};

/// Every estimated probability and the estimated mean lie within this many
/// standard errors of the exact ones (a binomial standard error for each
/// probability, the estimate's own for the mean). Past 5, a correct
/// sampler fails about once in 1.7 million checks, and the seed is fixed.
const STANDARD_ERRORS: f64 = 5.0;

/// Exact distributions, estimated instead by giving the exact method no
/// budget: the estimate is within the stated error of the exact answer.
#[test]
fn estimates_are_within_five_standard_errors_of_the_exact_answer() {
    for input in [
        "3d6",
        "2d20kh1",
        "4d6kh3",
        "1d20+1d4-2",
        "{1d6, 1d8}kh1",
        "4dF",
        "5d10>=8",
    ] {
        let expr = parse(input).expect("it parses");
        let exact = Distribution::of(&expr).expect("it has a distribution");
        assert!(exact.exact, "{input}");
        let options = DistOptions {
            budget: 0,
            samples: 50_000,
            ..DistOptions::default()
        };
        let estimate = Distribution::with_options(&expr, &options).expect("it is estimated");
        assert!(!estimate.exact, "{input}");
        let n = estimate.samples.expect("an estimate has samples") as f64;
        assert_eq!(
            n, 50_000.0,
            "{input}: few dice fit the draw budget many times"
        );
        for &(total, p) in &exact.probabilities {
            let error = (p * (1.0 - p) / n).sqrt();
            let estimated = estimate.probability(total);
            assert!(
                (estimated - p).abs() <= STANDARD_ERRORS * error,
                "{input}: P({total}) estimated {estimated}, exactly {p}"
            );
        }
        // Nothing estimated falls outside the exact support.
        for &(total, _) in &estimate.probabilities {
            assert!(
                exact.probability(total) > 0.0,
                "{input}: {total} cannot be rolled"
            );
        }
        let error = estimate
            .standard_error
            .expect("an estimate has a standard error");
        assert!(
            (estimate.mean - exact.mean).abs() <= STANDARD_ERRORS * error,
            "{input}: mean estimated {}, exactly {}",
            estimate.mean,
            exact.mean
        );
    }
}

/// `10000d1000000` would draw two billion dice in 200,000 rolls; the draw
/// budget makes it 2,000 rolls of 10,000 dice, and the estimate still
/// centres on the mean (5,000,005,000) within its standard error.
#[test]
fn the_fallback_stops_at_its_draw_budget() {
    let expr = parse("10000d1000000").expect("it parses");
    let options = DistOptions::default();
    let estimate = Distribution::with_options(&expr, &options).expect("it is estimated");
    assert!(!estimate.exact);
    let samples = estimate.samples.expect("an estimate has samples");
    assert_eq!(samples, options.max_draws / 10_000);
    let error = estimate
        .standard_error
        .expect("an estimate has a standard error");
    assert!((estimate.mean - 500_000.5 * 10_000.0).abs() <= STANDARD_ERRORS * error);
}

/// Rolls that all stop at a limit count against the budget too, so that
/// they cannot make the fallback run on; and when every roll did, the
/// estimate is that limit's error, not an empty distribution.
#[test]
fn rolls_stopped_by_a_limit_use_up_the_budget() {
    // A thousand d2 that explode pass 1,000 dice on nearly every roll.
    let expr = parse("1000d2!").expect("it parses");
    let options = DistOptions {
        limits: Limits {
            max_dice: 1_000,
            ..Limits::default()
        },
        budget: 0,
        max_draws: 100_000,
        ..DistOptions::default()
    };
    let error = Distribution::with_options(&expr, &options).expect_err("no roll fits");
    assert!(
        matches!(
            error,
            DiceError::Limit {
                kind: LimitKind::Dice,
                ..
            }
        ),
        "{error}"
    );
}
