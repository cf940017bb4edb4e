//! The wire's rolled tree against the dice engine: every tree `critfumble-dice` writes
//! reads into the SDK's `RolledNode` with no unknown node and writes back as the same JSON,
//! and Core's replay check verifies it, over many expressions and seeds. The engine that
//! rolled the tree is the oracle.

use critfumble_core::roll_check;
use critfumble_dice::{Dialect, ParseOptions, RollOptions};
use critfumble_sdk::wire::{NewRoll, RollActor, RollSource, RolledNode};

/// Every node kind, modifier family and dialect, with the values of their references.
const EXPRESSIONS: &[(&str, &str)] = &[
    ("default", "1d20+5"),
    ("default", "2d20kh1+5"),
    ("default", "2d20kl1-1"),
    ("default", "4d6kh3"),
    ("default", "8d6dl2"),
    ("default", "3d6!"),
    ("default", "4d6!!"),
    ("default", "2d10!p"),
    ("default", "3d6xo"),
    ("default", "5d6r1"),
    ("default", "4d6ro<2"),
    ("default", "1d4ra1"),
    ("default", "4d6min2max5"),
    ("default", "1d20min10+3"),
    ("default", "4dF"),
    ("default", "1d%"),
    ("default", "{1d8, 2d4}kh1"),
    ("default", "{3d6, 3d6, 3d6}"),
    ("default", "{4d6kh3}"),
    ("default", "-1d6+3"),
    ("default", "2d6*3-1"),
    ("default", "(2d6+1)/2"),
    ("default", "1d20%7"),
    ("default", "2**3+1d4"),
    ("default", "floor(1d6/2)"),
    ("default", "ceil(3d6/4)"),
    ("default", "round(1d10/3)"),
    ("default", "abs(1d4-3)"),
    ("default", "1d20+@{str}"),
    ("default", "1d20+@abilities.str.mod"),
    ("default", "?{Bonus|2}+1d20"),
    ("default", "1d6[fire]+1d8[cold]"),
    ("default", "(1d4)d6"),
    ("default", "2d(1d6+2)"),
    ("default", "6d10>7"),
    ("default", "10d10>6f<2"),
    ("default", "5d6k>3"),
    ("default", "4d6sd"),
    ("default", "1d20 \"Attack\""),
    ("roll20", "1d20cs>19+5"),
    ("roll20", "3d6!!+2"),
    ("foundry", "2d20kh+3"),
    ("foundry", "4d6x6"),
    ("d20", "1d20ro1+2"),
];

const SEEDS: u64 = 50;

fn options() -> RollOptions {
    let mut options = RollOptions::default();
    for (name, value) in [("str", 3.0), ("abilities.str.mod", 2.0), ("Bonus", 4.0)] {
        options.vars.insert(name.to_owned(), value);
    }
    options
}

fn report(dialect: &str, expression: &str, tree: RolledNode, total: f64) -> NewRoll {
    NewRoll {
        source: RollSource::Discord,
        actor: RollActor {
            name: "tester".to_owned(),
            ..RollActor::default()
        },
        campaign_id: None,
        session_id: None,
        channel_id: None,
        expression: expression.to_owned(),
        dialect: Some(dialect.to_owned()),
        total,
        rolled: Some(tree),
        markdown: None,
        label: None,
        private: false,
        vtt_record: None,
        verified: Some(true),
        rolled_at: chrono::Utc::now(),
    }
}

#[test]
fn every_engine_tree_round_trips_and_replays() {
    let mut checked = 0;
    for &(dialect, expression) in EXPRESSIONS {
        let parse = ParseOptions {
            dialect: dialect.parse::<Dialect>().unwrap(),
            ..ParseOptions::default()
        };
        let expr = critfumble_dice::parse_with(expression, &parse)
            .unwrap_or_else(|error| panic!("{expression}: {error}"));
        for seed in 0..SEEDS {
            let mut rng = critfumble_dice::seeded_rng(seed);
            let rolled = critfumble_dice::roll_with(&expr, &mut rng, &options()).unwrap();
            let json = serde_json::to_value(&rolled).unwrap();
            let tree = RolledNode::from_json(json.clone());
            assert!(
                !tree.has_unknown_nodes(),
                "{expression} seed {seed}: a node read as unknown in {json}"
            );
            assert_eq!(serde_json::to_value(&tree).unwrap(), json, "{expression}");
            let verdict = roll_check::check(&report(dialect, expression, tree, rolled.total()))
                .unwrap_or_else(|unreadable| panic!("{expression}: {unreadable:?}"));
            assert!(
                verdict.verified,
                "{expression} seed {seed}: the replay refuted the engine's own roll {json}"
            );
            assert_eq!(verdict.total, rolled.total(), "{expression}");
            checked += 1;
        }
    }
    assert_eq!(checked, EXPRESSIONS.len() * SEEDS as usize);
}

#[test]
fn a_changed_die_or_total_is_not_verified() {
    let expr = critfumble_dice::parse("3d6+2").unwrap();
    let rolled = critfumble_dice::replay(&expr, &[2, 3, 4], &RollOptions::default()).unwrap();
    let json = serde_json::to_value(&rolled).unwrap();
    let honest = report(
        "default",
        "3d6+2",
        RolledNode::from_json(json.clone()),
        11.0,
    );
    assert!(roll_check::check(&honest).unwrap().verified);
    // A die raised without its node's value: the tree contradicts itself.
    let mut raised = json.clone();
    raised["lhs"]["dice"][0]["value"] = serde_json::json!(6);
    let verdict = roll_check::check(&NewRoll {
        rolled: Some(RolledNode::from_json(raised)),
        ..honest.clone()
    })
    .unwrap();
    assert!(!verdict.verified);
    assert_eq!(
        verdict.total, 11.0,
        "the reporter's total, as nothing replayed"
    );
    // The right dice and a wrong total: Core keeps the dice's total.
    let verdict = roll_check::check(&NewRoll {
        total: 18.0,
        ..honest.clone()
    })
    .unwrap();
    assert_eq!((verdict.verified, verdict.total), (false, 11.0));
    // Another expression than the one rolled.
    let verdict = roll_check::check(&NewRoll {
        expression: "3d6+3".to_owned(),
        ..honest.clone()
    })
    .unwrap();
    assert!(!verdict.verified);
    // No tree and no record: nothing to check.
    let verdict = roll_check::check(&NewRoll {
        rolled: None,
        ..honest
    })
    .unwrap();
    assert_eq!((verdict.verified, verdict.total), (false, 11.0));
}
