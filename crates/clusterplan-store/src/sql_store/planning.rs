//! [`PlanningStore`] on either database: status events, tasks, zones and units. Placement
//! checks run in Rust on the core's functions inside the transaction that holds the cluster's
//! lock, so both databases refuse the same zones.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::lifecycle::{LegalAct, PlanningTask, StatusEvent};
use clusterplan_core::units::{Succession, SuccessionKind, Unit, UnitLevel};
use clusterplan_core::zones::{LandTotals, LandUse, Zone, ZoneAttrs, ZoneDraft, ZoneInput, check_placement};
use clusterplan_core::{AreaReport, Cluster, ClusterDraft, ClusterStatus, Crs};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::QueryBuilder;

use super::{
    Paging, SqlStore, boundary, bounded_count, count_meeting_bbox, count_rows, explain_miss, lock_row, push_cursor,
    select_page,
};
use crate::backend::{At, Backend, RowExt, Sql, expand};
use crate::geom::geometry;
use crate::planning::{
    ClusterWrite, EventRecord, NewEvent, NewTask, PlanningStore, TaskRecord, UnitQuery, ZoneQuery, covers_point,
    sibling_refs,
};
use crate::query::intersects_bbox;
use crate::sql_store::versions::{delete_feature, record_version};
use crate::{Layer, StoreError, WriteContext};

/// The columns a zone is read from.
pub(crate) const ZONE_COLUMNS: &str = "{id} AS id, {geom}, version, created_at, updated_at, cluster_id, land_use, label, \
     leasable, leased, tenant, area_ha, geodesic_area_ha";

/// The attribute columns a zone write sets, on the row and on its version, in the order
/// [`bind_zone_attrs`] binds them.
pub(crate) const ZONE_ATTR_COLUMNS: [&str; 8] =
    ["cluster_id", "land_use", "label", "leasable", "leased", "tenant", "area_ha", "geodesic_area_ha"];

/// Binds a zone draft's attribute columns in the order of [`ZONE_ATTR_COLUMNS`].
pub(crate) fn bind_zone_attrs<B: Backend>(sql: Sql<B>, draft: &ZoneDraft) -> Sql<B> {
    let a = &draft.attrs;
    sql.bind(a.cluster_id())
        .bind(a.land_use().code())
        .bind(a.label().map(str::to_owned))
        .bind(a.leasable())
        .bind(a.leased())
        .bind(a.tenant().map(str::to_owned))
        .bind(draft.area.projected_ha)
        .bind(draft.area.geodesic_ha)
}

const EVENT_COLUMNS: &str = "id, cluster_id, CAST(seq AS BIGINT) AS seq, from_status, to_status, effective_date, \
     act_number, act_date, act_authority, act_link, note, CAST(overrides AS TEXT) AS overrides, \
     CAST(rule_results AS TEXT) AS rule_results, cluster_version, recorded_at, recorded_by";
const TASK_COLUMNS: &str = "id, title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, notes";
const UNIT_COLUMNS: &str = "{geom}, code, name, level, parent_code, valid_from, valid_to, notes";

/// The columns of [`ZONE_COLUMNS`] at their positions, as [`decode_zone`] reads them.
pub(crate) mod zone_col {
    crate::backend::positions! {
        ID = "id",
        GEOM = "geom",
        VERSION = "version",
        CREATED_AT = "created_at",
        UPDATED_AT = "updated_at",
        CLUSTER_ID = "cluster_id",
        LAND_USE = "land_use",
        LABEL = "label",
        LEASABLE = "leasable",
        LEASED = "leased",
        TENANT = "tenant",
        AREA_HA = "area_ha",
        GEODESIC_AREA_HA = "geodesic_area_ha",
    }
}

