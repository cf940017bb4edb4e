//! Campaigns, their members and roles, and their links to Discord and a VTT game.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{User, VttGame, check_optional_text, check_snowflake, check_text, wire_enum};
use crate::SdkError;

/// A campaign: one group's game, with its Discord channel and VTT game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    /// Core's id for the campaign.
    pub id: Uuid,
    /// The campaign's name.
    pub name: String,
    /// The game system, for example `dnd5e` or `pf2e`.
    pub game_system: String,
    /// A free-form description.
    pub description: Option<String>,
    /// The linked Discord guild (server) id.
    pub discord_guild_id: Option<String>,
    /// The linked Discord channel id.
    pub discord_channel_id: Option<String>,
    /// The linked VTT game.
    pub vtt_game: Option<VttGame>,
    /// The user who created the campaign (its first GM).
    pub created_by: Uuid,
    /// When the campaign was created.
    pub created_at: DateTime<Utc>,
    /// When the campaign was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /v1/campaigns`. The caller becomes the campaign's GM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateCampaignRequest {
    /// The name (1 to 200 characters).
    pub name: String,
    /// The game system (1 to 50 characters).
    pub game_system: String,
    /// A description (at most 10,000 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// The Discord guild id.
    #[serde(default)]
    pub discord_guild_id: Option<String>,
    /// The Discord channel id.
    #[serde(default)]
    pub discord_channel_id: Option<String>,
    /// The VTT game.
    #[serde(default)]
    pub vtt_game: Option<VttGame>,
}

impl CreateCampaignRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("name", &self.name, 200)?;
        check_text("game_system", &self.game_system, 50)?;
        check_optional_text("description", self.description.as_deref(), 10_000)?;
        if let Some(guild) = &self.discord_guild_id {
            check_snowflake("discord_guild_id", guild)?;
        }
        if let Some(channel) = &self.discord_channel_id {
            check_snowflake("discord_channel_id", channel)?;
        }
        if let Some(game) = &self.vtt_game {
            game.validate()?;
        }
        Ok(())
    }
}

/// The body of `PATCH /v1/campaigns/{id}`: absent fields stay as they are, and an empty
/// `description` clears it. Links change through their own endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCampaignRequest {
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new game system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game_system: Option<String>,
    /// A new description; `""` clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl UpdateCampaignRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        if let Some(name) = &self.name {
            check_text("name", name, 200)?;
        }
        if let Some(system) = &self.game_system {
            check_text("game_system", system, 50)?;
        }
        check_optional_text("description", self.description.as_deref(), 10_000)
    }
}

/// The body of `PUT /v1/campaigns/{id}/links/discord`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DiscordLinkRequest {
    /// The Discord guild id.
    pub guild_id: String,
    /// The Discord channel id.
    pub channel_id: String,
}

impl DiscordLinkRequest {
    /// Checks that both ids are snowflakes.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_snowflake("guild_id", &self.guild_id)?;
        check_snowflake("channel_id", &self.channel_id)
    }
}

wire_enum! {
    /// A member's role in a campaign.
    MemberRole as "member role" {
        /// Game master: manages the campaign, its members and sessions.
        Gm = "gm",
        /// Player.
        Player = "player",
    }
}

/// A member of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignMember {
    /// The campaign.
    pub campaign_id: Uuid,
    /// The member.
    pub user: User,
    /// Their role.
    pub role: MemberRole,
    /// When they joined.
    pub joined_at: DateTime<Utc>,
}

/// The body of `PUT /v1/campaigns/{id}/members/{user_id}`: adds the member or changes
/// their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetMemberRequest {
    /// The role.
    pub role: MemberRole,
}
