//! Accounts, rights and history over HTTP, on both stores (router tests without a socket),
//! and the account commands of the real binary.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::auth::{digest, hash_password};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{GpkgStore, NewUser, PostgisStore, Role, Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ITEMS: &str = "/collections/clusters/items";
const PASSWORD: &str = "correct horse battery";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
}

/// How a request authenticates.
#[derive(Clone, Copy)]
enum As<'a> {
    Anonymous,
    Token(&'a str),
    /// Session cookie, with the CSRF token or without.
    Cookie(&'a Session, bool),
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn call(
    state: &AppState,
    method: Method,
    uri: &str,
    who: As<'_>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "test.local");
    match who {
        As::Anonymous => {}
        As::Token(t) => request = request.header(header::AUTHORIZATION, format!("Bearer {t}")),
        As::Cookie(s, with_csrf) => {
            request = request.header(header::COOKIE, &s.cookie);
            if with_csrf {
                request = request.header("x-csrf-token", &s.csrf);
            }
        }
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = match body {
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/geo+json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let mut request = request.body(body).expect("request");
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

fn feature(code: &str, lon: f64, status: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[lon, 10.23], [lon + 0.005, 10.23], [lon + 0.005, 10.234], [lon, 10.234], [lon, 10.23]]] },
        "properties": { "code": code, "name": "Mỹ Thạnh", "kind": "cluster", "status": "in_plan", "notes": status }
    })
}

async fn add_user(state: &AppState, name: &str, role: Role, unit: Option<&str>) -> String {
    let password_hash = hash_password(PASSWORD).expect("hash");
    let unit_code = unit.map(str::to_owned);
    state.store.create_user(&NewUser { name: name.into(), role, unit_code, password_hash }).await.expect("user");
    let token = format!("cpt_test_{name}");
    assert!(state.store.create_token(name, "tests", &digest(&token)).await.expect("token"));
    token
}

async fn login(state: &AppState, name: &str, password: &str, headers: &[(&str, &str)]) -> Answer {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let body = json!({ "name": name, "password": password });
    let mut request = Request::builder().method(Method::POST).uri("/auth/login").header(header::HOST, "test.local");
    for (k, v) in all {
        request = request.header(k, v);
    }
    let mut request = request.body(Body::from(body.to_string())).expect("request");
    request.extensions_mut().insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 7], 40000))));
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

