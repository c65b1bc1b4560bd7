//! Zone history on both stores: every zone write keeps its version and audit row in its own
//! transaction, `asOf` answers between versions, reverts add versions, and failed writes leave
//! nothing behind. Every test exists as `gpkg::name` and `postgis::name`.

use std::sync::Arc;

use chrono::Utc;
use clusterplan_core::ClusterDraft;
use clusterplan_store::{Layer, Store, StoreError, WriteContext, ZoneQuery};
use futures::TryStreamExt;

use crate::support::{ctx, input, small, tick, zone};

/// A 0.005° × 0.004° cluster with its south-west corner at (106.0, 10.0).
fn cluster() -> ClusterDraft {
    small(input("PH-MT", "Phú Hưng – Mỹ Thạnh", "in_plan"), 106.0, 10.0)
}

const ALL: ZoneQuery =
    ZoneQuery { bbox: None, cluster_id: None, limit: 100, offset: 0, cursor: None, layer: Layer::Draft };

async fn zone_history_keeps_every_write_with_who_and_why(store: Arc<dyn Store>) {
    let c = store.create_cluster(&cluster(), &ctx("an", "new")).await.expect("cluster");
    let made = store.create_zone(&zone(c.id, 106.001, 0.001, None), &ctx("an", "detailed plan")).await.expect("zone");
    let id = made.id;
    let lease = WriteContext { legal_act: Some("HĐ 12/2024/HĐTĐ".into()), ..ctx("binh", "leased") };
    store.update_zone(id, Some(1), &zone(c.id, 106.001, 0.001, Some("Cty Dừa Xanh")), &lease).await.expect("lease");
    store
        .update_zone(id, Some(2), &zone(c.id, 106.001, 0.0015, Some("Cty Dừa Xanh")), &ctx("an", "grown"))
        .await
        .expect("grow");
    store.delete_zone(id, Some(3), &ctx("an", "dropped")).await.expect("delete");
    assert!(matches!(store.get_zone(id).await, Err(StoreError::NotFound(_))));

    let versions = store.zone_versions(id).await.expect("versions");
    let ops: Vec<_> = versions.iter().map(|v| (v.version, v.operation.as_str(), v.author.as_deref())).collect();
    assert_eq!(
        ops,
        [(1, "create", Some("an")), (2, "update", Some("binh")), (3, "update", Some("an")), (4, "delete", Some("an"))]
    );
    assert_eq!(
        (versions[1].reason.as_deref(), versions[1].legal_act.as_deref()),
        (Some("leased"), Some("HĐ 12/2024/HĐTĐ"))
    );
    assert!(versions[3].state.is_none(), "a deletion is a tombstone");
    let leased = versions[1].state.as_ref().expect("state");
    assert_eq!((leased.version, leased.data.attrs.tenant()), (2, Some("Cty Dừa Xanh")));
    assert_eq!(leased.created_at, made.created_at, "a past state keeps its creation time");
    let one = store.zone_version(id, 3).await.expect("version");
    assert!((one.state.expect("state").data.area.projected_ha - made.data.area.projected_ha * 1.5).abs() < 0.01);
    assert!(matches!(store.zone_version(id, 9).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.zone_versions(9999).await, Err(StoreError::NotFound(9999))));

    // Reverting to the tombstone is refused; reverting the deleted zone restores it.
    assert!(matches!(store.revert_zone(id, 4, None, &ctx("an", "x")).await, Err(StoreError::Invalid(_))));
    let restored = store.revert_zone(id, 1, Some(4), &ctx("an", "restore")).await.expect("restore");
    assert_eq!((restored.id, restored.version, restored.data.attrs.tenant()), (id, 5, None));
    assert_eq!(restored.data.boundary, made.data.boundary);
    assert_eq!(restored.created_at, made.created_at);
    let reverted = store.revert_zone(id, 2, Some(5), &ctx("an", "back")).await.expect("revert");
    assert_eq!((reverted.version, reverted.data.attrs.tenant()), (6, Some("Cty Dừa Xanh")));
    let last = store.zone_version(id, 6).await.expect("version");
    assert_eq!((last.reverted_from, last.operation.as_str()), (Some(2), "update"));
    assert_eq!(store.zone_version(id, 5).await.expect("version").operation, "create");
    assert!(matches!(
        store.revert_zone(id, 1, Some(5), &ctx("an", "stale")).await,
        Err(StoreError::VersionConflict { current: 6, .. })
    ));
    assert_eq!(store.zone_versions(id).await.expect("versions").len(), 6, "a refused revert leaves no version");

    let audit = store.audit_page(20, 0).await.expect("audit");
    let zone_actions: Vec<_> =
        audit.iter().rev().filter(|a| a.action.starts_with("zone.")).map(|a| a.action.as_str()).collect();
    assert_eq!(
        zone_actions,
        ["zone.create", "zone.update", "zone.update", "zone.delete", "zone.revert", "zone.revert"]
    );
    assert_eq!(audit[0].target.as_deref(), Some(format!("zones/{id}").as_str()));
    assert_eq!(audit[0].detail.as_deref(), Some("version 6 restores version 2: back"));
}

