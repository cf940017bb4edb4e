//! AI: campaign chat through FumbleBot, stored conversations, and token usage reports.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use critfumble_sdk::wire::{
    AiChatRequest, AiContext, Campaign, CampaignChatRequest, CampaignChatResponse, ChatMessage,
    ChatRole, ContextRoll, Conversation, ConversationDetail, ErrorBody, ErrorCode, MemberRole,
    Page, PageRequest, SessionNotes, UsageQuery, UsageReport,
};
use uuid::Uuid;

use crate::api::idempotency::{json_response, optional_key, settled};
use crate::auth::{Ai, Authorized, Caller, Need, Read};
use crate::error::{AppError, AppResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::{Claim, UsageReader};

/// How many recent rolls the model sees.
const CONTEXT_ROLLS: u32 = 20;
/// How many earlier messages of the conversation are sent again.
const HISTORY_MESSAGES: usize = 50;
/// How many sessions' notes the model sees.
const CONTEXT_SESSIONS: usize = 5;

/// Asks the campaign's AI assistant. Core builds the context (the campaign, its characters,
/// the last 20 rolls, session notes), stores both messages and the token usage. When
/// FumbleBot fails the answer is 502, and the user's message is still stored. With an
/// `Idempotency-Key`, a retry gets the first answer again instead of paying twice. Once
/// the campaign has spent its daily token budget, 429 until midnight UTC.
#[utoipa::path(post, path = "/v1/campaigns/{campaign_id}/ai/chat", tag = "ai",
    params(("campaign_id" = Uuid, Path),
        ("idempotency-key" = Option<String>, Header, description = "1 to 255 visible ASCII characters")),
    request_body = CampaignChatRequest,
    responses((status = 200, body = CampaignChatResponse), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 502, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn chat(
    State(state): State<AppState>,
    caller: Authorized<Ai>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CampaignChatRequest>,
) -> AppResult<Response> {
    request.validate()?;
    caller.require_user()?;
    let (campaign, _) = caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let Some(key) = optional_key(&headers)? else {
        let answer = answer(&state, &caller, campaign, &request).await?;
        return Ok(json_response(StatusCode::OK, body_of(&answer)?, false));
    };
    let scope = format!("{}:ai-chat", caller.idempotency_scope());
    let request_hash = crate::token::sha256_hex(
        serde_json::json!({"campaign_id": campaign_id, "request": request})
            .to_string()
            .as_bytes(),
    );
    let store = state.store();
    let claim = store
        .claim_idempotency_key(
            &scope,
            &key,
            &request_hash,
            state.idempotency_lease_millis(),
        )
        .await?;
    let Claim::Acquired { token } = &claim else {
        return settled(claim, &key).unwrap_or_else(|| Err(AppError::internal("unsettled claim")));
    };
    let outcome = answer(&state, &caller, campaign, &request)
        .await
        .and_then(|answer| body_of(&answer));
    match outcome {
        Ok(body) => {
            store
                .complete_idempotency_key(&scope, &key, token, 200, &body)
                .await?;
            Ok(json_response(StatusCode::OK, body, false))
        }
        Err(error) => {
            // A failed chat may be tried again with the same key.
            if let Err(release) = store.release_idempotency_key(&scope, &key, token).await {
                tracing::warn!(error = %release, "cannot release an ai chat idempotency key");
            }
            Err(error)
        }
    }
}

fn body_of(answer: &CampaignChatResponse) -> AppResult<String> {
    serde_json::to_string(answer).map_err(AppError::internal)
}

/// Runs one chat: the budget check, the user's message, FumbleBot, the usage and the
/// answer.
async fn answer(
    state: &AppState,
    caller: &Caller,
    campaign: Campaign,
    request: &CampaignChatRequest,
) -> AppResult<CampaignChatResponse> {
    let user = caller.require_user()?;
    let campaign_id = campaign.id;
    let store = state.store();
    check_budget(state, campaign_id).await?;
    let conversation = match request.conversation_id {
        Some(id) => store
            .conversation(id)
            .await?
            .filter(|c| c.campaign_id == campaign_id && c.user_id == user.id)
            .ok_or_else(|| AppError::not_found(format!("conversation {id}")))?,
        None => {
            let title: String = request.message.chars().take(80).collect();
            store
                .create_conversation(campaign_id, user.id, Some(&title))
                .await?
        }
    };
    let history = store.conversation_messages(conversation.id).await?;
    store
        .add_message(&conversation, ChatRole::User, &request.message, None)
        .await?;
    let mut messages: Vec<ChatMessage> = history
        .iter()
        .rev()
        .take(HISTORY_MESSAGES)
        .rev()
        .map(|message| ChatMessage {
            role: message.role,
            content: message.content.clone(),
        })
        .collect();
    messages.push(ChatMessage::user(request.message.clone()));
    let rolls = store
        .recent_campaign_rolls(campaign_id, CONTEXT_ROLLS)
        .await?;
    let session_notes = store
        .sessions(campaign_id, None, 50)
        .await?
        .into_iter()
        .filter_map(|session| {
            Some(SessionNotes {
                session_id: session.id,
                title: session.title,
                started_at: session.started_at,
                notes: session.notes.filter(|notes| !notes.trim().is_empty())?,
            })
        })
        .take(CONTEXT_SESSIONS)
        .collect();
    let ai_request = AiChatRequest {
        messages,
        context: AiContext {
            characters: store.characters(campaign_id).await?,
            // The persona is told that these rolls are real: only rolls Core replayed.
            recent_rolls: rolls
                .iter()
                .filter(|roll| !roll.private && roll.verified == Some(true))
                .map(ContextRoll::from)
                .collect(),
            session_notes,
            campaign: Some(campaign),
        },
        model: None,
    };
    let answer = state.fumblebot().chat(&ai_request).await.map_err(|error| {
        // FumbleBot's address and its error body stay in the log; the caller gets the
        // request id (added to every 5xx) to quote.
        tracing::warn!(%error, conversation = %conversation.id, "fumblebot chat failed");
        AppError::new(
            ErrorCode::UpstreamFailed,
            format!(
                "the ai service failed; your message was saved in conversation {}",
                conversation.id
            ),
        )
        .with_details(serde_json::json!({ "conversation_id": conversation.id }))
    })?;
    // The call is paid for: its usage is stored before, and whatever becomes of, the answer.
    store.record_usage(&conversation, &answer.usage).await?;
    let message = store
        .add_message(
            &conversation,
            ChatRole::Assistant,
            &answer.content,
            Some(&answer.usage.model),
        )
        .await?;
    Ok(CampaignChatResponse {
        conversation_id: conversation.id,
        message,
        usage: answer.usage,
    })
}

/// 429 once the campaign has spent its daily token budget, until midnight UTC.
async fn check_budget(state: &AppState, campaign_id: Uuid) -> AppResult<()> {
    let budget = state.ai_daily_tokens_per_campaign();
    if budget == 0 {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let midnight = now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    let spent = state
        .store()
        .campaign_tokens_since(campaign_id, midnight.timestamp_millis())
        .await?;
    if spent < budget {
        return Ok(());
    }
    let renews = midnight + chrono::TimeDelta::days(1);
    let wait = u64::try_from((renews - now).num_seconds())
        .unwrap_or(0)
        .max(1);
    Err(AppError {
        retry_after: Some(wait),
        ..AppError::new(
            ErrorCode::RateLimited,
            format!(
                "this campaign has spent its daily ai budget of {budget} tokens ({spent} used); \
                 it renews at 00:00 UTC"
            ),
        )
        .with_details(serde_json::json!({ "budget_tokens": budget, "spent_tokens": spent }))
    })
}

/// A campaign's conversations, newest first: the caller's own, or all of them for the GM.
#[utoipa::path(get, path = "/v1/campaigns/{campaign_id}/ai/conversations", tag = "ai",
    params(("campaign_id" = Uuid, Path), PageRequest),
    responses((status = 200, body = Page<Conversation>), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn list_conversations(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> AppResult<Json<Page<Conversation>>> {
    let (_, role) = caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let only_user = match (&caller.user, role) {
        (Some(_), Some(MemberRole::Gm)) | (None, _) => None,
        (Some(user), _) => Some(user.id),
    };
    let limit = page.effective_limit();
    let conversations = state
        .store()
        .conversations(campaign_id, only_user, crate::api::id_cursor(&page)?, limit)
        .await?;
    Ok(Json(crate::api::keyset_page(conversations, limit, |c| {
        c.id
    })))
}

/// One conversation with its messages: its owner, the campaign's GM, or the service.
#[utoipa::path(get, path = "/v1/ai/conversations/{conversation_id}", tag = "ai",
    params(("conversation_id" = Uuid, Path)),
    responses((status = 200, body = ConversationDetail), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn get_conversation(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiPath(conversation_id): ApiPath<Uuid>,
) -> AppResult<Json<ConversationDetail>> {
    let not_found = || AppError::not_found(format!("conversation {conversation_id}"));
    let conversation = state
        .store()
        .conversation(conversation_id)
        .await?
        .ok_or_else(not_found)?;
    let (_, role) = caller
        .campaign_access(state.store(), conversation.campaign_id, Need::Member)
        .await
        .map_err(|_| not_found())?;
    let is_owner = caller
        .user
        .as_ref()
        .is_some_and(|user| user.id == conversation.user_id);
    if !(is_owner || role == Some(MemberRole::Gm) || caller.is_unrestricted()) {
        return Err(not_found());
    }
    let messages = state.store().conversation_messages(conversation_id).await?;
    Ok(Json(ConversationDetail {
        conversation,
        messages,
    }))
}

/// Token usage grouped by day, model or user. A user sees their own usage and that of
/// campaigns they are the GM of; with `campaign_id`, only the GM (or the service) may ask.
#[utoipa::path(get, path = "/v1/usage", tag = "ai",
    params(UsageQuery),
    responses((status = 200, body = UsageReport), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("session" = [])))]
pub async fn usage(
    State(state): State<AppState>,
    caller: Authorized<Read>,
    ApiQuery(query): ApiQuery<UsageQuery>,
) -> AppResult<Json<UsageReport>> {
    if let Some(campaign_id) = query.campaign_id {
        caller
            .campaign_access(state.store(), campaign_id, Need::Gm)
            .await?;
    }
    let reader = match &caller.user {
        Some(user) => UsageReader::User(user.id),
        None => UsageReader::Everything,
    };
    let rows = state.store().usage_report(&query, reader).await?;
    Ok(Json(UsageReport {
        group_by: query.group_by,
        rows,
    }))
}
