//! `POST /discord/interactions`, Discord's HTTP interactions endpoint. The signature is
//! checked over the raw body before anything is parsed; a bad or missing one is 401 (Discord
//! probes with invalid signatures and removes endpoints that accept them). The answer is the
//! interaction response itself, in the HTTP response.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use critfumble_sdk::wire::{ErrorBody, ErrorCode};
use serenity::all::Interaction;

use super::handler::handle;
use super::reply::{Reply, deferral};
use crate::state::AppState;

/// The handler of `POST /discord/interactions`.
pub async fn interactions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(verifier) = state.verifier() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the interactions endpoint needs --discord-public-key (DISCORD_PUBLIC_KEY)",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Err(rejected) = verifier.verify(
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
        &body,
        chrono::Utc::now().timestamp(),
    ) {
        return error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            &rejected.to_string(),
        );
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(parse) => {
            tracing::warn!(error = %parse, "an interaction did not parse");
            return error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRequest,
                &format!("invalid interaction: {parse}"),
            );
        }
    };
    let http = state.discord().clone();
    if http.application_id().is_none() {
        http.set_application_id(interaction.application_id());
    }
    let token = interaction.token().to_owned();
    match handle(&state, interaction).await {
        Reply::Now(response) => Json(response).into_response(),
        Reply::Later { ephemeral, work } => {
            tokio::spawn(async move { work.await.send(&http, &token).await });
            Json(deferral(ephemeral)).into_response()
        }
    }
}

fn error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (status, Json(ErrorBody::new(code, message))).into_response()
}
