//! A local Discord for the Activity: the OAuth2 token endpoint (`POST /api/v10/oauth2/token`,
//! a form with `client_id`, `client_secret`, `grant_type=authorization_code` and `code`),
//! `GET /api/v10/users/@me` with the access token, and
//! `GET /api/v10/applications/{id}/activity-instances/{instance}` with the bot token. It
//! follows Discord's documented wire format (developers/docs: topics/oauth2, resources/user,
//! resources/application's activity instances) and its error bodies, with our own values.
//! A code works once, as Discord's do.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

/// The OAuth2 client of the fake application.
pub(crate) const CLIENT_ID: &str = "900000000000000001";
pub(crate) const CLIENT_SECRET: &str = "fake-client-secret";
/// The bot token the instance endpoint wants.
pub(crate) const BOT_TOKEN: &str = "fake-bot-token";
/// The guild every instance of the fake runs in (the harness's).
const GUILD_ID: &str = "910000000000000001";

/// A Discord user the fake knows.
#[derive(Clone, Debug)]
pub(crate) struct FakeUser {
    pub(crate) id: String,
    pub(crate) username: String,
    pub(crate) global_name: Option<String>,
}

#[derive(Default)]
struct Shared {
    codes: Mutex<HashMap<String, FakeUser>>,
    tokens: Mutex<HashMap<String, FakeUser>>,
    /// instance id → (channel id, user ids).
    instances: Mutex<HashMap<String, (String, Vec<String>)>>,
    exchanges: AtomicU64,
    instance_lookups: AtomicU64,
}

/// A running fake.
#[derive(Clone)]
pub(crate) struct FakeDiscordOAuth {
    base: String,
    shared: Arc<Shared>,
}

impl FakeDiscordOAuth {
    pub(crate) async fn start() -> FakeDiscordOAuth {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/api/v10/oauth2/token", post(token))
            .route("/api/v10/users/@me", get(me))
            .route(
                "/api/v10/applications/{application}/activity-instances/{instance}",
                get(instance),
            )
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeDiscordOAuth { base, shared }
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// A code that `authorize` would give `user`.
    pub(crate) async fn grant(&self, code: &str, user: &FakeUser) {
        self.shared
            .codes
            .lock()
            .await
            .insert(code.to_owned(), user.clone());
    }

    /// An activity instance in `channel_id` with these users in it.
    pub(crate) async fn instance(&self, instance_id: &str, channel_id: &str, users: &[&str]) {
        self.shared.instances.lock().await.insert(
            instance_id.to_owned(),
            (
                channel_id.to_owned(),
                users.iter().map(|user| (*user).to_owned()).collect(),
            ),
        );
    }

    /// Codes exchanged successfully.
    pub(crate) fn exchanges(&self) -> u64 {
        self.shared.exchanges.load(Ordering::SeqCst)
    }

    /// Instance lookups answered.
    pub(crate) fn instance_lookups(&self) -> u64 {
        self.shared.instance_lookups.load(Ordering::SeqCst)
    }
}

pub(crate) fn fake_user(id: &str, name: &str) -> FakeUser {
    FakeUser {
        id: id.to_owned(),
        username: name.to_lowercase(),
        global_name: Some(name.to_owned()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    code: Option<String>,
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

async fn token(State(shared): State<Arc<Shared>>, Form(form): Form<TokenForm>) -> Response {
    if form.client_id.as_deref() != Some(CLIENT_ID)
        || form.client_secret.as_deref() != Some(CLIENT_SECRET)
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client");
    }
    if form.grant_type.as_deref() != Some("authorization_code") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant type",
        );
    }
    let Some(user) = shared
        .codes
        .lock()
        .await
        .remove(form.code.as_deref().unwrap_or_default())
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Invalid \"code\" in request.",
        );
    };
    let access_token = format!("fake-access-{}", uuid::Uuid::new_v4().simple());
    shared
        .tokens
        .lock()
        .await
        .insert(access_token.clone(), user);
    shared.exchanges.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 604800,
        "refresh_token": "fake-refresh",
        "scope": "identify guilds"
    }))
    .into_response()
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"message": "401: Unauthorized", "code": 0})),
    )
        .into_response()
}

async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let Some(token) = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return unauthorized();
    };
    let Some(user) = shared.tokens.lock().await.get(token).cloned() else {
        return unauthorized();
    };
    Json(json!({
        "id": user.id,
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": null,
        "public_flags": 0,
        "flags": 0,
        "mfa_enabled": false,
        "locale": "en-US",
        "premium_type": 0
    }))
    .into_response()
}

async fn instance(
    State(shared): State<Arc<Shared>>,
    Path((application, instance_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bot {BOT_TOKEN}"))
    {
        return unauthorized();
    }
    let found = shared.instances.lock().await.get(&instance_id).cloned();
    let Some((channel_id, users)) = found.filter(|_| application == CLIENT_ID) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "Unknown Application Instance", "code": 10_089})),
        )
            .into_response();
    };
    shared.instance_lookups.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "application_id": application,
        "instance_id": instance_id,
        "launch_id": "1276580072400224306",
        "location": {
            "id": format!("gc-{GUILD_ID}-{channel_id}"),
            "kind": "gc",
            "channel_id": channel_id,
            "guild_id": GUILD_ID
        },
        "users": users
    }))
    .into_response()
}
