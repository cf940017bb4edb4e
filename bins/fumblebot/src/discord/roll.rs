//! `/roll` and the **Reroll** button: parse, roll, write the report to the outbox, answer.
//! Nothing here waits on Core, so the answer goes out at once.

use critfumble_dice::{Dialect, Limits, ParseOptions, RollOptions, Rolled, parse_with, roll_with};
use critfumble_sdk::wire::{NewRoll, RollActor, RollSource};
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateButton, CreateInteractionResponse, EditInteractionResponse,
};

use super::handler::Invocation;
use super::reply::{Followup, Reply, message, whisper};
use super::text::{MAX_CONTENT_CHARS, caret_error, clip, escape_markdown, number};
use crate::outbox::{OutboxEntry, OutboxItem};
use crate::state::AppState;

/// The most dice one Discord roll may roll, explosions and rerolls included. A die's record
/// in the report is about 140 bytes of JSON, so this keeps every report within Core's body
/// limit (a test checks the worst case); the dice crate's own default is 10,000.
pub const MAX_DICE: u64 = 1_500;

/// The limits of a roll made in Discord.
pub fn limits() -> Limits {
    Limits {
        max_dice: MAX_DICE,
        ..Limits::default()
    }
}

/// The prefix of a Reroll button's custom id: `reroll:<user>:<dialect><private>:<expression>`.
const REROLL: &str = "reroll";
/// Discord's limit on a custom id.
const MAX_CUSTOM_ID: usize = 100;

/// A roll as posted: the message's text and, when the expression fits a custom id, a
/// Reroll button.
#[derive(Debug, Clone)]
pub struct Posted {
    /// The message content (at most 2,000 characters).
    pub content: String,
    /// The Reroll button's custom id.
    pub reroll: Option<String>,
    /// Whether only the roller sees it.
    pub private: bool,
}

impl Posted {
    fn components(&self) -> Vec<CreateActionRow> {
        self.reroll
            .iter()
            .map(|custom_id| {
                CreateActionRow::Buttons(vec![
                    CreateButton::new(custom_id.clone())
                        .label("Reroll")
                        .emoji('🎲')
                        .style(ButtonStyle::Secondary),
                ])
            })
            .collect()
    }

    /// As an immediate response.
    pub fn now(&self) -> Reply {
        Reply::now(CreateInteractionResponse::Message(
            message(&self.content)
                .components(self.components())
                .ephemeral(self.private),
        ))
    }

    /// As the edit that finishes a deferred command.
    pub fn later(&self) -> Followup {
        Followup::edit(
            EditInteractionResponse::new()
                .content(self.content.clone())
                .components(self.components()),
        )
    }
}

/// `/roll expression [private] [dialect]`.
pub async fn roll(
    state: &AppState,
    invocation: &Invocation,
    expression: &str,
    dialect: Option<&str>,
    private: bool,
) -> Reply {
    let dialect = match dialect.map(parse_dialect) {
        None => Dialect::Default,
        Some(Some(dialect)) => dialect,
        Some(None) => return whisper("Unknown dialect: choose Roll20, Foundry VTT or Avrae."),
    };
    match roll_and_report(state, invocation, expression, dialect, private).await {
        Ok(posted) => posted.now(),
        Err(refusal) => whisper(&refusal),
    }
}

/// A Reroll button: only the original roller may press it; the reroll is a new roll with
/// its own interaction id.
pub async fn press(state: &AppState, invocation: &Invocation, custom_id: &str) -> Reply {
    let Some((owner, dialect, private, expression)) = parse_reroll(custom_id) else {
        return whisper("This button is not FumbleBot's, or it is out of date.");
    };
    if owner != invocation.user_id {
        return whisper("That's not your roll. Roll your own with `/roll`.");
    }
    match roll_and_report(state, invocation, expression, dialect, private).await {
        Ok(posted) => posted.now(),
        Err(refusal) => whisper(&refusal),
    }
}

