//! Who is in each cluster: investors (an OGC collection of points on the plots they lease,
//! with dated figures, leases and versions), craft villages and pilot communes (an OGC
//! collection of designations), programme budgets (plain JSON) and the Circular 14/2024
//! report (JSON, CSV, XLSX or a printable page).

// utoipa 4's derives write the inlined enums of the bodies with their full paths.
#![allow(unused_qualifications)]

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use clusterplan_core::FieldProblem;
use clusterplan_core::registry::{
    Budget, BudgetInput, Designation, DesignationInput, FiguresInput, InvestorAttrs, InvestorFigures, InvestorInput,
    Lease, ReportPeriod,
};
use clusterplan_store::{DesignationRecord, InvestorRecord, InvestorVersion, Layer, ZoneQuery};
use futures::TryStreamExt;
use geo::InteriorPoint;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::conditional::etag;
use super::docs;
use super::documented::Documented;
use super::extract::{FeatureId, IfMatch, JsonBody, Provenance, known_members};
use super::links::{BaseUrl, location};
use super::params::{bad_param, blank_is_absent, known};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::planning::{date_field, field, text_field};
use crate::reports::{self, Report};
use crate::rights::{Action, Target, authorize, authorize_caller, require_drafts, sees_drafts};
use crate::wire::GEOJSON;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/investors/items", get(list_investors).post(create_investor))
        .documented("/collections/investors/items/{id}", get(read_investor).put(replace_investor))
        .documented("/collections/investors/items/{id}/figures", post(add_figures))
        .documented("/collections/investors/items/{id}/leases", post(add_lease))
        .documented("/collections/investors/items/{id}/leases/{lease}/end", post(end_lease))
        .documented("/collections/investors/items/{id}/versions", get(investor_versions))
        .documented("/collections/designations/items", get(list_designations).post(create_designation))
        .documented("/budgets", get(list_budgets).post(create_budget))
        .documented("/reports/circular14", get(report))
}

const INVESTOR_MEMBERS: &[&str] = &[
    "name",
    "tax_code",
    "role",
    "form",
    "country",
    "vsic",
    "cluster_id",
    "origin_unit_code",
    "origin_designation_id",
    "notes",
    "figures",
];
const FIGURE_MEMBERS: &[&str] = &[
    "effective",
    "status",
    "registered_capital_vnd",
    "disbursed_capital_vnd",
    "registered_capital_usd",
    "workers",
    "note",
];
const LEASE_MEMBERS: &[&str] = &["zone_id", "start", "end"];
const DESIGNATION_MEMBERS: &[&str] = &[
    "kind",
    "name",
    "unit_code",
    "product",
    "decision_no",
    "decision_date",
    "valid_from",
    "valid_to",
    "lon",
    "lat",
    "cluster_ids",
    "notes",
];
const BUDGET_MEMBERS: &[&str] =
    &["year", "source", "programme", "cluster_id", "unit_code", "planned_vnd", "disbursed_vnd", "notes"];

/// A new investor (a plain object, or a GeoJSON Feature with these properties and no geometry:
/// an investor's place is the plots it leases).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct InvestorBody {
    /// Registered name.
    #[schema(min_length = 1, pattern = "\\S")]
    name: String,
    /// 10 digits (check digit verified), or 10 + `-` + 3 for a branch.
    #[schema(pattern = "^[0-9]{10}(-[0-9]{3})?$")]
    tax_code: String,
    /// `infrastructure` or `secondary`.
    #[schema(inline)]
    role: InvestorRole,
    /// `enterprise` (default), `cooperative` or `household`.
    #[schema(inline)]
    form: Option<InvestorForm>,
    /// ISO 3166-1 alpha-2 of a foreign investor (FDI); absent or `VN` for domestic.
    country: Option<String>,
    /// VSIC 2018 code.
    vsic: Option<String>,
    cluster_id: i64,
    /// Commune a relocated facility came from (official code).
    origin_unit_code: Option<String>,
    /// Craft village a relocated facility came from (a designation id).
    origin_designation_id: Option<i64>,
    notes: Option<String>,
    /// The first figures (required on creation, ignored on replacement).
    figures: Option<FiguresBody>,
}

/// Figures in force from a day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct FiguresBody {
    #[schema(value_type = String, format = Date)]
    effective: String,
    /// `registered`, `building`, `operating`, `stopped` or `left`.
    #[schema(inline)]
    status: InvestorStatus,
    /// VND, a whole number ≥ 0.
    #[schema(minimum = 0)]
    registered_capital_vnd: Option<i64>,
    #[schema(minimum = 0)]
    disbursed_capital_vnd: Option<i64>,
    /// USD, foreign investors only.
    #[schema(minimum = 0)]
    registered_capital_usd: Option<f64>,
    #[schema(minimum = 0)]
    workers: Option<i64>,
    note: Option<String>,
}

/// A lease of a leasable plot (zone) in the investor's cluster.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct LeaseBody {
    zone_id: i64,
    #[schema(value_type = String, format = Date)]
    start: String,
    /// Last day; absent while it runs.
    #[schema(value_type = Option<String>, format = Date)]
    end: Option<String>,
}

/// A craft village or pilot commune.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct DesignationBody {
    /// `craft_village` or `pilot_commune`.
    #[schema(inline)]
    kind: DesignationKindName,
    #[schema(min_length = 1, pattern = "\\S")]
    name: String,
    #[schema(min_length = 1, pattern = "\\S")]
    unit_code: String,
    product: Option<String>,
    decision_no: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    decision_date: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_from: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    valid_to: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    cluster_ids: Option<Vec<i64>>,
    notes: Option<String>,
}

