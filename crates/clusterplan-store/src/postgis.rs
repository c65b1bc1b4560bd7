//! The PostGIS backend. Stateless: several server instances on one database behave as one,
//! because every consistency rule (unique codes, versions) is enforced by the database inside
//! a transaction.

mod accounts;
mod history;
mod zone_history;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::search::fold;
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{Executor, PgPool, Postgres, QueryBuilder, Row, Transaction};

use crate::geom::{from_wkb, to_wkb};
use crate::planning::PlanningStore;
use crate::record::StoredCluster;
use crate::sql_filter;
use crate::{ClusterQuery, CollectionMeta, Layer, Publication, Store, StoreError, TileId, WriteContext};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgis");

const COLUMNS: &str = "id, ST_AsBinary(geom) AS geom, code, name, kind, status, planned_area_ha, area_ha, \
                       geodesic_area_ha, planning_crs, notes, version, created_at, updated_at, craft_village, \
                       mountainous, roads_completed, water_completed, wastewater_completed";

mod planning;

/// PostGIS backend.
#[derive(Clone)]
pub struct PostgisStore {
    pool: PgPool,
}

impl PostgisStore {
    /// Connects and applies pending migrations (the first creates the `postgis` extension).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    // Parallel plans halve throughput of small spatial queries on few cores.
                    conn.execute("SET max_parallel_workers_per_gather = 0").await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Self::from_pool(pool).await
    }

    /// Uses an existing pool (tests), applying migrations.
    pub async fn from_pool(pool: PgPool) -> Result<Self, StoreError> {
        MIGRATOR.run(&pool).await?;
        Ok(PostgisStore { pool })
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

fn decode(row: &PgRow) -> Result<Cluster, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredCluster {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_at: row.try_get::<DateTime<Utc>, _>("created_at")?,
        updated_at: row.try_get::<DateTime<Utc>, _>("updated_at")?,
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
        boundary: from_wkb(&blob)?,
    }
    .into_cluster()
}

/// Appends the state just written (or deleted) to `cluster_versions`, and its audit row.
async fn record_version(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    version: i64,
    operation: &str,
    draft: &ClusterDraft,
    ctx: &WriteContext,
) -> Result<(), StoreError> {
    let geom = if operation == "delete" { None } else { Some(to_wkb(&draft.boundary)?) };
    let f = draft.attrs.flags();
    bind_attrs!(sqlx::query(
        "INSERT INTO cluster_versions (cluster_id, version, operation, author, reason, written_at, geom, legal_act, \
         reverted_from, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, planning_crs, notes, \
         craft_village, mountainous, roads_completed, water_completed, wastewater_completed) \
         VALUES ($1,$2,$3,$4,$5,now(),ST_GeomFromWKB($6, 4326),$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)",
    )
    .bind(id)
    .bind(version)
    .bind(operation)
    .bind(&ctx.author)
    .bind(&ctx.reason)
    .bind(geom)
    .bind(&ctx.legal_act)
    .bind(ctx.reverted_from), draft)
    .bind(f.craft_village)
    .bind(f.mountainous)
    .bind(f.roads_completed)
    .bind(f.water_completed)
    .bind(f.wastewater_completed)
    .execute(&mut **tx)
    .await?;
    insert_audit(&mut **tx, &crate::history::audit_of_write("cluster", id, version, operation, ctx)).await?;
    // The rules' site facts on the row itself (not for a delete: the row is gone).
    if operation != "delete" {
        sqlx::query(
            "UPDATE clusters SET craft_village = $1, mountainous = $2, roads_completed = $3, water_completed = $4, \
             wastewater_completed = $5 WHERE id = $6",
        )
        .bind(f.craft_village)
        .bind(f.mountainous)
        .bind(f.roads_completed)
        .bind(f.water_completed)
        .bind(f.wastewater_completed)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Appends an audit row, inside a write's transaction or on its own.
async fn insert_audit<'e>(conn: impl sqlx::PgExecutor<'e>, audit: &crate::NewAudit) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, address, outcome, detail) VALUES (clock_timestamp(),$1,$2,$3,$4,$5,$6)",
    )
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

