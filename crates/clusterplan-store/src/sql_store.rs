//! The one store: every operation written once over a [`Backend`]. This module holds the
//! clusters (rows, versions, pages, tiles, publication, collection metadata); planning, history
//! and accounts live in sibling modules over the same type.

mod accounts;
pub(crate) mod planning;
mod registry;
pub(crate) mod versions;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::search::fold;
use clusterplan_core::{AreaReport, Boundary, Cluster, ClusterAttrs, ClusterDraft, ClusterInput, Crs};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::{Database, Pool, QueryBuilder};

use crate::backend::{At, Backend, RowExt, Sql, TextList, expand};
use crate::planning::PlanningStore;
use crate::sql_filter;
use crate::tiles::Tiled;
use crate::turn::{Tx, Writers};
use crate::warm::Warm;
use crate::{
    ClusterQuery, CollectionMeta, Cursor, Layer, NewAudit, Publication, Store, StoreError, TileBudget, TileId,
    WriteContext,
};
use planning::ZONE_ATTR_COLUMNS;

/// A store on one SQL database: [`crate::GpkgStore`] (SQLite) or [`crate::PostgisStore`].
pub struct SqlStore<B: Database> {
    pub(crate) pool: Pool<B>,
    /// Connections kept between reads without sqlx's ping on release (`warm.rs`).
    pub(crate) warm: Arc<Warm<B>>,
    /// This process's writers: on SQLite, one at a time, their commits shared (`turn.rs`).
    pub(crate) writers: Writers<B>,
}

impl<B: Database> Clone for SqlStore<B> {
    fn clone(&self) -> Self {
        SqlStore { pool: self.pool.clone(), warm: Arc::clone(&self.warm), writers: self.writers.clone() }
    }
}

impl<B: Database> SqlStore<B> {
    /// A store on `pool` (migrated).
    pub(crate) fn on(pool: Pool<B>) -> Self {
        SqlStore { warm: Warm::new(pool.clone()), pool, writers: Writers::default() }
    }

    /// Closes the pool: the kept connections first, then the pool once every connection is
    /// back (as [`sqlx::Pool::close`]).
    pub async fn close(&self) {
        self.warm.release();
        self.pool.close().await;
    }
}

/// The columns a cluster is read from, in both layers and in `RETURNING` clauses.
pub(crate) const CLUSTER_COLUMNS: &str = "{id} AS id, {geom}, version, created_at, updated_at, code, name, kind, status, \
     planned_area_ha, area_ha, geodesic_area_ha, planning_crs, notes, craft_village, mountainous, roads_completed, \
     water_completed, wastewater_completed, wwtp_capacity_m3_day";

/// The attribute columns a cluster write sets, on the row and on its version, in the order
/// [`bind_attrs`] binds them.
const ATTR_COLUMNS: [&str; 15] = [
    "code",
    "name",
    "kind",
    "status",
    "planned_area_ha",
    "area_ha",
    "geodesic_area_ha",
    "planning_crs",
    "notes",
    "craft_village",
    "mountainous",
    "roads_completed",
    "water_completed",
    "wastewater_completed",
    "wwtp_capacity_m3_day",
];

/// Binds a draft's attribute columns in the order of [`ATTR_COLUMNS`].
fn bind_attrs<B: Backend>(sql: Sql<B>, draft: &ClusterDraft) -> Sql<B> {
    let a = &draft.attrs;
    let f = a.flags();
    sql.bind(a.code().to_owned())
        .bind(a.name().to_owned())
        .bind(a.kind().code())
        .bind(a.status().code())
        .bind(a.planned_area_ha())
        .bind(draft.area.projected_ha)
        .bind(draft.area.geodesic_ha)
        .bind(a.planning_crs().to_string())
        .bind(a.notes().map(str::to_owned))
        .bind(f.craft_village)
        .bind(f.mountainous)
        .bind(f.roads_completed)
        .bind(f.water_completed)
        .bind(f.wastewater_completed)
        .bind(a.wwtp_capacity_m3_day())
}

/// `a, b, c`: a column list.
pub(crate) fn columns(names: &[&str]) -> String {
    names.join(", ")
}

