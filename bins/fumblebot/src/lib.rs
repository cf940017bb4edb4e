//! FumbleBot: the Crit-Fumble Discord bot, and (without `--core-url`) the one process that
//! runs the whole system with Core embedded.
//!
//! The parts, each in its module:
//! - [`discord`]: the slash commands and buttons, the one handler they go through, and its
//!   two ways in (serenity's gateway client and Discord's HTTP interactions endpoint);
//! - [`outbox`]: the reports Core has not acknowledged yet, drained in the background;
//! - [`core_access`]: Core through the SDK's `CoreClient`, acting for each Discord user;
//! - [`ratelimit`]: per-user and per-guild limits, in memory or in Redis;
//! - [`ai`]: the AI service Core calls (`POST /v1/ai/chat`);
//! - [`bridge`]: the VTT bridge the browser extension calls (`/vtt/...`);
//! - [`error`]: every refusal of the HTTP API as the SDK's error body;
//! - [`activity`]: the Discord Activity, a shared dice table (`/activity/`);
//! - [`run`]: start-up, the embedded Core, and shutdown.
#![deny(missing_docs)]

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::get;
use critfumble_sdk::paths;
use critfumble_sdk::wire::{FumbleBotReadiness, Health};
use tower_http::trace::TraceLayer;

pub mod activity;
pub mod ai;
pub mod bridge;
pub mod config;
pub mod core_access;
pub mod discord;
pub mod error;
pub mod outbox;
pub mod ratelimit;
pub mod run;
pub mod state;

pub use config::Config;
pub use run::{Running, SHUTDOWN_GRACE, start};
pub use state::AppState;

/// The largest request body FumbleBot accepts (Discord's interactions are a few KB).
pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// FumbleBot's HTTP router; the VTT bridge admits the browser origins in `bridge_origins`.
pub fn app(state: AppState) -> Router {
    let origins = state.bridge().origins().to_vec();
    Router::new()
        .route(paths::HEALTHZ, get(healthz))
        .route(paths::READYZ, get(readyz))
        .merge(discord::routes().layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES)))
        .merge(ai::routes())
        .merge(bridge::routes(&origins))
        .merge(activity::routes(&state))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// Ready when the outbox answers: without it, no roll can be answered. The body also says
/// which AI providers are configured and whether they answer; the AI service is optional, so
/// a provider that is down does not make FumbleBot unready.
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<FumbleBotReadiness>) {
    let ai_providers = state.ai().provider_status().await;
    let default_model = state.ai().default_model().map(str::to_owned);
    let (status, text) = match state.outbox().pending().await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "not ready: the outbox does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "outbox unavailable")
        }
    };
    (
        status,
        Json(FumbleBotReadiness {
            status: text.to_owned(),
            default_model,
            ai_providers,
        }),
    )
}
