//! `GET /activity/api/socket`: the table's WebSocket. The first message must be a `join`
//! with FumbleBot's session and the instance id; the session is checked, and Discord is
//! asked whether that user is in that instance (which also says its channel). Then the
//! socket gets the rolls it missed and the participants, and from then on every roll and
//! change of the room; its `roll`s are rolled here, rate-limited per user.
//!
//! Anything wrong on the socket (a forged or expired session, an instance the user is not
//! in, a message that is not one of ours) closes that socket with a [`close`] code and a
//! reason, and nothing else: the room and its other sockets go on. A user who leaves the
//! instance (Discord no longer lists them) is closed out the same way: each socket asks
//! again once per lifetime of the instance list (`--activity-instance-ttl-ms`), so within
//! two of them. If Discord cannot be asked then, a user already at the table stays.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use critfumble_sdk::wire::{
    TABLE_MESSAGE_MAX_BYTES, TableClientMessage, TableServerMessage, TableUser,
    table_close as close,
};
use tokio::sync::broadcast::error::RecvError;

use super::discord_api::DiscordApiError;
use super::session::SessionError;
use super::table;
use crate::outbox::{DiscordActor, OutboxEntry, OutboxItem};
use crate::ratelimit::Verdict;
use crate::state::AppState;

/// How long a new socket has to send its `join`.
pub const JOIN_WAIT: Duration = Duration::from_secs(10);

/// Upgrades to the table's socket.
pub async fn upgrade(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .max_message_size(TABLE_MESSAGE_MAX_BYTES)
        .max_frame_size(TABLE_MESSAGE_MAX_BYTES)
        .on_upgrade(move |socket| serve(state, socket))
}

/// Why a socket is being closed.
struct Closing {
    code: u16,
    reason: &'static str,
}

fn closing(code: u16, reason: &'static str) -> Closing {
    Closing { code, reason }
}

async fn serve(state: AppState, mut socket: WebSocket) {
    if let Err(closing) = run(&state, &mut socket).await {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code: closing.code,
                reason: Utf8Bytes::from_static(closing.reason),
            })))
            .await;
    }
}

/// The socket's life; `Err` says how to close it, `Ok` that the client went away.
async fn run(state: &AppState, socket: &mut WebSocket) -> Result<(), Closing> {
    let first = match tokio::time::timeout(JOIN_WAIT, socket.recv()).await {
        Err(_) => return Err(closing(close::JOIN_TIMEOUT, "join within 10 seconds")),
        Ok(None | Some(Err(_))) => return Ok(()),
        Ok(Some(Ok(message))) => message,
    };
    let Some(TableClientMessage::Join {
        session,
        instance_id,
        since,
    }) = read(first)?
    else {
        return Err(closing(
            close::MALFORMED,
            "the first message must be a join",
        ));
    };
    let activity = state.activity();
    let claims = activity
        .sessions()
        .verify(&session, chrono::Utc::now())
        .map_err(|error| match error {
            SessionError::Invalid => closing(close::BAD_SESSION, "not a valid session"),
            SessionError::Expired => closing(close::SESSION_EXPIRED, "the session expired"),
        })?;
    let user = claims.user;
    let channel_id = activity
        .channel_of(&instance_id, &user.id)
        .await
        .map_err(|error| match error {
            DiscordApiError::NoInstance | DiscordApiError::Refused { .. } => closing(
                close::NOT_IN_INSTANCE,
                "you are not in that activity instance",
            ),
            DiscordApiError::Unavailable(message) => {
                tracing::warn!(%message, "cannot ask discord about an activity instance");
                closing(close::UNAVAILABLE, "discord cannot be reached: try again")
            }
            DiscordApiError::NotConfigured(what) => {
                tracing::error!(what, "the activity cannot check instances");
                closing(close::UNAVAILABLE, "the activity is not configured")
            }
        })?
        .ok_or_else(|| {
            closing(
                close::NOT_IN_INSTANCE,
                "you are not in that activity instance",
            )
        })?;
    let rooms = activity.rooms();
    let joined = rooms
        .join(&instance_id, &channel_id, &user, since)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "cannot join an activity room");
            closing(close::UNAVAILABLE, "the table cannot be reached: try again")
        })?;
    let result = in_room(state, socket, &instance_id, &channel_id, &user, joined).await;
    if let Err(error) = rooms.leave(&instance_id, &user.id).await {
        tracing::warn!(%error, "cannot leave an activity room");
    }
    result
}

