//! The outbox on both backends: appends survive a reopen, settlements do what they say,
//! and Core's answers map to the right settlement.

use std::collections::HashSet;

use critfumble_sdk::SdkError;
use critfumble_sdk::wire::{ErrorBody, ErrorCode, NewRoll};

use super::drain::settle;
use super::*;

fn entry(n: usize) -> OutboxEntry {
    let face = i64::try_from(n % 20).unwrap() + 1;
    let expr = critfumble_dice::parse("1d20").unwrap();
    let rolled =
        critfumble_dice::replay(&expr, &[face], &critfumble_dice::RollOptions::default()).unwrap();
    let roll: NewRoll = serde_json::from_value(serde_json::json!({
        "source": "discord",
        "actor": {"discord_id": "1", "name": "Mira"},
        "expression": "1d20",
        "total": face,
        "rolled": rolled,
        "label": format!("roll-{n}"),
        "rolled_at": "2026-11-25T20:00:00Z"
    }))
    .unwrap();
    OutboxEntry {
        idempotency_key: format!("discord:{n}"),
        actor: DiscordActor {
            discord_id: "1".into(),
            name: "Mira".into(),
            avatar: None,
        },
        item: OutboxItem::Roll(Box::new(roll)),
    }
}

fn label(taken: &Taken) -> String {
    match &taken.entry.as_ref().unwrap().item {
        OutboxItem::Roll(roll) => roll.label.clone().unwrap(),
        OutboxItem::Webhook(event) => event.event_type().to_owned(),
    }
}

/// Appends 300 entries at once, takes them, and settles a third each way.
async fn exercise(outbox: &Outbox) {
    let appends = (0..300).map(|n| {
        let outbox = outbox.clone();
        tokio::spawn(async move { outbox.append(&entry(n)).await.unwrap() })
    });
    futures_util::future::join_all(appends).await;
    assert_eq!(outbox.pending().await.unwrap(), 300);
    let mut taken = Vec::new();
    while taken.len() < 300 {
        let batch = outbox.take(128).await.unwrap();
        assert!(!batch.is_empty(), "only {} of 300 taken", taken.len());
        taken.extend(batch);
    }
    let labels: HashSet<String> = taken.iter().map(label).collect();
    assert_eq!(labels.len(), 300, "each entry taken once");
    let settled: Vec<(Taken, Settlement)> = taken
        .into_iter()
        .enumerate()
        .map(|(index, taken)| {
            let settlement = match index % 3 {
                0 => Settlement::Delivered,
                1 => Settlement::Retry,
                _ => Settlement::Park("refused".into()),
            };
            (taken, settlement)
        })
        .collect();
    outbox.settle(&settled).await.unwrap();
    // Delivered and parked entries left; retried ones stay.
    assert_eq!(outbox.pending().await.unwrap(), 100);
    assert_eq!(outbox.parked().await.unwrap(), 100);
}

#[tokio::test]
async fn sqlite_outbox_keeps_entries_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.db");
    let outbox = Outbox::Sqlite(SqliteOutbox::open(&path).await.unwrap());
    exercise(&outbox).await;
    // A retried entry waits for its backoff before it is taken again.
    assert!(outbox.take(10).await.unwrap().is_empty());
    drop(outbox);
    let reopened = Outbox::Sqlite(SqliteOutbox::open(&path).await.unwrap());
    assert_eq!(reopened.pending().await.unwrap(), 100);
    assert_eq!(reopened.parked().await.unwrap(), 100);
}

/// The Redis the tests use; without it the Redis tests are skipped, except under `CI=true`.
pub(crate) async fn test_redis() -> Option<redis::aio::ConnectionManager> {
    let connect = async {
        redis::Client::open("redis://127.0.0.1:6379")?
            .get_connection_manager()
            .await
    };
    match tokio::time::timeout(std::time::Duration::from_secs(3), connect).await {
        Ok(Ok(connection)) => Some(connection),
        other => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true and Redis at 127.0.0.1:6379 is unreachable: {other:?}"
            );
            eprintln!("skipping: Redis at 127.0.0.1:6379 is unreachable");
            None
        }
    }
}

