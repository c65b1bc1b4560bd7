//! Vector tiles of a collection (OGC API - Tiles paths, Mapbox Vector Tiles, `TileJSON`).
//!
//! Tile URLs follow OGC API - Tiles: `…/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`,
//! i.e. `{z}/{y}/{x}` — row before column, unlike the XYZ `{z}/{x}/{y}` convention; the
//! `TileJSON` document carries the right template for MapLibre and Leaflet clients.
//! Every answer is tagged with the collection's change serial, so a client revalidating
//! (`Cache-Control: no-cache`) sees an edit in its next request.

use axum::Json;
use axum::Router;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_store::TileId;
use clusterplan_store::tiles::MAX_ZOOM;
use serde_json::{Value, json};

use super::conditional::{REVALIDATE, none_match_hits, not_modified, tag};
use super::docs;
use super::extract::COLLECTIONS;
use super::layer::{tag_prefix, whole_layer_for};
use super::links::{BaseUrl, link};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// Media type of Mapbox Vector Tiles.
pub(crate) const MVT: &str = "application/vnd.mapbox-vector-tile";
const TMS: &str = "WebMercatorQuad";
const TMS_URI: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/tiles", get(tilesets))
        .route("/collections/{collection}/tiles/{tms}", get(tileset))
        .route("/collections/{collection}/tiles/{tms}/tilejson.json", get(tilejson))
        .route("/collections/{collection}/tiles/{tms}/{z}/{y}/{x}", get(tile))
}

fn check(collection: &str, tms: Option<&str>) -> Result<(), ApiError> {
    if !COLLECTIONS.contains(&collection) {
        return Err(ApiError::NotFound(format!("collection {collection:?} does not exist")));
    }
    match tms {
        Some(t) if t != TMS => Err(ApiError::NotFound(format!("tile matrix set {t:?} is not offered; use {TMS}"))),
        _ => Ok(()),
    }
}

fn template(base: &str, collection: &str, row_col: &str) -> String {
    format!("{base}/collections/{collection}/tiles/{TMS}/{row_col}")
}

/// The vector tilesets of a collection
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles",
    operation_id = "getTilesets",
    tag = "Tiles",
    params(docs::CollectionPath),
    responses(
        (status = 200, description = "One tileset: WebMercatorQuad", body = Object),
        (status = 404, response = docs::Problem),
    ),
)]
async fn tilesets(Path(collection): Path<String>, BaseUrl(base): BaseUrl) -> Result<Json<Value>, ApiError> {
    check(&collection, None)?;
    Ok(Json(json!({
        "tilesets": [{
            "title": format!("{collection} vector tiles"),
            "dataType": "vector",
            "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
            "tileMatrixSetURI": TMS_URI,
            "links": [
                link(format!("{base}/collections/{collection}/tiles/{TMS}"), "self", "application/json", "Tileset metadata"),
                link(TMS_URI, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "application/json", TMS),
            ],
        }],
        "links": [
            link(format!("{base}/collections/{collection}/tiles"), "self", "application/json", "Tilesets"),
            link(format!("{base}/collections/{collection}"), "collection", "application/json", "The collection"),
        ],
    })))
}

