//! The Discord Activity (the shared dice table): the bodies of `POST /activity/api/token`
//! and `GET /activity/api/saved`, and the messages of its WebSocket
//! (`/activity/api/socket`), which FumbleBot also relays between its processes through
//! Redis.
//!
//! On the socket the browser sends [`TableClientMessage`]s (a `join` first, then `roll`s)
//! and FumbleBot sends [`TableServerMessage`]s. FumbleBot closes the socket with one of the
//! [`close`] codes, and a reason sentence, when the session or the message is bad.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{RollSource, RolledNode, check_text};
use crate::SdkError;

/// The longest expression the table rolls, in characters (as `NewRoll::expression`).
pub const TABLE_EXPRESSION_MAX_CHARS: usize = 1_000;
/// The longest text message the socket reads, in bytes; a longer one closes the socket
/// with [`close::MALFORMED`].
pub const TABLE_MESSAGE_MAX_BYTES: usize = 8 * 1024;

/// The WebSocket close codes of the table (the 4000–4999 range is the application's).
pub mod close {
    /// The session token is not one FumbleBot issued (a bad signature or shape).
    pub const BAD_SESSION: u16 = 4001;
    /// The session token has expired: exchange a new code.
    pub const SESSION_EXPIRED: u16 = 4002;
    /// Discord does not list the user in that activity instance.
    pub const NOT_IN_INSTANCE: u16 = 4003;
    /// A message was not JSON, not a known message, too long, or out of order.
    pub const MALFORMED: u16 = 4004;
    /// No `join` came within the time allowed after the socket opened.
    pub const JOIN_TIMEOUT: u16 = 4005;
    /// Discord or the shared room state could not be reached: try again later.
    pub const UNAVAILABLE: u16 = 4006;
    /// The client fell too far behind the room's feed: reconnect with `since` to get what
    /// it missed.
    pub const LAGGED: u16 = 4007;
}

/// `GET /activity/api/config`: what the app needs before it can talk to Discord.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableConfig {
    /// The application's OAuth2 client id, for the SDK and `authorize`; `null` when
    /// FumbleBot has none configured.
    pub client_id: Option<String>,
}

/// The body of `POST /activity/api/token`: the code `authorize` gave the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableTokenRequest {
    /// The OAuth2 authorization code (at most 200 characters).
    pub code: String,
}

impl TableTokenRequest {
    /// Checks the code's size.
    pub fn validate(&self) -> Result<(), SdkError> {
        check_text("code", &self.code, 200)
    }
}

/// A Discord user as the table shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableUser {
    /// The Discord user id (a snowflake).
    pub id: String,
    /// The name shown: the global name, or the username.
    pub name: String,
    /// The avatar hash, if any.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// FumbleBot's answer to [`TableTokenRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTokenResponse {
    /// Discord's access token, for the SDK's `authenticate` command.
    pub access_token: String,
    /// FumbleBot's own session for this user: the socket's `join` presents it.
    pub session: String,
    /// When the session expires.
    pub expires_at: DateTime<Utc>,
    /// Who Discord says the user is (`GET /users/@me` with the access token).
    pub user: TableUser,
}

/// One quick button: a saved roll of the user's, from Core.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSavedRoll {
    /// The name it was saved under.
    pub name: String,
    /// The expression.
    pub expression: String,
}

/// What the browser sends on the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum TableClientMessage {
    /// The first message: who (the session) joins which activity instance. `since` is the
    /// `seq` of the last roll the client has, when it reconnects: the rolls after it come
    /// back in [`TableServerMessage::Joined`].
    Join {
        /// The session from [`TableTokenResponse`].
        session: String,
        /// The SDK's `instanceId`.
        instance_id: String,
        /// The last roll's `seq` the client holds.
        #[serde(default)]
        since: Option<u64>,
    },
    /// Roll this expression for everyone at the table.
    Roll {
        /// The dice notation (1 to 1,000 characters).
        expression: String,
    },
}

