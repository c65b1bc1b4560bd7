//! The PostGIS backend. Stateless: several server instances on one database behave as one,
//! because every consistency rule (unique codes, versions) is enforced by the database inside
//! a transaction.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clusterplan_core::Cluster;
use clusterplan_core::cql2::LikePattern;
use clusterplan_core::zones::Zone;
use geo_types::Geometry;
use geozero::ToGeo;
use geozero::wkb::Wkb;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions, PgRow};
use sqlx::{Connection, PgPool, Postgres, QueryBuilder, Row};

use crate::backend::{Backend, Column, TextList, sqlx_alike};
use crate::geom::geometry_to_wkb;
use crate::query::Queryable;
use crate::tiles::Tiled;
use crate::warm::Warm;
use crate::{Layer, SqlStore, StoreError, TileBudget, TileId};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgis");

/// How long a pooled connection may sit unused before it is pinged on its next acquire.
const PING_WHEN_IDLE: Duration = Duration::from_millis(500);

/// The PostGIS store.
pub type PostgisStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connects and applies pending migrations (the first creates the `postgis` extension).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        // Set in the startup packet: no round trip of its own. Parallel plans halve the
        // throughput of small spatial queries on few cores; JIT compiling a bbox count made
        // it several times slower than interpreting it (BENCHMARKS.md, issue 21 item 3).
        // Generic plans: every statement is a fixed template whose plan (GiST for the
        // spatial test, the primary key for ids and cursors) does not depend on the values
        // bound; PostgreSQL's default planned the tile statement afresh for every tile (its
        // generic estimate looked worse), which cost more than rendering it.
        let options = options.options([
            ("max_parallel_workers_per_gather", "0"),
            ("jit", "off"),
            ("plan_cache_mode", "force_generic_plan"),
        ]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // sqlx's default pings every connection it hands out: one more round trip per
            // statement. A connection in steady use is known to work; one that sat idle may
            // have been closed by a restart or `pg_terminate_backend`, so only that one is
            // pinged (a failed ping drops it and the pool opens another).
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }

    /// Uses an existing pool (tests), applying migrations.
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        MIGRATOR.run(&pool).await?;
        Ok(SqlStore::on(pool))
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl Backend for Postgres {
    sqlx_alike!(PgConnection, PgRow, bind_postgres, get_postgres);

    const NAME: &'static str = "postgis";
    const ID: &'static str = "id";
    const GEOM: &'static str = "ST_AsBinary(geom) AS geom";
    const TEXT_COLLATION: &'static str = " COLLATE \"C\"";
    const BBOX_EXACT: bool = true;
    const KEY_LOCK: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))");
    const LOCK_ROW: &'static str = "SELECT 1 FROM {table} WHERE id = ? FOR UPDATE";
    const JSON_SLOT: &'static str = "?::jsonb";
    const OVERRIDING: &'static str = " OVERRIDING SYSTEM VALUE";
    const LOCK_TABLE: &'static str = "LOCK TABLE {table} IN EXCLUSIVE MODE";
    const EXTENT: &'static str = "SELECT ST_XMin(e) AS minx, ST_YMin(e) AS miny, ST_XMax(e) AS maxx, ST_YMax(e) AS maxy \
                                  FROM (SELECT ST_Extent(geom)::box2d AS e FROM {table}) x";
    const FOR_SHARE: &'static str = " FOR SHARE";

    const FUNCTIONS: bool = true;

    fn decides(_: Queryable) -> bool {
        true
    }

    fn push_time(qb: &mut QueryBuilder<'static, Self>, at: Option<DateTime<Utc>>) {
        qb.push_bind(at);
    }

    fn push_geom(qb: &mut QueryBuilder<'static, Self>, geometry: Option<&Geometry<f64>>) -> Result<(), StoreError> {
        let wkb = geometry.map(geometry_to_wkb).transpose()?;
        qb.push("ST_GeomFromWKB(").push_bind(wkb).push(", 4326)");
        Ok(())
    }

    fn push_text_list(qb: &mut QueryBuilder<'static, Self>, list: TextList) -> Result<(), StoreError> {
        qb.push_bind(list.0);
        Ok(())
    }

    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern) {
        qb.push(" LIKE ");
        qb.push_bind(pattern.sql_pattern()).push(" ESCAPE '\\'");
    }

    fn push_envelope(qb: &mut QueryBuilder<'static, Self>, _table: &str, [minx, miny, maxx, maxy]: [f64; 4]) {
        qb.push(" AND geom && ST_MakeEnvelope(").push_bind(minx).push(", ").push_bind(miny);
        qb.push(", ").push_bind(maxx).push(", ").push_bind(maxy).push(", 4326)");
    }

    fn push_bbox(qb: &mut QueryBuilder<'static, Self>, _table: &str, [minx, miny, maxx, maxy]: [f64; 4]) {
        qb.push(" AND ST_Intersects(geom, ST_MakeEnvelope(").push_bind(minx).push(", ").push_bind(miny);
        qb.push(", ").push_bind(maxx).push(", ").push_bind(maxy).push(", 4326))");
    }

    fn get_time(row: &PgRow, column: impl Column) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(row.try_get(column)?)
    }

    fn get_geom(row: &PgRow, column: impl Column) -> Result<Option<Geometry<f64>>, StoreError> {
        let blob: Option<&[u8]> = row.try_get(column)?;
        blob.map(|b| Wkb(b).to_geo().map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
    }

    fn get_text_list(row: &PgRow, column: &str) -> Result<Vec<String>, StoreError> {
        Ok(row.try_get(column)?)
    }

    async fn after_write(
        _: &mut PgConnection,
        _: &'static str,
        _: i64,
        _: Option<[f64; 4]>,
        _: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // GiST indexes are kept by PostgreSQL.
        Ok(())
    }

    async fn after_publish(_: &mut PgConnection, _: DateTime<Utc>) -> Result<(), StoreError> {
        Ok(())
    }

    async fn tile(
        warm: &Arc<Warm<Self>>,
        tile: TileId,
        name: &str,
        (kind, layer): (Tiled, Layer),
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        // The table name comes from the enums, never from a request.
        let sql = match kind {
            Tiled::Clusters => crate::tiles::tile_sql::<Cluster>(kind.table(layer)),
            Tiled::Zones => crate::tiles::tile_sql::<Zone>(kind.table(layer)),
        };
        let mut conn = warm.lease().await?;
        let bytes: Vec<u8> = sqlx::query_scalar(&sql)
            .bind(i32::from(tile.z))
            .bind(tile.x as i32)
            .bind(tile.y as i32)
            .bind(name)
            .bind(tile.simplify_tolerance())
            .bind(budget.features as i64)
            .bind(budget.vertices as i64)
            .fetch_one(&mut *conn)
            .await?;
        conn.done();
        Ok((!bytes.is_empty()).then_some(bytes))
    }
}