async fn zones_as_of_answer_between_versions(store: Arc<dyn Store>) {
    let c = store.create_cluster(&cluster(), &ctx("an", "new")).await.expect("cluster");
    let before = Utc::now();
    tick().await;
    let a = store.create_zone(&zone(c.id, 106.0005, 0.001, None), &ctx("an", "a")).await.expect("a");
    let b = store.create_zone(&zone(c.id, 106.003, 0.001, None), &ctx("an", "b")).await.expect("b");
    tick().await;
    let t1 = Utc::now();
    tick().await;
    store.update_zone(a.id, None, &zone(c.id, 106.0005, 0.001, Some("Cty A")), &ctx("an", "lease")).await.expect("up");
    store.delete_zone(b.id, None, &ctx("an", "del")).await.expect("delete");
    tick().await;
    let t2 = Utc::now();

    let at = |query: ZoneQuery, t| {
        let store = store.clone();
        async move {
            let page: Vec<_> = store.stream_zones_as_of(query, t).try_collect().await.expect("as of");
            page.iter().map(|z| (z.id, z.version)).collect::<Vec<_>>()
        }
    };
    assert!(at(ALL, before).await.is_empty());
    assert_eq!(at(ALL, t1).await, [(a.id, 1), (b.id, 1)]);
    assert_eq!(at(ALL, t2).await, [(a.id, 2)]);
    assert_eq!(at(ZoneQuery { offset: 1, ..ALL }, t1).await, [(b.id, 1)]);
    let east = ZoneQuery { bbox: Some([106.0028, 9.9, 106.1, 10.1]), ..ALL };
    assert_eq!(store.count_zones_as_of(&east, t1).await.expect("count"), 1);
    assert_eq!(store.count_zones_as_of(&east, t2).await.expect("count"), 0);
    let other = ZoneQuery { cluster_id: Some(c.id + 1), ..ALL };
    assert_eq!(store.count_zones_as_of(&other, t1).await.expect("count"), 0);
    let old = store.zone_as_of(a.id, t1).await.expect("as of");
    assert_eq!((old.version, old.data.attrs.tenant()), (1, None));
    assert_eq!(store.zone_as_of(a.id, t2).await.expect("as of").data.attrs.tenant(), Some("Cty A"));
    assert!(matches!(store.zone_as_of(b.id, t2).await, Err(StoreError::NotFound(_))), "deleted by then");
    assert!(matches!(store.zone_as_of(a.id, before).await, Err(StoreError::NotFound(_))), "not yet created");
}

