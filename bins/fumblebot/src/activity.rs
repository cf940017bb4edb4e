//! The Discord Activity: a shared dice table that Discord shows to everyone in a voice
//! channel. FumbleBot serves its app under `/activity/` (the files `npm run build` makes in
//! `bins/fumblebot/activity/dist`) and its API under `/activity/api/`, both also under
//! Discord's `/.proxy` prefix:
//!
//! - `POST /activity/api/token` ([`token`]): the code from the SDK's `authorize` is
//!   exchanged with Discord (`discord_api.rs`; the client secret stays here), Discord says
//!   who the token's user is (`GET /users/@me`), and FumbleBot signs its own session for
//!   that user (`session.rs`). A user id sent by a client is never read.
//! - `GET /activity/api/saved`: the session's user's saved rolls, from Core.
//! - `GET /activity/api/socket` (`socket.rs`): the live table of one instance, whose rolls
//!   are made here (`table.rs`), reported to Core through the outbox as `activity` rolls,
//!   and shared through the rooms (`room.rs`, in memory or Redis).
//!
//! A `/roll` in a channel where the table is open appears on it too ([`relay_discord_roll`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use critfumble_sdk::paths;
use critfumble_sdk::wire::{
    ErrorCode, NewRoll, PageRequest, TableConfig, TableSavedRoll, TableTokenRequest,
    TableTokenResponse, TableUser,
};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::bridge::auth::{Peer, peer_ip};
use crate::error::ApiError;
use crate::outbox::DiscordActor;
use crate::ratelimit::Verdict;
use crate::state::AppState;

pub mod discord_api;
pub mod room;
pub mod session;
pub mod socket;
pub mod table;

pub use discord_api::DiscordApi;
pub use room::Rooms;
pub use session::SessionKey;

/// Instances remembered at most.
const INSTANCES_MAX: usize = 50_000;
/// Code exchanges one address may make per minute.
const TOKEN_RATE_PER_MINUTE: u32 = 20;
/// The largest token request body.
const TOKEN_BODY_LIMIT: usize = 4 * 1024;
/// The app's Content-Security-Policy: its own scripts and WebAssembly, its own API and
/// socket, Discord's avatars; no inline script.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    connect-src 'self'; img-src 'self' data: https://cdn.discordapp.com; \
    style-src 'self'; base-uri 'none'; form-action 'none'";

/// What the Activity's handlers share.
#[derive(Clone, Debug)]
pub struct ActivityState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    discord: DiscordApi,
    sessions: SessionKey,
    rooms: Rooms,
    app_dir: Option<PathBuf>,
    roll_rate: u32,
    instance_ttl: Duration,
    instances: Mutex<HashMap<String, (Instant, discord_api::ActivityInstance)>>,
}

/// The parts an [`ActivityState`] is made of.
#[derive(Debug)]
pub struct ActivitySettings {
    /// Discord's API.
    pub discord: DiscordApi,
    /// The key sessions are signed with.
    pub sessions: SessionKey,
    /// The rooms.
    pub rooms: Rooms,
    /// The built app's folder.
    pub app_dir: Option<PathBuf>,
    /// Rolls per user per second.
    pub roll_rate: u32,
    /// How long Discord's word on an instance's members is trusted before it is asked
    /// again (a user who is not in the cached list makes it ask at once). An open socket
    /// checks that its user is still there this often.
    pub instance_ttl: Duration,
}

impl ActivityState {
    /// The Activity's state.
    pub fn new(settings: ActivitySettings) -> ActivityState {
        ActivityState {
            inner: Arc::new(Inner {
                discord: settings.discord,
                sessions: settings.sessions,
                rooms: settings.rooms,
                app_dir: settings.app_dir,
                roll_rate: settings.roll_rate.max(1),
                instance_ttl: settings.instance_ttl,
                instances: Mutex::default(),
            }),
        }
    }

    /// The key sessions are signed with.
    pub fn sessions(&self) -> &SessionKey {
        &self.inner.sessions
    }

