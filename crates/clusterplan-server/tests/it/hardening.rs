//! What the public may learn and what a careless or hostile client gets (issue 15): entity tags
//! that tell nothing of drafts and vary on credentials, refusals in the right order and with
//! the right status, and the edges where the API description and the server used to disagree.
//! On both stores.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use clusterplan_server::AppState;
use clusterplan_store::{ClusterQuery, Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::{Answer, send};

const ITEMS: &str = "/collections/clusters/items";
const ZONES: &str = "/collections/zones/items";
const TOKEN: &str = "cpt_hardening_planner";
const JSON: (&str, &str) = ("content-type", "application/json");
const GEOJSON: (&str, &str) = ("content-type", "application/geo+json");

async fn call(
    state: &AppState,
    planner: bool,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let body = if body.is_empty() { Body::empty() } else { Body::from(body.to_owned()) };
    send(state, planner.then_some(TOKEN), method, uri, headers, body).await
}

fn feature(code: &str, lon: f64, lat: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.005, lat], [lon + 0.005, lat + 0.004], [lon, lat + 0.004], [lon, lat]]] },
        "properties": { "code": code, "name": "Phú Hưng", "kind": "cluster", "status": "in_plan" }
    })
}

async fn create(state: &AppState, code: &str, lon: f64) -> i64 {
    let made = call(state, true, Method::POST, ITEMS, &[GEOJSON], &feature(code, lon, 10.23).to_string()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    made.body["id"].as_i64().expect("id")
}

async fn count(state: &AppState) -> u64 {
    state.store.count_clusters(&ClusterQuery { limit: 1, ..ClusterQuery::ALL }).await.expect("count")
}

#[track_caller]
fn assert_problem(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{}", a.text);
}

fn tag(a: &Answer) -> String {
    a.headers[header::ETAG].to_str().expect("etag").to_owned()
}

fn varies_on_credentials(a: &Answer) -> bool {
    let vary: Vec<String> =
        a.headers.get_all(header::VARY).iter().filter_map(|v| v.to_str().ok()).map(str::to_ascii_lowercase).collect();
    let all = vary.join(",");
    all.contains("authorization") && all.contains("cookie")
}

/// The collections' tags are digests of what each caller is shown: the public's does not move
/// with the draft, a planner's copy never shares the public's tag when the two differ, and
/// both vary on the credentials.
async fn collection_tags_tell_the_public_nothing_of_drafts(state: AppState) {
    create(&state, "PUB-1", 106.40).await;
    let published = call(&state, true, Method::POST, "/collections/clusters/publish", &[JSON], "{}").await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    for uri in ["/collections", "/collections/clusters"] {
        let public = call(&state, false, Method::GET, uri, &[], "").await;
        assert_eq!(public.status, StatusCode::OK, "{}", public.text);
        assert!(varies_on_credentials(&public), "{uri}: {:?}", public.headers);
        let before = tag(&public);
        assert!(!before.contains("\"d"), "{uri}: the public's tag is no draft counter: {before}");
        // Drafting far away: the planner's extent grows, the public's does not.
        create(&state, &format!("DRAFT-{}", uri.len()), 106.70).await;
        let again = call(&state, false, Method::GET, uri, &[], "").await;
        assert_eq!(tag(&again), before, "{uri}: drafting does not move the public's tag");
        let revalidated = call(&state, false, Method::GET, uri, &[("if-none-match", &before)], "").await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED, "{uri}");
        let planner = call(&state, true, Method::GET, uri, &[], "").await;
        assert_ne!(planner.body, public.body, "{uri}: the draft's extent differs");
        assert_ne!(tag(&planner), before, "{uri}: different bodies, different tags");
        assert!(varies_on_credentials(&planner));
        // A planner revalidating with the public's copy gets the draft, not a 304.
        let stale = call(&state, true, Method::GET, uri, &[("if-none-match", &before)], "").await;
        assert_eq!(stale.status, StatusCode::OK, "{uri}");
        let same = call(&state, true, Method::GET, uri, &[("if-none-match", &tag(&planner))], "").await;
        assert_eq!(same.status, StatusCode::NOT_MODIFIED, "{uri}");
    }
    let page = call(&state, false, Method::GET, ITEMS, &[], "").await;
    assert!(varies_on_credentials(&page), "items pages vary on credentials: {:?}", page.headers);
    let tilejson = "/collections/clusters/tiles/WebMercatorQuad/tilejson.json";
    let tiles = call(&state, false, Method::GET, tilejson, &[], "").await;
    assert!(varies_on_credentials(&tiles), "tiles vary on credentials: {:?}", tiles.headers);
}