/// `?, ?, ?`: one slot per column.
pub(crate) fn slots(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `a = ?, b = ?`: an update's assignments.
pub(crate) fn assignments(names: &[&str]) -> String {
    names.iter().map(|c| format!("{c} = ?")).collect::<Vec<_>>().join(", ")
}

/// The columns of [`CLUSTER_COLUMNS`] at their positions, as [`decode_cluster`] reads them.
pub(crate) mod cluster_col {
    crate::backend::positions! {
        ID = "id",
        GEOM = "geom",
        VERSION = "version",
        CREATED_AT = "created_at",
        UPDATED_AT = "updated_at",
        CODE = "code",
        NAME = "name",
        KIND = "kind",
        STATUS = "status",
        PLANNED_AREA_HA = "planned_area_ha",
        AREA_HA = "area_ha",
        GEODESIC_AREA_HA = "geodesic_area_ha",
        PLANNING_CRS = "planning_crs",
        NOTES = "notes",
        CRAFT_VILLAGE = "craft_village",
        MOUNTAINOUS = "mountainous",
        ROADS_COMPLETED = "roads_completed",
        WATER_COMPLETED = "water_completed",
        WASTEWATER_COMPLETED = "wastewater_completed",
        WWTP_CAPACITY_M3_DAY = "wwtp_capacity_m3_day",
    }
}

/// Decodes a row selected by [`CLUSTER_COLUMNS`]: the attributes go through the core's parser
/// again, so a row edited outside the API cannot pass for valid.
pub(crate) fn decode_cluster<B: Backend>(row: &B::Row) -> Result<Cluster, StoreError> {
    use cluster_col as c;
    let id: i64 = row.get(c::ID)?;
    let corrupt = |what: String| StoreError::Corrupt(format!("cluster {id}: {what}"));
    let planning_crs: String = row.get(c::PLANNING_CRS)?;
    let crs = Crs::parse(&planning_crs).map_err(|e| corrupt(e.to_string()))?;
    let input = ClusterInput {
        code: row.get(c::CODE)?,
        name: row.get(c::NAME)?,
        kind: row.get(c::KIND)?,
        status: row.get(c::STATUS)?,
        planned_area_ha: row.get(c::PLANNED_AREA_HA)?,
        notes: row.get(c::NOTES)?,
        planning_crs: Some(planning_crs),
        craft_village: row.get(c::CRAFT_VILLAGE)?,
        mountainous: row.get(c::MOUNTAINOUS)?,
        roads_completed: row.get(c::ROADS_COMPLETED)?,
        water_completed: row.get(c::WATER_COMPLETED)?,
        wastewater_completed: row.get(c::WASTEWATER_COMPLETED)?,
        wwtp_capacity_m3_day: row.get(c::WWTP_CAPACITY_M3_DAY)?,
    };
    let attrs = ClusterAttrs::parse(input, crs).map_err(|p| corrupt(format!("{p:?}")))?;
    let area = AreaReport { projected_ha: row.get(c::AREA_HA)?, geodesic_ha: row.get(c::GEODESIC_AREA_HA)?, crs };
    Ok(Cluster {
        id,
        version: row.get(c::VERSION)?,
        created_at: RowExt::<B>::time(row, c::CREATED_AT)?,
        updated_at: RowExt::<B>::time(row, c::UPDATED_AT)?,
        data: ClusterDraft { attrs, boundary: boundary::<B>(row, c::GEOM)?, area },
    })
}

/// The `geom` column (at `column`) as a boundary.
pub(crate) fn boundary<B: Backend>(row: &B::Row, column: At) -> Result<Boundary, StoreError> {
    let geometry = RowExt::<B>::geom(row, column)?.ok_or_else(|| StoreError::Corrupt("no geometry".into()))?;
    crate::geom::into_boundary(geometry)
}

/// Appends an audit row, inside a write's transaction or on its own connection.
pub(crate) async fn insert_audit<B: Backend>(conn: &mut B::Connection, audit: &NewAudit) -> Result<(), StoreError> {
    Sql::<B>::new("INSERT INTO audit_log (at, actor, action, target, address, outcome, detail) VALUES (?,?,?,?,?,?,?)")
        .time(Utc::now())
        .bind(audit.actor.clone())
        .bind(audit.action.clone())
        .bind(audit.target.clone())
        .bind(audit.address.clone())
        .bind(audit.outcome.clone())
        .bind(audit.detail.clone())
        .execute(conn)
        .await?;
    Ok(())
}

/// Why a write to `table` (`clusters` or `zones`) matched no row: another version is current,
/// or there is no such feature.
pub(crate) async fn explain_miss<B: Backend>(
    conn: &mut B::Connection,
    table: &'static str,
    id: i64,
    expected: Option<i64>,
) -> StoreError {
    let current =
        Sql::<B>::new(&format!("SELECT version FROM {table} WHERE {{id}} = ?")).bind(id).fetch_optional(conn).await;
    match current.and_then(|row| row.map(|r| B::get::<i64>(&r, "version")).transpose()) {
        Ok(Some(current)) => StoreError::VersionConflict { id, expected: expected.unwrap_or(current), current },
        Ok(None) => StoreError::NotFound(id),
        Err(e) => e,
    }
}

/// Locks one feature row for the rest of the transaction; `false` when there is none.
pub(crate) async fn lock_row<B: Backend>(conn: &mut B::Connection, table: &str, id: i64) -> Result<bool, StoreError> {
    let n = Sql::<B>::new(&B::LOCK_ROW.replace("{table}", table)).bind(id).execute(conn).await?;
    Ok(n > 0)
}

/// Takes a table for the rest of the transaction: writers wait, readers go on.
pub(crate) async fn lock_table<B: Backend>(conn: &mut B::Connection, table: &str) -> Result<(), StoreError> {
    Sql::<B>::new(&B::LOCK_TABLE.replace("{table}", table)).execute(conn).await?;
    Ok(())
}

impl<B: Backend> SqlStore<B> {
    /// A write transaction: PostgreSQL's own; on SQLite, in this writer's turn and committed
    /// with the writes around it (`turn.rs`).
    pub(crate) async fn begin(&self) -> Result<Tx<B>, StoreError> {
        if B::ONE_WRITER {
            self.writers.begin_batched(&self.warm).await
        } else {
            Ok(Tx::pooled(self.pool.begin().await?))
        }
    }

    /// A write transaction that reads before it writes, serialised from its start with every
    /// other one begun on the same `key` (PostgreSQL: [`Backend::KEY_LOCK`]); on SQLite, where
    /// one writer runs at a time, [`SqlStore::begin`].
    pub(crate) async fn begin_locked(&self, key: String) -> Result<Tx<B>, StoreError> {
        if B::ONE_WRITER {
            return self.begin().await;
        }
        let mut tx = self.pool.begin().await?;
        if let Some(lock) = B::KEY_LOCK {
            Sql::<B>::new(lock).bind(key).execute(&mut tx).await?;
        }
        Ok(Tx::pooled(tx))
    }

    /// The change stamp of a collection's layer: its draft's serial, or the number of the last
    /// publication (clusters and zones are published together).
    async fn stamp(&self, collection: &'static str, layer: Layer) -> Result<i64, StoreError> {
        let mut conn = self.warm.lease().await?;
        let stamp = Sql::<B>::new(&format!("SELECT {} AS n", stamp_expression(collection, layer)))
            .scalar(&mut conn, "n")
            .await?;
        conn.done();
        Ok(stamp)
    }

    /// Inserts a cluster inside a transaction (row, index, first version); returns it as written.
    pub(crate) async fn insert_in_tx(
        conn: &mut B::Connection,
        draft: &ClusterDraft,
        ctx: &WriteContext,
        now: DateTime<Utc>,
    ) -> Result<Cluster, StoreError> {
        let code = draft.attrs.code();
        let sql = Sql::<B>::new(&format!(
            "INSERT INTO clusters ({}, geom, name_folded, version, created_at, updated_at, updated_by) \
             VALUES ({}, ?, ?, 1, ?, ?, ?) RETURNING {CLUSTER_COLUMNS}",
            columns(&ATTR_COLUMNS),
            slots(ATTR_COLUMNS.len())
        ));
        let row = bind_attrs(sql, draft)
            .geom(Some(&crate::geom::geometry(&draft.boundary)))?
            .bind(fold(draft.attrs.name()))
            .time(now)
            .time(now)
            .bind(ctx.author.clone())
            .fetch_one(conn)
            .await
            .map_err(|e| e.duplicate_code(code))?;
        let cluster = decode_cluster::<B>(&row)?;
        B::after_write(conn, "clusters", cluster.id, Some(draft.boundary.bbox()), now).await?;
        versions::record_version::<B, Cluster>(conn, cluster.id, 1, "create", draft, ctx, now).await?;
        Ok(cluster)
    }

    /// Replaces a cluster inside a transaction (row, index, version); returns it as written.
    pub(crate) async fn update_in_tx(
        conn: &mut B::Connection,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
        now: DateTime<Utc>,
    ) -> Result<Cluster, StoreError> {
        let sql = Sql::<B>::new(&format!(
            "UPDATE clusters SET {}, geom = ?, name_folded = ?, version = version + 1, updated_at = ?, updated_by = ? \
             WHERE {{id}} = ? AND (? IS NULL OR version = ?) RETURNING {CLUSTER_COLUMNS}",
            assignments(&ATTR_COLUMNS)
        ));
        let row = bind_attrs(sql, draft)
            .geom(Some(&crate::geom::geometry(&draft.boundary)))?
            .bind(fold(draft.attrs.name()))
            .time(now)
            .bind(ctx.author.clone())
            .bind(id)
            .bind(expected_version)
            .bind(expected_version)
            .fetch_optional(conn)
            .await
            .map_err(|e| e.duplicate_code(draft.attrs.code()))?;
        let Some(row) = row else {
            return Err(explain_miss::<B>(conn, "clusters", id, expected_version).await);
        };
        let cluster = decode_cluster::<B>(&row)?;
        B::after_write(conn, "clusters", id, Some(draft.boundary.bbox()), now).await?;
        versions::record_version::<B, Cluster>(conn, id, cluster.version, "update", draft, ctx, now).await?;
        Ok(cluster)
    }

    /// Reads one cluster of the draft inside a transaction.
    pub(crate) async fn cluster_in_tx(conn: &mut B::Connection, id: i64) -> Result<Option<Cluster>, StoreError> {
        let row = Sql::<B>::new(&format!("SELECT {CLUSTER_COLUMNS} FROM clusters WHERE {{id}} = ?"))
            .bind(id)
            .fetch_optional(conn)
            .await?;
        row.as_ref().map(decode_cluster::<B>).transpose()
    }

    /// Whether the database alone decides what a query selects (PostGIS always; GeoPackage
    /// without a bbox and with a filter it decides wholly, see [`sql_filter::decided_in_sql`]).
    fn exact_in_sql(query: &ClusterQuery) -> bool {
        (B::BBOX_EXACT || query.bbox.is_none()) && query.filter().is_none_or(sql_filter::decided_in_sql::<B>)
    }

    /// ` WHERE …` for a query's bbox and filter, every value bound; what it lets through is
    /// exact when [`Self::exact_in_sql`], else a superset tested again by
    /// [`ClusterQuery::admits`].
    fn push_where(qb: &mut QueryBuilder<'static, B>, query: &ClusterQuery) -> Result<(), StoreError> {
        let table = query.layer.table();
        qb.push(" WHERE TRUE");
        if let Some(bbox) = query.bbox {
            B::push_bbox(qb, table, bbox);
        }
        match query.filter() {
            Some(filter) if sql_filter::decided_in_sql::<B>(filter) => {
                qb.push(" AND ");
                sql_filter::push_filter(qb, filter)?;
            }
            Some(filter) => sql_filter::push_prefilter(qb, filter, table)?,
            None => {}
        }
        Ok(())
    }

    /// The clusters a query selects, in its order, paged when `page`. Where the database
    /// decides exactly, filtering and paging are done in SQL; otherwise SQL narrows the
    /// candidates (a cursor included), and the exact test and paging run here.
    fn select(&self, query: ClusterQuery, page: bool) -> BoxStream<'static, Result<Cluster, StoreError>> {
        let exact = Self::exact_in_sql(&query);
        let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {CLUSTER_COLUMNS} FROM {}", query.layer.table())));
        let cursor = query.cursor.filter(|_| page);
        if cursor.is_some() && !query.sort().is_empty() {
            let refused = StoreError::Invalid("a cursor pages in id order; a sorted read pages by offset".into());
            return futures::stream::once(async { Err(refused) }).boxed();
        }
        if let Err(e) = Self::push_where(&mut qb, &query) {
            return futures::stream::once(async { Err(e) }).boxed();
        }
        push_cursor::<B>(&mut qb, cursor);
        if matches!(cursor, Some(Cursor::Before(_))) {
            qb.push(format_args!(" ORDER BY {} DESC", B::ID));
        } else {
            sql_filter::push_order(&mut qb, query.sort(), B::ID);
        }
        let paging = page.then_some(Paging { limit: query.limit, offset: query.offset, cursor });
        select_page(self.warm.clone(), qb, exact, paging, decode_cluster::<B>, move |c| query.admits(c))
    }
}