#[tokio::test]
async fn redis_outbox_shares_entries_between_consumers() {
    let Some(connection) = test_redis().await else {
        return;
    };
    let prefix = format!("test:{}", uuid::Uuid::new_v4().simple());
    let first = Outbox::Redis(
        RedisOutbox::open(connection.clone(), &prefix, "a")
            .await
            .unwrap(),
    );
    exercise(&first).await;
    // Another process sees the same stream; nothing new is waiting for it, and the retried
    // entries stay with their consumer until they have been idle for a while.
    let second = Outbox::Redis(
        RedisOutbox::open(connection.clone(), &prefix, "b")
            .await
            .unwrap(),
    );
    assert_eq!(second.pending().await.unwrap(), 100);
    assert!(second.take(10).await.unwrap().is_empty());
    // A new entry goes to exactly one of them.
    first.append(&entry(1_000)).await.unwrap();
    let (a, b) = (
        first.take(10).await.unwrap(),
        second.take(10).await.unwrap(),
    );
    assert_eq!(a.len() + b.len(), 1);
    // A process restarted under the first one's name takes back, at once, what it held:
    // the 100 retried entries and the new one, if it took it.
    let restarted = Outbox::Redis(
        RedisOutbox::open(connection.clone(), &prefix, "a")
            .await
            .unwrap(),
    );
    let held = restarted.take(500).await.unwrap();
    assert_eq!(held.len(), 100 + a.len());
    let mut connection = connection;
    let _: () = redis::cmd("DEL")
        .arg(format!("{prefix}:outbox"))
        .arg(format!("{prefix}:outbox:parked"))
        .query_async(&mut connection)
        .await
        .unwrap();
}

fn api_error(status: u16, code: ErrorCode) -> SdkError {
    SdkError::Api {
        method: "POST".into(),
        url: "http://core/v1/rolls".into(),
        status,
        body: Box::new(ErrorBody::new(code, "x")),
    }
}

#[test]
fn core_answers_map_to_settlements() {
    assert_eq!(settle(Ok(())), Settlement::Delivered);
    // The key was stored with another body: Core has the roll.
    assert_eq!(
        settle(Err(api_error(422, ErrorCode::IdempotencyKeyReused))),
        Settlement::Delivered
    );
    for status in [408, 409, 429, 500, 502, 503] {
        assert_eq!(
            settle(Err(api_error(status, ErrorCode::Unknown))),
            Settlement::Retry,
            "{status}"
        );
    }
    for status in [400, 401, 403, 404, 413, 422] {
        assert!(
            matches!(
                settle(Err(api_error(status, ErrorCode::ValidationFailed))),
                Settlement::Park(_)
            ),
            "{status}"
        );
    }
    let down = SdkError::Transport {
        url: "http://core".into(),
        message: "connection refused".into(),
    };
    assert_eq!(settle(Err(down)), Settlement::Retry);
}

#[test]
fn a_webhook_conflict_is_final_and_the_rest_as_for_rolls() {
    use super::drain::settle_webhook;
    // Core's verdict that the VTT account is someone else's: parked, never retried.
    assert!(matches!(
        settle_webhook(Err(api_error(409, ErrorCode::Conflict))),
        Settlement::Park(_)
    ));
    assert!(matches!(
        settle_webhook(Err(api_error(401, ErrorCode::Unauthorized))),
        Settlement::Park(_)
    ));
    for status in [408, 429, 500, 503] {
        assert_eq!(
            settle_webhook(Err(api_error(status, ErrorCode::Unknown))),
            Settlement::Retry,
            "{status}"
        );
    }
    assert_eq!(settle_webhook(Ok(())), Settlement::Delivered);
}

#[test]
fn a_webhook_entry_reads_back_as_written() {
    use critfumble_sdk::wire::{Vtt, VttAccountLinked, WebhookEvent, WebhookPayload};
    let entry = OutboxEntry {
        idempotency_key: "msg_0123".into(),
        actor: DiscordActor {
            discord_id: "42".into(),
            name: "Mira".into(),
            avatar: None,
        },
        item: OutboxItem::Webhook(Box::new(WebhookEvent {
            timestamp: chrono::Utc::now(),
            payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
                discord_id: "42".into(),
                vtt: Vtt::Roll20,
                vtt_user_id: "-M5".into(),
                display_name: None,
                verified_at: chrono::Utc::now(),
                gm_game_ids: vec!["g".into()],
            }),
        })),
    };
    let text = serde_json::to_string(&entry).unwrap();
    assert_eq!(super::decode(&text), Ok(entry));
}
