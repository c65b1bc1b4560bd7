//! Persistence for clusterplan: one [`Store`] interface with two backends that behave the same.
//!
//! - [`GpkgStore`]: the embedded default, a single SQLite file laid out as a GeoPackage
//!   (readable by GDAL and QGIS), WAL mode, an R*Tree index for bounding-box queries.
//! - [`PostgisStore`]: PostgreSQL with PostGIS, for production and several server instances.
//!
//! Stores persist and index; they never decide whether a geometry or attribute is valid —
//! that is `clusterplan-core`'s job, and stores only accept its validated types. Every write
//! also appends the written state to a version table in the same transaction, so that history
//! survives any crash that the write itself survives.

pub mod accounts;
mod backend;
mod error;
mod geom;
mod gpkg;
pub mod gpkg_export;
pub mod gpkg_read;
pub mod history;
pub mod maintenance;
mod meta;
mod paging;
mod planning;
mod postgis;
mod publish;
pub mod query;
pub mod registry;
mod sql_filter;
mod sql_store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tiles;
mod turn;
mod warm;
pub mod zone_history;

use std::sync::Arc;

use async_trait::async_trait;
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;

pub use accounts::{AccountStore, AuditEntry, NewAudit, NewUser, Role, Session, User};
pub use backend::Backend;
pub use error::StoreError;
pub use gpkg::GpkgStore;
pub use history::{Comment, HistoryStore, NewComment, Version};
pub use maintenance::{Maintenance, PoolUse};
pub use meta::CollectionMeta;
pub use paging::page_in_id_order;
pub use planning::{ClusterWrite, EventRecord, NewEvent, NewTask, PlanningStore, TaskRecord, UnitQuery, ZoneQuery};
pub use postgis::PostgisStore;
pub use publish::{Layer, Publication};
pub use query::{Queryable, Selection, SortKey};
pub use registry::{BudgetRecord, DesignationRecord, InvestorRecord, InvestorVersion, LeaseRecord, RegistryStore};
pub use sql_store::SqlStore;
pub use tiles::{TileBudget, TileId};
pub use turn::WriteStats;
pub use zone_history::{ZoneHistoryStore, ZoneVersion};

/// Where the data lives, resolved from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A GeoPackage file, created on first use.
    Gpkg(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://…`); the database must allow `CREATE EXTENSION postgis`.
    Postgis(String),
}

impl StoreConfig {
    /// `postgres://` or `postgresql://` URLs mean PostGIS; anything else is a file path.
    pub fn from_database_arg(arg: &str) -> Self {
        if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
            StoreConfig::Postgis(arg.to_owned())
        } else {
            StoreConfig::Gpkg(arg.into())
        }
    }
}

/// Who writes and why; kept with every version, and in the audit row written in the same
/// transaction.
#[derive(Debug, Clone, Default)]
pub struct WriteContext {
    /// Account name (`None` for writes by the service itself, such as demo seeding).
    pub author: Option<String>,
    /// Reason or comment given with the write.
    pub reason: Option<String>,
    /// The legal act the change implements (number, date, authority), when there is one.
    pub legal_act: Option<String>,
    /// Set by a revert: the version whose state this write restores.
    pub reverted_from: Option<i64>,
    /// The client's address, for the audit log.
    pub address: Option<String>,
}

/// A page of clusters, optionally filtered by bounding box and by a CQL2 filter, and sorted.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterQuery {
    /// `[min_lon, min_lat, max_lon, max_lat]` in WGS 84; features whose boundary intersects it.
    pub bbox: Option<[f64; 4]>,
    /// Page size.
    pub limit: u32,
    /// Features to skip, in the query's order (0 with a cursor).
    pub offset: u64,
    /// Where a page starts in id order; with a sort there is none (the store refuses it).
    pub cursor: Option<Cursor>,
    /// Which layer to read.
    pub layer: Layer,
    /// A filter and a sort (`None`: every feature, in id order).
    pub selection: Option<Arc<Selection>>,
}

/// Where a page in id order starts: a keyset cursor. The database seeks to it through the
/// primary key, so a page costs the same wherever it is in the layer (an `OFFSET` reads and
/// skips every row before it), and rows written between two pages neither repeat nor skip one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cursor {
    /// The features with an id above this one, the first `limit` of them.
    After(i64),
    /// The features with an id below this one, the last `limit` of them (still served in id
    /// order).
    Before(i64),
}

impl Cursor {
    /// Whether a feature's id lies on the cursor's side.
    #[must_use]
    pub fn admits(self, id: i64) -> bool {
        match self {
            Cursor::After(after) => id > after,
            Cursor::Before(before) => id < before,
        }
    }
}

impl ClusterQuery {
    /// Every feature of a layer, in id order.
    pub const ALL: ClusterQuery =
        ClusterQuery { bbox: None, limit: u32::MAX, offset: 0, cursor: None, layer: Layer::Draft, selection: None };

    /// The filter, when there is one.
    #[must_use]
    pub fn filter(&self) -> Option<&clusterplan_core::cql2::Expr> {
        self.selection.as_deref().and_then(|s| s.filter.as_ref())
    }

    /// The sort keys (empty: id order).
    #[must_use]
    pub fn sort(&self) -> &[SortKey] {
        self.selection.as_deref().map_or(&[], |s| s.sort.as_slice())
    }

    /// The same features without sort or paging: what a count reads.
    #[must_use]
    pub fn for_count(&self) -> ClusterQuery {
        let filter = self.filter().cloned();
        ClusterQuery {
            limit: u32::MAX,
            offset: 0,
            cursor: None,
            selection: Selection { filter, sort: Vec::new() }.shared(),
            ..self.clone()
        }
    }