/// ` AND id > ?` (or `<`) of a keyset cursor, after a ` WHERE …`: the database seeks to the
/// page through the primary key, even where the rest of the test is decided in Rust.
pub(crate) fn push_cursor<B: Backend>(qb: &mut QueryBuilder<'static, B>, cursor: Option<Cursor>) {
    let (op, id) = match cursor {
        Some(Cursor::After(id)) => (">", id),
        Some(Cursor::Before(id)) => ("<", id),
        None => return,
    };
    qb.push(format_args!(" AND {} {op} ", B::ID));
    B::bind(qb, id);
}

/// Which page of an ordered `SELECT` to read: `limit` rows after `offset`, or from a cursor
/// (then the `SELECT` reads away from the cursor: descending before it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) limit: u32,
    pub(crate) offset: u64,
    pub(crate) cursor: Option<Cursor>,
}

/// Streams the features a built `SELECT … ORDER BY …` reads, paged by `paging`: in SQL when
/// the database decided exactly (`exact`), else after `admits` has tested each candidate here.
/// A page before a cursor is read backwards and served in id order (gathered first: at most
/// `limit` features).
pub(crate) fn select_page<B: Backend, T: Send + 'static>(
    warm: Arc<Warm<B>>,
    mut qb: QueryBuilder<'static, B>,
    exact: bool,
    paging: Option<Paging>,
    decode: fn(&B::Row) -> Result<T, StoreError>,
    admits: impl Fn(&T) -> bool + Send + 'static,
) -> BoxStream<'static, Result<T, StoreError>> {
    let offset = |o: u64| usize::try_from(o).unwrap_or(usize::MAX);
    if let Some(Paging { limit, offset: skip, .. }) = paging.filter(|_| exact) {
        qb.push(" LIMIT ");
        B::bind(&mut qb, i64::from(limit));
        if skip > 0 {
            qb.push(" OFFSET ");
            B::bind(&mut qb, i64::try_from(skip).unwrap_or(i64::MAX));
        }
    }
    let features = B::fetch_stream(warm, qb)
        .map(move |row| decode(&row?))
        .try_filter(move |feature| std::future::ready(exact || admits(feature)));
    let page = match paging {
        Some(Paging { limit, offset: skip, .. }) if !exact => features.skip(offset(skip)).take(limit as usize).boxed(),
        _ => features.boxed(),
    };
    if !matches!(paging.and_then(|p| p.cursor), Some(Cursor::Before(_))) {
        return page;
    }
    futures::stream::once(async move {
        let mut backwards: Vec<T> = page.try_collect().await?;
        backwards.reverse();
        Ok::<_, StoreError>(futures::stream::iter(backwards.into_iter().map(Ok)))
    })
    .try_flatten()
    .boxed()
}

