//! Sample wire values for the client tests.

use chrono::{DateTime, Utc};
use critfumble_sdk::wire::*;
use serde_json::json;
use uuid::Uuid;

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid time")
        .to_utc()
}

pub(crate) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub(crate) fn user() -> User {
    User {
        id: id(1),
        discord_id: "80351110224678912".into(),
        name: "Mira".into(),
        avatar: Some("a_1234".into()),
        created_at: at("2026-01-01T00:00:00Z"),
        updated_at: at("2026-01-02T00:00:00Z"),
    }
}

pub(crate) fn campaign() -> Campaign {
    Campaign {
        id: id(2),
        name: "The Sunken Crypt".into(),
        game_system: "dnd5e".into(),
        description: None,
        discord_guild_id: Some("1000".into()),
        discord_channel_id: Some("2000".into()),
        vtt_game: Some(VttGame {
            vtt: Vtt::Foundry,
            game_id: "sunken-crypt".into(),
        }),
        created_by: id(1),
        created_at: at("2026-01-01T00:00:00Z"),
        updated_at: at("2026-01-01T00:00:00Z"),
    }
}

pub(crate) fn member() -> CampaignMember {
    CampaignMember {
        campaign_id: id(2),
        user: user(),
        role: MemberRole::Player,
        joined_at: at("2026-01-03T00:00:00Z"),
    }
}

pub(crate) fn character() -> Character {
    Character {
        id: id(3),
        campaign_id: id(2),
        owner_id: id(1),
        name: "Thorn".into(),
        sheet: CharacterSheet {
            class: Some("Ranger".into()),
            level: Some(5),
            hp: Some(HitPoints {
                current: 30,
                max: 44,
                temp: 0,
            }),
            ac: Some(15),
            abilities: Some(AbilityScores {
                strength: 12,
                dexterity: 18,
                constitution: 14,
                intelligence: 10,
                wisdom: 15,
                charisma: 8,
            }),
            skills: [("perception".to_owned(), 7)].into_iter().collect(),
            notes: Some("Owes the ferryman.".into()),
        },
        created_at: at("2026-01-03T00:00:00Z"),
        updated_at: at("2026-01-03T00:00:00Z"),
    }
}

pub(crate) fn session() -> GameSession {
    GameSession {
        id: id(4),
        campaign_id: id(2),
        title: Some("Session 1".into()),
        vtt_game: campaign().vtt_game,
        started_at: at("2026-01-05T19:00:00Z"),
        ended_at: None,
        notes: None,
    }
}

pub(crate) fn new_roll() -> NewRoll {
    NewRoll {
        source: RollSource::Foundry,
        actor: RollActor {
            vtt_user_id: Some("Xy12".into()),
            name: "Thorn".into(),
            ..RollActor::default()
        },
        campaign_id: Some(id(2)),
        session_id: Some(id(4)),
        channel_id: None,
        expression: "1d20+7".into(),
        dialect: Some("foundry".into()),
        total: 19.0,
        rolled: Some(RolledNode::from_json(json!({
            "type": "binary", "value": 19, "op": "+",
            "lhs": {"type": "dice", "value": 12, "notation": "1d20", "count": 1, "faces": 20,
                    "modifiers": [], "rolled_faces": "20",
                    "dice": [{"value": 12, "kept": true, "exploded": false, "rerolled": false,
                              "added": false, "success": false, "failure": false,
                              "critical": false, "fumble": false}]},
            "rhs": {"type": "number", "value": 7}
        }))),
        markdown: Some("1d20 (**12**) + 7 = **19**".into()),
        label: Some("Perception".into()),
        private: false,
        vtt_record: Some(VttRecord {
            format: VttFormat::Foundry,
            message: r#"{"_id": "m1", "rolls": []}"#.into(),
        }),
        verified: Some(true),
        rolled_at: at("2026-01-05T19:30:00Z"),
    }
}

pub(crate) fn roll() -> Roll {
    Roll::from_new(id(5), new_roll(), at("2026-01-05T19:30:01Z"))
}

pub(crate) fn token_info() -> ApiKeyInfo {
    ApiKeyInfo {
        id: id(6),
        name: "Firefox".into(),
        prefix: "cfk_test_AbCdEfGh".into(),
        scope: KeyScope::User,
        user_id: Some(id(1)),
        scopes: vec![TokenScope::Read, TokenScope::RollsWrite],
        created_at: at("2026-01-01T00:00:00Z"),
        expires_at: None,
        revoked_at: None,
        last_used_at: Some(at("2026-01-04T00:00:00Z")),
    }
}

pub(crate) fn vtt_link() -> VttAccountLink {
    VttAccountLink {
        id: id(7),
        user_id: id(1),
        vtt: Vtt::Roll20,
        vtt_user_id: "-Mx1".into(),
        display_name: Some("Mira R.".into()),
        verified_at: Some(at("2026-01-02T00:00:00Z")),
        created_at: at("2026-01-02T00:00:00Z"),
    }
}

pub(crate) fn saved_roll() -> SavedRoll {
    SavedRoll {
        id: id(8),
        name: "Attack".into(),
        expression: "1d20+5".into(),
        created_at: at("2026-01-02T00:00:00Z"),
        updated_at: at("2026-01-03T00:00:00Z"),
    }
}

pub(crate) fn usage() -> TokenUsage {
    TokenUsage {
        provider: "anthropic".into(),
        model: "claude-sonnet".into(),
        input_tokens: 1200,
        output_tokens: 300,
        cache_read_tokens: 800,
        cache_write_tokens: 0,
        latency_ms: 2100,
        estimated_cost_usd: 0.0081,
    }
}

pub(crate) fn conversation() -> Conversation {
    Conversation {
        id: id(8),
        campaign_id: id(2),
        user_id: id(1),
        title: Some("What does the ferryman want?".into()),
        created_at: at("2026-01-06T00:00:00Z"),
        updated_at: at("2026-01-06T00:01:00Z"),
    }
}

pub(crate) fn assistant_message() -> ConversationMessage {
    ConversationMessage {
        id: id(9),
        conversation_id: id(8),
        role: ChatRole::Assistant,
        content: "A coin for each soul.".into(),
        model: Some("claude-sonnet".into()),
        created_at: at("2026-01-06T00:01:00Z"),
    }
}

pub(crate) fn chat_request() -> AiChatRequest {
    AiChatRequest {
        messages: vec![ChatMessage::user("What does the ferryman want?")],
        context: AiContext {
            campaign: Some(campaign()),
            characters: vec![character()],
            recent_rolls: vec![ContextRoll::from(&roll())],
            session_notes: vec![SessionNotes {
                session_id: id(4),
                title: Some("Session 1".into()),
                started_at: at("2026-01-05T19:00:00Z"),
                notes: "The party reached the river.".into(),
            }],
        },
        model: None,
    }
}

pub(crate) fn linked_event() -> WebhookEvent {
    WebhookEvent {
        timestamp: at("2026-01-02T00:00:00Z"),
        payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
            discord_id: "80351110224678912".into(),
            vtt: Vtt::Roll20,
            vtt_user_id: "-Mx1".into(),
            display_name: Some("Mira R.".into()),
            verified_at: at("2026-01-02T00:00:00Z"),
            gm_game_ids: vec!["barovia".into()],
        }),
    }
}
