//! `POST /vtt/rolls`: one VTT chat message with a roll. It is parsed and verified with
//! `critfumble-vtt`, reported to Core through the outbox (linked to the game's campaign and
//! active session, with `Idempotency-Key` `vtt:<vtt>:<game_id>:<message id>`), and relayed
//! to the campaign's Discord channel, once however often it is sent.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use critfumble_sdk::wire::{
    ErrorCode, NewRoll, RollActor, RollSource, User, Vtt, VttFormat, VttGame, VttRecord,
    VttRollReceipt, VttRollRequest,
};
use critfumble_vtt::RollRecord;
use sha2::{Digest as _, Sha256};

use super::BRIDGE_BODY_LIMIT_BYTES;
use crate::discord::text::{clip, escape_markdown, number};
use crate::error::ApiError;
use crate::outbox::{DiscordActor, OutboxEntry, OutboxItem};
use crate::state::AppState;

/// The largest message Core keeps as a roll's VTT record (the SDK's limit); a larger one
/// is reported without it, and Core then stores the roll as not checked.
const VTT_RECORD_MAX_BYTES: usize = 128 * 1024;

/// The handler.
pub async fn rolls(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: super::auth::Peer,
    body: Body,
) -> Result<Json<VttRollReceipt>, ApiError> {
    let (user, request) = super::auth::caller_and_request(
        &state,
        &headers,
        super::auth::peer_ip(&peer),
        super::BridgeRoute::Rolls,
        body,
        BRIDGE_BODY_LIMIT_BYTES,
        VttRollRequest::validate,
    )
    .await?;
    super::limit_game(&state, request.vtt, &request.game_id).await?;
    let record = parse_one(&request)?;
    let campaign = super::game::campaign_for(&state, &user, request.vtt, &request.game_id).await?;
    let message_id = record.message_id.clone().unwrap_or_else(|| {
        // A message without an id is known by its content.
        hex::encode(&Sha256::digest(request.raw.as_bytes())[..16])
    });
    let idempotency_key = format!("vtt:{}:{}:{message_id}", request.vtt, request.game_id);
    let game = VttGame {
        vtt: request.vtt,
        game_id: request.game_id.clone(),
    };
    let session_id = super::game::session_for(&state, &game).await?;
    let receipt = VttRollReceipt {
        idempotency_key: idempotency_key.clone(),
        campaign_id: campaign.id,
        session_id,
        formula: record.formula.clone(),
        total: record.total,
        verified: record.verified,
        duplicate: false,
    };
    if !state.bridge().seen().first_time(&idempotency_key).await {
        return Ok(Json(VttRollReceipt {
            duplicate: true,
            ..receipt
        }));
    }
    let roll = new_roll(&request, &record, &user, &receipt);
    roll.validate()?;
    let entry = OutboxEntry {
        idempotency_key,
        actor: DiscordActor::of_user(&user),
        item: OutboxItem::Roll(Box::new(roll)),
    };
    state.outbox().append(&entry).await.map_err(|error| {
        tracing::error!(%error, "cannot write a vtt roll to the outbox");
        ApiError::new(ErrorCode::Unavailable, "the roll could not be recorded").retry_after(5)
    })?;
    state.wake_outbox();
    if let Some(channel) = campaign.discord_channel_id.clone() {
        let text = relay_text(request.vtt, &record);
        super::send_to_discord(&state, &channel, text);
    }
    Ok(Json(receipt))
}

/// The one roll of the message: 400 naming the element or field where it does not parse,
/// 422 for a message that holds several messages or no roll.
fn parse_one(request: &VttRollRequest) -> Result<RollRecord, ApiError> {
    let format = match request.format {
        VttFormat::Roll20Html => critfumble_vtt::Format::Roll20Html,
        VttFormat::Roll20Api => critfumble_vtt::Format::Roll20Api,
        VttFormat::Foundry => critfumble_vtt::Format::Foundry,
        VttFormat::Ddb => critfumble_vtt::Format::Ddb,
    };
    let parsed = critfumble_vtt::parse(format, &request.raw).map_err(|error| {
        ApiError::new(ErrorCode::BadRequest, format!("raw: {error}")).field("raw")
    })?;
    let [record] = parsed.records() else {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "raw must hold exactly one chat message",
        )
        .field("raw"));
    };
    if record.formula.is_none() || record.total.is_none() {
        return Err(ApiError::new(
            ErrorCode::ValidationFailed,
            "raw holds no roll; send chat to /vtt/chat",
        )
        .field("raw"));
    }
    Ok(record.clone())
}

fn new_roll(
    request: &VttRollRequest,
    record: &RollRecord,
    user: &User,
    receipt: &VttRollReceipt,
) -> NewRoll {
    let source = match request.vtt {
        Vtt::Roll20 => RollSource::Roll20,
        Vtt::Foundry => RollSource::Foundry,
        Vtt::DndBeyond => RollSource::DndBeyond,
    };
    NewRoll {
        source,
        actor: RollActor {
            user_id: Some(user.id),
            discord_id: Some(user.discord_id.clone()),
            vtt_user_id: None,
            name: clip(record.speaker.as_deref().unwrap_or(&user.name), 200),
        },
        campaign_id: Some(receipt.campaign_id),
        session_id: receipt.session_id,
        channel_id: None,
        expression: clip(record.formula.as_deref().unwrap_or_default(), 1_000),
        dialect: None,
        total: record.total.unwrap_or_default(),
        rolled: None,
        markdown: None,
        label: record.label.as_deref().map(|label| clip(label, 200)),
        private: record.private,
        vtt_record: (request.raw.len() <= VTT_RECORD_MAX_BYTES).then(|| VttRecord {
            format: request.format,
            message: request.raw.clone(),
        }),
        verified: record.verified,
        rolled_at: chrono::Utc::now(),
    }
}

/// The Discord message for a relayed roll: who, the formula, the total, and a ✓ when the
/// dice add up or a warning when they do not. Everything from the VTT is escaped.
pub fn relay_text(vtt: Vtt, record: &RollRecord) -> String {
    let speaker = escape_markdown(&clip(record.speaker.as_deref().unwrap_or("someone"), 100));
    let formula = escape_markdown(&clip(record.formula.as_deref().unwrap_or_default(), 300));
    let total = record.total.map_or_else(|| "?".to_owned(), number);
    let verdict = match record.verified {
        Some(true) => "✓".to_owned(),
        Some(false) => "⚠️ the dice do not add up to this total".to_owned(),
        None => "(not checkable)".to_owned(),
    };
    let label = record
        .label
        .as_deref()
        .map(|label| format!(" — {}", escape_markdown(&clip(label, 200))))
        .unwrap_or_default();
    let vtt_name = match vtt {
        Vtt::Roll20 => "Roll20",
        Vtt::Foundry => "Foundry",
        Vtt::DndBeyond => "D&D Beyond",
    };
    let private = if record.private { " (private)" } else { "" };
    format!("🎲 **{speaker}** on {vtt_name}{private}{label}: {formula} = **{total}** {verdict}")
}
