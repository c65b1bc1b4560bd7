//! The rights matrix as a table: every role × collection × operation with the status it must
//! get, on both stores. Each row acts on features of its own, made by a planner just before, so
//! rows do not depend on one another; a refused row must leave the store as it was.
//!
//! Hidden drafts: the public's answer for a feature that exists only as a draft is compared
//! with its answer for an id that never existed (status and problem document alike), for reads
//! and for every write, so that the public cannot enumerate unpublished clusters.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::{AppState, Config, app};
use clusterplan_store::{NewUser, Role, Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::{Answer, send};

const ITEMS: &str = "/collections/clusters/items";
const ZONES: &str = "/collections/zones/items";

/// Who asks. `OfficerOut` is the unit officer acting on features outside its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Public,
    Viewer,
    OfficerIn,
    OfficerOut,
    Planner,
    Admin,
}

/// What is done, on which collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListDraft,
    ListPublished,
    ReadDraft,
    ReadDefault,
    Create,
    Replace,
    Patch,
    Delete,
    Revert,
    Versions,
    Event,
    Events,
    Planning,
    CommentWrite,
    CommentRead,
    Publish,
    Metadata,
    TaskCreate,
    Audit,
    ZoneList,
    ZoneRead,
    ZoneCreate,
    ZoneReplace,
    ZoneDelete,
    ZoneRevert,
    ZoneVersions,
}

use Op::*;
use Who::*;

/// The statuses of each operation for the public, a viewer, the officer inside and outside its
/// unit, a planner and an administrator (the order of [`WHO`]).
const MATRIX: &[(Op, [u16; 6])] = &[
    (ListDraft, [401, 200, 200, 200, 200, 200]),
    (ListPublished, [200, 200, 200, 200, 200, 200]),
    (ReadDraft, [401, 200, 200, 403, 200, 200]),
    // Without `layer`: the public reads the published layer, where a draft-only feature is not.
    (ReadDefault, [404, 200, 200, 403, 200, 200]),
    (Create, [401, 403, 201, 403, 201, 201]),
    (Replace, [401, 403, 200, 403, 200, 200]),
    (Patch, [401, 403, 200, 403, 200, 200]),
    (Delete, [401, 403, 204, 403, 204, 204]),
    (Revert, [401, 403, 200, 403, 200, 200]),
    (Versions, [401, 200, 200, 403, 200, 200]),
    (Event, [401, 403, 201, 403, 201, 201]),
    (Events, [401, 200, 200, 403, 200, 200]),
    (Planning, [401, 200, 200, 403, 200, 200]),
    // Officers comment on any feature; viewers read comments only.
    (CommentWrite, [401, 403, 201, 201, 201, 201]),
    (CommentRead, [401, 200, 200, 200, 200, 200]),
    (Publish, [401, 403, 403, 403, 200, 200]),
    (Metadata, [401, 403, 403, 403, 200, 200]),
    (TaskCreate, [401, 403, 403, 403, 201, 201]),
    (Audit, [401, 403, 403, 403, 403, 200]),
    // The public lists the published zones (a hidden draft's are not among them).
    (ZoneList, [200, 200, 200, 200, 200, 200]),
    (ZoneRead, [401, 200, 200, 403, 200, 200]),
    (ZoneCreate, [401, 403, 201, 403, 201, 201]),
    (ZoneReplace, [401, 403, 200, 403, 200, 200]),
    (ZoneDelete, [401, 403, 204, 403, 204, 204]),
    (ZoneRevert, [401, 403, 200, 403, 200, 200]),
    (ZoneVersions, [401, 200, 200, 403, 200, 200]),
];

const WHO: [Who; 6] = [Public, Viewer, OfficerIn, OfficerOut, Planner, Admin];

/// The public's writes compared between a hidden draft and an id that never existed.
const PUBLIC_WRITES: &[Op] = &[Replace, Patch, Delete, Revert, Event, CommentWrite, ZoneCreate];

fn token(who: Who) -> Option<&'static str> {
    match who {
        Public => None,
        Viewer => Some("cpt_matrix_viewer"),
        OfficerIn | OfficerOut => Some("cpt_matrix_officer"),
        Planner => Some("cpt_matrix_planner"),
        Admin => Some("cpt_matrix_admin"),
    }
}

async fn call(
    state: &AppState,
    who: Who,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    send(state, token(who), method, uri, headers, body).await
}

fn ring(lon: f64, lat: f64, w: f64, h: f64) -> Value {
    json!([[[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]])
}

fn cluster(code: &str, lon: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": ring(lon, 10.23, 0.005, 0.004) },
        "properties": { "code": code, "name": "Mỹ Thạnh", "kind": "cluster", "status": "in_plan" }
    })
}

