//! `ApiError`: every failure a client can see, answered as RFC 9457 problem+json.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use clusterplan_core::{FieldProblem, GeometryProblem};
use clusterplan_store::StoreError;
use serde::Serialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457): `type`, `title`, `status`, `detail`, and what the refusal
/// can say of where the problem is.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// `urn:clusterplan:problem:<kind>`.
    #[serde(rename = "type")]
    #[schema(example = "urn:clusterplan:problem:invalid-parameter")]
    pub kind: String,
    /// The status's reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What is wrong and where, in words.
    pub detail: String,
    /// Geometry problems with their polygon, ring, vertex and point; zone placement problems
    /// with the overlapping zone and area (422).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<LocatedProblem>,
    /// Attribute problems, and the places of refused text (`{field, message}`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The version in the store (412).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// The version the client had (412).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    /// Members of particular refusals: planning rules, status transitions, overrides.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A problem with its place: a geometry problem (polygon, ring, vertex, point, the other
/// ring it meets) or a zone placement problem (the zone it overlaps, area, point, bbox).
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct LocatedProblem {
    /// A stable code, e.g. `self-intersection`, `outside-cluster`.
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub polygon: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ring: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertex: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_polygon: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_ring: Option<usize>,
    /// Where, in the request's coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<[f64; 2]>,
    /// The zone overlapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone_id: Option<i64>,
    /// The area outside the cluster or overlapping, m².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_m2: Option<f64>,
    /// The box of that area.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bbox: Option<[f64; 4]>,
}

