//! The planner map: `index.html`, our modules under `/app`, npm libraries under `/vendor`,
//! and the map's configuration.

use axum::Json;
use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use tower_http::services::ServeDir;

use crate::AppState;
use crate::config::Config;

pub(crate) fn router(config: &Config) -> Router<AppState> {
    let web = &config.web_dir;
    let modules = web.join("node_modules");
    Router::new()
        .route("/ui-config", get(ui_config))
        .nest_service("/app", ServeDir::new(web.join("app")))
        .nest_service("/vendor/leaflet", ServeDir::new(modules.join("leaflet/dist")))
        .nest_service("/vendor/geoman", ServeDir::new(modules.join("@geoman-io/leaflet-geoman-free/dist")))
}

/// The map's configuration
///
/// The basemap (URL template and attribution, or `null`).
#[utoipa::path(get, path = "/ui-config", operation_id = "getUiConfig", tag = "Service",
    responses((status = 200, description = "`{\"basemap\": {\"url\", \"attribution\"} | null}`", body = Object)))]
async fn ui_config(axum::extract::State(state): axum::extract::State<AppState>) -> Json<Value> {
    Json(json!({ "basemap": state.config.basemap }))
}
