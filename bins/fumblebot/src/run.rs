//! Start-up and shutdown: Core (embedded, or reached at `--core-url`), the outbox and its
//! drainer, the HTTP server, and the gateway when there is a token.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use critfumble_core::EmbeddedCore;
use tokio::sync::{Notify, watch};

use crate::activity::{ActivitySettings, ActivityState, DiscordApi, Rooms, SessionKey};
use crate::ai::{AiMemory, AiService, AiSettings, Providers};
use crate::bridge::{BridgeState, EventHub, Presence, SeenMessages};
use crate::config::Config;
use crate::core_access::CoreAccess;
use crate::discord;
use crate::discord::verify::InteractionVerifier;
use crate::outbox::{Outbox, RedisOutbox, SqliteOutbox};
use crate::ratelimit::RateLimiter;
use crate::state::{AppState, Parts};
use critfumble_sdk::api_key::ApiKey;

/// How long a stopping FumbleBot lets requests in flight finish.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// A started FumbleBot.
#[derive(Debug)]
pub struct Running {
    address: SocketAddr,
    core_url: String,
    state: AppState,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Where FumbleBot's HTTP server listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Core's base URL (the embedded Core's, in one-process mode).
    pub fn core_url(&self) -> &str {
        &self.core_url
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting requests, finishes those in flight, and returns, at the latest after
    /// [`SHUTDOWN_GRACE`]: the extensions' event streams and the Activity's sockets never
    /// end by themselves. Connections still open then are left to end with the process
    /// (the binary exits once this returns); their clients reconnect, to another process
    /// with `Last-Event-ID`, and miss nothing.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.server)
            .await
            .is_err()
        {
            tracing::info!("leaving the connections still open after the shutdown grace");
            self.server.abort();
            let _ = self.server.await;
        }
    }
}

/// Starts everything and returns once FumbleBot is ready to serve.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let started = Instant::now();
    let (stop, stopped) = watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    };

    // Bound first, so that the embedded Core knows the real address (port 0 in tests).
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let mut fumblebot_key = config
        .fumblebot_api_key
        .as_deref()
        .map(ApiKey::parse)
        .transpose()
        .context(
            "FUMBLEBOT_API_KEY must be a cfk_ key: `fumblebot --generate-api-key` prints one",
        )?;
    let mut webhook_secret = config
        .webhook_secret
        .as_deref()
        .map(critfumble_sdk::webhook::WebhookSecret::from_whsec)
        .transpose()
        .context("CRITFUMBLE_WEBHOOK_SECRET must be a whsec_ secret")?;
    let (core_url, core_key) = match (&config.core_url, &config.core_api_key) {
        (Some(url), Some(key)) => (url.trim_end_matches('/').to_owned(), key.clone()),
        (Some(_), None) => anyhow::bail!(
            "--core-url needs --core-api-key (CORE_API_KEY): a service key from \
             `critfumble-core keys create`"
        ),
        (None, _) => {
            let mut args = EmbeddedCore::default_args()?;
            args.listen = config.core_listen;
            // The embedded Core calls this FumbleBot (for AI chat), unless told otherwise.
            if std::env::var_os("FUMBLEBOT_URL").is_none() {
                args.fumblebot_url = format!("http://{address}");
            }
            // The embedded Core calls the AI service with this process's key.
            let key = fumblebot_key.get_or_insert_with(crate::ai::generate_api_key);
            args.fumblebot_api_key = Some(key.expose_secret().to_owned());
            // And checks the webhooks this process signs with this secret.
            let secret = webhook_secret.get_or_insert_with(|| {
                critfumble_sdk::webhook::WebhookSecret::generate(&mut rand::rng())
            });
            if args.webhook_secret.is_empty() {
                args.webhook_secret = vec![secret.to_whsec()];
            }
            let core = EmbeddedCore::open(&args).await?;
            let listener = tokio::net::TcpListener::bind(config.core_listen)
                .await
                .with_context(|| format!("cannot listen on {} for Core", config.core_listen))?;
            let address = listener.local_addr()?;
            let shutdown = until_stopped();
            let key = core.service_key().to_owned();
            tokio::spawn(async move {
                if let Err(error) = core.serve(listener, shutdown).await {
                    tracing::error!(%error, "the embedded core stopped");
                }
                core.store().close().await;
            });
            tracing::info!(%address, database = %args.database_url, "embedded core listening");
            (format!("http://{address}"), key)
        }
    };
    let core = Arc::new(CoreAccess::new(&core_url, &core_key)?);

    let mut redis_connection = None;
    let mut redis_client = None;
    let (outbox, limiter) = match &config.redis_url {
        Some(url) => {
            let client = redis::Client::open(url.as_str()).context("--redis-url")?;
            let connection = client
                .get_connection_manager()
                .await
                .with_context(|| "cannot connect to redis")?;
            let outbox = RedisOutbox::open(
                connection.clone(),
                &config.redis_prefix,
                &config.instance_name(),
            )
            .await?;
            redis_connection = Some(connection.clone());
            redis_client = Some(client.clone());
            let limiter = RateLimiter::redis(
                config.user_rate,
                config.guild_rate,
                connection,
                &config.redis_prefix,
            );
            (Outbox::Redis(outbox), limiter)
        }
        None => {
            let outbox = SqliteOutbox::open(&config.outbox_path)
                .await
                .with_context(|| {
                    format!("cannot open the outbox {}", config.outbox_path.display())
                })?;
            (
                Outbox::Sqlite(outbox),
                RateLimiter::in_memory(config.user_rate, config.guild_rate),
            )
        }
    };
    let waiting = outbox.pending().await?;
    if waiting > 0 {
        tracing::info!(
            waiting,
            "the outbox holds reports from before: delivering them"
        );
    }

    let verifier = config
        .discord_public_key
        .as_deref()
        .map(InteractionVerifier::from_hex)
        .transpose()
        .context("--discord-public-key")?;
    if verifier.is_none() {
        tracing::warn!("no --discord-public-key: POST /discord/interactions answers 503");
    }
    let discord_http = Arc::new(discord::http(
        config.discord_token.as_deref(),
        config.discord_application_id,
        &config.discord_api_base,
    ));
    if fumblebot_key.is_none() {
        tracing::warn!("no FUMBLEBOT_API_KEY: the ai service refuses every call");
    }
    let providers = Providers::from_config(&config).context("the ai providers")?;
    match &providers.default_model {
        Some(model) => tracing::info!(%model, "ai service ready"),
        None => {
            tracing::warn!("no OPENAI_API_KEY or ANTHROPIC_API_KEY: POST /v1/ai/chat answers 503")
        }
    }
    let ai = AiService::new(AiSettings {
        api_key: fumblebot_key,
        providers,
        memory: match redis_connection.clone() {
            Some(connection) => AiMemory::redis(connection, &config.redis_prefix),
            None => AiMemory::local(),
        },
        campaign_rate: config.ai_campaign_rate,
        daily_tokens: config.ai_daily_tokens,
    })?;
    let seen = match &redis_connection {
        Some(connection) => SeenMessages::Redis {
            connection: connection.clone(),
            prefix: config.redis_prefix.clone(),
        },
        None => SeenMessages::Local(std::sync::Mutex::default()),
    };
    if webhook_secret.is_none() {
        tracing::warn!("no CRITFUMBLE_WEBHOOK_SECRET: POST /vtt/accounts/link answers 503");
    }
    let redis_client_for_activity = redis_client.clone();
    let hub = match (redis_client, &redis_connection) {
        (Some(client), Some(connection)) => {
            EventHub::redis(client, connection.clone(), &config.redis_prefix)
        }
        _ => EventHub::local(),
    };
    let presence = match &redis_connection {
        Some(connection) => Presence::Redis {
            connection: connection.clone(),
            prefix: config.redis_prefix.clone(),
        },
        None => Presence::local(),
    };
    let bridge = BridgeState::new(seen, hub, presence, config.bridge_origins.clone());
    let activity = activity_state(&config, redis_client_for_activity, &redis_connection).await?;
    let outbox_wake = Arc::new(Notify::new());
    let state = AppState::new(Parts {
        core: core.clone(),
        outbox: outbox.clone(),
        outbox_wake: outbox_wake.clone(),
        limiter,
        verifier,
        discord: discord_http.clone(),
        ai,
        bridge,
        activity,
        webhook_secret,
    });
    tokio::spawn(crate::outbox::drain::run(
        outbox,
        core,
        outbox_wake,
        state.webhook_secret().cloned(),
    ));

    match &config.discord_token {
        Some(token) => {
            match discord::commands::register(&discord_http, config.discord_guild).await {
                Ok(count) => {
                    tracing::info!(count, guild = ?config.discord_guild, "commands registered")
                }
                Err(error) => tracing::error!(%error, "cannot register the slash commands"),
            }
            let gateway_http = discord::http(
                Some(token),
                config.discord_application_id,
                &config.discord_api_base,
            );
            let gateway_state = state.clone();
            tokio::spawn(async move {
                if let Err(error) = discord::gateway::run(gateway_state, gateway_http).await {
                    tracing::error!(%error, "the discord gateway client stopped");
                }
            });
        }
        None => tracing::warn!(
            "no --discord-token (DISCORD_TOKEN): the gateway is off; the HTTP interactions \
             endpoint and Core still run"
        ),
    }

    let router = crate::app(state.clone());
    let shutdown = until_stopped();
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        {
            tracing::error!(%error, "the http server stopped");
        }
    });
    tracing::info!(
        %address,
        core = %core_url,
        startup_ms = started.elapsed().as_millis(),
        "fumblebot ready"
    );
    Ok(Running {
        address,
        core_url,
        state,
        stop,
        server,
    })
}

