//! History on PostGIS: `cluster_versions` read back, `asOf`, reverts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::search::fold;
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::{PostgisStore, record_version};
use crate::geom::{from_wkb, to_wkb};
use crate::history::{audit_of_comment, comment_refusal, page_as_of, revert_to_tombstone};
use crate::record::StoredCluster;
use crate::{ClusterQuery, Comment, HistoryStore, NewComment, Store, StoreError, Version, WriteContext};

const VERSION_COLUMNS: &str = "v.cluster_id, v.version, v.operation, v.author, v.reason, v.legal_act, v.reverted_from, \
    v.written_at, ST_AsBinary(v.geom) AS geom, v.code, v.name, v.kind, v.status, v.planned_area_ha, v.area_ha, \
    v.geodesic_area_ha, v.planning_crs, v.notes, v.craft_village, v.mountainous, v.roads_completed, \
    v.water_completed, v.wastewater_completed, \
    (SELECT min(f.written_at) FROM cluster_versions f WHERE f.cluster_id = v.cluster_id) AS first_written";

/// The latest version per cluster written at or before `$1`, deletions left out.
const AS_OF: &str = "FROM cluster_versions v WHERE v.version = (SELECT max(w.version) FROM cluster_versions w \
    WHERE w.cluster_id = v.cluster_id AND w.written_at <= $1) AND v.operation <> 'delete'";

fn decode_version(row: &PgRow) -> Result<Version, StoreError> {
    let cluster_id: i64 = row.try_get("cluster_id")?;
    let version: i64 = row.try_get("version")?;
    let written_at: DateTime<Utc> = row.try_get("written_at")?;
    let blob: Option<Vec<u8>> = row.try_get("geom")?;
    let state = match blob {
        None => None,
        Some(blob) => Some(
            StoredCluster {
                id: cluster_id,
                version,
                created_at: row.try_get("first_written")?,
                updated_at: written_at,
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
            .into_cluster()?,
        ),
    };
    Ok(Version {
        id: cluster_id,
        version,
        operation: row.try_get("operation")?,
        author: row.try_get("author")?,
        reason: row.try_get("reason")?,
        legal_act: row.try_get("legal_act")?,
        reverted_from: row.try_get("reverted_from")?,
        written_at,
        state,
    })
}

impl PostgisStore {
    fn as_of_stream(&self, at: DateTime<Utc>) -> BoxStream<'static, Result<Cluster, StoreError>> {
        let pool = self.pool.clone();
        async_stream::try_stream! {
            let sql = format!("SELECT {VERSION_COLUMNS} {AS_OF} ORDER BY v.cluster_id");
            let mut rows = sqlx::query(&sql).bind(at).fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                if let Some(state) = decode_version(&row)?.state {
                    yield state;
                }
            }
        }
        .boxed()
    }

    /// Brings a deleted cluster back under its id, as the version after its tombstone.
    async fn restore(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError> {
        let a = &draft.attrs;
        let mut tx = self.pool.begin().await?;
        // Two restores of one cluster serialise on this lock.
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(id).execute(&mut *tx).await?;
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, operation FROM cluster_versions WHERE cluster_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((last, operation)) = last else { return Err(StoreError::NotFound(id)) };
        if operation != "delete" || expected_version.is_some_and(|e| e != last) {
            return Err(StoreError::VersionConflict { id, expected: expected_version.unwrap_or(last), current: last });
        }
        let version = last + 1;
        bind_attrs!(
            sqlx::query(
                "INSERT INTO clusters (id, geom, code, name, kind, status, planned_area_ha, area_ha, geodesic_area_ha, \
             planning_crs, notes, name_folded, version, created_at, updated_at, updated_by) OVERRIDING SYSTEM VALUE \
             VALUES ($1, ST_GeomFromWKB($2, 4326),$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13, \
             (SELECT min(written_at) FROM cluster_versions WHERE cluster_id = $1), now(), $14)",
            )
            .bind(id)
            .bind(to_wkb(&draft.boundary)?),
            draft
        )
        .bind(fold(a.name()))
        .bind(version)
        .bind(&ctx.author)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::on_unique_code(e, a.code()))?;
        record_version(&mut tx, id, version, "create", draft, ctx).await?;
        tx.commit().await?;
        self.get_cluster(id).await
    }
}

