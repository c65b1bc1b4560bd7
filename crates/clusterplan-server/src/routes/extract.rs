//! What handlers read from a request, as axum extractors: the collection and the id in the
//! path, `If-Match`, `Content-Crs`, who writes and why, and the JSON body. Each is read and
//! checked here once, and its refusal is a problem document; route modules take them as
//! arguments instead of borrowing helpers from one another.
//!
//! A handler that must answer some refusal before another (rights before a malformed body,
//! say) takes the extractor as `Result<E, ApiError>` and uses `?` where the check belongs;
//! `If-Match` is read when the handler asks for it, after the rights check.

use std::collections::HashMap;
use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OptionalFromRequest, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use clusterplan_store::WriteContext;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::Kept;
use crate::wire::WireCrs;

/// Feature collections served (zones are a collection of their own, with their own routes).
pub(crate) const COLLECTIONS: &[&str] = &["clusters"];

/// One parameter of the path by its name in the route (`{collection}`, `{id}`).
async fn path_param<S: Send + Sync>(parts: &mut Parts, state: &S, name: &str) -> Result<String, ApiError> {
    let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|rejection| ApiError::BadRequest { kind: "invalid-path", detail: rejection.body_text() })?;
    params.remove(name).ok_or_else(|| ApiError::internal(format_args!("the route has no {{{name}}} parameter")))
}

/// `{collection}`: a feature collection this service serves (404 otherwise).
pub(crate) struct Collection(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Collection {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let collection = path_param(parts, state, "collection").await?;
        if COLLECTIONS.contains(&collection.as_str()) {
            Ok(Collection(collection))
        } else {
            Err(ApiError::NotFound(format!("collection {collection:?} does not exist")))
        }
    }
}

/// `{collection}` of a history path: a feature collection or `zones` (404 otherwise).
impl<S: Send + Sync> FromRequestParts<S> for Kept {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if path_param(parts, state, "collection").await? == "zones" {
            return Ok(Kept::Zones);
        }
        Collection::from_request_parts(parts, state).await.map(|_| Kept::Clusters)
    }
}

/// `{id}` ids of the path: an integer, else 404 for the thing it names.
macro_rules! path_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        pub(crate) struct $name(pub i64);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
                let id = path_param(parts, state, "id").await?;
                id.parse::<i64>()
                    .map($name)
                    .map_err(|_| ApiError::NotFound(format!(concat!($what, " {:?} does not exist"), id)))
            }
        }
    };
}

path_id!(
    /// `{id}` of a feature (a cluster, or the feature of a history path).
    FeatureId,
    "feature"
);
path_id!(
    /// `{id}` of a zone.
    ZoneId,
    "zone"
);
path_id!(
    /// `{id}` of a planning task.
    TaskId,
    "task"
);

/// `If-Match`, read when the handler asks: after the rights check, so that a refused caller
/// is told about its rights, not about preconditions.
pub(crate) struct IfMatch {
    header: Option<HeaderValue>,
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch { header: parts.headers.get(header::IF_MATCH).cloned() })
    }
}

impl IfMatch {
    /// The version named: `None` when absent, empty or `*`. A well-formed entity tag this
    /// service never issued (`"stale-etag"`) matches no version: 412, as RFC 9110 §13.1.1 asks;
    /// a value that is no list of entity tags is a 400.
    pub(crate) fn version(&self) -> Result<Option<i64>, ApiError> {
        let Some(value) = &self.header else { return Ok(None) };
        let text = value.to_str().unwrap_or("\u{fffd}").trim();
        if text.is_empty() || text == "*" {
            return Ok(None);
        }
        let Some(tags) = entity_tags(text) else {
            return Err(ApiError::BadRequest {
                kind: "invalid-header",
                detail: format!("If-Match {text:?} is not a list of entity tags (\"<version>\", as ETag gives)"),
            });
        };
        let versions: Vec<i64> = tags.iter().filter_map(|t| t.parse::<i64>().ok()).collect();
        match versions.as_slice() {
            [version] => Ok(Some(*version)),
            [] => Err(ApiError::Rejected {
                status: StatusCode::PRECONDITION_FAILED,
                kind: "version-conflict",
                detail: format!("If-Match {text} names no version of this feature; GET it for its ETag"),
                extra: serde_json::json!({}),
            }),
            _ => Err(ApiError::BadRequest {
                kind: "invalid-header",
                detail: format!("If-Match {text} names several versions; name the one you edited"),
            }),
        }
    }

    /// The version a write is locked on by `If-Match` (`*`: `current`); `None` without the
    /// header (or with an empty one): such a write is conditioned on what the client last read
    /// (`precondition.rs`).
    pub(crate) fn given(&self, current: i64) -> Result<Option<i64>, ApiError> {
        let absent = self.header.as_ref().is_none_or(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace));
        if absent { Ok(None) } else { Ok(Some(self.version()?.unwrap_or(current))) }
    }
}