/// A problem of one field (an attribute, a header, a query parameter, a JSON pointer).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// Which field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// What went wrong, in terms a client can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request: syntax, structure or parameters (400).
    #[error("{detail}")]
    BadRequest {
        /// Short slug for the problem type.
        kind: &'static str,
        /// What is wrong and where.
        detail: String,
    },
    /// The boundary or attributes are invalid (422), every problem listed.
    #[error("invalid feature")]
    InvalidFeature {
        /// Boundary problems with their locations.
        geometry: Vec<GeometryProblem>,
        /// Attribute problems.
        fields: Vec<FieldProblem>,
    },
    /// Well-formed but unprocessable input (422).
    #[error("{0}")]
    Unprocessable(String),
    /// No or bad credentials (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Credentials are fine but the right is missing (403).
    #[error("{0}")]
    Forbidden(String),
    /// Too many attempts (429); `retry_after` in seconds.
    #[error("{detail}")]
    TooManyRequests {
        /// What was limited.
        detail: String,
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// The server is at its limit of expensive work at once (503); `retry_after` in seconds.
    #[error("{detail}")]
    Busy {
        /// What is busy.
        detail: String,
        /// Seconds after which to try again.
        retry_after: u64,
    },
    /// No such resource (404).
    #[error("{0}")]
    NotFound(String),
    /// A unique value is taken (409).
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` did not match the current version (412).
    #[error("the feature changed since version {expected}; it is now at version {current}")]
    PreconditionFailed {
        /// Version the client had.
        expected: i64,
        /// Version in the store.
        current: i64,
    },
    /// A write without `If-Match` where the service requires one (428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// Body too large (413).
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// Wrong `Content-Type` (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A refusal with its own status, problem type and machine-readable members (planning
    /// rules, transitions, placement of zones).
    #[error("{detail}")]
    Rejected {
        /// HTTP status.
        status: StatusCode,
        /// Problem type slug.
        kind: &'static str,
        /// What is wrong.
        detail: String,
        /// Members added to the problem document (an object).
        extra: Value,
    },
    /// Anything else (500). Made only by [`ApiError::internal`], which logs the cause; the
    /// client is told nothing of it.
    #[error("internal error")]
    Internal(Logged),
}

/// Proof that an internal error's cause went to the log: private, so that the one way to a
/// 500 is [`ApiError::internal`].
#[derive(Debug)]
pub struct Logged(());

/// Text with a NUL character (U+0000) in it: PostgreSQL refuses it in `text` and SQLite keeps
/// it, so the two stores would answer differently; the service refuses it before either sees it.
const NUL_REFUSED: &str = "holds a NUL character (U+0000), which no text of this service may contain";

/// Most places a NUL refusal lists.
const MAX_NUL_PLACES: usize = 20;

impl ApiError {
    /// A NUL character in text the client sent: 400 naming every place, each a JSON pointer of
    /// the body (`/properties/notes`), a header (`X-Change-Reason`) or a query parameter
    /// (`filter`), also in `errors` as `{field, message}`.
    pub fn nul_character(places: &[String]) -> Self {
        let listed = &places[..places.len().min(MAX_NUL_PLACES)];
        let more = match places.len() - listed.len() {
            0 => String::new(),
            n => format!(" and {n} more places"),
        };
        ApiError::Rejected {
            status: StatusCode::BAD_REQUEST,
            kind: "nul-character",
            detail: format!("{}{more} {NUL_REFUSED}; remove it", listed.join(", ")),
            extra: json!({
                "errors": listed.iter().map(|p| FieldError { field: p.clone(), message: format!("{p} {NUL_REFUSED}") }).collect::<Vec<_>>(),
            }),
        }
    }

    /// A failure the client cannot act on (a store, a transformation, a header that should
    /// have been valid): the cause is logged here, in the request's span (with its request
    /// id), and the answer is an opaque 500 that never shows it, since it may hold SQL, paths
    /// or connection strings.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::Internal(Logged(()))
    }
}

fn placement_problem(p: &clusterplan_core::zones::PlacementProblem) -> LocatedProblem {
    use clusterplan_core::zones::PlacementProblem;
    let (zone_id, area_m2, point, bbox) = match *p {
        PlacementProblem::OutsideCluster { area_m2, point, bbox } => (None, area_m2, point, bbox),
        PlacementProblem::Overlap { zone_id, area_m2, point, bbox } => (Some(zone_id), area_m2, point, bbox),
    };
    LocatedProblem {
        code: p.code(),
        message: p.message(),
        zone_id,
        area_m2: Some(area_m2),
        point: Some(point),
        bbox: Some(bbox),
        ..LocatedProblem::default()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(id) => ApiError::NotFound(format!("feature {id} does not exist")),
            StoreError::VersionConflict { expected, current, .. } => ApiError::PreconditionFailed { expected, current },
            StoreError::Duplicate { field: "name", value } => {
                ApiError::Conflict(format!("the account name {value:?} is already taken"))
            }
            StoreError::Duplicate { field, value } => {
                ApiError::Conflict(format!("{field} {value:?} is already used by another feature"))
            }
            StoreError::Placement(problems) => ApiError::Rejected {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                kind: "zone-placement",
                detail: StoreError::Placement(problems.clone()).to_string(),
                extra: json!({ "problems": problems.iter().map(placement_problem).collect::<Vec<_>>() }),
            },
            e @ StoreError::MissingReference { .. } => ApiError::Unprocessable(e.to_string()),
            StoreError::StatusMoved { expected, current } => ApiError::Rejected {
                status: StatusCode::CONFLICT,
                kind: "status-moved",
                detail: "another status change was recorded first; reload the history and try again".into(),
                extra: json!({ "expected_status": expected, "current_status": current }),
            },
            e @ StoreError::HasDependents { .. } => ApiError::Conflict(e.to_string()),
            StoreError::Invalid(detail) => ApiError::Unprocessable(detail),
            StoreError::FieldRejected(problem) => {
                ApiError::InvalidFeature { geometry: Vec::new(), fields: vec![problem] }
            }
            StoreError::Deleted(id) => ApiError::Rejected {
                status: StatusCode::CONFLICT,
                kind: "feature-deleted",
                detail: format!(
                    "feature {id} was deleted: its history and comments stay readable, and a revert restores it"
                ),
                extra: json!({ "id": id }),
            },
            other => ApiError::internal(other),
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidFeature { .. } | ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Rejected { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest { kind, .. } | ApiError::Rejected { kind, .. } => kind,
            ApiError::InvalidFeature { geometry, .. } if !geometry.is_empty() => "invalid-geometry",
            ApiError::InvalidFeature { .. } => "invalid-attributes",
            ApiError::Unprocessable(_) => "unprocessable",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::Busy { .. } => "busy",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed { .. } => "version-conflict",
            ApiError::PreconditionRequired(_) => "precondition-required",
            ApiError::PayloadTooLarge { .. } => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem document.
    pub fn body(&self) -> ProblemDocument {
        let status = self.status();
        let mut doc = ProblemDocument {
            kind: format!("urn:clusterplan:problem:{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: String::new(),
            problems: Vec::new(),
            errors: Vec::new(),
            current_version: None,
            expected_version: None,
            extra: Map::new(),
        };
        doc.detail = match self {
            ApiError::InvalidFeature { geometry, fields } => {
                doc.problems = geometry.iter().map(geometry_problem).collect();
                doc.errors = fields
                    .iter()
                    .map(|p| FieldError { field: p.field.to_owned(), message: p.message.clone() })
                    .collect();
                let messages =
                    geometry.iter().map(|p| p.message.as_str()).chain(fields.iter().map(|p| p.message.as_str()));
                format!("the feature has {} problem(s): {}", geometry.len() + fields.len(), join(messages))
            }
            ApiError::PreconditionFailed { expected, current } => {
                doc.current_version = Some(*current);
                doc.expected_version = Some(*expected);
                self.to_string()
            }
            ApiError::Rejected { detail, extra, .. } => {
                if let Value::Object(members) = extra {
                    doc.extra.clone_from(members);
                }
                detail.clone()
            }
            ApiError::Internal(_) => "the server failed to handle the request; it has been logged".to_owned(),
            other => other.to_string(),
        };
        doc
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts.collect::<Vec<_>>().join("; ")
}

fn geometry_problem(p: &GeometryProblem) -> LocatedProblem {
    let l = &p.location;
    LocatedProblem {
        code: p.kind.code(),
        message: p.message.clone(),
        polygon: l.polygon,
        ring: l.ring,
        vertex: l.vertex,
        other_polygon: l.other_polygon,
        other_ring: l.other_ring,
        point: l.point,
        ..LocatedProblem::default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"clusterplan\""));
            }
            ApiError::TooManyRequests { retry_after, .. } | ApiError::Busy { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests;
