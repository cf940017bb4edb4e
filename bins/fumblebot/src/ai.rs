//! The AI service, `POST /v1/ai/chat`: only Core calls it, with `FUMBLEBOT_API_KEY`. It
//! builds the prompt with `critfumble-ai`, asks OpenAI or Anthropic, and answers with the
//! SDK's `AiChatResponse` (the content, the model, the real usage and its cost). Answers
//! are cached for 60 s; each campaign has a rate limit and a daily token cap.

use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use critfumble_ai::{AiError, PromptOptions, build_prompt, token_usage};
use critfumble_sdk::api_key::{ApiKey, KeyEnv, KeyPepper, SharedKey};
use critfumble_sdk::paths;
use critfumble_sdk::wire::{
    AiChatRequest, AiChatResponse, AiProviderStatus, ErrorCode, TokenUsage,
};
use sha2::{Digest as _, Sha256};

use crate::error::{ApiError, parse_json, read_body};
use crate::ratelimit::Verdict;
use crate::state::AppState;

pub mod memory;
pub mod providers;
pub mod readiness;

pub use memory::AiMemory;
pub use providers::Providers;

/// The largest chat request (Core's context: sheets, rolls, notes and the history).
pub const CHAT_BODY_LIMIT_BYTES: usize = 4 * 1024 * 1024;
/// The window of the per-campaign rate limit.
pub const CAMPAIGN_RATE_WINDOW: Duration = Duration::from_secs(60);
/// The longest `Retry-After` passed on from a provider.
const MAX_RETRY_AFTER_SECS: u64 = 3_600;

/// The AI service's parts.
#[derive(Debug)]
pub struct AiService {
    key: Option<SharedKey>,
    providers: Providers,
    memory: AiMemory,
    prober: readiness::Prober,
    campaign_rate: u32,
    daily_tokens: u64,
}

/// How an [`AiService`] is set up.
#[derive(Debug)]
pub struct AiSettings {
    /// The key Core presents; `None` refuses every call.
    pub api_key: Option<ApiKey>,
    /// The providers.
    pub providers: Providers,
    /// The cache and the token counters.
    pub memory: AiMemory,
    /// Chats per campaign per minute.
    pub campaign_rate: u32,
    /// Tokens per campaign per UTC day (0: no cap).
    pub daily_tokens: u64,
}

impl AiService {
    /// The service. The key is kept only as its hash under a pepper drawn for this process.
    pub fn new(settings: AiSettings) -> anyhow::Result<AiService> {
        let pepper = KeyPepper::new(rand::random::<[u8; 32]>().to_vec())?;
        Ok(AiService {
            key: settings.api_key.map(|key| SharedKey::new(&key, pepper)),
            providers: settings.providers,
            memory: settings.memory,
            prober: readiness::Prober::new()?,
            campaign_rate: settings.campaign_rate,
            daily_tokens: settings.daily_tokens,
        })
    }

    /// The model used when a request names none.
    pub fn default_model(&self) -> Option<&str> {
        self.providers.default_model.as_deref()
    }

    /// Each configured provider, and whether it answered the last probe.
    pub async fn provider_status(&self) -> Vec<AiProviderStatus> {
        self.prober.status(self.providers.configured()).await
    }

    /// Checks Core's key: 401 without it or with another, 503 when FumbleBot has none.
    pub fn authorize(&self, authorization: Option<&str>) -> Result<(), ApiError> {
        let Some(key) = &self.key else {
            return Err(ApiError::new(
                ErrorCode::Unavailable,
                "the ai service has no FUMBLEBOT_API_KEY and accepts no calls",
            ));
        };
        key.check_bearer(authorization)
            .map_err(|error| ApiError::new(ErrorCode::Unauthorized, error.to_string()))
    }

