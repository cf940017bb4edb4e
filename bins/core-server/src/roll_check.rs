//! Core's own check of a reported roll: the dice tree is replayed through
//! `critfumble-dice`, and a VTT's record is parsed and verified again through
//! `critfumble-vtt`. Core then stores the total the dice make and its own verdict, never
//! the reporter's.

use critfumble_dice::{Dialect, ParseOptions, RollOptions};
use critfumble_sdk::wire::{
    DiceFaces, NewRoll, RolledDice, RolledDie, RolledNode, VttFormat, VttRecord,
};

use crate::store::D20Summary;

/// Totals closer than this are equal (fractional modifiers such as Foundry's `+ 0.1`).
const TOLERANCE: f64 = 1e-9;

/// What Core concluded about a roll.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The total to store: the one the dice make when Core could replay them, else the
    /// reporter's.
    pub total: f64,
    /// Whether every record of the roll (the tree, the VTT's record) replayed, they agree,
    /// and the reported total is theirs.
    pub verified: bool,
    /// The d20s of a tree that replayed (none for one that did not: an unchecked tree
    /// could claim any faces).
    pub d20: D20Summary,
    /// The engine's Markdown of a tree that replayed, which Core stores instead of the
    /// reporter's, so that what people and the AI read is what the dice did.
    pub markdown: Option<String>,
}

/// Why a roll's records cannot even be read.
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The field at fault, in its JSON spelling.
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: String,
}

/// Checks `roll`'s tree and VTT record. An unknown dialect, or a VTT record that does not
/// parse or does not belong to the roll's source, is [`Unreadable`]; anything that reads
/// but does not add up gives a verdict of not verified.
pub fn check(roll: &NewRoll) -> Result<Verdict, Unreadable> {
    let dialect: Dialect = match roll.dialect.as_deref() {
        None => Dialect::Default,
        Some(name) => name
            .parse()
            .map_err(|error: critfumble_dice::ConfigError| Unreadable {
                field: "dialect",
                reason: error.to_string(),
            })?,
    };
    let replay = roll
        .rolled
        .as_ref()
        .map(|tree| replay_tree(&roll.expression, dialect, tree));
    let tree = replay
        .as_ref()
        .map(|replayed| replayed.as_ref().map(|(total, _)| *total));
    let record = roll
        .vtt_record
        .as_ref()
        .map(|record| vtt_total(roll, record))
        .transpose()?;
    let recomputed = match (tree, record) {
        (None, None) => None,
        (Some(tree), None) => tree,
        (None, Some(record)) => record,
        (Some(tree), Some(record)) => match (tree, record) {
            (Some(a), Some(b)) if (a - b).abs() < TOLERANCE => Some(a),
            _ => None,
        },
    };
    let replayed_tree = matches!(tree, Some(Some(_)));
    Ok(Verdict {
        total: recomputed
            .or(tree.flatten())
            .or(record.flatten())
            .unwrap_or(roll.total),
        verified: recomputed.is_some_and(|total| (total - roll.total).abs() < TOLERANCE),
        d20: match (&roll.rolled, replayed_tree) {
            (Some(tree), true) => D20Summary::of_tree(tree),
            _ => D20Summary::default(),
        },
        markdown: replay.flatten().map(|(_, markdown)| markdown),
    })
}

/// The total and the Markdown of `tree` when its dice, replayed through `expression`, give
/// back exactly this tree: every die, flag and node value.
fn replay_tree(expression: &str, dialect: Dialect, tree: &RolledNode) -> Option<(f64, String)> {
    let faces = draws(tree)?;
    let options = ParseOptions {
        dialect,
        ..ParseOptions::default()
    };
    let expr = critfumble_dice::parse_with(expression, &options).ok()?;
    let mut roll_options = RollOptions::default();
    // A reference's value is the reporter's, as a written modifier is: what is checked is
    // that the dice make the total with it.
    for node in tree.post_order() {
        if let RolledNode::Reference(reference) = node {
            roll_options
                .vars
                .insert(reference.name.clone(), reference.value);
        }
    }
    let rolled = critfumble_dice::replay(&expr, &faces, &roll_options).ok()?;
    let replayed = RolledNode::from_json(serde_json::to_value(&rolled).ok()?);
    (replayed == *tree).then(|| (rolled.total(), rolled.markdown()))
}

/// The faces the roller drew for `tree`, in the order it drew them: the forced sequence
/// that makes `critfumble_dice::replay` roll the same tree. `None` when the tree holds a
/// node this version does not know.
///
/// A dice term draws its initial dice first, then, die by die, what each one's rerolls
/// and explosions added (the dice engine's `Dialect` docs). The tree lists each die
/// followed by what it added: a die that was added, or that follows a rerolled or
/// exploded (not compounded) one, belongs to the die before it.
pub fn draws(tree: &RolledNode) -> Option<Vec<i64>> {
    let mut faces = Vec::new();
    for node in tree.post_order() {
        match node {
            RolledNode::Other(_) => return None,
            RolledNode::Dice(dice) => {
                // The faces of each initial die and of what it added, in order.
                let mut per_die: Vec<Vec<i64>> = Vec::new();
                let mut previous: Option<&RolledDie> = None;
                for die in &dice.dice {
                    let drawn = match &die.parts {
                        Some(parts) => parts.clone(),
                        None => vec![drawn_face(dice, die)],
                    };
                    let continues = die.added
                        || previous
                            .is_some_and(|p| p.rerolled || (p.exploded && p.parts.is_none()));
                    match per_die.last_mut() {
                        Some(faces_of_die) if continues => faces_of_die.extend(drawn),
                        _ => per_die.push(drawn),
                    }
                    previous = Some(die);
                }
                faces.extend(per_die.iter().filter_map(|f| f.first().copied()));
                faces.extend(per_die.iter().flat_map(|f| f.iter().skip(1).copied()));
            }
            _ => {}
        }
    }
    Some(faces)
}

