//! What the Activity asks Discord's HTTP API, at the configurable base
//! (`--discord-api-base`): the OAuth2 code exchange (`POST /oauth2/token`, with the client
//! secret, which never leaves FumbleBot), who the token's user is (`GET /users/@me`), and
//! who is in an activity instance (`GET /applications/{id}/activity-instances/{instance}`,
//! with the bot token).

use std::time::Duration;

use critfumble_sdk::wire::TableUser;
use serde::Deserialize;

/// How long one call to Discord may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest instance id accepted (Discord's are about 60 characters).
pub const MAX_INSTANCE_ID_CHARS: usize = 200;

/// Why Discord did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum DiscordApiError {
    /// Discord refused the code or the token (4xx).
    #[error("discord refused: {status} {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Discord's `error_description`, `message` or `error`.
        message: String,
    },
    /// The instance does not exist (or is not this application's).
    #[error("no such activity instance")]
    NoInstance,
    /// Discord could not be reached, timed out, answered 5xx or something unreadable.
    #[error("discord is unavailable: {0}")]
    Unavailable(String),
    /// The Activity is not configured (no client secret, application id or bot token).
    #[error("the activity is not configured: {0}")]
    NotConfigured(&'static str),
}

/// Discord's token response, as much as the Activity needs.
#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
}

/// Discord's user object, as much as the Activity needs.
#[derive(Debug, Deserialize)]
struct DiscordUser {
    id: String,
    username: String,
    #[serde(default)]
    global_name: Option<String>,
    #[serde(default)]
    avatar: Option<String>,
}

/// An activity instance, as Discord describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct ActivityInstance {
    /// The instance id.
    pub instance_id: String,
    /// Where it runs.
    pub location: InstanceLocation,
    /// The ids of the users in it.
    pub users: Vec<String>,
}

/// Where an instance runs.
#[derive(Debug, Clone, Deserialize)]
pub struct InstanceLocation {
    /// The channel (a voice channel, or the DM).
    pub channel_id: String,
    /// The guild, unless in a private channel.
    #[serde(default)]
    pub guild_id: Option<String>,
}

/// The Activity's side of Discord's API.
#[derive(Clone)]
pub struct DiscordApi {
    http: reqwest::Client,
    base: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    bot_token: Option<String>,
}

impl std::fmt::Debug for DiscordApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordApi")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<set>"),
            )
            .field("bot_token", &self.bot_token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl DiscordApi {
    /// The API at `base` (`https://discord.com`; requests go to `{base}/api/v10/...`).
    pub fn new(
        base: &str,
        client_id: Option<String>,
        client_secret: Option<String>,
        bot_token: Option<String>,
    ) -> Result<DiscordApi, reqwest::Error> {
        Ok(DiscordApi {
            http: reqwest::Client::builder().timeout(TIMEOUT).build()?,
            base: format!("{}/api/v10", base.trim_end_matches('/')),
            client_id,
            client_secret,
            bot_token,
        })
    }

    /// The application's OAuth2 client id.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Whether codes can be exchanged (a client id and secret are configured).
    pub fn can_exchange(&self) -> bool {
        self.client_id.is_some() && self.client_secret.is_some()
    }

    /// Exchanges an authorization code for an access token.
    pub async fn exchange_code(&self, code: &str) -> Result<String, DiscordApiError> {
        let (Some(client_id), Some(client_secret)) = (&self.client_id, &self.client_secret) else {
            return Err(DiscordApiError::NotConfigured(
                "DISCORD_CLIENT_SECRET and an application id",
            ));
        };
        let response = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .form(&[
                ("client_id", client_id.as_str()),
                ("client_secret", client_secret.as_str()),
                ("grant_type", "authorization_code"),
                ("code", code),
            ])
            .send()
            .await
            .map_err(unavailable)?;
        let token: TokenResponse = read(response).await?;
        Ok(token.access_token)
    }

    /// The user an access token belongs to.
    pub async fn current_user(&self, access_token: &str) -> Result<TableUser, DiscordApiError> {
        let response = self
            .http
            .get(format!("{}/users/@me", self.base))
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(unavailable)?;
        let user: DiscordUser = read(response).await?;
        if user.id.is_empty() || user.id.len() > 20 || !user.id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(DiscordApiError::Unavailable(
                "discord answered a user id that is not a snowflake".to_owned(),
            ));
        }
        Ok(TableUser {
            id: user.id,
            name: user
                .global_name
                .filter(|name| !name.trim().is_empty())
                .unwrap_or(user.username),
            avatar: user.avatar,
        })
    }

    /// The activity instance `instance_id` of this application.
    pub async fn instance(&self, instance_id: &str) -> Result<ActivityInstance, DiscordApiError> {
        let (Some(client_id), Some(token)) = (&self.client_id, &self.bot_token) else {
            return Err(DiscordApiError::NotConfigured(
                "DISCORD_TOKEN and an application id",
            ));
        };
        // An id of another shape is no instance of ours, and must not reach the URL.
        if instance_id.is_empty()
            || instance_id.len() > MAX_INSTANCE_ID_CHARS
            || !instance_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(DiscordApiError::NoInstance);
        }
        let response = self
            .http
            .get(format!(
                "{}/applications/{client_id}/activity-instances/{instance_id}",
                self.base
            ))
            .header("authorization", format!("Bot {token}"))
            .send()
            .await
            .map_err(unavailable)?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(DiscordApiError::NoInstance);
        }
        read(response).await
    }
}

fn unavailable(error: reqwest::Error) -> DiscordApiError {
    DiscordApiError::Unavailable(critfumble_sdk::retry::error_chain(&error))
}

/// Reads a JSON answer, or Discord's error body.
async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, DiscordApiError> {
    let status = response.status();
    let body = response.bytes().await.map_err(unavailable)?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|error| {
            DiscordApiError::Unavailable(format!("discord's answer did not decode: {error}"))
        });
    }
    if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
        #[derive(Deserialize)]
        struct ErrorBody {
            error: Option<String>,
            error_description: Option<String>,
            message: Option<String>,
        }
        let message = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .and_then(|body| body.error_description.or(body.message).or(body.error))
            .unwrap_or_default();
        return Err(DiscordApiError::Refused {
            status: status.as_u16(),
            message: message.chars().take(200).collect(),
        });
    }
    Err(DiscordApiError::Unavailable(format!(
        "discord answered {status}"
    )))
}
