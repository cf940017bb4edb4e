//! `PageError`: a failed page as an HTML page with the status the API would answer.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;

/// A page that failed: its status and a message for the person at the browser.
#[derive(Debug)]
pub struct PageError {
    /// The HTTP status (the API's for the same failure).
    pub status: StatusCode,
    /// What went wrong, shown on the page.
    pub message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: super::view::Layout,
    status: u16,
    message: &'a str,
    login: bool,
}

impl PageError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> PageError {
        PageError {
            status,
            message: message.into(),
        }
    }

    /// 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> PageError {
        PageError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401: the page needs a signed-in session.
    pub fn login_required() -> PageError {
        PageError::new(
            StatusCode::UNAUTHORIZED,
            "log in with Discord to see this page",
        )
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> PageError {
        PageError::new(error.status, error.body.error.message)
    }
}

impl From<crate::store::StoreError> for PageError {
    fn from(error: crate::store::StoreError) -> PageError {
        AppError::from(error).into()
    }
}

impl From<askama::Error> for PageError {
    fn from(error: askama::Error) -> PageError {
        AppError::internal(error).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            layout: super::view::Layout::anonymous(),
            status: self.status.as_u16(),
            message: &self.message,
            login: self.status == StatusCode::UNAUTHORIZED,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}
