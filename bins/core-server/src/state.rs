//! `AppState`: what every handler shares (the store, secrets, and outbound clients).

use std::sync::Arc;

use crate::config::{Secrets, ServeArgs};
use crate::store::Store;

/// Discord OAuth2 settings; absent when no client id and secret were configured.
#[derive(Clone, Debug)]
pub struct DiscordConfig {
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: String,
    /// `https://discord.com/api`, or a local fake in tests.
    pub api_base: String,
}

/// Everything a handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    pepper: String,
    webhook_secret: String,
    discord: Option<DiscordConfig>,
    public_url: String,
    http: reqwest::Client,
    idempotency_lease_millis: i64,
}

impl AppState {
    /// Builds the state from the parsed flags and resolved secrets.
    pub fn new(store: Store, args: &ServeArgs, secrets: &Secrets) -> anyhow::Result<AppState> {
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
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()?;
        Ok(AppState {
            inner: Arc::new(Inner {
                store,
                pepper: secrets.pepper.clone(),
                webhook_secret: secrets.webhook_secret.clone(),
                discord,
                public_url: args.public_url(),
                http,
                idempotency_lease_millis: i64::try_from(args.idempotency_lease_secs)
                    .unwrap_or(i64::MAX / 1000)
                    .saturating_mul(1000),
            }),
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The API-key pepper.
    pub fn pepper(&self) -> &str {
        &self.inner.pepper
    }

    /// The webhook secret FumbleBot signs with.
    pub fn webhook_secret(&self) -> &str {
        &self.inner.webhook_secret
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
