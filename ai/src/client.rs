//! HTTP clients for OpenAI Chat Completions and Anthropic Messages behind one
//! [`LlmProvider`] trait (the `client` feature).
//!
//! Both clients retry what the official SDKs retry (HTTP 408, 409, 429, 5xx
//! and Anthropic's 529, and whatever `x-should-retry` names), except that a
//! quota or spend-limit 429 is never retried. How long they wait is
//! `critfumble_sdk::retry`'s, shared with the SDK's clients: twice by default,
//! exponential backoff with jitter, `retry-after-ms` and `retry-after` honoured
//! up to a minute (a longer one ends the retries). Every request has a timeout, a
//! stream has an idle timeout between chunks, and dropping a future or a
//! [`CompletionStream`] closes the connection.
//!
//! The OpenAI client works with any server that speaks the Chat Completions
//! protocol (Ollama, vLLM, LM Studio): set [`ProviderConfig::base_url`] to the
//! server's `/v1` URL, for example `http://localhost:11434/v1` for Ollama, and
//! leave the key empty if the server needs none. Servers that read only
//! `max_tokens` (Ollama, llama.cpp) need
//! [`OpenAiProvider::with_output_limit_field`]`(`[`OutputLimitField::MaxTokens`]`)`.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::{AiError, Completion, CompletionRequest, Provider};

mod anthropic;
mod openai;
mod retry;
mod sse;
mod stream;
mod transport;

pub use anthropic::{ANTHROPIC_VERSION, AnthropicProvider};
pub use openai::{OpenAiProvider, OutputLimitField};
pub use stream::{CompletionStream, StreamEvent, StreamOutcome, StreamSummary};

/// One interface over OpenAI and Anthropic.
///
/// It is object safe, so a bot can hold a `Box<dyn LlmProvider>` chosen by configuration.
pub trait LlmProvider: Send + Sync + fmt::Debug {
    /// Which provider this is.
    fn provider(&self) -> Provider;

    /// Sends the request and waits for the whole answer.
    fn complete<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<Completion, AiError>>;

    /// Sends the request and streams the answer: text deltas, then a summary with the usage.
    ///
    /// Retries happen only before the first byte of the answer; a stream that breaks
    /// later yields [`AiError::StreamInterrupted`] and its usage is unknown.
    fn stream<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<CompletionStream, AiError>>;
}

/// An API key. It is never printed: `Debug` shows `ProviderKey(<redacted>)`, it has
/// no `Display`, and provider messages that echo it are scrubbed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProviderKey(String);

impl ProviderKey {
    /// Wraps a key taken from configuration.
    pub fn new(key: impl Into<String>) -> ProviderKey {
        ProviderKey(key.into())
    }

    /// Whether no key is set (some OpenAI-compatible local servers need none).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text`. Keys shorter than 8
    /// characters are not real provider keys and are left alone, so that a
    /// test key like `x` does not garble messages.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.len() >= 8 {
            text.replace(&self.0, "<redacted>")
        } else {
            text.to_owned()
        }
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProviderKey(<redacted>)")
    }
}

pub use critfumble_sdk::retry::RetryPolicy;

/// How to reach a provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The key (`Authorization: Bearer` for OpenAI, `x-api-key` for Anthropic).
    pub api_key: ProviderKey,
    /// The API root: `https://api.openai.com/v1` or `https://api.anthropic.com`,
    /// following the official SDKs. Point it at any OpenAI-compatible server.
    pub base_url: String,
    /// The limit for one attempt: connecting, sending and, without streaming,
    /// reading the whole answer; with streaming, until the response headers arrive.
    pub timeout: Duration,
    /// The limit for establishing a connection.
    pub connect_timeout: Duration,
    /// The longest wait between two chunks of a stream.
    pub stream_idle_timeout: Duration,
    /// How often and how patiently to retry: 3 attempts by default (the SDKs' 2
    /// retries), backoff from 500 ms up to 8 s, a server's `retry-after` honoured up to
    /// 60 s.
    pub retry: RetryPolicy,
}

impl ProviderConfig {
    /// Defaults for OpenAI: `https://api.openai.com/v1`, 120 s per attempt, 2 retries.
    pub fn openai(api_key: ProviderKey) -> ProviderConfig {
        ProviderConfig::with_base_url(api_key, "https://api.openai.com/v1")
    }

    /// Defaults for Anthropic: `https://api.anthropic.com`, 120 s per attempt, 2 retries.
    pub fn anthropic(api_key: ProviderKey) -> ProviderConfig {
        ProviderConfig::with_base_url(api_key, "https://api.anthropic.com")
    }

    fn with_base_url(api_key: ProviderKey, base_url: &str) -> ProviderConfig {
        ProviderConfig {
            api_key,
            base_url: base_url.to_owned(),
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            stream_idle_timeout: Duration::from_secs(60),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(500),
                max_delay: Duration::from_secs(8),
                max_retry_after: Duration::from_secs(60),
            },
        }
    }
}

/// Builds the provider named by `provider` from `config`, boxed, for callers
/// that pick the provider at run time.
pub fn provider_from_config(
    provider: Provider,
    config: ProviderConfig,
) -> Result<Box<dyn LlmProvider>, AiError> {
    Ok(match provider {
        Provider::OpenAi => Box::new(OpenAiProvider::new(config)?),
        Provider::Anthropic => Box::new(AnthropicProvider::new(config)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_show_in_debug_output() {
        let config = ProviderConfig::anthropic(ProviderKey::new("sk-ant-secret-123456"));
        let printed = format!("{config:?} {:?}", config.api_key);
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("ProviderKey(<redacted>)"));
    }

    #[test]
    fn redaction_removes_the_key_from_messages() {
        let key = ProviderKey::new("sk-proj-abcdef123456");
        assert_eq!(
            key.redact("Incorrect API key provided: sk-proj-abcdef123456."),
            "Incorrect API key provided: <redacted>."
        );
        assert_eq!(ProviderKey::new("x").redact("x marks"), "x marks");
    }
}
