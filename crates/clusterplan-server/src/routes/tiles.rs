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
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_store::TileId;
use clusterplan_store::tiles::{MAX_TILE_FEATURES, MAX_TILE_VERTICES, MAX_ZOOM, SIMPLIFY_UNITS};
use serde_json::{Value, json};

use super::conditional::{REVALIDATE, none_match_hits, not_modified, tag};
use super::docs;
use super::extract::COLLECTIONS;
use super::layer::{tag_prefix, whole_layer_for};
use super::links::{BaseUrl, Link, link};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::limits::{Limits, TileKey};

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
        .route("/tileMatrixSets", get(tile_matrix_sets))
        .route("/tileMatrixSets/{tms}", get(tile_matrix_set))
}

/// Half the width of the Web Mercator square, in metres.
const MERCATOR_HALF: f64 = 20_037_508.342_789_244;
/// Deepest zoom the tileset declares limits for: deeper tiles are served too, but a client
/// that walks every tile of the limits (GDAL's OGCAPI driver) stays at a sensible depth.
const LIMITS_MAX_ZOOM: u8 = 16;

/// The tiling scheme served here (`/tileMatrixSets/WebMercatorQuad`), linked from tilesets.
fn tms_link(base: &str) -> Link {
    link(
        format!("{base}/tileMatrixSets/{TMS}"),
        "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
        "application/json",
        TMS,
    )
}

/// The tile matrix sets offered
#[utoipa::path(
    get,
    path = "/tileMatrixSets",
    operation_id = "getTileMatrixSetsList",
    tag = "Tiles",
    responses((status = 200, description = "The tile matrix sets: WebMercatorQuad", body = Object)),
)]
async fn tile_matrix_sets(BaseUrl(base): BaseUrl) -> Json<Value> {
    Json(json!({
        "tileMatrixSets": [{
            "id": TMS,
            "title": "Google Maps Compatible for the World",
            "uri": TMS_URI,
            "links": [link(format!("{base}/tileMatrixSets/{TMS}"), "self", "application/json", TMS)],
        }],
        "links": [link(format!("{base}/tileMatrixSets"), "self", "application/json", "Tile matrix sets")],
    }))
}

/// A tile matrix set
///
/// `WebMercatorQuad` (OGC Two Dimensional Tile Matrix Set 2.0), served here so that clients on
/// a closed network need not reach the OGC registry.
#[utoipa::path(
    get,
    path = "/tileMatrixSets/{tms}",
    operation_id = "getTileMatrixSet",
    tag = "Tiles",
    params(("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad")),
    responses(
        (status = 200, description = "The tile matrix set", body = Object),
        (status = 404, response = docs::Problem),
    ),
)]
async fn tile_matrix_set(Path(tms): Path<String>, BaseUrl(base): BaseUrl) -> Result<Json<Value>, ApiError> {
    if tms != TMS {
        return Err(ApiError::NotFound(format!("tile matrix set {tms:?} is not offered; use {TMS}")));
    }
    // 0.28 mm pixels, as the standard's scale denominators assume.
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell = 2.0 * MERCATOR_HALF / 256.0 / n as f64;
            json!({
                "id": z.to_string(),
                "scaleDenominator": cell / 0.000_28,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-MERCATOR_HALF, MERCATOR_HALF],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    Ok(Json(json!({
        "id": TMS,
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
        "links": [link(format!("{base}/tileMatrixSets/{TMS}"), "self", "application/json", TMS)],
    })))
}

/// The rows and columns holding the layer's extent at each zoom up to [`LIMITS_MAX_ZOOM`]
/// (the whole matrix without an extent).
fn tile_matrix_set_limits(extent: Option<[f64; 4]>) -> Vec<Value> {
    let [west, south, east, north] = extent.unwrap_or([-180.0, -85.051_128, 180.0, 85.051_128]);
    (0..=LIMITS_MAX_ZOOM)
        .map(|z| {
            let n = 1u32 << z;
            let col = |lon: f64| (((lon + 180.0) / 360.0 * f64::from(n)).floor() as u32).min(n - 1);
            let row = |lat: f64| {
                let lat = lat.clamp(-85.051_128, 85.051_128).to_radians();
                let y = (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * f64::from(n);
                (y.floor().max(0.0) as u32).min(n - 1)
            };
            json!({
                "tileMatrix": z.to_string(),
                "minTileRow": row(north),
                "maxTileRow": row(south),
                "minTileCol": col(west),
                "maxTileCol": col(east),
            })
        })
        .collect()
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
                tms_link(&base),
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
    params(docs::CollectionPath, ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad"), docs::LayerQuery),
    responses(
        (status = 200, description = "The tileset", body = Object),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn tileset(
    State(state): State<AppState>,
    caller: Caller,
    Path((collection, tms)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
) -> Result<Json<Value>, ApiError> {
    check(&collection, Some(&tms))?;
    let layer = whole_layer_for(&state, &params, &caller).await?;
    let extent = state.store.cluster_extent(layer).await?;
    let item = link(template(&base, &collection, "{tileMatrix}/{tileRow}/{tileCol}"), "item", MVT, "Tiles").templated();
    Ok(Json(json!({
        "title": format!("{collection} vector tiles"),
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": tile_matrix_set_limits(extent),
        "layers": [{ "id": collection, "dataType": "vector", "geometryType": "polygons" }],
        "links": [
            link(format!("{base}/collections/{collection}/tiles/{TMS}"), "self", "application/json", "This document"),
            item,
            link(template(&base, &collection, "tilejson.json"), "describedby", "application/json", "TileJSON"),
            // Only the local one: GDAL follows this link, and our users' networks are closed
            // (`tileMatrixSetURI` names the registry's).
            tms_link(&base),
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
        // What a client cannot draw from one tile: beyond these, the smaller features of a
        // dense tile are left out (zoom in to see them).
        "clusterplan:limits": {
            "max_features_per_tile": MAX_TILE_FEATURES,
            "max_vertices_per_tile": MAX_TILE_VERTICES,
            "kept_first": "largest area_ha, then lowest id",
            "simplified_to_tile_units": SIMPLIFY_UNITS,
            "tile_extent": clusterplan_store::tiles::EXTENT,
        },
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
/// `{z}/{y}/{x}`: row before column, as OGC API - Tiles orders them. Boundaries are simplified
/// to the tile's resolution; a tile holds at most 10 000 features and 250 000 vertices, the
/// largest features first (see `clusterplan:limits` in the `TileJSON`).
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
        (status = 503, description = "Too many tiles rendering at once; try again after `Retry-After` seconds", headers(("Retry-After" = u64))),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn tile(
    State(state): State<AppState>,
    Extension(limits): Extension<Arc<Limits>>,
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
    let stamp = state.store.clusters_stamp(layer).await?;
    let etag = tag(tag_prefix(layer), stamp);
    if none_match_hits(&headers, &etag) {
        return Ok(not_modified(etag));
    }
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    let key = TileKey::new(layer, &collection, tile, stamp);
    let render = || async { Ok::<_, ApiError>(state.store.cluster_tile(tile, &collection, layer).await?) };
    let rendered = limits.tile(key, render).await?;
    Ok(match rendered {
        None => (StatusCode::NO_CONTENT, [(header::ETAG, etag), cache]).into_response(),
        Some(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(MVT)), (header::ETAG, etag), cache], bytes)
            .into_response(),
    })
}
