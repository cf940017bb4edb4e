//! Exact bounds, checked by brute force: every sequence of forced faces is
//! replayed, and the least and greatest totals must be `bounds()` exactly.
//!
//! `replay` reports the die it ran out on, so a depth-first search over forced
//! faces visits every outcome of a small expression. Dice that can explode or
//! reroll forever are cut off at a length; what is seen must then lie inside
//! the bounds, and the bound that is reached must be reached.

use critfumble_dice::{Dialect, DiceError, ParseOptions, RollOptions, parse_with, replay};

const DEF: Dialect = Dialect::Default;
const R20: Dialect = Dialect::Roll20;
const FVTT: Dialect = Dialect::Foundry;
const D20: Dialect = Dialect::D20;

/// The faces a die with this label can show.
fn faces_of(label: &str, dialect: Dialect) -> Vec<i64> {
    match label {
        "F" => vec![-1, 0, 1],
        "%" if dialect == D20 => (0..10).map(|t| t * 10).collect(),
        "%" => (1..=100).collect(),
        n => (1..=n.parse::<i64>().expect("a numeric label")).collect(),
    }
}

/// The least and greatest totals over every forced sequence up to `max_len` faces.
fn exhaustive_range(dialect: Dialect, input: &str, max_len: usize) -> (f64, f64) {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).expect("the input parses");
    let options = RollOptions::default();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut stack: Vec<Vec<i64>> = vec![Vec::new()];
    let mut replays = 0usize;
    while let Some(prefix) = stack.pop() {
        replays += 1;
        assert!(replays < 200_000, "{input}: too many outcomes to enumerate");
        match replay(&expr, &prefix, &options) {
            Ok(rolled) => {
                lo = lo.min(rolled.total());
                hi = hi.max(rolled.total());
            }
            Err(DiceError::ForcedDiceExhausted { faces, .. }) if prefix.len() < max_len => {
                for face in faces_of(&faces, dialect) {
                    let mut next = prefix.clone();
                    next.push(face);
                    stack.push(next);
                }
            }
            // Cut off, or an outcome that is an error (division by zero, …).
            Err(_) => {}
        }
    }
    (lo, hi)
}

#[track_caller]
fn assert_exact(dialect: Dialect, input: &str, max_len: usize) {
    let (lo, hi) = exhaustive_range(dialect, input, max_len);
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).expect("the input parses");
    let bounds = expr.bounds().expect("the bounds compute");
    assert_eq!(
        (bounds.min, bounds.max),
        (Some(lo), Some(hi)),
        "{dialect:?} {input}: bounds() against every outcome"
    );
}

#[test]
fn keep_drop_and_sums_are_exact() {
    for input in [
        "3d6",
        "4d6kh3",
        "4d6dl1",
        "4d6dh1dl1",
        "2d20kh1",
        "2d20kl1",
        "4d6kh3kl1",
        "3d4k>2",
        "3d4p<3",
        "1d6*1d6-1d6",
        "1d6%4",
        "abs(1d6-4)",
        "floor(1d6/4)",
        "(1d4)d4",
        "2d(1d4)",
    ] {
        assert_exact(DEF, input, 8);
    }
}

#[test]
fn rerolls_and_clamps_are_exact() {
    for input in [
        "4d6min3",
        "1d6min2max5",
        "2d6rr1kh1",
        "1d6ro<3",
        "1d8rr<3",
        "2d6ro1max4",
    ] {
        assert_exact(DEF, input, 6);
    }
    assert_exact(R20, "1d8r<3", 6);
    assert_exact(FVTT, "1d8r<3", 6);
}

#[test]
fn counting_is_exact() {
    for input in [
        "3d6cs>=5",
        "3d6cs>4df<2",
        "4d6even",
        "3d6sf<3",
        "1d20ms>=10",
        "3dFcs=1",
    ] {
        assert_exact(DEF, input, 6);
    }
    assert_exact(R20, "3d6>5", 6);
    assert_exact(R20, "3d6>6f<2", 6);
    assert_exact(FVTT, "3d6>5", 6);
    assert_exact(FVTT, "4d6cs>4df=1", 6);
}

#[test]
fn fate_percent_groups_and_explode_once_are_exact() {
    assert_exact(DEF, "4dF", 4);
    assert_exact(DEF, "4dFkh2", 4);
    assert_exact(D20, "d%", 1);
    assert_exact(D20, "2d%kl1", 2);
    assert_exact(DEF, "2d6xo", 4);
    assert_exact(DEF, "1d6ra6", 2);
    assert_exact(DEF, "{1d6, 1d8}kh1", 2);
    assert_exact(DEF, "{1d4, 1d4, 1d4}dl1", 3);
    assert_exact(DEF, "{2d6, 1d8}>5", 3);
    assert_exact(R20, "{3d8+5}>10", 3);
    assert_exact(FVTT, "{3d8+5}>10", 3);
}

/// Bounds that were once inexact, against brute force: one test each, so
/// that each shows its own exact range.
#[test]
fn inexact_reroll_and_add() {
    assert_exact(DEF, "1d6ra", 2);
}

#[test]
fn inexact_explode_once_on_a_d1() {
    assert_exact(DEF, "1d1xo", 2);
}

#[test]
fn inexact_keep_matching_selector() {
    assert_exact(D20, "4d6k3", 4);
}

#[test]
fn inexact_keep_below() {
    assert_exact(DEF, "4d6k<3", 4);
}

#[test]
fn inexact_group_compare_always_true() {
    assert_exact(DEF, "{3d6+1d8}>=3", 4);
}

#[test]
fn inexact_group_failures_only() {
    assert_exact(DEF, "{1d6, 1d6}f<2", 2);
}
