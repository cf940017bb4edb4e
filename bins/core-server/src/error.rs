//! `AppError`: the one place where a failure becomes an HTTP response with the SDK error body.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use critfumble_sdk::SdkError;
use critfumble_sdk::wire::{ErrorBody, ErrorCode};

use crate::store::StoreError;

/// A failed request: a status, the SDK error body, and optionally a `Retry-After`.
#[derive(Debug)]
pub struct AppError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: ErrorBody,
    /// Seconds to send in `Retry-After`.
    pub retry_after: Option<u64>,
}

impl AppError {
    /// An error with `code`'s status and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        let status =
            StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        AppError {
            status,
            body: ErrorBody::new(code, message),
            retry_after: None,
        }
    }

    /// Adds machine-readable details (for example the offending field).
    #[must_use]
    pub fn with_details(mut self, details: serde_json::Value) -> AppError {
        self.body = self.body.with_details(details);
        self
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::BadRequest, message)
    }

    /// 401: no valid credentials.
    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Unauthorized, message)
    }

    /// 403: the caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Forbidden, message)
    }

    /// 404: the thing does not exist, or the caller may not know it does.
    pub fn not_found(what: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::NotFound, format!("{} not found", what.into()))
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> AppError {
        AppError::new(ErrorCode::Conflict, message)
    }

    /// 500: something broke; the details go to the log, not to the client.
    pub fn internal(error: impl std::fmt::Display) -> AppError {
        tracing::error!(%error, "internal error");
        AppError::new(ErrorCode::Internal, "internal error")
    }
}

impl From<SdkError> for AppError {
    /// Wire validation failures are 422 with the field in the details (the SDK decides the
    /// body, so Core and FumbleBot answer alike).
    fn from(error: SdkError) -> AppError {
        let body = error.error_body();
        let status = StatusCode::from_u16(body.error.code.status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        AppError {
            status,
            body,
            retry_after: None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound => AppError::new(ErrorCode::NotFound, "not found"),
            StoreError::Conflict(message) => AppError::conflict(message),
            StoreError::BadCursor(cursor) => AppError::bad_request(format!(
                "invalid cursor '{cursor}': pass the next_cursor of a previous page"
            ))
            .with_details(serde_json::json!({ "field": "cursor" })),
            StoreError::Database(_) | StoreError::Corrupt(_) => AppError::internal(error),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// Shorthand for handler results.
pub type AppResult<T> = Result<T, AppError>;
