//! One behaviour suite, run against both stores: every test below exists twice, as
//! `gpkg::name` on a fresh GeoPackage file and `postgis::name` on a fresh PostGIS database.

use std::sync::Arc;

use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, Crs};
use clusterplan_store::{ClusterQuery, Layer, Store, StoreError, WriteContext};

use crate::support::{draft_of, input, rect};

fn draft_with(code: &str, name: &str, rings: Vec<Vec<Vec<f64>>>) -> ClusterDraft {
    let notes = Some("ghi chú".into());
    let plant = ClusterInput {
        wastewater_completed: Some(true),
        wwtp_capacity_m3_day: Some(1200.5),
        ..input(code, name, "in_plan")
    };
    draft_of(ClusterInput { planned_area_ha: Some(30.0), notes, ..plant }, rings)
}

fn draft(code: &str, lon: f64, lat: f64) -> ClusterDraft {
    draft_with(code, "Phú Hưng–Mỹ Thạnh", vec![rect(lon, lat, 0.005, 0.004)])
}

fn ctx() -> WriteContext {
    WriteContext { author: Some("tester".into()), reason: Some("test".into()), ..WriteContext::default() }
}

fn all(limit: u32, offset: u64) -> ClusterQuery {
    ClusterQuery { limit, offset, ..ClusterQuery::ALL }
}

async fn page(store: &dyn Store, query: ClusterQuery) -> Vec<clusterplan_core::Cluster> {
    use futures::TryStreamExt;
    store.stream_clusters(query).try_collect().await.expect("stream")
}

async fn creates_and_reads_back_attributes_boundary_and_area(store: Arc<dyn Store>) {
    let d = draft("BT-CCN-1", 106.40, 10.23);
    let created = store.create_cluster(&d, &ctx()).await.expect("create");
    assert_eq!(created.version, 1);
    let read = store.get_cluster(created.id).await.expect("read");
    assert_eq!(read, created);
    assert_eq!(read.data.attrs, d.attrs);
    assert_eq!(read.data.boundary, d.boundary, "boundary round-trips exactly");
    assert!((read.data.area.projected_ha - d.area.projected_ha).abs() < 1e-9);
    assert_eq!(read.data.attrs.name(), "Phú Hưng–Mỹ Thạnh");
}

async fn lists_in_id_order_with_paging_and_counts(store: Arc<dyn Store>) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            store
                .create_cluster(&draft(&format!("C-{i}"), 106.0 + f64::from(i) * 0.01, 10.0), &ctx())
                .await
                .expect("create")
                .id,
        );
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase: {ids:?}");
    assert_eq!(store.count_clusters(&all(2, 0)).await.expect("count"), 5);
    let first: Vec<_> = page(store.as_ref(), all(2, 0)).await.iter().map(|c| c.id).collect();
    let second: Vec<_> = page(store.as_ref(), all(2, 2)).await.iter().map(|c| c.id).collect();
    let last: Vec<_> = page(store.as_ref(), all(2, 4)).await.iter().map(|c| c.id).collect();
    assert_eq!(first, ids[0..2]);
    assert_eq!(second, ids[2..4]);
    assert_eq!(last, ids[4..5]);
    assert!(page(store.as_ref(), all(2, 10)).await.is_empty());
}

async fn bbox_query_returns_what_really_intersects_not_what_envelopes_touch(store: Arc<dyn Store>) {
    // An L-shaped cluster whose envelope covers the query box but whose area does not.
    let l_shape = vec![vec![
        vec![106.0, 10.0],
        vec![106.1, 10.0],
        vec![106.1, 10.02],
        vec![106.02, 10.02],
        vec![106.02, 10.1],
        vec![106.0, 10.1],
        vec![106.0, 10.0],
    ]];
    let l = store.create_cluster(&draft_with("L", "L", l_shape), &ctx()).await.expect("create");
    let inside = store.create_cluster(&draft("IN", 106.06, 10.06), &ctx()).await.expect("create");
    let _far = store.create_cluster(&draft("FAR", 106.5, 10.5), &ctx()).await.expect("create");
    let q = ClusterQuery { bbox: Some([106.05, 10.05, 106.09, 10.09]), limit: 10, offset: 0, ..ClusterQuery::ALL };
    let found: Vec<_> = page(store.as_ref(), q.clone()).await.iter().map(|c| c.id).collect();
    assert_eq!(found, vec![inside.id]);
    assert_eq!(store.count_clusters(&q).await.expect("count"), 1);
    let stamp = store.clusters_stamp(Layer::Draft).await.expect("stamp");
    assert_eq!(store.clusters_stamp_and_count(&q, 10).await.expect("both"), (stamp, 1), "as read one by one");
    let q = ClusterQuery { bbox: Some([105.9, 9.9, 106.2, 10.2]), limit: 1, offset: 1, ..ClusterQuery::ALL };
    assert_eq!(store.count_clusters(&q).await.expect("count"), 2);
    assert_eq!(store.count_clusters_up_to(&q, 1).await.expect("bounded"), 1);
    assert_eq!(store.clusters_stamp_and_count(&q, 10).await.expect("both"), (stamp, 2));
    assert_eq!(store.clusters_stamp_and_count(&ClusterQuery::ALL, 2).await.expect("bounded"), (stamp, 2));
    let published = ClusterQuery { layer: Layer::Published, ..ClusterQuery::ALL };
    assert_eq!(store.clusters_stamp_and_count(&published, 10).await.expect("published"), (0, 0), "none yet");
    let found: Vec<_> = page(store.as_ref(), q.clone()).await.iter().map(|c| c.id).collect();
    assert_eq!(found, vec![inside.id], "paging applies after the exact filter (first was {})", l.id);
}

