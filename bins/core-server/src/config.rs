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

/// A subcommand of `critfumble-core keys`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key and print it once (only its hash is stored).
    Create {
        /// `service` (FumbleBot: acts for any user) is the only scope this command issues;
        /// user tokens come from `POST /v1/me/tokens`.
        #[arg(long, default_value = "service")]
        scope: String,
        /// A label that helps you recognise the key later.
        #[arg(long, default_value = "service key")]
        name: String,
    },
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
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
    /// The `whsec_...` secret FumbleBot signs its webhooks with.
    #[arg(
        long,
        env = "CRITFUMBLE_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub webhook_secret: Option<String>,
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

/// The webhook secret and the key pepper, from flags or, for a local SQLite run, a file.
#[derive(Clone, Debug)]
pub struct Secrets {
    /// The webhook secret FumbleBot signs with.
    pub webhook_secret: WebhookSecret,
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
        if let (Some(webhook_secret), Some(pepper)) = (&args.webhook_secret, &args.pepper) {
            return Self::checked(webhook_secret.clone(), pepper.clone());
        }
        if !args.is_sqlite() {
            anyhow::bail!(
                "missing secret: set --webhook-secret (CRITFUMBLE_WEBHOOK_SECRET, a whsec_ secret \
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
        Self::checked(
            args.webhook_secret.clone().unwrap_or(stored.webhook_secret),
            args.pepper.clone().unwrap_or(stored.pepper),
        )
    }

    fn checked(webhook_secret: String, pepper: String) -> anyhow::Result<Secrets> {
        let webhook_secret = WebhookSecret::from_whsec(&webhook_secret)
            .map_err(|e| anyhow::anyhow!("--webhook-secret (CRITFUMBLE_WEBHOOK_SECRET): {e}"))?;
        let pepper = KeyPepper::new(pepper.into_bytes())
            .map_err(|e| anyhow::anyhow!("--pepper (CRITFUMBLE_KEY_PEPPER): {e}"))?;
        Ok(Secrets {
            webhook_secret,
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
