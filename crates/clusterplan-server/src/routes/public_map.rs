//! `GET /collections/{id}/map`: a public, embeddable, read-only map of the published layer: search,
//! the published plan at a clicked point, a legend, a share link (`web/app/public-map.js`).
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
  <link rel="stylesheet" href="/app/public-map.css">
  <script src="/vendor/leaflet/leaflet.js" defer></script>
  <script type="module" src="/app/public-map.js"></script>
</head>
<body>
  <header class="pm-bar">
    <h1 class="pm-title" id="title"></h1>
    <form class="pm-search" id="search" role="search">
      <label class="pm-sr" for="q" data-i18n="public.search_label"></label>
      <input id="q" type="search" autocomplete="off" role="combobox" aria-autocomplete="list" aria-controls="results" aria-expanded="false" data-i18n-placeholder="public.search_placeholder">
      <ul id="results" class="pm-results" role="listbox" hidden></ul>
    </form>
    <div class="pm-actions">
      <button id="share" type="button" data-i18n="public.share" data-i18n-title="public.share_label"></button>
      <button id="print" type="button" data-i18n="public.print" data-i18n-title="public.print_label"></button>
      <button id="lang" type="button" data-i18n="lang.switch" data-i18n-title="lang.switch_label"></button>
    </div>
  </header>
  <main class="pm-main"><div id="map" data-collection="{collection}" data-basemap="{basemap}" role="region" aria-label="map"></div></main>
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
