//! `OWSLib` 0.35 (`PyPI`) creates, updates and deletes a feature of the real binary
//! (`tests/owslib/crud.py`): bodies without Content-Type, writes without If-Match.

use std::path::PathBuf;
use std::process::Command;

use super::common::{client_present, venv_program};
use super::gdal::{named_planner_token, start_server};

/// The python of a venv holding `OWSLib`: `CLUSTERPLAN_OWSLIB_PYTHON`, else
/// `~/.cache/clusterplan-owslib/bin/python` (which `.ci/run` makes).
fn owslib_python() -> Option<PathBuf> {
    let python = venv_program("CLUSTERPLAN_OWSLIB_PYTHON", "clusterplan-owslib", "python")?;
    let found = Command::new(&python)
        .args(["-c", "import owslib; assert owslib.__version__.startswith('0.35')"])
        .output()
        .is_ok_and(|o| o.status.success());
    let what = format!("OWSLib 0.35 at {}", python.display());
    let install =
        "python3 -m venv ~/.cache/clusterplan-owslib && ~/.cache/clusterplan-owslib/bin/pip install 'OWSLib==0.35.*'";
    client_present(found, "CLUSTERPLAN_REQUIRE_OWSLIB", &what, install).then_some(python)
}

#[tokio::test]
async fn owslib_creates_updates_and_deletes_without_content_type_or_if_match() {
    let Some(python) = owslib_python() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("owslib.gpkg");
    let database = gpkg.to_str().expect("path");
    let token = named_planner_token(database, "owslib");
    let (mut child, base) = start_server(database);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/owslib/crud.py");
    let run = tokio::task::spawn_blocking({
        let (base, token) = (base.clone(), token.clone());
        move || Command::new(python).args([script, &base, &token]).output().expect("run python")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success(), "OWSLib script failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().expect("summary")).expect("JSON");
    let id = summary["id"].as_i64().expect("id");
    let versions: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/collections/clusters/items/{id}/versions"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("versions")
        .json()
        .await
        .expect("JSON");
    let versions = versions.get("versions").unwrap_or(&versions).as_array().expect("versions").clone();
    let operations: Vec<&str> = versions.iter().filter_map(|v| v["operation"].as_str()).collect();
    assert_eq!(operations, ["create", "update", "delete"], "{versions:?}");
    assert_eq!(versions[1]["feature"]["properties"]["name"], "Tên sửa bằng OWSLib");
    let _ = child.kill();
    let _ = child.wait();
}
