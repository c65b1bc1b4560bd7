//! Versions of clusters and zones.

use chrono::{DateTime, Utc};
use clusterplan_core::zones::ZoneDraft;

use super::insert_audit;
use super::planning::{ZONE_ATTR_COLUMNS, bind_zone_attrs};
use crate::backend::{Backend, Sql};
use crate::history::audit_of_write;
use crate::{StoreError, WriteContext};

/// Appends the zone state just written (or deleted) to `zone_versions`, and its audit row.
pub(crate) async fn record_zone_version<B: Backend>(
    conn: &mut B::Connection,
    id: i64,
    version: i64,
    operation: &str,
    draft: &ZoneDraft,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let geometry = (operation != "delete").then(|| crate::geom::geometry(&draft.boundary));
    let sql = Sql::<B>::new(&format!(
        "INSERT INTO zone_versions (zone_id, version, operation, author, reason, legal_act, reverted_from, written_at, \
         geom, {}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {})",
        ZONE_ATTR_COLUMNS.join(", "),
        super::slots(ZONE_ATTR_COLUMNS.len())
    ))
    .bind(id)
    .bind(version)
    .bind(operation.to_owned())
    .bind(ctx.author.clone())
    .bind(ctx.reason.clone())
    .bind(ctx.legal_act.clone())
    .bind(ctx.reverted_from)
    .time(now)
    .geom(geometry.as_ref())?;
    bind_zone_attrs(sql, draft).execute(conn).await?;
    insert_audit::<B>(conn, &audit_of_write("zone", id, version, operation, ctx)).await
}
