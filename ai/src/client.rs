//! HTTP clients for OpenAI Chat Completions and Anthropic Messages behind one
//! [`LlmProvider`] trait (the `client` feature).
//!
//! Both clients retry the way the official SDKs do (HTTP 408, 409, 429, 5xx
//! and Anthropic's 529, twice by default, with exponential backoff and jitter,
//! honouring `retry-after-ms`, `retry-after` and `x-should-retry`), except that
//! a quota or spend-limit 429 is never retried. Every request has a timeout, a
//! stream has an idle timeout between chunks, and dropping a future or a
//! [`CompletionStream`] closes the connection.
//!
//! The OpenAI client works with any server that speaks the Chat Completions
//! protocol (Ollama, vLLM, LM Studio): set [`ClientConfig::base_url`] to the
//! server's `/v1` URL, for example `http://localhost:11434/v1` for Ollama, and
//! leave the key empty if the server needs none. Servers that read only
//! `max_tokens` (Ollama, llama.cpp) need
//! [`OpenAiProvider::with_output_limit_field`]`(`[`OutputLimitField::MaxTokens`]`)`.

use std::fmt;
use std::time::Duration;

use futures_util::future::BoxFuture;

use crate::{Completion, CompletionRequest, Error, Provider};

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
    ) -> BoxFuture<'a, Result<Completion, Error>>;

    /// Sends the request and streams the answer: text deltas, then a summary with the usage.
    ///
    /// Retries happen only before the first byte of the answer; a stream that breaks
    /// later yields [`Error::StreamInterrupted`] and its usage is unknown.
    fn stream<'a>(
        &'a self,
        request: &'a CompletionRequest,
    ) -> BoxFuture<'a, Result<CompletionStream, Error>>;
}

/// An API key. It is never printed: `Debug` shows `ApiKey(<redacted>)`, it has
/// no `Display`, and provider messages that echo it are scrubbed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key taken from configuration.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
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

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// How to reach a provider.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The key (`Authorization: Bearer` for OpenAI, `x-api-key` for Anthropic).
    pub api_key: ApiKey,
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
    /// Retries after the first attempt (the SDKs' default is 2).
    pub max_retries: u32,
    /// The first backoff delay; it doubles per retry up to `retry_max_delay`.
    pub retry_initial_delay: Duration,
    /// The longest backoff delay. A server's `retry-after` of up to 60 s is honoured as sent.
    pub retry_max_delay: Duration,
}

impl ClientConfig {
    /// Defaults for OpenAI: `https://api.openai.com/v1`, 120 s per attempt, 2 retries.
    pub fn openai(api_key: ApiKey) -> ClientConfig {
        ClientConfig::with_base_url(api_key, "https://api.openai.com/v1")
    }

    /// Defaults for Anthropic: `https://api.anthropic.com`, 120 s per attempt, 2 retries.
    pub fn anthropic(api_key: ApiKey) -> ClientConfig {
        ClientConfig::with_base_url(api_key, "https://api.anthropic.com")
    }

    fn with_base_url(api_key: ApiKey, base_url: &str) -> ClientConfig {
        ClientConfig {
            api_key,
            base_url: base_url.to_owned(),
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            stream_idle_timeout: Duration::from_secs(60),
            max_retries: 2,
            retry_initial_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(8),
        }
    }
}

/// Builds the provider named by `provider` from `config`, boxed, for callers
/// that pick the provider at run time.
pub fn provider_from_config(
    provider: Provider,
    config: ClientConfig,
) -> Result<Box<dyn LlmProvider>, Error> {
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
        let config = ClientConfig::anthropic(ApiKey::new("sk-ant-secret-123456"));
        let printed = format!("{config:?} {:?}", config.api_key);
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("ApiKey(<redacted>)"));
    }

    #[test]
    fn redaction_removes_the_key_from_messages() {
        let key = ApiKey::new("sk-proj-abcdef123456");
        assert_eq!(
            key.redact("Incorrect API key provided: sk-proj-abcdef123456."),
            "Incorrect API key provided: <redacted>."
        );
        assert_eq!(ApiKey::new("x").redact("x marks"), "x marks");
    }
}