/// `SELECT count(*) AS n FROM (SELECT 1 FROM {table} WHERE …` built by `push_where`, closed
/// here with `LIMIT at_most) t` unless unbounded: a bounded count stops reading at the bound.
pub(crate) fn bounded_count<B: Backend>(
    table: &str,
    at_most: u64,
    push_where: impl FnOnce(&mut QueryBuilder<'static, B>) -> Result<(), StoreError>,
) -> Result<QueryBuilder<'static, B>, StoreError> {
    bounded_count_of("count(*) AS n", table, at_most, push_where)
}

/// [`bounded_count`] selecting `select` (which holds `count(*) AS n`) from the bounded rows.
fn bounded_count_of<B: Backend>(
    select: &str,
    table: &str,
    at_most: u64,
    push_where: impl FnOnce(&mut QueryBuilder<'static, B>) -> Result<(), StoreError>,
) -> Result<QueryBuilder<'static, B>, StoreError> {
    let mut qb = QueryBuilder::new(format!("SELECT {select} FROM (SELECT 1 FROM {table}"));
    push_where(&mut qb)?;
    if let Ok(bound) = i64::try_from(at_most) {
        qb.push(" LIMIT ");
        B::bind(&mut qb, bound);
    }
    qb.push(") t");
    Ok(qb)
}

