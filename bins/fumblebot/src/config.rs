//! Command-line flags and their environment variables (clap).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// FumbleBot: the Crit-Fumble Discord bot. Without `--core-url` it runs Core in the same
/// process, on Core's SQLite default, so that one command runs the whole system.
#[derive(Clone, Parser)]
#[command(name = "fumblebot", version, about)]
pub struct Config {
    /// The address FumbleBot's HTTP server listens on (Discord's interactions endpoint,
    /// health checks).
    #[arg(long, env = "FUMBLEBOT_LISTEN", default_value = "127.0.0.1:8090")]
    pub listen: SocketAddr,

    /// Core's base URL. Without it, Core runs inside this process (see `--core-listen`).
    #[arg(long, env = "CORE_URL")]
    pub core_url: Option<String>,
    /// The service API key FumbleBot presents to Core (needed with `--core-url`).
    #[arg(long, env = "CORE_API_KEY", hide_env_values = true)]
    pub core_api_key: Option<String>,
    /// Where the embedded Core listens when there is no `--core-url`. Core's other settings
    /// come from its own environment variables (`DATABASE_URL`, default `./critfumble.db`).
    #[arg(long, env = "CORE_LISTEN", default_value = "127.0.0.1:8080")]
    pub core_listen: SocketAddr,

    /// The bot token. Without it the gateway is off and only the HTTP side runs.
    #[arg(long, env = "DISCORD_TOKEN", hide_env_values = true)]
    pub discord_token: Option<String>,
    /// The Discord application id (needed to register commands and answer interactions).
    #[arg(long, env = "DISCORD_APPLICATION_ID")]
    pub discord_application_id: Option<std::num::NonZeroU64>,
    /// The application's Ed25519 public key, in hex: `POST /discord/interactions` is refused
    /// (503) without it.
    #[arg(long, env = "DISCORD_PUBLIC_KEY")]
    pub discord_public_key: Option<String>,
    /// Register the commands in this guild only (instant while developing) instead of
    /// globally.
    #[arg(long, env = "DISCORD_GUILD")]
    pub discord_guild: Option<std::num::NonZeroU64>,
    /// Discord's API origin; tests point it at a local fake. Requests go to
    /// `{base}/api/v10/...`.
    #[arg(long, env = "DISCORD_API_BASE", default_value = "https://discord.com")]
    pub discord_api_base: String,

