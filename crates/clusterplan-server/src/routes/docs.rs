//! Parameters, the problem response and the GeoJSON schemas of the `OpenAPI` document (`api.rs`
//! lists the operations; every route module names these in its annotations). Documents that a
//! handler serialises are typed DTOs deriving `Serialize` and `ToSchema` next to their handler
//! (`ogc::Collection`, `links::Link`, `error::ProblemDocument`, `history::VersionDoc`,
//! `tiles::TileJson`, `planning::PlanningSheet`, …) or in `planning/wire.rs`, so the
//! description is the type that is sent. GeoJSON features are the exception: `wire.rs` writes
//! them straight into the response stream, so `Feature` and its parts here only describe them.
//!
//! Annotations name schemas bare (`body = Feature`, not `docs::Feature`): utoipa 4 takes the
//! written path as the reference's name and does not resolve it, so the test
//! `every_reference_of_the_document_resolves` checks every reference instead of the compiler.
//!
//! `OPENAPI_JSON` is the media type of the document itself, which the landing page links.

// Parameters are read by the handlers' own parsers and GeoJSON is streamed: described, never built.
#![allow(dead_code)]
// utoipa 4's derives write the types they describe with their full paths.
#![allow(unused_qualifications)]

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{Required, schema::ObjectBuilder, schema::SchemaType};
use utoipa::{IntoParams, ToResponse, ToSchema};

use super::links::Link;

/// Media type of the `OpenAPI` document (OGC API - Features, `/req/oas30/oas-impl`).
pub(crate) const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";

/// Any refusal: an RFC 9457 problem document.
#[derive(ToResponse)]
#[response(
    description = "A problem (RFC 9457): the status, a type and what is wrong",
    content_type = "application/problem+json"
)]
pub(crate) struct Problem(#[to_schema] crate::error::ProblemDocument);

/// A GeoJSON geometry (RFC 7946): the clusters' boundaries are `Polygon`s or `MultiPolygon`s,
/// the registry's places `Point`s.
#[derive(ToSchema)]
pub(crate) struct Geometry {
    #[schema(rename = "type", example = "MultiPolygon")]
    kind: String,
    coordinates: Vec<serde_json::Value>,
}

/// A boundary (RFC 7946): a `Polygon` or a `MultiPolygon`; its rings must also be closed,
/// simple and not overlap (422), which the schema does not say.
#[derive(ToSchema, serde::Serialize)]
#[serde(untagged)]
pub(crate) enum Boundary {
    Polygon(PolygonBoundary),
    MultiPolygon(MultiPolygonBoundary),
}

/// A GeoJSON `Polygon`: rings of `[x, y]` positions, the outer one first.
#[derive(ToSchema, serde::Serialize)]
pub(crate) struct PolygonBoundary {
    #[serde(rename = "type")]
    #[schema(inline)]
    kind: PolygonType,
    #[schema(min_items = 1)]
    coordinates: Vec<Vec<Position>>,
}

/// A position: x and y (east and north), and a height that is ignored.
#[derive(ToSchema, serde::Serialize)]
pub(crate) struct Position(Vec<f64>);

/// A GeoJSON `MultiPolygon`: polygons of rings of `[x, y]` positions.
#[derive(ToSchema, serde::Serialize)]
pub(crate) struct MultiPolygonBoundary {
    #[serde(rename = "type")]
    #[schema(inline)]
    kind: MultiPolygonType,
    #[schema(min_items = 1)]
    coordinates: Vec<Vec<Vec<Position>>>,
}

/// `Polygon`.
#[derive(ToSchema, serde::Serialize)]
pub(crate) enum PolygonType {
    Polygon,
}

/// `MultiPolygon`.
#[derive(ToSchema, serde::Serialize)]
pub(crate) enum MultiPolygonType {
    MultiPolygon,
}

/// `Feature`.
#[derive(ToSchema)]
pub(crate) enum FeatureType {
    Feature,
}

/// `Feature` (in a body read with serde).
#[derive(ToSchema, serde::Deserialize)]
pub(crate) enum FeatureTypeName {
    Feature,
}

/// `cluster` or `industrial_park`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum ClusterKind {
    Cluster,
    IndustrialPark,
}

