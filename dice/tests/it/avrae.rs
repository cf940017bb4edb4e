//! Avrae's d20 dialect against known answers: the examples of d20's README
//! (its "Examples" and "Annotations" sections) and hand-worked totals of
//! each rule of its grammar (`grammar.lark`) and roller (`models.py`), with
//! the dice forced through `replay`.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, replay};

const D20: Dialect = Dialect::D20;

/// The total of `input` rolled with `faces`, or the error's message.
fn total(dialect: Dialect, input: &str, faces: &[i64]) -> Result<f64, String> {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).map_err(|e| e.to_string())?;
    let rolled = replay(&expr, faces, &RollOptions::default()).map_err(|e| e.to_string())?;
    Ok(rolled.total())
}

fn assert_total(dialect: Dialect, input: &str, faces: &[i64], expected: f64) {
    assert_eq!(
        total(dialect, input, faces),
        Ok(expected),
        "{input} with {faces:?}"
    );
}

fn assert_refused(dialect: Dialect, input: &str, message_part: &str) {
    let error = parse_with(input, &ParseOptions::dialect(dialect))
        .expect_err("the dialect refuses it")
        .to_string();
    assert!(error.contains(message_part), "{input}: {error}");
}

/// The README's examples give these totals with these dice.
#[test]
fn readme_examples() {
    assert_total(D20, "4d6kh3", &[4, 4, 6, 3], 14.0);
    assert_total(D20, "8d6mi2", &[1, 6, 4, 2, 6, 2, 5, 6], 33.0);
    assert_total(D20, "(1d4 + 1, 3, 2d6kl1)kh1", &[2, 2, 5], 3.0);
    assert_total(D20, "-1d8 + 4 - (3, 1d4)kh1", &[8, 3], -7.0);
    assert_total(D20, "3d6 [fire] + 1d4 [piercing]", &[3, 2, 2, 3], 10.0);
    assert_total(D20, "-(1d8 + 3) [healing]", &[7], -10.0);
    assert_total(D20, "(1 [one], 2 [two], 3 [three])", &[], 6.0);
    assert_total(D20, "3d6 + 1d4 + 3", &[4, 6, 6, 1], 20.0);
}

/// Sets: `()`, `(2,)`, `(1, 3+3, 1d20)`; `(3d6)` is 3d6 but `(3d6,)` a set.
#[test]
fn sets() {
    assert_total(D20, "()", &[], 0.0);
    assert_total(D20, "(7,)", &[], 7.0);
    assert_total(D20, "(3, 4, 5)", &[], 12.0);
    assert_total(D20, "(1, 3+3, 1d20)", &[11], 18.0);
    assert_total(D20, "(1d8, 5, 2d4)kh1", &[3, 1, 2], 5.0);
    assert_total(D20, "(1d8, 5, 2d4)kh1", &[8, 1, 2], 8.0);
    assert_total(D20, "(1d8, 5, 2d4)kl1", &[3, 1, 2], 3.0);
    assert_total(D20, "(1d6, 1d6)k>3", &[2, 5], 5.0);
    assert_total(D20, "(1d6, 1d6, 1d6)p<3", &[1, 2, 6], 6.0);
    assert_total(D20, "(1d6, 1d6, 1d6)k4", &[4, 2, 4], 8.0);
    assert_total(D20, "(1d6, 1d6, 1d6)ph1", &[4, 2, 6], 6.0);
    assert_total(D20, "(1d6, 1d6, 1d6)pl1", &[4, 2, 6], 10.0);
    assert_total(D20, "(3d6)", &[1, 2, 3], 6.0);
    assert_total(D20, "(3d6,)", &[1, 2, 3], 6.0);
    assert_total(D20, "(2,) * 3", &[], 6.0);
    assert_total(D20, "((1, 2), 3)kh1", &[], 3.0);
    for (input, printed) in [
        ("(7,)", "(7,)"),
        ("()", "()"),
        ("( 1d8 ,5,2d4 )kh1", "(1d8, 5, 2d4)kh1"),
        ("(3d6)", "3d6"),
        ("(1, 2, 3)p>2", "(1, 2, 3)p>2"),
    ] {
        let expr = parse_with(input, &ParseOptions::dialect(D20)).expect("parses");
        assert_eq!(expr.to_string(), printed);
        let again = parse_with(&expr.to_string(), &ParseOptions::dialect(D20)).expect("parses");
        assert_eq!(again, expr, "{input} round-trips");
    }
    assert_refused(D20, "(1d6, 2)rr1", "cannot apply to a group");
    assert_refused(
        D20,
        "(1d6, 2)cs>3",
        "only keep ('k') and drop ('p') apply to a set",
    );
    assert_refused(D20, "(1, 2", "expected ',' or ')' in the set");
    // Outside d20 a comma in parentheses is still an error.
    assert!(parse_with("(1, 2)", &ParseOptions::dialect(Dialect::Foundry)).is_err());
}

