//! `GET /vtt/events?vtt=&game_id=`: Server-Sent Events carrying Discord messages to one
//! game's VTT chat. Each game keeps its last 1,000 events, and any younger than 10 minutes,
//! in a ring in this process or in a Redis stream shared by every process, so that a
//! client reconnecting with `Last-Event-ID` (to this process or another) gets what it
//! missed and nothing twice; a client without it gets only what comes next. A comment keeps the connection alive every 15 s, and the first event
//! tells the client to reconnect after 3 s.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use critfumble_sdk::wire::{ErrorCode, Vtt, VttChatEvent};
use futures_util::Stream;
use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use serde::Deserialize;
use tokio::sync::broadcast;

use super::presence::{Connection, PRESENCE_REFRESH};
use crate::error::ApiError;
use crate::state::AppState;

/// Events kept per game.
pub const RING_EVENTS: usize = 1_000;
/// How long an event is kept at least, even past [`RING_EVENTS`].
pub const RING_AGE: Duration = Duration::from_secs(600);
/// The keep-alive comment's period.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// The reconnect delay suggested to clients.
pub const RETRY_HINT: Duration = Duration::from_secs(3);
/// The most events a ring holds however young they are (a flood's bound).
const RING_HARD_MAX: usize = 10_000;
/// How long one `XREAD` waits for new entries.
const READ_BLOCK: Duration = Duration::from_secs(5);
/// How long a game's Redis stream outlives its last event.
const STREAM_IDLE_TTL: Duration = Duration::from_secs(86_400);
/// Games with a ring; past it the idle rings go.
const MAX_GAMES: usize = 10_000;

struct Ring {
    next_id: u64,
    events: VecDeque<VttChatEvent>,
    live: broadcast::Sender<VttChatEvent>,
}

/// Every game's events: a ring per game in this process, or a Redis stream per game that
/// every process reads (`{prefix}:vtt:events:<vtt>:<game>`), so that a Discord message
/// received by one process reaches an extension connected to another.
pub struct EventHub(Backend);

enum Backend {
    /// In this process.
    Local(Mutex<HashMap<String, Ring>>),
    /// In Redis streams; each process reads a stream with one task while it has listeners.
    Redis(Arc<RedisEvents>),
}

/// The Redis side of an [`EventHub`].
struct RedisEvents {
    client: redis::Client,
    connection: ConnectionManager,
    prefix: String,
    readers: Mutex<HashMap<String, broadcast::Sender<VttChatEvent>>>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match &self.0 {
            Backend::Local(_) => "EventHub::Local",
            Backend::Redis(_) => "EventHub::Redis",
        })
    }
}

/// Why an event could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Redis refused or is unreachable.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The event did not encode.
    #[error("encoding: {0}")]
    Encode(#[from] serde_json::Error),
}

fn game_key(vtt: Vtt, game_id: &str) -> String {
    format!("{vtt}:{game_id}")
}

/// An event id as a comparable pair: Redis stream ids are `<ms>-<seq>`, local ids `<n>`.
pub fn cursor(id: &str) -> Option<(u64, u64)> {
    match id.split_once('-') {
        Some((millis, sequence)) => Some((millis.parse().ok()?, sequence.parse().ok()?)),
        None => Some((id.parse().ok()?, 0)),
    }
}

fn event_cursor(event: &VttChatEvent) -> (u64, u64) {
    cursor(&event.id).unwrap_or_default()
}

impl EventHub {
    /// Events in this process.
    pub fn local() -> EventHub {
        EventHub(Backend::Local(Mutex::default()))
    }

    /// Events in Redis streams under `{prefix}:vtt:events:…`.
    pub fn redis(client: redis::Client, connection: ConnectionManager, prefix: &str) -> EventHub {
        EventHub(Backend::Redis(Arc::new(RedisEvents {
            client,
            connection,
            prefix: prefix.to_owned(),
            readers: Mutex::default(),
        })))
    }

    /// Publishes a Discord message to a game: made safe for Roll20 and Foundry, numbered,
    /// kept, and sent to every connected client. Returns the event.
    pub async fn publish(
        &self,
        vtt: Vtt,
        game_id: &str,
        author: &str,
        text: &str,
        sent_at: DateTime<Utc>,
    ) -> Result<VttChatEvent, PublishError> {
        let message = critfumble_vtt::DiscordMessage {
            author,
            content: text,
        };
        let mut event = VttChatEvent {
            id: String::new(),
            author: author.to_owned(),
            text: text.to_owned(),
            roll20: critfumble_vtt::to_roll20(&message),
            foundry: critfumble_vtt::to_foundry(&message).content,
            sent_at,
        };
        match &self.0 {
            Backend::Local(games) => {
                let mut games = lock(games);
                if games.len() >= MAX_GAMES {
                    games.retain(|_, ring| ring.live.receiver_count() > 0);
                }
                let ring = games.entry(game_key(vtt, game_id)).or_insert_with(new_ring);
                event.id = ring.next_id.to_string();
                ring.next_id += 1;
                ring.events.push_back(event.clone());
                trim(&mut ring.events);
                // Nobody listening is fine: the ring keeps it.
                let _ = ring.live.send(event.clone());
            }
            Backend::Redis(redis) => {
                let stream = redis.stream(vtt, game_id);
                // A game quiet for a day has nothing left worth replaying: its stream goes.
                let (id,): (String,) = redis::pipe()
                    .cmd("XADD")
                    .arg(&stream)
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(RING_HARD_MAX)
                    .arg("*")
                    .arg("event")
                    .arg(serde_json::to_string(&event)?)
                    .cmd("EXPIRE")
                    .arg(&stream)
                    .arg(STREAM_IDLE_TTL.as_secs())
                    .ignore()
                    .query_async(&mut redis.connection.clone())
                    .await?;
                event.id = id;
            }
        }
        Ok(event)
    }

