//! Item pages in id order page by keyset cursors, on both stores: following `next` reads every
//! feature once while others write between pages, `prev` goes back, old `offset` links still
//! work, a cursor this service did not write is a 400 naming its parameter, and
//! `numberMatched` is left out beyond the count's bound (lowered here).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use clusterplan_server::{AppState, Config};
use clusterplan_store::{Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::Answer;

const PLANNER_TOKEN: &str = "cpt_paging_tests_planner";
const ITEMS: &str = "/collections/clusters/items";
const ZONES: &str = "/collections/zones/items";

async fn get(state: &AppState, uri: &str) -> Answer {
    crate::common::send(state, Some(PLANNER_TOKEN), Method::GET, uri, &[], Body::empty()).await
}

async fn post(state: &AppState, uri: &str, body: &Value) -> i64 {
    let headers = [("content-type", "application/geo+json")];
    let a = crate::common::send(state, Some(PLANNER_TOKEN), Method::POST, uri, &headers, Body::from(body.to_string()))
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body["id"].as_i64().expect("id")
}

fn rect(lon: f64, lat: f64, w: f64, h: f64) -> Value {
    json!([[[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]])
}

async fn cluster(state: &AppState, i: u32) -> i64 {
    let body = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": rect(106.0 + f64::from(i) * 0.01, 10.0, 0.005, 0.004) },
        "properties": { "code": format!("PG-{i}"), "name": "Phú Hưng", "kind": "cluster", "status": "in_plan" }
    });
    post(state, ITEMS, &body).await
}

async fn zone(state: &AppState, cluster: i64, i: u32) -> i64 {
    let body = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": rect(106.0001 + f64::from(i) * 0.001, 10.001, 0.0008, 0.001) },
        "properties": { "cluster_id": cluster, "land_use": "IND", "label": format!("CN-{i}") }
    });
    post(state, ZONES, &body).await
}

/// The `href` of a page's link `rel`, without the host.
fn link(page: &Answer, rel: &str) -> Option<String> {
    let links = page.body["links"].as_array()?;
    let href = links.iter().find(|l| l["rel"] == rel)?["href"].as_str()?;
    Some(href.trim_start_matches("http://test.local").to_owned())
}

fn ids(page: &Answer) -> Vec<i64> {
    page.body["features"].as_array().expect("features").iter().map(|f| f["id"].as_i64().expect("id")).collect()
}

fn assert_bad_param(a: &Answer, param: &str) {
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{}", a.text);
    assert!(a.body["detail"].as_str().is_some_and(|d| d.contains(param)), "{param}: {}", a.text);
}

/// Follows `next` from `first`, calling `between` after each page; every id read.
async fn walk(state: &AppState, first: &str, mut between: impl AsyncFnMut(usize)) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(uri) = next {
        let page = get(state, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.text);
        seen.extend(ids(&page));
        next = link(&page, "next");
        if let Some(next) = &next {
            assert!(next.contains("after=") && !next.contains("offset="), "{next}");
        }
        pages += 1;
        assert!(pages < 50, "next links never end");
        between(pages).await;
    }
    seen
}

async fn following_next_reads_every_feature_once_while_others_write(state: AppState) {
    let mut expected = Vec::new();
    for i in 0..7 {
        expected.push(cluster(&state, i).await);
    }
    let first = expected[0];
    let mut added = Vec::new();
    let seen = walk(&state, &format!("{ITEMS}?limit=3"), async |page| {
        if page == 1 {
            // A feature created and one of those already read deleted between two pages.
            added.push(cluster(&state, 20).await);
            state.store.delete_cluster(first, None, &clusterplan_store::WriteContext::default()).await.expect("delete");
        }
    })
    .await;
    expected.extend(added);
    assert_eq!(seen, expected, "every feature once, in id order");
}

