//! Every `CoreClient` method through every outcome: success, an API error, an undecodable
//! body, a refused connection, a timeout, and a 503 that is retried.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use critfumble_sdk::wire::*;
use critfumble_sdk::{ClientConfig, CoreClient, RetryPolicy, SdkError};
use serde_json::Value;

use crate::client::fixtures::*;
use crate::client::server::{Reply, TestServer};

type Outcome<'a> = Pin<Box<dyn Future<Output = Result<Value, SdkError>> + 'a>>;

/// One client method: its name, a valid success reply, and a call of it.
struct Case {
    name: &'static str,
    reply: Reply,
    /// Whether the method decodes a body (methods returning `()` ignore it).
    decodes: bool,
    call: for<'a> fn(&'a CoreClient) -> Outcome<'a>,
}

fn to_json<T: serde::Serialize>(result: Result<T, SdkError>) -> Result<Value, SdkError> {
    result.map(|value| serde_json::to_value(value).expect("serializes"))
}

macro_rules! case {
    ($name:literal, empty, |$client:ident| $call:expr) => {
        Case {
            name: $name,
            reply: Reply::raw(204, ""),
            decodes: false,
            call: |$client: &CoreClient| Box::pin(async move { to_json($call.await) }),
        }
    };
    ($name:literal, $reply:expr, |$client:ident| $call:expr) => {
        Case {
            name: $name,
            reply: Reply::json(200, &$reply),
            decodes: true,
            call: |$client: &CoreClient| Box::pin(async move { to_json($call.await) }),
        }
    };
}

fn game() -> VttGame {
    VttGame {
        vtt: Vtt::Roll20,
        game_id: "12345".into(),
    }
}

