//! The one error type of the crate: bad wire values, webhook and API key failures, client failures.

use crate::wire::{ErrorBody, ErrorCode};

/// Everything that can go wrong in this crate.
///
/// Messages are lowercase and carry the context a caller needs. The HTTP client variants
/// ([`SdkError::Transport`], [`SdkError::Timeout`], [`SdkError::Api`], [`SdkError::Decode`])
/// are only produced with the `client` feature, but they exist without it so that matching on
/// them never depends on features.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SdkError {
    /// A string did not name any variant of a wire enum.
    #[error("unknown {kind} '{value}', expected one of: {expected}")]
    UnknownValue {
        /// The enum being parsed, for example `roll source`.
        kind: &'static str,
        /// The rejected input.
        value: String,
        /// The accepted spellings, comma separated.
        expected: String,
    },
    /// A wire value broke a documented rule (too long, out of range, empty).
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, in its JSON spelling (`sheet.level`).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A webhook request lacked one of the Standard Webhooks headers.
    #[error("webhook header '{header}' is missing")]
    WebhookMissingHeader {
        /// The missing header's name.
        header: &'static str,
    },
    /// A webhook header was present but malformed.
    #[error("webhook header '{header}' is malformed: {reason}")]
    WebhookMalformedHeader {
        /// The header's name.
        header: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The webhook timestamp lies further from now than the tolerance allows.
    #[error("webhook timestamp {timestamp} is more than {tolerance_secs} s away from now ({now})")]
    WebhookTimestampOutOfRange {
        /// The signed timestamp, in Unix seconds.
        timestamp: i64,
        /// The verifier's clock, in Unix seconds.
        now: i64,
        /// The allowed distance, in seconds.
        tolerance_secs: i64,
    },
    /// No `v1` signature in the header matched the body under the secret.
    #[error("no webhook signature matches the payload")]
    WebhookSignatureMismatch,
    /// A webhook secret was not `whsec_` followed by base64.
    #[error("invalid webhook secret: {reason}")]
    WebhookSecret {
        /// What was wrong with it.
        reason: String,
    },
    /// A string is not a well-formed `cfk_` API key.
    #[error("malformed api key: {reason}")]
    ApiKeyMalformed {
        /// What was wrong with it.
        reason: String,
    },
    /// A well-formed API key whose checksum does not match (a typo or a forgery).
    #[error("api key checksum does not match")]
    ApiKeyChecksum,
    /// The request never got an HTTP response (DNS, refused connection, reset).
    #[error("could not reach {url}: {message}")]
    Transport {
        /// The URL that was requested.
        url: String,
        /// The transport layer's description.
        message: String,
    },
    /// The request (including its retries' last attempt) exceeded the client's timeout.
    #[error("request to {url} timed out after {timeout_ms} ms")]
    Timeout {
        /// The URL that was requested.
        url: String,
        /// The per-attempt timeout, in milliseconds.
        timeout_ms: u64,
    },
    /// The server answered with an error status and, usually, the standard error body.
    #[error("{method} {url} returned {status} {}: {}", .body.error.code, .body.error.message)]
    Api {
        /// The HTTP method.
        method: String,
        /// The URL that was requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The parsed error body; when the server sent something else, a body with code
        /// `unknown` whose message holds the start of the raw text.
        body: Box<ErrorBody>,
    },
    /// A success response whose body did not match the expected wire type.
    #[error("could not decode the response of {url}: {message}")]
    Decode {
        /// The URL that was requested.
        url: String,
        /// What serde reported.
        message: String,
    },
    /// A client was configured with an unusable URL or header value.
    #[error("invalid client configuration: {reason}")]
    Config {
        /// What was wrong.
        reason: String,
    },
}

impl SdkError {
    /// The HTTP status of an [`SdkError::Api`] error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error body of an [`SdkError::Api`] error, if this is one.
    pub fn api_body(&self) -> Option<&ErrorBody> {
        match self {
            Self::Api { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The error body a server answers with when this error ends a request, with the status
    /// in [`ErrorCode::status`]: bad values give `validation_failed` (naming the field in
    /// `details`), bad signatures and keys `unauthorized`, a failed call to another service
    /// `upstream_failed` or `upstream_timeout`, and an API error is passed on as it came.
    pub fn error_body(&self) -> ErrorBody {
        let message = self.to_string();
        match self {
            Self::Invalid { field, .. } => ErrorBody::new(ErrorCode::ValidationFailed, message)
                .with_details(serde_json::json!({ "field": field })),
            Self::UnknownValue { kind, value, .. } => {
                ErrorBody::new(ErrorCode::ValidationFailed, message)
                    .with_details(serde_json::json!({ "kind": kind, "value": value }))
            }
            Self::WebhookMissingHeader { .. }
            | Self::WebhookMalformedHeader { .. }
            | Self::WebhookTimestampOutOfRange { .. }
            | Self::WebhookSignatureMismatch
            | Self::ApiKeyMalformed { .. }
            | Self::ApiKeyChecksum => ErrorBody::new(ErrorCode::Unauthorized, message),
            Self::Api { body, .. } => (**body).clone(),
            Self::Timeout { .. } => ErrorBody::new(ErrorCode::UpstreamTimeout, message),
            Self::Transport { .. } | Self::Decode { .. } => {
                ErrorBody::new(ErrorCode::UpstreamFailed, message)
            }
            Self::WebhookSecret { .. } | Self::Config { .. } => {
                ErrorBody::new(ErrorCode::Internal, message)
            }
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_for_servers() {
        let invalid = SdkError::invalid("sheet.level", "must be between 1 and 30");
        let body = invalid.error_body();
        assert_eq!(body.error.code, ErrorCode::ValidationFailed);
        assert_eq!(body.error.code.status(), 422);
        assert_eq!(
            body.error.message,
            "invalid sheet.level: must be between 1 and 30"
        );
        assert_eq!(
            body.error.details,
            Some(serde_json::json!({"field": "sheet.level"}))
        );

        let cases = [
            (SdkError::WebhookSignatureMismatch, ErrorCode::Unauthorized),
            (SdkError::ApiKeyChecksum, ErrorCode::Unauthorized),
            (
                SdkError::Timeout {
                    url: "u".into(),
                    timeout_ms: 5,
                },
                ErrorCode::UpstreamTimeout,
            ),
            (
                SdkError::Transport {
                    url: "u".into(),
                    message: "refused".into(),
                },
                ErrorCode::UpstreamFailed,
            ),
            (SdkError::Config { reason: "r".into() }, ErrorCode::Internal),
        ];
        for (error, code) in cases {
            assert_eq!(error.error_body().error.code, code, "{error}");
        }

        let upstream = ErrorBody::new(ErrorCode::RateLimited, "slow down");
        let api = SdkError::Api {
            method: "POST".into(),
            url: "u".into(),
            status: 429,
            body: Box::new(upstream.clone()),
        };
        assert_eq!(api.error_body(), upstream);
    }
}
