use super::*;
use crate::geometry::validate;
use crate::{ClusterAttrs, ClusterInput, RawBoundary};

fn draft(status: &str, lon: f64, w: f64) -> ClusterDraft {
    let ring = vec![vec![lon, 10.0], vec![lon + w, 10.0], vec![lon + w, 10.01], vec![lon, 10.01], vec![lon, 10.0]];
    let attrs = ClusterAttrs::parse(
        ClusterInput {
            code: Some("BT-1".into()),
            name: Some("Phú Hưng".into()),
            kind: Some("cluster".into()),
            status: Some(status.into()),
            ..ClusterInput::default()
        },
        Crs::VN2000_TM3_10545,
    )
    .expect("attrs");
    ClusterDraft::new(attrs, validate(&RawBoundary::Polygon(vec![ring])).expect("boundary")).expect("draft")
}

#[test]
fn an_unchanged_state_has_no_changes() {
    let a = draft("in_plan", 106.0, 0.01);
    let d = diff(Some(&a), Some(&a)).expect("diff");
    assert!(d.attributes.is_empty());
    assert!(d.area_added_m2 < 1e-6 && d.area_removed_m2 < 1e-6);
}

#[test]
fn a_shifted_boundary_adds_and_removes_the_same_strip() {
    let a = draft("in_plan", 106.0, 0.01);
    let b = draft("established", 106.005, 0.01);
    let d = diff(Some(&a), Some(&b)).expect("diff");
    assert_eq!(
        d.attributes,
        vec![AttributeChange { field: "status", from: Some("in_plan".into()), to: Some("established".into()) }]
    );
    // Half of a 0.01° square, about 547 m × 1106 m / 2 at 10° N.
    let half = b.area.projected_ha * 10_000.0 / 2.0;
    assert!((d.area_added_m2 - half).abs() / half < 1e-3, "{d:?}");
    assert!((d.area_removed_m2 - half).abs() / half < 1e-3, "{d:?}");
}

#[test]
fn creation_adds_the_whole_area_and_lists_every_set_attribute() {
    let b = draft("in_plan", 106.0, 0.01);
    let d = diff(None, Some(&b)).expect("diff");
    assert!((d.area_added_m2 - b.area.projected_ha * 10_000.0).abs() < 1.0);
    assert!(d.area_removed_m2.abs() < 1e-9);
    assert!(d.attributes.iter().any(|c| c.field == "code" && c.from.is_none()));
}

fn zone(tenant: Option<&str>, lon: f64) -> ZoneDraft {
    use crate::zones::{ZoneAttrs, ZoneInput};
    let ring =
        vec![vec![lon, 10.0], vec![lon + 0.002, 10.0], vec![lon + 0.002, 10.002], vec![lon, 10.002], vec![lon, 10.0]];
    let attrs = ZoneAttrs::parse(ZoneInput {
        cluster_id: Some(1),
        land_use: Some("IND".into()),
        label: Some("Lô A1".into()),
        leasable: Some(true),
        leased: Some(tenant.is_some()),
        tenant: tenant.map(str::to_owned),
    })
    .expect("attrs");
    ZoneDraft::new(attrs, validate(&RawBoundary::Polygon(vec![ring])).expect("boundary"), Crs::VN2000_TM3_10545)
        .expect("zone")
}

#[test]
fn a_zone_leased_and_moved_lists_its_attributes_and_areas() {
    let a = zone(None, 106.0);
    let b = zone(Some("Cty Dừa Xanh"), 106.001);
    let d = diff_zones(Some(&a), Some(&b), Crs::VN2000_TM3_10545).expect("diff");
    let fields: Vec<_> = d.attributes.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["leased", "tenant"]);
    assert_eq!(d.attributes[1].to.as_deref(), Some("Cty Dừa Xanh"));
    let half = b.area.projected_ha * 10_000.0 / 2.0;
    assert!((d.area_added_m2 - half).abs() / half < 1e-3, "{d:?}");
    assert!((d.area_removed_m2 - half).abs() / half < 1e-3, "{d:?}");
    let gone = diff_zones(Some(&b), None, Crs::VN2000_TM3_10545).expect("diff");
    assert!(gone.area_added_m2 < 1e-6 && (gone.area_removed_m2 - 2.0 * half).abs() / half < 1e-3);
    assert_eq!(gone.attributes.len(), 6, "every attribute goes with the deletion");
}
