//! The embedded store: one SQLite file laid out as a GeoPackage.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use clusterplan_core::cql2::{LikePattern, LikeToken, PropertyType};
use futures::TryStreamExt;
use geo_types::Geometry;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use crate::backend::{Backend, Column, TextList, expand, sqlx_alike};
use crate::geom::{geometry_to_gpkg as to_gpkg_geometry, gpkg_to_geometry};
use crate::query::Queryable;
use crate::sql_store::planning::{ZONE_COLUMNS, decode_zone};
use crate::sql_store::{CLUSTER_COLUMNS, decode_cluster};
use crate::tiles::{TileFeature, Tiled};
use crate::turn::WriteStats;
use crate::warm::Warm;
use crate::{Layer, SqlStore, StoreError, TileBudget, TileId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Rows a connection's worker thread may read ahead of the task taking them (a bounded
/// channel). At sqlx's 50 a page outran it and the two threads handed over one row per
/// wake-up; 1 024 holds a page of 1 000 and still bounds what one connection holds while a
/// whole layer streams out.
const ROW_BUFFER: usize = 1024;

/// The embedded store: a GeoPackage file.
pub type GpkgStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Opens the file, creating and migrating it when needed.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, Duration::from_secs(10)).await
    }

    /// [`Self::open`], where a connection that finds the file locked by another (process)
    /// waits up to `busy_timeout` before it fails.
    pub(crate) async fn open_with(path: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(busy_timeout)
            .row_buffer_size(ROW_BUFFER);
        // No ping before each acquire: a connection to a local file does not drop like a
        // socket, and the ping is a round trip to the connection's worker thread per statement.
        let pool = SqlitePoolOptions::new().max_connections(8).test_before_acquire(false).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        // Tools that identify a GeoPackage by its header bytes (GDAL) read the main file, not
        // the WAL: move the migrations' header changes (application id) into it.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await?;
        Ok(SqlStore::on(pool))
    }

    /// How this store's writes were committed since it opened: several writes that come
    /// together share one commit (`turn.rs`).
    pub fn write_stats(&self) -> WriteStats {
        self.writers.stats()
    }

    /// The connection pool, for tests that inspect the file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

impl Backend for Sqlite {
    sqlx_alike!(SqliteConnection, SqliteRow, bind_sqlite, get_sqlite);

    const NAME: &'static str = "gpkg";
    const ID: &'static str = "fid";
    const BBOX_EXACT: bool = false;
    const ONE_WRITER: bool = true;
    // An update takes SQLite's write lock at once (a read first would have to upgrade its lock,
    // and fail with SQLITE_BUSY when another writer got in between).
    const LOCK_ROW: &'static str = "UPDATE {table} SET fid = fid WHERE fid = ?";
    // A write statement takes SQLite's write lock for the whole database, even one that
    // matches no row.
    const LOCK_TABLE: &'static str = "DELETE FROM {table} WHERE FALSE";
    const EXTENT: &'static str = "SELECT min(minx) AS minx, min(miny) AS miny, max(maxx) AS maxx, max(maxy) AS maxy \
                                  FROM rtree_{table}_geom";

    const FUNCTIONS: bool = false;

    fn decides(q: Queryable) -> bool {
        matches!(q.property_type(), PropertyType::String | PropertyType::Number | PropertyType::Boolean)
    }

    fn push_time(qb: &mut QueryBuilder<'static, Self>, at: Option<DateTime<Utc>>) {
        qb.push_bind(at.map(timestamp));
    }

    fn push_geom(qb: &mut QueryBuilder<'static, Self>, geometry: Option<&Geometry<f64>>) -> Result<(), StoreError> {
        qb.push_bind(geometry.map(to_gpkg_geometry).transpose()?);
        Ok(())
    }

    fn push_text_list(qb: &mut QueryBuilder<'static, Self>, list: TextList) -> Result<(), StoreError> {
        let json = serde_json::to_string(&list.0).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        qb.push_bind(json);
        Ok(())
    }

