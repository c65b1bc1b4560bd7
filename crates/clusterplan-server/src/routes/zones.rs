//! The `zones` collection: land-use plots inside clusters (OGC API - Features items with the
//! same paging, CRS and locking rules as clusters). Placement (inside the cluster, no overlap
//! with siblings) is checked by the store inside the write transaction.

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_core::FieldProblem;
use clusterplan_core::RawBoundary;
use clusterplan_core::geometry::validate;
use clusterplan_core::zones::{Zone, ZoneAttrs, ZoneDraft, ZoneInput};
use clusterplan_store::{Layer, ZoneQuery};
use futures::StreamExt;
use geo::Intersects;
use serde_json::{Map, Value};

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{FEATURE_MEMBERS, GeoJson, IfMatch, JsonBody, Provenance, RequestCrs, ZoneId, known_members};
use super::layer::layer_for;
use super::links::{BaseUrl, PageAt, link, location, page_links};
use super::page::{Chunks, PageOf, items_head, items_tail};
use super::params::{as_of, bad_param, blank_is_absent, known};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, DraftScope, Target, authorize, authorize_caller};
use crate::wire::{GEOJSON, WireCrs, write_zone, zone_body};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/zones/items", get(list).post(create).options(options))
        .documented("/collections/zones/items/{id}", get(read).put(replace).delete(remove).options(options))
}

fn not_found(id: i64) -> impl Fn(clusterplan_store::StoreError) -> ApiError {
    move |e| match e {
        clusterplan_store::StoreError::NotFound(_) => ApiError::NotFound(format!("zone {id} does not exist")),
        other => other.into(),
    }
}