async fn update_replaces_everything_and_increments_the_version(store: Arc<dyn Store>) {
    let created = store.create_cluster(&draft("U-1", 106.4, 10.2), &ctx()).await.expect("create");
    let new = draft_with("U-1B", "Phong Nẫm", vec![rect(106.43, 10.2, 0.01, 0.01)]);
    let updated = store.update_cluster(created.id, Some(1), &new, &ctx()).await.expect("update");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.data.attrs.code(), "U-1B");
    assert_eq!(updated.data.boundary, new.boundary);
    assert_eq!(updated.created_at, created.created_at);
    assert!(updated.updated_at >= created.updated_at);
    // Without a version the write is unconditional.
    let again = store.update_cluster(created.id, None, &new, &ctx()).await.expect("update");
    assert_eq!(again.version, 3);
}

async fn a_stale_version_conflicts_and_changes_nothing(store: Arc<dyn Store>) {
    let created = store.create_cluster(&draft("S-1", 106.4, 10.2), &ctx()).await.expect("create");
    store.update_cluster(created.id, Some(1), &draft("S-1", 106.41, 10.2), &ctx()).await.expect("update");
    let err = store.update_cluster(created.id, Some(1), &draft("S-1", 106.5, 10.3), &ctx()).await.expect_err("stale");
    assert!(matches!(err, StoreError::VersionConflict { current: 2, expected: 1, .. }), "{err:?}");
    let err = store.delete_cluster(created.id, Some(1), &ctx()).await.expect_err("stale delete");
    assert!(matches!(err, StoreError::VersionConflict { current: 2, .. }), "{err:?}");
    let now = store.get_cluster(created.id).await.expect("read");
    assert_eq!(now.version, 2);
    assert_eq!(now.data.boundary, draft("S-1", 106.41, 10.2).boundary);
}

