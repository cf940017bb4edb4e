//! Health, OpenAPI, authentication, users, and the error contract (bad JSON, body limit).

use critfumble_sdk::wire::{Health, UpsertUserRequest, User};
use reqwest::Method;
use serde_json::json;

use crate::harness::{Auth, Backend, TestServer};
use crate::on_both_backends;

on_both_backends!(
    health_and_openapi,
    credentials_are_checked,
    users_upsert_is_service_only,
    malformed_json_names_the_field,
    body_limit_and_content_type,
);

async fn health_and_openapi(backend: Backend) {
    let server = TestServer::start(backend).await;
    let health: Health = server.get(&Auth::None, "/healthz").await.expect(200).json();
    assert_eq!(health.status, "ok");
    let ready: Health = server.get(&Auth::None, "/readyz").await.expect(200).json();
    assert_eq!(ready.status, "ready");
    let doc: serde_json::Value = server
        .get(&Auth::None, "/openapi.json")
        .await
        .expect(200)
        .json();
    assert!(doc["paths"]["/v1/rolls"]["post"].is_object());
    assert!(doc["components"]["schemas"]["NewRoll"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["MemberRole"]["enum"],
        json!(["gm", "player"])
    );
    assert!(doc["paths"]["/v1/rolls"]["post"]["responses"]["default"].is_object());
    server
        .get(&Auth::None, "/no/such/route")
        .await
        .expect_error(404, "not_found");
}

async fn credentials_are_checked(backend: Backend) {
    let server = TestServer::start(backend).await;
    server
        .get(&Auth::None, "/v1/me")
        .await
        .expect_error(401, "unauthorized");
    let forged = Auth::Token("cfk_user_notarealkeynotarealkeynotarealkey".to_owned());
    server
        .get(&forged, "/v1/me")
        .await
        .expect_error(401, "unauthorized");
    server
        .get(&Auth::Cookie("nope".to_owned()), "/v1/me")
        .await
        .expect_error(401, "unauthorized");
    // A service key acting for nobody has no "me".
    server
        .get(&Auth::Service, "/v1/me")
        .await
        .expect_error(403, "forbidden");
    // Acting for an unknown Discord user is 404.
    server
        .get(&Auth::ServiceFor("42".to_owned()), "/v1/me")
        .await
        .expect_error(404, "not_found");
    let alice = server.user("1001", "Alice").await;
    let me: User = server
        .get(&Auth::ServiceFor("1001".to_owned()), "/v1/me")
        .await
        .expect(200)
        .json();
    assert_eq!(me, alice);
    let token = server.token_for(&alice).await;
    let me: User = server.get(&token, "/v1/me").await.expect(200).json();
    assert_eq!(me.id, alice.id);
    // The scheme is case-insensitive (RFC 9110), as the SDK's key check reads it; a key of
    // another environment is refused however well-formed.
    let Auth::Token(key) = &token else {
        unreachable!()
    };
    for scheme in ["bearer", "BEARER"] {
        let reply = server
            .http
            .get(format!("{}/v1/me", server.base_url))
            .header("authorization", format!("{scheme} {key}"))
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{scheme}");
    }
    let live = critfumble_sdk::api_key::ApiKey::generate(critfumble_sdk::api_key::KeyEnv::Live);
    let reply = server
        .get(&Auth::Token(live.expose_secret().to_owned()), "/v1/me")
        .await;
    let body = reply.expect_error(401, "unauthorized");
    assert!(
        body.error.message.contains("'live' key"),
        "{}",
        body.error.message
    );
}

async fn users_upsert_is_service_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let request = UpsertUserRequest {
        name: "Alice".to_owned(),
        avatar: Some("abc".to_owned()),
    };
    let created: User = server
        .put(&Auth::Service, "/v1/users/discord/1001", &request)
        .await
        .expect(201)
        .json();
    assert_eq!(
        (created.discord_id.as_str(), created.name.as_str()),
        ("1001", "Alice")
    );
    let renamed = UpsertUserRequest {
        name: "Alicia".to_owned(),
        avatar: None,
    };
    let updated: User = server
        .put(&Auth::Service, "/v1/users/discord/1001", &renamed)
        .await
        .expect(200)
        .json();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name, "Alicia");
    // A user may not upsert users.
    let token = server.token_for(&updated).await;
    server
        .put(&token, "/v1/users/discord/1002", &request)
        .await
        .expect_error(403, "forbidden");
    // A Discord id must be a snowflake, and the name must not be blank.
    server
        .put(&Auth::Service, "/v1/users/discord/abc", &request)
        .await
        .expect_error(422, "validation_failed");
    let blank = UpsertUserRequest {
        name: "  ".to_owned(),
        avatar: None,
    };
    let error = server
        .put(&Auth::Service, "/v1/users/discord/1003", &blank)
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(error.error.details.unwrap()["field"], "name");
}

