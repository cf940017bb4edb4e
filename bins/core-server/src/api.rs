//! The router: every route, its middleware (body limit, tracing), and the OpenAPI document.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use critfumble_sdk::paths;
use critfumble_sdk::wire::ErrorBody;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub mod ai;
pub mod campaigns;
pub mod characters;
pub mod health;
pub mod idempotency;
pub mod login;
pub mod me;
pub mod rolls;
pub mod saved_rolls;
pub mod sessions;
pub mod users;
pub mod webhooks;

/// Builds Core's router over `state`. Serve it with the peer's address as connect info
/// ([`serve`]) so that anonymous requests are rate-limited per address.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(paths::HEALTHZ, get(health::healthz))
        .route(paths::READYZ, get(health::readyz))
        .route(paths::OPENAPI, get(openapi_json))
        .route(paths::ME, get(users::me))
        .route(paths::ME_CURRENT_TOKEN, get(me::current_token))
        .route(
            paths::ME_TOKENS,
            get(me::list_tokens).post(me::create_token),
        )
        .route(paths::ME_TOKEN, axum::routing::delete(me::revoke_token))
        .route(paths::ME_VTT_ACCOUNTS, get(me::list_vtt_accounts))
        .route(
            paths::ME_VTT_ACCOUNT,
            axum::routing::delete(me::unlink_vtt_account),
        )
        .route(paths::ME_SAVED_ROLLS, get(saved_rolls::list_saved_rolls))
        .route(
            paths::ME_SAVED_ROLL,
            get(saved_rolls::get_saved_roll)
                .put(saved_rolls::save_roll)
                .delete(saved_rolls::delete_saved_roll),
        )
        .route(paths::USER_BY_DISCORD_ID, put(users::upsert_user))
        .route(
            paths::CAMPAIGNS,
            get(campaigns::list_campaigns).post(campaigns::create_campaign),
        )
        .route(
            paths::CAMPAIGN,
            get(campaigns::get_campaign)
                .patch(campaigns::update_campaign)
                .delete(campaigns::delete_campaign),
        )
        .route(
            paths::CAMPAIGN_BY_DISCORD_CHANNEL,
            get(campaigns::campaign_by_discord_channel),
        )
        .route(
            paths::CAMPAIGN_BY_VTT_GAME,
            get(campaigns::campaign_by_vtt_game),
        )
        .route(
            paths::ACTIVE_SESSION_BY_VTT_GAME,
            get(sessions::active_session),
        )
        .route(paths::CAMPAIGN_MEMBERS, get(campaigns::list_members))
        .route(
            paths::CAMPAIGN_MEMBER,
            put(campaigns::set_member).delete(campaigns::remove_member),
        )
        .route(
            paths::CAMPAIGN_DISCORD_LINK,
            put(campaigns::link_discord).delete(campaigns::unlink_discord),
        )
        .route(
            paths::CAMPAIGN_VTT_LINK,
            put(campaigns::link_vtt).delete(campaigns::unlink_vtt),
        )
        .route(
            paths::CHARACTERS,
            get(characters::list_characters).post(characters::create_character),
        )
        .route(
            paths::CHARACTER,
            get(characters::get_character)
                .patch(characters::update_character)
                .delete(characters::delete_character),
        )
        .route(
            paths::SESSIONS,
            get(sessions::list_sessions).post(sessions::start_session),
        )
        .route(
            paths::SESSION,
            get(sessions::get_session).patch(sessions::update_session),
        )
        .route(paths::SESSION_END, post(sessions::end_session))
        .route(
            paths::ROLLS,
            get(rolls::list_rolls).post(rolls::report_roll),
        )
        .route(paths::ROLL, get(rolls::get_roll))
        .route(paths::CAMPAIGN_ROLL_STATS, get(rolls::roll_stats))
        .route(paths::WEBHOOK_FUMBLEBOT, post(webhooks::receive))
        .route(paths::CAMPAIGN_AI_CHAT, post(ai::chat))
        .route(
            paths::CAMPAIGN_AI_CONVERSATIONS,
            get(ai::list_conversations),
        )
        .route(paths::AI_CONVERSATION, get(ai::get_conversation))
        .route(paths::USAGE, get(ai::usage))
        .route(paths::AUTH_DISCORD_LOGIN, get(login::login))
        .route(paths::AUTH_DISCORD_CALLBACK, get(login::callback))
        .route(paths::AUTH_LOGOUT, post(login::logout))
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(request_id_on_errors))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::limit_anonymous,
        ))
        .layer(DefaultBodyLimit::max(crate::BODY_LIMIT_BYTES))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Serves Core on `listener` until `shutdown` resolves, with each connection's peer
/// address available for rate limits.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// The span of one request: its id, and who made it once authentication knows (the key,
/// the user, and the Discord user a service key acts for). Each response is logged at
/// `info` within it, so that every request a service key makes for a user is on record
/// with both identities.
fn request_span(request: &Request) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        uri = %request.uri(),
        request_id,
        key_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
        acting_for = tracing::field::Empty,
    )
}

/// Adds the request id to the body of every 5xx, so that a user can quote it and an
/// operator find the logged cause (an upstream's answer is logged, not sent).
async fn request_id_on_errors(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let Some(request_id) = request_id else {
        return response;
    };
    if !response.status().is_server_error() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT_BYTES).await else {
        return parts.status.into_response();
    };
    let Ok(mut error) = serde_json::from_slice::<ErrorBody>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let mut details = match error.error.details.take() {
        Some(serde_json::Value::Object(details)) => details,
        _ => serde_json::Map::new(),
    };
    details.insert("request_id".to_owned(), request_id.into());
    error.error.details = Some(serde_json::Value::Object(details));
    let mut headers = parts.headers;
    headers.remove(axum::http::header::CONTENT_LENGTH);
    (parts.status, headers, Json(error)).into_response()
}

