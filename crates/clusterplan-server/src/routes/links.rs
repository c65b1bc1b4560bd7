//! Absolute links for OGC documents, built from the request's `Host`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use serde_json::{Value, json};

use crate::error::ApiError;

/// The service's base URL as the client addressed it (`http://host:port`).
pub(crate) struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
            .unwrap_or("localhost");
        let proto = parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|h| h.to_str().ok())
            .filter(|p| *p == "https")
            .unwrap_or("http");
        Ok(BaseUrl(format!("{proto}://{host}")))
    }
}

/// One link object.
pub(crate) fn link(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Value {
    let href: String = href.into();
    json!({ "href": href, "rel": rel, "type": media_type, "title": title })
}

/// A `Location` header for a resource just created.
pub(crate) fn location(href: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(href).map_err(ApiError::internal)
}
