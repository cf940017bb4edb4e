//! AI: the chat Core asks of FumbleBot, its context, token usage, conversations and reports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Campaign, Character, check_text, wire_enum};
use crate::SdkError;

wire_enum! {
    /// Who wrote a chat message.
    ChatRole as "chat role" {
        /// Instructions from the system (Core or FumbleBot), not from a person.
        System = "system",
        /// The person asking.
        User = "user",
        /// The model.
        Assistant = "assistant",
    }
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChatMessage {
    /// Who wrote it.
    pub role: ChatRole,
    /// The text.
    pub content: String,
}

impl ChatMessage {
    /// A message from the person asking.
    pub fn user(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::User,
            content: content.into(),
        }
    }

    /// A message from the model.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self {
            role: ChatRole::Assistant,
            content: content.into(),
        }
    }
}

/// The body of FumbleBot's `POST /v1/ai/chat`, which Core sends with its service key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AiChatRequest {
    /// The conversation so far, oldest first, ending with the user's new message.
    pub messages: Vec<ChatMessage>,
    /// What the model should know about the game.
    #[serde(default)]
    pub context: AiContext,
    /// A model to use instead of FumbleBot's default.
    #[serde(default)]
    pub model: Option<String>,
}

impl AiChatRequest {
    /// Checks that there is at least one message, that none is empty, and the sizes.
    pub fn validate(&self) -> Result<(), SdkError> {
        if self.messages.is_empty() {
            return Err(SdkError::invalid(
                "messages",
                "must hold at least one message",
            ));
        }
        if self.messages.len() > 200 {
            return Err(SdkError::invalid("messages", "at most 200 messages"));
        }
        for (index, message) in self.messages.iter().enumerate() {
            check_text(
                &format!("messages[{index}].content"),
                &message.content,
                100_000,
            )?;
        }
        if let Some(model) = &self.model {
            check_text("model", model, 200)?;
        }
        Ok(())
    }
}

/// The game context Core builds for an AI chat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AiContext {
    /// The campaign.
    pub campaign: Option<Campaign>,
    /// Its characters.
    pub characters: Vec<Character>,
    /// Its most recent rolls, newest first (Core sends the last 20).
    pub recent_rolls: Vec<ContextRoll>,
    /// Notes of its recent sessions, newest first.
    pub session_notes: Vec<SessionNotes>,
}

/// A recent roll, as the model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContextRoll {
    /// Who rolled.
    pub actor_name: String,
    /// The expression.
    pub expression: String,
    /// The total.
    pub total: f64,
    /// The label.
    #[serde(default)]
    pub label: Option<String>,
    /// `critfumble-dice`'s Markdown rendering of the roll.
    #[serde(default)]
    pub markdown: Option<String>,
    /// When it was rolled.
    pub rolled_at: DateTime<Utc>,
}

impl From<&super::Roll> for ContextRoll {
    fn from(roll: &super::Roll) -> Self {
        Self {
            actor_name: roll.actor.name.clone(),
            expression: roll.expression.clone(),
            total: roll.total,
            label: roll.label.clone(),
            markdown: roll.markdown.clone(),
            rolled_at: roll.rolled_at,
        }
    }
}

/// The notes of one game session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionNotes {
    /// The session.
    pub session_id: Uuid,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// The notes.
    pub notes: String,
}

/// FumbleBot's answer to an [`AiChatRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiChatResponse {
    /// The model's reply.
    pub content: String,
    /// The model that answered.
    pub model: String,
    /// What the answer cost.
    pub usage: TokenUsage,
}

/// The tokens, time and estimated cost of one model call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenUsage {
    /// The provider, for example `anthropic` or `openai`.
    pub provider: String,
    /// The model.
    pub model: String,
    /// Input (prompt) tokens, not counting cache reads.
    pub input_tokens: u64,
    /// Output (completion) tokens.
    pub output_tokens: u64,
    /// Input tokens served from the provider's prompt cache.
    #[serde(default)]
    pub cache_read_tokens: u64,
    /// Input tokens written to the provider's prompt cache.
    #[serde(default)]
    pub cache_write_tokens: u64,
    /// Wall-clock time of the call, in milliseconds.
    pub latency_ms: u64,
    /// The estimated cost, in US dollars, from FumbleBot's price table.
    pub estimated_cost_usd: f64,
}

