//! CQL2 text (a `filter=` parameter) → the parser: no input may panic, and what parses and
//! names only known properties prints as canonical text that parses back to the same tree (what
//! the stores translate to SQL).
#![no_main]

use clusterplan_core::cql2;
use libfuzzer_sys::fuzz_target;
use queryables::ALLOWED;

#[path = "shared/queryables.rs"]
mod queryables;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(expr) = cql2::parse(text) else { return };
    let Ok(checked) = cql2::check_properties(&expr, ALLOWED) else { return };
    let printed = expr.to_string();
    let again = cql2::parse(&printed).unwrap_or_else(|e| panic!("canonical text {printed:?} does not parse: {e}"));
    assert_eq!(again, expr, "round trip of {text:?} through {printed:?}");
    let _ = cql2::evaluate(&checked, &|_| None);
});
