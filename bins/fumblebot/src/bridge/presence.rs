//! Which users have an extension connected to which game: each open `GET /vtt/events`
//! stream is a connection, refreshed while it lives and forgotten when it closes or stops
//! being refreshed (a process that died). In this process, or in a Redis sorted set per game
//! (scored by expiry) that every process shares. `/status` in Discord reads it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use critfumble_sdk::wire::Vtt;
use redis::aio::ConnectionManager;

/// How long a connection counts without a refresh.
pub const PRESENCE_TTL: Duration = Duration::from_secs(45);
/// How often an open stream refreshes its connection.
pub const PRESENCE_REFRESH: Duration = Duration::from_secs(15);
/// The most connections kept per game in memory.
const MAX_PER_GAME: usize = 1_000;

/// One open stream: its id and the user's name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    /// Unique per stream.
    pub id: String,
    /// The user's display name in Crit-Fumble.
    pub user: String,
}

/// The connections of every game.
pub enum Presence {
    /// In this process: game → connection → expiry.
    Local(Mutex<HashMap<String, HashMap<Connection, Instant>>>),
    /// In Redis, under `{prefix}:vtt:presence:<vtt>:<game>`.
    Redis {
        /// The connection.
        connection: ConnectionManager,
        /// The key prefix.
        prefix: String,
    },
}

impl std::fmt::Debug for Presence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Presence::Local(_) => "Presence::Local",
            Presence::Redis { .. } => "Presence::Redis",
        })
    }
}

fn game_key(vtt: Vtt, game_id: &str) -> String {
    format!("{vtt}:{game_id}")
}

/// A Redis member: the id, a separator no id holds, the name.
fn member(connection: &Connection) -> String {
    format!("{}|{}", connection.id, connection.user)
}

impl Presence {
    /// Connections in this process.
    pub fn local() -> Presence {
        Presence::Local(Mutex::default())
    }

    /// Records (or refreshes) a connection for [`PRESENCE_TTL`].
    pub async fn refresh(&self, vtt: Vtt, game_id: &str, connection: &Connection) {
        match self {
            Presence::Local(games) => {
                let mut games = lock(games);
                let game = games.entry(game_key(vtt, game_id)).or_default();
                let now = Instant::now();
                if game.len() >= MAX_PER_GAME {
                    game.retain(|_, until| *until > now);
                }
                if game.len() < MAX_PER_GAME || game.contains_key(connection) {
                    game.insert(connection.clone(), now + PRESENCE_TTL);
                }
            }
            Presence::Redis {
                connection: redis,
                prefix,
            } => {
                let key = format!("{prefix}:vtt:presence:{}", game_key(vtt, game_id));
                let until = chrono::Utc::now().timestamp_millis()
                    + i64::try_from(PRESENCE_TTL.as_millis()).unwrap_or(i64::MAX);
                let done: Result<(), _> = redis::pipe()
                    .cmd("ZADD")
                    .arg(&key)
                    .arg(until)
                    .arg(member(connection))
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&key)
                    .arg(2 * PRESENCE_TTL.as_secs())
                    .ignore()
                    .query_async(&mut redis.clone())
                    .await;
                if let Err(error) = done {
                    tracing::warn!(%error, "cannot record an extension connection");
                }
            }
        }
    }

    /// Forgets a connection that closed.
    pub async fn leave(&self, vtt: Vtt, game_id: &str, connection: &Connection) {
        match self {
            Presence::Local(games) => {
                let mut games = lock(games);
                let key = game_key(vtt, game_id);
                if let Some(game) = games.get_mut(&key) {
                    game.remove(connection);
                    if game.is_empty() {
                        games.remove(&key);
                    }
                }
            }
            Presence::Redis {
                connection: redis,
                prefix,
            } => {
                let key = format!("{prefix}:vtt:presence:{}", game_key(vtt, game_id));
                let done: Result<(), _> = redis::cmd("ZREM")
                    .arg(&key)
                    .arg(member(connection))
                    .query_async(&mut redis.clone())
                    .await;
                if let Err(error) = done {
                    tracing::warn!(%error, "cannot forget an extension connection");
                }
            }
        }
    }

    /// The users with a live connection to the game, sorted, each once.
    pub async fn connected(&self, vtt: Vtt, game_id: &str) -> Vec<String> {
        let mut users: Vec<String> = match self {
            Presence::Local(games) => {
                let now = Instant::now();
                lock(games)
                    .get(&game_key(vtt, game_id))
                    .map(|game| {
                        game.iter()
                            .filter(|(_, until)| **until > now)
                            .map(|(connection, _)| connection.user.clone())
                            .collect()
                    })
                    .unwrap_or_default()
            }
            Presence::Redis {
                connection: redis,
                prefix,
            } => {
                let key = format!("{prefix}:vtt:presence:{}", game_key(vtt, game_id));
                let now = chrono::Utc::now().timestamp_millis();
                let members: Result<Vec<String>, _> = redis::cmd("ZRANGEBYSCORE")
                    .arg(&key)
                    .arg(now)
                    .arg("+inf")
                    .query_async(&mut redis.clone())
                    .await;
                members
                    .unwrap_or_else(|error| {
                        tracing::warn!(%error, "cannot read extension connections");
                        Vec::new()
                    })
                    .into_iter()
                    .filter_map(|member| member.split_once('|').map(|(_, user)| user.to_owned()))
                    .collect()
            }
        };
        users.sort();
        users.dedup();
        users
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
