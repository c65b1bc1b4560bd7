//! CQL2 JSON (`filter-lang=cql2-json`) → the parser: no input may panic or hang, and what
//! parses and names only known properties is checked and evaluated without panicking.
#![no_main]

use clusterplan_core::cql2;
use libfuzzer_sys::fuzz_target;
use queryables::ALLOWED;

#[path = "shared/queryables.rs"]
mod queryables;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = cql2::parse_json(text) else { return };
    if let Ok(checked) = cql2::check_properties(&expr, ALLOWED) {
        let _ = cql2::evaluate(&checked, &|_| None);
    }
});
