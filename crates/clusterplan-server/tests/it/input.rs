//! Input that a store cannot hold is refused alike on both stores, before anything is written:
//! a NUL character (U+0000, which PostgreSQL refuses in text and SQLite keeps) in any text a
//! client sends, and more sort terms than there are sortable properties (SQLite refuses more
//! than 2 000 `ORDER BY` terms, and would do so after the answer's first bytes were sent).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::{AppState, app};
use clusterplan_store::{ClusterQuery, Store, StoreConfig, ZoneQuery};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ITEMS: &str = "/collections/clusters/items";
const ZONES: &str = "/collections/zones/items";
const PLANNER_TOKEN: &str = "cpt_input_tests_planner_token";
const JSON: (&str, &str) = ("content-type", "application/json");
const GEOJSON: (&str, &str) = ("content-type", "application/geo+json");
/// A NUL character, as JSON text writes it.
const NUL: &str = "\u{0}";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
}

/// A request as the planner (`token: true`) or the public.
async fn call(
    state: &AppState,
    token: bool,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "test.local");
    if token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {PLANNER_TOKEN}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = if body.is_empty() { Body::empty() } else { Body::from(body.to_owned()) };
    let response = app(state.clone()).oneshot(request.body(body).expect("request")).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    // A body that breaks off (an error after the first bytes were sent) reads as a marker.
    let (bytes, text) = match response.into_body().collect().await {
        Ok(collected) => {
            let bytes = collected.to_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (bytes, text)
        }
        Err(e) => (axum::body::Bytes::new(), format!("(the body broke off: {e})")),
    };
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

async fn send(state: &AppState, method: Method, uri: &str, headers: &[(&str, &str)], body: &Value) -> Answer {
    call(state, true, method, uri, headers, &body.to_string()).await
}

async fn get(state: &AppState, uri: &str) -> Answer {
    call(state, true, Method::GET, uri, &[], "").await
}

fn square(lon: f64, lat: f64, side: f64) -> Value {
    json!([[[lon, lat], [lon + side, lat], [lon + side, lat + side * 0.8], [lon, lat + side * 0.8], [lon, lat]]])
}

fn feature(code: &str, notes: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": square(106.40, 10.23, 0.005) },
        "properties": { "code": code, "name": "Phú Hưng–Mỹ Thạnh", "kind": "cluster", "status": "in_plan", "notes": notes }
    })
}

/// The refusal every NUL gets: 400, a problem document of its own type, and the place named in
/// the detail and in `errors`.
#[track_caller]
fn assert_nul_refused(a: &Answer, field: &str) {
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "a NUL in {field}: {}", a.text);
    assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json", "{}", a.text);
    assert_eq!(a.body["type"], "urn:clusterplan:problem:nul-character", "{}", a.text);
    assert!(a.body["detail"].as_str().is_some_and(|d| d.contains(field)), "{field} in {}", a.text);
    let errors = a.body["errors"].as_array().unwrap_or_else(|| panic!("errors in {}", a.text));
    assert!(errors.iter().any(|e| e["field"] == field && e["message"].is_string()), "{field} in {}", a.text);
}

async fn count(state: &AppState) -> u64 {
    state.store.count_clusters(&ClusterQuery { limit: 1, ..ClusterQuery::ALL }).await.expect("count")
}

