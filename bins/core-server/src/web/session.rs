//! Who is at the browser: the session cookie, checked by the same `auth::authenticate` as
//! the API; the CSRF token bound to that session; and form posts checked for both the
//! token and their `Origin`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use critfumble_sdk::wire::User;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::Authorized;
use crate::auth::{Caller, RouteScope, authenticate, session_cookie};
use crate::state::AppState;
use crate::web::PageError;

/// The largest form body the web app reads.
const FORM_LIMIT_BYTES: usize = 64 * 1024;

/// The browser's visitor: signed in or not. An unknown or expired session is anonymous.
#[derive(Clone, Debug)]
pub struct Visitor {
    /// The signed-in caller, if the session cookie is live.
    pub signed_in: Option<SignedIn>,
}

/// A signed-in browser session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The caller, as the API sees the same cookie.
    pub caller: Caller,
    /// The signed-in user.
    pub user: User,
    /// The CSRF token every form of this session posts back.
    pub csrf: String,
}

impl SignedIn {
    /// The caller as an API handler takes it, checked for the scope `S`.
    pub fn authorized<S: RouteScope>(&self) -> Result<Authorized<S>, PageError> {
        Ok(Authorized::for_caller(self.caller.clone())?)
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let Some(token) = session_cookie(parts) else {
            return Ok(Visitor { signed_in: None });
        };
        match authenticate(parts, state).await {
            Ok(caller) => {
                Ok(Visitor {
                    signed_in: caller.user.clone().filter(|_| !caller.service).map(|user| {
                        SignedIn {
                            caller,
                            user,
                            csrf: csrf_token(state, &token),
                        }
                    }),
                })
            }
            Err(error) if error.status == StatusCode::UNAUTHORIZED => {
                Ok(Visitor { signed_in: None })
            }
            Err(error) => Err(error.into()),
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        Visitor::from_request_parts(parts, state)
            .await?
            .signed_in
            .ok_or_else(PageError::login_required)
    }
}

/// The CSRF token of a session: a MAC of the session token's hash under Core's CSRF key,
/// so that it needs no storage and changes with every login.
pub fn csrf_token(state: &AppState, session_token: &str) -> String {
    let hash = crate::token::sha256_hex(session_token.as_bytes());
    let signed = state.csrf_key().sign(&hash);
    signed
        .rsplit_once('.')
        .map(|(_, mac)| mac.to_owned())
        .unwrap_or_default()
}

/// A form posted by a signed-in session: its `Origin` is Core's own and its `csrf` field
/// is the session's token (compared in constant time), then the body is read as `T`.
#[derive(Debug)]
pub struct CsrfForm<T> {
    /// The session that posted.
    pub session: SignedIn,
    /// The form's fields.
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let (mut parts, body) = request.into_parts();
        check_origin(&parts, state)?;
        let session = SignedIn::from_request_parts(&mut parts, state).await?;
        let bytes: Bytes = axum::body::to_bytes(body, FORM_LIMIT_BYTES)
            .await
            .map_err(|_| PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"))?;
        let posted: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| PageError::bad_request(format!("the form is malformed: {error}")))?;
        let session_token = session_cookie(&parts).unwrap_or_default();
        let hash = crate::token::sha256_hex(session_token.as_bytes());
        if posted.csrf.is_empty()
            || state
                .csrf_key()
                .verify(&format!("{hash}.{}", posted.csrf))
                .is_none()
        {
            return Err(PageError::new(
                StatusCode::FORBIDDEN,
                "the form's security token is missing or stale: reload the page and try again",
            ));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| PageError::bad_request(format!("the form is malformed: {error}")))?;
        Ok(CsrfForm { session, form })
    }
}

/// Refuses a post whose `Origin` (or, without one, `Referer`) is not Core's public URL:
/// a browser names the page a form was posted from, and another site cannot forge it.
fn check_origin(parts: &Parts, state: &AppState) -> Result<(), PageError> {
    let own = url::Url::parse(state.public_url())
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default();
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    let from = match header(axum::http::header::ORIGIN) {
        Some(origin) => Some(origin.to_owned()),
        None => header(axum::http::header::REFERER)
            .and_then(|referer| url::Url::parse(referer).ok())
            .map(|url| url.origin().ascii_serialization()),
    };
    match from {
        Some(origin) if !own.is_empty() && origin == own => Ok(()),
        _ => Err(PageError::new(
            StatusCode::FORBIDDEN,
            "this form was posted from another site",
        )),
    }
}

/// A form with no fields but the CSRF token.
#[derive(Debug, Deserialize)]
pub struct NoFields {}
