//! Vector tiles of a collection (OGC API - Tiles paths, Mapbox Vector Tiles, `TileJSON`).
//!
//! Tile URLs follow OGC API - Tiles: `…/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`,
//! i.e. `{z}/{y}/{x}` — row before column, unlike the XYZ `{z}/{x}/{y}` convention; the
//! `TileJSON` document carries the right template for MapLibre and Leaflet clients.
//! Every answer is tagged with the collection's change serial, so a client revalidating
//! (`Cache-Control: no-cache`) sees an edit in its next request.

use axum::Json;
use axum::Router;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_store::tiles::{
    MAX_TILE_FEATURES, MAX_TILE_VERTICES, MAX_ZOOM, SIMPLIFY_UNITS, cluster_tile_fields, zone_tile_fields,
};
use clusterplan_store::{Layer, TileId};
use serde::Serialize;
use utoipa::ToSchema;

use super::conditional::{REVALIDATE, none_match_hits, not_modified, tag};
use super::docs;
use super::documented::Documented;
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
const TMS_TITLE: &str = "Google Maps Compatible for the World";
const MERCATOR_CRS: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/{collection}/tiles", get(tilesets))
        .documented("/collections/{collection}/tiles/{tms}", get(tileset))
        .documented("/collections/{collection}/tiles/{tms}/tilejson.json", get(tilejson))
        .documented("/collections/{collection}/tiles/{tms}/{z}/{y}/{x}", get(tile))
        .documented("/tileMatrixSets", get(tile_matrix_sets))
        .documented("/tileMatrixSets/{tms}", get(tile_matrix_set))
}

/// `GET /tileMatrixSets` (OGC API - Tiles, `tiling-schemes`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TileMatrixSets {
    tile_matrix_sets: Vec<TileMatrixSetRef>,
    links: Vec<Link>,
}

/// A tile matrix set in the list: its id, title, registry URI and link.
#[derive(Serialize, ToSchema)]
pub(crate) struct TileMatrixSetRef {
    id: String,
    title: String,
    uri: String,
    links: Vec<Link>,
}

/// A tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TileMatrixSet {
    id: String,
    title: String,
    uri: String,
    crs: String,
    ordered_axes: Vec<String>,
    well_known_scale_set: String,
    tile_matrices: Vec<TileMatrix>,
    links: Vec<Link>,
    /// Tile Matrix Set 1.0's name of `id`, beside 2.0's: GDAL before 3.7 reads only 1.0.
    identifier: String,
    /// Tile Matrix Set 1.0's name of `crs`.
    #[serde(rename = "supportedCRS")]
    supported_crs: String,
    /// Tile Matrix Set 1.0's extent of the matrices, in `crs`.
    bounding_box: TmsBoundingBox,
}

/// A Tile Matrix Set 1.0 bounding box.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TmsBoundingBox {
    #[serde(rename = "type")]
    kind: String,
    crs: String,
    lower_corner: [f64; 2],
    upper_corner: [f64; 2],
}

/// One zoom level of a tile matrix set.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TileMatrix {
    id: String,
    scale_denominator: f64,
    /// Metres per pixel.
    cell_size: f64,
    corner_of_origin: String,
    point_of_origin: Vec<f64>,
    tile_width: u32,
    tile_height: u32,
    matrix_width: u64,
    matrix_height: u64,
    /// Tile Matrix Set 1.0's name of `id`.
    identifier: String,
    /// Tile Matrix Set 1.0's name of `pointOfOrigin` (with a top-left corner of origin).
    top_left_corner: [f64; 2],
}

/// `GET …/tiles`: the tilesets of a collection.
#[derive(Serialize, ToSchema)]
pub(crate) struct Tilesets {
    tilesets: Vec<TilesetRef>,
    links: Vec<Link>,
}

/// A tileset in the list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TilesetRef {
    title: String,
    data_type: String,
    crs: String,
    #[serde(rename = "tileMatrixSetURI")]
    tile_matrix_set_uri: String,
    links: Vec<Link>,
}

