//! Forced-sequence replays: the per-die Markdown and the total of each roll, and the JSON tree.
//!
//! Faces are given in the order the dice are rolled: a term's initial dice
//! first, then, die by die, what its rerolls and explosions add.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, replay};
use expect_test::{Expect, expect};

const DEF: Dialect = Dialect::Default;
const R20: Dialect = Dialect::Roll20;
const FVTT: Dialect = Dialect::Foundry;
const D20: Dialect = Dialect::D20;

/// The Markdown of the forced roll, or its error.
pub(crate) fn forced(dialect: Dialect, input: &str, faces: &[i64]) -> String {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).expect("the input parses");
    match replay(&expr, faces, &RollOptions::default()) {
        Ok(rolled) => rolled.markdown(),
        Err(error) => crate::corpus::error_text(&error),
    }
}

fn check(dialect: Dialect, input: &str, faces: &[i64], expect: Expect) {
    expect.assert_eq(&forced(dialect, input, faces));
}

/// Explode, compound, penetrate: each extra die and the total.
#[test]
fn explode() {
    check(DEF, "1d6!", &[6, 3], expect!["1d6! (**6**!, 3) = `9`"]);
    check(
        DEF,
        "3d6!",
        &[6, 4, 1, 6, 2],
        expect!["3d6! (**6**!, **6**!, 2, 4, **1**) = `19`"],
    );
    check(
        DEF,
        "1d6!>4",
        &[5, 6, 2],
        expect!["1d6!>4 (5!, **6**!, 2) = `13`"],
    );
    check(R20, "1d6!>5", &[5, 1], expect!["1d6!>=5 (5!, **1**) = `6`"]);
    check(DEF, "1d6!>5", &[5], expect!["1d6!>5 (5) = `5`"]);
    check(DEF, "1d6!!", &[6, 6, 2], expect!["1d6!! (14!) = `14`"]);
    check(DEF, "2d6!!", &[3, 6, 1], expect!["2d6!! (3, 7!) = `10`"]);
    check(
        DEF,
        "1d6!p",
        &[6, 6, 2],
        expect!["1d6!p (**6**!, **5**!, 1) = `12`"],
    );
    check(
        DEF,
        "1d6!p",
        &[6, 1],
        expect!["1d6!p (**6**!, **0**) = `6`"],
    );
    check(
        DEF,
        "1d6xo",
        &[6, 6],
        expect!["1d6xo (**6**!, **6**) = `12`"],
    );
    check(
        FVTT,
        "2d10x>8",
        &[9, 2, 10, 3],
        expect!["2d10!>8 (9!, **10**!, 3, 2) = `24`"],
    );
    check(
        D20,
        "1d20e20",
        &[20, 5],
        expect!["1d20e20 (**20**!, 5) = `25`"],
    );
    check(
        DEF,
        "3d6!!sa",
        &[6, 3, 1, 2],
        expect!["3d6!!sa (**1**, 3, 8!) = `12`"],
    );
}

/// Reroll once against reroll until, in each dialect, and reroll-and-add.
#[test]
fn reroll() {
    check(
        DEF,
        "1d20ro1",
        &[1, 1],
        expect!["1d20ro1 (~~1~~, **1**) = `1`"],
    );
    check(
        DEF,
        "1d20rr1",
        &[1, 1, 7],
        expect!["1d20rr1 (~~1~~, ~~1~~, 7) = `7`"],
    );
    check(
        R20,
        "1d20r1",
        &[1, 1, 7],
        expect!["1d20rr1 (~~1~~, ~~1~~, 7) = `7`"],
    );
    check(
        FVTT,
        "1d20r1",
        &[1, 1],
        expect!["1d20ro1 (~~1~~, **1**) = `1`"],
    );
    check(
        D20,
        "1d20r1",
        &[1, 1],
        expect!["1d20ro1 (~~1~~, **1**) = `1`"],
    );
    check(
        DEF,
        "2d6ro<3",
        &[2, 1, 5, 4],
        expect!["2d6ro<3 (~~2~~, 5, ~~1~~, 4) = `9`"],
    );
    check(D20, "1d6ra6", &[6, 3], expect!["1d6ra6 (**6**, 3) = `9`"]);
    check(
        DEF,
        "1d6rr1!",
        &[1, 6, 6, 1, 2],
        expect!["1d6rr1! (~~1~~, **6**!, **6**!, ~~1~~, 2) = `14`"],
    );
    check(DEF, "2d6min3", &[1, 5], expect!["2d6min3 (**3**, 5) = `8`"]);
}

