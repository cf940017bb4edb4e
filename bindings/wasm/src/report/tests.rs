//! Written straight from the rolled tree, a roll's report reads back as
//! serde_json's text of the dice crate's `RollReport`, the CLI's JSON.

use super::encode_report;
use crate::api::{Faces, Options, roll_json, roll_tree};
use crate::tree::Encoder;
use crate::tree::tests::{options, read_counting};
use critfumble_dice::{
    JSON_MAX_DEPTH, Limits, ParseOptions, RollOptions, RollReport, parse, parse_with, replay,
};

/// The compact report of a roll.
fn report(expr: &str, options: &Options, faces: Faces) -> Encoder {
    let mut encoder = Encoder::default();
    roll_tree(expr, options, faces, &mut encoder).unwrap();
    encoder
}

#[test]
fn rolled_trees_read_back_as_the_clis_json() {
    let cases: &[(&str, &str)] = &[
        ("1d20", "default"),
        ("2d20kh1+5", "default"),
        ("4d6kh3", "default"),
        ("100d6", "default"),
        ("4dF+2", "default"),
        ("d%", "default"),
        ("5d6!>5", "default"),
        ("3d6!!", "default"),
        ("3d6!p", "default"),
        ("4d6rr<2", "default"),
        ("10d6min3", "default"),
        ("10d10cs>7cf<2", "default"),
        ("6d6sd", "default"),
        ("{4d6, 3d8}kh1", "default"),
        ("{3d6+1d8}>10", "default"),
        ("(1d4)d6 + 2d(1d6+2)", "default"),
        ("round(2d6*1.5) - 4/8", "default"),
        ("1d6[fire é🎲] + 2[STR]", "default"),
        ("1d20+5 \"Attack\"", "default"),
        ("1d20+5 # stealth check", "default"),
        ("1d20 + @str.mod + ?{Bonus|2}", "default"),
        ("8d6!!", "roll20"),
        ("{3d20+5}>21", "foundry"),
        ("10d4pl2", "d20"),
        ("-1d4 + +2 - -(3)", "default"),
        ("1d6/4 + abs(-2) + floor(1d4/3) + ceil(0.5)", "default"),
        ("1d20 + @{str.mod}", "roll20"),
        (
            "4d10!>9 + 2d6!p + 3d6r1 + 3d6ro<2 + 2d20kl1 + 4d6dh1",
            "default",
        ),
        ("{1d20, 15}kh1 + {2d6, 1d12}dl1 + {1, 2, 3}", "default"),
        ("5d10>=8f1 + 1d6cs>4 + 10d6sa + 3d6s", "default"),
        // Issue 19's forms: functions of several arguments, Foundry's `df`,
        // Avrae's sets, comparisons, floor division and merged selectors.
        (
            "max(1d20, 10) + clamp(2d6, 3, 9) + hypot(3, 1d4) + sqrt(4d4)",
            "foundry",
        ),
        ("5d6cs>4df + 7 // 2", "foundry"),
        (
            "(1d8, 5, 2d4)kh1 + (7,) + () + (1d20 + 5 >= 15) + -7 % 3",
            "d20",
        ),
        ("4d6kh2kl1 + 3d6ra1 + 2d20e20", "d20"),
    ];
    for (seed, (expr, dialect)) in cases.iter().enumerate() {
        let options = options(dialect, &[("str.mod", 3.0)]);
        let seed = seed as u64 * 7 + 1;
        for seed in seed..seed + 20 {
            let json = roll_json(expr, &options, Faces::Seed(seed)).unwrap();
            let encoded = report(expr, &options, Faces::Seed(seed));
            assert_eq!(read_counting(&encoded, expr).0, json, "{expr} {seed}");
        }
    }
}

#[test]
fn dice_and_elements_fold_into_one_op() {
    let encoded = report("100d6", &options("default", &[]), Faces::Seed(1));
    assert_eq!(read_counting(&encoded, "100d6").1, (100, 0));
    // Three ops a die, and a few for the node and the report.
    assert!(encoded.ops.len() <= 320, "{}", encoded.ops.len());
    let expr = "{4d6, 3d8, 2d10}kh1";
    let encoded = report(expr, &options("default", &[]), Faces::Seed(1));
    assert_eq!(read_counting(&encoded, expr).1, (9, 3));
    assert_eq!(read_counting(&encoded, expr).2, 4);
}

