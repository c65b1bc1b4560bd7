//! [`PlanningStore`] on PostGIS. Placement checks run in Rust on the same core functions as
//! the GeoPackage store (so both refuse the same zones), inside the transaction that holds the
//! cluster's row lock; spatial look-ups use the `GiST` indexes.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::units::{Succession, Unit};
use clusterplan_core::zones::{LandTotals, Zone, ZoneDraft, check_placement};
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row, Transaction};

use super::{COLUMNS, PostgisStore, decode, explain_miss};
use crate::geom::{from_wkb, to_wkb};
use crate::planning::{EventRecord, NewEvent, NewTask, PlanningStore, TaskRecord, UnitQuery, ZoneQuery, sibling_refs};
use crate::record::{StoredEvent, StoredTask, StoredUnit, StoredZone};
use crate::sql_store::versions::record_zone_version;
use crate::{StoreError, WriteContext};

const ZONE_COLUMNS: &str = "id, ST_AsBinary(geom) AS geom, cluster_id, land_use, label, leasable, leased, tenant, area_ha, \
                            geodesic_area_ha, version, created_at, updated_at";
const EVENT_COLUMNS: &str = "id, cluster_id, seq, from_status, to_status, effective_date, act_number, act_date, \
                             act_authority, act_link, note, overrides::text AS overrides, rule_results::text AS rule_results, \
                             cluster_version, recorded_at, recorded_by";
const TASK_COLUMNS: &str = "id, title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, notes";
const UNIT_COLUMNS: &str = "ST_AsBinary(geom) AS geom, code, name, level, parent_code, valid_from, valid_to, notes";

pub(super) fn decode_zone(row: &PgRow) -> Result<Zone, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredZone {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        land_use: row.try_get("land_use")?,
        label: row.try_get("label")?,
        leasable: row.try_get("leasable")?,
        leased: row.try_get("leased")?,
        tenant: row.try_get("tenant")?,
        area_ha: row.try_get("area_ha")?,
        geodesic_area_ha: row.try_get("geodesic_area_ha")?,
        version: row.try_get("version")?,
        created_at: row.try_get::<DateTime<Utc>, _>("created_at")?,
        updated_at: row.try_get::<DateTime<Utc>, _>("updated_at")?,
        boundary: from_wkb(&blob)?,
    }
    .into_zone()
}

fn decode_event(row: &PgRow) -> Result<EventRecord, StoreError> {
    StoredEvent {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        seq: i64::from(row.try_get::<i32, _>("seq")?),
        from_status: row.try_get("from_status")?,
        to_status: row.try_get("to_status")?,
        effective: row.try_get("effective_date")?,
        act_number: row.try_get("act_number")?,
        act_date: row.try_get("act_date")?,
        act_authority: row.try_get("act_authority")?,
        act_link: row.try_get("act_link")?,
        note: row.try_get("note")?,
        overrides: row.try_get("overrides")?,
        rule_results: row.try_get("rule_results")?,
        cluster_version: row.try_get("cluster_version")?,
        recorded_at: row.try_get::<DateTime<Utc>, _>("recorded_at")?,
        recorded_by: row.try_get("recorded_by")?,
    }
    .into_record()
}

fn decode_task(row: &PgRow) -> Result<TaskRecord, StoreError> {
    Ok(StoredTask {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        owner_agency: row.try_get("owner_agency")?,
        due: row.try_get("due_date")?,
        done_on: row.try_get("done_on")?,
        cluster_id: row.try_get("cluster_id")?,
        unit_code: row.try_get("unit_code")?,
        act_number: row.try_get("act_number")?,
        notes: row.try_get("notes")?,
    }
    .into_record())
}

fn decode_unit(row: &PgRow) -> Result<Unit, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredUnit {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: row.try_get("level")?,
        parent_code: row.try_get("parent_code")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        notes: row.try_get("notes")?,
        boundary: from_wkb(&blob)?,
    }
    .into_unit()
}

