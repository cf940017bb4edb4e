//! The crate's one error type.

use std::fmt;

/// Which provider an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// OpenAI Chat Completions, or a server that speaks the same protocol (Ollama, vLLM, LM Studio).
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::OpenAi => "openai",
            Provider::Anthropic => "anthropic",
        })
    }
}

/// Everything that can go wrong while building a prompt or talking to a provider.
///
/// Messages never contain an API key: provider error bodies are scrubbed of the
/// configured key before they are stored here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AiError {
    /// The request has no question to answer.
    #[error("the chat request has no question: its last message must be a non-empty user message")]
    NoQuestion,

    /// The parts that are never dropped (system prompt and question) do not fit the budget.
    #[error(
        "the system prompt and the question need {needed} tokens but the budget for model '{model}' is {budget} tokens"
    )]
    BudgetTooSmall {
        /// The model the budget was computed for.
        model: String,
        /// Tokens needed by the system prompt and the question.
        needed: usize,
        /// Tokens available for the prompt.
        budget: usize,
    },

    /// The model's context window leaves no room for a prompt.
    #[error(
        "model '{model}' has a context window of {context_window} tokens, too small for {max_output_tokens} output tokens and a margin of {margin} tokens"
    )]
    NoRoomForPrompt {
        /// The model.
        model: String,
        /// Its context window.
        context_window: usize,
        /// The output limit asked for.
        max_output_tokens: usize,
        /// The safety margin.
        margin: usize,
    },

    /// The model is not in the table and no [`crate::ModelInfo`] was given for it.
    #[error(
        "unknown model '{0}': pass a ModelInfo with its context window for models not in the table"
    )]
    UnknownModel(String),

    /// A configuration value is unusable.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// The provider answered with an HTTP error status.
    #[error("{provider} returned HTTP {status} ({kind}): {message}")]
    Api {
        /// The provider.
        provider: Provider,
        /// The HTTP status code.
        status: u16,
        /// The provider's error type or code, such as `rate_limit_error`.
        kind: String,
        /// The provider's message, with any API key removed.
        message: String,
        /// The provider's request id, when it sent one.
        request_id: Option<String>,
        /// How long the provider asked callers to wait (`retry-after-ms` or `retry-after`),
        /// in whole seconds rounded up, when it said.
        retry_after_secs: Option<u64>,
    },

    /// The account is out of quota or over its spend limit; retrying will not help.
    #[error(
        "{provider} refused the request because the account is out of quota ({kind}): {message}"
    )]
    QuotaExceeded {
        /// The provider.
        provider: Provider,
        /// `insufficient_quota` or `enforced_spend_limit_reached`.
        kind: String,
        /// The provider's message, with any API key removed.
        message: String,
    },

    /// No response (or no next stream chunk) arrived in time.
    #[error("{provider} did not answer within {timeout_ms} ms")]
    Timeout {
        /// The provider.
        provider: Provider,
        /// The timeout that elapsed, in milliseconds.
        timeout_ms: u64,
    },

    /// The connection failed or broke before a response arrived.
    #[error("could not reach {provider}: {message}")]
    Connection {
        /// The provider.
        provider: Provider,
        /// What went wrong.
        message: String,
    },

    /// The provider sent something this crate cannot read.
    #[error("{provider} sent a response this client cannot read: {message}")]
    InvalidResponse {
        /// The provider.
        provider: Provider,
        /// What was wrong with it.
        message: String,
    },

    /// A stream ended or broke before the provider said it was complete.
    ///
    /// The usage of such a request is unknown (not zero): the provider may still bill it.
    #[error("the {provider} stream broke after {received_chars} characters: {message}")]
    StreamInterrupted {
        /// The provider.
        provider: Provider,
        /// How many characters of text had arrived.
        received_chars: usize,
        /// What went wrong.
        message: String,
    },

    /// The provider sent an error event in the middle of a stream.
    #[error("{provider} reported an error in the stream ({kind}): {message}")]
    StreamFailure {
        /// The provider.
        provider: Provider,
        /// The provider's error type, such as `overloaded_error`.
        kind: String,
        /// The provider's message, with any API key removed.
        message: String,
    },
}

impl AiError {
    /// Whether the error is the kind the official SDKs retry: a timeout, a broken
    /// connection, or HTTP 408, 409, 429 (except quota) and 5xx (including 529).
    pub fn is_retryable(&self) -> bool {
        match self {
            AiError::Timeout { .. } | AiError::Connection { .. } => true,
            AiError::Api { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
            _ => false,
        }
    }
}
