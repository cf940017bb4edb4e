//! The client Core uses to call FumbleBot's AI service.

use std::time::Duration;

use super::ClientConfig;
use super::http::{Call, Http};
use crate::SdkError;
use crate::paths;
use crate::wire::{AiChatRequest, AiChatResponse, FumbleBotReadiness, Health};

/// A client for FumbleBot's HTTP API, authenticated with a service key (`cfk_...`).
#[derive(Debug, Clone)]
pub struct FumbleBotClient {
    http: Http,
}

impl FumbleBotClient {
    /// The default timeout per attempt: model calls can be slow.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

    /// A client for the FumbleBot at `base_url`, with a 120 s timeout per attempt.
    pub fn new(
        base_url: impl Into<String>,
        service_key: impl Into<String>,
    ) -> Result<Self, SdkError> {
        Self::with_config(
            ClientConfig::new(base_url, service_key).with_timeout(Self::DEFAULT_TIMEOUT),
        )
    }

    /// A client with a custom configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, SdkError> {
        Ok(Self {
            http: Http::new(&config)?,
        })
    }

    /// `POST /v1/ai/chat`: one chat completion with the game context. Not retried after the
    /// request may have reached the model (a 502 or a timeout), so that it is never paid twice.
    pub async fn chat(&self, request: &AiChatRequest) -> Result<AiChatResponse, SdkError> {
        let call =
            Call::new(reqwest::Method::POST, paths::FUMBLEBOT_AI_CHAT.to_owned()).json(request)?;
        self.http.json(call).await
    }

    /// `GET /healthz`.
    pub async fn health(&self) -> Result<Health, SdkError> {
        self.http.json(Call::get(paths::HEALTHZ.to_owned())).await
    }

    /// `GET /readyz`: the outbox and the AI providers.
    pub async fn ready(&self) -> Result<FumbleBotReadiness, SdkError> {
        self.http.json(Call::get(paths::READYZ.to_owned())).await
    }
}
