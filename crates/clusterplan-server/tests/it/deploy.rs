//! Running the service where a province's IT puts it: the binary alone in an empty folder
//! serves the map, `--web-dir` overrides the built-in files, the configuration file and its
//! precedence, `config check`, `/metrics` (both stores), JSON logs, and `backup`/`restore`
//! through the command line while `serve` writes.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{AccountStore, Store, StoreConfig};
use http_body_util::BodyExt;
use tower::ServiceExt;

const WEB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web");

/// A `clusterplan` process; killed when dropped.
struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `binary ARGS` started in `dir` with only `env` (plus PATH) set, `serve` on port 0.
fn start(binary: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(binary)
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clusterplan");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("first line");
    let Some(base) = line.trim().strip_prefix("listening on ").map(str::to_owned) else {
        let _ = child.kill();
        let mut err = String::new();
        child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
        panic!("clusterplan did not start: {line:?} {err}");
    };
    Running { child, base }
}

/// `clusterplan ARGS` run to completion in `dir` with only `env` (plus PATH).
fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .output()
        .expect("run clusterplan")
}

fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

async fn get(url: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new().get(url).header("accept", accept).send().await.expect("get")
}

#[tokio::test]
async fn the_binary_alone_in_an_empty_folder_serves_the_map_and_its_libraries() {
    // The binary copied into an empty folder, started there with a configuration file that
    // names a store in that folder: no checkout, no web folder, no node_modules in reach.
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = dir.path().join("clusterplan");
    std::fs::copy(env!("CARGO_BIN_EXE_clusterplan"), &binary).expect("copy binary");
    std::fs::write(dir.path().join("site.toml"), "database = \"data.gpkg\"\nno-demo = true\nbasemap-url = \"none\"\n")
        .expect("config");
    let server = start(&binary, dir.path(), &["serve", "--config", "site.toml", "--listen", "127.0.0.1:0"], &[]);
    let base = &server.base;

    let page = get(&format!("{base}/"), "text/html").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert_eq!(html, std::fs::read_to_string(format!("{WEB}/index.html")).expect("index"));

    for (url, file, media_type) in [
        ("/vendor/leaflet/leaflet.js", "node_modules/leaflet/dist/leaflet.js", "text/javascript"),
        ("/vendor/leaflet/leaflet.css", "node_modules/leaflet/dist/leaflet.css", "text/css"),
        ("/vendor/leaflet/images/marker-icon.png", "node_modules/leaflet/dist/images/marker-icon.png", "image/png"),
        (
            "/vendor/geoman/leaflet-geoman.min.js",
            "node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js",
            "text/javascript",
        ),
        ("/app/main.js", "app/main.js", "text/javascript"),
        ("/app/ogc-map.js", "app/ogc-map.js", "text/javascript"),
    ] {
        let response = get(&format!("{base}{url}"), "*/*").await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().expect("ascii").to_owned();
        assert!(content_type.starts_with(media_type), "{url}: {content_type}");
        let etag = response.headers()[header::ETAG].to_str().expect("ascii").to_owned();
        let body = response.bytes().await.expect("body");
        assert_eq!(body.as_ref(), std::fs::read(format!("{WEB}/{file}")).expect("file"), "{url}");
        let again = reqwest::Client::new()
            .get(format!("{base}{url}"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("get");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{url}");
    }
    // Only what the pages load is built in; nothing outside the mounts is reachable.
    for url in ["/vendor/leaflet/leaflet-src.js", "/vendor/geoman/leaflet-geoman.js.map", "/app/../index.html", "/app/"]
    {
        assert_eq!(get(&format!("{base}{url}"), "*/*").await.status(), StatusCode::NOT_FOUND, "{url}");
    }
    // The public map and the OGC HTML views load the same files.
    let public_map = get(&format!("{base}/collections/clusters/map"), "text/html").await.text().await.expect("map");
    assert!(public_map.contains("/vendor/leaflet/leaflet.js"));
    assert!(dir.path().join("data.gpkg").is_file(), "the store is where the file said");
}

#[test]
fn embedded_files_are_the_pages_assets_and_no_more() {
    let files = clusterplan_server::assets::embedded_files();
    for required in clusterplan_server::assets::REQUIRED {
        assert!(files.iter().any(|f| f == required), "{required} is not built in: {files:?}");
    }
    assert!(
        files.iter().all(|f| Path::new(f).extension().is_none_or(|e| e != "map") && !f.contains("leaflet-src")),
        "{files:?}"
    );
    let node_modules = files.iter().filter(|f| f.starts_with("node_modules/")).count();
    assert!(node_modules <= 9, "{node_modules} npm files: {files:?}");
}

#[tokio::test]
async fn web_dir_overrides_the_built_in_files_and_must_be_complete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let web = dir.path().join("web");
    copy_tree(Path::new(WEB), &web, &["index.html", "app"]);
    for lib in ["node_modules/leaflet/dist", "node_modules/@geoman-io/leaflet-geoman-free/dist"] {
        copy_tree(&Path::new(WEB).join(lib), &web.join(lib), &[]);
    }
    std::fs::write(web.join("index.html"), "<!doctype html><title>edited map</title>").expect("edit");
    let web_arg = web.to_str().expect("utf-8").to_owned();
    let server = start(
        Path::new(env!("CARGO_BIN_EXE_clusterplan")),
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--no-demo", "--web-dir", &web_arg],
        &[],
    );
    let page = get(&format!("{}/", server.base), "text/html").await.text().await.expect("body");
    assert!(page.contains("edited map"), "{page}");
    drop(server);

    // Without node_modules the server does not start, and says what to run.
    std::fs::remove_dir_all(web.join("node_modules")).expect("rm");
    let out = run(dir.path(), &["serve", "--listen", "127.0.0.1:0", "--no-demo", "--web-dir", &web_arg], &[]);
    let (_, err) = text(&out);
    assert!(!out.status.success());
    assert!(err.contains("leaflet.js") && err.contains("npm ci"), "{err}");
}

fn copy_tree(from: &Path, to: &Path, only: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if !only.is_empty() && !only.iter().any(|o| name == *o) {
            continue;
        }
        let target: PathBuf = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target, &[]);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

#[test]
fn config_check_resolves_flags_over_environment_over_file_over_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("c.toml"),
        "listen = \"127.0.0.1:7001\"\nmax-body-bytes = 1000\nplanning-crs = \"EPSG:9209\"\n\
         database = \"postgres://planner:s3cret@db.example/cp\"\ntrusted-proxies = [\"10.0.0.1\"]\n",
    )
    .expect("config");
    // File only: its values, and defaults for the rest; the password never printed.
    let out = run(dir.path(), &["config", "check", "c.toml"], &[]);
    let (shown, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(shown.contains("listen = \"127.0.0.1:7001\""), "{shown}");
    assert!(shown.contains("max-body-bytes = 1000"), "{shown}");
    assert!(shown.contains("planning-crs = \"EPSG:9209\""), "{shown}");
    assert!(shown.contains("trusted-proxies = [\"10.0.0.1\"]"), "{shown}");
    assert!(shown.contains("basemap-url = \"https://tile.openstreetmap.org/"), "{shown}");
    assert!(shown.contains("built into the binary"), "{shown}");
    assert!(!shown.contains("s3cret") && shown.contains("planner:***@db.example"), "{shown}");
    // The environment beats the file; a flag beats the environment.
    let env = [("CLUSTERPLAN_LISTEN", "127.0.0.1:7002"), ("CLUSTERPLAN_MAX_BODY_BYTES", "2000")];
    let (shown, _) = text(&run(dir.path(), &["config", "check", "c.toml"], &env));
    assert!(shown.contains("listen = \"127.0.0.1:7002\"") && shown.contains("max-body-bytes = 2000"), "{shown}");
    let (shown, _) = text(&run(dir.path(), &["config", "check", "c.toml", "--listen", "127.0.0.1:7003"], &env));
    assert!(shown.contains("listen = \"127.0.0.1:7003\"") && shown.contains("max-body-bytes = 2000"), "{shown}");
    // No file: the defaults.
    let (shown, _) = text(&run(dir.path(), &["config", "check"], &[]));
    assert!(
        shown.contains("listen = \"127.0.0.1:8080\"") && shown.contains("database = \"clusterplan.gpkg\""),
        "{shown}"
    );
}

