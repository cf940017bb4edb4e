//! Retries, backoff hints and the errors that must never be retried.

use std::time::{Duration, Instant};

use critfumble_ai::client::{AnthropicProvider, LlmProvider, OpenAiProvider};
use critfumble_ai::{AiError, CompletionRequest, Message};

use crate::server::{Server, json, json_with};

const OPENAI_RATE_LIMIT: &str = r#"{"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 200000, Used 199000, Requested 2000. Please try again in 300ms.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#;
const OPENAI_QUOTA: &str = r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
const SPEND_LIMIT: &str = r#"{"error":{"message":"Your organization has reached its spend limit.","type":"enforced_spend_limit_reached","param":null,"code":"enforced_spend_limit_reached"}}"#;
const OPENAI_500: &str = r#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#;
const OVERLOADED: &str =
    r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;

fn request(model: &str) -> CompletionRequest {
    CompletionRequest {
        model: model.to_owned(),
        system: Vec::new(),
        messages: vec![Message::user("hello")],
        max_output_tokens: 16,
        temperature: None,
    }
}

#[expect(
    clippy::expect_used,
    reason = "a test helper fails the test on a setup error"
)]
async fn openai(server: &Server) -> Result<critfumble_ai::Completion, AiError> {
    OpenAiProvider::new(server.config("sk-test-key-123456", "/v1"))
        .expect("provider")
        .complete(&request("gpt-4o-mini"))
        .await
}

