//! Chat both ways: `POST /vtt/chat` sends a VTT line to the campaign's Discord channel
//! (escaped, mentions disabled), and a Discord message in a channel whose campaign is
//! linked to a VTT game is published to that game's events.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use critfumble_sdk::wire::{ErrorCode, VttChatReceipt, VttChatRequest};

use super::BRIDGE_BODY_LIMIT_BYTES;
use crate::discord::text::escape_markdown;
use crate::error::ApiError;
use crate::state::AppState;

/// `POST /vtt/chat`.
pub async fn chat(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: super::auth::Peer,
    body: Body,
) -> Result<Json<VttChatReceipt>, ApiError> {
    let (user, request) = super::auth::caller_and_request(
        &state,
        &headers,
        super::auth::peer_ip(&peer),
        super::BridgeRoute::Chat,
        body,
        BRIDGE_BODY_LIMIT_BYTES,
        VttChatRequest::validate,
    )
    .await?;
    super::limit_game(&state, request.vtt, &request.game_id).await?;
    let campaign = super::game::campaign_for(&state, &user, request.vtt, &request.game_id).await?;
    let channel_id = campaign.discord_channel_id.ok_or_else(|| {
        ApiError::new(
            ErrorCode::ValidationFailed,
            "the campaign linked to this game has no discord channel",
        )
        .field("game_id")
    })?;
    let text = format!(
        "💬 **{}**: {}",
        escape_markdown(&request.speaker),
        escape_markdown(&request.text)
    );
    super::send_to_discord(&state, &channel_id, text);
    Ok(Json(VttChatReceipt { channel_id }))
}

/// Publishes a Discord message to the events of the VTT game linked to its channel's
/// campaign, if any. Bots' messages (this one's included) are never published.
pub async fn from_discord(
    state: &AppState,
    channel_id: &str,
    author: &str,
    author_is_bot: bool,
    text: &str,
) {
    if author_is_bot || text.trim().is_empty() {
        return;
    }
    let campaign = match state
        .core()
        .service()
        .campaign_by_discord_channel(channel_id)
        .await
    {
        Ok(Some(campaign)) => campaign,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "cannot find the campaign of a discord channel");
            return;
        }
    };
    if let Some(game) = campaign.vtt_game
        && let Err(error) = state
            .bridge()
            .hub()
            .publish(game.vtt, &game.game_id, author, text, chrono::Utc::now())
            .await
    {
        tracing::warn!(%error, "cannot publish a discord message to the vtt");
    }
}
