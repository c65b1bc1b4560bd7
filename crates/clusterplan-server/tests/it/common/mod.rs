//! Shared by the router test files: the planner every request of a file acts as, and the
//! macro that runs each test on both stores.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{NewUser, Role, Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// What the router answered: status, headers, the body as JSON (`Null` when it is not), as
/// text and as bytes.
#[allow(dead_code, reason = "each test file reads the parts it needs")]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
    pub(crate) text: String,
    pub(crate) bytes: Vec<u8>,
}

/// One request through the whole router (no socket): `token` as a Bearer token when given,
/// `headers` as they are, `body` empty or as given.
#[allow(dead_code, reason = "not every test file sends requests this way")]
pub(crate) async fn send(
    state: &AppState,
    token: Option<&str>,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "test.local");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app(state.clone()).oneshot(request.body(body).expect("request")).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text, bytes }
}

/// The service state for a test, with an account `planner` whose API token is `token`.
#[allow(dead_code, reason = "not every test file acts as a planner")]
pub(crate) async fn planner_state(store: Arc<dyn Store>, config: StoreConfig, token: &str) -> AppState {
    let password_hash = clusterplan_server::auth::hash_password("planner password").expect("hash");
    store
        .create_user(&NewUser { name: "planner".into(), role: Role::Planner, unit_code: None, password_hash })
        .await
        .expect("planner");
    let made = store.create_token("planner", "router tests", &clusterplan_server::auth::digest(token)).await;
    assert!(made.expect("token"));
    AppState { store, config: Arc::new(Config::for_tests(config)) }
}

/// Generates each named test twice, `gpkg::name` on a fresh GeoPackage file and `postgis::name`
/// on a fresh PostGIS database; `state_for(store, config).await` of the calling file makes the
/// state each test takes.
macro_rules! router_suite {
    ($($name:ident),+ $(,)?) => {
        mod gpkg {
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let path = dir.path().join("router.gpkg");
                    let store = clusterplan_store::GpkgStore::open(&path).await.expect("open");
                    let config = clusterplan_store::StoreConfig::Gpkg(path);
                    super::$name(super::state_for(std::sync::Arc::new(store), config).await).await;
                }
            )+
        }
        mod postgis {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
                    let store = clusterplan_store::PostgisStore::connect(&db.url).await.expect("connect");
                    let config = clusterplan_store::StoreConfig::Postgis(db.url.clone());
                    super::$name(super::state_for(std::sync::Arc::new(store.clone()), config).await).await;
                    store.close().await;
                    db.drop_database().await;
                }
            )+
        }
    };
}

/// Whether a real client the tests drive is there: `found` as probed; missing, it fails the run
/// under `CI=true` or `require_var` (`true`/`1`), else the test is skipped with a line saying
/// how to install it.
pub(crate) fn client_present(found: bool, require_var: &str, what: &str, install: &str) -> bool {
    let required = ["CI", require_var].iter().any(|v| std::env::var(v).is_ok_and(|v| v == "true" || v == "1"));
    assert!(found || !required, "{what} is required in CI but missing ({install})");
    if !found {
        eprintln!("SKIPPED: {what} is missing ({install})");
    }
    found
}

/// A program of a Python venv that `.ci/run` makes: `$override_var`, else
/// `~/.cache/{venv}/bin/{program}`.
pub(crate) fn venv_program(override_var: &str, venv: &str, program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os(override_var).map(std::path::PathBuf::from).or_else(|| {
        std::env::var_os("HOME")
            .map(|home| std::path::PathBuf::from(home).join(".cache").join(venv).join("bin").join(program))
    })
}
