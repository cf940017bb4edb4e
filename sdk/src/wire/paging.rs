//! Cursor paging: `{items, next_cursor}` and the query that asks for a page.

use serde::{Deserialize, Serialize};

/// One page of a list. Ask for the next page with `cursor=next_cursor`; the last page has
/// no `next_cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// An opaque cursor for the next page, absent on the last one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// A page with no next page.
    pub fn last(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }
}

/// The paging part of a list query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct PageRequest {
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The page size (1 to 200; servers default to 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

impl PageRequest {
    /// The largest page a server returns.
    pub const MAX_LIMIT: u32 = 200;
    /// The page size when `limit` is absent.
    pub const DEFAULT_LIMIT: u32 = 50;

    /// The page size to use: `limit` clamped to 1..=200, or 50.
    pub fn effective_limit(&self) -> u32 {
        self.limit
            .map_or(Self::DEFAULT_LIMIT, |limit| limit.clamp(1, Self::MAX_LIMIT))
    }
}
