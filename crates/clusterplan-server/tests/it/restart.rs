//! End to end with the real binary: demo seeding, and data written over HTTP surviving a
//! kill and restart, on both stores.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// The real binary serving `database` on a free port of the loopback.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn start(database: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(extra)
            .env("CLUSTERPLAN_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start clusterplan");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, base }
    }

    /// SIGKILL: no graceful shutdown, like a crash.
    pub(crate) fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("wait");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `clusterplan ARGS…` to completion; its stdout.
fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .args(args)
        .env("CLUSTERPLAN_PASSWORD", "a long enough password")
        .env("CLUSTERPLAN_LOG", "warn")
        .output()
        .expect("run clusterplan");
    assert!(out.status.success(), "clusterplan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A planner made with the CLI on `database`, and a token for it (the last line printed).
pub(crate) fn planner_token(database: &str) -> String {
    cli(&["user", "add", "tester", "--role", "planner", "--database", database]);
    let printed = cli(&["token", "create", "tester", "--database", database]);
    printed.lines().last().expect("token line").trim().to_owned()
}

/// `GET url` as `token`'s planner, read as JSON.
pub(crate) async fn get_json(url: &str, token: &str) -> Value {
    reqwest::Client::new().get(url).bearer_auth(token).send().await.expect("get").json().await.expect("json")
}

/// `POST base/collections/clusters/items` of `feature` as `token`'s planner.
pub(crate) async fn post_feature(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    feature: &Value,
) -> reqwest::Response {
    http.post(format!("{base}/collections/clusters/items"))
        .header("content-type", "application/geo+json")
        .bearer_auth(token)
        .body(feature.to_string())
        .send()
        .await
        .expect("post")
}

/// The working layer, as a planner sees it (the public sees only what is published).
async fn items(base: &str, token: &str) -> Value {
    get_json(&format!("{base}/collections/clusters/items?limit=100"), token).await
}

async fn written_data_survives_a_kill_and_restart(database: &str) {
    let token = planner_token(database);
    let server = Server::start(database, &["--no-demo"]);
    let feature = json!({
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[106.40, 10.23], [106.41, 10.23], [106.41, 10.235], [106.40, 10.235], [106.40, 10.23]]]},
        "properties": {"code": "BT-CCN-NEW", "name": "Cụm mới Mỹ Thạnh", "status": "in_plan"}
    });
    let client = reqwest::Client::new();
    let created = post_feature(&client, &server.base, &token, &feature).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.expect("json");
    let id = created["id"].as_i64().expect("id");
    server.kill();

    let server = Server::start(database, &["--no-demo"]);
    let read: Value = client
        .get(format!("{}/collections/clusters/items/{id}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(read["properties"]["name"], "Cụm mới Mỹ Thạnh");
    assert_eq!(read["geometry"], created["geometry"]);
    assert_eq!(items(&server.base, &token).await["numberMatched"], 1);
}

async fn an_empty_store_is_seeded_once_with_the_ben_tre_demo(database: &str) {
    let token = planner_token(database);
    let server = Server::start(database, &[]);
    let first = items(&server.base, &token).await;
    let names: Vec<_> = first["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap_or("").to_owned())
        .collect();
    assert!(names.iter().any(|n| n == "Phú Hưng–Mỹ Thạnh"), "{names:?}");
    assert!(names.iter().any(|n| n == "Giao Long"), "{names:?}");
    let phong_nam = first["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == "BT-CCN-PN")
        .expect("Phong Nẫm");
    let area = phong_nam["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 10.3).abs() < 0.2, "illustrative shape drawn at the published 10.3 ha, measured {area}");
    assert!(phong_nam["properties"]["notes"].as_str().unwrap_or("").contains("Illustrative"));
    let n = first["numberMatched"].as_u64().expect("count");
    server.kill();
    let server = Server::start(database, &[]);
    assert_eq!(
        items(&server.base, &token).await["numberMatched"].as_u64(),
        Some(n),
        "a second start does not seed again"
    );
}

#[tokio::test]
async fn gpkg_written_data_survives_a_kill_and_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    written_data_survives_a_kill_and_restart(dir.path().join("r.gpkg").to_str().expect("path")).await;
}

#[tokio::test]
async fn gpkg_an_empty_store_is_seeded_once_with_the_ben_tre_demo() {
    let dir = tempfile::tempdir().expect("tempdir");
    an_empty_store_is_seeded_once_with_the_ben_tre_demo(dir.path().join("d.gpkg").to_str().expect("path")).await;
}

#[tokio::test]
async fn postgis_written_data_survives_a_kill_and_restart() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    written_data_survives_a_kill_and_restart(&db.url).await;
    db.drop_database().await;
}

#[tokio::test]
async fn postgis_an_empty_store_is_seeded_once_with_the_ben_tre_demo() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    an_empty_store_is_seeded_once_with_the_ben_tre_demo(&db.url).await;
    db.drop_database().await;
}
