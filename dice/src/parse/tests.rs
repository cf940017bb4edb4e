//! Unit tests of the parser: canonical text for each construct, and error messages.

use crate::{Dialect, ParseOptions, parse_with};
use expect_test::{Expect, expect};

fn check(dialect: Dialect, input: &str, expected: Expect) {
    let actual = match parse_with(input, &ParseOptions::dialect(dialect)) {
        Ok(expr) => expr.to_string(),
        Err(error) => format!(
            "error {}..{}: {error}",
            error.span().start,
            error.span().end
        ),
    };
    expected.assert_eq(&actual);
}

#[test]
fn arithmetic_prints_canonically() {
    check(Dialect::Default, "1+2*3", expect!["1 + 2 * 3"]);
    check(Dialect::Default, "(1+2)*3", expect!["(1 + 2) * 3"]);
    check(Dialect::Default, "2^3^2", expect!["2 ** 3 ** 2"]);
    check(Dialect::Default, "(2^3)^2", expect!["(2 ** 3) ** 2"]);
    check(Dialect::Default, "-2**2", expect!["-2 ** 2"]);
    check(Dialect::Default, "(-2)**2", expect!["(-2) ** 2"]);
    check(Dialect::Default, "1-(2-3)", expect!["1 - (2 - 3)"]);
    check(Dialect::Default, " 1.50 /  .5 ", expect!["1.5 / 0.5"]);
    check(Dialect::Default, "FLOOR(7/2)", expect!["floor(7 / 2)"]);
}