async fn delete_removes_and_later_reads_are_not_found(store: Arc<dyn Store>) {
    let created = store.create_cluster(&draft("D-1", 106.4, 10.2), &ctx()).await.expect("create");
    store.delete_cluster(created.id, Some(1), &ctx()).await.expect("delete");
    assert!(matches!(store.get_cluster(created.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.delete_cluster(created.id, None, &ctx()).await, Err(StoreError::NotFound(_))));
    assert_eq!(store.count_clusters(&all(10, 0)).await.expect("count"), 0);
    let q = ClusterQuery { bbox: Some([106.0, 10.0, 107.0, 11.0]), limit: 10, offset: 0, ..ClusterQuery::ALL };
    assert!(page(store.as_ref(), q).await.is_empty(), "the spatial index forgets deleted features");
}

async fn missing_ids_are_not_found_for_every_operation(store: Arc<dyn Store>) {
    assert!(matches!(store.get_cluster(999).await, Err(StoreError::NotFound(999))));
    assert!(matches!(
        store.update_cluster(999, None, &draft("X", 106.0, 10.0), &ctx()).await,
        Err(StoreError::NotFound(999))
    ));
    assert!(matches!(
        store.update_cluster(999, Some(1), &draft("X", 106.0, 10.0), &ctx()).await,
        Err(StoreError::NotFound(999))
    ));
    assert!(matches!(store.delete_cluster(999, Some(1), &ctx()).await, Err(StoreError::NotFound(999))));
    assert_eq!(store.count_clusters(&all(10, 0)).await.expect("count"), 0, "nothing was created");
}

async fn a_duplicate_code_is_refused_and_leaves_the_store_unchanged(store: Arc<dyn Store>) {
    let first = store.create_cluster(&draft("DUP", 106.4, 10.2), &ctx()).await.expect("create");
    let err = store.create_cluster(&draft("DUP", 106.5, 10.3), &ctx()).await.expect_err("duplicate");
    assert!(matches!(err, StoreError::Duplicate { field: "code", .. }), "{err:?}");
    let other = store.create_cluster(&draft("OTHER", 106.6, 10.3), &ctx()).await.expect("create");
    let err = store.update_cluster(other.id, Some(1), &draft("DUP", 106.6, 10.3), &ctx()).await.expect_err("duplicate");
    assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
    assert_eq!(store.count_clusters(&all(10, 0)).await.expect("count"), 2);
    assert_eq!(store.get_cluster(other.id).await.expect("read").version, 1);
    assert_eq!(store.get_cluster(first.id).await.expect("read").data.attrs.code(), "DUP");
    // The refused writes left no history either.
    assert_eq!(store.version_count(other.id).await.expect("versions"), 1);
}

async fn every_write_keeps_a_version_in_the_same_transaction(store: Arc<dyn Store>) {
    let c = store.create_cluster(&draft("V-1", 106.4, 10.2), &ctx()).await.expect("create");
    store.update_cluster(c.id, Some(1), &draft("V-1", 106.41, 10.2), &ctx()).await.expect("update");
    store.update_cluster(c.id, Some(2), &draft("V-1", 106.42, 10.2), &ctx()).await.expect("update");
    let _ = store.update_cluster(c.id, Some(1), &draft("V-1", 106.43, 10.2), &ctx()).await.expect_err("stale");
    assert_eq!(store.version_count(c.id).await.expect("versions"), 3);
    store.delete_cluster(c.id, Some(3), &ctx()).await.expect("delete");
    assert_eq!(store.version_count(c.id).await.expect("versions"), 4, "the deletion is a version too");
}

async fn concurrent_writers_with_the_same_version_have_exactly_one_winner(store: Arc<dyn Store>) {
    let c = store.create_cluster(&draft("RACE", 106.4, 10.2), &ctx()).await.expect("create");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.update_cluster(c.id, Some(1), &draft("RACE", 106.4 + f64::from(i) * 0.001, 10.2), &ctx()).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.expect("join") {
            Ok(_) => wins += 1,
            Err(StoreError::VersionConflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(store.get_cluster(c.id).await.expect("read").version, 2);
    assert_eq!(store.version_count(c.id).await.expect("versions"), 2);
}

async fn extent_covers_all_clusters(store: Arc<dyn Store>) {
    assert_eq!(store.cluster_extent(Layer::Draft).await.expect("extent"), None);
    store.create_cluster(&draft("E-1", 106.0, 10.0), &ctx()).await.expect("create");
    store.create_cluster(&draft("E-2", 106.5, 10.3), &ctx()).await.expect("create");
    let [a, b, c, d] = store.cluster_extent(Layer::Draft).await.expect("extent").expect("some");
    // The GeoPackage R*Tree keeps 32-bit floats rounded outwards: the extent contains every
    // cluster and is within a few metres of it.
    assert!(a <= 106.0 && b <= 10.0 && c >= 106.505 && d >= 10.304, "{a} {b} {c} {d}");
    assert!((a - 106.0).abs() < 5e-5 && (b - 10.0).abs() < 5e-5);
    assert!((c - 106.505).abs() < 5e-5 && (d - 10.304).abs() < 5e-5);
}

async fn a_boundary_with_holes_and_parts_round_trips(store: Arc<dyn Store>) {
    let with_hole = vec![rect(106.0, 10.0, 0.01, 0.01), {
        let mut hole = rect(106.003, 10.003, 0.002, 0.002);
        hole.reverse();
        hole
    }];
    let d = draft_with("HOLE", "Có lỗ", with_hole);
    let c = store.create_cluster(&d, &ctx()).await.expect("create");
    let read = store.get_cluster(c.id).await.expect("read");
    assert_eq!(read.data.boundary, d.boundary);
    assert_eq!(read.data.boundary.as_multi_polygon().0[0].interiors().len(), 1);
}

/// Each update answers with the state its own transaction wrote, never with a later writer's:
/// concurrent writers without a precondition each get back their own notes, and no two get
/// the same version.
async fn an_update_returns_what_it_wrote_under_concurrent_writers(store: Arc<dyn Store>) {
    let created = store.create_cluster(&draft("RACE", 106.40, 10.23), &ctx()).await.expect("create");
    let mut writers = Vec::new();
    for writer in 0..12 {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for step in 0..6 {
                let mut d = draft("RACE", 106.40, 10.23);
                let notes = format!("writer {writer} step {step}");
                let input = ClusterInput {
                    code: Some("RACE".into()),
                    name: Some("Phú Hưng–Mỹ Thạnh".into()),
                    kind: Some("cluster".into()),
                    status: Some("in_plan".into()),
                    notes: Some(notes.clone()),
                    ..ClusterInput::default()
                };
                d.attrs = ClusterAttrs::parse(input, Crs::VN2000_TM3_10545).expect("valid");
                let written = store.update_cluster(created.id, None, &d, &ctx()).await.expect("update");
                assert_eq!(written.data.attrs.notes(), Some(notes.as_str()), "the answer is this writer's state");
                seen.push(written.version);
            }
            seen
        }));
    }
    let mut versions = Vec::new();
    for w in writers {
        versions.extend(w.await.expect("writer"));
    }
    let count = versions.len();
    versions.sort_unstable();
    versions.dedup();
    assert_eq!(versions.len(), count, "every write answered with its own version");
}

