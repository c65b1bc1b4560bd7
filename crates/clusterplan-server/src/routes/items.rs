//! Features of a collection: paged, streamed reads and validated, versioned writes.

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use clusterplan_core::geometry::validate;
use clusterplan_core::{ClusterAttrs, ClusterDraft};
use clusterplan_store::{ClusterQuery, Layer, Selection, WriteContext};
use futures::StreamExt;
use serde_json::json;

use super::docs;
use super::html::{self, View};
use super::links::{BaseUrl, link};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};
use crate::wire::{WireCrs, feature_json, parse_feature};

/// Collections served.
pub(crate) const COLLECTIONS: &[&str] = &["clusters"];

/// Page size when the client names none.
pub(crate) const DEFAULT_LIMIT: u32 = 100;
/// Largest page.
pub(crate) const MAX_LIMIT: u32 = 10_000;

pub(crate) const GEOJSON: &str = "application/geo+json";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/items", html::get(list, View::Items).post(create).options(options))
        .route(
            "/collections/{collection}/items/{id}",
            html::get(read, View::Item).put(replace).delete(remove).options(options),
        )
}

pub(crate) fn check_collection(collection: &str) -> Result<(), ApiError> {
    if COLLECTIONS.contains(&collection) {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("collection {collection:?} does not exist")))
    }
}

fn bad_param(detail: String) -> ApiError {
    ApiError::BadRequest { kind: "invalid-parameter", detail }
}

/// A parsed items request: the store query, the output CRS, and the parameters that page
/// links repeat.
struct ItemsRequest {
    query: ClusterQuery,
    /// `asOf`: the layer as it stood at that instant.
    as_of: Option<DateTime<Utc>>,
    crs: WireCrs,
    /// `properties=`: the properties to return (`None`: all).
    properties: Option<Vec<String>>,
    repeat: String,
}

/// Parses `limit`, `offset`, `bbox`, `bbox-crs`, `crs`; unknown parameters are refused, as
/// OGC API - Features asks.
fn parse_query(params: &HashMap<String, String>, caller: &Caller) -> Result<ItemsRequest, ApiError> {
    const KNOWN: &[&str] = &[
        "limit",
        "offset",
        "bbox",
        "bbox-crs",
        "crs",
        "f",
        "asOf",
        "layer",
        "filter",
        "filter-lang",
        "filter-crs",
        "datetime",
        "sortby",
        "properties",
    ];
    if let Some(unknown) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(bad_param(format!("unknown query parameter {unknown:?}; known: {}", KNOWN.join(", "))));
    }
    if let Some(f) = params.get("f").filter(|f| !matches!(f.as_str(), "json" | "geojson")) {
        return Err(bad_param(format!("f={f} is not offered for items; use f=json")));
    }
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => match l.parse::<u32>() {
            Ok(n) if n >= 1 => n.min(MAX_LIMIT),
            _ => return Err(bad_param(format!("limit={l:?} must be an integer from 1 to {MAX_LIMIT}"))),
        },
    };
    let offset = match params.get("offset") {
        None => 0,
        Some(o) => o.parse::<u64>().map_err(|_| bad_param(format!("offset={o:?} must be a non-negative integer")))?,
    };
    let crs = params.get("crs").map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let bbox_crs = params.get("bbox-crs").map(|c| WireCrs::parse(c)).transpose()?;
    if bbox_crs.is_some() && !params.contains_key("bbox") {
        return Err(bad_param("bbox-crs is given without bbox".into()));
    }
    let bbox = params.get("bbox").map(|b| parse_bbox(b, bbox_crs.unwrap_or_default())).transpose()?;
    let mut repeat = String::new();
    let as_of = params.get("asOf").map(|t| parse_as_of(t)).transpose()?;
    if as_of.is_some() && !crate::rights::sees_drafts(&caller.principal) {
        return Err(ApiError::Unauthorized("past versions are visible to signed-in accounts only".into()));
    }
    let layer = super::layer::layer_for(params, caller)?;
    let selected = super::filter::parse(params)?;
    // Page links repeat every selecting parameter; they set limit and offset themselves and
    // stay GeoJSON.
    for key in KNOWN.iter().copied().filter(|k| !matches!(*k, "limit" | "offset" | "f")) {
        if let Some(value) = params.get(key) {
            repeat.push('&');
            repeat.push_str(key);
            repeat.push('=');
            repeat.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
    }
    Ok(ItemsRequest {
        query: ClusterQuery { bbox, limit, offset, layer, selection: selected.selection },
        as_of,
        crs,
        properties: selected.properties,
        repeat,
    })
}

