//! Rolls: idempotent reports, filtered history with cursor paging, and campaign statistics.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use critfumble_sdk::wire::{
    CampaignRollStats, ErrorBody, ErrorCode, MemberRole, NewRoll, Page, PageRequest, Roll,
    RollQuery, RollSource,
};
use uuid::Uuid;

use crate::api::idempotency::{json_response, required_key, settled};
use crate::auth::{Authorized, Caller, Need, Read, RollsWrite};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiPath, ApiQuery, json_bytes, parse_json};
use crate::state::AppState;
use crate::store::{PendingRoll, RollReader};

/// Reports a roll. Core replays its dice tree (and its VTT record) and stores the total
/// the dice make with its own `verified`; a roll claimed `verified` that does not replay
/// is 422. Only a service key may report a Discord or Activity roll; a user token reports
/// its user's own VTT rolls. Needs an `Idempotency-Key`: the first response is stored and
/// replayed for 24 hours; the same key with another body is 422; while the first request
/// is still running, 409.
#[utoipa::path(post, path = "/v1/rolls", tag = "rolls",
    params(("idempotency-key" = String, Header, description = "1 to 255 visible ASCII characters")),
    request_body = NewRoll,
    responses((status = 201, body = Roll), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn report_roll(
    State(state): State<AppState>,
    caller: Authorized<RollsWrite>,
    request: Request,
) -> AppResult<Response> {
    let key = required_key(request.headers(), "POST /v1/rolls")?;
    let bytes = json_bytes(request, &state).await?;
    let mut roll: NewRoll = parse_json(&bytes)?;
    roll.validate()?;
    authorize_and_resolve(&state, &caller, &mut roll).await?;
    let verdict = crate::roll_check::check(&roll)
        .map_err(|unreadable| invalid(unreadable.field, &unreadable.reason))?;
    if roll.verified == Some(true) && !verdict.verified {
        return Err(invalid(
            "verified",
            "the roll is claimed verified, but its dice do not replay to its total",
        ));
    }
    roll.total = verdict.total;
    roll.verified = Some(verdict.verified);
    if let Some(markdown) = verdict.markdown {
        roll.markdown = Some(markdown);
    }
    // The hash covers the body as JSON, so whitespace and key order do not matter.
    let canonical: serde_json::Value = parse_json(&bytes)?;
    let request_hash = crate::token::sha256_hex(canonical.to_string().as_bytes());
    let scope = caller.idempotency_scope();
    let stored = Roll::from_new(crate::store::new_id(), roll, chrono::Utc::now());
    let body = serde_json::to_string(&stored).map_err(AppError::internal)?;
    let claim = state
        .roll_writer()
        .write(PendingRoll {
            d20: verdict.d20,
            roll: stored,
            scope,
            key: key.clone(),
            request_hash,
            body: body.clone(),
        })
        .await?;
    match settled(claim, &key) {
        Some(answer) => answer,
        None => Ok(json_response(StatusCode::CREATED, body, false)),
    }
}

/// Checks that the caller may report this roll and fills in `actor.user_id`.
async fn authorize_and_resolve(
    state: &AppState,
    caller: &Caller,
    roll: &mut NewRoll,
) -> AppResult<()> {
    let store = state.store();
    check_source(state, caller, roll).await?;
    if let Some(campaign_id) = roll.campaign_id {
        caller
            .check_campaign_access(store, campaign_id, Need::Member)
            .await?;
        if let Some(session_id) = roll.session_id {
            store
                .session(campaign_id, session_id)
                .await?
                .ok_or_else(|| invalid("session_id", "is not a session of the campaign"))?;
        }
    } else if roll.session_id.is_some() {
        return Err(invalid("session_id", "needs a campaign_id"));
    }
    match (&caller.user, caller.service) {
        (Some(user), false) => {
            // A user reports only their own rolls.
            if roll.actor.user_id.is_some_and(|id| id != user.id) {
                return Err(AppError::forbidden(
                    "a user may only report their own rolls",
                ));
            }
            roll.actor.user_id = Some(user.id);
        }
        (Some(user), true) => {
            roll.actor.user_id.get_or_insert(user.id);
        }
        (None, _) => {
            if roll.actor.user_id.is_none() {
                roll.actor.user_id = resolve_actor(state, roll).await?;
            }
        }
    }
    // The caller's own user was loaded by the authentication a moment ago; only another
    // user id (a service key naming one) needs a lookup. Every roll FumbleBot reports acts
    // for the caller's user, so this saves a database round trip per roll.
    let callers_own = caller
        .user
        .as_ref()
        .is_some_and(|user| roll.actor.user_id == Some(user.id));
    if let Some(user_id) = roll.actor.user_id
        && !callers_own
        && store.user(user_id).await?.is_none()
    {
        return Err(invalid("actor.user_id", "is not a known user"));
    }
    Ok(())
}

/// Who may claim which source: FumbleBot (a service key) any; a user's browser session its
/// VTT rolls and the web app's; a user token only the user's own VTT rolls, made with a VTT
/// account linked to them.
async fn check_source(state: &AppState, caller: &Caller, roll: &NewRoll) -> AppResult<()> {
    if caller.service {
        return Ok(());
    }
    let Some(user) = &caller.user else {
        return Err(AppError::forbidden(
            "only a user or a service may report rolls",
        ));
    };
    let source = roll.source;
    let Some(vtt) = source.vtt() else {
        let session_web_roll = source == RollSource::Web && caller.key.is_none();
        if session_web_roll {
            return Ok(());
        }
        return Err(AppError::forbidden(format!(
            "a user token may report only the user's own vtt rolls, not '{source}' rolls: \
             those are reported by FumbleBot"
        )));
    };
    let own_account = match &roll.actor.vtt_user_id {
        Some(vtt_user_id) => {
            state.store().user_of_vtt_account(vtt, vtt_user_id).await? == Some(user.id)
        }
        None => false,
    };
    if !own_account {
        return Err(AppError::forbidden(format!(
            "a user may report only rolls of their own linked {vtt} account: set \
             actor.vtt_user_id to it (link it through the browser extension first)"
        )));
    }
    Ok(())
}

/// Finds the user behind a roll from its Discord id or linked VTT account.
async fn resolve_actor(state: &AppState, roll: &NewRoll) -> AppResult<Option<Uuid>> {
    if let Some(discord_id) = &roll.actor.discord_id
        && let Some(user) = state.store().user_by_discord_id(discord_id).await?
    {
        return Ok(Some(user.id));
    }
    if let (Some(vtt), Some(vtt_user_id)) = (roll.source.vtt(), &roll.actor.vtt_user_id) {
        return Ok(state.store().user_of_vtt_account(vtt, vtt_user_id).await?);
    }
    Ok(None)
}

fn invalid(field: &str, reason: &str) -> AppError {
    AppError::new(
        ErrorCode::ValidationFailed,
        format!("invalid {field}: {reason}"),
    )
    .with_details(serde_json::json!({ "field": field }))
}

/// Rolls the caller may see, newest first, filtered and paged by cursor.
#[utoipa::path(get, path = "/v1/rolls", tag = "rolls",
    params(RollQuery),
    responses((status = 200, body = Page<Roll>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_rolls(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiQuery(query): ApiQuery<RollQuery>,
) -> AppResult<Response> {
    let store = state.store();
    // An unrestricted service key may read any existing campaign: a non-empty page proves
    // that the campaign exists (a roll's campaign is a foreign key), so only an empty one
    // costs the existence check. Anyone else is checked first.
    let check_first = !caller.is_unrestricted();
    if check_first && let Some(campaign_id) = query.campaign_id {
        caller
            .check_campaign_access(store, campaign_id, Need::Member)
            .await?;
    }
    let limit = PageRequest {
        cursor: None,
        limit: query.limit,
    }
    .effective_limit();
    let page = store.roll_page(&query, reader(&caller), limit).await?;
    let items = page.documents()?;
    if !check_first
        && items.is_empty()
        && let Some(campaign_id) = query.campaign_id
    {
        caller
            .check_campaign_access(store, campaign_id, Need::Member)
            .await?;
    }
    // A `Page<Roll>` on the wire, with each roll copied as it was stored.
    let body = serde_json::to_string(&Page {
        items,
        next_cursor: page.next_cursor.clone(),
    })
    .map_err(AppError::internal)?;
    Ok(json_response(StatusCode::OK, body, false))
}

/// One roll, if the caller may see it.
#[utoipa::path(get, path = "/v1/rolls/{roll_id}", tag = "rolls",
    params(("roll_id" = Uuid, Path)),
    responses((status = 200, body = Roll), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_roll(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(roll_id): ApiPath<Uuid>,
) -> AppResult<Json<Roll>> {
    let roll = state
        .store()
        .roll(roll_id, reader(&caller))
        .await?
        .ok_or_else(|| AppError::not_found(format!("roll {roll_id}")))?;
    Ok(Json(roll))
}

/// Per-member roll statistics of a campaign (members only): d20s of rolls that Core
/// replayed, and private rolls only for their roller and the GM.
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/roll-stats", tag = "rolls",
    params(("campaign_id" = Uuid, Path)),
    responses((status = 200, body = CampaignRollStats), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn roll_stats(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
) -> AppResult<Json<CampaignRollStats>> {
    let role = caller
        .check_campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    // Private rolls count only for their roller and the GM: anyone else could read a
    // private d20 from the difference between two reports.
    let viewer = match (&caller.user, role) {
        (Some(user), Some(MemberRole::Player)) => Some(user.id),
        _ => None,
    };
    Ok(Json(CampaignRollStats {
        campaign_id,
        expected_average_d20: 10.5,
        members: state.store().roll_stats(campaign_id, viewer).await?,
    }))
}

pub(crate) fn reader(caller: &Caller) -> RollReader {
    match &caller.user {
        Some(user) => RollReader::User(user.id),
        None if caller.service => RollReader::Everything,
        None => RollReader::User(Uuid::nil()),
    }
}
