//! The bridge honours the scopes of the token it is given, as Core does on its own routes:
//! a token that may only read cannot post rolls, chat or account links through FumbleBot's
//! service key, and leaves no trace when it tries; a token without `read` is told so; the
//! token Core's Link page issues (`read` and `rolls:write`) may do everything.

use std::time::Duration;

use critfumble_sdk::wire::{ErrorBody, TokenScope, Vtt, VttRollReceipt};
use serde_json::{Value, json};

use crate::bridge::{Bridge, MIRA, fixture};

const CHANNEL: &str = "930000000000001001";
const GAME: &str = "game-scopes";

/// Asserts a 403 whose error body names `scope` and `route`.
fn assert_lacks(status: u16, body: &Value, scope: &str, route: &str) {
    assert_eq!(status, 403, "{route}: {body}");
    let error: ErrorBody = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(error.error.code.as_str(), "forbidden", "{body}");
    let message = &error.error.message;
    assert!(
        message.contains(&format!("'{scope}'")) && message.contains(route),
        "{route}: {message}"
    );
}

/// `GET /vtt/events` of the test game with `token`.
async fn events(bridge: &Bridge, token: &str) -> reqwest::Response {
    bridge
        .http
        .get(bridge.url(&format!("/vtt/events?vtt=roll20&game_id={GAME}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

/// A bridge with Mira's campaign linked to the test game and channel (its account link
/// made with her Link page token), a token of Mira's with `scopes`, and a roll message of
/// the test game.
async fn start_with_token(scopes: &[TokenScope]) -> (Bridge, String, Value) {
    let bridge = Bridge::start().await;
    bridge.campaign(CHANNEL, Vtt::Roll20, GAME).await;
    let token = bridge
        .bot
        .core
        .user_token_with_scopes(MIRA, "Mira", scopes)
        .await;
    let (raw, _) = fixture("roll20-html/rollresult_basic.html");
    let roll = json!({"vtt": "roll20", "game_id": GAME, "format": "roll20-html", "raw": raw});
    (bridge, token, roll)
}

#[tokio::test]
async fn a_read_only_token_cannot_write_through_the_bridge() {
    let (bridge, read_only, roll) = start_with_token(&[TokenScope::Read]).await;
    for (path, request) in [
        ("/vtt/rolls", roll.clone()),
        (
            "/vtt/chat",
            json!({"vtt": "roll20", "game_id": GAME, "speaker": "Mira",
                   "text": "sent with a read-only token"}),
        ),
        (
            "/vtt/accounts/link",
            json!({"vtt": "roll20", "vtt_user_id": "read-only-claim", "display_name": "Mira"}),
        ),
    ] {
        let (status, body) = bridge.post(path, Some(&read_only), request).await;
        assert_lacks(status, &body, "rolls:write", &format!("POST {path}"));
    }
    // Reading is what the token may do: it may listen to the game's events.
    assert_eq!(events(&bridge, &read_only).await.status(), 200);

    // The Link page's token sends the same message: it is new to the bridge (the refused
    // one was not recorded as seen), relayed and stored.
    let (status, body) = bridge.post("/vtt/rolls", Some(&bridge.mira), roll).await;
    assert_eq!(status, 200, "{body}");
    let receipt: VttRollReceipt = serde_json::from_value(body).unwrap();
    assert!(!receipt.duplicate);
    let (status, body) = bridge
        .post(
            "/vtt/chat",
            Some(&bridge.mira),
            json!({"vtt": "roll20", "game_id": GAME, "speaker": "Mira",
                   "text": "sent with the link page's token"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rolls = bridge.bot.core.wait_for_rolls(1).await;
    for wanted in ["🎲", "sent with the link page's token"] {
        bridge
            .bot
            .discord
            .wait_for(wanted, |request| {
                request.path.contains(CHANNEL)
                    && request.body["content"]
                        .as_str()
                        .is_some_and(|content| content.contains(wanted))
            })
            .await;
    }
    // Nothing of the read-only token's reached Core or Discord.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bridge.bot.core.rolls().await.len(), 1, "{rolls:#?}");
    let relayed = bridge.channel_messages(CHANNEL).await;
    assert_eq!(relayed.len(), 2, "{relayed:#?}");
    assert!(
        relayed
            .iter()
            .all(|message| !message.body.to_string().contains("read-only")),
        "{relayed:#?}"
    );
    let accounts = bridge.vtt_accounts_of(MIRA).await;
    assert!(
        accounts
            .iter()
            .all(|account| account.vtt_user_id != "read-only-claim"),
        "{accounts:#?}"
    );
}

#[tokio::test]
async fn a_token_without_read_is_told_which_scope_it_lacks() {
    let (bridge, write_only, roll) = start_with_token(&[TokenScope::RollsWrite]).await;
    let (status, body) = bridge.post("/vtt/rolls", Some(&write_only), roll).await;
    assert_lacks(status, &body, "read", "POST /vtt/rolls");
    let response = events(&bridge, &write_only).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_lacks(status, &body, "read", "GET /vtt/events");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(bridge.bot.core.rolls().await.is_empty());
}
