//! Every `CoreClient` method against the scripted server: the request it sends and the
//! typed value it decodes.

use std::future::Future;

use critfumble_sdk::SdkError;
use critfumble_sdk::wire::*;
use serde_json::json;

use crate::client::fixtures::*;
use crate::client::server::{Recorded, Reply, TestServer};

/// Queues `reply`, runs `call`, and returns its value with the one request it made.
async fn exchange<T>(
    server: &TestServer,
    reply: Reply,
    call: impl Future<Output = Result<T, SdkError>>,
) -> (T, Recorded) {
    server.reply([reply]);
    let value = call.await.expect("call succeeds");
    let mut recorded = server.take();
    assert_eq!(recorded.len(), 1, "exactly one request");
    (value, recorded.remove(0))
}

/// `METHOD /path?query`, for one-line assertions.
fn route(request: &Recorded) -> String {
    match &request.query {
        Some(query) => format!("{} {}?{query}", request.method, request.path),
        None => format!("{} {}", request.method, request.path),
    }
}

#[tokio::test]
async fn users_me_tokens_and_vtt_accounts() {
    let server = TestServer::start().await;
    let client = server.core();

    let upsert = UpsertUserRequest {
        name: "Mira".into(),
        avatar: None,
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &user()),
        client.upsert_user("80351110224678912", &upsert),
    )
    .await;
    assert_eq!(got, user());
    assert_eq!(route(&request), "PUT /v1/users/discord/80351110224678912");
    assert_eq!(request.json(), json!({"name": "Mira", "avatar": null}));
    assert_eq!(
        request.header("authorization"),
        Some("Bearer cfk_test_token")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));

    let (got, request) = exchange(&server, Reply::json(200, &user()), client.me()).await;
    assert_eq!((got, route(&request)), (user(), "GET /v1/me".into()));

    let page = Page::last(vec![token_info()]);
    let paging = PageRequest {
        cursor: Some("abc".into()),
        limit: Some(10),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_tokens(&paging),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (page, "GET /v1/me/tokens?cursor=abc&limit=10".into())
    );

    let created = CreatedToken {
        token: "cfk_test_x".into(),
        key: token_info(),
    };
    let create = CreateTokenRequest {
        name: "Firefox".into(),
        expires_at: Some(at("2027-01-01T00:00:00Z")),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(201, &created),
        client.create_token(&create),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (created, "POST /v1/me/tokens".into())
    );
    assert_eq!(
        request.json(),
        json!({"name": "Firefox", "expires_at": "2027-01-01T00:00:00Z"})
    );

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.revoke_token(id(6))).await;
    assert_eq!(route(&request), format!("DELETE /v1/me/tokens/{}", id(6)));

    let links = Page::last(vec![vtt_link()]);
    let (got, request) = exchange(
        &server,
        Reply::json(200, &links),
        client.list_vtt_accounts(),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (links, "GET /v1/me/vtt-accounts".into())
    );

    let (_, request) = exchange(
        &server,
        Reply::raw(204, ""),
        client.unlink_vtt_account(id(7)),
    )
    .await;
    assert_eq!(
        route(&request),
        format!("DELETE /v1/me/vtt-accounts/{}", id(7))
    );
}

#[tokio::test]
async fn acting_as_sends_the_discord_id() {
    let server = TestServer::start().await;
    let client = server
        .core()
        .acting_as("80351110224678912")
        .expect("valid id");
    let (_, request) = exchange(&server, Reply::json(200, &user()), client.me()).await;
    assert_eq!(
        request.header("x-act-as-discord-id"),
        Some("80351110224678912")
    );
    assert!(server.core().acting_as("bad\nid").is_err());
}