#[tokio::test]
async fn a_429_then_500_then_success_takes_three_attempts() {
    let server = Server::start(vec![
        json_with(429, &[("retry-after-ms", "30")], OPENAI_RATE_LIMIT),
        json(500, OPENAI_500),
        json(200, crate::openai::COMPLETION),
    ])
    .await;
    openai(&server).await.expect("third attempt succeeds");
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = Server::start(vec![
        json(503, OPENAI_500),
        json(502, OPENAI_500),
        json(500, OPENAI_500),
        json(200, crate::openai::COMPLETION),
    ])
    .await;
    let error = openai(&server)
        .await
        .expect_err("three failures with two retries");
    assert!(
        matches!(error, AiError::Api { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn quota_and_spend_limit_429s_are_never_retried() {
    for body in [OPENAI_QUOTA, SPEND_LIMIT] {
        let server = Server::start(vec![
            json_with(429, &[("retry-after", "1")], body),
            json(200, crate::openai::COMPLETION),
        ])
        .await;
        let error = openai(&server).await.expect_err("quota");
        assert!(matches!(error, AiError::QuotaExceeded { .. }), "{error:?}");
        assert!(!error.is_retryable());
        assert_eq!(server.received().len(), 1);
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = Server::start(vec![
        json_with(429, &[("retry-after", "1")], OPENAI_RATE_LIMIT),
        json(200, crate::openai::COMPLETION),
    ])
    .await;
    let started = Instant::now();
    openai(&server).await.expect("second attempt");
    // The configured backoff is at most 50 ms, so a wait of a second came from the header.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn anthropic_529_overloaded_is_retried() {
    let message = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":2}}"#;
    let server = Server::start(vec![json(529, OVERLOADED), json(200, message)]).await;
    let provider =
        AnthropicProvider::new(server.config("sk-ant-test-123456", "")).expect("provider");
    let completion = provider
        .complete(&request("claude-haiku-4-5"))
        .await
        .expect("retried");
    assert_eq!(completion.text, "Hi");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn anthropic_529_is_final_when_retries_run_out() {
    let server = Server::start(vec![
        json(529, OVERLOADED),
        json(529, OVERLOADED),
        json(529, OVERLOADED),
    ])
    .await;
    let provider =
        AnthropicProvider::new(server.config("sk-ant-test-123456", "")).expect("provider");
    let error = provider
        .complete(&request("claude-haiku-4-5"))
        .await
        .expect_err("overloaded");
    assert!(
        matches!(error, AiError::Api { status: 529, ref kind, .. } if kind == "overloaded_error"),
        "{error:?}"
    );
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn x_should_retry_false_is_obeyed() {
    let server = Server::start(vec![
        json_with(503, &[("x-should-retry", "false")], OPENAI_500),
        json(200, crate::openai::COMPLETION),
    ])
    .await;
    openai(&server).await.expect_err("not retried");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_timeout_is_retried() {
    use crate::server::Reply;
    let slow = Reply::Delayed(
        Duration::from_secs(5),
        Box::new(json(200, crate::openai::COMPLETION)),
    );
    let server = Server::start(vec![slow, json(200, crate::openai::COMPLETION)]).await;
    let mut config = server.config("sk-test-key-123456", "/v1");
    config.timeout = Duration::from_millis(200);
    OpenAiProvider::new(config)
        .expect("provider")
        .complete(&request("gpt-4o-mini"))
        .await
        .expect("second attempt");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn an_unreachable_server_is_a_connection_error() {
    // Bind and drop a listener so the port is (almost certainly) closed.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let mut config = critfumble_ai::client::ProviderConfig::openai(
        critfumble_ai::client::ProviderKey::new("sk-test-key-123456"),
    );
    config.base_url = format!("http://{address}/v1");
    config.retry = critfumble_ai::client::RetryPolicy::none();
    let error = OpenAiProvider::new(config)
        .expect("provider")
        .complete(&request("gpt-4o-mini"))
        .await
        .expect_err("refused");
    assert!(matches!(error, AiError::Connection { .. }), "{error:?}");
    assert!(!error.to_string().contains("sk-test-key"));
}

#[tokio::test]
async fn a_bad_base_url_is_a_config_error() {
    let mut config =
        critfumble_ai::client::ProviderConfig::openai(critfumble_ai::client::ProviderKey::new("k"));
    config.base_url = "localhost:11434/v1".to_owned();
    let error = OpenAiProvider::new(config).expect_err("no scheme");
    assert_eq!(
        error.to_string(),
        "invalid configuration: the base url must start with http:// or https://"
    );
}

#[tokio::test]
async fn anthropic_429_with_retry_after_is_retried() {
    let rate_limited = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#;
    let message = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":8,"output_tokens":2}}"#;
    let headers = [
        ("retry-after", "0"),
        ("retry-after-ms", "40"),
        ("anthropic-ratelimit-input-tokens-remaining", "0"),
    ];
    let server = Server::start(vec![
        json_with(429, &headers, rate_limited),
        json(200, message),
    ])
    .await;
    let provider =
        AnthropicProvider::new(server.config("sk-ant-test-123456", "")).expect("provider");
    provider
        .complete(&request("claude-haiku-4-5"))
        .await
        .expect("retried");
    assert_eq!(server.received().len(), 2);
}

#[tokio::test]
async fn a_retry_after_of_1e20_seconds_ends_the_retries_without_a_panic() {
    // `Duration::from_secs_f64(1e20)` panics; the shared retry core clamps the value
    // first, and a wait longer than a minute ends the retries with the error.
    for headers in [[("retry-after", "1e20")], [("retry-after-ms", "1e20")]] {
        let server = Server::start(vec![
            json_with(429, &headers, OPENAI_RATE_LIMIT),
            json(200, crate::openai::COMPLETION),
        ])
        .await;
        let started = Instant::now();
        let error = openai(&server).await.expect_err("not retried");
        assert!(
            matches!(error, AiError::Api { status: 429, .. }),
            "{error:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(server.received().len(), 1);
    }
}

#[tokio::test]
async fn the_final_429_carries_the_providers_wait_for_the_caller() {
    // Both are longer than the test config's one-minute ceiling, so neither is retried
    // here, and the caller learns how long the provider asked it to wait.
    for (headers, expected) in [
        ([("retry-after", "90")], 90),
        ([("retry-after-ms", "61500")], 62),
    ] {
        let server = Server::start(vec![json_with(429, &headers, OPENAI_RATE_LIMIT)]).await;
        let error = openai(&server).await.expect_err("not retried");
        match error {
            AiError::Api {
                status: 429,
                retry_after_secs,
                ..
            } => assert_eq!(retry_after_secs, Some(expected)),
            other => panic!("{other:?}"),
        }
    }
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_key_never_appears_in_logs() {
    use tracing_subscriber::util::SubscriberInitExt;

    const KEY: &str = "sk-proj-log-test-0123456789abcdef";
    let captured = Captured::default();
    let writer = captured.clone();
    let _guard = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(move || writer.clone())
        .finish()
        .set_default();
    // While only one dispatcher exists, tracing-core computes a callsite's interest
    // from the subscriber of whichever thread registers it first, so tests running
    // at the same time without one could switch this test's callsites off. A second
    // live dispatcher makes it consult every dispatcher instead.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    tracing::callsite::rebuild_interest_cache();

    let echo = format!(
        r#"{{"error":{{"message":"Rate limited for key {KEY}","type":"requests","param":null,"code":"rate_limit_exceeded"}}}}"#
    );
    let server = Server::start(vec![json(429, &echo), json(401, &echo)]).await;
    let provider = OpenAiProvider::new(server.config(KEY, "/v1")).expect("provider");
    let error = provider
        .complete(&request("gpt-4o-mini"))
        .await
        .expect_err("401");
    assert!(
        matches!(error, AiError::Api { status: 401, .. }),
        "{error:?}"
    );
    // The server did receive the key; only our output must not show it.
    assert_eq!(
        server.received()[0].headers["authorization"],
        format!("Bearer {KEY}")
    );

    let logs = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    assert!(logs.contains("retrying request"), "{logs}");
    assert!(logs.contains("<redacted>"), "{logs}");
    assert!(!logs.contains(KEY), "the key leaked into the logs:\n{logs}");
}
