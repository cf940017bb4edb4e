//! Users: the service's upsert by Discord id, and `GET /v1/me`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{ErrorBody, UpsertUserRequest, User};

use crate::auth::{Authorized, Read, Write};
use crate::error::AppResult;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// Creates or refreshes the user with this Discord id (service keys only).
#[utoipa::path(put, path = "/v1/users/discord/{discord_id}", tag = "users",
    params(("discord_id" = String, Path, description = "Discord user id (snowflake)")),
    request_body = UpsertUserRequest,
    responses((status = 200, body = User), (status = 201, body = User),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn upsert_user(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(discord_id): ApiPath<String>,
    ApiJson(request): ApiJson<UpsertUserRequest>,
) -> AppResult<(StatusCode, Json<User>)> {
    caller.require_service()?;
    crate::api::check_snowflake("discord_id", &discord_id)?;
    request.validate()?;
    let (user, created) = state.store().upsert_user(&discord_id, &request).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(user)))
}

/// The calling user.
#[utoipa::path(get, path = "/v1/me", tag = "users",
    responses((status = 200, body = User), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn me(caller: Authorized<Read>) -> AppResult<Json<User>> {
    Ok(Json(caller.require_user()?.clone()))
}
