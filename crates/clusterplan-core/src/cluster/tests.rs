use super::*;
use unicode_normalization::UnicodeNormalization;

fn input() -> ClusterInput {
    ClusterInput {
        code: Some("BT-CCN-PHMT".into()),
        name: Some("Phú Hưng–Mỹ Thạnh".into()),
        kind: Some("cluster".into()),
        status: Some("in_plan".into()),
        planned_area_ha: Some(50.0),
        notes: None,
        planning_crs: None,
        ..ClusterInput::default()
    }
}

#[test]
fn valid_attributes_take_the_default_planning_crs() {
    let attrs = ClusterAttrs::parse(input(), Crs::VN2000_TM3_10545).expect("valid");
    assert_eq!(attrs.planning_crs(), Crs::Epsg(9210));
    assert_eq!(attrs.status(), ClusterStatus::InPlan);
}

#[test]
fn names_are_stored_in_nfc_so_searches_and_uniqueness_see_one_spelling() {
    let decomposed: String = "Phú Hưng".nfd().collect();
    let attrs = ClusterAttrs::parse(ClusterInput { name: Some(decomposed), ..input() }, Crs::WGS84).expect("valid");
    assert_eq!(attrs.name(), "Phú Hưng");
}

#[test]
fn every_bad_attribute_is_reported_at_once() {
    let bad = ClusterInput {
        code: Some("bad code".into()),
        name: Some("  ".into()),
        kind: Some("factory".into()),
        status: Some("done".into()),
        planned_area_ha: Some(f64::NAN),
        notes: None,
        planning_crs: Some("EPSG:4326".into()),
        ..ClusterInput::default()
    };
    let problems = ClusterAttrs::parse(bad, Crs::VN2000_TM3_10545).expect_err("invalid");
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["code", "name", "kind", "status", "planned_area_ha", "planning_crs"]);
}

#[test]
fn status_codes_round_trip() {
    for s in ClusterStatus::ALL {
        assert_eq!(ClusterStatus::from_code(s.code()), Some(*s));
    }
}

#[test]
fn a_wastewater_plant_capacity_is_a_non_negative_number_where_there_is_a_plant() {
    let with = |capacity: f64, completed: bool| {
        let input =
            ClusterInput { wwtp_capacity_m3_day: Some(capacity), wastewater_completed: Some(completed), ..input() };
        ClusterAttrs::parse(input, Crs::WGS84)
    };
    for bad in [-1.0, f64::NAN, f64::INFINITY, 2.0e6] {
        let problems = with(bad, true).expect_err("out of range");
        assert_eq!(problems.iter().map(|p| p.field).collect::<Vec<_>>(), ["wwtp_capacity_m3_day"]);
    }
    let built = with(1500.0, true).expect("valid");
    assert_eq!(built.wwtp_capacity_m3_day(), Some(1500.0));
    assert_eq!(built.wwtp_capacity_problem(false), None, "treatment completed and in use");
    let planned_only = with(1500.0, false).expect("a number in range");
    assert_eq!(planned_only.wwtp_capacity_problem(true), None, "a plant zone is planned");
    let no_plant = planned_only.wwtp_capacity_problem(false).expect("no plant at all");
    assert_eq!(no_plant.field, "wwtp_capacity_m3_day");
    let none = ClusterAttrs::parse(input(), Crs::WGS84).expect("valid");
    assert_eq!(none.wwtp_capacity_problem(false), None, "no capacity, nothing to check");
}
