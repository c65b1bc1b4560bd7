//! CQL2 JSON (`filter-lang=cql2-json`) → the parser: no input may panic or hang, and what
//! parses and names only known properties is checked and evaluated without panicking.
#![no_main]

use clusterplan_core::cql2::{self, PropertyType};
use libfuzzer_sys::fuzz_target;

const ALLOWED: &[(&str, PropertyType)] = &[
    ("name", PropertyType::String),
    ("area_ha", PropertyType::Number),
    ("craft_village", PropertyType::Boolean),
    ("updated_at", PropertyType::Timestamp),
    ("geometry", PropertyType::Geometry),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = cql2::parse_json(text) else { return };
    if let Ok(checked) = cql2::check_properties(&expr, ALLOWED) {
        let _ = cql2::evaluate(&checked, &|_| None);
    }
});
