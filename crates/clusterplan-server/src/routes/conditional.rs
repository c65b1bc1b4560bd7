//! Conditional requests (RFC 9110 §13): entity tags of versions, of collection stamps and of
//! documents, `If-None-Match`, and `Vary` for answers that depend on who asks. `If-Match` is
//! read in `extract.rs`.

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

/// A strong entity tag of a document's bytes: `"b<digest>"` (64 bits of SHA-256). For documents
/// whose body depends on who asks (the public reads the published layer, accounts the draft):
/// equal tags mean equal bodies, and the tag tells nothing a change counter would (how often the
/// draft changed).
pub(crate) fn body_tag(body: &[u8]) -> HeaderValue {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    HeaderValue::from_str(&format!("\"b{}\"", hex::encode(&digest[..8])))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// Marks an answer that depends on the caller's credentials (the layer read, an officer's
/// scope), so that a shared cache never gives one caller's copy to another: the credentials
/// travel in `Authorization` (tokens) or `Cookie` (sessions).
pub(crate) fn vary_on_caller(mut response: Response) -> std::future::Ready<Response> {
    response.headers_mut().append(header::VARY, HeaderValue::from_static("authorization, cookie"));
    std::future::ready(response)
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
