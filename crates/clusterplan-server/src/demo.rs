//! Bến Tre demo data: the 1998 plan's seed cluster and the province's other clusters and
//! industrial parks (domain notes §4). Centres and areas follow published figures where there
//! are any; **boundaries are illustrative**, drawn as smooth irregular shapes of the right size.

use clusterplan_core::geometry::validate;
use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, Crs, RawBoundary};
use clusterplan_store::{ClusterQuery, Store, StoreError, WriteContext};

struct DemoSite {
    code: &'static str,
    name: &'static str,
    kind: &'static str,
    status: &'static str,
    planned_area_ha: Option<f64>,
    /// Area the illustrative shape is drawn with.
    drawn_area_ha: f64,
    lat: f64,
    lon: f64,
    /// Elongation (east–west stretch) and rotation in degrees, for varied shapes.
    stretch: f64,
    rotation: f64,
    notes: &'static str,
}

const ILLUSTRATIVE: &str = "Ranh giới minh họa, không phải số liệu đo đạc. / Illustrative boundary, not surveyed.";

const SITES: &[DemoSite] = &[
    DemoSite {
        code: "BT-CCN-PHMT",
        name: "Phú Hưng–Mỹ Thạnh",
        kind: "cluster",
        status: "in_plan",
        planned_area_ha: None,
        drawn_area_ha: 48.0,
        lat: 10.240,
        lon: 106.415,
        stretch: 1.8,
        rotation: 15.0,
        notes: "Quy hoạch năm 1998 (Nghị quyết 03/NQ-TU, Quyết định 873/QĐ-UB ngày 8/6/1998): xã Phú Hưng (thị xã Bến Tre) và xã Mỹ Thạnh (huyện Giồng Trôm). Planned in 1998 across Bến Tre town and Giồng Trôm district.",
    },
    DemoSite {
        code: "BT-CCN-PN",
        name: "Phong Nẫm",
        kind: "cluster",
        status: "operating",
        planned_area_ha: Some(10.3),
        drawn_area_ha: 10.3,
        lat: 10.205,
        lon: 106.430,
        stretch: 1.3,
        rotation: -20.0,
        notes: "Thành lập 2005, lấp đầy năm 2011; xã Phong Nẫm, Giồng Trôm. Established 2005, full by 2011.",
    },
    DemoSite {
        code: "BT-CCN-TTB",
        name: "Tân Thành Bình",
        kind: "cluster",
        status: "in_plan",
        planned_area_ha: None,
        drawn_area_ha: 40.0,
        lat: 10.180,
        lon: 106.330,
        stretch: 2.2,
        rotation: 35.0,
        notes: "Quy hoạch đến 2030, Mỏ Cày Bắc, dọc QL60. Planned to 2030, on national road 60.",
    },
    DemoSite {
        code: "BT-CCN-TTAD",
        name: "Thị trấn–An Đức",
        kind: "cluster",
        status: "in_plan",
        planned_area_ha: None,
        drawn_area_ha: 30.0,
        lat: 10.045,
        lon: 106.595,
        stretch: 1.5,
        rotation: 0.0,
        notes: "Quy hoạch đến 2030, huyện Ba Tri. Planned to 2030, Ba Tri district.",
    },
    DemoSite {
        code: "BT-KCN-GL",
        name: "Giao Long",
        kind: "industrial_park",
        status: "operating",
        planned_area_ha: Some(164.3),
        drawn_area_ha: 164.3,
        lat: 10.2987,
        lon: 106.4009,
        stretch: 1.6,
        rotation: -30.0,
        notes: "Khu công nghiệp, huyện Châu Thành (tâm đã khảo sát). Industrial park, Châu Thành (surveyed centre).",
    },
    DemoSite {
        code: "BT-KCN-AH",
        name: "An Hiệp",
        kind: "industrial_park",
        status: "operating",
        planned_area_ha: Some(72.0),
        drawn_area_ha: 72.0,
        lat: 10.2721,
        lon: 106.2843,
        stretch: 1.4,
        rotation: 10.0,
        notes: "Khu công nghiệp, huyện Châu Thành. Industrial park, Châu Thành.",
    },
    DemoSite {
        code: "BT-KCN-PT",
        name: "Phú Thuận",
        kind: "industrial_park",
        status: "established",
        planned_area_ha: Some(231.78),
        drawn_area_ha: 231.78,
        lat: 10.265,
        lon: 106.560,
        stretch: 1.7,
        rotation: 25.0,
        notes: "Khu công nghiệp, huyện Bình Đại. Industrial park, Bình Đại.",
    },
];

