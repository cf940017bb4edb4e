//! The attacker suite: each test is one attack on Core, named after it, and checks that
//! the attack fails (and that the honest path next to it still works).

use std::sync::Arc;

use critfumble_sdk::wire::{Campaign, CampaignRollStats, Roll};
use serde_json::{Value, json};

use crate::campaigns::Party;
use crate::fakes::{DiscordFake, discord, serve};
use crate::harness::{Auth, Backend, Reply};
use crate::on_both_backends;

on_both_backends!(
    user_token_links_someone_elses_discord_channel,
    user_token_creates_a_campaign_on_someone_elses_channel,
    gm_links_a_vtt_game_they_do_not_run,
    squatter_learns_which_campaign_holds_a_channel,
    outsider_learns_a_campaign_id_from_a_lookup,
    player_forges_a_discord_roll,
    player_reports_a_total_the_dice_do_not_make,
    player_claims_verified_for_loaded_dice,
    player_reports_another_players_vtt_roll,
    fake_tree_pads_nat20_statistics,
    tampered_vtt_record_passes_as_verified,
    player_reads_a_private_d20_from_roll_stats,
    read_only_token_reports_a_roll,
    token_without_tokens_scope_mints_a_token,
    token_asks_to_live_for_a_year,
    narrow_token_reaches_past_its_scopes,
    service_replays_one_users_roll_for_another,
    flood_from_one_token,
    flood_of_anonymous_requests_from_one_address,
    flood_from_many_tokens_on_one_address,
    login_flood_writes_a_row_per_hit,
    ai_chat_retry_pays_twice,
    forged_roll_reaches_the_ai_as_real,
    campaign_chats_past_its_daily_ai_budget,
    ai_outage_leaks_fumblebot_address_and_body,
    login_failure_echoes_discords_body,
);

/// The table the attacks play at: a GM (Discord 100), a player (200) and an outsider
/// (300), each with a user token, no linked VTT account, and a campaign of the GM's linked to
/// channel 12 by the service (as FumbleBot's `/link` does).
type Table = Party;

async fn table(backend: Backend) -> Table {
    Party::without_vtt(backend, |_| {}).await
}

async fn table_with(
    backend: Backend,
    configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
) -> Table {
    Party::without_vtt(backend, configure).await
}

impl Party {
    /// Posts a roll with an idempotency key.
    async fn roll(&self, auth: &Auth, key: &str, body: &Value) -> Reply {
        let request = self
            .server
            .http
            .post(format!("{}/v1/rolls", self.server.base_url))
            .header("idempotency-key", key)
            .json(body);
        send(auth, request, &self.server.service_key).await
    }

    async fn link_vtt_account(&self, discord_id: &str, vtt: &str, id: &str, gm_of: &[&str]) {
        self.server
            .link_vtt_account(discord_id, vtt, id, gm_of)
            .await;
    }
}

async fn send(auth: &Auth, request: reqwest::RequestBuilder, service_key: &str) -> Reply {
    Reply::read(auth.apply(request, service_key).send().await.unwrap()).await
}

/// The rolled tree of `expression` with these faces, as `critfumble-dice` serializes it,
/// and its total.
fn rolled(expression: &str, faces: &[i64]) -> (Value, f64) {
    let expr = critfumble_dice::parse(expression).unwrap();
    let rolled =
        critfumble_dice::replay(&expr, faces, &critfumble_dice::RollOptions::default()).unwrap();
    (serde_json::to_value(&rolled).unwrap(), rolled.total())
}

/// A roll body for `1d20+5` with the given d20 face.
fn roll_body(source: &str, campaign: Option<uuid::Uuid>, face: i64) -> Value {
    let (tree, total) = rolled("1d20+5", &[face]);
    json!({
        "source": source, "actor": {"name": "Piet"}, "campaign_id": campaign,
        "expression": "1d20+5", "total": total, "rolled": tree,
        "rolled_at": "2026-11-25T20:00:00Z"
    })
}