async fn events_and_tasks_are_read_for_the_clusters_and_units_asked_only(store: Arc<dyn Store>) {
    use chrono::NaiveDate;
    use clusterplan_core::ClusterStatus;
    use clusterplan_core::lifecycle::{PlanningTask, StatusEvent};
    use clusterplan_store::{NewEvent, NewTask};

    let day = |d: u32| NaiveDate::from_ymd_opt(1998, 9, d).expect("date");
    let first = |d: u32| NewEvent {
        event: StatusEvent { from: None, to: ClusterStatus::InPlan, effective: day(d), act: None, note: None },
        overrides: "[]".into(),
        rule_results: "[]".into(),
    };
    let mut ids = Vec::new();
    for (i, code) in ["E-1", "E-2", "E-3"].into_iter().enumerate() {
        let (c, _) = store
            .create_cluster_with_event(&draft(code, 106.3 + 0.01 * i as f64, 10.2), &first(i as u32 + 1), &ctx())
            .await
            .expect("create");
        ids.push(c.id);
    }
    let task = |title: &str, cluster_id: Option<i64>, unit: Option<&str>| NewTask {
        task: PlanningTask {
            title: title.into(), owner_agency: "Sở Công nghiệp".into(), due: day(30), done_on: None
        },
        cluster_id,
        unit_code: unit.map(str::to_owned),
        act_number: None,
        notes: None,
    };
    for t in [
        task("of 1", Some(ids[0]), None),
        task("of 2", Some(ids[1]), None),
        task("of unit 829", None, Some("829")),
        task("of unit 834", None, Some("834")),
        task("of 3 in 834", Some(ids[2]), Some("834")),
    ] {
        store.create_task(&t).await.expect("task");
    }

    let events = store.events_of(&[ids[2], ids[0]], Layer::Draft).await.expect("events");
    let of: Vec<(i64, i64)> = events.iter().map(|e| (e.cluster_id, e.seq)).collect();
    assert_eq!(of, [(ids[0], 1), (ids[2], 1)], "by cluster then position, the clusters asked only");
    assert_eq!(events[1].event.effective, day(3));
    assert!(store.events_of(&[], Layer::Draft).await.expect("none").is_empty());
    assert!(store.events_of(&[i64::MAX], Layer::Draft).await.expect("unknown").is_empty());

    // The published history ends at the last publication: none before the first, then the
    // events recorded up to it, never one recorded after it.
    assert!(store.events_of(&ids, Layer::Published).await.expect("unpublished").is_empty(), "no publication yet");
    store.publish_clusters(None, &ctx()).await.expect("publish");
    // Timestamps are kept to the millisecond on the embedded store: a later one, surely.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (later, _) = store
        .create_cluster_with_event(&draft("E-4", 106.34, 10.2), &first(4), &ctx())
        .await
        .expect("create after the publication");
    let asked = [ids[0], ids[1], ids[2], later.id];
    let seen = |events: Vec<clusterplan_store::EventRecord>| events.iter().map(|e| e.cluster_id).collect::<Vec<_>>();
    assert_eq!(seen(store.events_of(&asked, Layer::Draft).await.expect("draft")), asked);
    assert_eq!(seen(store.events_of(&asked, Layer::Published).await.expect("published")), ids, "recorded after");

    let titles =
        |tasks: Vec<clusterplan_store::TaskRecord>| tasks.into_iter().map(|t| t.task.title).collect::<Vec<_>>();
    let tasks = store.tasks_concerning(&[ids[0]], &["829".to_owned()]).await.expect("tasks");
    assert_eq!(titles(tasks), ["of 1", "of unit 829"]);
    let tasks = store.tasks_concerning(&[], &["834".to_owned()]).await.expect("tasks");
    assert_eq!(titles(tasks), ["of unit 834", "of 3 in 834"]);
    let tasks = store.tasks_concerning(&[ids[1], ids[2]], &[]).await.expect("tasks");
    assert_eq!(titles(tasks), ["of 2", "of 3 in 834"]);
    assert!(store.tasks_concerning(&[], &[]).await.expect("none").is_empty());
}

