//! Planning rules on writes: a new cluster with the first event of its history, an edit, a
//! revert and a status change are checked here, before the store writes. The route modules
//! (`items`, `patch`, `history`, `planning`) only read the request and answer; the decisions
//! are the core's (`lifecycle`, `rules`), the order of the checks and the reads they need are
//! this module's.

use axum::http::StatusCode;
use chrono::NaiveDate;
use clusterplan_core::lifecycle::{LegalAct, StatusEvent, check_transition, requires_legal_act, validate_history};
use clusterplan_core::{Cluster, ClusterDraft, ClusterStatus, FieldProblem};
use clusterplan_store::{NewEvent, WriteContext};
use serde_json::{Value, json};

use super::{enforce, establishment_rules, override_docs, parse_overrides, rule_docs, size_rules, today};
use crate::AppState;
use crate::error::ApiError;

/// Adds the problem of one member of a request document.
pub(crate) fn field(problems: &mut Vec<FieldProblem>, field: &'static str, message: String) {
    problems.push(FieldProblem { field, message });
}

/// Reads an optional `YYYY-MM-DD` member; a problem when it is anything else.
pub(crate) fn date_field(doc: &Value, name: &'static str, problems: &mut Vec<FieldProblem>) -> Option<NaiveDate> {
    match doc.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| field(problems, name, format!("{name} must be a date like 1998-06-08")))
            .ok(),
        Some(_) => {
            field(problems, name, format!("{name} must be a date string"));
            None
        }
    }
}

/// Reads an optional text member, trimmed (empty is absent); a problem when it is no string.
pub(crate) fn text_field(doc: &Value, name: &'static str, problems: &mut Vec<FieldProblem>) -> Option<String> {
    match doc.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        None | Some(Value::Null | Value::String(_)) => None,
        Some(_) => {
            field(problems, name, format!("{name} must be a string"));
            None
        }
    }
}

/// Reads `act: {number, date, authority, link}`.
fn parse_act(doc: &Value, problems: &mut Vec<FieldProblem>) -> Option<LegalAct> {
    let act = doc.get("act").filter(|a| !a.is_null())?;
    if !act.is_object() {
        field(problems, "act", "act must be an object {number, date, authority, link}".into());
        return None;
    }
    let mut inner = Vec::new();
    let number = text_field(act, "number", &mut inner).unwrap_or_default();
    let date = date_field(act, "date", &mut inner);
    let authority = text_field(act, "authority", &mut inner).unwrap_or_default();
    let link = text_field(act, "link", &mut inner);
    if date.is_none() && inner.is_empty() {
        field(&mut inner, "date", "the act's date is required".into());
    }
    problems.extend(inner.into_iter().map(|p| FieldProblem { field: "act", message: p.message }));
    let date = date?;
    match LegalAct::new(&number, date, &authority, link.as_deref()) {
        Ok(act) => Some(act),
        Err(ps) => {
            problems.extend(ps);
            None
        }
    }
}

/// A status-change request, as far as it can be read without the store.
pub struct EventRequest {
    pub to: ClusterStatus,
    pub effective: NaiveDate,
    pub act: Option<LegalAct>,
    pub note: Option<String>,
}

/// Reads `to`, `effective`, `act`, `note`; `to` may be given by the caller (a create names the
/// status in the feature).
pub fn parse_event(doc: &Value, to: Option<ClusterStatus>) -> Result<EventRequest, ApiError> {
    let mut problems = Vec::new();
    let to = match to {
        Some(to) => Some(to),
        None => {
            if let Some(code) = doc.get("to").and_then(Value::as_str) {
                ClusterStatus::from_code(code).or_else(|| {
                    let all: Vec<&str> = ClusterStatus::ALL.iter().map(|s| s.code()).collect();
                    field(&mut problems, "to", format!("to={code:?} is not a status; one of {}", all.join(", ")));
                    None
                })
            } else {
                field(&mut problems, "to", "to (the new status) is required".into());
                None
            }
        }
    };
    let effective = date_field(doc, "effective", &mut problems);
    let act = parse_act(doc, &mut problems);
    let note = text_field(doc, "note", &mut problems);
    match (to, problems.is_empty()) {
        (Some(to), true) => Ok(EventRequest { to, effective: effective.unwrap_or_else(today), act, note }),
        _ => Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: problems }),
    }
}