async fn a_failed_zone_write_leaves_no_version_and_no_audit_row(store: Arc<dyn Store>) {
    let c = store.create_cluster(&cluster(), &ctx("an", "new")).await.expect("cluster");
    let a = store.create_zone(&zone(c.id, 106.001, 0.001, None), &ctx("an", "a")).await.expect("a");
    let b = store.create_zone(&zone(c.id, 106.002, 0.001, None), &ctx("an", "b")).await.expect("b");
    let audit_before = store.audit_page(100, 0).await.expect("audit").len();
    // Outside the cluster, over a sibling, stale versions: each fails inside its transaction.
    let outside = store.create_zone(&zone(c.id, 106.0045, 0.001, None), &ctx("an", "out")).await;
    assert!(matches!(outside, Err(StoreError::Placement(_))), "{outside:?}");
    let over = store.update_zone(a.id, None, &zone(c.id, 106.001, 0.0015, None), &ctx("an", "over")).await;
    assert!(matches!(over, Err(StoreError::Placement(_))), "{over:?}");
    let stale = store.update_zone(a.id, Some(7), &zone(c.id, 106.001, 0.0005, None), &ctx("an", "stale")).await;
    assert!(matches!(stale, Err(StoreError::VersionConflict { .. })), "{stale:?}");
    assert!(matches!(store.delete_zone(b.id, Some(7), &ctx("an", "x")).await, Err(StoreError::VersionConflict { .. })));
    assert!(matches!(store.delete_zone(9999, None, &ctx("an", "x")).await, Err(StoreError::NotFound(9999))));
    // A revert whose state now overlaps a sibling is refused by the placement check.
    store.update_zone(b.id, None, &zone(c.id, 106.0025, 0.001, None), &ctx("an", "east")).await.expect("move");
    store.update_zone(a.id, None, &zone(c.id, 106.001, 0.0015, None), &ctx("an", "grow")).await.expect("grow");
    store.update_zone(b.id, None, &zone(c.id, 106.002, 0.001, None), &ctx("an", "")).await.expect_err("overlaps a");
    store.update_zone(a.id, None, &zone(c.id, 106.001, 0.0005, None), &ctx("an", "shrink")).await.expect("shrink");
    store.update_zone(b.id, None, &zone(c.id, 106.0015, 0.001, None), &ctx("an", "west")).await.expect("move");
    let audit_mid = store.audit_page(100, 0).await.expect("audit").len();
    assert_eq!(audit_mid, audit_before + 4, "only the four writes that succeeded are audited");
    let revert = store.revert_zone(a.id, 2, None, &ctx("an", "regrow")).await;
    assert!(matches!(revert, Err(StoreError::Placement(_))), "{revert:?}");
    assert_eq!(store.zone_versions(a.id).await.expect("versions").len(), 3);
    assert_eq!(store.zone_versions(b.id).await.expect("versions").len(), 3);
    assert_eq!(store.audit_page(100, 0).await.expect("audit").len(), audit_mid);
    assert_eq!(store.count_zones(&ALL).await.expect("count"), 2);
}

async fn a_bulk_load_gives_every_zone_its_first_version(store: Arc<dyn Store>) {
    let c = store.create_cluster(&cluster(), &ctx("an", "new")).await.expect("cluster");
    let drafts: Vec<_> = (0..4).map(|i| zone(c.id, 106.0 + f64::from(i) * 0.001, 0.001, None)).collect();
    assert_eq!(store.bulk_load_zones(&drafts).await.expect("load"), 4);
    let zones: Vec<_> = store.stream_zones(ALL).try_collect().await.expect("zones");
    assert_eq!(zones.len(), 4);
    for z in &zones {
        let v = store.zone_versions(z.id).await.expect("versions");
        assert_eq!(v.len(), 1);
        assert_eq!((v[0].operation.as_str(), v[0].author.as_deref()), ("create", Some("bulk load")));
        assert_eq!(v[0].state.as_ref().expect("state").data.boundary, z.data.boundary);
    }
}

use clusterplan_store::store_suite as suite;

suite!(
    zone_history_keeps_every_write_with_who_and_why,
    zones_as_of_answer_between_versions,
    a_failed_zone_write_leaves_no_version_and_no_audit_row,
    a_bulk_load_gives_every_zone_its_first_version,
);
