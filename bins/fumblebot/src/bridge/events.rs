//! `GET /vtt/events?vtt=&game_id=`: Server-Sent Events carrying Discord messages to one
//! game's VTT chat. Each game keeps its last 1,000 events for at least 10 minutes in a ring
//! in this process, so that a client reconnecting with `Last-Event-ID` gets what it missed
//! and nothing twice. A comment keeps the connection alive every 15 s, and the first event
//! tells the client to reconnect after 3 s.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use critfumble_sdk::wire::{ErrorCode, Vtt, VttChatEvent};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast;

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
/// Games with a ring; past it the idle rings go.
const MAX_GAMES: usize = 10_000;

struct Ring {
    next_id: u64,
    events: VecDeque<VttChatEvent>,
    live: broadcast::Sender<VttChatEvent>,
}

/// Every game's ring and live channel.
#[derive(Default)]
pub struct EventHub {
    games: Mutex<HashMap<String, Ring>>,
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub").finish_non_exhaustive()
    }
}

fn game_key(vtt: Vtt, game_id: &str) -> String {
    format!("{vtt}:{game_id}")
}

impl EventHub {
    /// Publishes a Discord message to a game: made safe for Roll20 and Foundry, numbered,
    /// kept in the ring and sent to every connected client. Returns the event.
    pub fn publish(
        &self,
        vtt: Vtt,
        game_id: &str,
        author: &str,
        text: &str,
        sent_at: DateTime<Utc>,
    ) -> VttChatEvent {
        let message = critfumble_vtt::DiscordMessage {
            author,
            content: text,
        };
        let roll20 = critfumble_vtt::to_roll20(&message);
        let foundry = critfumble_vtt::to_foundry(&message).content;
        let mut games = lock(&self.games);
        if games.len() >= MAX_GAMES {
            games.retain(|_, ring| ring.live.receiver_count() > 0);
        }
        let ring = games.entry(game_key(vtt, game_id)).or_insert_with(|| Ring {
            next_id: 1,
            events: VecDeque::new(),
            live: broadcast::channel(256).0,
        });
        let event = VttChatEvent {
            id: ring.next_id.to_string(),
            author: author.to_owned(),
            text: text.to_owned(),
            roll20,
            foundry,
            sent_at,
        };
        ring.next_id += 1;
        ring.events.push_back(event.clone());
        let now = Utc::now();
        while ring.events.len() > RING_EVENTS
            && ring.events.front().is_some_and(|oldest| {
                (now - oldest.sent_at).to_std().unwrap_or_default() > RING_AGE
            })
        {
            ring.events.pop_front();
        }
        while ring.events.len() > RING_HARD_MAX {
            ring.events.pop_front();
        }
        // Nobody listening is fine: the ring keeps it.
        let _ = ring.live.send(event.clone());
        event
    }

    /// The events after `last_id` still in the ring, and a receiver of the ones to come,
    /// taken together so that none falls between them.
    fn subscribe(
        &self,
        vtt: Vtt,
        game_id: &str,
        last_id: u64,
    ) -> (Vec<VttChatEvent>, broadcast::Receiver<VttChatEvent>) {
        let mut games = lock(&self.games);
        let ring = games.entry(game_key(vtt, game_id)).or_insert_with(|| Ring {
            next_id: 1,
            events: VecDeque::new(),
            live: broadcast::channel(256).0,
        });
        let missed = ring
            .events
            .iter()
            .filter(|event| event_number(event) > last_id)
            .cloned()
            .collect();
        (missed, ring.live.subscribe())
    }
}

fn event_number(event: &VttChatEvent) -> u64 {
    event.id.parse().unwrap_or(0)
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
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let user = super::auth::caller(&state, &headers).await?;
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(ErrorCode::BadRequest, rejection.body_text()).field("vtt")
    })?;
    super::game::campaign_for(&state, &user, query.vtt, &query.game_id).await?;
    let last_id = match headers.get("last-event-id") {
        None => 0,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::BadRequest,
                    "last-event-id must be an event id this server sent",
                )
                .field("last-event-id")
            })?,
    };
    let (missed, mut live) = state
        .bridge()
        .hub()
        .subscribe(query.vtt, &query.game_id, last_id);
    let mut sent_up_to = missed.last().map_or(last_id, event_number);
    let stream = async_stream(move |sender| async move {
        let hello = Event::default().retry(RETRY_HINT).comment("connected");
        if sender.send(Ok(hello)).await.is_err() {
            return;
        }
        for event in &missed {
            if sender.send(Ok(sse_event(event))).await.is_err() {
                return;
            }
        }
        loop {
            match live.recv().await {
                Ok(event) if event_number(&event) > sent_up_to => {
                    sent_up_to = event_number(&event);
                    if sender.send(Ok(sse_event(&event))).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // A client too slow for 256 events: it reconnects with Last-Event-ID and
                // the ring gives it what it missed.
                Err(broadcast::error::RecvError::Lagged(_)) => return,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
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
