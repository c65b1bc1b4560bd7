//! The planning domain over HTTP, on both stores: every status transition (allowed and
//! refused), every Decree 32/2024 rule just inside and just outside its limit, zone placement,
//! units across the 2009 and 2025 reorganisations, `/zoning` and `/summary`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_core::lifecycle::allowed_targets;
use clusterplan_core::rules::RuleSet;
use clusterplan_core::{ClusterStatus, Crs};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ITEMS: &str = "/collections/clusters/items";
const ZONES: &str = "/collections/zones/items";
const TM3: &str = "http://www.opengis.net/def/crs/EPSG/0/9210";

struct Answer {
    status: StatusCode,
    body: Value,
    text: String,
}

/// Every request of these tests is a planner's, with a real token made in [`state_for`],
/// unless it goes through [`call_as`].
const PLANNER_TOKEN: &str = "cpt_planning_tests_planner";
/// A unit officer of unit `OFF` (see `officers_edit_only_inside_their_unit`).
const OFFICER_TOKEN: &str = "cpt_planning_tests_officer";

async fn call(state: &AppState, method: Method, uri: &str, headers: &[(&str, &str)], body: Option<&Value>) -> Answer {
    call_as(state, PLANNER_TOKEN, method, uri, headers, body).await
}

async fn call_as(
    state: &AppState,
    token: &str,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "test.local")
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let response = app(state.clone()).oneshot(request.body(body).expect("request")).await.expect("infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

async fn get(state: &AppState, uri: &str) -> Answer {
    call(state, Method::GET, uri, &[], None).await
}

/// A GET without credentials: the public.
async fn public_get(state: &AppState, uri: &str) -> Answer {
    public(state, Method::GET, uri).await
}

/// A request without credentials or body: the public.
async fn public(state: &AppState, method: Method, uri: &str) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "test.local")
        .body(Body::empty())
        .expect("request");
    let response = app(state.clone()).oneshot(request).await.expect("infallible");
    let status = response.status();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

async fn post(state: &AppState, uri: &str, body: &Value) -> Answer {
    call(state, Method::POST, uri, &[("content-type", "application/json")], Some(body)).await
}

/// Posts a feature whose coordinates are VN-2000 TM-3 metres (EPSG:9210).
async fn post_tm3(state: &AppState, uri: &str, body: &Value) -> Answer {
    call(state, Method::POST, uri, &[("content-type", "application/geo+json"), ("content-crs", TM3)], Some(body)).await
}

fn problem_type(a: &Answer) -> String {
    a.body["type"].as_str().unwrap_or_default().trim_start_matches("urn:clusterplan:problem:").to_owned()
}

/// A point near Bến Tre in EPSG:9210 metres (east, north).
fn origin() -> (f64, f64) {
    let mut c = [geo_types::Coord { x: 106.40, y: 10.23 }];
    clusterplan_core::crs::transform_coords(Crs::WGS84, Crs::VN2000_TM3_10545, &mut c).expect("transform");
    (c[0].x.round(), c[0].y.round())
}

/// A rectangle in metres with its south-west corner `dx`, `dy` metres from the origin.
fn rect_m(dx: f64, dy: f64, width: f64, height: f64) -> Value {
    let (east, north) = origin();
    let (west, south) = (east + dx, north + dy);
    let (e, n) = (west + width, south + height);
    json!([[[west, south], [e, south], [e, n], [west, n], [west, south]]])
}

/// A square of `ha` hectares at `dx` metres east of the origin.
fn square_ha(dx: f64, ha: f64) -> Value {
    let side = (ha * 10_000.0).sqrt();
    rect_m(dx, 0.0, side, side)
}

#[expect(clippy::needless_pass_by_value, reason = "call sites build the values in place")]
fn cluster(code: &str, coordinates: Value, extra: Value) -> Value {
    let mut properties = json!({ "code": code, "name": format!("Cụm {code}"), "kind": "cluster", "status": "in_plan" });
    if let Value::Object(more) = extra {
        for (k, v) in more {
            properties[k] = v;
        }
    }
    json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": coordinates }, "properties": properties })
}

fn act(number: &str) -> Value {
    act_on(number, "2020-01-01")
}

fn act_on(number: &str, date: &str) -> Value {
    json!({ "number": number, "date": date, "authority": "UBND tỉnh Bến Tre" })
}

/// The members of an expansion of a cluster without zones: its new boundary, and declared
/// demand with an override, since an empty cluster has no occupancy.
fn expansion_extra(dx: f64, ha: f64) -> Value {
    json!({
        "geometry": { "type": "Polygon", "coordinates": square_ha(dx, ha) },
        "excess_demand_declared": true,
        "overrides": [{ "rule_id": "d32.expansion.occupancy", "reason": "Nhu cầu thuê đất đã đăng ký" }],
    })
}

async fn create(state: &AppState, code: &str, coordinates: Value, extra: Value) -> i64 {
    let mut feature = cluster(code, coordinates, extra);
    feature["event"] = json!({ "effective": "2020-01-01" });
    let a = post_tm3(state, ITEMS, &feature).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body["id"].as_i64().expect("id")
}

/// Records a change; `effective` days move forward so the history stays in order.
async fn change(state: &AppState, id: i64, to: ClusterStatus, day: u32, extra: Value) -> Answer {
    let mut body =
        json!({ "to": to.code(), "effective": format!("2020-02-{day:02}"), "act": act(&format!("{day}/QĐ-UBND")) });
    if let Value::Object(more) = extra {
        for (k, v) in more {
            body[k] = v;
        }
    }
    call(
        state,
        Method::POST,
        &format!("{ITEMS}/{id}/events"),
        &[("content-type", "application/json"), ("content-crs", TM3)],
        Some(&body),
    )
    .await
}

/// A cluster driven through the lifecycle to `status` (20 ha, infrastructure completed).
async fn cluster_at(state: &AppState, code: &str, status: ClusterStatus, dx: f64) -> i64 {
    use ClusterStatus::{Established, Expanded, InPlan, Infrastructure, Operating, Removed, Revoked};
    let flags = json!({ "roads_completed": true, "water_completed": true, "wastewater_completed": true });
    let id = create(state, code, square_ha(dx, 20.0), flags).await;
    let path: &[ClusterStatus] = match status {
        InPlan => &[],
        Established => &[Established],
        Infrastructure => &[Established, Infrastructure],
        Operating => &[Established, Infrastructure, Operating],
        Expanded => &[Established, Infrastructure, Operating, Expanded],
        Removed => &[Removed],
        Revoked => &[Established, Revoked],
    };
    for (i, to) in path.iter().enumerate() {
        let extra = if *to == Expanded { expansion_extra(dx, 21.0) } else { json!({}) };
        let a = change(state, id, *to, i as u32 + 1, extra).await;
        assert_eq!(a.status, StatusCode::CREATED, "{code} → {}: {}", to.code(), a.text);
    }
    id
}

async fn every_transition_is_allowed_or_refused_as_the_lifecycle_says(state: AppState) {
    let mut dx = 0.0;
    for from in ClusterStatus::ALL {
        for to in ClusterStatus::ALL {
            dx += 1_000.0;
            let id = cluster_at(&state, &format!("T-{}-{}", from.code(), to.code()).to_uppercase(), *from, dx).await;
            let extra = if *to == ClusterStatus::Expanded { expansion_extra(dx, 22.0) } else { json!({}) };
            let a = change(&state, id, *to, 20, extra).await;
            let allowed = allowed_targets(Some(*from)).contains(to);
            if allowed {
                assert_eq!(a.status, StatusCode::CREATED, "{} → {}: {}", from.code(), to.code(), a.text);
                assert_eq!(a.body["feature"]["properties"]["status"], to.code());
                assert_eq!(a.body["event"]["from"], from.code());
            } else {
                assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{} → {}: {}", from.code(), to.code(), a.text);
                assert_eq!(problem_type(&a), "transition-not-allowed", "{}", a.text);
                let listed: Vec<&str> =
                    a.body["allowed"].as_array().expect("allowed").iter().filter_map(Value::as_str).collect();
                let expected: Vec<&str> = allowed_targets(Some(*from)).iter().map(|s| s.code()).collect();
                assert_eq!(listed, expected);
                let after = get(&state, &format!("{ITEMS}/{id}")).await;
                assert_eq!(after.body["properties"]["status"], from.code(), "a refused change changes nothing");
            }
        }
    }
}

