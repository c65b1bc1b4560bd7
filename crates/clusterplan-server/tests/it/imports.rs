//! Imports over HTTP, on both stores: a preview writes nothing; a commit writes every feature
//! in one transaction with the file named in each version's reason, or nothing when one
//! feature is refused; provincial field names are mapped; our own exports come back unchanged.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use clusterplan_core::Crs;
use clusterplan_server::AppState;
use clusterplan_store::{Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::{Answer, send};

const TOKEN: &str = "cpt_import_tests_planner";
const IMPORT: &str = "/collections/clusters/import";

/// A request with a file as its body.
async fn send_file(state: &AppState, method: Method, uri: &str, token: Option<&str>, body: Vec<u8>) -> Answer {
    let headers = [("content-type", "application/octet-stream")];
    send(state, token, method, uri, &headers, Body::from(body)).await
}

async fn import(state: &AppState, query: &str, file: &[u8]) -> Answer {
    send_file(state, Method::POST, &format!("{IMPORT}?{query}"), Some(TOKEN), file.to_vec()).await
}

async fn get(state: &AppState, uri: &str) -> Answer {
    send_file(state, Method::GET, uri, Some(TOKEN), Vec::new()).await
}

/// A square of `ha` hectares, `dx` metres east of a point near Bến Tre, in EPSG:9210 metres.
fn square_m(dx: f64, ha: f64) -> Value {
    let mut c = [geo_types::Coord { x: 106.40, y: 10.23 }];
    clusterplan_core::crs::transform_coords(Crs::WGS84, Crs::Epsg(9210), &mut c).expect("transform");
    let (west, south) = (c[0].x.round() + dx, c[0].y.round());
    let side = (ha * 10_000.0).sqrt();
    let (east, north) = (west + side, south + side);
    json!([[[west, south], [east, south], [east, north], [west, north], [west, south]]])
}

/// A provincial GeoJSON file in VN-2000 TM-3 with Vietnamese field names.
fn provincial(features: &[(&str, &str, Value)]) -> Vec<u8> {
    let features: Vec<Value> = features
        .iter()
        .map(|(code, name, coordinates)| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Polygon", "coordinates": coordinates },
                "properties": { "MA_CCN": code, "TEN_CCN": name, "DIEN_TICH": "30,5", "LOAI_HINH": "cluster", "TRANG_THAI": "in_plan", "SHAPE_AREA": 1 },
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::9210" } },
        "features": features,
    })
    .to_string()
    .into_bytes()
}

async fn count(state: &AppState) -> u64 {
    get(state, "/collections/clusters/items?layer=draft&limit=1").await.body["numberMatched"].as_u64().expect("count")
}

async fn a_preview_writes_nothing_and_a_commit_writes_every_feature(state: AppState) {
    let file = provincial(&[
        ("BT-IMP-1", "Cụm Phú Hưng", square_m(0.0, 30.0)),
        ("BT-IMP-2", "Cụm Mỹ Thạnh", square_m(2000.0, 30.0)),
    ]);
    let preview = import(&state, "dry_run=true&filename=ranh-gioi.geojson", &file).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.body["format"], "GeoJSON");
    assert_eq!(preview.body["crs"], "EPSG:9210");
    assert_eq!(
        preview.body["mapping"],
        json!({"DIEN_TICH": "planned_area_ha", "LOAI_HINH": "kind", "MA_CCN": "code", "TEN_CCN": "name", "TRANG_THAI": "status"})
    );
    assert_eq!(preview.body["summary"], json!({"create": 2, "update": 0, "unchanged": 0, "refused": 0}));
    assert_eq!(preview.body["committed"], false);
    let first = &preview.body["features"][0];
    assert_eq!(first["feature"]["properties"]["planned_area_ha"], 30.5);
    assert_eq!(first["feature"]["properties"]["name"], "Cụm Phú Hưng");
    assert_eq!(count(&state).await, 0, "a preview writes nothing");

    let done = import(&state, "filename=ranh-gioi.geojson", &file).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["committed"], true);
    assert_eq!(count(&state).await, 2);
    let id = done.body["features"][1]["matched"]["id"].as_i64().expect("id");
    let feature = get(&state, &format!("/collections/clusters/items/{id}")).await;
    assert_eq!(feature.body["properties"]["name"], "Cụm Mỹ Thạnh");
    let area = feature.body["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 30.0).abs() < 0.001, "{area} ha: the TM-3 square came through");
    let versions = get(&state, &format!("/collections/clusters/items/{id}/versions")).await;
    assert_eq!(versions.body["versions"][0]["reason"], "import ranh-gioi.geojson", "{}", versions.body);
    assert_eq!(versions.body["versions"][0]["author"], "planner");

    // The same file again: both match by code and nothing changes.
    let again = import(&state, "dry_run=true", &file).await;
    assert_eq!(again.body["summary"], json!({"create": 0, "update": 0, "unchanged": 2, "refused": 0}));
    // A new name for one: an update of that one, with what changes.
    let renamed = provincial(&[("BT-IMP-1", "Cụm Phú Hưng mở rộng", square_m(0.0, 30.0))]);
    let update = import(&state, "filename=doi-ten.geojson", &renamed).await;
    assert_eq!(update.body["summary"]["update"], 1, "{}", update.body);
    assert_eq!(update.body["features"][0]["changes"], json!(["name"]));
    assert_eq!(update.body["features"][0]["matched"]["version"], 2);
}

