//! Delivers the outbox to Core in the background: many entries at once, each settled by
//! Core's answer, with a pause that grows while Core cannot be reached. Nothing here is on
//! the path of a Discord reply.

use std::sync::Arc;
use std::time::Duration;

use critfumble_sdk::SdkError;
use critfumble_sdk::wire::ErrorCode;
use futures_util::StreamExt;
use tokio::sync::Notify;

use critfumble_sdk::webhook::WebhookSecret;

use super::{Outbox, OutboxItem, Settlement, Taken};
use crate::core_access::CoreAccess;

/// Entries taken per round.
const BATCH: usize = 256;
/// Deliveries in flight at once. Few on purpose: with Core embedded, each delivery is work
/// on the same two threads that answer Discord, and 64 at once put a burst of Core's
/// handlers in front of waiting interactions (interactions bench, 12 connections: p99
/// 7.2 ms at 64, 4.8 to 5.8 ms at 16). During a burst the outbox grows and drains after
/// it; a quiet outbox still delivers 3,202 rolls/s (30,000 rolls into a separate Core).
const CONCURRENCY: usize = 16;
/// The longest pause while Core is unreachable.
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// Runs until the process stops. `wake` is notified on each append, so that a quiet
/// outbox is drained at once rather than on the next poll.
pub async fn run(
    outbox: Outbox,
    core: Arc<CoreAccess>,
    wake: Arc<Notify>,
    webhook_secret: Option<WebhookSecret>,
) {
    let mut pause = Duration::from_millis(50);
    loop {
        let taken = match outbox.take(BATCH).await {
            Ok(taken) => taken,
            Err(error) => {
                tracing::error!(%error, "cannot read the outbox");
                tokio::time::sleep(MAX_PAUSE).await;
                continue;
            }
        };
        if taken.is_empty() {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
            continue;
        }
        let settled: Vec<(Taken, Settlement, bool)> = futures_util::stream::iter(taken)
            .map(|taken| {
                let core = core.clone();
                let secret = webhook_secret.clone();
                async move {
                    let (settlement, unreachable) = deliver(&core, secret.as_ref(), &taken).await;
                    (taken, settlement, unreachable)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let unreachable = settled.iter().any(|(_, _, unreachable)| *unreachable);
        let settled: Vec<(Taken, Settlement)> = settled
            .into_iter()
            .map(|(taken, settlement, _)| (taken, settlement))
            .collect();
        let delivered = settled
            .iter()
            .filter(|(_, settlement)| *settlement == Settlement::Delivered)
            .count();
        if let Err(error) = outbox.settle(&settled).await {
            // The entries stay; Core will replay its answers to the same keys.
            tracing::error!(%error, "cannot settle outbox entries");
        }
        tracing::debug!(delivered, taken = settled.len(), "outbox round");
        if unreachable {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_PAUSE);
        } else {
            pause = Duration::from_millis(50);
        }
    }
}

/// Sends one entry; gives its settlement and whether Core could not be reached at all.
async fn deliver(
    core: &CoreAccess,
    secret: Option<&WebhookSecret>,
    taken: &Taken,
) -> (Settlement, bool) {
    let entry = match &taken.entry {
        Ok(entry) => entry,
        Err(reason) => {
            tracing::error!(id = %taken.id, %reason, "parking an outbox entry");
            return (Settlement::Park(reason.clone()), false);
        }
    };
    let (result, conflict_is_final) = match &entry.item {
        OutboxItem::Roll(roll) => (
            core.report_roll(&entry.actor, &entry.idempotency_key, roll)
                .await,
            false,
        ),
        OutboxItem::Webhook(event) => {
            let Some(secret) = secret else {
                return (
                    Settlement::Park("no webhook secret to sign with".to_owned()),
                    false,
                );
            };
            // A 409 here is Core's verdict (the account is someone else's), not a request
            // still in flight: final.
            let sent = core.send_event(secret, event, &entry.idempotency_key).await;
            (sent, true)
        }
    };
    let unreachable = matches!(
        &result,
        Err(SdkError::Transport { .. } | SdkError::Timeout { .. })
    );
    let settlement = if conflict_is_final {
        settle_webhook(result)
    } else {
        settle(result)
    };
    match &settlement {
        Settlement::Park(reason) => tracing::error!(
            key = %entry.idempotency_key,
            %reason,
            "core refused an outbox entry for good: parked"
        ),
        Settlement::Retry if taken.attempts > 0 && taken.attempts.is_multiple_of(10) => {
            tracing::warn!(
                key = %entry.idempotency_key,
                attempts = taken.attempts,
                "an outbox entry is still not delivered"
            )
        }
        _ => {}
    }
    if let Settlement::Park(_) = settlement {
        // Perhaps the user was deleted from Core: upsert them again for their next roll.
        core.forget_user(&entry.actor.discord_id);
    }
    (settlement, unreachable)
}

/// What Core's answer means for the entry.
pub fn settle(result: Result<(), SdkError>) -> Settlement {
    match result {
        Ok(()) => Settlement::Delivered,
        Err(error) => match &error {
            SdkError::Api { status, body, .. } => match *status {
                // The key was stored with another body: Core holds this roll already.
                422 if body.error.code == ErrorCode::IdempotencyKeyReused => Settlement::Delivered,
                408 | 409 | 429 | 500..=599 => Settlement::Retry,
                _ => Settlement::Park(error.to_string()),
            },
            SdkError::Transport { .. } | SdkError::Timeout { .. } => Settlement::Retry,
            other => Settlement::Park(other.to_string()),
        },
    }
}

/// What Core's answer to a webhook means: as [`settle`], except that a 409 is Core's final
/// verdict (the VTT account is linked to someone else), never retried.
pub fn settle_webhook(result: Result<(), SdkError>) -> Settlement {
    match &result {
        Err(error @ SdkError::Api { status: 409, .. }) => Settlement::Park(error.to_string()),
        _ => settle(result),
    }
}
