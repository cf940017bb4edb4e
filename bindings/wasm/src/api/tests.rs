//! Unit tests of the JS-free half of the bindings.

use super::*;
use crate::tree::tests::read;
use critfumble_dice::seeded_rng;

/// What an export that writes into an encoder gave: its encoder, or its failure.
fn run(export: impl FnOnce(&mut Encoder) -> Result<(), Failure>) -> Result<Encoder, Failure> {
    let mut out = Encoder::default();
    export(&mut out).map(|()| out)
}

fn options() -> Options {
    Options::new(None, HashMap::new()).unwrap()
}

#[test]
fn utf16_offsets_count_code_units() {
    // 'é' is 2 bytes and 1 unit; '🎲' is 4 bytes and 2 units.
    let input = "é🎲x";
    assert_eq!(utf16_offset(input, 0), 0);
    assert_eq!(utf16_offset(input, 2), 1);
    assert_eq!(utf16_offset(input, 6), 3);
    assert_eq!(utf16_offset(input, 7), 4);
    // Inside a character: back to its start. Past the end: the end.
    assert_eq!(utf16_offset(input, 3), 1);
    assert_eq!(utf16_offset(input, 99), 4);
}

#[test]
fn error_spans_are_utf16() {
    let input = "1d6[🎲é] + 1d20kh+5";
    let failure = run(|out| parse_tree(input, &options(), out)).unwrap_err();
    let Failure::Dice {
        message,
        start,
        end,
    } = failure
    else {
        panic!("expected a dice failure, got {failure:?}");
    };
    assert!(message.contains("kh"), "{message}");
    // The library's byte offsets are 3 further on: '🎲' is 4 bytes and 2
    // units, 'é' 2 bytes and 1 unit.
    let bytes = critfumble_dice::parse(input).unwrap_err().span();
    assert_eq!((start, end), (bytes.start - 3, bytes.end - 3));
    let units: Vec<u16> = input.encode_utf16().collect();
    assert_eq!(String::from_utf16_lossy(&units[start..end]), "+");
}

#[test]
fn unknown_dialect_is_an_option_failure() {
    let failure = Options::new(Some("gurps"), HashMap::new()).unwrap_err();
    assert!(
        matches!(failure, Failure::Option(ref m) if m.contains("gurps")),
        "{failure:?}"
    );
}

#[test]
fn forced_faces_must_be_integers() {
    assert_eq!(forced_faces(&[1.0, -1.0, 6.0]).unwrap(), vec![1, -1, 6]);
    assert!(matches!(forced_faces(&[2.5]), Err(Failure::Option(_))));
    assert!(matches!(forced_faces(&[f64::NAN]), Err(Failure::Option(_))));
    assert!(matches!(forced_faces(&[1e300]), Err(Failure::Option(_))));
}

#[test]
fn roll_json_is_the_cli_line() {
    let json = roll_json("2d20kh1+5", &options(), Faces::Forced(vec![12, 20])).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["expr"], "2d20kh1+5");
    assert_eq!(value["total"], 25);
    assert_eq!(value["markdown"], "2d20kh1 (~~12~~, **20**) + 5 = `25`");
    // The same seed gives the same line.
    let a = roll_json("4d6kh3", &options(), Faces::Seed(7)).unwrap();
    let b = roll_json("4d6kh3", &options(), Faces::Seed(7)).unwrap();
    assert_eq!(a, b);
    // An unseeded roll is the small generator's roll from its seed.
    let a = roll_json("8d6!", &options(), Faces::Unseeded(99)).unwrap();
    assert_eq!(
        a,
        roll_json("8d6!", &options(), Faces::Unseeded(99)).unwrap()
    );
}

#[test]
fn vars_fill_references() {
    let vars = HashMap::from([("str.mod".to_string(), 3.0)]);
    let options = Options::new(Some("foundry"), vars).unwrap();
    let json = read(&run(|out| bounds_tree("1d20 + @str.mod", &options, out)).unwrap());
    assert_eq!(json, r#"{"min":4,"max":23}"#);
    let missing = run(|out| bounds_tree("1d20 + @dex.mod", &options, out)).unwrap_err();
    assert!(
        matches!(
            missing,
            Failure::Dice {
                start: 7,
                end: 15,
                ..
            }
        ),
        "{missing:?}"
    );
}

#[test]
fn inline_rolls_have_utf16_spans() {
    let text = "é [[1d1+1]] then [[2]]";
    let json =
        read(&run(|out| roll_inline_tree(text, &options(), &mut seeded_rng(1), out)).unwrap());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["text"], "é 2 then 2");
    assert_eq!(value["rolls"][0]["start"], 2);
    assert_eq!(value["rolls"][0]["end"], 11);
    assert_eq!(value["rolls"][1]["expression"], "2");
    let failure =
        run(|out| roll_inline_tree("é [[1d]]", &options(), &mut seeded_rng(1), out)).unwrap_err();
    let Failure::Dice { start, .. } = failure else {
        panic!("expected a dice failure, got {failure:?}");
    };
    assert!((4..=6).contains(&start), "{start}");
}

#[test]
fn stats_of_2d6() {
    let json = read(&run(|out| stats_tree("2d6", &options(), out)).unwrap());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["exact"], true);
    assert_eq!(value["mean"], 7.0);
    assert_eq!(value["distribution"].as_array().unwrap().len(), 11);
    let vs = read(&run(|out| stats_vs_tree("1d20", "1d20", &options(), out)).unwrap());
    let value: serde_json::Value = serde_json::from_str(&vs).unwrap();
    assert_eq!(value["a"], "1d20");
    assert!((value["equal"].as_f64().unwrap() - 0.05).abs() < 1e-12);
    let failure = run(|out| stats_vs_tree("1d20", "1d", &options(), out)).unwrap_err();
    assert!(
        matches!(failure, Failure::Dice { ref message, start: 2, .. } if message.starts_with("in b: ")),
        "{failure:?}"
    );
}

#[test]
fn the_total_and_the_markdown_are_those_of_the_same_roll() {
    let all = [
        Faces::Seed(7),
        Faces::Unseeded(99),
        Faces::Forced(vec![12, 20]),
    ];
    for faces in all {
        let json = roll_json("2d20kh1+5", &options(), faces.clone()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let totals = run(|out| roll_total("2d20kh1+5", &options(), faces.clone(), out)).unwrap();
        assert_eq!(totals.ops[0], value["total"].as_f64().unwrap());
        // The seed that replays an unseeded roll, NaN for the others.
        match faces {
            Faces::Unseeded(seed) => assert_eq!(totals.ops[1], seed as f64),
            _ => assert!(totals.ops[1].is_nan()),
        }
        let markdown = run(|out| roll_markdown("2d20kh1+5", &options(), faces, out)).unwrap();
        let expected = serde_json::to_string(&value["markdown"]).unwrap();
        assert_eq!(read(&markdown), expected);
    }
}