/// A file name longer than any file system allows is a missing file, not a server error.
async fn an_impossible_file_name_under_app_is_a_404(state: AppState) {
    for name in ["a".repeat(256), "b".repeat(300), format!("{}/x.js", "c".repeat(4000)), "%41".repeat(300)] {
        let a = call(&state, false, Method::GET, &format!("/app/{name}"), &[], "").await;
        assert_problem(&a, StatusCode::NOT_FOUND);
    }
    assert_eq!(call(&state, false, Method::GET, "/app/main.js", &[], "").await.status, StatusCode::OK);
}

/// Login CSRF: another site's page cannot sign the browser in. A `text/plain` body is a 415;
/// an `Origin` other than the host addressed, or `Sec-Fetch-Site: cross-site`, is a 403.
async fn a_cross_site_login_is_refused(state: AppState) {
    let body = json!({ "name": "planner", "password": "planner password" }).to_string();
    let before = state.store.audit_page(1000, 0).await.expect("audit").len();
    let plain = call(&state, false, Method::POST, "/auth/login", &[("content-type", "text/plain")], &body).await;
    assert_problem(&plain, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(!plain.headers.contains_key(header::SET_COOKIE));
    let other = [JSON, ("origin", "https://evil.example")];
    assert_problem(&call(&state, false, Method::POST, "/auth/login", &other, &body).await, StatusCode::FORBIDDEN);
    let fetch = [JSON, ("sec-fetch-site", "cross-site")];
    assert_problem(&call(&state, false, Method::POST, "/auth/login", &fetch, &body).await, StatusCode::FORBIDDEN);
    let null = [JSON, ("origin", "null")];
    assert_problem(&call(&state, false, Method::POST, "/auth/login", &null, &body).await, StatusCode::FORBIDDEN);
    assert_eq!(state.store.audit_page(1000, 0).await.expect("audit").len(), before, "no session was made");
    let own = [JSON, ("origin", "http://test.local"), ("sec-fetch-site", "same-origin")];
    let ok = call(&state, false, Method::POST, "/auth/login", &own, &body).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let script = call(&state, false, Method::POST, "/auth/login", &[JSON], &body).await;
    assert_eq!(script.status, StatusCode::OK, "without Origin (scripts): {}", script.text);
}

/// `If-Match` with a well-formed tag this service never issued is a 412 (RFC 9110), and
/// writes nothing; a malformed one is a 400.
async fn an_if_match_this_service_never_issued_is_412(state: AppState) {
    let id = create(&state, "IFM-1", 106.40).await;
    let item = format!("{ITEMS}/{id}");
    let body = feature("IFM-1", 106.41, 10.23).to_string();
    for stale in ["\"stale-etag\"", "W/\"x\"", "\"a\", \"b\""] {
        let a = call(&state, true, Method::PUT, &item, &[GEOJSON, ("if-match", stale)], &body).await;
        assert_problem(&a, StatusCode::PRECONDITION_FAILED);
        let d = call(&state, true, Method::DELETE, &item, &[("if-match", stale)], "").await;
        assert_problem(&d, StatusCode::PRECONDITION_FAILED);
    }
    let malformed = call(&state, true, Method::PUT, &item, &[GEOJSON, ("if-match", "stale-etag")], &body).await;
    assert_problem(&malformed, StatusCode::BAD_REQUEST);
    assert_eq!(state.store.version_count(id).await.expect("versions"), 1, "nothing was written");
    let fine = call(&state, true, Method::PUT, &item, &[GEOJSON, ("if-match", "\"1\"")], &body).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text);
    // An empty If-Match is no If-Match: a merge over the version this client was last sent (2).
    let moved = feature("IFM-1", 106.42, 10.23).to_string();
    let empty = call(&state, true, Method::PUT, &item, &[GEOJSON, ("if-match", "")], &moved).await;
    assert_eq!(
        (empty.status, empty.body["properties"]["version"].as_i64()),
        (StatusCode::OK, Some(3)),
        "{}",
        empty.text
    );
}

