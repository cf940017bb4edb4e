//! A local Discord for the tests: the REST routes FumbleBot uses (`/api/v10/...`) and the
//! gateway (a WebSocket speaking Discord's opcodes: HELLO, IDENTIFY, READY, heartbeats,
//! RESUME, and dispatches such as INTERACTION_CREATE). It follows Discord's documented wire
//! format (developers/docs: topics/gateway, gateway-events, interactions/receiving-and-
//! responding) with our own values, and records every REST request it receives.
//!
//! The same fake runs as a process for the browser extension's end-to-end test
//! (`cargo run -p critfumble-fumblebot --example fake_discord`), controlled over HTTP:
//! `GET /_fake/requests` (every REST request, with when it arrived), `POST /_fake/dispatch`
//! (`{"event", "data"}`: a gateway dispatch to every client) and `GET /_fake/identified`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::{Value, json};
use tokio::sync::{Mutex, Notify, mpsc};

/// The bot user of the fake.
pub(crate) const BOT_USER_ID: &str = "990000000000000001";

/// One REST request the fake received.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The JSON body (for multipart, its `payload_json` part).
    pub(crate) body: Value,
    /// Files of a multipart body: (part name, file name, bytes).
    pub(crate) files: Vec<(String, String, Vec<u8>)>,
    /// When it arrived.
    pub(crate) received_at: std::time::SystemTime,
}

#[derive(Default)]
struct Shared {
    base: String,
    requests: Mutex<Vec<Recorded>>,
    arrived: Notify,
    sockets: Mutex<Vec<mpsc::UnboundedSender<String>>>,
    sequence: AtomicU64,
    identified: AtomicU64,
    identify_seen: Notify,
    /// Webhook edits and follow-ups still to fail, and the status they fail with.
    failures: Mutex<(u32, u16)>,
}

/// A running fake Discord.
#[derive(Clone)]
pub(crate) struct FakeDiscord {
    shared: Arc<Shared>,
}

impl FakeDiscord {
    pub(crate) async fn start() -> FakeDiscord {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            base: format!("http://{address}"),
            ..Shared::default()
        });
        let router = Router::new()
            .route("/gateway", get(gateway))
            .route("/api/v10/{*rest}", any(rest))
            .route("/_fake/requests", get(control_requests))
            .route("/_fake/identified", get(control_identified))
            .route("/_fake/dispatch", axum::routing::post(control_dispatch))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        FakeDiscord { shared }
    }

    /// The base URL to give `--discord-api-base`.
    pub(crate) fn base(&self) -> &str {
        &self.shared.base
    }

    /// Every request so far.
    pub(crate) async fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().await.clone()
    }

    /// Waits until a request matching `wanted` arrived, and returns it.
    pub(crate) async fn wait_for(
        &self,
        what: &str,
        wanted: impl Fn(&Recorded) -> bool,
    ) -> Recorded {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.shared.arrived.notified();
            if let Some(found) = self.requests().await.into_iter().find(|r| wanted(r)) {
                return found;
            }
            assert!(
                tokio::time::timeout_at(deadline, notified).await.is_ok(),
                "the fake discord never received {what}; it got {:#?}",
                self.requests().await
            );
        }
    }

    /// Waits until a client has identified on the gateway.
    pub(crate) async fn wait_for_identify(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while self.shared.identified.load(Ordering::SeqCst) == 0 {
            let notified = self.shared.identify_seen.notified();
            if self.shared.identified.load(Ordering::SeqCst) > 0 {
                break;
            }
            assert!(
                tokio::time::timeout_at(deadline, notified).await.is_ok(),
                "no gateway client identified"
            );
        }
    }

    /// Makes the next `count` webhook edits or follow-ups fail with `status` (a 429 carries
    /// Discord's rate-limit body and `Retry-After`).
    pub(crate) async fn fail_next(&self, count: u32, status: u16) {
        *self.shared.failures.lock().await = (count, status);
    }

    /// Sends a dispatch (op 0) to every connected gateway client.
    pub(crate) async fn dispatch(&self, event: &str, data: Value) {
        dispatch(&self.shared, event, data).await;
    }
}

async fn dispatch(shared: &Shared, event: &str, data: Value) {
    let sequence = shared.sequence.fetch_add(1, Ordering::SeqCst) + 1;
    let frame = json!({"op": 0, "t": event, "s": sequence, "d": data}).to_string();
    for socket in shared.sockets.lock().await.iter() {
        let _ = socket.send(frame.clone());
    }
}

/// `GET /_fake/requests`: every REST request so far, `received_at_ms` since the epoch.
async fn control_requests(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let requests = shared.requests.lock().await;
    Json(Value::Array(
        requests
            .iter()
            .map(|request| {
                let received_at_ms = request
                    .received_at
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0.0, |since| since.as_secs_f64() * 1_000.0);
                json!({"method": request.method.as_str(), "path": request.path,
                       "body": request.body, "received_at_ms": received_at_ms})
            })
            .collect(),
    ))
}

/// `GET /_fake/identified`: how many gateway clients identified.
async fn control_identified(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({"identified": shared.identified.load(Ordering::SeqCst)}))
}

/// `POST /_fake/dispatch` with `{"event", "data"}`.
async fn control_dispatch(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<Value>,
) -> StatusCode {
    let Some(event) = body["event"].as_str() else {
        return StatusCode::BAD_REQUEST;
    };
    dispatch(&shared, event, body["data"].clone()).await;
    StatusCode::NO_CONTENT
}

