//! What the suites share: drafts on a small grid over Bến Tre, write contexts, a clock tick.

use std::time::Duration;

use clusterplan_core::geometry::validate;
use clusterplan_core::zones::{ZoneAttrs, ZoneDraft, ZoneInput};
use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, Crs, RawBoundary};
use clusterplan_store::WriteContext;

/// A rectangle of `w` × `h` degrees with its south-west corner at (lon, lat).
pub(crate) fn rect(lon: f64, lat: f64, w: f64, h: f64) -> Vec<Vec<f64>> {
    vec![vec![lon, lat], vec![lon + w, lat], vec![lon + w, lat + h], vec![lon, lat + h], vec![lon, lat]]
}

/// Attributes of a cluster (`kind` cluster) with a code, a name and a status.
pub(crate) fn input(code: &str, name: &str, status: &str) -> ClusterInput {
    ClusterInput {
        code: Some(code.into()),
        name: Some(name.into()),
        kind: Some("cluster".into()),
        status: Some(status.into()),
        ..ClusterInput::default()
    }
}

/// A draft from attributes and polygon rings, measured in VN-2000 TM-3 105°45'.
pub(crate) fn draft_of(input: ClusterInput, rings: Vec<Vec<Vec<f64>>>) -> ClusterDraft {
    let attrs = ClusterAttrs::parse(input, Crs::VN2000_TM3_10545).expect("valid attributes");
    ClusterDraft::new(attrs, validate(&RawBoundary::Polygon(rings)).expect("valid boundary")).expect("measurable")
}

/// A 0.005° × 0.004° cluster in plan with its south-west corner at (lon, lat).
pub(crate) fn small(input: ClusterInput, lon: f64, lat: f64) -> ClusterDraft {
    draft_of(input, vec![rect(lon, lat, 0.005, 0.004)])
}

pub(crate) fn ctx(author: &str, reason: &str) -> WriteContext {
    WriteContext { author: Some(author.into()), reason: Some(reason.into()), ..WriteContext::default() }
}

/// Store timestamps have millisecond precision: instants a test compares are kept apart.
pub(crate) async fn tick() {
    tokio::time::sleep(Duration::from_millis(30)).await;
}

/// A zone of `w` × 0.001° at longitude `lon` (inside the cluster while `lon + w <= 106.005`).
pub(crate) fn zone(cluster_id: i64, lon: f64, w: f64, tenant: Option<&str>) -> ZoneDraft {
    let ring =
        vec![vec![lon, 10.001], vec![lon + w, 10.001], vec![lon + w, 10.002], vec![lon, 10.002], vec![lon, 10.001]];
    let attrs = ZoneAttrs::parse(ZoneInput {
        cluster_id: Some(cluster_id),
        land_use: Some("IND".into()),
        label: Some("CN-01".into()),
        leasable: Some(true),
        leased: Some(tenant.is_some()),
        tenant: tenant.map(str::to_owned),
    })
    .expect("attrs");
    ZoneDraft::new(attrs, validate(&RawBoundary::Polygon(vec![ring])).expect("boundary"), Crs::VN2000_TM3_10545)
        .expect("zone")
}
