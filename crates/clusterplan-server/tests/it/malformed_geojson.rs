//! The malformed-GeoJSON corpus (`tests/data/malformed-geojson.jsonl`, one input a line with
//! its class and the status it must get: text that is no JSON, documents that are no Feature,
//! geometries of the wrong type or structure, bad rings, bad topology, coordinates out of
//! range, attributes of the wrong type, unknown members, malformed planning members, NUL
//! characters, boundaries outside the area of use of their CRS, planning rules) sent through
//! POST, PUT and PATCH: the right 4xx, never a 5xx, the store unchanged, and the same verdict
//! (status and problem type) on both stores.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, header};
use clusterplan_server::{AppState, app};
use clusterplan_store::{ClusterQuery, Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ITEMS: &str = "/collections/clusters/items";
const TOKEN: &str = "cpt_corpus_planner";
const CORPUS: &str = include_str!("../../../../tests/data/malformed-geojson.jsonl");

struct Input {
    class: String,
    expected: String,
    /// The body as sent.
    text: String,
    /// The document, when the text is JSON.
    doc: Option<Value>,
}

fn corpus() -> Vec<Input> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {line:.80}: {e}"));
            let class = entry["class"].as_str().expect("class").to_owned();
            let expected = entry["expected"].as_str().expect("expected").to_owned();
            match (entry.get("raw"), entry.get("doc")) {
                (Some(Value::String(raw)), None) => Input { class, expected, text: raw.clone(), doc: None },
                (None, Some(doc)) => Input { class, expected, text: doc.to_string(), doc: Some(doc.clone()) },
                _ => panic!("a corpus line has `raw` text or a `doc`: {line:.80}"),
            }
        })
        .collect()
}

/// What an answer says: its status and problem type.
type Verdict = (u16, String);

async fn send(state: &AppState, method: Method, uri: &str, media: &str, body: &str) -> (Verdict, Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "test.local")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, media)
        .header(header::IF_MATCH, "\"1\"")
        .body(Body::from(body.to_owned()))
        .expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let doc: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let kind = doc["type"].as_str().unwrap_or_default().to_owned();
    ((status, kind), doc)
}

/// Whether PATCH can carry the input's flaw: a JSON object whose malformed part survives a
/// merge into a valid feature (a patch of `{}` or of a bare `type` is a good patch).
fn patchable(input: &Input) -> bool {
    let Some(Value::Object(doc)) = &input.doc else { return false };
    // A geometry object without `type` or `coordinates` merges into the stored one, which
    // keeps its own: a good patch.
    let partial_geometry = doc
        .get("geometry")
        .and_then(Value::as_object)
        .is_some_and(|g| !g.contains_key("type") || !g.contains_key("coordinates"));
    !matches!(input.class.as_str(), "not-json" | "not-a-feature")
        && doc.get("properties") != Some(&json!({}))
        && !partial_geometry
}

/// Sends every input through POST, PUT and PATCH on one store; the verdicts in corpus order.
async fn verdicts(state: &AppState) -> Vec<Verdict> {
    let seed = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[106.40, 10.23], [106.405, 10.23], [106.405, 10.234], [106.40, 10.234], [106.40, 10.23]]] },
        "properties": { "code": "SEED", "name": "Phú Hưng", "kind": "cluster", "status": "in_plan" }
    });
    let ((status, _), made) = send(state, Method::POST, ITEMS, "application/geo+json", &seed.to_string()).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().expect("id");
    let item = format!("{ITEMS}/{id}");
    let all = ClusterQuery { limit: 1, ..ClusterQuery::ALL };

    let mut seen = Vec::new();
    let mut failures = Vec::new();
    for input in corpus() {
        let mut attempts = vec![
            ("POST", send(state, Method::POST, ITEMS, "application/geo+json", &input.text).await),
            ("PUT", send(state, Method::PUT, &item, "application/geo+json", &input.text).await),
        ];
        if patchable(&input) {
            attempts
                .push(("PATCH", send(state, Method::PATCH, &item, "application/merge-patch+json", &input.text).await));
        }
        for (method, (verdict, answer)) in attempts {
            let fits = match input.expected.as_str() {
                "4xx" => (400..500).contains(&verdict.0),
                code => verdict.0.to_string() == code,
            };
            if !fits || !verdict.1.starts_with("urn:clusterplan:problem:") {
                let detail = answer["detail"].as_str().unwrap_or_default().chars().take(160).collect::<String>();
                failures.push(format!(
                    "{} {method} {:.90}: {} (expected {}) {detail}",
                    input.class, input.text, verdict.0, input.expected
                ));
            }
            seen.push(verdict);
        }
    }
    assert!(failures.is_empty(), "{} answers differ:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(state.store.count_clusters(&all).await.expect("count"), 1, "no input created a feature");
    assert_eq!(state.store.version_count(id).await.expect("versions"), 1, "no input changed the feature");
    seen
}

async fn state(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, TOKEN).await
}

#[tokio::test]
async fn every_malformed_feature_gets_the_same_4xx_on_both_stores_and_changes_nothing() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let inputs = corpus();
    let classes: std::collections::BTreeSet<&str> = inputs.iter().map(|i| i.class.as_str()).collect();
    assert!(inputs.len() >= 180 && classes.len() >= 10, "{} inputs in {} classes", inputs.len(), classes.len());

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("corpus.gpkg");
    let gpkg = clusterplan_store::GpkgStore::open(&path).await.expect("open");
    let on_gpkg = verdicts(&state(Arc::new(gpkg), StoreConfig::Gpkg(path)).await).await;

    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let postgis = clusterplan_store::PostgisStore::connect(&db.url).await.expect("connect");
    let on_postgis = verdicts(&state(Arc::new(postgis.clone()), StoreConfig::Postgis(db.url.clone())).await).await;
    postgis.close().await;
    db.drop_database().await;
    assert_eq!(on_gpkg.len(), on_postgis.len());
    let differ: Vec<String> = on_gpkg
        .iter()
        .zip(&on_postgis)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(n, (a, b))| format!("answer {n}: GeoPackage {a:?}, PostGIS {b:?}"))
        .collect();
    assert!(differ.is_empty(), "the stores' verdicts differ:\n{}", differ.join("\n"));
}
