//! Core inside another process. FumbleBot's one-command mode (`fumblebot` without
//! `--core-url`) opens Core here, serves [`EmbeddedCore::router`] on a port of its own and
//! talks to it over HTTP with [`EmbeddedCore::service_key`], exactly as it would talk to a
//! separate Core.

use anyhow::Context;
use axum::Router;
use critfumble_sdk::wire::KeyScope;

use crate::config::{Cli, Secrets, ServeArgs};
use crate::state::AppState;
use crate::store::Store;

/// The name of the service key an embedding process creates for itself.
pub const EMBEDDED_KEY_NAME: &str = "embedded service key";

/// Core opened in this process: the store, its state, and a service key for the host.
pub struct EmbeddedCore {
    state: AppState,
    store: Store,
    service_key: String,
}

impl std::fmt::Debug for EmbeddedCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedCore")
            .field("store", &self.store.kind())
            .field("service_key", &"<redacted>")
            .finish()
    }
}

impl EmbeddedCore {
    /// Core's settings as `critfumble-core` with no flags takes them: from its environment
    /// variables (`DATABASE_URL`, `CRITFUMBLE_KEY_PEPPER`, …) and its defaults (a SQLite file
    /// `./critfumble.db`). The caller sets `listen` and anything else it wants to differ.
    pub fn default_args() -> anyhow::Result<ServeArgs> {
        let cli = <Cli as clap::Parser>::try_parse_from(["critfumble-core"])
            .context("Core's environment variables are not valid")?;
        Ok(cli.serve)
    }

    /// Opens Core as `critfumble-core serve` would (secrets, the database and its
    /// migrations, the start-up clean-up and the hourly one), and gets a service key for the
    /// host process.
    ///
    /// On SQLite the key is kept beside the database in `<database>.service-key` (mode 0600)
    /// and reused while it stays valid, so that restarts do not pile up keys; on PostgreSQL
    /// a new key is created on each start.
    pub async fn open(args: &ServeArgs) -> anyhow::Result<EmbeddedCore> {
        let secrets = Secrets::resolve(args)?;
        let store = Store::connect(&args.database_url)
            .await
            .with_context(|| format!("cannot open the database at {}", args.database_url))?;
        let purged = crate::housekeeping::purge_at_start(&store).await?;
        tracing::info!(backend = ?store.kind(), purged, "embedded core: database ready");
        crate::housekeeping::spawn_hourly_purge(store.clone());
        let service_key = service_key(&store, args, &secrets).await?;
        let state = AppState::new(store.clone(), args, &secrets).await?;
        crate::housekeeping::spawn_rate_limit_cleanup(&state);
        Ok(EmbeddedCore {
            state,
            store,
            service_key,
        })
    }

    /// Core's router, to serve on a listener of the host's choosing.
    pub fn router(&self) -> Router {
        crate::app(self.state.clone())
    }

    /// Serves Core on `listener` until `shutdown` resolves, with each connection's peer
    /// address available to the handlers, as `critfumble-core` serves.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        crate::serve(listener, self.state.clone(), shutdown).await
    }

    /// A service key (acts for any user) that this Core accepts.
    pub fn service_key(&self) -> &str {
        &self.service_key
    }

    /// The store, for the host to close on shutdown.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// The kept key when it is still a valid service key of this database, or a new one.
async fn service_key(store: &Store, args: &ServeArgs, secrets: &Secrets) -> anyhow::Result<String> {
    let path = args
        .is_sqlite()
        .then(|| crate::config::beside_database(&args.database_url, "service-key"));
    if let Some(path) = &path
        && let Ok(kept) = std::fs::read_to_string(path)
    {
        let kept = kept.trim().to_owned();
        if is_valid_service_key(store, args, secrets, &kept).await? {
            return Ok(kept);
        }
        tracing::warn!(path = %path.display(), "the kept service key is no longer valid: creating another");
        std::fs::remove_file(path).with_context(|| format!("cannot replace {}", path.display()))?;
    }
    let key =
        crate::auth::create_service_key(store, args.key_env, &secrets.pepper, EMBEDDED_KEY_NAME)
            .await?;
    if let Some(path) = &path {
        crate::config::write_private(path, &key)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(key)
}

async fn is_valid_service_key(
    store: &Store,
    args: &ServeArgs,
    secrets: &Secrets,
    presented: &str,
) -> anyhow::Result<bool> {
    let Ok(key) =
        critfumble_sdk::api_key::ApiKey::parse(presented).and_then(|key| key.for_env(args.key_env))
    else {
        return Ok(false);
    };
    let Some(stored) = store.api_key_by_prefix(key.lookup_prefix()).await? else {
        return Ok(false);
    };
    // The same check Core makes of every request's key.
    Ok(stored.info.scope == KeyScope::Service
        && stored
            .authenticate(&key, &secrets.pepper, chrono::Utc::now())
            .is_ok())
}