async fn one_refused_feature_refuses_the_whole_import(state: AppState) {
    let (w, s) = (square_m(0.0, 30.0)[0][0][0].as_f64().expect("x"), square_m(0.0, 30.0)[0][0][1].as_f64().expect("y"));
    // A bow tie: the ring crosses itself.
    let bow_tie = json!([[[w, s], [w + 600.0, s + 600.0], [w + 600.0, s], [w, s + 600.0], [w, s]]]);
    let file = provincial(&[("BT-OK", "Cụm hợp lệ", square_m(3000.0, 30.0)), ("BT-BAD", "Cụm lỗi", bow_tie)]);
    let preview = import(&state, "dry_run=true", &file).await;
    assert_eq!(preview.body["summary"]["refused"], 1, "{}", preview.body);
    let refused = &preview.body["features"][1];
    assert_eq!(refused["action"], "refused");
    assert!(refused["problem"].to_string().contains("self_intersection"), "the POST's own verdict: {refused}");
    let commit = import(&state, "", &file).await;
    assert_eq!(commit.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", commit.body);
    assert_eq!(commit.body["type"], "urn:clusterplan:problem:import-refused");
    assert_eq!(commit.body["features"][1]["action"], "refused");
    assert_eq!(count(&state).await, 0, "nothing of a refused import is written");

    // Codes twice in one file, and a point: refused with the reason.
    let point = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.4, 10.2]}, "properties": {"MA_CCN": "P", "TEN_CCN": "P"}}
    ]});
    let answer = import(&state, "dry_run=true", point.to_string().as_bytes()).await;
    assert_eq!(answer.body["features"][0]["problem"]["detail"], "the geometry is a point; a boundary is a polygon");
    let twice = provincial(&[("BT-2X", "A", square_m(0.0, 30.0)), ("BT-2X", "B", square_m(3000.0, 30.0))]);
    let answer = import(&state, "dry_run=true", &twice).await;
    assert_eq!(answer.body["features"][1]["problem"]["type"], "urn:clusterplan:problem:duplicate-code");
}

