//! Signed webhooks in the Standard Webhooks format: HMAC-SHA256 over `"{id}.{timestamp}.{body}"`.
//!
//! The sender (FumbleBot) signs with [`WebhookSecret::sign_headers`]; the receiver (Core)
//! checks with [`WebhookVerifier::verify`], which rejects timestamps more than five minutes
//! off, compares in constant time, and accepts any of several signatures and secrets so that
//! a secret can be rotated without downtime.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use crate::SdkError;
use crate::wire::WebhookEvent;

#[cfg(test)]
mod tests;

/// The header holding the message id, which stays the same across retries.
pub const WEBHOOK_ID_HEADER: &str = "webhook-id";
/// The header holding the signing time, in Unix seconds.
pub const WEBHOOK_TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The header holding space-separated signatures, `v1,<base64>`.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "webhook-signature";
/// How far a timestamp may lie from the verifier's clock: five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

const SECRET_PREFIX: &str = "whsec_";
const SIGNATURE_VERSION: &str = "v1";

type HmacSha256 = Hmac<Sha256>;

/// A webhook signing secret: 24 to 64 random bytes, written as `whsec_<base64>`.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl core::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

impl WebhookSecret {
    /// Parses `whsec_<base64>`.
    pub fn from_whsec(text: &str) -> Result<Self, SdkError> {
        let encoded =
            text.trim()
                .strip_prefix(SECRET_PREFIX)
                .ok_or_else(|| SdkError::WebhookSecret {
                    reason: "it must start with 'whsec_'".into(),
                })?;
        let key = BASE64
            .decode(encoded)
            .map_err(|error| SdkError::WebhookSecret {
                reason: format!("the part after 'whsec_' is not base64 ({error})"),
            })?;
        Self::from_bytes(key)
    }

    /// Wraps raw key bytes (24 to 64 of them).
    pub fn from_bytes(key: Vec<u8>) -> Result<Self, SdkError> {
        if !(24..=64).contains(&key.len()) {
            return Err(SdkError::WebhookSecret {
                reason: format!("the key must be 24 to 64 bytes, not {}", key.len()),
            });
        }
        Ok(Self { key })
    }

    /// A new random 32-byte secret.
    pub fn generate<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = vec![0; 32];
        rng.fill_bytes(&mut key);
        Self { key }
    }

    /// The secret as `whsec_<base64>`, for configuration files.
    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail here; the fallback
        // keeps the code free of panics all the same.
        let mut mac = HmacSha256::new_from_slice(&self.key)
            .unwrap_or_else(|_| HmacSha256::new(&Default::default()));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The signature of one message, `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self.mac(id, timestamp, body).finalize().into_bytes();
        format!("{SIGNATURE_VERSION},{}", BASE64.encode(tag))
    }

    /// The three headers of a signed delivery.
    pub fn sign_headers(&self, id: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            id: id.to_owned(),
            timestamp,
            signature: self.sign(id, timestamp, body),
        }
    }
}

/// The headers a sender attaches to a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`, in Unix seconds.
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
}

impl SignedHeaders {
    /// The headers as `(name, value)` pairs.
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            (WEBHOOK_ID_HEADER, self.id.clone()),
            (WEBHOOK_TIMESTAMP_HEADER, self.timestamp.to_string()),
            (WEBHOOK_SIGNATURE_HEADER, self.signature.clone()),
        ]
    }
}

/// The webhook headers of a received request, borrowed from whatever header map the server
/// uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    /// `webhook-id`.
    pub id: Option<&'a str>,
    /// `webhook-timestamp`.
    pub timestamp: Option<&'a str>,
    /// `webhook-signature`.
    pub signature: Option<&'a str>,
}

impl<'a> WebhookHeaders<'a> {
    /// Reads the three headers through a lookup function (header names are lowercase).
    pub fn from_fn(mut lookup: impl FnMut(&'static str) -> Option<&'a str>) -> Self {
        Self {
            id: lookup(WEBHOOK_ID_HEADER),
            timestamp: lookup(WEBHOOK_TIMESTAMP_HEADER),
            signature: lookup(WEBHOOK_SIGNATURE_HEADER),
        }
    }

    /// Reads the three headers from an `http::HeaderMap` (what axum and reqwest use).
    #[cfg(feature = "client")]
    pub fn from_header_map(headers: &'a reqwest::header::HeaderMap) -> Self {
        Self::from_fn(|name| headers.get(name).and_then(|value| value.to_str().ok()))
    }
}

/// What a successful verification proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedWebhook {
    /// The message id; a receiver stores it to ignore replays.
    pub id: String,
    /// The signing time, in Unix seconds.
    pub timestamp: i64,
}

