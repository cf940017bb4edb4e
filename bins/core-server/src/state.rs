//! `AppState`: what every handler shares (the store, secrets, and outbound clients).

use std::sync::Arc;

use critfumble_sdk::FumbleBotClient;
use critfumble_sdk::api_key::{KeyEnv, KeyPepper};
use critfumble_sdk::webhook::WebhookVerifier;

use crate::config::{Secrets, ServeArgs};
use crate::rate_limit::RateLimiter;
use crate::roll_writer::RollWriter;
use crate::store::Store;

/// Discord OAuth2 settings; absent when no client id and secret were configured. Its
/// `Debug` output leaves the secret out.
#[derive(Clone)]
pub struct DiscordConfig {
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: String,
    /// `https://discord.com/api`, or a local fake in tests.
    pub api_base: String,
}

impl std::fmt::Debug for DiscordConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("api_base", &self.api_base)
            .finish()
    }
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    pepper: KeyPepper,
    key_env: KeyEnv,
    webhooks: WebhookVerifier,
    fumblebot: FumbleBotClient,
    roll_writer: RollWriter,
    discord: Option<DiscordConfig>,
    public_url: String,
    http: reqwest::Client,
    idempotency_lease_millis: i64,
    rate_limiter: RateLimiter,
    login_key: crate::token::SigningKey,
    csrf_key: crate::token::SigningKey,
    ai_daily_tokens_per_campaign: u64,
}

impl AppState {
    /// Builds the state from the parsed flags and resolved secrets (connecting to Redis
    /// when `--redis-url` is set).
    pub async fn new(
        store: Store,
        args: &ServeArgs,
        secrets: &Secrets,
    ) -> anyhow::Result<AppState> {
        let discord = match (&args.discord_client_id, &args.discord_client_secret) {
            (Some(client_id), Some(client_secret)) => Some(DiscordConfig {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                api_base: args.discord_api_base.trim_end_matches('/').to_owned(),
            }),
            (None, None) => {
                tracing::warn!(
                    "no --discord-client-id/--discord-client-secret: Discord login answers 503"
                );
                None
            }
            _ => anyhow::bail!(
                "set both --discord-client-id (DISCORD_CLIENT_ID) and --discord-client-secret \
                 (DISCORD_CLIENT_SECRET), or neither"
            ),
        };
        let fumblebot = FumbleBotClient::new(
            args.fumblebot_url.clone(),
            args.fumblebot_api_key.clone().unwrap_or_default(),
        )
        .map_err(|e| anyhow::anyhow!("--fumblebot-url (FUMBLEBOT_URL): {e}"))?;
        if args.fumblebot_api_key.is_none() {
            tracing::warn!(
                "no --fumblebot-api-key (FUMBLEBOT_API_KEY): AI chat will be refused by FumbleBot"
            );
        }
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()?;
        let lease_millis = i64::try_from(args.idempotency_lease_secs)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000);
        let roll_writer = RollWriter::start(store.clone(), lease_millis);
        let mut webhooks = WebhookVerifier::new(
            secrets
                .webhook_secrets
                .first()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no webhook secret"))?,
        );
        for secret in secrets.webhook_secrets.iter().skip(1) {
            webhooks = webhooks.with_secret(secret.clone());
        }
        let rate_limiter = RateLimiter::from_args(args).await?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                pepper: secrets.pepper.clone(),
                key_env: args.key_env,
                webhooks,
                fumblebot,
                roll_writer,
                discord,
                public_url: args.public_url(),
                http,
                idempotency_lease_millis: lease_millis,
                rate_limiter,
                login_key: crate::token::SigningKey::derive(&secrets.pepper, "login state"),
                csrf_key: crate::token::SigningKey::derive(&secrets.pepper, "web csrf"),
                ai_daily_tokens_per_campaign: args.ai_daily_tokens_per_campaign,
            }),
        })
    }

    /// The rate limits.
    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    /// The key that signs the OAuth2 login state cookie.
    pub fn login_key(&self) -> &crate::token::SigningKey {
        &self.inner.login_key
    }

    /// The key that derives the web app's CSRF tokens from session tokens.
    pub fn csrf_key(&self) -> &crate::token::SigningKey {
        &self.inner.csrf_key
    }

    /// The AI tokens one campaign may spend per UTC day (0: no limit).
    pub fn ai_daily_tokens_per_campaign(&self) -> u64 {
        self.inner.ai_daily_tokens_per_campaign
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The API-key pepper.
    pub fn pepper(&self) -> &KeyPepper {
        &self.inner.pepper
    }

    /// The environment issued keys belong to.
    pub fn key_env(&self) -> KeyEnv {
        self.inner.key_env
    }

    /// Checks FumbleBot's webhook signatures.
    pub fn webhooks(&self) -> &WebhookVerifier {
        &self.inner.webhooks
    }

    /// The group-commit writer of rolls.
    pub fn roll_writer(&self) -> &RollWriter {
        &self.inner.roll_writer
    }

    /// The client for FumbleBot's AI endpoint.
    pub fn fumblebot(&self) -> &FumbleBotClient {
        &self.inner.fumblebot
    }

    /// Discord OAuth2 settings, when configured.
    pub fn discord(&self) -> Option<&DiscordConfig> {
        self.inner.discord.as_ref()
    }

    /// The URL users reach Core at, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.inner.public_url
    }

    /// Whether cookies get the `Secure` attribute (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.inner.public_url.starts_with("https://")
    }

    /// A plain HTTP client for Discord's OAuth2 endpoints.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// How long an unfinished idempotency claim blocks its key.
    pub fn idempotency_lease_millis(&self) -> i64 {
        self.inner.idempotency_lease_millis
    }
}