/// `infrastructure` (the developer of the cluster's infrastructure) or `secondary` (a tenant).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum InvestorRole {
    Infrastructure,
    Secondary,
}

/// `enterprise`, `cooperative` or `household`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum InvestorForm {
    Enterprise,
    Cooperative,
    Household,
}

/// An investor's status in its figures.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum InvestorStatus {
    Registered,
    Building,
    Operating,
    Stopped,
    Left,
}

/// `craft_village` or `pilot_commune`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum DesignationKindName {
    CraftVillage,
    PilotCommune,
}

/// Where a budget line's money comes from.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum BudgetSource {
    Central,
    Province,
    District,
    Other,
}

/// The programme a budget line funds.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum BudgetProgramme {
    KhuyenCong,
    Infrastructure,
    Other,
}

/// The formats of the circular 14 report and of a cluster's coordinate table.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(rename_all = "snake_case")]
pub(crate) enum ReportFormat {
    Json,
    Csv,
    Xlsx,
    Html,
}

/// A budget line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct BudgetBody {
    #[schema(minimum = 1975, maximum = 2100)]
    year: i64,
    /// `central`, `province`, `district` or `other`.
    #[schema(inline)]
    source: BudgetSource,
    /// `khuyen_cong`, `infrastructure` or `other`.
    #[schema(inline)]
    programme: BudgetProgramme,
    cluster_id: Option<i64>,
    unit_code: Option<String>,
    #[schema(minimum = 0)]
    planned_vnd: Option<i64>,
    #[schema(minimum = 0)]
    disbursed_vnd: Option<i64>,
    notes: Option<String>,
}

/// Dated figures as answered.
#[derive(Serialize, ToSchema)]
pub(crate) struct FiguresDoc {
    #[schema(value_type = String, format = Date)]
    effective: NaiveDate,
    status: &'static str,
    registered_capital_vnd: i64,
    disbursed_capital_vnd: i64,
    registered_capital_usd: Option<f64>,
    workers: i64,
    note: Option<String>,
}

impl From<&InvestorFigures> for FiguresDoc {
    fn from(f: &InvestorFigures) -> Self {
        FiguresDoc {
            effective: f.effective,
            status: f.status.code(),
            registered_capital_vnd: f.registered_capital_vnd,
            disbursed_capital_vnd: f.disbursed_capital_vnd,
            registered_capital_usd: f.registered_capital_usd,
            workers: f.workers,
            note: f.note.clone(),
        }
    }
}

/// A lease as answered.
#[derive(Serialize, ToSchema)]
pub(crate) struct LeaseDoc {
    id: i64,
    zone_id: i64,
    #[schema(value_type = String, format = Date)]
    start: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    end: Option<NaiveDate>,
    /// Whether it runs on the day asked.
    active: bool,
}

/// An investor's properties on the day asked: its public facts, and for accounts the rest.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvestorProperties {
    #[serde(flatten)]
    public: PublicInvestorFacts,
    /// Absent for the public.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    account: Option<AccountInvestorFacts>,
}

/// What anyone may know of an investor in a published cluster: who it is, what it does, where
/// it is and whether it operates (as the enterprise register and the published plan say).
#[derive(Serialize, ToSchema)]
pub(crate) struct PublicInvestorFacts {
    name: String,
    tax_code: String,
    role: &'static str,
    form: &'static str,
    country: Option<String>,
    fdi: bool,
    vsic: Option<String>,
    cluster_id: i64,
    /// The day the status (and, for accounts, the figures) are for.
    #[schema(value_type = String, format = Date)]
    on: NaiveDate,
    /// Status on that day; `null` before the first figures.
    status: Option<&'static str>,
    /// Plots leased on that day (for the public: published plots only).
    zone_ids: Vec<i64>,
}

/// What accounts see besides: provenance, notes, versions, capital, workers, the dated records.
#[derive(Serialize, ToSchema)]
pub(crate) struct AccountInvestorFacts {
    origin_unit_code: Option<String>,
    origin_designation_id: Option<i64>,
    notes: Option<String>,
    version: i64,
    updated_at: String,
    registered_capital_vnd: Option<i64>,
    disbursed_capital_vnd: Option<i64>,
    registered_capital_usd: Option<f64>,
    workers: Option<i64>,
    figures: Vec<FiguresDoc>,
    leases: Vec<LeaseDoc>,
}

/// An investor as a GeoJSON Feature: a point on the plots it leases on the day asked (the
/// infrastructure investor without plots: on its cluster), `null` otherwise.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvestorFeature {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "Feature")]
    kind: &'static str,
    id: i64,
    #[schema(value_type = Option<Geometry>)]
    geometry: Option<Value>,
    properties: InvestorProperties,
}

/// Investors.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvestorCollection {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "FeatureCollection")]
    kind: &'static str,
    #[serde(rename = "numberMatched")]
    #[schema(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    #[schema(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<InvestorFeature>,
}

/// One written version of an investor's attributes.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvestorVersionDoc {
    version: i64,
    author: Option<String>,
    reason: Option<String>,
    written_at: String,
    name: String,
    tax_code: String,
    role: &'static str,
    cluster_id: i64,
    country: Option<String>,
    vsic: Option<String>,
    notes: Option<String>,
}

impl From<&InvestorVersion> for InvestorVersionDoc {
    fn from(v: &InvestorVersion) -> Self {
        InvestorVersionDoc {
            version: v.version,
            author: v.author.clone(),
            reason: v.reason.clone(),
            written_at: v.written_at.to_rfc3339(),
            name: v.attrs.name.clone(),
            tax_code: v.attrs.tax_code.as_str().to_owned(),
            role: v.attrs.role.code(),
            cluster_id: v.attrs.cluster_id,
            country: v.attrs.country.clone(),
            vsic: v.attrs.vsic.clone(),
            notes: v.attrs.notes.clone(),
        }
    }
}

