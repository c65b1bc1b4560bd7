//! QGIS 3.40, headless, edits the layer of the real binary (`tests/qgis/edit_layer.py`): it
//! signs in with an "API Header" authentication configuration, adds, changes an attribute,
//! moves a vertex and deletes, each reported as committed by QGIS, with no `If-Match` and no
//! server switch; a second client's concurrent edits are kept, and QGIS's conflicting change
//! is refused. This test then reads what the server holds.

use std::process::Command;

use super::common::client_present;
use super::gdal::{named_planner_token, start_server};

/// Debian's python with QGIS (`python3-qgis qgis-providers` from bookworm-backports).
const PYTHON: &str = "/usr/bin/python3";

fn qgis_available() -> bool {
    let found = Command::new(PYTHON)
        .args(["-c", "from qgis.core import Qgis; assert Qgis.versionInt() >= 33200"])
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .is_ok_and(|o| o.status.success());
    client_present(
        found,
        "CLUSTERPLAN_REQUIRE_QGIS",
        "QGIS ≥ 3.32",
        "apt-get install -t bookworm-backports python3-qgis qgis-providers",
    )
}

#[tokio::test]
async fn qgis_adds_edits_moves_and_deletes_and_a_concurrent_edit_is_not_lost() {
    if !qgis_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("qgis.gpkg");
    let database = gpkg.to_str().expect("path");
    let token = named_planner_token(database, "qgis");
    let other_token = named_planner_token(database, "other");
    let (mut child, base) = start_server(database);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/qgis/edit_layer.py");
    let run = tokio::task::spawn_blocking({
        let (base, token, other_token) = (base.clone(), token.clone(), other_token.clone());
        move || {
            Command::new(PYTHON)
                .args([script, &base, &token, &other_token])
                .env("QT_QPA_PLATFORM", "offscreen")
                .env("HOME", std::env::temp_dir())
                .output()
                .expect("run python3")
        }
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "QGIS script failed:\n{stdout}\n{stderr}");
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("summary line")).expect("summary JSON");
    let id = summary["id"].as_i64().expect("id");

    let http = reqwest::Client::new();
    let get = |path: String| {
        let request = http.get(format!("{base}{path}")).bearer_auth(&token);
        async move { request.send().await.expect("get") }
    };
    // The state before the deletion: QGIS's vertex, the other client's notes and name.
    let kept = &summary["kept"];
    assert_eq!(kept["properties"]["name"], "Tên của máy khác");
    assert_eq!(kept["properties"]["notes"], "ghi chú của máy khác");
    let first = &kept["geometry"]["coordinates"][0][0][0];
    assert!((first[0].as_f64().expect("lon") - 106.7002).abs() < 1e-9, "{first}");
    assert!((first[1].as_f64().expect("lat") - 10.4001).abs() < 1e-9, "{first}");
    // Deleted.
    assert_eq!(get(format!("/collections/clusters/items/{id}")).await.status().as_u16(), 404);
    // Every write is in the history, by whom, with QGIS's default reason naming QGIS.
    let versions: serde_json::Value =
        get(format!("/collections/clusters/items/{id}/versions")).await.json().await.expect("versions");
    let versions = versions.get("versions").unwrap_or(&versions).as_array().expect("versions").clone();
    let who: Vec<(&str, &str)> =
        versions.iter().map(|v| (v["operation"].as_str().unwrap_or(""), v["author"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        who,
        [
            ("create", "qgis"),
            ("update", "qgis"),
            ("update", "other"),
            ("update", "qgis"),
            ("update", "other"),
            ("delete", "qgis")
        ],
        "{versions:?}"
    );
    assert_eq!(versions[1]["feature"]["properties"]["name"], "Tên sửa trong QGIS");
    for v in versions.iter().filter(|v| v["author"] == "qgis") {
        let reason = v["reason"].as_str().expect("reason");
        assert!(reason.starts_with("no reason given") && reason.contains("QGIS"), "{reason}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
