//! Periodic clean-up of expired rows, shared by the `critfumble-core` binary and by a process
//! that embeds Core (FumbleBot's one-command mode).

use std::time::Duration;

use crate::state::AppState;
use crate::store::Store;

/// The start-up clean-up: deletes idempotency responses older than the replay window and,
/// on SQLite, claims that a previous process left unfinished. Returns how many were deleted.
pub async fn purge_at_start(store: &Store) -> anyhow::Result<u64> {
    Ok(store.purge_idempotency_keys(true).await?)
}

/// Every hour: drops idempotency responses older than the 24 h replay window and expired
/// browser sessions. The task runs until the runtime stops.
pub fn spawn_hourly_purge(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        hourly.tick().await;
        loop {
            hourly.tick().await;
            match store.purge_idempotency_keys(false).await {
                Ok(purged) => tracing::debug!(purged, "expired idempotency keys deleted"),
                Err(error) => tracing::warn!(%error, "cannot delete expired idempotency keys"),
            }
            match store.purge_expired_sessions().await {
                Ok(purged) => tracing::debug!(purged, "expired sessions deleted"),
                Err(error) => tracing::warn!(%error, "cannot delete expired sessions"),
            }
        }
    })
}

/// Every minute: drops the rate-limit counters of principals that went quiet, so that the
/// in-process limits do not grow with every address ever seen.
pub fn spawn_rate_limit_cleanup(state: &AppState) -> tokio::task::JoinHandle<()> {
    let limiter = state.rate_limiter().clone();
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            every_minute.tick().await;
            limiter.forget_idle();
        }
    })
}