/// The opaque parts of a comma-separated list of entity tags (RFC 9110 §8.8.3: `"…"` or
/// `W/"…"`, visible ASCII but `"` inside); `None` when the text is no such list.
fn entity_tags(text: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return (!tags.is_empty()).then_some(tags);
        }
        let quoted = rest.strip_prefix("W/").unwrap_or(rest).strip_prefix('"')?;
        let end = quoted.find('"')?;
        let tag = &quoted[..end];
        if !tag.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b)) {
            return None;
        }
        tags.push(tag);
        rest = &quoted[end + 1..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t', ',']) {
            return None;
        }
    }
}

/// The CRS of a request body's coordinates: `Content-Crs`, CRS84 without one; 400 for a CRS
/// that is not offered.
pub(crate) struct RequestCrs(pub WireCrs);

impl<S: Send + Sync> FromRequestParts<S> for RequestCrs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // An empty header is an absent one, as an empty query parameter is.
        match parts.headers.get("content-crs").filter(|v| !v.as_bytes().iter().all(u8::is_ascii_whitespace)) {
            None => Ok(RequestCrs(WireCrs::default())),
            Some(v) => WireCrs::parse(v.to_str().unwrap_or_default()).map(RequestCrs),
        }
    }
}

/// Who writes and why, for the version and the audit rows: the account, `X-Change-Reason`,
/// `X-Legal-Act` and the client's address.
pub(crate) struct Provenance(pub WriteContext);

impl FromRequestParts<AppState> for Provenance {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.principal == crate::rights::Principal::Anonymous {
            // The public writes nothing: its headers are not read, so that its refusal is the
            // 401 of the rights check whatever they hold.
            return Ok(Provenance(WriteContext { address: caller.address, ..WriteContext::default() }));
        }
        let reason = text_header(&parts.headers, "X-Change-Reason");
        let legal_act = text_header(&parts.headers, "X-Legal-Act");
        let refused: Vec<String> =
            [&reason, &legal_act].into_iter().filter_map(|h| h.as_ref().err().cloned()).collect();
        if !refused.is_empty() {
            return Err(ApiError::nul_character(&refused));
        }
        // Desktop clients (QGIS) send no reason: the version says which client wrote it, and a
        // planner can add the reason later as a comment on that version.
        let reason = reason.ok().flatten().unwrap_or_else(|| default_reason(&parts.headers));
        Ok(Provenance(WriteContext {
            author: caller.principal.name().map(str::to_owned),
            reason: Some(reason),
            legal_act: legal_act.ok().flatten(),
            address: caller.address,
            ..WriteContext::default()
        }))
    }
}

/// The reason of a write sent without `X-Change-Reason`: names the client by its
/// `User-Agent` (at most 100 characters of it).
fn default_reason(headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|a| !a.is_empty() && !a.contains('\0'))
        .map_or_else(|| "a client that gave no User-Agent".to_owned(), |a| a.chars().take(100).collect());
    format!("no reason given (X-Change-Reason); written with {agent}")
}

/// A request header as text: UTF-8, percent-encoded or not (browsers can only send Latin-1
/// header values, so the map percent-encodes Vietnamese text). `Err(name)` when the decoded
/// text holds a NUL character (`%00`), which no store keeps alike.
fn text_header(headers: &HeaderMap, name: &str) -> Result<Option<String>, String> {
    let Some(raw) = headers.get(name).and_then(|v| std::str::from_utf8(v.as_bytes()).ok()) else { return Ok(None) };
    let text = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_or_else(|_| raw.to_owned(), std::borrow::Cow::into_owned);
    if text.contains('\0') {
        return Err(name.to_owned());
    }
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

/// The media types a body may be sent as (`Content-Type` without its parameters); none listed
/// means any.
pub(crate) trait MediaTypes: Send {
    /// Accepted media types, lowercase.
    const ACCEPTED: &'static [&'static str];
}

/// Any `Content-Type`: bodies that were never checked for one (comments, accounts, events).
pub(crate) enum AnyType {}
/// A GeoJSON Feature: `application/geo+json` or `application/json`.
pub(crate) enum GeoJson {}
/// A JSON merge patch (RFC 7396), or plain (Geo)JSON as clients send it.
pub(crate) enum MergePatch {}
/// `application/json` only.
pub(crate) enum PlainJson {}

impl MediaTypes for AnyType {
    const ACCEPTED: &'static [&'static str] = &[];
}
impl MediaTypes for GeoJson {
    const ACCEPTED: &'static [&'static str] = &["application/geo+json", "application/json"];
}
impl MediaTypes for MergePatch {
    const ACCEPTED: &'static [&'static str] =
        &["application/merge-patch+json", "application/json", "application/geo+json"];
}
impl MediaTypes for PlainJson {
    const ACCEPTED: &'static [&'static str] = &["application/json"];
}

/// A JSON request body, read and parsed once: 415 for another `Content-Type` than `M`
/// accepts (none at all is read as JSON), 413 past the size limit, 400 when it is not JSON or when a text in it holds a NUL
/// character. `Option<JsonBody>` reads an empty body as `None`.
pub(crate) struct JsonBody<M = AnyType> {
    /// The document.
    pub(crate) value: Value,
    media: PhantomData<M>,
}

