//! Unit tests of the store's idempotency protocol on a SQLite file (the integration tests
//! cover every query on both backends through the API).

use super::{Claim, Store};

async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&dir.path().join("unit.db").display().to_string())
        .await
        .unwrap();
    (store, dir)
}

#[tokio::test]
async fn a_claim_blocks_its_key_until_its_lease_runs_out() {
    let (store, _dir) = store().await;
    let first = store
        .claim_idempotency_key("service", "k", "hash-a", 60_000)
        .await
        .unwrap();
    assert!(matches!(first, Claim::Acquired { .. }));
    let second = store
        .claim_idempotency_key("service", "k", "hash-a", 60_000)
        .await
        .unwrap();
    assert_eq!(second, Claim::InFlight);
    let other_body = store
        .claim_idempotency_key("service", "k", "hash-b", 60_000)
        .await
        .unwrap();
    assert_eq!(other_body, Claim::Mismatch);
    // Another scope has its own keys.
    let other_scope = store
        .claim_idempotency_key("user:1", "k", "hash-b", 60_000)
        .await
        .unwrap();
    assert!(matches!(other_scope, Claim::Acquired { .. }));
    // With a lease of zero the claim counts as abandoned and is taken over.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let taken = store
        .claim_idempotency_key("service", "k", "hash-a", 0)
        .await
        .unwrap();
    match (first, taken) {
        (Claim::Acquired { token: old }, Claim::Acquired { token: new }) => assert_ne!(old, new),
        other => panic!("expected a takeover, got {other:?}"),
    }
}

#[tokio::test]
async fn startup_purge_releases_unfinished_claims_on_sqlite() {
    let (store, _dir) = store().await;
    store
        .claim_idempotency_key("service", "k", "hash-a", 60_000)
        .await
        .unwrap();
    assert_eq!(store.purge_idempotency_keys(false).await.unwrap(), 0);
    assert_eq!(store.purge_idempotency_keys(true).await.unwrap(), 1);
    let again = store
        .claim_idempotency_key("service", "k", "hash-a", 60_000)
        .await
        .unwrap();
    assert!(matches!(again, Claim::Acquired { .. }));
}

