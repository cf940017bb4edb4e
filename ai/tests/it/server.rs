//! A scripted HTTP server on 127.0.0.1:0: each request gets the next scripted
//! reply, and every request is recorded for the test to inspect.
#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test on a setup error"
)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use critfumble_ai::CompletionRequest;
use critfumble_ai::client::{LlmProvider, ProviderConfig, ProviderKey, StreamOutcome};
use futures_util::StreamExt;
use tokio::sync::oneshot;

/// One scripted reply.
pub(crate) enum Reply {
    /// A complete body.
    Json {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// A 200 `text/event-stream` body sent in these pieces, `gap` apart.
    Sse {
        chunks: Vec<Vec<u8>>,
        gap: Duration,
        end: StreamEnd,
    },
    /// Wait this long, then send the reply.
    Delayed(Duration, Box<Reply>),
    /// Never answer; `dropped` fires when the server gives up on the request
    /// because the client went away.
    Silent { dropped: oneshot::Sender<()> },
}

/// How a scripted stream ends after its chunks.
pub(crate) enum StreamEnd {
    /// The body ends normally.
    Close,
    /// The connection is torn down mid-body (the chunked encoding never finishes).
    Abort,
    /// Nothing more is sent; the body stays open until the client goes away,
    /// and `dropped` fires when the server notices.
    Hang { dropped: oneshot::Sender<()> },
}

/// A request the server received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: serde_json::Value,
}

#[derive(Default)]
struct Script {
    replies: Mutex<VecDeque<Reply>>,
    received: Mutex<Vec<Received>>,
}

/// A running server.
pub(crate) struct Server {
    pub(crate) base_url: String,
    script: Arc<Script>,
}

impl Server {
    pub(crate) async fn start(replies: Vec<Reply>) -> Server {
        let script = Arc::new(Script {
            replies: Mutex::new(replies.into()),
            ..Script::default()
        });
        let app = Router::new().fallback(handle).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Server {
            base_url: format!("http://{address}"),
            script,
        }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.script.received.lock().expect("lock").clone()
    }

    /// A config for this server with fast retries and short timeouts.
    pub(crate) fn config(&self, key: &str, base_suffix: &str) -> ProviderConfig {
        let mut config = ProviderConfig::openai(ProviderKey::new(key));
        config.base_url = format!("{}{base_suffix}", self.base_url);
        config.retry.base_delay = Duration::from_millis(10);
        config.retry.max_delay = Duration::from_millis(50);
        config.timeout = Duration::from_secs(5);
        config.stream_idle_timeout = Duration::from_secs(5);
        config
    }
}

async fn handle(State(script): State<Arc<Script>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    let bytes = axum::body::to_bytes(request.into_body(), 10 << 20)
        .await
        .unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    script.received.lock().expect("lock").push(Received {
        path,
        headers,
        body,
    });
    let reply = script.replies.lock().expect("lock").pop_front();
    match reply {
        Some(reply) => respond(reply).await,
        None => json_response(
            500,
            &[],
            r#"{"error":{"message":"script exhausted","type":"test"}}"#.to_owned(),
        ),
    }
}

fn json_response(status: u16, headers: &[(&'static str, String)], body: String) -> Response {
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(status).expect("status"))
        .header("content-type", "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    builder.body(Body::from(body)).expect("response")
}

async fn respond(reply: Reply) -> Response {
    match reply {
        Reply::Json {
            status,
            headers,
            body,
        } => json_response(status, &headers, body),
        Reply::Delayed(delay, reply) => {
            tokio::time::sleep(delay).await;
            Box::pin(respond(*reply)).await
        }
        Reply::Silent { dropped } => {
            let _guard = DropSignal(Some(dropped));
            std::future::pending::<Response>().await
        }
        Reply::Sse { chunks, gap, end } => {
            let body = futures_util::stream::iter(chunks)
                .then(move |chunk| async move {
                    tokio::time::sleep(gap).await;
                    Ok::<_, std::io::Error>(Bytes::from(chunk))
                })
                .chain(ending(end));
            Response::builder()
                .status(200)
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(body))
                .expect("response")
        }
    }
}

type Chunk = Result<Bytes, std::io::Error>;

fn ending(end: StreamEnd) -> futures_util::stream::BoxStream<'static, Chunk> {
    match end {
        StreamEnd::Close => futures_util::stream::empty().boxed(),
        StreamEnd::Abort => {
            futures_util::stream::once(async { Err(std::io::Error::other("connection reset")) })
                .boxed()
        }
        StreamEnd::Hang { dropped } => {
            // The guard is dropped when hyper drops the body, which it does when
            // the client closes the connection.
            let guard = DropSignal(Some(dropped));
            futures_util::stream::pending::<Chunk>()
                .map(move |chunk| {
                    let _keep = &guard;
                    chunk
                })
                .boxed()
        }
    }
}

struct DropSignal(Option<oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(sender) = self.0.take() {
            let _ = sender.send(());
        }
    }
}

/// Splits `text` into pieces at awkward places: inside `data:`, between `\r`
/// and `\n`, and inside multi-byte UTF-8 characters.
pub(crate) fn awkward_chunks(text: &str, sizes: &[usize]) -> Vec<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while start < bytes.len() {
        let size = sizes[index % sizes.len()].max(1);
        let end = (start + size).min(bytes.len());
        chunks.push(bytes[start..end].to_vec());
        start = end;
        index += 1;
    }
    chunks
}

/// A JSON reply.
pub(crate) fn json(status: u16, body: &str) -> Reply {
    Reply::Json {
        status,
        headers: Vec::new(),
        body: body.to_owned(),
    }
}

/// A JSON reply with headers.
pub(crate) fn json_with(status: u16, headers: &[(&'static str, &str)], body: &str) -> Reply {
    Reply::Json {
        status,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, (*value).to_owned()))
            .collect(),
        body: body.to_owned(),
    }
}

/// A 200 event stream sent in `chunks`, back to back, ending with `end`.
pub(crate) fn sse(chunks: Vec<Vec<u8>>, end: StreamEnd) -> Reply {
    Reply::Sse {
        chunks,
        gap: Duration::ZERO,
        end,
    }
}

/// Streams `request` from `provider` and gathers everything it yields.
pub(crate) async fn stream_outcome(
    provider: &dyn LlmProvider,
    request: &CompletionRequest,
) -> StreamOutcome {
    provider
        .stream(request)
        .await
        .expect("the stream starts")
        .collect_outcome()
        .await
}