    /// The events after `last` still kept, and a receiver of the ones to come, taken so
    /// that none falls between them (the receiver first; the caller skips what it sent).
    async fn subscribe(
        &self,
        vtt: Vtt,
        game_id: &str,
        last: Option<(u64, u64)>,
    ) -> Result<(Vec<VttChatEvent>, broadcast::Receiver<VttChatEvent>), redis::RedisError> {
        match &self.0 {
            Backend::Local(games) => {
                let mut games = lock(games);
                let ring = games.entry(game_key(vtt, game_id)).or_insert_with(new_ring);
                let missed = match last {
                    Some(last) => ring
                        .events
                        .iter()
                        .filter(|event| event_cursor(event) > last)
                        .cloned()
                        .collect(),
                    None => Vec::new(),
                };
                Ok((missed, ring.live.subscribe()))
            }
            Backend::Redis(redis) => {
                // A new reader starts after the newest entry now, so that nothing published
                // from here on is missed by this client.
                let newest =
                    latest_id(&mut redis.connection.clone(), &redis.stream(vtt, game_id)).await?;
                let live = RedisEvents::listen(redis, vtt, game_id, newest);
                let missed = match last {
                    Some((millis, sequence)) => {
                        let reply: StreamRangeReply = redis::cmd("XRANGE")
                            .arg(redis.stream(vtt, game_id))
                            .arg(format!("({millis}-{sequence}"))
                            .arg("+")
                            .arg("COUNT")
                            .arg(RING_HARD_MAX)
                            .query_async(&mut redis.connection.clone())
                            .await?;
                        reply.ids.iter().filter_map(stream_event).collect()
                    }
                    None => Vec::new(),
                };
                Ok((missed, live))
            }
        }
    }
}

fn new_ring() -> Ring {
    Ring {
        next_id: 1,
        events: VecDeque::new(),
        live: broadcast::channel(256).0,
    }
}

/// Keeps the last [`RING_EVENTS`] events and any younger than [`RING_AGE`], but never more
/// than [`RING_HARD_MAX`].
fn trim(events: &mut VecDeque<VttChatEvent>) {
    let now = Utc::now();
    while events.len() > RING_EVENTS
        && events
            .front()
            .is_some_and(|oldest| (now - oldest.sent_at).to_std().unwrap_or_default() > RING_AGE)
    {
        events.pop_front();
    }
    while events.len() > RING_HARD_MAX {
        events.pop_front();
    }
}

/// A stream entry as the event it holds, with the entry's id.
fn stream_event(entry: &StreamId) -> Option<VttChatEvent> {
    let json: String = entry.get("event")?;
    let mut event: VttChatEvent = serde_json::from_str(&json).ok()?;
    event.id = entry.id.clone();
    Some(event)
}

impl RedisEvents {
    fn stream(&self, vtt: Vtt, game_id: &str) -> String {
        format!("{}:vtt:events:{}", self.prefix, game_key(vtt, game_id))
    }

    /// A receiver of the game's new events, starting this process's reader of its stream
    /// when there is none.
    fn listen(
        this: &Arc<RedisEvents>,
        vtt: Vtt,
        game_id: &str,
        newest: String,
    ) -> broadcast::Receiver<VttChatEvent> {
        let key = game_key(vtt, game_id);
        let mut readers = lock(&this.readers);
        if let Some(sender) = readers.get(&key) {
            return sender.subscribe();
        }
        let (sender, receiver) = broadcast::channel(256);
        readers.insert(key.clone(), sender.clone());
        tokio::spawn(Self::read(
            this.clone(),
            key,
            this.stream(vtt, game_id),
            newest,
            sender,
        ));
        receiver
    }