/// Parses and rolls `expression`, writes the roll's report to the outbox (it is stored when
/// this returns), and gives the message. The error is the sentence to show the user.
pub async fn roll_and_report(
    state: &AppState,
    invocation: &Invocation,
    expression: &str,
    dialect: Dialect,
    private: bool,
) -> Result<Posted, String> {
    let options = ParseOptions {
        dialect,
        limits: limits(),
    };
    let expr = parse_with(expression, &options).map_err(|error| caret_error(expression, &error))?;
    let roll_options = RollOptions {
        limits: limits(),
        ..RollOptions::default()
    };
    let rolled = roll_with(&expr, &mut rand::rng(), &roll_options)
        .map_err(|error| caret_error(expression, &error))?;
    let content = content(invocation.user_id, &rolled);
    let entry = OutboxEntry {
        idempotency_key: invocation.idempotency_key(),
        actor: invocation.actor.clone(),
        item: OutboxItem::Roll(Box::new(report(
            state, invocation, expression, dialect, &rolled, private,
        ))),
    };
    if let Err(error) = state.outbox().append(&entry).await {
        tracing::error!(%error, "cannot write a roll to the outbox");
        return Err(
            "FumbleBot cannot record rolls right now, so it did not roll. Try again in a moment."
                .to_owned(),
        );
    }
    state.wake_outbox();
    if let OutboxItem::Roll(report) = &entry.item {
        crate::activity::relay_discord_roll(state, report, &invocation.actor);
    }
    state.remember_expression(invocation.user_id, expression);
    Ok(Posted {
        content,
        reroll: reroll_id(invocation.user_id, dialect, private, expression),
        private,
    })
}

/// The message: who rolled and the total in bold, then the roll as Markdown (dropped dice
/// struck through, criticals and fumbles in bold). A roll too long for one message keeps
/// its total and sums its dice up instead.
pub fn content(user_id: u64, rolled: &Rolled<'_>) -> String {
    let header = format!("<@{user_id}> 🎲 **{}**", number(rolled.total()));
    let mut full = header.clone();
    full.push('\n');
    rolled.write_markdown(&mut full);
    if full.chars().count() <= MAX_CONTENT_CHARS {
        return full;
    }
    let (mut dice, mut kept, mut critical, mut fumbled) = (0, 0, 0, 0);
    for die in rolled.all_dice() {
        dice += 1;
        if die.kept() {
            kept += 1;
            critical += usize::from(die.critical());
            fumbled += usize::from(die.fumble());
        }
    }
    let label = rolled
        .expr()
        .comment()
        .map(|comment| format!("**{}:** ", escape_markdown(&clip(comment, 200))))
        .unwrap_or_default();
    let notation = clip(&notation_without_comment(rolled), 300).replace('`', "ˋ");
    clip(
        &format!(
            "{header}\n{label}`{notation}`: {dice} dice ({kept} kept, {critical} critical, \
             {fumbled} fumbled), too many to list = `{}`",
            number(rolled.total())
        ),
        MAX_CONTENT_CHARS,
    )
}

/// The canonical notation of the roll without its trailing `"comment"` (the summary shows
/// the comment, escaped, as its label).
fn notation_without_comment(rolled: &Rolled<'_>) -> String {
    let notation = rolled.expr().to_string();
    let Some(comment) = rolled.expr().comment() else {
        return notation;
    };
    // The dice crate writes the comment last, as ` "…"` with `"` and `\` escaped.
    let mut suffix = String::from(" \"");
    for c in comment.chars() {
        if matches!(c, '"' | '\\') {
            suffix.push('\\');
        }
        suffix.push(c);
    }
    suffix.push('"');
    notation
        .strip_suffix(&suffix)
        .map_or_else(|| notation.clone(), str::to_owned)
}

