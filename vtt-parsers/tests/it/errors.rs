//! Bad input gives a specific error that names the field or element at fault.

use critfumble_vtt::{Format, VttError, parse};

fn error(format: Format, input: &str) -> String {
    parse(format, input).unwrap_err().to_string()
}

#[test]
fn errors_name_the_place_at_fault() {
    let cases: &[(Format, &str, &str)] = &[
        (
            Format::Roll20Html,
            "<p>hello</p>",
            "element `div.message` is missing: the input holds no chat message",
        ),
        (
            Format::Roll20Api,
            "{\"who\": ",
            "input is not valid json at line 1, column 8: EOF while parsing a value",
        ),
        (Format::Roll20Api, "[1]", "field `[0]` must be an object"),
        (
            Format::Foundry,
            " [ ] ",
            "field `(root)` is an empty array: the input holds no message",
        ),
        (
            Format::Roll20Api,
            r#"{"type": "rollresult", "content": "not json"}"#,
            "field `content` must hold the roll result as json: input is not valid json at line 1, column 2: expected ident",
        ),
        (
            Format::Roll20Api,
            r#"{"type": "shout", "content": "x"}"#,
            "field `type` is `shout`, expected general, rollresult, gmrollresult, emote, whisper, desc or api",
        ),
        (
            Format::Roll20Api,
            r#"{"type": "general", "content": "$[[0]]", "inlinerolls": [{"expression": "1d20", "results": {"rolls": [{"type": "R", "sides": "twenty", "results": []}]}}]}"#,
            "field `inlinerolls[0].results.rolls[0].sides` must be a number",
        ),
        (
            Format::Foundry,
            r#"{"rolls": "1d20"}"#,
            "field `rolls` must be an array",
        ),
        (
            Format::Foundry,
            r#"{"rolls": ["{\"terms\": [{\"faces\": 20, \"results\": [{\"active\": true}]}]}"]}"#,
            "missing field `rolls[0].terms[0].results[0].result`",
        ),
        (
            Format::Foundry,
            r#"{"rolls": ["{oops"]}"#,
            "field `rolls[0]` must hold a roll as json: input is not valid json at line 1, column 2: key must be a string",
        ),
        (
            Format::Foundry,
            r#"{"rolls": [{"terms": [{"faces": -4, "results": []}]}]}"#,
            "field `rolls[0].terms[0].faces` must be a positive number of faces",
        ),
        (
            Format::Foundry,
            r#"{"whisper": [7]}"#,
            "field `whisper[0]` must be a user id",
        ),
        (
            Format::Ddb,
            r#"{"eventType": "dice/roll/pending", "data": {}}"#,
            "field `eventType` is `dice/roll/pending`, expected `dice/roll/fulfilled`",
        ),
        (
            Format::Ddb,
            r#"{"data": {"rolls": []}}"#,
            "field `data.rolls` must hold at least one roll",
        ),
        (Format::Ddb, r#"{"id": "x"}"#, "missing field `data`"),
        (
            Format::Ddb,
            r#"{"data": {"rolls": [{"diceNotation": {"set": [{"dieType": "dX", "dice": []}]}, "result": {"total": 1}}]}}"#,
            "field `data.rolls[0].diceNotation.set[0].dieType` is `dX`, expected a die such as `d20`",
        ),
        (
            Format::Ddb,
            r#"{"data": {"rolls": [{"diceNotation": {"set": []}, "result": {}}]}}"#,
            "missing field `data.rolls[0].result.total`",
        ),
    ];
    for (format, input, expected) in cases {
        assert_eq!(error(*format, input), *expected, "{format}: {input}");
    }
}

#[test]
fn oversized_input_is_refused() {
    let input = "x".repeat(critfumble_vtt::MAX_INPUT_BYTES + 1);
    assert!(matches!(
        parse(Format::Ddb, &input),
        Err(VttError::TooLarge { .. })
    ));
}

#[test]
fn format_names_round_trip() {
    for format in Format::ALL {
        assert_eq!(format.name().parse::<Format>().unwrap(), format);
    }
    assert_eq!(
        "roll20".parse::<Format>().unwrap_err().to_string(),
        "unknown format `roll20`, expected one of roll20-html, roll20-api, foundry, ddb"
    );
}
