//! Each error class of the clients: API errors with and without the standard body, decode
//! failures, transport failures, timeouts and bad configuration.

use std::time::Duration;

use critfumble_sdk::wire::{ErrorCode, Health};
use critfumble_sdk::{ClientConfig, CoreClient, RetryPolicy, SdkError};

use crate::client::fixtures::id;
use crate::client::server::{Reply, TestServer};

#[tokio::test]
async fn api_error_carries_status_and_parsed_body() {
    let server = TestServer::start().await;
    server.reply([Reply::error(404, ErrorCode::NotFound, "roll not found")]);
    let error = server.core().get_roll(id(5)).await.expect_err("404");
    let url = format!("{}/v1/rolls/{}", server.url, id(5));
    assert_eq!(error.status(), Some(404));
    let body = error.api_body().expect("api error");
    assert_eq!(body.error.code, ErrorCode::NotFound);
    assert_eq!(
        error.to_string(),
        format!("GET {url} returned 404 not_found: roll not found")
    );
}

#[tokio::test]
async fn api_error_without_standard_body_keeps_the_text() {
    let server = TestServer::start().await;
    let client = CoreClient::with_config(server.config().with_retry(RetryPolicy::none()))
        .expect("valid config");
    server.reply([Reply::raw(500, "<html>bad gateway</html>")]);
    let error = client.me().await.expect_err("500");
    let body = error.api_body().expect("api error");
    assert_eq!(body.error.code, ErrorCode::Unknown);
    assert_eq!(body.error.message, "<html>bad gateway</html>");

    server.reply([Reply::raw(401, "")]);
    let error = client.me().await.expect_err("401");
    let body = error.api_body().expect("api error");
    assert_eq!(
        (error.status(), body.error.message.as_str()),
        (Some(401), "unauthorized")
    );
}

#[tokio::test]
async fn unexpected_success_body_is_a_decode_error() {
    let server = TestServer::start().await;
    server.reply([Reply::raw(200, r#"{"status": 5}"#)]);
    let error = server.core().health().await.expect_err("bad body");
    match error {
        SdkError::Decode { url, message } => {
            assert_eq!(url, format!("{}/healthz", server.url));
            assert!(message.contains("invalid type: integer `5`"), "{message}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(server.take().len(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn refused_connection_is_a_transport_error_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_secs(1),
        max_retry_after: Duration::from_secs(1),
    };
    let client = CoreClient::with_config(ClientConfig::new(&url, "k").with_retry(retry))
        .expect("valid config");
    let started = std::time::Instant::now();
    let error = client.me().await.expect_err("nothing listens");
    // Two backoffs of at least 25 ms and 50 ms prove that the client retried.
    assert!(
        started.elapsed() >= Duration::from_millis(75),
        "{:?}",
        started.elapsed()
    );
    match error {
        SdkError::Transport {
            url: failed,
            message,
        } => {
            assert_eq!(failed, format!("{url}/v1/me"));
            assert!(!message.is_empty());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn slow_server_is_a_timeout() {
    let server = TestServer::start().await;
    let config = server
        .config()
        .with_retry(RetryPolicy::none())
        .with_timeout(Duration::from_millis(200));
    let client = CoreClient::with_config(config).expect("valid config");
    server.reply([Reply::json(
        200,
        &Health {
            status: "ok".into(),
        },
    )
    .delayed(Duration::from_secs(3))]);
    let started = std::time::Instant::now();
    let error = client.health().await.expect_err("too slow");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        error,
        SdkError::Timeout {
            url: format!("{}/healthz", server.url),
            timeout_ms: 200,
        }
    );
}

#[test]
fn bad_configuration_is_reported() {
    let cases = [
        ("not a url", "k", "base url 'not a url' is not a url"),
        (
            "ftp://core.example",
            "k",
            "base url 'ftp://core.example' must use http or https",
        ),
        (
            "http://core.example",
            "bad\nkey",
            "the api key holds characters that cannot go in a header",
        ),
    ];
    for (url, key, expected) in cases {
        let error = CoreClient::new(url, key).expect_err("bad config");
        assert!(
            error
                .to_string()
                .starts_with(&format!("invalid client configuration: {expected}")),
            "{error}"
        );
    }
}
