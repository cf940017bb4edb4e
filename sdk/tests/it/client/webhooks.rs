//! `send_event`: signed deliveries that Core's verifier accepts, retried with the same id.

use chrono::Utc;
use critfumble_sdk::webhook::{WebhookHeaders, WebhookSecret, WebhookVerifier};
use critfumble_sdk::wire::{ErrorCode, WebhookAck};

use crate::client::fixtures::linked_event;
use crate::client::server::{Reply, TestServer};

#[tokio::test]
async fn send_event_signs_every_attempt_with_one_id() {
    let server = TestServer::start().await;
    let secret = WebhookSecret::generate(&mut rand::rng());
    server.reply([
        Reply::error(503, ErrorCode::Unavailable, "starting"),
        Reply::json(200, &WebhookAck { duplicate: false }),
    ]);
    let ack = server
        .core()
        .send_event(&secret, &linked_event())
        .await
        .expect("second attempt succeeds");
    assert_eq!(ack, WebhookAck { duplicate: false });

    let requests = server.take();
    assert_eq!(requests.len(), 2);
    let verifier = WebhookVerifier::new(secret);
    let mut ids = Vec::new();
    for request in &requests {
        assert_eq!(request.path, "/v1/webhooks/fumblebot");
        // The recorded headers are axum's `HeaderMap`, as Core will see them.
        let headers = WebhookHeaders::from_header_map(&request.headers);
        let (verified, event) = verifier
            .verify_event(headers, &request.body, Utc::now().timestamp())
            .expect("the signature verifies");
        assert_eq!(event, linked_event());
        assert!(verified.id.starts_with("msg_"));
        ids.push(verified.id);
    }
    assert_eq!(ids[0], ids[1], "a retry keeps its webhook-id");
}

#[tokio::test]
async fn a_wrong_secret_does_not_verify() {
    let server = TestServer::start().await;
    let secret = WebhookSecret::generate(&mut rand::rng());
    server.reply([Reply::json(200, &WebhookAck { duplicate: true })]);
    let ack = server
        .core()
        .send_event_with_id(&secret, &linked_event(), "msg_fixed")
        .await
        .expect("delivered");
    assert!(ack.duplicate);
    let request = server.take().remove(0);
    assert_eq!(request.header("webhook-id"), Some("msg_fixed"));
    let other = WebhookVerifier::new(WebhookSecret::generate(&mut rand::rng()));
    let result = other.verify(
        WebhookHeaders::from_header_map(&request.headers),
        &request.body,
        Utc::now().timestamp(),
    );
    assert_eq!(
        result,
        Err(critfumble_sdk::SdkError::WebhookSignatureMismatch)
    );
}