/// An investor's versions.
#[derive(Serialize, ToSchema)]
pub(crate) struct InvestorVersions {
    id: i64,
    versions: Vec<InvestorVersionDoc>,
}

/// A designation's properties.
#[derive(Serialize, ToSchema)]
pub(crate) struct DesignationProperties {
    kind: &'static str,
    name: String,
    unit_code: String,
    product: Option<String>,
    decision_no: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    decision_date: Option<NaiveDate>,
    #[schema(value_type = String, format = Date)]
    valid_from: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    valid_to: Option<NaiveDate>,
    /// Clusters receiving its facilities.
    cluster_ids: Vec<i64>,
    notes: Option<String>,
}

/// A craft village or pilot commune as a GeoJSON Feature (a point where it is known).
#[derive(Serialize, ToSchema)]
pub(crate) struct DesignationFeature {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "Feature")]
    kind: &'static str,
    id: i64,
    #[schema(value_type = Option<Geometry>)]
    geometry: Option<Value>,
    properties: DesignationProperties,
}

impl From<&DesignationRecord> for DesignationFeature {
    fn from(r: &DesignationRecord) -> Self {
        let d = &r.designation;
        DesignationFeature {
            kind: "Feature",
            id: r.id,
            geometry: d.location.map(|(lon, lat)| serde_json::json!({ "type": "Point", "coordinates": [lon, lat] })),
            properties: DesignationProperties {
                kind: d.kind.code(),
                name: d.name.clone(),
                unit_code: d.unit_code.clone(),
                product: d.product.clone(),
                decision_no: d.decision_no.clone(),
                decision_date: d.decision_date,
                valid_from: d.valid_from,
                valid_to: d.valid_to,
                cluster_ids: d.cluster_ids.clone(),
                notes: d.notes.clone(),
            },
        }
    }
}

/// Designations.
#[derive(Serialize, ToSchema)]
pub(crate) struct DesignationCollection {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "FeatureCollection")]
    kind: &'static str,
    #[serde(rename = "numberMatched")]
    #[schema(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    #[schema(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<DesignationFeature>,
}

/// A budget line as answered.
#[derive(Serialize, ToSchema)]
pub(crate) struct BudgetDoc {
    id: i64,
    year: i32,
    source: &'static str,
    programme: &'static str,
    cluster_id: Option<i64>,
    unit_code: Option<String>,
    planned_vnd: i64,
    disbursed_vnd: i64,
    notes: Option<String>,
}

/// Budget lines with their sums.
#[derive(Serialize, ToSchema)]
pub(crate) struct BudgetList {
    budgets: Vec<BudgetDoc>,
    planned_vnd: i64,
    disbursed_vnd: i64,
}

fn problems_error(problems: Vec<FieldProblem>) -> ApiError {
    ApiError::InvalidFeature { geometry: Vec::new(), fields: problems }
}

/// The members of a body: a plain object, or a GeoJSON Feature's properties (its geometry
/// must be null: places come from plots or from `lon`/`lat`).
fn members(body: Result<JsonBody, ApiError>) -> Result<Value, ApiError> {
    let value = body?.value;
    let value = if value.get("type").and_then(Value::as_str) == Some("Feature") {
        if value.get("geometry").is_some_and(|g| !g.is_null()) {
            return Err(problems_error(vec![FieldProblem {
                field: "geometry",
                message: "this resource takes no geometry: an investor is placed on the plots it leases".into(),
            }]));
        }
        value.get("properties").cloned().unwrap_or(Value::Null)
    } else {
        value
    };
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::BadRequest { kind: "malformed-json", detail: "body must be a JSON object".into() })
    }
}

fn number_field(doc: &Value, name: &'static str, problems: &mut Vec<FieldProblem>) -> Option<f64> {
    match doc.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_f64(),
        Some(_) => {
            field(problems, name, format!("{name} must be a number"));
            None
        }
    }
}

fn id_field(doc: &Value, name: &'static str, problems: &mut Vec<FieldProblem>) -> Option<i64> {
    match doc.get(name) {
        None | Some(Value::Null) => None,
        Some(v) => v.as_i64().or_else(|| {
            field(problems, name, format!("{name} must be an integer id"));
            None
        }),
    }
}

/// Joins the shape problems found here with the core's rule problems.
fn validated<T>(mut shape: Vec<FieldProblem>, parsed: Result<T, Vec<FieldProblem>>) -> Result<T, ApiError> {
    match parsed {
        Ok(v) if shape.is_empty() => Ok(v),
        Ok(_) => Err(problems_error(shape)),
        Err(rules) => {
            for p in rules {
                if !shape.iter().any(|s| s.field == p.field) {
                    shape.push(p);
                }
            }
            Err(problems_error(shape))
        }
    }
}

fn investor_attrs(doc: &Value) -> Result<InvestorAttrs, ApiError> {
    let mut shape = Vec::new();
    let input = InvestorInput {
        name: text_field(doc, "name", &mut shape),
        tax_code: text_field(doc, "tax_code", &mut shape),
        role: text_field(doc, "role", &mut shape),
        form: text_field(doc, "form", &mut shape),
        country: text_field(doc, "country", &mut shape),
        vsic: text_field(doc, "vsic", &mut shape),
        cluster_id: id_field(doc, "cluster_id", &mut shape),
        origin_unit_code: text_field(doc, "origin_unit_code", &mut shape),
        origin_designation_id: id_field(doc, "origin_designation_id", &mut shape),
        notes: text_field(doc, "notes", &mut shape),
    };
    let parsed = InvestorAttrs::parse(input);
    validated(shape, parsed)
}

