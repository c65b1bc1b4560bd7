//! The planning part of the store: status events, planning tasks, zones and administrative
//! units. Both backends implement [`PlanningStore`] with the same behaviour (one test suite).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::lifecycle::{PlanningTask, StatusEvent};
use clusterplan_core::units::{Succession, Unit, UnitLevel};
use clusterplan_core::zones::{LandTotals, Zone, ZoneDraft};
use clusterplan_core::{Cluster, ClusterDraft};
use futures::stream::BoxStream;

use crate::{Layer, StoreError, WriteContext};

/// A recorded status change.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Event id.
    pub id: i64,
    /// The cluster.
    pub cluster_id: i64,
    /// Position in the cluster's history, from 1.
    pub seq: i64,
    /// The change itself.
    pub event: StatusEvent,
    /// Overrides of conditional rules given with the change (JSON array).
    pub overrides: String,
    /// Rule results evaluated for the change (JSON array).
    pub rule_results: String,
    /// The cluster version the change produced.
    pub cluster_version: i64,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: Option<String>,
}

/// A status change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The change; `event.from` must be the cluster's latest status.
    pub event: StatusEvent,
    /// Overrides given (JSON array).
    pub overrides: String,
    /// Rule results evaluated (JSON array).
    pub rule_results: String,
}

/// One write of an import: all of them go in one transaction.
#[derive(Debug, Clone)]
pub enum ClusterWrite {
    /// A new cluster with the first event of its history.
    Create {
        /// The cluster.
        draft: ClusterDraft,
        /// Its first status event.
        first: NewEvent,
    },
    /// The next version of a cluster, if it is still at `expected_version`.
    Update {
        /// The cluster's id.
        id: i64,
        /// The version the import was checked against.
        expected_version: i64,
        /// The new state.
        draft: ClusterDraft,
    },
}

/// A stored planning task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// Task id.
    pub id: i64,
    /// The task.
    pub task: PlanningTask,
    /// The cluster it concerns, if one.
    pub cluster_id: Option<i64>,
    /// The administrative unit it concerns (official code), if one.
    pub unit_code: Option<String>,
    /// The act that ordered it, e.g. the 1998 directive.
    pub act_number: Option<String>,
    /// Remarks.
    pub notes: Option<String>,
}

/// A task to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTask {
    /// The task.
    pub task: PlanningTask,
    /// The cluster it concerns.
    pub cluster_id: Option<i64>,
    /// The unit it concerns.
    pub unit_code: Option<String>,
    /// The act that ordered it.
    pub act_number: Option<String>,
    /// Remarks.
    pub notes: Option<String>,
}

/// A page of zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZoneQuery {
    /// WGS 84 box the zone must intersect.
    pub bbox: Option<[f64; 4]>,
    /// Only the zones of this cluster.
    pub cluster_id: Option<i64>,
    /// Page size.
    pub limit: u32,
    /// Zones to skip, in id order (0 with a cursor).
    pub offset: u64,
    /// Where a page starts in id order.
    pub cursor: Option<crate::Cursor>,
    /// The draft zones, or those of the last publication.
    pub layer: Layer,
}

/// Which units to list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnitQuery {
    /// Only units valid on this day.
    pub on: Option<NaiveDate>,
    /// Only this level.
    pub level: Option<UnitLevel>,
    /// Only units whose bounding box meets this WGS 84 box (an index prefilter; exact tests
    /// are the caller's).
    pub bbox: Option<[f64; 4]>,
    /// Only this official code.
    pub code: Option<String>,
}

/// Status events, tasks, zones and units.
#[async_trait]
pub trait PlanningStore: Send + Sync {
    /// Writes every cluster of an import in one transaction: all or nothing. Each write is a
    /// version with `ctx`'s reason; an update whose cluster moved on since fails the whole
    /// import with [`crate::StoreError::VersionConflict`]. Returns the clusters as written.
    async fn write_clusters(&self, writes: &[ClusterWrite], ctx: &WriteContext) -> Result<Vec<Cluster>, StoreError>;

    /// Creates a cluster with the first event of its history, in one transaction.
    async fn create_cluster_with_event(
        &self,
        draft: &ClusterDraft,
        first: &NewEvent,
        ctx: &WriteContext,
    ) -> Result<(Cluster, EventRecord), StoreError>;

    /// The status history of a cluster, oldest first (also after the cluster is deleted).
    async fn list_events(&self, cluster_id: i64) -> Result<Vec<EventRecord>, StoreError>;

    /// Every event of every cluster, by cluster and position (for summaries).
    async fn all_events(&self) -> Result<Vec<EventRecord>, StoreError>;

    /// The events of these clusters only, by cluster and position, in one query (for
    /// answers about a few clusters, such as `/zoning` at a point). Of [`Layer::Published`],
    /// the events recorded up to the last publication (none before the first): a status change
    /// recorded after it is still a draft.
    async fn events_of(&self, cluster_ids: &[i64], layer: Layer) -> Result<Vec<EventRecord>, StoreError>;

