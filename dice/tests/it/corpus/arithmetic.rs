//! Corpus: numbers, operators, functions, labels, comments and references.

use super::*;
use expect_test::expect;

#[test]
fn numbers_and_operators() {
    check(DEF, "0", expect!["0 [0, 0]"]);
    check(DEF, "42", expect!["42 [42, 42]"]);
    check(DEF, ".5", expect!["0.5 [0.5, 0.5]"]);
    check(DEF, "1.", expect!["1 [1, 1]"]);
    check(DEF, "1+2*3", expect!["1 + 2 * 3 [7, 7]"]);
    check(DEF, "(1+2)*3", expect!["(1 + 2) * 3 [9, 9]"]);
    check(DEF, "7/2", expect!["7 / 2 [3.5, 3.5]"]);
    check(DEF, "-7/2", expect!["-7 / 2 [-3.5, -3.5]"]);
    check(DEF, "7%3", expect!["7 % 3 [1, 1]"]);
    check(DEF, "-7%3", expect!["-7 % 3 [-1, -1]"]);
    check(DEF, "7%-3", expect!["7 % -3 [1, 1]"]);
    check(DEF, "2^3^2", expect!["2 ** 3 ** 2 [512, 512]"]);
    check(DEF, "(2^3)^2", expect!["(2 ** 3) ** 2 [64, 64]"]);
    check(DEF, "2**10", expect!["2 ** 10 [1024, 1024]"]);
    check(DEF, "-2**2", expect!["-2 ** 2 [-4, -4]"]);
    check(DEF, "(-2)**2", expect!["(-2) ** 2 [4, 4]"]);
    check(DEF, "--3", expect!["--3 [3, 3]"]);
    check(DEF, "+-+3", expect!["+-+3 [-3, -3]"]);
    check(DEF, "1-(2-3)", expect!["1 - (2 - 3) [2, 2]"]);
    check(DEF, "  1 \t+\n 2  ", expect!["1 + 2 [3, 3]"]);
    check(DEF, "1\u{a0}+\u{3000}2", expect!["1 + 2 [3, 3]"]);
    check(
        DEF,
        "9007199254740992",
        expect!["9007199254740992 [9007199254740992, 9007199254740992]"],
    );
    check(
        DEF,
        "2**53",
        expect!["2 ** 53 [9007199254740992, 9007199254740992]"],
    );
    check(R20, "10/4", expect!["10 / 4 [2.5, 2.5]"]);
    check(FVTT, "10/4", expect!["10 / 4 [2.5, 2.5]"]);
    check(D20, "10/4", expect!["10 / 4 [2, 2]"]);
}

#[test]
fn functions() {
    check(DEF, "floor(7/2)", expect!["floor(7 / 2) [3, 3]"]);
    check(DEF, "ceil(7/2)", expect!["ceil(7 / 2) [4, 4]"]);
    check(DEF, "round(2.5)", expect!["round(2.5) [3, 3]"]);
    check(DEF, "round(-2.5)", expect!["round(-2.5) [-2, -2]"]);
    check(DEF, "round(-2.6)", expect!["round(-2.6) [-3, -3]"]);
    check(DEF, "abs(-3)", expect!["abs(-3) [3, 3]"]);
    check(DEF, "FLOOR(1d6/2)", expect!["floor(1d6 / 2) [0, 3]"]);
    check(DEF, "ceil(1d6/4)", expect!["ceil(1d6 / 4) [1, 2]"]);
    check(DEF, "round(1d6/4)", expect!["round(1d6 / 4) [0, 2]"]);
    check(DEF, "abs(1d6-4)", expect!["abs(1d6 - 4) [0, 3]"]);
    check(DEF, "abs(1d6+2)", expect!["abs(1d6 + 2) [3, 8]"]);
    check(DEF, "abs(-1d6)", expect!["abs(-1d6) [1, 6]"]);
    check(DEF, "floor(-1d6/4)", expect!["floor(-1d6 / 4) [-2, -1]"]);
}

