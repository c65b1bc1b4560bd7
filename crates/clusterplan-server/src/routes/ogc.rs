//! OGC API - Features discovery documents: landing page, conformance, collections.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

use clusterplan_store::Layer;
use serde::Serialize;
use utoipa::ToSchema;

use clusterplan_core::Crs;

use super::conditional::{REVALIDATE, body_tag, none_match_hits, not_modified};
use super::docs::{self, OPENAPI_JSON};
use super::documented::Documented;
use super::extract::COLLECTIONS;
use super::html::{self, Negotiated, View, negotiate};
use super::layer::layer_for;
use super::links::{BaseUrl, Link, link};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::wire::PublicationDoc;

/// The landing page.
#[derive(Serialize, ToSchema)]
pub(crate) struct LandingPage {
    title: &'static str,
    description: &'static str,
    links: Vec<Link>,
}

/// The conformance classes.
#[derive(Serialize, ToSchema)]
pub(crate) struct ConfClasses {
    #[serde(rename = "conformsTo")]
    conforms_to: &'static [&'static str],
}

/// The collections.
#[derive(Serialize, ToSchema)]
pub(crate) struct Collections {
    collections: Vec<Collection>,
    links: Vec<Link>,
}

/// A collection: title, description, extent, CRS list, publisher's metadata, last publication.
#[derive(Serialize, ToSchema)]
pub(crate) struct Collection {
    #[schema(example = "clusters")]
    id: String,
    title: String,
    description: String,
    keywords: Vec<String>,
    #[serde(rename = "itemType")]
    #[schema(example = "feature")]
    item_type: &'static str,
    crs: Vec<String>,
    #[serde(rename = "storageCrs")]
    storage_crs: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    extent: Option<Extent>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attribution: Option<String>,
    /// The last publication of the layer.
    #[serde(skip_serializing_if = "Option::is_none")]
    last_published: Option<PublicationDoc>,
    links: Vec<Link>,
}

/// The extent of a collection.
#[derive(Serialize, ToSchema)]
pub(crate) struct Extent {
    spatial: SpatialExtent,
    #[serde(skip_serializing_if = "Option::is_none")]
    temporal: Option<TemporalExtent>,
}

/// The temporal extent: one interval of RFC 3339 instants, `null` for an open end.
#[derive(Serialize, ToSchema)]
pub(crate) struct TemporalExtent {
    interval: Vec<[Option<String>; 2]>,
    #[schema(example = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian")]
    trs: &'static str,
}

impl Extent {
    fn of(bbox: [f64; 4]) -> Self {
        Extent {
            spatial: SpatialExtent { bbox: vec![bbox], crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84" },
            temporal: None,
        }
    }
}

/// The spatial extent: one bounding box in CRS84.
#[derive(Serialize, ToSchema)]
pub(crate) struct SpatialExtent {
    bbox: Vec<[f64; 4]>,
    #[schema(example = "http://www.opengis.net/def/crs/OGC/1.3/CRS84")]
    crs: &'static str,
}

/// Conformance classes declared: only those the service really implements and tests.
pub(crate) const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/array-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/", get(landing))
        .documented("/conformance", html::get(conformance, View::Conformance))
        .documented("/collections", html::get(collections, View::Collections))
        .documented("/collections/{collection}", html::get(collection, View::Collection))
}

