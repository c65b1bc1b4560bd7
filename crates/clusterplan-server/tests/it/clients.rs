//! What desktop and library clients need, at router level on both stores: writes without
//! `If-Match` merged against what the client last read (no lost update), the default reason
//! naming the client, bodies without `Content-Type`, one geometry type, GDAL's date-only
//! `datetime`, and the tile matrix sets served locally.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use clusterplan_server::AppState;
use clusterplan_store::{NewUser, Role, Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::{Answer, send};

const PLANNER: &str = "cpt_clients_tests_planner_token";
const OTHER: &str = "cpt_clients_tests_other_token";
const ITEMS: &str = "/collections/clusters/items";

async fn call(
    state: &AppState,
    token: &str,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    send(state, Some(token), method, uri, headers, body).await
}

fn square(code: &str, lon: f64) -> Value {
    let (w, e, s, n) = (lon, lon + 0.005, 10.23, 10.234);
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
        "properties": { "code": code, "name": "Phú Hưng", "kind": "cluster", "status": "in_plan" }
    })
}

const PATCH: [(&str, &str); 1] = [("content-type", "application/merge-patch+json")];

async fn create(state: &AppState, code: &str, lon: f64) -> String {
    let a = call(
        state,
        PLANNER,
        Method::POST,
        ITEMS,
        &[("content-type", "application/geo+json")],
        Some(&square(code, lon)),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    format!("{ITEMS}/{}", a.body["id"])
}

/// The other planner's edit, with If-Match after its own read.
async fn other_patches(state: &AppState, item: &str, patch: Value) -> i64 {
    let read = call(state, OTHER, Method::GET, item, &[], None).await;
    let tag = format!("\"{}\"", read.body["properties"]["version"]);
    let a = call(state, OTHER, Method::PATCH, item, &[PATCH[0], ("if-match", &tag)], Some(&patch)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body["properties"]["version"].as_i64().expect("version")
}

async fn a_patch_without_if_match_merges_field_by_field_and_refuses_only_a_conflicting_field(state: AppState) {
    let item = create(&state, "M-1", 106.40).await;
    // Another client changes the notes meanwhile.
    other_patches(&state, &item, json!({ "properties": { "notes": "của người khác" } })).await;
    // This client, from its version 1, renames: a field nobody else touched.
    let renamed =
        call(&state, PLANNER, Method::PATCH, &item, &PATCH, Some(&json!({ "properties": { "name": "Mỹ Thạnh" } })))
            .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["properties"]["notes"], "của người khác", "the other client's change is kept");
    assert_eq!(renamed.body["properties"]["name"], "Mỹ Thạnh");
    assert_eq!(renamed.body["properties"]["version"], 3);

    // The other client renames; this client, from version 3, renames too: a conflict on that
    // field only, and nothing is written.
    other_patches(&state, &item, json!({ "properties": { "name": "An Hiệp" } })).await;
    let stale = json!({ "properties": { "name": "Tên cũ", "notes": "mới" } });
    let refused = call(&state, PLANNER, Method::PATCH, &item, &PATCH, Some(&stale)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.body["type"], "urn:clusterplan:problem:edit-conflict");
    assert_eq!(refused.body["conflicts"].as_array().map(Vec::len), Some(1), "{}", refused.text);
    assert_eq!(refused.body["conflicts"][0]["field"], "name");
    assert_eq!(refused.body["conflicts"][0]["theirs"], "An Hiệp");
    let now = call(&state, PLANNER, Method::GET, &item, &[], None).await;
    assert_eq!(
        (now.body["properties"]["name"].as_str(), now.body["properties"]["version"].as_i64()),
        (Some("An Hiệp"), Some(4))
    );

    // Having read it (the GET above), the same change goes through.
    let again = call(&state, PLANNER, Method::PATCH, &item, &PATCH, Some(&stale)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["properties"]["name"], "Tên cũ");
}

async fn a_geometry_change_without_if_match_needs_the_geometry_unchanged_since_the_read(state: AppState) {
    let item = create(&state, "G-1", 106.40).await;
    let moved = |lon: f64| json!({ "geometry": square("x", lon)["geometry"] });
    // Another client edits an attribute: the geometry change still applies.
    other_patches(&state, &item, json!({ "properties": { "notes": "ghi chú" } })).await;
    let a = call(&state, PLANNER, Method::PATCH, &item, &PATCH, Some(&moved(106.41))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["properties"]["notes"], "ghi chú");
    assert_eq!(a.body["geometry"]["coordinates"][0][0][0], json!([106.41, 10.23]));
    // Another client moves it: this client's move from its older read is refused.
    other_patches(&state, &item, moved(106.42)).await;
    let refused = call(&state, PLANNER, Method::PATCH, &item, &PATCH, Some(&moved(106.43))).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.body["conflicts"][0]["field"], "geometry");
    let now = call(&state, OTHER, Method::GET, &item, &[], None).await;
    assert_eq!(now.body["geometry"]["coordinates"][0][0][0], json!([106.42, 10.23]), "the other move is kept");
}

