//! `POST /collections/{id}/publish`: the current draft becomes the published state.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use super::docs;
use super::items::{body_bytes, check_collection, write_context};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};
use crate::wire::publication_json;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/collections/{collection}/publish", post(publish))
}

/// Publish a collection
///
/// The current draft becomes the published layer, which the public reads. Body:
/// `{"note": "…"}` (optional; an empty body means no note).
#[utoipa::path(
    post,
    path = "/collections/{collection}/publish",
    operation_id = "publishCollection",
    tag = "Publishing",
    params(docs::CollectionPath, docs::WriteHeaders),
    request_body(content = Object, content_type = "application/json", description = "`{\"note\": \"…\"}`, optional"),
    responses(
        (status = 200, description = "The publication: seq, published_at, author, note, feature_count", body = Object),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 413, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
async fn publish(
    State(state): State<AppState>,
    Path(collection): Path<String>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    check_collection(&collection)?;
    // Publishing decides what the public sees: planners and administrators.
    authorize(&state, &caller, Action::ReplaceFeature, Target::Account).await?;
    let body = body_bytes(&state, body)?;
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let doc: Value = serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
            kind: "malformed-json",
            detail: format!("body is not valid JSON: {e}"),
        })?;
        match doc.get("note") {
            _ if !doc.is_object() => return Err(bad("the body is a JSON object: {\"note\": \"…\"}")),
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("note must be a string")),
        }
    };
    let publication = state.store.publish_clusters(note.as_deref(), &write_context(&caller, &headers)).await?;
    Ok(Json(publication_json(&publication)))
}

fn bad(detail: &str) -> ApiError {
    ApiError::BadRequest { kind: "invalid-publication", detail: detail.to_owned() }
}