#[async_trait]
impl HistoryStore for PostgisStore {
    async fn versions(&self, id: i64) -> Result<Vec<Version>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM cluster_versions v WHERE v.cluster_id = $1 ORDER BY v.version"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(id));
        }
        rows.iter().map(decode_version).collect()
    }

    async fn version(&self, id: i64, version: i64) -> Result<Version, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM cluster_versions v WHERE v.cluster_id = $1 AND v.version = $2"
        ))
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound(id))?;
        decode_version(&row)
    }

    async fn cluster_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Cluster, StoreError> {
        let row = sqlx::query(&format!("SELECT {VERSION_COLUMNS} {AS_OF} AND v.cluster_id = $2"))
            .bind(at)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_version(&row)?.state.ok_or(StoreError::NotFound(id))
    }

    async fn count_clusters_as_of(&self, query: &ClusterQuery, at: DateTime<Utc>) -> Result<u64, StoreError> {
        page_as_of(self.as_of_stream(at), query.for_count()).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    fn stream_clusters_as_of(
        &self,
        query: ClusterQuery,
        at: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Cluster, StoreError>> {
        page_as_of(self.as_of_stream(at), query)
    }

    async fn revert_cluster(
        &self,
        id: i64,
        version: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError> {
        let target = self.version(id, version).await?;
        let state = target.state.ok_or_else(|| revert_to_tombstone(id, version))?;
        let ctx = WriteContext { reverted_from: Some(version), ..ctx.clone() };
        match self.update_cluster(id, expected_version, &state.data, &ctx).await {
            Err(StoreError::NotFound(_)) => self.restore(id, expected_version, &state.data, &ctx).await,
            other => other,
        }
    }

    async fn add_comment(&self, new: &NewComment) -> Result<Comment, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One statement checks that the feature is live and has the version, and writes; the
        // row lock (FOR SHARE) keeps a concurrent delete waiting until this commits.
        let row = sqlx::query(&format!(
            "INSERT INTO cluster_comments (cluster_id, version, author, text, created_at) \
             SELECT c.id, coalesce($2::bigint, c.version), $3, $4, now() FROM clusters c WHERE c.id = $1 \
             AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM cluster_versions v WHERE v.cluster_id = c.id AND v.version = $2)) \
             FOR SHARE RETURNING {COMMENT_COLUMNS}"
        ))
        .bind(new.cluster_id)
        .bind(new.version)
        .bind(&new.author)
        .bind(&new.text)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let last: Option<(i64, String)> = sqlx::query_as(
                "SELECT version, operation FROM cluster_versions WHERE cluster_id = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(new.cluster_id)
            .fetch_optional(&mut *tx)
            .await?;
            let has_version: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM cluster_versions WHERE cluster_id = $1 AND version = $2)",
            )
            .bind(new.cluster_id)
            .bind(new.version)
            .fetch_one(&mut *tx)
            .await?;
            return Err(comment_refusal(new.cluster_id, new.version, last, has_version));
        };
        let comment = decode_comment(&row)?;
        super::insert_audit(&mut *tx, &audit_of_comment(&comment, new.address.as_deref())).await?;
        tx.commit().await?;
        Ok(comment)
    }

    async fn comments(&self, id: i64) -> Result<Vec<Comment>, StoreError> {
        let existed: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM cluster_versions WHERE cluster_id = $1)")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        if !existed {
            return Err(StoreError::NotFound(id));
        }
        let rows =
            sqlx::query(&format!("SELECT {COMMENT_COLUMNS} FROM cluster_comments WHERE cluster_id = $1 ORDER BY id"))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(decode_comment).collect()
    }
}

const COMMENT_COLUMNS: &str = "id, cluster_id, version, author, text, created_at";

fn decode_comment(row: &PgRow) -> Result<Comment, StoreError> {
    Ok(Comment {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        version: row.try_get("version")?,
        author: row.try_get("author")?,
        text: row.try_get("text")?,
        created_at: row.try_get("created_at")?,
    })
}
