//! One import pipeline for the HTTP API and the command line: read the file, map its fields,
//! check every feature exactly as a POST or PUT is checked (geometry, attributes, Decree 32
//! rules, the caller's rights), match existing clusters by code, then either describe what
//! would happen (a preview) or write it all in one transaction.

use std::collections::{BTreeMap, HashMap};

use clusterplan_core::{Cluster, ClusterDraft};
use clusterplan_store::{ClusterQuery, ClusterWrite, WriteContext};
use futures::TryStreamExt;
use serde::Serialize;
use serde_json::{Map, Value, json};

use clusterplan_core::Crs;

use super::table::AxisOrder;
use super::{Dataset, Options, TextEncoding, guess_mapping, mapped_properties, read_upload, targets};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};
use crate::routes::params::{bad_param, known};
use crate::wire::{WireCrs, cluster_draft, cluster_properties};

/// What happens to one feature of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Outcome {
    /// A new cluster.
    Create,
    /// The next version of the cluster with the same code.
    Update,
    /// Same as the cluster with its code: nothing to write.
    Unchanged,
    /// Refused: `problem` says why; nothing of the import is written while one is.
    Refused,
}

/// The verdict on one feature.
#[derive(Debug, Serialize)]
pub(crate) struct Verdict {
    /// Position in the file, from 0.
    pub(crate) index: usize,
    pub(crate) action: Outcome,
    /// The feature as it would be stored (GeoJSON, CRS84), when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) feature: Option<Value>,
    /// The cluster with the same code: `{id, version}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) matched: Option<Value>,
    /// For an update: the properties that change, and whether the boundary does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) changes: Vec<String>,
    /// For a refusal: the problem document a POST or PUT of this feature would get.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) problem: Option<Value>,
}

/// The preview (and, after a commit, the record) of an import.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) file: String,
    pub(crate) format: &'static str,
    /// The system the file's coordinates were read in.
    pub(crate) crs: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) encoding: Option<&'static str>,
    /// A coordinate table's X/Y order: `north_east` (X the northing, as Vietnamese surveys
    /// write it) or `east_north`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) axis_order: Option<&'static str>,
    /// What decided it: `values` (their ranges), `names` (Northing/Easting columns),
    /// `declared` (`axis_order=`) or `convention` (the values did not tell).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) axis_order_by: Option<&'static str>,
    /// The file's fields.
    pub(crate) fields: Vec<String>,
    /// Source field → our property, as used (guessed, then as the caller set it).
    pub(crate) mapping: BTreeMap<String, String>,
    /// The properties an import may set, for a mapping form.
    pub(crate) targets: Vec<&'static str>,
    pub(crate) summary: BTreeMap<&'static str, usize>,
    pub(crate) features: Vec<Verdict>,
    /// Whether it was written.
    pub(crate) committed: bool,
}

/// A checked import: the report and the writes it would make.
struct Plan {
    pub(crate) report: Report,
    writes: Vec<(usize, ClusterWrite)>,
}

/// Most features one import takes.
pub(crate) const MAX_IMPORT_FEATURES: usize = 5_000;

/// What an import is asked to do: the query string of the HTTP import, or the options of
/// `clusterplan import` put as one.
pub(crate) struct ImportRequest {
    pub(crate) options: Options,
    pub(crate) mapping: Option<Map<String, Value>>,
    pub(crate) dry_run: bool,
    /// The file's name, for the versions' reason.
    pub(crate) file: String,
}

impl ImportRequest {
    pub(crate) fn parse(params: &HashMap<String, String>) -> Result<ImportRequest, ApiError> {
        known(params, &["dry_run", "crs", "encoding", "mapping", "filename", "layer", "code", "axis_order"])?;
        let crs = params
            .get("crs")
            .filter(|c| !c.is_empty())
            .map(|c| Crs::parse(c).map_err(|_| bad_param(format!("crs={c:?} is not a system clusterplan serves"))))
            .transpose()?;
        let encoding = params
            .get("encoding")
            .filter(|e| !e.is_empty())
            .map(|e| {
                TextEncoding::parse(e)
                    .ok_or_else(|| bad_param(format!("encoding={e:?}: UTF-8, windows-1258, TCVN3 or VNI")))
            })
            .transpose()?;
        let axis_order = params
            .get("axis_order")
            .filter(|a| !a.is_empty())
            .map(|a| {
                AxisOrder::parse(a).ok_or_else(|| {
                    bad_param(format!("axis_order={a:?}: north_east (X the northing, Y the easting) or east_north"))
                })
            })
            .transpose()?;
        let mapping = params
            .get("mapping")
            .map(|m| match serde_json::from_str(m) {
                Ok(Value::Object(map)) => Ok(map),
                _ => Err(bad_param(format!(
                    "mapping={m:?} must be a JSON object {{\"SOURCE_FIELD\": \"property\" or null}}"
                ))),
            })
            .transpose()?;
        let dry_run = match params.get("dry_run").map(String::as_str) {
            None | Some("false") => false,
            Some("true" | "") => true,
            Some(other) => return Err(bad_param(format!("dry_run={other:?} must be true or false"))),
        };
        let file: String = params
            .get("filename")
            .map_or("upload", String::as_str)
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(ImportRequest {
            options: Options {
                crs,
                encoding,
                layer: params.get("layer").filter(|l| !l.is_empty()).cloned(),
                code: params.get("code").map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
                axis_order,
                planning_crs: None,
                max_features: MAX_IMPORT_FEATURES,
            },
            mapping,
            dry_run,
            file,
        })
    }
}

