//! `POST /vtt/accounts/link`: the extension says which VTT account is logged in on the
//! page, and FumbleBot sends Core the signed `vtt_account.linked` webhook (Standard
//! Webhooks, HMAC-SHA256, timestamped) for the token's user. Core checks and stores the
//! link; the answer is its verdict: linked, already linked to this user, or linked to
//! someone else (409).
//!
//! What this proves: that the holder of a Crit-Fumble token had a VTT page open that
//! showed this account as logged in, as the extension read it. Nothing cryptographic from
//! the VTT backs it (ARCHITECTURE.md says so).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use critfumble_sdk::wire::{
    ErrorCode, VttAccountLinked, VttLinkReceipt, VttLinkRequest, VttLinkStatus, WebhookEvent,
    WebhookPayload,
};

use crate::error::ApiError;
use crate::state::AppState;

/// The largest link request.
const LINK_BODY_LIMIT_BYTES: usize = 16 * 1024;

/// The handler.
pub async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<VttLinkReceipt>, ApiError> {
    let (user, request) = super::auth::caller_and_request(
        &state,
        &headers,
        body,
        LINK_BODY_LIMIT_BYTES,
        VttLinkRequest::validate,
    )
    .await?;
    let Some(secret) = state.webhook_secret() else {
        return Err(ApiError::new(
            ErrorCode::Unavailable,
            "account linking needs --webhook-secret (CRITFUMBLE_WEBHOOK_SECRET)",
        ));
    };
    let core = state.core().service();
    let as_user = core
        .acting_as(&user.discord_id)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "cannot act for this user"))?;
    let mine = as_user
        .list_vtt_accounts()
        .await
        .map_err(super::game::core_unavailable)?;
    let already = mine
        .items
        .iter()
        .any(|account| account.vtt == request.vtt && account.vtt_user_id == request.vtt_user_id);
    let event = WebhookEvent {
        timestamp: chrono::Utc::now(),
        payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
            discord_id: user.discord_id.clone(),
            vtt: request.vtt,
            vtt_user_id: request.vtt_user_id.clone(),
            display_name: request.display_name.clone(),
            verified_at: chrono::Utc::now(),
            gm_game_ids: request.game_id.iter().cloned().collect(),
        }),
    };
    // The SDK's client retries what may pass (a timeout, 408, 429, 5xx) with backoff, under
    // one webhook-id, so that Core applies it once; a 4xx refusal is final.
    match core.send_event(secret, &event).await {
        Ok(_) => Ok(Json(VttLinkReceipt {
            status: if already {
                VttLinkStatus::AlreadyLinked
            } else {
                VttLinkStatus::Linked
            },
        })),
        Err(error) if error.status() == Some(409) => Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "this {} account is linked to another crit-fumble user",
                request.vtt
            ),
        )
        .field("vtt_user_id")),
        Err(error) => Err(super::game::core_unavailable(error)),
    }
}
