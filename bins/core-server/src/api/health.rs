//! `/healthz` (the process runs) and `/readyz` (the database answers).

use axum::Json;
use axum::extract::State;
use critfumble_sdk::wire::{ErrorCode, Health};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Liveness.
#[utoipa::path(get, path = "/healthz", tag = "health",
    responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness: 503 when the database does not answer.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = critfumble_sdk::wire::ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<Json<Health>> {
    state.store().ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        AppError::new(ErrorCode::Unavailable, "the database does not answer")
    })?;
    Ok(Json(Health {
        status: "ready".to_owned(),
    }))
}
