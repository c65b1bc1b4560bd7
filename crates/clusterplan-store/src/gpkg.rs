//! The embedded store: one SQLite file laid out as a GeoPackage.

mod accounts;
mod history;
mod zone_history;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use clusterplan_core::search::fold;
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use crate::geom::{from_gpkg, to_gpkg};
use crate::planning::PlanningStore;
use crate::record::StoredCluster;
use crate::sql_filter;
use crate::{ClusterQuery, CollectionMeta, Layer, Publication, Store, StoreError, TileId, WriteContext};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

const COLUMNS: &str = "fid, geom, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, \
                       planning_crs, notes, version, created_at, updated_at, craft_village, mountainous, \
                       roads_completed, water_completed, wastewater_completed";

mod planning;

/// GeoPackage/SQLite backend.
#[derive(Clone)]
pub struct GpkgStore {
    pool: SqlitePool,
}

impl GpkgStore {
    /// Opens the file, creating and migrating it when needed.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        // Tools that identify a GeoPackage by its header bytes (GDAL) read the main file, not
        // the WAL: move the migrations' header changes (application id) into it.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await?;
        Ok(GpkgStore { pool })
    }

    /// The connection pool, for tests that inspect the file.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {text:?}: {e}")))
}

fn decode(row: &SqliteRow) -> Result<Cluster, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredCluster {
        id: row.try_get("fid")?,
        version: row.try_get("version")?,
        created_at: parse_timestamp(row.try_get("created_at")?)?,
        updated_at: parse_timestamp(row.try_get("updated_at")?)?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        planned_area_ha: row.try_get("planned_area_ha")?,
        area_ha: row.try_get("area_ha")?,
        geodesic_area_ha: row.try_get("geodesic_area_ha")?,
        planning_crs: row.try_get("planning_crs")?,
        notes: row.try_get("notes")?,
        flags: clusterplan_core::SiteFlags {
            craft_village: row.try_get("craft_village")?,
            mountainous: row.try_get("mountainous")?,
            roads_completed: row.try_get("roads_completed")?,
            water_completed: row.try_get("water_completed")?,
            wastewater_completed: row.try_get("wastewater_completed")?,
        },
        boundary: from_gpkg(&blob)?,
    }
    .into_cluster()
}

