//! The VTT bridge, for the browser extension: `POST /vtt/rolls`, `POST /vtt/chat`,
//! `GET /vtt/events` and `POST /vtt/accounts/link`. Every call carries a Core user token,
//! checked with Core ([`auth`]); CORS admits only the extension's origins and the web app;
//! bodies are limited, and each token and each game has a rate limit.
//!
//! FumbleBot acts in Core with its own service key, so the bridge checks the token's scopes
//! itself, as Core checks them on its own routes ([`BridgeRoute::scopes`]); a token without
//! one is refused with 403 naming it, before the body is read:
//!
//! | route | scopes | why |
//! | --- | --- | --- |
//! | `POST /vtt/rolls` | `read`, `rolls:write` | reports the user's roll to Core, as `POST /v1/rolls` needs `rolls:write` |
//! | `POST /vtt/chat` | `read`, `rolls:write` | speaks for the user in the campaign's channel: the extension's bridge writing, as rolls |
//! | `POST /vtt/accounts/link` | `read`, `rolls:write` | Core stores a link for the user; Core's Link page gives the extension exactly `read` and `rolls:write` (`TokenScope::DEFAULT`), so the extension links with the token it sends rolls with, and a read-only token links nothing |
//! | `GET /vtt/events` | `read` | reads the game's chat from Discord |
//!
//! Every route needs `read`: each reads the game's campaign as the token's user, and Core
//! says whose a token is (`GET /v1/me`) only to a token that may read.

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use critfumble_sdk::wire::{ErrorCode, TokenScope, Vtt};
use serenity::all::{ChannelId, CreateMessage};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::discord::reply::no_mentions;
use crate::error::ApiError;
use crate::ratelimit::Verdict;
use crate::state::AppState;

pub mod auth;
pub mod chat;
pub mod events;
pub mod game;
pub mod link;
pub mod presence;
pub mod rolls;
pub mod seen;

pub use events::EventHub;
pub use presence::Presence;
pub use seen::SeenMessages;

/// The largest bridge request: a 4 MiB `raw` message as a JSON string, where escaping can
/// double it, and the other fields.
pub const BRIDGE_BODY_LIMIT_BYTES: usize = 9 * 1024 * 1024;
/// Requests (rolls and chat) one game may send per 10 s, from every extension in it.
pub const GAME_RATE: u32 = 300;

/// A route of the bridge, and the scopes it needs of the caller's token (the table in the
/// module's documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BridgeRoute {
    /// `POST /vtt/rolls`.
    Rolls,
    /// `POST /vtt/chat`.
    Chat,
    /// `POST /vtt/accounts/link`.
    AccountsLink,
    /// `GET /vtt/events`.
    Events,
}

impl BridgeRoute {
    /// The method and path, as error messages name the route.
    pub const fn name(self) -> &'static str {
        match self {
            BridgeRoute::Rolls => "POST /vtt/rolls",
            BridgeRoute::Chat => "POST /vtt/chat",
            BridgeRoute::AccountsLink => "POST /vtt/accounts/link",
            BridgeRoute::Events => "GET /vtt/events",
        }
    }

    /// The scopes the caller's token must hold.
    pub const fn scopes(self) -> &'static [TokenScope] {
        match self {
            BridgeRoute::Rolls | BridgeRoute::Chat | BridgeRoute::AccountsLink => {
                &[TokenScope::Read, TokenScope::RollsWrite]
            }
            BridgeRoute::Events => &[TokenScope::Read],
        }
    }
}

/// The bridge's state.
#[derive(Debug)]
pub struct BridgeState {
    tokens: auth::TokenCache,
    hub: EventHub,
    seen: SeenMessages,
    presence: Presence,
    origins: Vec<String>,
}

impl BridgeState {
    /// The bridge's state: messages seen recorded in `seen`, events kept in `hub`, open
    /// streams in `presence`, browser calls admitted from `origins`.
    pub fn new(
        seen: SeenMessages,
        hub: EventHub,
        presence: Presence,
        origins: Vec<String>,
    ) -> BridgeState {
        BridgeState {
            tokens: auth::TokenCache::default(),
            hub,
            seen,
            presence,
            origins,
        }
    }

    /// The browser origins admitted.
    pub fn origins(&self) -> &[String] {
        &self.origins
    }

    /// Core's answers about tokens.
    pub fn tokens(&self) -> &auth::TokenCache {
        &self.tokens
    }

    /// The events of every game.
    pub fn hub(&self) -> &EventHub {
        &self.hub
    }

    /// Which users have an extension connected to which game.
    pub fn presence(&self) -> &Presence {
        &self.presence
    }

    /// The messages received already.
    pub fn seen(&self) -> &SeenMessages {
        &self.seen
    }
}

/// The bridge's routes, with CORS for `origins` (the extension's, and the web app's).
pub fn routes(origins: &[String]) -> Router<AppState> {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin.trim_end_matches('/')).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        .max_age(std::time::Duration::from_secs(600));
    Router::new()
        .route("/vtt/rolls", post(rolls::rolls))
        .route("/vtt/chat", post(chat::chat))
        .route("/vtt/events", get(events::events))
        .route("/vtt/accounts/link", post(link::link))
        .layer(cors)
}

/// Counts one request for a game: 429 past [`GAME_RATE`] per 10 s.
pub async fn limit_game(state: &AppState, vtt: Vtt, game_id: &str) -> Result<(), ApiError> {
    let key = format!("vtt:g:{vtt}:{game_id}");
    match state
        .limiter()
        .check_key(&key, GAME_RATE, crate::config::RATE_WINDOW)
        .await
    {
        Verdict::Allowed => Ok(()),
        Verdict::Limited { retry_after_secs } => Err(ApiError::new(
            ErrorCode::RateLimited,
            format!("this game sent more than {GAME_RATE} messages in 10 s"),
        )
        .retry_after(retry_after_secs)),
    }
}

/// Sends `text` to a Discord channel in the background, with every mention disabled; a
/// failure is logged (serenity's limiter already retried Discord's 429s).
pub fn send_to_discord(state: &AppState, channel_id: &str, text: String) {
    let Some(channel) = channel_id
        .parse::<u64>()
        .ok()
        .filter(|id| *id != 0)
        .map(ChannelId::new)
    else {
        tracing::warn!(
            channel_id,
            "a campaign's discord channel id is not a snowflake"
        );
        return;
    };
    let http = state.discord().clone();
    let message = CreateMessage::new()
        .content(crate::discord::text::clip(
            &text,
            crate::discord::text::MAX_CONTENT_CHARS,
        ))
        .allowed_mentions(no_mentions());
    tokio::spawn(async move {
        if let Err(error) = channel.send_message(&http, message).await {
            tracing::warn!(%error, %channel, "cannot relay to discord");
        }
    });
}
