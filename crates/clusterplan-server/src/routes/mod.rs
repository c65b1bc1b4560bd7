//! Routes, one module per concern, merged here.

mod annex;
mod api;
mod auth;
mod comments;
mod conditional;
mod docs;
mod documented;
mod export;
mod extract;
mod filter;
mod health;
mod history;
mod html;
pub(crate) mod import;
mod items;
mod layer;
mod links;
mod metadata;
mod ogc;
mod page;
pub(crate) mod params;
mod patch;
mod planning;
mod public_map;
mod publish;
mod queryables;
mod registry;
mod selection;
mod tiles;
mod units;
mod web;
mod zones;

use axum::Router;

use crate::AppState;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        // Answers that depend on who asks (the layer read, an officer's scope) vary on the
        // credentials.
        .merge(ogc::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(api::router())
        .merge(items::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(patch::router())
        .merge(import::router())
        .merge(queryables::router())
        .merge(zones::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(planning::router())
        .merge(units::router())
        .merge(registry::router())
        .merge(history::router())
        .merge(annex::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(export::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(comments::router())
        .merge(auth::router())
        .merge(tiles::router().layer(axum::middleware::map_response(conditional::vary_on_caller)))
        .merge(metadata::router())
        .merge(publish::router())
        .merge(public_map::router())
        .merge(health::router())
        .merge(web::router(&state.config))
        .with_state(state)
}

/// The methods a path allows, for `OPTIONS` answers (QGIS enables editing from them): `None`
/// for a path that is no items path, a 404 for the items of a collection not served. Any item
/// id gets the item's methods: QGIS probes `/items/unknown_id` to learn whether it may edit.
pub(crate) fn allowed_methods(path: &str) -> Option<Result<&'static str, crate::error::ApiError>> {
    let rest = path.strip_prefix("/collections/")?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let collection = parts.next()?;
    if parts.next()? != "items" {
        return None;
    }
    let (id, more) = (parts.next(), parts.next());
    if more.is_some() {
        return None;
    }
    if !(extract::COLLECTIONS.contains(&collection) || matches!(collection, "zones" | "units")) {
        return Some(Err(crate::error::ApiError::NotFound(format!("collection {collection:?} does not exist"))));
    }
    Some(Ok(match (id, collection) {
        // Units are read-only.
        (_, "units") => "GET, HEAD, OPTIONS",
        (None, _) => "GET, HEAD, POST, OPTIONS",
        // Zones have no PATCH route.
        (Some(_), "zones") => "GET, HEAD, PUT, DELETE, OPTIONS",
        (Some(_), _) => "GET, HEAD, PUT, PATCH, DELETE, OPTIONS",
    }))
}
