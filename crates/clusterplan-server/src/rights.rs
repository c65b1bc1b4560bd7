//! Who may do what: the one place rights are decided. Every write path (creating, replacing,
//! deleting and reverting features, comments, tokens, passwords, the audit log) and the reading
//! of comments call [`authorize`] before they touch the store; a refusal is answered 401
//! (anonymous) or 403 (wrong role, outside the officer's unit) and appended to the audit log.

use clusterplan_store::{NewAudit, Role};
use geo::Intersects;
use geo_types::MultiPolygon;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No credentials: the public.
    Anonymous,
    /// A logged-in account (session cookie or Bearer token).
    User {
        /// Account name.
        name: String,
        /// Role.
        role: Role,
        /// Unit of an officer.
        unit_code: Option<String>,
    },
}

impl Principal {
    /// The account name, `None` for the public.
    pub fn name(&self) -> Option<&str> {
        match self {
            Principal::Anonymous => None,
            Principal::User { name, .. } => Some(name),
        }
    }
}

/// What is being done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST …/items`.
    CreateFeature,
    /// `PUT …/items/{id}`.
    ReplaceFeature,
    /// `DELETE …/items/{id}`.
    DeleteFeature,
    /// `POST …/items/{id}/revert`.
    RevertFeature,
    /// `POST …/items/{id}/comments`: every account but a viewer, on any feature (an officer
    /// also outside its unit: officers edit inside their unit and may comment elsewhere).
    Comment,
    /// `GET …/items/{id}/comments`: comments are internal, for accounts only.
    ReadComments,
    /// Creating or revoking one's own API tokens.
    ManageOwnTokens,
    /// `POST /auth/password`: changing one's own password.
    ChangeOwnPassword,
    /// Reading the audit log.
    ReadAudit,
}

impl Action {
    /// The audit log's name of the action: feature actions are named after the collection
    /// written (`zone.update` on `zones/7`; `cluster.…` otherwise).
    fn code(self, target: Target<'_>) -> String {
        let kind = match target {
            Target::Feature { path, .. } if path.starts_with("zones") => "zone",
            Target::Feature { path, .. } if path.starts_with("investors") => "investor",
            _ => "cluster",
        };
        let verb = match self {
            Action::CreateFeature => "create",
            Action::ReplaceFeature => "update",
            Action::DeleteFeature => "delete",
            Action::RevertFeature => "revert",
            Action::Comment => "comment",
            Action::ReadComments => "comments.read",
            Action::ManageOwnTokens => return "token".into(),
            Action::ChangeOwnPassword => return "password.change".into(),
            Action::ReadAudit => return "audit.read".into(),
        };
        format!("{kind}.{verb}")
    }
}

/// What it is done to.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A feature: its boundary before (absent for a creation) and after (absent for a
    /// deletion). An officer may write only when each present boundary intersects its unit.
    Feature {
        /// Path of the feature for the audit log (`clusters/12`, or `clusters` for a creation).
        path: &'a str,
        /// Boundary before the write.
        old: Option<&'a MultiPolygon<f64>>,
        /// Boundary after the write.
        new: Option<&'a MultiPolygon<f64>>,
    },
    /// The caller's own account (tokens) or the service (audit log).
    Account,
}

/// Decides whether `caller` may do `action` to `target`: `Ok` or the 401/403 to answer.
pub async fn authorize(state: &AppState, caller: &Caller, action: Action, target: Target<'_>) -> Result<(), ApiError> {
    let decision = decide(state, &caller.principal, action, target).await;
    if let Err(refusal) = &decision {
        let path = match target {
            Target::Feature { path, .. } => Some(path.to_owned()),
            Target::Account => None,
        };
        append(state, caller, &action.code(target), path, "refused", Some(refusal.to_string())).await;
    }
    decision
}

/// The refusals that do not depend on the feature written (the public: 401; viewers: 403),
/// decided before the handler reads the feature or validates the body. The public thus gets the
/// same answer for a feature that exists only as a draft, which it may not see, as for one that
/// never existed, and for a malformed body as for a good one. Officers, whose right depends on
/// the boundaries, are decided by [`authorize`] once the feature is read.
pub async fn authorize_caller(state: &AppState, caller: &Caller, action: Action, path: &str) -> Result<(), ApiError> {
    match &caller.principal {
        Principal::Anonymous | Principal::User { role: Role::Viewer, .. } => {
            authorize(state, caller, action, Target::Feature { path, old: None, new: None }).await
        }
        Principal::User { .. } => Ok(()),
    }
}

