//! Foundry's formulas against known answers: the `Math` functions its
//! formulas call (values as ECMAScript defines them), and `df` with no
//! target, with the dice forced through `replay`.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, replay};

const FVTT: Dialect = Dialect::Foundry;

fn total(input: &str, faces: &[i64]) -> Result<f64, String> {
    let expr = parse_with(input, &ParseOptions::dialect(FVTT)).map_err(|e| e.to_string())?;
    let rolled = replay(&expr, faces, &RollOptions::default()).map_err(|e| e.to_string())?;
    Ok(rolled.total())
}

fn assert_total(input: &str, faces: &[i64], expected: f64) {
    assert_eq!(total(input, faces), Ok(expected), "{input} with {faces:?}");
}

fn bounds(input: &str) -> (Option<f64>, Option<f64>) {
    let b = parse_with(input, &ParseOptions::dialect(FVTT))
        .expect("parses")
        .bounds()
        .expect("has bounds");
    (b.min, b.max)
}

fn parse_error(input: &str) -> String {
    parse_with(input, &ParseOptions::dialect(FVTT))
        .expect_err("refused")
        .to_string()
}

#[test]
fn math_functions_give_javascripts_values() {
    assert_total("max(1d20, 10)", &[4], 10.0);
    assert_total("max(1d20, 10)", &[15], 15.0);
    assert_total("min(2d6, 8)", &[6, 5], 8.0);
    assert_total("max(1d4, 1d6, 1d8)", &[1, 2, 7], 7.0);
    assert_total("clamp(1d20, 5, 15)", &[20], 15.0);
    assert_total("clamp(1d20, 5, 15)", &[2], 5.0);
    assert_total("floor(7/2)", &[], 3.0);
    assert_total("ceil(7/2)", &[], 4.0);
    assert_total("round(2.5)", &[], 3.0);
    assert_total("round(-2.5)", &[], -2.0);
    assert_total("trunc(-3.7)", &[], -3.0);
    assert_total("sign(-4)", &[], -1.0);
    assert_total("abs(1d6 - 7)", &[2], 5.0);
    assert_total("sqrt(16)", &[], 4.0);
    assert_total("cbrt(27)", &[], 3.0);
    assert_total("pow(2, 10)", &[], 1024.0);
    assert_total("hypot(3, 4)", &[], 5.0);
    assert_total("log10(1000)", &[], 3.0);
    assert_total("log2(8)", &[], 3.0);
    assert_total("exp(0) + log(1)", &[], 1.0);
    assert_total("imul(3, 4)", &[], 12.0);
    assert_total("clz32(1)", &[], 31.0);
    assert_total("MAX(1, 2)", &[], 2.0);
}

/// A value outside a function's domain is refused when rolled; bounds hold
/// the values that remain.
#[test]
fn domains_arity_and_bounds() {
    assert!(total("sqrt(1d6 - 4)", &[1]).is_err_and(|e| e.contains("not a real number")));
    assert_eq!(total("sqrt(1d6 - 4)", &[5]), Ok(1.0));
    assert!(parse_error("max()").contains("expected an argument of 'max'"));
    assert!(parse_error("pow(2)").contains("'pow' takes 2 arguments, not 1"));
    assert!(parse_error("clamp(1, 2)").contains("'clamp' takes 3 arguments, not 2"));
    assert!(parse_error("floor(1, 2)").contains("'floor' takes one argument, not 2"));
    assert!(parse_error("random()").contains("unknown function or word 'random'"));
    assert!(parse_error("max(1, 2").contains("expected ',' or ')'"));
    assert_eq!(bounds("max(1d20, 10)"), (Some(10.0), Some(20.0)));
    assert_eq!(bounds("min(2d6, 8)"), (Some(2.0), Some(8.0)));
    assert_eq!(bounds("clamp(1d20, 5, 15)"), (Some(5.0), Some(15.0)));
    assert_eq!(bounds("sqrt(4d4)"), (Some(2.0), Some(4.0)));
    assert_eq!(bounds("sqrt(1d6 - 4)"), (Some(0.0), Some(2f64.sqrt())));
    assert_eq!(bounds("pow(1d4, 2)"), (Some(1.0), Some(16.0)));
    assert_eq!(
        bounds("hypot(1d4, 1d4)"),
        (Some(2f64.sqrt()), Some(32f64.sqrt()))
    );
    assert_eq!(bounds("log2(1d8)"), (Some(0.0), Some(3.0)));
    assert_eq!(
        bounds("acos(1d2 - 1)"),
        (Some(0.0), Some(std::f64::consts::FRAC_PI_2))
    );
    assert_eq!(bounds("trunc(1d6 / 4)"), (Some(0.0), Some(1.0)));
    let refused = parse_with("sqrt(-1d6)", &ParseOptions::dialect(FVTT))
        .expect("parses")
        .bounds();
    assert!(refused.is_err(), "every roll of sqrt(-1d6) is not a number");
    for (input, printed) in [
        ("max(1d20,10)", "max(1d20, 10)"),
        ("CLAMP( 1d20 , 5,15 )", "clamp(1d20, 5, 15)"),
        ("floor((1d6 + 1) / 2)", "floor((1d6 + 1) / 2)"),
    ] {
        let expr = parse_with(input, &ParseOptions::dialect(FVTT)).expect("parses");
        assert_eq!(expr.to_string(), printed);
        let again = parse_with(printed, &ParseOptions::dialect(FVTT)).expect("parses");
        assert_eq!(again, expr);
    }
}

