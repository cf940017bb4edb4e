//! `/v1/me/saved-rolls`: per-user named expressions, case-insensitive names, the per-user
//! limit, paging, and who may touch them.

use critfumble_sdk::wire::{Page, PageRequest, SaveRollRequest, SavedRoll};
use serde_json::json;

use crate::harness::{Auth, Backend, TestServer};
use crate::on_both_backends;

on_both_backends!(
    saved_rolls_round_trip_per_user,
    saved_rolls_are_limited_and_paged,
    saved_roll_input_is_checked,
);

fn save(expression: &str) -> SaveRollRequest {
    SaveRollRequest {
        expression: expression.to_owned(),
    }
}

async fn saved_rolls_round_trip_per_user(backend: Backend) {
    let server = TestServer::start(backend).await;
    let alice = server.user("600", "Alice").await;
    server.user("601", "Bob").await;
    // FumbleBot's way in: the service key acting for each user.
    let as_alice = server.service_client().acting_as("600").unwrap();
    let as_bob = server.service_client().acting_as("601").unwrap();

    let created = server
        .put(
            &Auth::ServiceFor("600".into()),
            "/v1/me/saved-rolls/Sneak%20Attack",
            &save("1d20+7"),
        )
        .await
        .expect(201)
        .json::<SavedRoll>();
    assert_eq!(
        (created.name.as_str(), created.expression.as_str()),
        ("Sneak Attack", "1d20+7")
    );
    // The same name in another case replaces it: 200, same id, the new spelling kept.
    let replaced = server
        .put(
            &Auth::ServiceFor("600".into()),
            "/v1/me/saved-rolls/sneak%20attack",
            &save("1d20+8"),
        )
        .await
        .expect(200)
        .json::<SavedRoll>();
    assert_eq!(replaced.id, created.id);
    assert_eq!(replaced.name, "sneak attack");
    assert_eq!(replaced.created_at, created.created_at);
    assert!(replaced.updated_at >= created.updated_at);
    // Read back by any case, through the SDK.
    let got = as_alice.get_saved_roll("SNEAK ATTACK").await.unwrap();
    assert_eq!(got, Some(replaced.clone()));
    // The user's own token sees the same list; Bob sees nothing of Alice's.
    let alice_token = server.token_for(&alice).await;
    let listed = server
        .client(&alice_token)
        .list_saved_rolls(&PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed, Page::last(vec![replaced.clone()]));
    assert_eq!(as_bob.get_saved_roll("sneak attack").await.unwrap(), None);
    assert!(
        as_bob
            .list_saved_rolls(&PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    // Bob saving the same name makes his own.
    let bobs = as_bob
        .save_roll("Sneak Attack", &save("2d6"))
        .await
        .unwrap();
    assert_ne!(bobs.id, created.id);
    assert_eq!(
        as_alice
            .get_saved_roll("sneak attack")
            .await
            .unwrap()
            .map(|saved| saved.expression),
        Some("1d20+8".to_owned())
    );
    // Bob cannot delete Alice's (he deletes his own), and a second delete is 404.
    as_bob.delete_saved_roll("SNEAK attack").await.unwrap();
    assert!(
        as_alice
            .get_saved_roll("sneak attack")
            .await
            .unwrap()
            .is_some()
    );
    server
        .delete(
            &Auth::ServiceFor("601".into()),
            "/v1/me/saved-rolls/sneak%20attack",
        )
        .await
        .expect_error(404, "not_found");
    // A service key acting for nobody has no "me"; no credentials is 401.
    server
        .get(&Auth::Service, "/v1/me/saved-rolls")
        .await
        .expect_error(403, "forbidden");
    server
        .get(&Auth::None, "/v1/me/saved-rolls")
        .await
        .expect_error(401, "unauthorized");
    as_alice.delete_saved_roll("Sneak Attack").await.unwrap();
    assert_eq!(as_alice.get_saved_roll("sneak attack").await.unwrap(), None);
    // The routes are in the OpenAPI document.
    let doc: serde_json::Value = server.get(&Auth::None, "/openapi.json").await.json();
    assert!(doc["paths"]["/v1/me/saved-rolls/{name}"]["put"].is_object());
    assert!(doc["paths"]["/v1/me/saved-rolls"]["get"].is_object());
}

async fn saved_rolls_are_limited_and_paged(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.user("610", "Cara").await;
    let as_cara = server.service_client().acting_as("610").unwrap();
    // Names chosen so that case-insensitive order differs from byte order.
    let mut expected: Vec<String> = (0..SavedRoll::MAX_PER_USER)
        .map(|n| {
            if n % 2 == 0 {
                format!("Roll {n:03}")
            } else {
                format!("roll {n:03}")
            }
        })
        .collect();
    for name in &expected {
        as_cara.save_roll(name, &save("1d6")).await.unwrap();
    }
    // The 101st new name is refused; replacing an existing one still works.
    server
        .put(
            &Auth::ServiceFor("610".into()),
            "/v1/me/saved-rolls/one%20too%20many",
            &save("1d4"),
        )
        .await
        .expect_error(409, "conflict");
    as_cara.save_roll("ROLL 000", &save("1d8")).await.unwrap();
    expected[0] = "ROLL 000".to_owned();
    // Pages of 30 walk all 100 in case-insensitive name order, each once.
    let mut seen = Vec::new();
    let mut page = PageRequest {
        cursor: None,
        limit: Some(30),
    };
    loop {
        let got = as_cara.list_saved_rolls(&page).await.unwrap();
        assert!(got.items.len() <= 30);
        seen.extend(got.items.into_iter().map(|saved| saved.name));
        match got.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    expected.sort_by_key(|name| name.to_lowercase());
    assert_eq!(seen, expected);
}

async fn saved_roll_input_is_checked(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.user("620", "Dov").await;
    let auth = Auth::ServiceFor("620".into());
    let long_name = "x".repeat(51);
    for (path, body, field) in [
        (
            format!("/v1/me/saved-rolls/{long_name}"),
            json!({"expression": "1d20"}),
            "name",
        ),
        (
            "/v1/me/saved-rolls/%20padded".to_owned(),
            json!({"expression": "1d20"}),
            "name",
        ),
        (
            "/v1/me/saved-rolls/tab%09name".to_owned(),
            json!({"expression": "1d20"}),
            "name",
        ),
        (
            "/v1/me/saved-rolls/ok".to_owned(),
            json!({"expression": "1".repeat(1_001)}),
            "expression",
        ),
        (
            "/v1/me/saved-rolls/ok".to_owned(),
            json!({"expression": "  "}),
            "expression",
        ),
    ] {
        let error = server
            .put(&auth, &path, &body)
            .await
            .expect_error(422, "validation_failed");
        assert_eq!(
            error.error.details,
            Some(json!({ "field": field })),
            "{path}"
        );
    }
    let error = server
        .put(&auth, "/v1/me/saved-rolls/ok", &json!({"expr": "1d20"}))
        .await
        .expect_error(400, "bad_request");
    assert!(
        error.error.message.contains("expr"),
        "{}",
        error.error.message
    );
    // Nothing was stored by the refused requests.
    let listed = server
        .service_client()
        .acting_as("620")
        .unwrap()
        .list_saved_rolls(&PageRequest::default())
        .await
        .unwrap();
    assert!(listed.items.is_empty());
}
