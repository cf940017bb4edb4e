//! Rolls: the permanent roll history, its query and the per-member statistics.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{RolledNode, Vtt, check_optional_text, check_text, wire_enum};
use crate::SdkError;

wire_enum! {
    /// Where a roll was made.
    RollSource as "roll source" {
        /// A Discord command or message.
        Discord = "discord",
        /// Roll20's chat.
        Roll20 = "roll20",
        /// Foundry VTT's chat.
        Foundry = "foundry",
        /// D&D Beyond's dice.
        DndBeyond = "dndbeyond",
        /// The Crit-Fumble web app.
        Web = "web",
        /// Any other API client.
        Api = "api",
        /// The Discord Activity (a game inside a Discord call).
        Activity = "activity",
    }
}

impl RollSource {
    /// The VTT a roll of this source was made on, if any.
    pub fn vtt(self) -> Option<Vtt> {
        match self {
            RollSource::Roll20 => Some(Vtt::Roll20),
            RollSource::Foundry => Some(Vtt::Foundry),
            RollSource::DndBeyond => Some(Vtt::DndBeyond),
            _ => None,
        }
    }

    /// Whether only a service (FumbleBot) may report rolls of this source: a user's own
    /// token or session may not claim that a roll was made on Discord.
    pub fn needs_service(self) -> bool {
        matches!(self, RollSource::Discord | RollSource::Activity)
    }
}

/// The formats of a VTT's own record of a roll: the inputs `critfumble-vtt` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VttFormat {
    /// The `outerHTML` of Roll20 chat `div.message` elements.
    #[serde(rename = "roll20-html")]
    Roll20Html,
    /// A Roll20 Mod (API) `chat:message` object as JSON.
    #[serde(rename = "roll20-api")]
    Roll20Api,
    /// A Foundry VTT `ChatMessage` document as JSON.
    #[serde(rename = "foundry")]
    Foundry,
    /// A D&D Beyond game-log message as JSON.
    #[serde(rename = "ddb")]
    Ddb,
}

impl VttFormat {
    /// The format's name, as `critfumble-vtt` and the wire spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            VttFormat::Roll20Html => "roll20-html",
            VttFormat::Roll20Api => "roll20-api",
            VttFormat::Foundry => "foundry",
            VttFormat::Ddb => "ddb",
        }
    }

    /// The VTT whose format this is.
    pub const fn vtt(self) -> Vtt {
        match self {
            VttFormat::Roll20Html | VttFormat::Roll20Api => Vtt::Roll20,
            VttFormat::Foundry => Vtt::Foundry,
            VttFormat::Ddb => Vtt::DndBeyond,
        }
    }
}

/// A VTT's own record of a roll, as the extension received it: one chat message in a
/// format `critfumble-vtt` reads. Core parses and verifies it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttRecord {
    /// The message's format.
    pub format: VttFormat,
    /// The message as received: HTML for `roll20-html`, JSON text for the others (at most
    /// 128 KiB).
    pub message: String,
}

/// Who rolled. The reporter gives whatever it knows; Core resolves `user_id` from the
/// Discord id or the linked VTT account when it can.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollActor {
    /// The Crit-Fumble user, when known.
    #[serde(default)]
    pub user_id: Option<Uuid>,
    /// The Discord user id, for rolls made on Discord.
    #[serde(default)]
    pub discord_id: Option<String>,
    /// The VTT's player id, for rolls made on a VTT.
    #[serde(default)]
    pub vtt_user_id: Option<String>,
    /// The name shown with the roll: the player's or the character's (1 to 200 characters).
    pub name: String,
}

/// The body of `POST /v1/rolls` (which needs an `Idempotency-Key` header).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewRoll {
    /// Where the roll was made.
    pub source: RollSource,
    /// Who rolled.
    pub actor: RollActor,
    /// The campaign, when the roll belongs to one.
    #[serde(default)]
    pub campaign_id: Option<Uuid>,
    /// The game session, when one was running.
    #[serde(default)]
    pub session_id: Option<Uuid>,
    /// The Discord channel or VTT chat the roll was made in.
    #[serde(default)]
    pub channel_id: Option<String>,
    /// The dice expression as typed (`1d20+5`), 1 to 1,000 characters.
    pub expression: String,
    /// The `critfumble-dice` dialect the expression was read in (`default`, `roll20`,
    /// `foundry` or `d20`); absent for `default`.
    #[serde(default)]
    pub dialect: Option<String>,
    /// The total as the reporter computed it; fractional totals are possible after
    /// division. Core replays the dice and stores the total they make.
    pub total: f64,
    /// The rolled tree, as `critfumble-dice` serializes it; absent when the reporter has
    /// none (a VTT roll whose formula the engine does not read).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub rolled: Option<RolledNode>,
    /// `critfumble-dice`'s Markdown rendering of the roll, when the reporter has it.
    #[serde(default)]
    pub markdown: Option<String>,
    /// A label, for example `Attack with longsword`.
    #[serde(default)]
    pub label: Option<String>,
    /// Whether only the roller (and the GM) may see the roll.
    #[serde(default)]
    pub private: bool,
    /// For VTT rolls: the VTT's own record of the roll, as received.
    #[serde(default)]
    pub vtt_record: Option<VttRecord>,
    /// Whether the reporter claims that the roll checked out. Core checks the dice itself
    /// and sets `verified` on the stored roll; a claim of `true` that Core's check refutes
    /// is refused with 422.
    #[serde(default)]
    pub verified: Option<bool>,
    /// When the roll was made, by the reporter's clock.
    pub rolled_at: DateTime<Utc>,
}

