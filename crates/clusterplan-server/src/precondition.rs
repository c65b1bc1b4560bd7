//! What a PUT, PATCH or DELETE of a cluster is conditioned on.
//!
//! `If-Match` is the strict path: the write applies only over the version it names (412
//! otherwise). Desktop clients such as QGIS send no `If-Match`; for them the write is a
//! three-way merge against the version the client last read:
//!
//! - the base is the `version` property the body carries (a feature read and sent back), else
//!   the version this service last sent that client (account and address) in a page, an item
//!   or a write's answer, kept in memory in the [`ReadLog`];
//! - a field the client changes (a property, or the geometry) is refused with 409
//!   `edit-conflict` when someone else changed it since the base to another value; every other
//!   field the client changes is applied over the current state, and the fields it did not
//!   change keep today's values (so a concurrent edit of another field is not lost);
//! - a DELETE goes through only if the feature has not changed since the base (412 otherwise);
//! - with no base at all (the client never read the feature from this instance, or the server
//!   restarted), 428 as before, unless `--allow-writes-without-if-match` is set.
//!
//! The merged write is itself locked on the version it merged over, so a write that lands in
//! between is a 412, never lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use clusterplan_core::Cluster;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::wire::{WireCrs, feature_json};

/// Properties the server computes: never a client's change, never a conflict.
const READ_ONLY: &[&str] = &["version", "area_ha", "geodesic_area_ha", "created_at", "updated_at"];

/// Which client read what: the version of each feature this instance last sent each client
/// (an account at an address). In memory: a restart or another instance knows nothing of it,
/// and such a client must read again or send `If-Match`.
#[derive(Debug, Clone, Default)]
pub struct ReadLog(Arc<Mutex<HashMap<Client, HashMap<i64, i64>>>>);

/// A client as the read log knows it: the account and the address it writes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Client {
    account: String,
    address: Option<String>,
}

impl Client {
    /// The client of a request; `None` for the public, which cannot write.
    pub(crate) fn of(caller: &Caller) -> Option<Client> {
        let account = caller.principal.name()?.to_owned();
        Some(Client { account, address: caller.address.clone() })
    }
}

impl ReadLog {
    /// Notes that `client` was sent version `version` of feature `id`.
    pub(crate) fn record(&self, client: &Client, id: i64, version: i64) {
        // A poisoned lock only means another request panicked mid-insert; the map is whole.
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(client.clone()).or_default().insert(id, version);
    }

    /// The version of feature `id` last sent to `client`.
    pub(crate) fn last(&self, client: &Client, id: i64) -> Option<i64> {
        let map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(client).and_then(|seen| seen.get(&id)).copied()
    }
}

/// Notes that the caller was sent version `version` of feature `id` (a read, or the answer to
/// its write).
pub(crate) fn note(state: &AppState, caller: &Caller, id: i64, version: i64) {
    if let Some(client) = Client::of(caller) {
        state.config.reads.record(&client, id, version);
    }
}

/// How a write is conditioned.
pub(crate) enum Precondition {
    /// Over this version only (`If-Match`; or, where writes without it are allowed, the
    /// version just read).
    Strict(i64),
    /// A three-way merge over the current state, from the version the client last saw.
    Merge {
        /// The version the client's edit starts from.
        base: i64,
    },
}

/// The precondition of a write on `current`: `If-Match` (`if_match`, the version it locks on;
/// `None` when absent) first, then the body's `version` property, then the read log; 428 with
/// none of them unless the configuration lets clients write blind.
pub(crate) fn resolve(
    state: &AppState,
    caller: &Caller,
    current: &Cluster,
    if_match: Option<i64>,
    body: Option<&Value>,
) -> Result<Precondition, ApiError> {
    if let Some(version) = if_match {
        return Ok(Precondition::Strict(version));
    }
    let sent = body.and_then(|b| b.get("properties")).and_then(|p| p.get("version"));
    if let Some(version) = sent.filter(|v| !v.is_null()) {
        let base = version.as_i64().filter(|v| *v >= 1).ok_or_else(|| ApiError::BadRequest {
            kind: "malformed-geojson",
            detail: format!("properties.version {version} must be the version you read (an integer from 1)"),
        })?;
        return Ok(Precondition::Merge { base });
    }
    if let Some(base) = Client::of(caller).and_then(|c| state.config.reads.last(&c, current.id)) {
        return Ok(Precondition::Merge { base });
    }
    if state.config.allow_writes_without_if_match {
        return Ok(Precondition::Strict(current.version));
    }
    Err(ApiError::PreconditionRequired(format!(
        "send If-Match with the ETag of the version you edited, or a `version` property; this service has not \
         sent you feature {} yet (read it first)",
        current.id
    )))
}

/// The feature as the client read it (version `base`), as GeoJSON in CRS84; 412 when `base`
/// is no version of it or is newer than `current`.
async fn base_document(state: &AppState, current: &Cluster, base: i64) -> Result<Value, ApiError> {
    let stale = || ApiError::PreconditionFailed { expected: base, current: current.version };
    if base > current.version {
        return Err(stale());
    }
    if base == current.version {
        return feature_json(current, WireCrs::default()).map_err(ApiError::internal);
    }
    let version = match state.store.version(current.id, base).await {
        Ok(v) => v,
        Err(clusterplan_store::StoreError::NotFound(_)) => return Err(stale()),
        Err(e) => return Err(e.into()),
    };
    let Some(cluster) = version.state else { return Err(stale()) };
    feature_json(&cluster, WireCrs::default()).map_err(ApiError::internal)
}

