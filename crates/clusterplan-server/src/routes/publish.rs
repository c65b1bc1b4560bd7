//! `POST /collections/{id}/publish`: the current draft becomes the published state.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use super::docs;
use super::documented::Documented;
use super::extract::{Collection, JsonBody, Provenance};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};
use crate::wire::PublicationDoc;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/publish", post(publish))
}

/// Publish a collection
///
/// The current draft becomes the published layer, which the public reads. Body:
/// `{"note": "…"}`, or `{}` without a note.
#[utoipa::path(
    post,
    path = "/collections/{collection}/publish",
    operation_id = "publishCollection",
    tag = "Publishing",
    params(docs::CollectionPath, docs::WriteHeaders),
    request_body(content = PublishBody, content_type = "application/json", description = "`{\"note\": \"…\"}`, or `{}`"),
    responses(
        (status = 200, description = "The publication", body = PublicationDoc),
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
) -> Result<Json<PublicationDoc>, ApiError> {
    // Publishing decides what the public sees: planners and administrators.
    authorize(&state, &caller, Action::ReplaceFeature, Target::Account).await?;
    let Some(JsonBody { value: doc, .. }) = body? else {
        return Err(bad("send a JSON object: {\"note\": \"…\"}, or {} to publish without a note"));
    };
    super::extract::known_members(&doc, &["note"], "a publication")?;
    let note = match doc.get("note") {
        _ if !doc.is_object() => return Err(bad("the body is a JSON object: {\"note\": \"…\"}")),
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("note must be a string")),
    };
    let publication = state.store.publish_clusters(note.as_deref(), &ctx).await?;
    Ok(Json(PublicationDoc::from(&publication)))
}

fn bad(detail: &str) -> ApiError {
    ApiError::BadRequest { kind: "invalid-publication", detail: detail.to_owned() }
}
