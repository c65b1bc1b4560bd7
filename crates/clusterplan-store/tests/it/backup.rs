//! Backup and restore, on both stores, under concurrent writes: every write acknowledged
//! before the backup started is in it, and the restored store reads and writes as the
//! original did.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use clusterplan_store::maintenance::{BackupError, backup, restore};
use clusterplan_store::{GpkgStore, NewUser, PostgisStore, Role, Store, StoreConfig};

use crate::support::{ctx, input, small};

fn cluster(i: i64) -> clusterplan_core::ClusterDraft {
    let (row, col) = (i / 40, i % 40);
    small(
        input(&format!("BK-{i}"), &format!("Cụm {i}"), "in_plan"),
        106.0 + col as f64 * 0.01,
        10.0 + row as f64 * 0.01,
    )
}

/// Writes data, backs it up while a writer goes on, restores it into `target` and checks it.
async fn round_trip(store: Arc<dyn Store>, source: &StoreConfig, out: &Path, target: &StoreConfig) {
    let first = store.create_cluster(&cluster(0), &ctx("tester", "first")).await.expect("create");
    let first = store
        .update_cluster(first.id, Some(first.version), &cluster(0), &ctx("tester", "second version"))
        .await
        .expect("update");
    store
        .create_user(&NewUser {
            name: "an".into(),
            role: Role::Planner,
            unit_code: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        })
        .await
        .expect("user");

    // The writer records each id once its create has returned (acknowledged).
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (store, acked, stop) = (store.clone(), acked.clone(), stop.clone());
        tokio::spawn(async move {
            let mut i = 1;
            while !stop.load(Ordering::SeqCst) {
                let created = store.create_cluster(&cluster(i), &ctx("writer", "concurrent")).await.expect("write");
                acked.lock().expect("lock").push(created.id);
                i += 1;
            }
        })
    };
    while acked.lock().expect("lock").len() < 5 {
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before: Vec<i64> = acked.lock().expect("lock").clone();
    backup(source, out).await.expect("backup");
    let during = acked.lock().expect("lock").len();
    stop.store(true, Ordering::SeqCst);
    writer.await.expect("writer");
    assert!(during > before.len(), "the writer went on during the backup ({} then {during})", before.len());

    restore(out, target).await.expect("restore");
    let restored = clusterplan_store::open(target).await.expect("open restored");

    for id in before.iter().copied().chain([first.id]) {
        let original = store.get_cluster(id).await.expect("original");
        assert_eq!(restored.get_cluster(id).await.expect("acknowledged before the backup"), original);
    }
    assert_eq!(restored.versions(first.id).await.expect("versions").len(), 2);
    let users = restored.list_users().await.expect("users");
    assert!(users.iter().any(|u| u.name == "an" && u.role == Role::Planner), "{users:?}");
    // Nothing the backup holds was never written.
    let count = restored.count_clusters(&clusterplan_store::ClusterQuery::ALL).await.expect("count");
    let written = acked.lock().expect("lock").len() as u64 + 1;
    assert!(count > before.len() as u64 && count <= written, "{count} of {written}");

    // The restored store takes writes: new ids come after the restored ones, versions go on.
    let newest = restored.create_cluster(&cluster(10_000), &ctx("tester", "after restore")).await.expect("create");
    assert!(before.iter().all(|&id| newest.id > id), "new id {} reuses a restored one", newest.id);
    let again = restored
        .update_cluster(first.id, Some(first.version), &cluster(0), &ctx("tester", "third"))
        .await
        .expect("update restored");
    assert_eq!(again.version, first.version + 1);
    assert!(restored.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp") > 0);

    // A second restore into the now used store is refused, as is a backup over a file.
    let refused = restore(out, target).await.expect_err("target in use");
    assert!(matches!(refused, BackupError::Exists(_) | BackupError::NotEmpty), "{refused}");
    assert!(matches!(backup(source, out).await, Err(BackupError::Exists(_))));
}

#[tokio::test]
async fn gpkg_round_trip_under_concurrent_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = StoreConfig::Gpkg(dir.path().join("live.gpkg"));
    let store = GpkgStore::open(&dir.path().join("live.gpkg")).await.expect("open");
    let target = StoreConfig::Gpkg(dir.path().join("restored.gpkg"));
    round_trip(Arc::new(store), &source, &dir.path().join("backup.gpkg"), &target).await;

    // The copy is a GeoPackage a PostGIS restore refuses by its header.
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let wrong = restore(&dir.path().join("backup.gpkg"), &StoreConfig::Postgis(db.url.clone())).await;
    assert!(matches!(wrong, Err(BackupError::WrongFormat { .. })), "{wrong:?}");
    db.drop_database().await;
}

#[tokio::test]
async fn gpkg_backup_of_a_missing_file_is_refused_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nothing.gpkg");
    let out = dir.path().join("out.gpkg");
    assert!(matches!(backup(&StoreConfig::Gpkg(missing.clone()), &out).await, Err(BackupError::Missing(_))));
    assert!(!missing.exists() && !out.exists());
}

#[tokio::test]
async fn postgis_round_trip_under_concurrent_writes() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let Some(empty) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("backup.pgdump");
    round_trip(
        Arc::new(store.clone()),
        &StoreConfig::Postgis(db.url.clone()),
        &out,
        &StoreConfig::Postgis(empty.url.clone()),
    )
    .await;
    store.close().await;

    // A pg_dump archive is no GeoPackage.
    let wrong = restore(&out, &StoreConfig::Gpkg(dir.path().join("x.gpkg"))).await;
    assert!(matches!(wrong, Err(BackupError::WrongFormat { .. })), "{wrong:?}");
    db.drop_database().await;
    empty.drop_database().await;
}
