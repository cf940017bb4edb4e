//! The campaign a VTT game is linked to in Core, checked against the caller: only a member
//! of that campaign may send its rolls and chat, or listen to its events. Core's answers
//! are reused for [`GAME_CACHE_TTL`](crate::core_access::GAME_CACHE_TTL), so that a roll
//! asks Core nothing while they hold.

use critfumble_sdk::wire::{Campaign, ErrorCode, User, Vtt, VttGame};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// The game's campaign when `user` is a member: 404 naming `game_id` when no campaign is
/// linked to it, 403 when the user is not a member, 503 when Core cannot answer.
pub async fn campaign_for(
    state: &AppState,
    user: &User,
    vtt: Vtt,
    game_id: &str,
) -> Result<Campaign, ApiError> {
    let game = VttGame {
        vtt,
        game_id: game_id.to_owned(),
    };
    game.validate()?;
    let access = state.core();
    let core = access.service();
    let campaign = match access.cached_game_campaign(&game) {
        Some(campaign) => campaign,
        None => {
            let campaign = core
                .campaign_by_vtt_game(&game)
                .await
                .map_err(core_unavailable)?
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::NotFound,
                        format!("no campaign is linked to {vtt} game '{game_id}'"),
                    )
                    .field("game_id")
                })?;
            access.remember_game_campaign(&game, campaign.clone());
            campaign
        }
    };
    if access.is_known_member(&user.discord_id, campaign.id) {
        return Ok(campaign);
    }
    let as_user = core
        .acting_as(&user.discord_id)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "cannot act for this user"))?;
    match as_user.get_campaign(campaign.id).await {
        Ok(_) => {
            access.remember_member(&user.discord_id, campaign.id);
            Ok(campaign)
        }
        Err(error) if matches!(error.status(), Some(403 | 404)) => Err(ApiError::new(
            ErrorCode::Forbidden,
            "you are not a member of the campaign linked to this game",
        )
        .field("game_id")),
        Err(error) => Err(core_unavailable(error)),
    }
}

/// The game session running in the game now, if any: 503 when Core cannot answer.
pub async fn session_for(state: &AppState, game: &VttGame) -> Result<Option<Uuid>, ApiError> {
    let access = state.core();
    if let Some(session) = access.cached_game_session(game) {
        return Ok(session);
    }
    let session = access
        .service()
        .active_session_by_vtt_game(game)
        .await
        .map_err(core_unavailable)?
        .map(|session| session.id);
    access.remember_game_session(game, session);
    Ok(session)
}

/// Core did not answer: 503, retry soon.
pub fn core_unavailable(error: critfumble_sdk::SdkError) -> ApiError {
    tracing::warn!(%error, "core did not answer the bridge");
    ApiError::new(ErrorCode::Unavailable, "core cannot answer now").retry_after(5)
}
