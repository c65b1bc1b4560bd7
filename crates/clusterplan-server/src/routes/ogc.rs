//! OGC API - Features discovery documents: landing page, conformance, collections.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::collections::HashMap;

use clusterplan_store::Layer;
use serde::Deserialize;
use serde_json::{Value, json};

use clusterplan_core::Crs;

use super::conditional::{REVALIDATE, none_match_hits, not_modified, tag};
use super::items::COLLECTIONS;
use super::layer::layer_for;
use super::links::{BaseUrl, link};
use super::web;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// Conformance classes declared: only those the service really implements and tests.
pub(crate) const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
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
        .route("/conformance", get(conformance))
        .route("/collections", get(collections))
        .route("/collections/{collection}", get(collection))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Format {
    f: Option<String>,
}

/// Whether the client asked for HTML: `f=html`, or a browser's `Accept` without `f=json`.
pub(crate) fn wants_html(headers: &HeaderMap, format: &Format) -> bool {
    match format.f.as_deref() {
        Some(f) => f.eq_ignore_ascii_case("html"),
        None => headers
            .get(axum::http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.split(',').any(|m| m.trim().starts_with("text/html"))),
    }
}

async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(format): Query<Format>,
    BaseUrl(base): BaseUrl,
) -> Response {
    if wants_html(&headers, &format) {
        return web::index_html(&state.config).await;
    }
    Json(json!({
        "title": "clusterplan",
        "description": "Industrial cluster (cụm công nghiệp) planning layers: OGC API - Features and GeoJSON",
        "links": [
            link(format!("{base}/?f=json"), "self", "application/json", "This document"),
            link(format!("{base}/?f=html"), "alternate", "text/html", "Planner map"),
            link(format!("{base}/conformance"), "conformance", "application/json", "Conformance classes"),
            link(format!("{base}/collections"), "data", "application/json", "Collections"),
        ]
    }))
    .into_response()
}

async fn conformance() -> Json<Value> {
    Json(json!({ "conformsTo": CONFORMANCE }))
}

async fn collections(
    State(state): State<AppState>,
    caller: Caller,
    BaseUrl(base): BaseUrl,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = layer_for(&params, &caller)?;
    let stamp = tag("d", state.store.clusters_stamp(clusterplan_store::Layer::Draft).await?);
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
    let stamp = tag("d", state.store.clusters_stamp(clusterplan_store::Layer::Draft).await?);
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
            link(format!("{base}/collections/{id}/items"), "items", "application/geo+json", "Features"),
            link(format!("{base}/collections/{id}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "Queryables: what filter may name"),
            link(format!("{base}/collections/{id}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json", "Vector tiles"),
            link(format!("{base}/collections/{id}/metadata"), "describedby", "application/json", "Publisher's metadata"),
            link(format!("{base}/collections/{id}/tiles/WebMercatorQuad/tilejson.json?layer=published"), "alternate", "application/json", "TileJSON of the published layer"),
        ],
    });
    if let Some(last) = state.store.last_publication().await? {
        doc["last_published"] = super::publish::publication_json(&last);
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
