//! `/metrics` in the Prometheus text format: requests by route template, method and status,
//! their latency (time to the response head; streamed pages go on after it), and the store's
//! connection pool.
//!
//! Who may read it: clients on the loopback interface and the addresses of `--metrics-from`,
//! judged like the login limit judges addresses (`auth::client_ip`: behind a `--trusted-proxy`
//! the client its `X-Forwarded-For` names). A request that came through a proxy that is not
//! trusted (it carries `X-Forwarded-For` or `Forwarded`) is refused even from loopback, so a
//! reverse proxy on the same machine does not open it to the internet. Others get 403.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, Response, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;
use crate::error::ApiError;

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's recorder, installed on first use (one per process: router tests build many
/// routers in one process and share it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), &LATENCY_BUCKETS)
            .expect("the bucket list is not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Another recorder would only be there if something else installed one first; our
        // handle then renders nothing, which the metrics test notices.
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        handle
    })
}

/// Installs the recorder (when the router is built, so that the first requests count).
pub fn init() {
    handle();
}

/// Moves the histograms' pending samples into their buckets every `period`, for as long as the
/// server runs. The recorder keeps every latency recorded until then (8 bytes and more each); a
/// server nobody scrapes grew by ~20 bytes per request without it (BENCHMARKS.md).
pub(crate) async fn upkeep(period: std::time::Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        handle().run_upkeep();
    }
}

/// Middleware that counts every request by the route that matched (the template, never the
/// concrete path, so ids do not make new series) and records how long it took.
pub(crate) async fn track(request: Request, next: Next) -> Response<Body> {
    let start = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_owned(), route_label);
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// A nested service's matched path ends in axum's private tail parameter: `/app/*` reads better.
fn route_label(path: &MatchedPath) -> String {
    let path = path.as_str();
    match path.find("/{*") {
        Some(i) => format!("{}/*", &path[..i]),
        None => path.to_owned(),
    }
}

/// Whether the caller may read the metrics (see the module documentation).
fn may_scrape(peer: Option<IpAddr>, headers: &HeaderMap, state: &AppState) -> bool {
    let Some(peer) = peer else { return false };
    let trusted = &state.config.trusted_proxies;
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key(header::FORWARDED);
    if forwarded && !trusted.contains(&peer) {
        return false;
    }
    let client = crate::auth::client_ip(peer, headers, trusted);
    client.is_loopback() || state.config.metrics_from.contains(&client)
}

/// The metrics as text, or 403 for a caller who may not read them.
pub(crate) fn answer(state: &AppState, peer: Option<IpAddr>, headers: &HeaderMap) -> Response<Body> {
    if !may_scrape(peer, headers, state) {
        return ApiError::Forbidden("metrics are readable from loopback and --metrics-from addresses only".into())
            .into_response();
    }
    let pool = state.store.pool_use();
    let backend = state.store.backend();
    metrics::gauge!("store_pool_connections", "store" => backend, "state" => "idle").set(f64::from(pool.idle));
    metrics::gauge!("store_pool_connections", "store" => backend, "state" => "in_use")
        .set(f64::from(pool.size.saturating_sub(pool.idle)));
    metrics::gauge!("store_pool_max_connections", "store" => backend).set(f64::from(pool.max));
    let handle = handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
