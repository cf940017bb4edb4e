//! The assistant page: the campaign's AI conversations (the user's own, or all of them for
//! the GM) with their token usage and cost, one conversation's messages, and a box that
//! asks through the API's AI chat handler.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use critfumble_sdk::wire::{
    CampaignChatRequest, CampaignChatResponse, ChatRole, Conversation, ConversationMessage,
};
use serde::Deserialize;
use uuid::Uuid;

use super::PageError;
use super::session::{CsrfForm, SignedIn};
use super::view::{Layout, first_page, render, see_other, time};
use crate::auth::Need;
use crate::error::AppError;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::store::ConversationUsage;

/// The page's query: which conversation is open.
#[derive(Debug, Default, Deserialize)]
pub struct AssistantQuery {
    #[serde(default)]
    conversation: Option<Uuid>,
}

/// A conversation in the list, with what it cost.
#[derive(Debug)]
pub struct ConversationRow {
    /// The conversation.
    pub conversation: Conversation,
    /// Its usage.
    pub usage: ConversationUsage,
    /// The cost, as text.
    pub cost: String,
}

#[derive(Template)]
#[template(path = "assistant.html")]
struct AssistantPage {
    layout: Layout,
    campaign_id: Uuid,
    campaign_name: String,
    conversations: Vec<ConversationRow>,
    open: Option<Uuid>,
    messages: Vec<ConversationMessage>,
    idempotency_key: String,
}

impl AssistantPage {
    fn time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        time(at)
    }

    fn is_open(&self, id: &Uuid) -> bool {
        self.open == Some(*id)
    }

    fn speaker(&self, role: &ChatRole) -> &'static str {
        match role {
            ChatRole::Assistant => "assistant",
            _ => "you",
        }
    }
}

/// `GET /campaigns/{id}/assistant`: members only.
pub async fn assistant(
    State(state): State<AppState>,
    session: SignedIn,
    ApiPath(campaign_id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AssistantQuery>,
) -> Result<Response, PageError> {
    let (campaign, _) = session
        .caller
        .campaign_access(state.store(), campaign_id, Need::Member)
        .await?;
    let listed = crate::api::ai::list_conversations(
        State(state.clone()),
        session.authorized()?,
        ApiPath(campaign_id),
        first_page(),
    )
    .await?
    .0
    .items;
    let mut usage = state.store().conversation_usage(campaign_id).await?;
    let conversations = listed
        .into_iter()
        .map(|conversation| {
            let usage = usage.remove(&conversation.id).unwrap_or_default();
            ConversationRow {
                cost: format!("${:.4}", usage.cost_usd),
                conversation,
                usage,
            }
        })
        .collect();
    let messages = match query.conversation {
        Some(id) => {
            let detail = crate::api::ai::get_conversation(
                State(state.clone()),
                session.authorized()?,
                ApiPath(id),
            )
            .await?
            .0;
            if detail.conversation.campaign_id != campaign_id {
                return Err(AppError::not_found(format!("conversation {id}")).into());
            }
            detail.messages
        }
        None => Vec::new(),
    };
    render(&AssistantPage {
        layout: Layout::of(&session),
        campaign_id,
        campaign_name: campaign.name,
        conversations,
        open: query.conversation,
        messages,
        // A fresh key per rendered form: a second click on the same form replays the
        // first answer instead of paying twice.
        idempotency_key: crate::token::random_base64(16).map_err(AppError::internal)?,
    })
}

/// The ask box.
#[derive(Debug, Deserialize)]
pub struct AskForm {
    message: String,
    #[serde(default)]
    conversation: Option<Uuid>,
    #[serde(default)]
    idempotency_key: String,
}

/// `POST /campaigns/{id}/assistant`: asks through the API's chat handler (its budget,
/// context and logging), then shows the conversation.
pub async fn ask(
    State(state): State<AppState>,
    ApiPath(campaign_id): ApiPath<Uuid>,
    CsrfForm { session, form }: CsrfForm<AskForm>,
) -> Result<Response, PageError> {
    let mut headers = HeaderMap::new();
    if let Ok(key) = HeaderValue::from_str(&form.idempotency_key)
        && !form.idempotency_key.is_empty()
    {
        headers.insert("idempotency-key", key);
    }
    let response = crate::api::ai::chat(
        State(state),
        session.authorized()?,
        ApiPath(campaign_id),
        headers,
        ApiJson(CampaignChatRequest {
            conversation_id: form.conversation,
            message: form.message,
        }),
    )
    .await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), crate::BODY_LIMIT_BYTES)
        .await
        .map_err(AppError::internal)?;
    if !status.is_success() {
        let error: critfumble_sdk::wire::ErrorBody =
            serde_json::from_slice(&bytes).map_err(AppError::internal)?;
        return Err(PageError::new(status, error.error.message));
    }
    let answer: CampaignChatResponse =
        serde_json::from_slice(&bytes).map_err(AppError::internal)?;
    Ok(see_other(&format!(
        "/campaigns/{campaign_id}/assistant?conversation={}#answer",
        answer.conversation_id
    )))
}