fn extent_from(row: &SqliteRow) -> Result<Option<[f64; 4]>, StoreError> {
    let values: [Option<f64>; 4] = [row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?];
    Ok(match values {
        [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
        _ => None,
    })
}

/// Keeps the R*Tree and the layer extent in `gpkg_contents` in step with a write.
async fn index(
    tx: &mut Transaction<'_, Sqlite>,
    id: i64,
    draft: Option<&ClusterDraft>,
    now: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM rtree_clusters_geom WHERE id = ?").bind(id).execute(&mut **tx).await?;
    if let Some(draft) = draft {
        let [minx, miny, maxx, maxy] = draft.boundary.bbox();
        sqlx::query("INSERT INTO rtree_clusters_geom (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(minx)
            .bind(maxx)
            .bind(miny)
            .bind(maxy)
            .execute(&mut **tx)
            .await?;
        // The extent only grows here; it is informative in GeoPackage and a shrink would
        // need a scan of the whole index on every delete.
        sqlx::query(
            "UPDATE gpkg_contents SET last_change = ?, min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), \
             max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) WHERE table_name = 'clusters'",
        )
        .bind(now)
        .bind(minx)
        .bind(minx)
        .bind(miny)
        .bind(miny)
        .bind(maxx)
        .bind(maxx)
        .bind(maxy)
        .bind(maxy)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("UPDATE gpkg_contents SET last_change = ? WHERE table_name = 'clusters'")
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Appends the state just written (or deleted) to `cluster_versions`, and its audit row.
async fn record_version(
    tx: &mut Transaction<'_, Sqlite>,
    id: i64,
    version: i64,
    operation: &str,
    draft: &ClusterDraft,
    ctx: &WriteContext,
    now: &str,
) -> Result<(), StoreError> {
    let geom = if operation == "delete" { None } else { Some(to_gpkg(&draft.boundary)?) };
    bind_attrs!(sqlx::query(
        "INSERT INTO cluster_versions (cluster_id, version, operation, author, reason, written_at, geom, legal_act, \
         reverted_from, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, planning_crs, notes) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(id)
    .bind(version)
    .bind(operation)
    .bind(&ctx.author)
    .bind(&ctx.reason)
    .bind(now)
    .bind(geom)
    .bind(&ctx.legal_act)
    .bind(ctx.reverted_from), draft)
    .execute(&mut **tx)
    .await?;
    // The rules' site facts, on the row and on its version (one statement each, same
    // transaction).
    let f = draft.attrs.flags();
    for sql in [
        "UPDATE clusters SET craft_village = ?, mountainous = ?, roads_completed = ?, water_completed = ?, \
         wastewater_completed = ? WHERE fid = ? AND ? > 0",
        "UPDATE cluster_versions SET craft_village = ?, mountainous = ?, roads_completed = ?, water_completed = ?, \
         wastewater_completed = ? WHERE cluster_id = ? AND version = ?",
    ] {
        sqlx::query(sql)
            .bind(f.craft_village)
            .bind(f.mountainous)
            .bind(f.roads_completed)
            .bind(f.water_completed)
            .bind(f.wastewater_completed)
            .bind(id)
            .bind(version)
            .execute(&mut **tx)
            .await?;
    }
    insert_audit(&mut **tx, now, &crate::history::audit_of_write("cluster", id, version, operation, ctx)).await
}

/// Why a write to `table` (`clusters` or `zones`) matched no row: another version is current,
/// or there is no such feature.
async fn explain_miss(
    tx: &mut Transaction<'_, Sqlite>,
    table: &'static str,
    id: i64,
    expected: Option<i64>,
) -> StoreError {
    match sqlx::query_scalar::<_, i64>(&format!("SELECT version FROM {table} WHERE fid = ?"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    {
        Ok(Some(current)) => StoreError::VersionConflict { id, expected: expected.unwrap_or(current), current },
        Ok(None) => StoreError::NotFound(id),
        Err(e) => e.into(),
    }
}

/// Appends an audit row, inside a write's transaction or on its own.
async fn insert_audit<'e>(
    conn: impl sqlx::SqliteExecutor<'e>,
    at: &str,
    audit: &crate::NewAudit,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, target, address, outcome, detail) VALUES (?,?,?,?,?,?,?)")
        .bind(at)
        .bind(&audit.actor)
        .bind(&audit.action)
        .bind(&audit.target)
        .bind(&audit.address)
        .bind(&audit.outcome)
        .bind(&audit.detail)
        .execute(conn)
        .await?;
    Ok(())
}

impl GpkgStore {
    /// Inserts a cluster inside a transaction (row, index, first version); returns its id.
    async fn insert_in_tx(
        tx: &mut Transaction<'_, Sqlite>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
        ts: &str,
    ) -> Result<i64, StoreError> {
        let a = &draft.attrs;
        let id: i64 = bind_attrs!(sqlx::query_scalar(
            "INSERT INTO clusters (geom, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, \
             planning_crs, notes, name_folded, version, created_at, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?,?,?) RETURNING fid",
        )
        .bind(to_gpkg(&draft.boundary)?), draft)
        .bind(fold(a.name()))
        .bind(ts)
        .bind(ts)
        .bind(&ctx.author)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| StoreError::on_unique_code(e, a.code()))?;
        index(tx, id, Some(draft), ts).await?;
        record_version(tx, id, 1, "create", draft, ctx, ts).await?;
        Ok(id)
    }

    /// Replaces a cluster inside a transaction (row, index, version); returns the new version.
    async fn update_in_tx(
        tx: &mut Transaction<'_, Sqlite>,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
        ts: &str,
    ) -> Result<i64, StoreError> {
        let a = &draft.attrs;
        let version: Option<i64> = bind_attrs!(sqlx::query_scalar(
            "UPDATE clusters SET geom = ?, code = ?, name = ?, kind = ?, status = ?, planned_area_ha = ?, \
             area_ha = ?, geodesic_area_ha = ?, planning_crs = ?, notes = ?, name_folded = ?, version = version + 1, updated_at = ?, updated_by = ? \
             WHERE fid = ? AND (? IS NULL OR version = ?) RETURNING version",
        )
        .bind(to_gpkg(&draft.boundary)?), draft)
        .bind(fold(a.name()))
        .bind(ts)
        .bind(&ctx.author)
        .bind(id)
        .bind(expected_version)
        .bind(expected_version)
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| StoreError::on_unique_code(e, a.code()))?;
        let Some(version) = version else {
            return Err(explain_miss(tx, "clusters", id, expected_version).await);
        };
        index(tx, id, Some(draft), ts).await?;
        record_version(tx, id, version, "update", draft, ctx, ts).await?;
        Ok(version)
    }

    /// The clusters a query selects, in its order. Without a bbox, and with a filter SQLite
    /// decides wholly ([`sql_filter::sqlite_decides`]) or none, filtering and paging are done in
    /// SQL. Otherwise SQL narrows the candidates (the R*Tree for the bbox and for spatial
    /// predicates, the conjuncts it decides; see [`sql_filter::push_prefilter`]), the exact test
    /// runs here ([`ClusterQuery::admits`]), and so does paging.
    /// Whether SQLite alone decides what a query selects.
    fn exact_in_sql(query: &ClusterQuery) -> bool {
        query.bbox.is_none() && query.filter().is_none_or(sql_filter::sqlite_decides)
    }

    fn candidates(&self, query: ClusterQuery, page: bool) -> BoxStream<'static, Result<Cluster, StoreError>> {
        let pool = self.pool.clone();
        let table = query.layer.table();
        let exact_in_sql = Self::exact_in_sql(&query);
        let (limit, offset) = (query.limit, query.offset);
        let stream = async_stream::try_stream! {
            let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM {table} WHERE TRUE"));
            if let Some([minx, miny, maxx, maxy]) = query.bbox {
                qb.push(format_args!(" AND fid IN (SELECT id FROM rtree_{table}_geom WHERE minx <= "));
                qb.push_bind(maxx).push(" AND maxx >= ").push_bind(minx);
                qb.push(" AND miny <= ").push_bind(maxy).push(" AND maxy >= ").push_bind(miny).push(")");
            }
            match query.filter() {
                Some(filter) if exact_in_sql => {
                    qb.push(" AND ");
                    sql_filter::push_filter(&mut qb, filter)?;
                }
                Some(filter) => sql_filter::push_prefilter(&mut qb, filter, &format!("rtree_{table}_geom"))?,
                None => {}
            }
            sql_filter::push_order(&mut qb, query.sort(), "fid");
            if exact_in_sql && page {
                qb.push(" LIMIT ").push_bind(i64::from(query.limit));
                qb.push(" OFFSET ").push_bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
            }
            let mut rows = qb.build().fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                let cluster = decode(&row)?;
                // The R*Tree compares envelopes; the answer is what really matches.
                if exact_in_sql || query.admits(&cluster) {
                    yield cluster;
                }
            }
        };
        if exact_in_sql || !page {
            return stream.boxed();
        }
        stream.skip(usize::try_from(offset).unwrap_or(usize::MAX)).take(limit as usize).boxed()
    }
}

#[async_trait]
impl Store for GpkgStore {
    async fn create_cluster(&self, draft: &ClusterDraft, ctx: &WriteContext) -> Result<Cluster, StoreError> {
        let first = crate::planning::first_event(draft);
        Ok(self.create_cluster_with_event(draft, &first, ctx).await?.0)
    }

    async fn get_cluster_in(&self, id: i64, layer: Layer) -> Result<Cluster, StoreError> {
        let table = layer.table();
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {table} WHERE fid = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode(&row)
    }

    async fn update_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError> {
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        Self::update_in_tx(&mut tx, id, expected_version, draft, ctx, &ts).await?;
        tx.commit().await?;
        self.get_cluster(id).await
    }

    async fn delete_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<(), StoreError> {
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        // The write comes first: it takes SQLite's write lock, so the zone count below cannot
        // change before the commit (a read first would have to upgrade its lock, and fail
        // with SQLITE_BUSY when another writer got in between).
        let row = sqlx::query(&format!(
            "DELETE FROM clusters WHERE fid = ? AND (? IS NULL OR version = ?) RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(expected_version)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(explain_miss(&mut tx, "clusters", id, expected_version).await);
        };
        let zones: i64 =
            sqlx::query_scalar("SELECT count(*) FROM zones WHERE cluster_id = ?").bind(id).fetch_one(&mut *tx).await?;
        if zones > 0 {
            // Dropping the transaction rolls the delete back.
            return Err(StoreError::HasDependents { id, count: zones as u64, what: "zones" });
        }
        let deleted = decode(&row)?;
        index(&mut tx, id, None, &ts).await?;
        record_version(&mut tx, id, deleted.version + 1, "delete", &deleted.data, ctx, &ts).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_clusters(&self, query: &ClusterQuery) -> Result<u64, StoreError> {
        if Self::exact_in_sql(query) {
            let mut qb = QueryBuilder::new(format!("SELECT count(*) FROM {} WHERE TRUE", query.layer.table()));
            if let Some(filter) = query.filter() {
                qb.push(" AND ");
                sql_filter::push_filter(&mut qb, filter)?;
            }
            let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
            return Ok(n as u64);
        }
        self.candidates(query.for_count(), false).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    fn stream_clusters(&self, query: ClusterQuery) -> BoxStream<'static, Result<Cluster, StoreError>> {
        self.candidates(query, true)
    }

    async fn cluster_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError> {
        let sql = format!("SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_{}_geom", layer.table());
        let row = sqlx::query(&sql).fetch_one(&self.pool).await?;
        extent_from(&row)
    }

    async fn clusters_stamp(&self, layer: Layer) -> Result<i64, StoreError> {
        let sql = match layer {
            Layer::Draft => "SELECT serial FROM collection_changes WHERE collection = 'clusters'",
            Layer::Published => "SELECT coalesce(max(seq), 0) FROM publications WHERE collection = 'clusters'",
        };
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }

    async fn cluster_tile(&self, tile: TileId, name: &str, layer: Layer) -> Result<Option<Vec<u8>>, StoreError> {
        let [minx, miny, maxx, maxy] = tile.lonlat_envelope()?;
        let table = layer.table();
        let sql = format!(
            "SELECT {COLUMNS} FROM {table} WHERE fid IN (SELECT id FROM rtree_{table}_geom \
             WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?) ORDER BY fid"
        );
        let rows = sqlx::query(&sql).bind(maxx).bind(minx).bind(maxy).bind(miny).fetch_all(&self.pool).await?;
        let clusters = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        // Clipping and encoding are CPU work: off the async threads.
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || crate::tiles::encode_clusters(tile, &name, clusters))
            .await
            .map_err(|e| StoreError::Corrupt(format!("tile encoder failed: {e}")))?
    }

    async fn publish_clusters(&self, note: Option<&str>, ctx: &WriteContext) -> Result<Publication, StoreError> {
        let now = Utc::now();
        let ts = timestamp(now);
        let mut tx = self.pool.begin().await?;
        // The first statement takes SQLite's write lock: no write slips in between the copies.
        sqlx::query("DELETE FROM clusters_published").execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO clusters_published SELECT fid, geom, code, name, name_folded, kind, status, planned_area_ha, \
             area_ha, geodesic_area_ha, planning_crs, notes, version, created_at, updated_at, updated_by, craft_village, \
             mountainous, roads_completed, water_completed, wastewater_completed FROM clusters",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM rtree_clusters_published_geom").execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO rtree_clusters_published_geom SELECT id, minx, maxx, miny, maxy FROM rtree_clusters_geom",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE gpkg_contents SET last_change = ?, (min_x, min_y, max_x, max_y) = \
             (SELECT min(minx), min(miny), max(maxx), max(maxy) FROM rtree_clusters_published_geom) \
             WHERE table_name = 'clusters_published'",
        )
        .bind(&ts)
        .execute(&mut *tx)
        .await?;
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters_published").fetch_one(&mut *tx).await?;
        let seq: i64 =
            sqlx::query_scalar("SELECT coalesce(max(seq), 0) + 1 FROM publications WHERE collection = 'clusters'")
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO publications (collection, seq, published_at, author, note, feature_count) VALUES ('clusters', ?, ?, ?, ?, ?)",
        )
        .bind(seq)
        .bind(&ts)
        .bind(&ctx.author)
        .bind(note)
        .bind(count)
        .execute(&mut *tx)
        .await?;
        let audit = crate::publish::audit_of_publication(count.try_into().unwrap_or_default(), note, ctx);
        insert_audit(&mut *tx, &ts, &audit).await?;
        // The collection documents show the last publication.
        sqlx::query("UPDATE collection_changes SET serial = serial + 1 WHERE collection = 'clusters'")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.last_publication().await?.ok_or_else(|| StoreError::Corrupt("publication vanished".into()))
    }

    async fn last_publication(&self) -> Result<Option<Publication>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, published_at, author, note, feature_count FROM publications WHERE collection = 'clusters' \
             ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Publication {
                seq: row.try_get("seq")?,
                published_at: parse_timestamp(row.try_get("published_at")?)?,
                author: row.try_get("author")?,
                note: row.try_get("note")?,
                feature_count: row.try_get::<i64, _>("feature_count")? as u64,
            })
        })
        .transpose()
    }

    async fn collection_meta(&self, collection: &str) -> Result<CollectionMeta, StoreError> {
        let row = sqlx::query(
            "SELECT title, description, license, attribution, keywords, updated_at FROM collection_meta WHERE collection = ?",
        )
        .bind(collection)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(CollectionMeta::default()) };
        let keywords: String = row.try_get("keywords")?;
        Ok(CollectionMeta {
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            license: row.try_get("license")?,
            attribution: row.try_get("attribution")?,
            keywords: serde_json::from_str(&keywords).map_err(|e| StoreError::Corrupt(format!("keywords: {e}")))?,
            updated_at: Some(parse_timestamp(row.try_get("updated_at")?)?),
        })
    }

    async fn put_collection_meta(&self, collection: &str, meta: &CollectionMeta) -> Result<CollectionMeta, StoreError> {
        let keywords = serde_json::to_string(&meta.keywords).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO collection_meta (collection, title, description, license, attribution, keywords, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (collection) DO UPDATE SET title = excluded.title, \
             description = excluded.description, license = excluded.license, attribution = excluded.attribution, \
             keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(collection)
        .bind(&meta.title)
        .bind(&meta.description)
        .bind(&meta.license)
        .bind(&meta.attribution)
        .bind(keywords)
        .bind(timestamp(Utc::now()))
        .execute(&self.pool)
        .await?;
        self.collection_meta(collection).await
    }

    async fn version_count(&self, id: i64) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cluster_versions WHERE cluster_id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "gpkg"
    }
}