#[tokio::test]
async fn campaigns_members_and_links() {
    let server = TestServer::start().await;
    let client = server.core();
    let c = id(2);

    let create = CreateCampaignRequest {
        name: "The Sunken Crypt".into(),
        game_system: "dnd5e".into(),
        description: None,
        discord_guild_id: None,
        discord_channel_id: None,
        vtt_game: None,
    };
    let (got, request) = exchange(
        &server,
        Reply::json(201, &campaign()),
        client.create_campaign(&create),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (campaign(), "POST /v1/campaigns".into())
    );
    assert_eq!(request.json()["game_system"], "dnd5e");

    let page = Page {
        items: vec![campaign()],
        next_cursor: Some("next".into()),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_campaigns(&PageRequest::default()),
    )
    .await;
    assert_eq!((got, route(&request)), (page, "GET /v1/campaigns".into()));

    let (got, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.get_campaign(c),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (campaign(), format!("GET /v1/campaigns/{c}"))
    );

    let update = UpdateCampaignRequest {
        description: Some(String::new()),
        ..UpdateCampaignRequest::default()
    };
    let (_, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.update_campaign(c, &update),
    )
    .await;
    assert_eq!(route(&request), format!("PATCH /v1/campaigns/{c}"));
    assert_eq!(request.json(), json!({"description": ""}));

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.delete_campaign(c)).await;
    assert_eq!(route(&request), format!("DELETE /v1/campaigns/{c}"));

    let members = Page::last(vec![member()]);
    let (got, request) =
        exchange(&server, Reply::json(200, &members), client.list_members(c)).await;
    assert_eq!(
        (got, route(&request)),
        (members, format!("GET /v1/campaigns/{c}/members"))
    );

    let (got, request) = exchange(
        &server,
        Reply::json(200, &member()),
        client.set_member(c, id(1), MemberRole::Player),
    )
    .await;
    assert_eq!(got, member());
    assert_eq!(
        route(&request),
        format!("PUT /v1/campaigns/{c}/members/{}", id(1))
    );
    assert_eq!(request.json(), json!({"role": "player"}));

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.remove_member(c, id(1))).await;
    assert_eq!(
        route(&request),
        format!("DELETE /v1/campaigns/{c}/members/{}", id(1))
    );

    let discord = DiscordLinkRequest {
        guild_id: "1000".into(),
        channel_id: "2000".into(),
    };
    let (_, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.link_discord(c, &discord),
    )
    .await;
    assert_eq!(
        route(&request),
        format!("PUT /v1/campaigns/{c}/links/discord")
    );
    assert_eq!(
        request.json(),
        json!({"guild_id": "1000", "channel_id": "2000"})
    );

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.unlink_discord(c)).await;
    assert_eq!(
        route(&request),
        format!("DELETE /v1/campaigns/{c}/links/discord")
    );

    let game = VttGame {
        vtt: Vtt::Foundry,
        game_id: "sunken crypt".into(),
    };
    let (_, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.link_vtt_game(c, &game),
    )
    .await;
    assert_eq!(route(&request), format!("PUT /v1/campaigns/{c}/links/vtt"));
    assert_eq!(
        request.json(),
        json!({"vtt": "foundry", "game_id": "sunken crypt"})
    );

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.unlink_vtt_game(c)).await;
    assert_eq!(
        route(&request),
        format!("DELETE /v1/campaigns/{c}/links/vtt")
    );
}

#[tokio::test]
async fn campaign_lookups_give_none_on_404() {
    let server = TestServer::start().await;
    let client = server.core();
    let game = VttGame {
        vtt: Vtt::Foundry,
        game_id: "sunken crypt".into(),
    };

    let (got, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.campaign_by_discord_channel("2000"),
    )
    .await;
    assert_eq!(got, Some(campaign()));
    assert_eq!(route(&request), "GET /v1/campaigns/by-discord-channel/2000");

    let not_found = || Reply::error(404, ErrorCode::NotFound, "no campaign is linked");
    let (got, _) = exchange(
        &server,
        not_found(),
        client.campaign_by_discord_channel("2001"),
    )
    .await;
    assert_eq!(got, None);

    let (got, request) = exchange(
        &server,
        Reply::json(200, &campaign()),
        client.campaign_by_vtt_game(&game),
    )
    .await;
    assert_eq!(got, Some(campaign()));
    assert_eq!(
        route(&request),
        "GET /v1/campaigns/by-vtt-game/foundry/sunken%20crypt"
    );
    let (got, _) = exchange(&server, not_found(), client.campaign_by_vtt_game(&game)).await;
    assert_eq!(got, None);

    let (got, request) = exchange(
        &server,
        Reply::json(200, &session()),
        client.active_session_by_vtt_game(&game),
    )
    .await;
    assert_eq!(got, Some(session()));
    assert_eq!(
        route(&request),
        "GET /v1/campaigns/by-vtt-game/foundry/sunken%20crypt/active-session"
    );
    let (got, _) = exchange(
        &server,
        not_found(),
        client.active_session_by_vtt_game(&game),
    )
    .await;
    assert_eq!(got, None);

    // Other errors are not swallowed.
    server.reply([Reply::error(403, ErrorCode::Forbidden, "not a member")]);
    let error = client
        .campaign_by_discord_channel("2000")
        .await
        .expect_err("403 is an error");
    assert_eq!(error.status(), Some(403));
}

