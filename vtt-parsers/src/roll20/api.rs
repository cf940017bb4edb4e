//! The Roll20 Mod (API) `chat:message` object.
//!
//! Fields read: `who`, `playerid`, `type`, `content`, `origRoll`,
//! `inlinerolls[].{expression, results}`, `rolltemplate`, `target` and
//! `target_name`. Roll results are `{type: "V", rolls: [...], total}` where
//! `R` entries are dice (`sides`, `mods`, `results[].v`, `d: true` when
//! dropped, `r: true` when rerolled), `G` entries groups of rolls, `M` math
//! and `L` labels. A `rollresult` keeps that object as a JSON string in `content`.

use critfumble_dice::{Compare, Dialect};

use crate::crit::CritRule;
use crate::error::VttError;
use crate::json::{self, At};
use crate::record::{DiceTerm, DieResult, ExtraRoll, Faces, Kind, Parsed, RollRecord, Source};
use crate::roll20::template_role;
use crate::terms::roll20_compare;
use crate::verify;

/// Parses one `chat:message` object or an array of them.
pub(crate) fn parse(input: &str) -> Result<Parsed, VttError> {
    json::parse_each(input, message)
}

fn message(at: At<'_>) -> Result<RollRecord, VttError> {
    let at = at.object()?;
    let kind = at.opt_str("type")?.unwrap_or("general");
    let mut record = RollRecord::new(Source::Roll20Api, Kind::Chat);
    record.message_id = match at.opt_id("id")? {
        Some(id) => Some(id),
        None => at.opt_id("_id")?,
    };
    record.speaker = at
        .opt_str("who")?
        .filter(|who| !who.is_empty())
        .map(str::to_string);
    let content = at.opt_str("content")?.unwrap_or("");
    match kind {
        "whisper" => {
            record.private = true;
            record.whisper_to = match at.opt_str("target_name")? {
                Some(names) => Some(split_list(names)),
                None => at.opt_str("target")?.map(split_list),
            };
        }
        "gmrollresult" | "api" => record.private = true,
        "general" | "rollresult" | "emote" | "desc" => {}
        other => {
            return Err(VttError::invalid(
                at.path_of("type"),
                format!(
                    "is `{other}`, expected general, rollresult, gmrollresult, emote, whisper, desc or api"
                ),
            ));
        }
    }

    if kind == "rollresult" || kind == "gmrollresult" {
        let content_at = at.require("content")?;
        let prefix = content_at.path();
        let parsed = json::parse(content_at.str()?).map_err(|error| {
            VttError::invalid(
                prefix.clone(),
                format!("must hold the roll result as json: {error}"),
            )
        })?;
        let results = At::nested(&parsed, &prefix);
        let formula = at.opt_str("origRoll")?.map(str::to_string);
        let roll = roll(formula, &results)?;
        record.kind = Kind::Roll;
        record.set_rolls(vec![roll]);
        return Ok(record);
    }

    let mut rolls = Vec::new();
    for inline in at.opt_array("inlinerolls")? {
        let inline = inline.object()?;
        let formula = inline.opt_str("expression")?.map(str::to_string);
        rolls.push(roll(formula, &inline.require("results")?.object()?)?);
    }
    let template = at.opt_str("rolltemplate")?.filter(|t| !t.is_empty());
    if let Some(template) = template {
        let fields = template_fields(content);
        let label = ["rname", "name", "title"]
            .iter()
            .find_map(|key| {
                fields
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, value)| value.clone())
            })
            .filter(|label| !label.is_empty())
            .unwrap_or_else(|| template.to_string());
        let keys = field_of_each_roll(&fields, rolls.len());
        for (roll, key) in rolls.iter_mut().zip(keys) {
            roll.role = template_role(template, key.unwrap_or(""), Some(&label));
        }
        record.label = Some(label);
        record.kind = if rolls.is_empty() {
            Kind::Chat
        } else {
            Kind::Roll
        };
    } else {
        record.kind = match (kind, rolls.is_empty()) {
            ("emote", _) => Kind::Emote,
            (_, true) => Kind::Chat,
            (_, false) => Kind::ChatWithRolls,
        };
    }
    if template.is_none() || rolls.is_empty() {
        record.text = Some(replace_inline(content, &rolls));
    }
    record.set_rolls(rolls);
    Ok(record)
}

fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The `{{key=value}}` fields of a template message's content.
fn template_fields(content: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut rest = content;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}").map(|offset| open + offset) else {
            break;
        };
        let inner = &rest[open + 2..close];
        if let Some((key, value)) = inner.split_once('=') {
            fields.push((key.trim().to_string(), value.trim().to_string()));
        }
        rest = &rest[close + 2..];
    }
    fields
}

/// The key of the first template field that holds each inline roll `$[[N]]`,
/// for the rolls `0..count`: one pass over the fields.
fn field_of_each_roll(fields: &[(String, String)], count: usize) -> Vec<Option<&str>> {
    let mut keys = vec![None; count];
    for (key, value) in fields {
        for (_, index, _) in inline_references(value) {
            if let Some(slot) = keys.get_mut(index)
                && slot.is_none()
            {
                *slot = Some(key.as_str());
            }
        }
    }
    keys
}