async fn a_history_starts_right_needs_acts_and_keeps_its_order(state: AppState) {
    // Only in_plan and established may start a history.
    for status in ["infrastructure", "operating", "expanded", "removed", "revoked"] {
        let a = post_tm3(
            &state,
            ITEMS,
            &cluster(&format!("S-{status}").to_uppercase(), square_ha(0.0, 20.0), json!({ "status": status })),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{status}: {}", a.text);
        assert_eq!(problem_type(&a), "transition-not-allowed");
    }
    // Established at creation needs its act, given as the feature's `event` member.
    let a = post_tm3(&state, ITEMS, &cluster("S-EST", square_ha(0.0, 20.0), json!({ "status": "established" }))).await;
    assert_eq!(problem_type(&a), "legal-act-required", "{}", a.text);
    let mut with_act = cluster("S-EST", square_ha(0.0, 20.0), json!({ "status": "established" }));
    with_act["event"] = json!({ "effective": "2005-03-15", "act": act_on("512/QĐ-UBND", "2005-03-15") });
    let a = post_tm3(&state, ITEMS, &with_act).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let id = a.body["id"].as_i64().expect("id");

    // A change without its act is refused; with a malformed act every problem is listed.
    let a = call(
        &state,
        Method::POST,
        &format!("{ITEMS}/{id}/events"),
        &[("content-type", "application/json")],
        Some(&json!({ "to": "revoked", "effective": "2006-01-01" })),
    )
    .await;
    assert_eq!(problem_type(&a), "legal-act-required", "{}", a.text);
    let a = post(
        &state,
        &format!("{ITEMS}/{id}/events"),
        &json!({ "to": "revoked", "effective": "2006-01-01", "act": { "number": "", "date": "x" } }),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    // An effective date before the last event's is refused.
    let a =
        post(&state, &format!("{ITEMS}/{id}/events"), &json!({ "to": "infrastructure", "effective": "2004-01-01" }))
            .await;
    assert_eq!(problem_type(&a), "invalid-history", "{}", a.text);
    // A stale If-Match is a 412 and records nothing.
    let a = call(
        &state,
        Method::POST,
        &format!("{ITEMS}/{id}/events"),
        &[("content-type", "application/json"), ("if-match", "\"7\"")],
        Some(&json!({ "to": "infrastructure", "effective": "2006-01-01" })),
    )
    .await;
    assert_eq!(a.status, StatusCode::PRECONDITION_FAILED, "{}", a.text);
    let a = call(
        &state,
        Method::POST,
        &format!("{ITEMS}/{id}/events"),
        &[("content-type", "application/json"), ("if-match", "\"1\"")],
        Some(&json!({ "to": "infrastructure", "effective": "2006-01-01", "note": "khởi công" })),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);

    // The history reads back in order; the status on a date is derived from it.
    let h = get(&state, &format!("{ITEMS}/{id}/events?date=2005-12-31")).await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    let events = h.body["events"].as_array().expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["to"], "established");
    assert_eq!(events[0]["act"]["number"], "512/QĐ-UBND");
    assert_eq!(events[1]["from"], "established");
    assert_eq!(events[1]["note"], "khởi công");
    assert_eq!(h.body["status"], "infrastructure");
    assert_eq!(h.body["status_on_date"], "established");
    let before = get(&state, &format!("{ITEMS}/{id}/events?date=2000-01-01")).await;
    assert_eq!(before.body["status_on_date"], Value::Null);

    // The status is not edited with PUT.
    let mut edit = get(&state, &format!("{ITEMS}/{id}")).await.body;
    edit["properties"]["status"] = json!("operating");
    let a =
        call(&state, Method::PUT, &format!("{ITEMS}/{id}"), &[("content-type", "application/geo+json")], Some(&edit))
            .await;
    assert_eq!(problem_type(&a), "status-change-needs-event", "{}", a.text);
    assert_eq!(get(&state, &format!("{ITEMS}/{id}/events")).await.body["events"].as_array().map(Vec::len), Some(2));
}

fn rule<'a>(a: &'a Answer, id: &str) -> &'a Value {
    a.body["rules"].as_array().and_then(|r| r.iter().find(|r| r["rule_id"] == id)).unwrap_or(&Value::Null)
}

async fn size_rules_hold_just_inside_and_refuse_just_outside(state: AppState) {
    let cases: &[(&str, f64, Value, bool)] = &[
        ("A", 9.99, json!({}), false),
        ("B", 10.01, json!({}), true),
        ("C", 74.99, json!({}), true),
        ("D", 75.01, json!({}), false),
        ("E", 4.99, json!({ "craft_village": true }), false),
        ("F", 5.01, json!({ "craft_village": true }), true),
        ("G", 4.99, json!({ "mountainous": true }), false),
        ("H", 5.01, json!({ "mountainous": true }), true),
        ("I", 150.0, json!({ "kind": "industrial_park" }), true),
    ];
    for (i, (code, ha, extra, ok)) in cases.iter().enumerate() {
        let a = post_tm3(&state, ITEMS, &cluster(code, square_ha(i as f64 * 2_000.0, *ha), extra.clone())).await;
        if *ok {
            assert_eq!(a.status, StatusCode::CREATED, "{code} {ha} ha: {}", a.text);
        } else {
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{code} {ha} ha: {}", a.text);
            assert_eq!(problem_type(&a), "rule-violation");
            let id = if *ha > 50.0 { "d32.size.max" } else { "d32.size.min" };
            let r = rule(&a, id);
            assert_eq!(r["passed"], false, "{}", a.text);
            assert_eq!(r["severity"], "hard");
            assert!((r["measured"].as_f64().expect("measured") - ha).abs() < 1e-3, "{}", a.text);
            assert!(r["message_vi"].as_str().is_some_and(|m| m.contains("ha")));
            assert!(r["message_en"].as_str().is_some_and(|m| m.contains("ha")));
        }
    }
    // An edit beyond the cap is refused too, and changes nothing.
    let items = get(&state, &format!("{ITEMS}?limit=100")).await;
    let b = items.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == "B")
        .expect("B")
        .clone();
    let id = b["id"].as_i64().expect("id");
    let mut bigger = cluster("B", square_ha(0.0, 80.0), json!({}));
    bigger["properties"]["name"] = b["properties"]["name"].clone();
    let a = call(
        &state,
        Method::PUT,
        &format!("{ITEMS}/{id}"),
        &[("content-type", "application/geo+json"), ("content-crs", TM3)],
        Some(&bigger),
    )
    .await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    assert_eq!(get(&state, &format!("{ITEMS}/{id}")).await.body["properties"]["version"], 1);
}