async fn mapping_can_be_set_and_bad_requests_are_problems(state: AppState) {
    let file = json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": square_m(0.0, 30.0)},
        "properties": {"KY_HIEU": "BT-MAP", "TEN_GOI": "Cụm theo bảng", "TRANG_THAI": "in_plan"},
    }]});
    let file = file.to_string().into_bytes();
    let crs = "crs=EPSG:9210";
    let guessed = import(&state, &format!("dry_run=true&{crs}"), &file).await;
    assert_eq!(guessed.body["features"][0]["action"], "refused", "no name without a mapping: {}", guessed.body);
    let mapping = percent(r#"{"TEN_GOI":"name"}"#);
    let mapped = import(&state, &format!("dry_run=true&{crs}&mapping={mapping}"), &file).await;
    assert_eq!(mapped.body["features"][0]["action"], "create", "{}", mapped.body);
    assert_eq!(mapped.body["mapping"]["TEN_GOI"], "name");
    for bad in [
        format!("mapping={}", percent(r#"{"NOPE":"name"}"#)),
        format!("mapping={}", percent(r#"{"TEN_GOI":"colour"}"#)),
        "mapping=nonsense".to_owned(),
        "crs=EPSG:32648".to_owned(),
        "encoding=VNI".to_owned(),
        "colour=red".to_owned(),
    ] {
        let answer = import(&state, &format!("dry_run=true&{bad}"), &file).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.body);
    }
    let answer = import(&state, "dry_run=true", b"not a file we read").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["type"], "urn:clusterplan:problem:invalid-import");
    // The public is refused before the file is read.
    let public = send_file(&state, Method::POST, IMPORT, None, file).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
}

async fn our_own_shapefile_export_comes_back_unchanged(state: AppState) {
    let file = provincial(&[
        ("BT-RT-1", "Cụm Phú Hưng–Mỹ Thạnh", square_m(0.0, 30.0)),
        ("BT-RT-2", "Cụm An Hiệp", square_m(2500.0, 40.0)),
    ]);
    assert_eq!(import(&state, "", &file).await.status, StatusCode::OK);
    for query in ["f=shp&crs=EPSG:9210", "f=shp", "f=geojson&crs=EPSG:9210", "f=kml"] {
        let export = get(&state, &format!("/collections/clusters/export?layer=draft&{query}")).await;
        assert_eq!(export.status, StatusCode::OK, "{query}");
        let back = import(&state, "dry_run=true", &export.bytes).await;
        assert_eq!(
            back.body["summary"],
            json!({"create": 0, "update": 0, "unchanged": 2, "refused": 0}),
            "{query}: {}",
            back.body
        );
    }
}

fn percent(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, TOKEN).await
}

router_suite!(
    a_preview_writes_nothing_and_a_commit_writes_every_feature,
    one_refused_feature_refuses_the_whole_import,
    mapping_can_be_set_and_bad_requests_are_problems,
    our_own_shapefile_export_comes_back_unchanged,
);

/// `clusterplan import` runs the same pipeline on the store `serve` would open: the preview
/// writes nothing, the import writes all, a refused feature fails the command and writes
/// nothing.
#[test]
fn the_command_line_imports_like_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("cli.gpkg");
    let database = database.to_str().expect("path");
    let file = dir.path().join("ranh-gioi.geojson");
    std::fs::write(&file, provincial(&[("BT-CLI-1", "Cụm Phú Hưng", square_m(0.0, 30.0))])).expect("write");
    let run = |extra: &[&str], file: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clusterplan"))
            .args(["import", file.to_str().expect("path"), "--database", database, "--no-demo"])
            .args(extra)
            .env("CLUSTERPLAN_LOG", "warn")
            .output()
            .expect("run clusterplan");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.success(), report, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, preview, err) = run(&["--dry-run", "--layer", "clusters"], &file);
    assert!(ok, "{err}");
    assert_eq!(preview["summary"]["create"], 1, "{preview}");
    assert_eq!(preview["committed"], false);
    let (ok, done, err) = run(&["--as", "so-cong-thuong"], &file);
    assert!(ok, "{err}");
    assert_eq!(done["committed"], true, "{done}");
    let (ok, again, _) = run(&["--dry-run"], &file);
    assert!(ok);
    assert_eq!(again["summary"]["unchanged"], 1, "written by the import before: {again}");

    let bad = dir.path().join("loi.geojson");
    let point = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.4, 10.2]}, "properties": {"MA_CCN": "P", "TEN_CCN": "P"}}
    ]});
    std::fs::write(&bad, point.to_string()).expect("write");
    let (ok, refused, err) = run(&[], &bad);
    assert!(!ok, "a refused import fails the command");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(refused["features"][0]["action"], "refused", "the preview is printed: {refused}");
    let (ok, _, err) = run(&["--layer", "zones"], &file);
    assert!(!ok && err.contains("only clusters"), "{err}");
}
