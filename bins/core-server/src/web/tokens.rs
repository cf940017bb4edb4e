//! The user's tokens: the list, issuing one (shown once) with scopes and an expiry, and
//! revoking one, through the API's token handlers.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use critfumble_sdk::wire::{ApiKeyInfo, CreateTokenRequest, TokenScope};
use uuid::Uuid;

use super::PageError;
use super::session::{CsrfForm, NoFields, SignedIn};
use super::view::{Layout, render, see_other, time};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<ApiKeyInfo>,
    created: Option<String>,
    scopes: Vec<(&'static str, bool)>,
}

impl TokensPage {
    fn time(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        time(at)
    }

    fn scope_names(&self, token: &ApiKeyInfo) -> String {
        token
            .scopes
            .iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn page(
    state: AppState,
    session: &SignedIn,
    created: Option<String>,
) -> Result<Response, PageError> {
    let tokens = crate::api::me::list_tokens(
        State(state),
        session.authorized()?,
        super::view::first_page(),
    )
    .await?
    .0
    .items;
    render(&TokensPage {
        layout: Layout::of(session),
        tokens,
        created,
        scopes: TokenScope::ALL
            .iter()
            .map(|scope| (scope.as_str(), TokenScope::DEFAULT.contains(scope)))
            .collect(),
    })
}

/// `GET /tokens`.
pub async fn tokens(
    State(state): State<AppState>,
    session: SignedIn,
) -> Result<Response, PageError> {
    page(state, &session, None).await
}

/// Reads the issue form: `name`, `expires_in_days` (1 to 90) and one `scope` per box.
fn token_request(
    fields: &[(String, String)],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CreateTokenRequest, PageError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .unwrap_or_default()
    };
    let days: i64 = field("expires_in_days").parse().map_err(|_| {
        PageError::bad_request("invalid expires_in_days: give a number of days from 1 to 90")
    })?;
    if !(1..=90).contains(&days) {
        return Err(PageError::bad_request(
            "invalid expires_in_days: give a number of days from 1 to 90",
        ));
    }
    let scopes = fields
        .iter()
        .filter(|(key, _)| key == "scope")
        .map(|(_, value)| {
            value
                .parse::<TokenScope>()
                .map_err(|_| PageError::bad_request(format!("unknown scope '{value}'")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CreateTokenRequest {
        name: field("name").to_owned(),
        expires_at: Some(now + chrono::TimeDelta::days(days)),
        scopes,
    })
}

/// `POST /tokens`: issues a token and shows it once.
pub async fn issue(
    State(state): State<AppState>,
    CsrfForm { session, form }: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let request = token_request(&form, chrono::Utc::now())?;
    let (_, created) = crate::api::me::create_token(
        State(state.clone()),
        session.authorized()?,
        ApiJson(request),
    )
    .await?;
    page(state, &session, Some(created.0.token)).await
}

/// `POST /tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    ApiPath(token_id): ApiPath<Uuid>,
    CsrfForm { session, .. }: CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    crate::api::me::revoke_token(State(state), session.authorized()?, ApiPath(token_id)).await?;
    Ok(see_other("/tokens"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn the_issue_form_reads_scopes_and_days() {
        let now = chrono::DateTime::UNIX_EPOCH;
        let request = token_request(
            &fields(&[
                ("name", " laptop "),
                ("scope", "read"),
                ("scope", "rolls:write"),
                ("expires_in_days", "7"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(request.name, "laptop");
        assert_eq!(request.scopes, [TokenScope::Read, TokenScope::RollsWrite]);
        assert_eq!(request.expires_at, Some(now + chrono::TimeDelta::days(7)));
        for days in ["0", "91", "x", ""] {
            let error = token_request(&fields(&[("expires_in_days", days)]), now).unwrap_err();
            assert!(error.message.contains("expires_in_days"), "{days}");
        }
        let error = token_request(
            &fields(&[("expires_in_days", "1"), ("scope", "admin")]),
            now,
        )
        .unwrap_err();
        assert_eq!(error.message, "unknown scope 'admin'");
    }
}
