//! Keyset pages on both stores: a cursor starts a page in id order wherever the rest of the
//! selection is decided (in SQL, or the GeoPackage's exact tests in Rust), a page before a
//! cursor comes in id order, rows written between pages are neither repeated nor skipped, and
//! a bounded count stops at its bound. Every test exists as `gpkg::name` and `postgis::name`.

use std::sync::Arc;

use chrono::Utc;
use clusterplan_core::Cluster;
use clusterplan_store::{ClusterQuery, Cursor, Layer, Selection, SortKey, Store, StoreError, ZoneQuery};
use futures::TryStreamExt;

use crate::support::{ctx, input, small, tick, zone};

async fn create(store: &dyn Store, n: u32) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let draft = small(input(&format!("K-{i}"), "K", "in_plan"), 106.0 + 0.01 * f64::from(i), 10.0);
        ids.push(store.create_cluster(&draft, &ctx("an", "k")).await.expect("create").id);
    }
    ids
}

async fn ids(store: &dyn Store, query: ClusterQuery) -> Vec<i64> {
    let page: Vec<Cluster> = store.stream_clusters(query).try_collect().await.expect("page");
    page.iter().map(|c| c.id).collect()
}

fn from(cursor: Option<Cursor>, limit: u32) -> ClusterQuery {
    ClusterQuery { limit, cursor, ..ClusterQuery::ALL }
}

async fn pages_after_a_cursor_walk_the_layer_once_while_it_changes(store: Arc<dyn Store>) {
    let mut expected = create(store.as_ref(), 7).await;
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor = None;
    loop {
        let page = ids(store.as_ref(), from(cursor, 3)).await;
        seen.extend(&page);
        let Some(&last) = page.last() else { break };
        cursor = Some(Cursor::After(last));
        if seen.len() == 3 {
            // Between pages: one new feature (after every page read so far) and one deleted
            // among those already read; the rest neither repeats nor is skipped.
            let draft = small(input("K-NEW", "K", "in_plan"), 106.2, 10.0);
            expected.push(store.create_cluster(&draft, &ctx("an", "k")).await.expect("create").id);
            store.delete_cluster(expected[0], None, &ctx("an", "k")).await.expect("delete");
        }
    }
    assert_eq!(seen, expected, "every feature once, in id order");
    let gone = ids(store.as_ref(), from(Some(Cursor::After(expected[0])), 2)).await;
    assert_eq!(gone, expected[1..3], "a cursor on a deleted feature still starts after it");
}

async fn a_page_before_a_cursor_is_the_last_ones_below_it_in_id_order(store: Arc<dyn Store>) {
    let all = create(store.as_ref(), 5).await;
    assert_eq!(ids(store.as_ref(), from(Some(Cursor::Before(all[4])), 2)).await, all[2..4]);
    assert_eq!(ids(store.as_ref(), from(Some(Cursor::Before(all[1])), 3)).await, all[0..1]);
    assert!(ids(store.as_ref(), from(Some(Cursor::Before(all[0])), 3)).await.is_empty());
    // One longer than asked: a caller learns there is a page before this one.
    assert_eq!(ids(store.as_ref(), from(Some(Cursor::Before(all[4])), 4)).await, all[0..4]);
}

async fn cursors_page_after_the_exact_bbox_and_filter_tests(store: Arc<dyn Store>) {
    // Every other cluster in the box: the GeoPackage tests the box in Rust after its index.
    let all = create(store.as_ref(), 6).await;
    let inside = [all[1], all[3], all[5]];
    for (i, id) in all.iter().enumerate() {
        if i % 2 == 0 {
            store.delete_cluster(*id, None, &ctx("an", "k")).await.expect("delete");
        }
    }
    let boxed = |cursor| ClusterQuery { bbox: Some([105.9, 9.9, 106.2, 10.2]), ..from(cursor, 2) };
    assert_eq!(ids(store.as_ref(), boxed(None)).await, inside[0..2]);
    assert_eq!(ids(store.as_ref(), boxed(Some(Cursor::After(inside[1])))).await, inside[2..3]);
    assert_eq!(ids(store.as_ref(), boxed(Some(Cursor::Before(inside[2])))).await, inside[0..2]);
    let filter = Some(clusterplan_core::cql2::parse("code <> 'K-1'").expect("filter"));
    let filtered = |cursor| ClusterQuery {
        selection: Selection { filter: filter.clone(), sort: Vec::new() }.shared(),
        ..boxed(cursor)
    };
    assert_eq!(ids(store.as_ref(), filtered(Some(Cursor::After(inside[0])))).await, inside[1..3]);
    assert_eq!(ids(store.as_ref(), filtered(Some(Cursor::Before(inside[2])))).await, inside[1..2]);
}

