//! Users: people who log in with Discord, and the service's upsert request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_optional_text, check_text};
use crate::SdkError;

/// A user of Crit-Fumble, known by their Discord account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Core's id for the user.
    pub id: Uuid,
    /// The Discord user id (a snowflake, as a string).
    pub discord_id: String,
    /// The display name.
    pub name: String,
    /// The avatar URL or Discord avatar hash, if any.
    pub avatar: Option<String>,
    /// When Core first saw the user.
    pub created_at: DateTime<Utc>,
    /// When the user was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The body of `PUT /v1/users/discord/{discord_id}`: creates the user or refreshes their
/// name and avatar. Only a service key may call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpsertUserRequest {
    /// The display name (1 to 100 characters).
    pub name: String,
    /// The avatar URL or hash (at most 512 characters).
    #[serde(default)]
    pub avatar: Option<String>,
}

impl UpsertUserRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("name", &self.name, 100)?;
        check_optional_text("avatar", self.avatar.as_deref(), 512)
    }
}
