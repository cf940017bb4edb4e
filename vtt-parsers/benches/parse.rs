//! Parsing speed of one typical message per format (the target: under 20 µs each).

#![expect(
    clippy::expect_used,
    reason = "a bench must stop if its inputs do not parse"
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use critfumble_vtt::{Crit, Format, Role, parse};

const ROLL20_TEMPLATE: &str =
    include_str!("../tests/fixtures/roll20-html/template_atkdmg_damage_and_crit.html");
const ROLL20_API: &str = include_str!("../tests/fixtures/roll20-api/template_atkdmg_5e.json");
const FOUNDRY: &str = include_str!("../tests/fixtures/foundry/v11_attack_rolls_as_strings.json");
const DDB: &str = include_str!("../tests/fixtures/ddb/attack_advantage.json");

/// Checks each input's result once, before anything is timed.
fn check_inputs() {
    let roll20 = parse(Format::Roll20Html, ROLL20_TEMPLATE).expect("roll20 template parses");
    let record = &roll20.records()[0];
    assert_eq!(
        (record.total, record.crit, record.extra_rolls.len()),
        (Some(28.0), Crit::Success, 3)
    );
    assert_eq!(record.verified, Some(true));
    let foundry = parse(Format::Foundry, FOUNDRY).expect("foundry message parses");
    let record = &foundry.records()[0];
    assert_eq!(
        (record.total, record.role, record.verified),
        (Some(28.0), Some(Role::Attack), Some(true))
    );
    let api = parse(Format::Roll20Api, ROLL20_API).expect("roll20 api message parses");
    assert_eq!(api.records()[0].extra_rolls.len(), 3);
    let ddb = parse(Format::Ddb, DDB).expect("ddb message parses");
    assert_eq!(ddb.records()[0].crit, Crit::Success);
}

fn bench(c: &mut Criterion) {
    check_inputs();
    let cases = [
        ("roll20_html_template", Format::Roll20Html, ROLL20_TEMPLATE),
        ("foundry_attack", Format::Foundry, FOUNDRY),
        ("roll20_api_template", Format::Roll20Api, ROLL20_API),
        ("ddb_advantage", Format::Ddb, DDB),
    ];
    for (name, format, input) in cases {
        c.bench_function(name, |b| {
            b.iter(|| parse(black_box(format), black_box(input)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
