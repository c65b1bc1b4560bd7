//! `GET /collections/{id}/map`: a public, embeddable, read-only map of the published layer.
//! Leaflet from `/vendor` (npm), no editing tools, no CDN; the basemap comes from the
//! configuration (or none, and the map still works offline).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::docs;
use super::documented::Documented;
use super::extract::Collection;
use crate::AppState;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/map", get(page))
}

/// Escapes text for an HTML attribute value.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The public map of a collection
///
/// A read-only, embeddable Leaflet map of the published layer.
#[utoipa::path(
    get,
    path = "/collections/{collection}/map",
    operation_id = "getPublicMap",
    tag = "Publishing",
    params(docs::CollectionPath),
    responses(
        (status = 200, description = "The map page", body = String, content_type = "text/html"),
        (status = 404, response = docs::Problem),
    ),
)]
async fn page(State(state): State<AppState>, Collection(collection): Collection) -> Result<Response, ApiError> {
    let basemap = serde_json::to_string(&state.config.basemap).map_err(ApiError::internal)?;
    let html = format!(
        r#"<!doctype html>
<html lang="vi">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{collection}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/vendor/leaflet/leaflet.css">
  <style>html, body, #map {{ height: 100%; margin: 0; }} .title {{ position: absolute; z-index: 1000; top: 8px; left: 50px; background: #fff; padding: 4px 8px; border-radius: 4px; font: 14px sans-serif; }}</style>
  <script src="/vendor/leaflet/leaflet.js" defer></script>
  <script type="module" src="/app/public-map.js"></script>
</head>
<body>
  <div id="map" data-collection="{collection}" data-basemap="{basemap}"></div>
  <div class="title" id="title"></div>
</body>
</html>
"#,
        collection = attr(&collection),
        basemap = attr(&basemap),
    );
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            // Embeddable anywhere: no frame restrictions, and nothing here can write.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        html,
    )
        .into_response())
}