async fn session(state: &AppState, name: &str) -> Session {
    let answer = login(state, name, PASSWORD, &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().expect("cookie").to_owned();
    let cookie = set_cookie.split(';').next().expect("pair").to_owned();
    Session { cookie, csrf: answer.body["csrf"].as_str().expect("csrf").to_owned() }
}

async fn versions(state: &AppState, id: i64) -> usize {
    state.store.version_count(id).await.expect("count") as usize
}

#[expect(clippy::too_many_lines, reason = "one matrix of roles and writes, read top to bottom")]
async fn each_role_may_do_each_write_or_is_refused_and_nothing_changes(state: AppState) {
    let planner = add_user(&state, "planner", Role::Planner, None).await;
    let admin = add_user(&state, "admin", Role::Admin, None).await;
    let officer = add_user(&state, "officer", Role::Officer, Some("829")).await;
    let viewer = add_user(&state, "viewer", Role::Viewer, None).await;
    let seed =
        call(&state, Method::POST, ITEMS, As::Token(&planner), &[], Some(feature("SEED", 106.40, "in_plan"))).await;
    assert_eq!(seed.status, StatusCode::CREATED, "{}", seed.text);
    let id = seed.body["id"].as_i64().expect("id");
    let item = format!("{ITEMS}/{id}");
    let revert = format!("{item}/revert");

    // Refused: anonymous (401), viewer and officer of a unit the service does not know (403).
    for (who, status) in [
        (As::Anonymous, StatusCode::UNAUTHORIZED),
        (As::Token(&viewer), StatusCode::FORBIDDEN),
        (As::Token(&officer), StatusCode::FORBIDDEN),
    ] {
        let before = versions(&state, id).await;
        let attempts = [
            call(&state, Method::POST, ITEMS, who, &[], Some(feature("NEW-1", 106.5, "in_plan"))).await,
            call(&state, Method::PUT, &item, who, &[], Some(feature("SEED", 106.41, "established"))).await,
            call(&state, Method::DELETE, &item, who, &[], None).await,
            call(
                &state,
                Method::POST,
                &revert,
                who,
                &[("content-type", "application/json")],
                Some(json!({"version": 1})),
            )
            .await,
        ];
        for a in attempts {
            assert_eq!(a.status, status, "{}", a.text);
            assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json");
        }
        assert_eq!(versions(&state, id).await, before, "a refused write writes nothing");
    }
    let anonymous = call(&state, Method::DELETE, &item, As::Anonymous, &[], None).await;
    assert!(anonymous.headers[header::WWW_AUTHENTICATE].to_str().expect("ascii").starts_with("Bearer"));
    // Nothing is published: the public sees an empty layer; accounts see the draft.
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}?limit=100"), As::Anonymous, &[], None).await.body["numberMatched"],
        0,
        "the public sees no draft"
    );
    let draft = call(&state, Method::GET, &format!("{ITEMS}?layer=draft"), As::Anonymous, &[], None).await;
    assert_eq!(draft.status, StatusCode::UNAUTHORIZED, "{}", draft.text);
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}?limit=100"), As::Token(&planner), &[], None).await.body["numberMatched"],
        1,
        "refused creations created nothing; reads stay open"
    );

    // Allowed: planner and admin, every kind of write.
    for (n, token) in [(0, &planner), (1, &admin)] {
        let code = format!("OK-{n}");
        let created = call(
            &state,
            Method::POST,
            ITEMS,
            As::Token(token),
            &[],
            Some(feature(&code, 106.6 + f64::from(n) * 0.01, "in_plan")),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
        let nid = created.body["id"].as_i64().expect("id");
        let it = format!("{ITEMS}/{nid}");
        let put = call(
            &state,
            Method::PUT,
            &it,
            As::Token(token),
            &[],
            Some(feature(&code, 106.6 + f64::from(n) * 0.01, "established")),
        )
        .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text);
        let back = call(
            &state,
            Method::POST,
            &format!("{it}/revert"),
            As::Token(token),
            &[("content-type", "application/json")],
            Some(json!({"version": 1, "reason": "undo"})),
        )
        .await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.text);
        assert_eq!(back.body["properties"]["notes"], "in_plan");
        let del = call(&state, Method::DELETE, &it, As::Token(token), &[], None).await;
        assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.text);
    }

    let audit = call(&state, Method::GET, "/admin/audit?limit=200", As::Token(&admin), &[], None).await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text);
    let entries = audit.body["entries"].as_array().expect("entries");
    let refused = entries.iter().filter(|e| e["outcome"] == "refused").count();
    assert_eq!(refused, 13, "every refused write is audited");
    assert!(
        entries.iter().any(|e| e["action"] == "cluster.revert" && e["actor"] == "admin" && e["address"] == "192.0.2.7")
    );
    assert_eq!(
        call(&state, Method::GET, "/admin/audit", As::Token(&planner), &[], None).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&state, Method::GET, "/admin/audit", As::Anonymous, &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_revoked_token_stops_working(state: AppState) {
    add_user(&state, "an", Role::Planner, None).await;
    let s = session(&state, "an").await;
    let made = call(
        &state,
        Method::POST,
        "/auth/tokens",
        As::Cookie(&s, true),
        &[("content-type", "application/json")],
        Some(json!({"name": "qgis"})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let token = made.body["token"].as_str().expect("token").to_owned();
    let me = call(&state, Method::GET, "/auth/me", As::Token(&token), &[], None).await;
    assert_eq!((me.body["name"].as_str(), me.body["role"].as_str()), (Some("an"), Some("planner")));
    let created =
        call(&state, Method::POST, ITEMS, As::Token(&token), &[], Some(feature("T-1", 106.4, "in_plan"))).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let revoked = call(
        &state,
        Method::POST,
        "/auth/tokens/revoke",
        As::Token(&token),
        &[("content-type", "application/json")],
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.text);
    let after = call(&state, Method::POST, ITEMS, As::Token(&token), &[], Some(feature("T-2", 106.5, "in_plan"))).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);
    assert_eq!(
        call(&state, Method::GET, "/auth/me", As::Token(&token), &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A disabled account's session ends too.
    state.store.disable_user("an").await.expect("disable");
    let me = call(&state, Method::GET, "/auth/me", As::Cookie(&s, true), &[], None).await;
    assert_eq!(me.body["role"], "public");
}

async fn cookie_writes_need_the_csrf_token_and_bearer_writes_do_not(state: AppState) {
    let token = add_user(&state, "an", Role::Planner, None).await;
    let answer = login(&state, "an", PASSWORD, &[]).await;
    let cookie = answer.headers[header::SET_COOKIE].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    let behind_tls = login(&state, "an", PASSWORD, &[("x-forwarded-proto", "https")]).await;
    assert!(behind_tls.headers[header::SET_COOKIE].to_str().expect("cookie").contains("Secure"));
    let s = session(&state, "an").await;

    let without =
        call(&state, Method::POST, ITEMS, As::Cookie(&s, false), &[], Some(feature("C-1", 106.4, "in_plan"))).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN, "{}", without.text);
    let wrong = Session { cookie: s.cookie.clone(), csrf: "0".repeat(32) };
    let forged =
        call(&state, Method::POST, ITEMS, As::Cookie(&wrong, true), &[], Some(feature("C-1", 106.4, "in_plan"))).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}?limit=10"), As::Anonymous, &[], None).await.body["numberMatched"],
        0
    );

    let with =
        call(&state, Method::POST, ITEMS, As::Cookie(&s, true), &[], Some(feature("C-1", 106.4, "in_plan"))).await;
    assert_eq!(with.status, StatusCode::CREATED, "{}", with.text);
    let bearer =
        call(&state, Method::POST, ITEMS, As::Token(&token), &[], Some(feature("C-2", 106.5, "in_plan"))).await;
    assert_eq!(bearer.status, StatusCode::CREATED, "{}", bearer.text);
    let me = call(&state, Method::GET, "/auth/me", As::Cookie(&s, false), &[], None).await;
    assert_eq!(me.body["csrf"], s.csrf.as_str(), "reads need no CSRF token and the map learns it here");

    let logout_without = call(&state, Method::POST, "/auth/logout", As::Cookie(&s, false), &[], None).await;
    assert_eq!(logout_without.status, StatusCode::FORBIDDEN);
    let logout = call(&state, Method::POST, "/auth/logout", As::Cookie(&s, true), &[], None).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&state, Method::GET, "/auth/me", As::Cookie(&s, true), &[], None).await.body["role"], "public");
    let wrong_password = login(&state, "an", "wrong password", &[]).await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&state, "nobody", PASSWORD, &[]).await.status, StatusCode::UNAUTHORIZED);
}

