//! `POST /collections/{id}/publish`: the current draft becomes the published state.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use super::docs;
use super::extract::{Collection, JsonBody, Provenance};
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
    caller: Caller,
    _: Collection,
    Provenance(ctx): Provenance,
    body: Result<Option<JsonBody>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    // Publishing decides what the public sees: planners and administrators.
    authorize(&state, &caller, Action::ReplaceFeature, Target::Account).await?;
    let note = match body? {
        None => None,
        Some(JsonBody { value: doc, .. }) => match doc.get("note") {
            _ if !doc.is_object() => return Err(bad("the body is a JSON object: {\"note\": \"…\"}")),
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("note must be a string")),
        },
    };
    let publication = state.store.publish_clusters(note.as_deref(), &ctx).await?;
    Ok(Json(publication_json(&publication)))
}

fn bad(detail: &str) -> ApiError {
    ApiError::BadRequest { kind: "invalid-publication", detail: detail.to_owned() }
}
