//! `/v1/me/saved-rolls`: the caller's named dice expressions, for `/save`, `/saved`, `/r` and
//! `/unsave` in Discord. A user (cookie or token) manages their own; FumbleBot's service key
//! does it acting for the user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{ErrorBody, ErrorCode, Page, PageRequest, SaveRollRequest, SavedRoll};

use crate::auth::{Authorized, Read, Write};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::{SaveOutcome, StoreError};

/// The caller's saved rolls, by name (case-insensitive order).
#[utoipa::path(get, path = "/v1/me/saved-rolls", tag = "me",
    params(PageRequest),
    responses((status = 200, body = Page<SavedRoll>), (status = 403, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_saved_rolls(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<SavedRoll>>> {
    let user = caller.require_user()?;
    let limit = page.effective_limit();
    let mut rows = state
        .store()
        .saved_rolls_page(user.id, page.cursor.as_deref(), limit)
        .await?;
    // The cursor is the name key of the last item: keys are unique per user.
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|(key, _)| key.clone())
    } else {
        None
    };
    Ok(Json(Page {
        items: rows.into_iter().map(|(_, saved)| saved).collect(),
        next_cursor,
    }))
}

/// One of the caller's saved rolls, by name in any case.
#[utoipa::path(get, path = "/v1/me/saved-rolls/{name}", tag = "me",
    params(("name" = String, Path)),
    responses((status = 200, body = SavedRoll), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_saved_roll(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(name): ApiPath<String>,
) -> AppResult<Json<SavedRoll>> {
    let user = caller.require_user()?;
    state
        .store()
        .saved_roll(user.id, &name)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(&name))
}

/// Saves an expression under a name: 201 for a new name, 200 when it replaces the
/// expression of the saved roll of that name (in any case). A user keeps at most 100.
#[utoipa::path(put, path = "/v1/me/saved-rolls/{name}", tag = "me",
    params(("name" = String, Path)), request_body = SaveRollRequest,
    responses((status = 200, body = SavedRoll), (status = 201, body = SavedRoll),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn save_roll(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(name): ApiPath<String>,
    ApiJson(request): ApiJson<SaveRollRequest>,
) -> AppResult<(StatusCode, Json<SavedRoll>)> {
    let user = caller.require_user()?;
    SavedRoll::validate_name(&name)?;
    request.validate()?;
    let outcome = state
        .store()
        .save_roll(user.id, &name, &request.expression, SavedRoll::MAX_PER_USER)
        .await?;
    match outcome {
        SaveOutcome::Created(saved) => Ok((StatusCode::CREATED, Json(saved))),
        SaveOutcome::Replaced(saved) => Ok((StatusCode::OK, Json(saved))),
        SaveOutcome::LimitReached => Err(AppError::new(
            ErrorCode::Conflict,
            format!(
                "you already keep {} saved rolls: delete one before saving '{name}'",
                SavedRoll::MAX_PER_USER
            ),
        )),
    }
}

/// Deletes one of the caller's saved rolls, by name in any case.
#[utoipa::path(delete, path = "/v1/me/saved-rolls/{name}", tag = "me",
    params(("name" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn delete_saved_roll(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(name): ApiPath<String>,
) -> AppResult<StatusCode> {
    let user = caller.require_user()?;
    state
        .store()
        .delete_saved_roll(user.id, &name)
        .await
        .map_err(|error| match error {
            StoreError::NotFound => not_found(&name),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_found(name: &str) -> AppError {
    AppError::not_found(format!("saved roll '{name}'"))
}
