//! A roll at the table: parsed and rolled here with `critfumble-dice` (a client sends only
//! the expression), reported to Core as an `activity` roll through the outbox, and shown
//! on the table as a [`TableRoll`]. A `/roll` in the channel becomes a table roll the same
//! way, from its report.

use critfumble_dice::{Dialect, ParseOptions, RollOptions, parse_with, roll_with};
use critfumble_sdk::wire::{
    NewRoll, RollActor, RollSource, TABLE_EXPRESSION_MAX_CHARS, TableDie, TableRoll, TableUser,
};

use crate::core_access::CoreAccess;
use crate::discord::roll::{dice_tree, limits};
use crate::discord::text::clip;

/// A table roll before it has its place in the room's log, with its report to Core.
#[derive(Debug, Clone)]
pub struct Made {
    /// The report, for the outbox.
    pub report: NewRoll,
    /// The roll as the table shows it (`seq` still 0).
    pub roll: TableRoll,
}

/// Rolls `expression` for `user` at the table of `channel_id`. The error is the sentence
/// to show: the expression with a caret under the fault.
pub fn roll(
    core: &CoreAccess,
    expression: &str,
    user: &TableUser,
    channel_id: &str,
) -> Result<Made, String> {
    if expression.trim().is_empty() {
        return Err("Type some dice to roll, such as 1d20+5.".to_owned());
    }
    if expression.chars().count() > TABLE_EXPRESSION_MAX_CHARS {
        return Err(format!(
            "That expression is too long: at most {TABLE_EXPRESSION_MAX_CHARS} characters."
        ));
    }
    let options = ParseOptions {
        dialect: Dialect::Default,
        limits: limits(),
    };
    let expr =
        parse_with(expression, &options).map_err(|error| error.render_with_input(expression))?;
    let roll_options = RollOptions {
        limits: limits(),
        ..RollOptions::default()
    };
    let rolled = roll_with(&expr, &mut rand::rng(), &roll_options)
        .map_err(|error| error.render_with_input(expression))?;
    // The channel's campaign and session when this process knows them; otherwise the
    // drainer looks them up before it reports.
    let known = core.cached_channel(channel_id).flatten();
    let report = NewRoll {
        source: RollSource::Activity,
        actor: RollActor {
            user_id: None,
            discord_id: Some(user.id.clone()),
            vtt_user_id: None,
            name: clip(&user.name, 200),
        },
        campaign_id: known.map(|found| found.campaign_id),
        session_id: known.and_then(|found| found.session_id),
        channel_id: Some(channel_id.to_owned()),
        expression: expression.to_owned(),
        dialect: None,
        total: rolled.total(),
        rolled: dice_tree(&rolled),
        markdown: Some(clip(&rolled.markdown(), 20_000)),
        label: rolled.expr().comment().map(|comment| clip(comment, 200)),
        private: false,
        vtt_record: None,
        verified: None,
        rolled_at: chrono::Utc::now(),
    };
    let roll = table_roll(&report, user.clone());
    Ok(Made { report, roll })
}

/// The table's view of a reported roll.
pub fn table_roll(report: &NewRoll, user: TableUser) -> TableRoll {
    TableRoll {
        seq: 0,
        user,
        source: report.source,
        expression: report.expression.clone(),
        label: report.label.clone(),
        total: report.total,
        dice: report
            .rolled
            .as_ref()
            .map(TableDie::all_in)
            .unwrap_or_default(),
        markdown: report.markdown.clone().unwrap_or_default(),
        rolled_at: report.rolled_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> CoreAccess {
        CoreAccess::new("http://127.0.0.1:9", "cfk_test").unwrap()
    }

    fn user() -> TableUser {
        TableUser {
            id: "42".to_owned(),
            name: "Mira".to_owned(),
            avatar: None,
        }
    }

    #[test]
    fn a_table_roll_carries_every_die_and_replays_to_its_total() {
        let made = roll(&core(), "4d6kh3 \"Strength\"", &user(), "77").unwrap();
        assert_eq!(made.report.source, RollSource::Activity);
        assert_eq!(made.report.channel_id.as_deref(), Some("77"));
        assert_eq!(made.report.actor.discord_id.as_deref(), Some("42"));
        assert_eq!(made.roll.label.as_deref(), Some("Strength"));
        assert_eq!(made.roll.dice.len(), 4);
        // The oracle: the dice engine replaying the faces gives the same total.
        let faces: Vec<i64> = made.roll.dice.iter().map(|die| die.value).collect();
        let expr = critfumble_dice::parse("4d6kh3").unwrap();
        let replayed = critfumble_dice::replay(&expr, &faces, &RollOptions::default()).unwrap();
        assert_eq!(replayed.total(), made.roll.total);
        assert_eq!(made.roll.dice.iter().filter(|die| die.kept).count(), 3);
        for die in &made.roll.dice {
            assert_eq!(die.faces, Some(6));
            assert_eq!(die.critical, die.value == 6);
            assert_eq!(die.fumble, die.value == 1);
        }
    }

    #[test]
    fn bad_expressions_point_at_the_fault() {
        let error = roll(&core(), "1d20+", &user(), "77").unwrap_err();
        assert!(error.contains('^'), "{error}");
        assert!(
            roll(&core(), "  ", &user(), "77")
                .unwrap_err()
                .contains("Type some dice")
        );
        let long = "1+".repeat(600);
        assert!(
            roll(&core(), &long, &user(), "77")
                .unwrap_err()
                .contains("too long")
        );
        // Past FumbleBot's dice limit, before anything is rolled.
        let error = roll(&core(), "1501d6", &user(), "77").unwrap_err();
        assert!(error.contains("1500"), "{error}");
    }
}
