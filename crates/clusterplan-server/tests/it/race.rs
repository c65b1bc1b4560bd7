//! 50 clients race on one feature of the real binary over HTTP, on both stores: each round a
//! client reads the feature, then writes its own note (PATCH on even rounds, PUT of the whole
//! feature read on odd ones) with `If-Match` set to the tag it read, and reads again and
//! retries after a 412 (after a short pause that grows with each 412 in a row). No acknowledged write may be lost: the final `version` is the number
//! of 2xx writes (the creation included), and the history holds every acknowledged note,
//! once, in versions 1, 2, 3, ….

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::restart::{Server, get_json, planner_token, post_feature};

const CLIENTS: usize = 50;
const ROUNDS: usize = 20;

/// What the clients saw, summed over all of them.
#[derive(Default)]
struct Tally {
    written: AtomicU64,
    stale: AtomicU64,
    other: AtomicU64,
}

/// One client: `ROUNDS` acknowledged writes, each after as many 412s as it takes.
async fn client(http: reqwest::Client, item: String, token: String, who: usize, tally: Arc<Tally>) -> Vec<String> {
    let mut acknowledged = Vec::new();
    for round in 0..ROUNDS {
        let note = format!("client {who} round {round}");
        let mut stale_in_a_row = 0_usize;
        loop {
            let read = http.get(&item).bearer_auth(&token).send().await.expect("get");
            assert_eq!(read.status(), StatusCode::OK);
            let tag = read.headers()["etag"].to_str().expect("etag").to_owned();
            let mut feature: Value = read.json().await.expect("json");
            let write = if round % 2 == 0 {
                http.patch(&item)
                    .header("content-type", "application/merge-patch+json")
                    .body(json!({"properties": {"notes": note}}).to_string())
            } else {
                feature["properties"]["notes"] = json!(note);
                http.put(&item).header("content-type", "application/geo+json").body(feature.to_string())
            };
            let answer = write.bearer_auth(&token).header("if-match", &tag).send().await.expect("write");
            match answer.status() {
                s if s.is_success() => {
                    tally.written.fetch_add(1, Ordering::Relaxed);
                    acknowledged.push(note);
                    break;
                }
                StatusCode::PRECONDITION_FAILED => {
                    tally.stale.fetch_add(1, Ordering::Relaxed);
                    // Back off a little, differently per client, as a polite client does: the
                    // race stays a race, with fewer rounds of 49 losers.
                    stale_in_a_row += 1;
                    let wait = ((who * 7 + stale_in_a_row * 13) % 20 + 5) * stale_in_a_row.min(4);
                    tokio::time::sleep(Duration::from_millis(u64::try_from(wait).expect("small"))).await;
                }
                other => {
                    tally.other.fetch_add(1, Ordering::Relaxed);
                    panic!("{other} for client {who} round {round}: {}", answer.text().await.unwrap_or_default());
                }
            }
        }
    }
    acknowledged
}

async fn no_update_is_lost_when_fifty_clients_race_with_if_match(database: &str, store: &str) {
    let token = planner_token(database);
    let server = Server::start(database, &["--no-demo"]);
    let http = reqwest::Client::new();
    let feature = json!({
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [[[106.40, 10.23], [106.41, 10.23], [106.41, 10.235], [106.40, 10.235], [106.40, 10.23]]]},
        "properties": {"code": "BT-RACE", "name": "Cụm tranh chấp", "status": "in_plan"}
    });
    let created = post_feature(&http, &server.base, &token, &feature).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.expect("json")["id"].as_i64().expect("id");
    let item = format!("{}/collections/clusters/items/{id}", server.base);

    let started = Instant::now();
    let tally = Arc::new(Tally::default());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|who| tokio::spawn(client(http.clone(), item.clone(), token.clone(), who, tally.clone())))
        .collect();
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.expect("client"));
    }
    let written = tally.written.load(Ordering::Relaxed);
    let stale = tally.stale.load(Ordering::Relaxed);
    println!(
        "race on {store}: {CLIENTS} clients × {ROUNDS} rounds, {written} writes acknowledged, {stale} × 412, \
         {} other answers, {:.1} s",
        tally.other.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(acknowledged.len(), CLIENTS * ROUNDS);

    let last = get_json(&item, &token).await;
    assert_eq!(
        last["properties"]["version"].as_u64(),
        Some(written + 1),
        "one version per 2xx write, creation included"
    );
    let history = get_json(&format!("{item}/versions"), &token).await;
    let versions = history["versions"].as_array().expect("versions");
    let numbers: Vec<u64> = versions.iter().filter_map(|v| v["version"].as_u64()).collect();
    assert_eq!(numbers, (1..=written + 1).collect::<Vec<_>>(), "versions 1, 2, 3, … with no gap");
    let notes: Vec<&str> = versions.iter().filter_map(|v| v["feature"]["properties"]["notes"].as_str()).collect();
    let kept: BTreeSet<&str> = notes.iter().copied().collect();
    assert_eq!(kept.len(), notes.len(), "each note written once");
    let wanted: BTreeSet<&str> = acknowledged.iter().map(String::as_str).collect();
    assert_eq!(kept, wanted, "every acknowledged change is in the history");
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gpkg_no_update_is_lost_when_fifty_clients_race_with_if_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("race.gpkg");
    no_update_is_lost_when_fifty_clients_race_with_if_match(path.to_str().expect("path"), "GeoPackage").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgis_no_update_is_lost_when_fifty_clients_race_with_if_match() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    no_update_is_lost_when_fifty_clients_race_with_if_match(&db.url, "PostGIS").await;
    db.drop_database().await;
}
