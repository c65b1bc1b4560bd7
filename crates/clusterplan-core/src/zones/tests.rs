use geo::{MultiPolygon, polygon};

use super::*;

/// A lon/lat rectangle near the Phú Hưng–Mỹ Thạnh site.
fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Boundary {
    let p = polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)];
    Boundary::from_trusted_storage(MultiPolygon(vec![p]))
}

fn input(land_use: &str) -> ZoneInput {
    ZoneInput { cluster_id: Some(7), land_use: Some(land_use.into()), ..ZoneInput::default() }
}

#[test]
fn factory_plots_and_warehouses_are_leasable_by_default_and_other_uses_are_not() {
    assert!(ZoneAttrs::parse(input("IND")).expect("IND").leasable());
    assert!(ZoneAttrs::parse(input("WH")).expect("WH").leasable());
    for code in ["ADM", "GRN", "WAT", "UTL", "WWTP", "ROAD"] {
        assert!(!ZoneAttrs::parse(input(code)).expect(code).leasable(), "{code}");
    }
}

#[test]
fn every_attribute_problem_is_reported_at_once() {
    let bad = ZoneInput {
        cluster_id: None,
        land_use: Some("SKN".into()),
        leasable: None,
        leased: Some(false),
        tenant: Some("Công ty Mỹ Lồng".into()),
        label: None,
    };
    let problems = ZoneAttrs::parse(bad).expect_err("invalid");
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["cluster_id", "land_use", "tenant"]);
}

#[test]
fn a_road_cannot_be_leasable_and_an_unleasable_plot_cannot_be_leased() {
    let road = ZoneInput { leasable: Some(true), ..input("ROAD") };
    assert_eq!(ZoneAttrs::parse(road).expect_err("road")[0].field, "leasable");
    let green = ZoneInput { leased: Some(true), ..input("GRN") };
    assert_eq!(ZoneAttrs::parse(green).expect_err("green")[0].field, "leased");
    let ind = ZoneInput { leasable: Some(false), leased: Some(true), ..input("IND") };
    assert_eq!(ZoneAttrs::parse(ind).expect_err("ind")[0].field, "leased");
}

#[test]
fn a_leased_plot_with_its_tenant_is_accepted_and_text_is_normalised() {
    let attrs = ZoneAttrs::parse(ZoneInput {
        leased: Some(true),
        tenant: Some("  Cơ sở bánh tráng Mỹ Lồng ".into()),
        label: Some("CN-01".into()),
        ..input("IND")
    })
    .expect("valid");
    assert_eq!(attrs.tenant(), Some("Cơ sở bánh tráng Mỹ Lồng"));
    assert_eq!(attrs.label(), Some("CN-01"));
    assert_eq!(attrs.cluster_id(), 7);
    assert_eq!(attrs.land_use(), LandUse::Industrial);
}

#[test]
fn a_zone_inside_its_cluster_that_shares_an_edge_with_a_sibling_is_placed() {
    let cluster = rect(106.41, 10.23, 106.42, 10.24);
    let a = rect(106.411, 10.231, 106.415, 10.235);
    let b = rect(106.415, 10.231, 106.419, 10.235);
    let problems = check_placement(&b, &cluster, &[(1, &a)], Crs::VN2000_TM3_10545).expect("measured");
    assert!(problems.is_empty(), "{problems:?}");
    // A zone that covers its whole cluster, edges included, is inside.
    assert!(check_placement(&cluster, &cluster, &[], Crs::VN2000_TM3_10545).expect("measured").is_empty());
}

#[test]
fn a_zone_sticking_out_of_its_cluster_is_refused_with_the_area_and_place_outside() {
    let cluster = rect(106.41, 10.23, 106.42, 10.24);
    // 0.001° of longitude beyond the east edge, 0.004° tall: about 109 m × 442 m.
    let zone = rect(106.415, 10.231, 106.421, 10.235);
    let problems = check_placement(&zone, &cluster, &[], Crs::VN2000_TM3_10545).expect("measured");
    let [PlacementProblem::OutsideCluster { area_m2, point, bbox }] = problems.as_slice() else {
        panic!("expected one outside problem: {problems:?}");
    };
    assert!((*area_m2 - 48_000.0).abs() < 1_500.0, "{area_m2}");
    assert!(point[0] > 106.42 && point[0] < 106.421, "{point:?}");
    assert!((bbox[0] - 106.42).abs() < 1e-9 && (bbox[2] - 106.421).abs() < 1e-9, "{bbox:?}");
    assert_eq!(problems[0].code(), "zone-outside-cluster");
}

#[test]
fn overlapping_zones_are_refused_naming_the_other_zone_and_the_overlap_area() {
    let cluster = rect(106.41, 10.23, 106.42, 10.24);
    let a = rect(106.411, 10.231, 106.415, 10.235);
    let far = rect(106.417, 10.236, 106.419, 10.239);
    let zone = rect(106.414, 10.232, 106.416, 10.234);
    let problems = check_placement(&zone, &cluster, &[(3, &a), (4, &far)], Crs::VN2000_TM3_10545).expect("measured");
    let [PlacementProblem::Overlap { zone_id, area_m2, point, .. }] = problems.as_slice() else {
        panic!("expected one overlap: {problems:?}");
    };
    assert_eq!(*zone_id, 3);
    // 0.001° × 0.002° ≈ 109.5 m × 221 m.
    assert!((*area_m2 - 24_200.0).abs() < 800.0, "{area_m2}");
    assert!(point[0] > 106.414 && point[0] < 106.415 && point[1] > 10.232 && point[1] < 10.234);
    assert!(problems[0].message().contains("zone 3"));
}

#[test]
fn slivers_under_the_tolerance_are_not_overlaps() {
    let cluster = rect(106.41, 10.23, 106.42, 10.24);
    let a = rect(106.411, 10.231, 106.415, 10.235);
    // 1e-7° ≈ 1 cm of overlap along a 442 m edge: about 4 m²? No: 0.011 m × 442 m ≈ 4.9 m².
    // 1e-8° ≈ 1 mm: about 0.5 m², under the 1 m² tolerance.
    let b = rect(106.415 - 1e-8, 10.231, 106.419, 10.235);
    assert!(check_placement(&b, &cluster, &[(1, &a)], Crs::VN2000_TM3_10545).expect("measured").is_empty());
    let c = rect(106.415 - 1e-6, 10.231, 106.419, 10.235);
    assert_eq!(check_placement(&c, &cluster, &[(1, &a)], Crs::VN2000_TM3_10545).expect("measured").len(), 1);
}

#[test]
fn occupancy_counts_leased_over_leasable_factory_plots_only() {
    let mut totals = LandTotals::default();
    totals.add(LandUse::Industrial, 6.0, true, true);
    totals.add(LandUse::Industrial, 4.0, true, false);
    totals.add(LandUse::Warehouse, 1.0, true, true);
    totals.add(LandUse::Road, 3.0, false, false);
    assert!((totals.occupancy().expect("rate").percent() - 60.0).abs() < 1e-9);
    assert_eq!(totals.zones, 4);
    assert!((totals.by_use[&LandUse::Road] - 3.0).abs() < 1e-12);
    assert!(LandTotals::default().occupancy().is_none());
}
