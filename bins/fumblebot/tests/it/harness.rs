//! The test harness: a real Core (Core's own router on a fresh SQLite file), the fake
//! Discord, FumbleBot started in-process against both, signed interactions, and readers of
//! what Core stored.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use critfumble_core::EmbeddedCore;
use critfumble_fumblebot::{Config, Running};
use critfumble_sdk::CoreClient;
use critfumble_sdk::wire::{Page, Roll, RollQuery};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::fake_discord::FakeDiscord;

pub(crate) const APPLICATION_ID: &str = "900000000000000001";
pub(crate) const GUILD_ID: &str = "910000000000000001";
pub(crate) const CHANNEL_ID: &str = "930000000000000001";
/// Discord's MANAGE_CHANNELS bit (1 << 4) with VIEW_CHANNEL and SEND_MESSAGES.
pub(crate) const MANAGER: &str = "3088";
/// VIEW_CHANNEL and SEND_MESSAGES only.
pub(crate) const PLAYER: &str = "3072";

pub(crate) fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

pub(crate) fn public_key_hex() -> String {
    hex::encode(signing_key().verifying_key().as_bytes())
}

/// A real Core on a fresh SQLite file, served on 127.0.0.1:0.
pub(crate) struct TestCore {
    pub(crate) base_url: String,
    pub(crate) service_key: String,
    /// Core's database, to issue user tokens as the web app's login does.
    store: critfumble_core::Store,
    _dir: Option<tempfile::TempDir>,
}

/// The key pepper of every test Core.
const PEPPER: &str = "test-pepper-test-pepper-test-pepper";

impl TestCore {
    /// Opens Core (migrations, service key) without serving it yet.
    pub(crate) async fn open() -> (EmbeddedCore, TestCore) {
        Self::open_with(|_| {}).await
    }

    /// [`TestCore::open`] with Core's settings changed by `configure`.
    pub(crate) async fn open_with(
        configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
    ) -> (EmbeddedCore, TestCore) {
        let dir = tempfile::tempdir().unwrap();
        let mut args = EmbeddedCore::default_args().unwrap();
        args.database_url = dir.path().join("core.db").display().to_string();
        args.webhook_secret = vec!["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".to_owned()];
        args.pepper = Some(PEPPER.to_owned());
        args.fumblebot_url = "http://127.0.0.1:9".to_owned();
        configure(&mut args);
        let core = EmbeddedCore::open(&args).await.unwrap();
        let test = TestCore {
            base_url: String::new(),
            service_key: core.service_key().to_owned(),
            store: core.store().clone(),
            _dir: Some(dir),
        };
        (core, test)
    }

    /// Serves an opened Core on `listener`.
    pub(crate) fn serve(core: EmbeddedCore, listener: tokio::net::TcpListener) {
        tokio::spawn(async move {
            core.serve(listener, std::future::pending()).await.unwrap();
        });
    }

    pub(crate) async fn start() -> TestCore {
        Self::start_with(|_| {}).await
    }

    /// [`TestCore::start`] with Core's settings changed by `configure`.
    pub(crate) async fn start_with(
        configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
    ) -> TestCore {
        let (core, mut test) = TestCore::open_with(configure).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        test.base_url = format!("http://{}", listener.local_addr().unwrap());
        TestCore::serve(core, listener);
        test
    }

    /// Another handle on the same Core (the first keeps its files).
    pub(crate) fn handle(&self) -> TestCore {
        TestCore {
            base_url: self.base_url.clone(),
            service_key: self.service_key.clone(),
            store: self.store.clone(),
            _dir: None,
        }
    }

    /// A user token for a new user with the scopes Core's Link page gives the extension
    /// (`TokenScope::DEFAULT`), stored directly.
    pub(crate) async fn user_token(&self, discord_id: &str, name: &str) -> String {
        self.user_token_with_scopes(discord_id, name, critfumble_sdk::wire::TokenScope::DEFAULT)
            .await
    }

    /// A user token with `scopes` for the user `discord_id` (created or updated through
    /// Core's API), stored in Core's database as the web app's login does.
    pub(crate) async fn user_token_with_scopes(
        &self,
        discord_id: &str,
        name: &str,
        scopes: &[critfumble_sdk::wire::TokenScope],
    ) -> String {
        use critfumble_sdk::api_key::{ApiKey, KeyPepper, StoredApiKey};
        use critfumble_sdk::wire::{KeyScope, UpsertUserRequest};
        let user = self
            .client()
            .upsert_user(
                discord_id,
                &UpsertUserRequest {
                    name: name.to_owned(),
                    avatar: None,
                },
            )
            .await
            .unwrap();
        let env = ApiKey::parse(&self.service_key).unwrap().env();
        let key = ApiKey::generate(env);
        let now = chrono::Utc::now();
        let stored = StoredApiKey::issue(
            uuid::Uuid::new_v4(),
            "extension",
            &key,
            &KeyPepper::new(PEPPER).unwrap(),
            KeyScope::User,
            Some(user.id),
            now,
        )
        .with_expiry(Some(now + chrono::TimeDelta::days(30)))
        .with_scopes(scopes.to_vec());
        self.store.insert_api_key(&stored).await.unwrap();
        key.expose_secret().to_owned()
    }

    pub(crate) fn client(&self) -> CoreClient {
        CoreClient::new(self.base_url.clone(), self.service_key.clone()).unwrap()
    }

    /// Every roll Core holds, newest first.
    pub(crate) async fn rolls(&self) -> Vec<Roll> {
        let client = self.client();
        let mut rolls = Vec::new();
        let mut query = RollQuery {
            limit: Some(200),
            ..RollQuery::default()
        };
        loop {
            let page: Page<Roll> = client.list_rolls(&query).await.unwrap();
            rolls.extend(page.items);
            match page.next_cursor {
                Some(cursor) => query.cursor = Some(cursor),
                None => return rolls,
            }
        }
    }