/// The exact distribution of a function of dice: `max(1d20, 10)` is 10 half
/// the time, and each of 11 to 20 a twentieth.
#[test]
fn function_distribution() {
    let expr = parse_with("max(1d20, 10)", &ParseOptions::dialect(FVTT)).expect("parses");
    let dist = critfumble_dice::Distribution::of(&expr).expect("has a distribution");
    assert!(dist.exact);
    let p = |total: f64| {
        dist.probabilities
            .iter()
            .find(|(t, _)| *t == total)
            .map_or(0.0, |(_, p)| *p)
    };
    assert!((p(10.0) - 0.5).abs() < 1e-12);
    assert!((p(15.0) - 0.05).abs() < 1e-12);
    assert!((dist.mean - 12.75).abs() < 1e-9);
}

/// `df` with no target deducts one for each die that is not a success.
#[test]
fn deduct_non_successes() {
    assert_total("5d6cs>4df", &[5, 6, 1, 2, 3], -1.0);
    assert_total("5d6cs>4df", &[5, 6, 6, 6, 3], 3.0);
    assert_total("5d6cs>4df=1", &[5, 6, 1, 2, 3], 1.0);
    assert_eq!(bounds("5d6cs>4df"), (Some(-5.0), Some(5.0)));
    let expr = parse_with("5d6cs>4df", &ParseOptions::dialect(FVTT)).expect("parses");
    assert_eq!(expr.to_string(), "5d6cs>4df");
    let rolled = replay(&expr, &[5, 6, 1, 2, 3], &RollOptions::default()).expect("rolls");
    let failures = rolled.all_dice().filter(|d| d.failure()).count();
    assert_eq!(failures, 3);
}

/// Foundry records a term's initial dice first, then the dice its modifiers
/// add (`vtt-parsers/tests/fixtures/foundry/exploding_and_reroll.json`:
/// `2d6x` gave 6, 6, then 2 and 4 from the explosions; `1d8r1` gave 1, then
/// 2), and a replay takes them in that order.
#[test]
fn foundry_recorded_order_replays() {
    assert_total("2d6x + 1d8r1", &[6, 6, 2, 4, 1, 2], 20.0);
    // Both ones are initial dice, so both are rerolled (once each).
    assert_total("2d6r1", &[1, 1, 5, 3], 8.0);
    assert_total("3d6r1", &[1, 4, 1, 5, 6], 15.0);
    assert_total("4d6r1kh3", &[1, 3, 4, 5, 2], 12.0);
    assert_total("3d10x>=9kh2", &[9, 2, 10, 3, 9, 1], 19.0);
    assert_total("5d10cs>=7x", &[10, 3, 7, 10, 1, 8, 2], 4.0);
    // Each added face is shown under the die that added it, as Foundry has it.
    let expr = parse_with("2d8r1 + 2d6x", &ParseOptions::dialect(FVTT)).expect("parses");
    let rolled = replay(&expr, &[1, 5, 3, 6, 6, 2, 4], &RollOptions::default()).expect("rolls");
    assert_eq!(
        rolled.markdown(),
        "2d8ro1 (~~1~~, 3, 5) + 2d6! (**6**!, 2, **6**!, 4) = `26`"
    );
}

/// Capped modifiers: the number before the compare point caps how many dice
/// the term adds (`x`) or rerolls (`r`, `rr`), counted across the term.
#[test]
fn capped_explode_and_reroll() {
    // 7 explodes into 8, which explodes into 3: the cap of 2 is spent, and
    // the other 8s do not explode (Foundry: 7, 8, 8, then 8 and 3).
    assert_total("3d8x2>=7", &[7, 8, 8, 8, 3], 34.0);
    assert_total("3d8x2>=7", &[1, 2, 3], 6.0);
    assert!(
        total("3d8x2>=7", &[7, 8, 8, 8, 3, 8]).is_err(),
        "a third explosion"
    );
    // The first two 1s are rerolled once each; the third stays.
    assert_total("4d6r2<3", &[1, 1, 1, 4, 5, 6], 16.0);
    // rr rerolls until the cap of one is spent.
    assert_total("4d6rr1<3", &[1, 2, 2, 4, 1], 9.0);
    // No operator after the number: it is the compare point, not a cap.
    assert_total("2d10x10", &[10, 3, 4], 17.0);
    assert_eq!(bounds("3d8x2>=7"), (Some(3.0), Some(40.0)));
    assert_eq!(bounds("4d6rr2<3"), (Some(4.0), Some(24.0)));
    assert_eq!(bounds("4d6r2<3"), (Some(4.0), Some(24.0)));
    for (input, printed) in [("3d8x2>=7", "3d8!2>=7"), ("4d6r2<3", "4d6ro2<3")] {
        let expr = parse_with(input, &ParseOptions::dialect(FVTT)).expect("parses");
        assert_eq!(expr.to_string(), printed);
        let again = parse_with(printed, &ParseOptions::dialect(FVTT)).expect("parses");
        assert_eq!(again, expr);
    }
    // Roll20 has no cap: `!2` explodes on 2 and `>=7` counts successes.
    let roll20 = parse_with("3d8!2>=7", &ParseOptions::dialect(Dialect::Roll20)).expect("parses");
    assert_eq!(roll20.to_string(), "3d8!2>=7");
    assert_eq!(roll20.bounds().map(|b| b.max), Ok(None));
}