async fn prev_goes_back_and_old_offset_links_still_page(state: AppState) {
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(cluster(&state, i).await);
    }
    let first = get(&state, &format!("{ITEMS}?limit=2")).await;
    assert_eq!((ids(&first), link(&first, "prev")), (all[0..2].to_vec(), None));
    let second = get(&state, &link(&first, "next").expect("next")).await;
    assert_eq!(ids(&second), all[2..4]);
    let third = get(&state, &link(&second, "next").expect("next")).await;
    assert_eq!((ids(&third), link(&third, "next")), (all[4..5].to_vec(), None));
    let back = get(&state, &link(&third, "prev").expect("prev")).await;
    assert_eq!(ids(&back), all[2..4], "{}", back.text);
    let start = get(&state, &link(&back, "prev").expect("prev")).await;
    assert_eq!((ids(&start), link(&start, "prev")), (all[0..2].to_vec(), None), "the first page has no prev");
    assert_eq!(ids(&get(&state, &link(&start, "next").expect("next")).await), all[2..4]);
    // An offset, as an old link or a client's own paging: the same features, then cursors.
    let old = get(&state, &format!("{ITEMS}?limit=2&offset=1")).await;
    assert_eq!(ids(&old), all[1..3]);
    assert_eq!(ids(&get(&state, &link(&old, "next").expect("next")).await), all[3..5]);
    assert!(link(&old, "prev").is_some_and(|p| p.contains("offset=0")));
    // Sorted pages page by offset.
    let sorted = get(&state, &format!("{ITEMS}?limit=2&sortby=-code")).await;
    assert_eq!(ids(&sorted), [all[4], all[3]]);
    let next = link(&sorted, "next").expect("next");
    assert!(next.contains("offset=2") && next.contains("sortby=-code"), "{next}");
    assert_eq!(ids(&get(&state, &next).await), [all[2], all[1]]);
    // The HTML view pages with the same links.
    let html = crate::common::send(
        &state,
        Some(PLANNER_TOKEN),
        Method::GET,
        &format!("{ITEMS}?limit=2&f=html"),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(html.status, StatusCode::OK, "{}", html.text);
    assert!(html.text.contains(&format!("after=id.{}", all[1])), "{}", html.text);
}

async fn a_cursor_this_service_did_not_write_is_a_400_naming_it(state: AppState) {
    cluster(&state, 0).await;
    for (query, param) in [
        ("after=12", "after"),
        ("after=name.3", "after"),
        ("before=id.x", "before"),
        ("after=id.", "after"),
        ("after=id.1&offset=2", "offset"),
        ("after=id.1&before=id.3", "before"),
        ("after=id.1&sortby=code", "sortby"),
    ] {
        assert_bad_param(&get(&state, &format!("{ITEMS}?{query}")).await, param);
    }
    assert_bad_param(&get(&state, &format!("{ZONES}?after=zone.1")).await, "after");
}

async fn number_matched_is_left_out_beyond_the_bound(state: AppState) {
    let c = cluster(&state, 0).await;
    for i in 1..4 {
        cluster(&state, i).await;
    }
    for i in 0..4 {
        zone(&state, c, i).await;
    }
    let exact = get(&state, &format!("{ITEMS}?limit=2")).await;
    assert_eq!(exact.body["numberMatched"], 4);
    let config = Config { matched_exact_up_to: 3, ..(*state.config).clone() };
    let bounded = AppState { config: Arc::new(config), ..state.clone() };
    for uri in [format!("{ITEMS}?limit=2"), format!("{ZONES}?limit=2")] {
        let page = get(&bounded, &uri).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.body.get("numberMatched").is_none(), "{uri}: {}", page.text);
        assert_eq!(page.body["numberReturned"], 2);
        let all = walk(&bounded, &uri, async |_| {}).await;
        assert_eq!(all.len(), 4, "{uri}");
    }
    let narrow = get(&bounded, &format!("{ITEMS}?bbox=105.99,9.99,106.025,10.01")).await;
    assert_eq!(narrow.body["numberMatched"], 3, "at the bound it is exact: {}", narrow.text);
    let zones = get(&bounded, &format!("{ZONES}?limit=2")).await;
    let second = get(&bounded, &link(&zones, "next").expect("next")).await;
    let back = get(&bounded, &link(&second, "prev").expect("prev")).await;
    assert_eq!(ids(&back), ids(&zones), "zones go back too");
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(
    following_next_reads_every_feature_once_while_others_write,
    prev_goes_back_and_old_offset_links_still_page,
    a_cursor_this_service_did_not_write_is_a_400_naming_it,
    number_matched_is_left_out_beyond_the_bound,
);