/// A geometry as a MultiPolygon, so that a Polygon and the same one-part MultiPolygon compare
/// equal.
fn as_multi(geometry: &Value) -> Value {
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => json!({ "type": "MultiPolygon", "coordinates": [geometry["coordinates"].clone()] }),
        _ => geometry.clone(),
    }
}

/// One field's change: its name (`geometry`, or a property) and the value the client sends.
struct Change {
    field: String,
    value: Value,
}

/// Applies `changes` (made from version `base`) over `current`, refusing with 409 every change
/// to a field someone else changed since `base` to another value. Returns the merged document
/// (CRS84 except a changed geometry, which is in the request's CRS).
async fn merge(
    state: &AppState,
    current: &Cluster,
    base: i64,
    changes: Vec<Change>,
    geometry_crs: WireCrs,
) -> Result<Value, ApiError> {
    let base_doc = base_document(state, current, base).await?;
    let mut document = feature_json(current, WireCrs::default()).map_err(ApiError::internal)?;
    let mut conflicts = Vec::new();
    for Change { field, value } in changes {
        let (was, now) = if field == "geometry" {
            (as_multi(&base_doc["geometry"]), as_multi(&document["geometry"]))
        } else {
            (base_doc["properties"][&field].clone(), document["properties"][&field].clone())
        };
        // Comparing a geometry sent in another CRS with today's is meaningless: it is a change.
        let same_as_now = if field == "geometry" {
            geometry_crs == WireCrs::default() && as_multi(&value) == now
        } else {
            value == now
        };
        if was != now && !same_as_now {
            conflicts.push(json!({ "field": field, "yours": value, "theirs": now, "base": was }));
            continue;
        }
        if field == "geometry" {
            document["geometry"] = value;
        } else {
            document["properties"][&field] = value;
        }
    }
    if !conflicts.is_empty() {
        let fields: Vec<&str> = conflicts.iter().filter_map(|c| c["field"].as_str()).collect();
        return Err(ApiError::Rejected {
            status: StatusCode::CONFLICT,
            kind: "edit-conflict",
            detail: format!(
                "{} changed since version {base}, which you edited, to another value (now version {}): read the \
                 feature again and redo that change",
                fields.join(", "),
                current.version
            ),
            extra: json!({ "base_version": base, "current_version": current.version, "conflicts": conflicts }),
        });
    }
    Ok(document)
}

fn writable(field: &str) -> bool {
    !READ_ONLY.contains(&field)
}

/// A merge patch (RFC 7396) made from version `base`: the fields it names are the client's
/// changes. `null` removes a property, as in the patch itself.
pub(crate) async fn merge_patch(
    state: &AppState,
    current: &Cluster,
    base: i64,
    patch: &Value,
    crs: WireCrs,
) -> Result<Value, ApiError> {
    let mut changes = Vec::new();
    if let Some(geometry) = patch.get("geometry").filter(|g| !g.is_null()) {
        changes.push(Change { field: "geometry".into(), value: geometry.clone() });
    }
    if let Some(properties) = patch.get("properties").and_then(Value::as_object) {
        changes.extend(
            properties.iter().filter(|(k, _)| writable(k)).map(|(k, v)| Change { field: k.clone(), value: v.clone() }),
        );
    }
    merge(state, current, base, changes, crs).await
}

/// A whole feature (PUT) made from version `base`: its changes are the fields that differ
/// from `base`; a property left out is a property removed.
pub(crate) async fn merge_replacement(
    state: &AppState,
    current: &Cluster,
    base: i64,
    feature: &Value,
    crs: WireCrs,
) -> Result<Value, ApiError> {
    let base_doc = base_document(state, current, base).await?;
    let mut changes = Vec::new();
    let geometry = feature.get("geometry").cloned().unwrap_or(Value::Null);
    if crs != WireCrs::default() || as_multi(&geometry) != as_multi(&base_doc["geometry"]) {
        changes.push(Change { field: "geometry".into(), value: geometry });
    }
    let empty = Map::new();
    let sent = feature.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let known = base_doc["properties"].as_object().unwrap_or(&empty);
    let names: std::collections::BTreeSet<&String> = sent.keys().chain(known.keys()).collect();
    for name in names.into_iter().filter(|n| writable(n)) {
        let value = sent.get(name).cloned().unwrap_or(Value::Null);
        if known.get(name).unwrap_or(&Value::Null) != &value {
            changes.push(Change { field: name.clone(), value });
        }
    }
    merge(state, current, base, changes, crs).await
}

/// A DELETE made from version `base`: only over an unchanged feature.
pub(crate) fn check_delete(current: &Cluster, base: i64) -> Result<(), ApiError> {
    if base == current.version {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed { expected: base, current: current.version })
    }
}