    /// Redis, for state shared by several FumbleBot processes: the outbox stream and the
    /// rate-limit counters. In memory (and a local SQLite outbox) when absent.
    #[arg(long, env = "REDIS_URL")]
    pub redis_url: Option<String>,
    /// The prefix of every Redis key FumbleBot writes, so that deployments (or tests) can
    /// share one Redis.
    #[arg(long, env = "FUMBLEBOT_REDIS_PREFIX", default_value = "fumblebot")]
    pub redis_prefix: String,
    /// The local outbox file (without `--redis-url`): rolls Core has not acknowledged yet.
    #[arg(
        long,
        env = "FUMBLEBOT_OUTBOX",
        default_value = "./fumblebot-outbox.db"
    )]
    pub outbox_path: PathBuf,
    /// This process's name among several sharing Redis (its outbox consumer name).
    /// Defaults to the host name and the listen port.
    #[arg(long, env = "FUMBLEBOT_INSTANCE")]
    pub instance: Option<String>,

    /// Commands one user may run per 10 seconds.
    #[arg(long, env = "FUMBLEBOT_USER_RATE", default_value_t = 20)]
    pub user_rate: u32,
    /// Commands one guild may run per 10 seconds.
    #[arg(long, env = "FUMBLEBOT_GUILD_RATE", default_value_t = 300)]
    pub guild_rate: u32,

    /// The key Core presents when it calls the AI service (`POST /v1/ai/chat`): a `cfk_`
    /// key that Core is given under the same variable (`fumblebot --generate-api-key`
    /// prints a new one). Compared in constant time and never logged. Without it the AI
    /// service refuses every call, except in one-process mode, where FumbleBot makes one
    /// and hands it to its embedded Core.
    #[arg(long, env = "FUMBLEBOT_API_KEY", hide_env_values = true)]
    pub fumblebot_api_key: Option<String>,
    /// Prints a new key for `FUMBLEBOT_API_KEY` and exits.
    #[arg(long)]
    pub generate_api_key: bool,
    /// OpenAI's key, from the environment only (`OPENAI_API_KEY`; set but empty for a local
    /// server that needs none). It never appears in a response, a log line or an error.
    #[arg(skip = env_secret("OPENAI_API_KEY"))]
    pub openai_api_key: Option<String>,
    /// Anthropic's key, from the environment only (`ANTHROPIC_API_KEY`).
    #[arg(skip = env_secret("ANTHROPIC_API_KEY"))]
    pub anthropic_api_key: Option<String>,
    /// The OpenAI API root: point it at any server that speaks Chat Completions (Ollama's
    /// `http://localhost:11434/v1`, llama.cpp, vLLM).
    #[arg(
        long,
        env = "OPENAI_BASE_URL",
        default_value = provider_defaults::OPENAI_BASE_URL
    )]
    pub openai_base_url: String,
    /// The Anthropic API root.
    #[arg(
        long,
        env = "ANTHROPIC_BASE_URL",
        default_value = provider_defaults::ANTHROPIC_BASE_URL
    )]
    pub anthropic_base_url: String,
    /// The model used when Core names none. Defaults to `claude-haiku-4-5` when Anthropic's
    /// key is set, otherwise `gpt-4o-mini`.
    #[arg(long, env = "FUMBLEBOT_AI_MODEL")]
    pub ai_model: Option<String>,
    /// The secret FumbleBot signs its webhooks to Core with (`whsec_…`, Core's
    /// `CRITFUMBLE_WEBHOOK_SECRET`). In one-process mode FumbleBot makes one and hands it to
    /// its embedded Core.
    #[arg(long, env = "CRITFUMBLE_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Origins the VTT bridge admits (CORS), comma-separated: the extension's
    /// (`chrome-extension://<id>`, `moz-extension://<id>`) and the web app's.
    #[arg(long, env = "FUMBLEBOT_BRIDGE_ORIGINS", value_delimiter = ',')]
    pub bridge_origins: Vec<String>,

    /// AI chats one campaign may ask for per minute (answers from the cache count too).
    #[arg(long, env = "FUMBLEBOT_AI_CAMPAIGN_RATE", default_value_t = 20)]
    pub ai_campaign_rate: u32,
    /// Tokens (input, output and cached) one campaign may spend per UTC day; 0 for no cap.
    #[arg(long, env = "FUMBLEBOT_AI_DAILY_TOKENS", default_value_t = 500_000)]
    pub ai_daily_tokens: u64,

    /// Discord's API origin for the Activity's calls (the OAuth2 code exchange,
    /// `/users/@me`, activity instances); defaults to `--discord-api-base`.
    #[arg(long, env = "DISCORD_ACTIVITY_API_BASE")]
    pub activity_api_base: Option<String>,
    /// The Discord Activity's OAuth2 client id; defaults to `--discord-application-id`.
    #[arg(long, env = "DISCORD_CLIENT_ID")]
    pub discord_client_id: Option<std::num::NonZeroU64>,
    /// The OAuth2 client secret the Activity exchanges codes with, from the environment
    /// only (`DISCORD_CLIENT_SECRET`). `POST /activity/api/token` answers 503 without it.
    #[arg(skip = env_secret("DISCORD_CLIENT_SECRET"))]
    pub discord_client_secret: Option<String>,
    /// The key the Activity's sessions are signed with, from the environment only
    /// (`FUMBLEBOT_ACTIVITY_SECRET`, at least 32 characters); processes that share Redis
    /// must share it. Without it each process makes its own.
    #[arg(skip = env_secret("FUMBLEBOT_ACTIVITY_SECRET"))]
    pub activity_secret: Option<String>,
    /// The folder of the Activity's built app (`bins/fumblebot/activity/dist`, made by
    /// `npm run build` there), served under `/activity/`.
    #[arg(long, env = "FUMBLEBOT_ACTIVITY_DIR")]
    pub activity_dir: Option<PathBuf>,
    /// Rolls one user may make at the Activity's table per second.
    #[arg(long, env = "FUMBLEBOT_ACTIVITY_ROLL_RATE", default_value_t = 3)]
    pub activity_roll_rate: u32,
    /// How long Discord's list of an activity instance's users is reused, in milliseconds:
    /// a user who leaves the instance loses its table within twice this long, and Discord
    /// is asked about each open instance about once per period.
    #[arg(
        long,
        env = "FUMBLEBOT_ACTIVITY_INSTANCE_TTL_MS",
        default_value_t = 30_000
    )]
    pub activity_instance_ttl_ms: u64,
}