/// Two industrial zones in a 50 ha cluster: `leased` ha leased and `10 - leased` not.
async fn zones_with_occupancy(state: &AppState, cluster: i64, dx: f64, leased: f64) {
    let leased_h = leased * 10_000.0 / 200.0;
    for (i, (h, is_leased)) in [(leased_h, true), (500.0 - leased_h, false)].iter().enumerate() {
        let y = if i == 0 { 10.0 } else { 10.0 + leased_h };
        let zone = json!({
            "type": "Feature",
            "geometry": { "type": "Polygon", "coordinates": rect_m(dx + 10.0, y, 200.0, *h) },
            "properties": { "cluster_id": cluster, "land_use": "IND", "leased": is_leased, "tenant": is_leased.then_some("Công ty A") },
        });
        let a = post_tm3(state, ZONES, &zone).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
}

async fn expansion_rules_hold_just_inside_and_refuse_just_outside(state: AppState) {
    let expand = |dx: f64, ha: f64, extra: Value| {
        let mut body = json!({ "geometry": { "type": "Polygon", "coordinates": square_ha(dx, ha) } });
        if let Value::Object(more) = extra {
            for (k, v) in more {
                body[k] = v;
            }
        }
        body
    };
    // Occupancy 60 % (just inside) expands to 74.99 ha; 75.01 ha is refused.
    let id = cluster_at(&state, "X1", ClusterStatus::Operating, 0.0).await;
    let side50 = (50.0f64 * 10_000.0).sqrt();
    let a = call(&state, Method::PUT, &format!("{ITEMS}/{id}"), &[("content-type", "application/geo+json"), ("content-crs", TM3)], Some(&cluster("X1", rect_m(0.0, 0.0, side50, side50), json!({ "status": "operating", "roads_completed": true, "water_completed": true, "wastewater_completed": true })))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    zones_with_occupancy(&state, id, 0.0, 6.0).await;
    let sheet = get(&state, &format!("{ITEMS}/{id}/planning")).await;
    assert_eq!(sheet.body["land"]["occupancy_pct"], 60.0, "{}", sheet.text);
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(0.0, 75.01, json!({}))).await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    assert_eq!(rule(&a, "d32.expansion.total_area")["passed"], false);
    assert_eq!(rule(&a, "d32.expansion.occupancy")["passed"], true);
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(0.0, 74.99, json!({}))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert!((a.body["feature"]["properties"]["area_ha"].as_f64().expect("area") - 74.99).abs() < 1e-3);
    let recorded = &a.body["event"]["rule_results"];
    assert_eq!(recorded.as_array().map(Vec::len), Some(4), "rule results are kept with the event");

    // Occupancy 59 % (just outside): refused as hard without declared demand; with declared
    // demand it is conditional and goes through only with an override and its reason.
    let id = cluster_at(&state, "X2", ClusterStatus::Operating, 5_000.0).await;
    let a = call(&state, Method::PUT, &format!("{ITEMS}/{id}"), &[("content-type", "application/geo+json"), ("content-crs", TM3)], Some(&cluster("X2", rect_m(5_000.0, 0.0, side50, side50), json!({ "status": "operating", "roads_completed": true, "water_completed": true, "wastewater_completed": true })))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    zones_with_occupancy(&state, id, 5_000.0, 5.9).await;
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(5_000.0, 60.0, json!({}))).await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    let r = rule(&a, "d32.expansion.occupancy");
    assert_eq!(
        (r["passed"].clone(), r["severity"].clone(), r["measured"].clone()),
        (json!(false), json!("hard"), json!(59.0))
    );
    let a = change(
        &state,
        id,
        ClusterStatus::Expanded,
        10,
        expand(5_000.0, 60.0, json!({ "excess_demand_declared": true })),
    )
    .await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    assert_eq!(rule(&a, "d32.expansion.occupancy")["severity"], "conditional");
    let overrides = json!({ "excess_demand_declared": true, "overrides": [{ "rule_id": "d32.expansion.occupancy", "reason": "" }] });
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(5_000.0, 60.0, overrides)).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "an override needs a reason: {}", a.text);
    let overrides = json!({ "excess_demand_declared": true, "overrides": [{ "rule_id": "d32.expansion.occupancy", "reason": "Đăng ký thuê 12 ha của 3 doanh nghiệp" }] });
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(5_000.0, 60.0, overrides)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["event"]["overrides"][0]["reason"], "Đăng ký thuê 12 ha của 3 doanh nghiệp");

    // Infrastructure not completed: hard, whatever the occupancy.
    let id = create(&state, "X3", square_ha(10_000.0, 20.0), json!({})).await;
    for (i, to) in
        [ClusterStatus::Established, ClusterStatus::Infrastructure, ClusterStatus::Operating].iter().enumerate()
    {
        assert_eq!(change(&state, id, *to, i as u32 + 1, json!({})).await.status, StatusCode::CREATED);
    }
    let a = change(&state, id, ClusterStatus::Expanded, 10, expand(10_000.0, 30.0, json!({ "excess_demand_declared": true, "overrides": [{ "rule_id": "d32.expansion.infrastructure", "reason": "x" }] }))).await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    let r = rule(&a, "d32.expansion.infrastructure");
    assert_eq!((r["passed"].clone(), r["severity"].clone()), (json!(false), json!("hard")));
    // And an expansion needs its new boundary.
    let a = change(&state, id, ClusterStatus::Expanded, 10, json!({})).await;
    assert_eq!(problem_type(&a), "expansion-boundary-required", "{}", a.text);
}

/// A district around the origin so that establishment has a district to look at.
async fn load_district(store: &dyn Store) {
    use clusterplan_core::units::{Unit, UnitLevel};
    let boundary = clusterplan_core::geometry::validate(&clusterplan_core::RawBoundary::Polygon(vec![vec![
        vec![106.0, 10.0],
        vec![106.8, 10.0],
        vec![106.8, 10.4],
        vec![106.0, 10.4],
        vec![106.0, 10.0],
    ]]))
    .expect("valid");
    let unit = Unit {
        code: "834".into(),
        name: "Huyện Giồng Trôm".into(),
        level: UnitLevel::District,
        parent_code: Some("83".into()),
        valid_from: chrono::NaiveDate::from_ymd_opt(1992, 1, 1).expect("date"),
        valid_to: None,
        boundary,
        notes: None,
    };
    store.load_units(&[unit], &[]).await.expect("units");
}

/// With a rule set whose unleased-land limit is 5 ha: an existing cluster with 10 ha of
/// leasable industrial land and `leased` ha leased.
async fn establishment_with(state: &AppState, leased: f64, dx: f64) -> Answer {
    let existing = cluster_at(state, &format!("E{dx}"), ClusterStatus::Established, dx).await;
    let side50 = (50.0f64 * 10_000.0).sqrt();
    let a = call(state, Method::PUT, &format!("{ITEMS}/{existing}"), &[("content-type", "application/geo+json"), ("content-crs", TM3)], Some(&cluster(&format!("E{dx}"), rect_m(dx, 0.0, side50, side50), json!({ "status": "established", "roads_completed": true, "water_completed": true, "wastewater_completed": true })))).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    zones_with_occupancy(state, existing, dx, leased).await;
    let new = create(state, &format!("N{dx}"), square_ha(dx + 1_000.0, 20.0), json!({})).await;
    let a = change(state, new, ClusterStatus::Established, 5, json!({})).await;
    // Leave the district as it was for the next case: the existing cluster is revoked with
    // effect before the next case's establishment.
    assert_eq!(change(state, existing, ClusterStatus::Revoked, 3, json!({})).await.status, StatusCode::CREATED);
    a
}

async fn establishment_is_flagged_where_the_district_is_half_empty(state: AppState) {
    load_district(state.store.as_ref()).await;
    // 5.1 ha leased of 10: 51 % average occupancy, more than 50 %: passes.
    let a = establishment_with(&state, 5.1, 0.0).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    // 5 ha leased: 50 % is not more than 50 %, but 5 ha unleased is within the 5 ha limit.
    let a = establishment_with(&state, 5.0, 3_000.0).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    // 4.9 ha leased: 49 % and 5.1 ha unleased: flagged; needs an override with a reason.
    let a = establishment_with(&state, 4.9, 6_000.0).await;
    assert_eq!(problem_type(&a), "rule-violation", "{}", a.text);
    let r = rule(&a, "d32.establishment.district_occupancy");
    assert_eq!(
        (r["passed"].clone(), r["severity"].clone(), r["measured"].clone()),
        (json!(false), json!("conditional"), json!(49.0))
    );
    let id = get(&state, &format!("{ITEMS}?limit=1000")).await.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["code"] == "N6000")
        .and_then(|f| f["id"].as_i64())
        .expect("N6000");
    let a = change(&state, id, ClusterStatus::Established, 7, json!({ "overrides": [{ "rule_id": "d32.establishment.district_occupancy", "reason": "Dự án trọng điểm của tỉnh" }] })).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    assert_eq!(a.body["event"]["overrides"][0]["rule_id"], "d32.establishment.district_occupancy");
}

