//! Runs every example program and checks what it prints against an
//! independent answer: the library itself, arithmetic, or Core's own record.
#![expect(
    clippy::unwrap_used,
    reason = "a test that cannot run an example should stop loudly"
)]

mod core;

use std::process::{Command, Output};

/// Runs example `name` with `args` and returns its output, which must be a success.
pub(crate) fn run(name: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let path = match name {
        "roll_and_explain" => env!("CARGO_BIN_EXE_roll_and_explain"),
        "chance_to_hit" => env!("CARGO_BIN_EXE_chance_to_hit"),
        "verify_roll20" => env!("CARGO_BIN_EXE_verify_roll20"),
        "report_roll" => env!("CARGO_BIN_EXE_report_roll"),
        "prompt_within_budget" => env!("CARGO_BIN_EXE_prompt_within_budget"),
        other => panic!("no example {other}"),
    };
    let output: Output = Command::new(path)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name} {args:?} failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn roll_and_explain_prints_the_seeded_roll() {
    let out = run("roll_and_explain", &["4d6kh3 + 2", "7"], &[]);
    // The oracle: the same roll made here with the library.
    let expr = critfumble_dice::parse("4d6kh3 + 2").unwrap();
    let rolled = critfumble_dice::roll_with(
        &expr,
        &mut critfumble_dice::seeded_rng(7),
        &Default::default(),
    )
    .unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some(rolled.markdown().as_str()));
    let dice: Vec<&str> = lines.by_ref().take(4).collect();
    assert_eq!(
        dice.iter().filter(|line| line.contains("dropped")).count(),
        1
    );
    assert_eq!(
        lines.next(),
        Some(format!("total {} of 5 to 20", rolled.total()).as_str())
    );
}

#[test]
fn roll_and_explain_shows_where_an_expression_is_wrong() {
    let path = env!("CARGO_BIN_EXE_roll_and_explain");
    let output = Command::new(path).arg("2d20kh+").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains('^'));
}

#[test]
fn chance_to_hit_with_advantage_is_exact() {
    // +5 against AC 15 needs a 10 on either d20: 1 - (9/20)^2 = 79.75%.
    let out = run("chance_to_hit", &["5", "15"], &[]);
    assert_eq!(out, "2d20kh1+5 against AC 15: hits 79.7500% of the time\n");
    // Only a natural 20 hits AC 30: 1 - (19/20)^2 = 9.75%.
    let out = run("chance_to_hit", &["0", "30"], &[]);
    assert!(out.ends_with("hits 9.7500% of the time\n"), "{out}");
    // A natural 1 misses even AC 1: 1 - (1/20)^2 = 99.75%.
    let out = run("chance_to_hit", &["10", "1"], &[]);
    assert!(out.ends_with("hits 99.7500% of the time\n"), "{out}");
}

#[test]
fn verify_roll20_finds_the_raised_damage() {
    let out = run("verify_roll20", &[], &[]);
    assert_eq!(
        out,
        "Aria: Rapier: DOES NOT ADD UP\n  1d20+6 = 19: verified\n  1d8+3 = 19: DOES NOT ADD UP\n"
    );
}

#[test]
fn verify_roll20_reads_a_file() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vtt-parsers/tests/fixtures/roll20-html/template_atkdmg_damage_and_crit.html"
    );
    let out = run("verify_roll20", &[fixture], &[]);
    assert!(
        out.starts_with("Thorin: Greataxe (+8): verified\n"),
        "{out}"
    );
    assert_eq!(out.matches(": verified").count(), 5, "{out}");
}

#[test]
fn prompt_within_budget_keeps_to_the_budget() {
    let roomy = run("prompt_within_budget", &["2000"], &[]);
    let tight = run("prompt_within_budget", &["800"], &[]);
    let used = |out: &str| -> (usize, usize) {
        let mut words = out.split_whitespace();
        let used = words.next().unwrap().parse().unwrap();
        let budget = words.nth(1).unwrap().parse().unwrap();
        (used, budget)
    };
    let (roomy_used, roomy_budget) = used(&roomy);
    let (tight_used, tight_budget) = used(&tight);
    assert_eq!((roomy_budget, tight_budget), (2000, 800));
    assert!(roomy_used <= 2000 && tight_used <= 800, "{roomy}\n{tight}");
    assert!(!roomy.contains("out:"), "{roomy}");
    // The tight budget leaves something out, and less goes in. Which items go
    // depends on the count (tiktoken's, exact, or the estimate without the
    // `tiktoken` feature); the system prompt and the question always stay.
    assert!(tight.contains("out:"), "{tight}");
    assert!(tight_used < roomy_used, "{roomy}\n{tight}");
    assert!(tight.contains("in:  System"), "{tight}");
    assert!(tight.contains("in:  Question"), "{tight}");
}