/// The change stamp of a collection's layer as a scalar subquery (see `SqlStore::stamp`); the
/// collection is a name from the code, never from a request.
fn stamp_expression(collection: &'static str, layer: Layer) -> String {
    match layer {
        Layer::Draft => format!("(SELECT serial FROM collection_changes WHERE collection = '{collection}')"),
        Layer::Published => "(SELECT coalesce(max(seq), 0) FROM publications WHERE collection = 'clusters')".to_owned(),
    }
}

/// Runs a built `SELECT count(*) AS n …`.
pub(crate) async fn count_rows<B: Backend>(
    warm: &Arc<Warm<B>>,
    qb: QueryBuilder<'static, B>,
) -> Result<u64, StoreError> {
    let mut conn = warm.lease().await?;
    let row = B::fetch_optional(&mut conn, qb).await?;
    conn.done();
    let row = row.ok_or(sqlx::Error::RowNotFound)?;
    Ok(B::get::<i64>(&row, "n")? as u64)
}

/// Counts, up to `take`, the rows of a built `SELECT {geom} FROM … WHERE …` (the bbox's index
/// prefilter included) whose geometry meets `bbox`: only geometries are read, and each is tested
/// by its envelope first (`Backend::geom_meets_bbox`), so a count decodes no attribute and,
/// on the embedded store, only the geometries that straddle the box's edge.
pub(crate) async fn count_meeting_bbox<B: Backend>(
    warm: &Arc<Warm<B>>,
    qb: QueryBuilder<'static, B>,
    bbox: [f64; 4],
    take: usize,
) -> Result<u64, StoreError> {
    B::fetch_stream(warm.clone(), qb)
        .map(move |row| B::geom_meets_bbox(&row?, "geom", bbox))
        .try_filter(|meets| std::future::ready(*meets))
        .take(take)
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await
}

