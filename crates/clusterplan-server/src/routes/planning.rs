//! Planning routes: status events with legal acts, a cluster's planning sheet, tasks,
//! administrative units, zoning status at a point and summaries per unit.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use clusterplan_core::geometry::validate;
use clusterplan_core::lifecycle::{PlanningTask, StatusEvent, allowed_targets};
use clusterplan_core::units::UnitLevel;
use clusterplan_core::{ClusterDraft, ClusterStatus, Crs, RawBoundary};
use clusterplan_store::{Layer, NewEvent, NewTask, UnitQuery};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{FeatureId, IfMatch, JsonBody, Provenance, RequestCrs, TaskId, known_members};
use super::params::{bad_param, blank_is_absent, known};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::planning::{
    self, EventDoc, LandDoc, RuleDoc, ShareDoc, Summary, TaskDoc, UnitCollection, UnitFeature, Zoning, check_event,
    date_field, enforce, establishment_rules, expansion_rules, field, override_docs, parse_date, parse_event,
    parse_overrides, rule_docs, size_rules, status_on, stored_json, text_field,
};
use crate::rights::{Action, Target, authorize, authorize_caller};
use crate::wire::{WireCrs, feature_json};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/clusters/items/{id}/events", get(list_events).post(record_event))
        .documented("/collections/clusters/items/{id}/planning", get(planning_sheet))
        .documented("/tasks", get(list_tasks).post(create_task))
        .documented("/tasks/{id}/done", post(task_done))
        .documented("/units", get(list_units))
        .documented("/units/successions", get(list_successions))
        .documented("/zoning", get(zoning))
        .documented("/summary", get(summary))
}

/// The members of a status change (`POST …/events`).
const EVENT_MEMBERS: &[&str] = &["to", "effective", "act", "note", "overrides", "excess_demand_declared", "geometry"];
/// The members of a new task, and of a task done.
const TASK_MEMBERS: &[&str] =
    &["title", "owner_agency", "due", "done_on", "unit_code", "act_number", "notes", "cluster_id"];

/// `GET …/events`: a cluster's status history.
#[derive(Serialize, ToSchema)]
pub(crate) struct EventList {
    cluster_id: i64,
    /// The status now (the last event's); `null` before any event.
    status: Option<&'static str>,
    #[schema(value_type = String, format = Date)]
    date: chrono::NaiveDate,
    /// The status on `date`.
    status_on_date: Option<&'static str>,
    /// The statuses the cluster may move to next.
    allowed_next: Vec<&'static str>,
    events: Vec<EventDoc>,
}

/// `POST …/events`: the event recorded and the feature it produced.
#[derive(Serialize, ToSchema)]
pub(crate) struct EventRecorded {
    event: EventDoc,
    /// The cluster after the change (GeoJSON, CRS84).
    #[schema(value_type = Feature)]
    feature: Value,
}

/// `GET …/planning`: a cluster's planning sheet for a day.
#[derive(Serialize, ToSchema)]
pub(crate) struct PlanningSheet {
    id: i64,
    code: String,
    name: String,
    #[schema(value_type = String, format = Date)]
    date: chrono::NaiveDate,
    status: Option<&'static str>,
    status_on_date: Option<&'static str>,
    allowed_next: Vec<&'static str>,
    area_ha: f64,
    /// The units the cluster lies in, per level (`province`, `district`, `commune`).
    units: std::collections::BTreeMap<&'static str, Vec<ShareDoc>>,
    land: LandDoc,
    /// The size rules, checked today.
    rules: Vec<RuleDoc>,
    tasks: Vec<TaskDoc>,
    events: Vec<EventDoc>,
}

/// `GET /tasks`: tasks with their state on a day.
#[derive(Serialize, ToSchema)]
pub(crate) struct TaskList {
    #[schema(value_type = String, format = Date)]
    date: chrono::NaiveDate,
    /// How many of `tasks` are overdue.
    overdue: usize,
    tasks: Vec<TaskDoc>,
}

