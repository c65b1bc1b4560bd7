//! The clusterplan HTTP service: OGC API - Features and GeoJSON over axum, and the planner map.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive it without a socket;
//! [`serve`] opens the store, seeds demo data, binds and runs until a shutdown signal.

pub mod admin;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod config;
pub mod demo;
mod demo_planning;
mod demo_registry;
pub mod error;
mod export;
pub mod import;
mod limits;
pub mod metrics;
mod middleware;
pub mod planning;
pub mod precondition;
pub mod reports;
pub mod rights;
mod routes;
mod serve;
pub mod wire;

use std::io::Write;
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
    // One tile cache and one set of render slots per service, shared by its handlers.
    let limits = Arc::new(limits::Limits::new(&state.config));
    // Before the first request, so that it counts; inside the routes, where the matched route
    // template is known.
    metrics::init();
    let routes = routes::router(state).layer(axum::middleware::from_fn(metrics::track));
    middleware::wrap(routes, max_body, limits)
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
    let admin_password = admin::bootstrap_admin(store.as_ref()).await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // First line on stdout, read by scripts and tests that start on port 0.
    println!("listening on http://{addr}");
    if let Some(password) = admin_password {
        // Printed once, on the line after `listening on`; only its hash is stored. A reader
        // that closed stdout after the first line must not stop the server.
        let mut out = std::io::stdout().lock();
        if writeln!(out, "first run: created account admin with password {password}")
            .and_then(|()| out.flush())
            .is_err()
        {
            tracing::warn!("the first-run admin password could not be printed: stdout is closed");
        }
    }
    tracing::info!(%addr, backend = store.backend(), map = %config.web.describe(), "clusterplan serving");
    let state = AppState { store, config: Arc::new(config) };
    tokio::spawn(metrics::upkeep(std::time::Duration::from_secs(5)));
    // Title-case header names on HTTP/1, TCP_NODELAY, the peer address: see `serve.rs`.
    serve::run(listener, app(state), shutdown_signal()).await;
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
