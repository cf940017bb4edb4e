//! Virtual tabletops: which VTT, a game on it, and a user's linked VTT account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_text, wire_enum};
use crate::SdkError;

wire_enum! {
    /// A virtual tabletop that Crit-Fumble bridges.
    Vtt as "vtt" {
        /// Roll20.
        Roll20 = "roll20",
        /// Foundry VTT.
        Foundry = "foundry",
        /// D&D Beyond.
        DndBeyond = "dndbeyond",
    }
}

/// A game on a VTT: a Roll20 campaign id or a Foundry world id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VttGame {
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's own id of the game (1 to 200 characters).
    pub game_id: String,
}

impl VttGame {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("game_id", &self.game_id, 200)
    }
}

/// A user's account on a VTT, linked to their Crit-Fumble user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VttAccountLink {
    /// Core's id for the link.
    pub id: Uuid,
    /// The Crit-Fumble user.
    pub user_id: Uuid,
    /// The VTT.
    pub vtt: Vtt,
    /// The VTT's id of the player.
    pub vtt_user_id: String,
    /// The player's name on the VTT.
    pub display_name: Option<String>,
    /// When FumbleBot verified that the user controls the VTT account.
    pub verified_at: Option<DateTime<Utc>>,
    /// When the link was stored.
    pub created_at: DateTime<Utc>,
}
