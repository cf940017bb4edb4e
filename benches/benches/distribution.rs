//! Exact distributions (`critfumble stats`): the targets.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails should stop loudly, not measure nothing"
)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use critfumble_dice::{Distribution, parse};
use std::hint::black_box;
use std::time::Duration;

/// Each expression with its target time.
const TARGETS: &[(&str, &str)] = &[
    ("4d6kh3", "50 µs"),
    ("2d20kh1+1d4+5", "50 µs"),
    ("20d6", "200 µs"),
    ("10d20kh3", "2 ms"),
    ("100d6", "2 ms"),
    ("8d10!", "5 ms"),
];

fn distribution(c: &mut Criterion) {
    let mut group = c.benchmark_group("distribution");
    for (expr, target) in TARGETS {
        let parsed = parse(expr).expect("parses");
        let checked = Distribution::of(&parsed).expect("has a distribution");
        assert!(checked.exact, "{expr} must be exact (target {target})");
        group.bench_with_input(BenchmarkId::new("exact", expr), &parsed, |b, p| {
            b.iter(|| Distribution::of(black_box(p)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(30);
    targets = distribution
}
criterion_main!(benches);
