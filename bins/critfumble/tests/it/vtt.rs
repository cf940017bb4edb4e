//! `critfumble vtt parse`: JSON out on success, status 2 and a named field on bad input.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_critfumble"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn parses_standard_input_to_json() {
    let message = r#"{"who": "Alice", "type": "emote", "content": "waves"}"#;
    let output = run(&["vtt", "parse", "--format", "roll20-api", "-"], message);
    assert!(output.status.success());
    let record: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(record["kind"], "emote");
    assert_eq!(record["speaker"], "Alice");
}

#[test]
fn reads_a_file_and_prints_an_array_for_several_messages() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vtt-parsers/tests/fixtures/ddb/array_of_messages.json"
    );
    let output = run(&["vtt", "parse", "--format", "ddb", path], "");
    assert!(output.status.success());
    let records: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(records.as_array().map(Vec::len), Some(2));
}

#[test]
fn bad_input_exits_with_status_two_and_names_the_field() {
    let output = run(
        &["vtt", "parse", "--format", "foundry"],
        r#"{"rolls": [{"terms": [{"faces": "x", "results": []}]}]}"#,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: field `rolls[0].terms[0].faces` must be a number"
    );
    let output = run(
        &["vtt", "parse", "--format", "roll20-html"],
        "<p>no message</p>",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("div.message"));
}