fn cases() -> Vec<Case> {
    vec![
        case!(
            "health",
            Health {
                status: "ok".into()
            },
            |c| c.health()
        ),
        case!(
            "ready",
            Health {
                status: "ok".into()
            },
            |c| c.ready()
        ),
        case!("upsert_user", user(), |c| c.upsert_user(
            "1",
            &UpsertUserRequest {
                name: "Mira".into(),
                avatar: None
            }
        )),
        case!("me", user(), |c| c.me()),
        case!("current_token", token_info(), |c| c.current_token()),
        case!("list_tokens", Page::last(vec![token_info()]), |c| c
            .list_tokens(&PageRequest::default())),
        case!(
            "create_token",
            CreatedToken {
                token: "cfk_test_x".into(),
                key: token_info()
            },
            |c| c.create_token(&CreateTokenRequest {
                name: "x".into(),
                expires_at: None,
                scopes: TokenScope::DEFAULT.to_vec(),
            })
        ),
        case!("revoke_token", empty, |c| c.revoke_token(id(6))),
        case!("list_vtt_accounts", Page::last(vec![vtt_link()]), |c| c
            .list_vtt_accounts()),
        case!("unlink_vtt_account", empty, |c| c.unlink_vtt_account(id(7))),
        case!("list_saved_rolls", Page::last(vec![saved_roll()]), |c| c
            .list_saved_rolls(&PageRequest::default())),
        case!("get_saved_roll", saved_roll(), |c| c
            .get_saved_roll("attack")),
        case!("save_roll", saved_roll(), |c| c.save_roll(
            "attack",
            &SaveRollRequest {
                expression: "1d20+5".into()
            }
        )),
        case!("delete_saved_roll", empty, |c| c
            .delete_saved_roll("attack")),
        case!("create_campaign", campaign(), |c| c.create_campaign(
            &CreateCampaignRequest {
                name: "x".into(),
                game_system: "dnd5e".into(),
                description: None,
                discord_guild_id: None,
                discord_channel_id: None,
                vtt_game: None,
            }
        )),
        case!("list_campaigns", Page::last(vec![campaign()]), |c| c
            .list_campaigns(&PageRequest::default())),
        case!("get_campaign", campaign(), |c| c.get_campaign(id(2))),
        case!("update_campaign", campaign(), |c| c
            .update_campaign(id(2), &UpdateCampaignRequest::default())),
        case!("delete_campaign", empty, |c| c.delete_campaign(id(2))),
        case!("list_members", Page::last(vec![member()]), |c| c
            .list_members(id(2))),
        case!("set_member", member(), |c| c.set_member(
            id(2),
            id(1),
            MemberRole::Gm
        )),
        case!("remove_member", empty, |c| c.remove_member(id(2), id(1))),
        case!("link_discord", campaign(), |c| c.link_discord(
            id(2),
            &DiscordLinkRequest {
                guild_id: "1".into(),
                channel_id: "2".into()
            }
        )),
        case!("unlink_discord", empty, |c| c.unlink_discord(id(2))),
        case!("link_vtt_game", campaign(), |c| c
            .link_vtt_game(id(2), &game())),
        case!("unlink_vtt_game", empty, |c| c.unlink_vtt_game(id(2))),
        case!("campaign_by_discord_channel", campaign(), |c| c
            .campaign_by_discord_channel("2")),
        case!("campaign_by_vtt_game", campaign(), |c| c
            .campaign_by_vtt_game(&game())),
        case!("create_character", character(), |c| c.create_character(
            id(2),
            &CreateCharacterRequest {
                owner_id: None,
                name: "x".into(),
                sheet: CharacterSheet::default()
            }
        )),
        case!("list_characters", Page::last(vec![character()]), |c| c
            .list_characters(id(2), &PageRequest::default())),
        case!("get_character", character(), |c| c
            .get_character(id(2), id(3))),
        case!("update_character", character(), |c| c.update_character(
            id(2),
            id(3),
            &UpdateCharacterRequest::default()
        )),
        case!("delete_character", empty, |c| c
            .delete_character(id(2), id(3))),
        case!("start_session", session(), |c| c
            .start_session(id(2), &StartSessionRequest::default())),
        case!("end_session", session(), |c| c.end_session(
            id(2),
            id(4),
            &EndSessionRequest::default()
        )),
        case!("get_session", session(), |c| c.get_session(id(2), id(4))),
        case!("update_session", session(), |c| c.update_session(
            id(2),
            id(4),
            &UpdateSessionRequest::default()
        )),
        case!("list_sessions", Page::last(vec![session()]), |c| c
            .list_sessions(id(2), &PageRequest::default())),
        case!("active_session_by_vtt_game", session(), |c| c
            .active_session_by_vtt_game(&game())),
        case!("report_roll", roll(), |c| c.report_roll(&new_roll())),
        case!("report_roll_with_key", roll(), |c| c
            .report_roll_with_key(&new_roll(), "k1")),
        case!("list_rolls", Page::last(vec![roll()]), |c| c
            .list_rolls(&RollQuery::default())),
        case!("get_roll", roll(), |c| c.get_roll(id(5))),
        case!(
            "campaign_roll_stats",
            CampaignRollStats {
                campaign_id: id(2),
                expected_average_d20: 10.5,
                members: vec![]
            },
            |c| c.campaign_roll_stats(id(2))
        ),
        case!("send_event", WebhookAck { duplicate: false }, |c| c
            .send_event(
                &critfumble_sdk::webhook::WebhookSecret::from_bytes(vec![1; 32]).expect("valid"),
                &linked_event()
            )),
        case!("send_event_with_id", WebhookAck { duplicate: true }, |c| c
            .send_event_with_id(
                &critfumble_sdk::webhook::WebhookSecret::from_bytes(vec![1; 32]).expect("valid"),
                &linked_event(),
                "msg_1"
            )),
        case!(
            "campaign_chat",
            CampaignChatResponse {
                conversation_id: id(8),
                message: assistant_message(),
                usage: usage()
            },
            |c| c.campaign_chat(
                id(2),
                &CampaignChatRequest {
                    conversation_id: None,
                    message: "hi".into()
                }
            )
        ),
        case!(
            "list_conversations",
            Page::last(vec![conversation()]),
            |c| c.list_conversations(id(2), &PageRequest::default())
        ),
        case!(
            "get_conversation",
            ConversationDetail {
                conversation: conversation(),
                messages: vec![assistant_message()]
            },
            |c| c.get_conversation(id(8))
        ),
        case!(
            "usage",
            UsageReport {
                group_by: UsageGroupBy::Day,
                rows: vec![]
            },
            |c| c.usage(&UsageQuery {
                group_by: UsageGroupBy::Day,
                campaign_id: None,
                since: None,
                until: None
            })
        ),
    ]
}

