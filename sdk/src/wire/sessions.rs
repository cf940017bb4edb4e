//! Game sessions: one evening of play in a campaign, possibly on a VTT.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{VttGame, check_optional_text};
use crate::SdkError;

/// A game session. It is active while `ended_at` is absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameSession {
    /// Core's id for the session.
    pub id: Uuid,
    /// The campaign.
    pub campaign_id: Uuid,
    /// A title, for example `Session 12: the crypt`.
    pub title: Option<String>,
    /// The VTT game played in this session.
    pub vtt_game: Option<VttGame>,
    /// When the session started.
    pub started_at: DateTime<Utc>,
    /// When the session ended; absent while it runs.
    pub ended_at: Option<DateTime<Utc>>,
    /// The GM's notes, which the AI sees as context.
    pub notes: Option<String>,
}

/// The body of `POST /v1/campaigns/{id}/sessions`. Core refuses a second active session in
/// the same campaign with 409.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct StartSessionRequest {
    /// A title (at most 200 characters).
    pub title: Option<String>,
    /// The VTT game; defaults to the campaign's.
    pub vtt_game: Option<VttGame>,
}

impl StartSessionRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_optional_text("title", self.title.as_deref(), 200)?;
        if let Some(game) = &self.vtt_game {
            game.validate()?;
        }
        Ok(())
    }
}

/// The body of `POST /v1/campaigns/{id}/sessions/{session_id}/end`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EndSessionRequest {
    /// Closing notes, replacing any earlier ones (at most 20,000 characters).
    pub notes: Option<String>,
}

impl EndSessionRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_optional_text("notes", self.notes.as_deref(), 20_000)
    }
}

/// The body of `PATCH /v1/campaigns/{id}/sessions/{session_id}`: absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct UpdateSessionRequest {
    /// A new title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// New notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

impl UpdateSessionRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_optional_text("title", self.title.as_deref(), 200)?;
        check_optional_text("notes", self.notes.as_deref(), 20_000)
    }
}
