//! `POST /collections/clusters/import`: a file of clusters (GeoJSON, zipped Shapefile,
//! KML/KMZ) previewed with `dry_run=true`, or written all at once. The pipeline is
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
/// The body is the file: GeoJSON (a named `crs` honoured), a zipped Shapefile (`.prj` read;
/// attributes in UTF-8 or Windows-1258, from `.cpg`, `encoding` or detected) or KML/KMZ.
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
        ("encoding" = Option<String>, Query, description = "Shapefile text: UTF-8 or windows-1258"),
        ("mapping" = Option<String>, Query, description = "JSON object: source field → property (or null to drop a guess)"),
        ("filename" = Option<String>, Query, description = "The file's name, for the versions' reason"),
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