/// d20 merges consecutive operations of one kind: their selectors select
/// from the same dice, and keep keeps the union.
#[test]
fn merged_selectors() {
    assert_total(D20, "4d6kh2kl1", &[5, 2, 6, 3], 13.0);
    assert_total(D20, "4d6kl1kh2", &[5, 2, 6, 3], 13.0);
    assert_total(D20, "4d6pl1pl1", &[1, 2, 3, 4], 9.0);
    assert_total(D20, "4d6ph1pl1", &[1, 2, 3, 4], 5.0);
    assert_total(D20, "(1, 2, 3, 4)kh1kl1", &[], 5.0);
    assert_total(D20, "(1, 2, 3, 4)p<2p>3", &[], 5.0);
    assert_total(D20, "4d6k1k6", &[1, 6, 3, 1], 8.0);
    // Foundry applies them one after the other: the lowest of the highest two.
    assert_total(Dialect::Foundry, "4d6kh2kl1", &[5, 2, 6, 3], 5.0);
    let bounds = |input: &str| {
        let b = parse_with(input, &ParseOptions::dialect(D20))
            .expect("parses")
            .bounds()
            .expect("bounds");
        (b.min, b.max)
    };
    // Ties make the two sides overlap: four 1s keep the first two (d20's
    // sort is stable), so 2 is the least; four 6s drop only one die.
    assert_total(D20, "4d6kh2kl1", &[1, 1, 1, 1], 2.0);
    assert_total(D20, "4d6pl1ph1", &[6, 6, 6, 6], 18.0);
    assert_eq!(bounds("4d6kh2kl1"), (Some(2.0), Some(18.0)));
    assert_eq!(bounds("4d6pl1ph1"), (Some(2.0), Some(18.0)));
    assert_eq!(bounds("2d1ph1ph1"), (Some(1.0), Some(1.0)));
    // Sound for sets, not exact: any member may be left out.
    assert_eq!(bounds("(1d6, 1d6, 1d6)kh1kl1"), (Some(0.0), Some(12.0)));
}

