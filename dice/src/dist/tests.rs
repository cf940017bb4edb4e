//! Known values of exact distributions.

use crate::{Dialect, Distribution, ParseOptions, parse, parse_with};

fn dist(input: &str) -> Distribution {
    Distribution::of(&parse(input).expect("parses")).expect("has a distribution")
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn three_d6_ten_is_27_in_216() {
    let d = dist("3d6");
    assert!(d.exact);
    assert!(close(d.probability(10.0), 27.0 / 216.0, 1e-12));
    assert_eq!((d.min, d.max), (Some(3.0), Some(18.0)));
}

#[test]
fn four_d6_drop_lowest_mean_is_12_2446() {
    assert!(close(dist("4d6dl1").mean, 12.2446, 5e-5));
    assert!(close(dist("4d6kh3").mean, 12.2446, 5e-5));
}

#[test]
fn advantage_and_disadvantage_means() {
    assert!(close(dist("2d20kh1").mean, 13.825, 1e-12));
    assert!(close(dist("2d20kl1").mean, 7.175, 1e-12));
}

#[test]
fn four_fate_dice_reach_plus_four_once_in_81() {
    let d = dist("4dF");
    assert!(close(d.probability(4.0), 1.0 / 81.0, 1e-12));
    assert_eq!((d.min, d.max), (Some(-4.0), Some(4.0)));
}

#[test]
fn exploding_dice_report_their_cut_mass() {
    let d = dist("1d6!");
    assert!(d.exact);
    assert_eq!(d.max, None);
    assert!(d.truncated_mass > 0.0 && d.truncated_mass < 1e-15);
    let held: f64 = d.probabilities.iter().map(|(_, p)| p).sum();
    assert!(close(held + d.truncated_mass, 1.0, 1e-12));
    assert!(close(d.mean, 4.2, 1e-9), "{}", d.mean);
}

#[test]
fn roll20_success_counting_with_failures() {
    let expr = parse_with("3d6>6f<2", &ParseOptions::dialect(Dialect::Roll20)).expect("parses");
    let d = Distribution::of(&expr).expect("exact");
    // Each die: +1 on a 6, -1 on a 1 or 2, else 0.
    assert!(close(d.probability(3.0), 1.0 / 216.0, 1e-12));
    assert!(close(d.probability(-3.0), 8.0 / 216.0, 1e-12));
}

#[test]
fn comparison_of_advantage_and_a_bonus() {
    let c = dist("2d20kh1").compare(&dist("1d20+5"));
    assert!(close(c.greater + c.equal + c.less, 1.0, 1e-12));
    assert!(c.greater > 0.0 && c.less > 0.0);
}

#[test]
fn percentiles_and_tails() {
    let d = dist("1d20");
    assert_eq!(d.percentile(0.5), Some(10.0));
    assert!(close(d.at_least(11.0), 0.5, 1e-12));
    assert!(close(d.at_most(10.0), 0.5, 1e-12));
}

#[test]
fn what_has_no_exact_method_is_estimated() {
    let d = dist("4d6!kh3");
    assert!(!d.exact);
    assert_eq!(d.samples, Some(200_000));
    assert!(d.standard_error.is_some_and(|e| e > 0.0));
}