async fn a_cursor_with_a_sort_is_refused(store: Arc<dyn Store>) {
    create(store.as_ref(), 2).await;
    let sorted = ClusterQuery {
        selection: Selection {
            filter: None,
            sort: vec![SortKey { by: clusterplan_store::Queryable::Code, descending: true }],
        }
        .shared(),
        ..from(Some(Cursor::After(0)), 2)
    };
    let refused: Result<Vec<Cluster>, _> = store.stream_clusters(sorted).try_collect().await;
    assert!(matches!(refused, Err(StoreError::Invalid(_))), "{refused:?}");
}

async fn a_bounded_count_stops_at_its_bound(store: Arc<dyn Store>) {
    create(store.as_ref(), 5).await;
    let all = ClusterQuery::ALL;
    assert_eq!(store.count_clusters_up_to(&all, 3).await.expect("count"), 3);
    assert_eq!(store.count_clusters_up_to(&all, 6).await.expect("count"), 5);
    assert_eq!(store.count_clusters(&all).await.expect("count"), 5);
    let boxed = ClusterQuery { bbox: Some([105.9, 9.9, 106.025, 10.2]), ..all };
    assert_eq!(store.count_clusters_up_to(&boxed, 2).await.expect("count"), 2);
    assert_eq!(store.count_clusters_up_to(&boxed, 9).await.expect("count"), 3);
}

async fn zones_and_past_states_page_by_cursor_too(store: Arc<dyn Store>) {
    let c = store.create_cluster(&small(input("Z", "Z", "in_plan"), 106.0, 10.0), &ctx("an", "z")).await;
    let c = c.expect("cluster");
    let mut zones = Vec::new();
    for i in 0..4 {
        let draft = zone(c.id, 106.0001 + 0.001 * f64::from(i), 0.0008, None);
        zones.push(store.create_zone(&draft, &ctx("an", "z")).await.expect("zone").id);
    }
    let page =
        |cursor| ZoneQuery { bbox: None, cluster_id: Some(c.id), limit: 2, offset: 0, cursor, layer: Layer::Draft };
    let zone_ids = |query| {
        let store = store.clone();
        async move {
            let got: Vec<_> = store.stream_zones(query).try_collect().await.expect("zones");
            got.iter().map(|z| z.id).collect::<Vec<i64>>()
        }
    };
    assert_eq!(zone_ids(page(Some(Cursor::After(zones[0])))).await, zones[1..3]);
    assert_eq!(zone_ids(page(Some(Cursor::Before(zones[3])))).await, zones[1..3]);
    let boxed = ZoneQuery { bbox: Some([106.0, 10.0, 106.0025, 10.004]), ..page(Some(Cursor::After(zones[0]))) };
    assert_eq!(zone_ids(boxed).await, zones[1..3]);
    assert_eq!(store.count_zones_up_to(&page(None), 3).await.expect("count"), 3);
    assert_eq!(store.count_zones_up_to(&boxed, 9).await.expect("count"), 3);

    tick().await;
    let then = Utc::now();
    tick().await;
    let past: Vec<Cluster> =
        store.stream_clusters_as_of(from(Some(Cursor::After(c.id - 1)), 5), then).try_collect().await.expect("as of");
    assert_eq!(past.iter().map(|c| c.id).collect::<Vec<_>>(), [c.id]);
    let past: Vec<Cluster> =
        store.stream_clusters_as_of(from(Some(Cursor::Before(c.id)), 5), then).try_collect().await.expect("as of");
    assert!(past.is_empty());
    let zones_then: Vec<_> =
        store.stream_zones_as_of(page(Some(Cursor::Before(zones[3]))), then).try_collect().await.expect("as of");
    assert_eq!(zones_then.iter().map(|z| z.id).collect::<Vec<_>>(), zones[1..3]);
}

use clusterplan_store::store_suite as suite;

suite!(
    pages_after_a_cursor_walk_the_layer_once_while_it_changes,
    a_page_before_a_cursor_is_the_last_ones_below_it_in_id_order,
    cursors_page_after_the_exact_bbox_and_filter_tests,
    a_cursor_with_a_sort_is_refused,
    a_bounded_count_stops_at_its_bound,
    zones_and_past_states_page_by_cursor_too,
);