/// Appends an audit row about `caller`; a failure to write it is logged, not answered (the
/// decision or the write it records stands).
async fn append(
    state: &AppState,
    caller: &Caller,
    action: &str,
    target: Option<String>,
    outcome: &str,
    detail: Option<String>,
) {
    let entry = NewAudit {
        actor: caller.principal.name().map(str::to_owned),
        action: action.to_owned(),
        target,
        address: caller.address.clone(),
        outcome: outcome.to_owned(),
        detail,
    };
    if let Err(e) = state.store.append_audit(&entry).await {
        tracing::error!(cause = %e, action, outcome, "audit row could not be written");
    }
}

async fn decide(state: &AppState, principal: &Principal, action: Action, target: Target<'_>) -> Result<(), ApiError> {
    let Principal::User { role, unit_code, .. } = principal else {
        return Err(ApiError::Unauthorized("log in or send an API token (Authorization: Bearer …) to do this".into()));
    };
    match (action, role) {
        (Action::ManageOwnTokens | Action::ChangeOwnPassword | Action::ReadComments, _) | (_, Role::Admin) => Ok(()),
        (Action::ReadAudit, _) => Err(ApiError::Forbidden("only administrators read the audit log".into())),
        (Action::Comment, Role::Viewer) => {
            Err(ApiError::Forbidden("viewers may read comments but not write them".into()))
        }
        (_, Role::Viewer) => Err(ApiError::Forbidden("viewers may read but not edit".into())),
        // Comments are not scoped by unit: an officer comments anywhere, edits inside its unit.
        (Action::Comment, Role::Officer) | (_, Role::Planner) => Ok(()),
        (_, Role::Officer) => {
            let Target::Feature { old, new, .. } = target else {
                return Err(ApiError::Forbidden("unit officers may only edit features".into()));
            };
            let Some(code) = unit_code else {
                return Err(ApiError::Forbidden("this officer account has no unit".into()));
            };
            let Some(unit) = unit_geometry(state, code).await else {
                return Err(ApiError::Forbidden(format!(
                    "unit {code:?} is not known, so its officers may edit nothing"
                )));
            };
            for (which, boundary) in [("current", old), ("new", new)] {
                if boundary.is_some_and(|b| !b.intersects(&unit)) {
                    return Err(ApiError::Forbidden(format!(
                        "the feature's {which} boundary lies outside unit {code:?}"
                    )));
                }
            }
            Ok(())
        }
    }
}

/// Appends the audit row of a write the store does not audit itself (tasks, collection
/// metadata); a failure to write it is logged, not answered, since the write is done.
pub async fn record_write(state: &AppState, caller: &Caller, action: &str, target: String, detail: Option<String>) {
    append(state, caller, action, Some(target), "ok", detail).await;
}

/// The territory of an administrative unit by its official code, as valid today (codes are
/// reused across periods: Mỏ Cày Nam kept 833 in 2009, so the period matters). `None` when no
/// unit with that code is valid today.
pub async fn unit_geometry(state: &AppState, code: &str) -> Option<MultiPolygon<f64>> {
    let query = clusterplan_store::UnitQuery {
        on: Some(chrono::Utc::now().date_naive()),
        code: Some(code.to_owned()),
        ..clusterplan_store::UnitQuery::default()
    };
    match state.store.list_units(&query).await {
        Ok(units) => units.into_iter().next().map(|u| u.boundary.as_multi_polygon().clone()),
        Err(e) => {
            tracing::error!(cause = %e, code, "unit lookup failed");
            None
        }
    }
}

/// What of the working state (drafts, past versions, zones, planning sheets) an account reads:
/// officers read the drafts of their own unit's area (features whose boundary intersects the
/// unit valid today) and every published layer; other accounts read all of it.
#[derive(Debug, Clone)]
pub enum DraftScope {
    /// Admins, planners and viewers.
    Everything,
    /// A unit officer: features intersecting `area`, the territory of unit `code`.
    Unit {
        /// The unit's official code.
        code: String,
        /// Its territory, as valid today.
        area: MultiPolygon<f64>,
    },
}

impl DraftScope {
    /// Whether a feature with this boundary is in scope.
    pub fn admits(&self, boundary: &MultiPolygon<f64>) -> bool {
        match self {
            DraftScope::Everything => true,
            DraftScope::Unit { area, .. } => boundary.intersects(area),
        }
    }