/// `asOf=2025-06-30T00:00:00Z`: an RFC 3339 instant.
pub(crate) fn parse_as_of(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad_param(format!("asOf={text:?} must be an RFC 3339 instant such as 2025-06-30T00:00:00Z")))
}

fn parse_bbox(text: &str, crs: WireCrs) -> Result<[f64; 4], ApiError> {
    let numbers: Result<Vec<f64>, _> = text.split(',').map(|n| n.trim().parse::<f64>()).collect();
    let numbers = numbers.map_err(|_| bad_param(format!("bbox={text:?} must be 4 comma-separated numbers")))?;
    let given = match numbers.as_slice() {
        // 3-D boxes: heights are ignored, the boundaries are 2-D.
        [a, b, c, d] | [a, b, _, c, d, _] => [*a, *b, *c, *d],
        _ => return Err(bad_param(format!("bbox={text:?} must have 4 (or 6) numbers"))),
    };
    if given.iter().any(|v| !v.is_finite()) {
        return Err(bad_param(format!("bbox={text:?} must be finite numbers")));
    }
    let [minx, miny, maxx, maxy] = crs.bbox_to_wgs84(given)?;
    let in_range = [minx, maxx].iter().all(|x| (-180.0..=180.0).contains(x))
        && [miny, maxy].iter().all(|y| (-90.0..=90.0).contains(y));
    if !in_range || miny > maxy {
        return Err(bad_param(format!(
            "bbox={text:?} must be min lon, min lat, max lon, max lat in WGS 84 degrees (or the axes of bbox-crs) with min ≤ max"
        )));
    }
    if minx > maxx {
        return Err(bad_param(format!("bbox={text:?} crosses the antimeridian, which is not supported")));
    }
    Ok([minx, miny, maxx, maxy])
}

fn page_link(base: &str, collection: &str, r: &ItemsRequest, offset: u64, rel: &str) -> serde_json::Value {
    let href = format!("{base}/collections/{collection}/items?limit={}&offset={offset}{}", r.query.limit, r.repeat);
    link(href, rel, GEOJSON, rel)
}

pub(crate) fn content_crs(crs: WireCrs) -> HeaderValue {
    HeaderValue::from_str(&crs.header_value())
        .unwrap_or_else(|_| HeaderValue::from_static("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"))
}

