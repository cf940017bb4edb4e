//! `critfumble vtt parse`: JSON out on success, status 2 and a named field on bad input.

use crate::roll::critfumble;

fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("json output")
}

#[test]
fn parses_standard_input_to_json() {
    let message = r#"{"who": "Alice", "type": "emote", "content": "waves"}"#;
    let output = critfumble(
        &["vtt", "parse", "--format", "roll20-api", "-"],
        Some(message),
    );
    assert!(output.status.success());
    let record = json(&output);
    assert_eq!(record["kind"], "emote");
    assert_eq!(record["speaker"], "Alice");
}

#[test]
fn reads_a_file_and_prints_an_array_for_several_messages() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vtt-parsers/tests/fixtures/ddb/array_of_messages.json"
    );
    let output = critfumble(&["vtt", "parse", "--format", "ddb", path], None);
    assert!(output.status.success());
    assert_eq!(json(&output).as_array().map(Vec::len), Some(2));
}

#[test]
fn bad_input_exits_with_status_two_and_names_the_field() {
    let input = r#"{"rolls": [{"terms": [{"faces": "x", "results": []}]}]}"#;
    let output = critfumble(&["vtt", "parse", "--format", "foundry"], Some(input));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: field `rolls[0].terms[0].faces` must be a number"
    );
    let output = critfumble(
        &["vtt", "parse", "--format", "roll20-html"],
        Some("<p>no message</p>"),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("div.message"));
}