/// Decodes a row selected by [`ZONE_COLUMNS`].
pub(crate) fn decode_zone<B: Backend>(row: &B::Row) -> Result<Zone, StoreError> {
    use zone_col as c;
    let id: i64 = row.get(c::ID)?;
    let attrs = ZoneAttrs::parse(ZoneInput {
        cluster_id: row.get(c::CLUSTER_ID)?,
        land_use: row.get(c::LAND_USE)?,
        label: row.get(c::LABEL)?,
        leasable: row.get(c::LEASABLE)?,
        leased: row.get(c::LEASED)?,
        tenant: row.get(c::TENANT)?,
    })
    .map_err(|p| StoreError::Corrupt(format!("zone {id}: {p:?}")))?;
    // The area was measured in the cluster's planning CRS when written; the CRS itself is the
    // cluster's, so the report names the default system only as a placeholder.
    let area =
        AreaReport { projected_ha: row.get(c::AREA_HA)?, geodesic_ha: row.get(c::GEODESIC_AREA_HA)?, crs: Crs::WGS84 };
    Ok(Zone {
        id,
        version: row.get(c::VERSION)?,
        created_at: RowExt::<B>::time(row, c::CREATED_AT)?,
        updated_at: RowExt::<B>::time(row, c::UPDATED_AT)?,
        data: ZoneDraft { attrs, boundary: boundary::<B>(row, c::GEOM)?, area },
    })
}

