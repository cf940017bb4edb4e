//! D&D Beyond game-log `dice/roll/fulfilled` messages.
//!
//! The fields read: `id`, `data.action`, `data.context.name`,
//! `data.rolls[].diceNotation.set[].{dieType, dice[].dieValue, operation}`,
//! `data.rolls[].diceNotationStr`, `rollType`, `rollKind` and
//! `result.{constant, values, total}`, and `messageScope`/`messageTarget`
//! (`"userId"` means a private roll to that user).

use crate::crit::CritRule;
use crate::error::VttError;
use crate::json::{self, At};
use crate::record::{
    DiceTerm, DieResult, ExtraRoll, Faces, Kind, Parsed, Role, RollRecord, Source,
};
use crate::verify;
use critfumble_dice::{Dialect, ModifierKind, Select};

/// DDB's `operation`: 0 sums every die, 1 keeps the lowest, 2 keeps the highest.
const KEEP_LOWEST: i64 = 1;
const KEEP_HIGHEST: i64 = 2;

/// Parses one message or an array of messages.
pub(crate) fn parse(input: &str) -> Result<Parsed, VttError> {
    json::parse_each(input, message)
}

fn message(at: At<'_>) -> Result<RollRecord, VttError> {
    let at = at.object()?;
    if let Some(event) = at.opt_str("eventType")?
        && event != "dice/roll/fulfilled"
    {
        return Err(VttError::invalid(
            at.path_of("eventType"),
            format!("is `{event}`, expected `dice/roll/fulfilled`"),
        ));
    }
    let data = at.require("data")?.object()?;
    let mut record = RollRecord::new(Source::DdbGamelog, Kind::Roll);
    record.message_id = at.opt_id("id")?;
    let context = data.get("context");
    record.speaker = match &context {
        Some(context) => context.opt_str("name")?.map(str::to_string),
        None => None,
    };
    let action = data.opt_str("action")?;
    let scope = match at.opt_str("messageScope")? {
        Some(scope) => Some(scope),
        None => context
            .as_ref()
            .map(|c| c.opt_str("messageScope"))
            .transpose()?
            .flatten(),
    };
    if scope == Some("userId") {
        record.private = true;
        let target = match at.opt_id("messageTarget")? {
            Some(target) => Some(target),
            None => context
                .as_ref()
                .map(|c| c.opt_id("messageTarget"))
                .transpose()?
                .flatten(),
        };
        record.whisper_to = target.map(|target| vec![target]);
    }
    let rolls = data.require("rolls")?.array()?;
    if rolls.is_empty() {
        return Err(data.require("rolls")?.wrong("must hold at least one roll"));
    }
    let parsed = rolls
        .iter()
        .map(|roll_at| roll(roll_at, action))
        .collect::<Result<Vec<_>, _>>()?;
    record.set_rolls(parsed);
    Ok(record)
}

fn roll(at: &At<'_>, action: Option<&str>) -> Result<ExtraRoll, VttError> {
    let at = (*at).object()?;
    let roll_type = at.opt_str("rollType")?;
    let roll_kind = at.opt_str("rollKind")?.unwrap_or("");
    let notation = at.require("diceNotation")?.object()?;
    let result = at.require("result")?.object()?;
    let total = result.require("total")?.f64()?;
    let mut dice = Vec::new();
    let mut replay_formula = Vec::new();
    for set in notation.opt_array("set")? {
        let set = set.object()?;
        let die_type = set.require("dieType")?;
        let faces = faces_of(&die_type)?;
        let operation = set
            .get("operation")
            .map(|op| op.i64())
            .transpose()?
            .unwrap_or(0);
        let mut results = Vec::new();
        for die in set.opt_array("dice")? {
            let value = die.require("dieValue")?.i64()?;
            results.push(DieResult { value, kept: true });
        }
        let mut term = DiceTerm {
            faces: Some(faces),
            results,
        };
        let keep = match operation {
            KEEP_LOWEST => Some((Select::Lowest(1), "kl1")),
            KEEP_HIGHEST => Some((Select::Highest(1), "kh1")),
            _ => None,
        };
        if let Some((select, _)) = keep {
            crate::terms::apply_keep(&mut term, &[ModifierKind::Keep(select)]);
        }
        replay_formula.push(format!(
            "{}d{}{}",
            term.results.len(),
            die_type.str()?.trim_start_matches(['d', 'D']),
            keep.map_or("", |(_, suffix)| suffix)
        ));
        dice.push(term);
    }
    let constant = match result.get("constant") {
        Some(constant) => constant.f64()?,
        None => notation.opt_f64("constant")?.unwrap_or(0.0),
    };
    if constant != 0.0 || replay_formula.is_empty() {
        replay_formula.push(format!("{constant}"));
    }
    let formula = match at.opt_str("diceNotationStr")? {
        Some(text) => Some(text.to_string()),
        None => Some(replay_formula.join(" + ")),
    };
    let role = match roll_type {
        Some("to hit") => Some(Role::Attack),
        Some("damage") if roll_kind == "critical hit" => Some(Role::CriticalDamage),
        Some("damage") => Some(Role::Damage),
        Some("save") => Some(Role::Save),
        Some("check") if action.is_some_and(|a| a.eq_ignore_ascii_case("initiative")) => {
            Some(Role::Initiative)
        }
        Some("check") => Some(Role::Check),
        _ => None,
    };
    let label = match (action, roll_type) {
        // "Perception check", "Greataxe to hit": a relayed roll reads
        // "— Perception check: 1d20+5", with one colon before the formula.
        (Some(action), Some(roll_type)) => Some(format!("{action} {roll_type}")),
        (Some(action), None) => Some(action.to_string()),
        (None, Some(roll_type)) => Some(roll_type.to_string()),
        (None, None) => None,
    };
    let rule = CritRule {
        flagged_critical: roll_kind == "critical hit",
        ..CritRule::default()
    };
    let replay_formula = replay_formula.join(" + ");
    Ok(ExtraRoll {
        verified: verify::check_formula(
            Some(&replay_formula),
            Dialect::Default,
            &dice,
            Some(total),
        ),
        formula,
        total: Some(total),
        crit: rule.judge(&dice),
        dice,
        label,
        role,
    })
}

fn faces_of(at: &At<'_>) -> Result<Faces, VttError> {
    let text = at.str()?;
    text.strip_prefix(['d', 'D'])
        .and_then(|faces| faces.parse::<u32>().ok())
        .filter(|&faces| faces > 0)
        .map(Faces::Number)
        .ok_or_else(|| at.wrong(&format!("is `{text}`, expected a die such as `d20`")))
}
