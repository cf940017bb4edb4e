//! API keys (service keys and user tokens) and browser sessions.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use critfumble_sdk::api_key::{KeyHash, StoredApiKey};
use critfumble_sdk::wire::{ApiKeyInfo, KeyScope, TokenScope};
use uuid::Uuid;

use super::{
    Store, StoreError, StoreResult, now_millis, to_enum, to_id, to_millis, to_optional_id,
    to_optional_timestamp, to_timestamp, with_pool,
};

/// How long a key read from the database is trusted without reading it again. A revocation
/// made by this process clears the cache, so it takes effect at once for keys cached before
/// it; a request that read the key just before the revocation committed may still cache it.
/// So allow up to this long for any revocation, and for one made by another process sharing
/// the database.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(2);
/// The most keys the cache holds; past that it starts over (only stored keys get in).
const KEY_CACHE_CAPACITY: usize = 4096;

/// Stored keys by lookup prefix, with the time each was read.
#[derive(Debug, Default)]
pub(crate) struct KeyCache {
    entries: Mutex<HashMap<String, (StoredApiKey, Instant)>>,
}

impl KeyCache {
    fn get(&self, prefix: &str) -> Option<StoredApiKey> {
        let entries = self.entries.lock().ok()?;
        let (key, read_at) = entries.get(prefix)?;
        (read_at.elapsed() < KEY_CACHE_TTL).then(|| key.clone())
    }