async fn a_put_without_if_match_or_content_type_merges_from_the_version_property(state: AppState) {
    let item = create(&state, "P-1", 106.40).await;
    let mut read = call(&state, PLANNER, Method::GET, &item, &[], None).await.body;
    other_patches(&state, &item, json!({ "properties": { "notes": "giữ lại" } })).await;
    // The whole feature as read (version 1), with a new name, sent without Content-Type by a
    // client (say OWSLib) on another instance that never sent it this feature.
    let mut elsewhere = (*state.config).clone();
    elsewhere.reads = clusterplan_server::precondition::ReadLog::default();
    let elsewhere = AppState { store: state.store.clone(), config: Arc::new(elsewhere) };
    read["properties"]["name"] = json!("Tên mới");
    let put = call(&elsewhere, PLANNER, Method::PUT, &item, &[], Some(&read)).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.body["properties"]["name"], "Tên mới");
    assert_eq!(put.body["properties"]["notes"], "giữ lại", "a field the client did not change keeps today's value");
    // The same body again: from version 1, `name` has since changed to the value it sends, so
    // no conflict; `notes` it sends as version 1 had it (none): no change of its own.
    let again = call(&elsewhere, PLANNER, Method::PUT, &item, &[], Some(&read)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    assert_eq!(again.body["properties"]["notes"], "giữ lại");
    // A version that does not exist, or a body that is no JSON: refused, nothing written.
    read["properties"]["version"] = json!(99);
    let future = call(&elsewhere, PLANNER, Method::PUT, &item, &[], Some(&read)).await;
    assert_eq!(future.status, StatusCode::PRECONDITION_FAILED, "{}", future.text);
    let text = call(&elsewhere, PLANNER, Method::PUT, &item, &[], None).await;
    assert_eq!(text.status, StatusCode::BAD_REQUEST, "{}", text.text);
    let typed = call(&elsewhere, PLANNER, Method::PUT, &item, &[("content-type", "text/plain")], Some(&read)).await;
    assert_eq!(typed.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "a named type must still be JSON");
    let xml = [("content-type", "text/xml")];
    let not_json = call(&elsewhere, PLANNER, Method::PUT, &item, &xml, Some(&json!("<Feature/>"))).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", not_json.text);
    let now = call(&state, PLANNER, Method::GET, &item, &[], None).await;
    assert_eq!(now.body["properties"]["version"], 4);
    // OWSLib labels every string body `text/xml`: a JSON object under an XML type is read as JSON.
    read["properties"]["version"] = json!(4);
    let owslib = call(&elsewhere, PLANNER, Method::PUT, &item, &xml, Some(&read)).await;
    assert_eq!(
        (owslib.status, owslib.body["properties"]["version"].as_i64()),
        (StatusCode::OK, Some(5)),
        "{}",
        owslib.text
    );
}

