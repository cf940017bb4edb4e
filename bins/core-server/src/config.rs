//! Command-line flags and environment variables, and the secrets Core needs to run.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use critfumble_sdk::api_key::KeyPepper;
use critfumble_sdk::webhook::WebhookSecret;

/// Crit-Fumble Core: the source of truth for users, campaigns, rolls and AI logs.
#[derive(Debug, Parser)]
#[command(name = "critfumble-core", version, about)]
pub struct Cli {
    /// What to do; with no subcommand, Core serves HTTP.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The server's settings.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// A subcommand of `critfumble-core`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Manage API keys.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// A subcommand of `critfumble-core keys`: service keys, the ones FumbleBot holds. User
/// tokens are managed by their users (`/v1/me/tokens`).
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a service key and print it once (only its hash is stored).
    Create {
        /// `service` (FumbleBot: acts for any user) is the only scope this command issues;
        /// user tokens come from `POST /v1/me/tokens`.
        #[arg(long, default_value = "service")]
        scope: String,
        /// A label that helps you recognise the key later.
        #[arg(long, default_value = "service key")]
        name: String,
    },
    /// List the service keys: id, prefix, name, and when each was made, used and ends.
    List,
    /// Revoke a service key at once.
    Revoke {
        /// The key's id (from `keys list`).
        id: uuid::Uuid,
    },
    /// Create a new service key with the same name and end the old one after an overlap,
    /// so that FumbleBot can switch keys without downtime. Prints the new key once.
    Rotate {
        /// The id of the key to replace (from `keys list`).
        id: uuid::Uuid,
        /// How long the old key keeps working, in hours.
        #[arg(long, default_value_t = 24)]
        overlap_hours: u32,
    },
}

/// Settings shared by every subcommand.
#[derive(Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(
        long,
        env = "CRITFUMBLE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// `postgres://user@host/db` for PostgreSQL, or a SQLite file path (created if missing).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "./critfumble.db",
        global = true
    )]
    pub database_url: String,
    /// The Discord application's OAuth2 client id; without it, Discord login answers 503.
    #[arg(long, env = "DISCORD_CLIENT_ID", global = true)]
    pub discord_client_id: Option<String>,
    /// The Discord application's OAuth2 client secret.
    #[arg(
        long,
        env = "DISCORD_CLIENT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub discord_client_secret: Option<String>,
    /// Discord's API base URL (tests point it at a local fake).
    #[arg(
        long,
        env = "DISCORD_API_BASE",
        default_value = "https://discord.com/api",
        global = true
    )]
    pub discord_api_base: String,
    /// The URL users reach Core at; the OAuth2 redirect URI is `{public_url}/auth/discord/callback`.
    /// Defaults to `http://{listen}`. An `https` URL makes the session cookie `Secure`.
    #[arg(long, env = "CRITFUMBLE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// The `whsec_...` secrets FumbleBot may sign its webhooks with, comma-separated: give
    /// the new secret beside the old one while FumbleBot switches, then drop the old.
    #[arg(
        long,
        env = "CRITFUMBLE_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub webhook_secret: Vec<String>,
    /// The server-side pepper API-key hashes are keyed with (at least 32 characters).
    #[arg(
        long,
        env = "CRITFUMBLE_KEY_PEPPER",
        global = true,
        hide_env_values = true
    )]
    pub pepper: Option<String>,
    /// FumbleBot's base URL, for AI chat.
    #[arg(
        long,
        env = "FUMBLEBOT_URL",
        default_value = "http://127.0.0.1:8081",
        global = true
    )]
    pub fumblebot_url: String,
    /// The service API key Core presents to FumbleBot.
    #[arg(long, env = "FUMBLEBOT_API_KEY", global = true, hide_env_values = true)]
    pub fumblebot_api_key: Option<String>,
    /// The key environment (`live`, `test` or `dev`) written into issued keys; keys of
    /// another environment are refused.
    #[arg(long, env = "CRITFUMBLE_KEY_ENV", default_value = "dev", global = true)]
    pub key_env: critfumble_sdk::api_key::KeyEnv,
    /// Seconds after which an unfinished idempotency claim counts as abandoned.
    #[arg(
        long,
        env = "CRITFUMBLE_IDEMPOTENCY_LEASE_SECS",
        default_value_t = 30,
        global = true
    )]
    pub idempotency_lease_secs: u64,
    /// Requests a user may make per minute on average, counted per user whether they come
    /// with a token, a session or through FumbleBot (0: no limit).
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_USER_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_user_per_minute: u32,
    /// How many requests a user may make at once.
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_USER_BURST",
        default_value_t = 120,
        global = true
    )]
    pub rate_limit_user_burst: u32,
    /// Requests a service key acting for nobody may make per minute (0: no limit, the
    /// default: FumbleBot carries every user's traffic, and its users are counted each).
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_SERVICE_PER_MINUTE",
        default_value_t = 0,
        global = true
    )]
    pub rate_limit_service_per_minute: u32,
    /// How many requests a service key may make at once.
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_SERVICE_BURST",
        default_value_t = 1000,
        global = true
    )]
    pub rate_limit_service_burst: u32,
    /// Requests one address may make per minute without (valid) credentials: logins,
    /// webhooks, guessed keys (0: no limit).
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_IP_PER_MINUTE",
        default_value_t = 300,
        global = true
    )]
    pub rate_limit_ip_per_minute: u32,
    /// How many such requests one address may make at once.
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_IP_BURST",
        default_value_t = 60,
        global = true
    )]
    pub rate_limit_ip_burst: u32,
    /// Requests one address may make per minute with users' own credentials (tokens,
    /// sessions), whichever users they are: one host that holds many tokens is
    /// throttled as a whole (0: no limit). Generous, for a group behind one router.
    /// A service key is not counted per address: FumbleBot carries every user's traffic
    /// from one address, and counts its users each.
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_USER_IP_PER_MINUTE",
        default_value_t = 3000,
        global = true
    )]
    pub rate_limit_user_ip_per_minute: u32,
    /// How many such requests one address may make at once.
    #[arg(
        long,
        env = "CRITFUMBLE_RATE_LIMIT_USER_IP_BURST",
        default_value_t = 600,
        global = true
    )]
    pub rate_limit_user_ip_burst: u32,
    /// The header a trusted reverse proxy writes the client's address into
    /// (`x-forwarded-for`: its last entry is read). Without it, the connection's peer is
    /// the client.
    #[arg(long, env = "CRITFUMBLE_CLIENT_IP_HEADER", global = true)]
    pub client_ip_header: Option<String>,
    /// `redis://host:port`: keep the rate-limit counters in Redis, shared by every Core
    /// process. Without it each process counts on its own.
    #[arg(
        long,
        env = "CRITFUMBLE_REDIS_URL",
        global = true,
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// AI tokens (input and output) one campaign may spend per UTC day; past it, AI chat
    /// answers 429 until midnight UTC (0: no limit).
    #[arg(
        long,
        env = "CRITFUMBLE_AI_DAILY_TOKENS_PER_CAMPAIGN",
        default_value_t = 200_000,
        global = true
    )]
    pub ai_daily_tokens_per_campaign: u64,
}

