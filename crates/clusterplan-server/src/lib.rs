//! The clusterplan HTTP service: OGC API - Features and GeoJSON over axum, and the planner map.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive it without a socket;
//! [`serve`] opens the store, seeds demo data, binds and runs until a shutdown signal.

pub mod cli;
pub mod config;
pub mod demo;
mod demo_planning;
pub mod error;
mod middleware;
pub mod planning;
mod routes;
pub mod wire;

use std::sync::Arc;

use axum::Router;
use clusterplan_store::Store;

pub use config::Config;

/// What every handler gets: the store and the configuration.
#[derive(Clone)]
pub struct AppState {
    /// The store (embedded or PostGIS).
    pub store: Arc<dyn Store>,
    /// Resolved configuration.
    pub config: Arc<Config>,
}

/// The whole service as a router.
pub fn app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    middleware::wrap(routes::router(state), max_body)
}

/// Opens the store, seeds demo data when asked and the store is empty, and serves until
/// Ctrl-C or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let store = clusterplan_store::open(&config.store).await?;
    if config.seed_demo {
        let added = demo::seed_if_empty(store.as_ref(), config.planning_crs).await?;
        if added > 0 {
            tracing::info!(added, "seeded the Bến Tre demo data (illustrative boundaries)");
        }
    }
    if !config.web_dir.join("node_modules").is_dir() {
        tracing::warn!(web_dir = %config.web_dir.display(), "web/node_modules is missing: run `npm ci --prefix web` for the map");
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // First line on stdout, read by scripts and tests that start on port 0.
    println!("listening on http://{addr}");
    tracing::info!(%addr, backend = store.backend(), "clusterplan serving");
    let state = AppState { store, config: Arc::new(config) };
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
