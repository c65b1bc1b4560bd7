//! History, written once for clusters and zones: versions appended with every write, read
//! back, `asOf`, reverts and restores of deleted features, and comments on clusters. The two
//! version tables differ only in what [`Versioned`] names.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::search::fold;
use clusterplan_core::zones::{Zone, ZoneDraft};
use clusterplan_core::{Boundary, Cluster, ClusterDraft};
use futures::TryStreamExt;
use futures::stream::BoxStream;

use super::planning::{
    ZONE_ATTR_COLUMNS, ZONE_COLUMNS, bind_zone_attrs, check, decode_zone, insert_zone_row, lock_cluster_with_zones,
};
use super::{
    ATTR_COLUMNS, CLUSTER_COLUMNS, SqlStore, bind_attrs, columns, decode_cluster, explain_miss, insert_audit, slots,
};
use crate::backend::{Backend, RowExt, Sql};
use crate::history::{audit_of_comment, audit_of_write, comment_refusal, page_as_of, revert_to_tombstone};
use crate::turn::Tx;
use crate::zone_history::{ZoneHistoryStore, ZoneVersion};
use crate::{ClusterQuery, Comment, HistoryStore, NewComment, PlanningStore, StoreError, Version, WriteContext};

/// What differs between the histories of clusters and of zones.
pub(crate) trait Versioned: Sized + Send + 'static {
    /// The feature table, `clusters` or `zones`.
    const FEATURES: &'static str;
    /// Its version table.
    const VERSIONS: &'static str;
    /// The feature id column of the version table.
    const FEATURE_ID: &'static str;
    /// The attribute columns, named alike in both tables.
    const ATTRS: &'static [&'static str];
    /// What the audit log calls the feature (`cluster`, `zone`).
    const KIND: &'static str;
    /// The columns a feature row is read from ([`Versioned::decode`] reads them).
    const COLUMNS: &'static str;
    /// What a write stores.
    type Draft: Send + Sync;

    /// Decodes a state selected under the feature table's column names.
    fn decode<B: Backend>(row: &B::Row) -> Result<Self, StoreError>;

    /// Binds a draft's [`Versioned::ATTRS`], in their order.
    fn bind_attrs<B: Backend>(sql: Sql<B>, draft: &Self::Draft) -> Sql<B>;

    /// A draft's boundary.
    fn boundary(draft: &Self::Draft) -> &Boundary;

    /// A stored feature's version and state.
    fn written(&self) -> (i64, &Self::Draft);
}

impl Versioned for Cluster {
    const FEATURES: &'static str = "clusters";
    const VERSIONS: &'static str = "cluster_versions";
    const FEATURE_ID: &'static str = "cluster_id";
    const ATTRS: &'static [&'static str] = &ATTR_COLUMNS;
    const KIND: &'static str = "cluster";
    const COLUMNS: &'static str = CLUSTER_COLUMNS;
    type Draft = ClusterDraft;

    fn decode<B: Backend>(row: &B::Row) -> Result<Self, StoreError> {
        decode_cluster::<B>(row)
    }

    fn bind_attrs<B: Backend>(sql: Sql<B>, draft: &ClusterDraft) -> Sql<B> {
        bind_attrs(sql, draft)
    }

    fn boundary(draft: &ClusterDraft) -> &Boundary {
        &draft.boundary
    }

    fn written(&self) -> (i64, &ClusterDraft) {
        (self.version, &self.data)
    }
}

impl Versioned for Zone {
    const FEATURES: &'static str = "zones";
    const VERSIONS: &'static str = "zone_versions";
    const FEATURE_ID: &'static str = "zone_id";
    const ATTRS: &'static [&'static str] = &ZONE_ATTR_COLUMNS;
    const KIND: &'static str = "zone";
    const COLUMNS: &'static str = ZONE_COLUMNS;
    type Draft = ZoneDraft;

    fn decode<B: Backend>(row: &B::Row) -> Result<Self, StoreError> {
        decode_zone::<B>(row)
    }

    fn bind_attrs<B: Backend>(sql: Sql<B>, draft: &ZoneDraft) -> Sql<B> {
        bind_zone_attrs(sql, draft)
    }

    fn boundary(draft: &ZoneDraft) -> &Boundary {
        &draft.boundary
    }

    fn written(&self) -> (i64, &ZoneDraft) {
        (self.version, &self.data)
    }
}