/// Checks a new event against the lifecycle and the history before it: allowed transition,
/// legal act where one is required, dates in order.
pub fn check_event(history: &[StatusEvent], event: &StatusEvent) -> Result<(), ApiError> {
    if let Err(e) = check_transition(event.from, event.to) {
        return Err(ApiError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "transition-not-allowed",
            detail: e.to_string(),
            extra: json!({
                "from": event.from.map(ClusterStatus::code),
                "to": event.to.code(),
                "allowed": e.allowed().iter().map(|s| s.code()).collect::<Vec<_>>(),
            }),
        });
    }
    if requires_legal_act(event.to) && event.act.is_none() {
        return Err(ApiError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "legal-act-required",
            detail: format!("a change to {} needs its legal act (number, date, issuing authority)", event.to.code()),
            extra: json!({ "to": event.to.code() }),
        });
    }
    let mut all = history.to_vec();
    all.push(event.clone());
    validate_history(&all).map_err(|problems| ApiError::Rejected {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        kind: "invalid-history",
        detail: problems.iter().map(|p| p.kind.to_string()).collect::<Vec<_>>().join("; "),
        extra: json!({ "problems": problems.iter().map(|p| json!({"code": p.kind.code(), "index": p.index, "message": p.kind.to_string()})).collect::<Vec<_>>() }),
    })
}

/// The members of a new feature's `event`.
const EVENT_MEMBERS: &[&str] = &["effective", "act", "note"];

/// The planning members a feature write carries beside the GeoJSON (`event`: {effective, act,
/// note}, and `overrides`), taken out of the request document so that the feature is read
/// without a copy; an object with those present. `event` is read only when a feature is
/// `created` (a stored feature changes status by an event of its own): elsewhere, or when it is
/// no object, it is a 422; a member of it this service does not read is a 400, as everywhere.
pub fn take_members(document: &mut Value, created: bool) -> Result<Value, ApiError> {
    let mut members = serde_json::Map::new();
    if let Some(object) = document.as_object_mut() {
        for key in ["event", "overrides"] {
            if let Some(value) = object.remove(key) {
                members.insert(key.to_owned(), value);
            }
        }
    }
    let event_problem = |message: String| ApiError::InvalidFeature {
        geometry: Vec::new(),
        fields: vec![FieldProblem { field: "event", message }],
    };
    match members.get("event") {
        None | Some(Value::Null) => {}
        Some(_) if !created => {
            return Err(event_problem(
                "event is read only when a feature is created; a stored feature changes status by an event \
                 recorded with POST …/items/{id}/events"
                    .into(),
            ));
        }
        Some(Value::Object(event)) => {
            if let Some(unknown) = event.keys().find(|k| !EVENT_MEMBERS.contains(&k.as_str())) {
                return Err(ApiError::BadRequest {
                    kind: "unknown-member",
                    detail: format!("event has no member {unknown:?}; its members are {}", EVENT_MEMBERS.join(", ")),
                });
            }
        }
        Some(_) => return Err(event_problem("event must be an object {effective, act, note}".into())),
    }
    Ok(Value::Object(members))
}

/// A new cluster: its size rules (and the establishment rule when it starts as established),
/// then the row and the first event of its history in one transaction. `doc` holds the request's
/// planning members ([`take_members`]).
pub async fn create_cluster(
    state: &AppState,
    draft: &ClusterDraft,
    doc: &Value,
    ctx: &WriteContext,
) -> Result<Cluster, ApiError> {
    let first = check_create(state, draft, doc).await?;
    Ok(state.store.create_cluster_with_event(draft, &first, ctx).await?.0)
}

