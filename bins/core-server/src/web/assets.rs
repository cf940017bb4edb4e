//! The web app's static files, compiled into the binary: no build step, no file access.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::extract::ApiPath;

/// Each file: its name, content type, and bytes.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "link.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/link.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../static/favicon.svg"),
    ),
];

/// `GET /static/{file}`: cached for a day; an unknown name is 404.
pub async fn asset(ApiPath(file): ApiPath<String>) -> Response {
    let Some((_, content_type, body)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return super::PageError::new(StatusCode::NOT_FOUND, format!("no file '{file}'"))
            .into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *body,
    )
        .into_response()
}

/// The names and sizes of the static files, for the asset budget's test.
pub fn sizes() -> impl Iterator<Item = (&'static str, usize)> {
    ASSETS.iter().map(|(name, _, body)| (*name, body.len()))
}
