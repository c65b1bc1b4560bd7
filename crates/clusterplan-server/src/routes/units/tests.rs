use chrono::NaiveDate;

use super::Period;

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

#[test]
fn datetime_reads_days_instants_and_intervals() {
    let check = |text: &str, start: Option<&str>, end: Option<&str>| {
        assert_eq!(
            Period::parse(text).expect(text),
            Period { start: start.and_then(day), end: end.and_then(day) },
            "{text}"
        );
    };
    check("2015-01-01", Some("2015-01-01"), Some("2015-01-01"));
    check("2015-01-01T23:30:00+07:00", Some("2015-01-01"), Some("2015-01-01"));
    check("2009-01-01/2025-07-01", Some("2009-01-01"), Some("2025-07-01"));
    check("../2009-01-01", None, Some("2009-01-01"));
    check("2025-07-01/..", Some("2025-07-01"), None);
    for bad in ["", "..", "yesterday", "2015-13-01", "2025-07-01/2009-01-01", "2015-01-01/later"] {
        assert!(Period::parse(bad).is_err(), "{bad}");
    }
}