    /// Whether a stored feature passes the bbox and the filter, decided in Rust.
    #[must_use]
    pub fn admits(&self, cluster: &Cluster) -> bool {
        self.bbox.is_none_or(|b| query::intersects_bbox(&cluster.data.boundary, b))
            && self.filter().is_none_or(|f| query::matches(f, cluster))
    }
}

/// What every backend provides. Results are ordered by id.
#[async_trait]

pub trait Store:
    PlanningStore + RegistryStore + ZoneHistoryStore + AccountStore + HistoryStore + Maintenance + Send + Sync + 'static
{
    /// Inserts a cluster; the store assigns id, version 1 and timestamps.
    async fn create_cluster(&self, draft: &ClusterDraft, ctx: &WriteContext) -> Result<Cluster, StoreError>;

    /// One cluster of the draft by id.
    async fn get_cluster(&self, id: i64) -> Result<Cluster, StoreError> {
        self.get_cluster_in(id, Layer::Draft).await
    }

    /// One cluster of a layer by id.
    async fn get_cluster_in(&self, id: i64, layer: Layer) -> Result<Cluster, StoreError>;

    /// Replaces a cluster's attributes and boundary. With `expected_version`, fails with
    /// [`StoreError::VersionConflict`] when someone else wrote it since.
    async fn update_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError>;

    /// Deletes a cluster (its versions stay in history).
    async fn delete_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<(), StoreError>;

    /// How many clusters match the query's filter (paging ignored).
    async fn count_clusters(&self, query: &ClusterQuery) -> Result<u64, StoreError> {
        self.count_clusters_up_to(query, u64::MAX).await
    }

    /// [`Store::count_clusters`], counting no further than `at_most`: the cost of a count
    /// whose exact value is not wanted beyond a bound stays bounded too.
    async fn count_clusters_up_to(&self, query: &ClusterQuery, at_most: u64) -> Result<u64, StoreError>;

    /// [`Store::clusters_stamp`] of the query's layer and [`Store::count_clusters_up_to`], read
    /// in one statement where the count is decided in SQL: what a page of items asks before
    /// its features, in one round trip instead of two.
    async fn clusters_stamp_and_count(&self, query: &ClusterQuery, at_most: u64) -> Result<(i64, u64), StoreError>;

    /// The clusters of one page, streamed as they are read.
    fn stream_clusters(&self, query: ClusterQuery) -> BoxStream<'static, Result<Cluster, StoreError>>;

    /// Bounding box of all clusters, `None` when there are none.
    async fn cluster_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError>;

    /// A number that changes with every committed write to the clusters (a serial kept by
    /// triggers in the write's transaction): what entity tags of tiles and pages are built from.
    /// For [`Layer::Published`], the number of the last publication (0 before the first).
    async fn clusters_stamp(&self, layer: Layer) -> Result<i64, StoreError>;

    /// One Mapbox Vector Tile of a layer's clusters, its MVT layer called `name`, within
    /// [`TileBudget::DEFAULT`]; `None` when the tile is empty.
    async fn cluster_tile(&self, tile: TileId, name: &str, layer: Layer) -> Result<Option<Vec<u8>>, StoreError> {
        self.cluster_tile_within(tile, name, layer, TileBudget::DEFAULT).await
    }

    /// One Mapbox Vector Tile of a layer's zones, its MVT layer called `name`, within
    /// [`TileBudget::DEFAULT`]; `None` when the tile is empty.
    async fn zone_tile(&self, tile: TileId, name: &str, layer: Layer) -> Result<Option<Vec<u8>>, StoreError> {
        self.zone_tile_within(tile, name, layer, TileBudget::DEFAULT).await
    }

    /// [`Store::zone_tile`] within another budget, as [`Store::cluster_tile_within`].
    async fn zone_tile_within(
        &self,
        tile: TileId,
        name: &str,
        layer: Layer,
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// As [`Store::clusters_stamp`], for the zones: the draft's change serial, or the number of
    /// the last publication (which publishes zones with clusters).
    async fn zones_stamp(&self, layer: Layer) -> Result<i64, StoreError>;

    /// [`Store::cluster_tile`] within another budget: the largest features that fit, in id
    /// order (see [`tiles`]).
    async fn cluster_tile_within(
        &self,
        tile: TileId,
        name: &str,
        layer: Layer,
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Makes the current draft the published state, in one transaction: snapshot, its index,
    /// and a row in `publications` (note, author, time, feature count).
    async fn publish_clusters(&self, note: Option<&str>, ctx: &WriteContext) -> Result<Publication, StoreError>;

    /// The last publication, `None` before the first.
    async fn last_publication(&self) -> Result<Option<Publication>, StoreError>;

    /// The metadata set for a collection (empty when none was set).
    async fn collection_meta(&self, collection: &str) -> Result<CollectionMeta, StoreError>;

    /// Sets a collection's metadata (all fields at once); returns it as stored.
    async fn put_collection_meta(&self, collection: &str, meta: &CollectionMeta) -> Result<CollectionMeta, StoreError>;

    /// Number of versions kept for a cluster (history itself is served later).
    async fn version_count(&self, id: i64) -> Result<u64, StoreError>;

    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Which backend this is (`gpkg` or `postgis`), for logs and `/health`.
    fn backend(&self) -> &'static str;
}

/// Opens (creating and migrating when needed) the store a configuration names.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match config {
        StoreConfig::Gpkg(path) => Arc::new(GpkgStore::open(path).await?),
        StoreConfig::Postgis(url) => Arc::new(PostgisStore::connect(url).await?),
    })
}
