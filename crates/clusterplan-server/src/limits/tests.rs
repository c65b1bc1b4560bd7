use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use clusterplan_store::StoreConfig;

use super::*;

fn limits(cache_bytes: u64, renders: usize) -> Limits {
    let mut config = Config::for_tests(StoreConfig::Gpkg("unused.gpkg".into()));
    config.tile_cache_bytes = cache_bytes;
    config.max_renders = renders;
    Limits::new(&config)
}

fn key(x: u32, stamp: i64) -> TileKey {
    TileKey::new(Layer::Published, "clusters", TileId::new(10, x, 0).expect("tile"), stamp)
}

/// A render that counts its calls and answers `size` bytes.
fn counted(calls: &AtomicUsize, size: usize) -> std::future::Ready<Result<Option<Vec<u8>>, ApiError>> {
    calls.fetch_add(1, Ordering::SeqCst);
    std::future::ready(Ok(Some(vec![7; size])))
}

#[tokio::test]
async fn a_tile_is_rendered_once_per_change_stamp() {
    let limits = limits(1 << 20, 4);
    let calls = AtomicUsize::new(0);
    for _ in 0..3 {
        let tile = limits.tile(key(1, 5), || counted(&calls, 100)).await.expect("tile");
        assert_eq!(tile.map(|b| b.len()), Some(100));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "served from the cache after the first");
    // A write changes the stamp: the next request renders again.
    limits.tile(key(1, 6), || counted(&calls, 100)).await.expect("tile");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // Empty tiles are kept too.
    let empty = AtomicUsize::new(0);
    for _ in 0..2 {
        let none = limits
            .tile(key(2, 5), || async {
                empty.fetch_add(1, Ordering::SeqCst);
                Ok(None)
            })
            .await;
        assert!(none.expect("tile").is_none());
    }
    assert_eq!(empty.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_cache_stays_within_its_bytes() {
    let limits = limits(100_000, 4);
    let calls = AtomicUsize::new(0);
    for x in 0..100 {
        limits.tile(key(x, 1), || counted(&calls, 10_000)).await.expect("tile");
    }
    let (entries, bytes) = limits.cached();
    assert!(bytes <= 100_000, "{entries} tiles, {bytes} bytes");
    assert!(entries >= 1, "some tiles are kept");
}

#[tokio::test]
async fn without_a_cache_every_request_renders() {
    let limits = limits(0, 4);
    let calls = AtomicUsize::new(0);
    for _ in 0..2 {
        limits.tile(key(1, 1), || counted(&calls, 10)).await.expect("tile");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn requests_for_a_tile_being_rendered_wait_for_that_render() {
    let limits = Arc::new(limits(1 << 20, 4));
    let calls = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (limits, calls) = (limits.clone(), calls.clone());
        tasks.push(tokio::spawn(async move {
            limits
                .tile(key(3, 1), || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok(Some(vec![1; 10]))
                })
                .await
                .expect("tile")
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task").map(|b| b.len()), Some(10));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn beyond_the_render_cap_a_request_gets_503_with_retry_after() {
    let limits = limits(1 << 20, 1);
    let held = limits.render_slot().await.expect("the one slot");
    let calls = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let refused = limits.tile(key(4, 1), || counted(&calls, 10)).await.expect_err("no slot");
    assert!(started.elapsed() >= RENDER_WAIT, "it waited for a slot first");
    assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing rendered");
    let response = refused.into_response();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()[header::RETRY_AFTER], RETRY_AFTER_SECS.to_string().as_str());
    assert_eq!(response.headers()[header::CONTENT_TYPE], crate::error::PROBLEM_JSON);
    // A freed slot serves the next request.
    drop(held);
    assert!(limits.tile(key(4, 1), || counted(&calls, 10)).await.expect("tile").is_some());
}
