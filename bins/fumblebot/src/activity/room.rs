//! The table's rooms, one per activity instance: who is there (with each one's luck), the
//! log of the last [`LOG_ROLLS`] rolls numbered 1, 2, 3…, and the live feed every socket
//! of the room listens to. In this process ([`Rooms::memory`]) or in Redis
//! ([`Rooms::redis`], `room/redis.rs`), so that sockets of one room served by several
//! FumbleBot processes see the same log and each other's rolls. A room is dropped when its
//! last socket leaves.
//!
//! Every message goes to a room's sockets already serialized, once: a roll to a room of 25
//! is one `serde_json` call, not 25.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use critfumble_sdk::wire::{TableLuck, TableParticipant, TableRoll, TableServerMessage, TableUser};
use tokio::sync::broadcast;

mod redis;

pub use self::redis::{ROOM_TTL, RedisRooms};

/// The rolls a room keeps for clients that (re)join.
pub const LOG_ROLLS: usize = 200;
/// The messages a socket may fall behind by before it is told to reconnect.
pub const FEED_CAPACITY: usize = 256;
/// The rooms one process keeps in memory at most; past it no new room opens.
const MAX_ROOMS: usize = 100_000;

/// What a room feeds its sockets: a [`TableServerMessage`] as JSON text.
pub type Feed = Arc<str>;

/// Why a room could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// Redis refused or is unreachable.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// Stored text did not decode, or a message did not encode.
    #[error("room data: {0}")]
    Data(#[from] serde_json::Error),
    /// This process holds as many rooms as it may.
    #[error("too many rooms are open")]
    Full,
}

/// A socket's place in a room.
#[derive(Debug)]
pub struct Joined {
    /// The rolls the client does not have, oldest first.
    pub rolls: Vec<TableRoll>,
    /// Who is there, the joiner included.
    pub participants: Vec<TableParticipant>,
    /// The room's feed from the moment before the log was read (so a roll may come twice:
    /// the client keeps one per `seq`).
    pub feed: broadcast::Receiver<Feed>,
}

/// Every room this process serves.
pub struct Rooms {
    store: Store,
    feeds: Arc<Mutex<HashMap<String, broadcast::Sender<Feed>>>>,
}

enum Store {
    Memory(Mutex<Memory>),
    Redis(RedisRooms),
}

impl std::fmt::Debug for Rooms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.store {
            Store::Memory(_) => "Rooms::Memory",
            Store::Redis(_) => "Rooms::Redis",
        })
    }
}

#[derive(Default)]
struct Memory {
    rooms: HashMap<String, MemoryRoom>,
    channels: HashMap<String, HashSet<String>>,
}

struct MemoryRoom {
    channel_id: String,
    next_seq: u64,
    log: VecDeque<TableRoll>,
    members: BTreeMap<String, Member>,
}

struct Member {
    user: TableUser,
    sockets: usize,
    luck: TableLuck,
}

impl MemoryRoom {
    fn participants(&self) -> Vec<TableParticipant> {
        participants(
            self.members
                .values()
                .filter(|member| member.sockets > 0)
                .map(|member| (member.user.clone(), member.luck)),
        )
    }
}

/// Participants sorted by name, then id, so that every client lists them alike.
pub(crate) fn participants(
    members: impl Iterator<Item = (TableUser, TableLuck)>,
) -> Vec<TableParticipant> {
    let mut list: Vec<TableParticipant> = members
        .map(|(user, luck)| TableParticipant { user, luck })
        .collect();
    list.sort_by(|a, b| {
        (a.user.name.to_lowercase(), &a.user.id).cmp(&(b.user.name.to_lowercase(), &b.user.id))
    });
    list
}

/// The rolls of `log` after `since` (all of them without it).
pub(crate) fn rolls_after(
    log: impl Iterator<Item = TableRoll>,
    since: Option<u64>,
) -> Vec<TableRoll> {
    log.filter(|roll| since.is_none_or(|since| roll.seq > since))
        .collect()
}

impl Rooms {
    /// Rooms in this process only.
    pub fn memory() -> Rooms {
        Rooms {
            store: Store::Memory(Mutex::default()),
            feeds: Arc::default(),
        }
    }

    /// Rooms in Redis under `{prefix}:activity:…`, shared by every process; each process
    /// listens to the rooms' channels and feeds its own sockets.
    pub async fn redis(
        client: ::redis::Client,
        connection: ::redis::aio::ConnectionManager,
        prefix: &str,
    ) -> Result<Rooms, RoomError> {
        let feeds: Arc<Mutex<HashMap<String, broadcast::Sender<Feed>>>> = Arc::default();
        let rooms = RedisRooms::new(client, connection, prefix, feeds.clone()).await?;
        Ok(Rooms {
            store: Store::Redis(rooms),
            feeds,
        })
    }

    /// The feed of `instance`, opened if this process had none.
    fn subscribe(&self, instance_id: &str) -> broadcast::Receiver<Feed> {
        lock(&self.feeds)
            .entry(instance_id.to_owned())
            .or_insert_with(|| broadcast::channel(FEED_CAPACITY).0)
            .subscribe()
    }

    /// Sends a message to the sockets of `instance` in this process.
    fn feed_local(
        feeds: &Mutex<HashMap<String, broadcast::Sender<Feed>>>,
        instance_id: &str,
        text: Feed,
    ) {
        if let Some(sender) = lock(feeds).get(instance_id) {
            // No socket listening is fine.
            let _ = sender.send(text);
        }
    }

