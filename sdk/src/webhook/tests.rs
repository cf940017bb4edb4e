//! Known-answer vector of the Standard Webhooks spec, and every way a delivery can be bad.

use super::*;

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const TIMESTAMP: i64 = 1_649_367_553;
const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const EXPECTED: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn secret() -> WebhookSecret {
    WebhookSecret::from_whsec(SECRET).expect("spec secret parses")
}

fn headers(signature: &str) -> WebhookHeaders<'_> {
    WebhookHeaders {
        id: Some(ID),
        timestamp: Some("1649367553"),
        signature: Some(signature),
    }
}

#[test]
fn known_answer_vector() {
    assert_eq!(secret().sign(ID, TIMESTAMP, BODY), EXPECTED);
    let verified = WebhookVerifier::new(secret())
        .verify(headers(EXPECTED), BODY, TIMESTAMP)
        .expect("spec vector verifies");
    assert_eq!(verified.id, ID);
    assert_eq!(verified.timestamp, TIMESTAMP);
    assert_eq!(secret().to_whsec(), SECRET);
}

#[test]
fn tampered_body_is_rejected() {
    let body = br#"{"email":"test@example.com","username":"test_usex"}"#;
    let result = WebhookVerifier::new(secret()).verify(headers(EXPECTED), body, TIMESTAMP);
    assert_eq!(result, Err(SdkError::WebhookSignatureMismatch));
}

#[test]
fn tampered_id_or_timestamp_is_rejected() {
    let verifier = WebhookVerifier::new(secret());
    let mut other_id = headers(EXPECTED);
    other_id.id = Some("msg_other");
    assert_eq!(
        verifier.verify(other_id, BODY, TIMESTAMP),
        Err(SdkError::WebhookSignatureMismatch)
    );
    let mut other_time = headers(EXPECTED);
    other_time.timestamp = Some("1649367554");
    assert_eq!(
        verifier.verify(other_time, BODY, TIMESTAMP),
        Err(SdkError::WebhookSignatureMismatch)
    );
}

#[test]
fn stale_and_future_timestamps_are_rejected() {
    let verifier = WebhookVerifier::new(secret());
    for now in [TIMESTAMP + 301, TIMESTAMP - 301, TIMESTAMP + 100_000] {
        assert_eq!(
            verifier.verify(headers(EXPECTED), BODY, now),
            Err(SdkError::WebhookTimestampOutOfRange {
                timestamp: TIMESTAMP,
                now,
                tolerance_secs: 300,
            })
        );
    }
    for now in [TIMESTAMP + 300, TIMESTAMP - 300] {
        assert!(verifier.verify(headers(EXPECTED), BODY, now).is_ok());
    }
    let message = verifier
        .verify(headers(EXPECTED), BODY, TIMESTAMP + 301)
        .map_err(|error| error.to_string());
    assert_eq!(
        message,
        Err("webhook timestamp 1649367553 is more than 300 s away from now (1649367854)".into())
    );
}

#[test]
fn wrong_secret_is_rejected() {
    let other = WebhookSecret::from_bytes(vec![7; 32]).expect("valid length");
    let result = WebhookVerifier::new(other).verify(headers(EXPECTED), BODY, TIMESTAMP);
    assert_eq!(result, Err(SdkError::WebhookSignatureMismatch));
}

#[test]
fn missing_headers_are_named() {
    let verifier = WebhookVerifier::new(secret());
    let cases = [
        (
            WebhookHeaders {
                id: None,
                ..headers(EXPECTED)
            },
            WEBHOOK_ID_HEADER,
        ),
        (
            WebhookHeaders {
                timestamp: None,
                ..headers(EXPECTED)
            },
            WEBHOOK_TIMESTAMP_HEADER,
        ),
        (
            WebhookHeaders {
                signature: Some("  "),
                ..headers(EXPECTED)
            },
            WEBHOOK_SIGNATURE_HEADER,
        ),
    ];
    for (headers, header) in cases {
        assert_eq!(
            verifier.verify(headers, BODY, TIMESTAMP),
            Err(SdkError::WebhookMissingHeader { header })
        );
    }
}

#[test]
fn malformed_headers_are_explained() {
    let verifier = WebhookVerifier::new(secret());
    let bad_time = WebhookHeaders {
        timestamp: Some("yesterday"),
        ..headers(EXPECTED)
    };
    assert_eq!(
        verifier.verify(bad_time, BODY, TIMESTAMP).map_err(|e| e.to_string()),
        Err("webhook header 'webhook-timestamp' is malformed: 'yesterday' is not a whole number of seconds".into())
    );
    for garbage in [
        "v1,not base64!",
        "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        "nocomma",
    ] {
        assert_eq!(
            verifier.verify(headers(garbage), BODY, TIMESTAMP),
            Err(SdkError::WebhookSignatureMismatch)
        );
    }
}