/// Zones
#[utoipa::path(
    get,
    path = "/collections/zones/items",
    operation_id = "getZones",
    tag = "Zones",
    params(("cluster_id" = Option<i64>, Query, description = "Zones of one cluster"), ("asOf" = Option<String>, Query, format = DateTime, description = "RFC 3339 instant: the zones as they stood then"), ("limit" = Option<u32>, Query, minimum = 1, maximum = 10000, description = "Page size"), ("offset" = Option<u64>, Query, description = "Entries to skip (old links; next and prev links carry after/before)"), ("after" = Option<String>, Query, description = "Opaque cursor of a next link: the page after it, in id order"), ("before" = Option<String>, Query, description = "Opaque cursor of a prev link: the page before it, in id order"), ("bbox" = Option<Vec<f64>>, Query, style = Form, description = "In bbox-crs, CRS84 by default"), ("bbox-crs" = Option<String>, Query, description = "CRS of bbox"), ("crs" = Option<String>, Query, description = "CRS of the answer's coordinates"), docs::LayerQuery, docs::JsonFormatQuery),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection of zones: the public reads the published ones", body = Object, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
) -> Result<Response, ApiError> {
    const KNOWN: &[&str] =
        &["limit", "offset", "after", "before", "bbox", "bbox-crs", "crs", "cluster_id", "asOf", "layer", "f"];
    // The public reads the published zones; accounts the draft unless they ask layer=published.
    let layer = layer_for(&params, &caller)?;
    let scope = match layer {
        Layer::Draft => Some(crate::rights::draft_scope(&state, &caller).await?),
        Layer::Published => None,
    };
    known(&params, KNOWN)?;
    blank_is_absent(&mut params);
    json_only(&params)?;
    let (limit, offset) = super::selection::paging(&params)?;
    let cursor = super::selection::cursor(&params)?;
    let crs = params.get("crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let bbox_crs =
        params.get("bbox-crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let bbox = match params.get("bbox") {
        None => None,
        Some(text) => {
            let numbers: Vec<f64> = text
                .split(',')
                .map(|n| n.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad_param(format!("bbox={text:?} must be 4 comma-separated numbers")))?;
            let [a, b, c, d] = numbers[..] else {
                return Err(bad_param(format!("bbox={text:?} must have 4 numbers")));
            };
            Some(bbox_crs.bbox_to_wgs84([a, b, c, d])?)
        }
    };
    let cluster_id = params
        .get("cluster_id")
        .map(|c| c.parse::<i64>().map_err(|_| bad_param(format!("cluster_id={c:?} must be an integer"))))
        .transpose()?;
    let as_of = params.get("asOf").map(|t| as_of(t)).transpose()?;
    let query = ZoneQuery { bbox, cluster_id, limit, offset, cursor, layer };
    // One zone more than the page: whether there is a next (or previous) page. Counted no
    // further than the bound: beyond it, `numberMatched` is left out.
    let longer = ZoneQuery { limit: limit + 1, ..query };
    let bound = state.config.matched_exact_up_to;
    if scope.is_none() && as_of.is_some() {
        return Err(bad_param("asOf reads the zones' history, which is the draft's: not with layer=published".into()));
    }
    let (matched, zones) = match (&scope, as_of) {
        (Some(DraftScope::Unit { area, .. }), _) => zones_in_unit(&state, longer, as_of, area).await?,
        (_, Some(at)) => (state.store.count_zones_as_of(&query, at).await?, state.store.stream_zones_as_of(longer, at)),
        (_, None) => {
            (state.store.count_zones_up_to(&query, bound.saturating_add(1)).await?, state.store.stream_zones(longer))
        }
    };
    let head = items_head(matched, bound);
    let repeat = super::links::repeated(&params, &["bbox", "bbox-crs", "crs", "cluster_id", "asOf", "layer"]);
    let page = move |paging: &str, rel: &str| {
        link(format!("{base}/collections/zones/items?limit={limit}&{paging}{repeat}"), rel, GEOJSON, rel)
    };
    let at = PageAt { offset, cursor, by_id: true };
    let body = async_stream::stream! {
        let mut chunks = Chunks::new(head);
        let mut zones = PageOf::new(limit, cursor, zones);
        while let Some(item) = zones.next().await {
            let written = item
                .map_err(ApiError::from)
                .and_then(|z| write_zone(chunks.feature(zones.read.returned == 1), &z, crs).map_err(ApiError::internal));
            match written {
                Ok(()) => {
                    if let Some(full) = chunks.full() {
                        yield Ok::<Bytes, std::io::Error>(full);
                    }
                }
                Err(e) => {
                    tracing::error!(cause = %e, "stream of zones failed");
                    yield Err(std::io::Error::other("zone stream failed"));
                    return;
                }
            }
        }
        let links = page_links(limit, at, zones.read, page);
        yield Ok(chunks.finish(&items_tail(zones.read.returned, &links)));
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (HeaderName::from_static("content-crs"), crs.content_crs()),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// The zones an officer reads: those of the query that intersect its unit, counted and paged
/// after the exact test (the unit's bounding box narrows the store's query first).
async fn zones_in_unit(
    state: &AppState,
    query: ZoneQuery,
    as_of: Option<chrono::DateTime<chrono::Utc>>,
    area: &geo_types::MultiPolygon<f64>,
) -> Result<(u64, futures::stream::BoxStream<'static, Result<Zone, clusterplan_store::StoreError>>), ApiError> {
    use futures::TryStreamExt;
    use geo::BoundingRect;
    let Some(rect) = area.bounding_rect() else { return Ok((0, futures::stream::empty().boxed())) };
    let [a, b, c, d] = query.bbox.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let (min, max) = (rect.min(), rect.max());
    let bbox = [a.max(min.x), b.max(min.y), c.min(max.x), d.min(max.y)];
    if bbox[0] > bbox[2] || bbox[1] > bbox[3] {
        return Ok((0, futures::stream::empty().boxed()));
    }
    let all = ZoneQuery { bbox: Some(bbox), limit: u32::MAX, offset: 0, cursor: None, ..query };
    let candidates = match as_of {
        None => state.store.stream_zones(all),
        Some(at) => state.store.stream_zones_as_of(all, at),
    };
    let inside: Vec<Zone> = candidates
        .try_filter(|z| std::future::ready(z.data.boundary.as_multi_polygon().intersects(area)))
        .try_collect()
        .await?;
    let matched = inside.len() as u64;
    let inside = futures::stream::iter(inside.into_iter().map(Ok)).boxed();
    let page = clusterplan_store::page_in_id_order(inside, |z| z.id, query.cursor, query.offset, query.limit);
    Ok((matched, page))
}

/// A zone
#[utoipa::path(
    get,
    path = "/collections/zones/items/{id}",
    operation_id = "getZone",
    tag = "Zones",
    params(("id" = i64, Path, description = "The zone's id"), ("crs" = Option<String>, Query, description = "CRS of the answer's coordinates"), ("asOf" = Option<String>, Query, format = DateTime, description = "RFC 3339 instant: the zone as it stood then"), docs::JsonFormatQuery),
    responses(
        (status = 200, description = "The zone", headers(("ETag" = String)), body = Object, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<ZoneId, ApiError>,
    Query(mut params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let scope = crate::rights::draft_scope(&state, &caller).await?;
    known(&params, &["crs", "f", "asOf"])?;
    blank_is_absent(&mut params);
    json_only(&params)?;
    let crs = params.get("crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let ZoneId(id) = id?;
    let zone = match params.get("asOf") {
        None => state.store.get_zone(id).await,
        Some(at) => state.store.zone_as_of(id, as_of(at)?).await,
    }
    .map_err(not_found(id))?;
    scope.check(zone.data.boundary.as_multi_polygon(), &format!("zone {id}"))?;
    let tag = etag(zone.version);
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == tag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::ETAG, tag),
            (HeaderName::from_static("content-crs"), crs.content_crs()),
        ],
        zone_body(&zone, crs).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Reads a zone Feature: JSON and GeoJSON structure (400), then attributes and boundary (422,
/// every problem at once), measured in its cluster's planning CRS.
async fn draft_from_request(state: &AppState, crs: WireCrs, value: Value) -> Result<ZoneDraft, ApiError> {
    known_members(&value, FEATURE_MEMBERS, "a zone")?;
    let feature = match geojson::GeoJson::from_json_value(value) {
        Ok(geojson::GeoJson::Feature(f)) => f,
        Ok(_) => {
            return Err(ApiError::BadRequest {
                kind: "malformed-geojson",
                detail: "expected a GeoJSON Feature".into(),
            });
        }
        Err(e) => {
            return Err(ApiError::BadRequest {
                kind: "malformed-geojson",
                detail: format!("body is not valid GeoJSON: {e}"),
            });
        }
    };
    let mut raw = match feature.geometry.map(|g| g.value) {
        Some(geojson::Value::Polygon(p)) => RawBoundary::Polygon(p),
        Some(geojson::Value::MultiPolygon(m)) => RawBoundary::MultiPolygon(m),
        Some(other) => {
            return Err(ApiError::Unprocessable(format!(
                "geometry type {} is not accepted; a zone is a Polygon or MultiPolygon",
                other.type_name()
            )));
        }
        None => return Err(ApiError::Unprocessable("the zone has no geometry".into())),
    };
    crs.incoming(&mut raw)?;
    let input = read_properties(&feature.properties.unwrap_or_default());
    let boundary = validate(&raw);
    let attrs = input.and_then(ZoneAttrs::parse);
    let (boundary, attrs) = match (boundary, attrs) {
        (Ok(b), Ok(a)) => (b, a),
        (b, a) => {
            return Err(ApiError::InvalidFeature {
                geometry: b.err().unwrap_or_default(),
                fields: a.err().unwrap_or_default(),
            });
        }
    };
    let cluster = state.store.get_cluster(attrs.cluster_id()).await.map_err(|e| match e {
        clusterplan_store::StoreError::NotFound(id) => ApiError::InvalidFeature {
            geometry: Vec::new(),
            fields: vec![FieldProblem { field: "cluster_id", message: format!("cluster {id} does not exist") }],
        },
        other => other.into(),
    })?;
    ZoneDraft::new(attrs, boundary, cluster.data.attrs.planning_crs())
        .map_err(|e| ApiError::Unprocessable(format!("the zone cannot be measured in its cluster's planning CRS: {e}")))
}

fn read_properties(props: &Map<String, Value>) -> Result<ZoneInput, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut text = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(FieldProblem { field, message: format!("{field} must be a string") });
            None
        }
    };
    let land_use = text("land_use");
    let label = text("label");
    let tenant = text("tenant");
    let mut flag = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            problems.push(FieldProblem { field, message: format!("{field} must be true or false") });
            None
        }
    };
    let leasable = flag("leasable");
    let leased = flag("leased");
    let cluster_id = match props.get("cluster_id") {
        None | Some(Value::Null) => None,
        Some(v) => {
            if let Some(id) = v.as_i64() {
                Some(id)
            } else {
                problems.push(FieldProblem { field: "cluster_id", message: "cluster_id must be an integer".into() });
                None
            }
        }
    };
    if problems.is_empty() {
        Ok(ZoneInput { cluster_id, land_use, label, leasable, leased, tenant })
    } else {
        Err(problems)
    }
}

/// Create a zone
#[utoipa::path(
    post,
    path = "/collections/zones/items",
    operation_id = "createZone",
    tag = "Zones",
    params(docs::ContentCrs, docs::WriteHeaders),
    request_body(content = ZoneFeatureBody, content_type = "application/geo+json", description = "A GeoJSON Feature: cluster_id, land_use, label, leasable, leased, tenant"),
    responses(
        (status = 201, description = "Created", headers(("Location" = String), ("ETag" = String)), body = Object, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 413, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    BaseUrl(base): BaseUrl,
    crs: Result<RequestCrs, ApiError>,
    Provenance(ctx): Provenance,
    body: Result<JsonBody<GeoJson>, ApiError>,
) -> Result<Response, ApiError> {
    // The public is refused before the body is read: a zone naming a hidden draft as its
    // cluster answers as one naming nothing.
    authorize_caller(&state, &caller, Action::CreateFeature, "zones").await?;
    let draft = draft_from_request(&state, crs?.0, body?.value).await?;
    let target = Target::Feature { path: "zones", old: None, new: Some(draft.boundary.as_multi_polygon()) };
    authorize(&state, &caller, Action::CreateFeature, target).await?;
    let zone = state.store.create_zone(&draft, &ctx).await?;
    Ok((
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::LOCATION, location(&format!("{base}/collections/zones/items/{}", zone.id))?),
            (header::ETAG, etag(zone.version)),
        ],
        zone_body(&zone, WireCrs::default()).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Replace a zone
#[utoipa::path(
    put,
    path = "/collections/zones/items/{id}",
    operation_id = "replaceZone",
    tag = "Zones",
    params(("id" = i64, Path, description = "The zone's id"), docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = ZoneFeatureBody, content_type = "application/geo+json", description = "A GeoJSON Feature"),
    responses(
        (status = 200, description = "Replaced", headers(("ETag" = String)), body = Object, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    ZoneId(id): ZoneId,
    if_match: IfMatch,
    crs: Result<RequestCrs, ApiError>,
    Provenance(ctx): Provenance,
    body: Result<JsonBody<GeoJson>, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("zones/{id}");
    authorize_caller(&state, &caller, Action::ReplaceFeature, &path).await?;
    let expected = if_match.version()?;
    let draft = draft_from_request(&state, crs?.0, body?.value).await?;
    let current = state.store.get_zone(id).await.map_err(not_found(id))?;
    let target = Target::Feature {
        path: &path,
        old: Some(current.data.boundary.as_multi_polygon()),
        new: Some(draft.boundary.as_multi_polygon()),
    };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    // Rights were checked against the version just read: write only over that one.
    let expected = expected.or(Some(current.version));
    let zone = state.store.update_zone(id, expected, &draft, &ctx).await.map_err(not_found(id))?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(zone.version))],
        zone_body(&zone, WireCrs::default()).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Delete a zone
#[utoipa::path(
    delete,
    path = "/collections/zones/items/{id}",
    operation_id = "deleteZone",
    tag = "Zones",
    params(("id" = i64, Path, description = "The zone's id"), docs::IfMatch, docs::WriteHeaders),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 412, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ZoneId(id): ZoneId,
    if_match: IfMatch,
    Provenance(ctx): Provenance,
) -> Result<StatusCode, ApiError> {
    let path = format!("zones/{id}");
    authorize_caller(&state, &caller, Action::DeleteFeature, &path).await?;
    let expected = if_match.version()?;
    let current = state.store.get_zone(id).await.map_err(not_found(id))?;
    let target = Target::Feature { path: &path, old: Some(current.data.boundary.as_multi_polygon()), new: None };
    authorize(&state, &caller, Action::DeleteFeature, target).await?;
    // Rights were checked against the version just read: delete only that one.
    let expected = expected.or(Some(current.version));
    state.store.delete_zone(id, expected, &ctx).await.map_err(not_found(id))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Zones have no HTML view: `f` may only ask for JSON.
fn json_only(params: &HashMap<String, String>) -> Result<(), ApiError> {
    match params.get("f").map(String::as_str) {
        None | Some("json") => Ok(()),
        Some(other) => Err(bad_param(format!("f={other:?} is not offered for zones; they are JSON only (f=json)"))),
    }
}

/// The methods allowed on zones
///
/// `OPTIONS`: the `Allow` header is added by the middleware.
#[utoipa::path(
    options,
    path = "/collections/zones/items",
    operation_id = "optionsZones",
    tag = "Zones",
    responses(
        (status = 204, description = "No body; the methods are in Allow", headers(("Allow" = String))),
    ),
)]
async fn options() -> StatusCode {
    StatusCode::NO_CONTENT
}
