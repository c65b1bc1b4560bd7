//! The planning service: Decree 32/2024 rules on writes, status transitions with legal acts,
//! units of a cluster on a date, zoning status at a point and summaries per unit; the checks of
//! writes are in `writes.rs`. Route modules call these; the decisions are the core's
//! (`lifecycle`, `rules`, `zones`, `units`), the data is the store's.

use std::collections::{BTreeMap, HashMap};

use crate::error::ApiError;
use chrono::{NaiveDate, Utc};
use clusterplan_core::lifecycle::{StatusEvent, current_status};
use clusterplan_core::rules::{
    DistrictFacts, ExpansionFacts, Override, RuleResult, RuleSet, SiteFacts, evaluate_create, evaluate_establishment,
    evaluate_expansion, unresolved,
};
use clusterplan_core::units::{Unit, UnitLevel, UnitShare, shares};
use clusterplan_core::zones::LandTotals;
use clusterplan_core::{Cluster, ClusterDraft, ClusterKind, ClusterStatus};
use clusterplan_store::{ClusterQuery, EventRecord, Layer, Store, TaskRecord, UnitQuery};
use futures::TryStreamExt;
use serde_json::Value;

mod wire;
mod writes;

pub use wire::{
    ActDoc, ClusterAtPoint, EventDoc, LandDoc, LonLat, OverrideDoc, RuleDoc, ShareDoc, Summary, SummaryCluster,
    SummaryUnit, TaskDoc, UnitCollection, UnitFeature, UnitProperties, UnitRef, UnresolvedRule, ZoneAtPoint, Zoning,
    override_docs, round, rule_docs,
};

pub use writes::{
    EventRequest, check_create, check_edit, check_edit_of, check_event, check_revert, create_cluster, parse_event,
    take_members,
};
pub(crate) use writes::{date_field, field, stored_json, text_field};

/// The whole layer fits one query: clusters are hundreds, not millions.
const ALL: ClusterQuery = ClusterQuery::ALL;

/// Today, the default date of every date-dependent answer.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Parses an optional `date` parameter (`YYYY-MM-DD`).
pub fn parse_date(param: &str, value: Option<&String>) -> Result<NaiveDate, ApiError> {
    match value {
        None => Ok(today()),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("{param}={v:?} must be a date like 1998-09-30"),
        }),
    }
}

/// Reads `overrides: [{rule_id, reason}]` from a request document, if any.
pub fn parse_overrides(doc: &Value) -> Result<Vec<Override>, ApiError> {
    let Some(list) = doc.get("overrides") else { return Ok(Vec::new()) };
    let Some(items) = list.as_array() else {
        return Err(ApiError::Unprocessable("overrides must be an array of {rule_id, reason}".into()));
    };
    let mut out = Vec::new();
    let mut fields = Vec::new();
    for item in items {
        let rule_id = item.get("rule_id").and_then(Value::as_str).unwrap_or_default();
        let reason = item.get("reason").and_then(Value::as_str).unwrap_or_default();
        if rule_id.is_empty() {
            fields.push(clusterplan_core::FieldProblem {
                field: "overrides",
                message: "every override names a rule_id".into(),
            });
            continue;
        }
        match Override::new(rule_id, reason) {
            Ok(o) => out.push(o),
            Err(p) => fields.push(p),
        }
    }
    if fields.is_empty() { Ok(out) } else { Err(ApiError::InvalidFeature { geometry: Vec::new(), fields }) }
}

/// Refuses a write when a hard rule failed or a conditional one has no override: 422 with
/// every result, so the client can show all of them at once.
pub fn enforce(results: &[RuleResult], overrides: &[Override]) -> Result<(), ApiError> {
    let open = unresolved(results, overrides);
    if open.is_empty() {
        return Ok(());
    }
    let detail = open.iter().map(|r| r.message_en.as_str()).collect::<Vec<_>>().join(" ");
    Err(ApiError::Rejected {
        status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        kind: "rule-violation",
        detail,
        extra: serde_json::json!({
            "rules": rule_docs(results),
            "unresolved": open
                .iter()
                .map(|r| UnresolvedRule { rule_id: r.rule_id.to_owned(), severity: r.severity.code().to_owned() })
                .collect::<Vec<_>>(),
        }),
    })
}