/// `SELECT … FROM <versions> v`: a version row under the column names of a feature row
/// ([`Versioned::decode`] reads its state), with the version's own columns after them.
fn select_versions<T: Versioned>() -> String {
    let (table, fid) = (T::VERSIONS, T::FEATURE_ID);
    format!(
        "SELECT v.{fid} AS id, {{geom}}, v.version, \
         (SELECT min(f.written_at) FROM {table} f WHERE f.{fid} = v.{fid}) AS created_at, \
         v.written_at AS updated_at, v.operation, v.author, v.reason, v.legal_act, v.reverted_from, {} FROM {table} v",
        columns(T::ATTRS)
    )
}

/// The latest version per feature written at or before `?`, deletions left out.
fn select_as_of<T: Versioned>() -> String {
    let (table, fid) = (T::VERSIONS, T::FEATURE_ID);
    format!(
        "{} WHERE v.version = (SELECT max(w.version) FROM {table} w WHERE w.{fid} = v.{fid} AND w.written_at <= ?) \
         AND v.operation <> 'delete'",
        select_versions::<T>()
    )
}

/// Decodes a row selected by [`select_versions`].
fn decode_version<B: Backend, T: Versioned>(row: &B::Row) -> Result<Version<T>, StoreError> {
    // A deletion has no geometry: its row holds no state.
    let deleted = row.get::<Option<Vec<u8>>>("geom")?.is_none();
    Ok(Version {
        id: row.get("id")?,
        version: row.get("version")?,
        operation: row.get("operation")?,
        author: row.get("author")?,
        reason: row.get("reason")?,
        legal_act: row.get("legal_act")?,
        reverted_from: row.get("reverted_from")?,
        written_at: RowExt::<B>::time(row, "updated_at")?,
        state: if deleted { None } else { Some(T::decode::<B>(row)?) },
    })
}

/// The number and operation of a feature's last version; `None` when it never existed.
async fn last_version<B: Backend, T: Versioned>(
    conn: &mut B::Connection,
    id: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let row = Sql::<B>::new(&format!(
        "SELECT version, operation FROM {} WHERE {} = ? ORDER BY version DESC LIMIT 1",
        T::VERSIONS,
        T::FEATURE_ID
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|row| Ok((row.get("version")?, row.get("operation")?))).transpose()
}

/// Deletes a feature inside a transaction, with optimistic locking, keeping the index and
/// writing its tombstone version and audit row.
pub(crate) async fn delete_feature<B: Backend, T: Versioned>(
    conn: &mut B::Connection,
    id: i64,
    expected_version: Option<i64>,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let row = Sql::<B>::new(&format!(
        "DELETE FROM {} WHERE {{id}} = ? AND (? IS NULL OR version = ?) RETURNING {}",
        T::FEATURES,
        T::COLUMNS
    ))
    .bind(id)
    .bind(expected_version)
    .bind(expected_version)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Err(explain_miss::<B>(conn, T::FEATURES, id, expected_version).await);
    };
    let deleted = T::decode::<B>(&row)?;
    let (version, state) = deleted.written();
    B::after_write(conn, T::FEATURES, id, None, now).await?;
    record_version::<B, T>(conn, id, version + 1, "delete", state, ctx, now).await
}