#[test]
fn config_check_refuses_unknown_keys_and_bad_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (content, named) in [
        ("listen = \"127.0.0.1:8080\"\nlisten-address = \"x\"\n", "listen-address"),
        ("max-body-bytes = \"ten\"\n", "max-body-bytes"),
        ("planning-crs = \"EPSG:4326\"\n", "planning-crs"),
        ("log-format = \"xml\"\n", "log-format"),
    ] {
        std::fs::write(dir.path().join("bad.toml"), content).expect("config");
        let out = run(dir.path(), &["config", "check", "bad.toml"], &[]);
        let (shown, err) = text(&out);
        assert!(!out.status.success(), "{content} accepted: {shown}");
        assert!(err.contains(named) && err.contains("bad.toml") || err.contains(named), "{content}: {err}");
    }
    let out = run(dir.path(), &["config", "check", "missing.toml"], &[]);
    assert!(!out.status.success() && text(&out).1.contains("missing.toml"));
}

/// What a server started with `args` (and `tower_http=debug`) wrote to stderr while answering one
/// `/health`, beside that request's `x-request-id`.
async fn log_of_one_request(args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = [&["serve", "--listen", "127.0.0.1:0", "--no-demo"], args].concat();
    let mut server = start(
        Path::new(env!("CARGO_BIN_EXE_clusterplan")),
        dir.path(),
        &serve,
        &[("CLUSTERPLAN_LOG", "info,tower_http=debug")],
    );
    let response = get(&format!("{}/health", server.base), "application/json").await;
    let id = response.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    // Let the response's log line be written, then stop and read stderr.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    server.child.kill().expect("kill");
    let mut err = String::new();
    server.child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr");
    (id, err)
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_request_id() {
    let (id, err) = log_of_one_request(&["--log-format", "json"]).await;
    let lines: Vec<serde_json::Value> =
        err.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    assert!(lines.iter().any(|l| l["fields"]["message"] == "clusterplan serving"), "{err}");
    assert!(lines.iter().any(|l| l["span"]["id"] == id.as_str() && l["span"]["path"] == "/health"), "{id}: {err}");
}

#[tokio::test]
async fn text_logs_to_a_pipe_carry_no_colour_codes() {
    let (id, err) = log_of_one_request(&[]).await;
    // The request's line names its span fields as plain `key=value` text.
    assert!(err.contains("clusterplan serving") && err.contains(&format!("id=\"{id}\"")), "{err}");
    assert!(!err.contains('\u{1b}'), "escape codes in a log written to a pipe: {err:?}");
}

#[tokio::test]
async fn backup_while_serving_and_restore_through_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("live.gpkg");
    let live_arg = live.to_str().expect("utf-8");
    let server = start(
        Path::new(env!("CARGO_BIN_EXE_clusterplan")),
        dir.path(),
        &["serve", "--listen", "127.0.0.1:0", "--database", live_arg],
        &[],
    );
    let before =
        get(&format!("{}/collections/clusters/items?layer=published", server.base), "application/geo+json").await;
    assert_eq!(before.status(), StatusCode::OK);
    let out = run(dir.path(), &["backup", "copy.gpkg", "--database", live_arg], &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("backup written to copy.gpkg"));
    // The demo data seeded by `serve` is in the copy, restored under another name.
    let out = run(dir.path(), &["restore", "copy.gpkg", "--database", "restored.gpkg"], &[]);
    assert!(out.status.success(), "{:?}", text(&out));
    let out = run(dir.path(), &["restore", "copy.gpkg", "--database", "restored.gpkg"], &[]);
    assert!(!out.status.success() && text(&out).1.contains("exists already"), "{:?}", text(&out));
    let original = clusterplan_store::GpkgStore::open(&live).await.expect("live");
    let restored = clusterplan_store::GpkgStore::open(&dir.path().join("restored.gpkg")).await.expect("restored");
    let all = clusterplan_store::ClusterQuery::ALL;
    let count = original.count_clusters(&all).await.expect("count");
    assert!(count > 0, "demo data seeded");
    assert_eq!(restored.count_clusters(&all).await.expect("count"), count);
    assert_eq!(restored.list_users().await.expect("users").len(), original.list_users().await.expect("users").len());
}

