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

/// What a user token or a browser session may do. Each route of Core names the scope it
/// needs; service keys may do everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TokenScope {
    /// Read what the user may see: campaigns, characters, sessions, rolls, AI logs, usage.
    #[serde(rename = "read")]
    Read,
    /// Report the user's own rolls (`POST /v1/rolls`): the browser extension's bridge, which
    /// FumbleBot also asks of its rolls, chat and account links (`/vtt/...`).
    #[serde(rename = "rolls:write")]
    RollsWrite,
    /// Change campaigns, members, characters, sessions and links.
    #[serde(rename = "write")]
    Write,
    /// Ask the campaign's AI assistant, which costs money.
    #[serde(rename = "ai")]
    Ai,
    /// List, issue and revoke the user's tokens. The web app's session holds it; a token
    /// needs it to mint another token.
    #[serde(rename = "tokens")]
    Tokens,
}

impl TokenScope {
    /// Every scope, in declaration order.
    pub const ALL: &'static [TokenScope] = &[
        TokenScope::Read,
        TokenScope::RollsWrite,
        TokenScope::Write,
        TokenScope::Ai,
        TokenScope::Tokens,
    ];

    /// The scopes a token gets when its request names none: the extension's bridge.
    pub const DEFAULT: &'static [TokenScope] = &[TokenScope::Read, TokenScope::RollsWrite];

    /// The spelling used on the wire and in databases.
    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::RollsWrite => "rolls:write",
            TokenScope::Write => "write",
            TokenScope::Ai => "ai",
            TokenScope::Tokens => "tokens",
        }
    }
}

impl core::fmt::Display for TokenScope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::str::FromStr for TokenScope {
    type Err = SdkError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TokenScope::ALL
            .iter()
            .copied()
            .find(|scope| scope.as_str() == text)
            .ok_or_else(|| SdkError::UnknownValue {
                kind: "token scope",
                value: text.to_owned(),
                expected: TokenScope::ALL
                    .iter()
                    .map(|scope| scope.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn default_scopes() -> Vec<TokenScope> {
    TokenScope::DEFAULT.to_vec()
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
    /// What it may do (every scope, for a service key).
    #[serde(default)]
    pub scopes: Vec<TokenScope>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The body of `POST /v1/me/tokens`, which needs the `tokens` scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// A name (1 to 100 characters).
    pub name: String,
    /// When the token stops working: at most 90 days away; absent for 30 days.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// What the token may do; absent for `read` and `rolls:write` (the extension's
    /// bridge). A token can only be given scopes that its issuer holds.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<TokenScope>,
}

impl CreateTokenRequest {
    /// How long a token lives when the request names no expiry.
    pub const DEFAULT_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(30);
    /// The longest a token may live.
    pub const MAX_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(90);

    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("name", &self.name, 100)?;
        if self.scopes.is_empty() {
            return Err(SdkError::invalid("scopes", "must name at least one scope"));
        }
        Ok(())
    }

    /// When the token expires if issued at `now`: the requested time, or 30 days from now.
    /// An expiry in the past or more than 90 days away is an error naming `expires_at`.
    pub fn expiry(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, SdkError> {
        let Some(expires_at) = self.expires_at else {
            return Ok(now + Self::DEFAULT_LIFETIME);
        };
        if expires_at <= now {
            return Err(SdkError::invalid("expires_at", "must be in the future"));
        }
        if expires_at > now + Self::MAX_LIFETIME {
            return Err(SdkError::invalid(
                "expires_at",
                "must be at most 90 days away",
            ));
        }
        Ok(expires_at)
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
