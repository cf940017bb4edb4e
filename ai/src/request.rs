//! The provider-neutral request that a built prompt becomes and that the clients send.

/// Who wrote a chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A player or game master.
    User,
    /// The model.
    Assistant,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// The text.
    pub content: String,
    /// Whether the conversation up to and including this message is worth
    /// caching. The prompt builder marks the newest kept history message, so
    /// that the next turn of the same chat can reuse the cached history; the
    /// Anthropic client turns it into a `cache_control` breakpoint.
    #[serde(default)]
    pub cache_breakpoint: bool,
}

impl Message {
    /// A user message.
    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
            cache_breakpoint: false,
        }
    }

    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: Role::Assistant,
            content: content.into(),
            cache_breakpoint: false,
        }
    }
}

/// One block of the system prompt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SystemBlock {
    /// The text.
    pub text: String,
    /// Whether the prompt up to and including this block is a stable prefix worth
    /// caching. The Anthropic client puts a `cache_control` breakpoint here; OpenAI
    /// caches prefixes on its own and only benefits from the order.
    pub cache_breakpoint: bool,
}

/// A complete request for one answer, in the order the model should read it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CompletionRequest {
    /// The model id sent to the provider.
    pub model: String,
    /// The system prompt, stable blocks first.
    pub system: Vec<SystemBlock>,
    /// The conversation, oldest first; the last message is the user's question.
    pub messages: Vec<Message>,
    /// The most tokens the answer may have (`max_completion_tokens` / `max_tokens`).
    pub max_output_tokens: u32,
    /// Sampling temperature, when not the provider's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
}

impl CompletionRequest {
    /// The system blocks joined into one string, for providers with a single system message.
    pub fn system_text(&self) -> String {
        self.system
            .iter()
            .map(|block| block.text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// It finished its answer (`stop`, `end_turn`, `stop_sequence`).
    EndTurn,
    /// It hit the output limit (`length`, `max_tokens`).
    MaxTokens,
    /// The provider filtered the content (`content_filter`, `refusal`).
    ContentFilter,
    /// It wanted to call a tool (`tool_calls`, `tool_use`); this crate sends no tools.
    ToolUse,
    /// Something this crate does not know, kept verbatim.
    Other(String),
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Completion {
    /// The answer text.
    pub text: String,
    /// The model that answered, as the provider names it (often a dated snapshot).
    pub model: String,
    /// Why it stopped.
    pub stop_reason: StopReason,
    /// Tokens used.
    pub usage: crate::Usage,
}