/// The bounding box of a feature table (a name from [`Layer`], never from a request).
pub(crate) async fn extent_of<B: Backend>(pool: &Pool<B>, table: &str) -> Result<Option<[f64; 4]>, StoreError> {
    let mut conn = pool.acquire().await?;
    let row = Sql::<B>::new(&B::EXTENT.replace("{table}", table)).fetch_one(&mut conn).await?;
    let values: [Option<f64>; 4] = [row.get("minx")?, row.get("miny")?, row.get("maxx")?, row.get("maxy")?];
    Ok(match values {
        [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
        _ => None,
    })
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B>
where
    SqlStore<B>: PlanningStore + crate::ZoneHistoryStore + crate::AccountStore + crate::HistoryStore,
{
    async fn create_cluster(&self, draft: &ClusterDraft, ctx: &WriteContext) -> Result<Cluster, StoreError> {
        let first = crate::planning::first_event(draft);
        Ok(self.create_cluster_with_event(draft, &first, ctx).await?.0)
    }

    async fn get_cluster_in(&self, id: i64, layer: Layer) -> Result<Cluster, StoreError> {
        let mut conn = self.warm.lease().await?;
        let row = Sql::<B>::new(&format!("SELECT {CLUSTER_COLUMNS} FROM {} WHERE {{id}} = ?", layer.table()))
            .bind(id)
            .fetch_optional(&mut conn)
            .await?;
        conn.done();
        decode_cluster::<B>(&row.ok_or(StoreError::NotFound(id))?)
    }

    async fn update_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError> {
        if B::ONE_WRITER {
            let mut tx = self.begin().await?;
            let written = Self::update_in_tx(&mut tx, id, expected_version, draft, ctx, Utc::now()).await?;
            tx.commit().await?;
            return Ok(written);
        }
        // On a kept connection, kept again once committed: the most frequent write returns no
        // connection to the pool, which sqlx would ping (a round trip) on the way back.
        let mut conn = self.warm.lease().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let written = Self::update_in_tx(&mut tx, id, expected_version, draft, ctx, Utc::now()).await?;
        tx.commit().await?;
        conn.done();
        // What this transaction wrote, not a re-read another writer may have changed since.
        Ok(written)
    }

    async fn delete_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        // Zones reference their cluster: lock it first so that no zone is added meanwhile.
        lock_row::<B>(&mut tx, "clusters", id).await?;
        let zones: i64 =
            Sql::<B>::new("SELECT count(*) AS n FROM zones WHERE cluster_id = ?").bind(id).scalar(&mut tx, "n").await?;
        if zones > 0 {
            // Dropping the transaction rolls back.
            return Err(StoreError::HasDependents { id, count: zones as u64, what: "zones" });
        }
        versions::delete_feature::<B, Cluster>(&mut tx, id, expected_version, ctx, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_clusters_up_to(&self, query: &ClusterQuery, at_most: u64) -> Result<u64, StoreError> {
        if Self::exact_in_sql(query) {
            let qb = bounded_count(query.layer.table(), at_most, |qb| Self::push_where(qb, query))?;
            return count_rows(&self.warm, qb).await;
        }
        let take = usize::try_from(at_most).unwrap_or(usize::MAX);
        if let Some(bbox) = query.bbox.filter(|_| query.filter().is_none_or(sql_filter::decided_in_sql::<B>)) {
            // Only the bbox is left to test here: the geometries are read, no attribute, and
            // the backend tests each by its envelope first (`Backend::geom_meets_bbox`).
            let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {{geom}} FROM {}", query.layer.table())));
            Self::push_where(&mut qb, query)?;
            return count_meeting_bbox(&self.warm, qb, bbox, take).await;
        }
        self.select(query.for_count(), false).take(take).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    async fn clusters_stamp_and_count(&self, query: &ClusterQuery, at_most: u64) -> Result<(i64, u64), StoreError> {
        if !Self::exact_in_sql(query) {
            let stamp = self.stamp("clusters", query.layer).await?;
            return Ok((stamp, self.count_clusters_up_to(query, at_most).await?));
        }
        // One statement, so one round trip and one snapshot: the count is never newer than
        // the stamp, and the page read after both is at least as new.
        let select = format!("{} AS stamp, count(*) AS n", stamp_expression("clusters", query.layer));
        let qb = bounded_count_of(&select, query.layer.table(), at_most, |qb| Self::push_where(qb, query))?;
        let mut conn = self.warm.lease().await?;
        let row = B::fetch_optional(&mut conn, qb).await?;
        conn.done();
        let row = row.ok_or(sqlx::Error::RowNotFound)?;
        Ok((B::get::<i64>(&row, "stamp")?, B::get::<i64>(&row, "n")? as u64))
    }

    fn stream_clusters(&self, query: ClusterQuery) -> BoxStream<'static, Result<Cluster, StoreError>> {
        self.select(query, true)
    }

    async fn cluster_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError> {
        extent_of::<B>(&self.pool, layer.table()).await
    }

    async fn clusters_stamp(&self, layer: Layer) -> Result<i64, StoreError> {
        self.stamp("clusters", layer).await
    }

    async fn zones_stamp(&self, layer: Layer) -> Result<i64, StoreError> {
        self.stamp("zones", layer).await
    }

    async fn zone_tile_within(
        &self,
        tile: TileId,
        name: &str,
        layer: Layer,
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        B::tile(&self.warm, tile, name, (Tiled::Zones, layer), budget).await
    }

    async fn cluster_tile_within(
        &self,
        tile: TileId,
        name: &str,
        layer: Layer,
        budget: TileBudget,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        B::tile(&self.warm, tile, name, (Tiled::Clusters, layer), budget).await
    }

    async fn publish_clusters(&self, note: Option<&str>, ctx: &WriteContext) -> Result<Publication, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        // One publisher at a time (the zones' snapshot too); readers keep reading the previous
        // snapshot until commit.
        lock_table::<B>(&mut tx, "clusters_published").await?;
        Sql::<B>::new("DELETE FROM clusters_published").execute(&mut tx).await?;
        let published =
            format!("geom, name_folded, version, created_at, updated_at, updated_by, {}", columns(&ATTR_COLUMNS));
        let count = Sql::<B>::new(&format!(
            "INSERT INTO clusters_published ({{id}}, {published}) SELECT {{id}}, {published} FROM clusters"
        ))
        .execute(&mut tx)
        .await?;
        // The zones go with their clusters: the public never sees one without the other.
        Sql::<B>::new("DELETE FROM zones_published").execute(&mut tx).await?;
        let zone_columns =
            format!("geom, version, created_at, updated_at, updated_by, {}", columns(&ZONE_ATTR_COLUMNS));
        Sql::<B>::new(&format!(
            "INSERT INTO zones_published ({{id}}, {zone_columns}) SELECT {{id}}, {zone_columns} FROM zones"
        ))
        .execute(&mut tx)
        .await?;
        B::after_publish(&mut tx, now).await?;
        let seq: i64 =
            Sql::<B>::new("SELECT coalesce(max(seq), 0) + 1 AS n FROM publications WHERE collection = 'clusters'")
                .scalar(&mut tx, "n")
                .await?;
        Sql::<B>::new(
            "INSERT INTO publications (collection, seq, published_at, author, note, feature_count) \
             VALUES ('clusters', ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .time(now)
        .bind(ctx.author.clone())
        .bind(note.map(str::to_owned))
        .bind(count as i64)
        .execute(&mut tx)
        .await?;
        insert_audit::<B>(&mut tx, &crate::publish::audit_of_publication(count, note, ctx)).await?;
        // The collection documents show the last publication.
        Sql::<B>::new("UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'")
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        self.last_publication().await?.ok_or_else(|| StoreError::Corrupt("publication vanished".into()))
    }

    async fn last_publication(&self) -> Result<Option<Publication>, StoreError> {
        let mut conn = self.warm.lease().await?;
        let row = Sql::<B>::new(
            "SELECT seq, published_at, author, note, feature_count FROM publications WHERE collection = 'clusters' \
             ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut conn)
        .await?;
        conn.done();
        row.map(|row| {
            Ok(Publication {
                seq: row.get("seq")?,
                published_at: RowExt::<B>::time(&row, "published_at")?,
                author: row.get("author")?,
                note: row.get("note")?,
                feature_count: row.get::<i64>("feature_count")? as u64,
            })
        })
        .transpose()
    }

    async fn collection_meta(&self, collection: &str) -> Result<CollectionMeta, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = Sql::<B>::new(
            "SELECT title, description, license, attribution, keywords, updated_at FROM collection_meta WHERE collection = ?",
        )
        .bind(collection.to_owned())
        .fetch_optional(&mut conn)
        .await?;
        let Some(row) = row else { return Ok(CollectionMeta::default()) };
        Ok(CollectionMeta {
            title: row.get("title")?,
            description: row.get("description")?,
            license: row.get("license")?,
            attribution: row.get("attribution")?,
            keywords: B::get_text_list(&row, "keywords")?,
            updated_at: RowExt::<B>::opt_time(&row, "updated_at")?,
        })
    }

    async fn put_collection_meta(&self, collection: &str, meta: &CollectionMeta) -> Result<CollectionMeta, StoreError> {
        let mut tx = self.begin().await?;
        Sql::<B>::new(
            "INSERT INTO collection_meta (collection, title, description, license, attribution, keywords, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET title = excluded.title, \
             description = excluded.description, license = excluded.license, attribution = excluded.attribution, \
             keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(collection.to_owned())
        .bind(meta.title.clone())
        .bind(meta.description.clone())
        .bind(meta.license.clone())
        .bind(meta.attribution.clone())
        .text_list(TextList(meta.keywords.clone()))?
        .time(Utc::now())
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        self.collection_meta(collection).await
    }

    async fn version_count(&self, id: i64) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let n: i64 = Sql::<B>::new("SELECT count(*) AS n FROM cluster_versions WHERE cluster_id = ?")
            .bind(id)
            .scalar(&mut conn, "n")
            .await?;
        Ok(n as u64)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        Sql::<B>::new("SELECT 1 AS n").execute(&mut conn).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        <B as Backend>::NAME
    }
}
