//! Turning stored columns back into core types, the same for both backends.

use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::lifecycle::{LegalAct, PlanningTask, StatusEvent};
use clusterplan_core::units::{Unit, UnitLevel};
use clusterplan_core::zones::{Zone, ZoneAttrs, ZoneDraft, ZoneInput};
use clusterplan_core::{
    AreaReport, Boundary, Cluster, ClusterAttrs, ClusterDraft, ClusterInput, ClusterStatus, Crs, SiteFlags,
};

use crate::StoreError;
use crate::planning::{EventRecord, TaskRecord};

/// Columns of one stored cluster, already decoded from the backend's types.
pub(crate) struct StoredCluster {
    pub id: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub status: String,
    pub planned_area_ha: Option<f64>,
    pub area_ha: f64,
    pub geodesic_area_ha: f64,
    pub planning_crs: String,
    pub notes: Option<String>,
    pub flags: SiteFlags,
    pub boundary: Boundary,
}

impl StoredCluster {
    pub(crate) fn into_cluster(self) -> Result<Cluster, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("cluster {}: {what}", self.id));
        let crs = Crs::parse(&self.planning_crs).map_err(|_| corrupt("planning CRS"))?;
        let input = ClusterInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            kind: Some(self.kind.clone()),
            status: Some(self.status.clone()),
            planned_area_ha: self.planned_area_ha,
            notes: self.notes.clone(),
            planning_crs: Some(self.planning_crs.clone()),
            craft_village: Some(self.flags.craft_village),
            mountainous: Some(self.flags.mountainous),
            roads_completed: Some(self.flags.roads_completed),
            water_completed: Some(self.flags.water_completed),
            wastewater_completed: Some(self.flags.wastewater_completed),
        };
        let attrs = ClusterAttrs::parse(input, crs).map_err(|p| corrupt(&format!("{p:?}")))?;
        let area = AreaReport { projected_ha: self.area_ha, geodesic_ha: self.geodesic_area_ha, crs };
        Ok(Cluster {
            id: self.id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            data: ClusterDraft { attrs, boundary: self.boundary, area },
        })
    }
}

/// Whether a boundary intersects a bounding box exactly (not only by envelopes).
pub(crate) fn intersects_bbox(boundary: &Boundary, bbox: [f64; 4]) -> bool {
    use geo::Intersects;
    let rect = geo_types::Rect::new(
        geo_types::coord! { x: bbox[0], y: bbox[1] },
        geo_types::coord! { x: bbox[2], y: bbox[3] },
    );
    boundary.as_multi_polygon().intersects(&rect)
}

/// Columns of one stored zone.
pub(crate) struct StoredZone {
    pub id: i64,
    pub cluster_id: i64,
    pub land_use: String,
    pub label: Option<String>,
    pub leasable: bool,
    pub leased: bool,
    pub tenant: Option<String>,
    pub area_ha: f64,
    pub geodesic_area_ha: f64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub boundary: Boundary,
}

impl StoredZone {
    pub(crate) fn into_zone(self) -> Result<Zone, StoreError> {
        let attrs = ZoneAttrs::parse(ZoneInput {
            cluster_id: Some(self.cluster_id),
            land_use: Some(self.land_use),
            label: self.label,
            leasable: Some(self.leasable),
            leased: Some(self.leased),
            tenant: self.tenant,
        })
        .map_err(|p| StoreError::Corrupt(format!("zone {}: {p:?}", self.id)))?;
        // The area was measured in the cluster's planning CRS when written; the CRS itself is
        // the cluster's, so the report names the default system only as a placeholder.
        let area = AreaReport { projected_ha: self.area_ha, geodesic_ha: self.geodesic_area_ha, crs: Crs::WGS84 };
        Ok(Zone {
            id: self.id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            data: ZoneDraft { attrs, boundary: self.boundary, area },
        })
    }
}

/// Columns of one stored status event.
pub(crate) struct StoredEvent {
    pub id: i64,
    pub cluster_id: i64,
    pub seq: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub effective: NaiveDate,
    pub act_number: Option<String>,
    pub act_date: Option<NaiveDate>,
    pub act_authority: Option<String>,
    pub act_link: Option<String>,
    pub note: Option<String>,
    pub overrides: String,
    pub rule_results: String,
    pub cluster_version: i64,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Option<String>,
}

impl StoredEvent {
    pub(crate) fn into_record(self) -> Result<EventRecord, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("event {}: {what}", self.id));
        let status = |code: &str| ClusterStatus::from_code(code).ok_or_else(|| corrupt("status"));
        let from = self.from_status.as_deref().map(status).transpose()?;
        let to = status(&self.to_status)?;
        let act = match (&self.act_number, self.act_date, &self.act_authority) {
            (Some(number), Some(date), Some(authority)) => Some(
                LegalAct::new(number, date, authority, self.act_link.as_deref()).map_err(|_| corrupt("legal act"))?,
            ),
            (None, None, None) => None,
            _ => return Err(corrupt("incomplete legal act")),
        };
        Ok(EventRecord {
            id: self.id,
            cluster_id: self.cluster_id,
            seq: self.seq,
            event: StatusEvent { from, to, effective: self.effective, act, note: self.note },
            overrides: self.overrides,
            rule_results: self.rule_results,
            cluster_version: self.cluster_version,
            recorded_at: self.recorded_at,
            recorded_by: self.recorded_by,
        })
    }
}

/// Columns of one stored task.
pub(crate) struct StoredTask {
    pub id: i64,
    pub title: String,
    pub owner_agency: String,
    pub due: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub cluster_id: Option<i64>,
    pub unit_code: Option<String>,
    pub act_number: Option<String>,
    pub notes: Option<String>,
}

impl StoredTask {
    pub(crate) fn into_record(self) -> TaskRecord {
        TaskRecord {
            id: self.id,
            task: PlanningTask {
                title: self.title,
                owner_agency: self.owner_agency,
                due: self.due,
                done_on: self.done_on,
            },
            cluster_id: self.cluster_id,
            unit_code: self.unit_code,
            act_number: self.act_number,
            notes: self.notes,
        }
    }
}

/// Columns of one stored unit.
pub(crate) struct StoredUnit {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub notes: Option<String>,
    pub boundary: Boundary,
}

impl StoredUnit {
    pub(crate) fn into_unit(self) -> Result<Unit, StoreError> {
        let level = UnitLevel::from_code(&self.level)
            .ok_or_else(|| StoreError::Corrupt(format!("unit {}: level", self.code)))?;
        Ok(Unit {
            code: self.code,
            name: self.name,
            level,
            parent_code: self.parent_code,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            boundary: self.boundary,
            notes: self.notes,
        })
    }
}