#[test]
fn several_signatures_and_secrets_allow_rotation() {
    let new_secret = WebhookSecret::from_bytes(vec![42; 32]).expect("valid length");
    let both = format!(
        "v1,AAAA {} {EXPECTED}",
        new_secret.sign(ID, TIMESTAMP, BODY)
    );
    // A verifier that knows only the new secret accepts a header signed with both.
    let only_new = WebhookVerifier::new(new_secret.clone());
    assert!(only_new.verify(headers(&both), BODY, TIMESTAMP).is_ok());
    // A verifier that knows both secrets accepts a header signed with the old one only.
    let rotating = WebhookVerifier::new(new_secret).with_secret(secret());
    assert!(rotating.verify(headers(EXPECTED), BODY, TIMESTAMP).is_ok());
}

#[test]
fn bad_secrets_are_explained() {
    assert_eq!(
        WebhookSecret::from_whsec("C2FVsBQIhrscChlQIMV+b5sSYspob7oD").map_err(|e| e.to_string()),
        Err("invalid webhook secret: it must start with 'whsec_'".into())
    );
    assert!(WebhookSecret::from_whsec("whsec_***").is_err());
    assert_eq!(
        WebhookSecret::from_whsec("whsec_AAAA").map_err(|e| e.to_string()),
        Err("invalid webhook secret: the key must be 24 to 64 bytes, not 3".into())
    );
    assert_eq!(format!("{:?}", secret()), "WebhookSecret(<redacted>)");
}

#[test]
fn sign_headers_round_trip_and_event_decoding() {
    let mut rng = rand::rng();
    let secret = WebhookSecret::generate(&mut rng);
    let restored = WebhookSecret::from_whsec(&secret.to_whsec()).expect("round trip");
    assert_eq!(restored, secret);
    let body = br#"{"timestamp":"2026-11-25T20:00:00Z","type":"vtt_account.unlinked","data":{"discord_id":"1","vtt":"roll20","vtt_user_id":"-Mx1"}}"#;
    let signed = secret.sign_headers("msg_1", 1_800_000_000, body);
    let pairs = signed.pairs();
    let lookup = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    };
    let verifier = WebhookVerifier::new(secret);
    let (verified, event) = verifier
        .verify_event(WebhookHeaders::from_fn(lookup), body, 1_800_000_010)
        .expect("verifies and decodes");
    assert_eq!(verified.id, "msg_1");
    assert_eq!(event.event_type(), "vtt_account.unlinked");
    let garbage = b"not json";
    let signed = verifier.secrets[0].sign_headers("msg_2", 1_800_000_000, garbage);
    let headers = WebhookHeaders {
        id: Some("msg_2"),
        timestamp: Some("1800000000"),
        signature: Some(&signed.signature),
    };
    assert!(matches!(
        verifier.verify_event(headers, garbage, 1_800_000_000),
        Err(SdkError::Invalid { field, .. }) if field == "body"
    ));
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn verify_never_panics(
            id in proptest::option::of("\\PC{0,40}"),
            timestamp in proptest::option::of("\\PC{0,20}"),
            signature in proptest::option::of("\\PC{0,120}"),
            body in proptest::collection::vec(any::<u8>(), 0..64),
            now in any::<i64>(),
        ) {
            let headers = WebhookHeaders {
                id: id.as_deref(),
                timestamp: timestamp.as_deref(),
                signature: signature.as_deref(),
            };
            let _ = WebhookVerifier::new(secret()).verify(headers, &body, now);
        }

        #[test]
        fn what_is_signed_verifies(
            id in "[!-~]{1,64}",
            timestamp in -10_000_000_000i64..10_000_000_000,
            body in proptest::collection::vec(any::<u8>(), 0..256),
            skew in -300i64..=300,
        ) {
            let signed = secret().sign_headers(&id, timestamp, &body);
            let timestamp_text = signed.timestamp.to_string();
            let headers = WebhookHeaders {
                id: Some(&signed.id),
                timestamp: Some(&timestamp_text),
                signature: Some(&signed.signature),
            };
            let verifier = WebhookVerifier::new(secret());
            prop_assert!(verifier.verify(headers, &body, timestamp + skew).is_ok());
            let mut tampered = body.clone();
            tampered.push(b'x');
            prop_assert_eq!(
                verifier.verify(headers, &tampered, timestamp),
                Err(SdkError::WebhookSignatureMismatch)
            );
        }
    }
}
