//! History of a feature over HTTP, for clusters and zones alike: its versions, one version, a
//! diff between two, and revert. `asOf` reads of a layer and of one feature are in `items.rs`
//! and `zones.rs`. History holds working states, so it is read by accounts only (401 for the
//! public, as `asOf`).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clusterplan_core::Crs;
use clusterplan_core::diff::{ClusterDiff, diff, diff_zones};
use clusterplan_store::{StoreError, Version};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{FeatureId, IfMatch, JsonBody, Provenance};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Kept, Target, authorize, authorize_caller, draft_scope, history_scope, latest};
use crate::wire::{GEOJSON, WireCrs, feature_json};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/{collection}/items/{id}/versions", get(versions))
        .documented("/collections/{collection}/items/{id}/versions/{n}", get(one_version))
        .documented("/collections/{collection}/items/{id}/diff", get(version_diff))
        .documented("/collections/{collection}/items/{id}/revert", post(revert))
}

fn cluster_json(c: &clusterplan_core::Cluster) -> Result<Value, ApiError> {
    feature_json(c, WireCrs::default()).map_err(ApiError::internal)
}

fn zone_json(z: &clusterplan_core::zones::Zone) -> Result<Value, ApiError> {
    crate::wire::zone_json(z, WireCrs::default())
}

/// One version of a feature: who wrote it, when, why, and the feature as written.
#[derive(Serialize, ToSchema)]
pub(crate) struct VersionDoc {
    version: i64,
    /// `create`, `update`, `delete`, `revert`, `restore`, `import`.
    operation: String,
    author: Option<String>,
    reason: Option<String>,
    legal_act: Option<String>,
    /// The version a revert copied.
    reverted_from: Option<i64>,
    /// RFC 3339.
    written_at: String,
    /// The GeoJSON feature as written; `null` for the deletion.
    #[schema(value_type = Option<Object>)]
    feature: Option<Value>,
}

/// Every version of a feature, oldest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct VersionList {
    id: i64,
    versions: Vec<VersionDoc>,
}

/// What changed between two versions.
#[derive(Serialize, ToSchema)]
pub(crate) struct DiffDoc {
    id: i64,
    from: i64,
    to: i64,
    attributes: Vec<AttributeChangeDoc>,
    /// Area in the newer version only, m² of `area_crs`.
    area_added_m2: f64,
    /// Area in the older version only.
    area_removed_m2: f64,
    area_crs: String,
}

/// One attribute that changed, as text (`null` when absent).
#[derive(Serialize, ToSchema)]
pub(crate) struct AttributeChangeDoc {
    field: &'static str,
    from: Option<String>,
    to: Option<String>,
}

fn version_json<T>(v: &Version<T>, feature: fn(&T) -> Result<Value, ApiError>) -> Result<VersionDoc, ApiError> {
    Ok(VersionDoc {
        version: v.version,
        operation: v.operation.clone(),
        author: v.author.clone(),
        reason: v.reason.clone(),
        legal_act: v.legal_act.clone(),
        reverted_from: v.reverted_from,
        written_at: v.written_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        feature: v.state.as_ref().map(feature).transpose()?,
    })
}

fn not_found_version(id: i64, n: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("feature {id} has no version {n}")),
        other => other,
    }
}

/// `GET …/items/{id}/versions`: every version, oldest first, each with its full feature
/// (`null` for the deletion), so a client can draw past boundaries.
/// The versions of a feature
///
/// Every version, oldest first: author, time, reason, legal act and the full feature (`null`
/// for the deletion).
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/versions",
    operation_id = "getFeatureVersions",
    tag = "History",
    params(docs::ItemPath),
    responses(
        (status = 200, description = "The versions", body = VersionList),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    kept: Kept,
    FeatureId(id): FeatureId,
) -> Result<Response, ApiError> {
    let scope = draft_scope(&state, &caller).await?;
    let list: Result<Vec<VersionDoc>, ApiError> = match kept {
        Kept::Clusters => {
            let versions = state.store.versions(id).await?;
            scope.check_history(id, latest(&versions).map(|c| &c.data.boundary))?;
            versions.iter().map(|v| version_json(v, cluster_json)).collect()
        }
        Kept::Zones => {
            let versions = state.store.zone_versions(id).await?;
            scope.check_history(id, latest(&versions).map(|z| &z.data.boundary))?;
            versions.iter().map(|v| version_json(v, zone_json)).collect()
        }
    };
    Ok(axum::Json(VersionList { id, versions: list? }).into_response())
}

