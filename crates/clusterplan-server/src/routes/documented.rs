//! The one way a route module adds a route: [`Documented::documented`], which refuses a path
//! that the `OpenAPI` document (`api.rs`) does not describe. clippy's `disallowed-methods`
//! (`clippy.toml`) forbids `Router::route` everywhere else, so every route the server answers
//! is documented; `tests/it/views.rs` checks the other way round (every documented operation
//! is routed, with exactly the documented methods). Static files (`/app`, `/vendor`) are
//! services, not operations, and are not described.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// Adds documented routes.
pub(crate) trait Documented {
    /// `Router::route`, for a path the `OpenAPI` document describes; panics (when the router is
    /// built, so in every test) for one it does not.
    fn documented(self, path: &str, methods: MethodRouter<AppState>) -> Self;
}

impl Documented for Router<AppState> {
    #[allow(clippy::disallowed_methods)]
    fn documented(self, path: &str, methods: MethodRouter<AppState>) -> Self {
        assert!(
            documented_paths().contains(path),
            "route {path} is not in the OpenAPI document: annotate its handler with #[utoipa::path] and list it in routes/api.rs"
        );
        self.route(path, methods)
    }
}

fn documented_paths() -> &'static BTreeSet<String> {
    static PATHS: OnceLock<BTreeSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        use utoipa::OpenApi;
        super::api::ApiDoc::openapi().paths.paths.into_keys().collect()
    })
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;

    use super::Documented;
    use crate::AppState;

    #[test]
    fn a_documented_path_is_routed() {
        let _router: Router<AppState> = Router::new().documented("/tasks", get(|| async { "" }));
    }

    #[test]
    #[should_panic(expected = "route /undocumented is not in the OpenAPI document")]
    fn an_undocumented_path_is_refused_when_the_router_is_built() {
        let _router: Router<AppState> = Router::new().documented("/undocumented", get(|| async { "" }));
    }
}