// /metrics, through the router on both stores.

#[allow(clippy::unused_async, reason = "router_suite! awaits the state")]
async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let mut config = Config::for_tests(config);
    config.metrics_from = vec!["192.0.2.50".parse().expect("ip")];
    AppState { store, config: Arc::new(config) }
}

async fn call(state: &AppState, path: &str, from: [u8; 4], forwarded: bool) -> (StatusCode, String) {
    let mut request = Request::builder().uri(path);
    if forwarded {
        request = request.header("x-forwarded-for", "203.0.113.9");
    }
    let mut request = request.body(Body::empty()).expect("request");
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from((from, 40000))));
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn metrics_count_requests_by_route_template_and_show_the_pool(state: AppState) {
    let loopback = [127, 0, 0, 1];
    let (status, _) = call(&state, "/collections/clusters/items/987654321", loopback, false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    call(&state, "/no/such/route", loopback, false).await;
    let (status, body) = call(&state, "/metrics", loopback, false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let item_route = r#"route="/collections/{collection}/items/{id}""#;
    let counted = body
        .lines()
        .find(|l| l.starts_with("http_requests_total{") && l.contains(item_route) && l.contains(r#"status="404""#));
    let value: f64 = counted.and_then(|l| l.rsplit(' ').next()).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    assert!(value >= 1.0, "{body}");
    assert!(body.lines().any(|l| l.starts_with("http_requests_total{") && l.contains(r#"route="unmatched""#)));
    assert!(!body.contains("987654321"), "concrete paths make no series");
    assert!(body.contains("http_request_duration_seconds_bucket{") && body.contains(r#"le="0.005""#), "{body}");
    let backend = state.store.backend();
    assert!(body.contains(&format!(r#"store_pool_max_connections{{store="{backend}"}}"#)), "{body}");
    assert!(body.contains(&format!(r#"store_pool_connections{{store="{backend}",state="idle"}}"#)), "{body}");

    // Others may not read it: a foreign address, or anything that came through a proxy.
    let (status, body) = call(&state, "/metrics", [192, 0, 2, 7], false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("metrics"));
    assert_eq!(call(&state, "/metrics", loopback, true).await.0, StatusCode::FORBIDDEN);
    assert_eq!(call(&state, "/metrics", [192, 0, 2, 50], false).await.0, StatusCode::OK);
}

router_suite!(metrics_count_requests_by_route_template_and_show_the_pool);