#[test]
fn dice_and_modifiers_print_canonically() {
    check(Dialect::Default, "2D20KH1+5", expect!["2d20kh1 + 5"]);
    check(Dialect::Default, "4d6d1", expect!["4d6dl1"]);
    check(Dialect::Default, "4d6k3", expect!["4d6kh3"]);
    check(Dialect::Default, "3d6x>5", expect!["3d6!>5"]);
    check(Dialect::Default, "3d6!p", expect!["3d6!p"]);
    check(Dialect::Default, "3d6!pp>3", expect!["3d6!pp>3"]);
    check(Dialect::Default, "3d6!p>3", expect!["3d6!p>3"]);
    check(Dialect::Default, "1d20r", expect!["1d20ro"]);
    check(Dialect::Roll20, "1d20r<2", expect!["1d20rr<=2"]);
    check(Dialect::Roll20, "3d6>5f<2", expect!["3d6>=5f<=2"]);
    check(Dialect::Foundry, "10d6cs>4df=1", expect!["10d6cs>4f=1"]);
    check(Dialect::Default, "4dF", expect!["4dF"]);
    check(Dialect::Default, "d%", expect!["d%"]);
    check(Dialect::Default, "(1d4)d6", expect!["(1d4)d6"]);
    check(Dialect::Default, "2d(1d6+2)", expect!["2d(1d6 + 2)"]);
    check(Dialect::Default, "4d6min2max5", expect!["4d6min2max5"]);
    check(Dialect::Default, "4d6mi2ma5", expect!["4d6min2max5"]);
    check(Dialect::Default, "4d6sd", expect!["4d6sd"]);
    check(Dialect::Default, "{4d6, 3d8}kh1", expect!["{4d6, 3d8}kh1"]);
    check(
        Dialect::Default,
        "1d6[fire] + 2[STR]",
        expect!["1d6[fire] + 2[STR]"],
    );
    check(
        Dialect::Default,
        "1d20+5 \"Attack\"",
        expect![[r#"1d20 + 5 "Attack""#]],
    );
    check(
        Dialect::Default,
        "1d20+5 Attack roll",
        expect![[r#"1d20 + 5 "Attack roll""#]],
    );
}

#[test]
fn d20_dialect_reads_avrae() {
    check(Dialect::D20, "4d6k3", expect!["4d6k=3"]);
    check(Dialect::D20, "4d6kh3", expect!["4d6kh3"]);
    check(Dialect::D20, "4d6pl1", expect!["4d6pl1"]);
    check(Dialect::D20, "4d6d2", expect!["4d6d2"]);
    check(Dialect::D20, "1d20e20", expect!["1d20e20"]);
}

#[test]
fn errors_name_what_was_expected() {
    check(
        Dialect::Default,
        "1d6kh",
        expect!["error 5..5: expected a number after 'kh'"],
    );
    check(
        Dialect::Default,
        "2d",
        expect![
            "error 2..2: expected the number of faces after 'd', found the end of the expression"
        ],
    );
    check(
        Dialect::Default,
        "",
        expect!["error 0..0: expected an expression"],
    );
    check(
        Dialect::Default,
        "1d1!",
        expect!["error 3..4: this explosion matches every face of a d1 and would never stop"],
    );
    check(
        Dialect::Roll20,
        "1d6r<6",
        expect!["error 3..6: this reroll matches every face of a d6 and would never stop"],
    );
    check(
        Dialect::Default,
        "1d6q",
        expect!["error 3..4: unknown modifier 'q'"],
    );
}

#[test]
fn roll20_cs_and_cf_set_critical_ranges_and_foundry_reads_bare_keep() {
    check(Dialect::Roll20, "1d20cs>18cf<3", expect!["1d20cs>=18cf<=3"]);
    check(Dialect::Roll20, "3d6>5", expect!["3d6>=5"]);
    check(Dialect::Foundry, "2d20kh", expect!["2d20kh1"]);
    check(Dialect::Foundry, "4d6dl", expect!["4d6dl1"]);
    check(
        Dialect::Default,
        "2d20kh",
        expect!["error 6..6: expected a number after 'kh'"],
    );
}

/// Compares the fast lane with the full grammar on one input.
fn fast_lane_agrees(input: &str, options: &crate::ParseOptions) {
    let fast = super::fast::plain_sum(input, options);
    let mut full = super::Parser {
        input,
        options,
        nodes: super::node_storage(input),
        depth: 0,
        dice_hint: 0,
    };
    let full = full.expression(input).and_then(|(rest, _)| {
        full.comment(rest)?;
        Ok((full.nodes, full.dice_hint))
    });
    match (fast, full) {
        (Some(fast), Ok((nodes, hint))) => {
            assert_eq!(fast.nodes.as_slice(), nodes.as_slice(), "{input}");
            let spans = |n: &[crate::ast::Node]| {
                n.iter()
                    .flat_map(|n| {
                        let modifiers = match &n.kind {
                            crate::ast::NodeKind::Dice(dice) => dice.modifiers.as_slice(),
                            _ => &[],
                        };
                        std::iter::once(n.span).chain(modifiers.iter().map(|m| m.span))
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(spans(&fast.nodes), spans(&nodes), "{input}");
            assert_eq!(fast.dice_hint, hint, "{input}");
        }
        (Some(_), Err(error)) => {
            panic!("{input}: the fast lane took what the grammar refuses: {error}")
        }
        (None, _) => {}
    }
}

proptest::proptest! {
    #[test]
    fn the_fast_lane_agrees_on_dice_sums(input in "[0-9dDkKhHlL+-]{1,24}", dialect in 0..4usize) {
        let dialect = [
            crate::Dialect::Default,
            crate::Dialect::Roll20,
            crate::Dialect::Foundry,
            crate::Dialect::D20,
        ][dialect];
        fast_lane_agrees(&input, &crate::ParseOptions::dialect(dialect));
    }
}

/// The fast lane for plain sums builds exactly what the full grammar builds,
/// spans included, and leaves everything else to the full grammar.
#[test]
fn the_fast_lane_matches_the_full_grammar() {
    use crate::{Dialect, ParseOptions};
    let inputs = [
        "1d20",
        "8d6",
        "d20",
        "D6",
        "1d20+1d4+3",
        "3d6+2d8-1",
        "100d6",
        "1000d1000",
        "0d6",
        "5",
        "1-2+3",
        "2d6+3",
        "10000d1",
        "10001d6",
        "1d1000001",
        "1d0",
        "2d",
        "1d6+",
        "1.5",
        "1d20+5",
        "1d6-1d6",
        "99999999999999999999d6",
        "9007199254740993",
        "1d6kh3",
        "4d6d2",
        "2d20kh1+5",
        "2d20kl1-1",
        "4d6kh3",
        "4d6dl1",
        "4d6DL1+4d6Dh1",
        "2d20KH1",
        "2d20kh",
        "2d20kh+5",
        "4d6kh3!",
        "4d6kh3kh2",
        "4d6kh0",
        "4d6kh99999999999999999999",
        "4d6dh1",
        "4d6k3",
        "4d6d1",
        "4d6khl",
        "d20kh1",
    ];
    for dialect in [
        Dialect::Default,
        Dialect::Roll20,
        Dialect::Foundry,
        Dialect::D20,
    ] {
        let options = ParseOptions::dialect(dialect);
        for input in inputs {
            fast_lane_agrees(input, &options);
        }
    }
    // The common rolls do take the fast lane (and so were compared above).
    for input in [
        "1d20",
        "1d20+1d4+3",
        "2d20kh1+5",
        "4d6kh3",
        "4d6dl1",
        "2d20KL1",
    ] {
        let options = ParseOptions::default();
        assert!(super::fast::plain_sum(input, &options).is_some(), "{input}");
    }
    let avrae = ParseOptions::dialect(Dialect::D20);
    assert!(super::fast::plain_sum("4d6kh3", &avrae).is_some());
    assert!(super::fast::plain_sum("4d6dl1", &avrae).is_none());
}