/// Appends the state just written (or deleted: no geometry) to the version table, and its
/// audit row, in the write's transaction.
pub(crate) async fn record_version<B: Backend, T: Versioned>(
    conn: &mut B::Connection,
    id: i64,
    version: i64,
    operation: &str,
    draft: &T::Draft,
    ctx: &WriteContext,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let geometry = (operation != "delete").then(|| crate::geom::geometry(T::boundary(draft)));
    let sql = Sql::<B>::new(&format!(
        "INSERT INTO {} ({}, version, operation, author, reason, legal_act, reverted_from, written_at, geom, {}) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {})",
        T::VERSIONS,
        T::FEATURE_ID,
        columns(T::ATTRS),
        slots(T::ATTRS.len())
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
    T::bind_attrs(sql, draft).execute(conn).await?;
    insert_audit::<B>(conn, &audit_of_write(T::KIND, id, version, operation, ctx)).await
}

impl<B: Backend> SqlStore<B> {
    /// Every version of a feature, oldest first.
    async fn versions_of<T: Versioned>(&self, id: i64) -> Result<Vec<Version<T>>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows =
            Sql::<B>::new(&format!("{} WHERE v.{} = ? ORDER BY v.version", select_versions::<T>(), T::FEATURE_ID))
                .bind(id)
                .fetch_all(&mut conn)
                .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound(id));
        }
        rows.iter().map(decode_version::<B, T>).collect()
    }

    /// One version of a feature.
    async fn version_of<T: Versioned>(&self, id: i64, version: i64) -> Result<Version<T>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = Sql::<B>::new(&format!("{} WHERE v.{} = ? AND v.version = ?", select_versions::<T>(), T::FEATURE_ID))
            .bind(id)
            .bind(version)
            .fetch_optional(&mut conn)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_version::<B, T>(&row)
    }

    /// A feature as it stood at an instant.
    async fn state_as_of<T: Versioned>(&self, id: i64, at: DateTime<Utc>) -> Result<T, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = Sql::<B>::new(&format!("{} AND v.{} = ?", select_as_of::<T>(), T::FEATURE_ID))
            .time(at)
            .bind(id)
            .fetch_optional(&mut conn)
            .await?
            .ok_or(StoreError::NotFound(id))?;
        decode_version::<B, T>(&row)?.state.ok_or(StoreError::NotFound(id))
    }

    /// Every feature as it stood at an instant, in id order.
    fn states_as_of<T: Versioned>(&self, at: DateTime<Utc>) -> BoxStream<'static, Result<T, StoreError>> {
        let qb = Sql::<B>::new(&format!("{} ORDER BY v.{}", select_as_of::<T>(), T::FEATURE_ID)).time(at).builder();
        let rows = B::fetch_stream(self.warm.clone(), qb);
        Box::pin(async_stream::try_stream! {
            let mut rows = rows;
            while let Some(row) = rows.try_next().await? {
                if let Some(state) = decode_version::<B, T>(&row)?.state {
                    yield state;
                }
            }
        })
    }

    /// Begins bringing a deleted feature back under its id: a transaction that other restores of
    /// it wait for, and the version after its tombstone. [`StoreError::VersionConflict`] when it
    /// is not deleted (or `expected_version` is not its tombstone).
    async fn begin_restore<T: Versioned>(
        &self,
        id: i64,
        expected_version: Option<i64>,
    ) -> Result<(Tx<B>, i64), StoreError> {
        let mut tx = self.begin_locked(format!("{}/{id}", T::FEATURES)).await?;
        let Some((last, operation)) = last_version::<B, T>(&mut tx, id).await? else {
            return Err(StoreError::NotFound(id));
        };
        if operation != "delete" || expected_version.is_some_and(|e| e != last) {
            return Err(StoreError::VersionConflict { id, expected: expected_version.unwrap_or(last), current: last });
        }
        Ok((tx, last + 1))
    }

    /// Brings a deleted cluster back under its id, as the version after its tombstone.
    async fn restore(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ClusterDraft,
        ctx: &WriteContext,
    ) -> Result<Cluster, StoreError> {
        let (mut tx, version) = self.begin_restore::<Cluster>(id, expected_version).await?;
        let now = Utc::now();
        // Created when its first version was written.
        let sql = Sql::<B>::new(&format!(
            "INSERT INTO clusters ({{id}}, {}, geom, name_folded, version, created_at, updated_at, updated_by){{overriding}} \
             VALUES (?, {}, ?, ?, ?, (SELECT min(written_at) FROM cluster_versions WHERE cluster_id = ?), ?, ?) \
             RETURNING {CLUSTER_COLUMNS}",
            columns(&ATTR_COLUMNS),
            slots(ATTR_COLUMNS.len())
        ))
        .bind(id);
        let row = bind_attrs(sql, draft)
            .geom(Some(&crate::geom::geometry(&draft.boundary)))?
            .bind(fold(draft.attrs.name()))
            .bind(version)
            .bind(id)
            .time(now)
            .bind(ctx.author.clone())
            .fetch_one(&mut tx)
            .await
            .map_err(|e| e.duplicate_code(draft.attrs.code()))?;
        let cluster = decode_cluster::<B>(&row)?;
        B::after_write(&mut tx, "clusters", id, Some(draft.boundary.bbox()), now).await?;
        record_version::<B, Cluster>(&mut tx, id, version, "create", draft, ctx, now).await?;
        tx.commit().await?;
        Ok(cluster)
    }
}

/// The columns a comment is read from.
const COMMENT_COLUMNS: &str = "id, cluster_id, version, author, text, created_at";

fn decode_comment<B: Backend>(row: &B::Row) -> Result<Comment, StoreError> {
    Ok(Comment {
        id: row.get("id")?,
        cluster_id: row.get("cluster_id")?,
        version: row.get("version")?,
        author: row.get("author")?,
        text: row.get("text")?,
        created_at: RowExt::<B>::time(row, "created_at")?,
    })
}

#[async_trait]
impl<B: Backend> HistoryStore for SqlStore<B> {
    async fn versions(&self, id: i64) -> Result<Vec<Version>, StoreError> {
        self.versions_of(id).await
    }

    async fn version(&self, id: i64, version: i64) -> Result<Version, StoreError> {
        self.version_of(id, version).await
    }

    async fn cluster_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Cluster, StoreError> {
        self.state_as_of(id, at).await
    }

