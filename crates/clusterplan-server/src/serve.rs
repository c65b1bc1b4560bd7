//! The HTTP server loop: hyper's connection builder, configured where `axum::serve` cannot be.
//!
//! HTTP/1 header names go out in title case (`Location`, `ETag`): QGIS 3.40 looks for
//! `Location` after a POST case-sensitively, and reports a successful creation as a failure
//! when it reads hyper's default lower-case `location`. HTTP/2 names stay lower case, as that
//! protocol requires. Every connection gets `TCP_NODELAY` (pages are streamed in small
//! chunks) and the peer address as `ConnectInfo`; a shutdown signal stops accepting and lets
//! open connections finish their requests.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// Serves `app` on `listener` until `shutdown` completes, then waits for the open connections
/// to finish the requests they are answering.
pub(crate) async fn run(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().title_case_headers(true);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(cause = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Pages are streamed feature by feature: without TCP_NODELAY, Nagle's algorithm holds
        // each small chunk back until the client's delayed ACK, some 40 ms per page.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(cause = %e, "TCP_NODELAY not set");
        }
        let service = tower::ServiceBuilder::new()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                // The peer address feeds the audit log and the per-address login limit.
                request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                request
            })
            .service(app.clone());
        let connection =
            builder.serve_connection_with_upgrades(TokioIo::new(tcp), TowerToHyperService::new(service)).into_owned();
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = watched.await {
                tracing::debug!(cause = %e, %peer, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