/// Why a write to `table` (`clusters` or `zones`) matched no row: another version is current,
/// or there is no such feature.
async fn explain_miss(
    tx: &mut Transaction<'_, Postgres>,
    table: &'static str,
    id: i64,
    expected: Option<i64>,
) -> StoreError {
    match sqlx::query_scalar::<_, i64>(&format!("SELECT version FROM {table} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    {
        Ok(Some(current)) => StoreError::VersionConflict { id, expected: expected.unwrap_or(current), current },
        Ok(None) => StoreError::NotFound(id),
        Err(e) => e.into(),
    }
}

/// ` WHERE …` for a query's bbox and filter, every value bound.
fn push_where(qb: &mut QueryBuilder<'static, Postgres>, query: &ClusterQuery) -> Result<(), StoreError> {
    qb.push(" WHERE TRUE");
    if let Some([min_lon, min_lat, max_lon, max_lat]) = query.bbox {
        qb.push(" AND ST_Intersects(geom, ST_MakeEnvelope(").push_bind(min_lon).push(", ").push_bind(min_lat);
        qb.push(", ").push_bind(max_lon).push(", ").push_bind(max_lat).push(", 4326))");
    }
    if let Some(filter) = query.filter() {
        qb.push(" AND ");
        sql_filter::push_filter(qb, filter)?;
    }
    Ok(())
}

/// One tile in one statement: index prefilter on the buffered tile envelope, clipping and
/// quantising by `ST_AsMVTGeom`, encoding by `ST_AsMVT`. The attribute list matches
/// `tiles::cluster_tags` (names, order and value types), with `id` as the feature id.
const TILE_SQL: &str = "\
    WITH rows AS ( \
      SELECT id, ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom, \
             code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, planning_crs, version, \
             to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS updated_at \
      FROM clusters \
      WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326) \
      ORDER BY id) \
    SELECT coalesce(ST_AsMVT(rows.*, $4, 4096, 'geom', 'id'), ''::bytea) FROM rows WHERE geom IS NOT NULL";

impl PostgisStore {
    /// Inserts a cluster inside a transaction (row and first version); returns its id.
    async fn insert_in_tx(
        tx: &mut Transaction<'_, Postgres>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<i64, StoreError> {
        let a = &draft.attrs;
        let id: i64 = bind_attrs!(
            sqlx::query_scalar(
                "INSERT INTO clusters (geom, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, \
             planning_crs, notes, name_folded, version, created_at, updated_at, updated_by) \
             VALUES (ST_GeomFromWKB($1, 4326),$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,1,now(),now(),$12) RETURNING id",
            )
            .bind(to_wkb(&draft.boundary)?),
            draft
        )
        .bind(fold(a.name()))
        .bind(&ctx.author)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| StoreError::on_unique_code(e, a.code()))?;
        record_version(tx, id, 1, "create", draft, ctx).await?;
        Ok(id)
    }

    /// Replaces a cluster inside a transaction (row and version); returns the new version.
    async fn update_in_tx(
        tx: &mut Transaction<'_, Postgres>,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<i64, StoreError> {
        let a = &draft.attrs;
        let version: Option<i64> = bind_attrs!(sqlx::query_scalar(
            "UPDATE clusters SET geom = ST_GeomFromWKB($1, 4326), code = $2, name = $3, kind = $4, status = $5, \
             planned_area_ha = $6, area_ha = $7, geodesic_area_ha = $8, planning_crs = $9, notes = $10, name_folded = $11, version = version + 1, \
             updated_at = now(), updated_by = $12 WHERE id = $13 AND ($14::bigint IS NULL OR version = $14) RETURNING version",
        )
        .bind(to_wkb(&draft.boundary)?), draft)
        .bind(fold(a.name()))
        .bind(&ctx.author)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| StoreError::on_unique_code(e, a.code()))?;
        let Some(version) = version else {
            return Err(explain_miss(tx, "clusters", id, expected_version).await);
        };
        record_version(tx, id, version, "update", draft, ctx).await?;
        Ok(version)
    }
}

#[async_trait]
impl Store for PostgisStore {
    async fn create_cluster(&self, draft: &ClusterDraft, ctx: &WriteContext) -> Result<Cluster, StoreError> {
        let first = crate::planning::first_event(draft);
        Ok(self.create_cluster_with_event(draft, &first, ctx).await?.0)
    }

    async fn get_cluster_in(&self, id: i64, layer: Layer) -> Result<Cluster, StoreError> {
        let table = layer.table();
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM {table} WHERE id = $1"))
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
        let mut tx = self.pool.begin().await?;
        Self::update_in_tx(&mut tx, id, expected_version, draft, ctx).await?;
        tx.commit().await?;
        self.get_cluster(id).await
    }

