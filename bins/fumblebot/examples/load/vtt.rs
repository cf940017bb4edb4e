//! The VTT bridge's load: games and campaigns made through Core's API (as the web app and
//! the extension would make them), extension tokens written to Core's database (as the web
//! app's Discord login issues them: a service key may not mint user tokens), the
//! `POST /vtt/rolls` body wrk sends, and a fake Discord that takes the relayed messages.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use critfumble_sdk::CoreClient;
use critfumble_sdk::api_key::{ApiKey, KeyEnv, KeyPepper, StoredApiKey};
use critfumble_sdk::webhook::WebhookSecret;
use critfumble_sdk::wire::{
    CreateTokenRequest, DiscordLinkRequest, KeyScope, TokenScope, UpsertUserRequest, Vtt,
    VttAccountLinked, VttGame, VttRollReceipt, WebhookEvent, WebhookPayload,
};
use futures_util::StreamExt as _;

/// A Roll20 chat message as the extension reads it (`d20-1`, a 7, total 6), in the shape of
/// `critfumble-vtt`'s `rollresult_basic.html` fixture; `@@ID@@` is the message id.
const ROLL20_MESSAGE: &str = concat!(
    r#"<div class="message rollresult player--Bench0000000000001 " data-messageid="@@ID@@" "#,
    r#"data-playerid="-Bench0000000000001"><div class="spacer"></div><div class="avatar" "#,
    r#"aria-hidden="true"><img src="/users/avatar/1/30"></div><span class="tstamp" "#,
    r#"aria-hidden="true">December 5, 2026 11:00PM</span><span class="by">Bench (GM):</span>"#,
    r#"<div class="formula" style="margin-bottom: 3px;">rolling d20-1</div><div class="clear">"#,
    r#"</div><div class="formula formattedformula"><div class="dicegrouping" "#,
    r#"data-groupindex="0">(<div data-origindex="0" class="diceroll d20"><div class="dicon">"#,
    r#"<div class="didroll">7</div><div class="backing"></div></div></div>)</div>-1<div "#,
    r#"class="clear"></div></div><div class="clear"></div><strong>=</strong><div "#,
    r#"class="rolled">6</div></div>"#
);

/// The guild the bench's campaigns are linked in.
const GUILD: &str = "960000000000000001";

/// Issues user tokens straight into Core's database, with Core's pepper.
pub(crate) struct TokenMinter {
    store: critfumble_core::Store,
    pepper: KeyPepper,
    env: KeyEnv,
}

impl TokenMinter {
    /// A minter for the Core whose SQLite file is `database`, whose pepper is `pepper`, and
    /// whose service key is `core_key` (its environment, live or test, is the tokens').
    pub(crate) async fn open(
        database: &str,
        pepper: &str,
        core_key: &str,
    ) -> anyhow::Result<TokenMinter> {
        Ok(TokenMinter {
            store: critfumble_core::Store::connect(database).await?,
            pepper: KeyPepper::new(pepper.as_bytes().to_vec())?,
            env: ApiKey::parse(core_key)?.env(),
        })
    }

    /// A new extension token of `user` (the default scopes, 30 days).
    async fn mint(&self, user: uuid::Uuid, name: &str) -> anyhow::Result<String> {
        let token = ApiKey::generate(self.env);
        let now = chrono::Utc::now();
        let stored = StoredApiKey::issue(
            uuid::Uuid::new_v4(),
            name,
            &token,
            &self.pepper,
            KeyScope::User,
            Some(user),
            now,
        )
        .with_expiry(Some(now + CreateTokenRequest::DEFAULT_LIFETIME))
        .with_scopes(TokenScope::DEFAULT.to_vec());
        self.store.insert_api_key(&stored).await?;
        Ok(token.expose_secret().to_owned())
    }
}

/// One extension token and the game it sends rolls for.
pub(crate) struct Seat {
    /// The user token (`cfk_…`).
    pub(crate) token: String,
    /// The Roll20 game id.
    pub(crate) game_id: String,
}

