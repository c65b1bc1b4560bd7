//! Cross-cutting HTTP layers: request ids, tracing, compression, CORS, limits, panics, and
//! the `Allow` header that QGIS reads to enable editing.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::limits::Limits;
use crate::routes::allowed_methods;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const CONTENT_CRS: HeaderName = HeaderName::from_static("content-crs");

/// The router inside the cross-cutting layers, with the service's [`Limits`] (tile cache,
/// render slots) as an extension of every request.
pub(crate) fn wrap(router: Router, max_body_bytes: usize, limits: Arc<Limits>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::AUTHORIZATION,
            CONTENT_CRS,
            HeaderName::from_static("x-csrf-token"),
            HeaderName::from_static("x-change-reason"),
            HeaderName::from_static("x-legal-act"),
        ])
        .expose_headers([header::ETAG, header::LOCATION, REQUEST_ID, CONTENT_CRS]);
    // One stack around the whole router, not `Router::layer`: that wraps every route in each
    // layer, and each request then cloned and boxed the route once per layer (a dozen boxed
    // clones and futures per request; BENCHMARKS.md, "The middleware stack"). Outermost first.
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::custom(|payload: Box<dyn std::any::Any + Send>| panicked(&*payload)))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_mins(1)))
        // Outside CORS: tower-http's CorsLayer answers every OPTIONS itself, without `Allow`.
        .layer(middleware::from_fn(add_allow_header))
        .layer(cors)
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn(refuse_nul_in_query))
        .layer(Extension(limits))
        .service(router);
    Router::new().fallback_service(stack)
}

async fn add_allow_header(request: Request<Body>, next: Next) -> Response<Body> {
    let allow = match (request.method() == Method::OPTIONS).then(|| allowed_methods(request.uri().path())).flatten() {
        // An unknown collection or an id that names nothing: 404, as GET answers.
        Some(Err(missing)) => return missing.into_response(),
        Some(Ok(allow)) => Some(allow),
        None => None,
    };
    let mut response = next.run(request).await;
    if let Some(allow) = allow {
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
        if response.status() == StatusCode::OK || response.status() == StatusCode::NO_CONTENT {
            *response.status_mut() = StatusCode::NO_CONTENT;
        }
    }
    response
}

/// The span every request runs in: what an internal error is logged with, so that the
/// `x-request-id` a client reports finds its cause.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

/// A handler's panic: logged with its message, answered as any internal error.
fn panicked(payload: &(dyn std::any::Any + Send)) -> Response<Body> {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    ApiError::internal(format_args!("handler panicked: {message}")).into_response()
}

/// Refuses a NUL character (`%00`) in any query parameter, its name or its value, before a
/// route reads one: 400 naming the parameters (a `filter` literal, a unit `code`, …). Every
/// route is behind this layer, so none can forget it; bodies and the write headers are checked
/// where they are parsed (`routes/extract.rs`).
async fn refuse_nul_in_query(request: Request<Body>, next: Next) -> Response<Body> {
    // A NUL can reach a decoded parameter only as `%00`: raw control bytes are no URI.
    if let Some(query) = request.uri().query().filter(|q| q.contains("%00")) {
        let names: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(name, value)| name.contains('\0') || value.contains('\0'))
            .map(|(name, _)| name.into_owned())
            .collect();
        if !names.is_empty() {
            return ApiError::nul_character(&names).into_response();
        }
    }
    next.run(request).await
}
