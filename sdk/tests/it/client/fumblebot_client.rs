//! `FumbleBotClient`: the chat Core sends with its service key.

use critfumble_sdk::FumbleBotClient;
use critfumble_sdk::wire::{
    AiChatRequest, AiChatResponse, AiProviderStatus, ErrorCode, FumbleBotReadiness, Health,
};

use crate::client::fixtures::*;
use crate::client::server::{Reply, TestServer};

#[tokio::test]
async fn chat_sends_the_request_with_the_service_key() {
    let server = TestServer::start().await;
    let answer = AiChatResponse {
        content: "A coin for each soul.".into(),
        model: "claude-sonnet".into(),
        usage: usage(),
    };
    server.reply([Reply::json(200, &answer)]);
    let client = FumbleBotClient::new(&server.url, "cfk_live_service").expect("valid config");
    assert_eq!(client.chat(&chat_request()).await.expect("answers"), answer);
    let request = server.take().remove(0);
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/ai/chat")
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer cfk_live_service")
    );
    let sent: AiChatRequest = serde_json::from_slice(&request.body).expect("an AiChatRequest");
    assert_eq!(sent, chat_request());
    assert_eq!(sent.context.recent_rolls[0].markdown, roll().markdown);
}

#[tokio::test]
async fn chat_is_not_retried_after_an_upstream_failure_but_is_after_429() {
    let server = TestServer::start().await;
    let client = server.fumblebot();
    server.reply([Reply::error(
        502,
        ErrorCode::UpstreamFailed,
        "provider down",
    )]);
    let error = client.chat(&chat_request()).await.expect_err("502");
    assert_eq!(
        error.api_body().map(|body| body.error.code),
        Some(ErrorCode::UpstreamFailed)
    );
    assert_eq!(server.take().len(), 1);

    let answer = AiChatResponse {
        content: "ok".into(),
        model: "m".into(),
        usage: usage(),
    };
    server.reply([
        Reply::error(429, ErrorCode::RateLimited, "later").with_header("retry-after", "0"),
        Reply::json(200, &answer),
    ]);
    assert_eq!(client.chat(&chat_request()).await.expect("retried"), answer);
    assert_eq!(server.take().len(), 2);
}

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    let client = server.fumblebot();
    let ok = Health {
        status: "ok".into(),
    };
    let ready = FumbleBotReadiness {
        status: "ready".into(),
        default_model: Some("gpt-4o-mini".into()),
        ai_providers: vec![AiProviderStatus {
            provider: "openai".into(),
            reachable: true,
            detail: None,
        }],
    };
    server.reply([Reply::json(200, &ok), Reply::json(200, &ready)]);
    assert_eq!(client.health().await.expect("healthy"), ok);
    assert_eq!(client.ready().await.expect("ready"), ready);
    let paths: Vec<_> = server
        .take()
        .into_iter()
        .map(|request| request.path)
        .collect();
    assert_eq!(paths, ["/healthz", "/readyz"]);
}