#[tokio::test]
async fn migrations_are_versioned_and_rerun_safely() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("twice.db").display().to_string();
    let first = Store::connect(&url).await.unwrap();
    first.close().await;
    // A second start finds the schema current and changes nothing.
    let second = Store::connect(&url).await.unwrap();
    second.ping().await.unwrap();
    let versions: Vec<i64> = super::with_pool!(second, |pool| {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(versions, [1, 2, 3, 4]);
}

fn pending(key: &str, campaign: Option<uuid::Uuid>) -> super::PendingRoll {
    let new: critfumble_sdk::wire::NewRoll = serde_json::from_value(serde_json::json!({
        "source": "api", "actor": {"name": "unit"}, "campaign_id": campaign,
        "expression": "1d20", "total": 20, "rolled": {"sides": 20, "results": [20]},
        "rolled_at": "2026-11-25T20:00:00Z"
    }))
    .unwrap();
    let roll = critfumble_sdk::wire::Roll::from_new(super::new_id(), new, chrono::Utc::now());
    let body = serde_json::to_string(&roll).unwrap();
    super::PendingRoll {
        d20: super::D20Summary::default(),
        roll,
        scope: "service".to_owned(),
        key: key.to_owned(),
        request_hash: "same".to_owned(),
        body,
    }
}

#[tokio::test]
async fn one_failing_roll_does_not_fail_its_batch() {
    let (store, _dir) = store().await;
    // The second roll names a campaign that does not exist (a foreign key failure); the
    // third repeats the first one's key inside the same transaction.
    let batch = [
        pending("a", None),
        pending("b", Some(uuid::Uuid::now_v7())),
        pending("a", None),
    ];
    // Without isolation the failing roll fails the batch, and nothing is stored.
    assert!(store.insert_rolls(&batch, 30_000, false).await.is_err());
    let results = store.insert_rolls(&batch, 30_000, true).await.unwrap();
    assert!(matches!(results[0], Ok(Claim::Acquired { .. })));
    assert!(results[1].is_err());
    match &results[2] {
        Ok(Claim::Replay(record)) => {
            assert_eq!(record.status, 201);
            assert_eq!(record.body, batch[0].body);
        }
        other => panic!("expected a replay, got {other:?}"),
    }
    let query = critfumble_sdk::wire::RollQuery::default();
    let (rolls, _) = store
        .rolls(&query, super::RollReader::Everything, 10)
        .await
        .unwrap();
    assert_eq!(rolls.len(), 1);
    // The failed key was not stored, so the client can retry it.
    let retry = store
        .insert_rolls(&[pending("b", None)], 30_000, false)
        .await
        .unwrap();
    assert!(matches!(retry[0], Ok(Claim::Acquired { .. })));
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    let (store, _dir) = store().await;
    let request = critfumble_sdk::wire::UpsertUserRequest {
        name: "Alice".to_owned(),
        avatar: None,
    };
    let (user, _) = store.upsert_user("1001", &request).await.unwrap();
    let now = super::now_millis();
    store
        .insert_web_session("expired", user.id, now - 1)
        .await
        .unwrap();
    store
        .insert_web_session("live", user.id, now + 60_000)
        .await
        .unwrap();
    // The expired session goes, the live one stays.
    assert_eq!(store.purge_expired_sessions().await.unwrap(), 1);
    assert_eq!(store.web_session_user("expired").await.unwrap(), None);
    assert_eq!(store.web_session_user("live").await.unwrap(), Some(user.id));
    // Nothing is left to purge.
    assert_eq!(store.purge_expired_sessions().await.unwrap(), 0);
}

#[tokio::test]
async fn a_bulk_batch_settles_stored_repeated_and_mismatched_keys() {
    let (store, _dir) = store().await;
    let stored = store
        .insert_rolls(&[pending("k0", None)], 30_000, false)
        .await
        .unwrap();
    assert!(matches!(stored[0], Ok(Claim::Acquired { .. })));
    // 70 new keys (a chunk of 64, then 4 and 2), the stored key again, a key repeated
    // inside the batch, and a stored key with another body.
    let mut batch: Vec<_> = (1..=70).map(|n| pending(&format!("k{n}"), None)).collect();
    batch.push(pending("k0", None));
    batch.push(pending("k5", None));
    let mut other_body = pending("k0", None);
    other_body.request_hash = "other".to_owned();
    batch.push(other_body);
    let results = store.insert_rolls(&batch, 30_000, false).await.unwrap();
    assert_eq!(results.len(), 73);
    assert!(
        results[..70]
            .iter()
            .all(|result| matches!(result, Ok(Claim::Acquired { .. })))
    );
    let replayed_body = |result: &super::StoreResult<Claim>| match result {
        Ok(Claim::Replay(record)) => record.body.clone(),
        other => panic!("expected a replay, got {other:?}"),
    };
    // The stored key replays the first response; the repeated one replays its batch mate.
    assert_eq!(replayed_body(&results[70]), stored_body(&store, "k0").await);
    assert_eq!(replayed_body(&results[71]), batch[4].body);
    assert!(matches!(results[72], Ok(Claim::Mismatch)));
    // 71 rolls in all, newest first across pages of 50 and 21.
    let query = critfumble_sdk::wire::RollQuery::default();
    let (page, cursor) = store
        .rolls(&query, super::RollReader::Everything, 50)
        .await
        .unwrap();
    assert_eq!(page.len(), 50);
    assert_eq!(page[0].id, batch[69].roll.id);
    let next = critfumble_sdk::wire::RollQuery {
        cursor,
        ..critfumble_sdk::wire::RollQuery::default()
    };
    let (rest, end) = store
        .rolls(&next, super::RollReader::Everything, 50)
        .await
        .unwrap();
    assert_eq!(rest.len(), 21);
    assert_eq!(end, None);
    assert_eq!(rest[19].id, batch[0].roll.id);
}

/// The body stored under `key`, read back through a replay.
async fn stored_body(store: &Store, key: &str) -> String {
    match store
        .claim_idempotency_key("service", key, "same", 30_000)
        .await
        .unwrap()
    {
        Claim::Replay(record) => record.body,
        other => panic!("expected a stored response, got {other:?}"),
    }
}
