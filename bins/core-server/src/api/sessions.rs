//! Game sessions: the GM starts and ends them; members list them; FumbleBot finds the
//! active one of a VTT game.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{
    EndSessionRequest, ErrorBody, GameSession, Page, PageRequest, StartSessionRequest,
    UpdateSessionRequest, Vtt, VttGame,
};
use uuid::Uuid;

use crate::auth::{Authorized, Need, Read, Write};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Starts a session (GM only).
#[utoipa::path(post, path = "/v1/campaigns/{campaign_id}/sessions", tag = "sessions",
    params(("campaign_id" = Uuid, Path)), request_body = StartSessionRequest,
    responses((status = 201, body = GameSession), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn start_session(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<StartSessionRequest>,
) -> AppResult<(StatusCode, Json<GameSession>)> {
    request.validate()?;
    let (campaign, _) = caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    // A session on a VTT defaults to the campaign's linked game.
    let request = StartSessionRequest {
        vtt_game: request.vtt_game.or(campaign.vtt_game),
        ..request
    };
    let session = state.store().start_session(campaign_id, &request).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// The sessions of a campaign, newest first (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/sessions", tag = "sessions",
    params(("campaign_id" = Uuid, Path), PageRequest),
    responses((status = 200, body = Page<GameSession>), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<GameSession>>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let limit = page.effective_limit();
    let before = crate::api::id_cursor(&page)?;
    // One more than the page, to know whether there is a next one.
    let sessions = state
        .store()
        .sessions(campaign_id, before, limit + 1)
        .await?;
    // An empty page after a session that is gone would look like the end of the
    // list: say that the cursor is stale instead.
    if let Some(before) = before
        && sessions.is_empty()
        && state.store().session(campaign_id, before).await?.is_none()
    {
        return Err(crate::store::StoreError::BadCursor(before.to_string()).into());
    }
    Ok(Json(crate::api::keyset_page(sessions, limit, |s| s.id)))
}

/// One session (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/sessions/{session_id}", tag = "sessions",
    params(("campaign_id" = Uuid, Path), ("session_id" = Uuid, Path)),
    responses((status = 200, body = GameSession), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_session(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath((campaign_id, session_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<GameSession>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let session = state
        .store()
        .session(campaign_id, session_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("session {session_id}")))?;
    Ok(Json(session))
}

/// Changes a session's title or notes (GM only).
#[utoipa::path(patch, path = "/v1/campaigns/{campaign_id}/sessions/{session_id}",
    tag = "sessions",
    params(("campaign_id" = Uuid, Path), ("session_id" = Uuid, Path)),
    request_body = UpdateSessionRequest,
    responses((status = 200, body = GameSession), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn update_session(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, session_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(request): ApiJson<UpdateSessionRequest>,
) -> AppResult<Json<GameSession>> {
    request.validate()?;
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    Ok(Json(
        state
            .store()
            .update_session(campaign_id, session_id, &request)
            .await?,
    ))
}

/// Ends a session, storing its notes (GM only).
#[utoipa::path(post, path = "/v1/campaigns/{campaign_id}/sessions/{session_id}/end",
    tag = "sessions",
    params(("campaign_id" = Uuid, Path), ("session_id" = Uuid, Path)),
    request_body = EndSessionRequest,
    responses((status = 200, body = GameSession), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn end_session(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, session_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(request): ApiJson<EndSessionRequest>,
) -> AppResult<Json<GameSession>> {
    request.validate()?;
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    Ok(Json(
        state
            .store()
            .end_session(campaign_id, session_id, request.notes.as_deref())
            .await?,
    ))
}

/// The running session of the campaign linked to a VTT game.
#[utoipa::path(get, path = "/v1/campaigns/by-vtt-game/{vtt}/{game_id}/active-session",
    tag = "sessions",
    params(("vtt" = Vtt, Path), ("game_id" = String, Path)),
    responses((status = 200, body = GameSession), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn active_session(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath((vtt, game_id)): ApiPath<(Vtt, String)>,
) -> AppResult<Json<GameSession>> {
    let game = VttGame { vtt, game_id };
    let campaign = crate::api::campaigns::find_by_vtt_game(&state, &caller, &game).await?;
    let session = state
        .store()
        .active_session(campaign.id)
        .await?
        .ok_or_else(|| {
            AppError::not_found(format!(
                "active session for {} game {}",
                game.vtt, game.game_id
            ))
        })?;
    Ok(Json(session))
}
