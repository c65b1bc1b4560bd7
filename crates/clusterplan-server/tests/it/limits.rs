//! What one request may cost, over HTTP on both stores: the tile cache answers from one router
//! until an edit, `TileJSON` states the limits of a tile, and HTML item pages are capped.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use clusterplan_core::Crs;
use clusterplan_server::{AppState, app};
use clusterplan_store::{Store, StoreConfig, WriteContext};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const PLANNER_TOKEN: &str = "cpt_limits_tests_planner";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

async fn get(router: &Router, uri: &str) -> Answer {
    let request = Request::builder()
        .uri(uri)
        .header(header::HOST, "test.local")
        .header(header::AUTHORIZATION, format!("Bearer {PLANNER_TOKEN}"))
        .body(Body::empty())
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { status, headers, bytes }
}

/// The `WebMercatorQuad` tile path holding a point.
fn tile_path(z: u8, lon: f64, lat: f64) -> String {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    format!("/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}")
}

async fn a_cached_tile_is_served_until_an_edit_changes_the_layer(state: AppState) {
    use clusterplan_core::geometry::validate;
    use clusterplan_core::{ClusterAttrs, ClusterDraft, ClusterInput, RawBoundary};
    let ring = vec![
        vec![106.40, 10.23],
        vec![106.405, 10.23],
        vec![106.405, 10.234],
        vec![106.40, 10.234],
        vec![106.40, 10.23],
    ];
    let input = ClusterInput {
        code: Some("BT-1".into()),
        name: Some("Phú Hưng".into()),
        kind: Some("cluster".into()),
        status: Some("in_plan".into()),
        ..ClusterInput::default()
    };
    let attrs = ClusterAttrs::parse(input, Crs::VN2000_TM3_10545).expect("attributes");
    let draft =
        ClusterDraft::new(attrs, validate(&RawBoundary::Polygon(vec![ring])).expect("boundary")).expect("draft");
    let ctx = WriteContext { author: Some("tester".into()), ..WriteContext::default() };
    let cluster = state.store.create_cluster(&draft, &ctx).await.expect("create");
    let path = tile_path(15, 106.4025, 10.232);
    // One router, as the server runs: one cache for every request.
    let router = app(state.clone());
    let first = get(&router, &path).await;
    assert_eq!(first.status, StatusCode::OK);
    let again = get(&router, &path).await;
    assert_eq!((again.status, &again.bytes), (StatusCode::OK, &first.bytes));
    assert_eq!(again.headers[header::ETAG], first.headers[header::ETAG]);
    // Deleted behind the router's back, through the store: the cached tile is not served
    // again, since its key holds the change stamp.
    state.store.delete_cluster(cluster.id, None, &ctx).await.expect("delete");
    let after = get(&router, &path).await;
    assert_eq!(after.status, StatusCode::NO_CONTENT, "the tile is empty now");
    assert_ne!(after.headers[header::ETAG], first.headers[header::ETAG]);
}

async fn tilejson_states_what_a_tile_may_hold(state: AppState) {
    let router = app(state);
    let doc = get(&router, "/collections/clusters/tiles/WebMercatorQuad/tilejson.json").await;
    let doc: Value = serde_json::from_slice(&doc.bytes).expect("json");
    let limits = &doc["clusterplan:limits"];
    assert_eq!(limits["max_features_per_tile"], clusterplan_store::tiles::MAX_TILE_FEATURES, "{doc}");
    assert_eq!(limits["max_vertices_per_tile"], clusterplan_store::tiles::MAX_TILE_VERTICES);
    assert_eq!(limits["kept_first"], "largest area_ha, then lowest id");
}

async fn html_item_pages_are_capped_and_say_so(state: AppState) {
    clusterplan_server::demo::seed_if_empty(state.store.as_ref(), Crs::VN2000_TM3_10545).await.expect("seed");
    let router = app(state);
    let page = get(&router, "/collections/clusters/items?f=html&limit=5000").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&page.bytes);
    assert!(text.contains("tối đa 1000 đối tượng (đã yêu cầu limit=5000)"), "{text}");
    assert!(text.contains("limit=1000"), "the page's own links carry the lowered limit: {text}");
    let english = get(&router, "/collections/clusters/items?f=html&limit=5000&lang=en").await;
    assert!(String::from_utf8_lossy(&english.bytes).contains("at most 1000 features (limit=5000 was asked)"));
    let small = get(&router, "/collections/clusters/items?f=html&limit=5").await;
    assert!(!String::from_utf8_lossy(&small.bytes).contains("tối đa"), "a small limit is kept");
    // JSON pages stream, and keep the limit asked for.
    let json = get(&router, "/collections/clusters/items?f=json&limit=5000").await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&json.bytes).contains("limit=5000"));
    // A limit that is not a number is the JSON handler's 400, as before.
    assert_eq!(get(&router, "/collections/clusters/items?f=html&limit=lots").await.status, StatusCode::BAD_REQUEST);
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(
    a_cached_tile_is_served_until_an_edit_changes_the_layer,
    tilejson_states_what_a_tile_may_hold,
    html_item_pages_are_capped_and_say_so,
);
