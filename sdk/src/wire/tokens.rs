//! API keys and user tokens as the API shows them, and the health check body.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_text, wire_enum};
use crate::SdkError;

wire_enum! {
    /// What a key may do.
    KeyScope as "key scope" {
        /// A service (FumbleBot): may act for any user, named by Discord id.
        Service = "service",
        /// A user token (the browser extension): acts as its user only.
        User = "user",
    }
}

/// An API key or user token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyInfo {
    /// Core's id for the key.
    pub id: Uuid,
    /// A name chosen by its owner (`Firefox on my laptop`).
    pub name: String,
    /// The lookup prefix (`cfk_live_3xAmPl`), safe to show.
    pub prefix: String,
    /// What the key may do.
    pub scope: KeyScope,
    /// The user, for user tokens.
    pub user_id: Option<Uuid>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The body of `POST /v1/me/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A name (1 to 100 characters).
    pub name: String,
    /// When the token stops working; absent for no expiry.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl CreateTokenRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("name", &self.name, 100)
    }
}

/// The answer to `POST /v1/me/tokens`: the only time the secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    /// The token itself (`cfk_live_..._...`). Core keeps only its hash.
    pub token: String,
    /// The token's record.
    pub key: ApiKeyInfo,
}

/// The body of `/healthz` and `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok`, or what is wrong.
    pub status: String,
}