/// Reads, maps and checks the file; then the preview (`dry_run`) or the import written.
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    bytes: Vec<u8>,
    request: ImportRequest,
) -> Result<Report, ApiError> {
    let ImportRequest { mut options, mapping, dry_run, file } = request;
    options.planning_crs = Some(state.config.planning_crs);
    let dataset = read_upload(bytes, options)
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::BadRequest { kind: "invalid-import", detail: e.0 })?;
    let mapping = mapping_for(&dataset, mapping.as_ref())?;
    let checked = plan(state, caller, &file, dataset, mapping).await?;
    if dry_run {
        return Ok(checked.report);
    }
    let ctx = WriteContext {
        author: caller.principal.name().map(str::to_owned),
        reason: Some(format!("import {file}")),
        address: caller.address.clone(),
        ..WriteContext::default()
    };
    commit(state, checked, &ctx).await
}

/// The caller's mapping over the guesses: `{"SOURCE": "ours"}` sets one, `{"SOURCE": null}`
/// drops one; an unknown field or target is a 400.
fn mapping_for(dataset: &Dataset, given: Option<&Map<String, Value>>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut mapping = guess_mapping(&dataset.fields);
    for (field, ours) in given.into_iter().flatten() {
        if !dataset.fields.contains(field) {
            return Err(bad(format!(
                "mapping names {field:?}, which is not a field of the file ({})",
                dataset.fields.join(", ")
            )));
        }
        match ours {
            Value::Null => {
                mapping.remove(field);
            }
            Value::String(ours) if targets().any(|t| t == ours) => {
                // One source per property: a property mapped anew leaves its guessed source.
                mapping.retain(|_, v| v != ours);
                mapping.insert(field.clone(), ours.clone());
            }
            other => {
                return Err(bad(format!(
                    "mapping {field:?} → {other}: the target must be null or one of {}",
                    targets().collect::<Vec<_>>().join(", ")
                )));
            }
        }
    }
    Ok(mapping)
}

fn bad(detail: String) -> ApiError {
    ApiError::BadRequest { kind: "invalid-import", detail }
}