/// The providers' public API roots, as their official SDKs default to.
pub mod provider_defaults {
    /// OpenAI's.
    pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
    /// Anthropic's.
    pub const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";
}

/// A secret read from the environment only, never from a flag (flags show in `ps`).
fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token and the API key stay out of logs.
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("core_url", &self.core_url)
            .field("core_listen", &self.core_listen)
            .field(
                "discord_token",
                &self.discord_token.as_ref().map(|_| "<set>"),
            )
            .field("discord_application_id", &self.discord_application_id)
            .field("discord_guild", &self.discord_guild)
            .field("discord_api_base", &self.discord_api_base)
            .field("redis_url", &self.redis_url.as_ref().map(|_| "<set>"))
            .field("outbox_path", &self.outbox_path)
            .field(
                "fumblebot_api_key",
                &self.fumblebot_api_key.as_ref().map(|_| "<set>"),
            )
            .field(
                "openai_api_key",
                &self.openai_api_key.as_ref().map(|_| "<set>"),
            )
            .field(
                "anthropic_api_key",
                &self.anthropic_api_key.as_ref().map(|_| "<set>"),
            )
            .field("openai_base_url", &self.openai_base_url)
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("ai_model", &self.ai_model)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "<set>"),
            )
            .field("bridge_origins", &self.bridge_origins)
            .field("activity_api_base", &self.activity_api_base)
            .field("discord_client_id", &self.discord_client_id)
            .field(
                "discord_client_secret",
                &self.discord_client_secret.as_ref().map(|_| "<set>"),
            )
            .field(
                "activity_secret",
                &self.activity_secret.as_ref().map(|_| "<set>"),
            )
            .field("activity_dir", &self.activity_dir)
            .finish_non_exhaustive()
    }
}

/// The window the rate limits count in.
pub const RATE_WINDOW: Duration = Duration::from_secs(10);

impl Config {
    /// The configuration with every default and no environment, for tests.
    pub fn for_tests() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            core_url: None,
            core_api_key: None,
            core_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            discord_token: None,
            discord_application_id: None,
            discord_public_key: None,
            discord_guild: None,
            discord_api_base: "https://discord.com".to_owned(),
            redis_url: None,
            redis_prefix: "fumblebot".to_owned(),
            outbox_path: PathBuf::from("./fumblebot-outbox.db"),
            instance: None,
            user_rate: 20,
            guild_rate: 300,
            fumblebot_api_key: None,
            generate_api_key: false,
            openai_api_key: None,
            anthropic_api_key: None,
            openai_base_url: provider_defaults::OPENAI_BASE_URL.to_owned(),
            anthropic_base_url: provider_defaults::ANTHROPIC_BASE_URL.to_owned(),
            ai_model: None,
            webhook_secret: None,
            bridge_origins: Vec::new(),
            ai_campaign_rate: 20,
            ai_daily_tokens: 500_000,
            activity_api_base: None,
            discord_client_id: None,
            discord_client_secret: None,
            activity_secret: None,
            activity_dir: None,
            activity_roll_rate: 3,
            activity_instance_ttl_ms: 30_000,
        }
    }

    /// The outbox consumer name of this process.
    pub fn instance_name(&self) -> String {
        self.instance.clone().unwrap_or_else(|| {
            let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "fumblebot".to_owned());
            format!("{host}:{}", self.listen.port())
        })
    }
}
