//! Webhook events that FumbleBot signs and sends to Core's `POST /v1/webhooks/fumblebot`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Vtt, check_snowflake, check_text};
use crate::SdkError;

/// A webhook event, in the Standard Webhooks shape `{"type", "timestamp", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEvent {
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// The event's type and data.
    #[serde(flatten)]
    pub payload: WebhookPayload,
}

impl WebhookEvent {
    /// The event type, as sent in the `type` field (`vtt_account.linked`).
    pub fn event_type(&self) -> &'static str {
        self.payload.event_type()
    }
}

/// The type and data of a webhook event. More types will come, so match with a wildcard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data")]
#[non_exhaustive]
pub enum WebhookPayload {
    /// A user proved that they control a VTT account.
    #[serde(rename = "vtt_account.linked")]
    VttAccountLinked(VttAccountLinked),
    /// A user unlinked a VTT account through FumbleBot.
    #[serde(rename = "vtt_account.unlinked")]
    VttAccountUnlinked(VttAccountUnlinked),
}

impl WebhookPayload {
    /// The event type, as sent in the `type` field.
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::VttAccountLinked(_) => "vtt_account.linked",
            Self::VttAccountUnlinked(_) => "vtt_account.unlinked",
        }
    }

    /// Checks the data's limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        match self {
            Self::VttAccountLinked(linked) => {
                check_snowflake("data.discord_id", &linked.discord_id)?;
                check_text("data.vtt_user_id", &linked.vtt_user_id, 200)?;
                if linked.gm_game_ids.len() > 100 {
                    return Err(SdkError::invalid(
                        "data.gm_game_ids",
                        "must hold at most 100 games",
                    ));
                }
                for (index, game_id) in linked.gm_game_ids.iter().enumerate() {
                    check_text(&format!("data.gm_game_ids[{index}]"), game_id, 200)?;
                }
                Ok(())
            }
            Self::VttAccountUnlinked(unlinked) => {
                check_snowflake("data.discord_id", &unlinked.discord_id)?;
                check_text("data.vtt_user_id", &unlinked.vtt_user_id, 200)
            }
        }
    }
}

/// The data of `vtt_account.linked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttAccountLinked {
    /// The Discord id of the Crit-Fumble user who linked the account.
    pub discord_id: String,
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the player.
    pub vtt_user_id: String,
    /// The player's name on the VTT.
    #[serde(default)]
    pub display_name: Option<String>,
    /// When FumbleBot verified the link.
    pub verified_at: DateTime<Utc>,
    /// The VTT's ids of the games in which this account is a game master, as the VTT
    /// showed the extension (at most 100). Core lets the account's user link only these
    /// games to a campaign they GM; each delivery replaces the list.
    #[serde(default)]
    pub gm_game_ids: Vec<String>,
}

/// The data of `vtt_account.unlinked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttAccountUnlinked {
    /// The Discord id of the Crit-Fumble user.
    pub discord_id: String,
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the player.
    pub vtt_user_id: String,
}

/// Core's answer to a webhook delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookAck {
    /// True when this `webhook-id` had been applied before, so nothing changed now.
    pub duplicate: bool,
}
