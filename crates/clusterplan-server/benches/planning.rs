//! Zoning and summary queries at 1 000 and 100 000 zones, on the embedded store and (when
//! `CLUSTERPLAN_BENCH_POSTGRES` names a server with PostGIS) on PostGIS, through the real
//! router without a socket.
//!
//! Read ratios, not absolute times, all from the same run:
//! - `zoning/100000 ÷ zoning/1000`: near 1 means the point query is indexed (a scan would be
//!   ~100×);
//! - `zoning ÷ health`: the cost of the query over the cheapest request of the same stack;
//! - `summary/100000 ÷ summary/1000`: the summary reads land totals with one grouped query.
//!
//! `cargo bench -p clusterplan-server --bench planning` (set `CLUSTERPLAN_BENCH_POSTGRES=
//! postgres://postgres@127.0.0.1:5432/postgres` to include PostGIS).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clusterplan_core::geometry::validate;
use clusterplan_core::zones::{ZoneAttrs, ZoneDraft, ZoneInput};
use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, Crs, RawBoundary};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{GpkgStore, PostgisStore, Store, StoreConfig, WriteContext};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tower::ServiceExt;

const CLUSTERS: usize = 100;
const SIDE: f64 = 0.0064;

fn rect(lon: f64, lat: f64, w: f64, h: f64) -> RawBoundary {
    RawBoundary::Polygon(vec![vec![
        vec![lon, lat],
        vec![lon + w, lat],
        vec![lon + w, lat + h],
        vec![lon, lat + h],
        vec![lon, lat],
    ]])
}

fn corner(k: usize) -> (f64, f64) {
    (106.0 + (k % 10) as f64 * 0.05, 9.85 + (k / 10) as f64 * 0.04)
}

/// `CLUSTERS` clusters of ~50 ha across the province with `per_cluster` zones each, a grid of
/// plots, half of the industrial ones leased.
async fn populate(store: &dyn Store, per_cluster: usize) {
    let crs = Crs::VN2000_TM3_10545;
    let ctx = WriteContext::default();
    let (cols, rows) = match per_cluster {
        10 => (5, 2),
        _ => (40, 25),
    };
    for k in 0..CLUSTERS {
        let (lon, lat) = corner(k);
        let attrs = ClusterAttrs::parse(
            ClusterInput {
                code: Some(format!("B-{k}")),
                name: Some(format!("Bench {k}")),
                kind: Some("cluster".into()),
                status: Some("in_plan".into()),
                ..ClusterInput::default()
            },
            crs,
        )
        .expect("attrs");
        let draft = ClusterDraft::new(attrs, validate(&rect(lon, lat, SIDE, SIDE)).expect("valid")).expect("area");
        let cluster = store.create_cluster(&draft, &ctx).await.expect("cluster");
        let (w, h) = (SIDE / f64::from(cols), SIDE / f64::from(rows));
        let mut zones = Vec::with_capacity(per_cluster);
        for i in 0..cols {
            for j in 0..rows {
                let attrs = ZoneAttrs::parse(ZoneInput {
                    cluster_id: Some(cluster.id),
                    land_use: Some(if (i + j) % 7 == 0 { "ROAD" } else { "IND" }.into()),
                    leased: Some((i + j) % 7 != 0 && (i + j) % 2 == 0),
                    ..ZoneInput::default()
                })
                .expect("zone attrs");
                let b = validate(&rect(lon + w * f64::from(i), lat + h * f64::from(j), w, h)).expect("zone");
                zones.push(ZoneDraft::new(attrs, b, crs).expect("zone area"));
            }
        }
        store.bulk_load_zones(&zones).await.expect("zones");
    }
    clusterplan_server::demo::seed_units(store).await.expect("units");
    planner(store).await;
}

/// Zoning and summaries are for accounts: the bench reads as a planner with a real token.
const TOKEN: &str = "cpt_bench_planner";

async fn planner(store: &dyn Store) {
    use clusterplan_store::{NewUser, Role};
    let password_hash = clusterplan_server::auth::hash_password("bench password").expect("hash");
    store
        .create_user(&NewUser { name: "bench".into(), role: Role::Planner, unit_code: None, password_hash })
        .await
        .expect("user");
    store.create_token("bench", "bench", &clusterplan_server::auth::digest(TOKEN)).await.expect("token");
}

async fn get(state: &AppState, uri: &str) {
    let request = Request::get(uri).header("authorization", format!("Bearer {TOKEN}")).body(Body::empty());
    let response = app(state.clone()).oneshot(request.expect("request")).await.expect("call");
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
}

fn run(c: &mut Criterion, rt: &tokio::runtime::Runtime, backend: &str, state: &AppState, zones: usize) {
    let (lon, lat) = corner(57);
    let zoning = format!("/zoning?lon={}&lat={}&date=2026-01-01", lon + SIDE * 0.51, lat + SIDE * 0.33);
    let mut group = c.benchmark_group(backend.to_string());
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("health", zones), |b| b.iter(|| rt.block_on(get(state, "/health"))));
    group.bench_function(BenchmarkId::new("zoning", zones), |b| b.iter(|| rt.block_on(get(state, &zoning))));
    group.bench_function(BenchmarkId::new("summary", zones), |b| {
        b.iter(|| rt.block_on(get(state, "/summary?level=commune&date=2026-01-01")));
    });
    group.finish();
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    for per_cluster in [10, 1_000] {
        let zones = CLUSTERS * per_cluster;
        let path = dir.path().join(format!("bench-{zones}.gpkg"));
        let store: Arc<dyn Store> = Arc::new(rt.block_on(GpkgStore::open(&path)).expect("open"));
        rt.block_on(populate(store.as_ref(), per_cluster));
        let state = AppState { store, config: Arc::new(Config::for_tests(StoreConfig::Gpkg(path))) };
        run(c, &rt, "gpkg", &state, zones);
    }
    if let Ok(admin) = std::env::var("CLUSTERPLAN_BENCH_POSTGRES") {
        for per_cluster in [10, 1_000] {
            let zones = CLUSTERS * per_cluster;
            let name = format!("clusterplan_bench_{zones}");
            let url = rt.block_on(async {
                use sqlx::{Connection, Executor};
                let mut conn = sqlx::PgConnection::connect(&admin).await.expect("admin");
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.expect("drop");
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create");
                let mut url = url::Url::parse(&admin).expect("url");
                url.set_path(&name);
                url.to_string()
            });
            let store: Arc<dyn Store> = Arc::new(rt.block_on(PostgisStore::connect(&url)).expect("connect"));
            rt.block_on(populate(store.as_ref(), per_cluster));
            let state = AppState { store, config: Arc::new(Config::for_tests(StoreConfig::Postgis(url))) };
            run(c, &rt, "postgis", &state, zones);
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