async fn malformed_json_names_the_field(backend: Backend) {
    let server = TestServer::start(backend).await;
    let gm = server.user("2001", "Gm").await;
    let token = server.token_for(&gm).await;
    let reply = server
        .call_raw(
            &token,
            Method::POST,
            "/v1/campaigns",
            r#"{"name": "X", "game_system": 5}"#,
        )
        .await;
    let error = reply.expect_error(400, "bad_request");
    assert!(
        error.error.message.contains("game_system"),
        "{}",
        error.error.message
    );
    assert_eq!(error.error.details.unwrap()["field"], "game_system");
    let reply = server
        .call_raw(&token, Method::POST, "/v1/campaigns", r#"{"name": "X"}"#)
        .await;
    let error = reply.expect_error(400, "bad_request");
    assert!(
        error.error.message.contains("missing field `game_system`"),
        "{}",
        error.error.message
    );
    let reply = server
        .call_raw(&token, Method::POST, "/v1/campaigns", r#"{"name": "X", "#)
        .await;
    reply.expect_error(400, "bad_request");
    let reply = server
        .call_raw(
            &token,
            Method::POST,
            "/v1/campaigns",
            r#"{"name": "X", "game_system": "dnd5e", "surprise": 1}"#,
        )
        .await;
    let error = reply.expect_error(400, "bad_request");
    assert!(
        error.error.message.contains("surprise"),
        "{}",
        error.error.message
    );
    // Nested fields are named by their path.
    let campaign: critfumble_sdk::wire::Campaign = server
        .post(
            &token,
            "/v1/campaigns",
            &json!({"name": "C", "game_system": "dnd5e"}),
        )
        .await
        .expect(201)
        .json();
    let reply = server
        .call_raw(
            &token,
            Method::POST,
            &format!("/v1/campaigns/{}/characters", campaign.id),
            r#"{"name": "Hero", "sheet": {"level": "high"}}"#,
        )
        .await;
    let error = reply.expect_error(400, "bad_request");
    assert_eq!(error.error.details.unwrap()["field"], "sheet.level");
    // A path parameter that is not a UUID is 400.
    server
        .get(&token, "/v1/campaigns/not-a-uuid")
        .await
        .expect_error(400, "bad_request");
}

async fn body_limit_and_content_type(backend: Backend) {
    let server = TestServer::start(backend).await;
    let gm = server.user("2002", "Gm").await;
    let token = server.token_for(&gm).await;
    let huge = format!(
        r#"{{"name": "X", "game_system": "dnd5e", "description": "{}"}}"#,
        "a".repeat(critfumble_core::BODY_LIMIT_BYTES + 10)
    );
    server
        .call_raw(&token, Method::POST, "/v1/campaigns", &huge)
        .await
        .expect_error(413, "payload_too_large");
    let reply = server
        .http
        .post(format!("{}/v1/campaigns", server.base_url))
        .header(
            "authorization",
            match &token {
                Auth::Token(t) => format!("Bearer {t}"),
                _ => unreachable!(),
            },
        )
        .header("content-type", "text/plain")
        .body(r#"{"name": "X", "game_system": "dnd5e"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 415);
}
