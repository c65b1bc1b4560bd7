//! What changed between two states of a cluster or a zone: attributes one by one, and the boundary as
//! the area added and removed, in square metres of the planning CRS.

use geo::{Area, BooleanOps, MultiPolygon};

use crate::cluster::ClusterDraft;
use crate::crs::{Crs, CrsError, transform_geometry};
use crate::zones::ZoneDraft;

/// One attribute whose value differs.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeChange {
    /// Attribute name, as on the wire (`status`, `planned_area_ha`, …).
    pub field: &'static str,
    /// Value before, `None` when absent (or the feature did not exist).
    pub from: Option<String>,
    /// Value after.
    pub to: Option<String>,
}

/// The difference between two states of a feature; either may be absent (before creation, after deletion).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDiff {
    /// Attributes that changed, in a fixed order.
    pub attributes: Vec<AttributeChange>,
    /// Area inside the new boundary and outside the old one, m².
    pub area_added_m2: f64,
    /// Area inside the old boundary and outside the new one, m².
    pub area_removed_m2: f64,
    /// The projected CRS the areas are measured in.
    pub crs: Crs,
}

fn attributes(d: &ClusterDraft) -> [(&'static str, Option<String>); 7] {
    let a = &d.attrs;
    [
        ("code", Some(a.code().to_owned())),
        ("name", Some(a.name().to_owned())),
        ("kind", Some(a.kind().code().to_owned())),
        ("status", Some(a.status().code().to_owned())),
        ("planned_area_ha", a.planned_area_ha().map(|v| v.to_string())),
        ("notes", a.notes().map(str::to_owned)),
        ("planning_crs", Some(a.planning_crs().to_string())),
    ]
}

fn zone_attributes(d: &ZoneDraft) -> [(&'static str, Option<String>); 6] {
    let a = &d.attrs;
    [
        ("cluster_id", Some(a.cluster_id().to_string())),
        ("land_use", Some(a.land_use().code().to_owned())),
        ("label", a.label().map(str::to_owned)),
        ("leasable", Some(a.leasable().to_string())),
        ("leased", Some(a.leased().to_string())),
        ("tenant", a.tenant().map(str::to_owned)),
    ]
}

/// Compares two states. Areas are measured in the newer state's planning CRS (the older one's
/// when the newer is absent); with neither present the result is empty.
pub fn diff(from: Option<&ClusterDraft>, to: Option<&ClusterDraft>) -> Result<ClusterDiff, CrsError> {
    let crs = to.or(from).map_or(Crs::VN2000_TM3_10545, |d| d.attrs.planning_crs());
    compare(
        from.map(|d| (attributes(d), d.boundary.as_multi_polygon())),
        to.map(|d| (attributes(d), d.boundary.as_multi_polygon())),
        crs,
    )
}

/// Compares two states of a zone; areas in `crs`, its cluster's planning CRS.
pub fn diff_zones(from: Option<&ZoneDraft>, to: Option<&ZoneDraft>, crs: Crs) -> Result<ClusterDiff, CrsError> {
    compare(
        from.map(|d| (zone_attributes(d), d.boundary.as_multi_polygon())),
        to.map(|d| (zone_attributes(d), d.boundary.as_multi_polygon())),
        crs,
    )
}

type Side<'a, const N: usize> = Option<([(&'static str, Option<String>); N], &'a MultiPolygon<f64>)>;

fn compare<const N: usize>(from: Side<'_, N>, to: Side<'_, N>, crs: Crs) -> Result<ClusterDiff, CrsError> {
    let (before, old_shape) = from.map_or((None, None), |(a, m)| (Some(a), Some(m)));
    let (after, new_shape) = to.map_or((None, None), |(a, m)| (Some(a), Some(m)));
    let pairs: Vec<(&'static str, Option<String>, Option<String>)> = match (before, after) {
        (Some(b), Some(a)) => b.into_iter().zip(a).map(|((field, old), (_, new))| (field, old, new)).collect(),
        (Some(b), None) => b.into_iter().map(|(field, old)| (field, old, None)).collect(),
        (None, Some(a)) => a.into_iter().map(|(field, new)| (field, None, new)).collect(),
        (None, None) => Vec::new(),
    };
    let changes = pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, from, to)| AttributeChange { field, from, to })
        .collect();
    let project = |side: Option<&MultiPolygon<f64>>| -> Result<MultiPolygon<f64>, CrsError> {
        let Some(m) = side else { return Ok(MultiPolygon(Vec::new())) };
        let mut m = m.clone();
        transform_geometry(Crs::WGS84, crs, &mut m)?;
        Ok(m)
    };
    let old = project(old_shape)?;
    let new = project(new_shape)?;
    Ok(ClusterDiff {
        attributes: changes,
        area_added_m2: new.difference(&old).unsigned_area(),
        area_removed_m2: old.difference(&new).unsigned_area(),
        crs,
    })
}

#[cfg(test)]
mod tests;
