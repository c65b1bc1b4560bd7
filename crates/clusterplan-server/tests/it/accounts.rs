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
use clusterplan_store::{GpkgStore, NewUser, Role, Store, StoreConfig};
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
    assert_eq!(call(&state, Method::GET, &item, t, &[], None).await.status, StatusCode::NOT_FOUND);

    // History holds working states: the public gets a 401, accounts the list.
    let public = call(&state, Method::GET, &format!("{item}/versions"), As::Anonymous, &[], None).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED, "{}", public.text);
    let list = call(&state, Method::GET, &format!("{item}/versions"), t, &[], None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let v = list.body["versions"].as_array().expect("versions");
    let ops: Vec<_> = v.iter().map(|v| v["operation"].as_str().unwrap_or("")).collect();
    assert_eq!(ops, ["create", "update", "delete"], "the deleted feature keeps its versions");
    assert_eq!(v[0]["reason"], "Quyết định", "percent-encoded UTF-8 reasons are decoded");
    assert_eq!((v[1]["author"].as_str(), v[1]["legal_act"].as_str()), (Some("an"), Some("QD 873/QD-UB")));
    assert!(v[2]["feature"].is_null());
    assert_eq!(v[1]["feature"]["properties"]["notes"], "established");

    let one = call(&state, Method::GET, &format!("{item}/versions/1"), t, &[], None).await;
    assert_eq!(one.body["feature"]["properties"]["notes"], "in_plan");
    assert_eq!(
        call(&state, Method::GET, &format!("{item}/versions/9"), t, &[], None).await.status,
        StatusCode::NOT_FOUND
    );

    let d = call(&state, Method::GET, &format!("{item}/diff?from=1&to=2"), t, &[], None).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    assert_eq!(d.body["attributes"], json!([{"field": "notes", "from": "in_plan", "to": "established"}]));
    // Moved 0.001° east: a strip of about 110 m × 443 m added and the same removed.
    let added = d.body["area_added_m2"].as_f64().expect("added");
    let removed = d.body["area_removed_m2"].as_f64().expect("removed");
    assert!((40_000.0..60_000.0).contains(&added) && (added - removed).abs() < 100.0, "{}", d.text);
    assert_eq!(
        call(&state, Method::GET, &format!("{item}/diff?from=1"), t, &[], None).await.status,
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
    let v = call(&state, Method::GET, &format!("{item}/versions"), t, &[], None).await;
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

/// Behind a reverse proxy named with `--trusted-proxy` (here the tests' peer, 192.0.2.7), the
/// login limit per address and the audit log see the client the proxy forwards, not the proxy.
async fn behind_a_trusted_proxy_each_client_has_its_own_login_limit(state: AppState) {
    let config = Config { trusted_proxies: vec!["192.0.2.7".parse().expect("ip")], ..(*state.config).clone() };
    let state = AppState { config: Arc::new(config), ..state };
    add_user(&state, "binh", Role::Planner, None).await;
    let first = [("x-forwarded-for", "203.0.113.9")];
    for i in 0..20 {
        assert_eq!(login(&state, &format!("x{i}"), "guess", &first).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&state, "binh", PASSWORD, &first).await.status, StatusCode::TOO_MANY_REQUESTS);
    let other = [("x-forwarded-for", "198.51.100.4")];
    assert_eq!(login(&state, "binh", PASSWORD, &other).await.status, StatusCode::OK, "another client of the proxy");
    let audit = state.store.audit_page(50, 0).await.expect("audit");
    assert!(audit.iter().any(|e| e.outcome == "failure" && e.address.as_deref() == Some("203.0.113.9")));
    assert!(audit.iter().all(|e| e.address.as_deref() != Some("192.0.2.7")), "the proxy is nobody's address");
}

/// Loads commune `OFF` (106.39–106.44 E, 10.22–10.26 N), valid since 1992: `feature(_, 106.40, _)`
/// lies inside it, `feature(_, 106.6, _)` outside.
async fn load_unit(state: &AppState) {
    use clusterplan_core::units::{Unit, UnitLevel};
    let ring =
        vec![vec![106.39, 10.22], vec![106.44, 10.22], vec![106.44, 10.26], vec![106.39, 10.26], vec![106.39, 10.22]];
    let unit = Unit {
        code: "OFF".into(),
        name: "Xã thử".into(),
        level: UnitLevel::Commune,
        parent_code: None,
        valid_from: chrono::NaiveDate::from_ymd_opt(1992, 1, 1).expect("date"),
        valid_to: None,
        boundary: clusterplan_core::geometry::validate(&clusterplan_core::RawBoundary::Polygon(vec![ring]))
            .expect("valid"),
        notes: None,
    };
    state.store.load_units(&[unit], &[]).await.expect("unit");
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn problem_type(a: &Answer) -> String {
    a.body["type"].as_str().unwrap_or_default().rsplit([':', '/']).next().unwrap_or_default().to_owned()
}

#[expect(clippy::too_many_lines, reason = "one matrix of roles and comment requests, read top to bottom")]
async fn every_account_but_a_viewer_comments_anywhere_and_the_public_sees_none(state: AppState) {
    load_unit(&state).await;
    let planner = add_user(&state, "planner", Role::Planner, None).await;
    let admin = add_user(&state, "admin", Role::Admin, None).await;
    let officer = add_user(&state, "officer", Role::Officer, Some("OFF")).await;
    let viewer = add_user(&state, "viewer", Role::Viewer, None).await;
    let outside =
        call(&state, Method::POST, ITEMS, As::Token(&planner), &[], Some(feature("OUT", 106.6, "in_plan"))).await;
    assert_eq!(outside.status, StatusCode::CREATED, "{}", outside.text);
    let id = outside.body["id"].as_i64().expect("id");
    let item = format!("{ITEMS}/{id}");
    let comments = format!("{item}/comments");
    let put = call(&state, Method::PUT, &item, As::Token(&planner), &[], Some(feature("OUT", 106.601, "v2"))).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);

    // The officer edits only inside its unit, but comments on this feature outside it.
    let edit = call(&state, Method::PUT, &item, As::Token(&officer), &[], Some(feature("OUT", 106.6, "x"))).await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN, "{}", edit.text);
    for (n, (name, token)) in [("officer", &officer), ("planner", &planner), ("admin", &admin)].into_iter().enumerate()
    {
        let text = format!("  ý kiến {n} của {name}\n");
        let posted =
            call(&state, Method::POST, &comments, As::Token(token), &[JSON], Some(json!({ "text": text }))).await;
        assert_eq!(posted.status, StatusCode::CREATED, "{name}: {}", posted.text);
        assert_eq!(
            (posted.body["feature_id"].as_i64(), posted.body["version"].as_i64(), posted.body["author"].as_str()),
            (Some(id), Some(2), Some(name)),
            "the current version by default"
        );
        assert_eq!(posted.body["text"], format!("ý kiến {n} của {name}"), "trimmed");
        let location = posted.headers[header::LOCATION].to_str().expect("ascii").to_owned();
        let cid = posted.body["id"].as_i64().expect("id");
        assert!(location.ends_with(&format!("{comments}/{cid}")), "{location}");
        let one =
            call(&state, Method::GET, location.trim_start_matches("http://test.local"), As::Token(token), &[], None)
                .await;
        assert_eq!((one.status, &one.body), (StatusCode::OK, &posted.body), "{}", one.text);
    }
    let on_v1 = call(
        &state,
        Method::POST,
        &comments,
        As::Token(&officer),
        &[JSON],
        Some(json!({ "text": "phiên bản đầu", "version": 1 })),
    )
    .await;
    assert_eq!((on_v1.status, on_v1.body["version"].as_i64()), (StatusCode::CREATED, Some(1)), "{}", on_v1.text);

    // Refused: viewers write none (403), the public neither writes nor reads (401), bad bodies.
    let before = call(&state, Method::GET, &comments, As::Token(&viewer), &[], None).await;
    assert_eq!(before.status, StatusCode::OK, "viewers read comments: {}", before.text);
    let listed = before.body["comments"].as_array().expect("comments");
    let authors: Vec<_> = listed.iter().map(|c| c["author"].as_str().unwrap_or_default()).collect();
    assert_eq!(authors, ["officer", "planner", "admin", "officer"], "oldest first");
    let long = "ầ".repeat(4001);
    for (who, body, status) in [
        (As::Token(&viewer), json!({ "text": "không được" }), StatusCode::FORBIDDEN),
        (As::Anonymous, json!({ "text": "không được" }), StatusCode::UNAUTHORIZED),
        (As::Token(&planner), json!({ "text": "   " }), StatusCode::UNPROCESSABLE_ENTITY),
        (As::Token(&planner), json!({ "text": long }), StatusCode::UNPROCESSABLE_ENTITY),
        (As::Token(&planner), json!({ "text": "x", "version": 9 }), StatusCode::UNPROCESSABLE_ENTITY),
        (As::Token(&planner), json!({ "version": 1 }), StatusCode::BAD_REQUEST),
    ] {
        let a = call(&state, Method::POST, &comments, who, &[JSON], Some(body.clone())).await;
        assert_eq!(a.status, status, "{body}: {}", a.text);
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(!a.body["detail"].as_str().unwrap_or_default().is_empty(), "{}", a.text);
    }
    let exactly =
        call(&state, Method::POST, &comments, As::Token(&planner), &[JSON], Some(json!({ "text": "ầ".repeat(4000) })))
            .await;
    assert_eq!(exactly.status, StatusCode::CREATED, "4000 characters are allowed");
    let public = call(&state, Method::GET, &comments, As::Anonymous, &[], None).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED, "{}", public.text);
    assert_eq!(public.headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(
        call(&state, Method::GET, &format!("{ITEMS}/4242/comments"), As::Token(&viewer), &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(
            &state,
            Method::POST,
            &format!("{ITEMS}/4242/comments"),
            As::Token(&planner),
            &[JSON],
            Some(json!({"text": "x"}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Cookie-authenticated comments need the session's CSRF token.
    let s = session(&state, "officer").await;
    let forged =
        call(&state, Method::POST, &comments, As::Cookie(&s, false), &[JSON], Some(json!({"text": "csrf?"}))).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.text);
    let with =
        call(&state, Method::POST, &comments, As::Cookie(&s, true), &[JSON], Some(json!({"text": "qua bản đồ"}))).await;
    assert_eq!(with.status, StatusCode::CREATED, "{}", with.text);
    let after = call(&state, Method::GET, &comments, As::Cookie(&s, false), &[], None).await;
    let texts: Vec<_> =
        after.body["comments"].as_array().expect("comments").iter().map(|c| c["text"].clone()).collect();
    assert_eq!(texts.len(), 6, "only the accepted comments were stored: {}", after.text);
    assert!(!texts.contains(&json!("csrf?")) && !texts.contains(&json!("không được")));

    // A deleted feature keeps its comments but takes no new one (409).
    assert_eq!(
        call(&state, Method::DELETE, &item, As::Token(&planner), &[], None).await.status,
        StatusCode::NO_CONTENT
    );
    let late = call(&state, Method::POST, &comments, As::Token(&planner), &[JSON], Some(json!({"text": "muộn"}))).await;
    assert_eq!(
        (late.status, problem_type(&late)),
        (StatusCode::CONFLICT, "feature-deleted".to_owned()),
        "{}",
        late.text
    );
    let kept = call(&state, Method::GET, &comments, As::Token(&viewer), &[], None).await;
    assert_eq!(kept.body["comments"].as_array().map(Vec::len), Some(6), "{}", kept.text);

    let audit = call(&state, Method::GET, "/admin/audit?limit=500", As::Token(&admin), &[], None).await;
    let entries = audit.body["entries"].as_array().expect("entries");
    let of = |action: &str, outcome: &str| {
        entries.iter().filter(|e| e["action"] == action && e["outcome"] == outcome).count()
    };
    assert_eq!(of("cluster.comment", "ok"), 6, "every stored comment is audited");
    assert_eq!(of("cluster.comment", "refused"), 2, "the viewer's and the public's posts are audited refusals");
    assert_eq!(of("cluster.comments.read", "refused"), 1, "and so is the public's read");
}

async fn change_password(state: &AppState, who: As<'_>, current: &str, new: &str) -> Answer {
    let body = json!({ "current": current, "new": new });
    call(state, Method::POST, "/auth/password", who, &[JSON], Some(body)).await
}

/// The account name a session cookie is signed in as (`null` when it no longer is).
async fn who_is(state: &AppState, s: &Session) -> Value {
    call(state, Method::GET, "/auth/me", As::Cookie(s, false), &[], None).await.body["name"].clone()
}

async fn a_password_change_checks_the_current_one_and_ends_the_other_sessions(state: AppState) {
    let token = add_user(&state, "lananh.tran", Role::Officer, Some("OFF")).await;
    let s1 = session(&state, "lananh.tran").await;
    let s2 = session(&state, "lananh.tran").await;
    let new_password = "một mật khẩu mới dài";

    assert_eq!(change_password(&state, As::Anonymous, PASSWORD, new_password).await.status, StatusCode::UNAUTHORIZED);
    let no_csrf = change_password(&state, As::Cookie(&s1, false), PASSWORD, new_password).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{}", no_csrf.text);
    let wrong = change_password(&state, As::Cookie(&s1, true), "not my password", new_password).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{}", wrong.text);
    assert_eq!(wrong.headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(wrong.body["detail"].as_str().unwrap_or_default().contains("current password"), "{}", wrong.text);
    for weak in ["short", "LANANH.TRAN"] {
        let a = change_password(&state, As::Cookie(&s1, true), PASSWORD, weak).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {}", a.text);
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json");
    }
    assert_eq!(login(&state, "lananh.tran", PASSWORD, &[]).await.status, StatusCode::OK, "nothing changed yet");

    let done = change_password(&state, As::Cookie(&s1, true), PASSWORD, new_password).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
    assert_eq!(who_is(&state, &s1).await, "lananh.tran", "the session that changed it stays");
    assert_eq!(who_is(&state, &s2).await, Value::Null, "the other sessions end");
    assert_eq!(login(&state, "lananh.tran", PASSWORD, &[]).await.status, StatusCode::UNAUTHORIZED, "old password");
    assert_eq!(login(&state, "lananh.tran", new_password, &[]).await.status, StatusCode::OK, "new password");

    // With an API token (no CSRF needed): every session ends, the token keeps working.
    let by_token = change_password(&state, As::Token(&token), new_password, "mật khẩu thứ ba đủ dài").await;
    assert_eq!(by_token.status, StatusCode::NO_CONTENT, "{}", by_token.text);
    assert_eq!(who_is(&state, &s1).await, Value::Null);
    assert_eq!(call(&state, Method::GET, "/auth/me", As::Token(&token), &[], None).await.body["name"], "lananh.tran");

    // Wrong current passwords count with failed logins (one above, of the old password): at
    // five, password changes and logins are both limited.
    for _ in 0..3 {
        assert_eq!(
            change_password(&state, As::Token(&token), "guess", "whatever long enough").await.status,
            StatusCode::FORBIDDEN
        );
    }
    let limited = change_password(&state, As::Token(&token), "mật khẩu thứ ba đủ dài", "yet another long one").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(login(&state, "lananh.tran", "mật khẩu thứ ba đủ dài", &[]).await.status, StatusCode::TOO_MANY_REQUESTS);

    add_user(&state, "admin", Role::Admin, None).await;
    let audit = call(&state, Method::GET, "/admin/audit?limit=100", As::Token("cpt_test_admin"), &[], None).await;
    let entries = audit.body["entries"].as_array().expect("entries");
    let of = |outcome: &str| {
        entries
            .iter()
            .filter(|e| e["action"] == "password.change" && e["outcome"] == outcome && e["actor"] == "lananh.tran")
            .count()
    };
    assert_eq!((of("ok"), of("failure"), of("limited")), (2, 4, 1), "{}", audit.text);
}

/// A polygon `width`° wide at 106.40 E (0.005° ≈ 24 ha, 0.003° ≈ 15 ha).
fn sized(code: &str, width: f64, notes: &str) -> Value {
    let mut f = feature(code, 106.40, notes);
    let (w, e) = (106.40, 106.40 + width);
    f["geometry"]["coordinates"] = json!([[[w, 10.23], [e, 10.23], [e, 10.234], [w, 10.234], [w, 10.23]]]);
    f
}

async fn a_revert_meets_the_planning_rules_of_today(state: AppState) {
    let planner = add_user(&state, "planner", Role::Planner, None).await;
    let revert = |token: &str, id: i64, body: Value| {
        let (state, token) = (state.clone(), token.to_owned());
        async move {
            call(&state, Method::POST, &format!("{ITEMS}/{id}/revert"), As::Token(&token), &[JSON], Some(body)).await
        }
    };
    let notes = |id: i64| {
        let state = state.clone();
        let planner = planner.clone();
        async move {
            call(&state, Method::GET, &format!("{ITEMS}/{id}"), As::Token(&planner), &[], None).await.body["properties"]
                ["notes"]
                .clone()
        }
    };

    // Hard rule: version 1 (24 ha) was fine under the decree; a regime with a 20 ha maximum
    // refuses to bring it back, as it would refuse a PUT of it.
    let created = call(&state, Method::POST, ITEMS, As::Token(&planner), &[], Some(sized("RV-1", 0.005, "big"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_i64().expect("id");
    let put = call(
        &state,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        As::Token(&planner),
        &[],
        Some(sized("RV-1", 0.003, "small")),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let mut strict = (*state.config).clone();
    strict.rules.max_area_ha = 20.0;
    let strict = AppState { store: state.store.clone(), config: Arc::new(strict) };
    let as_put = call(
        &strict,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        As::Token(&planner),
        &[],
        Some(sized("RV-1", 0.005, "big")),
    )
    .await;
    assert_eq!(as_put.status, StatusCode::UNPROCESSABLE_ENTITY, "the PUT it mirrors: {}", as_put.text);
    let refused = call(
        &strict,
        Method::POST,
        &format!("{ITEMS}/{id}/revert"),
        As::Token(&planner),
        &[JSON],
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    assert_eq!(refused.headers[header::CONTENT_TYPE], "application/problem+json");
    assert!(refused.text.contains("d32.size.max"), "the failed rule is named: {}", refused.text);
    assert_eq!(refused.body["type"], as_put.body["type"], "the same problem as the PUT");
    assert_eq!((versions(&state, id).await, notes(id).await), (2, json!("small")), "nothing changed");
    // Under the decree the same revert goes through.
    assert_eq!(revert(&planner, id, json!({"version": 1})).await.status, StatusCode::OK);
    // A status is changed by an event with its legal act, never by a revert over one.
    let other = call(&state, Method::POST, ITEMS, As::Token(&planner), &[], Some(feature("RV-3", 106.5, "s"))).await;
    let other_id = other.body["id"].as_i64().expect("id");
    let today = chrono::Utc::now().date_naive().to_string();
    let event = json!({
        "to": "removed", "effective": today,
        "act": { "number": "5/QĐ-UBND", "date": today, "authority": "UBND tỉnh Bến Tre" },
    });
    let events = format!("{ITEMS}/{other_id}/events");
    let recorded = call(&state, Method::POST, &events, As::Token(&planner), &[JSON], Some(event)).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);
    let before = versions(&state, other_id).await;
    assert!(before >= 2, "the event wrote a version");
    let undo_status = revert(&planner, other_id, json!({"version": 1})).await;
    assert_eq!(undo_status.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", undo_status.text);
    assert_eq!(problem_type(&undo_status), "status-change-needs-event", "{}", undo_status.text);
    assert_eq!(versions(&state, other_id).await, before, "nothing written");
    // A deleted feature brought back meets the size rules of a new one.
    assert_eq!(
        call(&state, Method::DELETE, &format!("{ITEMS}/{id}"), As::Token(&planner), &[], None).await.status,
        StatusCode::NO_CONTENT
    );
    let restore = call(
        &strict,
        Method::POST,
        &format!("{ITEMS}/{id}/revert"),
        As::Token(&planner),
        &[JSON],
        Some(json!({"version": 3})),
    )
    .await;
    assert_eq!(restore.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", restore.text);
    assert_eq!(versions(&state, id).await, 4, "still deleted");
}

async fn an_officer_reverts_only_to_boundaries_inside_its_unit(state: AppState) {
    load_unit(&state).await;
    let planner = add_user(&state, "planner", Role::Planner, None).await;
    let officer = add_user(&state, "officer", Role::Officer, Some("OFF")).await;
    let revert = |token: &str, id: i64, body: Value| {
        let (state, token) = (state.clone(), token.to_owned());
        async move {
            call(&state, Method::POST, &format!("{ITEMS}/{id}/revert"), As::Token(&token), &[JSON], Some(body)).await
        }
    };
    let notes = |id: i64| {
        let state = state.clone();
        let planner = planner.clone();
        async move {
            call(&state, Method::GET, &format!("{ITEMS}/{id}"), As::Token(&planner), &[], None).await.body["properties"]
                ["notes"]
                .clone()
        }
    };

    // Rights: the officer of OFF may not bring back a boundary that lay outside its unit,
    // even though the feature lies inside it now.
    let far =
        call(&state, Method::POST, ITEMS, As::Token(&planner), &[], Some(feature("RV-2", 106.6, "outside"))).await;
    let far_id = far.body["id"].as_i64().expect("id");
    let moved_in = call(
        &state,
        Method::PUT,
        &format!("{ITEMS}/{far_id}"),
        As::Token(&planner),
        &[],
        Some(feature("RV-2", 106.40, "inside")),
    )
    .await;
    assert_eq!(moved_in.status, StatusCode::OK, "{}", moved_in.text);
    let out = revert(&officer, far_id, json!({"version": 1})).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN, "{}", out.text);
    assert!(out.body["detail"].as_str().unwrap_or_default().contains("new boundary"), "{}", out.text);
    assert_eq!((versions(&state, far_id).await, notes(far_id).await), (2, json!("inside")), "nothing changed");
    let nudged = call(
        &state,
        Method::PUT,
        &format!("{ITEMS}/{far_id}"),
        As::Token(&planner),
        &[],
        Some(feature("RV-2", 106.401, "nudged")),
    )
    .await;
    assert_eq!(nudged.status, StatusCode::OK, "{}", nudged.text);
    let inside = revert(&officer, far_id, json!({"version": 2})).await;
    assert_eq!(inside.status, StatusCode::OK, "both boundaries inside the unit: {}", inside.text);
    assert_eq!(notes(far_id).await, "inside");
}

#[expect(clippy::unused_async, reason = "the shared router suite awaits every file's state_for")]
async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    // A 500 logs its cause; show it with the failing test's output.
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let mut config = Config::for_tests(config);
    // These tests are about rights and history; `If-Match` is the API tests' concern, so
    // writes here may go without it (as QGIS's do with the switch on).
    config.allow_writes_without_if_match = true;
    AppState { store, config: Arc::new(config) }
}

router_suite!(
    each_role_may_do_each_write_or_is_refused_and_nothing_changes,
    a_revoked_token_stops_working,
    cookie_writes_need_the_csrf_token_and_bearer_writes_do_not,
    history_after_create_update_delete_and_revert,
    as_of_answers_the_layer_between_versions,
    a_failed_write_leaves_no_version_row,
    repeated_failed_logins_are_limited_with_retry_after,
    behind_a_trusted_proxy_each_client_has_its_own_login_limit,
    every_account_but_a_viewer_comments_anywhere_and_the_public_sees_none,
    a_password_change_checks_the_current_one_and_ends_the_other_sessions,
    a_revert_meets_the_planning_rules_of_today,
    an_officer_reverts_only_to_boundaries_inside_its_unit,
);

/// `clusterplan user password NAME`: an administrator's reset, from the environment or
/// generated and printed; the policy holds and the account's sessions end.
#[tokio::test]
async fn the_command_line_resets_a_password() {
    use clusterplan_server::auth::verify_password;
    use clusterplan_store::AccountStore;
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("cli.gpkg").to_string_lossy().into_owned();
    let run = |args: &[&str], password: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_clusterplan"));
        command.args(args).args(["--database", &database]).env("CLUSTERPLAN_LOG", "warn");
        match password {
            Some(p) => command.env("CLUSTERPLAN_PASSWORD", p),
            None => command.env_remove("CLUSTERPLAN_PASSWORD"),
        };
        command.output().expect("run clusterplan")
    };
    assert!(run(&["user", "add", "an", "--role", "planner"], Some(PASSWORD)).status.success());
    let store = GpkgStore::open(std::path::Path::new(&database)).await.expect("open");
    let (user, _) = store.user_with_password("an").await.expect("read").expect("exists");
    store
        .create_session(user.id, "s-1", "c-1", chrono::Utc::now() + chrono::Duration::hours(1))
        .await
        .expect("session");
    let hash = || async { store.user_with_password("an").await.expect("read").expect("exists").1 };

    let weak = run(&["user", "password", "an"], Some("short"));
    assert!(!weak.status.success(), "the policy holds on the command line too");
    assert!(verify_password(PASSWORD, Some(&hash().await)), "unchanged");
    let set = run(&["user", "password", "an"], Some("mật khẩu đặt lại"));
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(
        verify_password("mật khẩu đặt lại", Some(&hash().await)) && !verify_password(PASSWORD, Some(&hash().await))
    );
    assert!(store.session("s-1").await.expect("read").is_none(), "its sessions end");

    let generated = run(&["user", "password", "an", "--generate"], None);
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
    let stdout = String::from_utf8_lossy(&generated.stdout);
    let printed = stdout.lines().last().expect("password line").trim();
    assert!(printed.len() >= 12 && verify_password(printed, Some(&hash().await)), "{stdout}");
    assert!(!run(&["user", "password", "nobody"], Some("long enough password")).status.success());
    let audit = store.audit_page(10, 0).await.expect("audit");
    assert_eq!(audit.iter().filter(|e| e.action == "password.reset" && e.target.as_deref() == Some("an")).count(), 2);

    // The other account commands are audited too, as the command line's.
    let made = run(&["token", "create", "an", "--label", "qgis"], None);
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let token = String::from_utf8_lossy(&made.stdout).lines().last().expect("token line").trim().to_owned();
    assert!(run(&["token", "revoke", &token], None).status.success());
    assert!(run(&["user", "disable", "an"], None).status.success());
    let audit = store.audit_page(20, 0).await.expect("audit");
    let cli: Vec<_> = audit
        .iter()
        .rev()
        .filter(|e| e.address.as_deref() == Some("command line"))
        .map(|e| (e.action.as_str(), e.target.as_deref()))
        .collect();
    assert_eq!(
        cli,
        [
            ("user.add", Some("an")),
            ("token.create", Some("an")),
            ("token.revoke", Some("token")),
            ("user.disable", Some("an"))
        ]
    );
    store.close().await;
}