/// The features
///
/// A page of features as a GeoJSON FeatureCollection, streamed feature by feature (so a large
/// page is never held in memory as one document), with `numberMatched`, `numberReturned` and
/// `next`/`prev` links; `f=html` renders the same page as a table and a map.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items",
    operation_id = "getFeatures",
    tag = "Features",
    params(docs::CollectionPath, docs::ItemsQuery),
    responses(
        (status = 200, description = "A page of features", headers(("ETag" = String), ("Content-Crs" = String)),
            content(("application/geo+json" = FeatureCollection), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(collection): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let mut request = parse_query(&params, &caller)?;
    // Drafts and past versions: an officer reads those of its own unit's area only.
    let mut prefix = super::layer::tag_prefix(request.query.layer).to_owned();
    if request.query.layer == Layer::Draft || request.as_of.is_some() {
        let scope = crate::rights::draft_scope(&state, &caller).await?;
        if let (Some(inside), Some(code)) = (scope.filter(), scope.tag()) {
            let selection = request.query.selection.as_deref().cloned().unwrap_or_default();
            let filter = match selection.filter {
                None => inside,
                Some(given) => clusterplan_core::cql2::Expr::And(vec![inside, given]),
            };
            request.query.selection = Selection { filter: Some(filter), ..selection }.shared();
            prefix = format!("{prefix}-{code}-");
        }
    }
    let query = request.query.clone();
    let crs = request.crs;
    // Read before the data: the page is then never older than its tag.
    let layer = query.layer;
    let page_tag = super::conditional::tag(&prefix, state.store.clusters_stamp(layer).await?);
    if request.as_of.is_none() && super::conditional::none_match_hits(&headers, &page_tag) {
        return Ok(super::conditional::not_modified(page_tag));
    }
    let matched = match request.as_of {
        None => state.store.count_clusters(&query).await?,
        Some(at) => state.store.count_clusters_as_of(&query, at).await?,
    };
    let stamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let head = format!(r#"{{"type":"FeatureCollection","timeStamp":"{stamp}","numberMatched":{matched},"features":["#);
    let mut features = match request.as_of {
        None => state.store.stream_clusters(query.clone()),
        Some(at) => state.store.stream_clusters_as_of(query.clone(), at),
    };
    let body = async_stream::stream! {
        yield Ok::<Bytes, std::io::Error>(Bytes::from(head));
        let mut returned: u64 = 0;
        while let Some(item) = features.next().await {
            match item {
                Ok(cluster) => {
                    let feature = match feature_json(&cluster, crs) {
                        Ok(mut feature) => {
                            if let Some(keep) = &request.properties {
                                super::filter::select_properties(&mut feature, keep);
                            }
                            feature
                        }
                        Err(e) => {
                            tracing::error!(cause = %e, id = cluster.id, "feature cannot be transformed");
                            yield Err(std::io::Error::other("feature transformation failed"));
                            return;
                        }
                    };
                    let mut chunk = if returned == 0 { Vec::new() } else { vec![b','] };
                    // Serialising a JSON value into a Vec cannot fail.
                    serde_json::to_writer(&mut chunk, &feature).unwrap_or_default();
                    returned += 1;
                    yield Ok(Bytes::from(chunk));
                }
                Err(e) => {
                    // Headers are gone: abort the body so the client sees a broken
                    // transfer, never a truncated document that parses.
                    tracing::error!(cause = %e, "stream of features failed");
                    yield Err(std::io::Error::other("feature stream failed"));
                    return;
                }
            }
        }
        let mut links = vec![page_link(&base, &collection, &request, query.offset, "self")];
        if query.offset + returned < matched {
            links.push(page_link(&base, &collection, &request, query.offset + returned, "next"));
        }
        if query.offset > 0 {
            links.push(page_link(&base, &collection, &request, query.offset.saturating_sub(u64::from(query.limit)), "prev"));
        }
        links.push(html::alternate(&links[0]));
        let tail = json!({ "numberReturned": returned, "links": links });
        let tail = tail.to_string();
        // `tail` is `{"numberReturned":…}`: splice its members into the open object.
        yield Ok(Bytes::from(format!("],{}", &tail[1..])));
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (HeaderName::from_static("content-crs"), content_crs(crs)),
            (header::ETAG, page_tag),
            (header::CACHE_CONTROL, HeaderValue::from_static(super::conditional::REVALIDATE)),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

pub(crate) fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>().map_err(|_| ApiError::NotFound(format!("feature {id:?} does not exist")))
}

pub(crate) fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// The version a PUT, PATCH or DELETE is conditioned on: `If-Match` is required (428
/// without it) unless the configuration lets clients such as QGIS write without one.
pub(super) fn required_version(state: &AppState, headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    if !headers.contains_key(header::IF_MATCH) && !state.config.allow_writes_without_if_match {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the ETag of the version you edited (from GET on the item)".into(),
        ));
    }
    if_match(headers)
}

/// Reads `If-Match`: `None` when absent or `*`; a version when it names one.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let version = text.trim_start_matches("W/").trim_matches('"');
    version.parse::<i64>().map(Some).map_err(|_| ApiError::BadRequest {
        kind: "invalid-header",
        detail: format!("If-Match {text:?} is not an ETag of this service"),
    })
}

/// A feature
///
/// One feature as GeoJSON with its version as `ETag`; `f=html` renders it as a table and a map.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}",
    operation_id = "getFeature",
    tag = "Features",
    params(docs::ItemPath, docs::ItemQuery),
    responses(
        (status = 200, description = "The feature", headers(("ETag" = String), ("Content-Crs" = String)),
            content(("application/geo+json" = Feature), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    if let Some(unknown) = params.keys().find(|k| !matches!(k.as_str(), "crs" | "f" | "asOf" | "layer")) {
        return Err(bad_param(format!("unknown query parameter {unknown:?}; known: crs, f, asOf, layer")));
    }
    let layer = super::layer::layer_for(&params, &caller)?;
    let crs = params.get("crs").map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let cluster = match params.get("asOf") {
        None => state.store.get_cluster_in(parse_id(&id)?, layer).await?,
        Some(_) if !crate::rights::sees_drafts(&caller.principal) => {
            return Err(ApiError::Unauthorized("past versions are visible to signed-in accounts only".into()));
        }
        Some(at) => state.store.cluster_as_of(parse_id(&id)?, parse_as_of(at)?).await?,
    };
    if layer == Layer::Draft || params.contains_key("asOf") {
        let scope = crate::rights::draft_scope(&state, &caller).await?;
        scope.check(cluster.data.boundary.as_multi_polygon(), &format!("feature {}", cluster.id))?;
    }
    let tag = etag(cluster.version);
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == tag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::ETAG, tag),
            (HeaderName::from_static("content-crs"), content_crs(crs)),
        ],
        feature_json(&cluster, crs).map_err(ApiError::internal)?.to_string(),
    )
        .into_response())
}