/// A cluster's planning status.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ClusterStatus {
    InPlan,
    Established,
    Infrastructure,
    Operating,
    Expanded,
    Removed,
    Revoked,
}

/// The formats of an export.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum ExportFormat {
    Geojson,
    Csv,
    Kml,
    Shp,
    Gpkg,
}

/// Attributes of a cluster or industrial park; `area_ha`, `geodesic_area_ha`, `version`,
/// `created_at` and `updated_at` are the server's and ignored in requests.
#[derive(ToSchema)]
pub(crate) struct ClusterProperties {
    #[schema(example = "BT-CCN-01", min_length = 1, pattern = "\\S")]
    code: String,
    #[schema(example = "Phú Hưng–Mỹ Thạnh", min_length = 1, pattern = "\\S")]
    name: String,
    /// `cluster` or `industrial_park`.
    #[schema(inline)]
    kind: ClusterKind,
    /// `in_plan`, `established`, `infrastructure`, `operating`, `expanded`, `removed`, `revoked`.
    #[schema(inline)]
    status: ClusterStatus,
    planned_area_ha: Option<f64>,
    notes: Option<String>,
    #[schema(example = "EPSG:9210")]
    planning_crs: Option<String>,
    #[schema(read_only)]
    area_ha: Option<f64>,
    #[schema(read_only)]
    geodesic_area_ha: Option<f64>,
    #[schema(read_only)]
    version: Option<i64>,
    #[schema(read_only)]
    created_at: Option<String>,
    #[schema(read_only)]
    updated_at: Option<String>,
}

/// A zone to create or replace: a GeoJSON Feature whose properties are `cluster_id`,
/// `land_use`, `label`, `leasable`, `leased`, `tenant` (as `/collections/zones/items` gives them).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as GeoJSON by the handler; this is its description")]
pub(crate) struct ZoneFeatureBody {
    #[serde(rename = "type")]
    #[schema(rename = "type", inline)]
    kind: FeatureTypeName,
    /// Ignored: the server numbers zones.
    #[schema(value_type = Option<i64>, nullable = false)]
    id: Option<serde_json::Value>,
    #[schema(value_type = Boundary, inline)]
    geometry: serde_json::Value,
    #[schema(value_type = Object)]
    properties: serde_json::Value,
    bbox: Option<Vec<f64>>,
    #[schema(value_type = Option<Vec<Object>>)]
    links: Option<serde_json::Value>,
}

/// A status change (`POST …/events`).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
pub(crate) struct EventBody {
    /// The new status.
    #[schema(inline)]
    to: ClusterStatus,
    /// The day it takes effect (YYYY-MM-DD).
    #[schema(value_type = Option<String>, format = Date)]
    effective: Option<String>,
    /// The legal act: `{number, date, authority, link}`.
    #[schema(value_type = Option<Object>)]
    act: Option<serde_json::Value>,
    note: Option<String>,
    /// `[{rule_id, reason}]`: planning rules overridden, with why.
    #[schema(value_type = Option<Vec<Object>>)]
    overrides: Option<serde_json::Value>,
    excess_demand_declared: Option<bool>,
    /// The new boundary of an expansion (GeoJSON, in CRS84 or the `Content-Crs`).
    #[schema(value_type = Option<Object>)]
    geometry: Option<serde_json::Value>,
}

/// A GeoJSON Feature (RFC 7946).
#[derive(ToSchema)]
pub(crate) struct Feature {
    #[schema(rename = "type", example = "Feature", inline)]
    kind: FeatureType,
    #[schema(read_only)]
    id: Option<i64>,
    #[schema(inline)]
    geometry: Boundary,
    properties: ClusterProperties,
    bbox: Option<Vec<f64>>,
    /// The feature's links (answers); ignored in requests.
    links: Option<Vec<Link>>,
    /// On creation only: the status event the feature starts with (`{act, effective, note}`).
    #[schema(value_type = Option<Object>)]
    event: Option<serde_json::Value>,
    /// On creation only: planning rules overridden, `[{rule_id, reason}]`.
    #[schema(value_type = Option<Vec<Object>>)]
    overrides: Option<serde_json::Value>,
}

