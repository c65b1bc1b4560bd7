//! Zones (land-use plots of a detailed plan) from a file: the same readers as clusters
//! (GeoJSON, GeoPackage, zipped Shapefile, KML, DXF…), each feature placed in its cluster by
//! `cluster_code` (or `cluster_id`) and checked as `POST /collections/zones/items` would check
//! it, against the stored zones of its cluster and the file's zones before it. A preview
//! (`dry_run`) writes nothing; otherwise every zone is written in one transaction, each with
//! its first version, or none is. A zone equal to a stored one (same cluster, label, land use,
//! attributes and boundary) is `unchanged`; a stored zone with the same label but another
//! state is refused, to be edited on the map: an import adds plots, it does not move them.

use std::collections::{BTreeMap, HashMap};

use clusterplan_core::geometry::validate;
use clusterplan_core::zones::{PlacementProblem, Zone, ZoneAttrs, ZoneDraft, ZoneInput, check_placement};
use clusterplan_core::{Cluster, RawBoundary};
use clusterplan_store::{ClusterQuery, Layer, WriteContext, ZoneQuery};
use futures::TryStreamExt;
use serde_json::{Map, Value, json};

use super::pipeline::{ImportRequest, Outcome, Report, Verdict};
use super::read_upload;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};

/// Our zone properties and the usual source field names for each (compared folded).
const ZONE_GUESSES: &[(&str, &[&str])] = &[
    ("cluster_code", &["cluster_code", "cluster_co", "ma_ccn", "maccn", "ma_cum"]),
    ("cluster_id", &["cluster_id"]),
    ("land_use", &["land_use", "loai_dat", "chuc_nang", "ma_dat", "ky_hieu_dat"]),
    ("label", &["label", "ky_hieu", "kyhieu", "so_lo", "ma_lo", "ten_lo"]),
    ("leasable", &["leasable", "cho_thue_duoc"]),
    ("leased", &["leased", "da_cho_thue", "da_thue"]),
    ("tenant", &["tenant", "doanh_nghiep", "nha_dau_tu"]),
];

fn guess(fields: &[String]) -> BTreeMap<String, String> {
    let mut mapping = BTreeMap::new();
    for (ours, names) in ZONE_GUESSES {
        if let Some(field) = fields.iter().find(|f| names.contains(&super::fold_name(f).as_str())) {
            mapping.insert(field.clone(), (*ours).to_owned());
        }
    }
    mapping
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        Value::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" | "co" | "có" => Some(true),
            "false" | "f" | "0" | "no" | "n" | "khong" | "không" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn refused(detail: &str) -> Value {
    json!({ "type": "urn:clusterplan:problem:invalid-zone", "title": "Refused", "detail": detail })
}

/// Same cluster, label, land use, flags, tenant and boundary (to the stored precision).
fn same_zone(stored: &Zone, draft: &ZoneDraft) -> bool {
    let (a, b) = (&stored.data.attrs, &draft.attrs);
    a == b && stored.data.boundary.as_multi_polygon() == draft.boundary.as_multi_polygon()
}

/// The guessed mapping with the caller's over it (`{"SOURCE": "ours"}`, or null to drop one).
fn mapping_of(fields: &[String], given: Option<&Map<String, Value>>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut mapping = guess(fields);
    for (field, ours) in given.into_iter().flatten() {
        match ours {
            Value::Null => {
                mapping.remove(field);
            }
            Value::String(ours) if ZONE_GUESSES.iter().any(|(t, _)| t == ours) => {
                mapping.retain(|_, v| v != ours);
                mapping.insert(field.clone(), ours.clone());
            }
            other => {
                return Err(ApiError::BadRequest {
                    kind: "invalid-import",
                    detail: format!(
                        "mapping {field:?} → {other}: the target must be null or one of {}",
                        ZONE_GUESSES.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
                    ),
                });
            }
        }
    }
    Ok(mapping)
}

/// A zone of `cluster` from a source feature, checked as its POST would be; the problem
/// document otherwise.
fn draft_of(
    geometry: &geo_types::MultiPolygon<f64>,
    ours: &Map<String, Value>,
    cluster: &Cluster,
) -> Result<ZoneDraft, Value> {
    let raw = RawBoundary::from_multi_polygon(geometry);
    let input = ZoneInput {
        cluster_id: Some(cluster.id),
        land_use: text(ours.get("land_use")).map(|u| u.to_uppercase()),
        label: text(ours.get("label")),
        leasable: flag(ours.get("leasable")),
        leased: flag(ours.get("leased")),
        tenant: text(ours.get("tenant")),
    };
    let draft = match (validate(&raw), ZoneAttrs::parse(input)) {
        (Ok(boundary), Ok(attrs)) => ZoneDraft::new(attrs, boundary, cluster.data.attrs.planning_crs()).map_err(|e| {
            ApiError::Unprocessable(format!("the zone cannot be measured in its cluster's planning CRS: {e}"))
        }),
        (b, a) => {
            Err(ApiError::InvalidFeature { geometry: b.err().unwrap_or_default(), fields: a.err().unwrap_or_default() })
        }
    };
    draft.map_err(|e| serde_json::to_value(e.body()).unwrap_or_default())
}

/// The cluster a zone names by `cluster_code` or `cluster_id`, or why none.
fn cluster_of<'a>(
    ours: &Map<String, Value>,
    by_code: &HashMap<String, &'a Cluster>,
    by_id: &HashMap<i64, &'a Cluster>,
) -> Result<&'a Cluster, String> {
    match (text(ours.get("cluster_code")), ours.get("cluster_id").and_then(Value::as_i64)) {
        (Some(code), _) => by_code.get(&code).copied().ok_or_else(|| format!("no cluster has code {code:?}")),
        (None, Some(id)) => by_id.get(&id).copied().ok_or_else(|| format!("no cluster has id {id}")),
        (None, None) => {
            Err("the zone names no cluster: give cluster_code (or cluster_id), or map a field to it".into())
        }
    }
}