/// Every `$[[N]]` in `text`: its start, `N`, and its end. A reference is
/// exactly `$[[`, digits (spaces allowed around them) and `]]`, so that each
/// byte is looked at a bounded number of times however the brackets nest.
fn inline_references(text: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(offset) = text[from..].find("$[[") {
            let open = from + offset;
            let mut cursor = open + 3;
            let skip_spaces = |mut at: usize| {
                while bytes.get(at) == Some(&b' ') {
                    at += 1;
                }
                at
            };
            cursor = skip_spaces(cursor);
            let digits = cursor;
            while bytes.get(cursor).is_some_and(u8::is_ascii_digit) {
                cursor += 1;
            }
            let number = text[digits..cursor].parse::<usize>().ok();
            cursor = skip_spaces(cursor);
            from = open + 3;
            if let Some(index) = number
                && text[cursor..].starts_with("]]")
            {
                from = cursor + 2;
                return Some((open, index, cursor + 2));
            }
        }
        None
    })
}

/// The content with each `$[[N]]` replaced by that inline roll's total.
fn replace_inline(content: &str, rolls: &[ExtraRoll]) -> String {
    let mut text = String::with_capacity(content.len());
    let mut written = 0;
    for (start, index, end) in inline_references(content) {
        if let Some(total) = rolls.get(index).and_then(|roll| roll.total) {
            text.push_str(&content[written..start]);
            text.push_str(&crate::format_number(total));
            written = end;
        }
    }
    text.push_str(&content[written..]);
    crate::html::collapse_whitespace(&text)
}

/// Reads one roll-result object (`{type: "V", rolls, total}`).
fn roll(formula: Option<String>, results: &At<'_>) -> Result<ExtraRoll, VttError> {
    let total = results.opt_f64("total")?;
    let mut dice = Vec::new();
    let mut rule = CritRule::default();
    collect(results, &mut dice, &mut rule)?;
    Ok(ExtraRoll {
        verified: verify::check_formula(formula.as_deref(), Dialect::Roll20, &dice, total),
        formula,
        total,
        crit: rule.judge(&dice),
        dice,
        label: None,
        role: None,
    })
}

/// Walks `rolls` (nested in `G` groups as arrays of arrays) for `R` entries.
fn collect(at: &At<'_>, dice: &mut Vec<DiceTerm>, rule: &mut CritRule) -> Result<(), VttError> {
    let mut stack: Vec<At<'_>> = vec![*at];
    let mut found: Vec<At<'_>> = Vec::new();
    while let Some(node) = stack.pop() {
        if node.value.is_array() {
            stack.extend(node.array()?.into_iter().rev());
            continue;
        }
        let node = node.object()?;
        if node.opt_str("type")? == Some("R") {
            found.push(node);
        } else if let Some(rolls) = node.get("rolls") {
            stack.push(rolls);
        }
    }
    for entry in found {
        dice.push(die_term(&entry, rule)?);
    }
    Ok(())
}

fn die_term(entry: &At<'_>, rule: &mut CritRule) -> Result<DiceTerm, VttError> {
    let fate = entry.opt_bool("fate")?
        || entry
            .get("sides")
            .is_some_and(|s| s.value.as_str() == Some("F"));
    let faces = if fate {
        Faces::Fate
    } else {
        let sides_at = entry.require("sides")?;
        let sides = sides_at.i64()?;
        u32::try_from(sides)
            .ok()
            .filter(|&s| s > 0)
            .map(Faces::Number)
            .ok_or_else(|| sides_at.wrong("must be a positive number of sides"))?
    };
    if faces == Faces::Number(20)
        && let Some(mods) = entry.get("mods")
    {
        if let Some(threshold) = first_threshold(&mods, "customCrit")? {
            rule.success = threshold;
        }
        if let Some(threshold) = first_threshold(&mods, "customFumble")? {
            rule.failure = threshold;
        }
    }
    let mut results = Vec::new();
    for result in entry.opt_array("results")? {
        let result = result.object()?;
        let value = result.require("v")?.i64()?;
        let dropped = result.opt_bool("d")? || result.opt_bool("r")?;
        results.push(DieResult {
            value,
            kept: !dropped,
        });
    }
    Ok(DiceTerm {
        faces: Some(faces),
        results,
    })
}

fn first_threshold(mods: &At<'_>, key: &str) -> Result<Option<Compare>, VttError> {
    let Some(first) = mods.opt_array(key)?.into_iter().next() else {
        return Ok(None);
    };
    let point = first.require("point")?.i64()?;
    let comparison = first.opt_str("comp")?.unwrap_or(">=");
    Ok(Some(roll20_compare(comparison, point)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fields_and_inline_text() {
        let fields =
            template_fields("&{template:default} {{name=Test Roll}} {{Normal Roll=$[[0]]}}");
        assert_eq!(fields[0], ("name".to_string(), "Test Roll".to_string()));
        assert_eq!(fields[1].1, "$[[0]]");
        let roll = ExtraRoll {
            formula: None,
            total: Some(7.0),
            dice: Vec::new(),
            label: None,
            role: None,
            crit: crate::record::Crit::None,
            verified: None,
        };
        assert_eq!(
            replace_inline(
                "I hit for $[[0]] and $[[9]] $[[x $[[ 0 ]]",
                std::slice::from_ref(&roll)
            ),
            "I hit for 7 and $[[9]] $[[x 7"
        );
        assert_eq!(replace_inline("$[[$[[0]]]]", &[roll]), "$[[7]]");
    }

    #[test]
    fn each_roll_takes_the_first_field_that_holds_it() {
        let fields =
            template_fields("{{r1=$[[0]] $[[2]]}} {{dmg1=$[[1]]}} {{crit1=$[[1]] $[[7]]}}");
        assert_eq!(
            field_of_each_roll(&fields, 4),
            [Some("r1"), Some("dmg1"), Some("r1"), None]
        );
    }
}