/// `GET …/tiles/{tms}`: a tileset's metadata, with the rows and columns holding data.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Tileset {
    title: String,
    data_type: String,
    crs: String,
    #[serde(rename = "tileMatrixSetURI")]
    tile_matrix_set_uri: String,
    tile_matrix_set_limits: Vec<TileMatrixLimits>,
    layers: Vec<TilesetLayer>,
    links: Vec<Link>,
}

/// The tiles of one zoom that hold the layer's extent.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TileMatrixLimits {
    tile_matrix: String,
    min_tile_row: u32,
    max_tile_row: u32,
    min_tile_col: u32,
    max_tile_col: u32,
}

/// A layer of the tiles.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TilesetLayer {
    id: String,
    data_type: String,
    geometry_type: String,
}

/// `TileJSON` 3.0.0 of a tileset, with what one tile may hold.
#[derive(Serialize, ToSchema)]
pub(crate) struct TileJson {
    tilejson: String,
    name: String,
    scheme: String,
    tiles: Vec<String>,
    minzoom: u8,
    maxzoom: u8,
    /// West, south, east, north (CRS84).
    bounds: Vec<f64>,
    #[serde(rename = "clusterplan:limits")]
    #[schema(rename = "clusterplan:limits")]
    limits: TileLimits,
    vector_layers: Vec<VectorLayer>,
}

/// What a client cannot draw from one tile: beyond these, the smaller features of a dense
/// tile are left out (zoom in to see them).
#[derive(Serialize, ToSchema)]
pub(crate) struct TileLimits {
    max_features_per_tile: usize,
    max_vertices_per_tile: usize,
    kept_first: String,
    simplified_to_tile_units: f64,
    tile_extent: u32,
}

/// A vector layer of `TileJSON`: its attributes and their types.
#[derive(Serialize, ToSchema)]
pub(crate) struct VectorLayer {
    id: String,
    fields: BTreeMap<String, String>,
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
    responses((status = 200, description = "The tile matrix sets: WebMercatorQuad", body = TileMatrixSets)),
)]
async fn tile_matrix_sets(BaseUrl(base): BaseUrl) -> Json<TileMatrixSets> {
    Json(TileMatrixSets {
        tile_matrix_sets: vec![TileMatrixSetRef {
            id: TMS.to_owned(),
            title: TMS_TITLE.to_owned(),
            uri: TMS_URI.to_owned(),
            links: vec![link(format!("{base}/tileMatrixSets/{TMS}"), "self", "application/json", TMS)],
        }],
        links: vec![link(format!("{base}/tileMatrixSets"), "self", "application/json", "Tile matrix sets")],
    })
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
        (status = 200, description = "The tile matrix set", body = TileMatrixSet),
        (status = 404, response = docs::Problem),
    ),
)]
async fn tile_matrix_set(Path(tms): Path<String>, BaseUrl(base): BaseUrl) -> Result<Json<TileMatrixSet>, ApiError> {
    if tms != TMS {
        return Err(ApiError::NotFound(format!("tile matrix set {tms:?} is not offered; use {TMS}")));
    }
    // 0.28 mm pixels, as the standard's scale denominators assume.
    let tile_matrices = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            let cell_size = 2.0 * MERCATOR_HALF / 256.0 / n as f64;
            TileMatrix {
                id: z.to_string(),
                scale_denominator: cell_size / 0.000_28,
                cell_size,
                corner_of_origin: "topLeft".to_owned(),
                point_of_origin: vec![-MERCATOR_HALF, MERCATOR_HALF],
                tile_width: 256,
                tile_height: 256,
                matrix_width: n,
                matrix_height: n,
                identifier: z.to_string(),
                top_left_corner: [-MERCATOR_HALF, MERCATOR_HALF],
            }
        })
        .collect();
    Ok(Json(TileMatrixSet {
        id: TMS.to_owned(),
        title: TMS_TITLE.to_owned(),
        uri: TMS_URI.to_owned(),
        crs: MERCATOR_CRS.to_owned(),
        ordered_axes: vec!["X".to_owned(), "Y".to_owned()],
        well_known_scale_set: "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible".to_owned(),
        tile_matrices,
        links: vec![link(format!("{base}/tileMatrixSets/{TMS}"), "self", "application/json", TMS)],
        identifier: TMS.to_owned(),
        supported_crs: MERCATOR_CRS.to_owned(),
        bounding_box: TmsBoundingBox {
            kind: "BoundingBoxType".to_owned(),
            crs: MERCATOR_CRS.to_owned(),
            lower_corner: [-MERCATOR_HALF, -MERCATOR_HALF],
            upper_corner: [MERCATOR_HALF, MERCATOR_HALF],
        },
    }))
}

