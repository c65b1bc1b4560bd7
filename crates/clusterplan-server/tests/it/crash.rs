//! kill -9 in the middle of a write stream, on both stores: four writers POST features to the
//! real binary until it dies; after a restart on the same database every feature that got a
//! 201 is there (id and code), each stored feature has exactly its one creation version (no
//! row without its version, no version without its row), the GeoPackage passes
//! `PRAGMA integrity_check` and its R*Tree matches the table, and the store takes writes again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use super::restart::{Server, get_json, planner_token, post_feature};

const WRITERS: usize = 4;
/// The server is killed once this many creations have been acknowledged.
const KILL_AFTER: usize = 150;

/// A square of about 0.6 km × 0.55 km in Bến Tre, the `n`-th of a grid: no two overlap.
fn square(n: usize) -> Value {
    #[allow(clippy::cast_precision_loss, reason = "n is small")]
    let (column, row) = ((n % 30) as f64, (n / 30) as f64);
    let (west, south) = (106.30 + column * 0.007, 10.00 + row * 0.006);
    let (east, north) = (west + 0.005, south + 0.005);
    json!({"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]]})
}

/// One writer: creates features until the server stops answering; the (id, code) of each 201.
async fn writer(base: String, token: String, who: usize, acked: Arc<AtomicUsize>) -> Vec<(i64, String)> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
    let mut created = Vec::new();
    for k in 0.. {
        let n = k * WRITERS + who;
        let code = format!("BT-KILL-{n:04}");
        let feature = json!({
            "type": "Feature",
            "geometry": square(n),
            "properties": {"code": code, "name": format!("Cụm {n}"), "status": "in_plan"}
        });
        let Ok(answer) = http
            .post(format!("{base}/collections/clusters/items"))
            .header("content-type", "application/geo+json")
            .bearer_auth(&token)
            .body(feature.to_string())
            .send()
            .await
        else {
            break;
        };
        // Before the kill every write is created; after it no status comes at all.
        assert_eq!(answer.status(), StatusCode::CREATED, "writer {who}: {}", answer.text().await.unwrap_or_default());
        // The answer's body may be cut by the kill: the 201 and its Location are the acknowledgement.
        let location = answer.headers()["location"].to_str().expect("location").to_owned();
        let id = location.rsplit('/').next().and_then(|id| id.parse().ok()).expect("id in Location");
        created.push((id, code));
        acked.fetch_add(1, Ordering::Relaxed);
    }
    created
}

/// Each stored feature against its versions, by SQL on the database the server used.
async fn rows_and_versions(database: &str) -> (i64, i64, i64) {
    let query = "SELECT (SELECT count(*) FROM clusters), \
                 (SELECT count(*) FROM cluster_versions), \
                 (SELECT count(*) FROM clusters c WHERE (SELECT count(*) FROM cluster_versions v \
                   WHERE v.cluster_id = c.{id} AND v.operation = 'create') = 1)";
    if database.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(database).await.expect("connect");
        let row = sqlx::query(&query.replace("{id}", "id")).fetch_one(&pool).await.expect("counts");
        pool.close().await;
        (row.get(0), row.get(1), row.get(2))
    } else {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{database}")).await.expect("open");
        let row = sqlx::query(&query.replace("{id}", "fid")).fetch_one(&pool).await.expect("counts");
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&pool).await.expect("pragma");
        assert_eq!(integrity, "ok");
        let rtree: String =
            sqlx::query_scalar("SELECT rtreecheck('rtree_clusters_geom')").fetch_one(&pool).await.expect("rtreecheck");
        assert_eq!(rtree, "ok", "the R*Tree is consistent in itself");
        let unmatched: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM clusters WHERE fid NOT IN (SELECT id FROM rtree_clusters_geom)) \
                  + (SELECT count(*) FROM rtree_clusters_geom WHERE id NOT IN (SELECT fid FROM clusters))",
        )
        .fetch_one(&pool)
        .await
        .expect("rtree against table");
        assert_eq!(unmatched, 0, "one R*Tree entry per feature and none other");
        pool.close().await;
        (row.get(0), row.get(1), row.get(2))
    }
}