#[tokio::test]
async fn characters() {
    let server = TestServer::start().await;
    let client = server.core();
    let (c, ch) = (id(2), id(3));

    let create = CreateCharacterRequest {
        owner_id: None,
        name: "Thorn".into(),
        sheet: character().sheet,
    };
    let (got, request) = exchange(
        &server,
        Reply::json(201, &character()),
        client.create_character(c, &create),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (character(), format!("POST /v1/campaigns/{c}/characters"))
    );
    assert_eq!(request.json()["sheet"]["abilities"]["dexterity"], 18);

    let page = Page::last(vec![character()]);
    let paging = PageRequest {
        cursor: None,
        limit: Some(5),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_characters(c, &paging),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (page, format!("GET /v1/campaigns/{c}/characters?limit=5"))
    );

    let (got, request) = exchange(
        &server,
        Reply::json(200, &character()),
        client.get_character(c, ch),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (
            character(),
            format!("GET /v1/campaigns/{c}/characters/{ch}")
        )
    );

    let update = UpdateCharacterRequest {
        name: Some("Thorn the Bold".into()),
        sheet: None,
    };
    let (_, request) = exchange(
        &server,
        Reply::json(200, &character()),
        client.update_character(c, ch, &update),
    )
    .await;
    assert_eq!(
        route(&request),
        format!("PATCH /v1/campaigns/{c}/characters/{ch}")
    );
    assert_eq!(request.json(), json!({"name": "Thorn the Bold"}));

    let (_, request) = exchange(&server, Reply::raw(204, ""), client.delete_character(c, ch)).await;
    assert_eq!(
        route(&request),
        format!("DELETE /v1/campaigns/{c}/characters/{ch}")
    );
}

#[tokio::test]
async fn game_sessions() {
    let server = TestServer::start().await;
    let client = server.core();
    let (c, s) = (id(2), id(4));

    let start = StartSessionRequest {
        title: Some("Session 1".into()),
        vtt_game: None,
    };
    let (got, request) = exchange(
        &server,
        Reply::json(201, &session()),
        client.start_session(c, &start),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (session(), format!("POST /v1/campaigns/{c}/sessions"))
    );
    assert_eq!(
        request.json(),
        json!({"title": "Session 1", "vtt_game": null})
    );

    let ended = GameSession {
        ended_at: Some(at("2026-01-05T23:00:00Z")),
        notes: Some("Reached the river.".into()),
        ..session()
    };
    let end = EndSessionRequest {
        notes: Some("Reached the river.".into()),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &ended),
        client.end_session(c, s, &end),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (ended, format!("POST /v1/campaigns/{c}/sessions/{s}/end"))
    );

    let (got, request) = exchange(
        &server,
        Reply::json(200, &session()),
        client.get_session(c, s),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (session(), format!("GET /v1/campaigns/{c}/sessions/{s}"))
    );

    let update = UpdateSessionRequest {
        title: None,
        notes: Some("More notes".into()),
    };
    let (_, request) = exchange(
        &server,
        Reply::json(200, &session()),
        client.update_session(c, s, &update),
    )
    .await;
    assert_eq!(
        route(&request),
        format!("PATCH /v1/campaigns/{c}/sessions/{s}")
    );
    assert_eq!(request.json(), json!({"notes": "More notes"}));

    let page = Page::last(vec![session()]);
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_sessions(c, &PageRequest::default()),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (page, format!("GET /v1/campaigns/{c}/sessions"))
    );
}

