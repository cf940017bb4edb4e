//! `CoreClient` requests for characters, game sessions, rolls, AI and health: the request
//! line, headers and body it sends, and the typed value it decodes.

use critfumble_sdk::wire::*;
use serde_json::json;

use crate::client::fixtures::*;
use crate::client::server::{Reply, TestServer, exchange, parse_query, route};

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

    // What the client sends is what an axum server (Core) parses back.
    assert_eq!(parse_query::<RollQuery>(&request), query);

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
    assert_eq!(parse_query::<UsageQuery>(&request), query);
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
