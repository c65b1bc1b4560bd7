//! Liveness and readiness.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::docs;
use crate::AppState;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

/// Liveness
///
/// The process answers.
#[utoipa::path(get, path = "/health", operation_id = "getHealth", tag = "Service",
    responses((status = 200, description = "`{\"status\": \"ok\", \"store\": …}`", body = Object)))]
async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "store": state.store.backend() }))
}

/// Readiness
///
/// The store answers too.
#[utoipa::path(get, path = "/ready", operation_id = "getReady", tag = "Service",
    responses((status = 200, description = "`{\"status\": \"ready\", \"store\": …}`", body = Object), (status = 500, response = docs::Problem)))]
async fn ready(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    state.store.ping().await?;
    Ok(Json(json!({ "status": "ready", "store": state.store.backend() })))
}
