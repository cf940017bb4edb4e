//! Foundry VTT `ChatMessage` documents, in the v11, v12 and v13 shapes.
//!
//! - v11 has `user` and a numeric `type` (3 emote, 4 whisper, 5 roll); v12
//!   renamed `user` to `author` and moved the numeric kind to `style`.
//! - `rolls[]` holds serialized `Roll` JSON, as strings or objects. Dice terms
//!   carry `faces` and `results[{result, active, discarded, rerolled, exploded}]`
//!   and nest inside `terms`, `rolls`, `roll`, `term` and `operands` (PF2e).
//! - `whisper` holds user ids; `blind` hides the roll from its roller.
//! - Inline rolls in `content` are `a.inline-roll` anchors whose `data-roll`
//!   holds the URI-encoded roll JSON.

use serde_json::Value;

use critfumble_dice::Dialect;

use crate::crit::{CritRule, at_least, at_most};
use crate::error::VttError;
use crate::html::{self, Visit};
use crate::json::{self, At};
use crate::record::{
    DiceTerm, DieResult, ExtraRoll, Faces, Kind, Parsed, Role, RollRecord, Source,
};
use crate::verify;

/// Foundry's numeric message styles (v12+ `style`, v11 `type`).
const STYLE_EMOTE: i64 = 3;

/// PF2e's `degreeOfSuccess` of a critical success.
const PF2E_CRITICAL_SUCCESS: i64 = 3;

/// Parses one `ChatMessage` document or an array of them.
pub(crate) fn parse(input: &str) -> Result<Parsed, VttError> {
    json::parse_each(input, message)
}

fn message(at: At<'_>) -> Result<RollRecord, VttError> {
    let at = at.object()?;
    let mut record = RollRecord::new(Source::Foundry, Kind::Chat);
    record.message_id = match at.opt_id("_id")? {
        Some(id) => Some(id),
        None => at.opt_id("id")?,
    };
    if let Some(speaker) = at.get("speaker") {
        record.speaker = speaker
            .object()?
            .opt_str("alias")?
            .filter(|a| !a.is_empty())
            .map(str::to_string);
    }
    // v12+ keeps the numeric kind in `style`; v11 in `type` (v12's `type` is a subtype name).
    let style = match at.get("style") {
        Some(style) => Some(style.i64()?),
        None => at
            .get("type")
            .filter(|t| t.value.is_number())
            .map(|t| t.i64())
            .transpose()?,
    };
    let whisper: Vec<String> = at
        .opt_array("whisper")?
        .iter()
        .map(|id| match id.value {
            Value::String(id) => Ok(id.clone()),
            Value::Object(_) => id.require("_id")?.str().map(str::to_string),
            _ => Err(id.wrong("must be a user id")),
        })
        .collect::<Result<_, _>>()?;
    record.private = !whisper.is_empty() || at.opt_bool("blind")?;
    record.whisper_to = (!whisper.is_empty()).then_some(whisper);
    let flavor = at.opt_str("flavor")?.filter(|f| !f.trim().is_empty());
    record.flavor = flavor.map(str::to_string);
    record.label = flavor.map(html::plain_text).filter(|l| !l.is_empty());

    let flag_role = flag_role(&at)?;
    let mut rolls = Vec::new();
    for roll_at in at.opt_array("rolls")? {
        let roll = match roll_at.value {
            Value::String(text) => {
                let value = json::parse(text).map_err(|error| {
                    VttError::invalid(roll_at.path(), format!("must hold a roll as json: {error}"))
                })?;
                let prefix = roll_at.path();
                roll(&At::nested(&value, &prefix))?
            }
            _ => roll(&roll_at)?,
        };
        rolls.push(roll);
    }
    let content = at.opt_str("content")?.unwrap_or("");
    let is_emote = style == Some(STYLE_EMOTE);
    if rolls.is_empty() {
        let (text, inline) = content_with_inline_rolls(content)?;
        record.text = Some(text);
        record.kind = if is_emote {
            Kind::Emote
        } else if inline.is_empty() {
            Kind::Chat
        } else {
            Kind::ChatWithRolls
        };
        rolls.extend(inline);
    } else {
        record.kind = Kind::Roll;
        if let (Some(role), Some(primary)) = (flag_role, rolls.first_mut()) {
            primary.role = Some(match (role, primary.role) {
                (Role::Damage, Some(Role::CriticalDamage)) => Role::CriticalDamage,
                (role, _) => role,
            });
        }
    }
    record.set_rolls(rolls);
    Ok(record)
}

