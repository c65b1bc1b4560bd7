//! The planning service's documents on the wire: typed, deriving `Serialize` for the answer and
//! `ToSchema` for the `OpenAPI` document, so that what is described is what is sent. Dates are
//! `YYYY-MM-DD`; areas in hectares of the planning CRS, rounded for display (stored values
//! keep full precision).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clusterplan_core::ClusterStatus;
use clusterplan_core::rules::{Override, RuleResult};
use clusterplan_core::units::UnitShare;
use clusterplan_core::zones::LandTotals;
use clusterplan_store::{EventRecord, TaskRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// Rounds for display; stored values keep full precision.
pub fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// A Decree 32/2024 rule checked against a site or a change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RuleDoc {
    /// The rule's stable id, e.g. `cluster_max_area`.
    pub rule_id: String,
    /// `hard` (refuses the write) or `conditional` (needs an override with a reason).
    pub severity: String,
    pub passed: bool,
    /// The value checked, when there is one.
    pub measured: Option<f64>,
    /// The limit it was checked against, when there is one.
    pub limit: Option<f64>,
    /// `ha`, `%` or `count`.
    pub unit: String,
    pub message_vi: String,
    pub message_en: String,
}

impl From<&RuleResult> for RuleDoc {
    fn from(r: &RuleResult) -> Self {
        RuleDoc {
            rule_id: r.rule_id.to_owned(),
            severity: r.severity.code().to_owned(),
            passed: r.passed,
            measured: r.measured,
            limit: r.limit,
            unit: r.unit.to_owned(),
            message_vi: r.message_vi.clone(),
            message_en: r.message_en.clone(),
        }
    }
}

/// Rule results, as answered and as kept with events.
pub fn rule_docs(results: &[RuleResult]) -> Vec<RuleDoc> {
    results.iter().map(RuleDoc::from).collect()
}

/// A conditional rule passed over, with the reason given.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverrideDoc {
    pub rule_id: String,
    pub reason: String,
}

/// Overrides as kept with an event.
pub fn override_docs(overrides: &[Override]) -> Vec<OverrideDoc> {
    overrides.iter().map(|o| OverrideDoc { rule_id: o.rule_id().to_owned(), reason: o.reason().to_owned() }).collect()
}

/// A rule a write left unresolved (in the `rule-violation` problem).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnresolvedRule {
    pub rule_id: String,
    pub severity: String,
}

/// The legal act behind a status change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActDoc {
    /// e.g. `1234/QĐ-UBND`.
    pub number: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub authority: String,
    pub link: Option<String>,
}

/// One status change of a cluster, with what was checked and who recorded it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventDoc {
    /// Position in the cluster's history, from 1.
    pub seq: i64,
    /// The status before; `null` for the first event.
    pub from: Option<&'static str>,
    pub to: &'static str,
    /// The day from which the new status holds.
    #[schema(value_type = String, format = Date)]
    pub effective: NaiveDate,
    pub act: Option<ActDoc>,
    pub note: Option<String>,
    /// Conditional rules passed over, with reasons.
    #[schema(value_type = Vec<OverrideDoc>)]
    pub overrides: Value,
    /// The rules checked for the change.
    #[schema(value_type = Vec<RuleDoc>)]
    pub rule_results: Value,
    /// The cluster version the change produced.
    pub cluster_version: i64,
    /// RFC 3339, seconds.
    pub recorded_at: String,
    /// The account that recorded it.
    pub recorded_by: Option<String>,
}

impl From<&EventRecord> for EventDoc {
    fn from(e: &EventRecord) -> Self {
        EventDoc {
            seq: e.seq,
            from: e.event.from.map(ClusterStatus::code),
            to: e.event.to.code(),
            effective: e.event.effective,
            act: e.event.act.as_ref().map(|a| ActDoc {
                number: a.number().to_owned(),
                date: a.date(),
                authority: a.authority().to_owned(),
                link: a.link().map(str::to_owned),
            }),
            note: e.event.note.clone(),
            // Written by this service from `OverrideDoc`s and `RuleDoc`s (see `writes.rs`).
            overrides: serde_json::from_str(&e.overrides).unwrap_or(Value::Null),
            rule_results: serde_json::from_str(&e.rule_results).unwrap_or(Value::Null),
            cluster_version: e.cluster_version,
            recorded_at: e.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            recorded_by: e.recorded_by.clone(),
        }
    }
}

