//! Zone history on PostGIS: `zone_versions` written with every zone write, read
//! back, `asOf`, restores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::zones::{Zone, ZoneDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};

use crate::sql_store::planning::{check, insert_zone_row, lock_cluster_with_zones};

fn decode_zone(row: &<sqlx::Postgres as sqlx::Database>::Row) -> Result<clusterplan_core::zones::Zone, StoreError> {
    crate::sql_store::planning::decode_zone::<sqlx::Postgres>(row)
}
use super::{PostgisStore, insert_audit};
use crate::geom::to_wkb;
use crate::history::audit_of_write;
use crate::zone_history::{ZoneHistoryStore, ZoneVersion};
use crate::{PlanningStore, StoreError, Version, WriteContext};

/// A version row under the column names of a zone row (`decode_zone` reads its state), with
/// the version's own columns after them.
const VERSION_COLUMNS: &str = "v.zone_id AS id, ST_AsBinary(v.geom) AS geom, v.cluster_id, v.land_use, v.label, v.leasable, v.leased, \
    v.tenant, v.area_ha, v.geodesic_area_ha, v.version, \
    (SELECT min(f.written_at) FROM zone_versions f WHERE f.zone_id = v.zone_id) AS created_at, \
    v.written_at AS updated_at, v.operation, v.author, v.reason, v.legal_act, v.reverted_from";

/// The latest version per zone written at or before `$1`, deletions left out.
const AS_OF: &str = "FROM zone_versions v WHERE v.version = (SELECT max(w.version) FROM zone_versions w \
    WHERE w.zone_id = v.zone_id AND w.written_at <= $1) AND v.operation <> 'delete'";

/// Appends the state just written (or deleted: no geometry) to `zone_versions`, and its audit
/// row, in the write's transaction.
pub(crate) async fn record_zone_version(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    version: i64,
    operation: &str,
    draft: &ZoneDraft,
    ctx: &WriteContext,
) -> Result<(), StoreError> {
    let geom = if operation == "delete" { None } else { Some(to_wkb(&draft.boundary)?) };
    bind_zone_attrs!(sqlx::query(
        "INSERT INTO zone_versions (zone_id, version, operation, author, reason, legal_act, reverted_from, written_at, \
         geom, cluster_id, land_use, label, leasable, leased, tenant, area_ha, geodesic_area_ha) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,now(),ST_GeomFromWKB($8, 4326),$9,$10,$11,$12,$13,$14,$15,$16)",
    )
    .bind(id)
    .bind(version)
    .bind(operation)
    .bind(&ctx.author)
    .bind(&ctx.reason)
    .bind(&ctx.legal_act)
    .bind(ctx.reverted_from)
    .bind(geom), draft)
    .execute(&mut **tx)
    .await?;
    insert_audit(&mut **tx, &audit_of_write("zone", id, version, operation, ctx)).await
}

fn decode_version(row: &PgRow) -> Result<ZoneVersion, StoreError> {
    // A deletion has no geometry: its row holds no state.
    let deleted = row.try_get::<Option<Vec<u8>>, _>("geom")?.is_none();
    Ok(Version {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        operation: row.try_get("operation")?,
        author: row.try_get("author")?,
        reason: row.try_get("reason")?,
        legal_act: row.try_get("legal_act")?,
        reverted_from: row.try_get("reverted_from")?,
        written_at: row.try_get("updated_at")?,
        state: if deleted { None } else { Some(decode_zone(row)?) },
    })
}

#[async_trait]
impl ZoneHistoryStore for PostgisStore {
    async fn zone_versions(&self, id: i64) -> Result<Vec<ZoneVersion>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM zone_versions v WHERE v.zone_id = $1 ORDER BY v.version"
        ))
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(id));
        }
        rows.iter().map(decode_version).collect()
    }

    async fn zone_version(&self, id: i64, version: i64) -> Result<ZoneVersion, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM zone_versions v WHERE v.zone_id = $1 AND v.version = $2"
        ))
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound(id))?;
        decode_version(&row)
    }

    async fn zone_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Zone, StoreError> {
        let row = sqlx::query(&format!("SELECT {VERSION_COLUMNS} {AS_OF} AND v.zone_id = $2"))
            .bind(at)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_version(&row)?.state.ok_or(StoreError::NotFound(id))
    }

    fn zones_as_of(&self, at: DateTime<Utc>) -> BoxStream<'static, Result<Zone, StoreError>> {
        let pool = self.pool.clone();
        async_stream::try_stream! {
            let sql = format!("SELECT {VERSION_COLUMNS} {AS_OF} ORDER BY v.zone_id");
            let mut rows = sqlx::query(&sql).bind(at).fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                if let Some(state) = decode_version(&row)?.state {
                    yield state;
                }
            }
        }
        .boxed()
    }

    async fn restore_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Two restores of one zone serialise on this lock.
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('zones/' || $1::text, 0))")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let last: Option<(i64, String)> = sqlx::query_as(
            "SELECT version, operation FROM zone_versions WHERE zone_id = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((last, operation)) = last else { return Err(StoreError::NotFound(id)) };
        if operation != "delete" || expected_version.is_some_and(|e| e != last) {
            return Err(StoreError::VersionConflict { id, expected: expected_version.unwrap_or(last), current: last });
        }
        let (cluster, zones) = lock_cluster_with_zones::<sqlx::Postgres>(&mut tx, draft.attrs.cluster_id()).await?;
        check(draft, &cluster, &zones, None)?;
        let version = last + 1;
        insert_zone_row::<sqlx::Postgres>(&mut tx, Some(id), version, draft, ctx, chrono::Utc::now()).await?;
        record_zone_version(&mut tx, id, version, "create", draft, ctx).await?;
        tx.commit().await?;
        self.get_zone(id).await
    }
}
