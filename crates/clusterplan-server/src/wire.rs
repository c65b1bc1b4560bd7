//! GeoJSON on the wire (RFC 7946): reading features sent by clients and writing stored ones.
//! These shapes belong to the HTTP API; the core knows none of them.

use chrono::SecondsFormat;
use clusterplan_core::{Boundary, Cluster, ClusterInput, RawBoundary};
use geo_types::Polygon;
use serde_json::{Map, Value, json};

use crate::error::ApiError;

fn bad(detail: impl Into<String>) -> ApiError {
    ApiError::BadRequest { kind: "malformed-geojson", detail: detail.into() }
}

/// Parses a request body into attributes and a raw boundary.
///
/// JSON syntax and GeoJSON structure errors are 400s; a geometry of the wrong type or
/// attributes of the wrong JSON type are 422s, since the document itself is well formed.
pub fn parse_feature(body: &[u8]) -> Result<(ClusterInput, RawBoundary), ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::BadRequest { kind: "malformed-json", detail: format!("body is not valid JSON: {e}") }
    })?;
    let geojson = geojson::GeoJson::from_json_value(value).map_err(|e| bad(format!("body is not valid GeoJSON: {e}")))?;
    let feature = match geojson {
        geojson::GeoJson::Feature(f) => f,
        other => return Err(bad(format!("expected a GeoJSON Feature, got a {}", type_name(&other)))),
    };
    let geometry = feature.geometry.ok_or_else(|| ApiError::Unprocessable("the feature has no geometry; a boundary is required".into()))?;
    let raw = match geometry.value {
        geojson::Value::Polygon(p) => RawBoundary::Polygon(p),
        geojson::Value::MultiPolygon(m) => RawBoundary::MultiPolygon(m),
        other => {
            return Err(ApiError::Unprocessable(format!(
                "geometry type {} is not accepted; a boundary is a Polygon or MultiPolygon",
                other.type_name()
            )));
        }
    };
    let input = read_properties(feature.properties.unwrap_or_default())?;
    Ok((input, raw))
}

fn type_name(g: &geojson::GeoJson) -> &'static str {
    match g {
        geojson::GeoJson::Geometry(_) => "Geometry",
        geojson::GeoJson::Feature(_) => "Feature",
        geojson::GeoJson::FeatureCollection(_) => "FeatureCollection",
    }
}

/// Reads the writable properties; read-only ones (area, version, timestamps) sent back from
/// a GET are ignored, as are unknown ones.
fn read_properties(props: Map<String, Value>) -> Result<ClusterInput, ApiError> {
    let mut problems = Vec::new();
    let mut text = |field: &'static str| match props.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            problems.push(clusterplan_core::FieldProblem { field, message: format!("{field} must be a string") });
            None
        }
    };
    let code = text("code");
    let name = text("name");
    let kind = text("kind");
    let status = text("status");
    let notes = text("notes");
    let planning_crs = text("planning_crs");
    let planned_area_ha = match props.get("planned_area_ha") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            problems.push(clusterplan_core::FieldProblem {
                field: "planned_area_ha",
                message: "planned_area_ha must be a number of hectares".into(),
            });
            None
        }
    };
    if problems.is_empty() {
        Ok(ClusterInput { code, name, kind, status, planned_area_ha, notes, planning_crs })
    } else {
        Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: problems })
    }
}

fn ring_coords(ring: &geo_types::LineString<f64>) -> Value {
    Value::Array(ring.coords().map(|c| json!([c.x, c.y])).collect())
}

fn polygon_coords(p: &Polygon<f64>) -> Value {
    Value::Array(std::iter::once(p.exterior()).chain(p.interiors()).map(ring_coords).collect())
}

/// GeoJSON geometry of a boundary: a Polygon when it has one part, else a MultiPolygon.
pub fn geometry_json(boundary: &Boundary) -> Value {
    match boundary.single_polygon() {
        Some(p) => json!({ "type": "Polygon", "coordinates": polygon_coords(p) }),
        None => json!({
            "type": "MultiPolygon",
            "coordinates": boundary.as_multi_polygon().0.iter().map(polygon_coords).collect::<Vec<_>>(),
        }),
    }
}

/// A stored cluster as a GeoJSON Feature.
pub fn feature_json(c: &Cluster) -> Value {
    let a = &c.data.attrs;
    json!({
        "type": "Feature",
        "id": c.id,
        "geometry": geometry_json(&c.data.boundary),
        "properties": {
            "code": a.code(),
            "name": a.name(),
            "kind": a.kind().code(),
            "status": a.status().code(),
            "planned_area_ha": a.planned_area_ha(),
            "area_ha": round(c.data.area.projected_ha, 4),
            "geodesic_area_ha": round(c.data.area.geodesic_ha, 4),
            "planning_crs": a.planning_crs().to_string(),
            "notes": a.notes(),
            "version": c.version,
            "created_at": c.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "updated_at": c.updated_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    })
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}
