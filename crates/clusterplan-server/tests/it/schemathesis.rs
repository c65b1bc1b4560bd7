//! Schemathesis 4.32 (`PyPI`) checks the real binary against its own `/api` document, as a
//! planner, on both stores: every operation, with examples, the coverage phase's edge cases
//! and generated inputs (a fixed seed, a bounded number of examples per operation), and every
//! check, so a 5xx, an answer the document does not describe (status, content type, headers,
//! body schema), an accepted invalid input or a refused valid one fails the test.
//! `tests/schemathesis/hooks.py` says why `limit`'s maximum is not held as an error.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use super::common::{client_present, venv_program};
use super::restart::{Server, planner_token};

/// The `schemathesis` of a venv: `CLUSTERPLAN_SCHEMATHESIS`, else
/// `~/.cache/clusterplan-schemathesis/bin/schemathesis` (which `.ci/run` makes).
fn schemathesis() -> Option<PathBuf> {
    let program = venv_program("CLUSTERPLAN_SCHEMATHESIS", "clusterplan-schemathesis", "schemathesis")?;
    let found = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("version 4.32"));
    let what = format!("schemathesis 4.32 at {}", program.display());
    let install = "python3 -m venv ~/.cache/clusterplan-schemathesis && \
                   ~/.cache/clusterplan-schemathesis/bin/pip install 'schemathesis==4.32.*'";
    client_present(found, "CLUSTERPLAN_REQUIRE_SCHEMATHESIS", &what, install).then_some(program)
}

async fn the_server_keeps_to_its_api_document(database: &str, store: &str) {
    let Some(program) = schemathesis() else { return };
    let token = planner_token(database);
    // The demo seed: items, zones, events and tasks for the generated ids to find.
    let server = Server::start(database, &[]);
    let reports = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let run = tokio::task::spawn_blocking({
        let (api, auth, reports) =
            (format!("{}/api", server.base), format!("Authorization: Bearer {token}"), reports.path().to_owned());
        move || {
            Command::new(program)
                .args([
                    "--config-file",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/schemathesis/schemathesis.toml"),
                ])
                .args(["run", &api, "--header", &auth])
                // Every check, `positive_data_acceptance` ("a request the document allows is
                // accepted") too: the document says what OpenAPI 3.0 can (enums, patterns,
                // lengths, required members, closed bodies), and
                // `tests/schemathesis/schemathesis.toml` declares, per operation, the one status
                // each rule it cannot say yields, with the rule: parameters that go together
                // (Part 2's `bbox-crs` needs `bbox`), cursors only links carry, a boundary's
                // validity (422, as OGC API - Features Part 4 leaves to the server), ids that
                // must exist, a tax code's check digit, conditional writes (412/428), an
                // imported file's content. `negative_data_rejection` stays: the server accepts
                // nothing the document forbids.
                .args(["--checks", "all"])
                // One worker: with two, Hypothesis describes the coverage phase's filters from
                // their source in both threads at once, and CPython 3.11's `ast.parse` then fails
                // now and then ("AST constructor recursion depth mismatch"), a Runtime Error that
                // is no finding. One worker costs a few seconds here.
                .args(["--max-examples", "12", "--seed", "15", "--request-timeout", "10", "--workers", "1"])
                .args(["--phases", "examples,coverage,fuzzing"])
                .args(["--generation-database", "none", "--no-color"])
                .args(["--report", "junit", "--report-dir"])
                .arg(&reports)
                .current_dir(&reports)
                .env("SCHEMATHESIS_HOOKS", concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/schemathesis/hooks.py"))
                .output()
                .expect("run schemathesis")
        }
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let summary: Vec<&str> = stdout.lines().rev().take(12).collect();
    println!(
        "schemathesis on {store}: {:.0} s\n{}",
        started.elapsed().as_secs_f64(),
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    assert!(
        run.status.success(),
        "schemathesis failed on {store}:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    server.kill();
}

#[tokio::test]
async fn gpkg_the_server_keeps_to_its_api_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("schemathesis.gpkg");
    the_server_keeps_to_its_api_document(path.to_str().expect("path"), "GeoPackage").await;
}

#[tokio::test]
async fn postgis_the_server_keeps_to_its_api_document() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    the_server_keeps_to_its_api_document(&db.url, "PostGIS").await;
    db.drop_database().await;
}
