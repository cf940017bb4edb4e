//! Luck: whether a member's observed d20 faces are consistent with a fair d20, by
//! Pearson's chi-square goodness-of-fit test against the uniform distribution (19 degrees
//! of freedom), with the p-value from the chi-square distribution's upper tail.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The fewest d20s the test is run on: with fewer than 5 expected per face the
/// chi-square approximation is unreliable.
pub const MIN_D20S: u64 = 100;
/// The p-value below which the faces are called uneven.
pub const SIGNIFICANCE: f64 = 0.01;

/// How a member's d20s compare with a fair die.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Fewer than [`MIN_D20S`] d20s: too few to tell.
    TooFew,
    /// The faces are consistent with a fair d20 (p ≥ [`SIGNIFICANCE`]).
    Fair,
    /// Uneven, and the mean face is above 10.5.
    UnusuallyHigh,
    /// Uneven, and the mean face is below 10.5.
    UnusuallyLow,
    /// Uneven, with a fair mean (too many of some faces, too few of others).
    Uneven,
}

impl Verdict {
    /// The verdict as the page says it.
    pub fn text(self) -> &'static str {
        match self {
            Verdict::TooFew => "too few d20s to tell",
            Verdict::Fair => "consistent with a fair d20",
            Verdict::UnusuallyHigh => "unusually high",
            Verdict::UnusuallyLow => "unusually low",
            Verdict::Uneven => "unusually uneven",
        }
    }
}

/// The goodness-of-fit test of one histogram of d20 faces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fairness {
    /// How many d20s.
    pub d20s: u64,
    /// The mean face (10.5 for a fair die), or `None` without d20s.
    pub mean: Option<f64>,
    /// Pearson's statistic, the sum over faces of (observed − expected)² / expected.
    pub chi_square: f64,
    /// The probability that a fair d20 gives a statistic at least this large.
    pub p_value: f64,
    /// What that means.
    pub verdict: Verdict,
}

/// Tests `faces` (the count of each face, 1 to 20) against a fair d20.
pub fn fairness(faces: &[u64; 20]) -> Fairness {
    let d20s: u64 = faces.iter().sum();
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let n = d20s as f64;
    let expected = n / 20.0;
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let chi_square = if d20s == 0 {
        0.0
    } else {
        faces
            .iter()
            .map(|&observed| (observed as f64 - expected).powi(2) / expected)
            .sum()
    };
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let mean = (d20s > 0).then(|| {
        faces
            .iter()
            .zip(1..)
            .map(|(&count, face)| count as f64 * f64::from(face))
            .sum::<f64>()
            / n
    });
    let p_value = upper_tail(chi_square, 19.0);
    let verdict = if d20s < MIN_D20S {
        Verdict::TooFew
    } else if p_value >= SIGNIFICANCE {
        Verdict::Fair
    } else {
        match mean {
            // The mean's standard error is 5.77 / sqrt(n): beyond three of them is high
            // or low, otherwise the unevenness is in the shape.
            Some(mean) if (mean - 10.5) * n.sqrt() / 5.766 > 3.0 => Verdict::UnusuallyHigh,
            Some(mean) if (mean - 10.5) * n.sqrt() / 5.766 < -3.0 => Verdict::UnusuallyLow,
            _ => Verdict::Uneven,
        }
    };
    Fairness {
        d20s,
        mean,
        chi_square,
        p_value,
        verdict,
    }
}

/// P(X ≥ statistic) for X chi-square distributed with `freedom` degrees of freedom.
fn upper_tail(statistic: f64, freedom: f64) -> f64 {
    match ChiSquared::new(freedom) {
        Ok(distribution) => distribution.sf(statistic).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Critical values of the chi-square distribution with 19 degrees of freedom, from
    /// the standard tables (NIST/SEMATECH e-Handbook, table 1.3.6.7.4): the upper-tail
    /// probability of each value.
    #[test]
    fn p_values_match_the_published_critical_values() {
        for (statistic, p) in [
            (30.144, 0.05),
            (36.191, 0.01),
            (43.820, 0.001),
            (10.117, 0.95),
            (27.204, 0.10),
        ] {
            let computed = upper_tail(statistic, 19.0);
            assert!(
                (computed - p).abs() < 0.01 * p,
                "{statistic}: {computed} vs {p}"
            );
        }
    }

    #[test]
    fn a_perfectly_even_histogram_is_fair() {
        let fair = fairness(&[10; 20]);
        assert_eq!((fair.d20s, fair.chi_square), (200, 0.0));
        assert_eq!(fair.mean, Some(10.5));
        assert!((fair.p_value - 1.0).abs() < 1e-12);
        assert_eq!(fair.verdict, Verdict::Fair);
    }

    #[test]
    fn loaded_dice_are_named_by_their_direction() {
        // Ten of each face, then 40 extra 20s: statistic by hand. n = 240, expected 12;
        // nineteen faces give (10-12)²/12 = 1/3 each, and 20 gives (50-12)²/12 = 120.333.
        let mut high = [10; 20];
        high[19] = 50;
        let loaded = fairness(&high);
        assert!((loaded.chi_square - (19.0 / 3.0 + 1444.0 / 12.0)).abs() < 1e-9);
        assert!(loaded.p_value < 1e-15);
        assert_eq!(loaded.verdict, Verdict::UnusuallyHigh);
        let mut low = [10; 20];
        low[0] = 50;
        assert_eq!(fairness(&low).verdict, Verdict::UnusuallyLow);
        // Only 1s and 20s: a fair mean, but nothing like a fair die.
        let mut ends = [0; 20];
        ends[0] = 100;
        ends[19] = 100;
        assert_eq!(fairness(&ends).verdict, Verdict::Uneven);
        // Too few to tell, whatever they show.
        let mut few = [0; 20];
        few[19] = 50;
        assert_eq!(fairness(&few).verdict, Verdict::TooFew);
        assert_eq!(fairness(&[0; 20]).mean, None);
    }
}
