//! Which layer (draft or published) a read sees — decided here and nowhere else.
//!
//! Today the client chooses with `?layer=published|draft` (default `draft`). When accounts
//! land, anonymous readers must always get [`Layer::Published`]: that rule belongs in
//! [`layer_for`], so every read path (tiles now; items, item, extent and count next) follows it.

use std::collections::HashMap;

use clusterplan_store::Layer;

use crate::error::ApiError;

/// The layer a read request sees.
pub(crate) fn layer_for(params: &HashMap<String, String>) -> Result<Layer, ApiError> {
    match params.get("layer").map(String::as_str) {
        None | Some("draft") => Ok(Layer::Draft),
        Some("published") => Ok(Layer::Published),
        Some(other) => Err(ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("layer={other:?} is not a layer; use published or draft"),
        }),
    }
}

/// The entity-tag prefix of a layer (tags of the two layers never collide).
pub(crate) fn tag_prefix(layer: Layer) -> &'static str {
    match layer {
        Layer::Draft => "d",
        Layer::Published => "p",
    }
}