    /// SQLite's `LIKE` ignores ASCII case; `GLOB` does not, and reads characters (not bytes),
    /// so `_` becomes `?`, `%` becomes `*`, and a literal `*`, `?` or `[` is bracketed.
    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern) {
        let mut glob = String::new();
        for token in pattern.tokens() {
            match *token {
                LikeToken::AnyMany => glob.push('*'),
                LikeToken::AnyOne => glob.push('?'),
                LikeToken::Char(c @ ('*' | '?' | '[')) => {
                    glob.push('[');
                    glob.push(c);
                    glob.push(']');
                }
                LikeToken::Char(c) => glob.push(c),
            }
        }
        qb.push(" GLOB ").push_bind(glob);
    }

    fn push_envelope(qb: &mut QueryBuilder<'static, Self>, table: &str, [minx, miny, maxx, maxy]: [f64; 4]) {
        qb.push(format_args!(" AND fid IN (SELECT id FROM rtree_{table}_geom WHERE minx <= "));
        qb.push_bind(maxx).push(" AND maxx >= ").push_bind(minx);
        qb.push(" AND miny <= ").push_bind(maxy).push(" AND maxy >= ").push_bind(miny).push(")");
    }

    fn get_time(row: &SqliteRow, column: impl Column) -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<&str>, _>(column)?.map(parse_timestamp).transpose()
    }

    fn get_geom(row: &SqliteRow, column: impl Column) -> Result<Option<Geometry<f64>>, StoreError> {
        let blob: Option<&[u8]> = row.try_get(column)?;
        blob.map(|b| gpkg_to_geometry(b).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
    }

    /// A geometry whose envelope (in the blob's header) lies inside the box meets it without
    /// being decoded; only one that straddles the box's edge is decoded and tested.
    fn geom_meets_bbox(row: &SqliteRow, column: &str, bbox: [f64; 4]) -> Result<bool, StoreError> {
        let [minx, miny, maxx, maxy] = bbox;
        let blob: Option<&[u8]> = row.try_get(column)?;
        if let Some([x0, y0, x1, y1]) = blob.and_then(crate::geom::gpkg_envelope)
            && minx <= x0
            && x1 <= maxx
            && miny <= y0
            && y1 <= maxy
        {
            return Ok(true);
        }
        Ok(Self::get_geom(row, column)?.is_some_and(|g| crate::query::geometry_meets_bbox(&g, bbox)))
    }

    fn get_text_list(row: &SqliteRow, column: &str) -> Result<Vec<String>, StoreError> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))
    }

    async fn after_write(
        conn: &mut SqliteConnection,
        table: &'static str,
        id: i64,
        bbox: Option<[f64; 4]>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(at);
        sqlx::query(&format!("DELETE FROM rtree_{table}_geom WHERE id = ?")).bind(id).execute(&mut *conn).await?;
        let Some([minx, miny, maxx, maxy]) = bbox else {
            sqlx::query("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?")
                .bind(now)
                .bind(table)
                .execute(&mut *conn)
                .await?;
            return Ok(());
        };
        sqlx::query(&format!("INSERT INTO rtree_{table}_geom (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)"))
            .bind(id)
            .bind(minx)
            .bind(maxx)
            .bind(miny)
            .bind(maxy)
            .execute(&mut *conn)
            .await?;
        // The extent only grows here; it is informative in GeoPackage and a shrink would
        // need a scan of the whole index on every delete.
        sqlx::query(
            "UPDATE gpkg_contents SET last_change = ?1, min_x = min(coalesce(min_x, ?2), ?2), \
             min_y = min(coalesce(min_y, ?3), ?3), max_x = max(coalesce(max_x, ?4), ?4), \
             max_y = max(coalesce(max_y, ?5), ?5) WHERE table_name = ?6",
        )
        .bind(now)
        .bind(minx)
        .bind(miny)
        .bind(maxx)
        .bind(maxy)
        .bind(table)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    async fn after_publish(conn: &mut SqliteConnection, at: DateTime<Utc>) -> Result<(), StoreError> {
        for (published, draft) in [("clusters_published", "clusters"), ("zones_published", "zones")] {
            sqlx::query(&format!("DELETE FROM rtree_{published}_geom")).execute(&mut *conn).await?;
            sqlx::query(&format!(
                "INSERT INTO rtree_{published}_geom SELECT id, minx, maxx, miny, maxy FROM rtree_{draft}_geom"
            ))
            .execute(&mut *conn)
            .await?;
            sqlx::query(&format!(
                "UPDATE gpkg_contents SET last_change = ?, (min_x, min_y, max_x, max_y) = \
                 (SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_{published}_geom) \
                 WHERE table_name = '{published}'"
            ))
            .bind(timestamp(at))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn on_rollback(conn: &mut SqliteConnection, flag: Arc<AtomicBool>) -> Result<(), StoreError> {
        conn.lock_handle().await?.set_rollback_hook(move || flag.store(true, Ordering::Release));
        Ok(())
    }

    async fn tile(
        warm: &Arc<Warm<Self>>,
        tile: TileId,
        name: &str,
        (kind, layer): (Tiled, Layer),
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let table = kind.table(layer);
        match kind {
            Tiled::Clusters => render(warm, tile, name, budget, table, CLUSTER_COLUMNS, decode_cluster::<Self>).await,
            Tiled::Zones => render(warm, tile, name, budget, table, ZONE_COLUMNS, decode_zone::<Self>).await,
        }
    }
}

/// One tile of a table: SQLite has no MVT encoder, so the R*Tree selects by envelope
/// (clipping drops what misses the tile), and Rust clips and encodes on a blocking thread. Rows
/// go to it one by one, largest first, through a short channel, and stop when the tile is full:
/// a dense low-zoom tile never holds the whole layer in memory.
async fn render<T: TileFeature>(
    warm: &Arc<Warm<Sqlite>>,
    tile: TileId,
    name: &str,
    budget: TileBudget,
    table: &'static str,
    columns: &str,
    decode: fn(&SqliteRow) -> Result<T, StoreError>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let mut qb = QueryBuilder::new(expand::<Sqlite>(&format!("SELECT {columns} FROM {table} WHERE TRUE")));
    Sqlite::push_envelope(&mut qb, table, tile.lonlat_envelope()?);
    // Largest first: the features a full tile keeps (see `tiles::encode`).
    qb.push(" ORDER BY area_ha DESC, fid");
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<T>(64);
    let name = name.to_owned();
    let encoder = tokio::task::spawn_blocking(move || {
        crate::tiles::encode(tile, &name, budget, std::iter::from_fn(|| receiver.blocking_recv()))
    });
    let mut rows = Sqlite::fetch_stream(Arc::clone(warm), qb);
    while let Some(row) = rows.try_next().await? {
        if sender.send(decode(&row)?).await.is_err() {
            break; // the tile is full
        }
    }
    drop((rows, sender));
    encoder.await.map_err(|e| StoreError::Corrupt(format!("tile encoder failed: {e}")))?
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}