    async fn delete_cluster(
        &self,
        id: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Zones reference their cluster: lock the cluster first so no zone is added meanwhile.
        sqlx::query("SELECT 1 FROM clusters WHERE id = $1 FOR UPDATE").bind(id).execute(&mut *tx).await?;
        let zones: i64 =
            sqlx::query_scalar("SELECT count(*) FROM zones WHERE cluster_id = $1").bind(id).fetch_one(&mut *tx).await?;
        if zones > 0 {
            return Err(StoreError::HasDependents { id, count: zones as u64, what: "zones" });
        }
        let row = sqlx::query(&format!(
            "DELETE FROM clusters WHERE id = $1 AND ($2::bigint IS NULL OR version = $2) RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(explain_miss(&mut tx, "clusters", id, expected_version).await);
        };
        let deleted = decode(&row)?;
        record_version(&mut tx, id, deleted.version + 1, "delete", &deleted.data, ctx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn count_clusters(&self, query: &ClusterQuery) -> Result<u64, StoreError> {
        let mut qb = QueryBuilder::new(format!("SELECT count(*) FROM {}", query.layer.table()));
        push_where(&mut qb, query)?;
        let n: i64 = qb.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    fn stream_clusters(&self, query: ClusterQuery) -> BoxStream<'static, Result<Cluster, StoreError>> {
        let pool = self.pool.clone();
        async_stream::try_stream! {
            let mut qb = QueryBuilder::new(format!("SELECT {COLUMNS} FROM {}", query.layer.table()));
            push_where(&mut qb, &query)?;
            sql_filter::push_order(&mut qb, query.sort(), "id");
            qb.push(" LIMIT ").push_bind(i64::from(query.limit));
            qb.push(" OFFSET ").push_bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
            let mut rows = qb.build().fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                yield decode(&row)?;
            }
        }
        .boxed()
    }

    async fn cluster_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError> {
        let sql = format!(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom)::box2d AS e FROM {}) x",
            layer.table()
        );
        let row = sqlx::query(&sql).fetch_one(&self.pool).await?;
        let values: [Option<f64>; 4] = [row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?];
        Ok(match values {
            [Some(a), Some(b), Some(c), Some(d)] => Some([a, b, c, d]),
            _ => None,
        })
    }

    async fn clusters_stamp(&self, layer: Layer) -> Result<i64, StoreError> {
        let sql = match layer {
            Layer::Draft => "SELECT serial FROM collection_changes WHERE collection = 'clusters'",
            Layer::Published => "SELECT coalesce(max(seq), 0) FROM publications WHERE collection = 'clusters'",
        };
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }

    async fn cluster_tile(&self, tile: TileId, name: &str, layer: Layer) -> Result<Option<Vec<u8>>, StoreError> {
        // The table name comes from the enum, never from a request.
        let sql = TILE_SQL.replace("FROM clusters ", &format!("FROM {} ", layer.table()));
        let tile: Vec<u8> = sqlx::query_scalar(&sql)
            .bind(i32::from(tile.z))
            .bind(tile.x as i32)
            .bind(tile.y as i32)
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok((!tile.is_empty()).then_some(tile))
    }

    async fn publish_clusters(&self, note: Option<&str>, ctx: &WriteContext) -> Result<Publication, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One publisher at a time; readers keep reading the previous snapshot until commit.
        sqlx::query("LOCK TABLE clusters_published IN EXCLUSIVE MODE").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM clusters_published").execute(&mut *tx).await?;
        let count = sqlx::query(
            "INSERT INTO clusters_published SELECT id, geom, code, name, name_folded, kind, status, planned_area_ha, \
             area_ha, geodesic_area_ha, planning_crs, notes, version, created_at, updated_at, updated_by, craft_village, \
             mountainous, roads_completed, water_completed, wastewater_completed FROM clusters",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO publications (collection, seq, published_at, author, note, feature_count) \
             SELECT 'clusters', coalesce(max(seq), 0) + 1, now(), $1, $2, $3 FROM publications WHERE collection = 'clusters'",
        )
        .bind(&ctx.author)
        .bind(note)
        .bind(count as i64)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut *tx, &crate::publish::audit_of_publication(count, note, ctx)).await?;
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
                published_at: row.try_get::<DateTime<Utc>, _>("published_at")?,
                author: row.try_get("author")?,
                note: row.try_get("note")?,
                feature_count: row.try_get::<i64, _>("feature_count")? as u64,
            })
        })
        .transpose()
    }

    async fn collection_meta(&self, collection: &str) -> Result<CollectionMeta, StoreError> {
        let row = sqlx::query(
            "SELECT title, description, license, attribution, keywords, updated_at FROM collection_meta WHERE collection = $1",
        )
        .bind(collection)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(CollectionMeta::default()) };
        Ok(CollectionMeta {
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            license: row.try_get("license")?,
            attribution: row.try_get("attribution")?,
            keywords: row.try_get("keywords")?,
            updated_at: Some(row.try_get::<DateTime<Utc>, _>("updated_at")?),
        })
    }

    async fn put_collection_meta(&self, collection: &str, meta: &CollectionMeta) -> Result<CollectionMeta, StoreError> {
        sqlx::query(
            "INSERT INTO collection_meta (collection, title, description, license, attribution, keywords, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (collection) DO UPDATE SET title = excluded.title, \
             description = excluded.description, license = excluded.license, attribution = excluded.attribution, \
             keywords = excluded.keywords, updated_at = excluded.updated_at",
        )
        .bind(collection)
        .bind(&meta.title)
        .bind(&meta.description)
        .bind(&meta.license)
        .bind(&meta.attribution)
        .bind(&meta.keywords)
        .execute(&self.pool)
        .await?;
        self.collection_meta(collection).await
    }

    async fn version_count(&self, id: i64) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cluster_versions WHERE cluster_id = $1")
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
        "postgis"
    }
}