/// The rows and columns holding the layer's extent at each zoom up to [`LIMITS_MAX_ZOOM`]
/// (the whole matrix without an extent).
fn tile_matrix_set_limits(extent: Option<[f64; 4]>) -> Vec<TileMatrixLimits> {
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
            TileMatrixLimits {
                tile_matrix: z.to_string(),
                min_tile_row: row(north),
                max_tile_row: row(south),
                min_tile_col: col(west),
                max_tile_col: col(east),
            }
        })
        .collect()
}

/// What a collection's tiles draw.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tiled {
    Clusters,
    /// The zones, published with the clusters.
    Zones,
}

impl Tiled {
    async fn extent(self, state: &AppState, layer: Layer) -> Result<Option<[f64; 4]>, ApiError> {
        Ok(match self {
            Tiled::Clusters => state.store.cluster_extent(layer).await?,
            Tiled::Zones => state.store.zone_extent(layer).await?,
        })
    }

    async fn stamp(self, state: &AppState, layer: Layer) -> Result<i64, ApiError> {
        Ok(match self {
            Tiled::Clusters => state.store.clusters_stamp(layer).await?,
            Tiled::Zones => state.store.zones_stamp(layer).await?,
        })
    }

    fn fields(self) -> BTreeMap<String, String> {
        let fields: Vec<_> = match self {
            Tiled::Clusters => cluster_tile_fields().collect(),
            Tiled::Zones => zone_tile_fields().collect(),
        };
        fields.into_iter().map(|(name, kind)| (name.to_owned(), kind.to_owned())).collect()
    }
}

fn check(collection: &str, tms: Option<&str>) -> Result<Tiled, ApiError> {
    let tiled = if COLLECTIONS.contains(&collection) {
        Tiled::Clusters
    } else if collection == "zones" {
        Tiled::Zones
    } else {
        return Err(ApiError::NotFound(format!("collection {collection:?} does not exist")));
    };
    match tms {
        Some(t) if t != TMS => Err(ApiError::NotFound(format!("tile matrix set {t:?} is not offered; use {TMS}"))),
        _ => Ok(tiled),
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
    params(docs::TiledCollectionPath),
    responses(
        (status = 200, description = "One tileset: WebMercatorQuad", body = Tilesets),
        (status = 404, response = docs::Problem),
    ),
)]
async fn tilesets(Path(collection): Path<String>, BaseUrl(base): BaseUrl) -> Result<Json<Tilesets>, ApiError> {
    check(&collection, None)?;
    Ok(Json(Tilesets {
        tilesets: vec![TilesetRef {
            title: format!("{collection} vector tiles"),
            data_type: "vector".to_owned(),
            crs: MERCATOR_CRS.to_owned(),
            tile_matrix_set_uri: TMS_URI.to_owned(),
            links: vec![
                link(
                    format!("{base}/collections/{collection}/tiles/{TMS}"),
                    "self",
                    "application/json",
                    "Tileset metadata",
                ),
                tms_link(&base),
            ],
        }],
        links: vec![
            link(format!("{base}/collections/{collection}/tiles"), "self", "application/json", "Tilesets"),
            link(format!("{base}/collections/{collection}"), "collection", "application/json", "The collection"),
        ],
    }))
}

