//! GeoJSON text → validated boundary, as a request body takes it (`wire::parse_feature` then
//! `geometry::validate`): no input may panic, and what `validate` accepts holds the
//! invariants `Boundary` promises (valid for geo, validates again unchanged, finite bbox).
#![no_main]

use clusterplan_core::RawBoundary;
use clusterplan_core::geometry::validate;
use geo::Validation;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(geojson::GeoJson::Feature(feature)) = geojson::GeoJson::from_json_value(value) else { return };
    let raw = match feature.geometry.map(|g| g.value) {
        Some(geojson::Value::Polygon(p)) => RawBoundary::Polygon(p),
        Some(geojson::Value::MultiPolygon(m)) => RawBoundary::MultiPolygon(m),
        _ => return,
    };
    let Ok(boundary) = validate(&raw) else { return };
    let multi = boundary.as_multi_polygon();
    assert!(multi.is_valid(), "accepted a boundary geo finds invalid: {multi:?}");
    let again = clusterplan_core::Boundary::from_stored(multi).expect("a validated boundary validates again");
    assert_eq!(again, boundary, "validation is idempotent");
    assert!(boundary.bbox().iter().all(|v| v.is_finite()));
});