    fn put(&self, prefix: &str, key: StoredApiKey) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= KEY_CACHE_CAPACITY && !entries.contains_key(prefix) {
                entries.clear();
            }
            entries.insert(prefix.to_owned(), (key, Instant::now()));
        }
    }

    fn touched(&self, id: Uuid, at: i64) {
        let Ok(at) = to_timestamp(at) else { return };
        if let Ok(mut entries) = self.entries.lock() {
            for (key, _) in entries.values_mut().filter(|(key, _)| key.info.id == id) {
                key.info.last_used_at = Some(at);
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

const KEY_COLUMNS: &str =
    "id, prefix, scope, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at";

#[derive(sqlx::FromRow)]
struct KeyInfoRow {
    id: String,
    prefix: String,
    scope: String,
    user_id: Option<String>,
    name: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl KeyInfoRow {
    fn into_wire(self) -> StoreResult<ApiKeyInfo> {
        Ok(ApiKeyInfo {
            id: to_id(&self.id)?,
            prefix: self.prefix,
            scope: to_enum(&self.scope)?,
            user_id: to_optional_id(self.user_id.as_deref())?,
            name: self.name,
            scopes: self
                .scopes
                .split_whitespace()
                .map(to_enum)
                .collect::<StoreResult<_>>()?,
            created_at: to_timestamp(self.created_at)?,
            expires_at: to_optional_timestamp(self.expires_at)?,
            revoked_at: to_optional_timestamp(self.revoked_at)?,
            last_used_at: to_optional_timestamp(self.last_used_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct StoredKeyRow {
    #[sqlx(flatten)]
    info: KeyInfoRow,
    hash: String,
}

/// The scope names of a key, as its column stores them.
fn scopes_text(scopes: &[TokenScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Stores a new key (its lookup prefix and hash, never the key) and returns its
    /// public description.
    pub async fn insert_api_key(&self, key: &StoredApiKey) -> StoreResult<ApiKeyInfo> {
        let sql = format!(
            "INSERT INTO api_keys (id, prefix, hash, scope, user_id, name, scopes, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {KEY_COLUMNS}"
        );
        let info = &key.info;
        let row: KeyInfoRow = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(info.id.to_string())
                .bind(&info.prefix)
                .bind(key.hash.to_hex())
                .bind(info.scope.as_str())
                .bind(info.user_id.map(|id| id.to_string()))
                .bind(&info.name)
                .bind(scopes_text(&info.scopes))
                .bind(to_millis(info.created_at))
                .bind(info.expires_at.map(to_millis))
                .fetch_one(pool)
                .await?
        });
        row.into_wire()
    }

    /// The key with this lookup prefix.
    pub async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<StoredApiKey>> {
        let sql = format!("SELECT {KEY_COLUMNS}, hash FROM api_keys WHERE prefix = $1");
        let row: Option<StoredKeyRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(prefix)
                .fetch_optional(pool)
                .await?
        });
        row.map(|row| {
            Ok(StoredApiKey {
                hash: KeyHash::from_hex(&row.hash)
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?,
                info: row.info.into_wire()?,
            })
        })
        .transpose()
    }

    /// [`Store::api_key_by_prefix`], answered from memory when the key was read less than
    /// [`KEY_CACHE_TTL`] ago: authentication then costs no query. The caller still checks
    /// the presented key against the hash, the expiry and the revocation every time.
    pub async fn api_key_by_prefix_cached(
        &self,
        prefix: &str,
    ) -> StoreResult<Option<StoredApiKey>> {
        if let Some(key) = self.key_cache.get(prefix) {
            return Ok(Some(key));
        }
        let key = self.api_key_by_prefix(prefix).await?;
        if let Some(key) = &key {
            self.key_cache.put(prefix, key.clone());
        }
        Ok(key)
    }

    /// Records that a key was used, at most once a minute per key (to spare the writer).
    pub async fn touch_api_key(&self, id: Uuid) -> StoreResult<()> {
        let now = now_millis();
        self.key_cache.touched(id, now);
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $1 WHERE id = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(now)
            .bind(id.to_string())
            .bind(now - 60_000)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// One page of the user tokens of `user`, newest first: up to `limit + 1` of them
    /// before the id `before` (the extra one only tells that there is a next page).
    pub async fn user_tokens(
        &self,
        user: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<ApiKeyInfo>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 AND scope = 'user' \
             AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let rows: Vec<KeyInfoRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(user.to_string())
                .bind(before.map(|id| id.to_string()).unwrap_or_default())
                .bind(i64::from(limit) + 1)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(KeyInfoRow::into_wire).collect()
    }

    /// Revokes a user token of `user`; another user's token is `NotFound`.
    pub async fn revoke_user_token(&self, user: Uuid, id: Uuid) -> StoreResult<()> {
        let updated = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) \
                 WHERE id = $2 AND user_id = $3 AND scope = 'user'",
            )
            .bind(now_millis())
            .bind(id.to_string())
            .bind(user.to_string())
            .execute(pool)
            .await?
            .rows_affected()
        });
        // The revoked key must fail its next request, not the one after the cache expires.
        self.key_cache.clear();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Every service key, newest first (never the keys themselves).
    pub async fn service_keys(&self) -> StoreResult<Vec<ApiKeyInfo>> {
        let sql =
            format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE scope = 'service' ORDER BY id DESC");
        let rows: Vec<KeyInfoRow> =
            with_pool!(self, |pool| sqlx::query_as(&sql).fetch_all(pool).await?);
        rows.into_iter().map(KeyInfoRow::into_wire).collect()
    }

    /// Revokes a service key at once; another scope's key, or no key, is `NotFound`.
    pub async fn revoke_service_key(&self, id: Uuid) -> StoreResult<ApiKeyInfo> {
        let sql = format!(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) \
             WHERE id = $2 AND scope = $3 RETURNING {KEY_COLUMNS}"
        );
        let row: Option<KeyInfoRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(now_millis())
                .bind(id.to_string())
                .bind(KeyScope::Service.as_str())
                .fetch_optional(pool)
                .await?
        });
        // The revoked key must fail its next request, not the one after the cache expires.
        self.key_cache.clear();
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Ends a service key at `at` (Unix milliseconds): at once to revoke it, later to let
    /// its holder switch to a rotated key. A key that already ends sooner keeps its end.
    /// Another scope's key, or no key, is `NotFound`.
    pub async fn end_service_key(&self, id: Uuid, at: i64) -> StoreResult<ApiKeyInfo> {
        let sql = format!(
            "UPDATE api_keys SET expires_at = CASE WHEN expires_at IS NULL OR expires_at > $1 \
             THEN $1 ELSE expires_at END WHERE id = $2 AND scope = $3 RETURNING {KEY_COLUMNS}"
        );
        let row: Option<KeyInfoRow> = with_pool!(self, |pool| {
            sqlx::query_as(&sql)
                .bind(at)
                .bind(id.to_string())
                .bind(KeyScope::Service.as_str())
                .fetch_optional(pool)
                .await?
        });
        self.key_cache.clear();
        row.ok_or(StoreError::NotFound)?.into_wire()
    }

    /// Stores a browser session under the hash of its cookie token.
    pub async fn insert_web_session(
        &self,
        token_hash: &str,
        user: Uuid,
        expires_at: i64,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user.to_string())
            .bind(now_millis())
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The user of an unexpired browser session.
    pub async fn web_session_user(&self, token_hash: &str) -> StoreResult<Option<Uuid>> {
        let user: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT user_id FROM web_sessions WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now_millis())
            .fetch_optional(pool)
            .await?
        });
        to_optional_id(user.as_deref())
    }

    /// Deletes a browser session (logout).
    pub async fn delete_web_session(&self, token_hash: &str) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes expired browser sessions, and returns how many went.
    pub async fn purge_expired_sessions(&self) -> StoreResult<u64> {
        Ok(with_pool!(self, |pool| {
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(now_millis())
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
