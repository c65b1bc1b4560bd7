//! Router-level tests of the HTTP API (no socket), run on both stores.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use clusterplan_server::AppState;
use clusterplan_store::{ClusterQuery, GpkgStore, Store, StoreConfig};

use crate::common::Answer;
use serde_json::{Value, json};

/// Every request of these tests is a planner's, with a real token made in [`state_for`].
const PLANNER_TOKEN: &str = "cpt_api_tests_planner_token";

async fn call(state: &AppState, method: Method, uri: &str, headers: &[(&str, &str)], body: Body) -> Answer {
    crate::common::send(state, Some(PLANNER_TOKEN), method, uri, headers, body).await
}

async fn get(state: &AppState, uri: &str) -> Answer {
    call(state, Method::GET, uri, &[], Body::empty()).await
}

async fn send(state: &AppState, method: Method, uri: &str, body: &Value, if_match: Option<&str>) -> Answer {
    let mut headers = vec![("content-type", "application/geo+json")];
    if let Some(tag) = if_match {
        headers.push(("if-match", tag));
    }
    call(state, method, uri, &headers, Body::from(body.to_string())).await
}

fn feature(code: &str, ring: Value) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": Value::Array(vec![ring]) },
        "properties": { "code": code, "name": "Phú Hưng–Mỹ Thạnh", "kind": "cluster", "status": "in_plan" }
    })
}

fn square(lon: f64, lat: f64) -> Value {
    json!([[lon, lat], [lon + 0.005, lat], [lon + 0.005, lat + 0.004], [lon, lat + 0.004], [lon, lat]])
}

async fn count(state: &AppState) -> u64 {
    state.store.count_clusters(&ClusterQuery { limit: 1, ..ClusterQuery::ALL }).await.expect("count")
}

