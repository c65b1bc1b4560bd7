//! OGC API - Features discovery documents: landing page, conformance, collections.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

use clusterplan_store::Layer;
use serde_json::{Value, json};

use clusterplan_core::Crs;

use super::conditional::{REVALIDATE, none_match_hits, not_modified, tag};
use super::docs::{self, OPENAPI_JSON};
use super::extract::COLLECTIONS;
use super::html::{self, Negotiated, View, negotiate};
use super::layer::layer_for;
use super::links::{BaseUrl, link};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

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
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
];

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", html::get(conformance, View::Conformance))
        .route("/collections", html::get(collections, View::Collections))
        .route("/collections/{collection}", html::get(collection, View::Collection))
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
    let doc = json!({
        "title": "clusterplan",
        "description": "Industrial cluster (cụm công nghiệp) planning layers: OGC API - Features and GeoJSON",
        "links": [
            link(format!("{base}/?f=json"), "self", "application/json", "This document"),
            link(format!("{base}/?f=html"), "alternate", "text/html", "This document as HTML"),
            link(format!("{base}/"), "http://www.opengis.net/def/rel/ogc/1.0/map", "text/html", "Planner map"),
            link(format!("{base}/api"), "service-desc", OPENAPI_JSON, "The API definition (OpenAPI 3.0)"),
            link(format!("{base}/api?f=html"), "service-doc", "text/html", "The API documentation"),
            link(format!("{base}/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/collections"), "data", "application/json", "Collections"),
        ]
    });
    Ok(html::vary_on_accept(match negotiate(&headers, &params)? {
        Negotiated::Json => Json(doc).into_response(),
        // `/?f=html` is the landing document; a browser opening `/` expects the map.
        Negotiated::Html if params.contains_key("f") => html::landing_page(&doc, &format!("{base}/?f=json")),
        Negotiated::Html => html::index_html(&state.config).await,
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
async fn conformance() -> Json<Value> {
    Json(json!({ "conformsTo": CONFORMANCE }))
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
    let stamp = tag("d", state.store.clusters_stamp(Layer::Draft).await?);
    if none_match_hits(&headers, &stamp) {
        return Ok(not_modified(stamp));
    }
    let mut list = Vec::new();
    for id in COLLECTIONS {
        list.push(describe(&state, &base, id, layer).await?);
    }
    let doc = json!({
        "collections": list,
        "links": [link(format!("{base}/collections"), "self", "application/json", "Collections")],
    });
    Ok(tagged(stamp, doc))
}

/// A collection
///
/// Its title, description, extent, CRS list, publisher's metadata, last publication and links.
#[utoipa::path(
    get,
    path = "/collections/{collection}",
    operation_id = "describeCollection",
    tag = "Capabilities",
    params(docs::CollectionPath, docs::LayerQuery, docs::FormatQuery),
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
    if !COLLECTIONS.contains(&id.as_str()) {
        return Err(ApiError::NotFound(format!("collection {id:?} does not exist")));
    }
    let stamp = tag("d", state.store.clusters_stamp(Layer::Draft).await?);
    if none_match_hits(&headers, &stamp) {
        return Ok(not_modified(stamp));
    }
    Ok(tagged(stamp, describe(&state, &base, &id, layer).await?))
}

/// A JSON document with its entity tag, revalidated on every use.
fn tagged(etag: HeaderValue, doc: Value) -> Response {
    ([(header::ETAG, etag), (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE))], Json(doc)).into_response()
}

/// A collection's document; extent from the given layer. Its tag is the draft serial, which
/// every edit, metadata change and publication bumps.
async fn describe(state: &AppState, base: &str, id: &str, layer: Layer) -> Result<Value, ApiError> {
    let extent = state.store.cluster_extent(layer).await?;
    let meta = state.store.collection_meta(id).await?;
    let mut doc = json!({
        "id": id,
        "title": meta.title.as_deref().unwrap_or("Cụm công nghiệp và khu công nghiệp"),
        "description": meta.description.as_deref().unwrap_or(
            "Industrial clusters (CCN, Decree 32/2024) and industrial parks (KCN) with their planning status"
        ),
        "keywords": meta.keywords,
        "itemType": "feature",
        "crs": Crs::supported().into_iter().map(Crs::uri).collect::<Vec<_>>(),
        "storageCrs": Crs::Crs84.uri(),
        "links": [
            link(format!("{base}/collections/{id}"), "self", "application/json", "This collection"),
            link(format!("{base}/collections/{id}?f=html"), "alternate", "text/html", "This collection as HTML"),
            link(format!("{base}/collections/{id}/items"), "items", "application/geo+json", "Features"),
            link(format!("{base}/collections/{id}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Queryables: what filter may name"),
            link(format!("{base}/collections/{id}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json", "Vector tiles"),
            link(format!("{base}/collections/{id}/metadata"), "describedby", "application/json", "Publisher's metadata"),
            link(format!("{base}/collections/{id}/tiles/WebMercatorQuad/tilejson.json?layer=published"), "alternate", "application/json", "TileJSON of the published layer"),
        ],
    });
    if let Some(last) = state.store.last_publication().await? {
        doc["last_published"] = crate::wire::publication_json(&last);
    }
    for (key, value) in [("license", &meta.license), ("attribution", &meta.attribution)] {
        if let Some(value) = value {
            doc[key] = json!(value);
        }
    }
    if let Some(bbox) = extent {
        doc["extent"] = json!({
            "spatial": { "bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" }
        });
    }
    Ok(doc)
}