/// Keep after explode, and ties in keep and drop (the leftmost die goes).
#[test]
fn keep_and_drop() {
    check(
        DEF,
        "2d6!kh1",
        &[6, 5, 4],
        expect!["2d6!kh1 (**6**!, ~~4~~, ~~5~~) = `6`"],
    );
    check(
        DEF,
        "4d6!kh3",
        &[6, 1, 3, 5, 2],
        expect!["4d6!kh3 (**6**!, ~~2~~, ~~1~~, 3, 5) = `14`"],
    );
    check(
        DEF,
        "2d6!kl1",
        &[6, 3, 6, 1],
        expect!["2d6!kl1 (~~6~~!, ~~6~~!, **1**, ~~3~~) = `1`"],
    );
    check(
        DEF,
        "4d6dl1",
        &[3, 1, 1, 5],
        expect!["4d6dl1 (3, ~~1~~, **1**, 5) = `9`"],
    );
    check(
        DEF,
        "4d6kh3",
        &[2, 2, 2, 2],
        expect!["4d6kh3 (~~2~~, 2, 2, 2) = `6`"],
    );
    check(
        DEF,
        "4d6kl1",
        &[3, 3, 3, 3],
        expect!["4d6kl1 (~~3~~, ~~3~~, ~~3~~, 3) = `3`"],
    );
    check(
        DEF,
        "4d6dh1",
        &[5, 5, 2, 5],
        expect!["4d6dh1 (~~5~~, 5, 2, 5) = `12`"],
    );
    check(
        DEF,
        "3d6dl2",
        &[4, 4, 4],
        expect!["3d6dl2 (~~4~~, ~~4~~, 4) = `4`"],
    );
    check(
        DEF,
        "2d20kh1+5",
        &[12, 20],
        expect!["2d20kh1 (~~12~~, **20**) + 5 = `25`"],
    );
    check(
        DEF,
        "4d6sd",
        &[2, 5, 1, 6],
        expect!["4d6sd (**6**, 5, 2, **1**) = `14`"],
    );
}

/// Success counting: Roll20's `>5` includes 5, Foundry's does not.
#[test]
fn counting() {
    check(
        DEF,
        "5d6cs>=5",
        &[5, 6, 4, 5, 1],
        expect!["5d6cs>=5 (5, **6**, 4, 5, **1**) = `3`"],
    );
    check(
        R20,
        "5d6>5",
        &[5, 6, 4, 5, 1],
        expect!["5d6>=5 (5, **6**, 4, 5, **1**) = `3`"],
    );
    check(
        FVTT,
        "5d6>5",
        &[5, 6, 4, 5, 1],
        expect!["5d6cs>5 (5, **6**, 4, 5, **1**) = `1`"],
    );
    check(
        FVTT,
        "5d6cs>=5",
        &[5, 6, 4, 5, 1],
        expect!["5d6cs>=5 (5, **6**, 4, 5, **1**) = `3`"],
    );
    check(
        R20,
        "3d6>6f<2",
        &[6, 2, 1],
        expect!["3d6>=6f<=2 (**6**, 2, **1**) = `-1`"],
    );
    check(
        FVTT,
        "4d6cs>4df=1",
        &[5, 1, 1, 3],
        expect!["4d6cs>4f=1 (5, **1**, **1**, 3) = `-1`"],
    );
    check(
        DEF,
        "4d6even",
        &[2, 3, 4, 6],
        expect!["4d6even (2, 3, 4, **6**) = `3`"],
    );
    check(DEF, "1d20ms>=10", &[15], expect!["1d20ms>=10 (15) = `5`"]);
    check(
        DEF,
        "3d6sf<3",
        &[1, 4, 2],
        expect!["3d6sf<3 (**1**, 4, 2) = `1`"],
    );
}

