//! Turning stored columns back into core types, the same for both backends.

use chrono::{DateTime, Utc};
use clusterplan_core::{AreaReport, Boundary, Cluster, ClusterAttrs, ClusterDraft, ClusterInput, Crs};

use crate::StoreError;

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
