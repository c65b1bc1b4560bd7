//! [`PlanningStore`] on the GeoPackage file.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use clusterplan_core::units::{Succession, Unit};
use clusterplan_core::zones::{LandTotals, Zone, ZoneDraft, check_placement};
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use super::{COLUMNS, GpkgStore, decode, explain_miss, parse_timestamp, timestamp};
use crate::geom::{from_gpkg, to_gpkg};
use crate::planning::{
    EventRecord, NewEvent, NewTask, PlanningStore, TaskRecord, UnitQuery, ZoneQuery, covers_point, sibling_refs,
};
use crate::record::{StoredEvent, StoredTask, StoredUnit, StoredZone, intersects_bbox};
use crate::sql_store::versions::record_zone_version;
use crate::{Store, StoreError, WriteContext};

const ZONE_COLUMNS: &str = "fid, geom, cluster_id, land_use, label, leasable, leased, tenant, area_ha, geodesic_area_ha, \
                            version, created_at, updated_at";
const EVENT_COLUMNS: &str = "id, cluster_id, seq, from_status, to_status, effective_date, act_number, act_date, \
                             act_authority, act_link, note, overrides, rule_results, cluster_version, recorded_at, recorded_by";
const TASK_COLUMNS: &str = "id, title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, notes";
const UNIT_COLUMNS: &str = "geom, code, name, level, parent_code, valid_from, valid_to, notes";

pub(super) fn decode_zone(row: &SqliteRow) -> Result<Zone, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredZone {
        id: row.try_get("fid")?,
        cluster_id: row.try_get("cluster_id")?,
        land_use: row.try_get("land_use")?,
        label: row.try_get("label")?,
        leasable: row.try_get("leasable")?,
        leased: row.try_get("leased")?,
        tenant: row.try_get("tenant")?,
        area_ha: row.try_get("area_ha")?,
        geodesic_area_ha: row.try_get("geodesic_area_ha")?,
        version: row.try_get("version")?,
        created_at: parse_timestamp(row.try_get("created_at")?)?,
        updated_at: parse_timestamp(row.try_get("updated_at")?)?,
        boundary: from_gpkg(&blob)?,
    }
    .into_zone()
}

fn decode_event(row: &SqliteRow) -> Result<EventRecord, StoreError> {
    StoredEvent {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        seq: row.try_get("seq")?,
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
        recorded_at: parse_timestamp(row.try_get("recorded_at")?)?,
        recorded_by: row.try_get("recorded_by")?,
    }
    .into_record()
}