/// A change of administrative units (a split, merge, rename or abolition).
#[derive(Serialize, ToSchema)]
pub(crate) struct SuccessionDoc {
    /// `split`, `merge`, `rename` or `abolish`.
    kind: &'static str,
    from_code: String,
    /// `null` when the level was abolished.
    to_code: Option<String>,
    #[schema(value_type = String, format = Date)]
    effective: chrono::NaiveDate,
    act: Option<String>,
}

/// `GET /units/successions`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Successions {
    successions: Vec<SuccessionDoc>,
}

/// The request document, which these routes read as an object.
fn object(body: Result<JsonBody, ApiError>) -> Result<Value, ApiError> {
    let value = body?.value;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::BadRequest { kind: "malformed-json", detail: "body must be a JSON object".into() })
    }
}

/// The status history of a cluster
#[utoipa::path(
    get,
    path = "/collections/clusters/items/{id}/events",
    operation_id = "getClusterEvents",
    tag = "Planning",
    params(("id" = i64, Path, description = "The cluster's id"), ("date" = Option<String>, Query, format = Date, description = "The day (YYYY-MM-DD); today by default")),
    responses(
        (status = 200, description = "Events with legal acts, overrides and rule results; the status now and on the date; the next statuses allowed", body = EventList),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<FeatureId, ApiError>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<EventList>, ApiError> {
    crate::rights::require_drafts(&caller)?;
    known(&params, &["date"])?;
    let on = parse_date("date", params.get("date"))?;
    let FeatureId(id) = id?;
    let events = state.store.list_events(id).await?;
    if events.is_empty() {
        // Also answers for a deleted cluster, whose history stays.
        state.store.get_cluster(id).await?;
    }
    // Status events are history: scoped as the cluster's versions are.
    crate::rights::history_scope(&state, &caller, crate::rights::Kept::Clusters, id).await?;
    Ok(Json(EventList {
        cluster_id: id,
        status: events.last().map(|e| e.event.to.code()),
        date: on,
        status_on_date: status_on(&events, on).map(ClusterStatus::code),
        allowed_next: allowed_next(&events),
        events: events.iter().map(EventDoc::from).collect(),
    }))
}

/// Record a status change
///
/// `POST …/events`: a status change with its legal act; an expansion carries the new boundary
/// (`geometry`, GeoJSON, in CRS84 or the `Content-Crs`).
#[utoipa::path(
    post,
    path = "/collections/clusters/items/{id}/events",
    operation_id = "recordClusterEvent",
    tag = "Planning",
    params(("id" = i64, Path, description = "The cluster's id"), docs::IfMatch, docs::ContentCrs, docs::WriteHeaders),
    request_body(content = EventBody, content_type = "application/json", description = "`{to, effective, act: {number, date, authority, link}, note, overrides: [{rule_id, reason}], excess_demand_declared, geometry}`"),
    responses(
        (status = 201, description = "The event and the cluster after it", body = EventRecorded),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn record_event(
    State(state): State<AppState>,
    caller: Caller,
    FeatureId(id): FeatureId,
    if_match: IfMatch,
    crs: Result<RequestCrs, ApiError>,
    Provenance(mut ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("clusters/{id}/events");
    // The public is refused before the cluster is read: a hidden draft answers as nothing.
    authorize_caller(&state, &caller, Action::ReplaceFeature, &path).await?;
    let expected = if_match.version()?;
    let cluster = state.store.get_cluster(id).await?;
    // Who may change this cluster at all, before anything else is read; an expansion's new
    // boundary is checked again below.
    let target = Target::Feature { path: &path, old: Some(cluster.data.boundary.as_multi_polygon()), new: None };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    let doc = object(body)?;
    known_members(&doc, EVENT_MEMBERS, "a status change")?;
    let request = parse_event(&doc, None)?;
    let overrides = parse_overrides(&doc)?;
    let excess_demand = match doc.get("excess_demand_declared") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(declared)) => *declared,
        Some(_) => {
            return Err(ApiError::InvalidFeature {
                geometry: Vec::new(),
                fields: vec![clusterplan_core::FieldProblem {
                    field: "excess_demand_declared",
                    message: "excess_demand_declared must be true or false".into(),
                }],
            });
        }
    };
    let events = state.store.list_events(id).await?;
    let history: Vec<StatusEvent> = events.iter().map(|e| e.event.clone()).collect();
    let event = StatusEvent {
        from: history.last().map(|e| e.to),
        to: request.to,
        effective: request.effective,
        act: request.act,
        note: request.note,
    };
    check_event(&history, &event)?;
    let rules = &state.config.rules;
    let (results, expansion) = match event.to {
        ClusterStatus::Expanded => {
            let draft = expansion_draft(crs?.0, &doc, &cluster.data)?;
            let land = state.store.zone_totals().await?.remove(&id).unwrap_or_default();
            (expansion_rules(rules, &cluster, &draft, &land, excess_demand), Some(draft))
        }
        ClusterStatus::Established => {
            (establishment_rules(state.store.as_ref(), rules, &cluster.data, Some(id), event.effective).await?, None)
        }
        _ => (Vec::new(), None),
    };
    if doc.get("geometry").is_some_and(|g| !g.is_null()) && expansion.is_none() {
        return Err(ApiError::Unprocessable(
            "only an expansion carries a new boundary; edit the boundary with PUT on the feature".into(),
        ));
    }
    let target = Target::Feature {
        path: &path,
        old: Some(cluster.data.boundary.as_multi_polygon()),
        new: Some(expansion.as_ref().unwrap_or(&cluster.data).boundary.as_multi_polygon()),
    };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    enforce(&results, &overrides)?;
    let new = NewEvent {
        event,
        overrides: stored_json(&override_docs(&overrides))?,
        rule_results: stored_json(&rule_docs(&results))?,
    };
    ctx.reason = ctx.reason.or_else(|| new.event.note.clone());
    ctx.legal_act = new.event.act.as_ref().map(|a| format!("{} ({}, {})", a.number(), a.date(), a.authority()));
    let (record, cluster) = state.store.record_event(id, expected, &new, expansion.as_ref(), &ctx).await?;
    crate::precondition::note(&state, &caller, cluster.id, cluster.version);
    let feature = feature_json(&cluster, WireCrs::default()).map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::ETAG, etag(cluster.version))],
        Json(EventRecorded { event: EventDoc::from(&record), feature }),
    )
        .into_response())
}

