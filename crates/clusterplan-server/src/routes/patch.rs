//! `PATCH` on an item: a JSON merge patch (RFC 7396) applied to the feature as GeoJSON, then
//! validated and written like a PUT, under the same optimistic lock.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{
    CLUSTER_MEMBERS, Collection, FeatureId, IfMatch, JsonBody, MergePatch, Provenance, RequestCrs, known_members,
};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::precondition::{self, Precondition};
use crate::rights::{Action, Target, authorize, authorize_caller};
use crate::wire::{GEOJSON, WireCrs, cluster_draft, cluster_properties, feature_body, feature_json, properties_draft};

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/items/{id}", axum::routing::patch(update))
}

/// Update a feature
///
/// A JSON merge patch (RFC 7396) of the GeoJSON Feature, validated and written like a PUT
/// under the same `If-Match` lock. Without `If-Match`, the patch is merged field by field over
/// the version the client last read (or the `version` property it sends): a field someone
/// else changed since is a 409 `edit-conflict`, the rest is applied.
#[utoipa::path(
    patch,
    path = "/collections/{collection}/items/{id}",
    operation_id = "updateFeature",
    tag = "Features",
    params(docs::ClusterItemPath, docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = FeaturePatch, content_type = "application/merge-patch+json", description = "A merge patch of the GeoJSON Feature"),
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
#[expect(clippy::too_many_arguments, reason = "one extractor per thing read from the request")]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
    if_match: IfMatch,
    crs: Result<RequestCrs, ApiError>,
    Provenance(ctx): Provenance,
    body: Result<JsonBody<MergePatch>, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("{collection}/{id}");
    // The public is refused before anything else: a hidden draft answers as nothing.
    authorize_caller(&state, &caller, Action::ReplaceFeature, &path).await?;
    let mut patch = body?.value;
    if !patch.is_object() {
        return Err(ApiError::BadRequest {
            kind: "malformed-patch",
            detail: "a merge patch for a feature is a JSON object (RFC 7396)".into(),
        });
    }
    known_members(&patch, CLUSTER_MEMBERS, "a merge patch of a feature")?;
    let planning = crate::planning::take_members(&mut patch, false)?;
    let current = state.store.get_cluster(id).await?;
    let if_match = if_match.given(current.version)?;
    let precondition = precondition::resolve(&state, &caller, &current, if_match, Some(&patch))?;
    // The current feature in CRS84; a patched geometry is in the request's Content-Crs, so the
    // merged document is read in that CRS only when the patch replaces the geometry.
    let geometry_patched = patch.get("geometry").is_some_and(|g| !g.is_null());
    let crs = if geometry_patched { crs?.0 } else { WireCrs::default() };
    let properties_only = properties_only(&patch);
    let (mut document, expected) = match precondition {
        Precondition::Strict(version) => {
            // A patch of properties alone is merged over the properties: no geometry to write.
            let mut document = if properties_only {
                serde_json::json!({ "properties": cluster_properties(&current) })
            } else {
                feature_json(&current, WireCrs::default()).map_err(ApiError::internal)?
            };
            json_patch::merge(&mut document, &patch);
            (document, version)
        }
        // Field by field over today's state; a field changed by someone else since the
        // client's version is a 409.
        Precondition::Merge { base } => {
            (precondition::merge_patch(&state, &current, base, &patch, crs).await?, current.version)
        }
    };
    let draft = match document.get("properties") {
        // A patch of the properties alone keeps the stored boundary as it is.
        Some(serde_json::Value::Object(properties)) if properties_only => {
            properties_draft(properties, state.config.planning_crs, &current.data)?
        }
        _ => {
            // `"geometry": null` removes the member (RFC 7396): the feature then has no
            // geometry, the 422 a POST or PUT of it gets, not a malformed GeoJSON document.
            if let Some(feature) = document.as_object_mut() {
                feature.entry("geometry").or_insert(serde_json::Value::Null);
            }
            cluster_draft(document, crs, state.config.planning_crs)?
        }
    };
    let target = Target::Feature {
        path: &path,
        old: Some(current.data.boundary.as_multi_polygon()),
        new: Some(draft.boundary.as_multi_polygon()),
    };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    // The row read above, not a second read: the write is locked on its version anyway.
    crate::planning::check_edit_of(&state, &current, &draft, &planning).await?;
    // Locked on the version merged over: a write in between is then a 412, never lost.
    let cluster = state.store.update_cluster(id, Some(expected), &draft, &ctx).await?;
    precondition::note(&state, &caller, id, cluster.version);
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(cluster.version))],
        feature_body(&cluster, WireCrs::default()).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Whether a merge patch changes nothing but properties (`{"properties": {…}}`): the merged
/// feature then has the stored geometry and is a well-formed GeoJSON Feature.
fn properties_only(patch: &serde_json::Value) -> bool {
    patch.as_object().is_some_and(|members| {
        members.keys().all(|name| name == "properties")
            && members.get("properties").is_some_and(serde_json::Value::is_object)
    })
}
