//! The rooms in Redis, shared by every FumbleBot process. Per instance `i` under
//! `{prefix}:activity:{i}:`: `channel` (the Discord channel), `seq` (the last roll's
//! number), `log` (a list of the last rolls as JSON), `sockets` (a hash: user id → open
//! sockets), `users` (user id → the user as JSON) and `luck` (a hash of counters per user);
//! `{prefix}:activity:channel:{c}` is the set of rooms open in a channel. Every message to
//! a room is published on `{prefix}:activity:feed:{i}`; each process subscribes to the
//! pattern once and hands each message to its own sockets of that room.
//!
//! The last socket's leave deletes the room in one script, so that a join on another
//! process cannot slip between the count and the delete. A room whose processes died
//! expires after [`ROOM_TTL`] without a join or a roll.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use critfumble_sdk::wire::{TableLuck, TableParticipant, TableRoll, TableUser};
use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use tokio::sync::broadcast;

use super::{Feed, LOG_ROLLS, RoomError, lock, participants, rolls_after};

/// How long a room's keys live without a join or a roll.
pub const ROOM_TTL: Duration = Duration::from_secs(6 * 3600);
/// The wait before the feed listener reconnects after losing Redis.
const RELISTEN_DELAY: Duration = Duration::from_secs(1);

/// Leaves: one socket fewer for ARGV[1]; when no socket is left, the room's keys go and
/// the room leaves its channel's set. Returns 1 when the room was deleted.
const LEAVE: &str = r"
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
if redis.call('HLEN', KEYS[1]) == 0 then
  local channel = redis.call('GET', KEYS[2])
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
  if channel then redis.call('SREM', ARGV[2] .. channel, ARGV[3]) end
  return 1
end
return 0
";

/// The Redis side of [`super::Rooms`].
pub struct RedisRooms {
    connection: ConnectionManager,
    prefix: String,
    leave: redis::Script,
}

type Feeds = Arc<Mutex<HashMap<String, broadcast::Sender<Feed>>>>;

impl RedisRooms {
    /// The rooms under `prefix`; subscribes this process to their feeds before it returns,
    /// so that no message published after it is missed.
    pub(super) async fn new(
        client: redis::Client,
        connection: ConnectionManager,
        prefix: &str,
        feeds: Feeds,
    ) -> Result<RedisRooms, RoomError> {
        let pattern = format!("{prefix}:activity:feed:");
        let pubsub = subscribe(&client, &pattern).await?;
        tokio::spawn(listen(client, pubsub, pattern, feeds));
        Ok(RedisRooms {
            connection,
            prefix: prefix.to_owned(),
            leave: redis::Script::new(LEAVE),
        })
    }

    fn key(&self, instance_id: &str, part: &str) -> String {
        format!("{}:activity:{instance_id}:{part}", self.prefix)
    }

    fn channel_set(&self) -> String {
        format!("{}:activity:channel:", self.prefix)
    }

    pub(super) async fn publish(&self, instance_id: &str, text: &str) -> Result<(), RoomError> {
        let channel = format!("{}:activity:feed:{instance_id}", self.prefix);
        let _: i64 = self.connection.clone().publish(channel, text).await?;
        Ok(())
    }

