//! `/auth/…` (login, logout, who am I, password change, personal API tokens) and
//! `/admin/audit`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Duration, Utc};
use clusterplan_store::NewAudit;
use serde::{Deserialize, Serialize};

use super::docs;
use super::documented::Documented;
use super::extract::{JsonBody, PlainJson};
use crate::AppState;
use crate::auth::{
    Caller, ClientAddress, SESSION_HOURS, check_password_policy, digest, hash_password, new_token, random_hex,
    session_set_cookie, verify_password,
};
use crate::error::ApiError;
use crate::rights::{Action, Principal, Target, authorize};

/// Failed logins per account, and per address, within [`WINDOW_MINUTES`] before 429.
const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
const MAX_FAILURES_PER_ADDRESS: u64 = 20;
const WINDOW_MINUTES: i64 = 15;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/auth/login", post(login))
        .documented("/auth/logout", post(logout))
        .documented("/auth/me", get(me))
        .documented("/auth/password", post(change_password))
        .documented("/auth/tokens", post(create_token))
        .documented("/auth/tokens/revoke", post(revoke_token))
        .documented("/admin/audit", get(audit))
}

/// What a body of another shape than these routes read is told.
const EXPECTED: &str = "body is not the expected JSON";

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct LoginBody {
    name: String,
    password: String,
}

/// Who a request is authenticated as.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Account {
    /// The account's name (`null` for the public).
    name: Option<String>,
    /// `public`, `viewer`, `officer`, `planner` or `admin`.
    role: &'static str,
    /// The administrative unit of an officer.
    unit: Option<String>,
    /// The session's CSRF token, sent back in `X-CSRF-Token` with unsafe requests.
    csrf: Option<String>,
}

impl Account {
    fn of(principal: &Principal, csrf: Option<&str>) -> Self {
        match principal {
            Principal::Anonymous => Account { name: None, role: "public", unit: None, csrf: None },
            Principal::User { name, role, unit_code } => Account {
                name: Some(name.clone()),
                role: role.code(),
                unit: unit_code.clone(),
                csrf: csrf.map(str::to_owned),
            },
        }
    }
}

/// A personal API token, shown only in the answer that creates it.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct NewToken {
    name: String,
    /// `cpt_…`: send it as `Authorization: Bearer …`.
    token: String,
}

/// One entry of the audit log.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AuditEntryDoc {
    id: i64,
    /// RFC 3339.
    at: String,
    actor: Option<String>,
    action: String,
    target: Option<String>,
    address: Option<String>,
    /// `ok`, `denied`, `failed`.
    outcome: String,
    detail: Option<String>,
}

/// A page of the audit log, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AuditPage {
    entries: Vec<AuditEntryDoc>,
    limit: u32,
    offset: u64,
    /// The next page, when this one is full.
    next: Option<String>,
}

/// Audit actions whose failures are password guesses: a wrong current password given to
/// `POST /auth/password` counts against the same limit as a failed login.
const GUESSES: [&str; 2] = ["login", "password.change"];

/// Failures of every [`GUESSES`] action since `since`, by account or by address: their count
/// and the oldest one's time.
async fn recent_guesses(
    state: &AppState,
    name: Option<&str>,
    address: Option<&str>,
    since: chrono::DateTime<Utc>,
) -> Result<(u64, Option<chrono::DateTime<Utc>>), ApiError> {
    let mut total = (0, None);
    for action in GUESSES {
        let (count, oldest) = state.store.recent_audit(action, "failure", name, address, since).await?;
        total.0 += count;
        total.1 = match (total.1, oldest) {
            (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
            (a, b) => a.or(b),
        };
    }
    Ok(total)
}

/// Refuses a login (or a password change) while the account or the address has too many recent
/// failed password checks. The counts come from the audit log, so the limit holds across server
/// instances sharing one database.
async fn check_rate_limit(state: &AppState, name: &str, address: Option<&str>) -> Result<(), ApiError> {
    let now = Utc::now();
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let mut checks = vec![(recent_guesses(state, Some(name), None, since).await?, MAX_FAILURES_PER_ACCOUNT)];
    if let Some(address) = address {
        checks.push((recent_guesses(state, None, Some(address), since).await?, MAX_FAILURES_PER_ADDRESS));
    }
    for ((count, oldest), limit) in checks {
        if count >= limit {
            let free_at = oldest.unwrap_or(now) + Duration::minutes(WINDOW_MINUTES);
            let retry_after = u64::try_from((free_at - now).num_seconds()).unwrap_or(0).max(1);
            return Err(ApiError::TooManyRequests {
                detail: format!("too many failed logins; try again in {retry_after} s"),
                retry_after,
            });
        }
    }
    Ok(())
}

/// Refuses a login sent by another web site (login CSRF: a page elsewhere signing the browser
/// in to an account of the attacker's, whose edits the victim would then make). Browsers send
/// `Origin` on every cross-site POST, and `Sec-Fetch-Site`; a request from another origin than
/// the one addressed is a 403. Without either header (scripts, curl) there is no browser to
/// abuse. The body must also be `application/json`, which a cross-site form cannot send
/// without a CORS preflight.
fn same_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let cross_site = || {
        ApiError::Forbidden("a login from another web site is refused; sign in from this service's own pages".into())
    };
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site")) {
        return Err(cross_site());
    }
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let authority = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, authority)| authority);
    let addressed = [header::HOST.as_str(), "x-forwarded-host"]
        .into_iter()
        .filter_map(|name| headers.get(name).and_then(|v| v.to_str().ok()))
        .any(|host| authority.is_some_and(|a| a.eq_ignore_ascii_case(host.trim())));
    if addressed { Ok(()) } else { Err(cross_site()) }
}

