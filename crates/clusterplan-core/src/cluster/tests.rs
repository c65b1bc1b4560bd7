use super::*;

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