async fn history_after_create_update_delete_and_revert(state: AppState) {
    let token = add_user(&state, "an", Role::Planner, None).await;
    let t = As::Token(&token);
    let created = call(
        &state,
        Method::POST,
        ITEMS,
        t,
        &[("x-change-reason", "Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh")],
        Some(feature("H-1", 106.40, "in_plan")),
    )
    .await;
    let id = created.body["id"].as_i64().expect("id");
    let item = format!("{ITEMS}/{id}");
    let put = call(
        &state,
        Method::PUT,
        &item,
        t,
        &[("if-match", "\"1\""), ("x-change-reason", "moved east"), ("x-legal-act", "QD 873/QD-UB")],
        Some(feature("H-1", 106.401, "established")),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let del = call(&state, Method::DELETE, &item, t, &[("if-match", "\"2\"")], None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(call(&state, Method::GET, &item, As::Anonymous, &[], None).await.status, StatusCode::NOT_FOUND);

    let list = call(&state, Method::GET, &format!("{item}/versions"), As::Anonymous, &[], None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let v = list.body["versions"].as_array().expect("versions");
    let ops: Vec<_> = v.iter().map(|v| v["operation"].as_str().unwrap_or("")).collect();
    assert_eq!(ops, ["create", "update", "delete"], "the deleted feature keeps its versions");
    assert_eq!(v[0]["reason"], "Quyết định", "percent-encoded UTF-8 reasons are decoded");
    assert_eq!((v[1]["author"].as_str(), v[1]["legal_act"].as_str()), (Some("an"), Some("QD 873/QD-UB")));
    assert!(v[2]["feature"].is_null());
    assert_eq!(v[1]["feature"]["properties"]["notes"], "established");

    let one = call(&state, Method::GET, &format!("{item}/versions/1"), As::Anonymous, &[], None).await;
    assert_eq!(one.body["feature"]["properties"]["notes"], "in_plan");
    assert_eq!(
        call(&state, Method::GET, &format!("{item}/versions/9"), As::Anonymous, &[], None).await.status,
        StatusCode::NOT_FOUND
    );

    let d = call(&state, Method::GET, &format!("{item}/diff?from=1&to=2"), As::Anonymous, &[], None).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    assert_eq!(d.body["attributes"], json!([{"field": "notes", "from": "in_plan", "to": "established"}]));
    // Moved 0.001° east: a strip of about 110 m × 443 m added and the same removed.
    let added = d.body["area_added_m2"].as_f64().expect("added");
    let removed = d.body["area_removed_m2"].as_f64().expect("removed");
    assert!((40_000.0..60_000.0).contains(&added) && (added - removed).abs() < 100.0, "{}", d.text);
    assert_eq!(
        call(&state, Method::GET, &format!("{item}/diff?from=1"), As::Anonymous, &[], None).await.status,
        StatusCode::BAD_REQUEST
    );

    let to_tombstone = call(
        &state,
        Method::POST,
        &format!("{item}/revert"),
        t,
        &[("content-type", "application/json")],
        Some(json!({"version": 3})),
    )
    .await;
    assert_eq!(to_tombstone.status, StatusCode::UNPROCESSABLE_ENTITY);
    let stale =
        call(&state, Method::POST, &format!("{item}/revert"), t, &[("if-match", "\"2\"")], Some(json!({"version": 1})))
            .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text);
    let restored = call(
        &state,
        Method::POST,
        &format!("{item}/revert"),
        t,
        &[("if-match", "\"3\"")],
        Some(json!({"version": 2, "reason": "deleted by mistake"})),
    )
    .await;
    assert_eq!(restored.status, StatusCode::OK, "{}", restored.text);
    assert_eq!(restored.headers[header::ETAG], "\"4\"");
    assert_eq!(restored.body["id"], id);
    assert_eq!(restored.body["properties"]["notes"], "established");
    let v = call(&state, Method::GET, &format!("{item}/versions"), As::Anonymous, &[], None).await;
    let last = &v.body["versions"][3];
    assert_eq!((last["reverted_from"].as_i64(), last["reason"].as_str()), (Some(2), Some("deleted by mistake")));
}

async fn as_of_answers_the_layer_between_versions(state: AppState) {
    let token = add_user(&state, "an", Role::Planner, None).await;
    let t = As::Token(&token);
    let stamp = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let tick = || tokio::time::sleep(Duration::from_millis(30));
    let t0 = stamp();
    tick().await;
    let id = call(&state, Method::POST, ITEMS, t, &[], Some(feature("AS-1", 106.40, "in_plan"))).await.body["id"]
        .as_i64()
        .expect("id");
    tick().await;
    let t1 = stamp();
    tick().await;
    call(&state, Method::PUT, &format!("{ITEMS}/{id}"), t, &[], Some(feature("AS-1", 106.40, "established"))).await;
    tick().await;
    let t2 = stamp();
    tick().await;
    call(&state, Method::DELETE, &format!("{ITEMS}/{id}"), t, &[], None).await;
    tick().await;
    let t3 = stamp();
    let enc = |s: &str| s.replace('+', "%2B");
    let layer = |at: String| {
        let state = state.clone();
        let token = token.clone();
        async move { call(&state, Method::GET, &format!("{ITEMS}?asOf={}", enc(&at)), As::Token(&token), &[], None).await }
    };
    assert_eq!(layer(t0.clone()).await.body["numberMatched"], 0);
    let at1 = layer(t1.clone()).await;
    assert_eq!(at1.body["features"][0]["properties"]["notes"], "in_plan", "{}", at1.text);
    assert!(at1.text.contains("asOf="), "page links keep asOf");
    assert_eq!(layer(t2.clone()).await.body["features"][0]["properties"]["notes"], "established");
    assert_eq!(layer(t3).await.body["numberMatched"], 0, "deleted by then");
    let one = call(&state, Method::GET, &format!("{ITEMS}/{id}?asOf={}", enc(&t1)), As::Token(&token), &[], None).await;
    assert_eq!(
        (one.body["properties"]["version"].as_i64(), one.headers[header::ETAG].to_str().ok()),
        (Some(1), Some("\"1\""))
    );
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}/{id}?asOf={}", enc(&t0)), As::Token(&token), &[], None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}?asOf=yesterday"), As::Token(&token), &[], None).await.status,
        StatusCode::BAD_REQUEST
    );
}