async fn user_token_links_someone_elses_discord_channel(backend: Backend) {
    let table = table(backend).await;
    let server = &table.server;
    let squat: Campaign = server
        .post(
            &table.outsider,
            "/v1/campaigns",
            &json!({"name": "Squat", "game_system": "dnd5e"}),
        )
        .await
        .expect(201)
        .json();
    let link = format!("/v1/campaigns/{}/links/discord", squat.id);
    // A free channel: a user token still may not link it (only FumbleBot checks Discord's
    // permissions); the service acting for the campaign's GM may.
    server
        .put(
            &table.outsider,
            &link,
            &json!({"guild_id": "11", "channel_id": "13"}),
        )
        .await
        .expect_error(403, "forbidden");
    server
        .put(
            &Auth::ServiceFor("300".to_owned()),
            &link,
            &json!({"guild_id": "11", "channel_id": "13"}),
        )
        .await
        .expect(200);
    // The service acting for someone who is not the campaign's GM may not.
    server
        .put(
            &Auth::ServiceFor("200".to_owned()),
            &link,
            &json!({"guild_id": "11", "channel_id": "14"}),
        )
        .await
        .expect_error(404, "not_found");
    // The user may still unlink their own campaign.
    let unlinked: Campaign = server
        .delete(&table.outsider, &link)
        .await
        .expect(200)
        .json();
    assert_eq!(unlinked.discord_channel_id, None);
}

async fn user_token_creates_a_campaign_on_someone_elses_channel(backend: Backend) {
    let table = table(backend).await;
    table
        .server
        .post(
            &table.outsider,
            "/v1/campaigns",
            &json!({"name": "Squat", "game_system": "dnd5e",
                    "discord_guild_id": "11", "discord_channel_id": "15"}),
        )
        .await
        .expect_error(403, "forbidden");
}

async fn gm_links_a_vtt_game_they_do_not_run(backend: Backend) {
    let table = table(backend).await;
    let server = &table.server;
    let link = table.path("/links/vtt");
    let game = json!({"vtt": "foundry", "game_id": "barovia"});
    // Without a linked Foundry account that GMs the game, the GM may not claim it.
    server
        .put(&table.gm, &link, &game)
        .await
        .expect_error(403, "forbidden");
    // Nor with a linked account that only plays in it.
    table
        .link_vtt_account("100", "foundry", "gemma-f", &["vallaki"])
        .await;
    server
        .put(&table.gm, &link, &game)
        .await
        .expect_error(403, "forbidden");
    // A campaign created with the game is refused the same way.
    server
        .post(
            &table.gm,
            "/v1/campaigns",
            &json!({"name": "Squat", "game_system": "dnd5e",
                    "vtt_game": {"vtt": "foundry", "game_id": "barovia"}}),
        )
        .await
        .expect_error(403, "forbidden");
    // The game's GM, as FumbleBot reported it, may.
    table
        .link_vtt_account("100", "foundry", "gemma-f", &["vallaki", "barovia"])
        .await;
    let linked: Campaign = server.put(&table.gm, &link, &game).await.expect(200).json();
    assert_eq!(linked.vtt_game.unwrap().game_id, "barovia");
    // A player of the campaign is not its GM.
    server
        .put(&table.player, &link, &game)
        .await
        .expect_error(403, "forbidden");
}

async fn squatter_learns_which_campaign_holds_a_channel(backend: Backend) {
    let table = table(backend).await;
    let server = &table.server;
    let squat: Campaign = server
        .post(
            &Auth::ServiceFor("300".to_owned()),
            "/v1/campaigns",
            &json!({"name": "Squat", "game_system": "dnd5e"}),
        )
        .await
        .expect(201)
        .json();
    let reply = server
        .put(
            &Auth::ServiceFor("300".to_owned()),
            &format!("/v1/campaigns/{}/links/discord", squat.id),
            &json!({"guild_id": "11", "channel_id": "12"}),
        )
        .await;
    reply.expect_error(409, "conflict");
    assert!(
        !reply.text.contains(&table.campaign.id.to_string()),
        "{}",
        reply.text
    );
    assert!(!reply.text.contains("Strahd"), "{}", reply.text);
}

