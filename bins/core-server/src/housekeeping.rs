//! Periodic clean-up of expired rows, shared by the `critfumble-core` binary and by a process
//! that embeds Core (FumbleBot's one-command mode).

use std::time::Duration;

use crate::store::Store;

/// The start-up clean-up: deletes idempotency responses older than the replay window and,
/// on SQLite, claims that a previous process left unfinished. Returns how many were deleted.
pub async fn purge_at_start(store: &Store) -> anyhow::Result<u64> {
    Ok(store.purge_idempotency_keys(true).await?)
}

/// Every hour: drops idempotency responses older than the 24 h replay window, expired
/// browser sessions and abandoned OAuth2 login states. The task runs until the runtime stops.
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
            let state_max_age = crate::api::login::STATE_MAX_AGE_SECS * 1000;
            match store.purge_expired_logins(state_max_age).await {
                Ok(purged) => tracing::debug!(purged, "expired sessions and login states deleted"),
                Err(error) => tracing::warn!(%error, "cannot delete expired sessions"),
            }
        }
    })
}