/// The stored zones of a cluster, read once per import.
async fn siblings_of<'a>(
    state: &AppState,
    stored: &'a mut HashMap<i64, Vec<Zone>>,
    cluster_id: i64,
) -> Result<&'a [Zone], ApiError> {
    Ok(match stored.entry(cluster_id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            let query = ZoneQuery {
                cluster_id: Some(cluster_id),
                bbox: None,
                limit: u32::MAX,
                offset: 0,
                cursor: None,
                layer: Layer::Draft,
            };
            e.insert(state.store.stream_zones(query).try_collect().await?)
        }
    })
}

/// The zone as the preview shows it.
fn preview(cluster: &Cluster, draft: &ZoneDraft) -> Value {
    json!({
        "type": "Feature",
        "geometry": geojson::Geometry::new(geojson::Value::from(draft.boundary.as_multi_polygon())),
        "properties": { "cluster_id": cluster.id, "cluster_code": cluster.data.attrs.code(),
                        "land_use": draft.attrs.land_use().code(), "label": draft.attrs.label(),
                        "area_ha": draft.area.projected_ha },
    })
}

fn accepted(index: usize, action: Outcome, feature: Value, matched: Option<Value>) -> Verdict {
    Verdict { index, action, feature: Some(feature), matched, changes: Vec::new(), problem: None }
}

/// Why a zone does not fit its cluster beside the stored zones and the file's zones before it,
/// if it does not.
fn misplaced(
    draft: &ZoneDraft,
    cluster: &Cluster,
    stored: &[Zone],
    earlier: &[(usize, ZoneDraft)],
) -> Result<Option<String>, ApiError> {
    let others: Vec<(i64, &clusterplan_core::Boundary)> = stored
        .iter()
        .map(|z| (z.id, &z.data.boundary))
        .chain(
            earlier
                .iter()
                .filter(|(_, d)| d.attrs.cluster_id() == cluster.id)
                .map(|(i, d)| (-(*i as i64) - 1, &d.boundary)),
        )
        .collect();
    let problems = check_placement(&draft.boundary, &cluster.data.boundary, &others, cluster.data.attrs.planning_crs())
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    if problems.is_empty() {
        return Ok(None);
    }
    let why = problems.iter().map(PlacementProblem::message).collect::<Vec<_>>().join("; ");
    Ok(Some(format!("the zone does not fit its cluster: {why}")))
}

