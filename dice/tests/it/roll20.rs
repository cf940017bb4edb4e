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
