//! [`RegistryStore`] on either database. Every check that depends on stored rows (the plot of
//! a lease, its other leases) runs in Rust on the core's functions inside the writing
//! transaction, so both databases refuse the same writes.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{NaiveDate, Utc};
use clusterplan_core::FieldProblem;
use clusterplan_core::registry::{
    Budget, Designation, DesignationKind, FundSource, InvestorAttrs, InvestorFigures, InvestorForm, InvestorRole,
    InvestorStatus, Lease, Programme, TaxCode,
};
use clusterplan_core::zones::LandUse;

use super::{SqlStore, assignments, slots};
use crate::backend::{Backend, RowExt, Sql, TextList};
use crate::registry::{BudgetRecord, DesignationRecord, InvestorRecord, InvestorVersion, LeaseRecord, RegistryStore};
use crate::{StoreError, WriteContext};

/// The attribute columns of an investor, on its row and on its versions, in the order
/// [`bind_investor`] binds them.
const INVESTOR_ATTR_COLUMNS: [&str; 10] = [
    "name",
    "tax_code",
    "role",
    "form",
    "country",
    "vsic",
    "cluster_id",
    "origin_unit_code",
    "origin_designation_id",
    "notes",
];

const FIGURE_COLUMNS: &str = "investor_id, effective_date, status, registered_capital_vnd, disbursed_capital_vnd, \
     registered_capital_usd, workers, note";

const DESIGNATION_COLUMNS: &str = "id, kind, name, unit_code, product, decision_no, decision_date, valid_from, valid_to, lon, lat, cluster_ids, \
     notes, recorded_at";

const BUDGET_COLUMNS: &str =
    "id, year, source, programme, cluster_id, unit_code, planned_vnd, disbursed_vnd, notes, recorded_at";

