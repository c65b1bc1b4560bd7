//! Liveness and readiness.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use crate::AppState;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/health", get(health)).documented("/ready", get(ready))
}

/// The service's state.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    /// `ok` (liveness) or `ready` (the store answers too).
    #[schema(example = "ok")]
    status: &'static str,
    /// The store: `geopackage` or `postgis`.
    #[schema(example = "geopackage")]
    store: &'static str,
}

/// Liveness
///
/// The process answers.
#[utoipa::path(get, path = "/health", operation_id = "getHealth", tag = "Service",
    responses((status = 200, description = "The process answers", body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health { status: "ok", store: state.store.backend() })
}

/// Readiness
///
/// The store answers too.
#[utoipa::path(get, path = "/ready", operation_id = "getReady", tag = "Service",
    responses((status = 200, description = "The store answers", body = Health), (status = 500, response = docs::Problem)))]
async fn ready(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ready", store: state.store.backend() }))
}
