//! The VTT bridge: the bodies the browser extension sends FumbleBot (`/vtt/...`), with a
//! Core user token, and what FumbleBot answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Vtt, VttFormat, check_optional_text, check_text};
use crate::SdkError;

/// The largest `raw` chat message of a [`VttRollRequest`], in bytes (4 MiB, the VTT
/// parsers' own limit).
pub const VTT_RAW_MAX_BYTES: usize = 4 * 1024 * 1024;
/// The longest chat text relayed either way, in characters (Discord's message limit).
pub const VTT_CHAT_MAX_CHARS: usize = 2_000;

/// The body of `POST /vtt/rolls`: one chat message as the VTT has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttRollRequest {
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the game.
    pub game_id: String,
    /// How `raw` is written; it must belong to `vtt`.
    pub format: VttFormat,
    /// One chat message: a Roll20 `div.message`'s HTML, or a message object as JSON.
    pub raw: String,
}

impl VttRollRequest {
    /// Checks the sizes and that the format is the VTT's.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("game_id", &self.game_id, 200)?;
        if self.raw.trim().is_empty() {
            return Err(SdkError::invalid("raw", "must not be empty"));
        }
        if self.raw.len() > VTT_RAW_MAX_BYTES {
            return Err(SdkError::invalid(
                "raw",
                format!("must be at most {VTT_RAW_MAX_BYTES} bytes"),
            ));
        }
        if self.format.vtt() != self.vtt {
            return Err(SdkError::invalid(
                "format",
                format!("'{}' is not a format of {}", self.format.as_str(), self.vtt),
            ));
        }
        Ok(())
    }
}

/// FumbleBot's answer to a [`VttRollRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VttRollReceipt {
    /// The `Idempotency-Key` the roll is reported to Core with
    /// (`vtt:<vtt>:<game_id>:<message id>`).
    pub idempotency_key: String,
    /// The campaign linked to the game.
    pub campaign_id: Uuid,
    /// The game session it belongs to, when one is running.
    #[serde(default)]
    pub session_id: Option<Uuid>,
    /// The roll's expression as the VTT wrote it.
    #[serde(default)]
    pub formula: Option<String>,
    /// The total the VTT reported.
    #[serde(default)]
    pub total: Option<f64>,
    /// True when the dice add up to the total, false when they do not, absent when they
    /// cannot be checked.
    #[serde(default)]
    pub verified: Option<bool>,
    /// True when this message had been received before: it was not relayed or reported
    /// again.
    pub duplicate: bool,
}

/// The body of `POST /vtt/chat`: a chat line from the VTT, for the linked Discord channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttChatRequest {
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the game.
    pub game_id: String,
    /// Who spoke, as the VTT shows them (1 to 100 characters).
    pub speaker: String,
    /// What they said (1 to 2,000 characters).
    pub text: String,
}

impl VttChatRequest {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("game_id", &self.game_id, 200)?;
        check_text("speaker", &self.speaker, 100)?;
        check_text("text", &self.text, VTT_CHAT_MAX_CHARS)
    }
}

/// FumbleBot's answer to a [`VttChatRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VttChatReceipt {
    /// The Discord channel the line went to.
    pub channel_id: String,
}

/// One Server-Sent Event of `GET /vtt/events`: a Discord message for the VTT's chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VttChatEvent {
    /// The event id (also the SSE `id:`), increasing within one game.
    pub id: String,
    /// The Discord display name of the author.
    pub author: String,
    /// The message as written in Discord.
    pub text: String,
    /// The message made safe for Roll20's chat (`critfumble-vtt`'s `to_roll20`): no
    /// command, roll or macro runs.
    pub roll20: String,
    /// The message made safe for Foundry's chat (`to_foundry`'s escaped HTML content).
    pub foundry: String,
    /// When Discord received it.
    pub sent_at: DateTime<Utc>,
}

/// The body of `POST /vtt/accounts/link`: who the VTT's page says is logged in. The
/// extension never sends a password or a VTT session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttLinkRequest {
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the player.
    pub vtt_user_id: String,
    /// The player's name on the VTT.
    #[serde(default)]
    pub display_name: Option<String>,
    /// A game the page shows this player as game master of.
    #[serde(default)]
    pub game_id: Option<String>,
}

impl VttLinkRequest {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("vtt_user_id", &self.vtt_user_id, 200)?;
        check_optional_text("display_name", self.display_name.as_deref(), 100)?;
        match &self.game_id {
            Some(game_id) => check_text("game_id", game_id, 200),
            None => Ok(()),
        }
    }
}

/// Core's verdict on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VttLinkStatus {
    /// The account is now linked to the caller.
    Linked,
    /// It was already linked to the caller; Core refreshed it.
    AlreadyLinked,
    /// Core could not be reached: the signed event waits in FumbleBot's outbox and is
    /// delivered when Core is back (check `GET /v1/me/vtt-accounts` later).
    Pending,
}

/// FumbleBot's answer to a [`VttLinkRequest`] (a link to someone else is a 409).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VttLinkReceipt {
    /// Core's verdict.
    pub status: VttLinkStatus,
}