/// A tileset's metadata
///
/// The tile URL template (`{tileMatrix}/{tileRow}/{tileCol}`) and the tiling scheme.
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles/{tms}",
    operation_id = "getTileset",
    tag = "Tiles",
    params(docs::TiledCollectionPath, ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad"), docs::LayerQuery),
    responses(
        (status = 200, description = "The tileset", body = Tileset),
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
) -> Result<Json<Tileset>, ApiError> {
    let tiled = check(&collection, Some(&tms))?;
    let layer = whole_layer_for(&state, &params, &caller).await?;
    let extent = tiled.extent(&state, layer).await?;
    let item = link(template(&base, &collection, "{tileMatrix}/{tileRow}/{tileCol}"), "item", MVT, "Tiles").templated();
    Ok(Json(Tileset {
        title: format!("{collection} vector tiles"),
        data_type: "vector".to_owned(),
        crs: MERCATOR_CRS.to_owned(),
        tile_matrix_set_uri: TMS_URI.to_owned(),
        tile_matrix_set_limits: tile_matrix_set_limits(extent),
        layers: vec![TilesetLayer {
            id: collection.clone(),
            data_type: "vector".to_owned(),
            geometry_type: "polygons".to_owned(),
        }],
        links: vec![
            link(format!("{base}/collections/{collection}/tiles/{TMS}"), "self", "application/json", "This document"),
            item,
            link(template(&base, &collection, "tilejson.json"), "describedby", "application/json", "TileJSON"),
            // Only the local one: GDAL follows this link, and our users' networks are closed
            // (`tileMatrixSetURI` names the registry's).
            tms_link(&base),
        ],
    }))
}

/// `TileJSON` of a tileset
///
/// `TileJSON` 3.0 for `MapLibre` and Leaflet clients, with the layer's bounds.
#[utoipa::path(
    get,
    path = "/collections/{collection}/tiles/{tms}/tilejson.json",
    operation_id = "getTileJSON",
    tag = "Tiles",
    params(docs::TiledCollectionPath, ("tms" = String, Path, description = "The tile matrix set: `WebMercatorQuad`", example = "WebMercatorQuad"), docs::LayerQuery),
    responses(
        (status = 200, description = "TileJSON 3.0.0", body = TileJson),
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
) -> Result<Json<TileJson>, ApiError> {
    let tiled = check(&collection, Some(&tms))?;
    let layer = whole_layer_for(&state, &params, &caller).await?;
    let layer_query = match layer {
        Layer::Draft => "",
        Layer::Published => "?layer=published",
    };
    let bounds = tiled.extent(&state, layer).await?.unwrap_or([-180.0, -85.051_129, 180.0, 85.051_129]);
    Ok(Json(TileJson {
        tilejson: "3.0.0".to_owned(),
        name: collection.clone(),
        scheme: "xyz".to_owned(),
        tiles: vec![format!("{}{layer_query}", template(&base, &collection, "{z}/{y}/{x}"))],
        minzoom: 0,
        maxzoom: MAX_ZOOM,
        bounds: bounds.to_vec(),
        limits: TileLimits {
            max_features_per_tile: MAX_TILE_FEATURES,
            max_vertices_per_tile: MAX_TILE_VERTICES,
            kept_first: "largest area_ha, then lowest id".to_owned(),
            simplified_to_tile_units: SIMPLIFY_UNITS,
            tile_extent: clusterplan_store::tiles::EXTENT,
        },
        vector_layers: vec![VectorLayer { id: collection, fields: tiled.fields() }],
    }))
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
        docs::TiledCollectionPath,
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
    let tiled = check(&collection, Some(&tms))?;
    let tile = tile_id(&z, &y, &x)?;
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "layer") {
        return Err(ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("unknown query parameter {unknown:?}; known: layer"),
        });
    }
    let layer = whole_layer_for(&state, &params, &caller).await?;
    // The stamp is read before the tile: the tile is then at least as new as its tag.
    let stamp = tiled.stamp(&state, layer).await?;
    let etag = tag(tag_prefix(layer), stamp);
    if none_match_hits(&headers, &etag) {
        return Ok(not_modified(etag));
    }
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    let key = TileKey::new(layer, &collection, tile, stamp);
    let render = || async {
        Ok::<_, ApiError>(match tiled {
            Tiled::Clusters => state.store.cluster_tile(tile, &collection, layer).await?,
            Tiled::Zones => state.store.zone_tile(tile, &collection, layer).await?,
        })
    };
    let rendered = limits.tile(key, render).await?;
    Ok(match rendered {
        None => (StatusCode::NO_CONTENT, [(header::ETAG, etag), cache]).into_response(),
        Some(bytes) => ([(header::CONTENT_TYPE, HeaderValue::from_static(MVT)), (header::ETAG, etag), cache], bytes)
            .into_response(),
    })
}