impl NewRoll {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("actor.name", &self.actor.name, 200)?;
        check_text("expression", &self.expression, 1_000)?;
        check_optional_text("label", self.label.as_deref(), 200)?;
        check_optional_text("channel_id", self.channel_id.as_deref(), 100)?;
        check_optional_text("markdown", self.markdown.as_deref(), 20_000)?;
        check_optional_text("dialect", self.dialect.as_deref(), 20)?;
        if let Some(record) = &self.vtt_record
            && record.message.len() > 128 * 1024
        {
            return Err(SdkError::invalid(
                "vtt_record.message",
                "must be at most 131072 bytes",
            ));
        }
        if !self.total.is_finite() {
            return Err(SdkError::invalid("total", "must be a finite number"));
        }
        Ok(())
    }
}

/// A stored roll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roll {
    /// Core's id for the roll.
    pub id: Uuid,
    /// Where the roll was made.
    pub source: RollSource,
    /// Who rolled, with `user_id` filled in when Core could resolve it.
    pub actor: RollActor,
    /// The campaign.
    pub campaign_id: Option<Uuid>,
    /// The game session.
    pub session_id: Option<Uuid>,
    /// The Discord channel or VTT chat.
    pub channel_id: Option<String>,
    /// The dice expression.
    pub expression: String,
    /// The dialect the expression was read in; absent for `default`.
    #[serde(default)]
    pub dialect: Option<String>,
    /// The total: the one Core replayed from the dice when it could, else the reporter's.
    pub total: f64,
    /// The rolled tree, as `critfumble-dice` serializes it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub rolled: Option<RolledNode>,
    /// The Markdown rendering of the roll.
    pub markdown: Option<String>,
    /// The label.
    pub label: Option<String>,
    /// Whether the roll is private.
    pub private: bool,
    /// The VTT's record of the roll.
    pub vtt_record: Option<VttRecord>,
    /// Core's verdict: true when the dice replay (through `critfumble-dice`, and the VTT
    /// record through `critfumble-vtt`) to `total`; null only for rolls stored before
    /// Core checked them.
    pub verified: Option<bool>,
    /// When the roll was made.
    pub rolled_at: DateTime<Utc>,
    /// When Core stored it.
    pub recorded_at: DateTime<Utc>,
}

impl Roll {
    /// Builds the stored record of a reported roll.
    pub fn from_new(id: Uuid, roll: NewRoll, recorded_at: DateTime<Utc>) -> Self {
        Self {
            id,
            source: roll.source,
            actor: roll.actor,
            campaign_id: roll.campaign_id,
            session_id: roll.session_id,
            channel_id: roll.channel_id,
            expression: roll.expression,
            dialect: roll.dialect,
            total: roll.total,
            rolled: roll.rolled,
            markdown: roll.markdown,
            label: roll.label,
            private: roll.private,
            vtt_record: roll.vtt_record,
            verified: roll.verified,
            rolled_at: roll.rolled_at,
            recorded_at,
        }
    }
}

/// The query string of `GET /v1/rolls`: every filter is optional and they combine with AND.
/// Results come newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct RollQuery {
    /// Only rolls of this campaign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<Uuid>,
    /// Only rolls of this game session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// Only rolls by this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    /// Only rolls from this source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<RollSource>,
    /// Only rolls made at or after this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only rolls made before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The page size (1 to 200; Core defaults to 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The body of `GET /v1/campaigns/{id}/roll-stats`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignRollStats {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The expected average of a fair d20: 10.5.
    pub expected_average_d20: f64,
    /// One entry per member who rolled, by user.
    pub members: Vec<MemberRollStats>,
}

/// One member's roll statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberRollStats {
    /// The member.
    pub user_id: Uuid,
    /// The member's name.
    pub name: String,
    /// How many rolls they made.
    pub rolls: u64,
    /// How many single d20s they rolled (across all rolls).
    pub d20_rolls: u64,
    /// How many of those showed 20.
    pub nat20s: u64,
    /// How many of those showed 1.
    pub nat1s: u64,
    /// The average d20 face, absent when they rolled no d20.
    pub average_d20: Option<f64>,
}
