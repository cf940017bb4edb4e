//! `/check kind name [mode] [character]`: d20 plus the modifier from the user's character
//! sheet in the channel's campaign, rolled and reported like any roll.

use critfumble_dice::Dialect;
use critfumble_sdk::SdkError;
use critfumble_sdk::wire::{AbilityScores, Character, CharacterSheet, PageRequest};

use super::handler::{Invocation, core_trouble};
use super::reply::{Followup, Reply, later};
use super::roll::roll_and_report;
use super::text::escape_markdown;
use crate::state::AppState;

/// The six abilities, with their usual abbreviations.
pub const ABILITIES: [(&str, &str); 6] = [
    ("strength", "str"),
    ("dexterity", "dex"),
    ("constitution", "con"),
    ("intelligence", "int"),
    ("wisdom", "wis"),
    ("charisma", "cha"),
];

/// The skills of the 5th edition rules, offered when a sheet names none.
pub const SKILLS: [&str; 18] = [
    "acrobatics",
    "animal handling",
    "arcana",
    "athletics",
    "deception",
    "history",
    "insight",
    "intimidation",
    "investigation",
    "medicine",
    "nature",
    "perception",
    "performance",
    "persuasion",
    "religion",
    "sleight of hand",
    "stealth",
    "survival",
];

/// The options of `/check`.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// `ability`, `skill`, `save` or `attack`.
    pub kind: String,
    /// The ability or skill.
    pub name: String,
    /// `advantage`, `disadvantage`, or none.
    pub mode: Option<String>,
    /// The character, by name; the user's first in the campaign when absent.
    pub character: Option<String>,
}

/// `/check`.
pub fn check(state: &AppState, invocation: &Invocation, request: CheckRequest) -> Reply {
    let (state, invocation) = (state.clone(), invocation.clone());
    later(false, async move {
        let character = match character_of(&state, &invocation, request.character.as_deref()).await
        {
            Ok(Ok(character)) => character,
            Ok(Err(explanation)) => return Followup::text(&explanation, false),
            Err(error) => return Followup::text(&core_trouble(&error), false),
        };
        let expression = match expression(&request, &character) {
            Ok(expression) => expression,
            Err(explanation) => return Followup::text(&explanation, false),
        };
        match roll_and_report(&state, &invocation, &expression, Dialect::Default, false).await {
            Ok(posted) => posted.later(),
            Err(refusal) => Followup::text(&refusal, false),
        }
    })
}

/// The user's characters in the channel's campaign, or a sentence saying what is missing.
pub async fn characters_of(
    state: &AppState,
    invocation: &Invocation,
) -> Result<Result<Vec<Character>, String>, SdkError> {
    let (client, user_id) = state.core().acting_for(&invocation.actor).await?;
    let Some(campaign) = client
        .campaign_by_discord_channel(&invocation.channel_id.to_string())
        .await?
    else {
        return Ok(Err(
            "This channel is not linked to a campaign, so FumbleBot has no sheet to read. \
             `/campaign new` or `/link` links it."
                .to_owned(),
        ));
    };
    let page = client
        .list_characters(
            campaign.id,
            &PageRequest {
                cursor: None,
                limit: Some(PageRequest::MAX_LIMIT),
            },
        )
        .await?;
    let mine: Vec<Character> = page
        .items
        .into_iter()
        .filter(|character| character.owner_id == user_id)
        .collect();
    if mine.is_empty() {
        return Ok(Err(format!(
            "You have no character in **{}** yet. Create one in Crit-Fumble's web app \
             (or with `POST /v1/campaigns/{}/characters`), or ask your GM to add one for you.",
            escape_markdown(&campaign.name),
            campaign.id
        )));
    }
    Ok(Ok(mine))
}

async fn character_of(
    state: &AppState,
    invocation: &Invocation,
    wanted: Option<&str>,
) -> Result<Result<Character, String>, SdkError> {
    let mine = match characters_of(state, invocation).await? {
        Ok(mine) => mine,
        Err(explanation) => return Ok(Err(explanation)),
    };
    let Some(wanted) = wanted else {
        return Ok(mine.into_iter().next().ok_or_else(String::new));
    };
    let wanted_lower = wanted.to_lowercase();
    Ok(mine
        .into_iter()
        .find(|character| {
            character.name.to_lowercase() == wanted_lower || character.id.to_string() == wanted
        })
        .ok_or_else(|| {
            format!(
                "You have no character called **{}** here.",
                escape_markdown(wanted)
            )
        }))
}

/// The roll for a check: `1d20+m`, `2d20kh1+m` or `2d20kl1+m`, with a label.
pub fn expression(request: &CheckRequest, character: &Character) -> Result<String, String> {
    let (modifier, what) = modifier(&request.kind, &request.name, &character.sheet)?;
    let dice = match request.mode.as_deref() {
        Some("advantage") => "2d20kh1",
        Some("disadvantage") => "2d20kl1",
        _ => "1d20",
    };
    // The label is a quoted comment: quotes in a character's name are dropped.
    let label = format!("{what} ({})", character.name).replace('"', "");
    Ok(format!("{dice}{modifier:+} \"{label}\""))
}