    async fn publish(
        &self,
        instance_id: &str,
        message: &TableServerMessage,
    ) -> Result<(), RoomError> {
        let text: Feed = serde_json::to_string(message)?.into();
        match &self.store {
            Store::Memory(_) => {
                Self::feed_local(&self.feeds, instance_id, text);
                Ok(())
            }
            Store::Redis(redis) => redis.publish(instance_id, &text).await,
        }
    }

    /// One socket of `user` joins the room of `instance` (opened if it was empty) in
    /// `channel_id`; `since` is the last roll the client holds.
    pub async fn join(
        &self,
        instance_id: &str,
        channel_id: &str,
        user: &TableUser,
        since: Option<u64>,
    ) -> Result<Joined, RoomError> {
        let feed = self.subscribe(instance_id);
        let (rolls, participants) = match &self.store {
            Store::Memory(memory) => {
                let mut memory = lock(memory);
                if memory.rooms.len() >= MAX_ROOMS && !memory.rooms.contains_key(instance_id) {
                    return Err(RoomError::Full);
                }
                let Memory { rooms, channels } = &mut *memory;
                let room = rooms
                    .entry(instance_id.to_owned())
                    .or_insert_with(|| MemoryRoom {
                        channel_id: channel_id.to_owned(),
                        next_seq: 1,
                        log: VecDeque::new(),
                        members: BTreeMap::new(),
                    });
                channels
                    .entry(room.channel_id.clone())
                    .or_default()
                    .insert(instance_id.to_owned());
                let member = room
                    .members
                    .entry(user.id.clone())
                    .or_insert_with(|| Member {
                        user: user.clone(),
                        sockets: 0,
                        luck: TableLuck::default(),
                    });
                member.user = user.clone();
                member.sockets += 1;
                (
                    rolls_after(room.log.iter().cloned(), since),
                    room.participants(),
                )
            }
            Store::Redis(redis) => redis.join(instance_id, channel_id, user, since).await?,
        };
        self.publish(
            instance_id,
            &TableServerMessage::Participants {
                participants: participants.clone(),
            },
        )
        .await?;
        Ok(Joined {
            rolls,
            participants,
            feed,
        })
    }

    /// One socket of `user` leaves; the room goes when it was the last.
    pub async fn leave(&self, instance_id: &str, user_id: &str) -> Result<(), RoomError> {
        let remaining = match &self.store {
            Store::Memory(memory) => {
                let mut memory = lock(memory);
                let Memory { rooms, channels } = &mut *memory;
                match rooms.get_mut(instance_id) {
                    None => None,
                    Some(room) => {
                        if let Some(member) = room.members.get_mut(user_id) {
                            member.sockets = member.sockets.saturating_sub(1);
                        }
                        let participants = room.participants();
                        if participants.is_empty() {
                            let channel_id = room.channel_id.clone();
                            rooms.remove(instance_id);
                            if let Some(instances) = channels.get_mut(&channel_id) {
                                instances.remove(instance_id);
                                if instances.is_empty() {
                                    channels.remove(&channel_id);
                                }
                            }
                            None
                        } else {
                            Some(participants)
                        }
                    }
                }
            }
            Store::Redis(redis) => redis.leave(instance_id, user_id).await?,
        };
        {
            let mut feeds = lock(&self.feeds);
            if feeds
                .get(instance_id)
                .is_some_and(|sender| sender.receiver_count() == 0)
            {
                feeds.remove(instance_id);
            }
        }
        if let Some(participants) = remaining {
            self.publish(
                instance_id,
                &TableServerMessage::Participants { participants },
            )
            .await?;
        }
        Ok(())
    }

    /// Adds a roll to the room's log (its `seq` is given here), counts its dice toward the
    /// roller's luck, and sends it with that luck to every socket of the room. `None` when
    /// the room is gone (everyone left).
    pub async fn roll(
        &self,
        instance_id: &str,
        roll: TableRoll,
    ) -> Result<Option<TableRoll>, RoomError> {
        let added = match &self.store {
            Store::Memory(memory) => {
                let mut memory = lock(memory);
                match memory.rooms.get_mut(instance_id) {
                    None => None,
                    Some(room) => {
                        let mut roll = roll;
                        roll.seq = room.next_seq;
                        room.next_seq += 1;
                        let luck = room.members.get_mut(&roll.user.id).map(|member| {
                            member.luck = member.luck.with(&roll.dice);
                            member.luck
                        });
                        room.log.push_back(roll.clone());
                        while room.log.len() > LOG_ROLLS {
                            room.log.pop_front();
                        }
                        Some((roll, luck))
                    }
                }
            }
            Store::Redis(redis) => redis.roll(instance_id, roll).await?,
        };
        let Some((roll, luck)) = added else {
            return Ok(None);
        };
        self.publish(
            instance_id,
            &TableServerMessage::Roll {
                roll: roll.clone(),
                luck,
            },
        )
        .await?;
        Ok(Some(roll))
    }

    /// The open rooms in a Discord channel.
    pub async fn in_channel(&self, channel_id: &str) -> Result<Vec<String>, RoomError> {
        match &self.store {
            Store::Memory(memory) => Ok(lock(memory)
                .channels
                .get(channel_id)
                .map(|instances| instances.iter().cloned().collect())
                .unwrap_or_default()),
            Store::Redis(redis) => redis.in_channel(channel_id).await,
        }
    }

    /// How many rooms this process feeds sockets of.
    pub fn local_rooms(&self) -> usize {
        lock(&self.feeds).len()
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