/// A planning task with its state on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDoc {
    pub id: i64,
    pub title: String,
    /// The agency responsible, e.g. `Sở Công Thương`.
    pub owner_agency: String,
    /// The last day on which the task is on time.
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub done_on: Option<NaiveDate>,
    /// `open`, `overdue`, `done` or `done_late` on the day asked.
    pub state: &'static str,
    pub overdue: bool,
    pub cluster_id: Option<i64>,
    pub unit_code: Option<String>,
    pub act_number: Option<String>,
    pub notes: Option<String>,
}

impl TaskDoc {
    /// A task as it stands on `on`.
    pub fn on(t: &TaskRecord, on: NaiveDate) -> Self {
        TaskDoc {
            id: t.id,
            title: t.task.title.clone(),
            owner_agency: t.task.owner_agency.clone(),
            due: t.task.due,
            done_on: t.task.done_on,
            state: t.task.state(on).code(),
            overdue: t.task.is_overdue(on),
            cluster_id: t.cluster_id,
            unit_code: t.unit_code.clone(),
            act_number: t.act_number.clone(),
            notes: t.notes.clone(),
        }
    }
}

/// The share of a cluster's area in one administrative unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShareDoc {
    pub code: String,
    pub name: String,
    /// `province`, `district` or `commune`.
    pub level: &'static str,
    pub area_ha: f64,
    /// 0 to 1.
    pub share: f64,
}

impl From<&UnitShare> for ShareDoc {
    fn from(s: &UnitShare) -> Self {
        ShareDoc {
            code: s.code.clone(),
            name: s.name.clone(),
            level: s.level.code(),
            area_ha: round(s.area_ha, 4),
            share: round(s.share, 4),
        }
    }
}

/// A cluster's land from its zones; occupancy is derived here and nowhere else.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LandDoc {
    pub zones: u64,
    pub leasable_industrial_ha: f64,
    pub leased_industrial_ha: f64,
    /// Leased over leasable industrial land, %; `null` without leasable land.
    pub occupancy_pct: Option<f64>,
    /// Hectares per land-use code.
    pub by_use: BTreeMap<&'static str, f64>,
}

impl From<&LandTotals> for LandDoc {
    fn from(land: &LandTotals) -> Self {
        LandDoc {
            zones: land.zones,
            leasable_industrial_ha: round(land.leasable_industrial_ha, 4),
            leased_industrial_ha: round(land.leased_industrial_ha, 4),
            occupancy_pct: land.occupancy().map(|o| round(o.percent(), 2)),
            by_use: land.by_use.iter().map(|(u, a)| (u.code(), round(*a, 4))).collect(),
        }
    }
}

/// An administrative unit, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

/// A zone at the point asked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ZoneAtPoint {
    pub id: i64,
    pub land_use: &'static str,
    pub label: Option<String>,
    pub leasable: bool,
    pub leased: bool,
    pub tenant: Option<String>,
    pub area_ha: f64,
}

/// A cluster at the point asked, with its status on the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClusterAtPoint {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    /// The land use of the zone at the point, if one is.
    pub land_use: Option<&'static str>,
    pub zones: Vec<ZoneAtPoint>,
    pub open_tasks: Vec<TaskDoc>,
}

/// A WGS 84 position.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// `GET /zoning`: what is planned at a point on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Zoning {
    pub point: LonLat,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    /// Whether any cluster covers the point on the day.
    pub planned: bool,
    pub clusters: Vec<ClusterAtPoint>,
    /// The administrative units holding the point on the day.
    pub units: Vec<UnitRef>,
}

/// A cluster counted in a unit's line of a summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryCluster {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: &'static str,
    /// The fraction of the cluster's area inside the unit.
    pub share: f64,
}

/// One unit's line of a summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryUnit {
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent_code: Option<String>,
    /// Clusters touching the unit.
    pub clusters: usize,
    /// Clusters per status code.
    pub by_status: BTreeMap<&'static str, u64>,
    pub planned_area_ha: f64,
    pub leasable_industrial_ha: f64,
    pub leased_industrial_ha: f64,
    pub occupancy_pct: Option<f64>,
    pub overdue_tasks: Vec<TaskDoc>,
    pub cluster_list: Vec<SummaryCluster>,
}

/// `GET /summary`: per unit of a level, on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    pub level: &'static str,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub units: Vec<SummaryUnit>,
}