async fn a_failed_write_leaves_no_version_row(state: AppState) {
    let token = add_user(&state, "an", Role::Planner, None).await;
    let t = As::Token(&token);
    let a = call(&state, Method::POST, ITEMS, t, &[], Some(feature("F-1", 106.40, "in_plan"))).await.body["id"]
        .as_i64()
        .expect("id");
    call(&state, Method::POST, ITEMS, t, &[], Some(feature("F-2", 106.50, "in_plan"))).await;
    let item = format!("{ITEMS}/{a}");
    let mut bow_tie = feature("F-1", 106.4, "in_plan");
    bow_tie["geometry"]["coordinates"] =
        json!([[[106.4, 10.23], [106.41, 10.24], [106.41, 10.23], [106.4, 10.24], [106.4, 10.23]]]);
    for (answer, status) in [
        (call(&state, Method::PUT, &item, t, &[], Some(bow_tie)).await, StatusCode::UNPROCESSABLE_ENTITY),
        (
            call(&state, Method::PUT, &item, t, &[("if-match", "\"5\"")], Some(feature("F-1", 106.4, "operating")))
                .await,
            StatusCode::PRECONDITION_FAILED,
        ),
        // The duplicate code fails inside the store's transaction, after the UPDATE ran.
        (
            call(&state, Method::PUT, &item, t, &[], Some(feature("F-2", 106.4, "operating"))).await,
            StatusCode::CONFLICT,
        ),
        (
            call(&state, Method::PUT, &item, As::Anonymous, &[], Some(feature("F-1", 106.4, "operating"))).await,
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        assert_eq!(answer.status, status, "{}", answer.text);
    }
    assert_eq!(versions(&state, a).await, 1);
    let current = call(&state, Method::GET, &item, t, &[], None).await;
    assert_eq!(current.body["properties"]["notes"], "in_plan");
}

async fn repeated_failed_logins_are_limited_with_retry_after(state: AppState) {
    add_user(&state, "an", Role::Planner, None).await;
    for _ in 0..5 {
        assert_eq!(login(&state, "an", "guess", &[]).await.status, StatusCode::UNAUTHORIZED);
    }
    let limited = login(&state, "an", PASSWORD, &[]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits: {}", limited.text);
    let retry: u64 = limited.headers[header::RETRY_AFTER].to_str().expect("ascii").parse().expect("seconds");
    assert!((800..=900).contains(&retry), "{retry}");
    // Per address: 20 failures over other names from the same address.
    for i in 0..14 {
        assert_eq!(login(&state, &format!("x{i}"), "guess", &[]).await.status, StatusCode::UNAUTHORIZED);
    }
    add_user(&state, "binh", Role::Planner, None).await;
    assert_eq!(login(&state, "binh", PASSWORD, &[]).await.status, StatusCode::OK, "19 failures from this address");
    assert_eq!(login(&state, "x99", "guess", &[]).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&state, "binh", PASSWORD, &[]).await.status, StatusCode::TOO_MANY_REQUESTS);
}

fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let mut config = Config::for_tests(config);
    // These tests are about rights and history; `If-Match` is the API tests' concern, so
    // writes here may go without it (as QGIS's do with the switch on).
    config.allow_writes_without_if_match = true;
    AppState { store, config: Arc::new(config) }
}

macro_rules! suite {
    ($($name:ident),+ $(,)?) => {
        mod gpkg {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let path = dir.path().join("accounts.gpkg");
                    let store = GpkgStore::open(&path).await.expect("open");
                    super::$name(state_for(Arc::new(store), StoreConfig::Gpkg(path))).await;
                }
            )+
        }
        mod postgis {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
                    let store = PostgisStore::connect(&db.url).await.expect("connect");
                    super::$name(state_for(Arc::new(store.clone()), StoreConfig::Postgis(db.url.clone()))).await;
                    store.pool().close().await;
                    db.drop_database().await;
                }
            )+
        }
    };
}

suite!(
    each_role_may_do_each_write_or_is_refused_and_nothing_changes,
    a_revoked_token_stops_working,
    cookie_writes_need_the_csrf_token_and_bearer_writes_do_not,
    history_after_create_update_delete_and_revert,
    as_of_answers_the_layer_between_versions,
    a_failed_write_leaves_no_version_row,
    repeated_failed_logins_are_limited_with_retry_after,
);