async fn insert_event(
    tx: &mut Transaction<'_, Postgres>,
    cluster_id: i64,
    seq: i64,
    new: &NewEvent,
    cluster_version: i64,
    ctx: &WriteContext,
) -> Result<EventRecord, StoreError> {
    let e = &new.event;
    let act = e.act.as_ref();
    let row = sqlx::query(&format!(
        "INSERT INTO cluster_events (cluster_id, seq, from_status, to_status, effective_date, act_number, act_date, \
         act_authority, act_link, note, overrides, rule_results, cluster_version, recorded_at, recorded_by) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12::jsonb,$13,now(),$14) RETURNING {EVENT_COLUMNS}"
    ))
    .bind(cluster_id)
    .bind(i32::try_from(seq).unwrap_or(i32::MAX))
    .bind(e.from.map(clusterplan_core::ClusterStatus::code))
    .bind(e.to.code())
    .bind(e.effective)
    .bind(act.map(clusterplan_core::lifecycle::LegalAct::number))
    .bind(act.map(clusterplan_core::lifecycle::LegalAct::date))
    .bind(act.map(clusterplan_core::lifecycle::LegalAct::authority))
    .bind(act.and_then(|a| a.link()))
    .bind(&e.note)
    .bind(&new.overrides)
    .bind(&new.rule_results)
    .bind(cluster_version)
    .bind(&ctx.author)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match &e {
        // Another writer took this position in the history first.
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::StatusMoved { expected: None, current: None }
        }
        _ => StoreError::Backend(e),
    })?;
    decode_event(&row)
}

/// Locks the cluster's row for the rest of the transaction and reads it with its zones.
pub(super) async fn lock_cluster_with_zones(
    tx: &mut Transaction<'_, Postgres>,
    cluster_id: i64,
) -> Result<(Cluster, Vec<Zone>), StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters WHERE id = $1 FOR UPDATE"))
        .bind(cluster_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::MissingReference { what: "cluster", id: cluster_id })?;
    let cluster = decode(&row)?;
    let rows = sqlx::query(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE cluster_id = $1 ORDER BY id"))
        .bind(cluster_id)
        .fetch_all(&mut **tx)
        .await?;
    let zones = rows.iter().map(decode_zone).collect::<Result<Vec<_>, _>>()?;
    Ok((cluster, zones))
}

pub(super) fn check(
    draft: &ZoneDraft,
    cluster: &Cluster,
    zones: &[Zone],
    except: Option<i64>,
) -> Result<(), StoreError> {
    let siblings = sibling_refs(zones, except);
    let problems =
        check_placement(&draft.boundary, &cluster.data.boundary, &siblings, cluster.data.attrs.planning_crs())
            .map_err(|e| StoreError::Corrupt(format!("cluster {}: {e}", cluster.id)))?;
    if problems.is_empty() { Ok(()) } else { Err(StoreError::Placement(problems)) }
}

