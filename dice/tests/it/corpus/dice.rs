//! Corpus: dice, and each family of modifiers, in the default dialect and Foundry.

use super::*;
use expect_test::expect;

#[test]
fn plain_dice() {
    check(DEF, "1d20", expect!["1d20 [1, 20]"]);
    check(DEF, "d20", expect!["d20 [1, 20]"]);
    check(DEF, "D20", expect!["d20 [1, 20]"]);
    check(DEF, "3d6", expect!["3d6 [3, 18]"]);
    check(DEF, "0d6", expect!["0d6 [0, 0]"]);
    check(DEF, "1d1", expect!["1d1 [1, 1]"]);
    check(DEF, "d%", expect!["d% [1, 100]"]);
    check(DEF, "2d%", expect!["2d% [2, 200]"]);
    check(DEF, "4dF", expect!["4dF [-4, 4]"]);
    check(DEF, "4df", expect!["4dF [-4, 4]"]);
    check(DEF, "dF", expect!["dF [-1, 1]"]);
    check(DEF, "10000d6", expect!["10000d6 [10000, 60000]"]);
    check(DEF, "1d1000000", expect!["1d1000000 [1, 1000000]"]);
    check(DEF, "(1d4)d6", expect!["(1d4)d6 [1, 24]"]);
    check(DEF, "(1d4-2)d6", expect!["(1d4 - 2)d6 [0, 12]"]);
    check(DEF, "2d(1d6+2)", expect!["2d(1d6 + 2) [2, 16]"]);
    check(DEF, "(2)d(3)", expect!["(2)d(3) [2, 6]"]);
    check(DEF, "(1d2)d(1d2)", expect!["(1d2)d(1d2) [1, 4]"]);
    check(DEF, "1d20+1d4+3", expect!["1d20 + 1d4 + 3 [5, 27]"]);
    check(DEF, "3d6+2d8-1", expect!["3d6 + 2d8 - 1 [4, 33]"]);
}

#[test]
fn keep_and_drop() {
    check(DEF, "2d20kh1", expect!["2d20kh1 [1, 20]"]);
    check(DEF, "2d20kl1", expect!["2d20kl1 [1, 20]"]);
    check(DEF, "4d6kh3", expect!["4d6kh3 [3, 18]"]);
    check(DEF, "4d6k3", expect!["4d6kh3 [3, 18]"]);
    check(DEF, "4d6d1", expect!["4d6dl1 [3, 18]"]);
    check(DEF, "4d6dl1", expect!["4d6dl1 [3, 18]"]);
    check(DEF, "4d6dh1", expect!["4d6dh1 [3, 18]"]);
    check(DEF, "4d6kh5", expect!["4d6kh5 [4, 24]"]);
    check(DEF, "4d6dl5", expect!["4d6dl5 [0, 0]"]);
    check(DEF, "4d6kh0", expect!["4d6kh0 [0, 0]"]);
    check(DEF, "4d6kh3kl1", expect!["4d6kh3kl1 [1, 6]"]);
    check(DEF, "4d6dl1dh1", expect!["4d6dl1dh1 [2, 12]"]);
    check(DEF, "4d6kh3+2", expect!["4d6kh3 + 2 [5, 20]"]);
    check(DEF, "4d6p1", expect!["4d6dl1 [3, 18]"]);
    check(DEF, "4d6ph1", expect!["4d6dh1 [3, 18]"]);
    check(DEF, "4d6pl1", expect!["4d6dl1 [3, 18]"]);
    check(DEF, "4d6k>4", expect!["4d6k>4 [0, 24]"]);
    check(DEF, "4d6p<3", expect!["4d6p<3 [0, 24]"]);
    check(DEF, "4dFkh2", expect!["4dFkh2 [-2, 2]"]);
    check(DEF, "2d%kl1", expect!["2d%kl1 [1, 100]"]);
    check(FVTT, "4d6kh3", expect!["4d6kh3 [3, 18]"]);
    check(FVTT, "4d6dl1", expect!["4d6dl1 [3, 18]"]);
}

#[test]
fn explode() {
    check(DEF, "1d6!", expect!["1d6! [1, ∞]"]);
    check(DEF, "3d6!", expect!["3d6! [3, ∞]"]);
    check(DEF, "1d6!>4", expect!["1d6!>4 [1, ∞]"]);
    check(DEF, "1d6!=3", expect!["1d6!3 [1, ∞]"]);
    check(DEF, "1d6!7", expect!["1d6!7 [1, 6]"]);
    check(DEF, "1d6!>6", expect!["1d6!>6 [1, 6]"]);
    check(DEF, "1d6!!", expect!["1d6!! [1, ∞]"]);
    check(DEF, "1d6x", expect!["1d6! [1, ∞]"]);
    check(DEF, "1d6xo", expect!["1d6xo [1, 12]"]);
    check(DEF, "3d6xo", expect!["3d6xo [3, 36]"]);
    check(DEF, "1d6xo>4", expect!["1d6xo>4 [1, 12]"]);
    check(DEF, "1d6x>5", expect!["1d6!>5 [1, ∞]"]);
    check(DEF, "1d6e6", expect!["1d6!6 [1, ∞]"]);
    check(DEF, "4d6!kh3", expect!["4d6!kh3 [3, 18]"]);
    check(DEF, "1d6!!kh1", expect!["1d6!!kh1 [1, ∞]"]);
    check(DEF, "1d6max3!", expect!["1d6max3! [1, 3]"]);
    check(DEF, "1d6rr6!", expect!["1d6rr6! [1, 5]"]);
    check(DEF, "1d6!x", expect!["1d6x! [1, ∞]"]);
    check(DEF, "1d6!!!", expect!["1d6!!! [1, ∞]"]);
    check(DEF, "1d6!pp<3", expect!["1d6!pp<3 [0, ∞]"]);
    check(FVTT, "2d10x", expect!["2d10! [2, ∞]"]);
    check(FVTT, "2d10xo", expect!["2d10xo [2, 40]"]);
}