async fn in_room(
    state: &AppState,
    socket: &mut WebSocket,
    instance_id: &str,
    channel_id: &str,
    user: &TableUser,
    joined: super::room::Joined,
) -> Result<(), Closing> {
    let mut feed = joined.feed;
    let mut recheck = tokio::time::interval(state.activity().instance_ttl());
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // An interval's first tick is at once; the join has just checked.
    recheck.tick().await;
    send(
        socket,
        &TableServerMessage::Joined {
            instance_id: instance_id.to_owned(),
            you: user.clone(),
            rolls: joined.rolls,
            participants: joined.participants,
        },
    )
    .await?;
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let message = match incoming {
                    None | Some(Err(_)) => return Ok(()),
                    Some(Ok(message)) => message,
                };
                match read(message)? {
                    None => {}
                    Some(TableClientMessage::Join { .. }) => {
                        return Err(closing(close::MALFORMED, "already joined"));
                    }
                    Some(TableClientMessage::Roll { expression }) => {
                        if let Some(refused) =
                            roll(state, instance_id, channel_id, user, &expression).await
                        {
                            send(socket, &refused).await?;
                        }
                    }
                }
            }
            _ = recheck.tick() => still_in(state, instance_id, user).await?,
            fed = feed.recv() => match fed {
                Ok(text) => {
                    if socket.send(Message::Text(Utf8Bytes::from(&*text))).await.is_err() {
                        return Ok(());
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    return Err(closing(close::LAGGED, "fell behind: reconnect with since"));
                }
                Err(RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// `Err` closes the socket of a user Discord no longer lists in the instance (or whose
/// instance has ended). When Discord cannot be asked, the user stays: they were checked
/// when they joined.
async fn still_in(state: &AppState, instance_id: &str, user: &TableUser) -> Result<(), Closing> {
    let left = || closing(close::NOT_IN_INSTANCE, "you left that activity instance");
    match state.activity().channel_of(instance_id, &user.id).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) | Err(DiscordApiError::NoInstance | DiscordApiError::Refused { .. }) => {
            Err(left())
        }
        Err(DiscordApiError::Unavailable(message)) => {
            tracing::warn!(%message, "cannot recheck an activity instance's users");
            Ok(())
        }
        Err(DiscordApiError::NotConfigured(what)) => {
            tracing::error!(what, "the activity cannot check instances");
            Ok(())
        }
    }
}

/// Rolls for the table; `Some` is the refusal to send back to this socket only.
async fn roll(
    state: &AppState,
    instance_id: &str,
    channel_id: &str,
    user: &TableUser,
    expression: &str,
) -> Option<TableServerMessage> {
    let activity = state.activity();
    if let Verdict::Limited { retry_after_secs } = state
        .limiter()
        .check_key(
            &format!("activity:roll:{}", user.id),
            activity.roll_rate(),
            Duration::from_secs(1),
        )
        .await
    {
        return Some(TableServerMessage::Refused {
            message: "Easy there: too many rolls at once.".to_owned(),
            retry_after_ms: Some(retry_after_secs * 1_000),
        });
    }
    let made = match table::roll(state.core(), expression, user, channel_id) {
        Ok(made) => made,
        Err(message) => {
            return Some(TableServerMessage::Refused {
                message,
                retry_after_ms: None,
            });
        }
    };
    let entry = OutboxEntry {
        idempotency_key: format!("activity:{}", uuid::Uuid::new_v4()),
        actor: DiscordActor {
            discord_id: user.id.clone(),
            name: user.name.clone(),
            avatar: user.avatar.clone(),
        },
        item: OutboxItem::Roll(Box::new(made.report)),
    };
    // Written down before anyone sees it, as a Discord roll is.
    if let Err(error) = state.outbox().append(&entry).await {
        tracing::error!(%error, "cannot write a table roll to the outbox");
        return Some(TableServerMessage::Refused {
            message: "FumbleBot cannot record rolls right now, so it did not roll. Try again \
                      in a moment."
                .to_owned(),
            retry_after_ms: None,
        });
    }
    state.wake_outbox();
    match activity.rooms().roll(instance_id, made.roll).await {
        Ok(_) => None,
        Err(error) => {
            tracing::warn!(%error, "cannot add a roll to an activity room");
            Some(TableServerMessage::Refused {
                message: "The roll was made and recorded, but the table cannot be reached to \
                          show it."
                    .to_owned(),
                retry_after_ms: None,
            })
        }
    }
}

/// A client message; `None` for a ping or pong; `Err` closes the socket.
fn read(message: Message) -> Result<Option<TableClientMessage>, Closing> {
    match message {
        Message::Text(text) => serde_json::from_str(text.as_str())
            .map(Some)
            .map_err(|_| closing(close::MALFORMED, "not a message of the table")),
        Message::Ping(_) | Message::Pong(_) => Ok(None),
        Message::Binary(_) => Err(closing(close::MALFORMED, "the table speaks text")),
        Message::Close(_) => Err(closing(1000, "goodbye")),
    }
}

async fn send(socket: &mut WebSocket, message: &TableServerMessage) -> Result<(), Closing> {
    let text =
        serde_json::to_string(message).map_err(|_| closing(1011, "a message did not encode"))?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|_| closing(1000, "gone"))
}
