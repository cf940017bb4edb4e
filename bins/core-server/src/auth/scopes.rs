//! [`Authorized`]: the caller of a route, checked for the scope the route names in its type.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use critfumble_sdk::wire::TokenScope;

use super::{Caller, authenticate};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A scope a route can name: one marker type per [`TokenScope`], and [`Unscoped`].
pub trait RouteScope: Send + Sync + 'static {
    /// The scope the credentials must hold (`None`: any credentials will do).
    const SCOPE: Option<TokenScope>;
}

macro_rules! route_scopes {
    ($($(#[$meta:meta])* $name:ident => $scope:ident,)+) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug)]
            pub struct $name;

            impl RouteScope for $name {
                const SCOPE: Option<TokenScope> = Some(TokenScope::$scope);
            }
        )+
    };
}

route_scopes! {
    /// Routes that read (`read`).
    Read => Read,
    /// `POST /v1/rolls` (`rolls:write`).
    RollsWrite => RollsWrite,
    /// Routes that change campaigns, members, characters, sessions and links (`write`).
    Write => Write,
    /// AI chat (`ai`).
    Ai => Ai,
    /// The user's tokens (`tokens`).
    Tokens => Tokens,
}

/// `GET /v1/me/token`, where any credentials describe themselves: no scope.
#[derive(Clone, Copy, Debug)]
pub struct Unscoped;

impl RouteScope for Unscoped {
    const SCOPE: Option<TokenScope> = None;
}

/// The authenticated caller of a route that needs the scope `S`: a user token without it
/// is refused with 403 before the handler runs. Dereferences to the [`Caller`].
#[derive(Clone, Debug)]
pub struct Authorized<S>(Caller, PhantomData<S>);

impl<S: RouteScope> Authorized<S> {
    /// `caller`, checked for the scope `S` (403 without it), for the web app's pages,
    /// which authenticate once and then call the API's handlers.
    pub fn for_caller(caller: Caller) -> AppResult<Self> {
        if let Some(scope) = S::SCOPE
            && !caller.may(scope)
        {
            return Err(AppError::forbidden(format!(
                "this token lacks the '{scope}' scope that this route needs"
            )));
        }
        Ok(Authorized(caller, PhantomData))
    }
}

impl<S> Authorized<S> {
    /// The caller.
    pub fn caller(&self) -> &Caller {
        &self.0
    }
}

impl<S> Deref for Authorized<S> {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl<S: RouteScope> FromRequestParts<AppState> for Authorized<S> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        Authorized::for_caller(authenticate(parts, state).await?)
    }
}