fn bind_investor<B: Backend>(sql: Sql<B>, a: &InvestorAttrs) -> Sql<B> {
    sql.bind(a.name.clone())
        .bind(a.tax_code.as_str().to_owned())
        .bind(a.role.code())
        .bind(a.form.code())
        .bind(a.country.clone())
        .bind(a.vsic.clone())
        .bind(a.cluster_id)
        .bind(a.origin_unit_code.clone())
        .bind(a.origin_designation_id)
        .bind(a.notes.clone())
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn decode_attrs<B: Backend>(row: &B::Row) -> Result<InvestorAttrs, StoreError> {
    let tax: String = row.get("tax_code")?;
    let role: String = row.get("role")?;
    let form: String = row.get("form")?;
    Ok(InvestorAttrs {
        name: row.get("name")?,
        tax_code: TaxCode::parse(&tax).map_err(StoreError::Corrupt)?,
        role: InvestorRole::from_code(&role).ok_or_else(|| corrupt("investor role"))?,
        form: InvestorForm::from_code(&form).ok_or_else(|| corrupt("investor form"))?,
        country: row.get("country")?,
        vsic: row.get("vsic")?,
        cluster_id: row.get("cluster_id")?,
        origin_unit_code: row.get("origin_unit_code")?,
        origin_designation_id: row.get("origin_designation_id")?,
        notes: row.get("notes")?,
    })
}

fn decode_figures<B: Backend>(row: &B::Row) -> Result<(i64, InvestorFigures), StoreError> {
    let status: String = row.get("status")?;
    Ok((
        row.get("investor_id")?,
        InvestorFigures {
            effective: row.get("effective_date")?,
            status: InvestorStatus::from_code(&status).ok_or_else(|| corrupt("investor status"))?,
            registered_capital_vnd: row.get("registered_capital_vnd")?,
            disbursed_capital_vnd: row.get("disbursed_capital_vnd")?,
            registered_capital_usd: row.get("registered_capital_usd")?,
            workers: row.get("workers")?,
            note: row.get("note")?,
        },
    ))
}

fn decode_lease<B: Backend>(row: &B::Row) -> Result<LeaseRecord, StoreError> {
    Ok(LeaseRecord {
        id: row.get("id")?,
        investor_id: row.get("investor_id")?,
        lease: Lease { zone_id: row.get("zone_id")?, start: row.get("start_date")?, end: row.get("end_date")? },
    })
}

fn decode_designation<B: Backend>(row: &B::Row) -> Result<DesignationRecord, StoreError> {
    let kind: String = row.get("kind")?;
    let lon: Option<f64> = row.get("lon")?;
    let lat: Option<f64> = row.get("lat")?;
    let ids = B::get_text_list(row, "cluster_ids")?;
    Ok(DesignationRecord {
        id: row.get("id")?,
        designation: Designation {
            kind: DesignationKind::from_code(&kind).ok_or_else(|| corrupt("designation kind"))?,
            name: row.get("name")?,
            unit_code: row.get("unit_code")?,
            product: row.get("product")?,
            decision_no: row.get("decision_no")?,
            decision_date: row.get("decision_date")?,
            valid_from: row.get("valid_from")?,
            valid_to: row.get("valid_to")?,
            location: lon.zip(lat),
            cluster_ids: ids
                .iter()
                .map(|s| s.parse().map_err(|_| corrupt("designation cluster")))
                .collect::<Result<_, _>>()?,
            notes: row.get("notes")?,
        },
        recorded_at: row.time("recorded_at")?,
    })
}

fn decode_budget<B: Backend>(row: &B::Row) -> Result<BudgetRecord, StoreError> {
    let source: String = row.get("source")?;
    let programme: String = row.get("programme")?;
    let year: i64 = row.get("year")?;
    Ok(BudgetRecord {
        id: row.get("id")?,
        budget: Budget {
            year: i32::try_from(year).map_err(|_| corrupt("budget year"))?,
            source: FundSource::from_code(&source).ok_or_else(|| corrupt("budget source"))?,
            programme: Programme::from_code(&programme).ok_or_else(|| corrupt("budget programme"))?,
            cluster_id: row.get("cluster_id")?,
            unit_code: row.get("unit_code")?,
            planned_vnd: row.get("planned_vnd")?,
            disbursed_vnd: row.get("disbursed_vnd")?,
            notes: row.get("notes")?,
        },
        recorded_at: row.time("recorded_at")?,
    })
}

fn rejected(field: &'static str, message: String) -> StoreError {
    StoreError::FieldRejected(FieldProblem { field, message })
}

/// Investors (all, one, or one cluster's) with their figures and leases, in three queries.
async fn load_investors<B: Backend>(
    conn: &mut B::Connection,
    filter: &str,
    value: Option<i64>,
) -> Result<Vec<InvestorRecord>, StoreError> {
    let mut sql = Sql::<B>::new(&format!(
        "SELECT id, version, updated_at, updated_by, {} FROM investors {filter} ORDER BY id",
        INVESTOR_ATTR_COLUMNS.join(", ")
    ));
    if let Some(v) = value {
        sql = sql.bind(v);
    }
    let rows = sql.fetch_all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(InvestorRecord {
            id: row.get("id")?,
            version: row.get("version")?,
            attrs: decode_attrs::<B>(row)?,
            figures: Vec::new(),
            leases: Vec::new(),
            updated_at: row.time("updated_at")?,
            updated_by: row.get("updated_by")?,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = out.iter().map(|i| i.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    let mut sql = Sql::<B>::new(&format!(
        "SELECT {FIGURE_COLUMNS} FROM investor_figures WHERE investor_id IN ({}) ORDER BY investor_id, effective_date",
        slots(ids.len())
    ));
    for id in &ids {
        sql = sql.bind(*id);
    }
    for row in sql.fetch_all(conn).await? {
        let (id, figures) = decode_figures::<B>(&row)?;
        if let Some(n) = index.get(&id) {
            out[*n].figures.push(figures);
        }
    }
    let mut sql = Sql::<B>::new(&format!(
        "SELECT id, investor_id, zone_id, start_date, end_date FROM leases WHERE investor_id IN ({}) \
         ORDER BY investor_id, start_date, id",
        slots(ids.len())
    ));
    for id in &ids {
        sql = sql.bind(*id);
    }
    for row in sql.fetch_all(conn).await? {
        let lease = decode_lease::<B>(&row)?;
        if let Some(n) = index.get(&lease.investor_id) {
            out[*n].leases.push(lease);
        }
    }
    Ok(out)
}

async fn one_investor<B: Backend>(conn: &mut B::Connection, id: i64) -> Result<InvestorRecord, StoreError> {
    load_investors::<B>(conn, "WHERE id = ?", Some(id)).await?.pop().ok_or(StoreError::NotFound(id))
}

async fn insert_figures<B: Backend>(
    conn: &mut B::Connection,
    id: i64,
    f: &InvestorFigures,
    ctx: &WriteContext,
) -> Result<(), StoreError> {
    Sql::<B>::new(&format!(
        "INSERT INTO investor_figures ({FIGURE_COLUMNS}, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(id)
    .bind(f.effective)
    .bind(f.status.code())
    .bind(f.registered_capital_vnd)
    .bind(f.disbursed_capital_vnd)
    .bind(f.registered_capital_usd)
    .bind(f.workers)
    .bind(f.note.clone())
    .time(Utc::now())
    .bind(ctx.author.clone())
    .execute(conn)
    .await
    .map_err(|e| match e {
        StoreError::Backend(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Duplicate { field: "effective", value: f.effective.to_string() }
        }
        other => other,
    })?;
    Ok(())
}

async fn insert_version<B: Backend>(
    conn: &mut B::Connection,
    id: i64,
    version: i64,
    attrs: &InvestorAttrs,
    ctx: &WriteContext,
) -> Result<(), StoreError> {
    let sql = Sql::<B>::new(&format!(
        "INSERT INTO investor_versions (investor_id, version, author, reason, written_at, {}) VALUES (?, ?, ?, ?, ?, {})",
        INVESTOR_ATTR_COLUMNS.join(", "),
        slots(INVESTOR_ATTR_COLUMNS.len())
    ))
    .bind(id)
    .bind(version)
    .bind(ctx.author.clone())
    .bind(ctx.reason.clone())
    .time(Utc::now());
    bind_investor(sql, attrs).execute(conn).await?;
    Ok(())
}

async fn cluster_exists<B: Backend>(conn: &mut B::Connection, id: i64) -> Result<(), StoreError> {
    let found = Sql::<B>::new("SELECT 1 AS one FROM clusters WHERE {id} = ?").bind(id).fetch_optional(conn).await?;
    found.map(|_| ()).ok_or(StoreError::MissingReference { what: "cluster", id })
}

fn on_tax_code(err: StoreError, attrs: &InvestorAttrs) -> StoreError {
    match err {
        StoreError::Backend(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Duplicate { field: "tax_code", value: attrs.tax_code.as_str().to_owned() }
        }
        other => other,
    }
}

/// Refuses a lease that shares a day with another lease of its plot (`except`: the lease being
/// changed), naming `field`.
async fn check_free<B: Backend>(
    conn: &mut B::Connection,
    lease: &Lease,
    except: Option<i64>,
    field: &'static str,
) -> Result<(), StoreError> {
    let others = Sql::<B>::new("SELECT id, investor_id, zone_id, start_date, end_date FROM leases WHERE zone_id = ?")
        .bind(lease.zone_id)
        .fetch_all(conn)
        .await?;
    for row in &others {
        let other = decode_lease::<B>(row)?;
        if Some(other.id) != except && other.lease.overlaps(lease) {
            let until = other.lease.end.map_or_else(|| "open-ended".to_owned(), |e: NaiveDate| format!("to {e}"));
            return Err(rejected(
                field,
                format!(
                    "plot {} is already leased on some of these days (lease {} from {} {until})",
                    lease.zone_id, other.id, other.lease.start
                ),
            ));
        }
    }
    Ok(())
}

#[async_trait]
impl<B: Backend> RegistryStore for SqlStore<B> {
    async fn create_investor(
        &self,
        attrs: &InvestorAttrs,
        first: &InvestorFigures,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError> {
        // Every registry write takes the write lock first (SQLite: BEGIN IMMEDIATE), so that a
        // read before the write cannot be overtaken by another writer (SQLITE_BUSY_SNAPSHOT).
        let mut tx = self.begin_locked(format!("investor-tax:{}", attrs.tax_code.as_str())).await?;
        cluster_exists::<B>(&mut tx, attrs.cluster_id).await?;
        let sql = Sql::<B>::new(&format!(
            "INSERT INTO investors ({}, version, updated_at, updated_by) VALUES ({}, 1, ?, ?) RETURNING id",
            INVESTOR_ATTR_COLUMNS.join(", "),
            slots(INVESTOR_ATTR_COLUMNS.len())
        ));
        let row = bind_investor(sql, attrs)
            .time(Utc::now())
            .bind(ctx.author.clone())
            .fetch_one(&mut tx)
            .await
            .map_err(|e| on_tax_code(e, attrs))?;
        let id: i64 = row.get("id")?;
        insert_version::<B>(&mut tx, id, 1, attrs, ctx).await?;
        insert_figures::<B>(&mut tx, id, first, ctx).await?;
        let out = one_investor::<B>(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn update_investor(
        &self,
        id: i64,
        expected_version: Option<i64>,
        attrs: &InvestorAttrs,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError> {
        let mut tx = self.begin_locked(format!("investor:{id}")).await?;
        let current = one_investor::<B>(&mut tx, id).await?;
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(StoreError::VersionConflict { id, expected, current: current.version });
        }
        if attrs.cluster_id != current.attrs.cluster_id {
            cluster_exists::<B>(&mut tx, attrs.cluster_id).await?;
        }
        let next = current.version + 1;
        let sql = Sql::<B>::new(&format!(
            "UPDATE investors SET {}, version = ?, updated_at = ?, updated_by = ? WHERE id = ?",
            assignments(&INVESTOR_ATTR_COLUMNS)
        ));
        bind_investor(sql, attrs)
            .bind(next)
            .time(Utc::now())
            .bind(ctx.author.clone())
            .bind(id)
            .execute(&mut tx)
            .await
            .map_err(|e| on_tax_code(e, attrs))?;
        insert_version::<B>(&mut tx, id, next, attrs, ctx).await?;
        let out = one_investor::<B>(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn get_investor(&self, id: i64) -> Result<InvestorRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        one_investor::<B>(&mut conn, id).await
    }

    async fn list_investors(&self, cluster_id: Option<i64>) -> Result<Vec<InvestorRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match cluster_id {
            Some(c) => load_investors::<B>(&mut conn, "WHERE cluster_id = ?", Some(c)).await,
            None => load_investors::<B>(&mut conn, "", None).await,
        }
    }

    async fn investor_versions(&self, id: i64) -> Result<Vec<InvestorVersion>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(&format!(
            "SELECT version, author, reason, written_at, {} FROM investor_versions WHERE investor_id = ? ORDER BY version",
            INVESTOR_ATTR_COLUMNS.join(", ")
        ))
        .bind(id)
        .fetch_all(&mut conn)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(id));
        }
        rows.iter()
            .map(|row| {
                Ok(InvestorVersion {
                    version: row.get("version")?,
                    attrs: decode_attrs::<B>(row)?,
                    author: row.get("author")?,
                    reason: row.get("reason")?,
                    written_at: row.time("written_at")?,
                })
            })
            .collect()
    }

    async fn record_figures(
        &self,
        id: i64,
        figures: &InvestorFigures,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError> {
        let mut tx = self.begin_locked(format!("investor:{id}")).await?;
        let current = one_investor::<B>(&mut tx, id).await?;
        if figures.registered_capital_usd.is_some() && !current.attrs.is_fdi() {
            return Err(rejected(
                "registered_capital_usd",
                "registered_capital_usd is for foreign (FDI) investors only".into(),
            ));
        }
        insert_figures::<B>(&mut tx, id, figures, ctx).await?;
        let out = one_investor::<B>(&mut tx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn add_lease(
        &self,
        investor_id: i64,
        lease: &Lease,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError> {
        // One plot's leases are written one at a time (an advisory lock on PostGIS, the
        // database's write lock on SQLite), so two overlapping leases cannot both pass.
        let mut tx = self.begin_locked(format!("zone-leases:{}", lease.zone_id)).await?;
        let investor = one_investor::<B>(&mut tx, investor_id).await?;
        let zone = Sql::<B>::new("SELECT cluster_id, land_use, leasable FROM zones WHERE {id} = ?")
            .bind(lease.zone_id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| rejected("zone_id", format!("plot (zone) {} does not exist", lease.zone_id)))?;
        let zone_cluster: i64 = zone.get("cluster_id")?;
        let land_use: String = zone.get("land_use")?;
        let leasable: bool = zone.get("leasable")?;
        if zone_cluster != investor.attrs.cluster_id {
            return Err(rejected(
                "zone_id",
                format!(
                    "plot {} lies in cluster {zone_cluster}, not in the investor's cluster {}",
                    lease.zone_id, investor.attrs.cluster_id
                ),
            ));
        }
        if !leasable || !LandUse::from_code(&land_use).is_some_and(LandUse::leasable) {
            return Err(rejected(
                "zone_id",
                format!(
                    "plot {} ({land_use}) is not leasable: only leasable factory and warehouse plots are",
                    lease.zone_id
                ),
            ));
        }
        let others =
            Sql::<B>::new("SELECT id, investor_id, zone_id, start_date, end_date FROM leases WHERE zone_id = ?")
                .bind(lease.zone_id)
                .fetch_all(&mut tx)
                .await?;
        for row in &others {
            let other = decode_lease::<B>(row)?;
            if other.lease.overlaps(lease) {
                let until = other.lease.end.map_or_else(|| "open-ended".to_owned(), |e: NaiveDate| format!("to {e}"));
                return Err(rejected(
                    "start",
                    format!(
                        "plot {} is already leased on some of these days (lease {} from {} {until})",
                        lease.zone_id, other.id, other.lease.start
                    ),
                ));
            }
        }
        Sql::<B>::new(
            "INSERT INTO leases (investor_id, zone_id, start_date, end_date, recorded_at, recorded_by) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(investor_id)
        .bind(lease.zone_id)
        .bind(lease.start)
        .bind(lease.end)
        .time(Utc::now())
        .bind(ctx.author.clone())
        .execute(&mut tx)
        .await?;
        let out = one_investor::<B>(&mut tx, investor_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn end_lease(
        &self,
        investor_id: i64,
        lease_id: i64,
        end: NaiveDate,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let current = one_investor::<B>(&mut conn, investor_id).await?;
        drop(conn);
        let held = current.leases.iter().find(|l| l.id == lease_id).ok_or(StoreError::NotFound(lease_id))?;
        let mut tx = self.begin_locked(format!("zone-leases:{}", held.lease.zone_id)).await?;
        let row = Sql::<B>::new(
            "SELECT id, investor_id, zone_id, start_date, end_date FROM leases WHERE id = ? AND investor_id = ?",
        )
        .bind(lease_id)
        .bind(investor_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or(StoreError::NotFound(lease_id))?;
        let stored = decode_lease::<B>(&row)?;
        let changed =
            Lease::new(stored.lease.zone_id, stored.lease.start, Some(end)).map_err(StoreError::FieldRejected)?;
        check_free::<B>(&mut tx, &changed, Some(lease_id), "end").await?;
        Sql::<B>::new("UPDATE leases SET end_date = ?, recorded_at = ?, recorded_by = ? WHERE id = ?")
            .bind(end)
            .time(Utc::now())
            .bind(ctx.author.clone())
            .bind(lease_id)
            .execute(&mut tx)
            .await?;
        let out = one_investor::<B>(&mut tx, investor_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn create_designation(&self, d: &Designation, ctx: &WriteContext) -> Result<DesignationRecord, StoreError> {
        let mut tx = self.begin_locked("designations".to_owned()).await?;
        for id in &d.cluster_ids {
            cluster_exists::<B>(&mut tx, *id).await?;
        }
        let row = Sql::<B>::new(&format!(
            "INSERT INTO designations (kind, name, unit_code, product, decision_no, decision_date, valid_from, valid_to, \
             lon, lat, cluster_ids, notes, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING {DESIGNATION_COLUMNS}"
        ))
        .bind(d.kind.code())
        .bind(d.name.clone())
        .bind(d.unit_code.clone())
        .bind(d.product.clone())
        .bind(d.decision_no.clone())
        .bind(d.decision_date)
        .bind(d.valid_from)
        .bind(d.valid_to)
        .bind(d.location.map(|l| l.0))
        .bind(d.location.map(|l| l.1))
        .text_list(TextList(d.cluster_ids.iter().map(ToString::to_string).collect()))?
        .bind(d.notes.clone())
        .time(Utc::now())
        .bind(ctx.author.clone())
        .fetch_one(&mut tx)
        .await?;
        let out = decode_designation::<B>(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn list_designations(&self) -> Result<Vec<DesignationRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(&format!("SELECT {DESIGNATION_COLUMNS} FROM designations ORDER BY id"))
            .fetch_all(&mut conn)
            .await?;
        rows.iter().map(decode_designation::<B>).collect()
    }

    async fn create_budget(&self, b: &Budget, ctx: &WriteContext) -> Result<BudgetRecord, StoreError> {
        let mut tx = self.begin_locked("budgets".to_owned()).await?;
        if let Some(id) = b.cluster_id {
            cluster_exists::<B>(&mut tx, id).await?;
        }
        let row = Sql::<B>::new(&format!(
            "INSERT INTO budgets (year, source, programme, cluster_id, unit_code, planned_vnd, disbursed_vnd, notes, \
             recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {BUDGET_COLUMNS}"
        ))
        .bind(i64::from(b.year))
        .bind(b.source.code())
        .bind(b.programme.code())
        .bind(b.cluster_id)
        .bind(b.unit_code.clone())
        .bind(b.planned_vnd)
        .bind(b.disbursed_vnd)
        .bind(b.notes.clone())
        .time(Utc::now())
        .bind(ctx.author.clone())
        .fetch_one(&mut tx)
        .await?;
        let out = decode_budget::<B>(&row)?;
        tx.commit().await?;
        Ok(out)
    }

    async fn list_budgets(&self, year: Option<i32>) -> Result<Vec<BudgetRecord>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = match year {
            Some(y) => {
                Sql::<B>::new(&format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE year = ? ORDER BY year, id"))
                    .bind(i64::from(y))
                    .fetch_all(&mut conn)
                    .await?
            }
            None => {
                Sql::<B>::new(&format!("SELECT {BUDGET_COLUMNS} FROM budgets ORDER BY year, id"))
                    .fetch_all(&mut conn)
                    .await?
            }
        };
        rows.iter().map(decode_budget::<B>).collect()
    }
}