/// Checks the media type, then parses and validates the body into a draft, collecting
/// every geometry and attribute problem before answering.
fn draft_from_request(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<ClusterDraft, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(essence.as_str(), "application/geo+json" | "application/json") {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type {content_type:?} is not accepted; send application/geo+json or application/json"
        )));
    }
    let body = body_bytes(state, body)?;
    draft_from_feature(state, &body, request_crs(headers)?)
}

/// The body, or the 413/400 for why it could not be read.
pub(super) fn body_bytes(state: &AppState, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge { limit: state.config.max_body_bytes }
        } else {
            ApiError::BadRequest { kind: "unreadable-body", detail: rejection.body_text() }
        }
    })
}

/// The CRS a request body's coordinates are in (`Content-Crs`, CRS84 without one).
pub(super) fn request_crs(headers: &HeaderMap) -> Result<WireCrs, ApiError> {
    match headers.get("content-crs") {
        None => Ok(WireCrs::default()),
        Some(v) => WireCrs::parse(v.to_str().unwrap_or_default()),
    }
}

/// Parses and validates a GeoJSON Feature whose coordinates are in `content_crs`.
pub(super) fn draft_from_feature(
    state: &AppState,
    body: &[u8],
    content_crs: WireCrs,
) -> Result<ClusterDraft, ApiError> {
    let (input, mut raw) = parse_feature(body)?;
    content_crs.incoming(&mut raw)?;
    let boundary = validate(&raw);
    let attrs = ClusterAttrs::parse(input, state.config.planning_crs);
    match (boundary, attrs) {
        (Ok(boundary), Ok(attrs)) => ClusterDraft::new(attrs, boundary)
            .map_err(|e| ApiError::Unprocessable(format!("the boundary cannot be measured in its planning CRS: {e}"))),
        (boundary, attrs) => Err(ApiError::InvalidFeature {
            geometry: boundary.err().unwrap_or_default(),
            fields: attrs.err().unwrap_or_default(),
        }),
    }
}

/// The request document as JSON, for the planning members (`event`, `overrides`) that travel
/// beside the feature; `Null` when the body does not parse (its parser reports that).
fn request_document(body: &Result<Bytes, BytesRejection>) -> serde_json::Value {
    body.as_ref().ok().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default()
}

