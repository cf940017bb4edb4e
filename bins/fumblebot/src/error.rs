//! `ApiError`: every refusal of FumbleBot's HTTP API (the AI service, the VTT bridge) as the
//! SDK's error body, mapped in this one place, with `Retry-After` on a 429 or 503.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use critfumble_sdk::SdkError;
use critfumble_sdk::wire::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

/// A refusal: the SDK's error code (which sets the status), a lowercase message, the field
/// at fault and, for 429 and 503, how long to wait.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The body sent.
    pub body: ErrorBody,
    /// Seconds for `Retry-After`.
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    /// A refusal with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            body: ErrorBody::new(code, message),
            retry_after_secs: None,
        }
    }

    /// Names the request field at fault (`details.field`).
    #[must_use]
    pub fn field(mut self, field: &str) -> ApiError {
        self.body = self
            .body
            .with_details(serde_json::json!({ "field": field }));
        self
    }

    /// Adds `Retry-After`, at least 1 s.
    #[must_use]
    pub fn retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after_secs = Some(secs.max(1));
        self
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.body.error.code
    }
}

impl From<SdkError> for ApiError {
    /// A wire type's validation error: 422 naming the field.
    fn from(error: SdkError) -> ApiError {
        match &error {
            SdkError::Invalid { field, .. } => {
                let field = field.clone();
                ApiError::new(ErrorCode::ValidationFailed, error.to_string()).field(&field)
            }
            _ => ApiError::new(ErrorCode::ValidationFailed, error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.body.error.code.status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Reads a body of at most `limit` bytes; a longer one is 413 with the limit named.
pub async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit} bytes, or broke off"),
        )
    })
}

/// Reads a JSON body into `T`; an error is 400 naming the field (`details.field`, a path
/// such as `messages[0].role`, empty for the top level) and the line and column.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { String::new() } else { path };
        let inner = error.into_inner();
        let message = if field.is_empty() {
            format!("invalid JSON body: {inner}")
        } else {
            format!("invalid JSON body at '{field}': {inner}")
        };
        ApiError::new(ErrorCode::BadRequest, message).field(&field)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use critfumble_sdk::wire::AiChatRequest;

    #[test]
    fn a_wrong_type_names_its_path() {
        let error =
            parse_json::<AiChatRequest>(br#"{"messages":[{"role":"wizard","content":"x"}]}"#)
                .expect_err("an unknown role");
        assert_eq!(error.code(), ErrorCode::BadRequest);
        assert_eq!(
            error.body.error.details,
            Some(serde_json::json!({"field": "messages[0].role"}))
        );
        assert!(
            error.body.error.message.contains("line 1 column"),
            "{error:?}"
        );
    }

    #[test]
    fn retry_after_is_sent_as_a_header() {
        let response = ApiError::new(ErrorCode::RateLimited, "slow down")
            .retry_after(0)
            .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }
}
