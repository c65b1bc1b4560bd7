//! Conditional requests (RFC 9110 §13): entity tags of versions and of collection stamps,
//! `If-None-Match`. `If-Match` is read in `extract.rs`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The entity tag of a feature's version: `"<version>"`, what `If-Match` names.
pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// A strong entity tag `"<prefix><stamp>"`.
pub(crate) fn tag(prefix: &str, stamp: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{prefix}{stamp}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// Whether `If-None-Match` names `tag` (or `*`); weak comparison, as GET asks.
pub(crate) fn none_match_hits(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let wanted = tag.to_str().unwrap_or_default().trim_start_matches("W/");
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(|t| {
        let t = t.trim();
        t == "*" || t.trim_start_matches("W/") == wanted
    })
}

/// `304 Not Modified` with the tag and the caching rule of the full answer.
pub(crate) fn not_modified(tag: HeaderValue) -> Response {
    (StatusCode::NOT_MODIFIED, [(header::ETAG, tag), (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE))])
        .into_response()
}

/// Caches may keep answers but must ask again each time, so an edit shows in the next request.
pub(crate) const REVALIDATE: &str = "no-cache";