fn assert_problem(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{}", a.text);
    assert_eq!(a.body["status"], status.as_u16());
    assert!(a.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{}", a.text);
}

const ITEMS: &str = "/collections/clusters/items";

async fn landing_conformance_and_collections_link_up(state: AppState) {
    let landing = call(&state, Method::GET, "/", &[("accept", "application/json")], Body::empty()).await;
    assert_eq!(landing.status, StatusCode::OK);
    let rels: Vec<_> =
        landing.body["links"].as_array().expect("links").iter().map(|l| l["rel"].as_str().unwrap_or("")).collect();
    assert!(rels.contains(&"conformance") && rels.contains(&"data") && rels.contains(&"self"), "{rels:?}");
    assert!(landing.text.contains("http://test.local/collections"));
    let conf = get(&state, "/conformance").await;
    let classes = conf.body["conformsTo"].as_array().expect("classes");
    assert!(classes.iter().any(|c| c.as_str().is_some_and(|c| c.ends_with("ogcapi-features-1/1.0/conf/core"))));
    let cols = get(&state, "/collections").await;
    assert_eq!(cols.body["collections"][0]["id"], "clusters");
    let col = get(&state, "/collections/clusters").await;
    assert_eq!(col.status, StatusCode::OK);
    assert_problem(&get(&state, "/collections/nope").await, StatusCode::NOT_FOUND);
    assert_problem(&get(&state, "/collections/nope/items").await, StatusCode::NOT_FOUND);
}

async fn a_browser_asking_for_the_landing_page_gets_the_map(state: AppState) {
    let page = call(&state, Method::GET, "/", &[("accept", "text/html,application/xhtml+xml")], Body::empty()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap_or("").starts_with("text/html"));
    assert!(page.text.contains("<html") || page.text.contains("<!doctype") || page.text.contains("<!DOCTYPE"));
    let json = call(&state, Method::GET, "/?f=json", &[("accept", "text/html")], Body::empty()).await;
    assert!(json.body["links"].is_array(), "f=json wins over Accept");
}

async fn create_read_replace_delete_round_trip_with_etags(state: AppState) {
    let created = send(&state, Method::POST, ITEMS, &feature("BT-1", square(106.40, 10.23)), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let location = created.headers[header::LOCATION].to_str().expect("location").to_owned();
    let id = created.body["id"].as_i64().expect("id");
    assert_eq!(location, format!("http://test.local{ITEMS}/{id}"));
    assert_eq!(created.headers[header::ETAG], "\"1\"");
    assert!(created.body["properties"]["area_ha"].as_f64().expect("area") > 20.0);
    assert_eq!(created.body["properties"]["planning_crs"], "EPSG:9210");

    let read = get(&state, &format!("{ITEMS}/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.headers[header::CONTENT_TYPE], "application/geo+json");
    assert_eq!(read.body["properties"]["name"], "Phú Hưng–Mỹ Thạnh");
    let not_modified =
        call(&state, Method::GET, &format!("{ITEMS}/{id}"), &[("if-none-match", "\"1\"")], Body::empty()).await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);

    let mut changed = feature("BT-1", square(106.41, 10.23));
    changed["properties"]["notes"] = json!("moved north-west");
    let replaced = send(&state, Method::PUT, &format!("{ITEMS}/{id}"), &changed, Some("\"1\"")).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.text);
    assert_eq!(replaced.headers[header::ETAG], "\"2\"");
    assert_eq!(replaced.body["properties"]["notes"], "moved north-west");

    let stale =
        send(&state, Method::PUT, &format!("{ITEMS}/{id}"), &feature("BT-1", square(106.5, 10.3)), Some("\"1\"")).await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.body["current_version"], 2);
    assert_eq!(
        get(&state, &format!("{ITEMS}/{id}")).await.body["properties"]["version"],
        2,
        "stale PUT changed nothing"
    );

    let stale_delete =
        call(&state, Method::DELETE, &format!("{ITEMS}/{id}"), &[("if-match", "\"1\"")], Body::empty()).await;
    assert_problem(&stale_delete, StatusCode::PRECONDITION_FAILED);
    let deleted = call(&state, Method::DELETE, &format!("{ITEMS}/{id}"), &[("if-match", "\"2\"")], Body::empty()).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_problem(&get(&state, &format!("{ITEMS}/{id}")).await, StatusCode::NOT_FOUND);
    assert_problem(&get(&state, &format!("{ITEMS}/abc")).await, StatusCode::NOT_FOUND);
}

async fn items_page_with_counts_and_next_links(state: AppState) {
    for i in 0..5 {
        let a = send(
            &state,
            Method::POST,
            ITEMS,
            &feature(&format!("P-{i}"), square(106.0 + f64::from(i) * 0.01, 10.0)),
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    let page = get(&state, &format!("{ITEMS}?limit=2")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.headers[header::CONTENT_TYPE], "application/geo+json");
    assert_eq!(page.body["type"], "FeatureCollection");
    assert_eq!(page.body["numberMatched"], 5);
    assert_eq!(page.body["numberReturned"], 2);
    let next = page.body["links"].as_array().expect("links").iter().find(|l| l["rel"] == "next").expect("next")["href"]
        .as_str()
        .expect("href")
        .to_owned();
    let second = page.body["features"][1]["id"].as_i64().expect("id");
    assert_eq!(next, format!("http://test.local{ITEMS}?limit=2&after=id.{second}"));
    let last = get(&state, &format!("{ITEMS}?limit=2&offset=4")).await;
    assert_eq!(last.body["numberReturned"], 1);
    assert!(last.body["links"].as_array().expect("links").iter().all(|l| l["rel"] != "next"));
    assert!(last.body["links"].as_array().expect("links").iter().any(|l| l["rel"] == "prev"));
    let boxed = get(&state, &format!("{ITEMS}?bbox=106.016,9.99,106.024,10.01")).await;
    assert_eq!(boxed.body["numberMatched"], 1, "{}", boxed.text);
    assert_eq!(boxed.body["features"][0]["properties"]["code"], "P-2");
    let empty = get(&state, &format!("{ITEMS}?bbox=0,0,1,1")).await;
    assert_eq!(empty.body["numberReturned"], 0);
    assert_eq!(empty.body["features"], json!([]));
}

/// A page of GeoJSON as clients see it, the same on both stores (times, which differ per run,
/// redacted): a change to the wire format shows in `snapshots/` and needs a review.
async fn an_items_page_keeps_its_geojson_shape(state: AppState) {
    for (i, code) in ["SNAP-A", "SNAP-B"].into_iter().enumerate() {
        let a = send(&state, Method::POST, ITEMS, &feature(code, square(106.0 + i as f64 * 0.01, 10.0)), None).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    let page = get(&state, &format!("{ITEMS}?limit=1&sortby=code")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("items_page", page.body, {
            ".timeStamp" => "[time]",
            ".features[].properties.created_at" => "[time]",
            ".features[].properties.updated_at" => "[time]",
        });
    });
}

async fn bad_query_parameters_are_400_problems(state: AppState) {
    for uri in [
        format!("{ITEMS}?limit=0"),
        format!("{ITEMS}?limit=abc"),
        format!("{ITEMS}?offset=-1"),
        format!("{ITEMS}?bbox=1,2,3"),
        format!("{ITEMS}?bbox=0,95,1,96"),
        format!("{ITEMS}?bbox=a,b,c,d"),
        format!("{ITEMS}?colour=red"),
    ] {
        assert_problem(&get(&state, &uri).await, StatusCode::BAD_REQUEST);
    }
}

async fn bad_bodies_get_the_right_4xx_and_change_nothing(state: AppState) {
    let good = send(&state, Method::POST, ITEMS, &feature("KEEP", square(106.3, 10.1)), None).await;
    assert_eq!(good.status, StatusCode::CREATED);
    let before = count(&state).await;
    let ct = [("content-type", "application/geo+json")];

    let garbage = call(&state, Method::POST, ITEMS, &ct, Body::from("{not json")).await;
    assert_problem(&garbage, StatusCode::BAD_REQUEST);
    assert!(garbage.body["detail"].as_str().unwrap_or("").contains("line 1"), "{}", garbage.text);

    let nan = call(&state, Method::POST, ITEMS, &ct, Body::from(r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[NaN,1],[2,2],[3,1],[NaN,1]]]},"properties":{}}"#)).await;
    assert_problem(&nan, StatusCode::BAD_REQUEST);

    let not_feature = send(&state, Method::POST, ITEMS, &json!({"type": "Point", "coordinates": [1, 2]}), None).await;
    assert_problem(&not_feature, StatusCode::BAD_REQUEST);

    let point = send(&state, Method::POST, ITEMS, &json!({"type":"Feature","geometry":{"type":"Point","coordinates":[106.4,10.2]},"properties":{"code":"X","name":"X"}}), None).await;
    assert_problem(&point, StatusCode::UNPROCESSABLE_ENTITY);

    let bow_tie = send(
        &state,
        Method::POST,
        ITEMS,
        &feature("BOW", json!([[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]])),
        None,
    )
    .await;
    assert_problem(&bow_tie, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = &bow_tie.body["problems"][0];
    assert_eq!(problem["code"], "self_intersection", "{}", bow_tie.text);
    let point = problem["point"].as_array().expect("point");
    assert!(
        (point[0].as_f64().expect("x") - 106.005).abs() < 1e-9 && (point[1].as_f64().expect("y") - 10.005).abs() < 1e-9,
        "{problem}"
    );
    assert_eq!(bow_tie.body["type"], "urn:clusterplan:problem:invalid-geometry");

    let unclosed = send(
        &state,
        Method::POST,
        ITEMS,
        &feature("OPEN", json!([[106.0, 10.0], [106.01, 10.0], [106.01, 10.01], [106.0, 10.01]])),
        None,
    )
    .await;
    assert_problem(&unclosed, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unclosed.body["problems"][0]["code"], "unclosed_ring");

    let far = send(
        &state,
        Method::POST,
        ITEMS,
        &feature("FAR", json!([[200.0, 10.0], [201.0, 10.0], [201.0, 95.0], [200.0, 10.0]])),
        None,
    )
    .await;
    assert_problem(&far, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(far.body["problems"].as_array().expect("problems").iter().all(|p| p["code"] == "coordinate_out_of_range"));
    assert!(
        far.body["problems"].as_array().expect("problems").len() >= 3,
        "every bad vertex is reported: {}",
        far.text
    );

    let mut bad_attrs =
        feature("bad code", json!([[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]]));
    bad_attrs["properties"]["status"] = json!("finished");
    let both = send(&state, Method::POST, ITEMS, &bad_attrs, None).await;
    assert_problem(&both, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!both.body["problems"].as_array().expect("problems").is_empty(), "geometry problems: {}", both.text);
    assert_eq!(both.body["errors"].as_array().expect("errors").len(), 2, "code and status: {}", both.text);

    let duplicate = send(&state, Method::POST, ITEMS, &feature("KEEP", square(106.6, 10.1)), None).await;
    assert_problem(&duplicate, StatusCode::CONFLICT);

    let wrong_type = call(
        &state,
        Method::POST,
        ITEMS,
        &[("content-type", "text/plain")],
        Body::from(feature("T", square(106.0, 10.0)).to_string()),
    )
    .await;
    assert_problem(&wrong_type, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let huge = vec![b' '; 50 * 1024 * 1024];
    let too_big = call(&state, Method::POST, ITEMS, &ct, Body::from(huge)).await;
    assert_problem(&too_big, StatusCode::PAYLOAD_TOO_LARGE);

    let id = good.body["id"].as_i64().expect("id");
    let bad_put = send(
        &state,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        &feature("KEEP", json!([[106.0, 10.0], [106.01, 10.01], [106.01, 10.0], [106.0, 10.01], [106.0, 10.0]])),
        Some("\"1\""),
    )
    .await;
    assert_problem(&bad_put, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(count(&state).await, before, "no rejected request wrote anything");
    let kept = get(&state, &format!("{ITEMS}/{id}")).await;
    assert_eq!(kept.body["properties"]["version"], 1);
    assert_eq!(kept.body["geometry"], good.body["geometry"]);
}

async fn options_answers_allow_so_qgis_enables_editing(state: AppState) {
    let items = call(&state, Method::OPTIONS, ITEMS, &[], Body::empty()).await;
    let allow = items.headers[header::ALLOW].to_str().expect("allow");
    assert!(allow.contains("POST") && allow.contains("GET"), "{allow}");
    let item = call(&state, Method::OPTIONS, &format!("{ITEMS}/unknown_id"), &[], Body::empty()).await;
    let allow = item.headers[header::ALLOW].to_str().expect("allow");
    assert!(allow.contains("PUT") && allow.contains("DELETE") && allow.contains("PATCH"), "{allow}");
    // Any id, as the document says: OPTIONS tells what items allow, not whether one exists.
    let odd = call(&state, Method::OPTIONS, &format!("{ITEMS}/null,null"), &[], Body::empty()).await;
    assert_eq!(odd.status, StatusCode::NO_CONTENT);
    assert_eq!(odd.headers[header::ALLOW], item.headers[header::ALLOW]);
    let api = call(&state, Method::GET, "/api", &[], Body::empty()).await;
    let described = &api.body["paths"]["/collections/{collection}/items/{id}"]["options"];
    assert!(described["description"].as_str().is_some_and(|d| d.contains("whatever the id")), "{described}");
    assert!(described["responses"]["204"].is_object() && described["responses"]["404"].is_object(), "{described}");
    let unknown = call(&state, Method::OPTIONS, "/collections/nope/items/null,null", &[], Body::empty()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // A CORS preflight from a browser still gets CORS headers, and the Allow header.
    let preflight = call(
        &state,
        Method::OPTIONS,
        ITEMS,
        &[("origin", "http://other.example"), ("access-control-request-method", "POST")],
        Body::empty(),
    )
    .await;
    assert!(preflight.headers.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    assert!(preflight.headers.contains_key(header::ALLOW));
}

async fn patch_merges_attributes_and_geometry_under_the_same_lock(state: AppState) {
    let created = send(&state, Method::POST, ITEMS, &feature("BT-1", square(106.40, 10.23)), None).await;
    let id = created.body["id"].as_i64().expect("id");
    let item = format!("{ITEMS}/{id}");
    let merge = |body: Value, tag: &'static str| {
        let state = state.clone();
        let item = item.clone();
        async move {
            let headers = [("content-type", "application/merge-patch+json"), ("if-match", tag)];
            call(&state, Method::PATCH, &item, &headers, Body::from(body.to_string())).await
        }
    };
    let patched = merge(json!({ "properties": { "name": "Mỹ Thạnh An", "notes": "QĐ 1998" } }), "\"1\"").await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.text);
    assert_eq!(patched.headers[header::ETAG], "\"2\"");
    assert_eq!(patched.body["properties"]["name"], "Mỹ Thạnh An");
    assert_eq!(patched.body["properties"]["notes"], "QĐ 1998");
    assert_eq!(patched.body["properties"]["code"], "BT-1", "untouched members stay");
    assert_eq!(patched.body["geometry"], created.body["geometry"], "the boundary stays exactly");
    // null removes a member (RFC 7396).
    let cleared = merge(json!({ "properties": { "notes": null } }), "\"2\"").await;
    assert_eq!(cleared.body["properties"]["notes"], Value::Null, "{}", cleared.text);
    let moved =
        merge(json!({ "geometry": { "type": "Polygon", "coordinates": [square(106.41, 10.23)] } }), "\"3\"").await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    assert_eq!(moved.body["geometry"]["coordinates"][0][0][0], json!([106.41, 10.23]));

    let stale = merge(json!({ "properties": { "name": "stale" } }), "\"1\"").await;
    assert_problem(&stale, StatusCode::PRECONDITION_FAILED);
    let invalid = merge(json!({ "properties": { "status": "flying" } }), "\"4\"").await;
    assert_problem(&invalid, StatusCode::UNPROCESSABLE_ENTITY);
    let not_object = merge(json!([1, 2]), "\"4\"").await;
    assert_problem(&not_object, StatusCode::BAD_REQUEST);
    let after = get(&state, &item).await;
    assert_eq!(after.body["properties"]["version"], 4, "refused patches changed nothing");
    assert_eq!(after.body["properties"]["name"], "Mỹ Thạnh An");

    // Properties alone keep the stored boundary and its area; a new planning CRS measures the
    // boundary again, in that CRS.
    let area = |r: &Answer| r.body["properties"]["area_ha"].as_f64().expect("area_ha");
    let renamed = merge(json!({ "properties": { "name": "Phú Hưng" } }), "\"4\"").await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["geometry"], after.body["geometry"]);
    assert_eq!(renamed.body["properties"]["area_ha"], after.body["properties"]["area_ha"]);
    assert_eq!(renamed.body["properties"]["planning_crs"], "EPSG:9210");
    assert_eq!(renamed.body["properties"]["name"], "Phú Hưng");
    let utm = merge(json!({ "properties": { "planning_crs": "EPSG:3405" } }), "\"5\"").await;
    assert_eq!(utm.status, StatusCode::OK, "{}", utm.text);
    assert_eq!(utm.body["properties"]["planning_crs"], "EPSG:3405");
    // VN-2000 / UTM 48N (scale 0.9996 on 105°) against TM-3 105-45 (0.9999 on 105°45′).
    assert!((area(&utm) / area(&after) - 1.0).abs() > 1e-4, "{} → {}", area(&after), area(&utm));
    let unknown = merge(json!({ "properties": { "planning_crs": "EPSG:1" } }), "\"6\"").await;
    assert_problem(&unknown, StatusCode::UNPROCESSABLE_ENTITY);
    let malformed = merge(json!({ "properties": 5 }), "\"6\"").await;
    assert_problem(&malformed, StatusCode::BAD_REQUEST);
    assert_eq!(get(&state, &item).await.body["properties"]["version"], 6);
}

async fn writes_without_if_match_get_428_and_change_nothing(state: AppState) {
    // Made through another instance: this one never sent the feature to the client, so a
    // write without If-Match (nor a `version` property) has nothing to be conditioned on.
    let mut elsewhere = (*state.config).clone();
    elsewhere.reads = clusterplan_server::precondition::ReadLog::default();
    let elsewhere = AppState { store: state.store.clone(), config: Arc::new(elsewhere) };
    let created = send(&elsewhere, Method::POST, ITEMS, &feature("BT-1", square(106.40, 10.23)), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "POST needs no If-Match");
    let item = format!("{ITEMS}/{}", created.body["id"]);
    let put = send(&state, Method::PUT, &item, &feature("BT-1", square(106.5, 10.3)), None).await;
    assert_problem(&put, StatusCode::PRECONDITION_REQUIRED);
    let headers = [("content-type", "application/merge-patch+json")];
    let patch = call(&state, Method::PATCH, &item, &headers, Body::from(r#"{"properties":{"name":"x"}}"#)).await;
    assert_problem(&patch, StatusCode::PRECONDITION_REQUIRED);
    assert_problem(&call(&state, Method::DELETE, &item, &[], Body::empty()).await, StatusCode::PRECONDITION_REQUIRED);
    let kept = get(&state, &item).await;
    assert_eq!(kept.body["properties"]["version"], 1);
    assert_eq!(kept.body["geometry"], created.body["geometry"]);

    // With the switch for QGIS, a write without If-Match goes through.
    let mut config = (*state.config).clone();
    config.allow_writes_without_if_match = true;
    let lenient = AppState { store: state.store.clone(), config: Arc::new(config) };
    let put = send(&lenient, Method::PUT, &item, &feature("BT-1", square(106.5, 10.3)), None).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let patch =
        call(&lenient, Method::PATCH, &item, &headers, Body::from(r#"{"properties":{"name":"Mỹ Thạnh"}}"#)).await;
    assert_eq!(patch.body["properties"]["version"], 3, "{}", patch.text);
    assert_eq!(call(&lenient, Method::DELETE, &item, &[], Body::empty()).await.status, StatusCode::NO_CONTENT);
}

async fn items_pages_and_collections_answer_304_until_an_edit(state: AppState) {
    let created = send(&state, Method::POST, ITEMS, &feature("BT-1", square(106.40, 10.23)), None).await;
    for uri in [ITEMS, "/collections", "/collections/clusters"] {
        let first = get(&state, uri).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        let tag = first.headers[header::ETAG].to_str().expect("etag").to_owned();
        let again = call(&state, Method::GET, uri, &[("if-none-match", &tag)], Body::empty()).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert_eq!(again.headers[header::ETAG].to_str().expect("etag"), tag);
        let star = call(&state, Method::GET, uri, &[("if-none-match", "*")], Body::empty()).await;
        assert_eq!(star.status, StatusCode::NOT_MODIFIED, "{uri}");
        let other = call(&state, Method::GET, uri, &[("if-none-match", "\"nope\", W/\"x\"")], Body::empty()).await;
        assert_eq!(other.status, StatusCode::OK, "{uri}");
    }
    let before = get(&state, ITEMS).await.headers[header::ETAG].to_str().expect("etag").to_owned();
    let item = format!("{ITEMS}/{}", created.body["id"]);
    let put = send(&state, Method::PUT, &item, &feature("BT-1", square(106.41, 10.23)), Some("\"1\"")).await;
    assert_eq!(put.status, StatusCode::OK);
    let after = call(&state, Method::GET, ITEMS, &[("if-none-match", &before)], Body::empty()).await;
    assert_eq!(after.status, StatusCode::OK, "an edit invalidates the page's tag");
    assert_eq!(after.body["features"][0]["geometry"]["coordinates"][0][0][0], json!([106.41, 10.23]));
}

async fn collection_metadata_is_set_and_shown_in_collections(state: AppState) {
    let before = get(&state, "/collections").await;
    let tag = before.headers[header::ETAG].to_str().expect("etag").to_owned();
    let meta = json!({
        "title": "Cụm công nghiệp tỉnh Bến Tre",
        "description": "Quy hoạch 1998",
        "license": "CC-BY-4.0",
        "attribution": "Sở Công Thương Bến Tre",
        "keywords": ["CCN", "Bến Tre"]
    });
    let json_body = [("content-type", "application/json")];
    let put =
        call(&state, Method::PUT, "/collections/clusters/metadata", &json_body, Body::from(meta.to_string())).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert_eq!(put.body["keywords"], json!(["CCN", "Bến Tre"]));
    assert!(put.body["updated_at"].is_string());
    assert_eq!(get(&state, "/collections/clusters/metadata").await.body, put.body);
    let after = call(&state, Method::GET, "/collections", &[("if-none-match", &tag)], Body::empty()).await;
    assert_eq!(after.status, StatusCode::OK, "new metadata changes the collections' tag");
    let col = &after.body["collections"][0];
    assert_eq!(col["title"], "Cụm công nghiệp tỉnh Bến Tre");
    assert_eq!(col["description"], "Quy hoạch 1998");
    assert_eq!(col["license"], "CC-BY-4.0");
    assert_eq!(col["attribution"], "Sở Công Thương Bến Tre");
    assert_eq!(col["keywords"], json!(["CCN", "Bến Tre"]));

    for bad in [json!({ "title": 5 }), json!({ "keywords": "CCN" }), json!({ "titel": "typo" }), json!([1])] {
        let answer =
            call(&state, Method::PUT, "/collections/clusters/metadata", &json_body, Body::from(bad.to_string())).await;
        assert_problem(&answer, StatusCode::BAD_REQUEST);
    }
    let text = [("content-type", "text/plain")];
    let wrong = call(&state, Method::PUT, "/collections/clusters/metadata", &text, Body::from("x")).await;
    assert_problem(&wrong, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_problem(&get(&state, "/collections/nope/metadata").await, StatusCode::NOT_FOUND);
    assert_eq!(get(&state, "/collections/clusters").await.body["license"], "CC-BY-4.0", "refused PUTs kept it");
}

async fn publishing_makes_the_draft_public_and_later_edits_stay_draft(state: AppState) {
    let created = send(&state, Method::POST, ITEMS, &feature("BT-1", square(106.40, 10.23)), None).await;
    let id = created.body["id"].as_i64().expect("id");
    let path = tile_path(15, 106.4025, 10.232);
    let published = format!("{path}?layer=published");
    assert_eq!(get(&state, &published).await.status, StatusCode::NO_CONTENT, "nothing published yet");
    assert_eq!(get(&state, &path).await.status, StatusCode::OK, "the draft has it");
    assert_problem(&get(&state, &format!("{path}?layer=secret")).await, StatusCode::BAD_REQUEST);

    let json_body = [("content-type", "application/json")];
    let publish = "/collections/clusters/publish";
    let first = call(&state, Method::POST, publish, &json_body, Body::from(r#"{"note":"Quyết định 1998"}"#)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.body["seq"], 1);
    assert_eq!(first.body["feature_count"], 1);
    assert_eq!(first.body["note"], "Quyết định 1998");
    let col = get(&state, "/collections/clusters").await;
    assert_eq!(col.body["last_published"]["seq"], 1, "{}", col.text);
    let public_tile = get(&state, &published).await;
    assert_eq!(public_tile.status, StatusCode::OK);
    let public_tag = public_tile.headers[header::ETAG].to_str().expect("etag").to_owned();
    assert!(public_tag.starts_with("\"p"), "{public_tag}");

    let mut renamed = feature("BT-1", square(106.40, 10.23));
    renamed["properties"]["name"] = json!("Bản nháp");
    let put = send(&state, Method::PUT, &format!("{ITEMS}/{id}"), &renamed, Some("\"1\"")).await;
    assert_eq!(put.status, StatusCode::OK);
    let unchanged = call(&state, Method::GET, &published, &[("if-none-match", &public_tag)], Body::empty()).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED, "a draft edit does not touch the published layer");
    assert!(get(&state, &path).await.text.contains("Bản nháp"));
    assert!(!get(&state, &published).await.text.contains("Bản nháp"));
    // Items, item and the collection read the same layer.
    let draft_only = send(&state, Method::POST, ITEMS, &feature("BT-2", square(106.50, 10.30)), None).await;
    let draft_id = draft_only.body["id"].as_i64().expect("id");
    let public_items = get(&state, &format!("{ITEMS}?layer=published")).await;
    assert_eq!(public_items.body["numberMatched"], 1, "{}", public_items.text);
    assert_eq!(public_items.body["features"][0]["properties"]["name"], "Phú Hưng–Mỹ Thạnh");
    assert!(public_items.text.contains("layer=published"), "page links keep the layer");
    assert_eq!(get(&state, ITEMS).await.body["numberMatched"], 2);
    let public_item = get(&state, &format!("{ITEMS}/{id}?layer=published")).await;
    assert_eq!(public_item.body["properties"]["version"], 1);
    assert_problem(&get(&state, &format!("{ITEMS}/{draft_id}?layer=published")).await, StatusCode::NOT_FOUND);
    let public_col = get(&state, "/collections/clusters?layer=published").await;
    let east = public_col.body["extent"]["spatial"]["bbox"][0][2].as_f64().expect("bbox");
    assert!(east < 106.45, "the published extent excludes draft-only features: {east}");
    assert_problem(&get(&state, &format!("{ITEMS}?layer=secret")).await, StatusCode::BAD_REQUEST);

    let tilejson = get(&state, "/collections/clusters/tiles/WebMercatorQuad/tilejson.json?layer=published").await;
    assert!(tilejson.body["tiles"][0].as_str().is_some_and(|t| t.ends_with("{z}/{y}/{x}?layer=published")));

    let refused = call(&state, Method::POST, publish, &[], Body::empty()).await;
    assert_problem(&refused, StatusCode::BAD_REQUEST);
    assert!(refused.body["detail"].as_str().is_some_and(|d| d.contains("{}")), "{}", refused.text);
    let empty = call(&state, Method::POST, publish, &json_body, Body::from("{}")).await;
    assert_eq!(empty.body["seq"], 2, "{}", empty.text);
    assert!(get(&state, &published).await.text.contains("Bản nháp"));
    for bad in [r#"{"note": 5}"#, r#"{"nota": "x"}"#, "[1]", "not json"] {
        assert_problem(
            &call(&state, Method::POST, publish, &json_body, Body::from(bad)).await,
            StatusCode::BAD_REQUEST,
        );
    }
    assert_problem(
        &call(&state, Method::POST, "/collections/nope/publish", &[], Body::empty()).await,
        StatusCode::NOT_FOUND,
    );
}

async fn health_and_readiness_answer(state: AppState) {
    assert_eq!(get(&state, "/health").await.status, StatusCode::OK);
    assert_eq!(get(&state, "/ready").await.body["status"], "ready");
}

/// A square whose south-west corner is the Bến Tre test point of the domain notes.
fn ben_tre_square() -> Value {
    json!([
        [106.378_89, 10.240_28],
        [106.388_89, 10.240_28],
        [106.388_89, 10.248_28],
        [106.378_89, 10.248_28],
        [106.378_89, 10.240_28]
    ])
}

async fn items_are_served_in_vn2000_and_other_crs_on_request(state: AppState) {
    // An industrial park: 97 ha, beyond the cluster cap, which parks are not bound by.
    let mut park = feature("CRS-1", ben_tre_square());
    park["properties"]["kind"] = json!("industrial_park");
    let created = send(&state, Method::POST, ITEMS, &park, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_i64().expect("id");

    let tm3 = get(&state, &format!("{ITEMS}/{id}?crs=http://www.opengis.net/def/crs/EPSG/0/9210")).await;
    assert_eq!(tm3.status, StatusCode::OK, "{}", tm3.text);
    assert_eq!(tm3.headers["content-crs"], "<http://www.opengis.net/def/crs/EPSG/0/9210>");
    let corner = &tm3.body["geometry"]["coordinates"][0][0][0];
    // Official QĐ 05/2007 result for the test point: E 568 698.60, N 1 132 497.94 (east first).
    assert!((corner[0].as_f64().expect("e") - 568_698.60).abs() < 0.01, "{corner}");
    assert!((corner[1].as_f64().expect("n") - 1_132_497.94).abs() < 0.01, "{corner}");

    let latlon = get(&state, &format!("{ITEMS}?crs=EPSG:4326")).await;
    assert_eq!(latlon.headers["content-crs"], "<http://www.opengis.net/def/crs/EPSG/0/4326>");
    let corner = &latlon.body["features"][0]["geometry"]["coordinates"][0][0][0];
    assert_eq!(corner, &json!([10.240_28, 106.378_89]), "EPSG:4326 is latitude first");
    assert!(latlon.text.contains("crs=EPSG%3A4326"), "page links keep the crs: {}", latlon.text);

    let default = get(&state, ITEMS).await;
    assert_eq!(default.headers["content-crs"], "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");

    let near = get(&state, &format!("{ITEMS}?bbox=568600,1132400,568800,1132600&bbox-crs=EPSG:9210")).await;
    assert_eq!(near.body["numberMatched"], 1, "{}", near.text);
    let far = get(&state, &format!("{ITEMS}?bbox=500000,1100000,500100,1100100&bbox-crs=EPSG:9210")).await;
    assert_eq!(far.body["numberMatched"], 0, "{}", far.text);

    assert_problem(&get(&state, &format!("{ITEMS}?crs=EPSG:32648")).await, StatusCode::BAD_REQUEST);
    assert_problem(&get(&state, &format!("{ITEMS}?bbox-crs=EPSG:9210")).await, StatusCode::BAD_REQUEST);
    let col = get(&state, "/collections/clusters").await;
    assert_eq!(col.body["storageCrs"], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    assert!(col.body["crs"].as_array().expect("crs").iter().any(|c| c == "http://www.opengis.net/def/crs/EPSG/0/9210"));
    let conf = get(&state, "/conformance").await;
    assert!(conf.text.contains("ogcapi-features-2/1.0/conf/crs"));
}

async fn a_boundary_sent_in_vn2000_metres_is_stored_in_wgs84(state: AppState) {
    // 500 m × 500 m in EPSG:9210 from the test point: 25 ha in the planning CRS.
    let (e, n) = (568_698.60, 1_132_497.94);
    let ring = json!([[e, n], [e + 500.0, n], [e + 500.0, n + 500.0], [e, n + 500.0], [e, n]]);
    let body = feature("VN-1", ring).to_string();
    let headers =
        [("content-type", "application/geo+json"), ("content-crs", "<http://www.opengis.net/def/crs/EPSG/0/9210>")];
    let created = call(&state, Method::POST, ITEMS, &headers, Body::from(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let corner = &created.body["geometry"]["coordinates"][0][0][0];
    // The official E/N are rounded to the centimetre: 1e-7° is about 1 cm.
    assert!((corner[0].as_f64().expect("lon") - 106.378_89).abs() < 1e-7, "{corner}");
    assert!((corner[1].as_f64().expect("lat") - 10.240_28).abs() < 1e-7, "{corner}");
    assert!((created.body["properties"]["area_ha"].as_f64().expect("area") - 25.0).abs() < 1e-3, "{}", created.text);
}

/// `z/y/x` (OGC order: tileRow before tileCol) of the `WebMercatorQuad` tile holding a point.
fn tile_path(z: u8, lon: f64, lat: f64) -> String {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    format!("/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}")
}

async fn vector_tiles_are_described_tagged_and_fresh_after_an_edit(state: AppState) {
    let sets = get(&state, "/collections/clusters/tiles").await;
    assert_eq!(sets.status, StatusCode::OK, "{}", sets.text);
    assert!(sets.body["tilesets"][0]["tileMatrixSetURI"].as_str().is_some_and(|u| u.ends_with("/WebMercatorQuad")));
    let set = get(&state, "/collections/clusters/tiles/WebMercatorQuad").await;
    assert!(set.text.contains("{tileMatrix}/{tileRow}/{tileCol}"), "{}", set.text);
    let tilejson = get(&state, "/collections/clusters/tiles/WebMercatorQuad/tilejson.json").await;
    assert_eq!(
        tilejson.body["tiles"][0], "http://test.local/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}",
        "{}",
        tilejson.text
    );
    assert_eq!(tilejson.body["vector_layers"][0]["id"], "clusters");
    let col = get(&state, "/collections/clusters").await;
    assert!(col.text.contains("/collections/clusters/tiles"), "the collection links its tiles");

    let mut bt1 = feature("BT-1", square(106.40, 10.23));
    bt1["properties"]["planned_area_ha"] = json!(24.0);
    let created = send(&state, Method::POST, ITEMS, &bt1, None).await;
    let id = created.body["id"].as_i64().expect("id");
    let path = tile_path(15, 106.4025, 10.232);
    let tile = get(&state, &path).await;
    assert_eq!(tile.status, StatusCode::OK);
    assert_eq!(tile.headers[header::CONTENT_TYPE], "application/vnd.mapbox-vector-tile");
    assert_eq!(tile.headers[header::CACHE_CONTROL], "no-cache");
    assert!(tile.text.contains("BT-1"), "the tile carries the attributes");
    // TileJSON describes exactly the attributes a tile carries (`planned_area_ha`, the only
    // one a feature may lack, is set above).
    let decoded = <geozero::mvt::Tile as geozero::mvt::Message>::decode(tile.bytes.as_slice()).expect("an MVT");
    let carried: std::collections::BTreeSet<&str> = decoded.layers[0].keys.iter().map(String::as_str).collect();
    let described: std::collections::BTreeSet<&str> =
        tilejson.body["vector_layers"][0]["fields"].as_object().expect("fields").keys().map(String::as_str).collect();
    assert_eq!(carried, described);
    let tag = tile.headers[header::ETAG].to_str().expect("etag").to_owned();
    let again = call(&state, Method::GET, &path, &[("if-none-match", &tag)], Body::empty()).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.text.is_empty());

    let mut renamed = feature("BT-1-RENAMED", square(106.40, 10.23));
    renamed["properties"]["name"] = json!("Mỹ Thạnh An");
    let put = send(&state, Method::PUT, &format!("{ITEMS}/{id}"), &renamed, Some("\"1\"")).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let fresh = call(&state, Method::GET, &path, &[("if-none-match", &tag)], Body::empty()).await;
    assert_eq!(fresh.status, StatusCode::OK, "an edit shows in the very next tile request");
    assert_ne!(fresh.headers[header::ETAG].to_str().expect("etag"), tag);
    assert!(fresh.text.contains("BT-1-RENAMED") && fresh.text.contains("Mỹ Thạnh An"));

    let empty = get(&state, &tile_path(15, 105.0, 21.0)).await;
    assert_eq!(empty.status, StatusCode::NO_CONTENT);
    assert!(empty.headers.contains_key(header::ETAG));
    for bad in [
        "/collections/clusters/tiles/WebMercatorQuad/2/4/0",
        "/collections/clusters/tiles/WebMercatorQuad/25/0/0",
        "/collections/clusters/tiles/WebMercatorQuad/a/0/0",
        "/collections/clusters/tiles/WorldCRS84Quad/0/0/0",
        "/collections/nope/tiles/WebMercatorQuad/0/0/0",
    ] {
        assert_problem(&get(&state, bad).await, StatusCode::NOT_FOUND);
    }
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn codes_of(a: &Answer) -> Vec<String> {
    a.body["features"]
        .as_array()
        .unwrap_or_else(|| panic!("features in {}", a.text))
        .iter()
        .map(|f| f["properties"]["code"].as_str().expect("code").to_owned())
        .collect()
}

async fn filter_items(state: &AppState, query: &str) -> Answer {
    let a = get(state, &format!("{ITEMS}?{query}")).await;
    assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.text);
    a
}

async fn cql2_filters_sorts_datetime_and_properties_over_http(state: AppState) {
    for (i, lon) in [106.30, 106.32, 106.34].into_iter().enumerate() {
        let mut f = feature(&format!("F-{i}"), square(lon, 10.24));
        f["properties"]["name"] = json!(["Phú Hưng", "Mỹ Thạnh", "An Hiệp"][i]);
        f["properties"]["planned_area_ha"] = json!([50.0, 10.0, 30.0][i]);
        let a = send(&state, Method::POST, ITEMS, &f, None).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
    let q = |filter: &str| format!("filter={}", encoded(filter));
    let a = filter_items(&state, &q("code IN ('F-0', 'F-2') AND planned_area_ha > 20")).await;
    assert_eq!(codes_of(&a), ["F-0", "F-2"]);
    assert_eq!(a.body["numberMatched"], 2);
    assert_eq!(codes_of(&filter_items(&state, &q("name LIKE 'Phú%'")).await), ["F-0"]);
    assert_eq!(codes_of(&filter_items(&state, &q("planned_area_ha < area_ha")).await), ["F-1"]);
    let point = "S_INTERSECTS(geometry, POINT(106.322 10.242))";
    assert_eq!(codes_of(&filter_items(&state, &q(point)).await), ["F-1"]);
    // filter-crs: EPSG:4326 is latitude first; VN-2000 / TM-3 105°45' is metres, east first.
    let lat_first = format!("{}&filter-crs=EPSG:4326", q("S_INTERSECTS(geometry, POINT(10.242 106.322))"));
    assert_eq!(codes_of(&filter_items(&state, &lat_first).await), ["F-1"]);
    let mut vn = [geo_types::Coord { x: 106.322, y: 10.242 }];
    clusterplan_core::crs::transform_coords(
        clusterplan_core::Crs::WGS84,
        clusterplan_core::Crs::VN2000_TM3_10545,
        &mut vn,
    )
    .expect("transform");
    let metres = format!(
        "{}&filter-crs={}",
        q(&format!("S_INTERSECTS(geometry, POINT({} {}))", vn[0].x, vn[0].y)),
        encoded(&clusterplan_core::Crs::VN2000_TM3_10545.uri())
    );
    assert_eq!(codes_of(&filter_items(&state, &metres).await), ["F-1"]);
    // Paging after the filter; the next link carries the filter.
    let page = filter_items(&state, &format!("{}&limit=1&sortby=-code", q("code LIKE 'F-%'"))).await;
    assert_eq!(codes_of(&page), ["F-2"]);
    assert_eq!(page.body["numberMatched"], 3);
    let next = page.body["links"].as_array().expect("links").iter().find(|l| l["rel"] == "next").expect("next")["href"]
        .as_str()
        .expect("href")
        .trim_start_matches("http://test.local")
        .to_owned();
    assert_eq!(codes_of(&get(&state, &next).await), ["F-1"], "{next}");
    assert_eq!(codes_of(&filter_items(&state, "sortby=%2Bname").await), ["F-2", "F-1", "F-0"]);
    assert_eq!(codes_of(&filter_items(&state, "sortby=-planned_area_ha,code").await), ["F-0", "F-2", "F-1"]);
    // datetime selects on updated_at.
    assert_eq!(codes_of(&filter_items(&state, "datetime=../1999-12-31").await).len(), 0);
    assert_eq!(codes_of(&filter_items(&state, "datetime=2000-01-01T00:00:00Z/..").await).len(), 3);
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(codes_of(&filter_items(&state, &format!("datetime={today}")).await).len(), 3);
    // properties: only those asked for.
    let slim = filter_items(&state, "properties=code,status&limit=1").await;
    let props = slim.body["features"][0]["properties"].as_object().expect("properties");
    assert_eq!(props.keys().collect::<Vec<_>>(), ["code", "status"]);
    // Case- and accent-insensitive, arithmetic, temporal: the standard's classes beyond the basic.
    assert_eq!(codes_of(&filter_items(&state, &q("ACCENTI(CASEI(name)) LIKE '%phu hung%'")).await), ["F-0"]);
    assert_eq!(codes_of(&filter_items(&state, &q("planned_area_ha * 2 = 60")).await), ["F-2"]);
    assert_eq!(codes_of(&filter_items(&state, &q("T_AFTER(updated_at, DATE('2000-01-01'))")).await).len(), 3);
    assert_eq!(codes_of(&filter_items(&state, &q("updated_at >= date('1970-01-01')")).await).len(), 3);
    // The same filter as CQL2 JSON.
    let json =
        r#"{"op":"like","args":[{"op":"accenti","args":[{"op":"casei","args":[{"property":"name"}]}]},"%my thanh%"]}"#;
    let by_json = filter_items(&state, &format!("{}&filter-lang=cql2-json", q(json))).await;
    assert_eq!(codes_of(&by_json), ["F-1"], "{}", by_json.text);
    // Text that looks like SQL is a value like any other.
    let injection = q("name = 'x''; DROP TABLE clusters; --'");
    assert_eq!(codes_of(&filter_items(&state, &injection).await).len(), 0);
    assert_eq!(count(&state).await, 3);
}

async fn queryables_describe_what_filters_may_name(state: AppState) {
    let a = get(&state, "/collections/clusters/queryables").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/schema+json");
    assert_eq!(a.body["$id"], "http://test.local/collections/clusters/queryables");
    assert_eq!(a.body["properties"]["geometry"]["format"], "geometry-multipolygon");
    assert_eq!(a.body["properties"]["planned_area_ha"]["type"], "number");
    assert_eq!(a.body["properties"]["updated_at"]["format"], "date-time");
    assert!(a.body["properties"]["status"]["enum"].as_array().expect("enum").contains(&json!("in_plan")));
    let collection = get(&state, "/collections/clusters").await;
    assert!(collection.text.contains("/collections/clusters/queryables"), "{}", collection.text);
    let conformance = get(&state, "/conformance").await.text;
    for class in [
        "ogcapi-features-3/1.0/conf/filter",
        "ogcapi-features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
        "cql2/1.0/conf/accent-insensitive-comparison",
        "cql2/1.0/conf/temporal-functions",
        "cql2/1.0/conf/arithmetic",
    ] {
        assert!(conformance.contains(class), "{class}");
    }
    assert_problem(&get(&state, "/collections/nope/queryables").await, StatusCode::NOT_FOUND);
}

async fn bad_filters_are_400_problems_that_say_where(state: AppState) {
    let problem = |a: &Answer, needle: &str| {
        assert_problem(a, StatusCode::BAD_REQUEST);
        assert!(a.body["detail"].as_str().is_some_and(|d| d.contains(needle)), "{needle} in {}", a.text);
    };
    let f = |text: &str| format!("{ITEMS}?filter={}", encoded(text));
    problem(&get(&state, &f("name = ")).await, "syntax error at 1:");
    problem(&get(&state, &f("Buffer(geometry, 5) = 1")).await, "is not offered");
    problem(&get(&state, &f("owner = 'x'")).await, "unknown property \"owner\"");
    problem(&get(&state, &f("name > 5")).await, "is a string");
    assert_eq!(get(&state, &f("name = 'x'")).await.body["type"], "FeatureCollection");
    let bad = [
        format!("{}&filter-lang=cql2-json", f("TRUE")),
        format!("{}&filter-lang=cql2-xml", f("TRUE")),
        format!("{ITEMS}?filter-crs=EPSG:4326"),
        format!("{}&filter-crs=EPSG:1", f("TRUE")),
        format!("{ITEMS}?sortby=geometry"),
        format!("{ITEMS}?sortby=owner"),
        format!("{ITEMS}?properties=owner"),
        format!("{ITEMS}?datetime=yesterday"),
        format!("{ITEMS}?datetime=../.."),
        format!("{ITEMS}?datetime=2025-01-02/2025-01-01"),
    ];
    for uri in bad {
        assert_problem(&get(&state, &uri).await, StatusCode::BAD_REQUEST);
    }
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(
    landing_conformance_and_collections_link_up,
    an_items_page_keeps_its_geojson_shape,
    a_browser_asking_for_the_landing_page_gets_the_map,
    create_read_replace_delete_round_trip_with_etags,
    items_page_with_counts_and_next_links,
    bad_query_parameters_are_400_problems,
    bad_bodies_get_the_right_4xx_and_change_nothing,
    options_answers_allow_so_qgis_enables_editing,
    health_and_readiness_answer,
    items_are_served_in_vn2000_and_other_crs_on_request,
    a_boundary_sent_in_vn2000_metres_is_stored_in_wgs84,
    vector_tiles_are_described_tagged_and_fresh_after_an_edit,
    patch_merges_attributes_and_geometry_under_the_same_lock,
    writes_without_if_match_get_428_and_change_nothing,
    items_pages_and_collections_answer_304_until_an_edit,
    collection_metadata_is_set_and_shown_in_collections,
    publishing_makes_the_draft_public_and_later_edits_stay_draft,
    cql2_filters_sorts_datetime_and_properties_over_http,
    queryables_describe_what_filters_may_name,
    bad_filters_are_400_problems_that_say_where,
);

#[tokio::test]
async fn a_failing_store_answers_an_opaque_500_without_internals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.gpkg");
    let store = GpkgStore::open(&path).await.expect("open");
    let pool = store.pool().clone();
    let state = state_for(Arc::new(store), StoreConfig::Gpkg(path.clone())).await;
    pool.close().await;
    let answer = get(&state, ITEMS).await;
    assert_problem(&answer, StatusCode::INTERNAL_SERVER_ERROR);
    let text = answer.text.to_lowercase();
    for secret in ["pool", "sqlite", "select", "broken.gpkg", path.to_string_lossy().to_lowercase().as_str()] {
        assert!(!text.contains(secret), "500 leaks {secret:?}: {}", answer.text);
    }
}
