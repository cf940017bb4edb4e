//! Local fakes of the services Core calls: Discord's OAuth2 endpoints and FumbleBot's chat.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use critfumble_sdk::wire::{AiChatRequest, AiChatResponse, TokenUsage};
use serde_json::{Value, json};

/// Starts `router` on 127.0.0.1:0 and returns its base URL.
pub(crate) async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// What the fake Discord saw and expects.
#[derive(Default)]
pub(crate) struct DiscordFake {
    /// The PKCE challenge of the login in progress (the test copies it from the redirect).
    pub(crate) challenge: Mutex<Option<String>>,
    /// The redirect URI the token request must repeat.
    pub(crate) redirect_uri: Mutex<Option<String>>,
}

/// A fake of Discord's `/api/oauth2/token` and `/api/users/@me`, speaking its wire format.
pub(crate) fn discord(fake: Arc<DiscordFake>) -> Router {
    async fn token(
        State(fake): State<Arc<DiscordFake>>,
        headers: HeaderMap,
        body: String,
    ) -> (StatusCode, Json<Value>) {
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
        let expected_auth = format!(
            "Basic {}",
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                "client-1:secret-1"
            )
        );
        let authorized = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            == Some(expected_auth.as_str());
        let verifier_ok = form.get("code_verifier").is_some_and(|verifier| {
            Some(critfumble_core::token::pkce_challenge(verifier))
                == *fake.challenge.lock().unwrap()
        });
        let redirect_ok = form.get("redirect_uri") == fake.redirect_uri.lock().unwrap().as_ref();
        if !authorized {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "invalid_client"})),
            );
        }
        if form.get("grant_type").map(String::as_str) != Some("authorization_code")
            || form.get("code").map(String::as_str) != Some("good-code")
            || !verifier_ok
            || !redirect_ok
        {
            return (
                StatusCode::BAD_REQUEST,
                Json(
                    json!({"error": "invalid_grant", "error_description": "Invalid \"code\" in request."}),
                ),
            );
        }
        (
            StatusCode::OK,
            Json(
                json!({"access_token": "at-6qrZcUqja7812RVdnEKjpzOL4CvHBFG", "token_type": "Bearer",
                        "expires_in": 604800, "refresh_token": "rt-D43f5y0ahjqew82jZ4NViEr2YafMKhue",
                        "scope": "identify"}),
            ),
        )
    }
    async fn me(headers: HeaderMap) -> (StatusCode, Json<Value>) {
        let ok = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            == Some("Bearer at-6qrZcUqja7812RVdnEKjpzOL4CvHBFG");
        if !ok {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"message": "401: Unauthorized", "code": 0})),
            );
        }
        (
            StatusCode::OK,
            Json(
                json!({"id": "80351110224678912", "username": "nelly", "discriminator": "0",
                        "global_name": "Nelly", "avatar": "8342729096ea3675442027381ff50dfe",
                        "public_flags": 0, "flags": 0, "locale": "en-US", "mfa_enabled": true}),
            ),
        )
    }
    Router::new()
        .route("/api/oauth2/token", post(token))
        .route("/api/users/@me", get(me))
        .with_state(fake)
}

/// What the fake FumbleBot received, and whether it fails.
#[derive(Default)]
pub(crate) struct FumbleBotFake {
    pub(crate) requests: Mutex<Vec<AiChatRequest>>,
    pub(crate) failing: Mutex<bool>,
}

/// A fake of FumbleBot's `POST /v1/ai/chat`.
pub(crate) fn fumblebot(fake: Arc<FumbleBotFake>) -> Router {
    async fn chat(
        State(fake): State<Arc<FumbleBotFake>>,
        headers: HeaderMap,
        Json(request): Json<AiChatRequest>,
    ) -> Result<Json<AiChatResponse>, (StatusCode, Json<Value>)> {
        let authorized = headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            == Some("Bearer fumblebot-service-key");
        if !authorized {
            return Err((
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": {"code": "unauthorized", "message": "bad key"}})),
            ));
        }
        request.validate().unwrap();
        let failing = *fake.failing.lock().unwrap();
        let reply = format!(
            "{} characters and {} recent rolls in {}",
            request.context.characters.len(),
            request.context.recent_rolls.len(),
            request
                .context
                .campaign
                .as_ref()
                .map(|c| c.name.as_str())
                .unwrap_or("?")
        );
        fake.requests.lock().unwrap().push(request);
        if failing {
            return Err((
                StatusCode::BAD_GATEWAY,
                Json(json!({"error": {"code": "upstream_failed", "message": "anthropic is down"}})),
            ));
        }
        Ok(Json(AiChatResponse {
            content: reply,
            model: "claude-test".to_owned(),
            usage: TokenUsage {
                provider: "anthropic".to_owned(),
                model: "claude-test".to_owned(),
                input_tokens: 1200,
                output_tokens: 300,
                cache_read_tokens: 100,
                cache_write_tokens: 0,
                latency_ms: 850,
                estimated_cost_usd: 0.0081,
            },
        }))
    }
    Router::new()
        .route("/v1/ai/chat", post(chat))
        .with_state(fake)
}
