//! Corpus: the constructs where Roll20, Foundry and Avrae's d20 disagree.

use super::*;
use expect_test::expect;

#[test]
fn roll20() {
    check(R20, "3d6>5", expect!["3d6>=5 [0, 3]"]);
    check(R20, "3d6<2", expect!["3d6<=2 [0, 3]"]);
    check(R20, "3d6=6", expect!["3d6=6 [0, 3]"]);
    check(R20, "3d6>6f<2", expect!["3d6>=6f<=2 [-3, 3]"]);
    check(R20, "3d6>5f1", expect!["3d6>=5f=1 [-3, 3]"]);
    check(R20, "1d6!>5", expect!["1d6!>=5 [1, ∞]"]);
    check(R20, "1d20r<2", expect!["1d20rr<=2 [3, 20]"]);
    check(R20, "1d20r1", expect!["1d20rr1 [2, 20]"]);
    check(R20, "1d20ro<2", expect!["1d20ro<=2 [1, 20]"]);
    check(R20, "1d6r<5", expect!["1d6rr<=5 [6, 6]"]);
    check(R20, "1d6r1r6", expect!["1d6rr1rr6 [2, 5]"]);
    check(R20, "4d6k3", expect!["4d6kh3 [3, 18]"]);
    check(R20, "4d6d1", expect!["4d6dl1 [3, 18]"]);
    check(R20, "d%", expect!["d% [1, 100]"]);
    check(R20, "2d20kh1+5", expect!["2d20kh1 + 5 [6, 25]"]);
    check(R20, "8d6!!", expect!["8d6!! [8, ∞]"]);
    check(R20, "4d6sd", expect!["4d6sd [4, 24]"]);
    check(R20, "3d6cs>4", expect!["3d6cs>=4 [3, 18]"]);
    check(R20, "{3d20+5}>21", expect!["{3d20 + 5}>=21 [0, 3]"]);
    check(
        R20,
        "{4d6+2d8, 3d20+3}kh1",
        expect!["{4d6 + 2d8, 3d20 + 3}kh1 [6, 63]"],
    );
    check(R20, "1d6k>4", expect!["1d6k>=4 [0, 6]"]);
    check(R20, "4d6mi2", expect!["4d6min2 [8, 24]"]);
}

#[test]
fn foundry() {
    check(FVTT, "3d6>5", expect!["3d6cs>5 [0, 3]"]);
    check(FVTT, "3d6<2", expect!["3d6cs<2 [0, 3]"]);
    check(FVTT, "1d20r<2", expect!["1d20ro<2 [1, 20]"]);
    check(FVTT, "1d20rr<2", expect!["1d20rr<2 [2, 20]"]);
    check(FVTT, "1d20r", expect!["1d20ro [1, 20]"]);
    check(FVTT, "4d6k3", expect!["4d6kh3 [3, 18]"]);
    check(FVTT, "4d6d1", expect!["4d6dl1 [3, 18]"]);
    check(FVTT, "d%", expect!["d% [1, 100]"]);
    check(FVTT, "5d10x>8", expect!["5d10!>8 [5, ∞]"]);
    check(FVTT, "5d10xo>8", expect!["5d10xo>8 [5, 100]"]);
    check(FVTT, "4d6min3max5", expect!["4d6min3max5 [12, 20]"]);
    check(FVTT, "10d10cs>=7cf=1", expect!["10d10cs>=7cf=1 [0, 10]"]);
    check(FVTT, "8d6even", expect!["8d6even [0, 8]"]);
    check(FVTT, "8d6odd", expect!["8d6odd [0, 8]"]);
    check(FVTT, "1d20ms>=15", expect!["1d20ms>=15 [-14, 5]"]);
    check(FVTT, "{3d20+5}>21", expect!["{3d20 + 5}cs>21 [0, 1]"]);
    check(FVTT, "{1d20, 1d20}kh1", expect!["{1d20, 1d20}kh1 [1, 20]"]);
    check(
        FVTT,
        "@abilities.str.mod+1d20",
        expect![
            "@abilities.str.mod + 1d20 bounds missing-ref 0..18: no value was given for 'abilities.str.mod'"
        ],
    );
}

#[test]
fn d20() {
    check(D20, "4d6kh3", expect!["4d6kh3 [3, 18]"]);
    check(D20, "4d6kl1", expect!["4d6kl1 [1, 6]"]);
    check(
        D20,
        "4d6k",
        expect!["syntax 4..4: expected a number after 'k'"],
    );
    check(D20, "4d6k>3", expect!["4d6k>3 [0, 24]"]);
    check(D20, "4d6p<3", expect!["4d6p<3 [0, 24]"]);
    check(D20, "4d6p1", expect!["4d6p=1 [0, 24]"]);
    check(D20, "4d6pl1", expect!["4d6pl1 [3, 18]"]);
    check(D20, "4d6ph1", expect!["4d6ph1 [3, 18]"]);
    check(D20, "4d6d2", expect!["4d6d2 [4, 48]"]);
    check(D20, "4d6d2d2", expect!["4d6d2d2 [4, 96]"]);
    check(D20, "d%", expect!["d% [0, 90]"]);
    check(D20, "2d%", expect!["2d% [0, 180]"]);
    check(D20, "1d%rr", expect!["1d%rr [10, 90]"]);
    check(D20, "1d20e20", expect!["1d20e20 [1, ∞]"]);
    check(D20, "1d20ro1", expect!["1d20ro1 [1, 20]"]);
    check(D20, "1d20r1", expect!["1d20ro1 [1, 20]"]);
    check(D20, "1d20rr1", expect!["1d20rr1 [2, 20]"]);
    check(D20, "3d6>5", expect!["3d6 > 5 [0, 1]"]);
    check(D20, "8d6mi2", expect!["8d6min2 [16, 48]"]);
    check(
        D20,
        "1d20+5 \"Attack\"",
        expect![[r#"1d20 + 5 "Attack" [6, 25]"#]],
    );
    check(
        D20,
        "4d6dl1",
        expect!["syntax 3..4: expected an operator or the end of the expression, found 'd'"],
    );
    check(D20, "2d20kh1+1d4", expect!["2d20kh1 + 1d4 [2, 24]"]);
    check(D20, "{3d20+5}>21", expect!["{3d20 + 5} > 21 [0, 1]"]);
}