#[test]
fn the_table_covers_every_method() {
    // The 50 public async methods of CoreClient (`acting_as` sends nothing).
    let cases = cases();
    assert_eq!(cases.len(), 50);
    let names: std::collections::HashSet<_> = cases.iter().map(|case| case.name).collect();
    assert_eq!(names.len(), cases.len(), "a method is listed twice");
}

#[tokio::test]
async fn success_decodes_the_reply() {
    let server = TestServer::start().await;
    let client = server.core();
    for case in cases() {
        let expected: Value = if case.decodes {
            serde_json::from_str(&case.reply.body).expect("json")
        } else {
            Value::Null
        };
        server.reply([case.reply]);
        let got = (case.call)(&client)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", case.name));
        assert_eq!(got, expected, "{}", case.name);
        assert_eq!(server.take().len(), 1, "{}", case.name);
    }
}

#[tokio::test]
async fn api_errors_carry_the_body() {
    let server = TestServer::start().await;
    let client = server.core();
    for case in cases() {
        server.reply([Reply::error(403, ErrorCode::Forbidden, "not yours")]);
        let error = (case.call)(&client).await.expect_err(case.name);
        assert_eq!(error.status(), Some(403), "{}", case.name);
        let body = error.api_body().expect("api error");
        assert_eq!(
            (body.error.code, body.error.message.as_str()),
            (ErrorCode::Forbidden, "not yours")
        );
        assert_eq!(server.take().len(), 1, "{}", case.name);
    }
}

#[tokio::test]
async fn undecodable_bodies_are_decode_errors() {
    let server = TestServer::start().await;
    let client = server.core();
    for case in cases().into_iter().filter(|case| case.decodes) {
        server.reply([Reply::raw(200, r#"{"unexpected": true"#)]);
        let error = (case.call)(&client).await.expect_err(case.name);
        assert!(
            matches!(error, SdkError::Decode { .. }),
            "{}: {error:?}",
            case.name
        );
    }
}

#[tokio::test]
async fn refused_connections_are_transport_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let client =
        CoreClient::with_config(ClientConfig::new(url, "k").with_retry(TestServer::fast_retry()))
            .expect("valid config");
    for case in cases() {
        let error = (case.call)(&client).await.expect_err(case.name);
        assert!(
            matches!(error, SdkError::Transport { .. }),
            "{}: {error:?}",
            case.name
        );
    }
}

#[tokio::test]
async fn slow_replies_time_out() {
    let server = TestServer::start().await;
    let config = server
        .config()
        .with_retry(RetryPolicy::none())
        .with_timeout(Duration::from_millis(100));
    let client = CoreClient::with_config(config).expect("valid config");
    for case in cases() {
        server.reply([case.reply.delayed(Duration::from_millis(600))]);
        let error = (case.call)(&client).await.expect_err(case.name);
        assert!(
            matches!(
                error,
                SdkError::Timeout {
                    timeout_ms: 100,
                    ..
                }
            ),
            "{}: {error:?}",
            case.name
        );
        server.take();
    }
}

#[tokio::test]
async fn a_503_is_retried_with_the_same_request() {
    let server = TestServer::start().await;
    let client = server.core();
    for case in cases() {
        server.reply([
            Reply::error(503, ErrorCode::Unavailable, "starting"),
            case.reply,
        ]);
        (case.call)(&client)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", case.name));
        let requests = server.take();
        assert_eq!(requests.len(), 2, "{}", case.name);
        let (first, second) = (&requests[0], &requests[1]);
        assert_eq!(
            (&first.method, &first.path, &first.query),
            (&second.method, &second.path, &second.query)
        );
        assert_eq!(first.body, second.body, "{}", case.name);
        for header in ["idempotency-key", "webhook-id", "authorization"] {
            assert_eq!(
                first.header(header),
                second.header(header),
                "{}: {header}",
                case.name
            );
        }
    }
}