async fn not_found() -> AppError {
    AppError::not_found("route")
}

async fn method_not_allowed() -> AppError {
    AppError {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        ..AppError::bad_request("method not allowed on this route")
    }
}

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "Crit-Fumble Core", description = "The source of truth for users, campaigns, characters, sessions, rolls and AI logs."),
    paths(
        health::healthz, health::readyz,
        users::upsert_user, users::me,
        me::current_token, me::create_token, me::list_tokens, me::revoke_token, me::list_vtt_accounts,
        me::unlink_vtt_account,
        saved_rolls::list_saved_rolls, saved_rolls::get_saved_roll, saved_rolls::save_roll,
        saved_rolls::delete_saved_roll,
        campaigns::create_campaign, campaigns::list_campaigns, campaigns::get_campaign,
        campaigns::update_campaign, campaigns::delete_campaign,
        campaigns::campaign_by_discord_channel, campaigns::campaign_by_vtt_game,
        campaigns::list_members, campaigns::set_member, campaigns::remove_member,
        campaigns::link_discord, campaigns::unlink_discord, campaigns::link_vtt,
        campaigns::unlink_vtt,
        characters::create_character, characters::list_characters, characters::get_character,
        characters::update_character, characters::delete_character,
        sessions::start_session, sessions::list_sessions, sessions::get_session,
        sessions::update_session, sessions::end_session, sessions::active_session,
        rolls::report_roll, rolls::list_rolls, rolls::get_roll, rolls::roll_stats,
        webhooks::receive,
        ai::chat, ai::list_conversations, ai::get_conversation, ai::usage,
        login::login, login::callback, login::logout,
    ),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("cfk_ api key")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        // The SDK's wire enums are declared by a macro whose `serde(rename)` utoipa does not
        // see, so their schemas would list the Rust variant names; publish the spellings
        // that actually cross the wire.
        use critfumble_sdk::api_key::KeyEnv;
        use critfumble_sdk::wire::{ChatRole, KeyScope, MemberRole, RollSource, UsageGroupBy, Vtt};
        let spellings: [(&str, Vec<&str>); 7] = [
            (
                "MemberRole",
                MemberRole::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            ("Vtt", Vtt::ALL.iter().map(|v| v.as_str()).collect()),
            (
                "RollSource",
                RollSource::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            (
                "KeyScope",
                KeyScope::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            (
                "ChatRole",
                ChatRole::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            (
                "UsageGroupBy",
                UsageGroupBy::ALL.iter().map(|v| v.as_str()).collect(),
            ),
            ("KeyEnv", KeyEnv::ALL.iter().map(|v| v.as_str()).collect()),
        ];
        for (name, values) in spellings {
            if let Some(schema) = components.schemas.get_mut(name) {
                *schema = utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(values))
                    .into();
            }
        }
        // Any operation can also answer with the error body (a malformed path, query or
        // body, missing credentials, a limit): document that as the default response.
        let error = utoipa::openapi::ResponseBuilder::new()
            .description("an error, with the SDK error body")
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                operation
                    .responses
                    .responses
                    .entry("default".to_owned())
                    .or_insert_with(|| error.clone().into());
            }
        }
    }
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Checks that a path value is a Discord snowflake (1 to 20 digits).
pub(crate) fn check_snowflake(field: &str, value: &str) -> AppResult<()> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::new(
            critfumble_sdk::wire::ErrorCode::ValidationFailed,
            format!("invalid {field}: '{value}' is not a discord snowflake (1 to 20 digits)"),
        )
        .with_details(serde_json::json!({ "field": field })));
    }
    Ok(())
}

/// The id in a keyset cursor (the id of the last item of the previous page), or 400.
pub(crate) fn id_cursor(page: &critfumble_sdk::wire::PageRequest) -> AppResult<Option<uuid::Uuid>> {
    page.cursor
        .as_deref()
        .map(|cursor| {
            uuid::Uuid::parse_str(cursor)
                .map_err(|_| crate::store::StoreError::BadCursor(cursor.to_owned()).into())
        })
        .transpose()
}

/// A page that SQL fetched by keyset: `items` holds up to `limit + 1` rows in order, and
/// the extra one only tells that there is a next page, which starts after the last id.
pub(crate) fn keyset_page<T>(
    mut items: Vec<T>,
    limit: u32,
    id_of: impl Fn(&T) -> uuid::Uuid,
) -> critfumble_sdk::wire::Page<T> {
    let limit = limit as usize;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|item| id_of(item).to_string())
    } else {
        None
    };
    critfumble_sdk::wire::Page { items, next_cursor }
}

/// Pages a short list that was loaded whole (a user's VTT links): the cursor is
/// the id of the last item of the previous page.
pub(crate) fn page_in_memory<T>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> uuid::Uuid,
    page: &critfumble_sdk::wire::PageRequest,
) -> AppResult<critfumble_sdk::wire::Page<T>> {
    let start = match &page.cursor {
        None => 0,
        Some(cursor) => {
            let position = uuid::Uuid::parse_str(cursor)
                .ok()
                .and_then(|after| items.iter().position(|item| id_of(item) == after));
            match position {
                Some(position) => position + 1,
                None => {
                    return Err(crate::store::StoreError::BadCursor(cursor.clone()).into());
                }
            }
        }
    };
    let limit = page.effective_limit() as usize;
    let total = items.len();
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_cursor = if start + items.len() < total {
        items.last().map(|item| id_of(item).to_string())
    } else {
        None
    };
    Ok(critfumble_sdk::wire::Page { items, next_cursor })
}