/// Fate dice and Avrae's tens die.
#[test]
fn fate_and_percent() {
    check(
        DEF,
        "4dF",
        &[-1, 0, 1, 1],
        expect!["4dF (**-1**, 0, **1**, **1**) = `1`"],
    );
    check(
        DEF,
        "4dF+1",
        &[0, 0, 0, 0],
        expect!["4dF (0, 0, 0, 0) + 1 = `1`"],
    );
    check(
        DEF,
        "3dFkh1",
        &[-1, 1, 0],
        expect!["3dFkh1 (~~-1~~, **1**, ~~0~~) = `1`"],
    );
    check(D20, "1d%", &[90], expect!["1d% (**90**) = `90`"]);
    check(D20, "2d%", &[0, 50], expect!["2d% (**0**, 50) = `50`"]);
    check(DEF, "d%", &[100], expect!["d% (**100**) = `100`"]);
}

/// Groups, labels and computed dice.
#[test]
fn groups_labels_computed() {
    check(
        DEF,
        "{1d6, 1d6}kh1",
        &[3, 3],
        expect!["{1d6 (3), 1d6 (3)}kh1 (~~3~~, 3) = `3`"],
    );
    check(
        DEF,
        "{4d6, 3d8}kh1",
        &[1, 2, 3, 4, 8, 8, 8],
        expect!["{4d6 (**1**, 2, 3, 4), 3d8 (**8**, **8**, **8**)}kh1 (~~10~~, 24) = `24`"],
    );
    check(
        R20,
        "{3d20+5}>21",
        &[17, 10, 20],
        expect!["{3d20 (17, 10, **20**) + 5}>=21 (22, 15, 25) = `2`"],
    );
    check(
        FVTT,
        "{3d20+5}>21",
        &[17, 10, 20],
        expect!["{3d20 (17, 10, **20**) + 5}cs>21 (52) = `1`"],
    );
    check(
        DEF,
        "1d20+5 \"Attack\"",
        &[12],
        expect!["**Attack:** 1d20 (12) + 5 = `17`"],
    );
    check(
        DEF,
        "(1d4)d6",
        &[2, 3, 5],
        expect!["(1d4 (2))d6 (3, 5) = `8`"],
    );
    check(
        DEF,
        "1d6[fire] + 2[STR]",
        &[4],
        expect!["1d6 (4)[fire] + 2[STR] = `6`"],
    );
}

/// Forced faces that run out, cannot come from the die, or are left over.
#[test]
fn forced_errors() {
    check(
        DEF,
        "2d6",
        &[3],
        expect![
            "forced-ran-out 0..3: the forced dice ran out: a d6 needed a value after 1 were used"
        ],
    );
    check(
        DEF,
        "1d6!",
        &[6],
        expect![
            "forced-ran-out 0..4: the forced dice ran out: a d6 needed a value after 1 were used"
        ],
    );
    check(
        DEF,
        "1d6",
        &[7],
        expect!["forced-impossible 0..3: the forced value 7 cannot come from a d6"],
    );
    check(
        DEF,
        "1d6",
        &[0],
        expect!["forced-impossible 0..3: the forced value 0 cannot come from a d6"],
    );
    check(
        DEF,
        "4dF",
        &[2, 0, 0, 0],
        expect!["forced-impossible 0..3: the forced value 2 cannot come from a dF"],
    );
    check(
        D20,
        "1d%",
        &[15],
        expect!["forced-impossible 0..3: the forced value 15 cannot come from a d%"],
    );
    check(
        DEF,
        "1d6",
        &[1, 2],
        expect!["forced-left-over 0..3: forced dice were left over after the roll: 1 not used"],
    );
    check(
        DEF,
        "1d6!",
        &[6; 101],
        expect!["limit 0..4: number of explosions of one die exceeds the limit of 100"],
    );
    check(
        DEF,
        "1d6rr<6",
        &[1; 1001],
        expect!["limit 3..7: number of rerolls of one die exceeds the limit of 1000"],
    );
    check(
        DEF,
        "1d20ro1",
        &[1],
        expect![
            "forced-ran-out 0..7: the forced dice ran out: a d20 needed a value after 1 were used"
        ],
    );
}
/// The plain-text rendering of the same roll as the README's Markdown example.
#[test]
fn plain_rendering() {
    let expr = parse_with("2d20kh1 + 5", &ParseOptions::default()).expect("the input parses");
    let rolled = replay(&expr, &[12, 20], &RollOptions::default()).expect("the roll replays");
    expect!["2d20kh1 ([12], 20) + 5 = 25"].assert_eq(&rolled.plain());
}

