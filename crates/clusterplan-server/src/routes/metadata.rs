//! Collection metadata set by a publisher: `GET`/`PUT /collections/{id}/metadata`. The
//! collection documents (`/collections`) show it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::SecondsFormat;
use clusterplan_store::CollectionMeta;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use super::extract::{Collection, JsonBody, PlainJson};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/metadata", get(read).put(replace))
}

/// A collection's metadata set by its publisher (unset members are `null`).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Metadata {
    title: Option<String>,
    description: Option<String>,
    license: Option<String>,
    attribution: Option<String>,
    /// Always a list in answers; `null` in a request sets none.
    #[schema(value_type = Option<Vec<String>>, nullable)]
    keywords: Vec<String>,
    /// When it was last set (RFC 3339); the server's, ignored in requests.
    #[schema(read_only)]
    updated_at: Option<String>,
}

impl From<CollectionMeta> for Metadata {
    fn from(meta: CollectionMeta) -> Self {
        Metadata {
            updated_at: meta.updated_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
            title: meta.title,
            description: meta.description,
            license: meta.license,
            attribution: meta.attribution,
            keywords: meta.keywords,
        }
    }
}

/// The publisher's metadata of a collection
#[utoipa::path(
    get,
    path = "/collections/{collection}/metadata",
    operation_id = "getCollectionMetadata",
    tag = "Publishing",
    params(docs::CollectionPath),
    responses(
        (status = 200, description = "The metadata", body = Metadata),
        (status = 404, response = docs::Problem),
    ),
)]
async fn read(State(state): State<AppState>, Collection(collection): Collection) -> Result<Json<Metadata>, ApiError> {
    Ok(Json(state.store.collection_meta(&collection).await?.into()))
}

fn bad(detail: String) -> ApiError {
    ApiError::BadRequest { kind: "invalid-metadata", detail }
}

/// Reads a metadata document: every member optional, strings or `null`, `keywords` a list
/// of strings; unknown members are refused so that a typo is not silently dropped.
fn parse(value: Value) -> Result<CollectionMeta, ApiError> {
    const KNOWN: &[&str] = &["title", "description", "license", "attribution", "keywords", "updated_at"];
    let Value::Object(doc) = value else { return Err(bad("metadata is a JSON object".into())) };
    if let Some(unknown) = doc.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(bad(format!("unknown member {unknown:?}; known: {}", KNOWN.join(", "))));
    }
    let text = |doc: &Map<String, Value>, key: &str| match doc.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(bad(format!("{key} must be a string or null"))),
    };
    let keywords = match doc.get("keywords") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|k| k.as_str().map(|s| s.trim().to_owned()).ok_or_else(|| bad("keywords must be strings".into())))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(bad("keywords must be a list of strings".into())),
    };
    Ok(CollectionMeta {
        title: text(&doc, "title")?,
        description: text(&doc, "description")?,
        license: text(&doc, "license")?,
        attribution: text(&doc, "attribution")?,
        keywords,
        updated_at: None,
    })
}

/// Set the publisher's metadata of a collection
///
/// Every member optional; unknown members are refused.
#[utoipa::path(
    put,
    path = "/collections/{collection}/metadata",
    operation_id = "putCollectionMetadata",
    tag = "Publishing",
    params(docs::CollectionPath, docs::WriteHeaders),
    request_body(content = Metadata, content_type = "application/json", description = "title, description, license, attribution (strings or null), keywords (strings); every member optional"),
    responses(
        (status = 200, description = "The metadata stored", body = Metadata),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 413, response = docs::Problem),
        (status = 415, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    body: Result<JsonBody<PlainJson>, ApiError>,
) -> Result<Json<Metadata>, ApiError> {
    authorize(&state, &caller, Action::ReplaceFeature, Target::Account).await?;
    let meta = parse(body?.value)?;
    let stored = state.store.put_collection_meta(&collection, &meta).await?;
    crate::rights::record_write(&state, &caller, "collection.metadata", collection.clone(), None).await;
    Ok(Json(stored.into()))
}