/// The statuses a cluster with this history may move to next.
fn allowed_next(events: &[clusterplan_store::EventRecord]) -> Vec<&'static str> {
    allowed_targets(events.last().map(|e| e.event.to)).iter().map(|s| s.code()).collect()
}

fn expansion_draft(content_crs: WireCrs, doc: &Value, now: &ClusterDraft) -> Result<ClusterDraft, ApiError> {
    let Some(geometry) = doc.get("geometry").filter(|g| !g.is_null()) else {
        return Err(ApiError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "expansion-boundary-required",
            detail: "an expansion needs the expanded boundary in `geometry`".into(),
            extra: Value::Object(serde_json::Map::new()),
        });
    };
    let geometry = geojson::Geometry::from_json_value(geometry.clone())
        .map_err(|e| ApiError::BadRequest { kind: "malformed-geojson", detail: format!("geometry: {e}") })?;
    let mut raw = match geometry.value {
        geojson::Value::Polygon(p) => RawBoundary::Polygon(p),
        geojson::Value::MultiPolygon(m) => RawBoundary::MultiPolygon(m),
        other => {
            return Err(ApiError::Unprocessable(format!(
                "geometry type {} is not accepted; a boundary is a Polygon or MultiPolygon",
                other.type_name()
            )));
        }
    };
    content_crs.incoming(&mut raw)?;
    let boundary = validate(&raw).map_err(|geometry| ApiError::InvalidFeature { geometry, fields: Vec::new() })?;
    ClusterDraft::new(now.attrs.clone(), boundary)
        .map_err(|e| ApiError::Unprocessable(format!("the boundary cannot be measured in its planning CRS: {e}")))
}

