//! Characters under a campaign: members read them; owners and the GM change them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{
    Character, CreateCharacterRequest, ErrorBody, ErrorCode, MemberRole, Page, PageRequest,
    UpdateCharacterRequest,
};
use uuid::Uuid;

use crate::auth::{Authorized, Caller, Need, Read, Write};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Creates a character; the owner defaults to the caller, and only the GM may name another.
#[utoipa::path(post, path = "/v1/campaigns/{campaign_id}/characters", tag = "characters",
    params(("campaign_id" = Uuid, Path)), request_body = CreateCharacterRequest,
    responses((status = 201, body = Character), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn create_character(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<CreateCharacterRequest>,
) -> AppResult<(StatusCode, Json<Character>)> {
    request.validate()?;
    let (_, role) = caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let owner = match (request.owner_id, &caller.user) {
        (Some(owner), Some(user)) if owner != user.id && role != Some(MemberRole::Gm) => {
            return Err(AppError::forbidden(
                "only the gm may create a character for another member",
            ));
        }
        (Some(owner), _) => owner,
        (None, Some(user)) => user.id,
        (None, None) => {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                "owner_id is required when no user is acting",
            )
            .with_details(serde_json::json!({ "field": "owner_id" })));
        }
    };
    if state
        .store()
        .member_role(campaign_id, owner)
        .await?
        .is_none()
    {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            format!("owner {owner} is not a member of the campaign"),
        )
        .with_details(serde_json::json!({ "field": "owner_id" })));
    }
    let character = state
        .store()
        .create_character(campaign_id, owner, &request.name, &request.sheet)
        .await?;
    Ok((StatusCode::CREATED, Json(character)))
}

/// The characters of a campaign (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/characters", tag = "characters",
    params(("campaign_id" = Uuid, Path), PageRequest),
    responses((status = 200, body = Page<Character>), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_characters(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Character>>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let limit = page.effective_limit();
    let characters = state
        .store()
        .characters_page(campaign_id, crate::api::id_cursor(&page)?, limit)
        .await?;
    Ok(Json(crate::api::keyset_page(characters, limit, |c| c.id)))
}

/// One character (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/characters/{character_id}",
    tag = "characters",
    params(("campaign_id" = Uuid, Path), ("character_id" = Uuid, Path)),
    responses((status = 200, body = Character), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_character(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath((campaign_id, character_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<Json<Character>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    Ok(Json(find(&state, campaign_id, character_id).await?))
}

/// Renames a character or replaces its sheet (its owner or the GM).
#[utoipa::path(patch, path = "/v1/campaigns/{campaign_id}/characters/{character_id}",
    tag = "characters",
    params(("campaign_id" = Uuid, Path), ("character_id" = Uuid, Path)),
    request_body = UpdateCharacterRequest,
    responses((status = 200, body = Character), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn update_character(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, character_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(request): ApiJson<UpdateCharacterRequest>,
) -> AppResult<Json<Character>> {
    request.validate()?;
    check_owner_or_gm(&state, &caller, campaign_id, character_id).await?;
    Ok(Json(
        state
            .store()
            .update_character(campaign_id, character_id, &request)
            .await?,
    ))
}

/// Deletes a character (its owner or the GM).
#[utoipa::path(delete, path = "/v1/campaigns/{campaign_id}/characters/{character_id}",
    tag = "characters",
    params(("campaign_id" = Uuid, Path), ("character_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn delete_character(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, character_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    check_owner_or_gm(&state, &caller, campaign_id, character_id).await?;
    state
        .store()
        .delete_character(campaign_id, character_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn find(state: &AppState, campaign_id: Uuid, character_id: Uuid) -> AppResult<Character> {
    state
        .store()
        .character(campaign_id, character_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("character {character_id}")))
}

async fn check_owner_or_gm(
    state: &AppState,
    caller: &Caller,
    campaign_id: Uuid,
    character_id: Uuid,
) -> AppResult<()> {
    let (_, role) = caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let character = find(state, campaign_id, character_id).await?;
    let is_owner = caller
        .user
        .as_ref()
        .is_some_and(|user| user.id == character.owner_id);
    if is_owner || role == Some(MemberRole::Gm) || caller.is_unrestricted() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only the character's owner or the gm may change it",
        ))
    }
}
