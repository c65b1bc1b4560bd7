//! `POST /collections/clusters/import`: a file of clusters (GeoJSON, GeoPackage, zipped
//! Shapefile, KML/KMZ, CSV/XLSX coordinate table, DXF) previewed with `dry_run=true`, or written all at once. The pipeline is
//! [`crate::import::pipeline`], shared with `clusterplan import`.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};

use super::docs;
use super::documented::Documented;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::import::pipeline::{ImportRequest, run};
use crate::rights::{Action, authorize_caller};

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/clusters/import", axum::routing::post(import))
}

/// Import clusters from a file
///
/// The body is the file: GeoJSON (a named `crs` honoured), a GeoPackage (its first feature
/// table or `layer`; its system from `gpkg_spatial_ref_sys`), a zipped Shapefile (`.prj`
/// read; attributes in UTF-8, Windows-1258, TCVN3 or VNI-Windows, from `.cpg`, `encoding` or
/// detected), KML/KMZ, a coordinate table (CSV or XLSX: marker, X, Y and optionally code,
/// parcel and ring columns, in the planning CRS unless `crs`; X/Y order detected by value
/// range and reported as `axis_order`, or declared; attributes it lacks kept from the cluster
/// with its code), or a DXF drawing (the closed polylines of `layer`, CAD X the easting, the
/// text inside as `name`, `code` or `DXF-<n>`).
/// Source fields map to ours by usual names (`TEN_CCN` → `name`, `DIEN_TICH` →
/// `planned_area_ha`, …), overridden by `mapping`. Each feature is checked as its POST (new
/// code) or PUT (the cluster with its code) would be. `dry_run=true` answers the preview and
/// writes nothing; otherwise everything is written in one transaction, each feature a version
/// with reason `import <filename>`, or nothing is (422 `import-refused` with the preview when a
/// feature is refused; 409 when a matched cluster changed meanwhile).
#[utoipa::path(
    post,
    path = "/collections/clusters/import",
    operation_id = "importFeatures",
    tag = "Features",
    params(
        ("dry_run" = Option<bool>, Query, description = "true: preview only"),
        ("crs" = Option<String>, Query, description = "The system of the file's coordinates, over what the file says"),
        ("encoding" = Option<String>, Query, description = "Shapefile text: UTF-8, windows-1258, TCVN3 or VNI (else detected)"),
        ("mapping" = Option<String>, Query, description = "JSON object: source field → property (or null to drop a guess)"),
        ("filename" = Option<String>, Query, description = "The file's name, for the versions' reason"),
        ("layer" = Option<String>, Query, description = "The GeoPackage feature table, workbook sheet or DXF layer to read (else the first table or sheet, every DXF layer)"),
        ("code" = Option<String>, Query, description = "The cluster code of a coordinate table without a code column, or of a drawing's boundaries"),
        ("axis_order" = Option<String>, Query, description = "A coordinate table's X/Y order: north_east (X the northing) or east_north; else detected"),
    ),
    request_body(content = String, content_type = "application/octet-stream", description = "The file"),
    responses(
        (status = 200, description = "The preview (dry_run) or what was written"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 413, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The public is refused before the file is read.
    authorize_caller(&state, &caller, Action::CreateFeature, "clusters").await?;
    let request = ImportRequest::parse(&params)?;
    Ok(axum::Json(run(&state, &caller, body.to_vec(), request).await?).into_response())
}
