//! Idempotency keys: claim a key, replay a stored response, or refuse a mismatch.
//!
//! Work that lives in the database (a roll) claims the key, does the work and stores the
//! response in one transaction ([`Store::insert_rolls`], which also batches rolls into
//! one commit). Work with slow outside calls
//! commits a claim first with [`Store::claim_idempotency_key`], so that a second request
//! sees it and gets 409 while the first is in flight; a claim whose holder died is taken
//! over once its lease runs out, and the takeover checks the old claim token.

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

/// What an existing key row means for a new request with the same key.
pub(crate) enum Decision {
    /// Answer without doing the work.
    Settled(Claim),
    /// The row expired or its claim was abandoned: take it over if its token is unchanged.
    TakeOver(String),
}

#[derive(sqlx::FromRow)]
pub(crate) struct KeyRow {
    request_hash: String,
    claim_token: String,
    status: Option<i64>,
    body: Option<String>,
    created_at: i64,
}

impl KeyRow {
    /// Decides what a request hashing to `request_hash` at `now` gets from this row.
    pub(crate) fn decide(self, request_hash: &str, now: i64, lease_millis: i64) -> Decision {
        let expired = self.created_at < now - REPLAY_WINDOW_MILLIS;
        let abandoned = self.status.is_none() && self.created_at < now - lease_millis;
        if expired || (abandoned && self.request_hash == request_hash) {
            return Decision::TakeOver(self.claim_token);
        }
        if self.request_hash != request_hash {
            return Decision::Settled(Claim::Mismatch);
        }
        match (self.status, self.body) {
            (Some(status), Some(body)) => Decision::Settled(Claim::Replay(IdempotencyRecord {
                status: u16::try_from(status).unwrap_or(500),
                body,
            })),
            _ => Decision::Settled(Claim::InFlight),
        }
    }
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
            let old_token = match row.decide(request_hash, now, lease_millis) {
                Decision::Settled(claim) => return Ok(claim),
                Decision::TakeOver(old_token) => old_token,
            };
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
                .bind(&old_token)
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

    /// Stores the response of the request that holds the claim `token` on `key`, to be
    /// replayed to its retries. A claim taken over in the meantime is left alone.
    pub async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        token: &str,
        status: u16,
        body: &str,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE idempotency_keys SET status = $1, body = $2 \
                 WHERE scope = $3 AND key = $4 AND claim_token = $5",
            )
            .bind(i64::from(status))
            .bind(body)
            .bind(scope)
            .bind(key)
            .bind(token)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Gives up the claim `token` on `key` after a failure, so that a retry runs the
    /// request again instead of waiting for the lease to run out.
    pub async fn release_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        token: &str,
    ) -> StoreResult<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 \
                 AND claim_token = $3 AND status IS NULL",
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