#[test]
fn reroll_and_clamp() {
    check(DEF, "1d20r", expect!["1d20ro [1, 20]"]);
    check(DEF, "1d20r1", expect!["1d20ro1 [1, 20]"]);
    check(DEF, "1d20ro", expect!["1d20ro [1, 20]"]);
    check(DEF, "1d20rr", expect!["1d20rr [2, 20]"]);
    check(DEF, "1d6rr<3", expect!["1d6rr<3 [3, 6]"]);
    check(DEF, "1d6rr<=3", expect!["1d6rr<=3 [4, 6]"]);
    check(DEF, "1d6rr>4", expect!["1d6rr>4 [1, 4]"]);
    check(DEF, "1d6rr=3", expect!["1d6rr3 [1, 6]"]);
    check(DEF, "1d6ro<3", expect!["1d6ro<3 [1, 6]"]);
    check(DEF, "1d6ra6", expect!["1d6ra6 [1, 12]"]);
    check(DEF, "1d6ra>4", expect!["1d6ra>4 [1, 12]"]);
    check(DEF, "2d6rr1kh1", expect!["2d6rr1kh1 [2, 6]"]);
    check(DEF, "4d6min3", expect!["4d6min3 [12, 24]"]);
    check(DEF, "4d6mi3", expect!["4d6min3 [12, 24]"]);
    check(DEF, "4d6max3", expect!["4d6max3 [4, 12]"]);
    check(DEF, "4d6ma3", expect!["4d6max3 [4, 12]"]);
    check(DEF, "1d6min2max5", expect!["1d6min2max5 [2, 5]"]);
    check(DEF, "1d6max2min5", expect!["1d6max2min5 [5, 5]"]);
    check(DEF, "1d6min7", expect!["1d6min7 [7, 7]"]);
    check(DEF, "1d6max-2", expect!["1d6max-2 [-2, -2]"]);
    check(DEF, "1d6MIN2", expect!["1d6min2 [2, 6]"]);
    check(DEF, "dFmin0", expect!["dFmin0 [0, 1]"]);
    check(FVTT, "1d20r<3", expect!["1d20ro<3 [1, 20]"]);
    check(FVTT, "1d20rr<3", expect!["1d20rr<3 [3, 20]"]);
}

#[test]
fn counting_and_sorting() {
    check(DEF, "3d6cs>=5", expect!["3d6cs>=5 [0, 3]"]);
    check(DEF, "3d6cs>5", expect!["3d6cs>5 [0, 3]"]);
    check(DEF, "3d6cs=6", expect!["3d6cs=6 [0, 3]"]);
    check(DEF, "3d6cs5", expect!["3d6cs=5 [0, 3]"]);
    check(DEF, "3d6cf<2", expect!["3d6cf<2 [0, 3]"]);
    check(DEF, "3d6cs>4df<2", expect!["3d6cs>4f<2 [-3, 3]"]);
    check(DEF, "3d6sf<2", expect!["3d6sf<2 [-3, 18]"]);
    check(DEF, "4d6even", expect!["4d6even [0, 4]"]);
    check(DEF, "4d6odd", expect!["4d6odd [0, 4]"]);
    check(DEF, "1d20ms>=10", expect!["1d20ms>=10 [-9, 10]"]);
    check(DEF, "1d20ms<=10", expect!["1d20ms<=10 [-10, 9]"]);
    check(DEF, "4d6kh3cs>=5", expect!["4d6kh3cs>=5 [0, 3]"]);
    check(DEF, "3d6!cs>=5", expect!["3d6!cs>=5 [0, ∞]"]);
    check(DEF, "4d6s", expect!["4d6sa [4, 24]"]);
    check(DEF, "4d6sa", expect!["4d6sa [4, 24]"]);
    check(DEF, "4d6sd", expect!["4d6sd [4, 24]"]);
    check(DEF, "4d6kh3sd", expect!["4d6kh3sd [3, 18]"]);
    check(DEF, "3dFcs=1", expect!["3dFcs=1 [0, 3]"]);
    check(FVTT, "10d6cs>4df=1", expect!["10d6cs>4f=1 [-10, 10]"]);
    check(FVTT, "3d6cs>=5", expect!["3d6cs>=5 [0, 3]"]);
    check(FVTT, "3d6>5", expect!["3d6cs>5 [0, 3]"]);
    check(FVTT, "6d6sf<3", expect!["6d6sf<3 [-12, 36]"]);
}