async fn an_import_writes_all_or_nothing(store: Arc<dyn Store>) {
    use chrono::NaiveDate;
    use clusterplan_core::ClusterStatus;
    use clusterplan_core::lifecycle::StatusEvent;
    use clusterplan_store::{ClusterWrite, NewEvent};

    let first = NewEvent {
        event: StatusEvent {
            from: None,
            to: ClusterStatus::InPlan,
            effective: NaiveDate::from_ymd_opt(1998, 9, 1).expect("date"),
            act: None,
            note: None,
        },
        overrides: "[]".into(),
        rule_results: "[]".into(),
    };
    let existing = store.create_cluster(&draft("I-0", 106.30, 10.2), &ctx()).await.expect("create");
    let import = WriteContext { reason: Some("import ranh-gioi.zip".into()), ..ctx() };
    // A stale update in the batch: nothing of it is written, the creation before it included.
    let stale = [
        ClusterWrite::Create { draft: draft("I-1", 106.32, 10.2), first: first.clone() },
        ClusterWrite::Update { id: existing.id, expected_version: 7, draft: draft("I-0", 106.31, 10.2) },
    ];
    let refused = store.write_clusters(&stale, &import).await;
    assert!(matches!(refused, Err(StoreError::VersionConflict { .. })), "{refused:?}");
    assert_eq!(store.count_clusters(&ClusterQuery::ALL).await.expect("count"), 1);
    assert_eq!(store.get_cluster(existing.id).await.expect("read"), existing);
    // A duplicate code inside the batch: the same.
    let duplicate = [
        ClusterWrite::Create { draft: draft("I-2", 106.33, 10.2), first: first.clone() },
        ClusterWrite::Create { draft: draft("I-0", 106.34, 10.2), first: first.clone() },
    ];
    assert!(store.write_clusters(&duplicate, &import).await.is_err());
    assert_eq!(store.count_clusters(&ClusterQuery::ALL).await.expect("count"), 1);

    let good = [
        ClusterWrite::Create { draft: draft("I-1", 106.32, 10.2), first },
        ClusterWrite::Update { id: existing.id, expected_version: 1, draft: draft("I-0", 106.31, 10.2) },
    ];
    let written = store.write_clusters(&good, &import).await.expect("import");
    assert_eq!(written.iter().map(|c| (c.data.attrs.code(), c.version)).collect::<Vec<_>>(), [("I-1", 1), ("I-0", 2)]);
    assert_eq!(store.get_cluster(written[0].id).await.expect("read"), written[0]);
    for c in &written {
        let versions = store.versions(c.id).await.expect("versions");
        let last = versions.last().expect("a version");
        assert_eq!((last.version, last.reason.as_deref()), (c.version, Some("import ranh-gioi.zip")));
    }
    assert_eq!(store.events_of(&[written[0].id], Layer::Draft).await.expect("events").len(), 1, "a first status event");
}

use clusterplan_store::store_suite as suite;

suite!(
    creates_and_reads_back_attributes_boundary_and_area,
    lists_in_id_order_with_paging_and_counts,
    bbox_query_returns_what_really_intersects_not_what_envelopes_touch,
    update_replaces_everything_and_increments_the_version,
    a_stale_version_conflicts_and_changes_nothing,
    delete_removes_and_later_reads_are_not_found,
    missing_ids_are_not_found_for_every_operation,
    a_duplicate_code_is_refused_and_leaves_the_store_unchanged,
    every_write_keeps_a_version_in_the_same_transaction,
    concurrent_writers_with_the_same_version_have_exactly_one_winner,
    extent_covers_all_clusters,
    a_boundary_with_holes_and_parts_round_trips,
    an_update_returns_what_it_wrote_under_concurrent_writers,
    events_and_tasks_are_read_for_the_clusters_and_units_asked_only,
    an_import_writes_all_or_nothing,
);