async fn a_delete_without_if_match_needs_the_feature_unchanged_since_the_read(state: AppState) {
    let item = create(&state, "D-1", 106.40).await;
    other_patches(&state, &item, json!({ "properties": { "notes": "sửa" } })).await;
    let refused = call(&state, PLANNER, Method::DELETE, &item, &[], None).await;
    assert_eq!(refused.status, StatusCode::PRECONDITION_FAILED, "{}", refused.text);
    assert_eq!(call(&state, PLANNER, Method::GET, ITEMS, &[], None).await.body["numberMatched"], 1);
    // A page read counts as a read: the delete now goes through.
    let deleted = call(&state, PLANNER, Method::DELETE, &item, &[], None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
}

async fn writes_without_a_reason_name_the_client_and_a_reason_can_be_added_later(state: AppState) {
    let item = create(&state, "R-1", 106.40).await;
    let ua = [PATCH[0], ("user-agent", "Mozilla/5.0 QGIS/34006/Debian GNU/Linux 12 (bookworm)")];
    let a = call(&state, PLANNER, Method::PATCH, &item, &ua, Some(&json!({ "properties": { "name": "X" } }))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let versions = call(&state, PLANNER, Method::GET, &format!("{item}/versions"), &[], None).await.body;
    let versions = versions.get("versions").unwrap_or(&versions).clone();
    let reason = versions[1]["reason"].as_str().expect("reason");
    assert!(reason.starts_with("no reason given") && reason.contains("QGIS/34006"), "{reason}");
    assert!(versions[0]["reason"].as_str().is_some_and(|r| r.contains("no User-Agent")), "{versions}");
    // The planner gives the reason afterwards, as a comment on that version.
    let why = json!({ "text": "Điều chỉnh theo Quyết định 123/QĐ-UBND", "version": 2 });
    let comment = call(
        &state,
        PLANNER,
        Method::POST,
        &format!("{item}/comments"),
        &[("content-type", "application/json")],
        Some(&why),
    )
    .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.text);
    assert_eq!(comment.body["version"], 2);
}

async fn every_feature_is_a_multipolygon_and_the_layer_declares_it(state: AppState) {
    create(&state, "T-1", 106.40).await;
    let page = call(&state, PLANNER, Method::GET, ITEMS, &[], None).await;
    assert_eq!(page.body["features"][0]["geometry"]["type"], "MultiPolygon", "a one-part boundary too");
    let queryables = call(&state, PLANNER, Method::GET, "/collections/clusters/queryables", &[], None).await;
    assert_eq!(queryables.body["properties"]["geometry"]["format"], "geometry-multipolygon", "{}", queryables.text);
}

async fn gdal_date_only_datetime_forms_are_accepted(state: AppState) {
    create(&state, "DT-1", 106.40).await;
    for (datetime, matched) in [
        ("2020-01-01T/..", 1),
        ("2020-01-01T00:00:00/..", 1),
        ("../2020-01-01T", 0),
        ("2099-01-01T/..", 0),
        ("2020-01-01/..", 1),
    ] {
        let a = call(&state, PLANNER, Method::GET, &format!("{ITEMS}?datetime={datetime}"), &[], None).await;
        assert_eq!(a.status, StatusCode::OK, "{datetime}: {}", a.text);
        assert_eq!(a.body["numberMatched"], matched, "{datetime}");
    }
    let bad = call(&state, PLANNER, Method::GET, &format!("{ITEMS}?datetime=2020-13-01T/.."), &[], None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

async fn tile_matrix_sets_are_served_locally_and_the_tileset_has_limits(state: AppState) {
    create(&state, "TM-1", 106.40).await;
    let list = call(&state, PLANNER, Method::GET, "/tileMatrixSets", &[], None).await;
    assert_eq!(list.body["tileMatrixSets"][0]["id"], "WebMercatorQuad", "{}", list.text);
    let tms = call(&state, PLANNER, Method::GET, "/tileMatrixSets/WebMercatorQuad", &[], None).await;
    let matrices = tms.body["tileMatrices"].as_array().expect("tileMatrices");
    assert_eq!(matrices.len(), 25);
    assert_eq!(matrices[0]["matrixWidth"], 1);
    assert!((matrices[0]["scaleDenominator"].as_f64().expect("scale") - 559_082_264.028_717_2).abs() < 1e-3);
    assert_eq!(matrices[14]["matrixWidth"], 16384);
    assert_eq!(
        call(&state, PLANNER, Method::GET, "/tileMatrixSets/Other", &[], None).await.status,
        StatusCode::NOT_FOUND
    );

    let tileset = call(&state, PLANNER, Method::GET, "/collections/clusters/tiles/WebMercatorQuad", &[], None).await;
    let scheme = tileset.body["links"]
        .as_array()
        .expect("links")
        .iter()
        .find(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")
        .expect("tiling-scheme link")
        .clone();
    assert_eq!(scheme["href"], "http://test.local/tileMatrixSets/WebMercatorQuad", "the local one, which GDAL follows");
    let limits = tileset.body["tileMatrixSetLimits"].as_array().expect("limits");
    // The feature at 106.40–106.405 E, 10.23–10.234 N: one tile at zoom 14.
    let z14 = limits.iter().find(|l| l["tileMatrix"] == "14").expect("zoom 14");
    assert_eq!((z14["minTileCol"].as_u64(), z14["maxTileCol"].as_u64()), (Some(13034), Some(13034)), "{z14}");
    assert_eq!((z14["minTileRow"].as_u64(), z14["maxTileRow"].as_u64()), (Some(7723), Some(7723)), "{z14}");
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let state = crate::common::planner_state(store, config, PLANNER).await;
    let password_hash = clusterplan_server::auth::hash_password("other password").expect("hash");
    let user = NewUser { name: "other".into(), role: Role::Planner, unit_code: None, password_hash };
    state.store.create_user(&user).await.expect("other planner");
    let made = state.store.create_token("other", "clients tests", &clusterplan_server::auth::digest(OTHER)).await;
    assert!(made.expect("token"));
    state
}

router_suite!(
    a_patch_without_if_match_merges_field_by_field_and_refuses_only_a_conflicting_field,
    a_geometry_change_without_if_match_needs_the_geometry_unchanged_since_the_read,
    a_put_without_if_match_or_content_type_merges_from_the_version_property,
    a_delete_without_if_match_needs_the_feature_unchanged_since_the_read,
    writes_without_a_reason_name_the_client_and_a_reason_can_be_added_later,
    every_feature_is_a_multipolygon_and_the_layer_declares_it,
    gdal_date_only_datetime_forms_are_accepted,
    tile_matrix_sets_are_served_locally_and_the_tileset_has_limits,
);
