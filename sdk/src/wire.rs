//! The JSON that crosses a process boundary (Core, FumbleBot, the extension), declared once.
//!
//! Conventions, which every type here follows:
//! - fields are snake_case; enums are the lowercase strings shown on each variant;
//! - IDs are [`uuid::Uuid`] (Core mints v7 UUIDs); Discord snowflakes and VTT ids are strings;
//! - times are [`Timestamp`] (`chrono::DateTime<Utc>`), written as RFC 3339;
//! - request bodies reject unknown fields, response bodies ignore them so that Core can add
//!   fields without breaking older clients;
//! - lists come back as a [`Page`] with an opaque `next_cursor`;
//! - every error response is an [`ErrorBody`].

mod activity;
mod ai;
mod bridge;
mod campaigns;
mod characters;
mod error_body;
mod events;
mod paging;
mod rolled;
mod rolls;
mod saved_rolls;
mod sessions;
mod tokens;
mod users;
mod vtt;

#[cfg(test)]
mod tests;

pub use activity::{
    TABLE_EXPRESSION_MAX_CHARS, TABLE_MESSAGE_MAX_BYTES, TableClientMessage, TableConfig, TableDie,
    TableLuck, TableParticipant, TableRoll, TableSavedRoll, TableServerMessage, TableTokenRequest,
    TableTokenResponse, TableUser, close as table_close,
};
pub use ai::{
    AiChatRequest, AiChatResponse, AiContext, AiProviderStatus, CampaignChatRequest,
    CampaignChatResponse, ChatMessage, ChatRole, ContextRoll, Conversation, ConversationDetail,
    ConversationMessage, FumbleBotReadiness, SessionNotes, TokenUsage, UsageGroupBy, UsageQuery,
    UsageRecord, UsageReport, UsageRow,
};
pub use bridge::{
    VTT_CHAT_MAX_CHARS, VTT_RAW_MAX_BYTES, VttChatEvent, VttChatReceipt, VttChatRequest,
    VttLinkReceipt, VttLinkRequest, VttLinkStatus, VttRollReceipt, VttRollRequest,
};
pub use campaigns::{
    Campaign, CampaignMember, CreateCampaignRequest, DiscordLinkRequest, MemberRole,
    SetMemberRequest, UpdateCampaignRequest,
};
pub use characters::{
    AbilityScores, Character, CharacterSheet, CreateCharacterRequest, HitPoints,
    UpdateCharacterRequest,
};
pub use error_body::{ErrorBody, ErrorCode, ErrorDetail};
pub use events::{VttAccountLinked, VttAccountUnlinked, WebhookAck, WebhookEvent, WebhookPayload};
pub use paging::{Page, PageRequest};
pub use rolled::{
    DiceCount, DiceFaces, RolledBinary, RolledCall, RolledDice, RolledDie, RolledElement,
    RolledGroup, RolledLabeled, RolledNode, RolledNumber, RolledReference, RolledUnary,
};
pub use rolls::{
    CampaignRollStats, MemberRollStats, NewRoll, Roll, RollActor, RollQuery, RollSource, VttFormat,
    VttRecord,
};
pub use saved_rolls::{SaveRollRequest, SavedRoll};
pub use sessions::{EndSessionRequest, GameSession, StartSessionRequest, UpdateSessionRequest};
pub use tokens::{ApiKeyInfo, CreateTokenRequest, CreatedToken, Health, KeyScope, TokenScope};
pub use users::{UpsertUserRequest, User};
pub use vtt::{Vtt, VttAccountLink, VttGame};

/// A point in time on the wire: UTC, serialized as RFC 3339 (`2026-11-25T20:28:03Z`).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Declares a wire enum whose variants are fixed lowercase strings, with `as_str`,
/// `Display`, `FromStr` (giving [`crate::SdkError::UnknownValue`]) and `ALL`, so that servers
/// can store the same spelling in a database column.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident as $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // Every spelling is the variant's name in lowercase (a test checks it against
        // `as_str`). `rename_all` rather than a per-variant `rename`, because utoipa does not
        // see attributes whose value comes from a macro fragment.
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The spelling used on the wire and in databases.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl core::str::FromStr for $name {
            type Err = crate::SdkError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $( $text => Ok(Self::$variant), )+
                    _ => Err(crate::SdkError::UnknownValue {
                        kind: $kind,
                        value: text.to_owned(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

/// Checks that a required string is not blank and not longer than `max_chars`.
pub(crate) fn check_text(
    field: &str,
    value: &str,
    max_chars: usize,
) -> Result<(), crate::SdkError> {
    if value.trim().is_empty() {
        return Err(crate::SdkError::invalid(field, "must not be empty"));
    }
    check_optional_text(field, Some(value), max_chars)
}

/// Checks that an optional string, when present, is not longer than `max_chars`.
pub(crate) fn check_optional_text(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Result<(), crate::SdkError> {
    match value {
        Some(text) if text.chars().count() > max_chars => Err(crate::SdkError::invalid(
            field,
            format!("must be at most {max_chars} characters"),
        )),
        _ => Ok(()),
    }
}

/// Checks that a Discord id is a snowflake: 1 to 20 ASCII digits.
pub(crate) fn check_snowflake(field: &str, value: &str) -> Result<(), crate::SdkError> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(crate::SdkError::invalid(
            field,
            format!("'{value}' is not a discord snowflake (1 to 20 digits)"),
        ));
    }
    Ok(())
}