#[tokio::test]
async fn rolls() {
    let server = TestServer::start().await;
    let client = server.core();

    let (got, request) = exchange(
        &server,
        Reply::json(201, &roll()),
        client.report_roll(&new_roll()),
    )
    .await;
    assert_eq!((got, route(&request)), (roll(), "POST /v1/rolls".into()));
    let sent: NewRoll = serde_json::from_slice(&request.body).expect("a NewRoll");
    assert_eq!(sent, new_roll());
    let key = request
        .header("idempotency-key")
        .expect("has a key")
        .to_owned();
    assert!(key.starts_with("roll_") && key.len() == 27, "{key}");

    // A second report gets a different key.
    let (_, second) = exchange(
        &server,
        Reply::json(201, &roll()),
        client.report_roll(&new_roll()),
    )
    .await;
    assert_ne!(second.header("idempotency-key"), Some(key.as_str()));

    let (_, request) = exchange(
        &server,
        Reply::json(201, &roll()),
        client.report_roll_with_key(&new_roll(), "my-key-1"),
    )
    .await;
    assert_eq!(request.header("idempotency-key"), Some("my-key-1"));

    let page = Page {
        items: vec![roll()],
        next_cursor: Some("c2".into()),
    };
    let query = RollQuery {
        campaign_id: Some(id(2)),
        source: Some(RollSource::Foundry),
        since: Some(at("2026-01-01T00:00:00Z")),
        cursor: Some("c1".into()),
        limit: Some(50),
        ..RollQuery::default()
    };
    let (got, request) =
        exchange(&server, Reply::json(200, &page), client.list_rolls(&query)).await;
    assert_eq!(got, page);
    assert_eq!(
        route(&request),
        format!(
            "GET /v1/rolls?campaign_id={}&source=foundry&since=2026-01-01T00%3A00%3A00Z&cursor=c1&limit=50",
            id(2)
        )
    );

    let (got, request) = exchange(&server, Reply::json(200, &roll()), client.get_roll(id(5))).await;
    assert_eq!(
        (got, route(&request)),
        (roll(), format!("GET /v1/rolls/{}", id(5)))
    );

    let stats = CampaignRollStats {
        campaign_id: id(2),
        expected_average_d20: 10.5,
        members: vec![MemberRollStats {
            user_id: id(1),
            name: "Mira".into(),
            rolls: 40,
            d20_rolls: 30,
            nat20s: 2,
            nat1s: 1,
            average_d20: Some(11.2),
        }],
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &stats),
        client.campaign_roll_stats(id(2)),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (stats, format!("GET /v1/campaigns/{}/roll-stats", id(2)))
    );
}

#[tokio::test]
async fn ai_chat_conversations_and_usage() {
    let server = TestServer::start().await;
    let client = server.core();
    let c = id(2);

    let answer = CampaignChatResponse {
        conversation_id: id(8),
        message: assistant_message(),
        usage: usage(),
    };
    let ask = CampaignChatRequest {
        conversation_id: None,
        message: "What does the ferryman want?".into(),
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &answer),
        client.campaign_chat(c, &ask),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (answer, format!("POST /v1/campaigns/{c}/ai/chat"))
    );
    assert_eq!(
        request.json(),
        json!({"conversation_id": null, "message": "What does the ferryman want?"})
    );

    let page = Page::last(vec![conversation()]);
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_conversations(c, &PageRequest::default()),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (page, format!("GET /v1/campaigns/{c}/ai/conversations"))
    );

    let detail = ConversationDetail {
        conversation: conversation(),
        messages: vec![assistant_message()],
    };
    let (got, request) = exchange(
        &server,
        Reply::json(200, &detail),
        client.get_conversation(id(8)),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (detail, format!("GET /v1/ai/conversations/{}", id(8)))
    );

    let report = UsageReport {
        group_by: UsageGroupBy::Model,
        rows: vec![UsageRow {
            key: "claude-sonnet".into(),
            requests: 3,
            input_tokens: 3600,
            output_tokens: 900,
            cache_read_tokens: 2400,
            cache_write_tokens: 0,
            estimated_cost_usd: 0.0243,
        }],
    };
    let query = UsageQuery {
        group_by: UsageGroupBy::Model,
        campaign_id: Some(c),
        since: None,
        until: None,
    };
    let (got, request) = exchange(&server, Reply::json(200, &report), client.usage(&query)).await;
    assert_eq!(
        (got, route(&request)),
        (
            report,
            format!("GET /v1/usage?group_by=model&campaign_id={c}")
        )
    );
}

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    let client = server.core();
    let ok = Health {
        status: "ok".into(),
    };
    let (got, request) = exchange(&server, Reply::json(200, &ok), client.health()).await;
    assert_eq!((got, route(&request)), (ok.clone(), "GET /healthz".into()));
    let (got, request) = exchange(&server, Reply::json(200, &ok), client.ready()).await;
    assert_eq!((got, route(&request)), (ok, "GET /readyz".into()));
}
