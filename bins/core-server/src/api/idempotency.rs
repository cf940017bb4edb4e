//! The `Idempotency-Key` header and the responses stored under it: read the key, and
//! answer with a stored or fresh JSON body.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use critfumble_sdk::paths::IDEMPOTENCY_KEY_HEADER;
use critfumble_sdk::wire::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::store::Claim;

/// The header set on a response replayed from an idempotency key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The request's idempotency key, which `route` requires.
pub fn required_key(headers: &HeaderMap, route: &str) -> AppResult<String> {
    optional_key(headers)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::IdempotencyKeyRequired,
            format!("{route} needs an '{IDEMPOTENCY_KEY_HEADER}' header"),
        )
    })
}

/// The request's idempotency key, if it sent one: 1 to 255 visible ASCII characters.
pub fn optional_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY_HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::new(
            ErrorCode::IdempotencyKeyRequired,
            format!(
                "the '{IDEMPOTENCY_KEY_HEADER}' header must be 1 to 255 visible ascii characters"
            ),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// A JSON response from a body already serialized, marked when it is a replay.
pub fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if replayed {
        response
            .headers_mut()
            .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    }
    response
}

/// The answer to a claim that did not give the caller the key: the stored response, or
/// the error for a key used with another body or still in flight. `None` for an acquired
/// claim, whose request goes on.
pub fn settled(claim: Claim, key: &str) -> Option<AppResult<Response>> {
    Some(match claim {
        Claim::Acquired { .. } => return None,
        Claim::Replay(record) => {
            let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::OK);
            Ok(json_response(status, record.body, true))
        }
        Claim::Mismatch => Err(AppError::new(
            ErrorCode::IdempotencyKeyReused,
            format!("idempotency key '{key}' was already used with a different body"),
        )),
        Claim::InFlight => Err(AppError {
            retry_after: Some(1),
            ..AppError::new(
                ErrorCode::IdempotencyKeyInFlight,
                format!("a request with idempotency key '{key}' is still being processed; retry"),
            )
        }),
    })
}