fn zone(cluster_id: i64, lon: f64, label: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": ring(lon + 0.001, 10.231, 0.001, 0.001) },
        "properties": { "cluster_id": cluster_id, "land_use": "IND", "label": label }
    })
}

const JSON: (&str, &str) = ("content-type", "application/json");
const GEOJSON: (&str, &str) = ("content-type", "application/geo+json");
const MERGE: (&str, &str) = ("content-type", "application/merge-patch+json");

/// A cluster with a second version made by the planner for one row, inside the officer's unit
/// or outside it, with a zone (also at its second version) for the rows about zones (a cluster
/// with zones is not deleted).
struct Fixture {
    id: i64,
    lon: f64,
    zone: Option<i64>,
    code: String,
}

fn about_zones(op: Op) -> bool {
    matches!(op, ZoneList | ZoneRead | ZoneCreate | ZoneReplace | ZoneDelete | ZoneRevert | ZoneVersions)
}

async fn fixture(state: &AppState, n: usize, inside: bool, with_zone: bool) -> Fixture {
    let lon = if inside { 106.40 } else { 106.60 } + (n % 5) as f64 * 0.006;
    let code = format!("M-{n}");
    let made = call(state, Planner, Method::POST, ITEMS, &[GEOJSON], Some(cluster(&code, lon))).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let id = made.body["id"].as_i64().expect("id");
    let mut second = cluster(&code, lon);
    second["properties"]["notes"] = json!("v2");
    let put = call(state, Planner, Method::PUT, &format!("{ITEMS}/{id}"), &[GEOJSON], Some(second)).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    if !with_zone {
        return Fixture { id, lon, zone: None, code };
    }
    let z = call(state, Planner, Method::POST, ZONES, &[GEOJSON], Some(zone(id, lon, "A"))).await;
    assert_eq!(z.status, StatusCode::CREATED, "{}", z.text);
    let zone_id = z.body["id"].as_i64().expect("zone id");
    let mut relabelled = zone(id, lon, "B");
    relabelled["properties"]["leasable"] = json!(true);
    let zput = call(state, Planner, Method::PUT, &format!("{ZONES}/{zone_id}"), &[GEOJSON], Some(relabelled)).await;
    assert_eq!(zput.status, StatusCode::OK, "{}", zput.text);
    Fixture { id, lon, zone: Some(zone_id), code }
}

