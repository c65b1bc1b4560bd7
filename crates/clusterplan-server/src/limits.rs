//! What one request may cost the server: rendered vector tiles are kept in a cache bounded in
//! bytes, so an unchanged tile costs no query; renders (tiles, HTML pages) running at once are
//! capped, and a request that finds no free slot within [`RENDER_WAIT`] gets 503 with
//! `Retry-After`, so memory stays bounded under any mix of requests.
//!
//! [`Limits`] is made by [`crate::app`] from the configuration and reaches handlers as a
//! request extension.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clusterplan_store::{Layer, TileId};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::error::ApiError;

/// How long a request waits for a render slot before it is told to come back.
pub(crate) const RENDER_WAIT: Duration = Duration::from_secs(1);
/// `Retry-After` of a 503, in seconds.
pub(crate) const RETRY_AFTER_SECS: u64 = 1;
/// Bytes counted for an entry besides its tile (key, bookkeeping); empty tiles are kept too.
const ENTRY_OVERHEAD: u64 = 128;

/// A rendered tile of one layer at one change stamp: a write changes the stamp, so an entry is
/// never stale, only unused (and evicted as the cache fills).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TileKey {
    /// Which table, which decides who may see it (the handler checks rights before).
    pub(crate) layer: Layer,
    /// The MVT layer name.
    pub(crate) collection: String,
    pub(crate) z: u8,
    pub(crate) x: u32,
    pub(crate) y: u32,
    /// `Store::clusters_stamp` of the layer, read before the tile.
    pub(crate) stamp: i64,
}

impl TileKey {
    pub(crate) fn new(layer: Layer, collection: &str, tile: TileId, stamp: i64) -> Self {
        TileKey { layer, collection: collection.to_owned(), z: tile.z, x: tile.x, y: tile.y, stamp }
    }
}

/// A tile's bytes, `None` for an empty tile.
pub(crate) type Rendered = Option<Bytes>;

#[derive(Clone)]
struct TileBytes;

impl Weighter<TileKey, Rendered> for TileBytes {
    fn weight(&self, _: &TileKey, tile: &Rendered) -> u64 {
        ENTRY_OVERHEAD + tile.as_ref().map_or(0, |b| b.len() as u64)
    }
}

/// The tile cache and the render slots of one service.
pub(crate) struct Limits {
    tiles: Option<Cache<TileKey, Rendered, TileBytes>>,
    renders: Arc<Semaphore>,
}

impl Limits {
    pub(crate) fn new(config: &Config) -> Self {
        // A guess at the number of entries, for the table's first size: tiles of ~16 KB.
        let estimated = usize::try_from(config.tile_cache_bytes / 16_384).unwrap_or(usize::MAX).max(16);
        Limits {
            tiles: (config.tile_cache_bytes > 0)
                .then(|| Cache::with_weighter(estimated, config.tile_cache_bytes, TileBytes)),
            renders: Arc::new(Semaphore::new(config.max_renders.max(1))),
        }
    }

    /// A render slot, held until the permit is dropped; 503 when none frees up in time.
    pub(crate) async fn render_slot(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(RENDER_WAIT, Arc::clone(&self.renders).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a closed one would be as busy as a full one.
            Ok(Err(_)) | Err(_) => Err(ApiError::Busy {
                detail: "the server is rendering as much as it may at once; try again shortly".into(),
                retry_after: RETRY_AFTER_SECS,
            }),
        }
    }

    /// The tile under `key`, from the cache or rendered by `render` in a render slot. Requests
    /// for the same tile while it renders wait for that render instead of starting their own.
    pub(crate) async fn tile<F, Fut>(&self, key: TileKey, render: F) -> Result<Rendered, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<Vec<u8>>, ApiError>>,
    {
        let Some(cache) = &self.tiles else {
            let _slot = self.render_slot().await?;
            return Ok(render().await?.map(Bytes::from));
        };
        match cache.get_value_or_guard_async(&key).await {
            Ok(tile) => Ok(tile),
            Err(guard) => {
                let _slot = self.render_slot().await?;
                let tile = render().await?.map(Bytes::from);
                // Refused only when another render got in first: the same tile either way.
                let _ = guard.insert(tile.clone());
                Ok(tile)
            }
        }
    }

    /// Tiles and bytes in the cache (for tests and logs).
    #[cfg(test)]
    pub(crate) fn cached(&self) -> (usize, u64) {
        self.tiles.as_ref().map_or((0, 0), |c| (c.len(), c.weight()))
    }
}

#[cfg(test)]
mod tests;