/// The face a die was drawn with. A penetrating die shows one less than it rolled. A
/// clamped die lost its roll to `min` or `max`; its critical and fumble flags still tell
/// a roll of the highest or lowest face, and otherwise any face between the clamp and
/// the die's range replays it, so the nearest one is taken.
fn drawn_face(dice: &RolledDice, die: &RolledDie) -> i64 {
    let shown = die.value + i64::from(die.penetrated);
    if !die.clamped {
        return shown;
    }
    let (lowest, highest) = face_range(dice);
    if die.critical {
        return highest;
    }
    if die.fumble {
        return lowest;
    }
    let clamp = |kind: &str| {
        dice.modifiers.iter().any(|modifier| {
            modifier.get("type").and_then(serde_json::Value::as_str) == Some(kind)
                && modifier.get("value").and_then(serde_json::Value::as_i64) == Some(shown)
        })
    };
    if clamp("min") {
        shown - 1
    } else if clamp("max") {
        shown + 1
    } else {
        shown
    }
}

/// The lowest and highest face of the dice of a node.
fn face_range(dice: &RolledDice) -> (i64, i64) {
    match (&dice.faces, dice.rolled_faces.as_deref()) {
        (DiceFaces::Fate, _) | (_, Some("F")) => (-1, 1),
        (DiceFaces::Percent, _) | (_, Some("%")) => (1, 100),
        (DiceFaces::Literal(faces), _) => (1, i64::try_from(*faces).unwrap_or(i64::MAX)),
        (_, Some(faces)) => (1, faces.parse().unwrap_or(i64::MAX)),
        (_, None) => (1, i64::MAX),
    }
}

/// The total of a VTT's record when `critfumble-vtt` verifies it again: `Some(total)`
/// for a message of one verified roll, `None` for one that does not verify.
fn vtt_total(roll: &NewRoll, record: &VttRecord) -> Result<Option<f64>, Unreadable> {
    if roll.source.vtt() != Some(record.format.vtt()) {
        return Err(Unreadable {
            field: "vtt_record.format",
            reason: format!(
                "a {} record cannot be the record of a roll from {}",
                record.format.as_str(),
                roll.source
            ),
        });
    }
    let format = match record.format {
        VttFormat::Roll20Html => critfumble_vtt::Format::Roll20Html,
        VttFormat::Roll20Api => critfumble_vtt::Format::Roll20Api,
        VttFormat::Foundry => critfumble_vtt::Format::Foundry,
        VttFormat::Ddb => critfumble_vtt::Format::Ddb,
    };
    let parsed = critfumble_vtt::parse(format, &record.message).map_err(|error| Unreadable {
        field: "vtt_record.message",
        reason: error.to_string(),
    })?;
    let [message] = parsed.records() else {
        return Err(Unreadable {
            field: "vtt_record.message",
            reason: "must hold exactly one chat message".to_owned(),
        });
    };
    Ok(match (message.verified, message.total) {
        (Some(true), Some(total)) => Some(total),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(expression: &str, faces: &[i64]) -> RolledNode {
        let expr = critfumble_dice::parse(expression).unwrap();
        let rolled = critfumble_dice::replay(&expr, faces, &RollOptions::default()).unwrap();
        RolledNode::from_json(serde_json::to_value(&rolled).unwrap())
    }

    #[test]
    fn draws_give_back_the_forced_faces() {
        // Each expression with the faces that roll it, in the order drawn: compounding,
        // rerolls, penetration and clamps included.
        let cases: &[(&str, &[i64])] = &[
            ("2d20kh1+5", &[3, 17]),
            ("4d6!!", &[6, 6, 2, 1, 4, 5]),
            ("3d6r1", &[1, 4, 2, 6]),
            ("2d6!p", &[6, 6, 3, 2]),
            ("4d6min3max5", &[1, 6, 2, 5]),
            ("4d6min3max5", &[4, 3, 6, 1]),
            ("(1d4)d6+{1d8, 2d4}kh1", &[2, 5, 6, 7, 3, 1]),
            ("4dF", &[-1, 0, 1, 1]),
            ("1d%", &[77]),
            // Initial dice first, then what each added (issue 19).
            ("2d6r1", &[1, 1, 5, 3]),
            ("2d6!", &[6, 6, 2, 4]),
            ("3d6!", &[6, 4, 1, 6, 2]),
            ("1d6!r1", &[6, 1, 4]),
            ("3d6ra1", &[1, 2, 1, 5]),
            ("2d6rr1!", &[1, 6, 1, 4, 3]),
        ];
        for (expression, faces) in cases {
            assert_eq!(
                draws(&tree(expression, faces)).as_deref(),
                Some(*faces),
                "{expression}"
            );
        }
    }

    #[test]
    fn d20s_are_counted_from_typed_trees() {
        assert_eq!(
            D20Summary::of_tree(&tree("2d20kh1+1d20", &[20, 1, 11])),
            D20Summary {
                count: 3,
                sum: 32,
                nat20s: 1,
                nat1s: 1
            }
        );
        assert_eq!(
            D20Summary::of_tree(&tree("3d6", &[1, 6, 2])),
            D20Summary::default()
        );
    }
}