/// Log in
///
/// `POST /auth/login` with `{"name", "password"}`: a session cookie and the CSRF token.
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "Accounts",
    request_body(content = LoginBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The account and the session's CSRF token; the session cookie is set", body = Account, headers(("Set-Cookie" = String))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 415, response = docs::Problem),
        (status = 429, response = docs::Problem),
    ),
)]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Result<JsonBody<PlainJson>, ApiError>,
) -> Result<Response, ApiError> {
    same_origin(&headers)?;
    let LoginBody { name, password } = body?.read(EXPECTED)?;
    let audit = |outcome: &str, detail: Option<&str>| NewAudit {
        actor: Some(name.clone()),
        action: "login".into(),
        target: None,
        address: address.clone(),
        outcome: outcome.into(),
        detail: detail.map(str::to_owned),
    };
    if let Err(limited) = check_rate_limit(&state, &name, address.as_deref()).await {
        state.store.append_audit(&audit("limited", None)).await?;
        return Err(limited);
    }
    let found = state.store.user_with_password(&name).await?;
    let phc = found.as_ref().map(|(_, h)| h.clone());
    let checked = tokio::task::spawn_blocking(move || verify_password(&password, phc.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let user = match found {
        Some((user, _)) if checked && !user.disabled => user,
        _ => {
            state.store.append_audit(&audit("failure", None)).await?;
            return Err(ApiError::Unauthorized("wrong name or password, or the account is disabled".into()));
        }
    };
    let session_id = random_hex(32);
    let csrf = random_hex(16);
    state
        .store
        .create_session(user.id, &digest(&session_id), &csrf, Utc::now() + Duration::hours(SESSION_HOURS))
        .await?;
    state.store.append_audit(&audit("ok", None)).await?;
    let cookie = session_set_cookie(&state, &headers, Some(&session_id));
    let principal = Principal::User { name: user.name, role: user.role, unit_code: user.unit_code };
    Ok((
        [(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(ApiError::internal)?)],
        Json(Account::of(&principal, Some(&csrf))),
    )
        .into_response())
}

/// Log out
///
/// `POST /auth/logout`: ends the session and clears the cookie.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "Accounts",
    responses(
        (status = 204, description = "The session ends; the cookie is cleared", headers(("Set-Cookie" = String))),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn logout(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(session) = &caller.session {
        state.store.delete_session(&session.id_hash).await?;
        state
            .store
            .append_audit(&NewAudit {
                actor: caller.principal.name().map(str::to_owned),
                action: "logout".into(),
                address: caller.address.clone(),
                outcome: "ok".into(),
                ..NewAudit::default()
            })
            .await?;
    }
    // With or without a live session, the browser forgets the cookie.
    let cookie = session_set_cookie(&state, &headers, None);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(ApiError::internal)?)])
        .into_response())
}

#[derive(Deserialize)]
struct PasswordBody {
    current: String,
    new: String,
}

