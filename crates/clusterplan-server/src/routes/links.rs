//! Absolute links for OGC documents, built from the request's `Host`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The service's base URL as the client addressed it (`http://host:port`).
pub(crate) struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
            .unwrap_or("localhost");
        let proto = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|p| *p == "https")
            .unwrap_or("http");
        Ok(BaseUrl(format!("{proto}://{host}")))
    }
}

/// A link of an OGC document (OGC API - Common `link`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) rel: String,
    /// The media type of the target.
    #[serde(rename = "type")]
    pub(crate) media_type: String,
    pub(crate) title: String,
    /// `href` is a URI template (tiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) templated: Option<bool>,
}

impl Link {
    /// The same link, marked as a URI template.
    pub(crate) fn templated(self) -> Self {
        Link { templated: Some(true), ..self }
    }
}

/// One link.
pub(crate) fn link(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Link {
    Link {
        href: href.into(),
        rel: rel.to_owned(),
        media_type: media_type.to_owned(),
        title: title.to_owned(),
        templated: None,
    }
}

/// A `Location` header for a resource just created.
pub(crate) fn location(href: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(href).map_err(ApiError::internal)
}

/// The query parameters a page link repeats, as `&key=value…` (values URL-encoded), in the
/// order of `keys`: the selection, without paging.
pub(crate) fn repeated(params: &std::collections::HashMap<String, String>, keys: &[&str]) -> String {
    let mut out = String::new();
    for key in keys {
        if let Some(value) = params.get(*key) {
            out.push('&');
            out.push_str(key);
            out.push('=');
            out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
    }
    out
}

/// Where a page of items starts and how it was read, for its `self`, `next` and `prev` links.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageAt {
    pub(crate) offset: u64,
    pub(crate) cursor: Option<clusterplan_store::Cursor>,
    /// Paged by id (cursors), not by a `sortby` order (offsets only).
    pub(crate) by_id: bool,
}

/// What reading a page found: the ids of its first and last feature (`None`: empty), how many
/// it holds, and whether the store had one more beyond it (past its end; before its start for
/// a page before a cursor). Pages are read one feature longer than asked to know it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PageRead {
    pub(crate) ends: Option<(i64, i64)>,
    pub(crate) returned: u64,
    pub(crate) more: bool,
}

/// The paging links of a page: `href(paging, rel)` makes a link whose URL starts the page
/// with `paging` (`offset=…`, `after=…`, `before=…`). In id order, `next` and `prev` carry
/// cursors (`after` the last id, `before` the first), so every later page costs one index
/// seek and writes between pages neither repeat nor skip a feature; a page reached by offset
/// (old links) gets a cursor `next` too. Sorted pages page by offset. A `prev` after a cursor
/// is given without knowing that features are there: it may be empty.
pub(crate) fn page_links(limit: u32, at: PageAt, read: PageRead, href: impl Fn(&str, &str) -> Link) -> Vec<Link> {
    use clusterplan_store::Cursor;

    use super::selection::cursor_text;
    let after = |id: i64| format!("after={}", cursor_text(id));
    let before = |id: i64| format!("before={}", cursor_text(id));
    let offset = |n: u64| format!("offset={n}");
    let mut links = vec![href(
        &match at.cursor {
            Some(Cursor::After(id)) => after(id),
            Some(Cursor::Before(id)) => before(id),
            None => offset(at.offset),
        },
        "self",
    )];
    let first = read.ends.map(|(first, _)| first);
    let last = read.ends.map(|(_, last)| last);
    let (next, prev) = match at.cursor {
        _ if !at.by_id => (
            read.more.then(|| offset(at.offset + read.returned)),
            (at.offset > 0).then(|| offset(at.offset.saturating_sub(u64::from(limit)))),
        ),
        None => (
            read.more.then(|| last.map(after)).flatten(),
            (at.offset > 0).then(|| offset(at.offset.saturating_sub(u64::from(limit)))),
        ),
        Some(Cursor::After(id)) => {
            (read.more.then(|| last.map(after)).flatten(), Some(before(first.unwrap_or(id.saturating_add(1)))))
        }
        Some(Cursor::Before(id)) => {
            (Some(after(last.unwrap_or(id.saturating_sub(1)))), read.more.then(|| first.map(before)).flatten())
        }
    };
    links.extend(next.map(|n| href(&n, "next")));
    links.extend(prev.map(|p| href(&p, "prev")));
    links
}