/// The landing page
///
/// Links to the API definition, the conformance classes and the collections. A browser
/// asking `/` for HTML without `f` gets the planner map; `f=html` gets this document as HTML.
#[utoipa::path(
    get,
    path = "/",
    operation_id = "getLandingPage",
    tag = "Capabilities",
    params(docs::FormatQuery),
    responses(
        (status = 200, description = "The landing page", content(("application/json" = LandingPage), ("text/html" = String))),
        (status = 400, response = docs::Problem),
    ),
)]
async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
) -> Result<Response, ApiError> {
    let doc = LandingPage {
        title: "clusterplan",
        description: "Industrial cluster (cụm công nghiệp) planning layers: OGC API - Features and GeoJSON",
        links: vec![
            link(format!("{base}/?f=json"), "self", "application/json", "This document"),
            link(format!("{base}/?f=html"), "alternate", "text/html", "This document as HTML"),
            link(format!("{base}/"), "http://www.opengis.net/def/rel/ogc/1.0/map", "text/html", "Planner map"),
            link(format!("{base}/api"), "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link(format!("{base}/api?f=html"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/collections"), "data", "application/json", "Collections"),
        ],
    };
    Ok(html::vary_on_accept(match negotiate(&headers, &params)? {
        Negotiated::Json => Json(doc).into_response(),
        // `/?f=html` is the landing document; a browser opening `/` expects the map.
        Negotiated::Html if params.contains_key("f") => html::landing_page(
            &serde_json::json!(doc),
            &format!("{base}/?f=json"),
            html::Lang::choose(&params, &headers)?,
        ),
        Negotiated::Html => super::web::index_html(&state.config, &headers).await,
    }))
}

/// The conformance classes
///
/// The classes the service implements and tests.
#[utoipa::path(
    get,
    path = "/conformance",
    operation_id = "getConformanceDeclaration",
    tag = "Capabilities",
    params(docs::FormatQuery),
    responses(
        (status = 200, description = "The conformance classes", content(("application/json" = ConfClasses), ("text/html" = String))),
        (status = 400, response = docs::Problem),
    ),
)]
async fn conformance() -> Json<ConfClasses> {
    Json(ConfClasses { conforms_to: CONFORMANCE })
}

