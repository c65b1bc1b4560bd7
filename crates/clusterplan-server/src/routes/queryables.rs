//! `GET /collections/{id}/queryables`: the JSON Schema of the properties that `filter`,
//! `sortby` and `properties` may name (OGC API - Features Part 3).

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_core::cql2::PropertyType;
use clusterplan_core::{ClusterKind, ClusterStatus};
use clusterplan_store::Queryable;
use serde_json::{Map, Value, json};

use super::docs;
use super::extract::Collection;
use super::filter::TEMPORAL_PROPERTY;
use super::links::BaseUrl;
use crate::AppState;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/collections/{collection}/queryables", get(queryables))
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
         content_type = "application/schema+json", body = Object),
        (status = 404, response = docs::Problem),
    ),
)]
pub(crate) async fn queryables(
    Collection(collection): Collection,
    BaseUrl(base): BaseUrl,
) -> Result<Response, ApiError> {
    let mut properties = Map::new();
    for q in Queryable::ALL {
        properties.insert(q.name().to_owned(), schema_of(q));
    }
    let doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{collection}/queryables"),
        "type": "object",
        "title": "Cụm công nghiệp — queryables",
        "description": format!(
            "Properties that `filter` (CQL2 text), `sortby` and `properties` may name. `datetime` selects on `{}`.",
            TEMPORAL_PROPERTY.name()
        ),
        "properties": properties,
        "additionalProperties": false,
    });
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static("application/schema+json"))],
        serde_json::to_string(&doc).unwrap_or_default(),
    )
        .into_response())
}

fn schema_of(q: Queryable) -> Value {
    let mut schema = match q.property_type() {
        PropertyType::Geometry => json!({
            "title": "Boundary",
            "format": "geometry-multipolygon",
            "x-ogc-role": "primary-geometry",
        }),
        PropertyType::String => json!({ "type": "string" }),
        PropertyType::Number => json!({ "type": "number" }),
        PropertyType::Boolean => json!({ "type": "boolean" }),
        PropertyType::Date => json!({ "type": "string", "format": "date" }),
        PropertyType::Timestamp => json!({ "type": "string", "format": "date-time" }),
    };
    let codes: Option<Vec<&str>> = match q {
        Queryable::Status => Some(ClusterStatus::ALL.iter().map(|s| s.code()).collect()),
        Queryable::Kind => Some(ClusterKind::ALL.iter().map(|k| k.code()).collect()),
        _ => None,
    };
    if let Some(codes) = codes {
        schema["enum"] = json!(codes);
    }
    if q == TEMPORAL_PROPERTY {
        schema["x-ogc-role"] = json!("primary-instant");
    }
    schema
}
