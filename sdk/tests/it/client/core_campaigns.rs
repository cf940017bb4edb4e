//! `CoreClient` requests for users, tokens, VTT accounts, campaigns, members and links: the
//! request line, headers and body it sends, and the typed value it decodes.

use critfumble_sdk::wire::*;
use serde_json::json;

use crate::client::fixtures::*;
use crate::client::server::{Reply, TestServer, exchange, parse_query, route};

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

    let (got, request) = exchange(
        &server,
        Reply::json(200, &token_info()),
        client.current_token(),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (token_info(), "GET /v1/me/token".into())
    );

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
    assert_eq!(parse_query::<PageRequest>(&request), paging);

    let created = CreatedToken {
        token: "cfk_test_x".into(),
        key: token_info(),
    };
    let create = CreateTokenRequest {
        name: "Firefox".into(),
        expires_at: Some(at("2027-01-01T00:00:00Z")),
        scopes: vec![TokenScope::Read, TokenScope::RollsWrite],
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
        json!({"name": "Firefox", "expires_at": "2027-01-01T00:00:00Z",
               "scopes": ["read", "rolls:write"]})
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
async fn saved_roll_methods_send_their_routes_and_bodies() {
    let server = TestServer::start().await;
    let client = server.core();
    let saved = saved_roll();
    // A name is one path segment, percent-encoded: spaces and slashes cannot escape it.
    let (got, request) = exchange(
        &server,
        Reply::json(200, &saved),
        client.save_roll(
            "Sneak / attack",
            &SaveRollRequest {
                expression: "1d20+5".into(),
            },
        ),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (
            saved.clone(),
            "PUT /v1/me/saved-rolls/Sneak%20%2F%20attack".into()
        )
    );
    assert_eq!(request.json(), json!({"expression": "1d20+5"}));

    let (got, request) = exchange(
        &server,
        Reply::json(200, &saved),
        client.get_saved_roll("attack"),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (Some(saved.clone()), "GET /v1/me/saved-rolls/attack".into())
    );
    let missing = ErrorBody::new(ErrorCode::NotFound, "saved roll 'x' not found");
    let (got, _) = exchange(
        &server,
        Reply::json(404, &missing),
        client.get_saved_roll("x"),
    )
    .await;
    assert_eq!(got, None);

    let page = Page::last(vec![saved]);
    let (got, request) = exchange(
        &server,
        Reply::json(200, &page),
        client.list_saved_rolls(&PageRequest {
            cursor: None,
            limit: Some(100),
        }),
    )
    .await;
    assert_eq!(
        (got, route(&request)),
        (page, "GET /v1/me/saved-rolls?limit=100".into())
    );

    let (_, request) = exchange(
        &server,
        Reply::raw(204, ""),
        client.delete_saved_roll("attack"),
    )
    .await;
    assert_eq!(route(&request), "DELETE /v1/me/saved-rolls/attack");
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
