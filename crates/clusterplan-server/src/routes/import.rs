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
    Router::new()
        .documented("/collections/clusters/import", axum::routing::post(import))
        .documented("/collections/zones/import", axum::routing::post(import_zones))
}

/// Import clusters from a file
///
/// The body is the file: GeoJSON (a named `crs` honoured), a GeoPackage (its first feature
/// table or `layer`; its system from `gpkg_spatial_ref_sys`), a zipped Shapefile (`.prj`
/// read; attributes in UTF-8, Windows-1258, TCVN3 or VNI-Windows, from `.cpg`, `encoding` or
/// detected), KML/KMZ, a coordinate table (CSV, its text encoded and detected as a Shapefile's, or XLSX: marker, X, Y and optionally code,
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
    params(docs::ImportQuery),
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
    Query(mut params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The public is refused before the file is read.
    authorize_caller(&state, &caller, Action::CreateFeature, "clusters").await?;
    super::params::blank_is_absent(&mut params);
    let request = ImportRequest::parse(&params)?;
    Ok(axum::Json(run(&state, &caller, body.to_vec(), request).await?).into_response())
}

/// Import zones from a file
///
/// The land-use plots of a detailed plan, from the same files as clusters (GeoJSON, GeoPackage,
/// zipped Shapefile, KML/KMZ, DXF). Each feature names its cluster by `cluster_code` (or
/// `cluster_id`) and carries `land_use` (IND, WH, ADM, GRN, WAT, UTL, WWTP, ROAD), `label`,
/// `leasable`, `leased` and `tenant`; usual Vietnamese field names are guessed (`MA_CCN`,
/// `LOAI_DAT`, `KY_HIEU`, …) and `mapping` overrides them. Each zone is checked as its POST
/// would be, against the stored zones of its cluster and the file's zones before it. A zone
/// equal to a stored one with its label is `unchanged`; one that differs is refused (edit it on
/// the map). `dry_run=true` previews; otherwise all zones are written in one transaction, each
/// with its first version, or none (422 `import-refused` with the preview).
#[utoipa::path(
    post,
    path = "/collections/zones/import",
    operation_id = "importZones",
    tag = "Zones",
    params(docs::ImportQuery),
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
async fn import_zones(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize_caller(&state, &caller, Action::CreateFeature, "zones").await?;
    super::params::blank_is_absent(&mut params);
    let request = ImportRequest::parse(&params)?;
    Ok(axum::Json(crate::import::zones::run(&state, &caller, body.to_vec(), request).await?).into_response())
}