fn decode_event<B: Backend>(row: &B::Row) -> Result<EventRecord, StoreError> {
    let id: i64 = row.get("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("event {id}: {what}"));
    let status = |code: String| ClusterStatus::from_code(&code).ok_or_else(|| corrupt("status"));
    let act_link: Option<String> = row.get("act_link")?;
    let act = match (
        row.get::<Option<String>>("act_number")?,
        row.get("act_date")?,
        row.get::<Option<String>>("act_authority")?,
    ) {
        (Some(number), Some(date), Some(authority)) => {
            Some(LegalAct::new(&number, date, &authority, act_link.as_deref()).map_err(|_| corrupt("legal act"))?)
        }
        (None, None, None) => None,
        _ => return Err(corrupt("incomplete legal act")),
    };
    let event = StatusEvent {
        from: row.get::<Option<String>>("from_status")?.map(status).transpose()?,
        to: status(row.get("to_status")?)?,
        effective: row.get("effective_date")?,
        act,
        note: row.get("note")?,
    };
    Ok(EventRecord {
        id,
        cluster_id: row.get("cluster_id")?,
        seq: row.get("seq")?,
        event,
        overrides: row.get("overrides")?,
        rule_results: row.get("rule_results")?,
        cluster_version: row.get("cluster_version")?,
        recorded_at: RowExt::<B>::time(row, "recorded_at")?,
        recorded_by: row.get("recorded_by")?,
    })
}

/// `?, ?, …`: `n` slots for a list of values (`n` ≥ 1), each bound.
fn slots(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn decode_task<B: Backend>(row: &B::Row) -> Result<TaskRecord, StoreError> {
    Ok(TaskRecord {
        id: row.get("id")?,
        task: PlanningTask {
            title: row.get("title")?,
            owner_agency: row.get("owner_agency")?,
            due: row.get("due_date")?,
            done_on: row.get("done_on")?,
        },
        cluster_id: row.get("cluster_id")?,
        unit_code: row.get("unit_code")?,
        act_number: row.get("act_number")?,
        notes: row.get("notes")?,
    })
}

fn decode_unit<B: Backend>(row: &B::Row) -> Result<Unit, StoreError> {
    let code: String = row.get("code")?;
    let level: String = row.get("level")?;
    let level = UnitLevel::from_code(&level).ok_or_else(|| StoreError::Corrupt(format!("unit {code}: level")))?;
    Ok(Unit {
        name: row.get("name")?,
        level,
        parent_code: row.get("parent_code")?,
        valid_from: row.get("valid_from")?,
        valid_to: row.get("valid_to")?,
        boundary: boundary::<B>(row, At(0, "geom"))?,
        notes: row.get("notes")?,
        code,
    })
}

async fn insert_event<B: Backend>(
    conn: &mut B::Connection,
    cluster_id: i64,
    seq: i64,
    new: &NewEvent,
    cluster_version: i64,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<EventRecord, StoreError> {
    let e = &new.event;
    let act = e.act.as_ref();
    let row = Sql::<B>::new(&format!(
        "INSERT INTO cluster_events (cluster_id, seq, from_status, to_status, effective_date, act_number, act_date, \
         act_authority, act_link, note, overrides, rule_results, cluster_version, recorded_at, recorded_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {{jsonb}}, {{jsonb}}, ?, ?, ?) RETURNING {EVENT_COLUMNS}"
    ))
    .bind(cluster_id)
    .bind(seq)
    .bind(e.from.map(ClusterStatus::code))
    .bind(e.to.code())
    .bind(e.effective)
    .bind(act.map(|a| a.number().to_owned()))
    .bind(act.map(LegalAct::date))
    .bind(act.map(|a| a.authority().to_owned()))
    .bind(act.and_then(|a| a.link()).map(str::to_owned))
    .bind(e.note.clone())
    .bind(new.overrides.clone())
    .bind(new.rule_results.clone())
    .bind(cluster_version)
    .time(now)
    .bind(ctx.author.clone())
    .fetch_one(conn)
    .await
    .map_err(|e| match e {
        // Another writer took this position in the history first.
        StoreError::Backend(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::StatusMoved { expected: None, current: None }
        }
        other => other,
    })?;
    decode_event::<B>(&row)
}

/// Locks the cluster for the rest of the transaction and reads it with the zones placed in it.
pub(crate) async fn lock_cluster_with_zones<B: Backend>(
    conn: &mut B::Connection,
    cluster_id: i64,
) -> Result<(Cluster, Vec<Zone>), StoreError> {
    if !lock_row::<B>(conn, "clusters", cluster_id).await? {
        return Err(StoreError::MissingReference { what: "cluster", id: cluster_id });
    }
    let cluster = SqlStore::<B>::cluster_in_tx(conn, cluster_id)
        .await?
        .ok_or(StoreError::MissingReference { what: "cluster", id: cluster_id })?;
    let rows = Sql::<B>::new(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE cluster_id = ? ORDER BY {{id}}"))
        .bind(cluster_id)
        .fetch_all(conn)
        .await?;
    let zones = rows.iter().map(decode_zone::<B>).collect::<Result<Vec<_>, _>>()?;
    Ok((cluster, zones))
}

/// Whether a zone fits its cluster beside its siblings (`except`: the zone itself).
pub(crate) fn check(
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

/// Inserts a zone row (a new id, or `id` when a deleted zone is restored: then `created_at` is
/// its first version's time) and keeps the index; returns its id.
pub(crate) async fn insert_zone_row<B: Backend>(
    conn: &mut B::Connection,
    id: Option<i64>,
    version: i64,
    draft: &ZoneDraft,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let (id_column, id_slot, overriding) = if id.is_some() { ("{id}, ", "?, ", "{overriding}") } else { ("", "", "") };
    let mut sql = Sql::<B>::new(&format!(
        "INSERT INTO zones ({id_column}{}, geom, version, created_at, updated_at, updated_by){overriding} \
         VALUES ({id_slot}{}, ?, ?, coalesce((SELECT min(written_at) FROM zone_versions WHERE zone_id = ?), ?), ?, ?) \
         RETURNING {{id}} AS id",
        ZONE_ATTR_COLUMNS.join(", "),
        super::slots(ZONE_ATTR_COLUMNS.len()),
    ));
    if let Some(id) = id {
        sql = sql.bind(id);
    }
    let row = bind_zone_attrs(sql, draft)
        .geom(Some(&geometry(&draft.boundary)))?
        .bind(version)
        .bind(id)
        .time(now)
        .time(now)
        .bind(ctx.author.clone())
        .fetch_one(conn)
        .await?;
    let id: i64 = row.get("id")?;
    B::after_write(conn, "zones", id, Some(draft.boundary.bbox()), now).await?;
    Ok(id)
}

/// Inserts a new zone with its first version.
async fn insert_zone<B: Backend>(
    conn: &mut B::Connection,
    draft: &ZoneDraft,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id = insert_zone_row::<B>(conn, None, 1, draft, ctx, now).await?;
    record_version::<B, Zone>(conn, id, 1, "create", draft, ctx, now).await?;
    Ok(id)
}

impl<B: Backend> SqlStore<B> {
    /// ` WHERE …` of a zone query: its cluster, and its bbox (exact when the database decides
    /// it, else an envelope test decided again in Rust).
    fn push_zone_where(qb: &mut QueryBuilder<'static, B>, query: &ZoneQuery) {
        qb.push(" WHERE TRUE");
        if let Some(cluster_id) = query.cluster_id {
            qb.push(" AND cluster_id = ");
            B::bind(qb, cluster_id);
        }
        if let Some(bbox) = query.bbox {
            B::push_bbox(qb, query.layer.zones_table(), bbox);
        }
    }

    /// Whether a zone query is decided wholly in SQL, paging included.
    fn zones_exact_in_sql(query: &ZoneQuery) -> bool {
        B::BBOX_EXACT || query.bbox.is_none()
    }

    fn select_zones(&self, query: ZoneQuery, page: bool) -> BoxStream<'static, Result<Zone, StoreError>> {
        let table = query.layer.zones_table();
        let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {ZONE_COLUMNS} FROM {table}")));
        Self::push_zone_where(&mut qb, &query);
        let cursor = query.cursor.filter(|_| page);
        push_cursor::<B>(&mut qb, cursor);
        let descending = if matches!(cursor, Some(crate::Cursor::Before(_))) { " DESC" } else { "" };
        qb.push(format_args!(" ORDER BY {}{descending}", B::ID));
        let paging = page.then_some(Paging { limit: query.limit, offset: query.offset, cursor });
        let admits = move |z: &Zone| query.bbox.is_none_or(|b| intersects_bbox(&z.data.boundary, b));
        select_page(self.warm.clone(), qb, Self::zones_exact_in_sql(&query), paging, decode_zone::<B>, admits)
    }
}

#[async_trait]
impl<B: Backend> PlanningStore for SqlStore<B> {
    async fn write_clusters(&self, writes: &[ClusterWrite], ctx: &WriteContext) -> Result<Vec<Cluster>, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mut written = Vec::with_capacity(writes.len());
        for write in writes {
            // An error drops the transaction: nothing of the import stays.
            written.push(match write {
                ClusterWrite::Create { draft, first } => {
                    let cluster = Self::insert_in_tx(&mut tx, draft, ctx, now).await?;
                    insert_event::<B>(&mut tx, cluster.id, 1, first, 1, ctx, now).await?;
                    cluster
                }
                ClusterWrite::Update { id, expected_version, draft } => {
                    Self::update_in_tx(&mut tx, *id, Some(*expected_version), draft, ctx, now).await?
                }
            });
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn create_cluster_with_event(
        &self,
        draft: &ClusterDraft,
        first: &NewEvent,
        ctx: &WriteContext,
    ) -> Result<(Cluster, EventRecord), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let cluster = Self::insert_in_tx(&mut tx, draft, ctx, now).await?;
        let event = insert_event::<B>(&mut tx, cluster.id, 1, first, 1, ctx, now).await?;
        tx.commit().await?;
        Ok((cluster, event))
    }

    async fn list_events(&self, cluster_id: i64) -> Result<Vec<EventRecord>, StoreError> {
        let mut conn = self.warm.lease().await?;
        let rows =
            Sql::<B>::new(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events WHERE cluster_id = ? ORDER BY seq"))
                .bind(cluster_id)
                .fetch_all(&mut conn)
                .await?;
        conn.done();
        rows.iter().map(decode_event::<B>).collect()
    }

    async fn all_events(&self) -> Result<Vec<EventRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(&format!("SELECT {EVENT_COLUMNS} FROM cluster_events ORDER BY cluster_id, seq"))
            .fetch_all(&mut conn)
            .await?;
        rows.iter().map(decode_event::<B>).collect()
    }

    async fn events_of(&self, cluster_ids: &[i64], layer: Layer) -> Result<Vec<EventRecord>, StoreError> {
        if cluster_ids.is_empty() {
            return Ok(Vec::new());
        }
        // The published history ends at the last publication, asked in the same statement (one
        // round trip, one snapshot); before the first publication it is empty (`<=` NULL).
        let published = match layer {
            Layer::Draft => "",
            Layer::Published => {
                " AND recorded_at <= (SELECT published_at FROM publications WHERE collection = 'clusters' \
                 ORDER BY seq DESC LIMIT 1)"
            }
        };
        let mut conn = self.warm.lease().await?;
        let mut sql = Sql::<B>::new(&format!(
            "SELECT {EVENT_COLUMNS} FROM cluster_events WHERE cluster_id IN ({}){published} ORDER BY cluster_id, seq",
            slots(cluster_ids.len())
        ));
        for id in cluster_ids {
            sql = sql.bind(*id);
        }
        let rows = sql.fetch_all(&mut conn).await?;
        conn.done();
        rows.iter().map(decode_event::<B>).collect()
    }

    async fn record_event(
        &self,
        cluster_id: i64,
        expected_version: Option<i64>,
        new: &NewEvent,
        expansion: Option<&ClusterDraft>,
        ctx: &WriteContext,
    ) -> Result<(EventRecord, Cluster), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        // Lock the cluster first, so that the history read below is the one this change extends.
        if !lock_row::<B>(&mut tx, "clusters", cluster_id).await? {
            return Err(StoreError::NotFound(cluster_id));
        }
        let latest = Sql::<B>::new(
            "SELECT CAST(seq AS BIGINT) AS seq, to_status FROM cluster_events WHERE cluster_id = ? \
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(cluster_id)
        .fetch_optional(&mut tx)
        .await?
        .map(|row| Ok::<_, StoreError>((row.get::<i64>("seq")?, row.get::<String>("to_status")?)))
        .transpose()?;
        let current = latest.as_ref().map(|(_, s)| s.clone());
        if current.as_deref() != new.event.from.map(ClusterStatus::code) {
            return Err(StoreError::StatusMoved { expected: new.event.from.map(|s| s.code().to_owned()), current });
        }
        let before = Self::cluster_in_tx(&mut tx, cluster_id).await?.ok_or(StoreError::NotFound(cluster_id))?;
        let base = expansion.cloned().unwrap_or(before.data);
        let draft = ClusterDraft { attrs: base.attrs.with_status(new.event.to), ..base };
        let cluster = Self::update_in_tx(&mut tx, cluster_id, expected_version, &draft, ctx, now).await?;
        let seq = latest.map_or(1, |(s, _)| s + 1);
        let event = insert_event::<B>(&mut tx, cluster_id, seq, new, cluster.version, ctx, now).await?;
        tx.commit().await?;
        Ok((event, cluster))
    }

    async fn create_task(&self, task: &NewTask) -> Result<TaskRecord, StoreError> {
        let mut tx = self.begin().await?;
        let row = Sql::<B>::new(&format!(
            "INSERT INTO planning_tasks (title, owner_agency, due_date, done_on, cluster_id, unit_code, act_number, \
             notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {TASK_COLUMNS}"
        ))
        .bind(task.task.title.clone())
        .bind(task.task.owner_agency.clone())
        .bind(task.task.due)
        .bind(task.task.done_on)
        .bind(task.cluster_id)
        .bind(task.unit_code.clone())
        .bind(task.act_number.clone())
        .bind(task.notes.clone())
        .time(Utc::now())
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        decode_task::<B>(&row)
    }

    async fn list_tasks(&self) -> Result<Vec<TaskRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(&format!("SELECT {TASK_COLUMNS} FROM planning_tasks ORDER BY due_date, id"))
            .fetch_all(&mut conn)
            .await?;
        rows.iter().map(decode_task::<B>).collect()
    }

    async fn tasks_concerning(
        &self,
        cluster_ids: &[i64],
        unit_codes: &[String],
    ) -> Result<Vec<TaskRecord>, StoreError> {
        let mut wanted = Vec::new();
        if !cluster_ids.is_empty() {
            wanted.push(format!("cluster_id IN ({})", slots(cluster_ids.len())));
        }
        if !unit_codes.is_empty() {
            wanted.push(format!("unit_code IN ({})", slots(unit_codes.len())));
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.warm.lease().await?;
        let mut sql = Sql::<B>::new(&format!(
            "SELECT {TASK_COLUMNS} FROM planning_tasks WHERE {} ORDER BY due_date, id",
            wanted.join(" OR ")
        ));
        for id in cluster_ids {
            sql = sql.bind(*id);
        }
        for code in unit_codes {
            sql = sql.bind(code.clone());
        }
        let rows = sql.fetch_all(&mut conn).await?;
        conn.done();
        rows.iter().map(decode_task::<B>).collect()
    }

    async fn set_task_done(&self, id: i64, done_on: Option<NaiveDate>) -> Result<TaskRecord, StoreError> {
        let mut tx = self.begin().await?;
        let row =
            Sql::<B>::new(&format!("UPDATE planning_tasks SET done_on = ? WHERE id = ? RETURNING {TASK_COLUMNS}"))
                .bind(done_on)
                .bind(id)
                .fetch_optional(&mut tx)
                .await?
                .ok_or(StoreError::NotFound(id))?;
        tx.commit().await?;
        decode_task::<B>(&row)
    }

    async fn create_zone(&self, draft: &ZoneDraft, ctx: &WriteContext) -> Result<Zone, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let (cluster, zones) = lock_cluster_with_zones::<B>(&mut tx, draft.attrs.cluster_id()).await?;
        check(draft, &cluster, &zones, None)?;
        let id = insert_zone::<B>(&mut tx, draft, ctx, now).await?;
        let zone = Self::zone_in_tx(&mut tx, id).await?;
        tx.commit().await?;
        Ok(zone)
    }

    async fn write_zones(&self, drafts: &[ZoneDraft], ctx: &WriteContext) -> Result<Vec<Zone>, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mut clusters: HashMap<i64, (Cluster, Vec<Zone>)> = HashMap::new();
        let mut written = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let cluster_id = draft.attrs.cluster_id();
            let (cluster, zones) = match clusters.entry(cluster_id) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(lock_cluster_with_zones::<B>(&mut tx, cluster_id).await?)
                }
            };
            check(draft, cluster, zones, None)?;
            let id = insert_zone::<B>(&mut tx, draft, ctx, now).await?;
            let zone = Self::zone_in_tx(&mut tx, id).await?;
            zones.push(zone.clone());
            written.push(zone);
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn update_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError> {
        let now = Utc::now();
        let cluster_id = draft.attrs.cluster_id();
        let mut tx = self.begin().await?;
        let (cluster, zones) = lock_cluster_with_zones::<B>(&mut tx, cluster_id).await?;
        // A zone moved to another cluster must leave no gap in the old cluster's lock either.
        let old_cluster = Sql::<B>::new("SELECT cluster_id FROM zones WHERE {id} = ?")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .map(|row| row.get::<i64>("cluster_id"))
            .transpose()?;
        if let Some(old) = old_cluster.filter(|old| *old != cluster_id) {
            lock_row::<B>(&mut tx, "clusters", old).await?;
        }
        check(draft, &cluster, &zones, Some(id))?;
        let sql = Sql::<B>::new(&format!(
            "UPDATE zones SET {}, geom = ?, version = version + 1, updated_at = ?, updated_by = ? \
             WHERE {{id}} = ? AND (? IS NULL OR version = ?) RETURNING {ZONE_COLUMNS}",
            super::assignments(&ZONE_ATTR_COLUMNS)
        ));
        let row = bind_zone_attrs(sql, draft)
            .geom(Some(&geometry(&draft.boundary)))?
            .time(now)
            .bind(ctx.author.clone())
            .bind(id)
            .bind(expected_version)
            .bind(expected_version)
            .fetch_optional(&mut tx)
            .await?;
        let Some(row) = row else {
            return Err(explain_miss::<B>(&mut tx, "zones", id, expected_version).await);
        };
        let zone = decode_zone::<B>(&row)?;
        B::after_write(&mut tx, "zones", id, Some(draft.boundary.bbox()), now).await?;
        record_version::<B, Zone>(&mut tx, id, zone.version, "update", draft, ctx, now).await?;
        tx.commit().await?;
        Ok(zone)
    }

    async fn delete_zone(&self, id: i64, expected_version: Option<i64>, ctx: &WriteContext) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        delete_feature::<B, Zone>(&mut tx, id, expected_version, ctx, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_zone(&self, id: i64) -> Result<Zone, StoreError> {
        let mut conn = self.warm.lease().await?;
        let zone = Self::zone_in_tx(&mut conn, id).await?;
        conn.done();
        Ok(zone)
    }

    async fn count_zones_up_to(&self, query: &ZoneQuery, at_most: u64) -> Result<u64, StoreError> {
        if Self::zones_exact_in_sql(query) {
            let qb = bounded_count(query.layer.zones_table(), at_most, |qb| {
                Self::push_zone_where(qb, query);
                Ok(())
            })?;
            return count_rows(&self.warm, qb).await;
        }
        let take = usize::try_from(at_most).unwrap_or(usize::MAX);
        let Some(bbox) = query.bbox else {
            return self.select_zones(*query, false).take(take).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await;
        };
        // Only the bbox is left to test here: geometries only, each by its envelope first.
        let table = query.layer.zones_table();
        let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {{geom}} FROM {table}")));
        Self::push_zone_where(&mut qb, query);
        count_meeting_bbox(&self.warm, qb, bbox, take).await
    }

    fn stream_zones(&self, query: ZoneQuery) -> BoxStream<'static, Result<Zone, StoreError>> {
        self.select_zones(query, true)
    }

    async fn zones_at(&self, lon: f64, lat: f64, layer: Layer) -> Result<Vec<Zone>, StoreError> {
        let table = layer.zones_table();
        let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {ZONE_COLUMNS} FROM {table} WHERE TRUE")));
        B::push_envelope(&mut qb, table, [lon, lat, lon, lat]);
        qb.push(format_args!(" ORDER BY {}", B::ID));
        let mut conn = self.warm.lease().await?;
        let rows = B::fetch_all(&mut conn, qb).await?;
        conn.done();
        let mut out = Vec::new();
        for row in rows {
            // The index compares envelopes; the answer is what really covers the point.
            let zone = decode_zone::<B>(&row)?;
            if covers_point(&zone.data.boundary, lon, lat) {
                out.push(zone);
            }
        }
        Ok(out)
    }

    async fn zone_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError> {
        super::extent_of::<B>(&self.pool, layer.zones_table()).await
    }

    async fn zone_totals(&self) -> Result<HashMap<i64, LandTotals>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(
            "SELECT cluster_id, land_use, leasable, leased, sum(area_ha) AS area, count(*) AS n FROM zones \
             GROUP BY cluster_id, land_use, leasable, leased",
        )
        .fetch_all(&mut conn)
        .await?;
        let mut out: HashMap<i64, LandTotals> = HashMap::new();
        for row in &rows {
            let code: String = row.get("land_use")?;
            let land_use =
                LandUse::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("land use {code:?}")))?;
            let totals = out.entry(row.get("cluster_id")?).or_default();
            totals.add(land_use, row.get("area")?, row.get("leasable")?, row.get("leased")?);
            // `add` counts one zone per call; a group holds `n`.
            totals.zones += u64::try_from(row.get::<i64>("n")?).unwrap_or(0).saturating_sub(1);
        }
        Ok(out)
    }

    async fn bulk_load_zones(&self, drafts: &[ZoneDraft]) -> Result<u64, StoreError> {
        let now = Utc::now();
        let ctx = WriteContext { author: Some("bulk load".into()), ..WriteContext::default() };
        let mut tx = self.begin().await?;
        for draft in drafts {
            insert_zone::<B>(&mut tx, draft, &ctx, now).await?;
        }
        tx.commit().await?;
        Ok(drafts.len() as u64)
    }

    async fn load_units(&self, units: &[Unit], successions: &[Succession]) -> Result<u64, StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mut added = 0;
        for unit in units {
            let row = Sql::<B>::new(
                "INSERT INTO units (geom, code, name, level, parent_code, valid_from, valid_to, notes) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code, valid_from) DO NOTHING RETURNING {id} AS id",
            )
            .geom(Some(&geometry(&unit.boundary)))?
            .bind(unit.code.clone())
            .bind(unit.name.clone())
            .bind(unit.level.code())
            .bind(unit.parent_code.clone())
            .bind(unit.valid_from)
            .bind(unit.valid_to)
            .bind(unit.notes.clone())
            .fetch_optional(&mut tx)
            .await?;
            if let Some(row) = row {
                B::after_write(&mut tx, "units", row.get("id")?, Some(unit.boundary.bbox()), now).await?;
                added += 1;
            }
        }
        if added > 0 {
            for s in successions {
                Sql::<B>::new(
                    "INSERT INTO unit_successions (kind, from_code, to_code, effective_date, act) VALUES (?, ?, ?, ?, ?)",
                )
                .bind(s.kind.code())
                .bind(s.from_code.clone())
                .bind(s.to_code.clone())
                .bind(s.effective)
                .bind(s.act.clone())
                .execute(&mut tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn list_units(&self, query: &UnitQuery) -> Result<Vec<Unit>, StoreError> {
        let mut qb = QueryBuilder::new(expand::<B>(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE TRUE")));
        if let Some(on) = query.on {
            qb.push(" AND valid_from <= ");
            B::bind(&mut qb, on);
            qb.push(" AND (valid_to IS NULL OR valid_to > ");
            B::bind(&mut qb, on);
            qb.push(")");
        }
        if let Some(level) = query.level {
            qb.push(" AND level = ");
            B::bind(&mut qb, level.code());
        }
        if let Some(code) = &query.code {
            qb.push(" AND code = ");
            B::bind(&mut qb, code.clone());
        }
        if let Some(bbox) = query.bbox {
            B::push_envelope(&mut qb, "units", bbox);
        }
        qb.push(" ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'district' THEN 1 ELSE 2 END, code, valid_from");
        let mut conn = self.warm.lease().await?;
        let rows = B::fetch_all(&mut conn, qb).await?;
        conn.done();
        rows.iter().map(decode_unit::<B>).collect()
    }

    async fn list_successions(&self) -> Result<Vec<Succession>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(
            "SELECT kind, from_code, to_code, effective_date, act FROM unit_successions ORDER BY effective_date, id",
        )
        .fetch_all(&mut conn)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.get("kind")?;
                let kind = SuccessionKind::from_code(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("succession kind {kind:?}")))?;
                Ok(Succession {
                    kind,
                    from_code: row.get("from_code")?,
                    to_code: row.get("to_code")?,
                    effective: row.get("effective_date")?,
                    act: row.get("act")?,
                })
            })
            .collect()
    }
}

impl<B: Backend> SqlStore<B> {
    /// One zone, read on a connection or inside a transaction.
    pub(crate) async fn zone_in_tx(conn: &mut B::Connection, id: i64) -> Result<Zone, StoreError> {
        let row = Sql::<B>::new(&format!("SELECT {ZONE_COLUMNS} FROM zones WHERE {{id}} = ?"))
            .bind(id)
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_zone::<B>(&row)
    }
}
