//! The configured providers and which one answers a model: a model in `critfumble-ai`'s
//! table goes to its provider; an unknown one goes to Anthropic when it starts with
//! `claude`, otherwise to the OpenAI-compatible server (a local model on Ollama or vLLM).

use std::sync::Arc;
use std::time::Duration;

use critfumble_ai::client::{
    AnthropicProvider, LlmProvider, OpenAiProvider, OutputLimitField, ProviderConfig, ProviderKey,
};
use critfumble_ai::{ModelInfo, Provider, model_info};

use crate::config::{Config, provider_defaults};
use crate::error::ApiError;
use critfumble_sdk::wire::ErrorCode;

/// The model used with only Anthropic's key set.
pub const ANTHROPIC_DEFAULT_MODEL: &str = "claude-haiku-4-5";
/// The model used otherwise.
pub const OPENAI_DEFAULT_MODEL: &str = "gpt-4o-mini";
/// The context window assumed for a model outside the table (a local model).
const CUSTOM_CONTEXT_WINDOW: usize = 8_192;
/// The output limit for such a model.
const CUSTOM_MAX_OUTPUT: usize = 1_024;

/// One configured provider: its client, and what the readiness probe needs.
#[derive(Clone)]
pub struct Configured {
    /// Which provider.
    pub provider: Provider,
    /// The client.
    pub client: Arc<dyn LlmProvider>,
    /// The API root.
    pub base_url: String,
    /// The key, for the probe only.
    key: String,
}

impl std::fmt::Debug for Configured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Configured")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Configured {
    /// The key, for the readiness probe's header (marked sensitive there).
    pub(crate) fn key_for_probe(&self) -> &str {
        &self.key
    }
}

/// Every configured provider and the default model.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    /// OpenAI, or a server that speaks its protocol.
    pub openai: Option<Configured>,
    /// Anthropic.
    pub anthropic: Option<Configured>,
    /// The model used when a request names none; `None` when no provider is configured.
    pub default_model: Option<String>,
}

impl Providers {
    /// The providers whose keys are in the environment. Each call is retried only while the
    /// provider asks for a short wait: a longer `Retry-After` goes straight back to Core as
    /// a 429, so that a chat never hangs for a minute inside FumbleBot.
    pub fn from_config(config: &Config) -> anyhow::Result<Providers> {
        let configure = |key: &str, base_url: &str| {
            let mut provider_config = ProviderConfig::openai(ProviderKey::new(key));
            provider_config.base_url = base_url.trim_end_matches('/').to_owned();
            provider_config.timeout = Duration::from_secs(90);
            provider_config.retry.max_retry_after = Duration::from_secs(3);
            provider_config
        };
        let openai = match &config.openai_api_key {
            Some(key) => {
                let provider_config = configure(key, &config.openai_base_url);
                let mut client = OpenAiProvider::new(provider_config.clone())?;
                if config.openai_base_url.trim_end_matches('/')
                    != provider_defaults::OPENAI_BASE_URL
                {
                    // Ollama and llama.cpp read only `max_tokens`; OpenAI's newer models
                    // only `max_completion_tokens`.
                    client = client.with_output_limit_field(OutputLimitField::MaxTokens);
                }
                Some(Configured {
                    provider: Provider::OpenAi,
                    client: Arc::new(client),
                    base_url: provider_config.base_url,
                    key: key.clone(),
                })
            }
            None => None,
        };
        let anthropic = match &config.anthropic_api_key {
            Some(key) => {
                let provider_config = configure(key, &config.anthropic_base_url);
                Some(Configured {
                    provider: Provider::Anthropic,
                    client: Arc::new(AnthropicProvider::new(provider_config.clone())?),
                    base_url: provider_config.base_url,
                    key: key.clone(),
                })
            }
            None => None,
        };
        let default_model = match (&config.ai_model, &openai, &anthropic) {
            (_, None, None) => None,
            (Some(model), _, _) => Some(model.clone()),
            (None, None, Some(_)) => Some(ANTHROPIC_DEFAULT_MODEL.to_owned()),
            (None, Some(_), _) => Some(OPENAI_DEFAULT_MODEL.to_owned()),
        };
        Ok(Providers {
            openai,
            anthropic,
            default_model,
        })
    }

    /// Every configured provider.
    pub fn configured(&self) -> impl Iterator<Item = &Configured> {
        self.openai.iter().chain(self.anthropic.iter())
    }

    /// The model and provider for a request that asks for `requested` (or the default).
    /// 503 with no provider at all; 422 naming `model` when its provider is not configured.
    pub fn choose(&self, requested: Option<&str>) -> Result<(ModelInfo, &Configured), ApiError> {
        let Some(model) = requested.or(self.default_model.as_deref()) else {
            return Err(ApiError::new(
                ErrorCode::Unavailable,
                "no ai provider is configured: set OPENAI_API_KEY or ANTHROPIC_API_KEY in \
                 fumblebot's environment",
            )
            .retry_after(300));
        };
        let info = model_info(model).unwrap_or_else(|| {
            let provider = if model.starts_with("claude") {
                Provider::Anthropic
            } else {
                Provider::OpenAi
            };
            ModelInfo::custom(model, provider, CUSTOM_CONTEXT_WINDOW, CUSTOM_MAX_OUTPUT)
        });
        let configured = match info.provider {
            Provider::OpenAi => self.openai.as_ref(),
            Provider::Anthropic => self.anthropic.as_ref(),
        };
        match configured {
            Some(configured) => Ok((info, configured)),
            None => Err(ApiError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "model '{model}' is served by {}, which this fumblebot has no key for",
                    info.provider
                ),
            )
            .field("model")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn providers(openai: bool, anthropic: bool, model: Option<&str>) -> Providers {
        let mut config = Config::for_tests();
        config.openai_api_key = openai.then(|| "sk-test-0123456789".to_owned());
        config.anthropic_api_key = anthropic.then(|| "sk-ant-test-0123456789".to_owned());
        config.ai_model = model.map(str::to_owned);
        Providers::from_config(&config).unwrap()
    }

    #[test]
    fn the_default_model_follows_the_one_key_set() {
        assert_eq!(
            providers(false, true, None).default_model.as_deref(),
            Some(ANTHROPIC_DEFAULT_MODEL)
        );
        assert_eq!(
            providers(true, false, None).default_model.as_deref(),
            Some(OPENAI_DEFAULT_MODEL)
        );
        assert_eq!(
            providers(true, true, Some("claude-sonnet-4-5"))
                .default_model
                .as_deref(),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(providers(false, false, Some("gpt-4o")).default_model, None);
    }

    #[test]
    fn each_model_goes_to_its_provider() {
        let both = providers(true, true, None);
        let provider = |model: &str| both.choose(Some(model)).unwrap().1.provider;
        assert_eq!(provider("claude-haiku-4-5"), Provider::Anthropic);
        assert_eq!(provider("gpt-4o-mini-2024-07-18"), Provider::OpenAi);
        assert_eq!(provider("llama3.1:8b"), Provider::OpenAi);
        assert_eq!(provider("claude-unreleased-9"), Provider::Anthropic);
    }

    #[test]
    fn a_missing_provider_is_a_clear_refusal() {
        let none = providers(false, false, None);
        assert_eq!(
            none.choose(None).unwrap_err().code(),
            ErrorCode::Unavailable
        );
        let openai_only = providers(true, false, None);
        let refused = openai_only.choose(Some("claude-haiku-4-5")).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::ValidationFailed);
        assert_eq!(
            refused.body.error.details,
            Some(serde_json::json!({"field": "model"}))
        );
    }
}