/// Checks every feature of `dataset` as `caller` would write it.
async fn plan(
    state: &AppState,
    caller: &Caller,
    file: &str,
    dataset: Dataset,
    mapping: BTreeMap<String, String>,
) -> Result<Plan, ApiError> {
    let existing: HashMap<String, Cluster> = state
        .store
        .stream_clusters(ClusterQuery::ALL)
        .map_ok(|c| (c.data.attrs.code().to_owned(), c))
        .try_collect()
        .await?;
    let mut codes_seen: HashMap<String, usize> = HashMap::new();
    let mut verdicts = Vec::with_capacity(dataset.features.len());
    let mut writes = Vec::new();
    let partial = dataset.partial;
    for (index, source) in dataset.features.into_iter().enumerate() {
        let refuse = |problem: Value, feature: Option<Value>| Verdict {
            index,
            action: Outcome::Refused,
            feature,
            matched: None,
            changes: Vec::new(),
            problem: Some(problem),
        };
        let geometry = match source.geometry {
            Ok(g) => g,
            Err(why) => {
                verdicts.push(refuse(problem("invalid-geometry", &why), None));
                continue;
            }
        };
        let properties = properties_of(&source.properties, &source.cut, &mapping, &existing, partial);
        let document = json!({
            "type": "Feature",
            "geometry": geojson::Geometry::new(geojson::Value::from(&geometry)),
            "properties": properties,
        });
        let draft = match cluster_draft(document.clone(), WireCrs::default(), state.config.planning_crs) {
            Ok(d) => d,
            Err(e) => {
                verdicts.push(refuse(body(&e), Some(document)));
                continue;
            }
        };
        let code = draft.attrs.code().to_owned();
        if let Some(first) = codes_seen.insert(code.clone(), index) {
            let why = format!("code {code:?} is also feature {first}'s: each cluster once per import");
            verdicts.push(refuse(problem("duplicate-code", &why), Some(document)));
            continue;
        }
        let checked = check(state, caller, existing.get(&code), &draft).await;
        match checked {
            Err(e) => {
                let mut verdict = refuse(body(&e), Some(document));
                verdict.matched = existing.get(&code).map(|c| json!({ "id": c.id, "version": c.version }));
                verdicts.push(verdict);
            }
            Ok(write) => {
                let matched = existing.get(&code);
                let changes = matched.map(|c| changes(c, &draft)).unwrap_or_default();
                let action = match matched {
                    None => Outcome::Create,
                    Some(_) if changes.is_empty() => Outcome::Unchanged,
                    Some(_) => Outcome::Update,
                };
                if action != Outcome::Unchanged {
                    writes.push((index, write));
                }
                verdicts.push(Verdict {
                    index,
                    action,
                    feature: Some(document),
                    matched: matched.map(|c| json!({ "id": c.id, "version": c.version })),
                    changes,
                    problem: None,
                });
            }
        }
    }
    let report = Report {
        file: file.to_owned(),
        format: dataset.format,
        crs: dataset.crs.to_string(),
        encoding: dataset.encoding,
        axis_order: dataset.axis_order.map(|(order, _)| order),
        axis_order_by: dataset.axis_order.map(|(_, by)| by),
        fields: dataset.fields,
        mapping,
        targets: targets().collect(),
        summary: summary(&verdicts),
        features: verdicts,
        committed: false,
    };
    Ok(Plan { report, writes })
}

/// How many features meet each outcome.
pub(crate) fn summary(verdicts: &[Verdict]) -> BTreeMap<&'static str, usize> {
    let mut summary: BTreeMap<&'static str, usize> =
        [("create", 0), ("update", 0), ("unchanged", 0), ("refused", 0)].into_iter().collect();
    for v in verdicts {
        let key = match v.action {
            Outcome::Create => "create",
            Outcome::Update => "update",
            Outcome::Unchanged => "unchanged",
            Outcome::Refused => "refused",
        };
        *summary.entry(key).or_default() += 1;
    }
    summary
}

/// A feature's properties as ours: mapped, then what the file could not hold taken from the
/// cluster with its code.
fn properties_of(
    source: &Map<String, Value>,
    cut: &[String],
    mapping: &BTreeMap<String, String>,
    existing: &HashMap<String, Cluster>,
    partial: bool,
) -> Map<String, Value> {
    let mut properties = mapped_properties(source, mapping);
    if partial {
        keep_unsaid(&mut properties, existing);
    }
    keep_uncut(&mut properties, cut, mapping, existing);
    properties
}

/// A file that gives boundaries and few attributes (a coordinate table) leaves the others as
/// the cluster with its code has them.
fn keep_unsaid(properties: &mut Map<String, Value>, existing: &HashMap<String, Cluster>) {
    let Some(current) = properties.get("code").and_then(Value::as_str).and_then(|c| existing.get(c)) else {
        return;
    };
    let now = cluster_properties(current);
    for key in targets() {
        if !properties.contains_key(key) && !now[key].is_null() {
            properties.insert(key.to_owned(), now[key].clone());
        }
    }
}

/// A text that fills its dBase field and starts the matched cluster's text is that text cut
/// by a Shapefile export (dBase holds 254 bytes): the whole text is kept, not replaced by its
/// start.
fn keep_uncut(
    properties: &mut Map<String, Value>,
    cut: &[String],
    mapping: &BTreeMap<String, String>,
    existing: &HashMap<String, Cluster>,
) {
    let Some(current) = properties.get("code").and_then(Value::as_str).and_then(|c| existing.get(c)) else {
        return;
    };
    let now = cluster_properties(current);
    for ours in cut.iter().filter_map(|field| mapping.get(field)) {
        let Value::String(whole) = &now[ours.as_str()] else { continue };
        let cut_off = properties
            .get(ours)
            .and_then(Value::as_str)
            .is_some_and(|start| whole.len() > start.len() && whole.starts_with(start));
        if cut_off {
            properties.insert(ours.clone(), Value::String(whole.clone()));
        }
    }
}

