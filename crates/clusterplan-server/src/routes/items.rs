//! Features of a collection: paged, streamed reads and validated, versioned writes.

use std::collections::HashMap;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clusterplan_core::ClusterDraft;
use clusterplan_store::{ClusterQuery, Layer};

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{
    CLUSTER_MEMBERS, Collection, FeatureId, GeoJson, IfMatch, JsonBody, Provenance, RequestCrs, known_members,
};
use super::html::{self, View};
use super::links::{BaseUrl, Link, PageAt, link, location, page_links};
use super::page::{Chunks, PageOf, items_head, items_tail};
use super::params::{as_of, bad_param, blank_is_absent, known};
use super::selection::{ItemsRequest, join_repeated, parse_query, restrict_to_scope};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::precondition::{self, Client, Precondition};
use crate::rights::{Action, Target, authorize, authorize_caller};
use crate::wire::{FeatureOptions, GEOJSON, WireCrs, cluster_draft, feature_body, write_feature};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/{collection}/items", html::get(list, View::Items).post(create).options(options))
        .documented(
            "/collections/{collection}/items/{id}",
            html::get(read, View::Item).put(replace).delete(remove).options(options),
        )
}

fn page_link(base: &str, collection: &str, r: &ItemsRequest, paging: &str, rel: &str) -> Link {
    let href = format!("{base}/collections/{collection}/items?limit={}&{paging}{}", r.query.limit, r.repeat);
    link(href, rel, GEOJSON, rel)
}

