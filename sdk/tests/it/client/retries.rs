//! Retries: which failures are retried, that the idempotency key stays the same, that
//! `Retry-After` is honoured, and that a slow attempt is retried only when that is safe.

use std::time::{Duration, Instant};

use critfumble_sdk::wire::{CampaignChatRequest, ErrorCode, Health};
use critfumble_sdk::{CoreClient, RetryPolicy, SdkError};

use crate::client::fixtures::*;
use crate::client::server::{Reply, TestServer};

#[tokio::test]
async fn report_roll_retries_5xx_with_the_same_idempotency_key() {
    let server = TestServer::start().await;
    server.reply([
        Reply::error(503, ErrorCode::Unavailable, "starting"),
        Reply::raw(500, "oops"),
        Reply::json(201, &roll()),
    ]);
    let got = server
        .core()
        .report_roll(&new_roll())
        .await
        .expect("third attempt succeeds");
    assert_eq!(got, roll());
    let requests = server.take();
    assert_eq!(requests.len(), 3);
    let key = requests[0].header("idempotency-key").expect("has a key");
    for request in &requests {
        assert_eq!(request.header("idempotency-key"), Some(key));
        assert_eq!(request.body, requests[0].body);
    }
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let server = TestServer::start().await;
    server.reply((0..3).map(|_| Reply::error(503, ErrorCode::Unavailable, "down")));
    let error = server
        .core()
        .report_roll(&new_roll())
        .await
        .expect_err("always 503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.take().len(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = TestServer::start().await;
    server.reply([
        Reply::error(429, ErrorCode::RateLimited, "slow down").with_header("retry-after", "1"),
        Reply::json(201, &roll()),
    ]);
    let started = Instant::now();
    server
        .core()
        .report_roll(&new_roll())
        .await
        .expect("second attempt succeeds");
    let elapsed = started.elapsed();
    // The backoff alone would be at most 20 ms; the server asked for a second.
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    let requests = server.take();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("idempotency-key"),
        requests[1].header("idempotency-key")
    );
}

#[tokio::test]
async fn too_long_retry_after_ends_the_retries() {
    let server = TestServer::start().await;
    server.reply([
        Reply::error(429, ErrorCode::RateLimited, "come back tomorrow")
            .with_header("retry-after", "86400"),
    ]);
    let started = Instant::now();
    let error = server.core().get_roll(id(5)).await.expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        error.api_body().map(|body| body.error.code),
        Some(ErrorCode::RateLimited)
    );
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn a_permanent_409_is_not_retried() {
    // A link already held by another campaign stays held: retrying only repeats the 409.
    let server = TestServer::start().await;
    server.reply([
        Reply::error(409, ErrorCode::Conflict, "already linked"),
        Reply::json(200, &roll()),
    ]);
    let error = server.core().get_roll(id(5)).await.expect_err("409");
    assert_eq!(error.status(), Some(409));
    assert_eq!(server.take().len(), 1, "a conflict was retried");
    // Drop the unused success reply.
    server.core().health().await.ok();
    server.take();
    // An idempotency key still in flight clears by itself, so that 409 is retried.
    server.reply([
        Reply::error(409, ErrorCode::IdempotencyKeyInFlight, "in flight")
            .with_header("retry-after", "0"),
        Reply::json(201, &roll()),
    ]);
    server
        .core()
        .report_roll(&new_roll())
        .await
        .expect("retried");
    assert_eq!(server.take().len(), 2);
}

#[tokio::test]
async fn get_retries_408_and_409() {
    let server = TestServer::start().await;
    server.reply([
        Reply::raw(408, ""),
        Reply::error(409, ErrorCode::IdempotencyKeyInFlight, "in flight"),
        Reply::json(200, &roll()),
    ]);
    assert_eq!(
        server.core().get_roll(id(5)).await.expect("succeeds"),
        roll()
    );
    assert_eq!(server.take().len(), 3);
}

#[tokio::test]
async fn other_4xx_are_never_retried() {
    let server = TestServer::start().await;
    let cases = [
        (400, ErrorCode::BadRequest),
        (401, ErrorCode::Unauthorized),
        (403, ErrorCode::Forbidden),
        (404, ErrorCode::NotFound),
        (413, ErrorCode::PayloadTooLarge),
        (422, ErrorCode::IdempotencyKeyReused),
    ];
    for (status, code) in cases {
        server.reply([Reply::error(status, code, "no"), Reply::json(201, &roll())]);
        let error = server
            .core()
            .report_roll(&new_roll())
            .await
            .expect_err("4xx");
        assert_eq!(error.status(), Some(status));
        assert_eq!(error.api_body().map(|body| body.error.code), Some(code));
        assert_eq!(server.take().len(), 1, "{status} was retried");
        // Drop the unused success reply before the next case.
        server.core().health().await.ok();
        server.take();
    }
}

#[tokio::test]
async fn post_without_idempotency_key_is_retried_only_when_not_processed() {
    let server = TestServer::start().await;
    let client = server.core();
    let ask = CampaignChatRequest {
        conversation_id: None,
        message: "hello".into(),
    };
    server.reply([Reply::error(
        502,
        ErrorCode::UpstreamFailed,
        "fumblebot failed",
    )]);
    let error = client.campaign_chat(id(2), &ask).await.expect_err("502");
    assert_eq!(error.status(), Some(502));
    assert_eq!(server.take().len(), 1, "a 502 chat may have been paid for");

    let answer = critfumble_sdk::wire::CampaignChatResponse {
        conversation_id: id(8),
        message: assistant_message(),
        usage: usage(),
    };
    server.reply([
        Reply::error(429, ErrorCode::RateLimited, "later"),
        Reply::error(503, ErrorCode::Unavailable, "starting"),
        Reply::json(200, &answer),
    ]);
    assert_eq!(
        client.campaign_chat(id(2), &ask).await.expect("third try"),
        answer
    );
    assert_eq!(server.take().len(), 3);
}

#[tokio::test]
async fn timed_out_attempts_are_retried_only_when_safe() {
    let server = TestServer::start().await;
    let client = CoreClient::with_config(
        server
            .config()
            .with_retry(TestServer::fast_retry())
            .with_timeout(Duration::from_millis(300)),
    )
    .expect("valid config");
    let ok = Health {
        status: "ok".into(),
    };
    server.reply([
        Reply::json(200, &ok).delayed(Duration::from_secs(2)),
        Reply::json(200, &ok),
    ]);
    assert_eq!(client.health().await.expect("second attempt"), ok);
    assert_eq!(server.take().len(), 2);

    server.reply([Reply::json(200, &ok).delayed(Duration::from_secs(2))]);
    let ask = CampaignChatRequest {
        conversation_id: None,
        message: "hello".into(),
    };
    let error = client
        .campaign_chat(id(2), &ask)
        .await
        .expect_err("times out");
    assert!(
        matches!(
            error,
            SdkError::Timeout {
                timeout_ms: 300,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.take().len(), 1);
}

#[tokio::test]
async fn retry_policy_none_sends_once() {
    let server = TestServer::start().await;
    let client = CoreClient::with_config(server.config().with_retry(RetryPolicy::none()))
        .expect("valid config");
    server.reply([Reply::error(503, ErrorCode::Unavailable, "down")]);
    assert_eq!(
        client.get_roll(id(5)).await.expect_err("503").status(),
        Some(503)
    );
    assert_eq!(server.take().len(), 1);
}
