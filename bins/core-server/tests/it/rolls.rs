//! Rolls: idempotency (replay, mismatch, in flight), attribution, visibility, paging, stats.

use critfumble_core::store::Claim;
use critfumble_sdk::wire::{CampaignRollStats, Page, Roll, RollSource};
use serde_json::{Value, json};

use crate::campaigns::Party;
use crate::harness::{Auth, Backend};
use crate::on_both_backends;

on_both_backends!(
    idempotency_key_semantics,
    rolls_are_attributed_and_scoped,
    roll_queries_filter_and_page,
    roll_stats_per_member,
);

/// The rolled tree of `expression` with these faces, as `critfumble-dice` serializes it,
/// and its total.
pub(crate) fn rolled(expression: &str, faces: &[i64]) -> (Value, f64) {
    let expr = critfumble_dice::parse(expression).unwrap();
    let rolled =
        critfumble_dice::replay(&expr, faces, &critfumble_dice::RollOptions::default()).unwrap();
    (serde_json::to_value(&rolled).unwrap(), rolled.total())
}

/// A Roll20 roll body: `1d20+5` with the given d20 face, its real tree and total.
pub(crate) fn roll_body(campaign: Option<uuid::Uuid>, face: i64, private: bool) -> Value {
    let (tree, total) = rolled("1d20+5", &[face]);
    json!({
        "source": "roll20",
        "actor": {"name": "Piet"},
        "campaign_id": campaign,
        "channel_id": "12",
        "expression": "1d20+5",
        "total": total,
        "rolled": tree,
        "label": "Attack",
        "private": private,
        "rolled_at": "2026-11-25T20:00:00Z"
    })
}

/// Posts a roll. A user token reports its own VTT rolls: the body gets the token owner's
/// linked account of the roll's VTT (see `Party`) unless it names one.
pub(crate) async fn post_roll(
    party: &Party,
    auth: &Auth,
    key: Option<&str>,
    body: &Value,
) -> crate::harness::Reply {
    let server = &party.server;
    let mut body = body.clone();
    if let Auth::Token(token) = auth
        && body["actor"]["vtt_user_id"].is_null()
    {
        let owner = [
            (&party.gm, "gemma"),
            (&party.player, "piet"),
            (&party.outsider, "otto"),
        ]
        .into_iter()
        .find(|(owner, _)| matches!(owner, Auth::Token(t) if t == token))
        .map(|(_, name)| name);
        let suffix = match body["source"].as_str() {
            Some("roll20") => Some("r20"),
            Some("foundry") => Some("f"),
            _ => None,
        };
        if let (Some(owner), Some(suffix)) = (owner, suffix) {
            body["actor"]["vtt_user_id"] = json!(format!("{owner}-{suffix}"));
        }
    }
    let mut request = server
        .http
        .post(format!("{}/v1/rolls", server.base_url))
        .json(&body);
    request = match auth {
        Auth::Token(token) => request.bearer_auth(token),
        Auth::Service => request.bearer_auth(&server.service_key),
        Auth::ServiceFor(discord_id) => request
            .bearer_auth(&server.service_key)
            .header("x-act-as-discord-id", discord_id),
        other => panic!("unsupported auth {other:?}"),
    };
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    crate::harness::Reply {
        status,
        headers,
        text: response.text().await.unwrap(),
    }
}