fn figures(doc: &Value, fdi: bool) -> Result<InvestorFigures, ApiError> {
    known_members(doc, FIGURE_MEMBERS, "figures")?;
    let mut shape = Vec::new();
    let input = FiguresInput {
        effective: date_field(doc, "effective", &mut shape),
        status: text_field(doc, "status", &mut shape),
        registered_capital_vnd: number_field(doc, "registered_capital_vnd", &mut shape),
        disbursed_capital_vnd: number_field(doc, "disbursed_capital_vnd", &mut shape),
        registered_capital_usd: number_field(doc, "registered_capital_usd", &mut shape),
        workers: number_field(doc, "workers", &mut shape),
        note: text_field(doc, "note", &mut shape),
    };
    validated(shape, InvestorFigures::parse(input, fdi))
}

/// The boundary of the cluster an investor belongs to, for the rights check; a missing cluster
/// is the body's fault.
async fn cluster_boundary(state: &AppState, id: i64) -> Result<clusterplan_core::Boundary, ApiError> {
    match state.store.get_cluster(id).await {
        Ok(c) => Ok(c.data.boundary),
        Err(clusterplan_store::StoreError::NotFound(_) | clusterplan_store::StoreError::Deleted(_)) => {
            Err(problems_error(vec![FieldProblem {
                field: "cluster_id",
                message: format!("cluster {id} does not exist"),
            }]))
        }
        Err(e) => Err(e.into()),
    }
}

/// The day asked by `datetime` (a day or an instant; today without it).
fn day_param(params: &HashMap<String, String>) -> Result<NaiveDate, ApiError> {
    match params.get("datetime") {
        None => Ok(crate::planning::today()),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .or_else(|| {
                chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&chrono::Utc).date_naive())
            })
            .ok_or_else(|| bad_param(format!("datetime={text:?} must be a day (2025-06-14) or an instant"))),
    }
}

/// Builds investor features, placing each on the plots it leases on `on`. From the published
/// layer (what the public sees), only investors of published clusters, placed on published
/// plots, with their public facts.
async fn investor_features(
    state: &AppState,
    investors: &[InvestorRecord],
    on: NaiveDate,
    layer: Layer,
) -> Result<Vec<InvestorFeature>, ApiError> {
    let clusters: HashSet<i64> = investors.iter().map(|i| i.attrs.cluster_id).collect();
    let mut plots: HashMap<i64, geo_types::MultiPolygon<f64>> = HashMap::new();
    let mut sites: HashMap<i64, geo_types::MultiPolygon<f64>> = HashMap::new();
    for c in clusters {
        let cluster = match state.store.get_cluster_in(c, layer).await {
            Ok(cluster) => cluster,
            Err(clusterplan_store::StoreError::NotFound(_) | clusterplan_store::StoreError::Deleted(_)) => continue,
            Err(e) => return Err(e.into()),
        };
        sites.insert(c, cluster.data.boundary.as_multi_polygon().clone());
        let query = ZoneQuery { cluster_id: Some(c), bbox: None, limit: u32::MAX, offset: 0, cursor: None, layer };
        let zones: Vec<_> = state.store.stream_zones(query).try_collect().await?;
        plots.extend(zones.into_iter().map(|z| (z.id, z.data.boundary.as_multi_polygon().clone())));
    }
    let public = layer == Layer::Published;
    Ok(investors
        .iter()
        .filter(|i| !public || sites.contains_key(&i.attrs.cluster_id))
        .map(|i| {
            let now = InvestorFigures::on(&i.figures, on);
            let zone_ids: Vec<i64> = i
                .leases
                .iter()
                .filter(|l| l.lease.active_on(on) && (!public || plots.contains_key(&l.lease.zone_id)))
                .map(|l| l.lease.zone_id)
                .collect();
            let shape: Vec<geo_types::Polygon<f64>> =
                zone_ids.iter().filter_map(|z| plots.get(z)).flat_map(|m| m.0.iter().cloned()).collect();
            let point = if shape.is_empty() {
                (i.attrs.role == clusterplan_core::registry::InvestorRole::Infrastructure)
                    .then(|| sites.get(&i.attrs.cluster_id).and_then(InteriorPoint::interior_point))
                    .flatten()
            } else {
                geo_types::MultiPolygon(shape).interior_point()
            };
            let account = (!public).then(|| AccountInvestorFacts {
                origin_unit_code: i.attrs.origin_unit_code.clone(),
                origin_designation_id: i.attrs.origin_designation_id,
                notes: i.attrs.notes.clone(),
                version: i.version,
                updated_at: i.updated_at.to_rfc3339(),
                registered_capital_vnd: now.map(|f| f.registered_capital_vnd),
                disbursed_capital_vnd: now.map(|f| f.disbursed_capital_vnd),
                registered_capital_usd: now.and_then(|f| f.registered_capital_usd),
                workers: now.map(|f| f.workers),
                figures: i.figures.iter().map(FiguresDoc::from).collect(),
                leases: i
                    .leases
                    .iter()
                    .map(|l| LeaseDoc {
                        id: l.id,
                        zone_id: l.lease.zone_id,
                        start: l.lease.start,
                        end: l.lease.end,
                        active: l.lease.active_on(on),
                    })
                    .collect(),
            });
            InvestorFeature {
                kind: "Feature",
                id: i.id,
                geometry: point.map(|p| serde_json::json!({ "type": "Point", "coordinates": [p.x(), p.y()] })),
                properties: InvestorProperties {
                    public: PublicInvestorFacts {
                        name: i.attrs.name.clone(),
                        tax_code: i.attrs.tax_code.as_str().to_owned(),
                        role: i.attrs.role.code(),
                        form: i.attrs.form.code(),
                        country: i.attrs.country.clone(),
                        fdi: i.attrs.is_fdi(),
                        vsic: i.attrs.vsic.clone(),
                        cluster_id: i.attrs.cluster_id,
                        on,
                        status: now.map(|f| f.status.code()),
                        zone_ids,
                    },
                    account,
                },
            }
        })
        .collect())
}

