//! Parsing time of hostile inputs at 1 MiB and 4 MiB: linear parsing takes
//! about 4 times as long on the larger one (see `benches/README.md`).

#![expect(
    clippy::expect_used,
    reason = "a bench must stop if its inputs do not parse"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use critfumble_vtt::parse;

#[path = "../tests/it/hostile.rs"]
mod hostile;

const MIB: usize = 1024 * 1024;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for hostile in hostile::ALL {
        for mib in [1, 4] {
            let input = (hostile.build)(mib * MIB);
            // Checked once, before anything is timed.
            let parsed = parse(hostile.format, &input).expect("the hostile input parses");
            assert!(!parsed.records().is_empty(), "{}", hostile.name);
            group.throughput(Throughput::Bytes(input.len() as u64));
            group.bench_function(format!("{}/{mib}MiB", hostile.name), |b| {
                b.iter(|| parse(black_box(hostile.format), black_box(&input)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