/// A cluster or a zone as a GeoJSON Feature (RFC 7946), as the routes shared by both
/// collections (reverts) answer: the properties are the collection's (a cluster's as in
/// `Feature`, a zone's as `/collections/zones/items` gives them).
#[derive(ToSchema)]
pub(crate) struct ClusterOrZoneFeature {
    #[schema(rename = "type", example = "Feature")]
    kind: String,
    #[schema(read_only)]
    id: Option<i64>,
    geometry: Geometry,
    #[schema(value_type = Object)]
    properties: serde_json::Value,
}

/// A feature of a page: its properties are those `properties` selected (all of
/// `ClusterProperties` when it is absent), so none is required.
#[derive(ToSchema)]
pub(crate) struct PageFeature {
    #[schema(rename = "type", example = "Feature")]
    kind: String,
    id: i64,
    geometry: Geometry,
    #[schema(value_type = Object)]
    properties: serde_json::Value,
}

/// A GeoJSON FeatureCollection: one page of features with counts and paging links.
#[derive(ToSchema)]
pub(crate) struct FeatureCollection {
    #[schema(rename = "type", example = "FeatureCollection")]
    kind: String,
    #[schema(rename = "timeStamp")]
    time_stamp: String,
    /// How many features match: exact when at most 10 000 do, absent beyond (the count stops
    /// at the bound; follow `next` links to the end).
    #[schema(rename = "numberMatched", nullable = false)]
    number_matched: Option<u64>,
    #[schema(rename = "numberReturned")]
    number_returned: u64,
    features: Vec<PageFeature>,
    links: Vec<Link>,
}

/// An output format.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum Format {
    Json,
    Html,
}

/// The only output format of documents that have no HTML view.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum JsonOnly {
    Json,
}

/// `f` where JSON is the only format (zones): another value is a 400.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct JsonFormatQuery {
    /// `json`; other values are a 400.
    #[param(inline)]
    f: Option<JsonOnly>,
}

/// A layer: the published snapshot, or the working draft (accounts only).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum LayerName {
    Published,
    Draft,
}

/// `f`: the output format (the `Accept` header is read when absent).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FormatQuery {
    /// `json` or `html`; other values are a 400. Without it, a browser's `Accept: text/html` gets HTML.
    #[param(inline)]
    f: Option<Format>,
}

/// The collection of clusters and industrial parks, the one the generic feature routes serve
/// (zones and units have their own paths).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct CollectionPath {
    /// The collection's id: `clusters`.
    #[param(inline)]
    collection: ClustersName,
}

/// `clusters`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum ClustersName {
    Clusters,
}

/// A collection with vector tiles: the clusters, or the zones published with them.
#[derive(IntoParams)]
#[into_params(names("collection"), parameter_in = Path)]
pub(crate) struct TiledCollectionPath(#[param(inline)] TiledName);

/// `clusters` or `zones`: the collections with tiles, history and comments.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum TiledName {
    Clusters,
    Zones,
}

/// Any collection: the clusters, the zones, the administrative units.
#[derive(IntoParams)]
#[into_params(names("collection"), parameter_in = Path)]
pub(crate) struct AnyCollectionPath(#[param(inline)] AnyName);

/// `clusters`, `zones`, `units`, `designations` or `investors`.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub(crate) enum AnyName {
    Clusters,
    Zones,
    Units,
    Designations,
    Investors,
}

/// A feature of a collection that keeps history and comments: a cluster or a zone.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ItemPath {
    /// The collection's id: `clusters` or `zones`.
    #[param(inline)]
    collection: TiledName,
    /// The feature's id.
    id: i64,
}

/// A feature of the clusters' collection, for the routes that serve clusters only (zones
/// have their own item paths).
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ClusterItemPath {
    /// The collection's id: `clusters`.
    #[param(inline)]
    collection: ClustersName,
    /// The feature's id.
    id: i64,
}