/// The role that dnd5e records in `flags.dnd5e.roll.type` (or core's initiative flag).
fn flag_role(at: &At<'_>) -> Result<Option<Role>, VttError> {
    let Some(flags) = at.get("flags") else {
        return Ok(None);
    };
    if let Some(core) = flags.get("core")
        && core.opt_bool("initiativeRoll")?
    {
        return Ok(Some(Role::Initiative));
    }
    let Some(roll) = flags.get("dnd5e").and_then(|dnd5e| dnd5e.get("roll")) else {
        return Ok(None);
    };
    Ok(match roll.opt_str("type")? {
        Some("attack") => Some(Role::Attack),
        Some("damage") => Some(Role::Damage),
        Some("save" | "savingThrow" | "death") => Some(Role::Save),
        Some("skill" | "ability" | "check" | "tool" | "abilityCheck") => Some(Role::Check),
        Some("initiative") => Some(Role::Initiative),
        _ => None,
    })
}

/// Reads one serialized `Roll`.
fn roll(at: &At<'_>) -> Result<ExtraRoll, VttError> {
    let at = (*at).object()?;
    let formula = match at.opt_str("formula")? {
        Some(formula) => Some(formula),
        None => at.opt_str("_formula")?,
    };
    let total = match at.opt_f64("total")? {
        Some(total) => Some(total),
        None => at.opt_f64("_total")?,
    };
    let options = at.get("options");
    let mut rule = CritRule::default();
    let mut dice = Vec::new();
    if let Some(terms) = at.get("terms") {
        collect_dice(&terms, &mut dice, &mut rule)?;
    }
    if dice.is_empty()
        && let Some(listed) = at.get("dice")
    {
        collect_dice(&listed, &mut dice, &mut rule)?;
    }
    let mut role = None;
    let mut label = None;
    if let Some(options) = &options {
        if let Some(critical) = options.get("critical").filter(|c| c.value.is_number()) {
            rule.success = at_least(critical.i64()?);
        }
        if let Some(fumble) = options.get("fumble").filter(|f| f.value.is_number()) {
            rule.failure = at_most(fumble.i64()?);
        }
        // dnd5e marks critical damage with `isCritical`; PF2e with degree of success 3.
        let degree = options
            .get("degreeOfSuccess")
            .map(|d| d.i64())
            .transpose()?;
        rule.flagged_critical =
            options.opt_bool("isCritical")? || degree == Some(PF2E_CRITICAL_SUCCESS);
        label = options
            .opt_str("flavor")?
            .map(html::plain_text)
            .filter(|l| !l.is_empty());
    }
    if at.opt_str("class")? == Some("DamageRoll") {
        role = Some(if rule.flagged_critical {
            Role::CriticalDamage
        } else {
            Role::Damage
        });
    }
    Ok(ExtraRoll {
        verified: verify::check_formula(formula, Dialect::Foundry, &dice, total),
        formula: formula.map(str::to_string),
        total,
        crit: rule.judge(&dice),
        dice,
        label,
        role,
    })
}

