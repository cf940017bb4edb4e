//! The serde JSON of rolled trees: every die with its history, snake_case fields.

use critfumble_dice::{
    ConfigError, Limits, ParseOptions, RollOptions, RollReport, parse_with, replay,
};
use expect_test::expect;

/// The serde tree of a roll: every die with its history, snake_case fields.
#[test]
fn json_of_keep_highest() {
    let expr = parse_with("2d20kh1 + 5", &ParseOptions::default()).expect("the input parses");
    let rolled = replay(&expr, &[12, 20], &RollOptions::default()).expect("the roll replays");
    let json = serde_json::to_value(&rolled).expect("the roll serializes");
    expect![[r#"
        {
          "lhs": {
            "count": 2,
            "dice": [
              {
                "added": false,
                "critical": false,
                "exploded": false,
                "failure": false,
                "fumble": false,
                "kept": false,
                "rerolled": false,
                "success": false,
                "value": 12
              },
              {
                "added": false,
                "critical": true,
                "exploded": false,
                "failure": false,
                "fumble": false,
                "kept": true,
                "rerolled": false,
                "success": false,
                "value": 20
              }
            ],
            "faces": 20,
            "modifiers": [
              {
                "type": "keep",
                "value": {
                  "highest": 1
                }
              }
            ],
            "notation": "2d20kh1",
            "rolled_faces": "20",
            "type": "dice",
            "value": 20
          },
          "op": "+",
          "rhs": {
            "type": "number",
            "value": 5
          },
          "type": "binary",
          "value": 25
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&json).expect("json prints"));
}

/// A compounded die serializes as one die with its parts.
#[test]
fn json_of_compound_and_reroll() {
    let expr = parse_with("1d6!!+1d6ro1", &ParseOptions::default()).expect("the input parses");
    let rolled =
        replay(&expr, &[6, 6, 2, 1, 4], &RollOptions::default()).expect("the roll replays");
    let json = serde_json::to_value(&rolled).expect("the roll serializes");
    expect![[r#"
        {
          "lhs": {
            "count": 1,
            "dice": [
              {
                "added": false,
                "critical": true,
                "exploded": true,
                "failure": false,
                "fumble": false,
                "kept": true,
                "parts": [
                  6,
                  6,
                  2
                ],
                "rerolled": false,
                "success": false,
                "value": 14
              }
            ],
            "faces": 6,
            "modifiers": [
              {
                "type": "explode",
                "value": {
                  "on": null,
                  "style": "compound"
                }
              }
            ],
            "notation": "1d6!!",
            "rolled_faces": "6",
            "type": "dice",
            "value": 14
          },
          "op": "+",
          "rhs": {
            "count": 1,
            "dice": [
              {
                "added": false,
                "critical": false,
                "exploded": false,
                "failure": false,
                "fumble": true,
                "kept": false,
                "rerolled": true,
                "success": false,
                "value": 1
              },
              {
                "added": false,
                "critical": false,
                "exploded": false,
                "failure": false,
                "fumble": false,
                "kept": true,
                "rerolled": false,
                "success": false,
                "value": 4
              }
            ],
            "faces": 6,
            "modifiers": [
              {
                "type": "reroll",
                "value": {
                  "on": {
                    "op": "=",
                    "value": 1
                  },
                  "style": "once"
                }
              }
            ],
            "notation": "1d6ro1",
            "rolled_faces": "6",
            "type": "dice",
            "value": 4
          },
          "type": "binary",
          "value": 18
        }"#]]
    .assert_eq(&serde_json::to_string_pretty(&json).expect("json prints"));
}

/// The report `critfumble roll --json` prints: expr, total, rolled and markdown.
#[test]
fn json_report_has_the_four_fields() {
    let expr = parse_with("4dF + 1", &ParseOptions::default()).expect("the input parses");
    let rolled = replay(&expr, &[-1, 0, 1, 1], &RollOptions::default()).expect("the roll replays");
    let report = RollReport {
        input: "4dF + 1",
        rolled: &rolled,
    };
    let json = serde_json::to_value(report).expect("the report serializes");
    assert_eq!(json["expr"], "4dF + 1");
    assert_eq!(json["total"], 2);
    assert_eq!(json["markdown"], "4dF (**-1**, 0, **1**, **1**) + 1 = `2`");
    assert_eq!(json["rolled"]["lhs"]["faces"], "F");
    assert_eq!(json["rolled"]["lhs"]["dice"][0]["fumble"], true);
}

/// Limits read from JSON go through `Limits::checked`: a cap past what the
/// engine holds is an error that names it, and missing fields default.
#[test]
fn deserialized_limits_are_checked() {
    let limits: Limits = serde_json::from_str(r#"{"max_faces": 1000}"#).unwrap();
    assert_eq!(
        limits,
        Limits {
            max_faces: 1000,
            ..Limits::default()
        }
    );
    let error = serde_json::from_str::<Limits>(r#"{"max_faces": 18446744073709551615}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("max_faces is 18446744073709551615, past its most of 9007199254740992"),
        "{error}"
    );
    let error = Limits {
        max_dice: 1 << 32,
        ..Limits::default()
    }
    .checked()
    .unwrap_err();
    assert_eq!(
        error,
        ConfigError::LimitOutOfRange {
            limit: "max_dice",
            value: 1 << 32,
            max: u32::MAX as u64
        }
    );
}