fn report(
    state: &AppState,
    invocation: &Invocation,
    expression: &str,
    dialect: Dialect,
    rolled: &Rolled<'_>,
    private: bool,
) -> NewRoll {
    let channel_id = invocation.channel_id.to_string();
    // The channel's campaign and session when this process knows them; otherwise the
    // drainer looks them up before it reports.
    let known = state.core().cached_channel(&channel_id).flatten();
    NewRoll {
        source: RollSource::Discord,
        actor: RollActor {
            user_id: None,
            discord_id: Some(invocation.actor.discord_id.clone()),
            vtt_user_id: None,
            name: clip(&invocation.actor.name, 200),
        },
        campaign_id: known.map(|found| found.campaign_id),
        session_id: known.and_then(|found| found.session_id),
        channel_id: Some(channel_id),
        expression: clip(expression, 1_000),
        // Core replays the tree in the dialect the expression was read in.
        dialect: match dialect {
            Dialect::Roll20 => Some("roll20".to_owned()),
            Dialect::Foundry => Some("foundry".to_owned()),
            Dialect::D20 => Some("d20".to_owned()),
            _ => None,
        },
        total: rolled.total(),
        rolled: dice_tree(rolled),
        markdown: Some(clip(&rolled.markdown(), 20_000)),
        label: rolled.expr().comment().map(|comment| clip(comment, 200)),
        private,
        vtt_record: None,
        verified: None,
        rolled_at: chrono::Utc::now(),
    }
}

/// The rolled tree as the report carries it: the dice crate's serialization, read into
/// whatever type the SDK gives `NewRoll::rolled`.
pub(crate) fn dice_tree<T: serde::de::DeserializeOwned + Default>(rolled: &Rolled<'_>) -> T {
    serde_json::to_value(rolled)
        .and_then(serde_json::from_value)
        .unwrap_or_default()
}

fn parse_dialect(name: &str) -> Option<Dialect> {
    match name {
        "default" => Some(Dialect::Default),
        "roll20" => Some(Dialect::Roll20),
        "foundry" => Some(Dialect::Foundry),
        "d20" => Some(Dialect::D20),
        _ => None,
    }
}

fn dialect_flag(dialect: Dialect) -> char {
    match dialect {
        Dialect::Roll20 => 'r',
        Dialect::Foundry => 'f',
        Dialect::D20 => 'd',
        _ => 'n',
    }
}

/// The Reroll button's custom id, or `None` when the expression is too long for one (the
/// roll is then posted without the button).
fn reroll_id(user_id: u64, dialect: Dialect, private: bool, expression: &str) -> Option<String> {
    let private = if private { 'p' } else { 'o' };
    let id = format!(
        "{REROLL}:{user_id}:{}{private}:{expression}",
        dialect_flag(dialect)
    );
    (id.chars().count() <= MAX_CUSTOM_ID).then_some(id)
}