async fn zones_must_lie_inside_their_cluster_without_overlap(state: AppState) {
    let id = create(&state, "Z", rect_m(0.0, 0.0, 500.0, 400.0), json!({})).await;
    let zone = |coords: Value, land_use: &str| {
        json!({
            "type": "Feature",
            "geometry": { "type": "Polygon", "coordinates": coords },
            "properties": { "cluster_id": id, "land_use": land_use, "label": "CN-01" },
        })
    };
    let a = post_tm3(&state, ZONES, &zone(rect_m(0.0, 0.0, 200.0, 200.0), "IND")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let first = a.body["id"].as_i64().expect("id");
    assert_eq!(a.body["properties"]["leasable"], true, "industrial land is leasable by default");
    // 100 m × 100 m outside the cluster's east edge.
    let a = post_tm3(&state, ZONES, &zone(rect_m(400.0, 0.0, 200.0, 100.0), "WH")).await;
    assert_eq!(problem_type(&a), "zone-placement", "{}", a.text);
    let p = &a.body["problems"][0];
    assert_eq!(p["code"], "zone-outside-cluster");
    assert!((p["area_m2"].as_f64().expect("area") - 10_000.0).abs() < 5.0, "{}", a.text);
    let point = p["point"].as_array().expect("point");
    assert!(point[0].as_f64().expect("lon") > 106.40, "{}", a.text);
    // 50 m × 200 m over the first zone.
    let a = post_tm3(&state, ZONES, &zone(rect_m(150.0, 0.0, 200.0, 200.0), "GRN")).await;
    assert_eq!(problem_type(&a), "zone-placement", "{}", a.text);
    let p = &a.body["problems"][0];
    assert_eq!(p["code"], "zone-overlap");
    assert_eq!(p["zone_id"], first);
    assert!((p["area_m2"].as_f64().expect("area") - 10_000.0).abs() < 5.0, "{}", a.text);
    assert!(p["bbox"].as_array().is_some_and(|b| b.len() == 4));
    // Touching along an edge is not an overlap.
    let a = post_tm3(&state, ZONES, &zone(rect_m(200.0, 0.0, 200.0, 200.0), "WWTP")).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    // Nothing refused was written; a bad attribute is a 422 naming the field.
    let listed = get(&state, &format!("{ZONES}?cluster_id={id}")).await;
    assert_eq!(listed.body["numberMatched"], 2, "{}", listed.text);
    let mut bad = zone(rect_m(0.0, 250.0, 100.0, 100.0), "XYZ");
    bad["properties"]["leased"] = json!(true);
    let a = post_tm3(&state, ZONES, &bad).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
    // A cluster with zones cannot be deleted.
    let a = call(&state, Method::DELETE, &format!("{ITEMS}/{id}"), &[], None).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
    // Occupancy is derived: lease the first zone (4 ha of 4 ha leasable IND).
    let mut lease = get(&state, &format!("{ZONES}/{first}")).await.body;
    lease["properties"]["leased"] = json!(true);
    lease["properties"]["tenant"] = json!("Công ty B");
    let a = call(
        &state,
        Method::PUT,
        &format!("{ZONES}/{first}"),
        &[("content-type", "application/geo+json"), ("if-match", "\"1\"")],
        Some(&lease),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let sheet = get(&state, &format!("{ITEMS}/{id}/planning")).await;
    assert_eq!(sheet.body["land"]["occupancy_pct"], 100.0, "{}", sheet.text);
    assert_eq!(sheet.body["land"]["zones"], 2);
}

async fn seeded(state: &AppState) -> std::collections::HashMap<String, i64> {
    clusterplan_server::demo::seed_if_empty(state.store.as_ref(), Crs::VN2000_TM3_10545).await.expect("seed");
    let items = get(state, &format!("{ITEMS}?limit=100")).await;
    items.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            (f["properties"]["code"].as_str().unwrap_or_default().to_owned(), f["id"].as_i64().unwrap_or_default())
        })
        .collect()
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|l| l.iter().filter_map(|u| u["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn units_of_a_cluster_follow_the_2009_and_2025_reorganisations(state: AppState) {
    let ids = seeded(&state).await;
    let phmt = ids["BT-CCN-PHMT"];
    let sheet = get(&state, &format!("{ITEMS}/{phmt}/planning?date=1998-12-31")).await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.text);
    let districts = &sheet.body["units"]["district"];
    let mut found = codes(districts);
    found.sort();
    assert_eq!(found, ["829", "834"], "Phú Hưng–Mỹ Thạnh spans Bến Tre town and Giồng Trôm: {}", sheet.text);
    let names: Vec<&str> = districts.as_array().expect("districts").iter().filter_map(|d| d["name"].as_str()).collect();
    assert!(names.contains(&"Thị xã Bến Tre"), "{names:?}");
    let total: f64 = districts.as_array().expect("districts").iter().filter_map(|d| d["share"].as_f64()).sum();
    assert!((total - 1.0).abs() < 1e-3, "shares add up to the whole cluster: {total}");
    assert_eq!(codes(&sheet.body["units"]["province"]), ["83"]);
    assert_eq!(sheet.body["status_on_date"], "in_plan");

    // 2010: the town is a city; 2025-07-01: no districts, the new communes, province 86.
    let sheet = get(&state, &format!("{ITEMS}/{phmt}/planning?date=2010-01-01")).await;
    let names: Vec<&str> =
        sheet.body["units"]["district"].as_array().expect("d").iter().filter_map(|d| d["name"].as_str()).collect();
    assert!(names.contains(&"Thành phố Bến Tre"), "{}", sheet.text);
    let sheet = get(&state, &format!("{ITEMS}/{phmt}/planning?date=2025-07-01")).await;
    assert_eq!(sheet.body["units"]["district"], json!([]), "{}", sheet.text);
    assert_eq!(codes(&sheet.body["units"]["province"]), ["86"]);
    assert!(sheet.body["units"]["commune"].as_array().is_some_and(|c| c.len() >= 2), "{}", sheet.text);
    let sheet = get(&state, &format!("{ITEMS}/{phmt}/planning?date=2025-06-30")).await;
    let mut found = codes(&sheet.body["units"]["district"]);
    found.sort();
    assert_eq!(found, ["829", "834"]);

    // Tân Thành Bình: Mỏ Cày until the 2009 split, then Mỏ Cày Bắc.
    let ttb = ids["BT-CCN-TTB"];
    let before = get(&state, &format!("{ITEMS}/{ttb}/planning?date=2008-12-31")).await;
    let after = get(&state, &format!("{ITEMS}/{ttb}/planning?date=2009-02-09")).await;
    assert_eq!(before.body["units"]["district"][0]["name"], "Huyện Mỏ Cày", "{}", before.text);
    assert_eq!(after.body["units"]["district"][0]["name"], "Huyện Mỏ Cày Bắc", "{}", after.text);
    assert_eq!(after.body["units"]["district"][0]["code"], "838");
    // Units and successions are served.
    let units = get(&state, "/units?date=1998-12-31&level=district").await;
    assert_eq!(units.body["features"].as_array().map(Vec::len), Some(8), "{}", units.text);
    let units = get(&state, "/units?date=2025-07-01&level=district").await;
    assert_eq!(units.body["features"].as_array().map(Vec::len), Some(0));
    let successions = get(&state, "/units/successions").await;
    assert!(successions.text.contains("\"split\"") && successions.text.contains("\"abolish\""), "{}", successions.text);
}

async fn zoning_answers_what_is_planned_at_a_point(state: AppState) {
    let ids = seeded(&state).await;
    let pn = ids["BT-CCN-PN"];
    // A point inside one of Phong Nẫm's zones.
    let zones = get(&state, &format!("{ZONES}?cluster_id={pn}")).await;
    let zone = zones.body["features"]
        .as_array()
        .and_then(|z| z.iter().find(|z| z["properties"]["land_use"] == "IND"))
        .expect("an IND zone")
        .clone();
    let ring = zone["geometry"]["coordinates"].as_array().expect("coords");
    let first = if zone["geometry"]["type"] == "Polygon" { &ring[0] } else { &ring[0][0] };
    let pts: Vec<(f64, f64)> = first
        .as_array()
        .expect("ring")
        .iter()
        .map(|p| (p[0].as_f64().unwrap_or(0.0), p[1].as_f64().unwrap_or(0.0)))
        .collect();
    let (lon, lat) = (
        pts.iter().map(|p| p.0).sum::<f64>() / pts.len() as f64,
        pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64,
    );
    let a = get(&state, &format!("/zoning?lon={lon}&lat={lat}&date=2015-01-01")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["planned"], true, "{}", a.text);
    let c = &a.body["clusters"][0];
    assert_eq!(c["code"], "BT-CCN-PN");
    assert_eq!(c["status"], "operating");
    assert_eq!(c["land_use"], "IND");
    assert_eq!(c["zones"][0]["id"], zone["id"]);
    assert!(codes(&a.body["units"]).contains(&"834".to_owned()), "{}", a.text);
    // The same point in VN-2000 TM-3 metres, X = northing, Y = easting.
    let mut p = [geo_types::Coord { x: lon, y: lat }];
    clusterplan_core::crs::transform_coords(Crs::WGS84, Crs::VN2000_TM3_10545, &mut p).expect("transform");
    let b = get(&state, &format!("/zoning?x={}&y={}&crs=EPSG:9210&date=2015-01-01", p[0].y, p[0].x)).await;
    assert_eq!(b.body["clusters"][0]["code"], "BT-CCN-PN", "{}", b.text);
    // Before the cluster was planned, and somewhere with nothing planned: an empty answer.
    let before = get(&state, &format!("/zoning?lon={lon}&lat={lat}&date=1995-01-01")).await;
    assert_eq!((before.body["planned"].clone(), before.body["clusters"].clone()), (json!(false), json!([])));
    let nothing = get(&state, "/zoning?lon=106.1&lat=9.9").await;
    assert_eq!(nothing.status, StatusCode::OK);
    assert_eq!(nothing.body["clusters"], json!([]));
    // Open tasks of the point's units are listed: the 1998 pilot commune of Phú Hưng.
    let phmt_point = get(&state, "/zoning?lon=106.414&lat=10.2405&date=1998-12-31").await;
    assert_eq!(phmt_point.body["clusters"][0]["code"], "BT-CCN-PHMT", "{}", phmt_point.text);
    assert!(phmt_point.text.contains("xã điểm"), "{}", phmt_point.text);
    // Bad parameters are 400s.
    for q in
        ["lon=1", "x=1&y=2", "lon=a&lat=1", "lon=1&lat=2&crs=EPSG:9210", "lon=1&lat=2&date=1998-13-01", "lon=500&lat=1"]
    {
        assert_eq!(get(&state, &format!("/zoning?{q}")).await.status, StatusCode::BAD_REQUEST, "{q}");
    }
    let _ = pn;
}

/// The centre of a rectangle of [`rect_m`] in WGS 84 (lon, lat).
fn centre_of(dx: f64, dy: f64, width: f64, height: f64) -> (f64, f64) {
    let (east, north) = origin();
    let mut c = [geo_types::Coord { x: east + dx + width / 2.0, y: north + dy + height / 2.0 }];
    clusterplan_core::crs::transform_coords(Crs::VN2000_TM3_10545, Crs::WGS84, &mut c).expect("transform");
    (c[0].x, c[0].y)
}

async fn the_public_reads_the_published_plan_at_a_point_and_no_draft(state: AppState) {
    let published = create(&state, "PUB", rect_m(0.0, 0.0, 500.0, 400.0), json!({})).await;
    let zone = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": rect_m(100.0, 100.0, 100.0, 100.0) },
        "properties": { "cluster_id": published, "land_use": "IND", "label": "CN-01" },
    });
    let made = post_tm3(&state, ZONES, &zone).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let zone_id = made.body["id"].clone();
    assert_eq!(post(&state, "/collections/clusters/publish", &json!({})).await.status, StatusCode::OK);
    // After the publication: a draft-only cluster, and the published zone's land use changed.
    create(&state, "DRAFT", rect_m(1000.0, 0.0, 500.0, 400.0), json!({})).await;
    let mut green = zone.clone();
    green["properties"]["land_use"] = json!("GRN");
    let uri = format!("{ZONES}/{zone_id}");
    let edited = call(
        &state,
        Method::PUT,
        &uri,
        &[("content-type", "application/geo+json"), ("content-crs", TM3)],
        Some(&green),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);

    let (zlon, zlat) = centre_of(100.0, 100.0, 100.0, 100.0);
    let (dlon, dlat) = centre_of(1000.0, 0.0, 500.0, 400.0);
    let at_zone = format!("/zoning?lon={zlon}&lat={zlat}");
    let at_draft = format!("/zoning?lon={dlon}&lat={dlat}");
    // The public: the published cluster and zone as published, no task; nothing at the draft.
    let at_zone_answer = public_get(&state, &at_zone).await;
    assert_eq!(at_zone_answer.status, StatusCode::OK, "{}", at_zone_answer.text);
    let cluster = &at_zone_answer.body["clusters"][0];
    assert_eq!(
        (&cluster["code"], &cluster["status"], &cluster["land_use"]),
        (&json!("PUB"), &json!("in_plan"), &json!("IND")),
        "{}",
        at_zone_answer.text
    );
    assert_eq!(cluster["zones"][0]["id"], zone_id);
    assert_eq!(cluster["open_tasks"], json!([]));
    let at_draft_answer = public_get(&state, &at_draft).await;
    assert_eq!(at_draft_answer.status, StatusCode::OK, "{}", at_draft_answer.text);
    assert_eq!(
        (&at_draft_answer.body["planned"], &at_draft_answer.body["clusters"]),
        (&json!(false), &json!([])),
        "no draft leaks: {}",
        at_draft_answer.text
    );
    // A planner: today's draft, or the published plan when asked.
    assert_eq!(get(&state, &at_draft).await.body["clusters"][0]["code"], "DRAFT");
    assert_eq!(get(&state, &at_zone).await.body["clusters"][0]["land_use"], "GRN");
    assert_eq!(get(&state, &format!("{at_draft}&layer=published")).await.body["clusters"], json!([]));
    assert_eq!(get(&state, &format!("{at_zone}&layer=published")).await.body["clusters"][0]["land_use"], "IND");
    assert_eq!(public_get(&state, &format!("{at_draft}&layer=draft")).await.status, StatusCode::UNAUTHORIZED);

    // The zones collection: the public reads the published zones, and its document.
    let zones = public_get(&state, ZONES).await;
    assert_eq!(zones.status, StatusCode::OK, "{}", zones.text);
    assert_eq!(zones.body["numberMatched"], 1, "{}", zones.text);
    assert_eq!(zones.body["features"][0]["properties"]["land_use"], "IND");
    assert_eq!(get(&state, ZONES).await.body["features"][0]["properties"]["land_use"], "GRN");
    assert_eq!(public_get(&state, &format!("{ZONES}?asOf=2020-01-01T00:00:00Z")).await.status, StatusCode::BAD_REQUEST);
    let doc = public_get(&state, "/collections/zones").await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    assert_eq!(doc.body["id"], "zones");
    let bbox = doc.body["extent"]["spatial"]["bbox"][0].as_array().expect("bbox").clone();
    assert!(bbox[0].as_f64() < Some(zlon) && bbox[2].as_f64() > Some(zlon), "{}", doc.text);
    assert_eq!(doc.body["last_published"]["seq"], 1, "{}", doc.text);
    let list = public_get(&state, "/collections").await;
    let ids: Vec<&Value> = list.body["collections"].as_array().expect("collections").iter().map(|c| &c["id"]).collect();
    assert_eq!(
        ids,
        [&json!("clusters"), &json!("zones"), &json!("units"), &json!("designations"), &json!("investors")]
    );

    // Zone tiles: the public's are the published zones, with the land use drawn.
    let tilejson = public_get(&state, "/collections/zones/tiles/WebMercatorQuad/tilejson.json").await;
    assert_eq!(tilejson.status, StatusCode::OK, "{}", tilejson.text);
    assert_eq!(tilejson.body["vector_layers"][0]["id"], "zones");
    assert_eq!(tilejson.body["vector_layers"][0]["fields"]["land_use"], "String");
    assert!(tilejson.body["tiles"][0].as_str().is_some_and(|t| t.ends_with("?layer=published")), "{}", tilejson.text);
    let side = f64::from(1u32 << 17);
    let x = ((zlon + 180.0) / 360.0 * side).floor();
    let y = ((1.0 - zlat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * side).floor();
    let tile = format!("/collections/zones/tiles/WebMercatorQuad/17/{y}/{x}");
    let public_tile = app(state.clone())
        .oneshot(Request::get(&tile).header(header::HOST, "test.local").body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(public_tile.status(), StatusCode::OK);
    let bytes = public_tile.into_body().collect().await.expect("body").to_bytes();
    assert!(bytes.windows(3).any(|w| w == b"IND"), "the published land use is drawn");
    assert!(!bytes.windows(3).any(|w| w == b"GRN"), "not the draft's");
    assert_eq!(public_get(&state, &format!("{tile}?layer=draft")).await.status, StatusCode::UNAUTHORIZED);

    // One publication makes both public.
    assert_eq!(post(&state, "/collections/clusters/publish", &json!({})).await.status, StatusCode::OK);
    assert_eq!(public_get(&state, &at_draft).await.body["clusters"][0]["code"], "DRAFT");
    assert_eq!(public_get(&state, &at_zone).await.body["clusters"][0]["land_use"], "GRN");
    assert_eq!(public_get(&state, ZONES).await.body["features"][0]["properties"]["land_use"], "GRN");
}

async fn units_are_a_public_collection_selected_by_datetime(state: AppState) {
    seeded(&state).await;
    let names = |a: &Answer| -> Vec<String> {
        a.body["features"].as_array().map_or_else(Vec::new, |f| {
            f.iter().map(|u| u["properties"]["name"].as_str().unwrap_or_default().to_owned()).collect()
        })
    };
    let doc = public_get(&state, "/collections/units").await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.text);
    assert_eq!(doc.body["id"], "units");
    let interval = &doc.body["extent"]["temporal"]["interval"][0];
    assert!(interval[0].as_str().is_some_and(|t| t.starts_with("19")), "{}", doc.text);
    assert_eq!(interval[1], Value::Null, "communes are valid today: {}", doc.text);
    let listed = public_get(&state, "/collections").await;
    assert!(listed.body["collections"].as_array().expect("collections").iter().any(|c| c["id"] == "units"));

    let y1998 = public_get(&state, "/collections/units/items?datetime=1998-12-31&level=district").await;
    assert_eq!(y1998.status, StatusCode::OK, "{}", y1998.text);
    let n = names(&y1998);
    assert!(n.contains(&"Thị xã Bến Tre".to_owned()) && n.contains(&"Huyện Mỏ Cày".to_owned()), "{n:?}");
    assert!(!n.contains(&"Huyện Mỏ Cày Bắc".to_owned()), "{n:?}");
    assert_eq!(y1998.body["numberMatched"], n.len());
    let y2015 = public_get(&state, "/collections/units/items?datetime=2015-01-01T12:00:00Z&level=district").await;
    let n = names(&y2015);
    assert!(n.contains(&"Thành phố Bến Tre".to_owned()) && n.contains(&"Huyện Mỏ Cày Bắc".to_owned()), "{n:?}");
    assert!(!n.contains(&"Huyện Mỏ Cày".to_owned()), "{n:?}");
    let y2025 = public_get(&state, "/collections/units/items?datetime=2025-07-01&level=district").await;
    assert_eq!(y2025.body["numberMatched"], 0, "districts were abolished: {}", y2025.text);
    // An interval: every unit valid on some day of it, here Mỏ Cày before and after its split.
    let split = public_get(&state, "/collections/units/items?datetime=2008-01-01/2010-01-01&code=833").await;
    assert_eq!(names(&split), ["Huyện Mỏ Cày", "Huyện Mỏ Cày Nam"], "{}", split.text);
    let open = public_get(&state, "/collections/units/items?datetime=../2000-01-01&code=833").await;
    assert_eq!(names(&open), ["Huyện Mỏ Cày"]);
    // bbox: the city's box in 2015.
    let city = public_get(
        &state,
        "/collections/units/items?bbox=106.36,10.21,106.37,10.22&datetime=2015-01-01&level=district",
    )
    .await;
    assert_eq!(names(&city), ["Thành phố Bến Tre"], "{}", city.text);
    // Paging links repeat the selection.
    let paged = public_get(&state, "/collections/units/items?datetime=1998-12-31&limit=2").await;
    let next =
        paged.body["links"].as_array().expect("links").iter().find(|l| l["rel"] == "next").expect("next").clone();
    assert!(
        next["href"].as_str().is_some_and(|h| h.contains("offset=2") && h.contains("datetime=1998-12-31")),
        "{next}"
    );

    // One unit's period by its id, as JSON and as HTML.
    let id = y1998.body["features"][0]["id"].as_str().expect("id").to_owned();
    let one = public_get(&state, &format!("/collections/units/items/{id}")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.body["id"], id.as_str());
    let page = public_get(&state, &format!("/collections/units/items/{id}?f=html")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains(y1998.body["features"][0]["properties"]["name"].as_str().expect("name")));
    // Read-only, and refusals that say what is wrong.
    for (uri, status) in [
        ("/collections/units/items/829@1800-01-01", StatusCode::NOT_FOUND),
        ("/collections/units/items/nothing", StatusCode::NOT_FOUND),
        ("/collections/units/items?datetime=2025-07-01/2009-01-01", StatusCode::BAD_REQUEST),
        ("/collections/units/items?datetime=soon", StatusCode::BAD_REQUEST),
        ("/collections/units/items?level=hamlet", StatusCode::BAD_REQUEST),
        ("/collections/units/items?date=2015-01-01", StatusCode::BAD_REQUEST),
    ] {
        let a = public_get(&state, uri).await;
        assert_eq!(a.status, status, "{uri}: {}", a.text);
        assert!(a.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{uri}: {}", a.text);
    }
    assert_eq!(public(&state, Method::POST, "/collections/units/items").await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post(&state, "/collections/units/items", &json!({})).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

/// Runs one statement on the test's database, beside the store.
async fn raw_sql(state: &AppState, sql: &str) {
    use sqlx::Executor;
    match &state.config.store {
        StoreConfig::Gpkg(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
            let pool = sqlx::SqlitePool::connect_with(options).await.expect("sqlite");
            pool.execute(sql).await.expect("statement");
            pool.close().await;
        }
        StoreConfig::Postgis(url) => {
            let pool = sqlx::PgPool::connect(url).await.expect("postgres");
            pool.execute(sql).await.expect("statement");
            pool.close().await;
        }
    }
}

async fn zoning_reads_the_events_of_the_clusters_at_the_point_only(state: AppState) {
    let ids = seeded(&state).await;
    // Every event of every other cluster made unreadable: an answer that read them would fail.
    let phmt = ids["BT-CCN-PHMT"];
    raw_sql(&state, &format!("UPDATE cluster_events SET to_status = 'unreadable' WHERE cluster_id <> {phmt}")).await;
    let summary = get(&state, "/summary?level=district&date=1998-12-31").await;
    assert_eq!(summary.status, StatusCode::INTERNAL_SERVER_ERROR, "the summary reads every event: {}", summary.text);
    let a = get(&state, "/zoning?lon=106.414&lat=10.2405&date=1998-12-31").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.body["clusters"][0]["code"], "BT-CCN-PHMT", "{}", a.text);
    assert_eq!(a.body["clusters"][0]["status"], "in_plan", "{}", a.text);
    assert!(a.text.contains("xã điểm"), "the tasks of the point's units are still listed: {}", a.text);
}

async fn summaries_by_unit_work_for_1998_districts_and_2025_communes(state: AppState) {
    seeded(&state).await;
    let a = get(&state, "/summary?level=district&date=1998-12-31").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let units = a.body["units"].as_array().expect("units");
    assert_eq!(units.len(), 8);
    let by = |code: &str| units.iter().find(|u| u["code"] == code).cloned().unwrap_or(Value::Null);
    assert_eq!(by("829")["by_status"]["in_plan"], 1, "{}", a.text);
    assert_eq!(by("834")["by_status"]["in_plan"], 1);
    let shared =
        by("829")["planned_area_ha"].as_f64().unwrap_or(0.0) + by("834")["planned_area_ha"].as_f64().unwrap_or(0.0);
    assert!((shared - 48.0).abs() < 1.0, "the seed cluster's area is split between its two districts: {shared}");
    // Mỏ Cày's Industry & Trade office was not set up by September 1998.
    let overdue = by("833")["overdue_tasks"].as_array().expect("tasks").clone();
    assert!(overdue.iter().any(|t| t["title"].as_str().is_some_and(|t| t.contains("Phòng Công Thương"))), "{}", a.text);
    assert_eq!(by("834")["overdue_tasks"], json!([]));
    // Industrial parks are counted with their own status; occupancy comes from zones.
    let a = get(&state, "/summary?level=district&date=2015-01-01").await;
    let units = a.body["units"].as_array().expect("units");
    let gt = units.iter().find(|u| u["code"] == "834").expect("834");
    assert_eq!(gt["by_status"]["operating"], 1, "Phong Nẫm: {}", a.text);
    // Phong Nẫm is full; the seed cluster's planned plots, none leased yet, count in 834 too
    // (by the share of the cluster lying there), so the district is about a third let.
    assert_eq!(gt["occupancy_pct"], 31.6, "{}", a.text);
    assert!(units.iter().any(|u| u["code"] == "838"), "Mỏ Cày Bắc exists in 2015");
    // 2025 communes.
    let a = get(&state, "/summary?level=commune&date=2025-07-01").await;
    let units = a.body["units"].as_array().expect("units");
    assert_eq!(units.len(), 36, "{}", a.text);
    let with_clusters: u64 = units.iter().filter_map(|u| u["clusters"].as_u64()).sum();
    assert!(with_clusters >= 7, "every demo site is counted in at least one commune: {with_clusters}");
    assert_eq!(get(&state, "/summary?level=hamlet").await.status, StatusCode::BAD_REQUEST);
}

async fn tasks_are_flagged_overdue_for_any_date(state: AppState) {
    seeded(&state).await;
    let a = get(&state, "/tasks?date=1998-10-01&state=overdue").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let titles: Vec<&str> =
        a.body["tasks"].as_array().expect("tasks").iter().filter_map(|t| t["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.contains("Mỏ Cày")), "{titles:?}");
    assert!(!titles.iter().any(|t| t.contains("Phú Hưng–Mỹ Thạnh")), "done in June 1998: {titles:?}");
    let a = get(&state, "/tasks?date=1998-08-01&state=overdue").await;
    assert_eq!(a.body["overdue"], 0, "nothing is overdue before September 1998: {}", a.text);
    let created = post(
        &state,
        "/tasks",
        &json!({ "title": "Quy hoạch chi tiết", "owner_agency": "Sở Công Thương", "due": "2030-12-31" }),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_i64().expect("id");
    let done = post(&state, &format!("/tasks/{id}/done"), &json!({ "done_on": "2026-01-02" })).await;
    assert_eq!(done.body["done_on"], "2026-01-02", "{}", done.text);
    let bad = post(&state, "/tasks", &json!({ "title": "x" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[expect(clippy::too_many_lines, reason = "one matrix of an officer's writes, read top to bottom")]
async fn officers_edit_only_inside_their_unit(state: AppState) {
    use clusterplan_core::units::{Unit, UnitLevel};
    let boundary = clusterplan_core::geometry::validate(&clusterplan_core::RawBoundary::Polygon(vec![vec![
        vec![106.39, 10.22],
        vec![106.44, 10.22],
        vec![106.44, 10.26],
        vec![106.39, 10.26],
        vec![106.39, 10.22],
    ]]))
    .expect("valid");
    let unit = Unit {
        code: "OFF".into(),
        name: "Xã thử".into(),
        level: UnitLevel::Commune,
        parent_code: None,
        valid_from: chrono::NaiveDate::from_ymd_opt(1992, 1, 1).expect("date"),
        valid_to: None,
        boundary,
        notes: None,
    };
    state.store.load_units(&[unit], &[]).await.expect("unit");
    // Inside the unit (the origin is 106.40, 10.23) and far outside it.
    let inside = create(&state, "IN", square_ha(0.0, 20.0), json!({})).await;
    let outside = create(&state, "OUT", square_ha(30_000.0, 20.0), json!({})).await;
    let officer = |method: Method, uri: String, body: Value, crs: bool| {
        let state = state.clone();
        async move {
            let mut headers = vec![("content-type", "application/geo+json")];
            if crs {
                headers.push(("content-crs", TM3));
            }
            call_as(&state, OFFICER_TOKEN, method, &uri, &headers, Some(&body)).await
        }
    };
    let mut edit = cluster("IN", square_ha(0.0, 21.0), json!({ "notes": "sửa trong xã" }));
    let a = officer(Method::PUT, format!("{ITEMS}/{inside}"), edit.clone(), true).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    edit["properties"]["code"] = json!("OUT");
    let a =
        officer(Method::PUT, format!("{ITEMS}/{outside}"), cluster("OUT", square_ha(30_000.0, 21.0), json!({})), true)
            .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    assert_eq!(get(&state, &format!("{ITEMS}/{outside}")).await.body["properties"]["version"], 1, "nothing changed");
    // Moving a feature out of the unit is refused too.
    let a =
        officer(Method::PUT, format!("{ITEMS}/{inside}"), cluster("IN", square_ha(30_000.0, 21.0), json!({})), true)
            .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    // Status changes and zones follow the same rule.
    let event = json!({ "to": "removed", "effective": "2020-03-01", "act": act("5/QĐ-UBND") });
    let a = officer(Method::POST, format!("{ITEMS}/{outside}/events"), event.clone(), false).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    let zone = |id: i64, dx: f64| {
        json!({
            "type": "Feature",
            "geometry": { "type": "Polygon", "coordinates": rect_m(dx + 10.0, 10.0, 100.0, 100.0) },
            "properties": { "cluster_id": id, "land_use": "IND" },
        })
    };
    let a = officer(Method::POST, ZONES.to_owned(), zone(inside, 0.0), true).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let officers_zone = a.body["id"].as_i64().expect("id");
    let a = officer(Method::POST, ZONES.to_owned(), zone(outside, 30_000.0), true).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    // Deleting zones: outside the unit is refused and leaves the zone; inside is allowed.
    let a = post_tm3(&state, ZONES, &zone(outside, 30_000.0)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let far_zone = a.body["id"].as_i64().expect("id");
    let a = call_as(&state, OFFICER_TOKEN, Method::DELETE, &format!("{ZONES}/{far_zone}"), &[], None).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    assert_eq!(
        get(&state, &format!("{ZONES}/{far_zone}/versions")).await.body["versions"].as_array().map(Vec::len),
        Some(1)
    );
    let a = call_as(&state, OFFICER_TOKEN, Method::DELETE, &format!("{ZONES}/{officers_zone}"), &[], None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let v = get(&state, &format!("{ZONES}/{officers_zone}/versions")).await;
    assert_eq!(v.body["versions"][1]["author"], "officer", "{}", v.text);
    let a = officer(Method::POST, format!("{ITEMS}/{inside}/events"), event, false).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    // Tasks are the planners'.
    let task = json!({ "title": "x", "owner_agency": "y", "due": "2030-01-01" });
    let a = officer(Method::POST, "/tasks".to_owned(), task, false).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
    // The public may read but not write.
    let anonymous = app(state.clone())
        .oneshot(
            Request::builder()
                .method(Method::POST)
                .uri(format!("{ITEMS}/{inside}/events"))
                .header(header::HOST, "test.local")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({ "to": "removed" }).to_string()))
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // Officers read the drafts of their own area; outside it, the published layer only.
    let read = |uri: String| {
        let state = state.clone();
        async move { call_as(&state, OFFICER_TOKEN, Method::GET, &uri, &[], None).await }
    };
    let listed = read(format!("{ITEMS}?limit=100")).await;
    let ids: Vec<_> = listed.body["features"].as_array().expect("features").iter().map(|f| f["id"].clone()).collect();
    assert_eq!((ids, &listed.body["numberMatched"]), (vec![json!(inside)], &json!(1)), "{}", listed.text);
    let filtered = read(format!("{ITEMS}?filter=code%3D%27OUT%27")).await;
    assert_eq!(filtered.body["numberMatched"], 0, "a filter cannot reach outside: {}", filtered.text);
    for uri in [
        format!("{ITEMS}/{outside}"),
        format!("{ITEMS}/{outside}/versions"),
        format!("{ITEMS}/{outside}/planning"),
        format!("{ITEMS}/{outside}/events"),
        format!("{ZONES}/{far_zone}"),
        format!("{ZONES}/{far_zone}/versions"),
        "/zoning?lon=106.7&lat=10.23".to_owned(),
        "/collections/clusters/tiles/WebMercatorQuad/14/7549/3827".to_owned(),
    ] {
        let a = read(uri.clone()).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}: {}", a.text);
    }
    assert_eq!(read(format!("{ITEMS}/{inside}")).await.status, StatusCode::OK);
    assert_eq!(read(ZONES.to_owned()).await.body["numberMatched"], 0, "the zone outside is not listed");
    assert_eq!(get(&state, ZONES).await.body["numberMatched"], 1, "the planner sees it");
    // Published, the outside cluster is the officer's to read.
    assert_eq!(post(&state, "/collections/clusters/publish", &json!({})).await.status, StatusCode::OK);
    let a = read(format!("{ITEMS}/{outside}?layer=published")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    // The working state is for accounts; an officer reads that of its area. (The public's
    // `/zoning` and zones answer from the published plan.)
    for uri in [
        "/summary?level=commune",
        "/zoning?lon=106.4&lat=10.23&layer=draft",
        "/tasks",
        "/collections/zones/items?layer=draft",
    ] {
        assert_eq!(public_get(&state, uri).await.status, StatusCode::UNAUTHORIZED, "{uri}");
        let a = call_as(&state, OFFICER_TOKEN, Method::GET, uri, &[], None).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.text);
    }
}

/// An instant as `asOf` takes it, after a pause that keeps it apart from the writes around it.
async fn instant() -> String {
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let t = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    t
}

#[expect(clippy::too_many_lines, reason = "one zone's life, read top to bottom")]
async fn zones_keep_every_version_answer_as_of_and_revert(state: AppState) {
    let id = create(&state, "ZH", rect_m(0.0, 0.0, 500.0, 400.0), json!({})).await;
    let zone = |coords: Value, tenant: Option<&str>| {
        json!({
            "type": "Feature",
            "geometry": { "type": "Polygon", "coordinates": coords },
            "properties": { "cluster_id": id, "land_use": "IND", "label": "CN-01", "leased": tenant.is_some(), "tenant": tenant },
        })
    };
    let before = instant().await;
    let write = |method: Method, uri: String, body: Option<Value>, headers: Vec<(&'static str, &'static str)>| {
        let state = state.clone();
        async move {
            let mut all = vec![("content-type", "application/geo+json"), ("content-crs", TM3)];
            all.extend(headers);
            call(&state, method, &uri, &all, body.as_ref()).await
        }
    };
    let a = write(
        Method::POST,
        ZONES.into(),
        Some(zone(rect_m(0.0, 0.0, 200.0, 200.0), None)),
        vec![("x-change-reason", "Quy ho%E1%BA%A1ch chi ti%E1%BA%BFt")],
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let zid = a.body["id"].as_i64().expect("id");
    let item = format!("{ZONES}/{zid}");
    let t1 = instant().await;
    let leased = zone(rect_m(0.0, 0.0, 200.0, 200.0), Some("Công ty B"));
    let a = write(Method::PUT, item.clone(), Some(leased), vec![("if-match", "\"1\""), ("x-legal-act", "HĐ 12/2024")])
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let t2 = instant().await;
    let grown = zone(rect_m(0.0, 0.0, 250.0, 200.0), Some("Công ty B"));
    let a = write(Method::PUT, item.clone(), Some(grown), vec![("if-match", "\"2\"")]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    // The public may not delete; the planner's delete is version 4, a tombstone.
    let public = app(state.clone())
        .oneshot(Request::delete(&item).header(header::HOST, "test.local").body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    assert_eq!(public.status(), StatusCode::UNAUTHORIZED);
    let a = call(&state, Method::DELETE, &item, &[("if-match", "\"3\""), ("x-change-reason", "dropped")], None).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let t4 = instant().await;
    assert_eq!(get(&state, &item).await.status, StatusCode::NOT_FOUND);

    let list = get(&state, &format!("{item}/versions")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let v = list.body["versions"].as_array().expect("versions");
    let ops: Vec<_> = v.iter().map(|v| v["operation"].as_str().unwrap_or("")).collect();
    assert_eq!(ops, ["create", "update", "update", "delete"]);
    assert_eq!((v[0]["reason"].as_str(), v[0]["author"].as_str()), (Some("Quy hoạch chi tiết"), Some("planner")));
    assert_eq!(v[1]["legal_act"], "HĐ 12/2024");
    assert_eq!(v[1]["feature"]["properties"]["tenant"], "Công ty B");
    assert!(v[3]["feature"].is_null());
    let one = get(&state, &format!("{item}/versions/1")).await;
    assert_eq!(
        (one.body["feature"]["properties"]["leased"].as_bool(), one.body["version"].as_i64()),
        (Some(false), Some(1))
    );
    assert_eq!(get(&state, &format!("{item}/versions/9")).await.status, StatusCode::NOT_FOUND);
    let diff = get(&state, &format!("{item}/diff?from=1&to=3")).await;
    assert_eq!(diff.status, StatusCode::OK, "{}", diff.text);
    let fields: Vec<_> =
        diff.body["attributes"].as_array().expect("attributes").iter().map(|c| c["field"].clone()).collect();
    assert_eq!(fields, [json!("leased"), json!("tenant")]);
    let added = diff.body["area_added_m2"].as_f64().expect("added");
    assert!((added - 10_000.0).abs() < 5.0, "50 m × 200 m added: {}", diff.text);
    assert!(diff.body["area_removed_m2"].as_f64().expect("removed") < 1.0, "{}", diff.text);

    // asOf on the layer and on the item, between versions.
    let at = |t: &str| format!("{ZONES}?cluster_id={id}&asOf={t}");
    assert_eq!(get(&state, &at(&before)).await.body["numberMatched"], 0);
    let then = get(&state, &at(&t1)).await;
    assert_eq!(
        (then.body["numberMatched"].as_u64(), then.body["features"][0]["properties"]["leased"].as_bool()),
        (Some(1), Some(false)),
        "{}",
        then.text
    );
    assert!(then.body["links"][0]["href"].as_str().is_some_and(|h| h.contains("asOf=")), "{}", then.text);
    let then = get(&state, &format!("{item}?asOf={t2}")).await;
    assert_eq!(
        (then.body["properties"]["tenant"].as_str(), then.body["properties"]["version"].as_i64()),
        (Some("Công ty B"), Some(2))
    );
    assert_eq!(get(&state, &at(&t4)).await.body["numberMatched"], 0);
    assert_eq!(get(&state, &format!("{item}?asOf={t4}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&state, &format!("{item}?asOf=yesterday")).await.status, StatusCode::BAD_REQUEST);

    // Revert: the deleted zone comes back as version 5; to the tombstone is a 422.
    let revert = |n: i64| {
        let state = state.clone();
        let uri = format!("{item}/revert");
        async move {
            let body = json!({ "version": n, "reason": "khôi phục" });
            call(&state, Method::POST, &uri, &[("content-type", "application/json")], Some(&body)).await
        }
    };
    assert_eq!(revert(4).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let a = revert(2).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!((a.body["id"].as_i64(), a.body["properties"]["version"].as_i64()), (Some(zid), Some(5)));
    assert_eq!(get(&state, &item).await.body["properties"]["tenant"], "Công ty B");
    // A sibling now stands where version 3 reached: reverting to it is a placement 422.
    let a = write(Method::POST, ZONES.into(), Some(zone(rect_m(200.0, 0.0, 100.0, 200.0), None)), vec![]).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let a = revert(3).await;
    assert_eq!(problem_type(&a), "zone-placement", "{}", a.text);
    let v = get(&state, &format!("{item}/versions")).await;
    assert_eq!(v.body["versions"].as_array().map(Vec::len), Some(5), "a refused revert writes no version");
    assert_eq!(v.body["versions"][4]["reverted_from"], 2);

    // History holds working states: the public gets a 401.
    for uri in [format!("{item}/versions"), format!("{item}/versions/1"), format!("{item}/diff?from=1&to=2")] {
        let public = app(state.clone())
            .oneshot(Request::get(&uri).header(header::HOST, "test.local").body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        assert_eq!(public.status(), StatusCode::UNAUTHORIZED, "{uri}");
    }
}

/// Writes that are not features (tasks, collection metadata, publications) and refusals on
/// zones reach the audit log, named after what was written.
async fn every_write_reaches_the_audit_log(state: AppState) {
    let task = post(
        &state,
        "/tasks",
        &json!({ "title": "Lập quy hoạch chi tiết", "owner_agency": "Sở Công Thương", "due": "1999-06-30" }),
    )
    .await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text);
    let id = task.body["id"].as_i64().expect("id");
    let done = post(&state, &format!("/tasks/{id}/done"), &json!({ "done_on": "1999-05-01" })).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    let meta = call(
        &state,
        Method::PUT,
        "/collections/clusters/metadata",
        &[("content-type", "application/json")],
        Some(&json!({ "title": "Cụm công nghiệp Bến Tre" })),
    )
    .await;
    assert_eq!(meta.status, StatusCode::OK, "{}", meta.text);
    let published = post(&state, "/collections/clusters/publish", &json!({ "note": "bản đầu" })).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    // An officer without a known unit may create no zone: refused, and named a zone write.
    let cluster = create(&state, "AU", rect_m(0.0, 0.0, 400.0, 400.0), json!({})).await;
    let zone = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": rect_m(10.0, 10.0, 100.0, 100.0) },
        "properties": { "cluster_id": cluster, "land_use": "IND" },
    });
    let refused = call_as(
        &state,
        OFFICER_TOKEN,
        Method::POST,
        ZONES,
        &[("content-type", "application/geo+json"), ("content-crs", TM3)],
        Some(&zone),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);

    let audit = state.store.audit_page(50, 0).await.expect("audit");
    let find = |action: &str| audit.iter().find(|e| e.action == action);
    let task_row = find("task.create").expect("task.create audited");
    assert_eq!((task_row.actor.as_deref(), task_row.target.clone()), (Some("planner"), Some(format!("tasks/{id}"))));
    assert_eq!(find("task.done").and_then(|e| e.detail.as_deref()), Some("done on 1999-05-01"));
    assert_eq!(find("collection.metadata").and_then(|e| e.target.as_deref()), Some("clusters"));
    let publication = find("clusters.publish").expect("publication audited");
    assert_eq!(
        (publication.actor.as_deref(), publication.detail.as_deref()),
        (Some("planner"), Some("0 features: bản đầu"))
    );
    let zone_refusal = find("zone.create").expect("zone refusal audited");
    assert_eq!((zone_refusal.outcome.as_str(), zone_refusal.actor.as_deref()), ("refused", Some("officer")));
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    use clusterplan_store::{NewUser, Role};
    for (name, role, unit, token) in
        [("planner", Role::Planner, None, PLANNER_TOKEN), ("officer", Role::Officer, Some("OFF"), OFFICER_TOKEN)]
    {
        let password_hash = clusterplan_server::auth::hash_password("password of the tests").expect("hash");
        store
            .create_user(&NewUser { name: name.into(), role, unit_code: unit.map(str::to_owned), password_hash })
            .await
            .expect("user");
        let made = store.create_token(name, "planning tests", &clusterplan_server::auth::digest(token)).await;
        assert!(made.expect("token"));
    }
    let mut config = Config::for_tests(config);
    // A regime with a small unleased-land limit, so the establishment rule's limits can be
    // reached with a few zones: rules are configuration, not code.
    config.rules = RuleSet { establishment_max_unleased_ha: 5.0, ..RuleSet::decree_32_2024() };
    // Planning rules are the subject here; `If-Match` is the API tests' (writes without it are
    // allowed, as for QGIS with the switch on).
    config.allow_writes_without_if_match = true;
    AppState { store, config: Arc::new(config) }
}

router_suite!(
    every_transition_is_allowed_or_refused_as_the_lifecycle_says,
    a_history_starts_right_needs_acts_and_keeps_its_order,
    size_rules_hold_just_inside_and_refuse_just_outside,
    expansion_rules_hold_just_inside_and_refuse_just_outside,
    establishment_is_flagged_where_the_district_is_half_empty,
    zones_must_lie_inside_their_cluster_without_overlap,
    units_of_a_cluster_follow_the_2009_and_2025_reorganisations,
    zoning_answers_what_is_planned_at_a_point,
    zoning_reads_the_events_of_the_clusters_at_the_point_only,
    the_public_reads_the_published_plan_at_a_point_and_no_draft,
    units_are_a_public_collection_selected_by_datetime,
    summaries_by_unit_work_for_1998_districts_and_2025_communes,
    tasks_are_flagged_overdue_for_any_date,
    officers_edit_only_inside_their_unit,
    zones_keep_every_version_answer_as_of_and_revert,
    every_write_reaches_the_audit_log,
);
