//! Writing a page of GeoJSON features: 1 000 clusters of 65 vertices, in CRS84 (as stored) and
//! in VN-2000 TM-3 (`crs=EPSG:9210`, every vertex transformed), all properties or two.
//!
//! This is the server's own share of an items page (the database's is measured by the floor in
//! `BENCHMARKS.md`): read it as time per page, and compare runs of the same machine.
//!
//! `cargo bench -p clusterplan-server --bench geojson`

use chrono::{TimeZone, Utc};
use clusterplan_core::geometry::validate;
use clusterplan_core::{Cluster, ClusterAttrs, ClusterDraft, ClusterInput, Crs, RawBoundary};
use clusterplan_server::wire::{FeatureOptions, WireCrs, write_feature};
use criterion::{Criterion, criterion_group, criterion_main};

const FEATURES: usize = 1_000;
const VERTICES: usize = 64;

/// A 64-gon of about 40 ha at the `k`-th place of a grid over Bến Tre.
fn cluster(k: usize) -> Cluster {
    let (lon, lat) = (105.9 + (k % 40) as f64 * 0.02, 9.9 + (k / 40) as f64 * 0.015);
    let mut ring: Vec<Vec<f64>> = (0..VERTICES)
        .map(|i| {
            let a = i as f64 / VERTICES as f64 * std::f64::consts::TAU;
            vec![lon + 0.0035 * a.cos(), lat + 0.0035 * a.sin()]
        })
        .collect();
    ring.push(ring[0].clone());
    let boundary = validate(&RawBoundary::Polygon(vec![ring])).expect("valid");
    let attrs = ClusterAttrs::parse(
        ClusterInput {
            code: Some(format!("BT-{k:04}")),
            name: Some(format!("Cụm công nghiệp số {k}")),
            kind: Some("cluster".into()),
            status: Some("operating".into()),
            planned_area_ha: Some(40.0),
            notes: Some("Khu A: cơ khí, chế biến dừa".into()),
            ..ClusterInput::default()
        },
        Crs::VN2000_TM3_10545,
    )
    .expect("attributes");
    let at = Utc.with_ymd_and_hms(2025, 6, 14, 8, 30, 0).single().expect("instant");
    Cluster {
        id: k as i64 + 1,
        version: 3,
        created_at: at,
        updated_at: at,
        data: ClusterDraft::new(attrs, boundary).expect("draft"),
    }
}

fn page(c: &mut Criterion) {
    let clusters: Vec<Cluster> = (0..FEATURES).map(cluster).collect();
    let vn2000 = WireCrs(Crs::Epsg(9210));
    let two = vec!["code".to_owned(), "status".to_owned()];
    let mut out = Vec::with_capacity(1 << 20);
    for (name, crs, keep) in [
        ("crs84 all", WireCrs::default(), None),
        ("crs84 two properties", WireCrs::default(), Some(two.as_slice())),
        ("epsg9210 all", vn2000, None),
    ] {
        c.bench_function(&format!("page of {FEATURES} features, {name}"), |b| {
            b.iter(|| {
                out.clear();
                for cluster in &clusters {
                    write_feature(&mut out, cluster, FeatureOptions { crs, properties: keep }).expect("written");
                }
                out.len()
            });
        });
    }
}

criterion_group!(benches, page);
criterion_main!(benches);
