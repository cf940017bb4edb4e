//! What a command gives back, and how it reaches Discord by either way in.
//!
//! A command answers [`Reply::Now`] when it has the answer at once (a roll: nothing waits on
//! Core), or [`Reply::Later`] when it waits on Core or a model: the interaction is deferred
//! within Discord's 3 seconds, and the original response is edited once the work is done
//! (with follow-up messages for text past 2,000 characters). Every message is built here,
//! with its content clipped to Discord's limit and no mention allowed to ping.

use futures_util::future::BoxFuture;
use serenity::all::{
    CreateAllowedMentions, CreateAttachment, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, EditInteractionResponse,
    Http,
};
use serenity::builder::Builder;

use super::text::{MAX_CONTENT_CHARS, clip, split_messages};

/// A command's answer.
pub enum Reply {
    /// The interaction response, sent at once.
    Now(Box<CreateInteractionResponse>),
    /// Deferred (ephemerally or not), then finished by `work`.
    Later {
        /// Whether the deferred response (and so the answer) is visible only to the user.
        ephemeral: bool,
        /// The work; its result edits the original response.
        work: BoxFuture<'static, Followup>,
    },
}

impl Reply {
    /// An immediate response.
    pub fn now(response: CreateInteractionResponse) -> Reply {
        Reply::Now(Box::new(response))
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reply::Now(response) => f.debug_tuple("Now").field(response).finish(),
            Reply::Later { ephemeral, .. } => f
                .debug_struct("Later")
                .field("ephemeral", ephemeral)
                .finish(),
        }
    }
}

/// No mention in FumbleBot's messages pings anyone: not `@everyone`, not a role, not a user.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
}

/// A message with `content` clipped to Discord's limit and mentions disabled.
pub fn message(content: &str) -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new()
        .content(clip(content, MAX_CONTENT_CHARS))
        .allowed_mentions(no_mentions())
}

/// A message everyone in the channel sees.
pub fn say(content: &str) -> Reply {
    Reply::now(CreateInteractionResponse::Message(message(content)))
}

/// A message only the user sees.
pub fn whisper(content: &str) -> Reply {
    Reply::now(CreateInteractionResponse::Message(
        message(content).ephemeral(true),
    ))
}

/// The end of a deferred command: the edit of the original response, and more messages.
#[derive(Debug)]
pub struct Followup {
    edit: EditInteractionResponse,
    more: Vec<CreateInteractionResponseFollowup>,
}

impl Followup {
    /// Text; past 2,000 characters, the rest goes in follow-up messages. `ephemeral` must
    /// match the deferral (follow-ups carry the flag themselves).
    pub fn text(content: &str, ephemeral: bool) -> Followup {
        let mut pieces = split_messages(content).into_iter();
        let first = pieces.next().unwrap_or_default();
        Followup {
            edit: EditInteractionResponse::new()
                .content(first)
                .allowed_mentions(no_mentions()),
            more: pieces
                .map(|piece| {
                    CreateInteractionResponseFollowup::new()
                        .content(piece)
                        .ephemeral(ephemeral)
                        .allowed_mentions(no_mentions())
                })
                .collect(),
        }
    }

    /// Text (clipped to one message) with a file attached.
    pub fn with_file(content: &str, file: CreateAttachment) -> Followup {
        Followup {
            edit: EditInteractionResponse::new()
                .content(clip(content, MAX_CONTENT_CHARS))
                .allowed_mentions(no_mentions())
                .new_attachment(file),
            more: Vec::new(),
        }
    }

    /// An edit built by the command itself (say, with components); mentions stay disabled.
    pub fn edit(edit: EditInteractionResponse) -> Followup {
        Followup {
            edit: edit.allowed_mentions(no_mentions()),
            more: Vec::new(),
        }
    }

    /// Edits the original response and sends the follow-ups, through Discord's REST API.
    pub async fn send(self, http: &Http, token: &str) {
        // Over the HTTP endpoint, fast work can finish before Discord has read the
        // deferral that the HTTP response carries; the edit is then tried again briefly.
        let mut attempt = 0;
        while let Err(error) = self.edit.clone().execute(http, token).await {
            attempt += 1;
            if attempt == 3 {
                tracing::warn!(?error, "cannot edit the deferred response");
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        for followup in self.more {
            if let Err(error) = followup.execute(http, (None, token)).await {
                tracing::warn!(%error, "cannot send a follow-up message");
                return;
            }
        }
    }
}

/// The deferral that goes out first for a [`Reply::Later`].
pub fn deferral(ephemeral: bool) -> CreateInteractionResponse {
    CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new().ephemeral(ephemeral))
}

/// Defers, then finishes with `work`.
pub fn later(
    ephemeral: bool,
    work: impl std::future::Future<Output = Followup> + Send + 'static,
) -> Reply {
    Reply::Later {
        ephemeral,
        work: Box::pin(work),
    }
}

/// An expression shown in a code span: a backtick in it cannot end the span.
pub fn code(expression: &str) -> String {
    format!("`{}`", clip(expression, 300).replace('`', "ˋ"))
}