    pub(super) async fn join(
        &self,
        instance_id: &str,
        channel_id: &str,
        user: &TableUser,
        since: Option<u64>,
    ) -> Result<(Vec<TableRoll>, Vec<TableParticipant>), RoomError> {
        let ttl = ROOM_TTL.as_secs() as i64;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.key(instance_id, "channel"))
            .arg(channel_id)
            .arg("NX")
            .ignore()
            .sadd(format!("{}{channel_id}", self.channel_set()), instance_id)
            .ignore()
            .hincr(self.key(instance_id, "sockets"), &user.id, 1)
            .ignore()
            .hset(
                self.key(instance_id, "users"),
                &user.id,
                serde_json::to_string(user)?,
            )
            .ignore();
        for part in ["channel", "sockets", "users", "seq", "log", "luck"] {
            pipe.expire(self.key(instance_id, part), ttl).ignore();
        }
        pipe.lrange(self.key(instance_id, "log"), 0, -1);
        let (log,): (Vec<String>,) = pipe.query_async(&mut self.connection.clone()).await?;
        let log = log
            .iter()
            .map(|text| serde_json::from_str::<TableRoll>(text))
            .collect::<Result<Vec<_>, _>>()?;
        let participants = self.participants(instance_id).await?;
        Ok((rolls_after(log.into_iter(), since), participants))
    }

    pub(super) async fn leave(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> Result<Option<Vec<TableParticipant>>, RoomError> {
        let deleted: i64 = self
            .leave
            .key(self.key(instance_id, "sockets"))
            .key(self.key(instance_id, "channel"))
            .key(self.key(instance_id, "seq"))
            .key(self.key(instance_id, "log"))
            .key(self.key(instance_id, "users"))
            .key(self.key(instance_id, "luck"))
            .arg(user_id)
            .arg(self.channel_set())
            .arg(instance_id)
            .invoke_async(&mut self.connection.clone())
            .await?;
        if deleted == 1 {
            return Ok(None);
        }
        Ok(Some(self.participants(instance_id).await?))
    }

    pub(super) async fn roll(
        &self,
        instance_id: &str,
        mut roll: TableRoll,
    ) -> Result<Option<(TableRoll, Option<TableLuck>)>, RoomError> {
        let mut connection = self.connection.clone();
        let open: bool = connection.exists(self.key(instance_id, "sockets")).await?;
        if !open {
            return Ok(None);
        }
        roll.seq = connection.incr(self.key(instance_id, "seq"), 1).await?;
        let luck = self.key(instance_id, "luck");
        let user = &roll.user.id;
        let counted = TableLuck::default().with(&roll.dice);
        let sum = counted.score.unwrap_or(0.0) * counted.dice as f64;
        let ttl = ROOM_TTL.as_secs() as i64;
        let mut pipe = redis::pipe();
        pipe.rpush(self.key(instance_id, "log"), serde_json::to_string(&roll)?)
            .ignore()
            .ltrim(self.key(instance_id, "log"), -(LOG_ROLLS as isize), -1)
            .ignore()
            .hincr(&luck, format!("{user}:dice"), counted.dice)
            .cmd("HINCRBYFLOAT")
            .arg(&luck)
            .arg(format!("{user}:sum"))
            .arg(sum)
            .hincr(&luck, format!("{user}:criticals"), counted.criticals)
            .hincr(&luck, format!("{user}:fumbles"), counted.fumbles)
            .hexists(self.key(instance_id, "sockets"), user);
        for part in ["log", "luck", "seq"] {
            pipe.expire(self.key(instance_id, part), ttl).ignore();
        }
        let (dice, sum, criticals, fumbles, present): (u64, f64, u64, u64, bool) =
            pipe.query_async(&mut connection).await?;
        let luck = present.then_some(TableLuck {
            dice,
            score: (dice > 0).then(|| sum / dice as f64),
            criticals,
            fumbles,
        });
        Ok(Some((roll, luck)))
    }

    pub(super) async fn in_channel(&self, channel_id: &str) -> Result<Vec<String>, RoomError> {
        Ok(self
            .connection
            .clone()
            .smembers(format!("{}{channel_id}", self.channel_set()))
            .await?)
    }

    async fn participants(&self, instance_id: &str) -> Result<Vec<TableParticipant>, RoomError> {
        let (sockets, users, luck): (
            HashMap<String, i64>,
            HashMap<String, String>,
            HashMap<String, String>,
        ) = redis::pipe()
            .hgetall(self.key(instance_id, "sockets"))
            .hgetall(self.key(instance_id, "users"))
            .hgetall(self.key(instance_id, "luck"))
            .query_async(&mut self.connection.clone())
            .await?;
        let counter = |user: &str, name: &str| -> f64 {
            luck.get(&format!("{user}:{name}"))
                .and_then(|value| value.parse().ok())
                .unwrap_or(0.0)
        };
        let mut present = Vec::new();
        for (id, count) in sockets {
            if count <= 0 {
                continue;
            }
            let Some(user) = users.get(&id) else { continue };
            let user: TableUser = serde_json::from_str(user)?;
            let dice = counter(&id, "dice") as u64;
            let luck = TableLuck {
                dice,
                score: (dice > 0).then(|| counter(&id, "sum") / dice as f64),
                criticals: counter(&id, "criticals") as u64,
                fumbles: counter(&id, "fumbles") as u64,
            };
            present.push((user, luck));
        }
        Ok(participants(present.into_iter()))
    }
}

async fn subscribe(client: &redis::Client, prefix: &str) -> Result<redis::aio::PubSub, RoomError> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe(format!("{prefix}*")).await?;
    Ok(pubsub)
}

/// This process's one subscriber to every room's feed: hands each message to the local
/// sockets of its room, and subscribes again after losing Redis.
async fn listen(client: redis::Client, pubsub: redis::aio::PubSub, prefix: String, feeds: Feeds) {
    let mut pubsub = Some(pubsub);
    loop {
        let subscribed = match pubsub.take() {
            Some(pubsub) => Ok(pubsub),
            None => subscribe(&client, &prefix).await,
        };
        match subscribed {
            Ok(mut pubsub) => {
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    let channel = message.get_channel_name();
                    let Some(instance_id) = channel.strip_prefix(&prefix) else {
                        continue;
                    };
                    let Ok(text) = message.get_payload::<String>() else {
                        continue;
                    };
                    if let Some(sender) = lock(&feeds).get(instance_id) {
                        let _ = sender.send(text.into());
                    }
                }
                tracing::warn!("the activity's redis feed ended: subscribing again");
            }
            Err(error) => tracing::warn!(%error, "cannot subscribe to the activity's feeds"),
        }
        tokio::time::sleep(RELISTEN_DELAY).await;
    }
}