/// A die added by `ra` goes through the clamps as every other die does:
/// `1d6ramax3` with 1 then 6 adds a 3 (it once added the 6).
#[test]
fn reroll_and_add_dice_are_clamped() {
    assert_eq!(
        forced(DEF, "1d6ramax3", &[1, 6]),
        "1d6ramax3 (**1**, **3**) = `4`"
    );
}

/// The explosion limit allows exactly 100 extra dice per die.
#[test]
fn hundred_explosions_are_allowed() {
    let expr = parse_with("1d6!", &ParseOptions::default()).expect("the input parses");
    let faces = [[6; 100].as_slice(), &[2]].concat();
    let rolled = replay(&expr, &faces, &RollOptions::default()).expect("within the limit");
    assert_eq!(rolled.total(), 602.0);
    assert_eq!(rolled.all_dice().filter(|die| die.exploded()).count(), 100);
}

/// Roll20 rerolls any die that shows 1 or 6 until it shows neither, so a 6
/// rerolled into a 1 is rerolled again (the engine once applied `r1` and
/// then `r6` one after the other). Likewise `rr<3ro>3` never ends on a 1
/// that `rr<3` rules out, and stays within its bounds [3, 4].
#[test]
fn rerolls_hold_together() {
    assert_eq!(
        forced(R20, "1d6r1r6", &[6, 1, 3]),
        "1d6rr1rr6 (~~6~~, ~~1~~, 3) = `3`"
    );
    let expr = parse_with("1d4rr<3ro>3", &ParseOptions::default()).expect("the input parses");
    let bounds = expr.bounds().expect("bounded");
    let total = replay(&expr, &[4, 1, 3], &RollOptions::default()).map(|rolled| rolled.total());
    assert_eq!((bounds.min, bounds.max), (Some(3.0), Some(4.0)));
    assert_eq!(
        total,
        Ok(3.0),
        "rr<3 must still hold after ro>3 rerolls the 4 into a 1"
    );
}

/// As the README says, new dice go through the same steps (reroll, clamp)
/// as the first, compounded rolls too: `1d6rr1!!` rerolls the 1 it would
/// have added (it once kept it).
#[test]
fn compounded_rolls_are_rerolled() {
    let expr = parse_with("1d6rr1!!", &ParseOptions::default()).expect("the input parses");
    let total = replay(&expr, &[6, 1, 3], &RollOptions::default()).map(|rolled| rolled.total());
    assert_eq!(total, Ok(9.0));
}

/// What a user typed is escaped in the Markdown (and only there): no link,
/// formatting or mention of theirs reaches Discord.
#[test]
fn markdown_escapes_what_the_user_typed() {
    check(
        DEF,
        "1d20 \"[free gold](https://evil)\"",
        &[7],
        expect![[r#"**\[free gold\]\(https\://evil\):** 1d20 (7) = `7`"#]],
    );
    check(
        DEF,
        "1d20 \"** @everyone\"",
        &[20],
        expect!["**\\*\\* @\u{200B}everyone:** 1d20 (**20**) = `20`"],
    );
    check(
        DEF,
        "1d6[||spoiler|| <@&12>] + 2[~~x~~]",
        &[3],
        expect!["1d6 (3)[\\|\\|spoiler\\|\\| \\<@\u{200B}&12\\>] + 2[\\~\\~x\\~\\~] = `5`"],
    );
    check(
        DEF,
        "1d6 + ?{a_b_c|2} # -# small",
        &[3],
        expect!["**\\-\\# small:** 1d6 (3) + ?{a\\_b\\_c|2} = `5`"],
    );
    // A power's `**` would pair with a bold die.
    check(
        DEF,
        "2 ** 1d20",
        &[20],
        expect!["2 \\*\\* 1d20 (**20**) = `1048576`"],
    );
}

/// Plain text keeps what the user typed as it is.
#[test]
fn plain_keeps_what_the_user_typed() {
    let expr = parse_with("1d20[**a**] \"@everyone\"", &ParseOptions::default()).unwrap();
    let rolled = replay(&expr, &[3], &RollOptions::default()).unwrap();
    assert_eq!(rolled.plain(), "@everyone: 1d20 (3)[**a**] = 3");
}