/// A tileset's metadata
///
/// The tile URL template (`{tileMatrix}/{tileRow}/{tileCol}`) and the tiling scheme.
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles/{tms}",
    operation_id = "getTileset",
    tag = "Tiles",
    params(docs::CollectionPath, ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad")),
    responses(
        (status = 200, description = "The tileset", body = Object),
        (status = 404, response = docs::Problem),
    ),
)]
async fn tileset(
    Path((collection, tms)): Path<(String, String)>,
    BaseUrl(base): BaseUrl,
) -> Result<Json<Value>, ApiError> {
    check(&collection, Some(&tms))?;
    let mut item = link(template(&base, &collection, "{tileMatrix}/{tileRow}/{tileCol}"), "item", MVT, "Tiles");
    item["templated"] = json!(true);
    Ok(Json(json!({
        "title": format!("{collection} vector tiles"),
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": [],
        "layers": [{ "id": collection, "dataType": "vector", "geometryType": "polygons" }],
        "links": [
            link(format!("{base}/collections/{collection}/tiles/{TMS}"), "self", "application/json", "This document"),
            item,
            link(template(&base, &collection, "tilejson.json"), "describedby", "application/json", "TileJSON"),
            link(TMS_URI, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", "application/json", TMS),
        ],
    })))
}

/// `TileJSON` of a tileset
///
/// `TileJSON` 3.0 for `MapLibre` and Leaflet clients, with the layer's bounds.
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles/{tms}/tilejson.json",
    operation_id = "getTileJSON",
    tag = "Tiles",
    params(docs::CollectionPath, ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad"), docs::LayerQuery),
    responses(
        (status = 200, description = "TileJSON 3.0.0", body = Object),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn tilejson(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, tms)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
) -> Result<Json<Value>, ApiError> {
    check(&collection, Some(&tms))?;
    let layer = whole_layer_for(&state, &params, &caller).await?;
    let layer_query = match layer {
        clusterplan_store::Layer::Draft => "",
        clusterplan_store::Layer::Published => "?layer=published",
    };
    let bounds = state.store.cluster_extent(layer).await?.unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129]);
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": collection,
        "scheme": "xyz",
        "tiles": [format!("{}{layer_query}", template(&base, &collection, "{z}/{y}/{x}"))],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "vector_layers": [{
            "id": collection,
            "fields": {
                "code": "String", "name": "String", "kind": "String", "status": "String",
                "planned_area_ha": "Number", "area_ha": "Number", "geodesic_area_ha": "Number",
                "planning_crs": "String", "version": "Number", "updated_at": "String",
            },
        }],
    })))
}

fn tile_id(z: &str, y: &str, x: &str) -> Result<TileId, ApiError> {
    let parsed = (z.parse::<u8>(), x.parse::<u32>(), y.parse::<u32>());
    let tile = match parsed {
        (Ok(z), Ok(x), Ok(y)) => TileId::new(z, x, y),
        _ => None,
    };
    tile.ok_or_else(|| {
        ApiError::NotFound(format!(
            "tile {z}/{y}/{x} is not in {TMS} (tileMatrix 0–{MAX_ZOOM}, then tileRow and tileCol below 2^tileMatrix)"
        ))
    })
}

/// A vector tile
///
/// One Mapbox Vector Tile (layer named after the collection); 204 when the tile is empty.
/// `{z}/{y}/{x}`: row before column, as OGC API - Tiles orders them.
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles/{tms}/{z}/{y}/{x}",
    operation_id = "getTile",
    tag = "Tiles",
    params(
        docs::CollectionPath,
        ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad"),
        ("z" = u8, Path, description = "tileMatrix (zoom)"),
        ("y" = u32, Path, description = "tileRow"),
        ("x" = u32, Path, description = "tileCol"),
        docs::LayerQuery,
    ),
    responses(
        (status = 200, description = "The tile", headers(("ETag" = String)), body = Vec<u8>, content_type = "application/vnd.mapbox-vector-tile"),
        (status = 204, description = "No feature in the tile", headers(("ETag" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn tile(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, tms, z, y, x)): Path<(String, String, String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check(&collection, Some(&tms))?;
    let tile = tile_id(&z, &y, &x)?;
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "layer") {
        return Err(ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("unknown query parameter {unknown:?}; known: layer"),
        });
    }
    let layer = whole_layer_for(&state, &params, &caller).await?;
    // The stamp is read before the tile: the tile is then at least as new as its tag.
    let etag = tag(tag_prefix(layer), state.store.clusters_stamp(layer).await?);
    if none_match_hits(&headers, &etag) {
        return Ok(not_modified(etag));
    }
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    Ok(match state.store.cluster_tile(tile, &collection, layer).await? {
        None => (StatusCode::NO_CONTENT, [(header::ETAG, etag), cache]).into_response(),
        Some(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(MVT)), (header::ETAG, etag), cache], bytes)
            .into_response(),
    })
}