/// Runs `op` as `who` on the fixture's cluster `id` (and zone `zone`).
async fn run(state: &AppState, who: Who, op: Op, f: &Fixture, id: i64, zone_id: i64) -> Answer {
    let item = format!("{ITEMS}/{id}");
    let zitem = format!("{ZONES}/{zone_id}");
    let act = json!({ "number": "7/QĐ-UBND", "date": "2020-01-01", "authority": "UBND tỉnh Bến Tre" });
    match op {
        ListDraft => call(state, who, Method::GET, &format!("{ITEMS}?layer=draft"), &[], None).await,
        ListPublished => call(state, who, Method::GET, &format!("{ITEMS}?layer=published"), &[], None).await,
        ReadDraft => call(state, who, Method::GET, &format!("{item}?layer=draft"), &[], None).await,
        ReadDefault => call(state, who, Method::GET, &item, &[], None).await,
        Create => {
            let new = cluster(&format!("{}-NEW", f.code), f.lon + 0.0001);
            call(state, who, Method::POST, ITEMS, &[GEOJSON], Some(new)).await
        }
        Replace => {
            let mut moved = cluster(&f.code, f.lon);
            moved["properties"]["notes"] = json!("replaced");
            call(state, who, Method::PUT, &item, &[GEOJSON, ("if-match", "\"2\"")], Some(moved)).await
        }
        Patch => {
            let patch = json!({ "properties": { "notes": "patched" } });
            call(state, who, Method::PATCH, &item, &[MERGE, ("if-match", "\"2\"")], Some(patch)).await
        }
        Delete => call(state, who, Method::DELETE, &item, &[("if-match", "\"2\"")], None).await,
        Revert => {
            call(state, who, Method::POST, &format!("{item}/revert"), &[JSON], Some(json!({ "version": 1 }))).await
        }
        Versions => call(state, who, Method::GET, &format!("{item}/versions"), &[], None).await,
        Event => {
            let event = json!({ "to": "removed", "act": act });
            call(state, who, Method::POST, &format!("{item}/events"), &[JSON], Some(event)).await
        }
        Events => call(state, who, Method::GET, &format!("{item}/events"), &[], None).await,
        Planning => call(state, who, Method::GET, &format!("{item}/planning"), &[], None).await,
        CommentWrite => {
            call(state, who, Method::POST, &format!("{item}/comments"), &[JSON], Some(json!({ "text": "xem lại" })))
                .await
        }
        CommentRead => call(state, who, Method::GET, &format!("{item}/comments"), &[], None).await,
        Publish => call(state, who, Method::POST, "/collections/clusters/publish", &[JSON], Some(json!({}))).await,
        Metadata => {
            let meta = json!({ "title": "Cụm công nghiệp Bến Tre" });
            call(state, who, Method::PUT, "/collections/clusters/metadata", &[JSON], Some(meta)).await
        }
        TaskCreate => {
            let task = json!({ "title": "Lập quy hoạch", "owner_agency": "Sở Công Thương", "due": "2030-12-31" });
            call(state, who, Method::POST, "/tasks", &[JSON], Some(task)).await
        }
        Audit => call(state, who, Method::GET, "/admin/audit", &[], None).await,
        ZoneList => call(state, who, Method::GET, &format!("{ZONES}?cluster_id={id}"), &[], None).await,
        ZoneRead => call(state, who, Method::GET, &zitem, &[], None).await,
        ZoneCreate => {
            let mut plot = zone(id, f.lon, "C");
            plot["geometry"]["coordinates"] = ring(f.lon + 0.003, 10.231, 0.001, 0.001);
            call(state, who, Method::POST, ZONES, &[GEOJSON], Some(plot)).await
        }
        ZoneReplace => {
            call(state, who, Method::PUT, &zitem, &[GEOJSON, ("if-match", "\"2\"")], Some(zone(id, f.lon, "D"))).await
        }
        ZoneDelete => call(state, who, Method::DELETE, &zitem, &[("if-match", "\"2\"")], None).await,
        ZoneRevert => {
            let uri = format!("/collections/zones/items/{zone_id}/revert");
            call(state, who, Method::POST, &uri, &[JSON], Some(json!({ "version": 1 }))).await
        }
        ZoneVersions => {
            call(state, who, Method::GET, &format!("/collections/zones/items/{zone_id}/versions"), &[], None).await
        }
    }
}

/// What a refused row must leave as it was: the cluster's and the zone's versions, the
/// counts of comments, tasks and publications.
async fn footprint(state: &AppState, f: &Fixture) -> (u64, u64, usize, usize, bool, Option<String>) {
    (
        state.store.version_count(f.id).await.expect("versions"),
        match f.zone {
            Some(zone) => state.store.zone_versions(zone).await.expect("zone versions").len() as u64,
            None => 0,
        },
        state.store.comments(f.id).await.expect("comments").len(),
        state.store.list_tasks().await.expect("tasks").len(),
        state.store.last_publication().await.expect("publication").is_some(),
        state.store.collection_meta("clusters").await.expect("meta").title,
    )
}

async fn each_role_gets_its_status_for_each_operation_on_each_collection(state: AppState) {
    let mut failures = Vec::new();
    let mut rows = 0;
    for (n, (op, statuses)) in MATRIX.iter().enumerate() {
        for (k, (who, expected)) in WHO.iter().zip(statuses).enumerate() {
            let f = fixture(&state, n * WHO.len() + k, *who != OfficerOut, about_zones(*op)).await;
            let before = footprint(&state, &f).await;
            let answer = run(&state, *who, *op, &f, f.id, f.zone.unwrap_or(0)).await;
            rows += 1;
            if answer.status.as_u16() != *expected {
                let start: String = answer.text.chars().take(200).collect();
                failures.push(format!("{who:?} {op:?}: {} (expected {expected}) {start}", answer.status));
            }
            if answer.status.is_client_error() && footprint(&state, &f).await != before {
                failures.push(format!("{who:?} {op:?}: refused with {} but the store changed", answer.status));
            }
            if answer.status.is_client_error() {
                assert_eq!(answer.body["status"], answer.status.as_u16(), "a problem document: {}", answer.text);
            }
        }
    }
    assert_eq!(rows, MATRIX.len() * WHO.len());
    assert!(failures.is_empty(), "{} of {rows} cells differ:\n{}", failures.len(), failures.join("\n"));
}