async fn idempotency_key_semantics(backend: Backend) {
    let party = Party::new(backend).await;
    let mut body = roll_body(Some(party.campaign.id), 17, false);
    body["actor"]["vtt_user_id"] = json!("piet-r20");
    post_roll(&party, &party.player, None, &body)
        .await
        .expect_error(400, "idempotency_key_required");
    let first = post_roll(&party, &party.player, Some("key-1"), &body).await;
    first.expect(201);
    let roll: Roll = first.json();
    assert_eq!(roll.total, 22.0);
    assert_eq!(roll.actor.user_id, Some(party.player_id));
    // The same key and body replays the stored response.
    let again = post_roll(&party, &party.player, Some("key-1"), &body).await;
    again.expect(201);
    assert_eq!(again.json::<Roll>(), roll);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // The same key with another body is 422.
    let other = roll_body(Some(party.campaign.id), 3, false);
    post_roll(&party, &party.player, Some("key-1"), &other)
        .await
        .expect_error(422, "idempotency_key_reused");
    // Keys are per caller: the GM may use the same key for their own roll.
    post_roll(&party, &party.gm, Some("key-1"), &other)
        .await
        .expect(201);
    // A key still in flight is 409 with Retry-After.
    let claim = party
        .server
        .store
        .claim_idempotency_key(
            &format!("user:{}", party.player_id),
            "key-2",
            &critfumble_core::token::sha256_hex(body.to_string().as_bytes()),
            30_000,
        )
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired { .. }));
    let busy = post_roll(&party, &party.player, Some("key-2"), &body).await;
    busy.expect_error(409, "idempotency_key_in_flight");
    assert_eq!(busy.headers["retry-after"], "1");
    // Exactly one roll per successful key.
    let page: Page<Roll> = party
        .server
        .get(
            &party.gm,
            &format!("/v1/rolls?campaign_id={}", party.campaign.id),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(page.items.len(), 2);
    // Validation failures are not stored: fixing the body and retrying the key works.
    let mut bad = body.clone();
    bad["expression"] = json!("");
    post_roll(&party, &party.player, Some("key-3"), &bad)
        .await
        .expect_error(422, "validation_failed");
    post_roll(&party, &party.player, Some("key-3"), &body)
        .await
        .expect(201);
}