async fn outsider_learns_a_campaign_id_from_a_lookup(backend: Backend) {
    let table = table(backend).await;
    let server = &table.server;
    let linked = server
        .get(&table.outsider, "/v1/campaigns/by-discord-channel/12")
        .await;
    let unlinked = server
        .get(&table.outsider, "/v1/campaigns/by-discord-channel/99")
        .await;
    linked.expect_error(404, "not_found");
    unlinked.expect_error(404, "not_found");
    assert_eq!(linked.text, unlinked.text);
    assert!(!linked.text.contains(&table.campaign.id.to_string()));
    let game = server
        .get(&table.outsider, "/v1/campaigns/by-vtt-game/foundry/nowhere")
        .await;
    game.expect_error(404, "not_found");
    assert_eq!(game.text, unlinked.text);
}

async fn player_forges_a_discord_roll(backend: Backend) {
    let table = table(backend).await;
    for source in ["discord", "activity"] {
        table
            .roll(
                &table.player,
                &format!("forge-{source}"),
                &roll_body(source, Some(table.campaign.id), 20),
            )
            .await
            .expect_error(403, "forbidden");
    }
    // FumbleBot may report it for the player.
    let roll: Roll = table
        .roll(
            &Auth::ServiceFor("200".to_owned()),
            "honest",
            &roll_body("discord", Some(table.campaign.id), 20),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(roll.verified, Some(true));
    assert_eq!(roll.actor.user_id, Some(table.player_id));
}

async fn player_reports_a_total_the_dice_do_not_make(backend: Backend) {
    let table = table(backend).await;
    let service = Auth::ServiceFor("200".to_owned());
    let mut body = roll_body("discord", Some(table.campaign.id), 12);
    body["total"] = json!(30);
    let stored: Roll = table
        .roll(&service, "inflated", &body)
        .await
        .expect(201)
        .json();
    assert_eq!(stored.total, 17.0, "Core keeps the total the dice make");
    assert_eq!(stored.verified, Some(false));
    // Claiming that the inflated roll is verified is refused.
    body["verified"] = json!(true);
    table
        .roll(&service, "inflated-verified", &body)
        .await
        .expect_error(422, "validation_failed");
}

async fn player_claims_verified_for_loaded_dice(backend: Backend) {
    let table = table(backend).await;
    let service = Auth::ServiceFor("200".to_owned());
    // A d20 that shows 25: the tree's values agree with each other, but no d20 rolls 25.
    let mut body = roll_body("discord", Some(table.campaign.id), 12);
    body["rolled"]["lhs"]["dice"][0]["value"] = json!(25);
    body["rolled"]["lhs"]["value"] = json!(25);
    body["rolled"]["value"] = json!(30);
    body["total"] = json!(30);
    let stored: Roll = table
        .roll(&service, "loaded", &body)
        .await
        .expect(201)
        .json();
    assert_eq!(stored.verified, Some(false));
    body["verified"] = json!(true);
    table
        .roll(&service, "loaded-verified", &body)
        .await
        .expect_error(422, "validation_failed");
}

async fn player_reports_another_players_vtt_roll(backend: Backend) {
    let table = table(backend).await;
    table
        .link_vtt_account("100", "roll20", "gemma-r20", &[])
        .await;
    table
        .link_vtt_account("200", "roll20", "piet-r20", &[])
        .await;
    let mut body = roll_body("roll20", Some(table.campaign.id), 18);
    body["actor"]["vtt_user_id"] = json!("gemma-r20");
    table
        .roll(&table.player, "not-mine", &body)
        .await
        .expect_error(403, "forbidden");
    body["actor"]["vtt_user_id"] = json!("piet-r20");
    let roll: Roll = table
        .roll(&table.player, "mine", &body)
        .await
        .expect(201)
        .json();
    assert_eq!(roll.actor.user_id, Some(table.player_id));
}

async fn fake_tree_pads_nat20_statistics(backend: Backend) {
    let table = table(backend).await;
    // A made-up "tree" shaped the way the old guesser looked for d20s.
    let body = json!({
        "source": "discord", "actor": {"name": "Piet"}, "campaign_id": table.campaign.id,
        "expression": "1d20", "total": 20,
        "rolled": {"sides": 20, "results": [20, 20, 20, 20]},
        "rolled_at": "2026-11-25T20:00:00Z"
    });
    let stored: Roll = table
        .roll(&Auth::ServiceFor("200".to_owned()), "padded", &body)
        .await
        .expect(201)
        .json();
    assert_eq!(stored.verified, Some(false));
    let stats: CampaignRollStats = table
        .server
        .get(&table.gm, &table.path("/roll-stats"))
        .await
        .expect(200)
        .json();
    let piet = stats
        .members
        .iter()
        .find(|member| member.user_id == table.player_id)
        .unwrap();
    assert_eq!((piet.rolls, piet.d20_rolls, piet.nat20s), (1, 0, 0));
}

/// A D&D Beyond game-log message for `1d20+5` whose d20 shows `face` and whose total
/// is `total` (the shape of the game log's `dice/roll/fulfilled`, our own values).
fn ddb_message(face: i64, total: i64) -> String {
    json!({
        "id": "0b5e7d1a-0000-4000-8000-00000000abcd", "dateTime": "1764100800000",
        "gameId": "777", "userId": "piet-ddb", "source": "web",
        "data": {
            "action": "Stealth",
            "rolls": [{
                "diceNotation": {"set": [{"count": 1, "dieType": "d20",
                    "dice": [{"dieType": "d20", "dieValue": face}], "operation": 0}],
                    "constant": 5},
                "diceNotationStr": "1d20+5", "rollType": "check", "rollKind": "",
                "result": {"constant": 5, "values": [face], "total": total,
                           "text": format!("{face}+5")}
            }],
            "context": {"entityId": "1", "entityType": "character", "name": "Piet",
                        "messageScope": "gameId", "messageTarget": "777"},
            "setId": "00101", "rollId": "0b5e7d1a-roll"
        },
        "eventType": "dice/roll/fulfilled", "persist": true,
        "messageScope": "gameId", "messageTarget": "777"
    })
    .to_string()
}

async fn tampered_vtt_record_passes_as_verified(backend: Backend) {
    let table = table(backend).await;
    table
        .link_vtt_account("200", "dndbeyond", "piet-ddb", &[])
        .await;
    let body = |face: i64, total: i64, verified: bool| {
        json!({
            "source": "dndbeyond", "actor": {"name": "Piet", "vtt_user_id": "piet-ddb"},
            "campaign_id": table.campaign.id, "expression": "1d20+5", "total": total,
            "vtt_record": {"format": "ddb", "message": ddb_message(face, total)},
            "verified": verified, "rolled_at": "2026-11-25T20:00:00Z"
        })
    };
    // The honest record verifies.
    let honest: Roll = table
        .roll(&table.player, "ddb-honest", &body(13, 18, true))
        .await
        .expect(201)
        .json();
    assert_eq!((honest.total, honest.verified), (18.0, Some(true)));
    // A record whose total the die does not make is refused when claimed verified...
    table
        .roll(&table.player, "ddb-tampered", &body(4, 25, true))
        .await
        .expect_error(422, "validation_failed");
    // ...and stored as unverified otherwise.
    let stored: Roll = table
        .roll(&table.player, "ddb-tampered-2", &body(4, 25, false))
        .await
        .expect(201)
        .json();
    assert_eq!(stored.verified, Some(false));
}

async fn player_reads_a_private_d20_from_roll_stats(backend: Backend) {
    let table = table(backend).await;
    let mut secret = roll_body("discord", Some(table.campaign.id), 20);
    secret["private"] = json!(true);
    table
        .roll(&Auth::ServiceFor("100".to_owned()), "gm-secret", &secret)
        .await
        .expect(201);
    let stats_of = |auth: Auth| {
        let server = &table.server;
        let path = table.path("/roll-stats");
        async move {
            let stats: CampaignRollStats = server.get(&auth, &path).await.expect(200).json();
            stats
                .members
                .iter()
                .find(|member| member.user_id == table.gm_id)
                .map(|member| (member.rolls, member.nat20s))
        }
    };
    assert_eq!(stats_of(table.player.clone()).await, None);
    assert_eq!(stats_of(table.gm.clone()).await, Some((1, 1)));
}

/// Creates a user token with `scopes` through the API, as the user's web session would.
async fn token_with_scopes(table: &Table, owner: &Auth, scopes: &[&str]) -> Reply {
    table
        .server
        .post(
            owner,
            "/v1/me/tokens",
            &json!({"name": "scoped", "scopes": scopes}),
        )
        .await
}

async fn read_only_token_reports_a_roll(backend: Backend) {
    let table = table(backend).await;
    let created: Value = token_with_scopes(&table, &table.player, &["read"])
        .await
        .expect(201)
        .json();
    let read_only = Auth::Token(created["token"].as_str().unwrap().to_owned());
    table
        .server
        .get(&read_only, &table.path(""))
        .await
        .expect(200);
    table
        .roll(
            &read_only,
            "ro",
            &roll_body("roll20", Some(table.campaign.id), 3),
        )
        .await
        .expect_error(403, "forbidden");
}

async fn token_without_tokens_scope_mints_a_token(backend: Backend) {
    let table = table(backend).await;
    let created: Value = token_with_scopes(&table, &table.player, &["read", "rolls:write"])
        .await
        .expect(201)
        .json();
    let bridge = Auth::Token(created["token"].as_str().unwrap().to_owned());
    token_with_scopes(&table, &bridge, &["read", "tokens"])
        .await
        .expect_error(403, "forbidden");
    table
        .server
        .get(&bridge, "/v1/me/tokens")
        .await
        .expect_error(403, "forbidden");
}

async fn narrow_token_reaches_past_its_scopes(backend: Backend) {
    let table = table(backend).await;
    let server = &table.server;
    let narrow = |scope: &'static str| {
        let table = &table;
        async move {
            let created: Value = token_with_scopes(table, &table.gm, &[scope])
                .await
                .expect(201)
                .json();
            Auth::Token(created["token"].as_str().unwrap().to_owned())
        }
    };
    let campaign = table.path("");
    let rename = json!({"name": "Renamed"});
    let chat = json!({"message": "hi"});
    let read = narrow("read").await;
    server.get(&read, &campaign).await.expect(200);
    server
        .patch(&read, &campaign, &rename)
        .await
        .expect_error(403, "forbidden");
    server
        .post(&read, &table.path("/ai/chat"), &chat)
        .await
        .expect_error(403, "forbidden");
    let write = narrow("write").await;
    server.patch(&write, &campaign, &rename).await.expect(200);
    server
        .get(&write, &campaign)
        .await
        .expect_error(403, "forbidden");
    let rolls = narrow("rolls:write").await;
    server
        .get(&rolls, "/v1/me")
        .await
        .expect_error(403, "forbidden");
    server
        .delete(&rolls, &campaign)
        .await
        .expect_error(403, "forbidden");
    let ai = narrow("ai").await;
    server
        .get(&ai, "/v1/rolls")
        .await
        .expect_error(403, "forbidden");
    // The message names the missing scope.
    let body = server
        .get(&ai, "/v1/me/tokens")
        .await
        .expect_error(403, "forbidden");
    assert!(
        body.error.message.contains("'tokens'"),
        "{}",
        body.error.message
    );
}

