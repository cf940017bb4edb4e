//! A scripted HTTP server on 127.0.0.1:0: it answers with queued replies and records requests.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use critfumble_sdk::{ClientConfig, CoreClient, FumbleBotClient, RetryPolicy, SdkError};
use serde::Serialize;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is json")
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) delay: Duration,
}

impl Reply {
    pub(crate) fn json(status: u16, body: &impl Serialize) -> Self {
        Self {
            status,
            body: serde_json::to_string(body).expect("reply serializes"),
            headers: vec![("content-type", "application/json".into())],
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn raw(status: u16, body: &str) -> Self {
        Self {
            status,
            body: body.into(),
            headers: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub(crate) fn error(status: u16, code: critfumble_sdk::wire::ErrorCode, message: &str) -> Self {
        Self::json(status, &critfumble_sdk::wire::ErrorBody::new(code, message))
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

#[derive(Default)]
struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    recorded: Mutex<Vec<Recorded>>,
}

/// The running server; it stops when the test's runtime ends.
pub(crate) struct TestServer {
    pub(crate) url: String,
    shared: Arc<Shared>,
}

impl TestServer {
    pub(crate) async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a port");
        let url = format!("http://{}", listener.local_addr().expect("has an address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    /// Queues replies, answered in order.
    pub(crate) fn reply(&self, replies: impl IntoIterator<Item = Reply>) {
        self.shared.replies.lock().expect("lock").extend(replies);
    }

    /// Takes the requests recorded so far.
    pub(crate) fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.shared.recorded.lock().expect("lock"))
    }

    /// A quick retry policy, so that tests do not sleep long.
    pub(crate) fn fast_retry() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        }
    }

    pub(crate) fn config(&self) -> ClientConfig {
        ClientConfig::new(&self.url, "cfk_test_token")
            .with_retry(Self::fast_retry())
            .with_timeout(Duration::from_secs(5))
    }

    pub(crate) fn core(&self) -> CoreClient {
        CoreClient::with_config(self.config()).expect("valid config")
    }

    pub(crate) fn fumblebot(&self) -> FumbleBotClient {
        FumbleBotClient::with_config(self.config()).expect("valid config")
    }
}

async fn answer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.recorded.lock().expect("lock").push(Recorded {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body: body.to_vec(),
    });
    let reply = shared.replies.lock().expect("lock").pop_front();
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no scripted reply").into_response();
    };
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).expect("valid status"),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).expect("valid header"));
    }
    response
}

/// Queues `reply`, runs `call`, and returns its value with the one request it made.
pub(crate) async fn exchange<T>(
    server: &TestServer,
    reply: Reply,
    call: impl Future<Output = Result<T, SdkError>>,
) -> (T, Recorded) {
    server.reply([reply]);
    let value = call.await.expect("call succeeds");
    let mut recorded = server.take();
    assert_eq!(recorded.len(), 1, "exactly one request");
    (value, recorded.remove(0))
}

/// `METHOD /path?query`, for one-line assertions.
pub(crate) fn route(request: &Recorded) -> String {
    match &request.query {
        Some(query) => format!("{} {}?{query}", request.method, request.path),
        None => format!("{} {}", request.method, request.path),
    }
}

/// Parses the recorded query string the way an axum handler's `Query` extractor does.
pub(crate) fn parse_query<T: serde::de::DeserializeOwned>(request: &Recorded) -> T {
    let uri: axum::http::Uri = format!(
        "http://core{}?{}",
        request.path,
        request.query.as_deref().unwrap_or("")
    )
    .parse()
    .expect("valid uri");
    axum::extract::Query::<T>::try_from_uri(&uri)
        .expect("the query parses")
        .0
}
