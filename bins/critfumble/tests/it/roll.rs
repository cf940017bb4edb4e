//! `critfumble roll` and `critfumble bounds`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

pub(crate) fn critfumble(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_critfumble"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("stdin takes the input");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("the binary finishes")
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 output")
}

#[test]
fn forced_dice_print_the_markdown_line() {
    let out = critfumble(&["roll", "--dice", "12,20", "2d20kh1+5"], None);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "2d20kh1 (~~12~~, **20**) + 5 = `25`\n");
}

#[test]
fn json_has_expr_total_rolled_and_markdown() {
    let out = critfumble(&["roll", "--json", "--dice", "3,6", "2d6+1"], None);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["expr"], "2d6+1");
    assert_eq!(json["total"], 10);
    assert_eq!(json["markdown"], "2d6 (3, **6**) + 1 = `10`");
    assert_eq!(json["rolled"]["type"], "binary");
    assert_eq!(json["rolled"]["lhs"]["dice"][1]["critical"], true);
}

#[test]
fn a_seed_gives_the_same_roll() {
    let a = critfumble(&["roll", "--seed", "99", "--json", "8d6!"], None);
    let b = critfumble(&["roll", "--seed", "99", "--json", "8d6!"], None);
    assert!(a.status.success());
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn bad_expressions_exit_2_with_a_caret() {
    let out = critfumble(&["roll", "1d20kh+5"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("expected a number after 'kh'"), "{stderr}");
    assert!(stderr.contains("1d20kh+5\n      ^"), "{stderr}");
}

#[test]
fn bad_expressions_with_json_give_the_error_object() {
    let out = critfumble(&["roll", "--json", "1d6kh"], None);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(json["error"]["message"], "expected a number after 'kh'");
    assert_eq!(json["error"]["start"], 5);
    assert_eq!(json["error"]["end"], 5);
}

#[test]
fn forced_dice_that_run_out_or_cannot_happen_fail_clearly() {
    let out = critfumble(&["roll", "--dice", "3", "2d6"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the forced dice ran out"));
    let out = critfumble(&["roll", "--dice", "7", "1d6"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot come from a d6"));
}

#[test]
fn dash_reads_one_expression_per_line() {
    let out = critfumble(
        &["roll", "--seed", "1", "-"],
        Some("1d1\n2+3\n\nd0\n1d1*4\n"),
    );
    assert_eq!(out.status.code(), Some(2), "one bad line fails the run");
    assert_eq!(
        stdout(&out),
        "1d1 (**1**) = `1`\n2 + 3 = `5`\n1d1 (**1**) * 4 = `4`\n"
    );
}

#[test]
fn dialects_change_the_meaning() {
    let roll20 = critfumble(
        &["roll", "--dialect", "roll20", "--dice", "5,6,4", "3d6>5"],
        None,
    );
    assert_eq!(stdout(&roll20), "3d6>=5 (5, **6**, 4) = `2`\n");
    let foundry = critfumble(
        &["roll", "--dialect", "foundry", "--dice", "5,6,4", "3d6cs>5"],
        None,
    );
    assert_eq!(stdout(&foundry), "3d6cs>5 (5, **6**, 4) = `1`\n");
}

#[test]
fn references_come_from_var_flags() {
    let out = critfumble(
        &[
            "roll",
            "--dice",
            "10",
            "--var",
            "str.mod=3",
            "1d20+@str.mod",
        ],
        None,
    );
    assert_eq!(stdout(&out), "1d20 (10) + @str.mod = `13`\n");
    let out = critfumble(&["roll", "1d20+@str.mod"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bounds_prints_min_and_max_with_null_for_unbounded() {
    let out = critfumble(&["bounds", "--json", "2d20kh1+5"], None);
    assert_eq!(stdout(&out), "{\"min\":6,\"max\":25}\n");
    let out = critfumble(&["bounds", "--json", "1d6!"], None);
    assert_eq!(stdout(&out), "{\"min\":1,\"max\":null}\n");
    let out = critfumble(&["bounds", "--json", "99999999d99999999"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn roll20_critical_ranges_change_the_highlight_not_the_total() {
    let out = critfumble(
        &[
            "roll",
            "--dialect",
            "roll20",
            "--dice",
            "19,3",
            "2d20cs>19kh1+3",
        ],
        None,
    );
    assert_eq!(stdout(&out), "2d20cs>=19kh1 (**19**, ~~3~~) + 3 = `22`\n");
}