impl std::fmt::Debug for ServeArgs {
    /// The settings without their secrets: they get into logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |set: bool| if set { "<redacted>" } else { "<unset>" };
        f.debug_struct("ServeArgs")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("discord_client_id", &self.discord_client_id)
            .field(
                "discord_client_secret",
                &redacted(self.discord_client_secret.is_some()),
            )
            .field("discord_api_base", &self.discord_api_base)
            .field("public_url", &self.public_url)
            .field("webhook_secret", &redacted(!self.webhook_secret.is_empty()))
            .field("pepper", &redacted(self.pepper.is_some()))
            .field("fumblebot_url", &self.fumblebot_url)
            .field(
                "fumblebot_api_key",
                &redacted(self.fumblebot_api_key.is_some()),
            )
            .field("key_env", &self.key_env)
            .field("idempotency_lease_secs", &self.idempotency_lease_secs)
            .field(
                "rate_limit_user_per_minute",
                &self.rate_limit_user_per_minute,
            )
            .field("rate_limit_user_burst", &self.rate_limit_user_burst)
            .field(
                "rate_limit_service_per_minute",
                &self.rate_limit_service_per_minute,
            )
            .field("rate_limit_service_burst", &self.rate_limit_service_burst)
            .field("rate_limit_ip_per_minute", &self.rate_limit_ip_per_minute)
            .field("rate_limit_ip_burst", &self.rate_limit_ip_burst)
            .field(
                "rate_limit_user_ip_per_minute",
                &self.rate_limit_user_ip_per_minute,
            )
            .field("rate_limit_user_ip_burst", &self.rate_limit_user_ip_burst)
            .field("client_ip_header", &self.client_ip_header)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field(
                "ai_daily_tokens_per_campaign",
                &self.ai_daily_tokens_per_campaign,
            )
            .finish()
    }
}

/// A URL without the password it may hold (`postgres://user:secret@host/db`).
fn redact_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("redacted"));
            url.to_string()
        }
        _ => text.to_owned(),
    }
}

