//! Query parameters read alike by several routes: unknown names, `asOf`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::error::ApiError;

/// A 400 about a query parameter.
pub(crate) fn bad_param(detail: String) -> ApiError {
    ApiError::BadRequest { kind: "invalid-parameter", detail }
}

/// Refuses a parameter the route does not read (OGC API - Features asks for it): a typo is
/// not silently ignored.
pub(crate) fn known(params: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    match params.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(bad_param(format!("unknown query parameter {k:?}; known: {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// `asOf=2025-06-30T00:00:00Z`: an RFC 3339 instant.
pub(crate) fn as_of(text: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad_param(format!("asOf={text:?} must be an RFC 3339 instant such as 2025-06-30T00:00:00Z")))
}

/// The parameters a form sends empty when its field is left blank: a choice (`f`, `kind`,
/// `level`), a system (`crs`, `bbox-crs`), a time (`datetime`), a code (`code`, `unit`) and an
/// import's options.
const BLANK_IS_ABSENT: &[&str] = &[
    "crs",
    "bbox-crs",
    "f",
    "kind",
    "level",
    "datetime",
    "code",
    "unit",
    "encoding",
    "filename",
    "axis_order",
    "mapping",
];

/// An empty value is no value for the parameters of [`BLANK_IS_ABSENT`]: `kind=` or `crs=` from
/// a form's empty field is the parameter not given. Other empty values stay and are refused
/// (`bbox=`, `limit=`, `asOf=`, a cursor: the document's schemas have no empty value for them).
/// Handlers that check names with `known` call it after, so an unknown name is refused even
/// when empty.
pub(crate) fn blank_is_absent(params: &mut HashMap<String, String>) {
    params.retain(|k, v| !v.is_empty() || !BLANK_IS_ABSENT.contains(&k.as_str()));
}
