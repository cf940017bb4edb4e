//! Roll20's notation against known answers (its Dice Reference): nested
//! inline rolls as numbers and computed counts and faces, rounded as
//! Roll20 rounds them, with the dice forced through `replay`.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, replay};

const R20: Dialect = Dialect::Roll20;

fn total(dialect: Dialect, input: &str, faces: &[i64]) -> Result<f64, String> {
    let expr = parse_with(input, &ParseOptions::dialect(dialect)).map_err(|e| e.to_string())?;
    let rolled = replay(&expr, faces, &RollOptions::default()).map_err(|e| e.to_string())?;
    Ok(rolled.total())
}

fn bounds(dialect: Dialect, input: &str) -> (Option<f64>, Option<f64>) {
    let b = parse_with(input, &ParseOptions::dialect(dialect))
        .expect("parses")
        .bounds()
        .expect("has bounds");
    (b.min, b.max)
}

/// `[[1d3]]d8`: the inner roll's total is the number of dice; both rolls
/// are in the tree.
#[test]
fn nested_inline_rolls() {
    assert_eq!(total(R20, "[[1d3]]d8", &[2, 5, 7]), Ok(12.0));
    assert_eq!(total(R20, "2d[[1d4+4]]", &[3, 6, 7]), Ok(13.0));
    assert_eq!(total(R20, "[[ [[1d2]]d4 ]]d6", &[1, 3, 2, 4, 6]), Ok(12.0));
    assert_eq!(bounds(R20, "[[1d3]]d8"), (Some(1.0), Some(24.0)));
    let expr = parse_with("[[1d3]]d8", &ParseOptions::dialect(R20)).expect("parses");
    let rolled = replay(&expr, &[2, 5, 7], &RollOptions::default()).expect("rolls");
    assert_eq!(rolled.markdown(), "(1d3 (2))d8 (5, 7) = `12`");
    assert!(parse_with("[[1d3]]d8", &ParseOptions::dialect(Dialect::Foundry)).is_err());
    assert!(
        parse_with("[[1d3d8", &ParseOptions::dialect(R20))
            .is_err_and(|e| e.to_string().contains("']]' to close the inline roll"))
    );
    // In a message, the outer inline roll closes after the nested one.
    let out = critfumble_dice::roll_inline(
        "Fireball: [[ [[1d1+7]]d1 ]] damage",
        &mut critfumble_dice::seeded_rng(1),
        &ParseOptions::dialect(R20),
        &RollOptions::default(),
    )
    .expect("rolls");
    assert_eq!(out.text, "Fireball: 8 damage");
}

/// Computed counts and faces are rounded (`(1.6+1)d4` rolls 3 dice); a
/// computed die of 0 faces or fewer is an error, as in every system.
#[test]
fn computed_counts_and_faces_round() {
    assert_eq!(total(R20, "(1.6+1)d4", &[1, 2, 3]), Ok(6.0));
    assert!(total(R20, "(1.6+1)d4", &[1, 2]).is_err());
    assert_eq!(total(R20, "(2.5)d6", &[6, 6, 6]), Ok(18.0));
    assert_eq!(total(R20, "(2.4)d6", &[6, 6]), Ok(12.0));
    assert_eq!(total(R20, "1d(5.5)", &[6]), Ok(6.0));
    assert_eq!(bounds(R20, "(1.6+1)d4"), (Some(3.0), Some(12.0)));
    assert_eq!(bounds(R20, "(1d2/2)d6"), (Some(1.0), Some(6.0)));
    // Elsewhere a fraction is refused.
    assert!(total(Dialect::Foundry, "(1.6+1)d4", &[1, 2, 3]).is_err());
    for dialect in [R20, Dialect::Foundry, Dialect::D20, Dialect::Default] {
        let error = total(dialect, "1d(1d2-2)", &[1]).expect_err("no faces");
        assert!(error.contains("at least 1"), "{dialect:?}: {error}");
    }
    assert!(total(R20, "1d(0.4)", &[]).is_err_and(|e| e.contains("at least 1")));
}

