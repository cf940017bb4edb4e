//! `POST /v1/webhooks/fumblebot`: signed events, applied once per `webhook-id`.

use axum::Json;
use axum::extract::{Request, State};
use critfumble_sdk::webhook::WebhookHeaders;
use critfumble_sdk::wire::{ErrorBody, ErrorCode, WebhookAck, WebhookEvent};

use crate::error::{AppError, AppResult};
use crate::extract::{json_bytes, parse_json};
use crate::state::AppState;
use crate::store::{Delivery, EventRejected};

/// Receives a signed event from FumbleBot. A bad, missing or stale signature is 401; a
/// replayed `webhook-id` is acknowledged with `duplicate: true` and not applied again.
#[utoipa::path(post, path = "/v1/webhooks/fumblebot", tag = "webhooks",
    request_body = WebhookEvent,
    params(("webhook-id" = String, Header), ("webhook-timestamp" = String, Header),
        ("webhook-signature" = String, Header)),
    responses((status = 200, body = WebhookAck), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn receive(
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Json<WebhookAck>> {
    let headers = request.headers().clone();
    let body = json_bytes(request, &state).await?;
    let lookup =
        WebhookHeaders::from_fn(|name| headers.get(name).and_then(|value| value.to_str().ok()));
    let now = chrono::Utc::now().timestamp();
    let verified = state
        .webhooks()
        .verify(lookup, &body, now)
        .map_err(|error| AppError::unauthorized(format!("webhook rejected: {error}")))?;
    let event: WebhookEvent = parse_json(&body)?;
    event.payload.validate()?;
    let delivery = state
        .store()
        .apply_webhook(&verified.id, &event.payload)
        .await
        .map_err(|rejected| match rejected {
            EventRejected::UnknownUser(_) => {
                AppError::new(ErrorCode::ValidationFailed, rejected.to_string())
                    .with_details(serde_json::json!({ "field": "data.discord_id" }))
            }
            EventRejected::AlreadyLinked { .. } => AppError::conflict(rejected.to_string()),
            EventRejected::Store(error) => error.into(),
        })?;
    if delivery == Delivery::Duplicate {
        tracing::info!(webhook_id = %verified.id, "replayed webhook acknowledged");
    }
    Ok(Json(WebhookAck {
        duplicate: delivery == Delivery::Duplicate,
    }))
}
