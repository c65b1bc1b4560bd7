//! Absolute links for OGC documents, built from the request's `Host`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use serde::Serialize;
use utoipa::ToSchema;

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

/// A link of an OGC document (OGC API - Common `link`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) rel: String,
    /// The media type of the target.
    #[serde(rename = "type")]
    pub(crate) media_type: String,
    pub(crate) title: String,
    /// `href` is a URI template (tiles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) templated: Option<bool>,
}

impl Link {
    /// The same link, marked as a URI template.
    pub(crate) fn templated(self) -> Self {
        Link { templated: Some(true), ..self }
    }
}

/// One link.
pub(crate) fn link(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Link {
    Link {
        href: href.into(),
        rel: rel.to_owned(),
        media_type: media_type.to_owned(),
        title: title.to_owned(),
        templated: None,
    }
}

/// A `Location` header for a resource just created.
pub(crate) fn location(href: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(href).map_err(ApiError::internal)
}

/// The query parameters a page link repeats, as `&key=value…` (values URL-encoded), in the
/// order of `keys`: the selection, without paging.
pub(crate) fn repeated(params: &std::collections::HashMap<String, String>, keys: &[&str]) -> String {
    let mut out = String::new();
    for key in keys {
        if let Some(value) = params.get(*key) {
            out.push('&');
            out.push_str(key);
            out.push('=');
            out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
    }
    out
}
