//! Corpus: huge counts and faces, the length and depth limits, and limits found only when rolling.

use super::*;
use expect_test::expect;

#[test]
fn huge() {
    check(
        DEF,
        "99999999d99999999",
        expect!["limit 0..8: number of dice exceeds the limit of 10000"],
    );
    check(
        DEF,
        "99999999999999999999d6",
        expect!["limit 0..20: number of dice exceeds the limit of 10000"],
    );
    check(
        DEF,
        "1d99999999999999999999",
        expect!["limit 2..22: number of faces exceeds the limit of 1000000"],
    );
    check(
        DEF,
        "10001d6",
        expect!["limit 0..5: number of dice exceeds the limit of 10000"],
    );
    check(
        DEF,
        "5000d6+5001d6",
        expect!["limit 7..11: number of dice exceeds the limit of 10000"],
    );
    check(
        DEF,
        "1d1000001",
        expect!["limit 2..9: number of faces exceeds the limit of 1000000"],
    );
    check(
        DEF,
        "99999999999999999999",
        expect!["syntax 0..20: this number is too large to compute exactly (at most 2^53)"],
    );
    check(
        DEF,
        "10000d1000000",
        expect!["10000d1000000 [10000, 10000000000]"],
    );
    check(
        R20,
        "99999999d6",
        expect!["limit 0..8: number of dice exceeds the limit of 10000"],
    );
    check(
        D20,
        "99999999999999999999d6",
        expect!["limit 0..20: number of dice exceeds the limit of 1000"],
    );
}
#[test]
fn length_and_depth_limits() {
    let at_length = format!("1d6 \"{}\"", "a".repeat(4090));
    assert_eq!(at_length.len(), 4096);
    assert!(describe(DEF, &at_length).starts_with("1d6 \"aaa"));
    check(
        DEF,
        &format!("{at_length} "),
        expect!["limit 0..4097: expression length exceeds the limit of 4096"],
    );
    let deep = format!("{}1d6{}", "(".repeat(64), ")".repeat(64));
    check(DEF, &deep, expect!["1d6 [1, 6]"]);
    let too_deep = format!("{}1d6{}", "(".repeat(65), ")".repeat(65));
    check(
        DEF,
        &too_deep,
        expect!["limit 64..65: nesting depth exceeds the limit of 64"],
    );
    check(
        DEF,
        &format!("{}1", "-".repeat(64)),
        expect!["----------------------------------------------------------------1 [1, 1]"],
    );
    check(
        DEF,
        &format!("{}1", "-".repeat(65)),
        expect!["limit 64..65: nesting depth exceeds the limit of 64"],
    );
    check(
        DEF,
        &format!("{}1{}", "{".repeat(65), "}".repeat(65)),
        expect!["limit 64..65: nesting depth exceeds the limit of 64"],
    );
    check(
        DEF,
        &format!("{}1{}", "abs(".repeat(65), ")".repeat(65)),
        expect!["limit 259..260: nesting depth exceeds the limit of 64"],
    );
    check(
        DEF,
        &format!("1d{}6{}", "(".repeat(65), ")".repeat(65)),
        expect!["limit 66..67: nesting depth exceeds the limit of 64"],
    );
}

#[test]
fn limits_found_only_when_rolling() {
    check_replay(
        DEF,
        "1d(1)!",
        &[1],
        expect!["never-stops 5..6: this explosion matches every face of a d1 and would never stop"],
    );
    check_replay(
        DEF,
        "(1d6)d(1)!",
        &[3],
        expect![
            "never-stops 9..10: this explosion matches every face of a d1 and would never stop"
        ],
    );
    check_replay(
        DEF,
        "(1d6-3)d6",
        &[1],
        expect!["invalid 0..9: the number of dice must be a whole number of at least 0, not -2"],
    );
    check_replay(
        DEF,
        "(7/2)d6",
        &[],
        expect!["invalid 0..7: the number of dice must be a whole number of at least 0, not 3.5"],
    );
    check_replay(
        DEF,
        "2d(1d6-3)",
        &[2],
        expect!["invalid 0..9: a die needs a whole number of faces of at least 1, not -1"],
    );
    check_replay(
        DEF,
        "2d(1d2/2)",
        &[1],
        expect!["invalid 0..9: a die needs a whole number of faces of at least 1, not 0.5"],
    );
    check_replay(
        DEF,
        "(6000d1)d1",
        &[1; 6000],
        expect!["limit 0..10: number of dice exceeds the limit of 10000"],
    );
    check_replay(
        DEF,
        "1/(1d6-1d6)",
        &[3, 3],
        expect!["div-by-zero 0..11: division by zero"],
    );
    check_replay(
        DEF,
        "floor((1d6-4)**0.5)",
        &[1],
        expect!["nan 6..18: the result is not a real number"],
    );
    check_replay(
        DEF,
        "2**60",
        &[],
        expect!["overflow 0..5: the result is too large to compute exactly"],
    );
    check_replay(
        DEF,
        "1d6*9007199254740992",
        &[2],
        expect!["overflow 0..20: the result is too large to compute exactly"],
    );
    check_replay(
        DEF,
        "0**-1",
        &[],
        expect!["overflow 0..5: the result is too large to compute exactly"],
    );
    check_replay(
        R20,
        "1d20+@{str}",
        &[3],
        expect!["missing-ref 5..11: no value was given for 'str'"],
    );
}