impl<M> JsonBody<M> {
    /// The document as `T`; 400 whose detail starts with `expected` when it has another shape.
    pub(crate) fn read<T: DeserializeOwned>(&self, expected: &str) -> Result<T, ApiError> {
        T::deserialize(&self.value)
            .map_err(|e| ApiError::BadRequest { kind: "malformed-json", detail: format!("{expected}: {e}") })
    }
}

/// The top-level members of a feature a write reads: GeoJSON's (RFC 7946), OGC's `links` (a
/// feature read with GET and sent back carries them) and, for clusters, the planning members
/// `event` and `overrides`.
pub(crate) const FEATURE_MEMBERS: &[&str] = &["type", "id", "geometry", "properties", "bbox", "links"];
/// [`FEATURE_MEMBERS`] and the planning members of a cluster.
pub(crate) const CLUSTER_MEMBERS: &[&str] =
    &["type", "id", "geometry", "properties", "bbox", "links", "event", "overrides"];

/// Refuses a member of the document `value` (an object; other shapes are left to its reader)
/// that is not in `known`: 400 `unknown-member`, so that a misspelt or misplaced member is not
/// silently dropped. Every write body with members of its own goes through here.
pub(crate) fn known_members(value: &Value, known: &[&str], what: &str) -> Result<(), ApiError> {
    let Some(members) = value.as_object() else { return Ok(()) };
    let unknown: Vec<&str> = members.keys().map(String::as_str).filter(|k| !known.contains(k)).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ApiError::BadRequest {
        kind: "unknown-member",
        detail: format!("{what} has no member {}; its members are {}", quoted(&unknown), known.join(", ")),
    })
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

/// Types some clients put on a JSON body by default: `OWSLib` 0.35 posts every string body as
/// `text/xml`. Such a body is read as JSON when it is a JSON object; anything else is a 415.
/// `text/plain` is not among them: a page of another site may send it without a CORS preflight
/// (login CSRF, `tests/it/hardening.rs`); an XML type needs one.
const MISLABELLED: &[&str] = &["text/xml", "application/xml"];

/// Checks the media type, then reads the body (413 past the limit).
async fn body_bytes<M: MediaTypes>(request: Request, state: &AppState) -> Result<Bytes, ApiError> {
    // A body sent without `Content-Type` is read as JSON: it is refused with a 400 unless it
    // parses. A type that is named must be one accepted, or one of [`MISLABELLED`] on a body
    // that is a JSON object.
    let mut refused = None;
    if let Some(content_type) = request.headers().get(header::CONTENT_TYPE).filter(|_| !M::ACCEPTED.is_empty()) {
        let content_type = content_type.to_str().unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !M::ACCEPTED.contains(&essence.as_str()) {
            let problem = ApiError::UnsupportedMediaType(format!(
                "Content-Type {content_type:?} is not accepted; send {}",
                M::ACCEPTED.join(" or ")
            ));
            if !MISLABELLED.contains(&essence.as_str()) {
                return Err(problem);
            }
            refused = Some(problem);
        }
    }
    let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: state.config.max_body_bytes }
        } else {
            ApiError::BadRequest { kind: "unreadable-body", detail: rejection.body_text() }
        }
    })?;
    match refused {
        Some(problem) if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') => Err(problem),
        _ => Ok(bytes),
    }
}

/// Parses the body and refuses a NUL character in any of its texts: every body a route reads
/// comes through here, so no text with a NUL reaches a store (see [`ApiError::nul_character`]).
fn parse<M>(bytes: &[u8]) -> Result<JsonBody<M>, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest { kind: "malformed-json", detail: format!("body is not valid JSON: {e}") })?;
    let mut places = Vec::new();
    nul_places(&value, &mut String::new(), &mut places);
    if !places.is_empty() {
        return Err(ApiError::nul_character(&places));
    }
    Ok(JsonBody { value, media: PhantomData })
}

/// The JSON pointers (RFC 6901) of the strings, member names included, that hold a NUL
/// character. The depth is bounded by the parser's recursion limit.
fn nul_places(value: &Value, pointer: &mut String, found: &mut Vec<String>) {
    let at = pointer.len();
    match value {
        Value::String(text) if text.contains('\0') => found.push(pointer.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push('/');
                pointer.push_str(&i.to_string());
                nul_places(item, pointer, found);
                pointer.truncate(at);
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                if name.contains('\0') {
                    found.push(pointer.clone());
                }
                nul_places(member, pointer, found);
                pointer.truncate(at);
            }
        }
        _ => {}
    }
}

impl<M: MediaTypes> FromRequest<AppState> for JsonBody<M> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        parse(&body_bytes::<M>(request, state).await?)
    }
}

impl<M: MediaTypes> OptionalFromRequest<AppState> for JsonBody<M> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        let bytes = body_bytes::<M>(request, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) { Ok(None) } else { parse(&bytes).map(Some) }
    }
}

#[cfg(test)]
mod tests;