/// Comparisons give 1 or 0 and bind loosest; `//` and `%` are Python's.
#[test]
fn comparisons_and_python_arithmetic() {
    assert_total(D20, "1d20 + 5 >= 15", &[10], 1.0);
    assert_total(D20, "1d20 + 5 >= 15", &[9], 0.0);
    assert_total(D20, "2d6 == 7", &[3, 4], 1.0);
    assert_total(D20, "1d6 != 3", &[3], 0.0);
    assert_total(D20, "1d6 < 3", &[2], 1.0);
    assert_total(D20, "1d6 <= 3", &[4], 0.0);
    assert_total(D20, "1d6 > 3", &[4], 1.0);
    assert_total(D20, "1d20>10", &[15], 1.0);
    assert_total(D20, "3d6>5", &[6, 6, 1], 1.0);
    assert_total(D20, "3d6>5", &[1, 1, 2], 0.0);
    assert_total(D20, "1 < 2 < 3", &[], 1.0);
    assert_total(D20, "3 > 2 > 1", &[], 0.0);
    assert_total(D20, "(1d20 >= 10) * 2d6", &[12, 3, 4], 7.0);
    assert_total(D20, "7 // 2", &[], 3.0);
    assert_total(D20, "-7 // 2", &[], -4.0);
    assert_total(D20, "-7 % 3", &[], 2.0);
    assert_total(D20, "7 % -3", &[], -2.0);
    assert_total(D20, "7.5 % 2", &[], 1.0);
    assert_total(Dialect::Default, "-7 % 3", &[], -1.0);
    assert_total(Dialect::Default, "-7 // 2", &[], -4.0);
    assert!(total(D20, "1d6 // 0", &[3]).is_err_and(|e| e.contains("division by zero")));
    assert!(total(D20, "1d6 % 0", &[3]).is_err_and(|e| e.contains("division by zero")));
    // `=` alone is no operator in d20.
    assert!(parse_with("1d6 = 3", &ParseOptions::dialect(D20)).is_err());
}

/// The total is truncated toward 0; the tree keeps the exact value.
#[test]
fn truncated_total() {
    assert_total(D20, "1d6 / 4", &[3], 0.0);
    assert_total(D20, "7 / 2", &[], 3.0);
    assert_total(D20, "-7 / 2", &[], -3.0);
    assert_total(D20, "0.5 + 1d4", &[3], 3.0);
    let expr = parse_with("7 / 2", &ParseOptions::dialect(D20)).expect("parses");
    let rolled = replay(&expr, &[], &RollOptions::default()).expect("rolls");
    assert_eq!(rolled.value(expr.root()), 3.5);
    assert_eq!(rolled.markdown(), "7 / 2 = `3`");
    let b = parse_with("1d6 / 4", &ParseOptions::dialect(D20))
        .expect("parses")
        .bounds()
        .expect("bounds");
    assert_eq!((b.min, b.max), (Some(0.0), Some(1.0)));
}

/// d20 rolls at most 1,000 dice, refuses `!`, and `ra` adds one die at most.
#[test]
fn refusals_and_limits() {
    assert_refused(D20, "1001d6", "limit of 1000");
    assert_refused(D20, "500d6 + 501d6", "limit of 1000");
    assert!(
        parse_with("1000d6", &ParseOptions::dialect(D20)).is_ok_and(|e| e.bounds()
            == Ok(critfumble_dice::Bounds {
                min: Some(1000.0),
                max: Some(6000.0)
            }))
    );
    assert!(parse_with("1001d6", &ParseOptions::dialect(Dialect::Foundry)).is_ok());
    // Rerolls count toward the thousand, as d20's RollContext counts every roll.
    let mut faces = vec![1; 1000];
    faces.push(2);
    assert!(total(D20, "1d6rr1", &faces).is_err_and(|e| e.contains("limit of 1000")));
    assert_eq!(total(D20, "1d6rr1", &faces[1..]), Ok(2.0));
    assert_refused(D20, "1d6!", "d20 has no '!'");
    assert_refused(D20, "1d6!!", "d20 has no '!'");
    assert_total(D20, "1d6e6", &[6, 2], 8.0);
    // The first die that shows 1 adds one die; the second 1 adds none.
    assert_total(D20, "3d6ra1", &[1, 2, 1, 5], 9.0);
    assert_total(D20, "3d6ra1", &[4, 1, 1, 5], 11.0);
    assert!(total(D20, "3d6ra1", &[1, 2, 1, 5, 3]).is_err());
    let b = parse_with("3d6ra1", &ParseOptions::dialect(D20))
        .expect("parses")
        .bounds()
        .expect("bounds");
    // At least 2 on each die, or a 1 with its one added die: 4 to 19.
    assert_eq!((b.min, b.max), (Some(4.0), Some(19.0)));
}