/// Matches: `m` flags dice that show a value at least two (or N) of them
/// show; `mt` totals the number of such values; a compare point limits
/// which dice may match.
#[test]
fn matches() {
    let flagged = |input: &str, faces: &[i64]| -> (f64, Vec<i64>) {
        let expr = parse_with(input, &ParseOptions::dialect(R20)).expect("parses");
        let rolled = replay(&expr, faces, &RollOptions::default()).expect("rolls");
        let matched = rolled
            .all_dice()
            .filter(|d| d.success())
            .map(|d| d.value)
            .collect();
        (rolled.total(), matched)
    };
    assert_eq!(flagged("4d6m", &[3, 5, 3, 1]), (12.0, vec![3, 3]));
    assert_eq!(flagged("4d6mt", &[3, 5, 3, 1]), (1.0, vec![3, 3]));
    assert_eq!(
        flagged("6d6mt", &[2, 2, 4, 4, 4, 6]),
        (2.0, vec![2, 2, 4, 4, 4])
    );
    assert_eq!(flagged("6d6mt3", &[2, 2, 4, 4, 4, 6]), (1.0, vec![4, 4, 4]));
    assert_eq!(flagged("6d6mt>3", &[2, 2, 4, 4, 5, 6]), (1.0, vec![4, 4]));
    assert_eq!(flagged("4d6mt", &[1, 2, 3, 4]), (0.0, vec![]));
    assert_eq!(flagged("4d6kh3mt", &[6, 1, 1, 6]), (1.0, vec![6, 6]));
    assert_eq!(bounds(R20, "4d6mt"), (Some(0.0), Some(2.0)));
    // With a margin of success the total is the sets' margin over (or under) the target,
    // in the bounds as in the roll (found by fuzz-dice: `d2ms2mt` rolled -2 with bounds 0 to 0).
    assert_eq!(total(R20, "4d6mtms>=1", &[3, 5, 3, 1]), Ok(0.0));
    assert_eq!(bounds(R20, "4d6mtms>=1"), (Some(-1.0), Some(1.0)));
    assert_eq!(total(R20, "4d6mtms<=1", &[3, 5, 3, 3]), Ok(0.0));
    assert_eq!(bounds(R20, "4d6mtms<=1"), (Some(-1.0), Some(1.0)));
    assert_eq!(total(R20, "d2ms2mt", &[1]), Ok(-2.0));
    assert_eq!(bounds(R20, "d2ms2mt"), (Some(-2.0), Some(-2.0)));
    assert_eq!(bounds(R20, "20d6mt"), (Some(0.0), Some(6.0)));
    assert_eq!(bounds(R20, "4d6m"), (Some(4.0), Some(24.0)));
    for (input, printed) in [
        ("4d6m", "4d6m"),
        ("6d6MT3>3", "6d6mt3>=3"),
        ("4d6mt2", "4d6mt"),
        // Before another letter the set size is written, or `m` then `sa` would read as
        // `ms` (found by fuzz-dice).
        ("4d6m2sa", "4d6m2sa"),
        ("4d6mt2sd", "4d6mt2sd"),
        ("4d6mkh3", "4d6m2kh3"),
    ] {
        let expr = parse_with(input, &ParseOptions::dialect(R20)).expect("parses");
        assert_eq!(expr.to_string(), printed);
        let again = parse_with(printed, &ParseOptions::dialect(R20)).expect("the text parses");
        assert_eq!(again, expr, "{printed}");
    }
    assert!(
        parse_with("4d6m1", &ParseOptions::dialect(R20))
            .is_err_and(|e| e.to_string().contains("at least 2 dice"))
    );
}

/// Group rolls: with one sub-roll, keep and drop apply to its dice
/// (`{4d6+3d8}k4` keeps the highest 4 of the 7 dice); with several, to the
/// sub-rolls' totals.
#[test]
fn group_rolls_single_and_several() {
    assert_eq!(total(R20, "{3d6+2d10}kh1", &[3, 5, 2, 7, 9]), Ok(9.0));
    assert_eq!(total(R20, "{4d6+3d8}k4", &[1, 2, 3, 4, 5, 6, 7]), Ok(22.0));
    assert_eq!(total(R20, "{4d6+3d8}dl5", &[1, 2, 3, 4, 5, 6, 7]), Ok(13.0));
    assert_eq!(total(R20, "{3d6, 2d10}kh1", &[3, 5, 2, 7, 9]), Ok(16.0));
    assert_eq!(total(R20, "{3d6, 2d10}kl1", &[3, 5, 2, 7, 9]), Ok(10.0));
    assert_eq!(total(R20, "{3d6+2d10}", &[3, 5, 2, 7, 9]), Ok(26.0));
    assert_eq!(bounds(R20, "{3d6+2d10}kh1"), (Some(1.0), Some(10.0)));
    // Sound, not exact: any kept die may be a d8 (30 is the exact greatest).
    assert_eq!(bounds(R20, "{4d6+3d8}k4"), (Some(4.0), Some(32.0)));
    assert_eq!(bounds(R20, "{3d6, 2d10}kh1"), (Some(3.0), Some(20.0)));
    let expr = parse_with("{3d6+2d10}kh1", &ParseOptions::dialect(R20)).expect("parses");
    let rolled = replay(&expr, &[3, 5, 2, 7, 9], &RollOptions::default()).expect("rolls");
    assert_eq!(
        rolled.markdown(),
        "{3d6 (3, 5, 2) + 2d10 (7, 9)}kh1 (~~3~~, ~~5~~, ~~2~~, ~~7~~, 9) = `9`"
    );
}