    /// Answers one chat: from the cache, or within the campaign's limits from the provider.
    pub async fn chat(
        &self,
        limiter: &crate::ratelimit::RateLimiter,
        request: &AiChatRequest,
    ) -> Result<AiChatResponse, ApiError> {
        let started = Instant::now();
        request.validate()?;
        let (model, configured) = self.providers.choose(request.model.as_deref())?;
        let campaign = request
            .context
            .campaign
            .as_ref()
            .map_or_else(|| "none".to_owned(), |campaign| campaign.id.to_string());
        if let Verdict::Limited { retry_after_secs } = limiter
            .check_key(
                &format!("ai:c:{campaign}"),
                self.campaign_rate,
                CAMPAIGN_RATE_WINDOW,
            )
            .await
        {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "this campaign asked for more than {} ai answers in a minute",
                    self.campaign_rate
                ),
            )
            .retry_after(retry_after_secs));
        }
        let cache_key = cache_key(request, &model.id);
        if let Some(mut answer) = self.memory.cached(&cache_key).await {
            // The answer was paid for once; this copy costs nothing.
            answer.usage = TokenUsage {
                provider: answer.usage.provider,
                model: answer.usage.model,
                latency_ms: elapsed_ms(started),
                ..TokenUsage::default()
            };
            return Ok(answer);
        }
        let now = chrono::Utc::now();
        let day = now.timestamp().div_euclid(86_400);
        if self.daily_tokens > 0 {
            let spent = self.memory.tokens_spent(&campaign, day).await;
            if spent >= self.daily_tokens {
                let renews = (day + 1) * 86_400 - now.timestamp();
                return Err(ApiError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "this campaign has spent its {} ai tokens for today ({spent} used); \
                         the cap renews at 00:00 UTC",
                        self.daily_tokens
                    ),
                )
                .retry_after(renews.unsigned_abs()));
            }
        }
        let prompt = build_prompt(request, &PromptOptions::new(model)).map_err(refused_prompt)?;
        let completion = configured
            .client
            .complete(&prompt.request)
            .await
            .map_err(provider_failure)?;
        let usage = token_usage(
            configured.provider,
            &completion.model,
            &completion.usage,
            elapsed_ms(started),
        );
        self.memory
            .add_tokens(
                &campaign,
                day,
                completion
                    .usage
                    .total_input_tokens()
                    .saturating_add(completion.usage.output_tokens),
            )
            .await;
        let answer = AiChatResponse {
            content: completion.text,
            model: completion.model,
            usage,
        };
        self.memory.cache(&cache_key, &answer).await;
        Ok(answer)
    }
}

/// The AI service's routes.
pub fn routes() -> Router<AppState> {
    Router::new().route(paths::FUMBLEBOT_AI_CHAT, post(chat))
}

/// `POST /v1/ai/chat`. The key is checked before the body is read.
async fn chat(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<AiChatResponse>, ApiError> {
    let ai = state.ai();
    ai.authorize(
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok()),
    )?;
    let body = read_body(body, CHAT_BODY_LIMIT_BYTES).await?;
    let request: AiChatRequest = parse_json(&body)?;
    let answer = ai.chat(state.limiter(), &request).await?;
    Ok(Json(answer))
}

/// The cache key: the request as JSON and the model that answers it, hashed.
fn cache_key(request: &AiChatRequest, model: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(model.as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(request).unwrap_or_default());
    hex::encode(hasher.finalize())
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A request the prompt builder cannot use: 422 naming `messages`.
fn refused_prompt(error: AiError) -> ApiError {
    match error {
        AiError::NoQuestion | AiError::BudgetTooSmall { .. } | AiError::NoRoomForPrompt { .. } => {
            ApiError::new(ErrorCode::ValidationFailed, error.to_string()).field("messages")
        }
        other => {
            tracing::error!(error = %other, "the prompt could not be built");
            ApiError::new(ErrorCode::Internal, "the prompt could not be built")
        }
    }
}

/// A provider's failure, as Core sees it: a 429 with the provider's wait, a 504 for a
/// timeout, otherwise a 502 naming the provider and its status, never its body. The whole
/// error (scrubbed of the key by `critfumble-ai`) goes to the log.
fn provider_failure(error: AiError) -> ApiError {
    tracing::warn!(%error, "the ai provider failed");
    match error {
        AiError::Api {
            provider,
            status: 429,
            retry_after_secs,
            ..
        } => {
            let wait = retry_after_secs
                .unwrap_or(30)
                .clamp(1, MAX_RETRY_AFTER_SECS);
            ApiError::new(
                ErrorCode::RateLimited,
                format!("{provider} is rate limiting fumblebot; try again in {wait} s"),
            )
            .retry_after(wait)
        }
        AiError::Api {
            provider,
            status: 401 | 403,
            ..
        } => ApiError::new(
            ErrorCode::UpstreamFailed,
            format!("{provider} refused fumblebot's api key"),
        ),
        AiError::Api {
            provider,
            status,
            kind,
            ..
        } => ApiError::new(
            ErrorCode::UpstreamFailed,
            format!("{provider} answered http {status} ({kind})"),
        ),
        AiError::QuotaExceeded { provider, .. } => ApiError::new(
            ErrorCode::UpstreamFailed,
            format!("{provider} refused: the account is out of quota"),
        ),
        AiError::Timeout {
            provider,
            timeout_ms,
        } => ApiError::new(
            ErrorCode::UpstreamTimeout,
            format!("{provider} did not answer within {timeout_ms} ms"),
        ),
        AiError::Connection { provider, .. } => ApiError::new(
            ErrorCode::UpstreamFailed,
            format!("cannot reach {provider}"),
        ),
        other => ApiError::new(
            ErrorCode::UpstreamFailed,
            format!("the ai provider failed: {}", failure_kind(&other)),
        ),
    }
}

fn failure_kind(error: &AiError) -> &'static str {
    match error {
        AiError::InvalidResponse { .. } => "an answer fumblebot cannot read",
        AiError::StreamInterrupted { .. } | AiError::StreamFailure { .. } => "a broken answer",
        _ => "an unexpected error",
    }
}

/// A new key for `FUMBLEBOT_API_KEY`.
pub fn generate_api_key() -> ApiKey {
    ApiKey::generate(KeyEnv::Live)
}