/// The planning sheet of a cluster
///
/// `GET …/planning?date=`: the planning sheet of a cluster for a day: status then, units with
/// shares, land and occupancy, size rules now, tasks.
#[utoipa::path(
    get,
    path = "/collections/clusters/items/{id}/planning",
    operation_id = "getPlanningSheet",
    tag = "Planning",
    params(("id" = i64, Path, description = "The cluster's id"), ("date" = Option<String>, Query, format = Date, description = "The day (YYYY-MM-DD); today by default")),
    responses(
        (status = 200, description = "Status then, units with shares, land and occupancy, size rules, tasks, events", body = PlanningSheet),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn planning_sheet(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<FeatureId, ApiError>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<PlanningSheet>, ApiError> {
    let scope = crate::rights::draft_scope(&state, &caller).await?;
    known(&params, &["date"])?;
    let on = parse_date("date", params.get("date"))?;
    let FeatureId(id) = id?;
    let cluster = state.store.get_cluster(id).await?;
    scope.check(cluster.data.boundary.as_multi_polygon(), &format!("cluster {id}"))?;
    let events = state.store.list_events(id).await?;
    let store = state.store.as_ref();
    let mut units = std::collections::BTreeMap::new();
    for level in UnitLevel::ALL {
        let shares = planning::cluster_units(store, &cluster.data, on, Some(*level)).await?;
        units.insert(level.code(), shares.iter().map(ShareDoc::from).collect());
    }
    let land = state.store.zone_totals().await?.remove(&id).unwrap_or_default();
    let tasks = state
        .store
        .list_tasks()
        .await?
        .iter()
        .filter(|t| t.cluster_id == Some(id))
        .map(|t| TaskDoc::on(t, on))
        .collect();
    Ok(Json(PlanningSheet {
        id,
        code: cluster.data.attrs.code().to_owned(),
        name: cluster.data.attrs.name().to_owned(),
        date: on,
        status: events.last().map(|e| e.event.to.code()),
        status_on_date: status_on(&events, on).map(ClusterStatus::code),
        allowed_next: allowed_next(&events),
        area_ha: planning::round(cluster.data.area.projected_ha, 4),
        units,
        land: LandDoc::from(&land),
        rules: rule_docs(&size_rules(&state.config.rules, &cluster.data)),
        tasks,
        events: events.iter().map(EventDoc::from).collect(),
    }))
}

/// Planning tasks
#[utoipa::path(
    get,
    path = "/tasks",
    operation_id = "getTasks",
    tag = "Planning",
    params(("date" = Option<String>, Query, format = Date, description = "The day (YYYY-MM-DD); today by default"), ("state" = Option<String>, Query, description = "`open`, `overdue`, `done` or `done_late` on the date"), ("cluster_id" = Option<i64>, Query, description = "Tasks of one cluster"), ("unit" = Option<String>, Query, description = "Tasks of one administrative unit (its code)")),
    responses(
        (status = 200, description = "Tasks with owner agency, due date and state on the date", body = TaskList),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn list_tasks(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<TaskList>, ApiError> {
    crate::rights::require_drafts(&caller)?;
    known(&params, &["date", "state", "cluster_id", "unit"])?;
    let on = parse_date("date", params.get("date"))?;
    // An empty `state=` (or `level=`) asks for no particular one.
    let wanted = params.get("state").map(String::as_str).filter(|s| !s.is_empty());
    if let Some(s) = wanted.filter(|s| !matches!(*s, "open" | "overdue" | "done" | "done_late")) {
        return Err(bad_param(format!("state={s:?} must be open, overdue, done or done_late")));
    }
    let cluster = params
        .get("cluster_id")
        .map(|c| c.parse::<i64>().map_err(|_| bad_param(format!("cluster_id={c:?} must be an integer"))))
        .transpose()?;
    let unit = params.get("unit");
    let tasks: Vec<TaskDoc> = state
        .store
        .list_tasks()
        .await?
        .iter()
        .filter(|t| wanted.is_none_or(|w| t.task.state(on).code() == w))
        .filter(|t| cluster.is_none_or(|c| t.cluster_id == Some(c)))
        .filter(|t| unit.is_none_or(|u| t.unit_code.as_ref() == Some(u)))
        .map(|t| TaskDoc::on(t, on))
        .collect();
    let overdue = tasks.iter().filter(|t| t.overdue).count();
    Ok(Json(TaskList { date: on, overdue, tasks }))
}

/// Create a planning task
#[utoipa::path(
    post,
    path = "/tasks",
    operation_id = "createTask",
    tag = "Planning",
    params(docs::WriteHeaders),
    request_body(content = TaskBody, content_type = "application/json", description = "The task: title, owner agency, due date, cluster or unit"),
    responses(
        (status = 201, description = "The task", body = TaskDoc),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create_task(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    // Tasks are the plan's orders, not features of a unit: planners and administrators.
    authorize(&state, &caller, Action::CreateFeature, Target::Account).await?;
    let doc = object(body)?;
    known_members(&doc, TASK_MEMBERS, "a task")?;
    let mut problems = Vec::new();
    let title = text_field(&doc, "title", &mut problems);
    let owner = text_field(&doc, "owner_agency", &mut problems);
    let due = date_field(&doc, "due", &mut problems);
    let done_on = date_field(&doc, "done_on", &mut problems);
    let unit_code = text_field(&doc, "unit_code", &mut problems);
    let act_number = text_field(&doc, "act_number", &mut problems);
    let notes = text_field(&doc, "notes", &mut problems);
    let cluster_id = match doc.get("cluster_id") {
        None | Some(Value::Null) => None,
        Some(v) => v.as_i64().or_else(|| {
            field(&mut problems, "cluster_id", "cluster_id must be an integer".into());
            None
        }),
    };
    for (name, missing) in [("title", title.is_none()), ("owner_agency", owner.is_none()), ("due", due.is_none())] {
        if missing && !problems.iter().any(|p| p.field == name) {
            field(&mut problems, name, format!("{name} is required"));
        }
    }
    let (Some(title), Some(owner_agency), Some(due), true) = (title, owner, due, problems.is_empty()) else {
        return Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: problems });
    };
    if let Some(cluster) = cluster_id {
        state.store.get_cluster(cluster).await.map_err(|e| match e {
            clusterplan_store::StoreError::NotFound(_) => {
                ApiError::Unprocessable(format!("cluster {cluster} does not exist"))
            }
            other => other.into(),
        })?;
    }
    let task =
        NewTask { task: PlanningTask { title, owner_agency, due, done_on }, cluster_id, unit_code, act_number, notes };
    let record = state.store.create_task(&task).await?;
    crate::rights::record_write(
        &state,
        &caller,
        "task.create",
        format!("tasks/{}", record.id),
        Some(record.task.title.clone()),
    )
    .await;
    Ok((StatusCode::CREATED, Json(TaskDoc::on(&record, planning::today()))).into_response())
}

/// Mark a task done
#[utoipa::path(
    post,
    path = "/tasks/{id}/done",
    operation_id = "completeTask",
    tag = "Planning",
    params(("id" = i64, Path, description = "The task's id"), docs::WriteHeaders),
    request_body(content = TaskDoneBody, content_type = "application/json", description = "When it was done"),
    responses(
        (status = 200, description = "The task", body = TaskDoc),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn task_done(
    State(state): State<AppState>,
    caller: Caller,
    id: Result<TaskId, ApiError>,
    body: Result<JsonBody, ApiError>,
) -> Result<Json<TaskDoc>, ApiError> {
    authorize(&state, &caller, Action::ReplaceFeature, Target::Account).await?;
    let TaskId(id) = id?;
    let doc = object(body)?;
    known_members(&doc, &["done_on"], "a task done")?;
    let mut problems = Vec::new();
    let done_on = date_field(&doc, "done_on", &mut problems);
    if !problems.is_empty() {
        return Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: problems });
    }
    let record = state.store.set_task_done(id, done_on).await.map_err(|e| match e {
        clusterplan_store::StoreError::NotFound(_) => ApiError::NotFound(format!("task {id} does not exist")),
        other => other.into(),
    })?;
    let detail = done_on.map_or_else(|| "not done".to_owned(), |d| format!("done on {d}"));
    crate::rights::record_write(&state, &caller, "task.done", format!("tasks/{id}"), Some(detail)).await;
    Ok(Json(TaskDoc::on(&record, planning::today())))
}

fn parse_level(value: Option<&String>) -> Result<Option<UnitLevel>, ApiError> {
    value
        .filter(|l| !l.is_empty())
        .map(|l| {
            UnitLevel::from_code(l)
                .ok_or_else(|| bad_param(format!("level={l:?} must be province, district or commune")))
        })
        .transpose()
}

/// Administrative units
///
/// `GET /units?date=&level=`: units valid on a day as GeoJSON (all periods without `date`).
#[utoipa::path(
    get,
    path = "/units",
    operation_id = "getUnits",
    tag = "Planning",
    params(("date" = Option<String>, Query, format = Date, description = "Units valid on this day (every period without it)"), ("level" = Option<String>, Query, description = "`district` or `commune`"), ("code" = Option<String>, Query, description = "One unit's official code")),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection of units with validity periods", body = UnitCollection, content_type = "application/geo+json"),
        (status = 400, response = docs::Problem),
    ),
)]
async fn list_units(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    known(&params, &["date", "level", "code"])?;
    let on = params.get("date").map(|_| parse_date("date", params.get("date"))).transpose()?;
    let level = parse_level(params.get("level"))?;
    let units = state.store.list_units(&UnitQuery { on, level, bbox: None, code: params.get("code").cloned() }).await?;
    let features: Vec<UnitFeature> = units.into_iter().map(UnitFeature::from).collect();
    let collection = UnitCollection { kind: "FeatureCollection", number_returned: features.len(), features };
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        serde_json::to_string(&collection).map_err(ApiError::internal)?,
    )
        .into_response())
}