/// The checks of a creation (its first status event, the plant, the Decree 32 rules with the
/// overrides `doc` gives): the first event to record, or the refusal.
pub async fn check_create(state: &AppState, draft: &ClusterDraft, doc: &Value) -> Result<NewEvent, ApiError> {
    let status = draft.attrs.status();
    let request = parse_event(doc.get("event").unwrap_or(&Value::Null), Some(status))?;
    let overrides = parse_overrides(doc)?;
    let event =
        StatusEvent { from: None, to: status, effective: request.effective, act: request.act, note: request.note };
    check_event(&[], &event)?;
    check_plant(draft, false)?;
    let mut results = size_rules(&state.config.rules, draft);
    if status == ClusterStatus::Established {
        results.extend(
            establishment_rules(state.store.as_ref(), &state.config.rules, draft, None, event.effective).await?,
        );
    }
    enforce(&results, &overrides)?;
    Ok(NewEvent {
        event,
        overrides: stored_json(&override_docs(&overrides))?,
        rule_results: stored_json(&rule_docs(&results))?,
    })
}

/// A revert is checked like a write of the restored state: over a live feature, like an edit
/// ([`check_edit`]: no status change outside an event, the size rules of today's regime); a
/// deleted feature brought back meets the size rules of a new one. `doc` is the revert's body,
/// which may carry `overrides` like a PUT's.
pub async fn check_revert(
    state: &AppState,
    id: i64,
    restored: &ClusterDraft,
    live: bool,
    doc: &Value,
) -> Result<(), ApiError> {
    if live {
        check_edit(state, id, restored, doc).await
    } else {
        check_plant(restored, false)?;
        enforce(&size_rules(&state.config.rules, restored), &parse_overrides(doc)?)
    }
}

/// A wastewater plant capacity only where there is a plant: treatment completed, or a plant
/// zone (`WWTP`) planned in the cluster.
fn check_plant(draft: &ClusterDraft, plant_zone: bool) -> Result<(), ApiError> {
    match draft.attrs.wwtp_capacity_problem(plant_zone) {
        None => Ok(()),
        Some(problem) => Err(ApiError::InvalidFeature { geometry: Vec::new(), fields: vec![problem] }),
    }
}

/// Whether a cluster has a wastewater plant zone.
async fn has_plant_zone(state: &AppState, id: i64) -> Result<bool, ApiError> {
    use futures::TryStreamExt;
    let query = clusterplan_store::ZoneQuery {
        bbox: None,
        cluster_id: Some(id),
        limit: u32::MAX,
        offset: 0,
        cursor: None,
        layer: clusterplan_store::Layer::Draft,
    };
    let zones: Vec<_> = state.store.stream_zones(query).try_collect().await?;
    Ok(zones.iter().any(|z| z.data.attrs.land_use() == clusterplan_core::zones::LandUse::Wastewater))
}

/// An edit: the status is not edited (a change of status is an event with its act), and the
/// size rules hold for the new boundary.
pub async fn check_edit(state: &AppState, id: i64, draft: &ClusterDraft, doc: &Value) -> Result<(), ApiError> {
    check_edit_of(state, &state.store.get_cluster(id).await?, draft, doc).await
}

/// [`check_edit`] of a cluster already read (`current`, the draft layer's).
pub async fn check_edit_of(
    state: &AppState,
    current: &Cluster,
    draft: &ClusterDraft,
    doc: &Value,
) -> Result<(), ApiError> {
    let id = current.id;
    if current.data.attrs.status() != draft.attrs.status() {
        return Err(ApiError::Rejected {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            kind: "status-change-needs-event",
            detail: format!(
                "the status is changed by recording an event with its legal act: POST /collections/clusters/items/{id}/events"
            ),
            extra: json!({
                "current_status": current.data.attrs.status().code(),
                "requested_status": draft.attrs.status().code(),
            }),
        });
    }
    if draft.attrs.wwtp_capacity_problem(false).is_some() {
        check_plant(draft, has_plant_zone(state, id).await?)?;
    }
    enforce(&size_rules(&state.config.rules, draft), &parse_overrides(doc)?)
}

#[cfg(test)]
mod tests;

/// What an event keeps of its overrides and rule results: their wire documents as JSON text.
pub(crate) fn stored_json<T: serde::Serialize>(docs: &[T]) -> Result<String, ApiError> {
    serde_json::to_string(docs).map_err(ApiError::internal)
}
