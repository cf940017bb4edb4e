//! FumbleBot's Discord side: the slash commands, the one handler they go through, and its
//! two ways in (the gateway and the HTTP interactions endpoint).

use std::num::NonZeroU64;

use axum::Router;
use axum::routing::post;
use serenity::all::{ApplicationId, Http, HttpBuilder};

use crate::state::AppState;

pub mod autocomplete;
pub mod campaign;
pub mod check;
pub mod commands;
pub mod endpoint;
pub mod gateway;
pub mod handler;
pub mod reply;
pub mod roll;
pub mod saved;
pub mod stats;
pub mod status;
pub mod table;
pub mod text;
pub mod verify;

/// The path of Discord's HTTP interactions endpoint.
pub const INTERACTIONS_PATH: &str = "/discord/interactions";

/// The routes of the Discord side.
pub fn routes() -> Router<AppState> {
    Router::new().route(INTERACTIONS_PATH, post(endpoint::interactions))
}

/// The origin of Discord's API.
pub const DISCORD_API_BASE: &str = "https://discord.com";

/// serenity's REST client for Discord at `api_base` (`https://discord.com`, or a local fake
/// in tests: requests go to `{api_base}/api/v10/...`). Against Discord itself, serenity's
/// rate limiter waits out 429s and their buckets. serenity 0.12's limiter ignores a proxy
/// base URL (it is meant for a proxy that limits by itself), so with another base the
/// requests go straight there, unlimited. Without a token, the client still answers
/// interactions (their webhook routes carry their own token), but cannot register commands
/// or connect to the gateway.
pub fn http(token: Option<&str>, application_id: Option<NonZeroU64>, api_base: &str) -> Http {
    let mut builder = HttpBuilder::new(token.unwrap_or_default());
    let api_base = api_base.trim_end_matches('/');
    if api_base != DISCORD_API_BASE {
        builder = builder.proxy(api_base).ratelimiter_disabled(true);
    }
    if let Some(application_id) = application_id {
        builder = builder.application_id(ApplicationId::from(application_id));
    }
    builder.build()
}