/// A message object as Discord returns it from the webhook routes.
pub(crate) fn message_object(content: &str) -> Value {
    json!({
        "id": "970000000000000001",
        "channel_id": "930000000000000001",
        "author": {"id": BOT_USER_ID, "username": "FumbleBot", "discriminator": "0",
                   "global_name": null, "avatar": null, "bot": true},
        "content": content,
        "timestamp": "2026-11-25T20:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 20
    })
}

async fn rest(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    request: Request,
) -> Response {
    let method = request.method().clone();
    let path = format!("/api/v10/{rest}");
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    let (body, files) = if is_multipart {
        let mut multipart = Multipart::from_request(request, &()).await.unwrap();
        let (mut body, mut files) = (Value::Null, Vec::new());
        while let Some(field) = multipart.next_field().await.unwrap() {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.unwrap().to_vec();
            match file_name {
                Some(file_name) => files.push((name, file_name, bytes)),
                None if name == "payload_json" => body = serde_json::from_slice(&bytes).unwrap(),
                None => {}
            }
        }
        (body, files)
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), 8 << 20)
            .await
            .unwrap();
        (
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            Vec::new(),
        )
    };
    let recorded = Recorded {
        method: method.clone(),
        path: path.clone(),
        body: body.clone(),
        files,
        received_at: std::time::SystemTime::now(),
    };
    shared.requests.lock().await.push(recorded);
    shared.arrived.notify_waiters();
    let segments: Vec<&str> = rest.split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => {
            Json(json!({"url": format!("{}/gateway", shared.base.replace("http", "ws"))}))
                .into_response()
        }
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": format!("{}/gateway", shared.base.replace("http", "ws")),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                    "max_concurrency": 1}
        }))
        .into_response(),
        ("PUT", ["applications", application, "commands"])
        | ("PUT", ["applications", application, "guilds", _, "commands"]) => {
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(index, mut command)| {
                    command["id"] = json!(format!("95000000000000{index:04}"));
                    command["application_id"] = json!(application);
                    command["version"] = json!("1");
                    if command.get("type").is_none_or(Value::is_null) {
                        command["type"] = json!(1);
                    }
                    command
                })
                .collect();
            Json(commands).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["channels", _, "messages"]) => {
            let content = body["content"].as_str().unwrap_or_default();
            Json(message_object(content)).into_response()
        }
        ("PATCH", ["webhooks", _, _, "messages", _]) | ("POST", ["webhooks", _, _]) => {
            let mut failures = shared.failures.lock().await;
            if failures.0 > 0 {
                failures.0 -= 1;
                let status = StatusCode::from_u16(failures.1).unwrap();
                let body = json!({"message": "You are being rate limited.", "retry_after": 0.1,
                                  "global": false});
                return (status, [("retry-after", "0.1")], Json(body)).into_response();
            }
            drop(failures);
            let content = body["content"].as_str().unwrap_or_default();
            Json(message_object(content)).into_response()
        }
        _ => (
            StatusCode::NOT_FOUND,
            Json(json!({"message": "404: Not Found", "code": 0})),
        )
            .into_response(),
    }
}

async fn gateway(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| session(shared, socket))
}

async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}, "s": null, "t": null});
    if socket
        .send(Message::Text(hello.to_string().into()))
        .await
        .is_err()
    {
        return;
    }
    let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
    loop {
        tokio::select! {
            frame = queue.recv() => {
                let Some(frame) = frame else { return };
                if socket.send(Message::Text(frame.into())).await.is_err() {
                    return;
                }
            }
            received = socket.recv() => {
                let Some(Ok(Message::Text(text))) = received else { return };
                let payload: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match payload["op"].as_u64() {
                    // IDENTIFY: READY, then this socket gets dispatches.
                    Some(2) => {
                        let shard = payload["d"]["shard"].clone();
                        let ready = json!({
                            "op": 0, "t": "READY",
                            "s": shared.sequence.fetch_add(1, Ordering::SeqCst) + 1,
                            "d": {
                                "v": 10,
                                "user": {"id": BOT_USER_ID, "username": "FumbleBot",
                                         "discriminator": "0", "global_name": null,
                                         "avatar": null, "bot": true, "verified": true,
                                         "mfa_enabled": false, "flags": 0},
                                "guilds": [{"id": "910000000000000001", "unavailable": true}],
                                "session_id": "fake-session",
                                "resume_gateway_url": format!("{}/gateway", shared.base.replace("http", "ws")),
                                "shard": shard,
                                "application": {"id": "900000000000000001", "flags": 0}
                            }
                        });
                        if socket.send(Message::Text(ready.to_string().into())).await.is_err() {
                            return;
                        }
                        shared.sockets.lock().await.push(outgoing.clone());
                        shared.identified.fetch_add(1, Ordering::SeqCst);
                        shared.identify_seen.notify_waiters();
                    }
                    // Heartbeat: ACK.
                    Some(1) => {
                        let ack = json!({"op": 11, "d": null, "s": null, "t": null});
                        if socket.send(Message::Text(ack.to_string().into())).await.is_err() {
                            return;
                        }
                    }
                    // RESUME: RESUMED.
                    Some(6) => {
                        let resumed = json!({"op": 0, "t": "RESUMED", "d": {},
                            "s": shared.sequence.fetch_add(1, Ordering::SeqCst) + 1});
                        if socket.send(Message::Text(resumed.to_string().into())).await.is_err() {
                            return;
                        }
                        shared.sockets.lock().await.push(outgoing.clone());
                    }
                    _ => {}
                }
            }
        }
    }
}
