use geo::{MultiPolygon, polygon};

use super::*;

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Boundary {
    let p = polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)];
    Boundary::from_trusted_storage(MultiPolygon(vec![p]))
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn unit(code: &str, level: UnitLevel, boundary: Boundary, from: NaiveDate, to: Option<NaiveDate>) -> Unit {
    Unit {
        code: code.into(),
        name: format!("unit {code}"),
        level,
        parent_code: None,
        valid_from: from,
        valid_to: to,
        boundary,
        notes: None,
    }
}

#[test]
fn validity_includes_the_first_day_and_excludes_the_end_day() {
    let mo_cay =
        unit("833", UnitLevel::District, rect(106.2, 10.0, 106.4, 10.1), day(1976, 1, 1), Some(day(2009, 1, 9)));
    assert!(mo_cay.valid_on(day(1976, 1, 1)));
    assert!(mo_cay.valid_on(day(2009, 1, 8)));
    assert!(!mo_cay.valid_on(day(2009, 1, 9)));
    assert!(!mo_cay.valid_on(day(1975, 12, 31)));
    let open = unit("838", UnitLevel::District, rect(106.2, 10.0, 106.4, 10.1), day(2009, 1, 9), None);
    assert!(open.valid_on(day(2100, 1, 1)));
}

#[test]
fn a_cluster_across_a_district_border_gets_both_districts_with_their_shares() {
    let town = unit("829", UnitLevel::District, rect(106.30, 10.20, 106.41, 10.30), day(1976, 1, 1), None);
    let giong_trom = unit("834", UnitLevel::District, rect(106.41, 10.10, 106.55, 10.30), day(1976, 1, 1), None);
    let elsewhere = unit("835", UnitLevel::District, rect(106.55, 10.10, 106.70, 10.30), day(1976, 1, 1), None);
    // A quarter of the site west of 106.41, three quarters east of it.
    let site = rect(106.409, 10.235, 106.413, 10.24);
    let got = shares(&site, &[&town, &giong_trom, &elsewhere], Crs::VN2000_TM3_10545).expect("measured");
    let codes: Vec<_> = got.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["834", "829"]);
    assert!((got[0].share - 0.75).abs() < 1e-3, "{got:?}");
    assert!((got[1].share - 0.25).abs() < 1e-3, "{got:?}");
    let total: f64 = got.iter().map(|s| s.area_ha).sum();
    assert!((total - 24.2).abs() < 0.5, "{total}");
}

#[test]
fn a_unit_that_only_touches_the_site_along_an_edge_has_no_share() {
    let west = unit("829", UnitLevel::District, rect(106.30, 10.20, 106.41, 10.30), day(1976, 1, 1), None);
    let site = rect(106.41, 10.235, 106.413, 10.24);
    assert!(shares(&site, &[&west], Crs::VN2000_TM3_10545).expect("measured").is_empty());
}

#[test]
fn codes_round_trip() {
    for level in UnitLevel::ALL {
        assert_eq!(UnitLevel::from_code(level.code()), Some(*level));
    }
    for kind in SuccessionKind::ALL {
        assert_eq!(SuccessionKind::from_code(kind.code()), Some(*kind));
    }
}
