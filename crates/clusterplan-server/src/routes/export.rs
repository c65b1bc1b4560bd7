//! A whole layer as a file to download: `GET /collections/{collection}/export?f=…`, selected
//! like items (`bbox`, `filter`, `datetime`, `sortby`, `properties`, `layer`, `asOf`) and in
//! any served `crs`. The files come from [`crate::export`].

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use clusterplan_core::Crs;
use futures::TryStreamExt;
use serde_json::{Map, Value};

use super::docs;
use super::documented::Documented;
use super::extract::Collection;
use super::params::{bad_param, blank_is_absent};
use super::selection::{MAX_LIMIT, join_repeated, parse_query, restrict_to_scope};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::export::{ExportError, Format, Row, write};

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/export", axum::routing::get(export))
}

/// The layer as a file
///
/// Every feature that matches (up to 10 000; narrow with `bbox` or `filter` beyond) as one
/// file: `f=geojson`, `csv` (geometry as WKT in the first column), `kml` (WGS 84 only) or `shp`
/// (a zipped Shapefile: UTF-8 `.dbf` declared by `.cpg`, `.prj` with the pinned VN-2000
/// transformation, field names cut to 10 characters) or `gpkg` (a GeoPackage 1.3 file). Coordinates are east/north in `crs`
/// (CRS84 by default) whatever the axis order the system declares.
#[utoipa::path(
    get,
    path = "/collections/{collection}/export",
    operation_id = "exportFeatures",
    tag = "Features",
    params(
        docs::CollectionPath,
        ("f" = inline(docs::ExportFormat), Query, description = "geojson, csv, kml, shp or gpkg"),
        docs::ItemsQuery,
    ),
    responses(
        (status = 200, description = "The file, as an attachment",
            content(("application/geo+json" = Object), ("text/csv" = String),
                ("application/vnd.google-earth.kml+xml" = String), ("application/zip" = String),
                ("application/geopackage+sqlite3" = String))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    Query(mut params): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    join_repeated(&mut params, raw.as_deref(), "properties");
    blank_is_absent(&mut params);
    let format = match params.get("f") {
        None => return Err(bad_param(format!("f is required: {}", Format::OFFERED))),
        Some(f) => {
            Format::parse(f).ok_or_else(|| bad_param(format!("f={f:?} is not offered; use {}", Format::OFFERED)))?
        }
    };
    let paged = ["limit", "offset", "after", "before"].iter().any(|k| params.contains_key(*k));
    let mut request = parse_query(&params, &caller)?;
    if !paged {
        request.query.limit = MAX_LIMIT;
    }
    restrict_to_scope(&state, &caller, &mut request).await?;
    let crs = request.crs.0;
    // Refused before anything is read.
    if let Some(why) = format.refuses(crs) {
        return Err(bad_param(why));
    }
    let query = request.query.clone();
    let matched = match request.as_of {
        // Whether more match than a file holds is all that is asked: count no further.
        None if !paged => state.store.count_clusters_up_to(&query, u64::from(MAX_LIMIT) + 1).await?,
        None => state.store.count_clusters(&query).await?,
        Some(at) => state.store.count_clusters_as_of(&query, at).await?,
    };
    if !paged && matched > u64::from(MAX_LIMIT) {
        return Err(bad_param(format!(
            "more than the {MAX_LIMIT} features one file holds match: narrow with bbox or filter, or page with limit and offset"
        )));
    }
    let clusters: Vec<_> = match request.as_of {
        None => state.store.stream_clusters(query).try_collect().await?,
        Some(at) => state.store.stream_clusters_as_of(query, at).try_collect().await?,
    };
    let mut rows = Vec::with_capacity(clusters.len());
    for cluster in &clusters {
        let mut properties = match crate::wire::cluster_properties(cluster) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        if let Some(keep) = &request.properties {
            properties.retain(|k, _| keep.contains(k));
        }
        let mut geometry = cluster.data.boundary.as_multi_polygon().clone();
        clusterplan_core::crs::transform_geometry(Crs::WGS84, crs, &mut geometry)
            .map_err(|e| ApiError::BadRequest { kind: "invalid-parameter", detail: format!("crs={crs}: {e}") })?;
        rows.push(Row { id: cluster.id, properties, geometry });
    }
    let name = collection.clone();
    let bytes = write(format, collection, crs, rows).await.map_err(|e| match e {
        ExportError::Unsupported(detail) => bad_param(detail),
        ExportError::Writer(_) => ApiError::internal(e),
    })?;
    let disposition = format!("attachment; filename=\"{name}.{}\"", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(format.media_type())),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(ApiError::internal)?),
            (header::CACHE_CONTROL, HeaderValue::from_static(super::conditional::REVALIDATE)),
        ],
        bytes,
    )
        .into_response())
}
