//! The error body that every endpoint of Core and FumbleBot returns.

use serde::{Deserialize, Serialize};

/// `{"error": {"code", "message", "details"?}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

impl ErrorBody {
    /// An error body without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code,
                message: message.into(),
                details: None,
            },
        }
    }

    /// Adds machine-readable details (the field that failed, the conflicting id).
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.error.details = Some(details);
        self
    }
}

/// The inside of an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// A stable, machine-readable code.
    pub code: ErrorCode,
    /// A sentence for people, lowercase, naming what was wrong.
    pub message: String,
    /// Machine-readable details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<serde_json::Value>,
}

/// The stable error codes. A code this version does not know reads as
/// [`ErrorCode::Unknown`], so that old clients keep working when Core adds codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: the request is malformed (bad JSON, a wrong type, a bad query string).
    BadRequest,
    /// 422: the request is well-formed but a value breaks a rule.
    ValidationFailed,
    /// 401: no credentials, or bad ones (including a bad webhook signature).
    Unauthorized,
    /// 403: the caller may not do this.
    Forbidden,
    /// 404: no such thing, or the caller may not see it.
    NotFound,
    /// 409: the request conflicts with the current state.
    Conflict,
    /// 400: `POST /v1/rolls` without an `Idempotency-Key`.
    IdempotencyKeyRequired,
    /// 422: an `Idempotency-Key` reused with a different body.
    IdempotencyKeyReused,
    /// 409: the first request with this `Idempotency-Key` is still being processed.
    IdempotencyKeyInFlight,
    /// 413: the body is too large.
    PayloadTooLarge,
    /// 429: too many requests; see `Retry-After`.
    RateLimited,
    /// 502: a service behind this one (FumbleBot, an AI provider) failed.
    UpstreamFailed,
    /// 504: a service behind this one timed out.
    UpstreamTimeout,
    /// 503: the service is starting, stopping or overloaded.
    Unavailable,
    /// 500: a bug or an unexpected failure.
    Internal,
    /// A code this version of the crate does not know, or a body that was not an
    /// [`ErrorBody`] at all.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The HTTP status a server sends with this code.
    pub const fn status(self) -> u16 {
        match self {
            Self::BadRequest | Self::IdempotencyKeyRequired => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict | Self::IdempotencyKeyInFlight => 409,
            Self::PayloadTooLarge => 413,
            Self::ValidationFailed | Self::IdempotencyKeyReused => 422,
            Self::RateLimited => 429,
            Self::Internal | Self::Unknown => 500,
            Self::UpstreamFailed => 502,
            Self::Unavailable => 503,
            Self::UpstreamTimeout => 504,
        }
    }

    /// The snake_case spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::ValidationFailed => "validation_failed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::IdempotencyKeyRequired => "idempotency_key_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::IdempotencyKeyInFlight => "idempotency_key_in_flight",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited => "rate_limited",
            Self::UpstreamFailed => "upstream_failed",
            Self::UpstreamTimeout => "upstream_timeout",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::Unknown => "unknown",
        }
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
