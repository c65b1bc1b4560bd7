//! `GET /collections/{id}/queryables`: the JSON Schema of the properties that `filter`,
//! `sortby` and `properties` may name (OGC API - Features Part 3).

use std::collections::BTreeMap;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_core::cql2::PropertyType;
use clusterplan_core::{ClusterKind, ClusterStatus};
use clusterplan_store::Queryable;
use serde::Serialize;
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use super::extract::Collection;
use super::filter::TEMPORAL_PROPERTY;
use super::links::BaseUrl;
use crate::AppState;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/queryables", get(queryables))
}

/// `GET /collections/{id}/queryables`: a JSON Schema of what filters may name.
#[utoipa::path(
    get,
    path = "/collections/{collection}/queryables",
    operation_id = "getQueryables",
    tag = "Features",
    params(docs::CollectionPath),
    responses(
        (status = 200, description = "JSON Schema of the properties that `filter`, `sortby` and `properties` may name",
         content_type = "application/schema+json", body = Queryables),
        (status = 404, response = docs::Problem),
    ),
)]
pub(crate) async fn queryables(
    Collection(collection): Collection,
    BaseUrl(base): BaseUrl,
) -> Result<Response, ApiError> {
    let doc = Queryables {
        schema: "https://json-schema.org/draft/2020-12/schema".to_owned(),
        id: format!("{base}/collections/{collection}/queryables"),
        kind: "object".to_owned(),
        title: "Cụm công nghiệp — queryables".to_owned(),
        description: format!(
            "Properties that `filter` (CQL2 text), `sortby` and `properties` may name. `datetime` selects on `{}`.",
            TEMPORAL_PROPERTY.name()
        ),
        properties: Queryable::ALL.iter().map(|&q| (q.name().to_owned(), schema_of(q))).collect(),
        additional_properties: false,
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/schema+json"))],
        serde_json::to_string(&doc).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// The queryables of a collection: a JSON Schema (2020-12) of an object whose properties are
/// what `filter`, `sortby` and `properties` may name.
#[derive(Serialize, ToSchema)]
pub(crate) struct Queryables {
    #[serde(rename = "$schema")]
    #[schema(rename = "$schema")]
    schema: String,
    #[serde(rename = "$id")]
    #[schema(rename = "$id")]
    id: String,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    kind: String,
    title: String,
    description: String,
    properties: BTreeMap<String, QueryableSchema>,
    #[serde(rename = "additionalProperties")]
    #[schema(rename = "additionalProperties")]
    additional_properties: bool,
}

/// The JSON Schema of one queryable; `x-ogc-role` marks the geometry and the instant
/// `datetime` selects on (OGC API - Features Part 3).
#[derive(Serialize, ToSchema, Default)]
pub(crate) struct QueryableSchema {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(rename = "type")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    format: Option<&'static str>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    #[schema(rename = "enum")]
    values: Option<Vec<&'static str>>,
    #[serde(rename = "x-ogc-role", skip_serializing_if = "Option::is_none")]
    #[schema(rename = "x-ogc-role")]
    role: Option<&'static str>,
}

fn schema_of(q: Queryable) -> QueryableSchema {
    let (kind, format) = match q.property_type() {
        PropertyType::Geometry => {
            return QueryableSchema {
                title: Some("Boundary"),
                format: Some("geometry-multipolygon"),
                role: Some("primary-geometry"),
                ..QueryableSchema::default()
            };
        }
        PropertyType::String => ("string", None),
        PropertyType::Number => ("number", None),
        PropertyType::Boolean => ("boolean", None),
        PropertyType::Date => ("string", Some("date")),
        PropertyType::Timestamp => ("string", Some("date-time")),
    };
    let values = match q {
        Queryable::Status => Some(ClusterStatus::ALL.iter().map(|s| s.code()).collect()),
        Queryable::Kind => Some(ClusterKind::ALL.iter().map(|k| k.code()).collect()),
        _ => None,
    };
    let role = (q == TEMPORAL_PROPERTY).then_some("primary-instant");
    QueryableSchema { kind: Some(kind), format, values, role, ..QueryableSchema::default() }
}