#[test]
fn dice_arithmetic() {
    check(DEF, "1d6+1d6", expect!["1d6 + 1d6 [2, 12]"]);
    check(DEF, "1d6-1d6", expect!["1d6 - 1d6 [-5, 5]"]);
    check(DEF, "1d6*1d6", expect!["1d6 * 1d6 [1, 36]"]);
    check(DEF, "1d6*-1", expect!["1d6 * -1 [-6, -1]"]);
    check(
        DEF,
        "(1d6-3)*(1d6-3)",
        expect!["(1d6 - 3) * (1d6 - 3) [-6, 9]"],
    );
    check(
        DEF,
        "1d6/1d6",
        expect!["1d6 / 1d6 [0.16666666666666666, 6]"],
    );
    check(DEF, "12/(1d6-3)", expect!["12 / (1d6 - 3) [-12, 12]"]);
    check(DEF, "6/(1d6-1)", expect!["6 / (1d6 - 1) [1.2, 6]"]);
    check(DEF, "1d20%5", expect!["1d20 % 5 [0, 4]"]);
    check(DEF, "-1d20%5", expect!["-1d20 % 5 [-4, 0]"]);
    check(DEF, "5%1d6", expect!["5 % 1d6 [0, 5]"]);
    check(DEF, "1d20%1d4", expect!["1d20 % 1d4 [0, 3]"]);
    check(DEF, "2**1d4", expect!["2 ** 1d4 [2, 16]"]);
    check(DEF, "2**(1d6-3)", expect!["2 ** (1d6 - 3) [0.25, 8]"]);
    check(DEF, "(1d6-3)**2", expect!["(1d6 - 3) ** 2 [0, 9]"]);
    check(DEF, "(1d6-4)**3", expect!["(1d6 - 4) ** 3 [-27, 8]"]);
    check(DEF, "(-2)**1d2", expect!["(-2) ** 1d2 [-2, 4]"]);
    check(DEF, "1d6**0", expect!["1d6 ** 0 [1, 1]"]);
    check(DEF, "0*1d6!", expect!["0 * 1d6! [0, 0]"]);
    check(DEF, "-1d6!", expect!["-1d6! [-∞, -1]"]);
}

#[test]
fn labels_comments_references() {
    check(
        DEF,
        "1d6[fire] + 2[STR]",
        expect!["1d6[fire] + 2[STR] [3, 8]"],
    );
    check(DEF, "1d6[ fire ]", expect!["1d6[fire] [1, 6]"]);
    check(
        DEF,
        "(1d6+2)[slashing]",
        expect!["(1d6 + 2)[slashing] [3, 8]"],
    );
    check(DEF, "-1[x]", expect!["-1[x] [-1, -1]"]);
    check(DEF, "1d6[a][b]", expect!["1d6[a][b] [1, 6]"]);
    check(DEF, "1d6[]", expect!["1d6[] [1, 6]"]);
    check(
        DEF,
        "1d20+5 \"Attack\"",
        expect![[r#"1d20 + 5 "Attack" [6, 25]"#]],
    );
    check(
        DEF,
        "1d20+5 Attack roll",
        expect![[r#"1d20 + 5 "Attack roll" [6, 25]"#]],
    );
    check(DEF, "1d20 # to hit", expect![[r#"1d20 "to hit" [1, 20]"#]]);
    check(DEF, "1d20#", expect![[r#"1d20 "" [1, 20]"#]]);
    check(
        DEF,
        "1d20 \"say \\\"hi\\\"\"",
        expect![[r#"1d20 "say \"hi\"" [1, 20]"#]],
    );
    check(DEF, "1d6 héllo", expect![[r#"1d6 "héllo" [1, 6]"#]]);
    check(R20, "1d20+?{Bonus|2}", expect!["1d20 + ?{Bonus|2} [3, 22]"]);
    check(R20, "?{Bonus|Low,1|High,5}", expect!["?{Bonus|1} [1, 1]"]);
    check(R20, "?{Bonus|-2}", expect!["?{Bonus|-2} [-2, -2]"]);
    check(
        R20,
        "1d20+?{Bonus}",
        expect!["1d20 + ?{Bonus} bounds missing-ref 5..13: no value was given for 'Bonus'"],
    );
    check(
        R20,
        "1d20+@{strength_mod}",
        expect![
            "1d20 + @{strength_mod} bounds missing-ref 5..20: no value was given for 'strength_mod'"
        ],
    );
    check(
        FVTT,
        "1d20+@abilities.str.mod",
        expect![
            "1d20 + @abilities.str.mod bounds missing-ref 5..23: no value was given for 'abilities.str.mod'"
        ],
    );
    check(
        FVTT,
        "@a.b.",
        expect!["syntax 4..5: expected an operator or the end of the expression, found '.'"],
    );
}