/// `POST /auth/password` with `{"current", "new"}`: the signed-in account's new password.
/// The current one is checked (403 when wrong, counted like a failed login and limited the
/// same way), the new one must meet the policy (422). Every other session of the account ends;
/// the one that asked stays. API tokens stay valid.
#[utoipa::path(
    post,
    path = "/auth/password",
    operation_id = "changePassword",
    tag = "Accounts",
    params(docs::WriteHeaders),
    request_body(content = PasswordBody, content_type = "application/json"),
    responses(
        (status = 204, description = "Changed; the account's other sessions ended"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 422, response = docs::Problem),
        (status = 429, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> Result<StatusCode, ApiError> {
    authorize(&state, &caller, Action::ChangeOwnPassword, Target::Account).await?;
    let PasswordBody { current, new } = body?.read(EXPECTED)?;
    let name = caller.principal.name().unwrap_or_default().to_owned();
    let audit = |outcome: &str, detail: Option<String>| NewAudit {
        actor: Some(name.clone()),
        action: "password.change".into(),
        target: None,
        address: caller.address.clone(),
        outcome: outcome.into(),
        detail,
    };
    if let Err(limited) = check_rate_limit(&state, &name, caller.address.as_deref()).await {
        state.store.append_audit(&audit("limited", None)).await?;
        return Err(limited);
    }
    let phc = state.store.user_with_password(&name).await?.map(|(_, hash)| hash);
    let checked = tokio::task::spawn_blocking(move || verify_password(&current, phc.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    if !checked {
        state.store.append_audit(&audit("failure", Some("wrong current password".into()))).await?;
        return Err(ApiError::Forbidden("the current password is wrong".into()));
    }
    check_password_policy(&name, &new).map_err(ApiError::Unprocessable)?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await.map_err(ApiError::internal)??;
    let keep = caller.session.as_ref().map(|s| s.id_hash.as_str());
    let detail = Some(if keep.is_some() { "other sessions ended" } else { "all sessions ended" }.to_owned());
    if !state.store.set_password(&name, &hash, keep, &audit("ok", detail)).await? {
        return Err(ApiError::internal("the caller's account vanished"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Who am I
///
/// `GET /auth/me`: who the request is authenticated as (the public without credentials).
#[utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "whoAmI",
    tag = "Accounts",
    responses(
        (status = 200, description = "The account (the public without credentials)", body = Account),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn me(caller: Caller) -> Json<Account> {
    Json(Account::of(&caller.principal, caller.session.as_ref().map(|s| s.csrf_token.as_str())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TokenBody {
    #[serde(default)]
    name: Option<String>,
}

/// Create a personal API token
///
/// `POST /auth/tokens` with `{"name": "qgis"}`: a new personal API token, shown only here.
#[utoipa::path(
    post,
    path = "/auth/tokens",
    operation_id = "createToken",
    tag = "Accounts",
    request_body(content = TokenBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The token, shown only here", body = NewToken),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Option<JsonBody>, ApiError>,
) -> Result<Response, ApiError> {
    authorize(&state, &caller, Action::ManageOwnTokens, Target::Account).await?;
    let Some(body) = body? else {
        return Err(ApiError::BadRequest {
            kind: "malformed-json",
            detail: "send a JSON object: {\"name\": \"…\"}, or {} for a token named \"api\"".into(),
        });
    };
    let body: TokenBody = body.read(EXPECTED)?;
    let label = body.name.unwrap_or_else(|| "api".into());
    let owner = caller.principal.name().unwrap_or_default().to_owned();
    let token = new_token();
    if !state.store.create_token(&owner, &label, &digest(&token)).await? {
        return Err(ApiError::internal("the caller's account vanished"));
    }
    state
        .store
        .append_audit(&NewAudit {
            actor: Some(owner),
            action: "token.create".into(),
            target: Some(label.clone()),
            address: caller.address.clone(),
            outcome: "ok".into(),
            detail: None,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(NewToken { name: label, token })).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct RevokeBody {
    token: String,
}

/// Revoke a personal API token
///
/// `POST /auth/tokens/revoke` with `{"token": "cpt_…"}`: one's own token (any, for admins).
#[utoipa::path(
    post,
    path = "/auth/tokens/revoke",
    operation_id = "revokeToken",
    tag = "Accounts",
    request_body(content = RevokeBody, content_type = "application/json"),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<JsonBody, ApiError>,
) -> Result<StatusCode, ApiError> {
    authorize(&state, &caller, Action::ManageOwnTokens, Target::Account).await?;
    let RevokeBody { token } = body?.read(EXPECTED)?;
    let owner = match &caller.principal {
        Principal::User { role: clusterplan_store::Role::Admin, .. } => None,
        other => other.name(),
    };
    if !state.store.revoke_token(&digest(&token), owner).await? {
        return Err(ApiError::NotFound("no live token of yours matches".into()));
    }
    state
        .store
        .append_audit(&NewAudit {
            actor: caller.principal.name().map(str::to_owned),
            action: "token.revoke".into(),
            address: caller.address.clone(),
            outcome: "ok".into(),
            ..NewAudit::default()
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log
///
/// `GET /admin/audit?limit=&offset=`: the audit log, newest first (administrators).
#[utoipa::path(
    get,
    path = "/admin/audit",
    operation_id = "getAudit",
    tag = "Accounts",
    params(("limit" = Option<u32>, Query, minimum = 1, maximum = 1000, description = "Entries per page"), ("offset" = Option<u64>, Query, description = "Entries to skip")),
    responses(
        (status = 200, description = "Writes, logins and refusals, newest first", body = AuditPage),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<AuditPage>, ApiError> {
    authorize(&state, &caller, Action::ReadAudit, Target::Account).await?;
    let number = |key: &str, default: u64| -> Result<u64, ApiError> {
        params.get(key).map_or(Ok(default), |v| {
            v.parse::<u64>().map_err(|_| ApiError::BadRequest {
                kind: "invalid-parameter",
                detail: format!("{key}={v:?} must be a non-negative integer"),
            })
        })
    };
    let limit = number("limit", 100)?.clamp(1, 1000) as u32;
    let offset = number("offset", 0)?;
    let entries = state.store.audit_page(limit, offset).await?;
    let entries: Vec<AuditEntryDoc> = entries
        .into_iter()
        .map(|e| AuditEntryDoc {
            id: e.id,
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            actor: e.actor,
            action: e.action,
            target: e.target,
            address: e.address,
            outcome: e.outcome,
            detail: e.detail,
        })
        .collect();
    let next = (entries.len() == limit as usize)
        .then(|| format!("/admin/audit?limit={limit}&offset={}", offset + u64::from(limit)));
    Ok(Json(AuditPage { entries, limit, offset, next }))
}
