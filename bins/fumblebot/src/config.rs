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
