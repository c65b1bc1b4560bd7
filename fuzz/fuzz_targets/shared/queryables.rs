//! The queryables both CQL2 targets check filters against: one of each type a collection offers.

use clusterplan_core::cql2::PropertyType;

pub const ALLOWED: &[(&str, PropertyType)] = &[
    ("name", PropertyType::String),
    ("area_ha", PropertyType::Number),
    ("craft_village", PropertyType::Boolean),
    ("updated_at", PropertyType::Timestamp),
    ("geometry", PropertyType::Geometry),
];
