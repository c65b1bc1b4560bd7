//! Comments on a feature: `POST` and `GET …/items/{id}/comments`, and one comment by id.
//! Comments are internal (accounts only) and append-only: there is no route, and no store
//! method, to edit or delete one. Rights are decided in `rights.rs` (`Action::Comment`).

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterplan_store::{Comment, NewComment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use super::extract::{Collection, FeatureId, JsonBody};
use super::links::{BaseUrl, location};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::{Action, Target, authorize};

/// Longest comment, in characters after trimming.
const MAX_CHARS: usize = 4000;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/{collection}/items/{id}/comments", get(list).post(add))
        .documented("/collections/{collection}/items/{id}/comments/{comment}", get(one))
}

/// A comment on a version of a feature.
#[derive(Serialize, ToSchema)]
pub(crate) struct CommentDoc {
    id: i64,
    feature_id: i64,
    /// The version commented on.
    version: i64,
    author: String,
    text: String,
    /// RFC 3339.
    created_at: String,
}

impl From<&Comment> for CommentDoc {
    fn from(c: &Comment) -> Self {
        CommentDoc {
            id: c.id,
            feature_id: c.cluster_id,
            version: c.version,
            author: c.author.clone(),
            text: c.text.clone(),
            created_at: c.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        }
    }
}

/// The comments on a feature, oldest first.
#[derive(Serialize, ToSchema)]
pub(crate) struct CommentList {
    feature_id: i64,
    comments: Vec<CommentDoc>,
}

/// A new comment: 1 to 4000 characters on a version (the current one by default).
#[derive(Deserialize, ToSchema)]
pub(crate) struct CommentBody {
    /// Trimmed, 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000, pattern = "\\S")]
    text: String,
    #[serde(default)]
    version: Option<i64>,
}

/// The comment's text, trimmed: 1 to [`MAX_CHARS`] characters.
fn comment_text(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars == 0 {
        return Err(ApiError::Unprocessable("text is empty: a comment needs 1 to 4000 characters".into()));
    }
    if chars > MAX_CHARS {
        return Err(ApiError::Unprocessable(format!("text has {chars} characters: a comment has at most {MAX_CHARS}")));
    }
    Ok(text.to_owned())
}

/// `POST …/items/{id}/comments` with `{"text": "…", "version": n}` (the version defaults to
/// the current one): 201 with the comment. A deleted feature takes no new comments (409,
/// `feature-deleted`); its comments stay readable.
#[utoipa::path(
    post,
    path = "/collections/{collection}/items/{id}/comments",
    operation_id = "addComment",
    tag = "History",
    params(docs::ItemPath, docs::WriteHeaders),
    request_body(content = CommentBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The comment", headers(("Location" = String)), body = CommentDoc),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 403, response = docs::Problem),
        (status = 404, response = docs::Problem),
        (status = 409, response = docs::Problem),
        (status = 422, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub(crate) async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
    BaseUrl(base): BaseUrl,
    body: Result<JsonBody, ApiError>,
) -> Result<Response, ApiError> {
    let path = format!("{collection}/{id}");
    authorize(&state, &caller, Action::Comment, Target::Feature { path: &path, old: None, new: None }).await?;
    let CommentBody { text, version } =
        body?.read("body must be {\"text\": \"…\", \"version\": n} (version optional)")?;
    let new = NewComment {
        cluster_id: id,
        version,
        author: caller.principal.name().unwrap_or_default().to_owned(),
        text: comment_text(&text)?,
        address: caller.address.clone(),
    };
    let comment = state.store.add_comment(&new).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location(&format!("{base}/collections/{collection}/items/{id}/comments/{}", comment.id))?)],
        Json(CommentDoc::from(&comment)),
    )
        .into_response())
}

/// `GET …/items/{id}/comments`: every comment, oldest first, also of a deleted feature.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/comments",
    operation_id = "listComments",
    tag = "History",
    params(docs::ItemPath),
    responses(
        (status = 200, description = "The comments, oldest first", body = CommentList),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
) -> Result<Json<CommentList>, ApiError> {
    let path = format!("{collection}/{id}");
    authorize(&state, &caller, Action::ReadComments, Target::Feature { path: &path, old: None, new: None }).await?;
    let comments = state.store.comments(id).await?;
    Ok(Json(CommentList { feature_id: id, comments: comments.iter().map(CommentDoc::from).collect() }))
}

/// `GET …/items/{id}/comments/{comment}`: one comment (where `Location` points).
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/comments/{comment}",
    operation_id = "getComment",
    tag = "History",
    params(docs::ItemPath, ("comment" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "One comment", body = CommentDoc),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security(("bearer" = []), ("session" = [])),
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Collection(collection): Collection,
    FeatureId(id): FeatureId,
    Path((_, _, comment)): Path<(String, String, String)>,
) -> Result<Json<CommentDoc>, ApiError> {
    let path = format!("{collection}/{id}");
    authorize(&state, &caller, Action::ReadComments, Target::Feature { path: &path, old: None, new: None }).await?;
    let missing = || ApiError::NotFound(format!("feature {id} has no comment {comment:?}"));
    let wanted = comment.parse::<i64>().map_err(|_| missing())?;
    let comments = state.store.comments(id).await?;
    let found = comments.iter().find(|c| c.id == wanted).ok_or_else(missing)?;
    Ok(Json(CommentDoc::from(found)))
}
