//! Hostile and careless query strings (`tests/data/hostile-queries.tsv`: bbox, limit,
//! datetime, sortby, properties, crs, CQL2 payloads with `pg_sleep`, NUL, 5 000 nested
//! parentheses, tile z/y/x, path traversal): each gets the client error the file names (or,
//! for injections inside a string literal, an ordinary answer), never a 5xx, and none takes a
//! second. On both stores, over a small layer with a published snapshot and a zone, as a
//! planner (who reaches the draft layer, history and planning routes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::{AppState, app};
use clusterplan_store::{Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

const TOKEN: &str = "cpt_hostile_planner";
const CASES: &str = include_str!("../../../../tests/data/hostile-queries.tsv");
/// The slowest answer allowed.
const BUDGET: Duration = Duration::from_secs(1);

/// One line of the file: the status expected (`4xx`: any client error), the class, the target.
struct Case<'a> {
    expected: &'a str,
    class: &'a str,
    target: &'a str,
}

fn cases() -> Vec<Case<'static>> {
    CASES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut fields = l.splitn(3, '\t');
            let (Some(expected), Some(class), Some(target)) = (fields.next(), fields.next(), fields.next()) else {
                panic!("a line of the hostile queries file is malformed: {l:?}");
            };
            Case { expected, class, target }
        })
        .collect()
}

async fn send(state: &AppState, method: Method, uri: &str, body: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "test.local")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

async fn every_hostile_query_is_a_quick_client_error_never_a_server_error(state: AppState) {
    let feature = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[106.40, 10.23], [106.405, 10.23], [106.405, 10.234], [106.40, 10.234], [106.40, 10.23]]] },
        "properties": { "code": "HQ-1", "name": "Phú Hưng", "kind": "cluster", "status": "in_plan" }
    });
    let (status, made) = send(&state, Method::POST, "/collections/clusters/items", feature).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let zone = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[106.401, 10.231], [106.402, 10.231], [106.402, 10.232], [106.401, 10.232], [106.401, 10.231]]] },
        "properties": { "cluster_id": made["id"], "land_use": "IND" }
    });
    assert_eq!(send(&state, Method::POST, "/collections/zones/items", zone).await.0, StatusCode::CREATED);
    assert_eq!(send(&state, Method::POST, "/collections/clusters/publish", json!({})).await.0, StatusCode::OK);
    let before = state.store.version_count(made["id"].as_i64().expect("id")).await.expect("versions");

    let cases = cases();
    assert!(cases.len() >= 150, "the set holds {} cases", cases.len());
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, "");
    for case in &cases {
        let mut request = Request::builder().method(Method::GET).header(header::HOST, "test.local");
        request = request.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        let Ok(request) = request.uri(case.target).body(Body::empty()) else {
            failures.push(format!("{}: not a request target: {:.120}", case.class, case.target));
            continue;
        };
        let started = Instant::now();
        let response = app(state.clone()).oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = response.into_body().collect().await.map(http_body_util::Collected::to_bytes);
        let took = started.elapsed();
        if took > slowest.0 {
            slowest = (took, case.target);
        }
        let fits = match case.expected {
            "4xx" => status.is_client_error(),
            code => status.as_str() == code,
        };
        if !fits || body.is_err() || took > BUDGET {
            let text =
                body.map(|b| String::from_utf8_lossy(&b).chars().take(160).collect::<String>()).unwrap_or_default();
            failures.push(format!(
                "{} {:.100}: {status} in {took:?} (expected {}) {text}",
                case.class, case.target, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(
        state.store.version_count(made["id"].as_i64().expect("id")).await.expect("versions"),
        before,
        "no query changed anything"
    );
    eprintln!("{} hostile queries, the slowest {:?}: {:.80}", cases.len(), slowest.0, slowest.1);
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    crate::common::planner_state(store, config, TOKEN).await
}

router_suite!(every_hostile_query_is_a_quick_client_error_never_a_server_error);