/// What FumbleBot sends on the socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TableServerMessage {
    /// The answer to `join`: the rolls the client does not have yet (all kept ones on a
    /// first join, those after `since` on a reconnect), oldest first, and who is there.
    Joined {
        /// The instance joined.
        instance_id: String,
        /// The user, as the session names them.
        you: TableUser,
        /// The rolls.
        rolls: Vec<TableRoll>,
        /// Who is at the table.
        participants: Vec<TableParticipant>,
    },
    /// A roll made at the table or with `/roll` in the instance's channel, with the
    /// roller's luck after it (absent when the roller is not at the table), so that a roll
    /// is one message to each socket.
    Roll {
        /// The roll.
        roll: TableRoll,
        /// The roller's luck, this roll included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        luck: Option<TableLuck>,
    },
    /// Who is at the table now, with their luck (sent when someone joins or leaves).
    Participants {
        /// Everyone present.
        participants: Vec<TableParticipant>,
    },
    /// A roll that was not made: a bad expression (with its position) or too many rolls.
    Refused {
        /// The sentence to show.
        message: String,
        /// For a rate limit: when to try again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
}

/// One roll on the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRoll {
    /// Its place in the room's log: 1, 2, 3… in the order rolled.
    pub seq: u64,
    /// Who rolled.
    pub user: TableUser,
    /// `activity` for the table, `discord` for `/roll` in the channel.
    pub source: RollSource,
    /// The expression as typed.
    pub expression: String,
    /// The label (the expression's comment), if any.
    #[serde(default)]
    pub label: Option<String>,
    /// The total.
    pub total: f64,
    /// Every die, in the order rolled.
    pub dice: Vec<TableDie>,
    /// The roll as the engine writes it in Markdown.
    pub markdown: String,
    /// When it was rolled.
    pub rolled_at: DateTime<Utc>,
}

/// One die of a [`TableRoll`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDie {
    /// Its faces when they are a plain number (`20`); `null` for `dF`, `d%` is 100.
    pub faces: Option<u64>,
    /// What it shows.
    pub value: i64,
    /// Whether it counts toward the total.
    pub kept: bool,
    /// It shows its highest face.
    pub critical: bool,
    /// It shows its lowest face.
    pub fumble: bool,
}

impl TableDie {
    /// Every die of a rolled tree, in the order the engine lists them.
    pub fn all_in(tree: &RolledNode) -> Vec<TableDie> {
        tree.dice_nodes()
            .flat_map(|dice| {
                let faces = match &dice.faces {
                    super::DiceFaces::Literal(faces) => Some(*faces),
                    super::DiceFaces::Percent => Some(100),
                    super::DiceFaces::Fate | super::DiceFaces::Rolled(_) => None,
                };
                dice.dice.iter().map(move |die| TableDie {
                    faces,
                    value: die.value,
                    kept: die.kept,
                    critical: die.critical,
                    fumble: die.fumble,
                })
            })
            .collect()
    }
}

/// Someone at the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableParticipant {
    /// Who.
    pub user: TableUser,
    /// Their dice this session.
    pub luck: TableLuck,
}

/// A participant's dice since the room opened.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TableLuck {
    /// Kept dice with numbered faces from 1 (`d20`, `d%`) rolled at the table.
    pub dice: u64,
    /// Where those dice landed between their lowest face (0) and their highest (1), on
    /// average: 0.5 is average luck. `null` before the first die.
    pub score: Option<f64>,
    /// Kept dice that showed their highest face.
    pub criticals: u64,
    /// Kept dice that showed their lowest face.
    pub fumbles: u64,
}

impl TableLuck {
    /// The luck after `roll`'s dice too.
    pub fn with(self, dice: &[TableDie]) -> TableLuck {
        let mut luck = self;
        let mut sum = self.score.unwrap_or(0.0) * self.dice as f64;
        for die in dice.iter().filter(|die| die.kept) {
            luck.criticals += u64::from(die.critical);
            luck.fumbles += u64::from(die.fumble);
            if let Some(faces) = die.faces.filter(|faces| *faces >= 2) {
                let place = (die.value - 1) as f64 / (faces - 1) as f64;
                sum += place.clamp(0.0, 1.0);
                luck.dice += 1;
            }
        }
        if luck.dice > 0 {
            luck.score = Some(sum / luck.dice as f64);
        }
        luck
    }
}