fn ability_score(abilities: &AbilityScores, name: &str) -> Option<(&'static str, i32)> {
    let name = name.trim().to_lowercase();
    let (full, _) = ABILITIES
        .iter()
        .find(|(full, short)| *full == name || *short == name)?;
    abilities
        .named()
        .into_iter()
        .find(|(field, _)| field == full)
}

/// The modifier and a label for `kind` and `name`, or why the sheet cannot give one.
pub fn modifier(kind: &str, name: &str, sheet: &CharacterSheet) -> Result<(i32, String), String> {
    let no_scores = || "This character's sheet has no ability scores yet.".to_owned();
    let not_an_ability = || {
        format!(
            "**{}** is not an ability: use strength, dexterity, constitution, intelligence, \
             wisdom or charisma.",
            escape_markdown(name)
        )
    };
    let title = |text: &str| {
        let mut chars = text.chars();
        chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    match kind {
        "skill" => {
            let wanted = name.trim().to_lowercase();
            sheet
                .skills
                .iter()
                .find(|(skill, _)| skill.to_lowercase() == wanted)
                .map(|(skill, modifier)| (*modifier, format!("{} check", title(skill))))
                .ok_or_else(|| {
                    format!(
                        "This character's sheet has no skill **{}**.",
                        escape_markdown(name)
                    )
                })
        }
        "ability" | "save" | "attack" => {
            let abilities = sheet.abilities.as_ref().ok_or_else(no_scores)?;
            let (ability, score) = ability_score(abilities, name).ok_or_else(not_an_ability)?;
            let base = AbilityScores::modifier(score);
            Ok(match kind {
                "ability" => (base, format!("{} check", title(ability))),
                "save" => (base, format!("{} save", title(ability))),
                // An attack adds the proficiency bonus of the character's level.
                _ => {
                    let level = i32::try_from(sheet.level.unwrap_or(1)).unwrap_or(1);
                    let proficiency = 2 + (level - 1).max(0) / 4;
                    (base + proficiency, format!("{} attack", title(ability)))
                }
            })
        }
        other => Err(format!(
            "Unknown kind of check: {}.",
            escape_markdown(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> CharacterSheet {
        CharacterSheet {
            level: Some(5),
            abilities: Some(AbilityScores {
                strength: 8,
                dexterity: 16,
                constitution: 14,
                intelligence: 10,
                wisdom: 13,
                charisma: 11,
            }),
            skills: [("Stealth".to_owned(), 7)].into_iter().collect(),
            ..CharacterSheet::default()
        }
    }

    #[test]
    fn modifiers_follow_the_rules() {
        let sheet = sheet();
        // floor((score - 10) / 2): 8 gives -1, 16 gives +3, 13 gives +1.
        assert_eq!(
            modifier("ability", "str", &sheet),
            Ok((-1, "Strength check".into()))
        );
        assert_eq!(
            modifier("save", "Wisdom", &sheet),
            Ok((1, "Wisdom save".into()))
        );
        // Level 5: proficiency +3.
        assert_eq!(
            modifier("attack", "dex", &sheet),
            Ok((6, "Dexterity attack".into()))
        );
        assert_eq!(
            modifier("skill", "stealth", &sheet),
            Ok((7, "Stealth check".into()))
        );
        assert!(modifier("skill", "arcana", &sheet).is_err_and(|e| e.contains("arcana")));
        assert!(modifier("ability", "luck", &sheet).is_err_and(|e| e.contains("not an ability")));
        let empty = CharacterSheet::default();
        assert!(modifier("save", "dex", &empty).is_err_and(|e| e.contains("no ability scores")));
    }

    #[test]
    fn expressions_parse_and_carry_the_label() {
        let character = Character {
            id: uuid::Uuid::nil(),
            campaign_id: uuid::Uuid::nil(),
            owner_id: uuid::Uuid::nil(),
            name: "Mira \"the Quick\"".into(),
            sheet: sheet(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let request = |kind: &str, name: &str, mode: Option<&str>| CheckRequest {
            kind: kind.into(),
            name: name.into(),
            mode: mode.map(str::to_owned),
            character: None,
        };
        let advantage =
            expression(&request("skill", "stealth", Some("advantage")), &character).unwrap();
        assert_eq!(advantage, "2d20kh1+7 \"Stealth check (Mira the Quick)\"");
        let parsed = critfumble_dice::parse(&advantage).unwrap();
        assert_eq!(parsed.comment(), Some("Stealth check (Mira the Quick)"));
        let minus =
            expression(&request("ability", "str", Some("disadvantage")), &character).unwrap();
        assert_eq!(minus, "2d20kl1-1 \"Strength check (Mira the Quick)\"");
        critfumble_dice::parse(&minus).unwrap();
    }
}
