//! Round trips and exact JSON shapes of the wire types.

use std::str::FromStr;

use expect_test::expect;
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::SdkError;

fn at(text: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("valid test timestamp")
        .to_utc()
}

fn new_roll() -> NewRoll {
    NewRoll {
        source: RollSource::Discord,
        actor: RollActor {
            discord_id: Some("80351110224678912".into()),
            name: "Mira".into(),
            ..RollActor::default()
        },
        campaign_id: Some(Uuid::nil()),
        session_id: None,
        channel_id: Some("1100000000000000000".into()),
        expression: "1d20+5".into(),
        dialect: None,
        total: 17.0,
        rolled: Some(RolledNode::from_json(json!({
            "type": "binary", "value": 17, "op": "+",
            "lhs": {"type": "dice", "value": 12, "notation": "1d20", "count": 1, "faces": 20,
                    "modifiers": [], "rolled_faces": "20",
                    "dice": [{"value": 12, "kept": true, "exploded": false, "rerolled": false,
                              "added": false, "success": false, "failure": false,
                              "critical": false, "fumble": false}]},
            "rhs": {"type": "number", "value": 5}
        }))),
        markdown: Some("**17**".into()),
        label: Some("Attack".into()),
        private: false,
        vtt_record: None,
        verified: None,
        rolled_at: at("2026-11-25T20:00:00Z"),
    }
}

