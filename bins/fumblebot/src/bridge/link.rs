//! `POST /vtt/accounts/link`: the extension says which VTT account is logged in on the
//! page, and FumbleBot sends Core the signed `vtt_account.linked` webhook (Standard
//! Webhooks, HMAC-SHA256, timestamped) for the token's user. Core checks and stores the
//! link; the answer is its verdict: linked, already linked to this user, or linked to
//! someone else (409). When Core cannot be reached, the signed event goes to the outbox,
//! which delivers it with backoff (a permanent refusal is parked, not retried forever),
//! and the answer is 202 `pending`.
//!
//! While Core is down, what can still be checked is the token, and only from an answer
//! Core gave in the last 60 s ([`super::auth`]'s cache): a token FumbleBot has not seen
//! lately cannot be checked, so it gets 503 and nothing is queued, and a pending link
//! trusts the client no more than a roll does. Everything else is Core's to decide on
//! delivery, as for a link made while it is up: the signature and its timestamp (each
//! attempt is signed afresh), the `webhook-id` applied once, the user existing, and the
//! account not being someone else's (a 409 then parks the event; the extension sees the
//! outcome in `GET /v1/me/vtt-accounts`).
//!
//! What this proves: that the holder of a Crit-Fumble token had a VTT page open that
//! showed this account as logged in, as the extension read it. Nothing cryptographic from
//! the VTT backs it (ARCHITECTURE.md says so).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use critfumble_sdk::wire::{
    ErrorCode, VttAccountLinked, VttLinkReceipt, VttLinkRequest, VttLinkStatus, WebhookEvent,
    WebhookPayload,
};

use crate::error::ApiError;
use crate::outbox::{DiscordActor, OutboxEntry, OutboxItem};
use crate::state::AppState;

/// The largest link request.
const LINK_BODY_LIMIT_BYTES: usize = 16 * 1024;

/// The handler.
pub async fn link(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: super::auth::Peer,
    body: Body,
) -> Result<(StatusCode, Json<VttLinkReceipt>), ApiError> {
    let (user, request) = super::auth::caller_and_request(
        &state,
        &headers,
        super::auth::peer_ip(&peer),
        super::BridgeRoute::AccountsLink,
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
    // Whether the account is the caller's already only shapes the answer; Core decides on
    // delivery. When Core cannot say, the event goes straight to the outbox.
    let already = match as_user.list_vtt_accounts().await {
        Ok(mine) => Some(mine.items.iter().any(|account| {
            account.vtt == request.vtt && account.vtt_user_id == request.vtt_user_id
        })),
        Err(error) if is_transient(&error) => {
            tracing::warn!(%error, "core cannot list the caller's vtt accounts");
            None
        }
        Err(error) => return Err(super::game::core_unavailable(error)),
    };
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
    let webhook_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let Some(already) = already else {
        return pending(&state, &user, webhook_id, event).await;
    };
    // The SDK's client retries what may pass (a timeout, 408, 429, 5xx) with backoff, under
    // one webhook-id, so that Core applies it once; a 4xx refusal is final.
    match core.send_event_with_id(secret, &event, &webhook_id).await {
        Ok(_) => Ok((
            StatusCode::OK,
            Json(VttLinkReceipt {
                status: if already {
                    VttLinkStatus::AlreadyLinked
                } else {
                    VttLinkStatus::Linked
                },
            }),
        )),
        Err(error) if error.status() == Some(409) => Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "this {} account is linked to another crit-fumble user",
                request.vtt
            ),
        )
        .field("vtt_user_id")),
        Err(error) if is_transient(&error) => {
            tracing::warn!(%error, "core did not take a vtt link now");
            pending(&state, &user, webhook_id, event).await
        }
        Err(error) => {
            tracing::warn!(%error, "core refused a vtt link");
            Err(ApiError::new(
                ErrorCode::UpstreamFailed,
                "core refused the link",
            ))
        }
    }
}

/// Core is away: the signed event waits in the outbox, which delivers it with backoff under
/// `webhook_id` (so that Core applies it once), and the answer is 202 `pending`.
async fn pending(
    state: &AppState,
    user: &critfumble_sdk::wire::User,
    webhook_id: String,
    event: WebhookEvent,
) -> Result<(StatusCode, Json<VttLinkReceipt>), ApiError> {
    let entry = OutboxEntry {
        idempotency_key: webhook_id,
        actor: DiscordActor::of_user(user),
        item: OutboxItem::Webhook(Box::new(event)),
    };
    state.outbox().append(&entry).await.map_err(|error| {
        tracing::error!(%error, "cannot write a vtt link to the outbox");
        ApiError::new(ErrorCode::Unavailable, "the link could not be recorded").retry_after(5)
    })?;
    state.wake_outbox();
    Ok((
        StatusCode::ACCEPTED,
        Json(VttLinkReceipt {
            status: VttLinkStatus::Pending,
        }),
    ))
}

/// Whether Core may take the event later: it could not be reached, or answered 408, 429
/// or 5xx.
fn is_transient(error: &critfumble_sdk::SdkError) -> bool {
    match error.status() {
        Some(status) => matches!(status, 408 | 429 | 500..=599),
        None => matches!(
            error,
            critfumble_sdk::SdkError::Transport { .. } | critfumble_sdk::SdkError::Timeout { .. }
        ),
    }
}
