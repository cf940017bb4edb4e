//! `/v1/me`: user tokens (issue, list, revoke, the one presented) and linked VTT accounts
//! via signed webhooks.

use critfumble_sdk::webhook::WebhookSecret;
use critfumble_sdk::wire::{
    ApiKeyInfo, CreateTokenRequest, KeyScope, PageRequest, TokenScope, Vtt, VttAccountLinked,
    VttAccountUnlinked, WebhookEvent, WebhookPayload,
};
use reqwest::Method;

use crate::harness::{Auth, Backend, TestServer, WEBHOOK_SECRET};
use crate::on_both_backends;

on_both_backends!(
    user_tokens_issue_list_revoke,
    the_presented_token_describes_itself,
    webhooks_link_vtt_accounts_once,
    webhook_signatures_are_checked,
    webhook_secrets_rotate_without_downtime,
);

async fn user_tokens_issue_list_revoke(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = server.user("500", "Alice").await;
    let bob = server.user("501", "Bob").await;
    let alice_auth = server.token_for(&alice).await;
    let bob_auth = server.token_for(&bob).await;
    let alice_client = server.client(&alice_auth);
    let created = alice_client
        .create_token(&CreateTokenRequest {
            name: "browser extension".to_owned(),
            expires_at: None,
            scopes: TokenScope::DEFAULT.to_vec(),
        })
        .await
        .unwrap();
    assert!(created.token.starts_with("cfk_dev_"));
    assert_eq!(created.key.user_id, Some(alice.id));
    assert_eq!(
        created.key.scopes,
        [TokenScope::Read, TokenScope::RollsWrite]
    );
    // The new token works, and it is listed (without the secret).
    let extension =
        critfumble_sdk::CoreClient::new(server.base_url.clone(), created.token.clone()).unwrap();
    assert_eq!(extension.me().await.unwrap().id, alice.id);
    let listed = alice_client
        .list_tokens(&PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
    assert!(
        !server
            .get(&alice_auth, "/v1/me/tokens")
            .await
            .text
            .contains(&created.token)
    );
    // Another user cannot see or revoke it.
    let bobs = server
        .client(&bob_auth)
        .list_tokens(&PageRequest::default())
        .await
        .unwrap();
    assert!(bobs.items.iter().all(|key| key.id != created.key.id));
    server
        .delete(&bob_auth, &format!("/v1/me/tokens/{}", created.key.id))
        .await
        .expect_error(404, "not_found");
    // A service key cannot issue user tokens.
    server
        .post(
            &Auth::ServiceFor("500".to_owned()),
            "/v1/me/tokens",
            &serde_json::json!({"name": "x"}),
        )
        .await
        .expect_error(403, "forbidden");
    // Expiry must be in the future.
    server
        .post(
            &alice_auth,
            "/v1/me/tokens",
            &serde_json::json!({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await
        .expect_error(422, "validation_failed");
    alice_client.revoke_token(created.key.id).await.unwrap();
    let error = extension.me().await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    assert!(error.api_body().unwrap().error.message.contains("revoked"));
}

/// `GET /v1/me/token` answers what Core issued (the record `POST /v1/me/tokens` returned),
/// to any token whatever its scopes, and to the service key; a browser session has no token.
async fn the_presented_token_describes_itself(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = server.user("510", "Alice").await;
    let alice_client = server.client(&server.token_for(&alice).await);
    let issue = |scopes: Vec<TokenScope>| {
        let alice_client = &alice_client;
        async move {
            alice_client
                .create_token(&CreateTokenRequest {
                    name: "scoped".to_owned(),
                    expires_at: None,
                    scopes,
                })
                .await
        }
    };
    // What matters of a token's record; `last_used_at` changes as it is used.
    let essentials = |key: &ApiKeyInfo| {
        (
            key.id,
            key.scope,
            key.user_id,
            key.scopes.clone(),
            key.expires_at,
            key.revoked_at,
        )
    };
    for scopes in [
        vec![TokenScope::Read],
        vec![TokenScope::Ai],
        TokenScope::DEFAULT.to_vec(),
    ] {
        let created = issue(scopes.clone()).await.unwrap();
        let token = Auth::Token(created.token.clone());
        let presented = server.client(&token).current_token().await.unwrap();
        assert_eq!(
            essentials(&presented),
            essentials(&created.key),
            "{scopes:?}"
        );
        assert_eq!(presented.scopes, scopes);
        assert_eq!(presented.user_id, Some(alice.id));
        // The secret is never in the answer.
        let text = server
            .get(&token, "/v1/me/token")
            .await
            .expect(200)
            .text
            .clone();
        assert!(!text.contains(&created.token), "{text}");
    }
    // A revoked token learns nothing.
    let revoked = issue(TokenScope::DEFAULT.to_vec()).await.unwrap();
    alice_client.revoke_token(revoked.key.id).await.unwrap();
    let error = server
        .client(&Auth::Token(revoked.token))
        .current_token()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    // The service key, acting for nobody or for a user, describes itself.
    for auth in [Auth::Service, Auth::ServiceFor("510".to_owned())] {
        let key: ApiKeyInfo = server.get(&auth, "/v1/me/token").await.expect(200).json();
        assert_eq!(key.scope, KeyScope::Service, "{auth:?}");
        assert_eq!(key.user_id, None, "{auth:?}");
        assert_eq!(key.scopes, TokenScope::ALL, "{auth:?}");
    }
    server
        .get(&Auth::None, "/v1/me/token")
        .await
        .expect_error(401, "unauthorized");
    let session = server.web_session_for(alice.id).await;
    let body = server
        .get(&Auth::Cookie(session), "/v1/me/token")
        .await
        .expect_error(404, "not_found");
    assert!(
        body.error.message.contains("browser session"),
        "{}",
        body.error.message
    );
    let doc: serde_json::Value = server.get(&Auth::None, "/openapi.json").await.json();
    assert_eq!(
        doc["paths"]["/v1/me/token"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["$ref"],
        "#/components/schemas/ApiKeyInfo"
    );
}

fn linked(discord_id: &str, vtt_user_id: &str) -> WebhookEvent {
    WebhookEvent {
        timestamp: chrono::Utc::now(),
        payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
            discord_id: discord_id.to_owned(),
            vtt: Vtt::Roll20,
            vtt_user_id: vtt_user_id.to_owned(),
            display_name: Some("Piet on Roll20".to_owned()),
            verified_at: chrono::Utc::now(),
            gm_game_ids: Vec::new(),
        }),
    }
}

async fn webhooks_link_vtt_accounts_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let piet = server.user("600", "Piet").await;
    let other = server.user("601", "Other").await;
    let piet_auth = server.token_for(&piet).await;
    let other_auth = server.token_for(&other).await;
    let secret = WebhookSecret::from_whsec(WEBHOOK_SECRET).unwrap();
    let bot = server.service_client();
    let ack = bot
        .send_event_with_id(&secret, &linked("600", "r20-1"), "msg_1")
        .await
        .unwrap();
    assert!(!ack.duplicate);
    // A replay of the same webhook-id is acknowledged but not applied again, even when the
    // link was removed in between.
    let links = server.client(&piet_auth).list_vtt_accounts().await.unwrap();
    assert_eq!(links.items.len(), 1);
    assert_eq!(links.items[0].vtt_user_id, "r20-1");
    server
        .delete(
            &other_auth,
            &format!("/v1/me/vtt-accounts/{}", links.items[0].id),
        )
        .await
        .expect_error(404, "not_found");
    server
        .delete(
            &piet_auth,
            &format!("/v1/me/vtt-accounts/{}", links.items[0].id),
        )
        .await
        .expect(204);
    let ack = bot
        .send_event_with_id(&secret, &linked("600", "r20-1"), "msg_1")
        .await
        .unwrap();
    assert!(ack.duplicate);
    assert!(
        server
            .client(&piet_auth)
            .list_vtt_accounts()
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Relinking with a new id works; linking the same VTT account to someone else is 409.
    bot.send_event(&secret, &linked("600", "r20-1"))
        .await
        .unwrap();
    let error = bot
        .send_event(&secret, &linked("601", "r20-1"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(409));
    // An unknown Discord user is 422.
    let error = bot
        .send_event(&secret, &linked("999", "r20-2"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(422));
    // The link attributes VTT rolls to the user.
    let roll = serde_json::json!({
        "source": "roll20", "actor": {"name": "Piet", "vtt_user_id": "r20-1"},
        "expression": "1d20", "total": 12, "rolled": {"sides": 20, "results": [12]},
        "rolled_at": "2026-11-25T20:00:00Z"
    });
    let stored: critfumble_sdk::wire::Roll = bot
        .report_roll_with_key(&serde_json::from_value(roll).unwrap(), "vtt-roll")
        .await
        .unwrap();
    assert_eq!(stored.actor.user_id, Some(piet.id));
    // Unlinking by webhook removes it.
    let unlinked = WebhookEvent {
        timestamp: chrono::Utc::now(),
        payload: WebhookPayload::VttAccountUnlinked(VttAccountUnlinked {
            discord_id: "600".to_owned(),
            vtt: Vtt::Roll20,
            vtt_user_id: "r20-1".to_owned(),
        }),
    };
    bot.send_event(&secret, &unlinked).await.unwrap();
    assert!(
        server
            .client(&piet_auth)
            .list_vtt_accounts()
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // The service acting for nobody has no VTT accounts of its own.
    server
        .get(&Auth::Service, "/v1/me/vtt-accounts")
        .await
        .expect_error(403, "forbidden");
}

async fn webhook_signatures_are_checked(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.user("700", "Vera").await;
    let body = serde_json::to_vec(&linked("700", "f-1")).unwrap();
    let secret = WebhookSecret::from_whsec(WEBHOOK_SECRET).unwrap();
    let send = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let mut request = server
            .http
            .request(
                Method::POST,
                format!("{}/v1/webhooks/fumblebot", server.base_url),
            )
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    let now = chrono::Utc::now().timestamp();
    // Missing headers.
    let reply = send(vec![], body.clone()).await.unwrap();
    assert_eq!(reply.status(), 401);
    // Wrong secret.
    let wrong = WebhookSecret::from_whsec("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let headers = wrong.sign_headers("msg_a", now, &body).pairs().to_vec();
    assert_eq!(send(headers, body.clone()).await.unwrap().status(), 401);
    // Stale timestamp.
    let headers = secret
        .sign_headers("msg_b", now - 600, &body)
        .pairs()
        .to_vec();
    assert_eq!(send(headers, body.clone()).await.unwrap().status(), 401);
    // Tampered body.
    let headers = secret.sign_headers("msg_c", now, &body).pairs().to_vec();
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    tampered[0] = b' ';
    assert_eq!(send(headers, tampered).await.unwrap().status(), 401);
    // A good signature is applied.
    let headers = secret.sign_headers("msg_d", now, &body).pairs().to_vec();
    let reply = send(headers, body.clone()).await.unwrap();
    assert_eq!(reply.status(), 200);
    let error: critfumble_sdk::wire::ErrorBody =
        serde_json::from_str(&send(vec![], body).await.unwrap().text().await.unwrap()).unwrap();
    assert_eq!(error.error.code.as_str(), "unauthorized");
}

async fn webhook_secrets_rotate_without_downtime(backend: Backend) {
    const NEW: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const RETIRED: &str = "whsec_dGhpcyBpcyBhIHJldGlyZWQgc2VjcmV0IGtleQ==";
    let server = TestServer::start_with(backend, |args| {
        args.webhook_secret = vec![WEBHOOK_SECRET.to_owned(), NEW.to_owned()];
    })
    .await;
    server.user("800", "Rhea").await;
    let bot = server.service_client();
    // While FumbleBot switches, both the old and the new secret are accepted.
    for (n, secret) in [WEBHOOK_SECRET, NEW].into_iter().enumerate() {
        let secret = WebhookSecret::from_whsec(secret).unwrap();
        bot.send_event(&secret, &linked("800", &format!("rot-{n}")))
            .await
            .unwrap();
    }
    // A secret that is not configured is refused.
    let retired = WebhookSecret::from_whsec(RETIRED).unwrap();
    let error = bot
        .send_event(&retired, &linked("800", "rot-2"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
}