fn parse_reroll(custom_id: &str) -> Option<(u64, Dialect, bool, &str)> {
    let rest = custom_id.strip_prefix(REROLL)?.strip_prefix(':')?;
    let (owner, rest) = rest.split_once(':')?;
    let (flags, expression) = rest.split_once(':')?;
    let mut flags = flags.chars();
    let dialect = match flags.next()? {
        'r' => Dialect::Roll20,
        'f' => Dialect::Foundry,
        'd' => Dialect::D20,
        'n' => Dialect::Default,
        _ => return None,
    };
    let private = match flags.next()? {
        'p' => true,
        'o' => false,
        _ => return None,
    };
    Some((owner.parse().ok()?, dialect, private, expression))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reroll_ids_round_trip() {
        let id = reroll_id(42, Dialect::Roll20, true, "2d20kh1+5 \"Attack\"").unwrap();
        assert_eq!(id, "reroll:42:rp:2d20kh1+5 \"Attack\"");
        assert_eq!(
            parse_reroll(&id),
            Some((42, Dialect::Roll20, true, "2d20kh1+5 \"Attack\""))
        );
        // An expression with ':' in it survives, and a long one gets no button.
        let id = reroll_id(1, Dialect::Default, false, "1d20 \"a: b\"").unwrap();
        assert_eq!(
            parse_reroll(&id),
            Some((1, Dialect::Default, false, "1d20 \"a: b\""))
        );
        assert_eq!(
            reroll_id(1, Dialect::Default, false, &"1+".repeat(60)),
            None
        );
        assert_eq!(parse_reroll("reroll:x:no:1d6"), None);
        assert_eq!(parse_reroll("other:1:no:1d6"), None);
    }

    #[test]
    fn the_largest_report_fits_cores_body_limit() {
        // The most dice, each with the most digits, and a long comment.
        let expression = format!("{MAX_DICE}d1000000 \"{}\"", "x".repeat(200));
        let expr = critfumble_dice::parse(&expression).unwrap();
        let rolled = roll_with(
            &expr,
            &mut critfumble_dice::seeded_rng(3),
            &RollOptions::default(),
        )
        .unwrap();
        let report = NewRoll {
            source: RollSource::Discord,
            actor: RollActor {
                user_id: None,
                discord_id: Some("1".repeat(20)),
                vtt_user_id: None,
                name: "n".repeat(200),
            },
            campaign_id: Some(uuid::Uuid::nil()),
            session_id: Some(uuid::Uuid::nil()),
            channel_id: Some("1".repeat(20)),
            expression: expression.clone(),
            dialect: None,
            total: rolled.total(),
            rolled: dice_tree(&rolled),
            markdown: Some(clip(&rolled.markdown(), 20_000)),
            label: rolled.expr().comment().map(str::to_owned),
            private: false,
            vtt_record: None,
            verified: None,
            rolled_at: chrono::Utc::now(),
        };
        let size = serde_json::to_vec(&report).unwrap().len();
        assert!(size < critfumble_core::BODY_LIMIT_BYTES, "{size} bytes");
        // One die more is refused before anything is rolled.
        let options = ParseOptions {
            dialect: Dialect::Default,
            limits: limits(),
        };
        let error = parse_with(&format!("{}d6", MAX_DICE + 1), &options).unwrap_err();
        assert!(error.to_string().contains("1500"), "{error}");
    }

    #[test]
    fn long_rolls_collapse_and_keep_their_total() {
        for expression in ["100d6", "1000d1000", "1500d6"] {
            let expr = critfumble_dice::parse(expression).unwrap();
            let rolled = roll_with(
                &expr,
                &mut critfumble_dice::seeded_rng(7),
                &RollOptions::default(),
            )
            .unwrap();
            let content = content(9, &rolled);
            assert!(content.chars().count() <= MAX_CONTENT_CHARS, "{expression}");
            let total = number(rolled.total());
            assert!(
                content.starts_with(&format!("<@9> 🎲 **{total}**")),
                "{content}"
            );
            assert!(content.ends_with(&format!("`{total}`")), "{content}");
        }
        // 100d6 still lists its dice; 1000d1000 sums them up.
        let expr = critfumble_dice::parse("1000d1000").unwrap();
        let rolled = roll_with(
            &expr,
            &mut critfumble_dice::seeded_rng(7),
            &RollOptions::default(),
        )
        .unwrap();
        assert!(content(9, &rolled).contains("1000 dice (1000 kept"));
    }

    #[test]
    fn the_summary_shows_the_comment_once_escaped() {
        let expression = format!(
            "1000d6 \"a \\\"quoted\\\" [link](https://x) {}\"",
            "y".repeat(10)
        );
        let expr = critfumble_dice::parse(&expression).unwrap();
        let rolled = roll_with(
            &expr,
            &mut critfumble_dice::seeded_rng(1),
            &RollOptions::default(),
        )
        .unwrap();
        let content = content(9, &rolled);
        assert!(content.contains("`1000d6`: 1000 dice"), "{content}");
        assert!(!content.contains("[link]"), "{content}");
    }

    #[test]
    fn a_known_roll_renders_as_markdown() {
        let expr = critfumble_dice::parse("2d20kh1+5").unwrap();
        let rolled = critfumble_dice::replay(&expr, &[12, 20], &RollOptions::default()).unwrap();
        assert_eq!(
            content(7, &rolled),
            "<@7> 🎲 **25**\n2d20kh1 (~~12~~, **20**) + 5 = `25`"
        );
    }
}
