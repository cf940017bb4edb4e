//! Characters and their sheets.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_optional_text, check_text};
use crate::SdkError;

/// A character in a campaign, owned by one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Character {
    /// Core's id for the character.
    pub id: Uuid,
    /// The campaign the character plays in.
    pub campaign_id: Uuid,
    /// The user who plays the character.
    pub owner_id: Uuid,
    /// The character's name.
    pub name: String,
    /// The character sheet.
    pub sheet: CharacterSheet,
    /// When the character was created.
    pub created_at: DateTime<Utc>,
    /// When the character was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A character sheet: the numbers the AI and the bot need, plus free-form notes.
/// Every field is optional, so a sheet can be filled in gradually.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CharacterSheet {
    /// The class, or classes (`Fighter 3 / Wizard 2`).
    pub class: Option<String>,
    /// The total character level (1 to 30).
    pub level: Option<u32>,
    /// Hit points.
    pub hp: Option<HitPoints>,
    /// Armor class (0 to 100).
    pub ac: Option<i32>,
    /// The six ability scores.
    pub abilities: Option<AbilityScores>,
    /// Skill modifiers by skill name (`perception`), in name order.
    pub skills: BTreeMap<String, i32>,
    /// Free-form notes (at most 20,000 characters).
    pub notes: Option<String>,
}

impl CharacterSheet {
    /// Checks the documented ranges.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_optional_text("sheet.class", self.class.as_deref(), 200)?;
        if let Some(level) = self.level
            && !(1..=30).contains(&level)
        {
            return Err(SdkError::invalid("sheet.level", "must be between 1 and 30"));
        }
        if let Some(hp) = &self.hp {
            hp.validate()?;
        }
        if let Some(ac) = self.ac
            && !(0..=100).contains(&ac)
        {
            return Err(SdkError::invalid("sheet.ac", "must be between 0 and 100"));
        }
        if let Some(abilities) = &self.abilities {
            abilities.validate()?;
        }
        if self.skills.len() > 100 {
            return Err(SdkError::invalid("sheet.skills", "at most 100 skills"));
        }
        for (name, modifier) in &self.skills {
            check_text("sheet.skills", name, 50)?;
            if !(-50..=50).contains(modifier) {
                return Err(SdkError::invalid(
                    format!("sheet.skills.{name}"),
                    "must be between -50 and 50",
                ));
            }
        }
        check_optional_text("sheet.notes", self.notes.as_deref(), 20_000)
    }
}

/// Hit points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HitPoints {
    /// Current hit points (may be negative in some systems).
    pub current: i32,
    /// Maximum hit points (at least 1).
    pub max: i32,
    /// Temporary hit points (not negative).
    #[serde(default)]
    pub temp: i32,
}

impl HitPoints {
    /// Checks the documented ranges.
    pub fn validate(&self) -> Result<(), SdkError> {
        if !(1..=100_000).contains(&self.max) {
            return Err(SdkError::invalid(
                "sheet.hp.max",
                "must be between 1 and 100000",
            ));
        }
        if !(-100_000..=100_000).contains(&self.current) {
            return Err(SdkError::invalid(
                "sheet.hp.current",
                "must be between -100000 and 100000",
            ));
        }
        if !(0..=100_000).contains(&self.temp) {
            return Err(SdkError::invalid(
                "sheet.hp.temp",
                "must be between 0 and 100000",
            ));
        }
        Ok(())
    }
}

/// The six ability scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AbilityScores {
    /// Strength.
    pub strength: i32,
    /// Dexterity.
    pub dexterity: i32,
    /// Constitution.
    pub constitution: i32,
    /// Intelligence.
    pub intelligence: i32,
    /// Wisdom.
    pub wisdom: i32,
    /// Charisma.
    pub charisma: i32,
}

impl AbilityScores {
    /// The scores with their JSON names, in the usual order.
    pub fn named(&self) -> [(&'static str, i32); 6] {
        [
            ("strength", self.strength),
            ("dexterity", self.dexterity),
            ("constitution", self.constitution),
            ("intelligence", self.intelligence),
            ("wisdom", self.wisdom),
            ("charisma", self.charisma),
        ]
    }

    /// The usual modifier of a score: `floor((score - 10) / 2)`.
    pub fn modifier(score: i32) -> i32 {
        (score - 10).div_euclid(2)
    }

    /// Checks that every score lies in 1 to 30.
    pub fn validate(&self) -> Result<(), SdkError> {
        for (name, score) in self.named() {
            if !(1..=30).contains(&score) {
                return Err(SdkError::invalid(
                    format!("sheet.abilities.{name}"),
                    "must be between 1 and 30",
                ));
            }
        }
        Ok(())
    }
}

/// The body of `POST /v1/campaigns/{id}/characters`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCharacterRequest {
    /// The owner; defaults to the caller. Only a GM or a service may name someone else.
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// The name (1 to 200 characters).
    pub name: String,
    /// The sheet; defaults to an empty one.
    #[serde(default)]
    pub sheet: CharacterSheet,
}

impl CreateCharacterRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("name", &self.name, 200)?;
        self.sheet.validate()
    }
}

/// The body of `PATCH /v1/campaigns/{id}/characters/{character_id}`: absent fields stay,
/// a present `sheet` replaces the whole sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCharacterRequest {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<CharacterSheet>,
}

impl UpdateCharacterRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        if let Some(name) = &self.name {
            check_text("name", name, 200)?;
        }
        if let Some(sheet) = &self.sheet {
            sheet.validate()?;
        }
        Ok(())
    }
}