/// Size rules of a site (clusters only; industrial parks get none).
pub fn size_rules(rules: &RuleSet, draft: &ClusterDraft) -> Vec<RuleResult> {
    let flags = draft.attrs.flags();
    evaluate_create(
        rules,
        &SiteFacts {
            kind: draft.attrs.kind(),
            area_ha: draft.area.projected_ha,
            craft_village: flags.craft_village,
            mountainous_district: flags.mountainous,
        },
    )
}

/// Units of `level` valid on `on` whose box meets the boundary's box.
pub async fn candidate_units(
    store: &dyn Store,
    bbox: [f64; 4],
    on: NaiveDate,
    level: Option<UnitLevel>,
) -> Result<Vec<Unit>, ApiError> {
    Ok(store.list_units(&UnitQuery { on: Some(on), level, bbox: Some(bbox), code: None }).await?)
}

/// The units a cluster lies in on a day, with the share of its area in each, per level.
pub async fn cluster_units(
    store: &dyn Store,
    draft: &ClusterDraft,
    on: NaiveDate,
    level: Option<UnitLevel>,
) -> Result<Vec<UnitShare>, ApiError> {
    let units = candidate_units(store, draft.boundary.bbox(), on, level).await?;
    let refs: Vec<&Unit> = units.iter().collect();
    shares(&draft.boundary, &refs, draft.attrs.planning_crs()).map_err(ApiError::internal)
}

/// The unit a new cluster is "in" for the establishment rule: the district holding the largest
/// share of it on `on`; after the 2025 reform abolished districts, the commune.
async fn home_unit(store: &dyn Store, draft: &ClusterDraft, on: NaiveDate) -> Result<Option<UnitShare>, ApiError> {
    for level in [UnitLevel::District, UnitLevel::Commune] {
        if let Some(first) = cluster_units(store, draft, on, Some(level)).await?.into_iter().next() {
            return Ok(Some(first));
        }
    }
    Ok(None)
}

/// The establishment rule for a cluster being established on `on`: the existing established
/// (or later) clusters whose home unit is the same, with their leased and leasable industrial
/// land from their zones.
pub async fn establishment_rules(
    store: &dyn Store,
    rules: &RuleSet,
    draft: &ClusterDraft,
    except: Option<i64>,
    on: NaiveDate,
) -> Result<Vec<RuleResult>, ApiError> {
    if draft.attrs.kind() != ClusterKind::Cluster {
        return Ok(Vec::new());
    }
    let Some(home) = home_unit(store, draft, on).await? else { return Ok(Vec::new()) };
    let history = events_by_cluster(store).await?;
    let totals = store.zone_totals().await?;
    let clusters: Vec<Cluster> = store.stream_clusters(ALL).try_collect().await?;
    let mut facts = DistrictFacts::default();
    for c in clusters.iter().filter(|c| Some(c.id) != except && c.data.attrs.kind() == ClusterKind::Cluster) {
        let status = history.get(&c.id).and_then(|e| status_on(e, on));
        if !status.is_some_and(is_existing) {
            continue;
        }
        let Some(theirs) = home_unit(store, &c.data, on).await? else { continue };
        if theirs.code == home.code {
            let land = totals.get(&c.id).cloned().unwrap_or_default();
            facts.clusters.push((land.leased_industrial_ha, land.leasable_industrial_ha));
        }
    }
    Ok(evaluate_establishment(rules, &facts))
}

/// A cluster that exists on the ground or in law (established or later, not ended).
fn is_existing(status: ClusterStatus) -> bool {
    matches!(
        status,
        ClusterStatus::Established | ClusterStatus::Infrastructure | ClusterStatus::Operating | ClusterStatus::Expanded
    )
}

/// Expansion rules: the cluster now, the area after, its land and infrastructure.
pub fn expansion_rules(
    rules: &RuleSet,
    cluster: &Cluster,
    expanded: &ClusterDraft,
    land: &LandTotals,
    excess_demand_declared: bool,
) -> Vec<RuleResult> {
    let flags = cluster.data.attrs.flags();
    let current = cluster.data.area.projected_ha;
    evaluate_expansion(
        rules,
        &ExpansionFacts {
            current_area_ha: current,
            added_area_ha: expanded.area.projected_ha - current,
            leased_industrial_ha: land.leased_industrial_ha,
            leasable_industrial_ha: land.leasable_industrial_ha,
            excess_demand_declared,
            roads_done: flags.roads_completed,
            water_done: flags.water_completed,
            wastewater_done: flags.wastewater_completed,
        },
    )
}