async fn token_asks_to_live_for_a_year(backend: Backend) {
    let table = table(backend).await;
    let in_a_year = chrono::Utc::now() + chrono::Duration::days(365);
    table
        .server
        .post(
            &table.player,
            "/v1/me/tokens",
            &json!({"name": "forever", "scopes": ["read"], "expires_at": in_a_year}),
        )
        .await
        .expect_error(422, "validation_failed");
    // Without an expiry a token lives 30 days.
    let created: Value = token_with_scopes(&table, &table.player, &["read"])
        .await
        .expect(201)
        .json();
    let expires: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["key"]["expires_at"].clone()).unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((29.9..=30.0).contains(&days), "{days}");
}

async fn service_replays_one_users_roll_for_another(backend: Backend) {
    let table = table(backend).await;
    let body = roll_body("discord", Some(table.campaign.id), 20);
    let gm_roll: Roll = table
        .roll(&Auth::ServiceFor("100".to_owned()), "same-key", &body)
        .await
        .expect(201)
        .json();
    let player_roll = table
        .roll(&Auth::ServiceFor("200".to_owned()), "same-key", &body)
        .await;
    player_roll.expect(201);
    assert!(player_roll.headers.get("idempotent-replayed").is_none());
    let player_roll: Roll = player_roll.json();
    assert_ne!(player_roll.id, gm_roll.id);
    assert_eq!(player_roll.actor.user_id, Some(table.player_id));
}

