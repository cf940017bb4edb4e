//! Campaigns: CRUD, members, Discord and VTT links, and FumbleBot's lookups.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use critfumble_sdk::wire::{
    Campaign, CampaignMember, CreateCampaignRequest, DiscordLinkRequest, ErrorBody, MemberRole,
    Page, PageRequest, SetMemberRequest, UpdateCampaignRequest, Vtt, VttGame,
};
use uuid::Uuid;

use crate::auth::{Authorized, Caller, Need, Read, Write};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::StoreError;

/// Creates a campaign; the caller becomes its GM. A Discord channel may be given only by
/// FumbleBot (a service key acting for the user), and a VTT game only when the user's
/// linked VTT account is that game's GM, as for the link routes.
#[utoipa::path(post, path = "/v1/campaigns", tag = "campaigns",
    request_body = CreateCampaignRequest,
    responses((status = 201, body = Campaign), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn create_campaign(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiJson(request): ApiJson<CreateCampaignRequest>,
) -> AppResult<(StatusCode, Json<Campaign>)> {
    let user = caller.require_user()?;
    request.validate()?;
    if request.discord_guild_id.is_some() || request.discord_channel_id.is_some() {
        require_discord_linker(&caller)?;
    }
    if let Some(game) = &request.vtt_game {
        check_runs_vtt_game(&state, &caller, game).await?;
    }
    let campaign = state
        .store()
        .create_campaign(user.id, &request)
        .await
        .map_err(link_conflict)?;
    Ok((StatusCode::CREATED, Json(campaign)))
}

/// The campaigns the caller is a member of.
#[utoipa::path(get, path = "/v1/campaigns", tag = "campaigns",
    params(PageRequest),
    responses((status = 200, body = Page<Campaign>), (status = 400, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_campaigns(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Campaign>>> {
    let user = caller.require_user()?;
    let after = page
        .cursor
        .as_deref()
        .map(|cursor| Uuid::parse_str(cursor).map_err(|_| StoreError::BadCursor(cursor.to_owned())))
        .transpose()?;
    let limit = page.effective_limit();
    let mut items = state
        .store()
        .campaigns_of_user(user.id, after, limit + 1)
        .await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|campaign| campaign.id.to_string())
    } else {
        None
    };
    Ok(Json(Page { items, next_cursor }))
}

/// One campaign (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_campaign(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
) -> AppResult<Json<Campaign>> {
    let (campaign, _) = caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    Ok(Json(campaign))
}

/// Changes a campaign's name, system or description (GM only).
#[utoipa::path(patch, path = "/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)), request_body = UpdateCampaignRequest,
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn update_campaign(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdateCampaignRequest>,
) -> AppResult<Json<Campaign>> {
    request.validate()?;
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    Ok(Json(
        state.store().update_campaign(campaign_id, &request).await?,
    ))
}

/// Deletes a campaign and everything in it (GM only).
#[utoipa::path(delete, path = "/v1/campaigns/{campaign_id}", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn delete_campaign(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    state.store().delete_campaign(campaign_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The campaign linked to a Discord channel.
#[utoipa::path(get, path = "/v1/campaigns/by-discord-channel/{channel_id}", tag = "campaigns",
    params(("channel_id" = String, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn campaign_by_discord_channel(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(channel_id): ApiPath<String>,
) -> AppResult<Json<Campaign>> {
    let campaign = state
        .store()
        .campaign_by_discord_channel(&channel_id)
        .await?
        .ok_or_else(lookup_miss)?;
    Ok(Json(visible(&state, &caller, campaign).await?))
}

/// The campaign linked to a VTT game.
#[utoipa::path(get, path = "/v1/campaigns/by-vtt-game/{vtt}/{game_id}", tag = "campaigns",
    params(("vtt" = Vtt, Path), ("game_id" = String, Path)),
    responses((status = 200, body = Campaign), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn campaign_by_vtt_game(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath((vtt, game_id)): ApiPath<(Vtt, String)>,
) -> AppResult<Json<Campaign>> {
    Ok(Json(
        find_by_vtt_game(&state, &caller, &VttGame { vtt, game_id }).await?,
    ))
}

/// Looks a campaign up by VTT game and checks the caller may see it.
pub(crate) async fn find_by_vtt_game(
    state: &AppState,
    caller: &Caller,
    game: &VttGame,
) -> AppResult<Campaign> {
    let campaign = state
        .store()
        .campaign_by_vtt_game(game)
        .await?
        .ok_or_else(lookup_miss)?;
    visible(state, caller, campaign).await
}

/// The answer to every lookup that finds nothing the caller may see: the same whether no
/// campaign has the link or the caller is not a member of the one that does, so that a
/// lookup reveals nothing about other groups' campaigns.
fn lookup_miss() -> AppError {
    AppError::not_found("campaign")
}

/// `campaign`, if the caller is a member (or the service); else [`lookup_miss`].
async fn visible(state: &AppState, caller: &Caller, campaign: Campaign) -> AppResult<Campaign> {
    match caller
        .check_campaign_access(state.store(), campaign.id, Need::Member)
        .await
    {
        Ok(_) => Ok(campaign),
        Err(error) if error.status == StatusCode::NOT_FOUND => Err(lookup_miss()),
        Err(error) => Err(error),
    }
}

/// A campaign's members (members only).
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/members", tag = "campaigns",
    params(("campaign_id" = Uuid, Path), PageRequest),
    responses((status = 200, body = Page<CampaignMember>), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<CampaignMember>>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let limit = page.effective_limit();
    let after = crate::api::id_cursor(&page)?;
    let members = state
        .store()
        .members_page(campaign_id, after, limit)
        .await?;
    // An empty page after a member who has since left would look like the end of
    // the list: say that the cursor is stale instead.
    if let Some(after) = after
        && members.is_empty()
        && state
            .store()
            .member_role(campaign_id, after)
            .await?
            .is_none()
    {
        return Err(crate::store::StoreError::BadCursor(after.to_string()).into());
    }
    Ok(Json(crate::api::keyset_page(members, limit, |m| m.user.id)))
}

/// Adds a user to a campaign or changes their role (GM only).
#[utoipa::path(put, path = "/v1/campaigns/{campaign_id}/members/{user_id}", tag = "campaigns",
    params(("campaign_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    request_body = SetMemberRequest,
    responses((status = 200, body = CampaignMember), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn set_member(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, user_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(request): ApiJson<SetMemberRequest>,
) -> AppResult<Json<CampaignMember>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    state
        .store()
        .user(user_id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("user {user_id}")))?;
    if request.role != MemberRole::Gm {
        ensure_another_gm(&state, campaign_id, user_id).await?;
    }
    Ok(Json(
        state
            .store()
            .set_member(campaign_id, user_id, request.role)
            .await?,
    ))
}

/// Removes a member (the GM, or a member leaving).
#[utoipa::path(delete, path = "/v1/campaigns/{campaign_id}/members/{user_id}", tag = "campaigns",
    params(("campaign_id" = Uuid, Path), ("user_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath((campaign_id, user_id)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    let leaving = caller.user.as_ref().is_some_and(|user| user.id == user_id);
    let need = if leaving { Need::Member } else { Need::Gm };
    caller
        .campaign_access(state.store(), campaign_id, need)
        .await?;
    ensure_another_gm(&state, campaign_id, user_id).await?;
    state.store().remove_member(campaign_id, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 409 when `user_id` is the campaign's only GM: a campaign always keeps one.
async fn ensure_another_gm(state: &AppState, campaign_id: Uuid, user_id: Uuid) -> AppResult<()> {
    let members = state.store().members(campaign_id).await?;
    let other_gm = members
        .iter()
        .any(|member| member.role == MemberRole::Gm && member.user.id != user_id);
    let is_gm = members
        .iter()
        .any(|member| member.role == MemberRole::Gm && member.user.id == user_id);
    if is_gm && !other_gm {
        return Err(AppError::conflict(
            "a campaign needs a gm: make someone else gm first",
        ));
    }
    Ok(())
}

/// Links the campaign to a Discord guild and channel: only FumbleBot's service key, which
/// checks the member's Discord permission in that channel, acting for the campaign's GM.
#[utoipa::path(put, path = "/v1/campaigns/{campaign_id}/links/discord", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)), request_body = DiscordLinkRequest,
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn link_discord(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<DiscordLinkRequest>,
) -> AppResult<Json<Campaign>> {
    request.validate()?;
    require_discord_linker(&caller)?;
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    let campaign = state
        .store()
        .link_discord(campaign_id, Some((&request.guild_id, &request.channel_id)))
        .await
        .map_err(link_conflict)?;
    Ok(Json(campaign))
}

/// Removes the Discord link (the GM, with any credentials).
#[utoipa::path(delete, path = "/v1/campaigns/{campaign_id}/links/discord", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn unlink_discord(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
) -> AppResult<Json<Campaign>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    Ok(Json(state.store().link_discord(campaign_id, None).await?))
}

/// Links the campaign to a VTT game: its GM, when their linked VTT account is that game's
/// GM as FumbleBot reported it in the signed `vtt_account.linked` webhook.
#[utoipa::path(put, path = "/v1/campaigns/{campaign_id}/links/vtt", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)), request_body = VttGame,
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn link_vtt(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiJson(game): ApiJson<VttGame>,
) -> AppResult<Json<Campaign>> {
    game.validate()?;
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    check_runs_vtt_game(&state, &caller, &game).await?;
    let campaign = state
        .store()
        .link_vtt_game(campaign_id, Some(&game))
        .await
        .map_err(link_conflict)?;
    Ok(Json(campaign))
}

/// Removes the VTT link (GM only).
#[utoipa::path(delete, path = "/v1/campaigns/{campaign_id}/links/vtt", tag = "campaigns",
    params(("campaign_id" = Uuid, Path)),
    responses((status = 200, body = Campaign), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn unlink_vtt(
    State(state): State<AppState>,
    caller: Authorized<Write>,
    ApiPath(campaign_id): ApiPath<Uuid>,
) -> AppResult<Json<Campaign>> {
    caller
        .campaign_access(state.store(), campaign_id, Need::Gm)
        .await?;
    Ok(Json(state.store().link_vtt_game(campaign_id, None).await?))
}

/// 403 unless the caller is a service key: Core cannot see Discord's permissions, so
/// FumbleBot checks them and links channels for the user.
fn require_discord_linker(caller: &Caller) -> AppResult<()> {
    if caller.service {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "discord channels are linked through FumbleBot's /link command, which checks \
             your permissions in the channel",
        ))
    }
}

/// 403 unless the caller's linked VTT account GMs `game` (the service acting for nobody
/// is trusted: it is what checked the VTT).
async fn check_runs_vtt_game(state: &AppState, caller: &Caller, game: &VttGame) -> AppResult<()> {
    let Some(user) = &caller.user else {
        return caller.require_service();
    };
    if state.store().user_gms_vtt_game(user.id, game).await? {
        return Ok(());
    }
    Err(AppError::forbidden(format!(
        "only a game master of {} game '{}' may link it: link your {} account through the \
         browser extension while you are that game's GM",
        game.vtt, game.game_id, game.vtt
    )))
}

/// A unique-constraint failure on a link means another campaign already has it.
fn link_conflict(error: StoreError) -> AppError {
    match error {
        StoreError::Conflict(_) => AppError::conflict(
            "that discord channel or vtt game is already linked to another campaign",
        ),
        other => other.into(),
    }
}