/// A request header as text: UTF-8, percent-encoded or not (browsers can only send
/// Latin-1 header values, so the map percent-encodes Vietnamese text).
fn text_header(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = std::str::from_utf8(headers.get(name)?.as_bytes()).ok()?;
    let text = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_or_else(|_| raw.to_owned(), std::borrow::Cow::into_owned);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Who writes and why: the account, `X-Change-Reason`, `X-Legal-Act` and the address.
pub(crate) fn write_context(caller: &Caller, headers: &HeaderMap) -> WriteContext {
    WriteContext {
        author: caller.principal.name().map(str::to_owned),
        reason: text_header(headers, "x-change-reason"),
        legal_act: text_header(headers, "x-legal-act"),
        address: caller.address.clone(),
        ..WriteContext::default()
    }
}

/// Create a feature
///
/// Validates the GeoJSON Feature (every geometry and attribute problem is listed in a 422) and
/// stores it as version 1; planning rules and a first status event apply.
#[utoipa::path(
    post,
    path = "/collections/{collection}/items",
    operation_id = "createFeature",
    tag = "Features",
    params(docs::CollectionPath, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = Feature, content_type = "application/geo+json", description = "A GeoJSON Feature"),
    responses(
        (status = 201, description = "Created", headers(("Location" = String), ("ETag" = String)), body = Feature, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 413, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create(
    State(state): State<AppState>,
    Path(collection): Path<String>,
    BaseUrl(base): BaseUrl,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let doc = request_document(&body);
    let draft = draft_from_request(&state, &headers, body)?;
    let target = Target::Feature { path: &collection, old: None, new: Some(draft.boundary.as_multi_polygon()) };
    authorize(&state, &caller, Action::CreateFeature, target).await?;
    let cluster = crate::planning::create_cluster(&state, &draft, &doc, &write_context(&caller, &headers)).await?;
    let location = format!("{base}/collections/{collection}/items/{}", cluster.id);
    Ok((
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::LOCATION, HeaderValue::from_str(&location).map_err(ApiError::internal)?),
            (header::ETAG, etag(cluster.version)),
        ],
        feature_json(&cluster, WireCrs::default()).map_err(ApiError::internal)?.to_string(),
    )
        .into_response())
}

/// Replace a feature
///
/// Validates the new state and writes it as the next version, if `If-Match` names the
/// current one.
#[utoipa::path(
    put,
    path = "/collections/{collection}/items/{id}",
    operation_id = "replaceFeature",
    tag = "Features",
    params(docs::ItemPath, docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = Feature, content_type = "application/geo+json", description = "A GeoJSON Feature"),
    responses(
        (status = 200, description = "Replaced", headers(("ETag" = String)), body = Feature, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
        (status = 428, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn replace(
    State(state): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let id = parse_id(&id)?;
    let doc = request_document(&body);
    let draft = draft_from_request(&state, &headers, body)?;
    let current = state.store.get_cluster(id).await?;
    let path = format!("{collection}/{id}");
    let target = Target::Feature {
        path: &path,
        old: Some(current.data.boundary.as_multi_polygon()),
        new: Some(draft.boundary.as_multi_polygon()),
    };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    let expected = required_version(&state, &headers)?;
    crate::planning::check_edit(&state, id, &draft, &doc).await?;
    // Rights were checked against the version just read: write only over that one.
    let expected = expected.or(Some(current.version));
    let cluster = state.store.update_cluster(id, expected, &draft, &write_context(&caller, &headers)).await?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(cluster.version))],
        feature_json(&cluster, WireCrs::default()).map_err(ApiError::internal)?.to_string(),
    )
        .into_response())
}

/// Delete a feature
///
/// Deletes the feature if `If-Match` names its current version; its history is kept.
#[utoipa::path(
    delete,
    path = "/collections/{collection}/items/{id}",
    operation_id = "deleteFeature",
    tag = "Features",
    params(docs::ItemPath, docs::IfMatch, docs::WriteHeaders),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 428, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn remove(
    State(state): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    check_collection(&collection)?;
    let id = parse_id(&id)?;
    let current = state.store.get_cluster(id).await?;
    let path = format!("{collection}/{id}");
    let target = Target::Feature { path: &path, old: Some(current.data.boundary.as_multi_polygon()), new: None };
    authorize(&state, &caller, Action::DeleteFeature, target).await?;
    let expected = required_version(&state, &headers)?;
    let expected = expected.or(Some(current.version));
    state.store.delete_cluster(id, expected, &write_context(&caller, &headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The methods allowed
///
/// `Allow` lists the methods (QGIS enables editing from it); the middleware adds it for every
/// item path.
#[utoipa::path(
    options,
    path = "/collections/{collection}/items",
    operation_id = "optionsFeatures",
    tag = "Features",
    params(docs::CollectionPath),
    responses(
        (status = 204, description = "No body; the methods are in Allow", headers(("Allow" = String))),
        (status = 404, response = docs::Problem),
    ),
)]
async fn options(Path(params): Path<HashMap<String, String>>) -> Result<StatusCode, ApiError> {
    check_collection(params.get("collection").map_or("", String::as_str))?;
    Ok(StatusCode::NO_CONTENT)
}
