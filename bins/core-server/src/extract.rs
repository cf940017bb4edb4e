//! Extractors whose rejections are `AppError`s: JSON that names the bad field, paths, queries.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body. Malformed JSON is 400 naming the field (`sheet.level`), a body over the
/// limit is 413, and a missing or wrong content type is 415.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let bytes = json_bytes(request, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads a request body that must be JSON, enforcing the body limit.
pub async fn json_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, AppError> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
    if !is_json {
        return Err(AppError {
            status: axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ..AppError::bad_request("expected a request body with content-type application/json")
        });
    }
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    critfumble_sdk::wire::ErrorCode::PayloadTooLarge,
                    format!(
                        "request body is larger than the limit of {} bytes",
                        crate::BODY_LIMIT_BYTES
                    ),
                )
            } else {
                AppError::bad_request(format!("cannot read the request body: {rejection}"))
            }
        })
}

/// Parses JSON, reporting the path of the field that failed.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        // For a missing or unknown field, serde names it in the message; the path then
        // points at the object that holds it ('.' for the top level).
        let field = if path == "." { String::new() } else { path };
        let message = if field.is_empty() {
            format!("invalid JSON body: {inner}")
        } else {
            format!("invalid JSON body at '{field}': {inner}")
        };
        AppError::bad_request(message).with_details(serde_json::json!({ "field": field }))
    })
}

/// Path parameters; a malformed one (say, not a UUID) is 400 naming the parameter.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection| AppError::bad_request(rejection.body_text()))
    }
}

/// A query string; a bad or unknown parameter is 400 naming it.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| AppError::bad_request(rejection.body_text()))
    }
}
