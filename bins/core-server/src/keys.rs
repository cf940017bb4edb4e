//! `critfumble-core keys`: create, list, revoke and rotate service keys (FumbleBot's).
//! User tokens are their users' to manage, through `/v1/me/tokens`.

use std::fmt::Write as _;

use critfumble_sdk::api_key::{KeyEnv, KeyPepper};
use critfumble_sdk::wire::{ApiKeyInfo, KeyScope};
use uuid::Uuid;

use crate::store::Store;

/// The service keys as a table for a terminal: id, prefix, name, created, last used,
/// and when each ends (revoked, expires, or never).
pub async fn list(store: &Store) -> anyhow::Result<String> {
    let keys = store.service_keys().await?;
    let mut out = String::new();
    let _ = writeln!(out, "id\tprefix\tname\tcreated\tlast used\tends");
    for key in keys {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            key.id,
            key.prefix,
            key.name,
            key.created_at.to_rfc3339(),
            key.last_used_at
                .map_or_else(|| "never".to_owned(), |at| at.to_rfc3339()),
            ends(&key),
        );
    }
    Ok(out)
}

fn ends(key: &ApiKeyInfo) -> String {
    match (key.revoked_at, key.expires_at) {
        (Some(at), _) => format!("revoked {}", at.to_rfc3339()),
        (None, Some(at)) => format!("expires {}", at.to_rfc3339()),
        (None, None) => "never".to_owned(),
    }
}

/// Revokes the service key `id` at once; its next request is refused (within the key
/// cache's 2 s in other processes).
pub async fn revoke(store: &Store, id: Uuid) -> anyhow::Result<ApiKeyInfo> {
    store
        .revoke_service_key(id)
        .await
        .map_err(|error| match error {
            crate::store::StoreError::NotFound => anyhow::anyhow!("no service key has id {id}"),
            other => other.into(),
        })
}

/// Issues a new service key named like `id`'s and lets `id` work for `overlap` more,
/// so that FumbleBot can move to the new key without downtime. Returns the new key (the
/// only time it is shown) and the old key's record.
pub async fn rotate(
    store: &Store,
    env: KeyEnv,
    pepper: &KeyPepper,
    id: Uuid,
    overlap: chrono::TimeDelta,
) -> anyhow::Result<(String, ApiKeyInfo)> {
    let old = store
        .service_keys()
        .await?
        .into_iter()
        .find(|key| key.id == id && key.scope == KeyScope::Service)
        .ok_or_else(|| anyhow::anyhow!("no service key has id {id}"))?;
    if old.revoked_at.is_some() {
        anyhow::bail!("service key {id} is revoked: create a new key instead");
    }
    let new = crate::auth::create_service_key(store, env, pepper, &old.name).await?;
    let ends_at = chrono::Utc::now() + overlap;
    let old = store
        .end_service_key(id, crate::store::to_millis(ends_at))
        .await?;
    Ok((new, old))
}