impl ServeArgs {
    /// The public URL, defaulting to `http://{listen}`, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Whether the store is a SQLite file (the default).
    pub fn is_sqlite(&self) -> bool {
        !(self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
    }
}

/// The webhook secrets and the key pepper, from flags or, for a local SQLite run, a file.
/// Their `Debug` output shows no secret.
#[derive(Clone, Debug)]
pub struct Secrets {
    /// The webhook secrets FumbleBot may sign with (one, or two while rotating).
    pub webhook_secrets: Vec<WebhookSecret>,
    /// The API-key pepper.
    pub pepper: KeyPepper,
}

/// The on-disk form of generated development secrets.
#[derive(serde::Serialize, serde::Deserialize)]
struct DevSecrets {
    webhook_secret: String,
    pepper: String,
}

impl Secrets {
    /// Reads the secrets from the flags. When either is missing and the store is a SQLite
    /// file, loads or creates `<database>.secrets.json` beside it (with a warning), so that
    /// `cargo run -p critfumble-core` works on a fresh machine; on PostgreSQL a missing
    /// secret is an error, because a production deployment must set both.
    pub fn resolve(args: &ServeArgs) -> anyhow::Result<Secrets> {
        if let (false, Some(pepper)) = (args.webhook_secret.is_empty(), &args.pepper) {
            return Self::checked(&args.webhook_secret, pepper.clone());
        }
        if !args.is_sqlite() {
            anyhow::bail!(
                "missing secret: set --webhook-secret (CRITFUMBLE_WEBHOOK_SECRET, whsec_ secrets \
                 shared with FumbleBot) and --pepper (CRITFUMBLE_KEY_PEPPER, 32+ random \
                 characters); development secrets are only generated for a SQLite file"
            );
        }
        let path = dev_secrets_path(&args.database_url);
        let stored = Self::load_or_create_dev(&path)?;
        tracing::warn!(
            path = %path.display(),
            "no --webhook-secret/--pepper given: using development secrets stored beside the \
             database; set CRITFUMBLE_WEBHOOK_SECRET and CRITFUMBLE_KEY_PEPPER in production"
        );
        let webhook_secrets = if args.webhook_secret.is_empty() {
            vec![stored.webhook_secret]
        } else {
            args.webhook_secret.clone()
        };
        Self::checked(
            &webhook_secrets,
            args.pepper.clone().unwrap_or(stored.pepper),
        )
    }

    fn checked(webhook_secrets: &[String], pepper: String) -> anyhow::Result<Secrets> {
        let webhook_secrets = webhook_secrets
            .iter()
            .map(|secret| WebhookSecret::from_whsec(secret.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("--webhook-secret (CRITFUMBLE_WEBHOOK_SECRET): {e}"))?;
        let pepper = KeyPepper::new(pepper.into_bytes())
            .map_err(|e| anyhow::anyhow!("--pepper (CRITFUMBLE_KEY_PEPPER): {e}"))?;
        Ok(Secrets {
            webhook_secrets,
            pepper,
        })
    }

    fn load_or_create_dev(path: &Path) -> anyhow::Result<DevSecrets> {
        if let Ok(text) = std::fs::read_to_string(path) {
            return serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{} is not valid: {e}", path.display()));
        }
        let secrets = DevSecrets {
            webhook_secret: format!("whsec_{}", crate::token::random_base64_standard(24)?),
            pepper: crate::token::random_base64(32)?,
        };
        let text = serde_json::to_string_pretty(&secrets)?;
        write_private(path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        Ok(secrets)
    }
}

/// `./critfumble.db` gives `./critfumble.db.secrets.json`.
fn dev_secrets_path(database_url: &str) -> PathBuf {
    beside_database(database_url, "secrets.json")
}

/// A file beside a SQLite database: `./critfumble.db` and `service-key` give
/// `./critfumble.db.service-key`.
pub(crate) fn beside_database(database_url: &str, suffix: &str) -> PathBuf {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or(database_url);
    PathBuf::from(format!("{path}.{suffix}"))
}

/// Creates a file only its owner can read (mode 0600 on Unix); fails if it exists.
#[cfg(unix)]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Creates a file (without Unix permissions to restrict).
#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[test]
    fn debug_output_shows_no_secret() {
        let cli = Cli::parse_from([
            "critfumble-core",
            "--database-url",
            "postgres://core:db-password-1@127.0.0.1/core",
            "--discord-client-id",
            "client-1",
            "--discord-client-secret",
            "discord-secret-1",
            "--webhook-secret",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD,whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "--pepper",
            "pepper-pepper-pepper-pepper-pepper-1",
            "--fumblebot-api-key",
            "cfk_dev_fumblebotkey",
            "--redis-url",
            "redis://:redis-password-1@127.0.0.1:6379",
        ]);
        assert_eq!(cli.serve.webhook_secret.len(), 2);
        let secrets = Secrets::checked(
            &cli.serve.webhook_secret,
            cli.serve.pepper.clone().unwrap_or_default(),
        )
        .unwrap();
        let discord = crate::state::DiscordConfig {
            client_id: "client-1".to_owned(),
            client_secret: "discord-secret-1".to_owned(),
            api_base: "https://discord.com/api".to_owned(),
        };
        let printed = format!("{cli:?} {secrets:?} {discord:?}");
        for secret in [
            "db-password-1",
            "discord-secret-1",
            "C2FVsBQIhrscChlQIMV",
            "MfKQ9r8GKYqrTwjUPD8",
            "pepper-pepper",
            "fumblebotkey",
            "redis-password-1",
        ] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(printed.contains("client-1") && printed.contains("127.0.0.1"));
    }
}