async fn created(state: &AppState, code: &str) -> i64 {
    let a = send(state, Method::POST, ITEMS, &[GEOJSON], &feature(code, "")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body["id"].as_i64().expect("id")
}

async fn a_nul_in_any_attribute_of_a_feature_write_is_a_400_that_names_it(state: AppState) {
    let posted = send(&state, Method::POST, ITEMS, &[GEOJSON], &feature("NUL-1", &format!("a{NUL}b"))).await;
    assert_nul_refused(&posted, "/properties/notes");
    let mut named = feature("NUL-2", "");
    named["properties"]["name"] = json!(format!("Mỹ{NUL}Thạnh"));
    assert_nul_refused(&send(&state, Method::POST, ITEMS, &[GEOJSON], &named).await, "/properties/name");
    let mut with_event = feature("NUL-3", "");
    with_event["event"] = json!({ "note": format!("first{NUL}") });
    assert_nul_refused(&send(&state, Method::POST, ITEMS, &[GEOJSON], &with_event).await, "/event/note");
    assert_eq!(count(&state).await, 0, "no refused creation wrote anything");

    let id = created(&state, "NUL-OK").await;
    let item = format!("{ITEMS}/{id}");
    let put = send(&state, Method::PUT, &item, &[GEOJSON, ("if-match", "\"1\"")], &feature("NUL-OK", NUL)).await;
    assert_nul_refused(&put, "/properties/notes");
    let patch = json!({ "properties": { "notes": format!("{NUL}x") } });
    let headers = [("content-type", "application/merge-patch+json"), ("if-match", "\"1\"")];
    assert_nul_refused(&send(&state, Method::PATCH, &item, &headers, &patch).await, "/properties/notes");
    let act = json!({ "number": "7/QĐ-UBND", "date": "2020-01-01", "authority": "UBND tỉnh Bến Tre" });
    let event = json!({ "to": "removed", "act": act, "note": format!("gỡ{NUL}bỏ") });
    assert_nul_refused(&send(&state, Method::POST, &format!("{item}/events"), &[JSON], &event).await, "/note");
    let revert = json!({ "version": 1, "reason": format!("undo{NUL}") });
    assert_nul_refused(&send(&state, Method::POST, &format!("{item}/revert"), &[JSON], &revert).await, "/reason");
    let zone = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": square(106.401, 10.231, 0.001) },
        "properties": { "cluster_id": id, "land_use": "IND", "label": format!("Lô{NUL}A") },
    });
    assert_nul_refused(&send(&state, Method::POST, ZONES, &[GEOJSON], &zone).await, "/properties/label");

    assert_eq!(state.store.version_count(id).await.expect("versions"), 1, "no refused edit wrote a version");
    assert_eq!(state.store.list_events(id).await.expect("events").len(), 1, "no refused event was recorded");
    let zones = ZoneQuery {
        bbox: None,
        cluster_id: None,
        limit: 10,
        offset: 0,
        cursor: None,
        layer: clusterplan_store::Layer::Draft,
    };
    assert_eq!(state.store.count_zones(&zones).await.expect("zones"), 0, "no refused zone was created");
    let kept = get(&state, &item).await;
    assert_eq!(kept.body["properties"]["version"], 1, "{}", kept.text);
}

async fn a_nul_in_a_reason_or_legal_act_header_is_a_400_that_names_the_header(state: AppState) {
    let reason = [GEOJSON, ("x-change-reason", "Quy%E1%BA%BFt%00 %C4%91%E1%BB%8Bnh")];
    let posted = send(&state, Method::POST, ITEMS, &reason, &feature("H-1", "")).await;
    assert_nul_refused(&posted, "X-Change-Reason");
    assert_eq!(count(&state).await, 0, "the refused creation wrote nothing");

    let id = created(&state, "H-2").await;
    let item = format!("{ITEMS}/{id}");
    let act = [GEOJSON, ("if-match", "\"1\""), ("x-legal-act", "12%00/Q%C4%90-UBND")];
    assert_nul_refused(&send(&state, Method::PUT, &item, &act, &feature("H-2", "moved")).await, "X-Legal-Act");
    let delete = [("if-match", "\"1\""), ("x-change-reason", "%00")];
    assert_nul_refused(&call(&state, true, Method::DELETE, &item, &delete, "").await, "X-Change-Reason");
    assert_eq!(state.store.version_count(id).await.expect("versions"), 1, "no refused write wrote a version");
    assert_eq!(get(&state, &item).await.status, StatusCode::OK, "the refused delete deleted nothing");
}

async fn a_nul_in_a_comment_metadata_publication_task_or_token_is_a_400(state: AppState) {
    let id = created(&state, "C-1").await;
    let comments = format!("{ITEMS}/{id}/comments");
    let comment = json!({ "text": format!("xem{NUL}lại") });
    assert_nul_refused(&send(&state, Method::POST, &comments, &[JSON], &comment).await, "/text");
    assert!(state.store.comments(id).await.expect("comments").is_empty(), "no refused comment was kept");

    let meta = json!({ "title": format!("Cụm{NUL}"), "keywords": ["CCN", format!("Bến{NUL}Tre")] });
    let answer = send(&state, Method::PUT, "/collections/clusters/metadata", &[JSON], &meta).await;
    assert_nul_refused(&answer, "/title");
    assert_nul_refused(&answer, "/keywords/1");
    let stored = state.store.collection_meta("clusters").await.expect("meta");
    assert_eq!((stored.title, stored.keywords.len()), (None, 0), "the refused metadata was not stored");

    let note = json!({ "note": format!("Quyết định{NUL}") });
    assert_nul_refused(&send(&state, Method::POST, "/collections/clusters/publish", &[JSON], &note).await, "/note");
    assert!(state.store.last_publication().await.expect("publication").is_none(), "nothing was published");

    let task = json!({ "title": format!("Quy hoạch{NUL}"), "owner_agency": "Sở Công Thương", "due": "2030-12-31" });
    assert_nul_refused(&send(&state, Method::POST, "/tasks", &[JSON], &task).await, "/title");
    assert!(state.store.list_tasks().await.expect("tasks").is_empty(), "the refused task was not created");

    let token = json!({ "name": format!("qgis{NUL}") });
    assert_nul_refused(&send(&state, Method::POST, "/auth/tokens", &[JSON], &token).await, "/name");
}