/// `layer`: which layer a read sees.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LayerQuery {
    /// `published` (the default, and the only one without an account) or `draft`.
    #[param(inline)]
    layer: Option<LayerName>,
}

/// Parameters of `GET …/items`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ItemsQuery {
    /// Page size, 1–10 000 (default 100; larger values are cut to 10 000).
    #[param(minimum = 1, maximum = 10000, default = 100)]
    limit: Option<u32>,
    /// Features to skip: where the page starts. Kept for old links and clients; the `next`
    /// and `prev` links of pages in id order carry `after`/`before` instead, and a sorted page
    /// (`sortby`) pages by offset.
    #[param(minimum = 0)]
    offset: Option<u64>,
    /// Opaque cursor from a page's `next` link: the page after it, in id order. Not with
    /// `offset`, `before` or `sortby`; a cursor this service did not write is a 400.
    after: Option<String>,
    /// Opaque cursor from a page's `prev` link: the page before it, in id order. Not with
    /// `offset`, `after` or `sortby`.
    before: Option<String>,
    /// `min x, min y, max x, max y` (or 6 numbers with heights) in `bbox-crs`, CRS84 by default.
    #[param(style = Form, value_type = Option<Vec<f64>>, min_items = 4, max_items = 6)]
    bbox: Option<String>,
    /// CRS of `bbox` (a URI from the collection's `crs` list); only with `bbox` (400 without).
    #[param(rename = "bbox-crs", example = "http://www.opengis.net/def/crs/EPSG/0/9210")]
    bbox_crs: Option<String>,
    /// CRS of the answer's coordinates (a URI from the collection's `crs` list); see `Content-Crs`.
    #[param(example = "http://www.opengis.net/def/crs/EPSG/0/9210")]
    crs: Option<String>,
    /// The layer as it stood at this RFC 3339 instant (accounts only).
    #[param(rename = "asOf", format = DateTime)]
    as_of: Option<String>,
    /// `published` (the default, and the only one without an account) or `draft`.
    #[param(inline)]
    layer: Option<LayerName>,
    /// OGC API - Features Part 3: a CQL2 filter expression.
    filter: Option<String>,
    /// Language of `filter`: `cql2-text` (the default) or `cql2-json`.
    #[param(rename = "filter-lang")]
    filter_lang: Option<String>,
    /// CRS of the geometries in `filter` (CRS84 by default).
    #[param(rename = "filter-crs")]
    filter_crs: Option<String>,
    /// Sort order: comma-separated queryables, each optionally prefixed with `+` or `-`
    /// (descending); NULLs last, then by id.
    #[param(style = Form, value_type = Option<Vec<String>>)]
    sortby: Option<String>,
    /// The properties to include in each feature (comma-separated).
    #[param(style = Form, value_type = Option<Vec<String>>)]
    properties: Option<String>,
    /// An instant or an interval (RFC 3339 date-times or dates, `..` for open ends) that the
    /// feature's `updated_at` must meet.
    datetime: Option<String>,
    /// `json` (GeoJSON) or `html`.
    #[param(inline)]
    f: Option<Format>,
}

/// Parameters of `GET …/items/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ItemQuery {
    /// CRS of the answer's coordinates (a URI from the collection's `crs` list).
    crs: Option<String>,
    /// The feature as it stood at this RFC 3339 instant (accounts only).
    #[param(rename = "asOf", format = DateTime)]
    as_of: Option<String>,
    /// `published` (the default, and the only one without an account) or `draft`.
    #[param(inline)]
    layer: Option<LayerName>,
    /// `json` (GeoJSON) or `html`.
    #[param(inline)]
    f: Option<Format>,
}

/// Request headers of writes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct WriteHeaders {
    /// Why the change is made (UTF-8, percent-encoding allowed); kept with the version.
    #[param(rename = "X-Change-Reason")]
    reason: Option<String>,
    /// The legal act the change rests on; kept with the version.
    #[param(rename = "X-Legal-Act")]
    legal_act: Option<String>,
    /// The session's CSRF token: required with the session cookie, not with a bearer token.
    #[param(rename = "X-CSRF-Token")]
    csrf: Option<String>,
}

