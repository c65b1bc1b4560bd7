//! Which layer (draft or published) a read sees — decided here and nowhere else.
//!
//! Accounts see the draft by default and may ask for `?layer=published`; the public sees only
//! the published layer (`?layer=draft` without an account is a 401). Every read path (items,
//! item, count, extent, tiles, `TileJSON`) asks [`layer_for`].

use std::collections::HashMap;

use clusterplan_store::Layer;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::rights::sees_drafts;

/// The layer a read request sees.
pub(crate) fn layer_for(params: &HashMap<String, String>, caller: &Caller) -> Result<Layer, ApiError> {
    let staff = sees_drafts(&caller.principal);
    match params.get("layer").map(String::as_str) {
        None | Some("draft") if staff => Ok(Layer::Draft),
        Some("draft") => Err(ApiError::Unauthorized(
            "drafts are visible to signed-in accounts only; log in, or read layer=published".into(),
        )),
        None | Some("published") => Ok(Layer::Published),
        Some(other) => Err(ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("layer={other:?} is not a layer; use published or draft"),
        }),
    }
}

/// The layer of a read that shows the whole layer at once (vector tiles, `TileJSON`): as
/// [`layer_for`], but an officer, who reads drafts of its own unit only, is refused the draft
/// (403) and pointed to its items or to the published tiles.
pub(crate) async fn whole_layer_for(
    state: &crate::AppState,
    params: &HashMap<String, String>,
    caller: &Caller,
) -> Result<Layer, ApiError> {
    let layer = layer_for(params, caller)?;
    if layer == Layer::Draft
        && let crate::rights::DraftScope::Unit { code, .. } = crate::rights::draft_scope(state, caller).await?
    {
        return Err(ApiError::Forbidden(format!(
            "tiles of the draft show every feature, and officers of unit {code:?} read drafts of their own area only: \
             read them as items (/collections/clusters/items), or ask tiles of layer=published"
        )));
    }
    Ok(layer)
}

/// The entity-tag prefix of a layer (tags of the two layers never collide).
pub(crate) fn tag_prefix(layer: Layer) -> &'static str {
    match layer {
        Layer::Draft => "d",
        Layer::Published => "p",
    }
}