async fn a_nul_in_a_login_name_is_a_400_and_leaves_no_audit_row(state: AppState) {
    let before = state.store.audit_page(1000, 0).await.expect("audit").len();
    let body = json!({ "name": format!("planner{NUL}"), "password": "planner password" }).to_string();
    let answer = call(&state, false, Method::POST, "/auth/login", &[JSON], &body).await;
    assert_nul_refused(&answer, "/name");
    assert_eq!(state.store.audit_page(1000, 0).await.expect("audit").len(), before, "nothing was audited");
    let fine = json!({ "name": "planner", "password": "planner password" }).to_string();
    assert_eq!(call(&state, false, Method::POST, "/auth/login", &[JSON], &fine).await.status, StatusCode::OK);
}

async fn a_nul_in_a_query_parameter_or_a_filter_literal_is_a_400_that_names_the_parameter(state: AppState) {
    created(&state, "Q-1").await;
    // `name = 'a<NUL>b'`, percent-encoded as a browser would send it.
    assert_nul_refused(&get(&state, &format!("{ITEMS}?filter=name%20%3D%20%27a%00b%27")).await, "filter");
    assert_nul_refused(&get(&state, "/units?code=8%0029").await, "code");
    assert_nul_refused(&get(&state, &format!("{ITEMS}?limit=1&sortby=code%00")).await, "sortby");
    let fine = get(&state, &format!("{ITEMS}?filter=name%20%3D%20%27a%27")).await;
    assert_eq!(fine.status, StatusCode::OK, "{}", fine.text);
}

async fn more_sort_terms_than_sortable_properties_or_a_repeated_one_is_a_400(state: AppState) {
    created(&state, "S-1").await;
    let sortable: Vec<&str> = clusterplan_store::Queryable::ALL
        .into_iter()
        .filter(|q| q.sortable())
        .map(clusterplan_store::Queryable::name)
        .collect();
    let every = get(&state, &format!("{ITEMS}?sortby={}", sortable.join(","))).await;
    assert_eq!(every.status, StatusCode::OK, "each sortable property once: {}", every.text);
    assert_eq!(every.body["numberReturned"], 1, "{}", every.text);

    let many: Vec<&str> = sortable.iter().copied().cycle().take(2_000).collect();
    let answer = get(&state, &format!("{ITEMS}?sortby={}", many.join(","))).await;
    let start: String = answer.text.chars().take(300).collect();
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{start}");
    assert_eq!(answer.headers[header::CONTENT_TYPE], "application/problem+json");
    let detail = answer.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("sortby") && detail.contains("2000"), "{}", answer.text);

    let twice = get(&state, &format!("{ITEMS}?sortby=-code,name,%2Bcode")).await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.text);
    assert!(twice.body["detail"].as_str().is_some_and(|d| d.contains("\"code\"")), "{}", twice.text);
}

/// A wastewater plant capacity is a non-negative number, kept only where there is a plant:
/// treatment completed, or a plant zone planned in the cluster.
async fn a_wastewater_plant_capacity_needs_a_plant_and_round_trips(state: AppState) {
    let mut no_plant = feature("WWTP-1", "");
    no_plant["properties"]["wwtp_capacity_m3_day"] = json!(1500.0);
    let refused = send(&state, Method::POST, ITEMS, &[GEOJSON], &no_plant).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert!(refused.text.contains("wwtp_capacity_m3_day"), "{}", refused.text);
    let mut negative = no_plant.clone();
    negative["properties"]["wastewater_completed"] = json!(true);
    negative["properties"]["wwtp_capacity_m3_day"] = json!(-1.0);
    let refused = send(&state, Method::POST, ITEMS, &[GEOJSON], &negative).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert_eq!(count(&state).await, 0, "nothing refused was written");

    let mut built = no_plant.clone();
    built["properties"]["wastewater_completed"] = json!(true);
    let created = send(&state, Method::POST, ITEMS, &[GEOJSON], &built).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["properties"]["wwtp_capacity_m3_day"], 1500.0, "{}", created.text);
    let id = created.body["id"].as_i64().expect("id");
    let read = get(&state, &format!("{ITEMS}/{id}")).await;
    assert_eq!(read.body["properties"]["wwtp_capacity_m3_day"], 1500.0, "{}", read.text);
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(
    a_nul_in_any_attribute_of_a_feature_write_is_a_400_that_names_it,
    a_nul_in_a_reason_or_legal_act_header_is_a_400_that_names_the_header,
    a_nul_in_a_comment_metadata_publication_task_or_token_is_a_400,
    a_nul_in_a_login_name_is_a_400_and_leaves_no_audit_row,
    a_nul_in_a_query_parameter_or_a_filter_literal_is_a_400_that_names_the_parameter,
    more_sort_terms_than_sortable_properties_or_a_repeated_one_is_a_400,
    a_wastewater_plant_capacity_needs_a_plant_and_round_trips,
);
