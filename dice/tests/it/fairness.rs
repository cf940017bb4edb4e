//! Fairness: chi-square goodness-of-fit tests on seeded rolls.
//!
//! Each test rolls at least 100,000 times from a fixed seed, so it is
//! deterministic, and compares the counts with the exact distribution. The
//! critical values are those of the chi-square distribution at p = 0.001 for
//! the test's degrees of freedom (categories − 1); a fair roller exceeds them
//! one time in a thousand seeds, and a biased one (say, `% 20` on a 32-bit draw,
//! or an off-by-one face) exceeds them by far at this sample size.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, roll_with, seeded_rng};

const ROLLS: usize = 100_000;

/// χ² critical values at p = 0.001.
const CRITICAL_DF_2: f64 = 13.816;
const CRITICAL_DF_5: f64 = 20.515;
const CRITICAL_DF_15: f64 = 37.697;
const CRITICAL_DF_19: f64 = 43.820;

/// Pearson's statistic: Σ (observed − expected)² / expected.
fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
    assert_eq!(observed.len(), expected.len());
    observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
        .sum()
}

/// Rolls `input` `ROLLS` times from `seed`, counting totals from `lowest` up.
fn count_totals(
    dialect: Dialect,
    input: &str,
    seed: u64,
    lowest: i64,
    categories: usize,
) -> Vec<u64> {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).expect("the input parses");
    let mut rng = seeded_rng(seed);
    let options = RollOptions::default();
    let mut counts = vec![0u64; categories];
    for _ in 0..ROLLS {
        let total = roll_with(&expr, &mut rng, &options)
            .expect("the roll succeeds")
            .total();
        let index = usize::try_from(total as i64 - lowest).expect("the total is in range");
        counts[index] += 1;
    }
    counts
}

#[test]
fn d20_is_uniform() {
    let counts = count_totals(Dialect::Default, "1d20", 0x5EED_0D20, 1, 20);
    let expected = vec![ROLLS as f64 / 20.0; 20];
    let statistic = chi_square(&counts, &expected);
    assert!(
        statistic < CRITICAL_DF_19,
        "1d20: χ² = {statistic:.2}, counts {counts:?}"
    );
}

#[test]
fn three_d6_follows_the_sum_distribution() {
    // Ways to make 3..=18 with three d6, out of 216.
    let ways = [1, 3, 6, 10, 15, 21, 25, 27, 27, 25, 21, 15, 10, 6, 3, 1];
    let counts = count_totals(Dialect::Default, "3d6", 0x5EED_03D6, 3, 16);
    let expected: Vec<f64> = ways
        .iter()
        .map(|&w| ROLLS as f64 * f64::from(w) / 216.0)
        .collect();
    let statistic = chi_square(&counts, &expected);
    assert!(
        statistic < CRITICAL_DF_15,
        "3d6: χ² = {statistic:.2}, counts {counts:?}"
    );
}

#[test]
fn each_d6_of_a_pool_is_uniform() {
    let expr = parse_with("3d6", &ParseOptions::default()).expect("the input parses");
    let mut rng = seeded_rng(0x5EED_00D6);
    let mut counts = vec![0u64; 6];
    for _ in 0..ROLLS / 3 + 1 {
        let rolled =
            roll_with(&expr, &mut rng, &RollOptions::default()).expect("the roll succeeds");
        for die in rolled.all_dice() {
            counts[usize::try_from(die.value - 1).expect("a face of a d6")] += 1;
        }
    }
    let total: u64 = counts.iter().sum();
    let expected = vec![total as f64 / 6.0; 6];
    let statistic = chi_square(&counts, &expected);
    assert!(
        statistic < CRITICAL_DF_5,
        "d6 faces: χ² = {statistic:.2}, counts {counts:?}"
    );
}

#[test]
fn fate_die_is_uniform() {
    let counts = count_totals(Dialect::Default, "1dF", 0x5EED_000F, -1, 3);
    let expected = vec![ROLLS as f64 / 3.0; 3];
    let statistic = chi_square(&counts, &expected);
    assert!(
        statistic < CRITICAL_DF_2,
        "dF: χ² = {statistic:.2}, counts {counts:?}"
    );
}

/// The statistic does catch a biased die: moving 1,000 of 100,000 rolls (1%)
/// from 20 to 1 gives χ² = 400, far past the critical value.
#[test]
fn chi_square_rejects_a_biased_d20() {
    let mut counts = vec![ROLLS as u64 / 20; 20];
    counts[19] -= 1_000;
    counts[0] += 1_000;
    let expected = vec![ROLLS as f64 / 20.0; 20];
    assert!(chi_square(&counts, &expected) > CRITICAL_DF_19);
}
