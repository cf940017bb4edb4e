//! How the binary ends when its output goes wrong: a closed pipe, a file it cannot write.

use std::process::{Command, Stdio};

use super::roll::critfumble;

/// Runs the binary with its standard output a pipe whose reader is already
/// gone, as `critfumble roll 1d20 | head -0` leaves it.
fn into_closed_pipe(args: &[&str], stdin: &str) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_critfumble"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    // The binary may stop reading early; a failed write here is expected then.
    let _ = std::io::Write::write_all(&mut input, stdin.as_bytes());
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let many = "1d20\n".repeat(2_000);
    for args in [
        &["roll", "1d20"][..],
        &["roll", "--json", "-"],
        &["bounds", "2d6+3"],
        &["bounds", "--json", "-"],
        &["stats", "3d6"],
        &["stats", "--json", "-"],
        &["roll", "--json", "1d20kh+"],
        &["vtt", "parse", "--format", "roll20-api"],
    ] {
        let stdin = if args.contains(&"vtt") {
            r#"{"who": "A", "type": "general", "content": "hi"}"#
        } else {
            many.as_str()
        };
        let output = into_closed_pipe(args, stdin);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}");
    }
}

#[test]
fn a_failed_svg_write_exits_1_and_says_why() {
    let dir = std::env::temp_dir().join("critfumble-no-such-dir/deeper");
    let path = dir.join("chart.svg");
    let path = path.to_str().expect("a utf-8 path");
    let output = critfumble(&["stats", "--svg", path, "2d6"], None);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: cannot write {path}: ")),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_written_svg_is_a_chart() {
    let path = std::env::temp_dir().join(format!("critfumble-{}.svg", std::process::id()));
    let name = path.to_str().expect("a utf-8 path");
    let output = critfumble(&["stats", "--svg", name, "2d6"], None);
    assert_eq!(output.status.code(), Some(0));
    let svg = std::fs::read_to_string(&path).expect("the chart is written");
    let _ = std::fs::remove_file(&path);
    assert!(svg.starts_with("<svg"), "{svg}");
}