/// The R*Tree entry of feature `id` holds the box of its boundary (to `f32` rounding).
async fn rtree_box_matches(database: &str, id: i64, geometry: &Value) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{database}")).await.expect("open");
    let row = sqlx::query("SELECT minx, maxx, miny, maxy FROM rtree_clusters_geom WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .expect("rtree row");
    pool.close().await;
    let mut positions = Vec::new();
    positions_of(&geometry["coordinates"], &mut positions);
    let xs: Vec<f64> = positions.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = positions.iter().map(|p| p.1).collect();
    let fold = |v: &[f64], f: fn(f64, f64) -> f64| v.iter().copied().reduce(f).expect("points");
    let expected = [fold(&xs, f64::min), fold(&xs, f64::max), fold(&ys, f64::min), fold(&ys, f64::max)];
    for (i, want) in expected.into_iter().enumerate() {
        let got: f64 = row.get(i);
        assert!((got - want).abs() < 1e-4, "R*Tree of {id}: {got} against {want}");
    }
}

/// Every position of GeoJSON `coordinates`, however deeply nested.
fn positions_of(coordinates: &Value, into: &mut Vec<(f64, f64)>) {
    match coordinates.as_array().map(Vec::as_slice) {
        Some([Value::Number(x), Value::Number(y), ..]) => {
            into.push((x.as_f64().expect("x"), y.as_f64().expect("y")));
        }
        Some(items) => items.iter().for_each(|c| positions_of(c, into)),
        None => {}
    }
}

async fn every_acknowledged_write_survives_kill_9_during_a_write_stream(database: &str, store: &str) {
    let token = planner_token(database);
    let server = Server::start(database, &["--no-demo"]);
    let started = Instant::now();
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> =
        (0..WRITERS).map(|who| tokio::spawn(writer(server.base.clone(), token.clone(), who, acked.clone()))).collect();
    while acked.load(Ordering::Relaxed) < KILL_AFTER {
        assert!(started.elapsed() < Duration::from_mins(1), "the writers are too slow");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let mut created = Vec::new();
    for w in writers {
        created.extend(w.await.expect("writer"));
    }

    let server = Server::start(database, &["--no-demo"]);
    let http = reqwest::Client::new();
    for (id, code) in &created {
        let read = http
            .get(format!("{}/collections/clusters/items/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("get");
        assert_eq!(read.status(), StatusCode::OK, "acknowledged feature {id} ({code}) is lost");
        let read: Value = read.json().await.expect("json");
        assert_eq!(read["properties"]["code"], code.as_str());
        if !database.starts_with("postgres") {
            rtree_box_matches(database, *id, &read["geometry"]).await;
        }
    }
    let (rows, versions, with_creation) = rows_and_versions(database).await;
    println!(
        "kill -9 on {store}: {WRITERS} writers, {} creations acknowledged, {rows} stored, {versions} versions, {:.1} s",
        created.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(rows >= i64::try_from(created.len()).expect("count"), "at least every acknowledged feature");
    assert!(rows <= i64::try_from(created.len() + WRITERS).expect("count"), "at most one unanswered write per writer");
    assert_eq!(versions, rows, "one version per stored feature");
    assert_eq!(with_creation, rows, "each stored feature has its creation version");
    let page = get_json(&format!("{}/collections/clusters/items?limit=1", server.base), &token).await;
    assert_eq!(page["numberMatched"].as_i64(), Some(rows));
    // The store takes writes again.
    let feature = json!({
        "type": "Feature",
        "geometry": square(900),
        "properties": {"code": "BT-KILL-AFTER", "name": "Cụm sau khởi động lại", "status": "in_plan"}
    });
    assert_eq!(post_feature(&http, &server.base, &token, &feature).await.status(), StatusCode::CREATED);
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpkg_every_acknowledged_write_survives_kill_9_during_a_write_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("crash.gpkg");
    every_acknowledged_write_survives_kill_9_during_a_write_stream(path.to_str().expect("path"), "GeoPackage").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgis_every_acknowledged_write_survives_kill_9_during_a_write_stream() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    every_acknowledged_write_survives_kill_9_during_a_write_stream(&db.url, "PostGIS").await;
    db.drop_database().await;
}