/// An irregular closed ring of about `area_ha` around a centre, in lon/lat.
fn illustrative_ring(site: &DemoSite) -> Vec<Vec<f64>> {
    // Radii jitter fixed per vertex so the demo is the same on every start.
    const JITTER: [f64; 11] = [1.0, 0.92, 1.08, 0.97, 1.12, 0.9, 1.05, 0.95, 1.1, 0.93, 1.02];
    let n = JITTER.len();
    let rot = site.rotation.to_radians();
    let local: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            let (x, y) = (JITTER[i] * site.stretch * t.cos(), JITTER[i] * t.sin());
            (x * rot.cos() - y * rot.sin(), x * rot.sin() + y * rot.cos())
        })
        .collect();
    // Shoelace area of the unit shape, then scale to the wanted area in square metres.
    let unit_area: f64 =
        (0..n).map(|i| local[i].0 * local[(i + 1) % n].1 - local[(i + 1) % n].0 * local[i].1).sum::<f64>() / 2.0;
    let scale = (site.drawn_area_ha * 10_000.0 / unit_area.abs()).sqrt();
    let metres_per_deg_lat = 110_600.0;
    let metres_per_deg_lon = 111_320.0 * site.lat.to_radians().cos();
    let mut ring: Vec<Vec<f64>> = local
        .iter()
        .map(|(x, y)| vec![site.lon + x * scale / metres_per_deg_lon, site.lat + y * scale / metres_per_deg_lat])
        .collect();
    ring.push(ring[0].clone());
    ring
}

/// Seeds the demo sites when the store has no cluster; returns how many were added.
///
/// Safe with several instances starting at once on one database: a site another instance
/// wrote first is a duplicate code and is skipped.
pub async fn seed_if_empty(store: &dyn Store, planning_crs: Crs) -> Result<usize, StoreError> {
    let everything = ClusterQuery { limit: 1, ..ClusterQuery::ALL };
    if store.count_clusters(&everything).await? > 0 {
        return Ok(0);
    }
    let ctx = WriteContext {
        author: Some("demo".into()),
        reason: Some("Bến Tre demo data".into()),
        ..WriteContext::default()
    };
    let mut added = 0;
    let mut created = Vec::new();
    for site in SITES {
        let input = ClusterInput {
            code: Some(site.code.into()),
            name: Some(site.name.into()),
            kind: Some(site.kind.into()),
            // Created with the first status of its history; the rest are events.
            status: Some(crate::demo_planning::history(site.code).first().map_or(site.status, |e| e.to).into()),
            planned_area_ha: site.planned_area_ha,
            notes: Some(format!("{} {ILLUSTRATIVE}", site.notes)),
            planning_crs: None,
            roads_completed: Some(site.status == "operating"),
            water_completed: Some(site.status == "operating"),
            wastewater_completed: Some(site.status == "operating"),
            ..ClusterInput::default()
        };
        let attrs = ClusterAttrs::parse(input, planning_crs)
            .map_err(|p| StoreError::Corrupt(format!("demo site {}: {p:?}", site.code)))?;
        let boundary = validate(&RawBoundary::Polygon(vec![illustrative_ring(site)]))
            .map_err(|p| StoreError::Corrupt(format!("demo site {}: {p:?}", site.code)))?;
        let draft = ClusterDraft::new(attrs, boundary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let first = match crate::demo_planning::history(site.code).first() {
            Some(e) => crate::demo_planning::new_event(None, e)?,
            None => return Err(StoreError::Corrupt(format!("demo site {} has no history", site.code))),
        };
        match store.create_cluster_with_event(&draft, &first, &ctx).await {
            Ok((cluster, _)) => {
                crate::demo_planning::apply_history(store, &cluster, &ctx).await?;
                added += 1;
                created.push(store.get_cluster(cluster.id).await?);
            }
            Err(StoreError::Duplicate { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    crate::demo_planning::seed(store, &created, &ctx).await?;
    crate::demo_registry::seed(store, &created, &ctx).await?;
    if added > 0 {
        // The public sees published layers only: the demo's first state is published.
        store.publish_clusters(Some("Dữ liệu minh họa Bến Tre / Bến Tre demo data"), &ctx).await?;
    }
    Ok(added)
}

/// Loads the demo's administrative units and their successions when the store has no unit;
/// returns how many were added.
pub async fn seed_units(store: &dyn Store) -> Result<u64, StoreError> {
    if !store.list_units(&clusterplan_store::UnitQuery::default()).await?.is_empty() {
        return Ok(0);
    }
    let (units, successions) = crate::demo_planning::units()?;
    store.load_units(&units, &successions).await
}