/// Request headers of conditional writes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct IfMatch {
    /// The `ETag` of the version edited, `"<version>"`; required (428 without it, or empty)
    /// unless the server runs with `--allow-writes-without-if-match`; a stale one, or a tag this
    /// service never issued, is a 412.
    #[param(rename = "If-Match")]
    if_match: Option<String>,
}

/// `Content-Crs`: the CRS of a request body's coordinates (CRS84 by default).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct ContentCrs {
    /// `<http://www.opengis.net/def/crs/EPSG/0/9210>` lets a client send VN-2000 metres.
    #[param(rename = "Content-Crs")]
    content_crs: Option<String>,
}

/// The item path's `id`, for operations added outside the annotations.
pub(crate) fn id_parameter() -> Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some("The feature's id"))
        .schema(Some(ObjectBuilder::new().schema_type(SchemaType::Integer)))
        .build()
}

/// A planning task to create (`POST /tasks`).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
#[schema(example = json!({"title": "Lập quy hoạch chi tiết CCN Phú Hưng", "owner_agency": "Sở Công nghiệp", "due": "1999-06-30", "cluster_id": 1}))]
pub(crate) struct TaskBody {
    title: String,
    /// The agency responsible.
    owner_agency: String,
    /// The last day on which the task is on time (YYYY-MM-DD).
    #[schema(format = Date)]
    due: String,
    /// The day it was done, if it was.
    #[schema(format = Date)]
    done_on: Option<String>,
    /// The cluster it concerns.
    cluster_id: Option<i64>,
    /// The administrative unit it concerns (official code).
    unit_code: Option<String>,
    /// The act that ordered it.
    act_number: Option<String>,
    notes: Option<String>,
}

/// When a task was done (`POST /tasks/{id}/done`); `null` reopens it.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
pub(crate) struct TaskDoneBody {
    #[schema(format = Date)]
    done_on: Option<String>,
}

/// A publication's note (`POST …/publish`); `{}` publishes without one.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
pub(crate) struct PublishBody {
    note: Option<String>,
}

/// A password change (`POST /auth/password`).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
pub(crate) struct PasswordBody {
    current: String,
    new: String,
}

/// A JSON merge patch (RFC 7396) of a cluster feature: the members given replace the stored
/// ones (`null` removes a property); the feature's own members only.
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code, reason = "the body is read as JSON by the handler; this is its description")]
pub(crate) struct FeaturePatch {
    #[serde(rename = "type")]
    #[schema(rename = "type", example = "Feature")]
    kind: Option<String>,
    id: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    geometry: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    properties: Option<serde_json::Value>,
    bbox: Option<Vec<f64>>,
    #[schema(value_type = Option<Vec<Object>>)]
    links: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    event: Option<serde_json::Value>,
    #[schema(value_type = Option<Vec<Object>>)]
    overrides: Option<serde_json::Value>,
}

/// The query of a file import (clusters or zones).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read as a map by `ImportRequest::parse`; this is its description")]
pub(crate) struct ImportQuery {
    /// true: preview only.
    dry_run: Option<bool>,
    /// The system of the file's coordinates, over what the file says.
    crs: Option<String>,
    /// Shapefile or CSV text: UTF-8, windows-1258, TCVN3 or VNI (else detected).
    encoding: Option<String>,
    /// JSON object: source field → property (or null to drop a guess).
    mapping: Option<String>,
    /// The file's name, for the versions' reason.
    filename: Option<String>,
    /// The GeoPackage feature table, workbook sheet or DXF layer to read (else the first table or sheet, every DXF layer).
    layer: Option<String>,
    /// The cluster code of a coordinate table without a code column, or of a drawing's boundaries.
    code: Option<String>,
    /// A coordinate table's X/Y order: `north_east` (X the northing) or `east_north`; else detected.
    axis_order: Option<String>,
}