#[test]
fn new_roll_json_shape() {
    let text = serde_json::to_string_pretty(&new_roll()).expect("serializes");
    expect![[r#"
        {
          "source": "discord",
          "actor": {
            "user_id": null,
            "discord_id": "80351110224678912",
            "vtt_user_id": null,
            "name": "Mira"
          },
          "campaign_id": "00000000-0000-0000-0000-000000000000",
          "session_id": null,
          "channel_id": "1100000000000000000",
          "expression": "1d20+5",
          "dialect": null,
          "total": 17.0,
          "rolled": {
            "type": "binary",
            "value": 17,
            "op": "+",
            "lhs": {
              "type": "dice",
              "value": 12,
              "notation": "1d20",
              "count": 1,
              "faces": 20,
              "modifiers": [],
              "rolled_faces": "20",
              "dice": [
                {
                  "value": 12,
                  "kept": true,
                  "exploded": false,
                  "rerolled": false,
                  "added": false,
                  "success": false,
                  "failure": false,
                  "critical": false,
                  "fumble": false
                }
              ]
            },
            "rhs": {
              "type": "number",
              "value": 5
            }
          },
          "markdown": "**17**",
          "label": "Attack",
          "private": false,
          "vtt_record": null,
          "verified": null,
          "rolled_at": "2026-11-25T20:00:00Z"
        }"#]]
    .assert_eq(&text);
    let back: NewRoll = serde_json::from_str(&text).expect("deserializes");
    assert_eq!(back, new_roll());
}

#[test]
fn minimal_new_roll_uses_defaults() {
    let roll: NewRoll = serde_json::from_value(json!({
        "source": "roll20",
        "actor": {"name": "Mira"},
        "expression": "2d6",
        "total": 7,
        "rolled": [3, 4],
        "rolled_at": "2026-11-25T20:00:00+01:00"
    }))
    .expect("minimal roll");
    assert!(!roll.private);
    assert_eq!(roll.rolled_at, at("2026-11-25T19:00:00Z"));
    roll.validate().expect("valid");
}

#[test]
fn inputs_reject_unknown_fields() {
    let error = serde_json::from_value::<CreateCampaignRequest>(json!({
        "name": "x", "game_system": "dnd5e", "owner": "me"
    }))
    .expect_err("unknown field");
    assert!(
        error.to_string().contains("unknown field `owner`"),
        "{error}"
    );
}

#[test]
fn outputs_ignore_unknown_fields() {
    let user: User = serde_json::from_value(json!({
        "id": Uuid::nil(), "discord_id": "1", "name": "a", "avatar": null,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "added_in_a_later_version": true
    }))
    .expect("forward compatible");
    assert_eq!(user.name, "a");
}

fn check_spellings<T>(all: &[T])
where
    T: serde::Serialize
        + serde::de::DeserializeOwned
        + FromStr
        + PartialEq
        + std::fmt::Debug
        + std::fmt::Display,
    <T as FromStr>::Err: std::fmt::Debug,
{
    for value in all {
        let text = value.to_string();
        assert_eq!(
            serde_json::to_value(value).expect("serializes"),
            json!(text)
        );
        assert_eq!(
            &serde_json::from_value::<T>(json!(text)).expect("deserializes"),
            value
        );
        assert_eq!(&T::from_str(&text).expect("parses"), value);
    }
}

#[test]
fn serde_and_as_str_agree_for_every_enum() {
    check_spellings(Vtt::ALL);
    check_spellings(RollSource::ALL);
    check_spellings(MemberRole::ALL);
    check_spellings(ChatRole::ALL);
    check_spellings(UsageGroupBy::ALL);
    check_spellings(KeyScope::ALL);
    check_spellings(TokenScope::ALL);
    check_spellings(crate::api_key::KeyEnv::ALL);
    assert_eq!(TokenScope::RollsWrite.as_str(), "rolls:write");
    for format in [
        VttFormat::Roll20Html,
        VttFormat::Roll20Api,
        VttFormat::Foundry,
        VttFormat::Ddb,
    ] {
        let json = serde_json::to_value(format).expect("serializes");
        assert_eq!(json, json!(format.as_str()));
        assert_eq!(
            serde_json::from_value::<VttFormat>(json).expect("reads"),
            format
        );
    }
}

#[test]
fn token_requests_default_their_scopes_and_bound_their_lifetime() {
    let now = at("2026-11-25T20:00:00Z");
    let request: CreateTokenRequest =
        serde_json::from_value(json!({"name": "Firefox"})).expect("minimal request");
    assert_eq!(request.scopes, [TokenScope::Read, TokenScope::RollsWrite]);
    assert_eq!(request.expiry(now), Ok(at("2026-12-25T20:00:00Z")));
    let at_most = CreateTokenRequest {
        expires_at: Some(at("2027-02-23T20:00:00Z")),
        ..request.clone()
    };
    assert_eq!(at_most.expiry(now), Ok(at("2027-02-23T20:00:00Z")));
    for too_far_or_past in ["2027-02-23T20:00:01Z", "2026-11-25T20:00:00Z"] {
        let error = CreateTokenRequest {
            expires_at: Some(at(too_far_or_past)),
            ..request.clone()
        }
        .expiry(now)
        .expect_err("refused");
        assert!(matches!(&error, SdkError::Invalid { field, .. } if field == "expires_at"));
    }
    let none = CreateTokenRequest {
        scopes: Vec::new(),
        ..request
    };
    assert!(none.validate().is_err());
    let unknown =
        serde_json::from_value::<CreateTokenRequest>(json!({"name": "x", "scopes": ["admin"]}));
    assert!(unknown.is_err());
}

#[test]
fn enums_use_fixed_spellings() {
    for source in RollSource::ALL {
        let json = serde_json::to_value(source).expect("serializes");
        assert_eq!(json, json!(source.as_str()));
        assert_eq!(RollSource::from_str(source.as_str()), Ok(*source));
    }
    assert_eq!(Vtt::DndBeyond.as_str(), "dndbeyond");
    assert_eq!(
        MemberRole::from_str("dm"),
        Err(SdkError::UnknownValue {
            kind: "member role",
            value: "dm".into(),
            expected: "gm, player".into(),
        })
    );
    assert_eq!(
        MemberRole::from_str("dm").map_err(|e| e.to_string()),
        Err("unknown member role 'dm', expected one of: gm, player".to_owned())
    );
}

#[test]
fn error_body_shape_and_unknown_codes() {
    let body = ErrorBody::new(ErrorCode::NotFound, "campaign not found")
        .with_details(json!({"campaign_id": Uuid::nil()}));
    expect![[r#"{"error":{"code":"not_found","message":"campaign not found","details":{"campaign_id":"00000000-0000-0000-0000-000000000000"}}}"#]]
    .assert_eq(&serde_json::to_string(&body).expect("serializes"));
    let later: ErrorBody =
        serde_json::from_value(json!({"error": {"code": "quota_exceeded", "message": "m"}}))
            .expect("unknown code reads");
    assert_eq!(later.error.code, ErrorCode::Unknown);
    assert_eq!(later.error.details, None);
    assert_eq!(ErrorCode::IdempotencyKeyReused.status(), 422);
    assert_eq!(
        serde_json::to_value(ErrorCode::IdempotencyKeyInFlight).expect("serializes"),
        json!(ErrorCode::IdempotencyKeyInFlight.as_str())
    );
}

#[test]
fn webhook_event_shape() {
    let event = WebhookEvent {
        timestamp: at("2026-11-25T20:00:00Z"),
        payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
            discord_id: "80351110224678912".into(),
            vtt: Vtt::Foundry,
            vtt_user_id: "Xy12".into(),
            display_name: None,
            verified_at: at("2026-11-25T19:59:00Z"),
            gm_game_ids: vec!["barovia".into()],
        }),
    };
    let text = serde_json::to_string(&event).expect("serializes");
    expect![[r#"{"timestamp":"2026-11-25T20:00:00Z","type":"vtt_account.linked","data":{"discord_id":"80351110224678912","vtt":"foundry","vtt_user_id":"Xy12","display_name":null,"verified_at":"2026-11-25T19:59:00Z","gm_game_ids":["barovia"]}}"#]]
    .assert_eq(&text);
    let back: WebhookEvent = serde_json::from_str(&text).expect("deserializes");
    assert_eq!(back, event);
    assert_eq!(back.event_type(), "vtt_account.linked");
    event.payload.validate().expect("valid");
    let unknown = serde_json::from_value::<WebhookEvent>(json!({
        "timestamp": "2026-11-25T20:00:00Z", "type": "campaign.deleted", "data": {}
    }));
    assert!(unknown.is_err());
}

#[test]
fn page_shape_and_limits() {
    let page = Page::last(vec![1, 2]);
    assert_eq!(
        serde_json::to_value(&page).expect("serializes"),
        json!({"items": [1, 2], "next_cursor": null})
    );
    assert_eq!(PageRequest::default().effective_limit(), 50);
    let big = PageRequest {
        limit: Some(10_000),
        ..PageRequest::default()
    };
    assert_eq!(big.effective_limit(), 200);
}

#[test]
fn validation_names_the_field() {
    let mut roll = new_roll();
    roll.total = f64::NAN;
    assert_eq!(
        roll.validate().map_err(|e| e.to_string()),
        Err("invalid total: must be a finite number".to_owned())
    );
    let sheet = CharacterSheet {
        abilities: Some(AbilityScores {
            strength: 10,
            dexterity: 31,
            constitution: 10,
            intelligence: 10,
            wisdom: 10,
            charisma: 10,
        }),
        ..CharacterSheet::default()
    };
    assert_eq!(
        sheet.validate().map_err(|e| e.to_string()),
        Err("invalid sheet.abilities.dexterity: must be between 1 and 30".to_owned())
    );
    let campaign = CreateCampaignRequest {
        name: "  ".into(),
        game_system: "dnd5e".into(),
        description: None,
        discord_guild_id: None,
        discord_channel_id: Some("general".into()),
        vtt_game: None,
    };
    assert_eq!(
        campaign.validate().map_err(|e| e.to_string()),
        Err("invalid name: must not be empty".to_owned())
    );
    let chat = AiChatRequest {
        messages: vec![],
        context: AiContext::default(),
        model: None,
    };
    assert!(chat.validate().is_err());
    assert_eq!(AbilityScores::modifier(9), -1);
    assert_eq!(AbilityScores::modifier(18), 4);
}

#[test]
fn roll_record_from_new_and_context_roll() {
    let roll = Roll::from_new(Uuid::nil(), new_roll(), at("2026-11-25T20:00:01Z"));
    let context = ContextRoll::from(&roll);
    assert_eq!(context.actor_name, "Mira");
    assert_eq!(context.markdown.as_deref(), Some("**17**"));
    let query = RollQuery {
        campaign_id: Some(Uuid::nil()),
        source: Some(RollSource::Foundry),
        ..RollQuery::default()
    };
    assert_eq!(
        serde_json::to_value(&query).expect("serializes"),
        json!({"campaign_id": Uuid::nil(), "source": "foundry"})
    );
}

#[test]
fn table_messages_are_tagged_snake_case_and_refuse_strangers() {
    let join: TableClientMessage = serde_json::from_value(json!({
        "type": "join", "session": "s", "instance_id": "i-1", "since": 4
    }))
    .unwrap();
    assert_eq!(
        join,
        TableClientMessage::Join {
            session: "s".into(),
            instance_id: "i-1".into(),
            since: Some(4)
        }
    );
    // A client cannot slip in a user of its choosing, or an unknown message.
    for body in [
        json!({"type": "join", "session": "s", "instance_id": "i", "user_id": "1"}),
        json!({"type": "roll", "expression": "1d20", "total": 20}),
        json!({"type": "shout"}),
    ] {
        assert!(
            serde_json::from_value::<TableClientMessage>(body.clone()).is_err(),
            "{body}"
        );
    }
    let refused = TableServerMessage::Refused {
        message: "no".into(),
        retry_after_ms: None,
    };
    assert_eq!(
        serde_json::to_value(&refused).unwrap(),
        json!({"type": "refused", "message": "no"})
    );
}

#[test]
fn table_dice_and_luck_come_from_the_rolled_tree() {
    let roll = new_roll();
    let dice = TableDie::all_in(roll.rolled.as_ref().unwrap());
    assert_eq!(
        dice,
        [TableDie {
            faces: Some(20),
            value: 12,
            kept: true,
            critical: false,
            fumble: false
        }]
    );
    // 12 on a d20 is 11/19 of the way up; then a natural 20 and a dropped 1.
    let luck = TableLuck::default().with(&dice);
    assert_eq!(luck.score, Some(11.0 / 19.0));
    let more = [
        TableDie {
            faces: Some(20),
            value: 20,
            kept: true,
            critical: true,
            fumble: false,
        },
        TableDie {
            faces: Some(20),
            value: 1,
            kept: false,
            critical: false,
            fumble: true,
        },
    ];
    let luck = luck.with(&more);
    assert_eq!((luck.dice, luck.criticals, luck.fumbles), (2, 1, 0));
    assert!((luck.score.unwrap() - 30.0 / 38.0).abs() < 1e-12);
}