    /// The rooms.
    pub fn rooms(&self) -> &Rooms {
        &self.inner.rooms
    }

    /// Rolls per user per second.
    pub fn roll_rate(&self) -> u32 {
        self.inner.roll_rate
    }

    /// How long Discord's list of an instance's users is reused.
    pub fn instance_ttl(&self) -> Duration {
        self.inner.instance_ttl
    }

    /// The channel of `instance_id` if Discord lists `user_id` in it; `Ok(None)` when the
    /// instance exists but the user is not in it.
    pub async fn channel_of(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<Option<String>, discord_api::DiscordApiError> {
        let cached = room::lock(&self.inner.instances)
            .get(instance_id)
            .filter(|(at, _)| at.elapsed() < self.inner.instance_ttl)
            .map(|(_, instance)| instance.clone());
        if let Some(instance) = cached
            && instance.users.iter().any(|user| user == user_id)
        {
            return Ok(Some(instance.location.channel_id));
        }
        let instance = self.inner.discord.instance(instance_id).await?;
        if instance.instance_id != instance_id {
            return Err(discord_api::DiscordApiError::NoInstance);
        }
        let channel = instance
            .users
            .iter()
            .any(|user| user == user_id)
            .then(|| instance.location.channel_id.clone());
        let mut instances = room::lock(&self.inner.instances);
        if instances.len() >= INSTANCES_MAX {
            let ttl = self.inner.instance_ttl;
            instances.retain(|_, (at, _)| at.elapsed() < ttl);
            if instances.len() >= INSTANCES_MAX {
                instances.clear();
            }
        }
        instances.insert(instance_id.to_owned(), (Instant::now(), instance));
        Ok(channel)
    }
}

/// The Activity's routes, at `/activity` and at `/.proxy/activity`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let api = Router::new()
        .route(paths::ACTIVITY_CONFIG, get(config))
        .route(paths::ACTIVITY_TOKEN, post(token))
        .route(paths::ACTIVITY_SAVED, get(saved))
        .route(paths::ACTIVITY_SOCKET, get(socket::upgrade));
    let mut router = api.clone().nest(paths::DISCORD_PROXY_PREFIX, api);
    if let Some(dir) = &state.activity().inner.app_dir {
        let files = Router::new()
            .nest_service(
                paths::ACTIVITY,
                ServeDir::new(dir)
                    .precompressed_gzip()
                    .append_index_html_on_directories(true),
            )
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ));
        router = router
            .merge(files.clone())
            .nest(paths::DISCORD_PROXY_PREFIX, files);
    }
    router
}

/// `GET /activity/api/config`: the client id the app gives the SDK.
pub async fn config(State(state): State<AppState>) -> Json<TableConfig> {
    Json(TableConfig {
        client_id: state
            .activity()
            .inner
            .discord
            .client_id()
            .map(str::to_owned),
    })
}

/// `POST /activity/api/token`: exchanges the code, asks Discord who the user is, and
/// answers with Discord's access token (for `authenticate`) and FumbleBot's session.
pub async fn token(
    State(state): State<AppState>,
    peer: Peer,
    body: axum::body::Body,
) -> Result<Json<TableTokenResponse>, ApiError> {
    if let Some(ip) = peer_ip(&peer) {
        limit_address(&state, ip).await?;
    }
    let body = crate::error::read_body(body, TOKEN_BODY_LIMIT).await?;
    let request: TableTokenRequest = crate::error::parse_json(&body)?;
    request.validate()?;
    let discord = &state.activity().inner.discord;
    if !discord.can_exchange() {
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            "the activity is not configured (DISCORD_CLIENT_SECRET)",
        ));
    }
    let access_token = discord
        .exchange_code(&request.code)
        .await
        .map_err(refusal)?;
    let user = discord.current_user(&access_token).await.map_err(refusal)?;
    let expires_at = chrono::Utc::now() + session::SESSION_LIFETIME;
    let session = state.activity().sessions().issue(&user, expires_at);
    Ok(Json(TableTokenResponse {
        access_token,
        session,
        expires_at,
        user,
    }))
}