/// Successions of administrative units
#[utoipa::path(
    get,
    path = "/units/successions",
    operation_id = "getUnitSuccessions",
    tag = "Planning",
    responses(
        (status = 200, description = "Splits, merges, renames and abolitions", body = Successions),
        (status = 500, response = docs::Problem),
    ),
)]
async fn list_successions(State(state): State<AppState>) -> Result<Json<Successions>, ApiError> {
    let list = state.store.list_successions().await?;
    Ok(Json(Successions {
        successions: list
            .into_iter()
            .map(|s| SuccessionDoc {
                kind: s.kind.code(),
                from_code: s.from_code,
                to_code: s.to_code,
                effective: s.effective,
                act: s.act,
            })
            .collect(),
    }))
}

/// What is planned at a point
///
/// `GET /zoning?lon=&lat=[&date=]` or `?x=&y=&crs=` (surveyors' VN-2000 convention: X is the
/// northing, Y the easting; for a geographic CRS X is the latitude).
#[utoipa::path(
    get,
    path = "/zoning",
    operation_id = "getZoning",
    tag = "Planning",
    params(("lon" = Option<f64>, Query, description = "Longitude (CRS84)"), ("lat" = Option<f64>, Query, description = "Latitude (CRS84)"), ("x" = Option<f64>, Query, description = "X in `crs` (northing for VN-2000)"), ("y" = Option<f64>, Query, description = "Y in `crs` (easting for VN-2000)"), ("crs" = Option<String>, Query, description = "CRS of x and y"), ("date" = Option<String>, Query, format = Date, description = "The day (YYYY-MM-DD); today by default"), docs::LayerQuery),
    responses(
        (status = 200, description = "Clusters with their status then, zones and land use, units, open tasks; `planned: false` where nothing is. The public (and `layer=published`) reads the published plan: published clusters and zones, statuses as published, no tasks", body = Zoning),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn zoning(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<Zoning>, ApiError> {
    // The public reads the published plan; accounts the draft unless they ask layer=published.
    let layer = super::layer::layer_for(&params, &caller)?;
    let scope = match layer {
        Layer::Draft => crate::rights::draft_scope(&state, &caller).await?,
        Layer::Published => crate::rights::DraftScope::Everything,
    };
    known(&params, &["lon", "lat", "x", "y", "crs", "date", "layer"])?;
    blank_is_absent(&mut params);
    let on = parse_date("date", params.get("date"))?;
    let number = |k: &str| -> Result<Option<f64>, ApiError> {
        params
            .get(k)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| bad_param(format!("{k}={v:?} must be a number")))
            })
            .transpose()
    };
    let (lon, lat) = match (number("lon")?, number("lat")?, number("x")?, number("y")?) {
        (Some(lon), Some(lat), None, None) => {
            if params.contains_key("crs") {
                return Err(bad_param("crs goes with x and y; lon and lat are WGS 84".into()));
            }
            (lon, lat)
        }
        (None, None, Some(x), Some(y)) => {
            let crs = params
                .get("crs")
                .map(|c| WireCrs::parse(c))
                .transpose()?
                .ok_or_else(|| bad_param("x and y need crs, e.g. crs=EPSG:9210".into()))?;
            // X north, Y east: as (east, north) in the CRS's own (x, y).
            let mut c = [geo_types::Coord { x: y, y: x }];
            clusterplan_core::crs::transform_coords(crs.0, Crs::WGS84, &mut c)
                .map_err(|e| bad_param(format!("x={x}, y={y} cannot be transformed from {}: {e}", crs.0)))?;
            (c[0].x, c[0].y)
        }
        _ => return Err(bad_param("give lon and lat, or x, y and crs".into())),
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(bad_param(format!("lon={lon}, lat={lat} is not a position on Earth")));
    }
    // What is planned at a point of an officer's unit touches only features of its area.
    if let crate::rights::DraftScope::Unit { code, area } = &scope
        && !geo::Intersects::intersects(area, &geo_types::Point::new(lon, lat))
    {
        return Err(ApiError::Forbidden(format!(
            "lon={lon}, lat={lat} lies outside unit {code:?}: its officers ask what is planned in their own area"
        )));
    }
    Ok(Json(planning::zoning(state.store.as_ref(), lon, lat, on, layer).await?))
}

/// Summary per administrative unit
#[utoipa::path(
    get,
    path = "/summary",
    operation_id = "getSummary",
    tag = "Planning",
    params(("level" = Option<String>, Query, description = "`district` (default) or `commune`"), ("date" = Option<String>, Query, format = Date, description = "The day (YYYY-MM-DD); today by default")),
    responses(
        (status = 200, description = "Per unit: clusters by status, planned, leasable and leased area, occupancy, overdue tasks", body = Summary),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Summary>, ApiError> {
    let scope = crate::rights::draft_scope(&state, &caller).await?;
    known(&params, &["level", "date"])?;
    let on = parse_date("date", params.get("date"))?;
    let level = parse_level(params.get("level"))?.unwrap_or(UnitLevel::District);
    // An officer's summary counts the clusters of its own area only.
    let keep = |c: &clusterplan_core::Cluster| scope.admits(c.data.boundary.as_multi_polygon());
    Ok(Json(planning::summary(state.store.as_ref(), level, on, &keep).await?))
}
