//! Every written state of every zone, and the zones as they stood at an instant: the same
//! history clusters keep (`history.rs`), in `zone_versions`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::zones::{Zone, ZoneDraft};
use futures::stream::BoxStream;

use crate::history::revert_to_tombstone;
use crate::planning::ZoneQuery;
use crate::query::intersects_bbox;
use crate::{PlanningStore, StoreError, Version, WriteContext};

/// One version of a zone.
pub type ZoneVersion = Version<Zone>;

/// Zone history reads and reverts. Every zone write (create, update, delete, bulk load) appends
/// its version and audit row in its own transaction.
#[async_trait]
pub trait ZoneHistoryStore: PlanningStore {
    /// Every version of a zone, oldest first; [`StoreError::NotFound`] when it never existed.
    async fn zone_versions(&self, id: i64) -> Result<Vec<ZoneVersion>, StoreError>;

    /// One version.
    async fn zone_version(&self, id: i64, version: i64) -> Result<ZoneVersion, StoreError>;

    /// A zone as it stood at an instant; [`StoreError::NotFound`] before its creation or after
    /// its deletion.
    async fn zone_as_of(&self, id: i64, at: DateTime<Utc>) -> Result<Zone, StoreError>;

    /// Every zone as it stood at an instant, in id order, before filtering and paging.
    fn zones_as_of(&self, at: DateTime<Utc>) -> BoxStream<'static, Result<Zone, StoreError>>;

    /// Brings a deleted zone back under its id as the version after its tombstone, with the
    /// placement checks of a creation; [`StoreError::VersionConflict`] when it is not deleted
    /// (or `expected_version` is not its tombstone). Used by [`Self::revert_zone`].
    async fn restore_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError>;

    /// How many zones matched the query at an instant (paging ignored).
    async fn count_zones_as_of(&self, query: &ZoneQuery, at: DateTime<Utc>) -> Result<u64, StoreError> {
        use futures::TryStreamExt;
        let query = ZoneQuery { limit: u32::MAX, offset: 0, cursor: None, ..*query };
        page_zones(self.zones_as_of(at), query).try_fold(0u64, |n, _| async move { Ok(n + 1) }).await
    }

    /// A page of the zones as they stood at an instant, in id order.
    fn stream_zones_as_of(&self, query: ZoneQuery, at: DateTime<Utc>) -> BoxStream<'static, Result<Zone, StoreError>> {
        page_zones(self.zones_as_of(at), query)
    }

    /// Writes the state of `version` again as a new version (restoring a deleted zone under its
    /// id), with today's placement checks; the history is never rewritten.
    async fn revert_zone(
        &self,
        id: i64,
        version: i64,
        expected_version: Option<i64>,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError> {
        let target = self.zone_version(id, version).await?;
        let state = target.state.ok_or_else(|| revert_to_tombstone(id, version))?;
        let ctx = WriteContext { reverted_from: Some(version), ..ctx.clone() };
        match self.update_zone(id, expected_version, &state.data, &ctx).await {
            Err(StoreError::NotFound(_)) => self.restore_zone(id, expected_version, &state.data, &ctx).await,
            other => other,
        }
    }
}

/// Applies a zone query's cluster, exact bbox and paging to past states in id order.
fn page_zones(
    states: BoxStream<'static, Result<Zone, StoreError>>,
    query: ZoneQuery,
) -> BoxStream<'static, Result<Zone, StoreError>> {
    use futures::{StreamExt, TryStreamExt};
    let admitted = states
        .try_filter(move |z| {
            std::future::ready(
                query.cluster_id.is_none_or(|c| z.data.attrs.cluster_id() == c)
                    && query.bbox.is_none_or(|b| intersects_bbox(&z.data.boundary, b)),
            )
        })
        .boxed();
    crate::paging::page_in_id_order(admitted, |z| z.id, query.cursor, query.offset, query.limit)
}