async fn rolls_are_attributed_and_scoped(backend: Backend) {
    let party = Party::new(backend).await;
    let campaign = Some(party.campaign.id);
    // An outsider cannot report into the campaign.
    post_roll(
        &party,
        &party.outsider,
        Some("k"),
        &roll_body(campaign, 5, false),
    )
    .await
    .expect_error(404, "not_found");
    // A user cannot report someone else's roll.
    let mut impersonation = roll_body(campaign, 5, false);
    impersonation["actor"]["user_id"] = json!(party.campaign.created_by);
    post_roll(&party, &party.player, Some("k"), &impersonation)
        .await
        .expect_error(403, "forbidden");
    // The service resolves the actor from the Discord id.
    let mut from_discord = roll_body(campaign, 20, false);
    from_discord["actor"]["discord_id"] = json!("200");
    let resolved: Roll = post_roll(&party, &Auth::Service, Some("svc-1"), &from_discord)
        .await
        .expect(201)
        .json();
    assert_eq!(resolved.actor.user_id, Some(party.player_id));
    // Acting for a user attributes the roll to them.
    let acted: Roll = post_roll(
        &party,
        &Auth::ServiceFor("100".to_owned()),
        Some("svc-2"),
        &roll_body(campaign, 1, false),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(acted.actor.user_id, Some(party.campaign.created_by));
    // A private roll is seen by its roller and the GM, not by other members.
    let secret: Roll = post_roll(&party, &party.gm, Some("p"), &roll_body(campaign, 9, true))
        .await
        .expect(201)
        .json();
    let player_private: Roll = post_roll(
        &party,
        &party.player,
        Some("p"),
        &roll_body(campaign, 8, true),
    )
    .await
    .expect(201)
    .json();
    let server = &party.server;
    server
        .get(&party.player, &format!("/v1/rolls/{}", secret.id))
        .await
        .expect_error(404, "not_found");
    server
        .get(&party.gm, &format!("/v1/rolls/{}", player_private.id))
        .await
        .expect(200);
    server
        .get(&party.player, &format!("/v1/rolls/{}", player_private.id))
        .await
        .expect(200);
    server
        .get(&party.outsider, &format!("/v1/rolls/{}", resolved.id))
        .await
        .expect_error(404, "not_found");
    let got: Roll = server
        .get(&party.player, &format!("/v1/rolls/{}", resolved.id))
        .await
        .expect(200)
        .json();
    assert_eq!(got, resolved);
    // The outsider's listing of the campaign is 404, and their own listing is empty.
    server
        .get(
            &party.outsider,
            &format!("/v1/rolls?campaign_id={}", party.campaign.id),
        )
        .await
        .expect_error(404, "not_found");
    let theirs: Page<Roll> = server
        .get(&party.outsider, "/v1/rolls")
        .await
        .expect(200)
        .json();
    assert!(theirs.items.is_empty());
    let players: Page<Roll> = server
        .get(&party.player, "/v1/rolls")
        .await
        .expect(200)
        .json();
    assert_eq!(players.items.len(), 3);
    // A session must belong to the campaign.
    let mut wrong_session = roll_body(campaign, 5, false);
    wrong_session["session_id"] = json!(uuid::Uuid::now_v7());
    post_roll(&party, &party.player, Some("s"), &wrong_session)
        .await
        .expect_error(422, "validation_failed");
}

async fn roll_queries_filter_and_page(backend: Backend) {
    let party = Party::new(backend).await;
    let campaign = Some(party.campaign.id);
    let mut ids = Vec::new();
    for n in 0..7 {
        let mut body = roll_body(campaign, n + 1, false);
        body["rolled_at"] = json!(format!("2026-11-25T20:0{n}:00Z"));
        if n % 2 == 0 {
            body["source"] = json!("foundry");
        }
        let roll: Roll = post_roll(&party, &party.player, Some(&format!("q{n}")), &body)
            .await
            .expect(201)
            .json();
        ids.push(roll.id);
    }
    let server = &party.server;
    let base = format!("/v1/rolls?campaign_id={}", party.campaign.id);
    let mut seen = Vec::new();
    let mut path = format!("{base}&limit=3");
    loop {
        let page: Page<Roll> = server.get(&party.gm, &path).await.expect(200).json();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|roll| roll.id));
        match page.next_cursor {
            Some(cursor) => path = format!("{base}&limit=3&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each roll once");
    let foundry: Page<Roll> = server
        .get(&party.gm, &format!("{base}&source=foundry"))
        .await
        .expect(200)
        .json();
    assert_eq!(foundry.items.len(), 4);
    assert!(
        foundry
            .items
            .iter()
            .all(|roll| roll.source == RollSource::Foundry)
    );
    let window: Page<Roll> = server
        .get(
            &party.gm,
            &format!("{base}&since=2026-11-25T20:02:00Z&until=2026-11-25T20:04:00Z"),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(window.items.len(), 2);
    let by_user: Page<Roll> = server
        .get(&party.gm, &format!("/v1/rolls?user_id={}", party.player_id))
        .await
        .expect(200)
        .json();
    assert_eq!(by_user.items.len(), 7);
    server
        .get(&party.gm, &format!("{base}&cursor=nope"))
        .await
        .expect_error(400, "bad_request");
    server
        .get(&party.gm, "/v1/rolls?source=carrier-pigeon")
        .await
        .expect_error(400, "bad_request");
}

async fn roll_stats_per_member(backend: Backend) {
    let party = Party::new(backend).await;
    let campaign = Some(party.campaign.id);
    for (n, face) in [20, 1, 11, 20].into_iter().enumerate() {
        post_roll(
            &party,
            &party.player,
            Some(&format!("s{n}")),
            &roll_body(campaign, face, false),
        )
        .await
        .expect(201);
    }
    post_roll(
        &party,
        &party.gm,
        Some("g"),
        &roll_body(campaign, 10, false),
    )
    .await
    .expect(201);
    let server = &party.server;
    let stats: CampaignRollStats = server
        .get(&party.player, &party.path("/roll-stats"))
        .await
        .expect(200)
        .json();
    assert_eq!(stats.expected_average_d20, 10.5);
    let piet = stats
        .members
        .iter()
        .find(|m| m.user_id == party.player_id)
        .unwrap();
    assert_eq!(
        (piet.rolls, piet.d20_rolls, piet.nat20s, piet.nat1s),
        (4, 4, 2, 1)
    );
    assert_eq!(piet.average_d20, Some(13.0));
    assert_eq!(stats.members.len(), 2);
    server
        .get(&party.outsider, &party.path("/roll-stats"))
        .await
        .expect_error(404, "not_found");
}
