//! Corpus: malformed input, unicode junk, huge counts, and the length and depth limits.

use super::*;
use expect_test::expect;

#[test]
fn malformed() {
    check(DEF, "", expect!["syntax 0..0: expected an expression"]);
    check(DEF, "   ", expect!["syntax 3..3: expected an expression"]);
    check(
        DEF,
        "2d",
        expect![
            "syntax 2..2: expected the number of faces after 'd', found the end of the expression"
        ],
    );
    check(
        DEF,
        "d0",
        expect!["invalid 1..2: a die needs at least one face"],
    );
    check(
        DEF,
        "1d0",
        expect!["invalid 2..3: a die needs at least one face"],
    );
    check(
        DEF,
        "1d6+",
        expect![
            "syntax 4..4: expected a number or dice after '+', found the end of the expression"
        ],
    );
    check(
        DEF,
        "((1d6)",
        expect!["syntax 6..6: expected ')' to close the '(' here, found the end of the expression"],
    );
    check(
        DEF,
        "(1d6))",
        expect!["syntax 5..6: expected an operator or the end of the expression, found ')'"],
    );
    check(
        DEF,
        "1d6kh",
        expect!["syntax 5..5: expected a number after 'kh'"],
    );
    check(
        DEF,
        "1d6kl",
        expect!["syntax 5..5: expected a number after 'kl'"],
    );
    check(
        DEF,
        "1d6dh",
        expect!["syntax 5..5: expected a number after 'dh'"],
    );
    check(
        DEF,
        "4d6k",
        expect!["syntax 4..4: expected a number after 'k'"],
    );
    check(
        DEF,
        "()",
        expect!["syntax 1..2: expected an expression after '(', found ')'"],
    );
    check(
        DEF,
        "(1d4)dx",
        expect!["syntax 6..7: expected the number of faces after 'd', found 'x'"],
    );
    check(
        DEF,
        "1d",
        expect![
            "syntax 2..2: expected the number of faces after 'd', found the end of the expression"
        ],
    );
    check(
        DEF,
        "d",
        expect![
            "syntax 1..1: expected the number of faces after 'd', found the end of the expression"
        ],
    );
    check(
        DEF,
        "1.5d6",
        expect!["invalid 0..3: the number of dice must be a whole number"],
    );
    check(
        DEF,
        "1d6.5",
        expect!["invalid 2..3: the number of faces must be a whole number"],
    );
    check(
        DEF,
        "1.d6",
        expect!["invalid 0..2: the number of dice must be a whole number"],
    );
    check(DEF, "1d6q", expect!["syntax 3..4: unknown modifier 'q'"]);
    check(
        DEF,
        "1d6!>",
        expect!["syntax 5..5: expected a number after '!>'"],
    );
    check(
        DEF,
        "1d6cs",
        expect!["syntax 5..5: expected a number after 'cs'"],
    );
    check(
        DEF,
        "1d6cs>",
        expect!["syntax 6..6: expected a number after 'cs>'"],
    );
    check(
        DEF,
        "1d6min",
        expect!["syntax 6..6: expected a number after 'min'"],
    );
    check(
        DEF,
        "1d6ro>",
        expect!["syntax 6..6: expected a number after 'ro>'"],
    );
    check(
        DEF,
        "1+*2",
        expect!["syntax 2..3: expected a number, dice or '(', found '*'"],
    );
    check(
        DEF,
        "*2",
        expect!["syntax 0..1: expected a number, dice or '(', found '*'"],
    );
    check(
        DEF,
        "1 2",
        expect!["syntax 2..3: expected an operator or the end of the expression, found '2'"],
    );
    check(
        DEF,
        "1d6 \"open",
        expect![[r#"syntax 4..9: expected '"' to close the label"#]],
    );
    check(
        DEF,
        "1d6 \"a\" b",
        expect!["syntax 8..9: expected the end after the quoted label, found 'b'"],
    );
    check(
        DEF,
        "1d6[fire",
        expect!["syntax 3..8: expected ']' to close the label"],
    );
    check(
        DEF,
        "{}",
        expect!["syntax 1..2: expected a roll inside the group, found '}'"],
    );
    check(
        DEF,
        "{1d6",
        expect!["syntax 4..4: expected ',' or '}' in the group, found the end of the expression"],
    );
    check(
        DEF,
        "{1d6,}",
        expect!["syntax 5..6: expected a number, dice or '(', found '}'"],
    );
    check(
        DEF,
        "{1d6}!",
        expect![
            "syntax 5..6: the modifier '!' cannot apply to a group: only keep, drop and success counting can"
        ],
    );
    check(
        DEF,
        "{1d6}ro1",
        expect![
            "syntax 5..8: the modifier 'ro' cannot apply to a group: only keep, drop and success counting can"
        ],
    );
    check(
        DEF,
        "foo(1)",
        expect![
            "syntax 0..3: unknown function or word 'foo': expected a number, dice, '(' or a function such as floor, max or sqrt"
        ],
    );
    check(
        DEF,
        "floor 2",
        expect!["syntax 6..7: expected '(' after 'floor', found '2'"],
    );
    check(
        DEF,
        "?{}",
        expect!["syntax 0..3: expected a prompt inside '?{}'"],
    );
    check(
        DEF,
        "?{Bonus|x}",
        expect!["syntax 0..10: the default of the roll query 'Bonus' must be a number, found 'x'"],
    );
    check(
        DEF,
        "?{Bonus",
        expect!["syntax 0..7: expected '}' to close the roll query"],
    );
    check(
        DEF,
        "@{}",
        expect!["syntax 0..3: expected an attribute name inside '@{}'"],
    );
    check(
        DEF,
        "@",
        expect![
            "syntax 1..1: expected a name after '@', such as @str.mod, found the end of the expression"
        ],
    );
    check(
        DEF,
        "@{str",
        expect!["syntax 0..5: expected '}' to close the attribute"],
    );
    check(
        DEF,
        "1d6kh99999999999999999999",
        expect!["syntax 5..25: this number is too large"],
    );
    check(
        DEF,
        "1d6!>99999999999999999999",
        expect!["syntax 5..25: this number is too large (at most 2^53)"],
    );
    check(
        DEF,
        "1d6min99999999999999999999",
        expect!["syntax 6..26: this number is too large (at most 2^53)"],
    );
    check(
        DEF,
        "-",
        expect![
            "syntax 1..1: expected a number or dice after the sign, found the end of the expression"
        ],
    );
    check(
        DEF,
        "1d6-",
        expect![
            "syntax 4..4: expected a number or dice after '-', found the end of the expression"
        ],
    );
    check(
        DEF,
        "1/0",
        expect!["1 / 0 bounds div-by-zero 0..3: division by zero"],
    );
    check(
        DEF,
        "1%0",
        expect!["1 % 0 bounds div-by-zero 0..3: division by zero"],
    );
    check(DEF, "1/(1d6-1d6)", expect!["1 / (1d6 - 1d6) [-1, 1]"]);
    check(
        DEF,
        "@str",
        expect!["@str bounds missing-ref 0..4: no value was given for 'str'"],
    );
    check(
        R20,
        "?{Bonus}",
        expect!["?{Bonus} bounds missing-ref 0..8: no value was given for 'Bonus'"],
    );
}

#[test]
fn unicode_junk() {
    check(
        DEF,
        "🎲",
        expect!["syntax 0..4: expected a number, dice or '(', found '🎲'"],
    );
    check(
        DEF,
        "1d6🎲",
        expect!["syntax 3..7: expected an operator or the end of the expression, found '🎲'"],
    );
    check(
        DEF,
        "1d6 🎲",
        expect!["syntax 4..8: expected an operator or the end of the expression, found '🎲'"],
    );
    check(
        DEF,
        "１d6",
        expect!["syntax 0..3: expected a number, dice or '(', found '１'"],
    );
    check(
        DEF,
        "1d６",
        expect!["syntax 2..5: expected the number of faces after 'd', found '６'"],
    );
    check(
        DEF,
        "1d6\u{200b}+1",
        expect![[
            r#"syntax 3..6: expected an operator or the end of the expression, found '\u{200b}'"#
        ]],
    );
    check(
        DEF,
        "1d6\u{0}",
        expect![[
            r#"syntax 3..4: expected an operator or the end of the expression, found '\u{0}'"#
        ]],
    );
    check(
        DEF,
        "\u{202e}1d6",
        expect![[r#"syntax 0..3: expected a number, dice or '(', found '\u{202e}'"#]],
    );
    check(
        DEF,
        "1d6kh³",
        expect!["syntax 5..7: expected a number after 'kh'"],
    );
    check(
        DEF,
        "ⅷd6",
        expect!["syntax 0..3: expected a number, dice or '(', found 'ⅷ'"],
    );
    check(
        DEF,
        "1d6 ✨fire✨",
        expect!["syntax 4..7: expected an operator or the end of the expression, found '✨'"],
    );
    check(
        DEF,
        "é",
        expect!["syntax 0..2: expected a number, dice or '(', found 'é'"],
    );
}
