//! CQL2 filters and sorts on 2 000 clusters, on the embedded store and (when
//! `CLUSTERPLAN_BENCH_POSTGRES` names a server with PostGIS) on PostGIS: count plus the first
//! page of 100, as an items request does.
//!
//! Read ratios to the peer of the same run and backend, not absolute times:
//! - `bbox-param` is the peer: the indexed bbox query of OGC API - Features Part 1;
//! - `spatial-filter ÷ bbox-param`: near 1 means `S_INTERSECTS(geometry, BBOX(…))` uses the
//!   same index (a scan of every feature would be far slower);
//! - `attribute-filter`, `like-filter`, `sorted` over `unfiltered`: the price of a filter or a
//!   sort that no index serves (the GeoPackage store decides `LIKE` in Rust after its prefilter).
//!
//! `cargo bench -p clusterplan-store --bench filter` (set `CLUSTERPLAN_BENCH_POSTGRES=
//! postgres://postgres@127.0.0.1:5432/postgres` to include PostGIS).

use std::sync::Arc;

use clusterplan_core::cql2::parse;
use clusterplan_core::geometry::validate;
use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, Crs, RawBoundary};
use clusterplan_store::{ClusterQuery, GpkgStore, PostgisStore, Queryable, Selection, SortKey, Store, WriteContext};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use futures::TryStreamExt;

const CLUSTERS: usize = 2_000;

fn draft(k: usize) -> ClusterDraft {
    let (lon, lat) = (105.9 + (k % 50) as f64 * 0.012, 9.8 + (k / 50) as f64 * 0.012);
    let attrs = ClusterAttrs::parse(
        ClusterInput {
            code: Some(format!("B-{k:05}")),
            name: Some(format!("Cụm bench {k}")),
            kind: Some("cluster".into()),
            status: Some(if k.is_multiple_of(10) { "established" } else { "in_plan" }.into()),
            planned_area_ha: Some((k % 97) as f64),
            ..ClusterInput::default()
        },
        Crs::VN2000_TM3_10545,
    )
    .expect("attributes");
    let ring = vec![
        vec![lon, lat],
        vec![lon + 0.008, lat],
        vec![lon + 0.008, lat + 0.008],
        vec![lon, lat + 0.008],
        vec![lon, lat],
    ];
    let boundary = validate(&RawBoundary::Polygon(vec![ring])).expect("boundary");
    ClusterDraft::new(attrs, boundary).expect("draft")
}

async fn populate(store: &dyn Store) {
    for k in 0..CLUSTERS {
        store.create_cluster(&draft(k), &WriteContext::default()).await.expect("create");
    }
}

/// What an items request reads: the count and the first page.
async fn read(store: &dyn Store, query: &ClusterQuery) -> usize {
    let matched = store.count_clusters(query).await.expect("count");
    let page: Vec<_> = store.stream_clusters(query.clone()).try_collect().await.expect("page");
    assert!(matched as usize >= page.len());
    page.len()
}

fn filtered(text: &str) -> ClusterQuery {
    let filter = Some(parse(text).expect("filter"));
    ClusterQuery { limit: 100, selection: Selection { filter, sort: Vec::new() }.shared(), ..ClusterQuery::ALL }
}

fn queries() -> Vec<(&'static str, ClusterQuery)> {
    let window = [106.0, 9.9, 106.03, 9.93];
    let page = ClusterQuery { limit: 100, ..ClusterQuery::ALL };
    vec![
        ("bbox-param", ClusterQuery { bbox: Some(window), ..page.clone() }),
        ("spatial-filter", filtered("S_INTERSECTS(geometry, BBOX(106.0, 9.9, 106.03, 9.93))")),
        ("unfiltered", page.clone()),
        ("attribute-filter", filtered("status = 'established' AND planned_area_ha > 40")),
        ("like-filter", filtered("name LIKE '%bench 1%'")),
        (
            "sorted",
            ClusterQuery {
                selection: Selection {
                    filter: None,
                    sort: vec![SortKey { by: Queryable::PlannedAreaHa, descending: true }],
                }
                .shared(),
                ..page
            },
        ),
    ]
}

fn run(c: &mut Criterion, rt: &tokio::runtime::Runtime, backend: &str, store: &Arc<dyn Store>) {
    let mut group = c.benchmark_group(format!("filter/{backend}"));
    group.sample_size(20);
    for (name, query) in queries() {
        group.bench_with_input(BenchmarkId::from_parameter(name), &query, |b, q| {
            b.iter(|| rt.block_on(read(store.as_ref(), q)));
        });
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg: Arc<dyn Store> = Arc::new(rt.block_on(GpkgStore::open(&dir.path().join("bench.gpkg"))).expect("open"));
    rt.block_on(populate(gpkg.as_ref()));
    run(c, &rt, "gpkg", &gpkg);
    if let Ok(admin) = std::env::var("CLUSTERPLAN_BENCH_POSTGRES") {
        let url = rt.block_on(async {
            use sqlx::{Connection, Executor};
            let name = "clusterplan_bench_filter";
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin");
            conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.expect("drop");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create");
            let mut url = url::Url::parse(&admin).expect("url");
            url.set_path(name);
            url.to_string()
        });
        let store: Arc<dyn Store> = Arc::new(rt.block_on(PostgisStore::connect(&url)).expect("connect"));
        rt.block_on(populate(store.as_ref()));
        run(c, &rt, "postgis", &store);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