    async fn count_clusters_as_of(&self, query: &ClusterQuery, at: DateTime<Utc>) -> Result<u64, StoreError> {
        page_as_of(self.states_as_of(at), query.for_count()).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    fn stream_clusters_as_of(
        &self,
        query: ClusterQuery,
        at: DateTime<Utc>,
    ) -> BoxStream<'static, Result<Cluster, StoreError>> {
        page_as_of(self.states_as_of(at), query)
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
        let mut tx = self.begin().await?;
        match Self::update_in_tx(&mut tx, id, expected_version, &state.data, &ctx, Utc::now()).await {
            Ok(written) => {
                tx.commit().await?;
                Ok(written)
            }
            Err(StoreError::NotFound(_)) => {
                tx.rollback().await?;
                self.restore(id, expected_version, &state.data, &ctx).await
            }
            Err(e) => Err(e),
        }
    }

    async fn add_comment(&self, new: &NewComment) -> Result<Comment, StoreError> {
        let mut tx = self.begin().await?;
        // One statement checks that the feature is live and has the version, and writes; no
        // delete can come in between (SQLite: the statement takes the write lock; PostGIS: the
        // row lock of FOR SHARE).
        let row = Sql::<B>::new(&format!(
            "INSERT INTO cluster_comments (cluster_id, version, author, text, created_at) \
             SELECT c.{{id}}, coalesce(?, c.version), ?, ?, ? FROM clusters c WHERE c.{{id}} = ? \
             AND (? IS NULL OR EXISTS (SELECT 1 FROM cluster_versions v WHERE v.cluster_id = c.{{id}} AND v.version = ?))\
             {} RETURNING {COMMENT_COLUMNS}",
            B::FOR_SHARE
        ))
        .bind(new.version)
        .bind(new.author.clone())
        .bind(new.text.clone())
        .time(Utc::now())
        .bind(new.cluster_id)
        .bind(new.version)
        .bind(new.version)
        .fetch_optional(&mut tx)
        .await?;
        let Some(row) = row else {
            let last = last_version::<B, Cluster>(&mut tx, new.cluster_id).await?;
            let matching: i64 =
                Sql::<B>::new("SELECT count(*) AS n FROM cluster_versions WHERE cluster_id = ? AND version = ?")
                    .bind(new.cluster_id)
                    .bind(new.version)
                    .scalar(&mut tx, "n")
                    .await?;
            return Err(comment_refusal(new.cluster_id, new.version, last, matching > 0));
        };
        let comment = decode_comment::<B>(&row)?;
        insert_audit::<B>(&mut tx, &audit_of_comment(&comment, new.address.as_deref())).await?;
        tx.commit().await?;
        Ok(comment)
    }

    async fn comments(&self, id: i64) -> Result<Vec<Comment>, StoreError> {
        // A read, in one snapshot: no writer's turn.
        let mut tx = self.pool.begin().await?;
        if last_version::<B, Cluster>(&mut tx, id).await?.is_none() {
            return Err(StoreError::NotFound(id));
        }
        let rows =
            Sql::<B>::new(&format!("SELECT {COMMENT_COLUMNS} FROM cluster_comments WHERE cluster_id = ? ORDER BY id"))
                .bind(id)
                .fetch_all(&mut tx)
                .await?;
        tx.commit().await?;
        rows.iter().map(decode_comment::<B>).collect()
    }
}

#[async_trait]
impl<B: Backend> ZoneHistoryStore for SqlStore<B>
where
    SqlStore<B>: PlanningStore,
{
    async fn zone_versions(&self, id: i64) -> Result<Vec<ZoneVersion>, StoreError> {
        self.versions_of(id).await
    }

    async fn zone_version(&self, id: i64, version: i64) -> Result<ZoneVersion, StoreError> {
        self.version_of(id, version).await
    }

    async fn zone_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Zone, StoreError> {
        self.state_as_of(id, at).await
    }

    fn zones_as_of(&self, at: DateTime<Utc>) -> BoxStream<'static, Result<Zone, StoreError>> {
        self.states_as_of(at)
    }

    async fn restore_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError> {
        let (mut tx, version) = self.begin_restore::<Zone>(id, expected_version).await?;
        let (cluster, zones) = lock_cluster_with_zones::<B>(&mut tx, draft.attrs.cluster_id()).await?;
        check(draft, &cluster, &zones, None)?;
        let now = Utc::now();
        insert_zone_row::<B>(&mut tx, Some(id), version, draft, ctx, now).await?;
        record_version::<B, Zone>(&mut tx, id, version, "create", draft, ctx, now).await?;
        tx.commit().await?;
        self.get_zone(id).await
    }
}