    /// Records a status change in one transaction: checks that `new.event.from` is the
    /// cluster's latest status ([`StoreError::StatusMoved`] otherwise) and, with
    /// `expected_version`, that nobody wrote the cluster since; sets the cluster's status; with
    /// `expansion`, also replaces its boundary and area. Writes a cluster version.
    async fn record_event(
        &self,
        cluster_id: i64,
        expected_version: Option<i64>,
        new: &NewEvent,
        expansion: Option<&ClusterDraft>,
        ctx: &WriteContext,
    ) -> Result<(EventRecord, Cluster), StoreError>;

    /// Adds a task.
    async fn create_task(&self, task: &NewTask) -> Result<TaskRecord, StoreError>;

    /// Every task, by due date then id.
    async fn list_tasks(&self) -> Result<Vec<TaskRecord>, StoreError>;

    /// The tasks of these clusters or of these units, by due date then id, in one query.
    async fn tasks_concerning(&self, cluster_ids: &[i64], unit_codes: &[String])
    -> Result<Vec<TaskRecord>, StoreError>;

    /// Sets (or clears) the day a task was done.
    async fn set_task_done(&self, id: i64, done_on: Option<NaiveDate>) -> Result<TaskRecord, StoreError>;

    /// Adds a zone after checking, inside the transaction and with the cluster locked, that
    /// it lies in its cluster and overlaps none of its siblings
    /// ([`StoreError::Placement`], [`StoreError::MissingReference`]).
    async fn create_zone(&self, draft: &ZoneDraft, ctx: &WriteContext) -> Result<Zone, StoreError>;

    /// Adds several zones in one transaction, each checked as [`Self::create_zone`] checks
    /// one, against the stored zones of its cluster and the zones added before it: all are
    /// written, each with its first version, or none (the first refusal is the error).
    async fn write_zones(&self, drafts: &[ZoneDraft], ctx: &WriteContext) -> Result<Vec<Zone>, StoreError>;

    /// Replaces a zone, with the same checks as [`Self::create_zone`] (the zone itself is not
    /// its own sibling) and optimistic locking.
    async fn update_zone(
        &self,
        id: i64,
        expected_version: Option<i64>,
        draft: &ZoneDraft,
        ctx: &WriteContext,
    ) -> Result<Zone, StoreError>;

    /// Deletes a zone, with optimistic locking; its tombstone version and audit row are written
    /// in the same transaction.
    async fn delete_zone(&self, id: i64, expected_version: Option<i64>, ctx: &WriteContext) -> Result<(), StoreError>;

    /// One zone.
    async fn get_zone(&self, id: i64) -> Result<Zone, StoreError>;

    /// How many zones match (paging ignored).
    async fn count_zones(&self, query: &ZoneQuery) -> Result<u64, StoreError> {
        self.count_zones_up_to(query, u64::MAX).await
    }

    /// [`PlanningStore::count_zones`], counting no further than `at_most`.
    async fn count_zones_up_to(&self, query: &ZoneQuery, at_most: u64) -> Result<u64, StoreError>;

    /// A page of zones, in id order.
    fn stream_zones(&self, query: ZoneQuery) -> BoxStream<'static, Result<Zone, StoreError>>;

    /// Zones of a layer whose boundary contains the point (lon, lat), boundary included.
    async fn zones_at(&self, lon: f64, lat: f64, layer: Layer) -> Result<Vec<Zone>, StoreError>;

    /// Bounding box of a layer's zones, `None` when there are none.
    async fn zone_extent(&self, layer: Layer) -> Result<Option<[f64; 4]>, StoreError>;

    /// Land figures per cluster, summed from the zones in the database; clusters without
    /// zones are absent.
    async fn zone_totals(&self) -> Result<HashMap<i64, LandTotals>, StoreError>;

    /// Loads many zones in one transaction without placement checks: for imports of plans
    /// already checked and for benchmarks. Each gets its first version. Returns how many were
    /// written.
    async fn bulk_load_zones(&self, drafts: &[ZoneDraft]) -> Result<u64, StoreError>;

    /// Adds units and successions in one transaction (existing `(code, valid_from)` pairs are
    /// skipped). Returns how many units were added.
    async fn load_units(&self, units: &[Unit], successions: &[Succession]) -> Result<u64, StoreError>;

    /// Units matching the query, by level, code and start of validity.
    async fn list_units(&self, query: &UnitQuery) -> Result<Vec<Unit>, StoreError>;

    /// Every recorded succession, by date.
    async fn list_successions(&self) -> Result<Vec<Succession>, StoreError>;
}

/// Whether a boundary contains a point, edges included.
pub(crate) fn covers_point(boundary: &clusterplan_core::Boundary, lon: f64, lat: f64) -> bool {
    use geo::Intersects;
    boundary.as_multi_polygon().intersects(&geo_types::Point::new(lon, lat))
}

/// Zones by id order that `zones` has, paged after exact filtering.
pub(crate) fn sibling_refs(zones: &[Zone], except: Option<i64>) -> Vec<(i64, &clusterplan_core::Boundary)> {
    zones.iter().filter(|z| Some(z.id) != except).map(|z| (z.id, &z.data.boundary)).collect()
}

/// The first event of a cluster created without one: its status from today, no act.
pub(crate) fn first_event(draft: &ClusterDraft) -> NewEvent {
    NewEvent {
        event: StatusEvent {
            from: None,
            to: draft.attrs.status(),
            effective: Utc::now().date_naive(),
            act: None,
            note: None,
        },
        overrides: "[]".into(),
        rule_results: "[]".into(),
    }
}
