//! Routes, one module per concern, merged here.

mod api;
mod auth;
mod comments;
mod conditional;
mod docs;
mod extract;
mod filter;
mod health;
mod history;
mod html;
mod items;
mod layer;
mod links;
mod metadata;
mod ogc;
mod params;
mod patch;
mod planning;
mod public_map;
mod publish;
mod queryables;
mod tiles;
mod web;
mod zones;

use axum::Router;

use crate::AppState;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(ogc::router())
        .merge(api::router())
        .merge(items::router())
        .merge(patch::router())
        .merge(queryables::router())
        .merge(zones::router())
        .merge(planning::router())
        .merge(history::router())
        .merge(comments::router())
        .merge(auth::router())
        .merge(tiles::router())
        .merge(metadata::router())
        .merge(publish::router())
        .merge(public_map::router())
        .merge(health::router())
        .merge(web::router(&state.config))
        .with_state(state)
}

/// The methods a path allows, for `OPTIONS` answers (QGIS enables editing from them).
pub(crate) fn allowed_methods(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/collections/")?;
    let mut parts = rest.trim_end_matches('/').split('/');
    let collection = parts.next()?;
    if !(extract::COLLECTIONS.contains(&collection) || collection == "zones") || parts.next()? != "items" {
        return None;
    }
    match (parts.next(), parts.next()) {
        (None, _) => Some("GET, HEAD, POST, OPTIONS"),
        (Some(_), None) => Some("GET, HEAD, PUT, PATCH, DELETE, OPTIONS"),
        _ => None,
    }
}
