//! Corpus: grouped rolls, and never-stopping modifiers refused up front.

use super::*;
use expect_test::expect;

#[test]
fn groups() {
    check(DEF, "{4d6, 3d8}kh1", expect!["{4d6, 3d8}kh1 [4, 24]"]);
    check(DEF, "{4d6, 3d8}kl1", expect!["{4d6, 3d8}kl1 [3, 24]"]);
    check(DEF, "{4d6, 3d8}", expect!["{4d6, 3d8} [7, 48]"]);
    check(DEF, "{1d6, 2}", expect!["{1d6, 2} [3, 8]"]);
    check(DEF, "{1d20, 1d20}kh1", expect!["{1d20, 1d20}kh1 [1, 20]"]);
    check(
        DEF,
        "{1d6, 1d8, 1d10}dl1",
        expect!["{1d6, 1d8, 1d10}dl1 [2, 18]"],
    );
    check(
        DEF,
        "{1d6, 1d8, 1d10}dh2",
        expect!["{1d6, 1d8, 1d10}dh2 [1, 6]"],
    );
    check(DEF, "{3d6+1d8}>10", expect!["{3d6 + 1d8}cs>10 [0, 1]"]);
    check(DEF, "{2d6, 2d6}>7", expect!["{2d6, 2d6}cs>7 [0, 2]"]);
    check(DEF, "{3d20+5}>21", expect!["{3d20 + 5}cs>21 [0, 3]"]);
    check(DEF, "{3d6}kh1", expect!["{3d6}kh1 [1, 6]"]);
    check(DEF, "{4d6+2}", expect!["{4d6 + 2} [12, 32]"]);
    check(DEF, "{1d6, 1d6}>3f<2", expect!["{1d6, 1d6}cs>3f<2 [-2, 2]"]);
    check(
        DEF,
        "{{1d6, 1d8}kh1, 1d4}",
        expect!["{{1d6, 1d8}kh1, 1d4} [2, 12]"],
    );
    check(DEF, "{1d6, 1d8}k>4", expect!["{1d6, 1d8}k>4 [0, 14]"]);
    check(DEF, "{1d6}", expect!["{1d6} [1, 6]"]);
    check(DEF, "{(1d4)d6}>3", expect!["{(1d4)d6}cs>3 [0, 1]"]);
    check(DEF, "{3dF}>0", expect!["{3dF}cs>0 [0, 3]"]);
    check(R20, "{3d20+5}>=21", expect!["{3d20 + 5}>=21 [0, 3]"]);
    check(R20, "{2d6, 1d12}kh1>5", expect!["{2d6, 1d12}kh1>=5 [0, 1]"]);
    check(FVTT, "{3d20+5}>21", expect!["{3d20 + 5}cs>21 [0, 1]"]);
    check(D20, "{4d6, 3d8}kh1", expect!["{4d6, 3d8}kh1 [4, 24]"]);
}

#[test]
fn never_stopping() {
    check(
        DEF,
        "1d1!",
        expect!["never-stops 3..4: this explosion matches every face of a d1 and would never stop"],
    );
    check(
        DEF,
        "1d1!!",
        expect!["never-stops 3..5: this explosion matches every face of a d1 and would never stop"],
    );
    check(
        DEF,
        "1d1!p",
        expect!["never-stops 3..5: this explosion matches every face of a d1 and would never stop"],
    );
    check(
        DEF,
        "1d6!>0",
        expect!["never-stops 3..6: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6!<7",
        expect!["never-stops 3..6: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6!>=1",
        expect!["never-stops 3..7: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "4dF!<2",
        expect!["never-stops 3..6: this explosion matches every face of a dF and would never stop"],
    );
    check(
        DEF,
        "1d6rr<=6",
        expect!["never-stops 3..8: this reroll matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6rr1rr2rr3rr4rr5rr6",
        expect!["never-stops 18..21: this reroll matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6rr<6!",
        expect!["never-stops 7..8: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6min6!",
        expect!["never-stops 7..8: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        DEF,
        "1d6max-2!<0",
        expect![
            "never-stops 8..11: this explosion matches every face of a d6 and would never stop"
        ],
    );
    check(
        DEF,
        "1d2rr1rr2",
        expect!["never-stops 6..9: this reroll matches every face of a d2 and would never stop"],
    );
    check(
        R20,
        "1d6r<6",
        expect!["never-stops 3..6: this reroll matches every face of a d6 and would never stop"],
    );
    check(
        R20,
        "1d6r>1",
        expect!["never-stops 3..6: this reroll matches every face of a d6 and would never stop"],
    );
    check(
        R20,
        "1d6!>1",
        expect!["never-stops 3..6: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        R20,
        "1d6!!>1",
        expect!["never-stops 3..7: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        FVTT,
        "1d6x>0",
        expect!["never-stops 3..6: this explosion matches every face of a d6 and would never stop"],
    );
    check(
        D20,
        "1d1e1",
        expect!["never-stops 3..5: this explosion matches every face of a d1 and would never stop"],
    );
    check(D20, "d%rr<90", expect!["d%rr<90 [90, 90]"]);
    check(
        DEF,
        "1dFrr<=1",
        expect!["never-stops 3..8: this reroll matches every face of a dF and would never stop"],
    );
    check(DEF, "1d(1)!", expect!["1d(1)! [1, ∞]"]);
}
