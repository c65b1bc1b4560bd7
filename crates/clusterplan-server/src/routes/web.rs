//! The planner map: `index.html`, our modules under `/app`, npm libraries under `/vendor`,
//! and the map's configuration; the files come from [`crate::assets`] (built into the binary,
//! or `--web-dir`). Also `/metrics`.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use bytes::Bytes;
use serde::Serialize;

use super::documented::Documented;
use crate::AppState;
use crate::assets::{Asset, WebAssets, web_path};
use crate::config::{Basemap, Config};
use crate::error::ApiError;

/// What the map reads at start: the basemap, or `null` for none (the map works offline).
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct UiConfig {
    basemap: Option<Basemap>,
}

/// The longest file name a file system served from allows (Linux's `NAME_MAX`).
const MAX_NAME_BYTES: usize = 255;
/// Longer paths than any web file has (Linux refuses paths past 4 096 bytes, `PATH_MAX`).
const MAX_PATH_BYTES: usize = 1024;

pub(crate) fn router(config: &Config) -> Router<AppState> {
    let files: MethodRouter = get(file).with_state(Arc::new(config.web.clone()));
    Router::new()
        .documented("/ui-config", get(ui_config))
        .documented("/metrics", get(metrics))
        .nest_service("/app", files.clone())
        .nest_service("/vendor/leaflet", files.clone())
        .nest_service("/vendor/geoman", files)
        .layer(middleware::from_fn(refuse_impossible_names))
}

/// One file of the map, with a strong `ETag` and `Cache-Control: no-cache` (browsers
/// revalidate, and get 304 until the binary or the folder changes).
async fn file(State(web): State<Arc<WebAssets>>, OriginalUri(uri): OriginalUri, headers: HeaderMap) -> Response {
    let asset = match web_path(uri.path()) {
        Some(path) => web.get(&path).await,
        None => None,
    };
    match asset {
        Some(asset) => send(asset, &headers),
        None => ApiError::NotFound(format!("no file {}", uri.path())).into_response(),
    }
}

fn send(asset: Asset, request: &HeaderMap) -> Response {
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == asset.etag || t.trim() == "*"));
    let content_type = if asset.mime.starts_with("text/") || asset.mime == "application/json" {
        format!("{}; charset=utf-8", asset.mime)
    } else {
        asset.mime
    };
    let head = [(header::ETAG, asset.etag), (header::CACHE_CONTROL, "no-cache".to_owned())];
    if fresh {
        return (StatusCode::NOT_MODIFIED, head).into_response();
    }
    let body = match asset.data {
        Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        Cow::Owned(bytes) => Bytes::from(bytes),
    };
    (head, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// The map page, for browsers asking `/` for HTML.
pub(crate) async fn index_html(config: &Config, request: &HeaderMap) -> Response {
    if let Some(asset) = config.web.get("index.html").await {
        send(asset, request)
    } else {
        tracing::error!(web = %config.web.describe(), "index.html is missing");
        ApiError::NotFound("the map page is not installed; see README for the run command".into()).into_response()
    }
}

/// A path no file can have (a name or a path longer than a file system allows) is a 404 like
/// any missing file; `ServeDir` would pass the operating system's `ENAMETOOLONG` on as a 500.
async fn refuse_impossible_names(request: Request<Body>, next: Next) -> Response {
    let path = request.uri().path();
    let too_long = path.len() > MAX_PATH_BYTES
        || path.split('/').any(|segment| percent_encoding::percent_decode_str(segment).count() > MAX_NAME_BYTES);
    if too_long {
        return ApiError::NotFound("no such file".into()).into_response();
    }
    next.run(request).await
}

/// The map's configuration
///
/// The basemap (URL template and attribution, or `null`).
#[utoipa::path(get, path = "/ui-config", operation_id = "getUiConfig", tag = "Service",
    responses((status = 200, description = "The basemap", body = UiConfig)))]
async fn ui_config(State(state): State<AppState>) -> Json<UiConfig> {
    Json(UiConfig { basemap: state.config.basemap.clone() })
}

/// Metrics
///
/// Prometheus text format (version 0.0.4): `http_requests_total{method,route,status}`,
/// `http_request_duration_seconds{method,route}` (histogram), `store_pool_connections{store,state}`
/// and `store_pool_max_connections{store}`. Readable from loopback and the addresses given with
/// `--metrics-from` only (see `metrics.rs`).
#[utoipa::path(get, path = "/metrics", operation_id = "getMetrics", tag = "Service",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain; version=0.0.4", body = String),
        (status = 403, response = super::docs::Problem)))]
async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    crate::metrics::answer(&state, peer, request.headers())
}