/// Inserts a zone row: a new id, or `id` when a deleted zone is restored (then `created_at`
/// is its first version's time).
pub(super) async fn insert_zone_row(
    tx: &mut Transaction<'_, Postgres>,
    id: Option<i64>,
    version: i64,
    draft: &ZoneDraft,
    ctx: &WriteContext,
) -> Result<i64, StoreError> {
    let id: i64 = bind_zone_attrs!(sqlx::query_scalar(
        "INSERT INTO zones (id, geom, cluster_id, land_use, label, leasable, leased, tenant, area_ha, geodesic_area_ha, \
         version, created_at, updated_at, updated_by) OVERRIDING SYSTEM VALUE \
         VALUES (coalesce($1, nextval(pg_get_serial_sequence('zones', 'id'))), ST_GeomFromWKB($2, 4326),$3,$4,$5,$6,$7,$8,$9,$10,$11, \
         coalesce((SELECT min(written_at) FROM zone_versions WHERE zone_id = $1), now()), now(), $12) RETURNING id",
    )
    .bind(id)
    .bind(to_wkb(&draft.boundary)?), draft)
    .bind(version)
    .bind(&ctx.author)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Inserts a new zone with its first version.
async fn insert_zone(
    tx: &mut Transaction<'_, Postgres>,
    draft: &ZoneDraft,
    ctx: &WriteContext,
) -> Result<i64, StoreError> {
    let id = insert_zone_row(tx, None, 1, draft, ctx).await?;
    // The version is written at the transaction's time, as now() wrote the row.
    let now = sqlx::query_scalar("SELECT now()").fetch_one(&mut **tx).await?;
    record_zone_version::<Postgres>(tx, id, 1, "create", draft, ctx, now).await?;
    Ok(id)
}

/// `WHERE` clause of a zone query, parameters `$1..$5`.
const ZONE_FILTER: &str = "($1::bigint IS NULL OR cluster_id = $1) AND \
                           ($2::float8 IS NULL OR ST_Intersects(geom, ST_MakeEnvelope($2, $3, $4, $5, 4326)))";

#[async_trait]
impl PlanningStore for PostgisStore {
    async fn create_cluster_with_event(
        &self,
        draft: &ClusterDraft,
        first: &NewEvent,
        ctx: &WriteContext,
    ) -> Result<(Cluster, EventRecord), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = Self::insert_in_tx(&mut tx, draft, ctx, chrono::Utc::now()).await?.id;
        let event = insert_event(&mut tx, id, 1, first, 1, ctx).await?;
        tx.commit().await?;
        Ok((crate::Store::get_cluster(self, id).await?, event))
    }

    async fn list_events(&self, cluster_id: i64) -> Result<Vec<EventRecord>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events WHERE cluster_id = $1 ORDER BY seq"))
                .bind(cluster_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn all_events(&self) -> Result<Vec<EventRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events ORDER BY cluster_id, seq"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn record_event(
        &self,
        cluster_id: i64,
        expected_version: Option<i64>,
        new: &NewEvent,
        expansion: Option<&ClusterDraft>,
        ctx: &WriteContext,
    ) -> Result<(EventRecord, Cluster), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Lock the row first, so the history read below is the one this change extends.
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters WHERE id = $1 FOR UPDATE"))
            .bind(cluster_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(cluster_id))?;
        let before = decode(&row)?;
        let latest: Option<(i32, String)> =
            sqlx::query_as("SELECT seq, to_status FROM cluster_events WHERE cluster_id = $1 ORDER BY seq DESC LIMIT 1")
                .bind(cluster_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = latest.as_ref().map(|(_, s)| s.clone());
        if current.as_deref() != new.event.from.map(clusterplan_core::ClusterStatus::code) {
            return Err(StoreError::StatusMoved { expected: new.event.from.map(|s| s.code().to_owned()), current });
        }
        let base = expansion.cloned().unwrap_or(before.data);
        let draft = ClusterDraft { attrs: base.attrs.with_status(new.event.to), ..base };
        let version =
            Self::update_in_tx(&mut tx, cluster_id, expected_version, &draft, ctx, chrono::Utc::now()).await?.version;
        let seq = latest.map_or(1, |(s, _)| i64::from(s) + 1);
        let event = insert_event(&mut tx, cluster_id, seq, new, version, ctx).await?;
        tx.commit().await?;
        Ok((event, crate::Store::get_cluster(self, cluster_id).await?))
    }

    async fn create_task(&self, task: &NewTask) -> Result<TaskRecord, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO planning_tasks (title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, notes, created_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,now()) RETURNING {TASK_COLUMNS}"
        ))
        .bind(&task.task.title)
        .bind(&task.task.owner_agency)
        .bind(task.task.due)
        .bind(task.task.done_on)
        .bind(task.cluster_id)
        .bind(&task.unit_code)
        .bind(&task.act_number)
        .bind(&task.notes)
        .fetch_one(&self.pool)
        .await?;
        decode_task(&row)
    }

    async fn list_tasks(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM planning_tasks ORDER BY due_date, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_task).collect()
    }

    async fn set_task_done(&self, id: i64, done_on: Option<NaiveDate>) -> Result<TaskRecord, StoreError> {
        let row =
            sqlx::query(&format!("UPDATE planning_tasks SET done_on = $1 WHERE id = $2 RETURNING {TASK_COLUMNS}"))
                .bind(done_on)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound(id))?;
        decode_task(&row)
    }

    async fn create_zone(&self, draft: &ZoneDraft, ctx: &WriteContext) -> Result<Zone, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (cluster, zones) = lock_cluster_with_zones(&mut tx, draft.attrs.cluster_id()).await?;
        check(draft, &cluster, &zones, None)?;
        let id = insert_zone(&mut tx, draft, ctx).await?;
        tx.commit().await?;
        self.get_zone(id).await
    }

    async fn update_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError> {
        let a = &draft.attrs;
        let mut tx = self.pool.begin().await?;
        // A zone moved to another cluster must leave no gap in the old cluster's lock either.
        let old_cluster: Option<i64> =
            sqlx::query_scalar("SELECT cluster_id FROM zones WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if let Some(old) = old_cluster.filter(|old| *old != a.cluster_id()) {
            sqlx::query("SELECT 1 FROM clusters WHERE id = $1 FOR UPDATE").bind(old).execute(&mut *tx).await?;
        }
        let (cluster, zones) = lock_cluster_with_zones(&mut tx, a.cluster_id()).await?;
        check(draft, &cluster, &zones, Some(id))?;
        let version: Option<i64> = bind_zone_attrs!(sqlx::query_scalar(
            "UPDATE zones SET geom = ST_GeomFromWKB($1, 4326), cluster_id = $2, land_use = $3, label = $4, leasable = $5, \
             leased = $6, tenant = $7, area_ha = $8, geodesic_area_ha = $9, version = version + 1, updated_at = now(), \
             updated_by = $10 WHERE id = $11 AND ($12::bigint IS NULL OR version = $12) RETURNING version",
        )
        .bind(to_wkb(&draft.boundary)?), draft)
        .bind(&ctx.author)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(version) = version else {
            return Err(explain_miss(&mut tx, "zones", id, expected_version).await);
        };
        let now = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
        record_zone_version::<Postgres>(&mut tx, id, version, "update", draft, ctx, now).await?;
        tx.commit().await?;
        self.get_zone(id).await
    }

    async fn delete_zone(&self, id: i64, expected_version: Option<i64>, ctx: &WriteContext) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query(&format!(
            "DELETE FROM zones WHERE id = $1 AND ($2::bigint IS NULL OR version = $2) RETURNING {ZONE_COLUMNS}"
        ))
        .bind(id)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = deleted else {
            return Err(explain_miss(&mut tx, "zones", id, expected_version).await);
        };
        let zone = decode_zone(&row)?;
        let now = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
        record_zone_version::<Postgres>(&mut tx, id, zone.version + 1, "delete", &zone.data, ctx, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_zone(&self, id: i64) -> Result<Zone, StoreError> {
        let row = sqlx::query(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_zone(&row)
    }

    async fn count_zones(&self, query: &ZoneQuery) -> Result<u64, StoreError> {
        let [min_lon, min_lat, max_lon, max_lat] = query.bbox.map_or([None; 4], |b| b.map(Some));
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM zones WHERE {ZONE_FILTER}"))
            .bind(query.cluster_id)
            .bind(min_lon)
            .bind(min_lat)
            .bind(max_lon)
            .bind(max_lat)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    fn stream_zones(&self, query: ZoneQuery) -> BoxStream<'static, Result<Zone, StoreError>> {
        let pool = self.pool.clone();
        async_stream::try_stream! {
            let [min_lon, min_lat, max_lon, max_lat] = query.bbox.map_or([None; 4], |b| b.map(Some));
            let sql = format!("SELECT {ZONE_COLUMNS} FROM zones WHERE {ZONE_FILTER} ORDER BY id LIMIT $6 OFFSET $7");
            let mut rows = sqlx::query(&sql)
                .bind(query.cluster_id)
                .bind(min_lon)
                .bind(min_lat)
                .bind(max_lon)
                .bind(max_lat)
                .bind(i64::from(query.limit))
                .bind(i64::try_from(query.offset).unwrap_or(i64::MAX))
                .fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                yield decode_zone(&row)?;
            }
        }
        .boxed()
    }

    async fn zones_at(&self, lon: f64, lat: f64) -> Result<Vec<Zone>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ZONE_COLUMNS} FROM zones WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY id"
        ))
        .bind(lon)
        .bind(lat)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_zone).collect()
    }

    async fn zone_totals(&self) -> Result<HashMap<i64, LandTotals>, StoreError> {
        let rows: Vec<(i64, String, bool, bool, f64, i64)> = sqlx::query_as(
            "SELECT cluster_id, land_use, leasable, leased, sum(area_ha), count(*) FROM zones \
             GROUP BY cluster_id, land_use, leasable, leased",
        )
        .fetch_all(&self.pool)
        .await?;
        crate::record::fold_totals(rows)
    }

    async fn bulk_load_zones(&self, drafts: &[ZoneDraft]) -> Result<u64, StoreError> {
        let ctx = WriteContext { author: Some("bulk load".into()), ..WriteContext::default() };
        let mut tx = self.pool.begin().await?;
        for draft in drafts {
            insert_zone(&mut tx, draft, &ctx).await?;
        }
        tx.commit().await?;
        Ok(drafts.len() as u64)
    }

    async fn load_units(&self, units: &[Unit], successions: &[Succession]) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for unit in units {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO units (geom, code, name, level, parent_code, valid_from, valid_to, notes) \
                 VALUES (ST_GeomFromWKB($1, 4326),$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (code, valid_from) DO NOTHING RETURNING id",
            )
            .bind(to_wkb(&unit.boundary)?)
            .bind(&unit.code)
            .bind(&unit.name)
            .bind(unit.level.code())
            .bind(&unit.parent_code)
            .bind(unit.valid_from)
            .bind(unit.valid_to)
            .bind(&unit.notes)
            .fetch_optional(&mut *tx)
            .await?;
            if id.is_some() {
                added += 1;
            }
        }
        if added > 0 {
            for s in successions {
                sqlx::query(
                    "INSERT INTO unit_successions (kind, from_code, to_code, effective_date, act) VALUES ($1,$2,$3,$4,$5)",
                )
                .bind(s.kind.code())
                .bind(&s.from_code)
                .bind(&s.to_code)
                .bind(s.effective)
                .bind(&s.act)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn list_units(&self, query: &UnitQuery) -> Result<Vec<Unit>, StoreError> {
        let [min_lon, min_lat, max_lon, max_lat] = query.bbox.map_or([None; 4], |b| b.map(Some));
        let rows = sqlx::query(&format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE ($1::date IS NULL OR (valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1))) \
             AND ($2::text IS NULL OR level = $2) AND ($3::text IS NULL OR code = $3) \
             AND ($4::float8 IS NULL OR geom && ST_MakeEnvelope($4, $5, $6, $7, 4326)) \
             ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, code, valid_from"
        ))
        .bind(query.on)
        .bind(query.level.map(clusterplan_core::units::UnitLevel::code))
        .bind(&query.code)
        .bind(min_lon)
        .bind(min_lat)
        .bind(max_lon)
        .bind(max_lat)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode_unit).collect()
    }

    async fn list_successions(&self) -> Result<Vec<Succession>, StoreError> {
        let rows: Vec<crate::record::SuccessionRow> = sqlx::query_as(
            "SELECT kind, from_code, to_code, effective_date, act FROM unit_successions ORDER BY effective_date, id",
        )
        .fetch_all(&self.pool)
        .await?;
        crate::record::successions(rows)
    }
}