/// Makes `games` Roll20 games, each with its GM (a Discord user), the GM's Roll20 account
/// linked through the signed webhook as that game's GM, a campaign linked to a Discord
/// channel and to the game, and `tokens_per_game` extension tokens of the GM.
pub(crate) async fn seats(
    core_url: &str,
    core_key: &str,
    secret: &WebhookSecret,
    minter: &TokenMinter,
    prefix: &str,
    games: usize,
    tokens_per_game: usize,
) -> anyhow::Result<Vec<Seat>> {
    let core = CoreClient::new(core_url, core_key)?;
    let made: Vec<anyhow::Result<Vec<Seat>>> = futures_util::stream::iter(0..games)
        .map(|game| {
            let core = core.clone();
            async move { game_seats(&core, secret, minter, prefix, game, tokens_per_game).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut seats = Vec::new();
    for game in made {
        seats.extend(game?);
    }
    Ok(seats)
}

async fn game_seats(
    core: &CoreClient,
    secret: &WebhookSecret,
    minter: &TokenMinter,
    prefix: &str,
    game: usize,
    tokens_per_game: usize,
) -> anyhow::Result<Vec<Seat>> {
    let discord_id = format!("72000000000{game:07}");
    let game_id = format!("{prefix}-game-{game}");
    let user = core
        .upsert_user(
            &discord_id,
            &UpsertUserRequest {
                name: format!("GM {game}"),
                avatar: None,
            },
        )
        .await?;
    let now = chrono::Utc::now();
    core.send_event(
        secret,
        &WebhookEvent {
            timestamp: now,
            payload: WebhookPayload::VttAccountLinked(VttAccountLinked {
                discord_id: discord_id.clone(),
                vtt: Vtt::Roll20,
                vtt_user_id: format!("-{prefix}-gm-{game}"),
                display_name: Some(format!("GM {game}")),
                verified_at: now,
                gm_game_ids: vec![game_id.clone()],
            }),
        },
    )
    .await
    .context("the gm's roll20 account")?;
    let gm = core.acting_as(&discord_id)?;
    let campaign = gm
        .create_campaign(&serde_json::from_value(serde_json::json!({
            "name": format!("Bench table {game}"), "game_system": "dnd5e"
        }))?)
        .await?;
    gm.link_discord(
        campaign.id,
        &DiscordLinkRequest {
            guild_id: GUILD.to_owned(),
            channel_id: format!("97000000000{game:07}"),
        },
    )
    .await?;
    gm.link_vtt_game(
        campaign.id,
        &VttGame {
            vtt: Vtt::Roll20,
            game_id: game_id.clone(),
        },
    )
    .await?;
    let mut seats = Vec::new();
    for n in 0..tokens_per_game {
        seats.push(Seat {
            token: minter.mint(user.id, &format!("extension {n}")).await?,
            game_id: game_id.clone(),
        });
    }
    Ok(seats)
}

/// The `POST /vtt/rolls` body with `@@GAME@@` for the game id and `@@ID@@` for the message
/// id, which the wrk script fills in for each request.
pub(crate) fn roll_template() -> anyhow::Result<String> {
    Ok(serde_json::json!({
        "vtt": "roll20", "game_id": "@@GAME@@", "format": "roll20-html", "raw": ROLL20_MESSAGE
    })
    .to_string())
}

/// Sends one roll through the bridge and checks FumbleBot's answer against the message's
/// own numbers (a 7 on the d20, minus 1), before anything is timed.
pub(crate) async fn check_one_roll(
    fumblebot: &str,
    seat: &Seat,
    message_id: &str,
) -> anyhow::Result<()> {
    let body = roll_template()?
        .replace("@@GAME@@", &seat.game_id)
        .replace("@@ID@@", message_id);
    let response = reqwest::Client::new()
        .post(format!("{fumblebot}/vtt/rolls"))
        .bearer_auth(&seat.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    anyhow::ensure!(status.is_success(), "the check roll: {status}: {text}");
    let receipt: VttRollReceipt = serde_json::from_str(&text)?;
    anyhow::ensure!(
        receipt.total == Some(6.0) && receipt.verified == Some(true) && !receipt.duplicate,
        "the check roll was answered wrongly: {text}"
    );
    Ok(())
}

/// Presents every token to the bridge once (a chat with an empty body, refused with 400
/// after the token check), so that the timed run starts with the tokens checked, as they
/// are in steady state (Core's answer is reused for 60 s, longer than a run).
pub(crate) async fn warm_tokens(fumblebot: &str, seats: &[Seat]) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let statuses: Vec<reqwest::Result<reqwest::StatusCode>> = futures_util::stream::iter(seats)
        .map(|seat| {
            let http = http.clone();
            async move {
                let response = http
                    .post(format!("{fumblebot}/vtt/chat"))
                    .bearer_auth(&seat.token)
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await?;
                Ok(response.status())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for status in statuses {
        let status = status?;
        anyhow::ensure!(status == 400, "a token was not accepted: {status}");
    }
    Ok(())
}

/// Writes the seats (`token<TAB>game_id`, one a line) and the body template for wrk.
pub(crate) fn write_seats(seats: &[Seat], out: &Path) -> anyhow::Result<()> {
    let lines: String = seats
        .iter()
        .map(|seat| format!("{}\t{}\n", seat.token, seat.game_id))
        .collect();
    std::fs::write(out, lines)?;
    Ok(())
}

/// A Discord that takes every message sent to a channel, answers it as Discord does, and
/// counts them; runs until the process is stopped, then prints the count.
pub(crate) async fn fake_discord(listen: &str) -> anyhow::Result<()> {
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/api/v10/channels/{channel}/messages",
        axum::routing::post(
            move |axum::extract::Path(channel): axum::extract::Path<String>| {
                let counter = counter.clone();
                async move {
                    let n = counter.fetch_add(1, Ordering::Relaxed) + 1;
                    axum::Json(message_object(&channel, n))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .await?;
    println!(
        "fake discord: {} messages relayed",
        received.load(Ordering::Relaxed)
    );
    Ok(())
}

/// The message object Discord answers a `POST /channels/{id}/messages` with.
fn message_object(channel: &str, n: u64) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{}", 980_000_000_000_000_000u64 + n),
        "channel_id": channel,
        "author": {"id": "900000000000000001", "username": "fumblebot", "discriminator": "0",
                   "global_name": null, "avatar": null, "bot": true},
        "content": "",
        "timestamp": "2026-12-05T23:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0, "flags": 0,
        "components": []
    })
}