/// Every cluster's events, in order.
pub async fn events_by_cluster(store: &dyn Store) -> Result<HashMap<i64, Vec<EventRecord>>, ApiError> {
    let mut map: HashMap<i64, Vec<EventRecord>> = HashMap::new();
    for e in store.all_events().await? {
        map.entry(e.cluster_id).or_default().push(e);
    }
    Ok(map)
}

/// The status a history gives on a day; `None` before the first event takes effect.
pub fn status_on(events: &[EventRecord], on: NaiveDate) -> Option<ClusterStatus> {
    let plain: Vec<StatusEvent> = events.iter().map(|e| e.event.clone()).collect();
    current_status(&plain, on)
}

/// Whether a task concerns a cluster or one of the unit codes.
fn task_concerns(t: &TaskRecord, cluster_id: Option<i64>, units: &[&str]) -> bool {
    (cluster_id.is_some() && t.cluster_id == cluster_id) || t.unit_code.as_deref().is_some_and(|u| units.contains(&u))
}

/// `GET /zoning`: what is planned at a WGS 84 point on a day, in a layer. The published
/// answer reads only what a publication made public: the published clusters and zones, and of
/// a cluster's status history the events recorded before that publication; no tasks (they are
/// the planners' working list).
pub async fn zoning(store: &dyn Store, lon: f64, lat: f64, on: NaiveDate, layer: Layer) -> Result<Zoning, ApiError> {
    // A box of a few millimetres: a degenerate envelope is not a polygon to PostGIS.
    const E: f64 = 1e-8;
    let point_box = [lon - E, lat - E, lon + E, lat + E];
    let units: Vec<Unit> = candidate_units(store, point_box, on, None)
        .await?
        .into_iter()
        .filter(|u| covers(&u.boundary, lon, lat))
        .collect();
    let unit_codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let query = ClusterQuery { bbox: Some(point_box), layer, ..ClusterQuery::ALL };
    let clusters: Vec<Cluster> = store
        .stream_clusters(query)
        .try_filter(|c| std::future::ready(covers(&c.data.boundary, lon, lat)))
        .try_collect()
        .await?;
    // Only the clusters at the point and the point's units: the cost of an answer does not
    // grow with the number of clusters, events or tasks elsewhere.
    let ids: Vec<i64> = clusters.iter().map(|c| c.id).collect();
    // Of the history, the draft layer shows every event; the published one, the events
    // recorded up to the last publication (none before the first).
    let mut history: HashMap<i64, Vec<EventRecord>> = HashMap::new();
    for e in store.events_of(&ids, layer).await? {
        history.entry(e.cluster_id).or_default().push(e);
    }
    let tasks = if ids.is_empty() || layer == Layer::Published {
        Vec::new()
    } else {
        let codes: Vec<String> = unit_codes.iter().map(|&c| c.to_owned()).collect();
        store.tasks_concerning(&ids, &codes).await?
    };
    let zones = if ids.is_empty() { Vec::new() } else { store.zones_at(lon, lat, layer).await? };
    let mut found = Vec::new();
    for c in &clusters {
        let events = history.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        // Not planned yet on that day: nothing to report.
        let Some(status) = status_on(events, on) else { continue };
        let here: Vec<ZoneAtPoint> = zones
            .iter()
            .filter(|z| z.data.attrs.cluster_id() == c.id)
            .map(|z| {
                let a = &z.data.attrs;
                ZoneAtPoint {
                    id: z.id,
                    land_use: a.land_use().code(),
                    label: a.label().map(str::to_owned),
                    leasable: a.leasable(),
                    leased: a.leased(),
                    tenant: a.tenant().map(str::to_owned),
                    area_ha: round(z.data.area.projected_ha, 4),
                }
            })
            .collect();
        let open_tasks = tasks
            .iter()
            .filter(|t| task_concerns(t, Some(c.id), &unit_codes))
            .filter(|t| matches!(t.task.state(on).code(), "open" | "overdue"))
            .map(|t| TaskDoc::on(t, on))
            .collect();
        found.push(ClusterAtPoint {
            id: c.id,
            code: c.data.attrs.code().to_owned(),
            name: c.data.attrs.name().to_owned(),
            kind: c.data.attrs.kind().code(),
            status: status.code(),
            land_use: here.first().map(|z| z.land_use),
            zones: here,
            open_tasks,
        });
    }
    Ok(Zoning {
        point: LonLat { lon, lat },
        date: on,
        planned: !found.is_empty(),
        clusters: found,
        units: units
            .iter()
            .map(|u| UnitRef { code: u.code.clone(), name: u.name.clone(), level: u.level.code() })
            .collect(),
    })
}