/// The features
///
/// A page of features as a GeoJSON FeatureCollection, streamed feature by feature (so a large
/// page is never held in memory as one document), with `numberReturned` and `next`/`prev`
/// links; `numberMatched` is exact when at most 10 000 features match and omitted beyond (the
/// count stops there). In id order (no `sortby`) `next` and `prev` carry opaque cursors
/// (`after`, `before`): every page costs the same, and features written between pages are
/// neither repeated nor skipped. `f=html` renders the same page as a table and a map.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items",
    operation_id = "getFeatures",
    tag = "Features",
    params(docs::CollectionPath, docs::ItemsQuery),
    responses(
        (status = 200, description = "A page of features", headers(("ETag" = String), ("Content-Crs" = String)),
            content(("application/geo+json" = FeatureCollection), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    Query(mut params): Query<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
    BaseUrl(base): BaseUrl,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    join_repeated(&mut params, raw.as_deref(), "properties");
    blank_is_absent(&mut params);
    if let Some(f) = params.get("f").filter(|f| !matches!(f.as_str(), "json" | "geojson")) {
        return Err(bad_param(format!("f={f} is not offered for items; use f=json (or the export endpoint)")));
    }
    let mut request = parse_query(&params, &caller)?;
    let prefix = restrict_to_scope(&state, &caller, &mut request).await?;
    let query = request.query.clone();
    let crs = request.crs;
    // The stamp is read before the data: the page is then never older than its tag. The count
    // is read no further than the bound: beyond it, `numberMatched` is left out.
    let bound = state.config.matched_exact_up_to;
    let count_to = bound.saturating_add(1);
    let (stamp, matched) = if request.as_of.is_none() && !headers.contains_key(header::IF_NONE_MATCH) {
        // Nothing to compare the tag with: stamp and count in one round trip.
        let (stamp, matched) = state.store.clusters_stamp_and_count(&query, count_to).await?;
        (stamp, Some(matched))
    } else {
        (state.store.clusters_stamp(query.layer).await?, None)
    };
    let page_tag = super::conditional::tag(&prefix, stamp);
    if request.as_of.is_none() && super::conditional::none_match_hits(&headers, &page_tag) {
        return Ok(super::conditional::not_modified(page_tag));
    }
    let matched = match (matched, request.as_of) {
        (Some(matched), _) => matched,
        (None, None) => state.store.count_clusters_up_to(&query, count_to).await?,
        (None, Some(at)) => state.store.count_clusters_as_of(&query, at).await?,
    };
    let head = items_head(matched, bound);
    // One feature more than the page: whether there is a next (or previous) page.
    let longer = ClusterQuery { limit: query.limit + 1, ..query.clone() };
    let features = match request.as_of {
        None => state.store.stream_clusters(longer),
        Some(at) => state.store.stream_clusters_as_of(longer, at),
    };
    // What a signed-in client reads of the working layer is the base of its writes without
    // If-Match (`precondition.rs`).
    let reader = (query.layer == Layer::Draft && request.as_of.is_none())
        .then(|| Client::of(&caller))
        .flatten()
        .map(|client| (state.config.reads.clone(), client));
    let at = PageAt { offset: query.offset, cursor: query.cursor, by_id: query.sort().is_empty() };
    let body = async_stream::stream! {
        let mut chunks = Chunks::new(head);
        let mut page = PageOf::new(query.limit, query.cursor, features);
        while let Some(item) = page.next().await {
            match item {
                Ok(cluster) => {
                    if let Some((reads, client)) = &reader {
                        reads.record(client, cluster.id, cluster.version);
                    }
                    let options = FeatureOptions { crs, properties: request.properties.as_deref() };
                    if let Err(e) = write_feature(chunks.feature(page.read.returned == 1), &cluster, options) {
                        tracing::error!(cause = %e, id = cluster.id, "feature cannot be transformed");
                        yield Err(std::io::Error::other("feature transformation failed"));
                        return;
                    }
                    if let Some(full) = chunks.full() {
                        yield Ok::<Bytes, std::io::Error>(full);
                    }
                }
                Err(e) => {
                    // Headers are gone: abort the body so the client sees a broken
                    // transfer, never a truncated document that parses.
                    tracing::error!(cause = %e, "stream of features failed");
                    yield Err(std::io::Error::other("feature stream failed"));
                    return;
                }
            }
        }
        let mut links = page_links(query.limit, at, page.read, |paging, rel| page_link(&base, &collection, &request, paging, rel));
        links.push(html::alternate(&links[0]));
        yield Ok(chunks.finish(&items_tail(page.read.returned, &links)));
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (HeaderName::from_static("content-crs"), crs.content_crs()),
            (header::ETAG, page_tag),
            (header::CACHE_CONTROL, HeaderValue::from_static(super::conditional::REVALIDATE)),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// A feature
///
/// One feature as GeoJSON with its version as `ETag`; `f=html` renders it as a table and a map.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}",
    operation_id = "getFeature",
    tag = "Features",
    params(docs::ClusterItemPath, docs::ItemQuery),
    responses(
        (status = 200, description = "The feature", headers(("ETag" = String), ("Content-Crs" = String)),
            content(("application/geo+json" = Feature), ("text/html" = String))),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    _: Collection,
    id: Result<FeatureId, ApiError>,
    Query(mut params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    known(&params, &["crs", "f", "asOf", "layer"])?;
    blank_is_absent(&mut params);
    let layer = super::layer::layer_for(&params, &caller)?;
    let crs = params.get("crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let cluster = match params.get("asOf") {
        None => state.store.get_cluster_in(id?.0, layer).await?,
        Some(_) if !crate::rights::sees_drafts(&caller.principal) => {
            return Err(ApiError::Unauthorized("past versions are visible to signed-in accounts only".into()));
        }
        Some(at) => state.store.cluster_as_of(id?.0, as_of(at)?).await?,
    };
    if layer == Layer::Draft || params.contains_key("asOf") {
        let scope = crate::rights::draft_scope(&state, &caller).await?;
        scope.check(cluster.data.boundary.as_multi_polygon(), &format!("feature {}", cluster.id))?;
    }
    if layer == Layer::Draft && !params.contains_key("asOf") {
        precondition::note(&state, &caller, cluster.id, cluster.version);
    }
    let tag = etag(cluster.version);
    if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == tag.as_bytes()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::ETAG, tag),
            (HeaderName::from_static("content-crs"), crs.content_crs()),
        ],
        feature_body(&cluster, crs).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// The feature of a create or replace as a validated draft (every geometry and attribute
/// problem at once), and beside it the planning members (`event`, `overrides`) it carries.
fn draft_of(
    state: &AppState,
    body: JsonBody<GeoJson>,
    crs: WireCrs,
    created: bool,
) -> Result<(ClusterDraft, serde_json::Value), ApiError> {
    let mut document = body.value;
    known_members(&document, CLUSTER_MEMBERS, "a feature")?;
    let planning = crate::planning::take_members(&mut document, created)?;
    Ok((cluster_draft(document, crs, state.config.planning_crs)?, planning))
}

/// Create a feature
///
/// Validates the GeoJSON Feature (every geometry and attribute problem is listed in a 422) and
/// stores it as version 1; planning rules and a first status event apply.
#[utoipa::path(
    post,
    path = "/collections/{collection}/items",
    operation_id = "createFeature",
    tag = "Features",
    params(docs::CollectionPath, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = Feature, content_type = "application/geo+json", description = "A GeoJSON Feature"),
    responses(
        (status = 201, description = "Created", headers(("Location" = String), ("ETag" = String)), body = Feature, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 413, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    BaseUrl(base): BaseUrl,
    crs: Result<RequestCrs, ApiError>,
    Provenance(ctx): Provenance,
    body: Result<JsonBody<GeoJson>, ApiError>,
) -> Result<Response, ApiError> {
    authorize_caller(&state, &caller, Action::CreateFeature, &collection).await?;
    let (draft, planning) = draft_of(&state, body?, crs?.0, true)?;
    let target = Target::Feature { path: &collection, old: None, new: Some(draft.boundary.as_multi_polygon()) };
    authorize(&state, &caller, Action::CreateFeature, target).await?;
    let cluster = crate::planning::create_cluster(&state, &draft, &planning, &ctx).await?;
    precondition::note(&state, &caller, cluster.id, cluster.version);
    Ok((
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (header::LOCATION, location(&format!("{base}/collections/{collection}/items/{}", cluster.id))?),
            (header::ETAG, etag(cluster.version)),
        ],
        feature_body(&cluster, WireCrs::default()).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Replace a feature
///
/// Validates the new state and writes it as the next version, if `If-Match` names the
/// current one. Without `If-Match`, the fields that differ from the version the client last
/// read (or the `version` property it sends) are merged over today's state; a field someone
/// else changed since is a 409 `edit-conflict`.
#[utoipa::path(
    put,
    path = "/collections/{collection}/items/{id}",
    operation_id = "replaceFeature",
    tag = "Features",
    params(docs::ClusterItemPath, docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = Feature, content_type = "application/geo+json", description = "A GeoJSON Feature"),
    responses(
        (status = 200, description = "Replaced", headers(("ETag" = String)), body = Feature, content_type = "application/geo+json"),
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
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
    crs: Result<RequestCrs, ApiError>,
    if_match: IfMatch,
    Provenance(ctx): Provenance,
    body: Result<JsonBody<GeoJson>, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("{collection}/{id}");
    // The public is refused before the feature is read: a hidden draft answers as nothing.
    authorize_caller(&state, &caller, Action::ReplaceFeature, &path).await?;
    let crs = crs?.0;
    let mut document = body?.value;
    known_members(&document, CLUSTER_MEMBERS, "a feature")?;
    let planning = crate::planning::take_members(&mut document, false)?;
    let draft = cluster_draft(document.clone(), crs, state.config.planning_crs)?;
    let current = state.store.get_cluster(id).await?;
    let old = Some(current.data.boundary.as_multi_polygon());
    let target = Target::Feature { path: &path, old, new: Some(draft.boundary.as_multi_polygon()) };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    let precondition =
        precondition::resolve(&state, &caller, &current, if_match.given(current.version)?, Some(&document))?;
    let (draft, expected) = match precondition {
        Precondition::Strict(version) => (draft, version),
        // The fields this client changed since its version, over today's state; a field
        // changed by someone else meanwhile is a 409. The merged state is checked again.
        Precondition::Merge { base } => {
            let merged = precondition::merge_replacement(&state, &current, base, &document, crs).await?;
            let draft = cluster_draft(merged, crs, state.config.planning_crs)?;
            let target = Target::Feature { path: &path, old, new: Some(draft.boundary.as_multi_polygon()) };
            authorize(&state, &caller, Action::ReplaceFeature, target).await?;
            (draft, current.version)
        }
    };
    // The row read above, not a second read: the write is locked on its version anyway.
    crate::planning::check_edit_of(&state, &current, &draft, &planning).await?;
    // Rights were checked against the version just read: write only over that one.
    let cluster = state.store.update_cluster(id, Some(expected), &draft, &ctx).await?;
    precondition::note(&state, &caller, id, cluster.version);
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)), (header::ETAG, etag(cluster.version))],
        feature_body(&cluster, WireCrs::default()).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Delete a feature
///
/// Deletes the feature if `If-Match` names its current version, or, without it, if the
/// feature has not changed since the client last read it; its history is kept.
#[utoipa::path(
    delete,
    path = "/collections/{collection}/items/{id}",
    operation_id = "deleteFeature",
    tag = "Features",
    params(docs::ClusterItemPath, docs::IfMatch, docs::WriteHeaders),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 428, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
    if_match: IfMatch,
    Provenance(ctx): Provenance,
) -> Result<StatusCode, ApiError> {
    let path = format!("{collection}/{id}");
    authorize_caller(&state, &caller, Action::DeleteFeature, &path).await?;
    let current = state.store.get_cluster(id).await?;
    let target = Target::Feature { path: &path, old: Some(current.data.boundary.as_multi_polygon()), new: None };
    authorize(&state, &caller, Action::DeleteFeature, target).await?;
    let expected = match precondition::resolve(&state, &caller, &current, if_match.given(current.version)?, None)? {
        Precondition::Strict(version) => version,
        Precondition::Merge { base } => {
            precondition::check_delete(&current, base)?;
            current.version
        }
    };
    state.store.delete_cluster(id, Some(expected), &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The methods allowed
///
/// `Allow` lists the methods (QGIS enables editing from it); the middleware adds it for every
/// item path.
#[utoipa::path(
    options,
    path = "/collections/{collection}/items",
    operation_id = "optionsFeatures",
    tag = "Features",
    params(docs::CollectionPath),
    responses(
        (status = 204, description = "No body; the methods are in Allow", headers(("Allow" = String))),
        (status = 404, response = docs::Problem),
    ),
)]
async fn options(_: Collection) -> StatusCode {
    StatusCode::NO_CONTENT
}