/// A feature checked as its POST (no match) or PUT (a match) would be; the write to make.
async fn check(
    state: &AppState,
    caller: &Caller,
    matched: Option<&Cluster>,
    draft: &ClusterDraft,
) -> Result<ClusterWrite, ApiError> {
    let new = Some(draft.boundary.as_multi_polygon());
    match matched {
        None => {
            authorize(state, caller, Action::CreateFeature, Target::Feature { path: "clusters", old: None, new })
                .await?;
            let first = crate::planning::check_create(state, draft, &json!({})).await?;
            Ok(ClusterWrite::Create { draft: draft.clone(), first })
        }
        Some(current) => {
            let path = format!("clusters/{}", current.id);
            let old = Some(current.data.boundary.as_multi_polygon());
            authorize(state, caller, Action::ReplaceFeature, Target::Feature { path: &path, old, new }).await?;
            crate::planning::check_edit_of(state, current, draft, &json!({})).await?;
            Ok(ClusterWrite::Update { id: current.id, expected_version: current.version, draft: draft.clone() })
        }
    }
}

/// The properties (and `boundary`) in which `draft` differs from `current`.
fn changes(current: &Cluster, draft: &ClusterDraft) -> Vec<String> {
    let mut out = Vec::new();
    let now = cluster_properties(current);
    let next = cluster_properties(&Cluster { data: draft.clone(), ..current.clone() });
    for key in targets() {
        if now[key] != next[key] {
            out.push(key.to_owned());
        }
    }
    if !same_boundary(current, draft) {
        out.push("boundary".to_owned());
    }
    out
}

/// Equal to about a millimetre, whatever the rings' direction and first vertex: a boundary
/// that went out through a Shapefile (clockwise outer rings) or a projected file and came back
/// is the same boundary.
fn same_boundary(current: &Cluster, draft: &ClusterDraft) -> bool {
    let (a, b) = (current.data.boundary.as_multi_polygon(), draft.boundary.as_multi_polygon());
    a.0.len() == b.0.len()
        && a.0.iter().zip(&b.0).all(|(p, q)| {
            same_ring(p.exterior(), q.exterior())
                && p.interiors().len() == q.interiors().len()
                && p.interiors().iter().zip(q.interiors()).all(|(r, s)| same_ring(r, s))
        })
}

fn same_ring(a: &geo_types::LineString<f64>, b: &geo_types::LineString<f64>) -> bool {
    let open = |r: &geo_types::LineString<f64>| r.0[..r.0.len().saturating_sub(1)].to_vec();
    let (a, b) = (open(a), open(b));
    let near =
        |p: &geo_types::Coord<f64>, q: &geo_types::Coord<f64>| (p.x - q.x).abs() < 1e-8 && (p.y - q.y).abs() < 1e-8;
    let n = a.len();
    if n != b.len() || n == 0 {
        return n == b.len();
    }
    let Some(start) = b.iter().position(|q| near(&a[0], q)) else {
        return false;
    };
    (0..n).all(|i| near(&a[i], &b[(start + i) % n])) || (0..n).all(|i| near(&a[i], &b[(start + n - i) % n]))
}

fn problem(kind: &str, detail: &str) -> Value {
    json!({ "type": format!("urn:clusterplan:problem:{kind}"), "title": "Refused", "detail": detail })
}

fn body(error: &ApiError) -> Value {
    serde_json::to_value(error.body()).unwrap_or_default()
}

/// Writes a plan with no refusal in one transaction; each write a version with `ctx`'s reason.
async fn commit(state: &AppState, mut plan: Plan, ctx: &WriteContext) -> Result<Report, ApiError> {
    let refused = plan.report.summary.get("refused").copied().unwrap_or_default();
    if refused > 0 {
        let report = serde_json::to_value(&plan.report).map_err(ApiError::internal)?;
        return Err(ApiError::Rejected {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            kind: "import-refused",
            detail: format!("{refused} of {} features are refused: nothing was written", plan.report.features.len()),
            extra: report,
        });
    }
    let writes: Vec<ClusterWrite> = plan.writes.iter().map(|(_, w)| w.clone()).collect();
    let written = state.store.write_clusters(&writes, ctx).await?;
    for ((index, _), cluster) in plan.writes.iter().zip(&written) {
        plan.report.features[*index].matched = Some(json!({ "id": cluster.id, "version": cluster.version }));
    }
    plan.report.committed = true;
    Ok(plan.report)
}