/// Reads, checks and (unless `dry_run`) writes the zones of a file.
pub(crate) async fn run(
    state: &AppState,
    caller: &Caller,
    bytes: Vec<u8>,
    request: ImportRequest,
) -> Result<Report, ApiError> {
    let ImportRequest { mut options, mapping: given, dry_run, file } = request;
    options.planning_crs = Some(state.config.planning_crs);
    let dataset = read_upload(bytes, options)
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::BadRequest { kind: "invalid-import", detail: e.0 })?;
    let mapping = mapping_of(&dataset.fields, given.as_ref())?;
    let clusters: Vec<Cluster> = state.store.stream_clusters(ClusterQuery::ALL).try_collect().await?;
    let by_code: HashMap<String, &Cluster> = clusters.iter().map(|c| (c.data.attrs.code().to_owned(), c)).collect();
    let by_id: HashMap<i64, &Cluster> = clusters.iter().map(|c| (c.id, c)).collect();
    let mut stored: HashMap<i64, Vec<Zone>> = HashMap::new();
    let mut verdicts = Vec::with_capacity(dataset.features.len());
    let mut drafts: Vec<(usize, ZoneDraft)> = Vec::new();
    for (index, source) in dataset.features.into_iter().enumerate() {
        let ours: Map<String, Value> =
            source.properties.iter().filter_map(|(k, v)| mapping.get(k).map(|o| (o.clone(), v.clone()))).collect();
        let refuse = |problem: Value| Verdict {
            index,
            action: Outcome::Refused,
            feature: None,
            matched: None,
            changes: Vec::new(),
            problem: Some(problem),
        };
        let cluster = cluster_of(&ours, &by_code, &by_id);
        let cluster = match cluster {
            Ok(c) => c,
            Err(why) => {
                verdicts.push(refuse(refused(&why)));
                continue;
            }
        };
        let geometry = match source.geometry {
            Ok(g) => g,
            Err(why) => {
                verdicts.push(refuse(refused(&why)));
                continue;
            }
        };
        let draft = match draft_of(&geometry, &ours, cluster) {
            Ok(d) => d,
            Err(problem) => {
                verdicts.push(refuse(problem));
                continue;
            }
        };
        let siblings = siblings_of(state, &mut stored, cluster.id).await?;
        let feature = preview(cluster, &draft);
        let namesake = draft.attrs.label().and_then(|l| siblings.iter().find(|z| z.data.attrs.label() == Some(l)));
        if let Some(z) = namesake {
            let matched = Some(json!({ "id": z.id, "version": z.version }));
            if same_zone(z, &draft) {
                verdicts.push(accepted(index, Outcome::Unchanged, feature, matched));
            } else {
                let why = format!(
                    "cluster {} already has a zone labelled {:?} (zone {}) that differs: edit it on the map, or delete it first",
                    cluster.data.attrs.code(),
                    draft.attrs.label().unwrap_or_default(),
                    z.id
                );
                verdicts.push(Verdict { matched, feature: Some(feature), ..refuse(refused(&why)) });
            }
            continue;
        }
        // Placement as its POST would check it: inside its cluster, over none of the stored
        // zones nor of the file's zones before it.
        if let Some(why) = misplaced(&draft, cluster, siblings, &drafts)? {
            verdicts.push(Verdict { feature: Some(feature), ..refuse(refused(&why)) });
            continue;
        }
        // Rights as for a POST of this zone (an officer adds zones inside its unit).
        let target = Target::Feature { path: "zones", old: None, new: Some(draft.boundary.as_multi_polygon()) };
        if let Err(e) = authorize(state, caller, Action::CreateFeature, target).await {
            verdicts.push(refuse(serde_json::to_value(e.body()).unwrap_or_default()));
            continue;
        }
        verdicts.push(accepted(index, Outcome::Create, feature, None));
        drafts.push((index, draft));
    }
    let report = Report {
        file,
        format: dataset.format,
        crs: dataset.crs.to_string(),
        encoding: dataset.encoding,
        axis_order: dataset.axis_order.map(|(order, _)| order),
        axis_order_by: dataset.axis_order.map(|(_, by)| by),
        fields: dataset.fields,
        mapping,
        targets: ZONE_GUESSES.iter().map(|(t, _)| *t).collect(),
        summary: super::pipeline::summary(&verdicts),
        features: verdicts,
        committed: false,
    };
    if dry_run {
        return Ok(report);
    }
    commit(state, caller, report, &drafts).await
}

/// Writes the zones of a report without refusals in one transaction.
async fn commit(
    state: &AppState,
    caller: &Caller,
    mut report: Report,
    drafts: &[(usize, ZoneDraft)],
) -> Result<Report, ApiError> {
    let refusals = report.summary.get("refused").copied().unwrap_or_default();
    if refusals > 0 {
        let detail = format!("{refusals} of {} zones are refused: nothing was written", report.features.len());
        return Err(ApiError::Rejected {
            status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            kind: "import-refused",
            detail,
            extra: serde_json::to_value(&report).map_err(ApiError::internal)?,
        });
    }
    let ctx = WriteContext {
        author: caller.principal.name().map(str::to_owned),
        reason: Some(format!("import {}", report.file)),
        address: caller.address.clone(),
        ..WriteContext::default()
    };
    let only: Vec<ZoneDraft> = drafts.iter().map(|(_, d)| d.clone()).collect();
    let written = state.store.write_zones(&only, &ctx).await?;
    for ((index, _), zone) in drafts.iter().zip(&written) {
        report.features[*index].matched = Some(json!({ "id": zone.id, "version": zone.version }));
    }
    report.committed = true;
    Ok(report)
}
