//! A local AI provider that speaks OpenAI's Chat Completions (`POST /v1/chat/completions`,
//! `GET /v1/models`) and Anthropic's Messages (`POST /v1/messages`, `GET /v1/models`) wire
//! formats, as their API references give them. It answers `echo: <the last user message>`
//! and counts tokens its own way (one per whitespace-separated word of every message and
//! system text; one per word of the answer), so that a test can check FumbleBot's usage and
//! cost against what the provider said. A failure can be scripted for the next calls.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

/// The key the fake accepts from OpenAI clients.
pub(crate) const OPENAI_KEY: &str = "sk-proj-fake-openai-0123456789abcdef";
/// The key the fake accepts from Anthropic clients.
pub(crate) const ANTHROPIC_KEY: &str = "sk-ant-api03-fake-anthropic-0123456789";

/// A scripted failure for the next call.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// 429 with `retry-after` in seconds.
    RateLimited { retry_after_secs: u64 },
    /// 500 with a body that holds a secret-looking text.
    ServerError,
}

/// One answered chat, as the fake counted it.
#[derive(Debug, Clone)]
pub(crate) struct Answered {
    pub(crate) path: String,
    pub(crate) model: String,
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    pub(crate) body: Value,
}

#[derive(Default)]
struct Shared {
    failures: Mutex<VecDeque<Failure>>,
    answered: Mutex<Vec<Answered>>,
    calls: Mutex<u64>,
}

/// A running fake provider.
pub(crate) struct FakeProvider {
    pub(crate) origin: String,
    shared: Arc<Shared>,
}

impl FakeProvider {
    pub(crate) async fn start() -> FakeProvider {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/v1/chat/completions", post(openai_chat))
            .route("/v1/messages", post(anthropic_messages))
            .route("/v1/models", get(models))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeProvider { origin, shared }
    }

    /// The OpenAI base URL (`…/v1`, as OpenAI's SDK takes it).
    pub(crate) fn openai_base_url(&self) -> String {
        format!("{}/v1", self.origin)
    }

    /// The Anthropic base URL (the origin, as Anthropic's SDK takes it).
    pub(crate) fn anthropic_base_url(&self) -> String {
        self.origin.clone()
    }

    pub(crate) fn fail_next(&self, failure: Failure) {
        self.shared.failures.lock().unwrap().push_back(failure);
    }

    pub(crate) fn answered(&self) -> Vec<Answered> {
        self.shared.answered.lock().unwrap().clone()
    }

    /// Every chat call received, answered or failed.
    pub(crate) fn calls(&self) -> u64 {
        *self.shared.calls.lock().unwrap()
    }
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

/// The text of a message's `content`: a string, or Anthropic's list of text blocks.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|block| block["text"].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

fn last_user_text(messages: &[Value]) -> String {
    messages
        .iter()
        .rev()
        .find(|message| message["role"] == "user")
        .map(|message| content_text(&message["content"]))
        .unwrap_or_default()
}

fn scripted(shared: &Shared, openai: bool) -> Option<Response> {
    *shared.calls.lock().unwrap() += 1;
    let failure = shared.failures.lock().unwrap().pop_front()?;
    Some(match failure {
        Failure::RateLimited { retry_after_secs } => {
            let body = if openai {
                json!({"error": {"message": "Rate limit reached for gpt-4o-mini on requests per min (RPM): Limit 3, Used 3, Requested 1.",
                                 "type": "requests", "param": null, "code": "rate_limit_exceeded"}})
            } else {
                json!({"type": "error", "error": {"type": "rate_limit_error",
                       "message": "Number of request tokens has exceeded your per-minute rate limit"},
                       "request_id": "req_fake_429"})
            };
            (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", retry_after_secs.to_string())],
                axum::Json(body),
            )
                .into_response()
        }
        Failure::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [("x-should-retry", "false".to_owned())],
            axum::Json(
                json!({"error": {"message": "internal detail: shard db-7 of org-secret-42 failed",
                                        "type": "server_error", "param": null, "code": null}}),
            ),
        )
            .into_response(),
    })
}

/// `401` with the body each provider sends for a wrong key; OpenAI's echoes the key it got.
fn refused_key(openai: bool, presented: &str) -> Response {
    let body = if openai {
        json!({"error": {"message": format!("Incorrect API key provided: {presented}. You can find your API key at https://platform.openai.com/account/api-keys."),
                         "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}})
    } else {
        json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"},
               "request_id": "req_fake_401"})
    };
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

async fn openai_chat(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    if presented != OPENAI_KEY {
        *shared.calls.lock().unwrap() += 1;
        return refused_key(true, &presented);
    }
    if let Some(failure) = scripted(&shared, true) {
        return failure;
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let input_tokens: u64 = messages
        .iter()
        .map(|message| words(&content_text(&message["content"])))
        .sum();
    let answer = format!("echo: {}", last_user_text(&messages));
    let output_tokens = words(&answer);
    let requested = body["model"].as_str().unwrap_or_default().to_owned();
    // OpenAI answers with the dated snapshot of an alias.
    let model = if requested == "gpt-4o-mini" {
        "gpt-4o-mini-2024-07-18".to_owned()
    } else {
        requested
    };
    shared.answered.lock().unwrap().push(Answered {
        path: "/v1/chat/completions".into(),
        model: model.clone(),
        input_tokens,
        output_tokens,
        body: body.clone(),
    });
    axum::Json(json!({
        "id": "chatcmpl-fake0001",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": model,
        "choices": [{"index": 0,
                     "message": {"role": "assistant", "content": answer, "refusal": null, "annotations": []},
                     "logprobs": null, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": input_tokens, "completion_tokens": output_tokens,
                  "total_tokens": input_tokens + output_tokens,
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
        "service_tier": "default",
        "system_fingerprint": "fp_fake"
    }))
    .into_response()
}

async fn anthropic_messages(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let presented = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if presented != ANTHROPIC_KEY || headers.get("anthropic-version").is_none() {
        *shared.calls.lock().unwrap() += 1;
        return refused_key(false, &presented);
    }
    if let Some(failure) = scripted(&shared, false) {
        return failure;
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let system = content_text(&body["system"]);
    let input_tokens: u64 = words(&system)
        + messages
            .iter()
            .map(|message| words(&content_text(&message["content"])))
            .sum::<u64>();
    let answer = format!("echo: {}", last_user_text(&messages));
    let output_tokens = words(&answer);
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    shared.answered.lock().unwrap().push(Answered {
        path: "/v1/messages".into(),
        model: model.clone(),
        input_tokens,
        output_tokens,
        body: body.clone(),
    });
    axum::Json(json!({
        "id": "msg_fake0001",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": answer}],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": input_tokens, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0, "output_tokens": output_tokens,
                  "service_tier": "standard"}
    }))
    .into_response()
}

/// Both providers list models at `GET /v1/models`; a wrong key is 401.
async fn models(headers: HeaderMap) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let anthropic = headers
        .get("x-api-key")
        .and_then(|value| value.to_str().ok());
    if bearer == Some(OPENAI_KEY) || anthropic == Some(ANTHROPIC_KEY) {
        axum::Json(json!({"object": "list", "data": [], "has_more": false})).into_response()
    } else {
        refused_key(bearer.is_some(), bearer.or(anthropic).unwrap_or_default())
    }
}
