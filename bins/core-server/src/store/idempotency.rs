//! Idempotency keys: claim a key, replay a stored response, or refuse a mismatch.
//!
//! A claim is committed on its own before the work starts, so a second request with the
//! same key sees it and gets 409 while the first is in flight. The work and the stored
//! response then commit together in one transaction that also checks the claim token, so
//! a claim that was taken over (after its lease ran out, say because the process died)
//! can never produce a second row.

use super::{Store, StoreResult, now_millis, with_pool};

/// How long a stored response is replayed.
pub const REPLAY_WINDOW_MILLIS: i64 = 24 * 60 * 60 * 1000;

/// A response stored under an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The HTTP status of the first response.
    pub status: u16,
    /// The JSON body of the first response.
    pub body: String,
}

/// The outcome of [`Store::claim_idempotency_key`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The caller owns the key; it must finish the work with this token or release it.
    Acquired {
        /// Proves ownership when the response is stored.
        token: String,
    },
    /// A response was stored earlier: send it again.
    Replay(IdempotencyRecord),
    /// The key was used with a different request body.
    Mismatch,
    /// Another request with this key is still being processed.
    InFlight,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    request_hash: String,
    claim_token: String,
    status: Option<i64>,
    body: Option<String>,
    created_at: i64,
}

impl Store {
    /// Claims `key` within `scope` (the principal) for a request whose body hashes to
    /// `request_hash`. An unfinished claim older than `lease_millis` counts as abandoned.
    pub async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        lease_millis: i64,
    ) -> StoreResult<Claim> {
        // A claim races only with other claims of the same key; three rounds settle it.
        for _ in 0..3 {
            let token = uuid::Uuid::new_v4().to_string();
            let now = now_millis();
            let inserted = with_pool!(self, |pool| {
                sqlx::query(
                    "INSERT INTO idempotency_keys \
                     (scope, key, request_hash, claim_token, status, body, created_at) \
                     VALUES ($1, $2, $3, $4, NULL, NULL, $5) ON CONFLICT (scope, key) DO NOTHING",
                )
                .bind(scope)
                .bind(key)
                .bind(request_hash)
                .bind(&token)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if inserted == 1 {
                return Ok(Claim::Acquired { token });
            }
            let existing: Option<KeyRow> = with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT request_hash, claim_token, status, body, created_at \
                     FROM idempotency_keys WHERE scope = $1 AND key = $2",
                )
                .bind(scope)
                .bind(key)
                .fetch_optional(pool)
                .await?
            });
            let Some(row) = existing else { continue };
            let expired = row.created_at < now - REPLAY_WINDOW_MILLIS;
            let abandoned = row.status.is_none() && row.created_at < now - lease_millis;
            if !expired {
                if row.request_hash != request_hash {
                    return Ok(Claim::Mismatch);
                }
                if let (Some(status), Some(body)) = (row.status, row.body) {
                    let status = u16::try_from(status).unwrap_or(500);
                    return Ok(Claim::Replay(IdempotencyRecord { status, body }));
                }
                if !abandoned {
                    return Ok(Claim::InFlight);
                }
            }
            // Expired or abandoned: take the key over, unless someone else just did.
            let taken = with_pool!(self, |pool| {
                sqlx::query(
                    "UPDATE idempotency_keys SET request_hash = $1, claim_token = $2, \
                     status = NULL, body = NULL, created_at = $3 \
                     WHERE scope = $4 AND key = $5 AND claim_token = $6",
                )
                .bind(request_hash)
                .bind(&token)
                .bind(now)
                .bind(scope)
                .bind(key)
                .bind(&row.claim_token)
                .execute(pool)
                .await?
                .rows_affected()
            });
            if taken == 1 {
                return Ok(Claim::Acquired { token });
            }
        }
        Ok(Claim::InFlight)
    }

    /// Gives up a claim whose work failed, so the client can retry with the same key.
    pub async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        token: &str,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM idempotency_keys \
                 WHERE scope = $1 AND key = $2 AND claim_token = $3 AND status IS NULL",
            )
            .bind(scope)
            .bind(key)
            .bind(token)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Deletes stored responses older than the replay window and, on SQLite, claims left
    /// unfinished by a previous process (only one process can own a SQLite file).
    pub async fn purge_idempotency_keys(&self, startup: bool) -> StoreResult<u64> {
        let cutoff = now_millis() - REPLAY_WINDOW_MILLIS;
        let mut purged = with_pool!(self, |pool| {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(cutoff)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if startup && let super::Backend::Sqlite(pool) = &self.backend {
            purged += sqlx::query("DELETE FROM idempotency_keys WHERE status IS NULL")
                .execute(pool)
                .await?
                .rows_affected();
        }
        Ok(purged)
    }
}

/// Stores the response of a claimed key inside the transaction that did the work.
///
/// Returns `false` when the claim was lost (taken over): the caller must roll back.
macro_rules! finish_idempotency_key {
    ($tx:expr, $scope:expr, $key:expr, $token:expr, $status:expr, $body:expr) => {{
        let updated = sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 \
             WHERE scope = $3 AND key = $4 AND claim_token = $5 AND status IS NULL",
        )
        .bind(i64::from($status))
        .bind($body)
        .bind($scope)
        .bind($key)
        .bind($token)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        updated == 1
    }};
}
pub(crate) use finish_idempotency_key;