/// Walks nested terms in order, collecting every term that has `faces` and `results`.
fn collect_dice(
    root: &At<'_>,
    dice: &mut Vec<DiceTerm>,
    rule: &mut CritRule,
) -> Result<(), VttError> {
    let mut stack = vec![*root];
    while let Some(node) = stack.pop() {
        match node.value {
            Value::Array(_) => stack.extend(node.array()?.into_iter().rev()),
            Value::Object(_) => {
                if node.get("results").is_some() && node.get("faces").is_some() {
                    dice.push(die_term(&node, rule)?);
                    continue;
                }
                for key in ["operands", "term", "roll", "rolls", "terms"] {
                    if let Some(child) = node.get(key) {
                        stack.push(child);
                    }
                }
            }
            // Pool terms list their sub-formulas as strings; the rolls beside them hold the dice.
            _ => {}
        }
    }
    Ok(())
}

fn die_term(at: &At<'_>, rule: &mut CritRule) -> Result<DiceTerm, VttError> {
    let class = at.opt_str("class")?;
    let faces_at = at.require("faces")?;
    let faces = if class == Some("FateDie") || faces_at.value.as_str() == Some("F") {
        Faces::Fate
    } else {
        let faces = faces_at.i64()?;
        Faces::Number(
            u32::try_from(faces)
                .ok()
                .filter(|&f| f > 0)
                .ok_or_else(|| faces_at.wrong("must be a positive number of faces"))?,
        )
    };
    if faces == Faces::Number(20)
        && let Some(critical) = at
            .get("options")
            .and_then(|o| o.get("critical"))
            .filter(|c| c.value.is_number())
    {
        rule.success = at_least(critical.i64()?);
    }
    let mut results = Vec::new();
    for result in at.require("results")?.array()? {
        let result = result.object()?;
        let value = result.require("result")?.i64()?;
        let active = result
            .get("active")
            .map(|a| a.bool())
            .transpose()?
            .unwrap_or(true);
        let kept = active && !result.opt_bool("discarded")? && !result.opt_bool("rerolled")?;
        results.push(DieResult { value, kept });
    }
    Ok(DiceTerm {
        faces: Some(faces),
        results,
    })
}

/// The visible text of `content`, each inline roll replaced by its total, and those rolls.
fn content_with_inline_rolls(content: &str) -> Result<(String, Vec<ExtraRoll>), VttError> {
    if !content.contains("inline-roll") {
        return Ok((html::plain_text(content), Vec::new()));
    }
    let Some(dom) = html::parse(content) else {
        return Ok((html::plain_text(content), Vec::new()));
    };
    let parser = dom.parser();
    let mut rolls = Vec::new();
    let mut stack: Vec<tl::NodeHandle> = dom.children().iter().rev().copied().collect();
    while let Some(handle) = stack.pop() {
        let Some(tag) = html::tag(parser, handle) else {
            continue;
        };
        if html::has_class(tag, "inline-roll")
            && let Some(data) = html::attribute(tag, "data-roll")
        {
            let decoded = percent_decode(&data);
            let value = json::parse(&decoded).map_err(|error| {
                VttError::element(
                    "a.inline-roll",
                    format!("has a data-roll that is not roll json: {error}"),
                )
            })?;
            rolls.push(roll(&At::nested(
                &value,
                "content a.inline-roll[data-roll]",
            ))?);
            continue;
        }
        stack.extend(html::children(tag).into_iter().rev());
    }
    let text = html::visible_text(parser, dom.children(), &|tag| {
        if html::has_class(tag, "inline-roll") {
            Visit::Replace(html::visible_text(parser, &html::children(tag), &|_| {
                Visit::Enter
            }))
        } else {
            Visit::Enter
        }
    });
    Ok((text, rolls))
}

/// Decodes `%XX` escapes (as `encodeURIComponent` writes them); bad escapes stay as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let hex = |b: u8| (b as char).to_digit(16);
        if byte == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).copied().and_then(hex),
                bytes.get(index + 2).copied().and_then(hex),
            )
        {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "two hex digits fit in a byte"
            )]
            out.push((high * 16 + low) as u8);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