/// The collections
///
/// Every collection with its extent (from the layer read), metadata and links.
#[utoipa::path(
    get,
    path = "/collections",
    operation_id = "getCollections",
    tag = "Capabilities",
    params(docs::LayerQuery, docs::FormatQuery),
    responses(
        (status = 200, description = "The collections", headers(("ETag" = String)), content(("application/json" = Collections), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn collections(
    State(state): State<AppState>,
    caller: Caller,
    BaseUrl(base): BaseUrl,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = layer_for(&params, &caller)?;
    let mut list = Vec::new();
    for id in COLLECTIONS.iter().chain(OTHER_COLLECTIONS) {
        list.push(describe(&state, &base, id, layer).await?);
    }
    let doc = Collections {
        collections: list,
        links: vec![link(format!("{base}/collections"), "self", "application/json", "Collections")],
    };
    tagged(&headers, &doc)
}

/// A collection
///
/// Its title, description, extent, CRS list, publisher's metadata, last publication and links.
#[utoipa::path(
    get,
    path = "/collections/{collection}",
    operation_id = "describeCollection",
    tag = "Capabilities",
    params(docs::AnyCollectionPath, docs::LayerQuery, docs::FormatQuery),
    responses(
        (status = 200, description = "The collection", headers(("ETag" = String)), content(("application/json" = Collection), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn collection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    BaseUrl(base): BaseUrl,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = layer_for(&params, &caller)?;
    if !(COLLECTIONS.contains(&id.as_str()) || OTHER_COLLECTIONS.contains(&id.as_str())) {
        return Err(ApiError::NotFound(format!("collection {id:?} does not exist")));
    }
    tagged(&headers, &describe(&state, &base, &id, layer).await?)
}

/// A JSON document with its entity tag, revalidated on every use; 304 when `If-None-Match`
/// names it. The tag is the digest of the document, whose body depends on who asks (the
/// published or the draft extent): the public's and a planner's copies never share a tag unless
/// they are equal, and the public's tag does not follow the draft's changes.
fn tagged(headers: &HeaderMap, doc: &impl Serialize) -> Result<Response, ApiError> {
    let body = serde_json::to_string(doc).map_err(ApiError::internal)?;
    let etag = body_tag(body.as_bytes());
    if none_match_hits(headers, &etag) {
        return Ok(not_modified(etag));
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
        ],
        body,
    )
        .into_response())
}

/// The collections beside the clusters' (which have queryables, tiles, metadata and their own
/// publication): the zones, published with the clusters, the administrative units, the craft
/// villages and pilot communes, and the investors (the public sees their public facts).
const OTHER_COLLECTIONS: &[&str] = &["zones", "units", "designations", "investors"];

/// A collection's document; extent from the given layer.
async fn describe(state: &AppState, base: &str, id: &str, layer: Layer) -> Result<Collection, ApiError> {
    match id {
        "zones" => return describe_zones(state, base, layer).await,
        "units" => return describe_units(state, base).await,
        "designations" | "investors" => return describe_registry(state, base, id).await,
        _ => {}
    }
    let extent = state.store.cluster_extent(layer).await?;
    let meta = state.store.collection_meta(id).await?;
    Ok(Collection {
        id: id.to_owned(),
        title: meta.title.unwrap_or_else(|| "Cụm công nghiệp và khu công nghiệp".to_owned()),
        description: meta.description.unwrap_or_else(|| {
            "Industrial clusters (CCN, Decree 32/2024) and industrial parks (KCN) with their planning status".to_owned()
        }),
        keywords: meta.keywords,
        item_type: "feature",
        crs: Crs::supported().into_iter().map(Crs::uri).collect(),
        storage_crs: Crs::Crs84.uri(),
        extent: extent.map(Extent::of),
        license: meta.license,
        attribution: meta.attribution,
        last_published: state.store.last_publication().await?.as_ref().map(PublicationDoc::from),
        links: vec![
            link(format!("{base}/collections/{id}"), "self", "application/json", "This collection"),
            link(format!("{base}/collections/{id}?f=html"), "alternate", "text/html", "This collection as HTML"),
            link(format!("{base}/collections/{id}/items"), "items", "application/geo+json", "Features"),
            link(
                format!("{base}/collections/{id}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "Queryables: what filter may name",
            ),
            link(
                format!("{base}/collections/{id}/tiles"),
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "application/json",
                "Vector tiles",
            ),
            link(
                format!("{base}/collections/{id}/metadata"),
                "describedby",
                "application/json",
                "Publisher's metadata",
            ),
            link(
                format!("{base}/collections/{id}/tiles/WebMercatorQuad/tilejson.json?layer=published"),
                "alternate",
                "application/json",
                "TileJSON of the published layer",
            ),
        ],
    })
}

/// The zones' document: land-use plots of the detailed plans, published with the clusters (the
/// clusters' last publication is theirs too); extent from the given layer.
async fn describe_zones(state: &AppState, base: &str, layer: Layer) -> Result<Collection, ApiError> {
    let layer_query = match layer {
        Layer::Draft => "",
        Layer::Published => "?layer=published",
    };
    Ok(Collection {
        id: "zones".to_owned(),
        title: "Phân khu chức năng trong cụm công nghiệp".to_owned(),
        description: "Land-use zones inside clusters (detailed plan 1/500 or 1/2000): factory plots, warehouses, \
                      services, green space, water, utilities, wastewater plants, roads"
            .to_owned(),
        keywords: vec!["quy hoạch chi tiết".to_owned(), "land use".to_owned()],
        item_type: "feature",
        crs: Crs::supported().into_iter().map(Crs::uri).collect(),
        storage_crs: Crs::Crs84.uri(),
        extent: state.store.zone_extent(layer).await?.map(Extent::of),
        license: None,
        attribution: None,
        last_published: state.store.last_publication().await?.as_ref().map(PublicationDoc::from),
        links: vec![
            link(format!("{base}/collections/zones"), "self", "application/json", "This collection"),
            link(format!("{base}/collections/zones/items{layer_query}"), "items", "application/geo+json", "Zones"),
            link(
                format!("{base}/collections/zones/tiles"),
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
                "application/json",
                "Vector tiles",
            ),
            link(
                format!("{base}/collections/zones/tiles/WebMercatorQuad/tilejson.json?layer=published"),
                "alternate",
                "application/json",
                "TileJSON of the published layer",
            ),
        ],
    })
}

/// The registry's collections: points, read in CRS84, without tiles or history links.
async fn describe_registry(state: &AppState, base: &str, id: &str) -> Result<Collection, ApiError> {
    let (title, description, points): (&str, &str, Vec<(f64, f64)>) = if id == "investors" {
        (
            "Nhà đầu tư trong cụm công nghiệp",
            "Infrastructure and secondary investors, each on the plots it leases on the day asked (datetime); \
             status, capital and workers in force that day. The public sees the investors of published clusters \
             on published plots: name, tax code, role, form, country, sector (VSIC), cluster, status and plots",
            Vec::new(),
        )
    } else {
        let points = state.store.list_designations().await?.iter().filter_map(|d| d.designation.location).collect();
        (
            "Làng nghề và xã điểm",
            "Craft villages (làng nghề) and pilot communes (xã điểm) as designations of a unit valid over time; \
             datetime selects those valid then",
            points,
        )
    };
    let bbox = points.iter().fold(None::<[f64; 4]>, |acc, &(x, y)| {
        Some(acc.map_or([x, y, x, y], |[a, b, c, d]| [a.min(x), b.min(y), c.max(x), d.max(y)]))
    });
    Ok(Collection {
        id: id.to_owned(),
        title: title.to_owned(),
        description: description.to_owned(),
        keywords: vec![],
        item_type: "feature",
        crs: vec![Crs::Crs84.uri()],
        storage_crs: Crs::Crs84.uri(),
        extent: bbox.map(Extent::of),
        license: None,
        attribution: None,
        last_published: None,
        links: vec![
            link(format!("{base}/collections/{id}"), "self", "application/json", "This collection"),
            link(format!("{base}/collections/{id}/items"), "items", "application/geo+json", "Features"),
        ],
    })
}

/// The administrative units' document: every period of every unit, read-only, in CRS84;
/// extent from all of them, the temporal extent from the first start to the last end (open
/// while a unit is valid).
async fn describe_units(state: &AppState, base: &str) -> Result<Collection, ApiError> {
    use geo::BoundingRect;
    let units = state.store.list_units(&clusterplan_store::UnitQuery::default()).await?;
    let bbox = units.iter().filter_map(|u| u.boundary.as_multi_polygon().bounding_rect()).reduce(|a, b| {
        geo_types::Rect::new(
            (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
            (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
        )
    });
    let instant = |d: chrono::NaiveDate| format!("{d}T00:00:00Z");
    let start = units.iter().map(|u| u.valid_from).min().map(instant);
    let end = if units.iter().any(|u| u.valid_to.is_none()) {
        None
    } else {
        units.iter().filter_map(|u| u.valid_to).max().map(instant)
    };
    Ok(Collection {
        id: "units".to_owned(),
        title: "Đơn vị hành chính".to_owned(),
        description: "Administrative units (provinces, districts, communes) with their validity periods; \
                      datetime selects the units valid then"
            .to_owned(),
        keywords: vec!["đơn vị hành chính".to_owned(), "administrative units".to_owned()],
        item_type: "feature",
        crs: vec![Crs::Crs84.uri()],
        storage_crs: Crs::Crs84.uri(),
        extent: bbox.map(|r| Extent {
            temporal: Some(TemporalExtent {
                interval: vec![[start, end]],
                trs: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            }),
            ..Extent::of([r.min().x, r.min().y, r.max().x, r.max().y])
        }),
        license: None,
        attribution: None,
        last_published: None,
        links: vec![
            link(format!("{base}/collections/units"), "self", "application/json", "This collection"),
            link(format!("{base}/collections/units/items"), "items", "application/geo+json", "Units"),
        ],
    })
}
