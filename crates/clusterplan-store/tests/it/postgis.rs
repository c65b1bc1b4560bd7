//! What only the PostGIS store has: a pool of connections to a server that may close them,
//! session settings, and row locks shared by concurrent writers.

use std::time::Duration;

use clusterplan_store::{PlanningStore, PostgisStore, Store};
use sqlx::{Connection, PgConnection};

use crate::support::{ctx, input, small};

/// Closes every other session on the store's database, as a restart or an administrator
/// would; how many it closed.
async fn terminate_backends(url: &str) -> i64 {
    let mut admin = PgConnection::connect(url).await.expect("admin connection");
    let closed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
    )
    .fetch_one(&mut admin)
    .await
    .expect("terminate");
    admin.close().await.expect("close");
    closed
}

#[tokio::test]
async fn a_pool_survives_its_connections_being_terminated() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let created = store.create_cluster(&small(input("A", "A", "in_plan"), 106.0, 10.0), &ctx("an", "a")).await;
    let created = created.expect("create");
    assert!(terminate_backends(&db.url).await > 0, "the pool held no connection to terminate");
    // Past the idle time after which a connection is pinged before use.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let read = store.get_cluster(created.id).await.expect("a read after the backends were terminated");
    assert_eq!(read.version, 1);
    store.ping().await.expect("ping");
    // A connection a read kept for the next one (unpinged) is terminated while kept: after the
    // time a kept connection is trusted, the next read gets a working one.
    store.get_cluster(created.id).await.expect("read");
    store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp");
    assert!(terminate_backends(&db.url).await > 0, "the read kept no connection");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(store.get_cluster(created.id).await.expect("a read after its kept connection ended").version, 1);
    // Kept connections go back to the pool by themselves: closing the pool alone finishes.
    store.get_cluster(created.id).await.expect("read");
    let closed = tokio::time::timeout(Duration::from_secs(5), store.pool().close()).await;
    assert!(closed.is_ok(), "the pool's close waited for a kept connection");
    db.drop_database().await;
}

#[tokio::test]
async fn server_sessions_run_without_jit_and_parallel_plans_on_generic_plans() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let jit: String = sqlx::query_scalar("SHOW jit").fetch_one(store.pool()).await.expect("jit");
    let workers: String =
        sqlx::query_scalar("SHOW max_parallel_workers_per_gather").fetch_one(store.pool()).await.expect("workers");
    let plans: String = sqlx::query_scalar("SHOW plan_cache_mode").fetch_one(store.pool()).await.expect("plans");
    assert_eq!((jit.as_str(), workers.as_str(), plans.as_str()), ("off", "0", "force_generic_plan"));
    store.close().await;
    db.drop_database().await;
}

/// Clusters `A-0`… side by side, each at version 1.
async fn clusters(store: &PostgisStore, n: u32) -> Vec<clusterplan_core::Cluster> {
    let mut made = Vec::new();
    for i in 0..n {
        let draft = small(input(&format!("A-{i}"), "A", "in_plan"), 106.0 + 0.01 * f64::from(i), 10.0);
        made.push(store.create_cluster(&draft, &ctx("an", "a")).await.expect("create"));
    }
    made
}

fn renamed(c: &clusterplan_core::Cluster, name: &str) -> clusterplan_core::ClusterDraft {
    let lon = c.data.boundary.bbox()[0];
    small(input(c.data.attrs.code(), name, "in_plan"), lon, 10.0)
}

#[tokio::test]
async fn concurrent_writers_all_commit_and_each_transaction_bumps_the_serial_once() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let made = clusters(&store, 12).await;
    let before = store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp");
    let writers = made.iter().map(|c| {
        let (store, draft) = (store.clone(), renamed(c, "B"));
        let id = c.id;
        tokio::spawn(async move { store.update_cluster(id, Some(1), &draft, &ctx("an", "b")).await })
    });
    for written in futures::future::join_all(writers).await {
        assert_eq!(written.expect("task").expect("every writer commits").version, 2);
    }
    let after = store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp");
    assert_eq!(after, before + 12, "one step per committed write");

    // One transaction writing three clusters is one change.
    let writes: Vec<_> = made[..3]
        .iter()
        .map(|c| clusterplan_store::ClusterWrite::Update { id: c.id, expected_version: 2, draft: renamed(c, "C") })
        .collect();
    store.write_clusters(&writes, &ctx("an", "import")).await.expect("import");
    assert_eq!(store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp"), after + 1);
    // A refused write changes nothing.
    let stale = store.update_cluster(made[0].id, Some(1), &renamed(&made[0], "D"), &ctx("an", "d")).await;
    assert!(stale.is_err());
    assert_eq!(store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp"), after + 1);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn an_open_transaction_on_one_cluster_does_not_hold_up_writes_to_others() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let made = clusters(&store, 2).await;
    let before = store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp");
    // Another tool's transaction (or a slow writer) has written one cluster and not committed.
    let mut slow = PgConnection::connect(&db.url).await.expect("connect");
    sqlx::query("BEGIN").execute(&mut slow).await.expect("begin");
    sqlx::query("UPDATE clusters SET notes = 'slow' WHERE id = $1")
        .bind(made[0].id)
        .execute(&mut slow)
        .await
        .expect("w");
    let (draft, why) = (renamed(&made[1], "B"), ctx("an", "b"));
    let other =
        tokio::time::timeout(Duration::from_secs(5), store.update_cluster(made[1].id, Some(1), &draft, &why)).await;
    assert!(other.is_ok_and(|w| w.is_ok()), "the write waited for the open transaction");
    let during = store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp");
    assert_eq!(during, before + 1, "only the committed write counts");
    sqlx::query("COMMIT").execute(&mut slow).await.expect("commit");
    assert_eq!(store.clusters_stamp(clusterplan_store::Layer::Draft).await.expect("stamp"), before + 2);
    store.close().await;
    db.drop_database().await;
}
