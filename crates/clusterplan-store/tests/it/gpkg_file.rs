//! The embedded store's file is a real GeoPackage that other tools can open.

use clusterplan_core::{ClusterDraft, ClusterInput};
use clusterplan_store::{GpkgStore, Store, WriteContext};
use sqlx::Row;

use crate::support::draft_of;

fn draft() -> ClusterDraft {
    let input =
        ClusterInput { code: Some("G-1".into()), name: Some("Giồng Trôm".into()), ..ClusterInput::default() };
    // Exact corners: the layer extent is compared to them.
    draft_of(
        input,
        vec![vec![vec![106.4, 10.2], vec![106.41, 10.2], vec![106.41, 10.21], vec![106.4, 10.21], vec![106.4, 10.2]]],
    )
}

#[tokio::test]
async fn the_file_carries_the_geopackage_application_id_and_core_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = GpkgStore::open(&dir.path().join("a.gpkg")).await.expect("open");
    let pool = store.pool();
    let app_id: i64 = sqlx::query_scalar("PRAGMA application_id").fetch_one(pool).await.expect("pragma");
    assert_eq!(app_id, 0x4750_4B47, "'GPKG'");
    let version: i64 = sqlx::query_scalar("PRAGMA user_version").fetch_one(pool).await.expect("pragma");
    // GeoPackage 1.3 (migration 0009): nothing of 1.4 is used, and GDAL 3.6 warns on a 1.4 file.
    assert_eq!(version, 10300);
    for table in
        ["gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "rtree_clusters_geom"]
    {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = ?")
            .bind(table)
            .fetch_one(pool)
            .await
            .expect("master");
        assert_eq!(n, 1, "{table}");
    }
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.expect("pragma");
    assert_eq!(mode, "wal");
    // A local file: no ping (a round trip to the connection's thread) before each statement.
    assert!(!pool.options().get_test_before_acquire());
    // Tools that sniff the file header (GDAL) must see the id in the main file, not only in
    // the write-ahead log: bytes 68..72 of the SQLite header.
    let header = std::fs::read(dir.path().join("a.gpkg")).expect("read file");
    assert_eq!(&header[68..72], b"GPKG");
}

#[tokio::test]
async fn geometries_are_geopackage_blobs_with_srid_4326_and_the_layer_extent_follows_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = GpkgStore::open(&dir.path().join("b.gpkg")).await.expect("open");
    store.create_cluster(&draft(), &WriteContext::default()).await.expect("create");
    let blob: Vec<u8> = sqlx::query_scalar("SELECT geom FROM clusters").fetch_one(store.pool()).await.expect("geom");
    assert_eq!(&blob[0..2], b"GP");
    let flags = blob[3];
    let srid = if flags & 1 == 1 {
        i32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]])
    } else {
        i32::from_be_bytes([blob[4], blob[5], blob[6], blob[7]])
    };
    assert_eq!(srid, 4326);
    let row = sqlx::query("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'clusters'")
        .fetch_one(store.pool())
        .await
        .expect("contents");
    let extent: Vec<f64> = (0..4).map(|i| row.get::<f64, _>(i)).collect();
    assert_eq!(extent, vec![106.4, 10.2, 106.41, 10.21]);
}

#[tokio::test]
async fn reopening_the_file_keeps_everything_and_migrations_run_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("c.gpkg");
    let id = {
        let store = GpkgStore::open(&path).await.expect("open");
        let c = store.create_cluster(&draft(), &WriteContext::default()).await.expect("create");
        store.close().await;
        c.id
    };
    let store = GpkgStore::open(&path).await.expect("reopen");
    let c = store.get_cluster(id).await.expect("read");
    assert_eq!(c.data.attrs.name(), "Giồng Trôm");
    assert_eq!(c.data.boundary, draft().boundary);
}