fn geojson(status: StatusCode, doc: &impl Serialize) -> Result<Response, ApiError> {
    let body = serde_json::to_string(doc).map_err(ApiError::internal)?;
    Ok((status, [(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], body).into_response())
}

async fn investor_answer(
    state: &AppState,
    status: StatusCode,
    record: &InvestorRecord,
    base: Option<&str>,
) -> Result<Response, ApiError> {
    let feature =
        investor_features(state, std::slice::from_ref(record), crate::planning::today(), Layer::Draft).await?;
    let mut response = geojson(status, &feature[0])?;
    response.headers_mut().insert(header::ETAG, etag(record.version));
    if let Some(base) = base {
        response
            .headers_mut()
            .insert(header::LOCATION, location(&format!("{base}/collections/investors/items/{}", record.id))?);
    }
    Ok(response)
}

/// Investors
///
/// The infrastructure investor and the secondary investors of the clusters, each on the plots
/// it leases on the day asked, with its figures in force that day. The public sees the
/// investors of published clusters on published plots, with their public facts only (name, tax
/// code, role, form, country, sector, cluster, status, plots).
#[utoipa::path(
    get,
    path = "/collections/investors/items",
    operation_id = "getInvestors",
    tag = "Registry",
    params(
        ("cluster_id" = Option<i64>, Query, description = "Only this cluster's investors"),
        ("datetime" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?$", description = "The day the figures and plots are for (`2025-06-14`); today without it"),
    ),
    responses(
        (status = 200, description = "Investors as GeoJSON points", content(("application/geo+json" = InvestorCollection))),
        (status = 400, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn list_investors(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let layer = if sees_drafts(&caller.principal) { Layer::Draft } else { Layer::Published };
    known(&params, &["cluster_id", "datetime", "f"])?;
    blank_is_absent(&mut params);
    let cluster_id = params
        .get("cluster_id")
        .map(|c| c.parse::<i64>().map_err(|_| bad_param(format!("cluster_id={c:?} must be an integer id"))))
        .transpose()?;
    let on = day_param(&params)?;
    let investors = state.store.list_investors(cluster_id).await?;
    let features = investor_features(&state, &investors, on, layer).await?;
    geojson(
        StatusCode::OK,
        &InvestorCollection {
            kind: "FeatureCollection",
            number_matched: features.len(),
            number_returned: features.len(),
            features,
        },
    )
}

/// Add an investor
///
/// With its first figures (`figures`). An officer adds investors of clusters in its unit.
#[utoipa::path(
    post,
    path = "/collections/investors/items",
    operation_id = "createInvestor",
    tag = "Registry",
    params(docs::WriteHeaders),
    request_body(content = InvestorBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", headers(("ETag" = String), ("Location" = String)), content(("application/geo+json" = InvestorFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create_investor(
    State(state): State<AppState>,
    caller: Caller,
    BaseUrl(base): BaseUrl,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize_caller(&state, &caller, Action::CreateFeature, "investors").await?;
    let doc = members(body)?;
    known_members(&doc, INVESTOR_MEMBERS, "an investor")?;
    let attrs = investor_attrs(&doc);
    let first = match doc.get("figures") {
        Some(f) if f.is_object() => figures(f, attrs.as_ref().is_ok_and(InvestorAttrs::is_fdi)),
        _ => Err(problems_error(vec![FieldProblem {
            field: "figures",
            message: "figures (the first status, capital and workers, from a day) are required".into(),
        }])),
    };
    let (attrs, first) = match (attrs, first) {
        (Ok(a), Ok(f)) => (a, f),
        (Err(ApiError::InvalidFeature { fields: mut a, .. }), Err(ApiError::InvalidFeature { fields: b, .. })) => {
            a.extend(b);
            return Err(problems_error(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let site = cluster_boundary(&state, attrs.cluster_id).await?;
    let target = Target::Feature { path: "investors", old: None, new: Some(site.as_multi_polygon()) };
    authorize(&state, &caller, Action::CreateFeature, target).await?;
    let record = state.store.create_investor(&attrs, &first, &ctx).await?;
    investor_answer(&state, StatusCode::CREATED, &record, Some(&base)).await
}

/// An investor
///
/// The public reads the public facts of an investor of a published cluster (and 404 for any
/// other, as for an id that never existed); accounts read everything, with its version's `ETag`.
#[utoipa::path(
    get,
    path = "/collections/investors/items/{id}",
    operation_id = "getInvestor",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id")),
    responses(
        (status = 200, description = "The investor", headers(("ETag" = String, description = "For accounts")), content(("application/geo+json" = InvestorFeature))),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn read_investor(State(state): State<AppState>, caller: Caller, id: FeatureId) -> Result<Response, ApiError> {
    let record = state.store.get_investor(id.0).await.map_err(|e| not_found(e, id.0))?;
    if sees_drafts(&caller.principal) {
        return investor_answer(&state, StatusCode::OK, &record, None).await;
    }
    let on = crate::planning::today();
    let feature = investor_features(&state, std::slice::from_ref(&record), on, Layer::Published).await?;
    let feature =
        feature.into_iter().next().ok_or_else(|| not_found(clusterplan_store::StoreError::NotFound(id.0), id.0))?;
    geojson(StatusCode::OK, &feature)
}

fn not_found(e: clusterplan_store::StoreError, id: i64) -> ApiError {
    match e {
        clusterplan_store::StoreError::NotFound(_) => ApiError::NotFound(format!("investor {id} does not exist")),
        other => other.into(),
    }
}

/// Replace an investor's attributes
///
/// The next version; figures and leases are added with their own requests.
#[utoipa::path(
    put,
    path = "/collections/investors/items/{id}",
    operation_id = "replaceInvestor",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id"), docs::IfMatch, docs::WriteHeaders),
    request_body(content = InvestorBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Replaced", headers(("ETag" = String)), content(("application/geo+json" = InvestorFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 412, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn replace_investor(
    State(state): State<AppState>,
    caller: Caller,
    id: FeatureId,
    if_match: IfMatch,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize_caller(&state, &caller, Action::ReplaceFeature, "investors").await?;
    let current = state.store.get_investor(id.0).await.map_err(|e| not_found(e, id.0))?;
    let doc = members(body)?;
    known_members(&doc, INVESTOR_MEMBERS, "an investor")?;
    let attrs = investor_attrs(&doc)?;
    let old = cluster_boundary(&state, current.attrs.cluster_id).await?;
    let new = cluster_boundary(&state, attrs.cluster_id).await?;
    let path = format!("investors/{}", id.0);
    let target = Target::Feature { path: &path, old: Some(old.as_multi_polygon()), new: Some(new.as_multi_polygon()) };
    authorize(&state, &caller, Action::ReplaceFeature, target).await?;
    let expected = if_match.given(current.version)?;
    let record = state.store.update_investor(id.0, expected, &attrs, &ctx).await?;
    investor_answer(&state, StatusCode::OK, &record, None).await
}

/// Rights on an existing investor's dated records: those of a write to its cluster.
async fn authorize_on_investor(state: &AppState, caller: &Caller, id: i64) -> Result<InvestorRecord, ApiError> {
    authorize_caller(state, caller, Action::ReplaceFeature, "investors").await?;
    let current = state.store.get_investor(id).await.map_err(|e| not_found(e, id))?;
    let site = cluster_boundary(state, current.attrs.cluster_id).await?;
    let path = format!("investors/{id}");
    let target =
        Target::Feature { path: &path, old: Some(site.as_multi_polygon()), new: Some(site.as_multi_polygon()) };
    authorize(state, caller, Action::ReplaceFeature, target).await?;
    Ok(current)
}

/// Record an investor's figures from a day
#[utoipa::path(
    post,
    path = "/collections/investors/items/{id}/figures",
    operation_id = "addInvestorFigures",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id"), docs::WriteHeaders),
    request_body(content = FiguresBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", content(("application/geo+json" = InvestorFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn add_figures(
    State(state): State<AppState>,
    caller: Caller,
    id: FeatureId,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    let current = authorize_on_investor(&state, &caller, id.0).await?;
    let doc = members(body)?;
    let f = figures(&doc, current.attrs.is_fdi())?;
    let record = state.store.record_figures(id.0, &f, &ctx).await?;
    investor_answer(&state, StatusCode::CREATED, &record, None).await
}

/// Record a lease of a plot
///
/// The plot must be a leasable zone of the investor's cluster, not leased to anyone on any of
/// the lease's days.
#[utoipa::path(
    post,
    path = "/collections/investors/items/{id}/leases",
    operation_id = "addInvestorLease",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id"), docs::WriteHeaders),
    request_body(content = LeaseBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", content(("application/geo+json" = InvestorFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn add_lease(
    State(state): State<AppState>,
    caller: Caller,
    id: FeatureId,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize_on_investor(&state, &caller, id.0).await?;
    let doc = members(body)?;
    known_members(&doc, LEASE_MEMBERS, "a lease")?;
    let mut shape = Vec::new();
    let zone = id_field(&doc, "zone_id", &mut shape);
    let start = date_field(&doc, "start", &mut shape);
    let end = date_field(&doc, "end", &mut shape);
    for (name, missing) in [("zone_id", zone.is_none()), ("start", start.is_none())] {
        if missing && !shape.iter().any(|p| p.field == name) {
            field(&mut shape, name, format!("{name} is required"));
        }
    }
    let (Some(zone), Some(start), true) = (zone, start, shape.is_empty()) else { return Err(problems_error(shape)) };
    let lease = Lease::new(zone, start, end).map_err(|p| problems_error(vec![p]))?;
    let record = state.store.add_lease(id.0, &lease, &ctx).await?;
    investor_answer(&state, StatusCode::CREATED, &record, None).await
}

/// The last day of a lease.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct LeaseEndBody {
    #[schema(value_type = String, format = Date)]
    end: String,
}

/// End a lease
///
/// Sets (or moves) its last day: a tenant leaving, a plot handed back. The new dates may not
/// overlap another lease of the plot.
#[utoipa::path(
    post,
    path = "/collections/investors/items/{id}/leases/{lease}/end",
    operation_id = "endInvestorLease",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id"), ("lease" = i64, Path, description = "The lease's id"), docs::WriteHeaders),
    request_body(content = LeaseEndBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded", content(("application/geo+json" = InvestorFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn end_lease(
    State(state): State<AppState>,
    caller: Caller,
    id: FeatureId,
    Path((_, lease)): Path<(String, String)>,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize_on_investor(&state, &caller, id.0).await?;
    let missing = || ApiError::NotFound(format!("investor {} holds no lease {lease:?}", id.0));
    let lease_id = lease.parse::<i64>().map_err(|_| missing())?;
    let doc = members(body)?;
    known_members(&doc, &["end"], "a lease's end")?;
    let mut shape = Vec::new();
    let end = date_field(&doc, "end", &mut shape);
    let (Some(end), true) = (end, shape.is_empty()) else {
        if shape.is_empty() {
            field(&mut shape, "end", "end is required".into());
        }
        return Err(problems_error(shape));
    };
    let record = state.store.end_lease(id.0, lease_id, end, &ctx).await.map_err(|e| match e {
        clusterplan_store::StoreError::NotFound(_) => missing(),
        other => other.into(),
    })?;
    investor_answer(&state, StatusCode::OK, &record, None).await
}

/// An investor's versions
#[utoipa::path(
    get,
    path = "/collections/investors/items/{id}/versions",
    operation_id = "getInvestorVersions",
    tag = "Registry",
    params(("id" = i64, Path, description = "The investor's id")),
    responses(
        (status = 200, description = "Every written version, oldest first", body = InvestorVersions),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn investor_versions(
    State(state): State<AppState>,
    caller: Caller,
    id: FeatureId,
) -> Result<Json<InvestorVersions>, ApiError> {
    require_drafts(&caller)?;
    let versions = state.store.investor_versions(id.0).await.map_err(|e| not_found(e, id.0))?;
    Ok(Json(InvestorVersions { id: id.0, versions: versions.iter().map(InvestorVersionDoc::from).collect() }))
}

/// Craft villages and pilot communes
///
/// Designations of units valid over time, at their point where it is known. Public.
#[utoipa::path(
    get,
    path = "/collections/designations/items",
    operation_id = "getDesignations",
    tag = "Registry",
    params(
        ("kind" = inline(Option<DesignationKindName>), Query, description = "`craft_village` or `pilot_commune`"),
        ("datetime" = Option<String>, Query, pattern = "^([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?)?$", description = "Only those valid on this day (`2025-06-14`)"),
    ),
    responses(
        (status = 200, description = "Designations as GeoJSON", content(("application/geo+json" = DesignationCollection))),
        (status = 400, response = docs::Problem),
    ),
)]
async fn list_designations(
    State(state): State<AppState>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    known(&params, &["kind", "datetime", "f"])?;
    blank_is_absent(&mut params);
    let kind = params
        .get("kind")
        .map(|k| {
            clusterplan_core::registry::DesignationKind::from_code(k)
                .ok_or_else(|| bad_param(format!("kind={k:?} must be craft_village or pilot_commune")))
        })
        .transpose()?;
    let on = params.contains_key("datetime").then(|| day_param(&params)).transpose()?;
    let features: Vec<DesignationFeature> = state
        .store
        .list_designations()
        .await?
        .iter()
        .filter(|d| kind.is_none_or(|k| d.designation.kind == k))
        .filter(|d| on.is_none_or(|day| d.designation.valid_on(day)))
        .map(DesignationFeature::from)
        .collect();
    geojson(
        StatusCode::OK,
        &DesignationCollection {
            kind: "FeatureCollection",
            number_matched: features.len(),
            number_returned: features.len(),
            features,
        },
    )
}

/// Add a craft village or pilot commune
///
/// Planners and administrators.
#[utoipa::path(
    post,
    path = "/collections/designations/items",
    operation_id = "createDesignation",
    tag = "Registry",
    params(docs::WriteHeaders),
    request_body(content = DesignationBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", content(("application/geo+json" = DesignationFeature))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create_designation(
    State(state): State<AppState>,
    caller: Caller,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize(&state, &caller, Action::CreateFeature, Target::Account).await?;
    let doc = members(body)?;
    known_members(&doc, DESIGNATION_MEMBERS, "a designation")?;
    let mut shape = Vec::new();
    let lon = number_field(&doc, "lon", &mut shape);
    let lat = number_field(&doc, "lat", &mut shape);
    if lon.is_some() != lat.is_some() {
        field(&mut shape, "lon", "lon and lat go together".into());
    }
    let cluster_ids = match doc.get("cluster_ids") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) if ids.iter().all(|v| v.as_i64().is_some()) => {
            ids.iter().filter_map(Value::as_i64).collect()
        }
        Some(_) => {
            field(&mut shape, "cluster_ids", "cluster_ids must be an array of cluster ids".into());
            Vec::new()
        }
    };
    let input = DesignationInput {
        kind: text_field(&doc, "kind", &mut shape),
        name: text_field(&doc, "name", &mut shape),
        unit_code: text_field(&doc, "unit_code", &mut shape),
        product: text_field(&doc, "product", &mut shape),
        decision_no: text_field(&doc, "decision_no", &mut shape),
        decision_date: date_field(&doc, "decision_date", &mut shape),
        valid_from: date_field(&doc, "valid_from", &mut shape),
        valid_to: date_field(&doc, "valid_to", &mut shape),
        location: lon.zip(lat),
        cluster_ids,
        notes: text_field(&doc, "notes", &mut shape),
    };
    let designation: Designation = validated(shape, Designation::parse(input))?;
    let record = state.store.create_designation(&designation, &ctx).await.map_err(|e| match e {
        clusterplan_store::StoreError::MissingReference { id, .. } => {
            problems_error(vec![FieldProblem { field: "cluster_ids", message: format!("cluster {id} does not exist") }])
        }
        other => other.into(),
    })?;
    geojson(StatusCode::CREATED, &DesignationFeature::from(&record))
}

fn budget_doc(r: &clusterplan_store::BudgetRecord) -> BudgetDoc {
    let b = &r.budget;
    BudgetDoc {
        id: r.id,
        year: b.year,
        source: b.source.code(),
        programme: b.programme.code(),
        cluster_id: b.cluster_id,
        unit_code: b.unit_code.clone(),
        planned_vnd: b.planned_vnd,
        disbursed_vnd: b.disbursed_vnd,
        notes: b.notes.clone(),
    }
}

/// Programme budgets
///
/// Industrial extension (khuyến công) and investment allocations by year, source, programme
/// and cluster: planned and disbursed. Accounts only.
#[utoipa::path(
    get,
    path = "/budgets",
    operation_id = "getBudgets",
    tag = "Registry",
    params(("year" = Option<i32>, Query, description = "Only this year")),
    responses(
        (status = 200, description = "Budget lines and their sums", body = BudgetList),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn list_budgets(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<BudgetList>, ApiError> {
    require_drafts(&caller)?;
    known(&params, &["year"])?;
    let year = params
        .get("year")
        .map(|y| y.parse::<i32>().map_err(|_| bad_param(format!("year={y:?} must be a year such as 2024"))))
        .transpose()?;
    let budgets: Vec<BudgetDoc> = state.store.list_budgets(year).await?.iter().map(budget_doc).collect();
    Ok(Json(BudgetList {
        planned_vnd: budgets.iter().map(|b| b.planned_vnd).sum(),
        disbursed_vnd: budgets.iter().map(|b| b.disbursed_vnd).sum(),
        budgets,
    }))
}

/// Add a budget line
///
/// Planners and administrators.
#[utoipa::path(
    post,
    path = "/budgets",
    operation_id = "createBudget",
    tag = "Registry",
    params(docs::WriteHeaders),
    request_body(content = BudgetBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Added", body = BudgetDoc),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create_budget(
    State(state): State<AppState>,
    caller: Caller,
    Provenance(ctx): Provenance,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    authorize(&state, &caller, Action::CreateFeature, Target::Account).await?;
    let doc = members(body)?;
    known_members(&doc, BUDGET_MEMBERS, "a budget line")?;
    let mut shape = Vec::new();
    let input = BudgetInput {
        year: number_field(&doc, "year", &mut shape),
        source: text_field(&doc, "source", &mut shape),
        programme: text_field(&doc, "programme", &mut shape),
        cluster_id: id_field(&doc, "cluster_id", &mut shape),
        unit_code: text_field(&doc, "unit_code", &mut shape),
        planned_vnd: number_field(&doc, "planned_vnd", &mut shape),
        disbursed_vnd: number_field(&doc, "disbursed_vnd", &mut shape),
        notes: text_field(&doc, "notes", &mut shape),
    };
    let budget: Budget = validated(shape, Budget::parse(input))?;
    let record = state.store.create_budget(&budget, &ctx).await.map_err(|e| match e {
        clusterplan_store::StoreError::MissingReference { id, .. } => {
            problems_error(vec![FieldProblem { field: "cluster_id", message: format!("cluster {id} does not exist") }])
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(budget_doc(&record))).into_response())
}

/// The report under Circular 14/2024/TT-BCT
///
/// The clusters of the province (or of a unit as it was at the period's end) with land,
/// investors, capital and workers on the period's last day, from dated history: a report for a
/// past period gives what was true then. `f=csv`, `f=xlsx` or `f=html` (printable) besides JSON.
/// Accounts only.
#[utoipa::path(
    get,
    path = "/reports/circular14",
    operation_id = "getCircular14Report",
    tag = "Registry",
    params(
        ("period" = String, Query, pattern = "^[0-9]{4}(-H1)?$", description = "`2025-H1`: six-month report (15 Dec 2024 – 14 Jun 2025); `2025`: annual (15 Dec 2024 – 14 Dec 2025)"),
        ("unit" = Option<String>, Query, description = "Official code of a unit valid on the period's last day; the whole province without it"),
        ("f" = inline(Option<ReportFormat>), Query, description = "`json` (default), `csv`, `xlsx` or `html`"),
    ),
    responses(
        (status = 200, description = "The report", content(
            ("application/json" = Report),
            ("text/csv" = String),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" = String),
            ("text/html" = String),
        )),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require_drafts(&caller)?;
    known(&params, &["period", "unit", "f"])?;
    blank_is_absent(&mut params);
    let format = params.get("f").map_or("json", String::as_str);
    if !["json", "csv", "xlsx", "html"].contains(&format) {
        return Err(bad_param(format!("f={format:?} must be json, csv, xlsx or html")));
    }
    let period = match params.get("period") {
        None => {
            return Err(problems_error(vec![FieldProblem {
                field: "period",
                message: "period is required, e.g. 2025-H1 or 2024".into(),
            }]));
        }
        Some(p) => {
            ReportPeriod::parse(p).map_err(|m| problems_error(vec![FieldProblem { field: "period", message: m }]))?
        }
    };
    let unit = params.get("unit").map(String::as_str).filter(|u| !u.is_empty());
    let report = reports::circular14(state.store.as_ref(), period, unit).await?;
    let stem = format!("bao-cao-ccn-{}{}", report.period, unit.map(|u| format!("-{u}")).unwrap_or_default());
    let file = |ext: &str| format!("attachment; filename=\"{stem}.{ext}\"");
    Ok(match format {
        "csv" => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, file("csv"))],
            reports::csv(&report)?,
        )
            .into_response(),
        "xlsx" => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
                (header::CONTENT_DISPOSITION, file("xlsx")),
            ],
            reports::xlsx(&report).map_err(ApiError::internal)?,
        )
            .into_response(),
        "html" => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], reports::html(&report)).into_response(),
        _ => Json::<Report>(report).into_response(),
    })
}