/// `GET …/items/{id}/versions/{n}`.
/// One version of a feature
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/versions/{n}",
    operation_id = "getFeatureVersion",
    tag = "History",
    params(docs::ItemPath, ("n" = i64, Path, description = "The version number")),
    responses(
        (status = 200, description = "The version", body = VersionDoc),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn one_version(
    State(state): State<AppState>,
    caller: Caller,
    kept: Kept,
    FeatureId(id): FeatureId,
    Path((_, _, n)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    history_scope(&state, &caller, kept, id).await?;
    let n = n.parse::<i64>().map_err(|_| ApiError::NotFound(format!("version {n:?} does not exist")))?;
    let json = match kept {
        Kept::Clusters => {
            state.store.version(id, n).await.map_err(ApiError::from).and_then(|v| version_json(&v, cluster_json))
        }
        Kept::Zones => {
            state.store.zone_version(id, n).await.map_err(ApiError::from).and_then(|v| version_json(&v, zone_json))
        }
    };
    Ok(axum::Json(json.map_err(not_found_version(id, n))?).into_response())
}

/// `GET …/items/{id}/diff?from=&to=`: attributes that changed and the area added and removed.
/// The difference between two versions
///
/// Attributes changed, and the area added and removed in m² of the planning CRS.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/diff",
    operation_id = "getFeatureDiff",
    tag = "History",
    params(docs::ItemPath, ("from" = i64, Query, description = "The older version"), ("to" = i64, Query, description = "The newer version")),
    responses(
        (status = 200, description = "The difference", body = DiffDoc),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn version_diff(
    State(state): State<AppState>,
    caller: Caller,
    kept: Kept,
    FeatureId(id): FeatureId,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    history_scope(&state, &caller, kept, id).await?;
    let number = |key: &str| -> Result<i64, ApiError> {
        let text = params.get(key).ok_or_else(|| ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("{key} (a version number) is required"),
        })?;
        text.parse::<i64>().map_err(|_| ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("{key}={text:?} must be a version number"),
        })
    };
    let (from, to) = (number("from")?, number("to")?);
    let d = match kept {
        Kept::Clusters => {
            let a = state.store.version(id, from).await.map_err(ApiError::from).map_err(not_found_version(id, from))?;
            let b = state.store.version(id, to).await.map_err(ApiError::from).map_err(not_found_version(id, to))?;
            diff(a.state.as_ref().map(|c| &c.data), b.state.as_ref().map(|c| &c.data))
        }
        Kept::Zones => {
            let store = &state.store;
            let version = |n| async move {
                store.zone_version(id, n).await.map_err(ApiError::from).map_err(not_found_version(id, n))
            };
            let (a, b) = (version(from).await?, version(to).await?);
            let (a, b) = (a.state.as_ref().map(|z| &z.data), b.state.as_ref().map(|z| &z.data));
            let crs = zone_crs(&state, b.or(a).map(|z| z.attrs.cluster_id())).await?;
            diff_zones(a, b, crs)
        }
    }
    .map_err(ApiError::internal)?;
    Ok(axum::Json(diff_json(id, from, to, &d)).into_response())
}

fn diff_json(id: i64, from: i64, to: i64, d: &ClusterDiff) -> DiffDoc {
    DiffDoc {
        id,
        from,
        to,
        attributes: d
            .attributes
            .iter()
            .map(|c| AttributeChangeDoc { field: c.field, from: c.from.clone(), to: c.to.clone() })
            .collect(),
        area_added_m2: d.area_added_m2,
        area_removed_m2: d.area_removed_m2,
        area_crs: d.crs.to_string(),
    }
}

/// The CRS a zone's areas are measured in: its cluster's planning CRS, or the province's
/// default when the cluster is gone.
async fn zone_crs(state: &AppState, cluster_id: Option<i64>) -> Result<Crs, ApiError> {
    let Some(cluster_id) = cluster_id else { return Ok(Crs::VN2000_TM3_10545) };
    match state.store.get_cluster(cluster_id).await {
        Ok(c) => Ok(c.data.attrs.planning_crs()),
        Err(StoreError::NotFound(_)) => Ok(Crs::VN2000_TM3_10545),
        Err(e) => Err(e.into()),
    }
}

/// The version to write again, why, and the planning rules' overrides (as for events).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RevertBody {
    version: i64,
    #[serde(default)]
    reason: Option<String>,
    /// `[{rule_id, reason}]`: read from the body by `planning::check_revert`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    #[allow(dead_code, reason = "read from the raw body by the planning rules")]
    overrides: Option<Value>,
}