/// A stored token usage row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageRecord {
    /// Core's id for the row.
    pub id: Uuid,
    /// The campaign the call was made for.
    pub campaign_id: Option<Uuid>,
    /// The user who asked.
    pub user_id: Option<Uuid>,
    /// The conversation.
    pub conversation_id: Option<Uuid>,
    /// The usage.
    pub usage: TokenUsage,
    /// When the call finished.
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /v1/campaigns/{id}/ai/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignChatRequest {
    /// The conversation to continue; absent to start a new one.
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    /// The user's message (1 to 20,000 characters).
    pub message: String,
}

impl CampaignChatRequest {
    /// Checks the documented limits.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("message", &self.message, 20_000)
    }
}

/// Core's answer to a [`CampaignChatRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignChatResponse {
    /// The conversation (new or continued).
    pub conversation_id: Uuid,
    /// The stored assistant message.
    pub message: ConversationMessage,
    /// What the answer cost.
    pub usage: TokenUsage,
}

/// An AI conversation in a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// Core's id for the conversation.
    pub id: Uuid,
    /// The campaign.
    pub campaign_id: Uuid,
    /// The user who started it.
    pub user_id: Uuid,
    /// A title (Core uses the start of the first message).
    pub title: Option<String>,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When its last message was stored.
    pub updated_at: DateTime<Utc>,
}

/// A stored conversation message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationMessage {
    /// Core's id for the message.
    pub id: Uuid,
    /// The conversation.
    pub conversation_id: Uuid,
    /// Who wrote it.
    pub role: ChatRole,
    /// The text.
    pub content: String,
    /// For assistant messages, the model that wrote it.
    pub model: Option<String>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// The body of `GET /v1/ai/conversations/{id}`: the conversation with every message,
/// oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    /// The conversation.
    pub conversation: Conversation,
    /// Its messages.
    pub messages: Vec<ConversationMessage>,
}

wire_enum! {
    /// How `GET /v1/usage` groups its rows.
    UsageGroupBy as "usage grouping" {
        /// By UTC day (`2026-11-25`).
        Day = "day",
        /// By model.
        Model = "model",
        /// By user id.
        User = "user",
    }
}

/// The query string of `GET /v1/usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// The grouping.
    pub group_by: UsageGroupBy,
    /// Only usage of this campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<Uuid>,
    /// Only usage at or after this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Only usage before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

/// The body of `GET /v1/usage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageReport {
    /// The grouping used.
    pub group_by: UsageGroupBy,
    /// One row per group, ordered by key.
    pub rows: Vec<UsageRow>,
}

/// The totals of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageRow {
    /// The group: a date, a model name or a user id.
    pub key: String,
    /// How many model calls.
    pub requests: u64,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Cache-read tokens.
    pub cache_read_tokens: u64,
    /// Cache-write tokens.
    pub cache_write_tokens: u64,
    /// The estimated cost, in US dollars.
    pub estimated_cost_usd: f64,
}

/// The body of FumbleBot's `GET /readyz`: whether it can answer rolls (its outbox) and which
/// AI providers it has, and whether each answered the last probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FumbleBotReadiness {
    /// `ready`, or what is wrong.
    pub status: String,
    /// The model `POST /v1/ai/chat` uses when the request names none; absent when no
    /// provider is configured (the AI service then answers 503).
    #[serde(default)]
    pub default_model: Option<String>,
    /// Each configured AI provider.
    #[serde(default)]
    pub ai_providers: Vec<AiProviderStatus>,
}

/// One AI provider as FumbleBot's `/readyz` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AiProviderStatus {
    /// `openai` or `anthropic`.
    pub provider: String,
    /// Whether its API answered the last probe (any HTTP answer; a refused key is
    /// reachable but will fail every chat, and says so in `detail`).
    pub reachable: bool,
    /// What the probe found, without key material.
    #[serde(default)]
    pub detail: Option<String>,
}