    /// Reads the stream with `XREAD BLOCK` on a connection of its own, after `newest`, and
    /// passes each entry on; stops once nobody listens.
    async fn read(
        this: Arc<RedisEvents>,
        key: String,
        stream: String,
        newest: String,
        sender: broadcast::Sender<VttChatEvent>,
    ) {
        let mut last = newest;
        let mut connection = None;
        loop {
            if sender.receiver_count() == 0 {
                let mut readers = lock(&this.readers);
                if sender.receiver_count() == 0 {
                    readers.remove(&key);
                    return;
                }
            }
            let open = match connection.take() {
                Some(open) => Ok(open),
                None => this.client.get_multiplexed_async_connection().await,
            };
            let mut open: MultiplexedConnection = match open {
                Ok(mut open) => {
                    open.set_response_timeout(READ_BLOCK + Duration::from_secs(5));
                    open
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot reach redis for vtt events");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let reply: Result<Option<StreamReadReply>, _> = redis::cmd("XREAD")
                .arg("BLOCK")
                .arg(READ_BLOCK.as_millis().to_string())
                .arg("COUNT")
                .arg(256)
                .arg("STREAMS")
                .arg(&stream)
                .arg(&last)
                .query_async(&mut open)
                .await;
            match reply {
                Ok(reply) => {
                    for entry in reply
                        .iter()
                        .flat_map(|reply| &reply.keys)
                        .flat_map(|key| &key.ids)
                    {
                        last = entry.id.clone();
                        if let Some(event) = stream_event(entry) {
                            let _ = sender.send(event);
                        }
                    }
                    connection = Some(open);
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot read vtt events from redis");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// The id of the stream's newest entry, or `0-0` for an empty stream.
async fn latest_id(
    connection: &mut impl redis::aio::ConnectionLike,
    stream: &str,
) -> Result<String, redis::RedisError> {
    let reply: StreamRangeReply = redis::cmd("XREVRANGE")
        .arg(stream)
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(1)
        .query_async(connection)
        .await?;
    Ok(reply
        .ids
        .first()
        .map_or_else(|| "0-0".to_owned(), |entry| entry.id.clone()))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The query string of `GET /vtt/events`.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    /// The VTT.
    pub vtt: Vtt,
    /// The game.
    pub game_id: String,
}

fn sse_event(event: &VttChatEvent) -> Event {
    Event::default()
        .id(event.id.clone())
        .event("discord_message")
        .json_data(event)
        .unwrap_or_else(|_| Event::default().comment("unencodable event"))
}

/// `GET /vtt/events`: the caller must be a member of the game's campaign.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: super::auth::Peer,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let user = super::auth::caller(
        &state,
        &headers,
        super::auth::peer_ip(&peer),
        super::BridgeRoute::Events,
    )
    .await?;
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(ErrorCode::BadRequest, rejection.body_text()).field("vtt")
    })?;
    super::game::campaign_for(&state, &user, query.vtt, &query.game_id).await?;
    let last = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|text| cursor(text.trim()))
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::BadRequest,
                        "last-event-id must be an event id this server sent",
                    )
                    .field("last-event-id")
                })?,
        ),
    };
    let (missed, mut live) = state
        .bridge()
        .hub()
        .subscribe(query.vtt, &query.game_id, last)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "cannot read vtt events");
            ApiError::new(ErrorCode::Unavailable, "the events cannot be read now").retry_after(3)
        })?;
    let mut sent_up_to = missed.last().map(event_cursor).or(last).unwrap_or_default();
    let connection = Connection {
        id: uuid::Uuid::new_v4().simple().to_string(),
        user: user.name.clone(),
    };
    let (vtt, game_id) = (query.vtt, query.game_id);
    state
        .bridge()
        .presence()
        .refresh(vtt, &game_id, &connection)
        .await;
    let stream = async_stream(move |sender| async move {
        let presence = state.bridge().presence();
        let delivered = async {
            let hello = Event::default().retry(RETRY_HINT).comment("connected");
            sender.send(Ok(hello)).await.ok()?;
            for event in &missed {
                sender.send(Ok(sse_event(event))).await.ok()?;
            }
            let mut refresh = tokio::time::interval(PRESENCE_REFRESH);
            refresh.tick().await;
            loop {
                tokio::select! {
                    received = live.recv() => match received {
                        Ok(event) if event_cursor(&event) > sent_up_to => {
                            sent_up_to = event_cursor(&event);
                            sender.send(Ok(sse_event(&event))).await.ok()?;
                        }
                        Ok(_) => {}
                        // A client too slow for 256 events: it reconnects with Last-Event-ID
                        // and the ring gives it what it missed.
                        Err(_) => return None,
                    },
                    _ = refresh.tick() => {
                        if sender.is_closed() {
                            return None;
                        }
                        presence.refresh(vtt, &game_id, &connection).await;
                    }
                }
            }
        };
        let _: Option<()> = delivered.await;
        presence.leave(vtt, &game_id, &connection).await;
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive")))
}

/// A stream fed by a task through a small channel; the task stops when the client goes.
fn async_stream<F, Fut>(produce: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<Event, Infallible>>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    tokio::spawn(produce(sender));
    tokio_stream_from(receiver)
}

fn tokio_stream_from(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Event, Infallible>>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::poll_fn(move |context| receiver.poll_recv(context))
}