async fn limit_address(state: &AppState, ip: IpAddr) -> Result<(), ApiError> {
    match state
        .limiter()
        .check_key(
            &format!("activity:token:{ip}"),
            TOKEN_RATE_PER_MINUTE,
            Duration::from_secs(60),
        )
        .await
    {
        Verdict::Allowed => Ok(()),
        Verdict::Limited { retry_after_secs } => Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many sign-ins from this address",
        )
        .retry_after(retry_after_secs)),
    }
}

fn refusal(error: discord_api::DiscordApiError) -> ApiError {
    match error {
        discord_api::DiscordApiError::Refused { status, message } => {
            tracing::info!(status, %message, "discord refused an activity code");
            ApiError::new(ErrorCode::Unauthorized, "discord refused the code").field("code")
        }
        discord_api::DiscordApiError::NoInstance => {
            ApiError::new(ErrorCode::NotFound, "no such activity instance")
        }
        discord_api::DiscordApiError::Unavailable(message) => {
            tracing::warn!(%message, "discord is unavailable to the activity");
            ApiError::new(ErrorCode::UpstreamFailed, "discord cannot be reached").retry_after(5)
        }
        discord_api::DiscordApiError::NotConfigured(what) => ApiError::new(
            ErrorCode::Unavailable,
            format!("the activity is not configured ({what})"),
        ),
    }
}

/// The session's user, from `Authorization: Bearer <session>`.
fn session_user(state: &AppState, headers: &HeaderMap) -> Result<TableUser, ApiError> {
    let session = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "a session is required"))?;
    state
        .activity()
        .sessions()
        .verify(session, chrono::Utc::now())
        .map(|claims| claims.user)
        .map_err(|error| ApiError::new(ErrorCode::Unauthorized, error.to_string()))
}

/// `GET /activity/api/saved`: the user's saved rolls (the first 25 by name), for the
/// table's quick buttons.
pub async fn saved(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let user = session_user(&state, &headers)?;
    let actor = DiscordActor {
        discord_id: user.id.clone(),
        name: user.name.clone(),
        avatar: user.avatar.clone(),
    };
    let core_failed = |error: critfumble_sdk::SdkError| {
        tracing::warn!(error = %critfumble_sdk::retry::error_chain(&error), "saved rolls");
        ApiError::new(
            ErrorCode::UpstreamFailed,
            "crit-fumble's server cannot be reached",
        )
        .retry_after(5)
    };
    let (client, _) = state.core().acting_for(&actor).await.map_err(core_failed)?;
    let page = client
        .list_saved_rolls(&PageRequest {
            cursor: None,
            limit: Some(25),
        })
        .await
        .map_err(core_failed)?;
    let saved: Vec<TableSavedRoll> = page
        .items
        .into_iter()
        .map(|roll| TableSavedRoll {
            name: roll.name,
            expression: roll.expression,
        })
        .collect();
    Ok(Json(saved))
}

/// Shows a `/roll` made in Discord on every table open in its channel (a private roll
/// stays off the table). Runs in the background: the Discord reply never waits on it.
pub fn relay_discord_roll(state: &AppState, report: &NewRoll, actor: &DiscordActor) {
    if report.private {
        return;
    }
    let Some(channel_id) = report.channel_id.clone() else {
        return;
    };
    let roll = table::table_roll(
        report,
        TableUser {
            id: actor.discord_id.clone(),
            name: actor.name.clone(),
            avatar: actor.avatar.clone(),
        },
    );
    let state = state.clone();
    tokio::spawn(async move {
        let rooms = state.activity().rooms();
        let instances = match rooms.in_channel(&channel_id).await {
            Ok(instances) => instances,
            Err(error) => {
                tracing::warn!(%error, "cannot find the tables of a channel");
                return;
            }
        };
        for instance_id in instances {
            if let Err(error) = rooms.roll(&instance_id, roll.clone()).await {
                tracing::warn!(%error, "cannot show a discord roll on a table");
            }
        }
    });
}