/// Unknown or malformed members are refused alike on every write: an unknown member is a
/// 400 `unknown-member`, a known one of the wrong shape a 422, and nothing is written.
async fn unknown_or_malformed_members_are_refused_everywhere(state: AppState) {
    let mut garbage = feature("EV-1", 106.40, 10.23);
    garbage["event"] = json!("garbage");
    let a = call(&state, true, Method::POST, ITEMS, &[GEOJSON], &garbage.to_string()).await;
    assert_problem(&a, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.text.contains("event"), "{}", a.text);
    let mut bad_date = feature("EV-2", 106.40, 10.23);
    bad_date["event"] = json!({ "effective": "x" });
    assert_problem(
        &call(&state, true, Method::POST, ITEMS, &[GEOJSON], &bad_date.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let mut misspelt = feature("EV-3", 106.40, 10.23);
    misspelt["evnt"] = json!({ "effective": "2020-01-01" });
    let unknown = call(&state, true, Method::POST, ITEMS, &[GEOJSON], &misspelt.to_string()).await;
    assert_problem(&unknown, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["type"], "urn:clusterplan:problem:unknown-member", "{}", unknown.text);
    assert!(unknown.text.contains("evnt"), "{}", unknown.text);
    let mut inner = feature("EV-4", 106.40, 10.23);
    inner["event"] = json!({ "effective": "2020-01-01", "nota": "x" });
    assert_problem(
        &call(&state, true, Method::POST, ITEMS, &[GEOJSON], &inner.to_string()).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(count(&state).await, 0, "no refused creation wrote anything");

    let id = create(&state, "EV-OK", 106.40).await;
    let item = format!("{ITEMS}/{id}");
    let mut with_event = feature("EV-OK", 106.40, 10.23);
    with_event["event"] = json!({ "effective": "2020-01-01" });
    let put = call(&state, true, Method::PUT, &item, &[GEOJSON, ("if-match", "\"1\"")], &with_event.to_string()).await;
    assert_problem(&put, StatusCode::UNPROCESSABLE_ENTITY);
    let patch_headers = [("content-type", "application/merge-patch+json"), ("if-match", "\"1\"")];
    let patch = call(&state, true, Method::PATCH, &item, &patch_headers, r#"{"propertes": {"name": "x"}}"#).await;
    assert_problem(&patch, StatusCode::BAD_REQUEST);
    let act = json!({ "number": "7/QĐ-UBND", "date": "2020-01-01", "authority": "UBND tỉnh Bến Tre" });
    let event = json!({ "to": "removed", "act": act, "excess_demand": true });
    assert_problem(
        &call(&state, true, Method::POST, &format!("{item}/events"), &[JSON], &event.to_string()).await,
        StatusCode::BAD_REQUEST,
    );
    let event = json!({ "to": "removed", "act": act, "excess_demand_declared": "yes" });
    assert_problem(
        &call(&state, true, Method::POST, &format!("{item}/events"), &[JSON], &event.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let revert =
        call(&state, true, Method::POST, &format!("{item}/revert"), &[JSON], r#"{"version": 1, "resaon": "x"}"#).await;
    assert_problem(&revert, StatusCode::BAD_REQUEST);
    let zone = json!({
        "type": "Feature", "crs": "EPSG:4326",
        "geometry": { "type": "Polygon", "coordinates": [[[106.401, 10.231], [106.402, 10.231], [106.402, 10.232], [106.401, 10.232], [106.401, 10.231]]] },
        "properties": { "cluster_id": id, "land_use": "IND" }
    });
    assert_problem(
        &call(&state, true, Method::POST, ZONES, &[GEOJSON], &zone.to_string()).await,
        StatusCode::BAD_REQUEST,
    );
    let task = json!({ "title": "x", "owner_agency": "y", "due": "2030-01-01", "owner": "z" });
    assert_problem(
        &call(&state, true, Method::POST, "/tasks", &[JSON], &task.to_string()).await,
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(state.store.version_count(id).await.expect("versions"), 1, "no refused edit wrote a version");
    assert_eq!(state.store.list_events(id).await.expect("events").len(), 1, "no refused event was recorded");
    assert!(state.store.list_tasks().await.expect("tasks").is_empty());
}

/// A boundary far outside the area of use of its planning CRS is refused, naming the CRS and
/// its area of use; inside it, the same CRS measures.
async fn a_boundary_outside_the_area_of_use_of_its_crs_is_refused(state: AppState) {
    let paris = feature("PARIS", 2.35, 48.85);
    let a = call(&state, true, Method::POST, ITEMS, &[GEOJSON], &paris.to_string()).await;
    assert_problem(&a, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = a.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("EPSG:9210") && detail.contains("area of use") && detail.contains("Ben Tre"), "{detail}");
    assert_eq!(count(&state).await, 0);
    let id = create(&state, "BT", 106.40).await;
    let moved = call(
        &state,
        true,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        &[GEOJSON, ("if-match", "\"1\"")],
        &paris.to_string(),
    )
    .await;
    assert_problem(&moved, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state.store.version_count(id).await.expect("versions"), 1);
}

/// Where the API description and the server used to disagree.
async fn the_server_answers_as_its_description_says(state: AppState) {
    let id = create(&state, "DOC-1", 106.40).await;
    for uri in [
        format!("{ITEMS}?crs="),
        format!("{ITEMS}/{id}?crs="),
        "/units?level=".into(),
        "/tasks?state=".into(),
        "/summary?level=".into(),
    ] {
        let a = call(&state, true, Method::GET, &uri, &[], "").await;
        assert_eq!(a.status, StatusCode::OK, "an empty value is no value: {uri}: {}", a.text);
    }
    let both = call(&state, true, Method::GET, &format!("{ITEMS}?properties=code&properties=name"), &[], "").await;
    assert_eq!(both.status, StatusCode::OK, "{}", both.text);
    let properties = both.body["features"][0]["properties"].as_object().expect("properties");
    assert!(
        properties.contains_key("code") && properties.contains_key("name") && !properties.contains_key("status"),
        "{properties:?}"
    );
    let no_body = call(&state, true, Method::POST, "/auth/tokens", &[], "").await;
    assert_problem(&no_body, StatusCode::BAD_REQUEST);
    let empty = call(&state, true, Method::POST, "/auth/tokens", &[JSON], "{}").await;
    assert_eq!(empty.status, StatusCode::CREATED, "{}", empty.text);
    assert_problem(
        &call(&state, true, Method::POST, "/collections/clusters/publish", &[], "").await,
        StatusCode::BAD_REQUEST,
    );
    assert!(state.store.last_publication().await.expect("publication").is_none());
    assert_problem(
        &call(&state, false, Method::OPTIONS, "/collections/nope/items", &[], "").await,
        StatusCode::NOT_FOUND,
    );
    assert_problem(
        &call(&state, false, Method::OPTIONS, "/collections/nope/items/1", &[], "").await,
        StatusCode::NOT_FOUND,
    );
    let zone_item = call(&state, false, Method::OPTIONS, &format!("{ZONES}/1"), &[], "").await;
    let allow = zone_item.headers[header::ALLOW].to_str().expect("allow");
    assert!(allow.contains("PUT") && !allow.contains("PATCH"), "zones have no PATCH: {allow}");
    let anonymous = call(&state, false, Method::DELETE, &format!("{ZONES}/4242"), &[("if-match", "\"1\"")], "").await;
    assert_problem(&anonymous, StatusCode::UNAUTHORIZED);
}

/// A flat OR of many terms is refused alike on both stores (SQLite refuses expressions nested
/// past 1 000 levels, PostgreSQL does not): a 400 that says how many conditions are read.
async fn a_filter_with_too_many_conditions_is_a_400_on_both_stores(state: AppState) {
    create(&state, "OR-1", 106.40).await;
    let filter = |n: usize| {
        let terms: Vec<String> = (0..n).map(|i| format!("code = 'X{i}'")).collect();
        url::form_urlencoded::byte_serialize(terms.join(" OR ").as_bytes()).collect::<String>()
    };
    let many = call(&state, true, Method::GET, &format!("{ITEMS}?filter={}", filter(1200)), &[], "").await;
    assert_problem(&many, StatusCode::BAD_REQUEST);
    assert!(many.body["detail"].as_str().is_some_and(|d| d.contains("256") && d.contains("1200")), "{}", many.text);
    let fine = call(&state, true, Method::GET, &format!("{ITEMS}?filter={}", filter(256)), &[], "").await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text.chars().take(300).collect::<String>());
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    crate::common::planner_state(store, config, TOKEN).await
}

router_suite!(
    collection_tags_tell_the_public_nothing_of_drafts,
    an_impossible_file_name_under_app_is_a_404,
    a_cross_site_login_is_refused,
    an_if_match_this_service_never_issued_is_412,
    unknown_or_malformed_members_are_refused_everywhere,
    a_boundary_outside_the_area_of_use_of_its_crs_is_refused,
    the_server_answers_as_its_description_says,
    a_filter_with_too_many_conditions_is_a_400_on_both_stores,
);