/// The Discord Activity: Discord's API with the client secret and bot token, the session
/// key, and the rooms (in Redis when FumbleBot shares it).
async fn activity_state(
    config: &Config,
    redis_client: Option<redis::Client>,
    redis_connection: &Option<redis::aio::ConnectionManager>,
) -> anyhow::Result<ActivityState> {
    let client_id = config
        .discord_client_id
        .or(config.discord_application_id)
        .map(|id| id.to_string());
    let discord = DiscordApi::new(
        config
            .activity_api_base
            .as_deref()
            .unwrap_or(&config.discord_api_base),
        client_id,
        config.discord_client_secret.clone(),
        config.discord_token.clone(),
    )
    .context("the activity's discord client")?;
    if !discord.can_exchange() {
        tracing::warn!(
            "no DISCORD_CLIENT_SECRET (or application id): POST /activity/api/token answers 503"
        );
    }
    let sessions = match &config.activity_secret {
        Some(secret) => SessionKey::from_secret(secret).with_context(|| {
            format!(
                "FUMBLEBOT_ACTIVITY_SECRET must be at least {} characters",
                crate::activity::session::MIN_KEY_BYTES
            )
        })?,
        None => {
            if config.redis_url.is_some() {
                tracing::warn!(
                    "no FUMBLEBOT_ACTIVITY_SECRET: sessions of this process's activity work \
                     only on this process"
                );
            }
            SessionKey::generate()
        }
    };
    let rooms = match (redis_client, redis_connection) {
        (Some(client), Some(connection)) => {
            Rooms::redis(client, connection.clone(), &config.redis_prefix)
                .await
                .context("the activity's rooms in redis")?
        }
        _ => Rooms::memory(),
    };
    if config.activity_dir.is_none() {
        tracing::warn!("no FUMBLEBOT_ACTIVITY_DIR: /activity/ serves only its API");
    }
    Ok(ActivityState::new(ActivitySettings {
        discord,
        sessions,
        rooms,
        app_dir: config.activity_dir.clone(),
        roll_rate: config.activity_roll_rate,
        instance_ttl: std::time::Duration::from_millis(config.activity_instance_ttl_ms),
    }))
}
