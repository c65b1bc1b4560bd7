//! The embedded store's file is a real GeoPackage that other tools can open.

use clusterplan_core::{ClusterDraft, ClusterInput};
use std::sync::Arc;

use clusterplan_store::{GpkgStore, Store, StoreError, WriteContext};
use sqlx::Row;

use crate::support::{ctx, draft_of, input, small};

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

/// Opens the embedded store on a file where a writer that finds it locked fails at once.
async fn failing_when_locked(dir: &tempfile::TempDir) -> Arc<GpkgStore> {
    Arc::new(clusterplan_store::testing::gpkg_failing_when_locked(&dir.path().join("a.gpkg")).await.expect("open"))
}

/// The store's own writers take their turns in the process (`turn.rs`) before they touch the
/// file, so none of them ever finds it locked: on a file where a writer that finds it locked
/// fails at once, 16 writers at a time (creates, then updates) all land, each update exactly
/// once; and writes that come together share commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_find_the_file_locked_and_share_commits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = failing_when_locked(&dir).await;
    let writers: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let lon = 106.3 + f64::from(i) * 0.01;
                let code = format!("Q-{i}");
                let draft = small(input(&code, "Quới Sơn", "in_plan"), lon, 10.2);
                let created = store.create_cluster(&draft, &ctx("writer", "create")).await.expect("create");
                for n in 0..10 {
                    let mut edit = input(&code, "Quới Sơn", "in_plan");
                    edit.notes = Some(format!("edit {n}"));
                    let edited = small(edit, lon, 10.2);
                    store.update_cluster(created.id, None, &edited, &ctx("writer", "edit")).await.expect("update");
                }
                created.id
            })
        })
        .collect();
    for writer in writers {
        let id = writer.await.expect("writer");
        let cluster = store.get_cluster(id).await.expect("read back");
        assert_eq!(cluster.version, 11, "one version per write, none lost");
        assert_eq!(cluster.data.attrs.notes(), Some("edit 9"));
    }
    let stats = store.write_stats();
    assert_eq!(stats.writes, 16 * 11, "{stats:?}");
    assert!(stats.commits < stats.writes, "writes that came together share commits: {stats:?}");
    // And all of it is in the file: a second store on it reads the same.
    drop(store);
    let again = GpkgStore::open(&dir.path().join("a.gpkg")).await.expect("reopen");
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM cluster_versions").fetch_one(again.pool()).await.expect("count");
    assert_eq!(versions, 16 * 11);
}

/// A write alone commits alone: nobody waits behind it.
#[tokio::test]
async fn a_write_alone_is_committed_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = failing_when_locked(&dir).await;
    let created = store.create_cluster(&draft(), &ctx("writer", "create")).await.expect("create");
    store.update_cluster(created.id, Some(1), &draft(), &ctx("writer", "edit")).await.expect("update");
    assert_eq!(store.write_stats(), clusterplan_store::WriteStats { writes: 2, commits: 2 });
}

/// A write that fails among others that share its commit (here: an update under a version
/// that is not the feature's) leaves nothing behind, and takes none of the others with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_write_leaves_the_writes_that_share_its_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = failing_when_locked(&dir).await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let draft = small(input(&format!("F-{i}"), "Mỹ Thạnh", "in_plan"), 106.3 + f64::from(i) * 0.01, 10.3);
        ids.push(store.create_cluster(&draft, &ctx("writer", "create")).await.expect("create").id);
    }
    let mut tasks = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        let lon = 106.3 + i as f64 * 0.01;
        for stale in [false, true] {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move {
                let mut version = 1;
                let mut refused = 0;
                for n in 0..10 {
                    let mut edit = input(&format!("F-{i}"), "Mỹ Thạnh", "in_plan");
                    edit.notes = Some(if stale { format!("stale {n}") } else { format!("edit {n}") });
                    let edited = small(edit, lon, 10.3);
                    // The stale writer always claims version 0, which no feature ever has.
                    let expected = if stale { 0 } else { version };
                    match store.update_cluster(id, Some(expected), &edited, &ctx("writer", "edit")).await {
                        Ok(written) => version = written.version,
                        Err(StoreError::VersionConflict { .. }) if stale => refused += 1,
                        Err(e) => panic!("cluster {id}: {e}"),
                    }
                }
                (stale, refused)
            }));
        }
    }
    for task in tasks {
        let (stale, refused) = task.await.expect("writer");
        if stale {
            assert_eq!(refused, 10, "every stale update is refused");
        }
    }
    for &id in &ids {
        let cluster = store.get_cluster(id).await.expect("read back");
        assert_eq!(cluster.version, 11, "the ten good updates, none lost");
        assert_eq!(cluster.data.attrs.notes(), Some("edit 9"));
    }
    let stale: i64 = sqlx::query_scalar("SELECT count(*) FROM cluster_versions WHERE notes LIKE 'stale%'")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(stale, 0, "a refused write leaves no version");
    assert_eq!(store.write_stats().writes, 8 + 8 * 10);
}

/// Writers cancelled in the middle (their requests dropped when clients go away) leave no
/// transaction open behind them: writes already released into a shared commit are committed
/// (their waits run in tasks of their own), and another process finds the file's write lock
/// free. Each round cancels 16 busy writers at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cancelled_writers_leave_no_transaction_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.gpkg");
    let store = failing_when_locked(&dir).await;
    let mut ids = Vec::new();
    for i in 0..16 {
        let draft = small(input(&format!("C-{i}"), "Sơn Đông", "in_plan"), 106.3 + f64::from(i) * 0.01, 10.4);
        ids.push(store.create_cluster(&draft, &ctx("writer", "create")).await.expect("create").id);
    }
    // Another process's view of the file: a write lock it cannot take at once is a failure.
    let other = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).busy_timeout(std::time::Duration::ZERO);
    let mut other = sqlx::ConnectOptions::connect(&other).await.expect("another connection");
    for round in 0..5 {
        let before = store.write_stats().writes;
        let writers: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let lon = 106.3 + i as f64 * 0.01;
                    for n in 0.. {
                        let mut edit = input(&format!("C-{i}"), "Sơn Đông", "in_plan");
                        edit.notes = Some(format!("round {round}, edit {n}"));
                        let edited = small(edit, lon, 10.4);
                        store.update_cluster(id, None, &edited, &ctx("writer", "edit")).await.expect("update");
                    }
                })
            })
            .collect();
        let started = std::time::Instant::now();
        while store.write_stats().writes < before + 100 {
            assert!(started.elapsed() < std::time::Duration::from_mins(1), "the writers are stuck");
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        for writer in &writers {
            writer.abort();
        }
        for writer in writers {
            assert!(writer.await.expect_err("cancelled").is_cancelled());
        }
        // The store's last shared commit ends by itself, soon; it is never left open.
        let started = std::time::Instant::now();
        loop {
            match sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await {
                Ok(_) => break,
                Err(e) => assert!(
                    started.elapsed() < std::time::Duration::from_secs(10),
                    "round {round}: the file stays locked: {e}"
                ),
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        sqlx::query("ROLLBACK").execute(&mut other).await.expect("rollback");
    }
    // Nothing half-written: every cluster's version is the number of its versions.
    let torn: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM clusters c WHERE c.version <> (SELECT count(*) FROM cluster_versions v WHERE v.cluster_id = c.fid)",
    )
    .fetch_one(store.pool())
    .await
    .expect("count");
    assert_eq!(torn, 0);
}