fn decode_task(row: &SqliteRow) -> Result<TaskRecord, StoreError> {
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

fn decode_unit(row: &SqliteRow) -> Result<Unit, StoreError> {
    let blob: Vec<u8> = row.try_get("geom")?;
    StoredUnit {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: row.try_get("level")?,
        parent_code: row.try_get("parent_code")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        notes: row.try_get("notes")?,
        boundary: from_gpkg(&blob)?,
    }
    .into_unit()
}

async fn insert_event(
    tx: &mut Transaction<'_, Sqlite>,
    cluster_id: i64,
    seq: i64,
    new: &NewEvent,
    cluster_version: i64,
    ctx: &WriteContext,
    ts: &str,
) -> Result<i64, StoreError> {
    let e = &new.event;
    let act = e.act.as_ref();
    let id = sqlx::query_scalar(
        "INSERT INTO cluster_events (cluster_id, seq, from_status, to_status, effective_date, act_number, act_date, \
         act_authority, act_link, note, overrides, rule_results, cluster_version, recorded_at, recorded_by) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
    )
    .bind(cluster_id)
    .bind(seq)
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
    .bind(ts)
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
    Ok(id)
}

async fn event_by_id(tx: &mut Transaction<'_, Sqlite>, id: i64) -> Result<EventRecord, StoreError> {
    let row = sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events WHERE id = ?"))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    decode_event(&row)
}

/// Locks the cluster for the rest of the transaction (SQLite: takes the write lock) and reads
/// it with the zones placed in it.
pub(super) async fn lock_cluster_with_zones(
    tx: &mut Transaction<'_, Sqlite>,
    cluster_id: i64,
) -> Result<(Cluster, Vec<Zone>), StoreError> {
    let touched =
        sqlx::query("UPDATE clusters SET fid = fid WHERE fid = ?").bind(cluster_id).execute(&mut **tx).await?;
    if touched.rows_affected() == 0 {
        return Err(StoreError::MissingReference { what: "cluster", id: cluster_id });
    }
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters WHERE fid = ?"))
        .bind(cluster_id)
        .fetch_one(&mut **tx)
        .await?;
    let cluster = decode(&row)?;
    let rows = sqlx::query(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE cluster_id = ? ORDER BY fid"))
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

async fn index_zone(tx: &mut Transaction<'_, Sqlite>, id: i64, draft: Option<&ZoneDraft>) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM rtree_zones_geom WHERE id = ?").bind(id).execute(&mut **tx).await?;
    if let Some(draft) = draft {
        let [minx, miny, maxx, maxy] = draft.boundary.bbox();
        sqlx::query("INSERT INTO rtree_zones_geom (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(minx)
            .bind(maxx)
            .bind(miny)
            .bind(maxy)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Inserts a zone row (a new id, or `id` when a deleted zone is restored) and indexes it.
pub(super) async fn insert_zone_row(
    tx: &mut Transaction<'_, Sqlite>,
    id: Option<i64>,
    version: i64,
    draft: &ZoneDraft,
    ctx: &WriteContext,
    created_at: &str,
    ts: &str,
) -> Result<i64, StoreError> {
    let id: i64 = bind_zone_attrs!(sqlx::query_scalar(
        "INSERT INTO zones (fid, geom, cluster_id, land_use, label, leasable, leased, tenant, area_ha, geodesic_area_ha, \
         version, created_at, updated_at, updated_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING fid",
    )
    .bind(id)
    .bind(to_gpkg(&draft.boundary)?), draft)
    .bind(version)
    .bind(created_at)
    .bind(ts)
    .bind(&ctx.author)
    .fetch_one(&mut **tx)
    .await?;
    index_zone(tx, id, Some(draft)).await?;
    Ok(id)
}

/// Inserts a new zone with its first version.
async fn insert_zone(
    tx: &mut Transaction<'_, Sqlite>,
    draft: &ZoneDraft,
    ctx: &WriteContext,
    ts: &str,
) -> Result<i64, StoreError> {
    let id = insert_zone_row(tx, None, 1, draft, ctx, ts, ts).await?;
    record_zone_version::<Sqlite>(tx, id, 1, "create", draft, ctx, parse_timestamp(ts)?).await?;
    Ok(id)
}

impl GpkgStore {
    fn zone_candidates(&self, query: ZoneQuery) -> BoxStream<'static, Result<Zone, StoreError>> {
        let pool = self.pool.clone();
        let stream = async_stream::try_stream! {
            let mut sql = format!("SELECT {ZONE_COLUMNS} FROM zones WHERE (? IS NULL OR cluster_id = ?)");
            if query.bbox.is_some() {
                sql.push_str(
                    " AND fid IN (SELECT id FROM rtree_zones_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)",
                );
            }
            sql.push_str(" ORDER BY fid");
            let mut q = sqlx::query(&sql).bind(query.cluster_id).bind(query.cluster_id);
            if let Some([minx, miny, maxx, maxy]) = query.bbox {
                q = q.bind(maxx).bind(minx).bind(maxy).bind(miny);
            }
            let mut rows = q.fetch(&pool);
            while let Some(row) = rows.try_next().await? {
                let zone = decode_zone(&row)?;
                if query.bbox.is_none_or(|b| intersects_bbox(&zone.data.boundary, b)) {
                    yield zone;
                }
            }
        };
        stream.boxed()
    }
}

#[async_trait]
impl PlanningStore for GpkgStore {
    async fn create_cluster_with_event(
        &self,
        draft: &ClusterDraft,
        first: &NewEvent,
        ctx: &WriteContext,
    ) -> Result<(Cluster, EventRecord), StoreError> {
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        let id = Self::insert_in_tx(&mut tx, draft, ctx, Utc::now()).await?.id;
        let event_id = insert_event(&mut tx, id, 1, first, 1, ctx, &ts).await?;
        let event = event_by_id(&mut tx, event_id).await?;
        tx.commit().await?;
        Ok((self.get_cluster(id).await?, event))
    }

    async fn list_events(&self, cluster_id: i64) -> Result<Vec<EventRecord>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events WHERE cluster_id = ? ORDER BY seq"))
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
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        // Take the write lock first, so the history read below is the one this change extends.
        let touched =
            sqlx::query("UPDATE clusters SET fid = fid WHERE fid = ?").bind(cluster_id).execute(&mut *tx).await?;
        if touched.rows_affected() == 0 {
            return Err(StoreError::NotFound(cluster_id));
        }
        let latest: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, to_status FROM cluster_events WHERE cluster_id = ? ORDER BY seq DESC LIMIT 1")
                .bind(cluster_id)
                .fetch_optional(&mut *tx)
                .await?;
        let current = latest.as_ref().map(|(_, s)| s.clone());
        if current.as_deref() != new.event.from.map(clusterplan_core::ClusterStatus::code) {
            return Err(StoreError::StatusMoved { expected: new.event.from.map(|s| s.code().to_owned()), current });
        }
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM clusters WHERE fid = ?"))
            .bind(cluster_id)
            .fetch_one(&mut *tx)
            .await?;
        let before = decode(&row)?;
        let base = expansion.cloned().unwrap_or(before.data);
        let draft = ClusterDraft { attrs: base.attrs.with_status(new.event.to), ..base };
        let version = Self::update_in_tx(&mut tx, cluster_id, expected_version, &draft, ctx, Utc::now()).await?.version;
        let seq = latest.map_or(1, |(s, _)| s + 1);
        let event_id = insert_event(&mut tx, cluster_id, seq, new, version, ctx, &ts).await?;
        let event = event_by_id(&mut tx, event_id).await?;
        tx.commit().await?;
        Ok((event, self.get_cluster(cluster_id).await?))
    }

    async fn create_task(&self, task: &NewTask) -> Result<TaskRecord, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO planning_tasks (title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, notes, created_at) \
             VALUES (?,?,?,?,?,?,?,?,?) RETURNING {TASK_COLUMNS}"
        ))
        .bind(&task.task.title)
        .bind(&task.task.owner_agency)
        .bind(task.task.due)
        .bind(task.task.done_on)
        .bind(task.cluster_id)
        .bind(&task.unit_code)
        .bind(&task.act_number)
        .bind(&task.notes)
        .bind(timestamp(Utc::now()))
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
        let row = sqlx::query(&format!("UPDATE planning_tasks SET done_on = ? WHERE id = ? RETURNING {TASK_COLUMNS}"))
            .bind(done_on)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_task(&row)
    }

    async fn create_zone(&self, draft: &ZoneDraft, ctx: &WriteContext) -> Result<Zone, StoreError> {
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        let (cluster, zones) = lock_cluster_with_zones(&mut tx, draft.attrs.cluster_id()).await?;
        check(draft, &cluster, &zones, None)?;
        let id = insert_zone(&mut tx, draft, ctx, &ts).await?;
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
        let ts = timestamp(Utc::now());
        let a = &draft.attrs;
        let mut tx = self.pool.begin().await?;
        let (cluster, zones) = lock_cluster_with_zones(&mut tx, a.cluster_id()).await?;
        check(draft, &cluster, &zones, Some(id))?;
        let version: Option<i64> = bind_zone_attrs!(sqlx::query_scalar(
            "UPDATE zones SET geom = ?, cluster_id = ?, land_use = ?, label = ?, leasable = ?, leased = ?, tenant = ?, \
             area_ha = ?, geodesic_area_ha = ?, version = version + 1, updated_at = ?, updated_by = ? \
             WHERE fid = ? AND (? IS NULL OR version = ?) RETURNING version",
        )
        .bind(to_gpkg(&draft.boundary)?), draft)
        .bind(&ts)
        .bind(&ctx.author)
        .bind(id)
        .bind(expected_version)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(version) = version else {
            return Err(explain_miss(&mut tx, "zones", id, expected_version).await);
        };
        index_zone(&mut tx, id, Some(draft)).await?;
        record_zone_version::<Sqlite>(&mut tx, id, version, "update", draft, ctx, parse_timestamp(&ts)?).await?;
        tx.commit().await?;
        self.get_zone(id).await
    }

    async fn delete_zone(&self, id: i64, expected_version: Option<i64>, ctx: &WriteContext) -> Result<(), StoreError> {
        let ts = timestamp(Utc::now());
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query(&format!(
            "DELETE FROM zones WHERE fid = ? AND (? IS NULL OR version = ?) RETURNING {ZONE_COLUMNS}"
        ))
        .bind(id)
        .bind(expected_version)
        .bind(expected_version)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = deleted else {
            return Err(explain_miss(&mut tx, "zones", id, expected_version).await);
        };
        let zone = decode_zone(&row)?;
        index_zone(&mut tx, id, None).await?;
        record_zone_version::<Sqlite>(&mut tx, id, zone.version + 1, "delete", &zone.data, ctx, parse_timestamp(&ts)?)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_zone(&self, id: i64) -> Result<Zone, StoreError> {
        let row = sqlx::query(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE fid = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_zone(&row)
    }

    async fn count_zones(&self, query: &ZoneQuery) -> Result<u64, StoreError> {
        if query.bbox.is_none() {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM zones WHERE (? IS NULL OR cluster_id = ?)")
                .bind(query.cluster_id)
                .bind(query.cluster_id)
                .fetch_one(&self.pool)
                .await?;
            return Ok(n as u64);
        }
        self.zone_candidates(*query).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    fn stream_zones(&self, query: ZoneQuery) -> BoxStream<'static, Result<Zone, StoreError>> {
        self.zone_candidates(query)
            .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
            .take(query.limit as usize)
            .boxed()
    }

    async fn zones_at(&self, lon: f64, lat: f64) -> Result<Vec<Zone>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ZONE_COLUMNS} FROM zones WHERE fid IN (SELECT id FROM rtree_zones_geom \
             WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?) ORDER BY fid"
        ))
        .bind(lon)
        .bind(lon)
        .bind(lat)
        .bind(lat)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let zone = decode_zone(row)?;
            if covers_point(&zone.data.boundary, lon, lat) {
                out.push(zone);
            }
        }
        Ok(out)
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
        let ts = timestamp(Utc::now());
        let ctx = WriteContext { author: Some("bulk load".into()), ..WriteContext::default() };
        let mut tx = self.pool.begin().await?;
        for draft in drafts {
            insert_zone(&mut tx, draft, &ctx, &ts).await?;
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
                 VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (code, valid_from) DO NOTHING RETURNING fid",
            )
            .bind(to_gpkg(&unit.boundary)?)
            .bind(&unit.code)
            .bind(&unit.name)
            .bind(unit.level.code())
            .bind(&unit.parent_code)
            .bind(unit.valid_from)
            .bind(unit.valid_to)
            .bind(&unit.notes)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                let [minx, miny, maxx, maxy] = unit.boundary.bbox();
                sqlx::query("INSERT INTO rtree_units_geom (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)")
                    .bind(id)
                    .bind(minx)
                    .bind(maxx)
                    .bind(miny)
                    .bind(maxy)
                    .execute(&mut *tx)
                    .await?;
                added += 1;
            }
        }
        if added > 0 {
            for s in successions {
                sqlx::query(
                    "INSERT INTO unit_successions (kind, from_code, to_code, effective_date, act) VALUES (?,?,?,?,?)",
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
        let mut sql = format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE (? IS NULL OR (valid_from <= ? AND (valid_to IS NULL OR valid_to > ?))) \
             AND (? IS NULL OR level = ?) AND (? IS NULL OR code = ?)"
        );
        if query.bbox.is_some() {
            sql.push_str(
                " AND fid IN (SELECT id FROM rtree_units_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?)",
            );
        }
        sql.push_str(" ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, code, valid_from");
        let level = query.level.map(clusterplan_core::units::UnitLevel::code);
        let mut q = sqlx::query(&sql)
            .bind(query.on)
            .bind(query.on)
            .bind(query.on)
            .bind(level)
            .bind(level)
            .bind(&query.code)
            .bind(&query.code);
        if let Some([minx, miny, maxx, maxy]) = query.bbox {
            q = q.bind(maxx).bind(minx).bind(maxy).bind(miny);
        }
        let rows = q.fetch_all(&self.pool).await?;
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