fn covers(boundary: &clusterplan_core::Boundary, lon: f64, lat: f64) -> bool {
    use geo::Intersects;
    boundary.as_multi_polygon().intersects(&geo_types::Point::new(lon, lat))
}

/// One unit's line of a summary, summed over the clusters that touch it.
#[derive(Default)]
struct Row {
    by_status: BTreeMap<&'static str, u64>,
    clusters: Vec<SummaryCluster>,
    planned_ha: f64,
    leasable_ha: f64,
    leased_ha: f64,
    cluster_ids: Vec<i64>,
}

/// `GET /summary`: per unit of a level valid on `on`, clusters by status, planned and leased
/// areas, occupancy and overdue tasks. A cluster counts in every unit it touches; its areas
/// are split by the share of its boundary in each unit.
pub async fn summary(
    store: &dyn Store,
    level: UnitLevel,
    on: NaiveDate,
    keep: &(dyn Fn(&Cluster) -> bool + Sync),
) -> Result<Summary, ApiError> {
    let units = store.list_units(&UnitQuery { on: Some(on), level: Some(level), bbox: None, code: None }).await?;
    let history = events_by_cluster(store).await?;
    let totals = store.zone_totals().await?;
    let tasks = store.list_tasks().await?;
    let clusters: Vec<Cluster> = store.stream_clusters(ALL).try_collect().await?;
    let mut rows: BTreeMap<String, Row> = units.iter().map(|u| (u.code.clone(), Row::default())).collect();
    let refs: Vec<&Unit> = units.iter().collect();
    for c in clusters.iter().filter(|c| keep(c)) {
        let events = history.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        let Some(status) = status_on(events, on) else { continue };
        let parts = shares(&c.data.boundary, &refs, c.data.attrs.planning_crs()).map_err(ApiError::internal)?;
        let land = totals.get(&c.id).cloned().unwrap_or_default();
        for part in parts {
            let Some(row) = rows.get_mut(&part.code) else { continue };
            *row.by_status.entry(status.code()).or_default() += 1;
            row.planned_ha += c.data.area.projected_ha * part.share;
            row.leasable_ha += land.leasable_industrial_ha * part.share;
            row.leased_ha += land.leased_industrial_ha * part.share;
            row.cluster_ids.push(c.id);
            row.clusters.push(SummaryCluster {
                id: c.id,
                code: c.data.attrs.code().to_owned(),
                name: c.data.attrs.name().to_owned(),
                status: status.code(),
                share: round(part.share, 4),
            });
        }
    }
    let out = units
        .iter()
        .map(|u| {
            let row = rows.remove(&u.code).unwrap_or_default();
            let overdue_tasks = tasks
                .iter()
                .filter(|t| {
                    task_concerns(t, None, &[u.code.as_str()])
                        || t.cluster_id.is_some_and(|id| row.cluster_ids.contains(&id))
                })
                .filter(|t| t.task.is_overdue(on))
                .map(|t| TaskDoc::on(t, on))
                .collect();
            let occupancy = clusterplan_core::rules::Occupancy::from_land(row.leased_ha, row.leasable_ha);
            SummaryUnit {
                code: u.code.clone(),
                name: u.name.clone(),
                level: u.level.code(),
                parent_code: u.parent_code.clone(),
                clusters: row.clusters.len(),
                by_status: row.by_status,
                planned_area_ha: round(row.planned_ha, 4),
                leasable_industrial_ha: round(row.leasable_ha, 4),
                leased_industrial_ha: round(row.leased_ha, 4),
                occupancy_pct: occupancy.map(|o| round(o.percent(), 2)),
                overdue_tasks,
                cluster_list: row.clusters,
            }
        })
        .collect();
    Ok(Summary { level: level.code(), date: on, units: out })
}
