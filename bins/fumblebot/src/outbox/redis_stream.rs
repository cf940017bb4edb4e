//! The shared outbox: a Redis stream read through one consumer group by every FumbleBot
//! process. An entry is acknowledged and deleted only after Core acknowledged it; an entry
//! left pending (a failed attempt, or a process that died holding it) is claimed again by
//! whichever process looks first once it has been idle for [`RETRY_IDLE_MILLIS`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redis::aio::ConnectionManager;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};

use super::{OutboxError, Settlement, Taken, decode};

/// The consumer group every process reads through.
const GROUP: &str = "drainers";
/// How long a taken entry stays with its process before another may claim it: long enough
/// for one delivery attempt (the drainer's Core timeout is 10 s), short enough that a
/// restart resumes quickly.
pub(super) const RETRY_IDLE_MILLIS: u64 = 15_000;

/// A Redis outbox; clones share the connection.
#[derive(Clone)]
pub struct RedisOutbox {
    connection: ConnectionManager,
    stream: String,
    parked_stream: String,
    consumer: String,
    /// Whether this process has taken back what its consumer name held before a restart.
    recovered: Arc<AtomicBool>,
}

impl std::fmt::Debug for RedisOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOutbox")
            .field("stream", &self.stream)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

impl RedisOutbox {
    /// Connects and creates the stream and its group when missing. `prefix` namespaces the
    /// keys (`{prefix}:outbox`); `consumer` names this process within the group, so that a
    /// restarted process takes back the entries it held at once (others wait until they
    /// have been idle for 15 s).
    pub async fn open(
        connection: ConnectionManager,
        prefix: &str,
        consumer: &str,
    ) -> Result<RedisOutbox, OutboxError> {
        let outbox = RedisOutbox {
            connection,
            stream: format!("{prefix}:outbox"),
            parked_stream: format!("{prefix}:outbox:parked"),
            consumer: consumer.to_owned(),
            recovered: Arc::default(),
        };
        let created: Result<(), redis::RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&outbox.stream)
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut outbox.connection.clone())
            .await;
        match created {
            Ok(()) => {}
            Err(error) if error.code() == Some("BUSYGROUP") => {}
            Err(error) => return Err(error.into()),
        }
        Ok(outbox)
    }

    pub(super) async fn append(&self, entry: &str) -> Result<(), OutboxError> {
        let _: String = redis::cmd("XADD")
            .arg(&self.stream)
            .arg("*")
            .arg("e")
            .arg(entry)
            .query_async(&mut self.connection.clone())
            .await?;
        Ok(())
    }

    pub(super) async fn take(&self, max: usize) -> Result<Vec<Taken>, OutboxError> {
        let mut connection = self.connection.clone();
        // Once after start-up: what this consumer name held when its process died.
        if !self.recovered.swap(true, Ordering::SeqCst) {
            let held = self.read_group(&mut connection, max, "0").await?;
            if !held.is_empty() {
                // More may remain; they are claimed below once idle.
                return Ok(held);
            }
        }
        // First any process's entries left idle (failed attempts, dead processes)...
        let claimed: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&self.consumer)
            .arg(RETRY_IDLE_MILLIS)
            .arg("0-0")
            .arg("COUNT")
            .arg(max)
            .query_async(&mut connection)
            .await?;
        let mut taken: Vec<Taken> = claimed.claimed.into_iter().map(to_taken).collect();
        // ...then new ones, never delivered to anybody.
        if taken.len() < max {
            let fresh = self
                .read_group(&mut connection, max - taken.len(), ">")
                .await?;
            taken.extend(fresh);
        }
        Ok(taken)
    }

    /// `XREADGROUP` from `id`: `>` for entries never delivered, `0` for those this consumer
    /// holds.
    async fn read_group(
        &self,
        connection: &mut ConnectionManager,
        count: usize,
        id: &str,
    ) -> Result<Vec<Taken>, OutboxError> {
        let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.consumer)
            .arg("COUNT")
            .arg(count)
            .arg("STREAMS")
            .arg(&self.stream)
            .arg(id)
            .query_async(connection)
            .await?;
        Ok(reply
            .into_iter()
            .flat_map(|reply| reply.keys)
            .flat_map(|key| key.ids)
            .map(to_taken)
            .collect())
    }

    pub(super) async fn settle(&self, settled: &[(Taken, Settlement)]) -> Result<(), OutboxError> {
        let mut pipeline = redis::pipe();
        pipeline.atomic();
        let mut done = Vec::new();
        for (taken, settlement) in settled {
            match settlement {
                Settlement::Delivered => done.push(taken.id.as_str()),
                // Left pending: claimed again once idle.
                Settlement::Retry => {}
                Settlement::Park(reason) => {
                    let text = match &taken.entry {
                        Ok(entry) => serde_json::to_string(entry)?,
                        Err(error) => error.clone(),
                    };
                    pipeline
                        .cmd("XADD")
                        .arg(&self.parked_stream)
                        .arg("*")
                        .arg("e")
                        .arg(text)
                        .arg("reason")
                        .arg(reason)
                        .ignore();
                    done.push(taken.id.as_str());
                }
            }
        }
        if done.is_empty() {
            return Ok(());
        }
        pipeline
            .cmd("XACK")
            .arg(&self.stream)
            .arg(GROUP)
            .arg(&done)
            .ignore();
        pipeline.cmd("XDEL").arg(&self.stream).arg(&done).ignore();
        let () = pipeline.query_async(&mut self.connection.clone()).await?;
        Ok(())
    }

    pub(super) async fn pending(&self) -> Result<u64, OutboxError> {
        let length: u64 = redis::cmd("XLEN")
            .arg(&self.stream)
            .query_async(&mut self.connection.clone())
            .await?;
        Ok(length)
    }

    pub(super) async fn parked(&self) -> Result<u64, OutboxError> {
        let length: u64 = redis::cmd("XLEN")
            .arg(&self.parked_stream)
            .query_async(&mut self.connection.clone())
            .await?;
        Ok(length)
    }
}

fn to_taken(id: StreamId) -> Taken {
    let entry = match id.map.get("e") {
        Some(redis::Value::BulkString(bytes)) => match std::str::from_utf8(bytes) {
            Ok(text) => decode(text),
            Err(_) => Err("outbox entry is not utf-8".to_owned()),
        },
        _ => Err("outbox entry has no 'e' field".to_owned()),
    };
    Taken {
        attempts: id
            .delivered_count
            .and_then(|count| u32::try_from(count).ok())
            .unwrap_or(0),
        id: id.id,
        entry,
    }
}