/// Revert a feature
///
/// Writes version `n`'s state again as a new version (bringing back a deleted feature);
/// `If-Match` applies. Checked like a PUT: rights against both the current and the restored
/// boundary, and the planning rules of today against the restored state
/// (`planning::check_revert`); `overrides` as for events.
#[utoipa::path(
    post,
    path = "/collections/{collection}/items/{id}/revert",
    operation_id = "revertFeature",
    tag = "History",
    params(docs::ItemPath, docs::IfMatch, docs::WriteHeaders),
    request_body(content = RevertBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The feature as reverted", headers(("ETag" = String)), body = ClusterOrZoneFeature, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn revert(
    State(state): State<AppState>,
    caller: Caller,
    kept: Kept,
    FeatureId(id): FeatureId,
    if_match: IfMatch,
    Provenance(mut ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("{}/{id}", kept.collection());
    // The public is refused before the body or the feature is read: a hidden draft answers as
    // nothing.
    authorize_caller(&state, &caller, Action::RevertFeature, &path).await?;
    let body = body?;
    super::extract::known_members(&body.value, &["version", "reason", "overrides"], "a revert")?;
    let RevertBody { version, reason, .. } = body.read("body must be {\"version\": n, \"reason\": \"…\"}")?;
    let expected = if_match.version()?;
    if reason.is_some() {
        ctx.reason = reason;
    }
    let (version_tag, feature) = match kept {
        Kept::Clusters => {
            let cluster = revert_cluster(&state, &caller, &path, id, version, expected, &ctx, &body.value).await?;
            crate::precondition::note(&state, &caller, cluster.id, cluster.version);
            (cluster.version, cluster_json(&cluster)?)
        }
        Kept::Zones => {
            let zone = revert_zone(&state, &caller, &path, id, version, expected, &ctx).await?;
            (zone.version, zone_json(&zone)?)
        }
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(version_tag))],
        feature.to_string(),
    )
        .into_response())
}

/// The feature as it is now, `None` when it is deleted.
fn live<T>(read: Result<T, StoreError>) -> Result<Option<T>, ApiError> {
    match read {
        Ok(feature) => Ok(Some(feature)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A revert is checked like a PUT: rights against the current and the restored boundary.
async fn authorize_revert(
    state: &AppState,
    caller: &Caller,
    path: &str,
    (current, restored): (Option<&clusterplan_core::Boundary>, Option<&clusterplan_core::Boundary>),
) -> Result<(), ApiError> {
    let target = Target::Feature {
        path,
        old: current.map(clusterplan_core::Boundary::as_multi_polygon),
        new: restored.map(clusterplan_core::Boundary::as_multi_polygon),
    };
    authorize(state, caller, Action::RevertFeature, target).await
}

fn tombstone(id: i64, version: i64) -> ApiError {
    ApiError::Unprocessable(format!(
        "version {version} of feature {id} is its deletion; revert to a version that has a boundary"
    ))
}

#[allow(clippy::too_many_arguments)]
async fn revert_cluster(
    state: &AppState,
    caller: &Caller,
    path: &str,
    id: i64,
    version: i64,
    mut expected: Option<i64>,
    ctx: &clusterplan_store::WriteContext,
    doc: &Value,
) -> Result<clusterplan_core::Cluster, ApiError> {
    let target =
        state.store.version(id, version).await.map_err(ApiError::from).map_err(not_found_version(id, version))?;
    let current = live(state.store.get_cluster(id).await)?;
    let boundaries = (current.as_ref().map(|c| &c.data.boundary), target.state.as_ref().map(|c| &c.data.boundary));
    authorize_revert(state, caller, path, boundaries).await?;
    // The restored state meets the planning rules as a PUT or a re-creation would.
    let restored = target.state.as_ref().ok_or_else(|| tombstone(id, version))?;
    crate::planning::check_revert(state, id, &restored.data, current.is_some(), doc).await?;
    // The rights were checked against the version read above: write only over that one.
    if expected.is_none() {
        expected = current.as_ref().map(|c| c.version);
    }
    Ok(state.store.revert_cluster(id, version, expected, ctx).await?)
}

async fn revert_zone(
    state: &AppState,
    caller: &Caller,
    path: &str,
    id: i64,
    version: i64,
    mut expected: Option<i64>,
    ctx: &clusterplan_store::WriteContext,
) -> Result<clusterplan_core::zones::Zone, ApiError> {
    let target =
        state.store.zone_version(id, version).await.map_err(ApiError::from).map_err(not_found_version(id, version))?;
    let current = live(state.store.get_zone(id).await)?;
    let boundaries = (current.as_ref().map(|z| &z.data.boundary), target.state.as_ref().map(|z| &z.data.boundary));
    authorize_revert(state, caller, path, boundaries).await?;
    if target.state.is_none() {
        return Err(tombstone(id, version));
    }
    // Placement (inside the cluster, no overlap with today's siblings) is checked by the store
    // in the write's transaction. Rights were checked against the version read above.
    if expected.is_none() {
        expected = current.as_ref().map(|z| z.version);
    }
    Ok(state.store.revert_zone(id, version, expected, ctx).await?)
}