    /// `Ok` when a feature with this boundary may be read, else the 403 to answer.
    pub fn check(&self, boundary: &MultiPolygon<f64>, what: &str) -> Result<(), ApiError> {
        match self {
            DraftScope::Unit { code, .. } if !self.admits(boundary) => Err(ApiError::Forbidden(format!(
                "{what} lies outside unit {code:?}: its officers read drafts of their own area only (the published layer, ?layer=published, shows every feature)"
            ))),
            _ => Ok(()),
        }
    }

    /// `Ok` when the history of feature `id`, whose latest state has this boundary (`None`:
    /// none was ever kept), may be read, else the 403 to answer.
    pub fn check_history(&self, id: i64, latest: Option<&clusterplan_core::Boundary>) -> Result<(), ApiError> {
        latest.map_or(Ok(()), |b| self.check(b.as_multi_polygon(), &format!("feature {id}")))
    }

    /// The CQL2 condition that keeps a query in scope (`None`: no condition).
    pub fn filter(&self) -> Option<clusterplan_core::cql2::Expr> {
        match self {
            DraftScope::Everything => None,
            DraftScope::Unit { area, .. } => Some(clusterplan_core::cql2::Expr::Spatial {
                op: clusterplan_core::cql2::SpatialOp::Intersects,
                left: clusterplan_core::cql2::GeomArg::Property("geometry".into()),
                right: clusterplan_core::cql2::GeomArg::Literal(geo_types::Geometry::MultiPolygon(area.clone())),
            }),
        }
    }

    /// The unit code, for entity tags that differ per scope.
    pub fn tag(&self) -> Option<&str> {
        match self {
            DraftScope::Everything => None,
            DraftScope::Unit { code, .. } => Some(code),
        }
    }
}

/// The scope of `caller`'s reads of the working state: 401 for the public, 403 for an officer
/// whose unit is unknown today.
pub async fn draft_scope(state: &AppState, caller: &Caller) -> Result<DraftScope, ApiError> {
    require_drafts(caller)?;
    let Principal::User { role: Role::Officer, unit_code, .. } = &caller.principal else {
        return Ok(DraftScope::Everything);
    };
    let Some(code) = unit_code else {
        return Err(ApiError::Forbidden("this officer account has no unit, so it reads no drafts".into()));
    };
    let Some(area) = unit_geometry(state, code).await else {
        return Err(ApiError::Forbidden(format!("unit {code:?} is not known today, so its officers read no drafts")));
    };
    Ok(DraftScope::Unit { code: code.clone(), area })
}

/// The collections that keep a history (versions, diffs, reverts; status events of clusters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Clusters and industrial parks.
    Clusters,
    /// Land-use zones.
    Zones,
}

impl Kept {
    /// The collection's name in paths and the audit log.
    pub fn collection(self) -> &'static str {
        match self {
            Kept::Clusters => "clusters",
            Kept::Zones => "zones",
        }
    }
}

/// The state a feature last had, also when it is deleted now.
pub fn latest<T>(versions: &[clusterplan_store::Version<T>]) -> Option<&T> {
    versions.iter().rev().find_map(|v| v.state.as_ref())
}

/// History holds working states, scoped as drafts are: an officer reads the history of a
/// feature whose latest boundary lies in its unit. [`DraftScope::check_history`] for a route
/// that does not read the versions itself (nothing is read for the accounts that see every
/// draft).
pub async fn history_scope(state: &AppState, caller: &Caller, kept: Kept, id: i64) -> Result<(), ApiError> {
    let scope = draft_scope(state, caller).await?;
    if matches!(scope, DraftScope::Everything) {
        return Ok(());
    }
    match kept {
        Kept::Clusters => scope.check_history(id, latest(&state.store.versions(id).await?).map(|c| &c.data.boundary)),
        Kept::Zones => scope.check_history(id, latest(&state.store.zone_versions(id).await?).map(|z| &z.data.boundary)),
    }
}

/// Reads of the working state (planning sheets, status histories, zoning, summaries, tasks,
/// zones) are for accounts: the public sees published layers only. 401 otherwise.
pub fn require_drafts(caller: &Caller) -> Result<(), ApiError> {
    if sees_drafts(&caller.principal) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized("planning data in the working state is visible to signed-in accounts only".into()))
    }
}

/// Whether drafts (unpublished edits) are visible to this principal: every account is; the
/// public sees published layers only once publishing exists.
pub fn sees_drafts(principal: &Principal) -> bool {
    matches!(principal, Principal::User { .. })
}

#[cfg(test)]
mod tests;