async fn flood_from_one_token(backend: Backend) {
    let table = table_with(backend, |args| {
        args.rate_limit_user_per_minute = 60;
        args.rate_limit_user_burst = 5;
    })
    .await;
    let mut limited = None;
    for _ in 0..20 {
        let reply = table.server.get(&table.player, "/v1/me").await;
        if reply.status == 429 {
            limited = Some(reply);
            break;
        }
        reply.expect(200);
    }
    let Some(limited) = limited else {
        panic!("twenty requests at once from one token were all served")
    };
    limited.expect_error(429, "rate_limited");
    let wait = limited.retry_after();
    assert!((1..=2).contains(&wait), "{wait}");
    // Another user is not throttled by the first one's flood.
    table.server.get(&table.gm, "/v1/me").await.expect(200);
}

async fn flood_of_anonymous_requests_from_one_address(backend: Backend) {
    let table = table_with(backend, |args| {
        args.rate_limit_ip_per_minute = 60;
        args.rate_limit_ip_burst = 5;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(
            table
                .server
                .get(&Auth::None, "/v1/me")
                .await
                .status
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    // Authenticated users are counted per user, not per address.
    table.server.get(&table.player, "/v1/me").await.expect(200);
}

/// Two users' tokens from one host, each well under its own limit, are throttled
/// together by the address; FumbleBot's service key, which carries every user from one
/// address, is not.
async fn flood_from_many_tokens_on_one_address(backend: Backend) {
    let table = table_with(backend, |args| {
        args.rate_limit_user_per_minute = 600;
        args.rate_limit_user_burst = 120;
        args.rate_limit_user_ip_per_minute = 60;
        args.rate_limit_user_ip_burst = 6;
    })
    .await;
    let mut limited = None;
    for round in 0..20 {
        let token = if round % 2 == 0 {
            &table.gm
        } else {
            &table.player
        };
        let reply = table.server.get(token, "/v1/me").await;
        if reply.status == 429 {
            limited = Some((round, reply));
            break;
        }
        reply.expect(200);
    }
    let Some((round, limited)) = limited else {
        panic!("twenty requests from two tokens on one address were all served")
    };
    // At most the burst of six passes (the table's set-up spent some of it on the same
    // address), and both users were served first: neither one's own limit is near.
    assert!((2..=6).contains(&round), "refused at request {round}");
    let body = limited.expect_error(429, "rate_limited");
    assert!(
        body.error.message.contains("this address"),
        "{}",
        body.error.message
    );
    assert!((1..=2).contains(&limited.retry_after()));
    // The service key, acting for nobody or for a user, is counted per key and per user
    // (acting for nobody, /v1/me is a 403: past the limits, not a 429).
    table.server.get(&Auth::Service, "/v1/me").await.expect(403);
    table
        .server
        .get(&Auth::ServiceFor("200".to_owned()), "/v1/me")
        .await
        .expect(200);
}

/// A table whose Core logs in with a fake Discord, and a browser that does not follow
/// redirects.
async fn discord_table(backend: Backend) -> (Table, String, reqwest::Client) {
    let fake = Arc::new(DiscordFake::default());
    let base = serve(discord(fake)).await;
    let table = table_with(backend, |args| {
        args.discord_client_id = Some("client-1".to_owned());
        args.discord_client_secret = Some("secret-1".to_owned());
        args.discord_api_base = format!("{base}/api");
    })
    .await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (table, base, browser)
}

async fn login_flood_writes_a_row_per_hit(backend: Backend) {
    let (table, _, browser) = discord_table(backend).await;
    let rows_before = table.server.count_all_rows().await;
    for _ in 0..30 {
        let response = browser
            .get(format!("{}/auth/discord/login", table.server.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
    }
    assert_eq!(table.server.count_all_rows().await, rows_before);
}

async fn chat(table: &Table, key: Option<&str>) -> Reply {
    let mut request = table
        .server
        .http
        .post(format!(
            "{}{}",
            table.server.base_url,
            table.path("/ai/chat")
        ))
        .json(&json!({"message": "Who is Strahd?"}));
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    send(&table.player, request, &table.server.service_key).await
}

async fn ai_chat_retry_pays_twice(backend: Backend) {
    let (table, fake, _) = crate::ai::ai_party(backend, 0).await;
    let first = chat(&table, Some("ask-1")).await;
    first.expect(200);
    let retry = chat(&table, Some("ask-1")).await;
    retry.expect(200);
    assert_eq!(retry.text, first.text);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(
        fake.requests.lock().unwrap().len(),
        1,
        "fumblebot was asked twice"
    );
}

async fn forged_roll_reaches_the_ai_as_real(backend: Backend) {
    let (table, fake, _) = crate::ai::ai_party(backend, 0).await;
    let service = Auth::ServiceFor("200".to_owned());
    // A real roll of 3 whose Markdown claims a natural 20, and a roll whose total its
    // dice do not make.
    let mut boast = roll_body("discord", Some(table.campaign.id), 3);
    boast["markdown"] = json!("1d20 (**20**) + 5 = `25`");
    let stored: Roll = table
        .roll(&service, "boast", &boast)
        .await
        .expect(201)
        .json();
    assert_eq!(stored.markdown.as_deref(), Some("1d20 (3) + 5 = `8`"));
    let mut inflated = roll_body("discord", Some(table.campaign.id), 4);
    inflated["total"] = json!(30);
    table
        .roll(&service, "inflated", &inflated)
        .await
        .expect(201);
    chat(&table, None).await.expect(200);
    let requests = fake.requests.lock().unwrap();
    let rolls = &requests[0].context.recent_rolls;
    assert_eq!(rolls.len(), 1, "{rolls:?}");
    assert_eq!(rolls[0].markdown.as_deref(), Some("1d20 (3) + 5 = `8`"));
}

async fn campaign_chats_past_its_daily_ai_budget(backend: Backend) {
    // The fake answers with 1,500 tokens a call.
    let (table, fake, _) = crate::ai::ai_party(backend, 2_000).await;
    chat(&table, None).await.expect(200);
    chat(&table, None).await.expect(200);
    let spent = chat(&table, None).await;
    let body = spent.expect_error(429, "rate_limited");
    assert!(
        body.error.message.contains("daily"),
        "{}",
        body.error.message
    );
    assert!(spent.headers.contains_key("retry-after"));
    assert_eq!(fake.requests.lock().unwrap().len(), 2);
}

async fn ai_outage_leaks_fumblebot_address_and_body(backend: Backend) {
    let (table, fake, url) = crate::ai::ai_party(backend, 0).await;
    *fake.failing.lock().unwrap() = true;
    let reply = chat(&table, None).await;
    let body = reply.expect_error(502, "upstream_failed");
    let address = url.trim_start_matches("http://");
    assert!(!reply.text.contains(address), "{}", reply.text);
    assert!(!reply.text.contains("anthropic is down"), "{}", reply.text);
    let details = body.error.details.unwrap();
    assert!(details["request_id"].is_string(), "{details}");
    assert!(details["conversation_id"].is_string(), "{details}");
}

async fn login_failure_echoes_discords_body(backend: Backend) {
    let (table, base, client) = discord_table(backend).await;
    let login = client
        .get(format!("{}/auth/discord/login", table.server.base_url))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    let location = url::Url::parse(login.headers()["location"].to_str().unwrap()).unwrap();
    let state = location
        .query_pairs()
        .find(|(name, _)| name == "state")
        .unwrap()
        .1
        .into_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let reply = client
        .get(format!(
            "{}/auth/discord/callback?code=bad-code&state={state}",
            table.server.base_url
        ))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 502);
    let text = reply.text().await.unwrap();
    assert!(!text.contains("Invalid"), "{text}");
    assert!(!text.contains(&base), "{text}");
    let body: critfumble_sdk::wire::ErrorBody = serde_json::from_str(&text).unwrap();
    assert!(body.error.details.unwrap()["request_id"].is_string());
}
