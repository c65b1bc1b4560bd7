//! Input that a store cannot hold is refused alike on both stores, before anything is read or
//! written: more sort terms than there are sortable properties (SQLite refuses more than 2 000
//! `ORDER BY` terms, and would do so after the answer's first bytes were sent).

#[macro_use]
mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::{AppState, app};
use clusterplan_store::{Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ITEMS: &str = "/collections/clusters/items";
const PLANNER_TOKEN: &str = "cpt_input_tests_planner_token";
const GEOJSON: (&str, &str) = ("content-type", "application/geo+json");

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

async fn created(state: &AppState, code: &str) -> i64 {
    let a = send(state, Method::POST, ITEMS, &[GEOJSON], &feature(code, "")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body["id"].as_i64().expect("id")
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

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(more_sort_terms_than_sortable_properties_or_a_repeated_one_is_a_400);