/// The public learns nothing of a feature that exists only as a draft: every read and write
/// of it answers exactly as for an id that never existed, also with a malformed body.
async fn the_public_cannot_tell_a_hidden_draft_from_nothing(state: AppState) {
    let f = fixture(&state, 900, true, true).await;
    let zone = f.zone.expect("zone");
    let (missing, missing_zone) = (f.id + 10_000, zone + 10_000);
    for op in PUBLIC_WRITES.iter().chain(&[ReadDefault, ReadDraft, Versions, Events, Planning, CommentRead, ZoneRead]) {
        let before = footprint(&state, &f).await;
        let hidden = run(&state, Public, *op, &f, f.id, zone).await;
        let nothing = run(&state, Public, *op, &f, missing, missing_zone).await;
        assert!(hidden.status.is_client_error(), "{op:?}: {}", hidden.text);
        // The detail may name the id asked for; nothing else may differ.
        let (mut hidden_body, mut nothing_body) = (hidden.body.clone(), nothing.body.clone());
        for body in [&mut hidden_body, &mut nothing_body] {
            let detail = body["detail"].as_str().unwrap_or_default();
            let mut masked = String::new();
            for c in detail.chars() {
                if !c.is_ascii_digit() {
                    masked.push(c);
                } else if !masked.ends_with('#') {
                    masked.push('#');
                }
            }
            body["detail"] = json!(masked);
        }
        assert_eq!((hidden.status, hidden_body), (nothing.status, nothing_body), "{op:?}");
        assert_eq!(footprint(&state, &f).await, before, "{op:?} changed nothing");
    }
    // A malformed body is no tell either: the refusal comes before any validation.
    let item = format!("{ITEMS}/{}", f.id);
    let gone = format!("{ITEMS}/{missing}");
    for (method, suffix, media) in [
        (Method::PUT, "", GEOJSON),
        (Method::PATCH, "", MERGE),
        (Method::POST, "/events", JSON),
        (Method::POST, "/revert", JSON),
    ] {
        for body in ["not json", "{}", "[1]", r#"{"type": "Feature", "event": "garbage"}"#] {
            let send = |uri: String| {
                let method = method.clone();
                let state = state.clone();
                async move {
                    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "test.local");
                    request = request.header(media.0, media.1).header("if-match", "\"x\"");
                    let response =
                        app(state).oneshot(request.body(Body::from(body)).expect("request")).await.expect("ok");
                    let status = response.status();
                    let bytes = response.into_body().collect().await.expect("body").to_bytes();
                    (status, bytes)
                }
            };
            let hidden = send(format!("{item}{suffix}")).await;
            let nothing = send(format!("{gone}{suffix}")).await;
            assert_eq!(hidden.0, StatusCode::UNAUTHORIZED, "{method} {suffix} {body}");
            assert_eq!(hidden, nothing, "{method} {suffix} {body}");
        }
    }
    let plot = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": ring(f.lon + 0.003, 10.231, 0.001, 0.001) },
        "properties": { "cluster_id": "not a number", "land_use": "nowhere" }
    });
    let refused = call(&state, Public, Method::POST, ZONES, &[GEOJSON], Some(plot)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    for (name, role, unit) in [
        ("viewer", Role::Viewer, None),
        ("officer", Role::Officer, Some("OFF")),
        ("planner", Role::Planner, None),
        ("admin", Role::Admin, None),
    ] {
        let password_hash = clusterplan_server::auth::hash_password("matrix password").expect("hash");
        let user = NewUser { name: name.into(), role, unit_code: unit.map(str::to_owned), password_hash };
        store.create_user(&user).await.expect("user");
        let secret = format!("cpt_matrix_{name}");
        assert!(store.create_token(name, "matrix", &clusterplan_server::auth::digest(&secret)).await.expect("token"));
    }
    // The officer's unit: the commune around 106.40–106.44 E; features at 106.60 lie outside.
    let ring =
        vec![vec![106.39, 10.22], vec![106.44, 10.22], vec![106.44, 10.26], vec![106.39, 10.26], vec![106.39, 10.22]];
    let unit = clusterplan_core::units::Unit {
        code: "OFF".into(),
        name: "Xã thử".into(),
        level: clusterplan_core::units::UnitLevel::Commune,
        parent_code: None,
        valid_from: chrono::NaiveDate::from_ymd_opt(1992, 1, 1).expect("date"),
        valid_to: None,
        boundary: clusterplan_core::geometry::validate(&clusterplan_core::RawBoundary::Polygon(vec![ring]))
            .expect("valid"),
        notes: None,
    };
    store.load_units(&[unit], &[]).await.expect("unit");
    let mut config = Config::for_tests(config);
    // The matrix is about rights; writes name their version where a row sends one.
    config.allow_writes_without_if_match = true;
    AppState { store, config: Arc::new(config) }
}

router_suite!(
    each_role_gets_its_status_for_each_operation_on_each_collection,
    the_public_cannot_tell_a_hidden_draft_from_nothing
);