/// Checks webhook signatures against one or more secrets.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    secrets: Vec<WebhookSecret>,
    tolerance_secs: i64,
}

impl WebhookVerifier {
    /// A verifier for one secret, with the five-minute tolerance.
    pub fn new(secret: WebhookSecret) -> Self {
        Self {
            secrets: vec![secret],
            tolerance_secs: DEFAULT_TOLERANCE_SECS,
        }
    }

    /// Also accepts signatures made with `secret` (during a rotation).
    #[must_use]
    pub fn with_secret(mut self, secret: WebhookSecret) -> Self {
        self.secrets.push(secret);
        self
    }

    /// Changes the allowed clock distance.
    #[must_use]
    pub fn with_tolerance_secs(mut self, tolerance_secs: i64) -> Self {
        self.tolerance_secs = tolerance_secs.max(0);
        self
    }

    /// Checks the headers and the raw body, with `now` in Unix seconds.
    pub fn verify(
        &self,
        headers: WebhookHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedWebhook, SdkError> {
        let id = require(headers.id, WEBHOOK_ID_HEADER)?;
        let timestamp_text = require(headers.timestamp, WEBHOOK_TIMESTAMP_HEADER)?;
        let signature = require(headers.signature, WEBHOOK_SIGNATURE_HEADER)?;
        if id.len() > 256 {
            return Err(SdkError::WebhookMalformedHeader {
                header: WEBHOOK_ID_HEADER,
                reason: "longer than 256 bytes".into(),
            });
        }
        let timestamp: i64 =
            timestamp_text
                .parse()
                .map_err(|_| SdkError::WebhookMalformedHeader {
                    header: WEBHOOK_TIMESTAMP_HEADER,
                    reason: format!("'{timestamp_text}' is not a whole number of seconds"),
                })?;
        if now.abs_diff(timestamp) > self.tolerance_secs.unsigned_abs() {
            return Err(SdkError::WebhookTimestampOutOfRange {
                timestamp,
                now,
                tolerance_secs: self.tolerance_secs,
            });
        }
        let candidates = parse_signatures(signature)?;
        // Every secret is tried against every v1 signature; each comparison is constant time.
        let matched = self.secrets.iter().any(|secret| {
            candidates.iter().any(|candidate| {
                secret
                    .mac(id, timestamp, body)
                    .verify_slice(candidate)
                    .is_ok()
            })
        });
        if !matched {
            return Err(SdkError::WebhookSignatureMismatch);
        }
        Ok(VerifiedWebhook {
            id: id.to_owned(),
            timestamp,
        })
    }

    /// Verifies the delivery, then decodes the body as a [`WebhookEvent`].
    pub fn verify_event(
        &self,
        headers: WebhookHeaders<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<(VerifiedWebhook, WebhookEvent), SdkError> {
        let verified = self.verify(headers, body, now)?;
        let event = serde_json::from_slice(body)
            .map_err(|error| SdkError::invalid("body", error.to_string()))?;
        Ok((verified, event))
    }
}

fn require<'a>(value: Option<&'a str>, header: &'static str) -> Result<&'a str, SdkError> {
    match value.map(str::trim) {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(SdkError::WebhookMissingHeader { header }),
    }
}

/// The decoded `v1` signatures of a `webhook-signature` header. Other versions (`v1a`, the
/// asymmetric scheme) are skipped, as the spec asks.
fn parse_signatures(header: &str) -> Result<Vec<Vec<u8>>, SdkError> {
    let mut signatures = Vec::new();
    let mut entries = 0;
    for entry in header.split_whitespace() {
        entries += 1;
        let Some((version, encoded)) = entry.split_once(',') else {
            continue;
        };
        if version != SIGNATURE_VERSION {
            continue;
        }
        if let Ok(bytes) = BASE64.decode(encoded) {
            signatures.push(bytes);
        }
    }
    if entries == 0 {
        return Err(SdkError::WebhookMalformedHeader {
            header: WEBHOOK_SIGNATURE_HEADER,
            reason: "it holds no signature".into(),
        });
    }
    Ok(signatures)
}
