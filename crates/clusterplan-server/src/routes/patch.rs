//! `PATCH` on an item: a JSON merge patch (RFC 7396) applied to the feature as GeoJSON, then
//! validated and written like a PUT, under the same optimistic lock.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::docs;
use super::items::{
    GEOJSON, body_bytes, check_collection, draft_from_feature, etag, parse_id, request_crs, required_version,
    write_context,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};
use crate::wire::{WireCrs, feature_json};

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/collections/{collection}/items/{id}", axum::routing::patch(update))
}

/// Media types a merge patch may come as.
const PATCH_TYPES: &[&str] = &["application/merge-patch+json", "application/json", "application/geo+json"];

/// Update a feature
///
/// A JSON merge patch (RFC 7396) of the GeoJSON Feature, validated and written like a PUT
/// under the same `If-Match` lock.
#[utoipa::path(
    patch,
    path = "/collections/{collection}/items/{id}",
    operation_id = "updateFeature",
    tag = "Features",
    params(docs::ItemPath, docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = Object, content_type = "application/merge-patch+json", description = "A merge patch of the GeoJSON Feature"),
    responses(
        (status = 200, description = "Updated", headers(("ETag" = String)), body = Feature, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
        (status = 428, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn update(
    State(state): State<AppState>,
    Path((collection, id)): Path<(String, String)>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    check_collection(&collection)?;
    let id = parse_id(&id)?;
    let expected = required_version(&state, &headers)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !PATCH_TYPES.contains(&essence.as_str()) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Content-Type {content_type:?} is not accepted for PATCH; send application/merge-patch+json"
        )));
    }
    let body = body_bytes(&state, body)?;
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest { kind: "malformed-json", detail: format!("body is not valid JSON: {e}") })?;
    if !patch.is_object() {
        return Err(ApiError::BadRequest {
            kind: "malformed-patch",
            detail: "a merge patch for a feature is a JSON object (RFC 7396)".into(),
        });
    }
    let current = state.store.get_cluster(id).await?;
    // The current feature in CRS84; a patched geometry is in the request's Content-Crs, so the
    // merged document is read in that CRS only when the patch replaces the geometry.
    let mut document = feature_json(&current, WireCrs::default()).map_err(ApiError::internal)?;
    let geometry_patched = patch.get("geometry").is_some_and(|g| !g.is_null());
    json_patch::merge(&mut document, &patch);
    let crs = if geometry_patched { request_crs(&headers)? } else { WireCrs::default() };
    let bytes = serde_json::to_vec(&document).map_err(ApiError::internal)?;
    let draft = draft_from_feature(&state, &bytes, crs)?;
    let path = format!("{collection}/{id}");
    let target = Target::Feature {
        path: &path,
        old: Some(current.data.boundary.as_multi_polygon()),
        new: Some(draft.boundary.as_multi_polygon()),
    };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    crate::planning::check_edit(&state, id, &draft, &patch).await?;
    // The lock is the version the client named, or the one just read when it sent `*` (or no
    // If-Match where that is allowed): a write in between is then a 412, never lost.
    let cluster = state
        .store
        .update_cluster(id, Some(expected.unwrap_or(current.version)), &draft, &write_context(&caller, &headers))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(cluster.version))],
        feature_json(&cluster, WireCrs::default()).map_err(ApiError::internal)?.to_string(),
    )
        .into_response())
}