    /// Waits until Core holds at least `count` rolls, and returns them.
    pub(crate) async fn wait_for_rolls(&self, count: usize) -> Vec<Roll> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let rolls = self.rolls().await;
            if rolls.len() >= count {
                return rolls;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "core holds {} rolls, expected {count}",
                rolls.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// FumbleBot against a [`TestCore`] and a [`FakeDiscord`].
pub(crate) struct TestBot {
    pub(crate) running: Running,
    pub(crate) core: TestCore,
    pub(crate) discord: FakeDiscord,
    _dir: tempfile::TempDir,
}

impl TestBot {
    pub(crate) async fn start() -> TestBot {
        Self::start_with(|_| {}).await
    }

    pub(crate) async fn start_with(configure: impl FnOnce(&mut Config)) -> TestBot {
        Self::start_on(TestCore::start().await, configure).await
    }

    /// Starts FumbleBot against an existing Core.
    pub(crate) async fn start_on(core: TestCore, configure: impl FnOnce(&mut Config)) -> TestBot {
        // RUST_LOG=debug shows FumbleBot's logs under the failing test.
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .try_init();
        let discord = FakeDiscord::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests();
        config.core_url = Some(core.base_url.clone());
        config.core_api_key = Some(core.service_key.clone());
        config.discord_public_key = Some(public_key_hex());
        config.discord_api_base = discord.base().to_owned();
        config.discord_application_id = Some(APPLICATION_ID.parse().unwrap());
        config.outbox_path = dir.path().join("outbox.db");
        configure(&mut config);
        let running = critfumble_fumblebot::start(config).await.unwrap();
        TestBot {
            running,
            core,
            discord,
            _dir: dir,
        }
    }

    /// Sends a signed interaction through the router and returns the status and the body.
    pub(crate) async fn send(&self, interaction: &Value) -> (u16, Value) {
        let body = interaction.to_string();
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let request = signed_request(&body, &timestamp, &sign(&timestamp, &body));
        self.oneshot(request).await
    }

    pub(crate) async fn oneshot(&self, request: Request<Body>) -> (u16, Value) {
        let app = critfumble_fumblebot::app(self.running.state().clone());
        let response = app.oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

pub(crate) fn sign(timestamp: &str, body: &str) -> String {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body.as_bytes());
    hex::encode(signing_key().sign(&message).to_bytes())
}

pub(crate) fn signed_request(body: &str, timestamp: &str, signature: &str) -> Request<Body> {
    Request::post("/discord/interactions")
        .header("content-type", "application/json")
        .header("x-signature-ed25519", signature)
        .header("x-signature-timestamp", timestamp)
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub(crate) fn user(id: &str, name: &str) -> Value {
    json!({"id": id, "username": name.to_lowercase(), "discriminator": "0",
           "global_name": name, "avatar": null, "bot": false, "public_flags": 0})
}

pub(crate) fn member(id: &str, name: &str, permissions: &str) -> Value {
    json!({"user": user(id, name), "nick": null, "avatar": null, "roles": [],
           "joined_at": "2025-01-01T00:00:00.000000+00:00", "premium_since": null,
           "deaf": false, "mute": false, "flags": 0, "pending": false,
           "permissions": permissions, "communication_disabled_until": null})
}

/// The fields every interaction carries, in a guild channel.
fn base(id: u64, kind: u8, user_id: &str, name: &str, permissions: &str) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APPLICATION_ID,
        "type": kind,
        "token": format!("token-{id}"),
        "version": 1,
        "guild_id": GUILD_ID,
        "channel_id": CHANNEL_ID,
        "channel": {"id": CHANNEL_ID, "type": 0, "name": "table", "permissions": permissions},
        "member": member(user_id, name, permissions),
        "app_permissions": "2248473465835073",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0,
        "attachment_size_limit": 10485760
    })
}

pub(crate) fn ping() -> Value {
    json!({"id": "1", "application_id": APPLICATION_ID, "type": 1, "token": "token-ping",
           "version": 1})
}

/// A slash command (type 2) by `user_id` with these options (`[{name, type, value}]`).
pub(crate) fn command(id: u64, user_id: &str, name: &str, options: Value) -> Value {
    command_as(id, user_id, PLAYER, name, options)
}

pub(crate) fn command_as(
    id: u64,
    user_id: &str,
    permissions: &str,
    name: &str,
    options: Value,
) -> Value {
    let mut interaction = base(id, 2, user_id, "Mira", permissions);
    interaction["data"] = json!({"id": "950000000000000000", "name": name, "type": 1,
                                 "options": options});
    interaction
}

/// An autocomplete (type 4): `options` has one option with `"focused": true`.
pub(crate) fn autocomplete(id: u64, user_id: &str, name: &str, options: Value) -> Value {
    let mut interaction = command(id, user_id, name, options);
    interaction["type"] = json!(4);
    interaction
}

/// A button press (type 3) on a message.
pub(crate) fn button(id: u64, user_id: &str, custom_id: &str) -> Value {
    let mut interaction = base(id, 3, user_id, "Mira", PLAYER);
    interaction["data"] = json!({"custom_id": custom_id, "component_type": 2});
    interaction["message"] = crate::fake_discord::message_object("a roll");
    interaction
}

pub(crate) fn string_option(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

pub(crate) fn bool_option(name: &str, value: bool) -> Value {
    json!({"name": name, "type": 5, "value": value})
}
