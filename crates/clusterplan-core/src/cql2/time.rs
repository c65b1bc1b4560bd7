//! Instants and days as filters read them: the one reading of a date-time text and of a date's
//! span, shared by CQL2 literals and the items' `datetime=` parameter.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// An instant: RFC 3339, or a date-time without an offset (read as UTC), with seconds and
/// fractions or to the minute.
#[must_use]
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|t| t.and_utc())
}

/// The first and last instant (to the microsecond, as the stores keep time) of a UTC day.
#[must_use]
pub fn day_bounds(date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = date.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default();
    let last = date.and_hms_micro_opt(23, 59, 59, 999_999).map(|t| t.and_utc()).unwrap_or_default();
    (first, last)
}