#[test]
fn compounded_dice_keep_their_parts() {
    // `!!` with forced faces: 6 then 6 then 2 compound into one die of 14.
    let encoded = report(
        "1d6!!",
        &options("default", &[]),
        Faces::Forced(vec![6, 6, 2]),
    );
    let json = roll_json(
        "1d6!!",
        &options("default", &[]),
        Faces::Forced(vec![6, 6, 2]),
    )
    .unwrap();
    assert!(json.contains("\"parts\":[6,6,2]"), "{json}");
    assert_eq!(read_counting(&encoded, "1d6!!").0, json);
    // Two compounded dice among plain ones, and one that did not compound.
    let faces = vec![3, 6, 1, 6, 6, 4, 2];
    let options = options("default", &[]);
    let json = roll_json("4d6!!", &options, Faces::Forced(faces.clone())).unwrap();
    let encoded = report("4d6!!", &options, Faces::Forced(faces));
    assert_eq!(read_counting(&encoded, "4d6!!").0, json);
}

#[test]
fn a_report_replaces_the_one_before() {
    let options = options("default", &[]);
    let mut encoder = Encoder::default();
    roll_tree("100d6 \"Fireball\"", &options, Faces::Seed(3), &mut encoder).unwrap();
    roll_tree("1d20", &options, Faces::Forced(vec![20]), &mut encoder).unwrap();
    let json = roll_json("1d20", &options, Faces::Forced(vec![20])).unwrap();
    assert_eq!(read_counting(&encoder, "1d20").0, json);
}

/// The deepest tree with JSON reads back as the CLI's; one term deeper, the
/// report fails as the CLI's JSON does, with the same message.
#[test]
fn a_report_is_as_deep_as_the_json() {
    let options = options("default", &[]);
    let sum = |terms: usize| format!("1d6!!kh1{}", " + 1".repeat(terms - 1));
    let deepest = sum(JSON_MAX_DEPTH);
    let faces = Faces::Forced(vec![6, 6, 2]);
    let json = roll_json(&deepest, &options, faces.clone()).unwrap();
    let encoded = report(&deepest, &options, faces.clone());
    assert_eq!(read_counting(&encoded, &deepest).0, json);

    let deeper = sum(JSON_MAX_DEPTH + 1);
    let expr = parse(&deeper).unwrap();
    let rolled = replay(&expr, &[6, 6, 2], &RollOptions::default()).unwrap();
    let serde_error = serde_json::to_string(&RollReport {
        input: &deeper,
        rolled: &rolled,
    })
    .unwrap_err();
    let error = encode_report(&rolled, &mut Encoder::default()).unwrap_err();
    assert_eq!(error.to_string(), serde_error.to_string());
}

/// A sum and a label chain of 100,000 terms, on a 256 KiB stack: the report
/// and the parsed tree stop at the JSON's depth instead of recursing once
/// per term, and the Markdown is written.
#[test]
fn deep_reports_fail_without_exhausting_the_stack() {
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let options = ParseOptions {
                limits: Limits {
                    max_length: 1_000_000,
                    ..Limits::default()
                },
                ..ParseOptions::default()
            };
            for input in [
                format!("{}1", "1+".repeat(99_999)),
                format!("2{}", "[a]".repeat(100_000)),
            ] {
                let expr = parse_with(&input, &options).unwrap();
                let rolled = replay(&expr, &[], &RollOptions::default()).unwrap();
                let mut encoder = Encoder::default();
                let error = encode_report(&rolled, &mut encoder).unwrap_err();
                assert!(error.to_string().contains("too deep for JSON"), "{error}");
                // The parsed tree, as the package's `parse` gives it, goes through serde.
                let error = encoder.encode(&expr).unwrap_err();
                assert!(error.to_string().contains("too deep for JSON"), "{error}");
                let mut markdown = String::new();
                rolled.write_markdown(&mut markdown);
                assert!(markdown.ends_with('`'));
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
