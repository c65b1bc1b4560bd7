//! What changed between two states of a cluster: attributes one by one, and the boundary as
//! the area added and removed, in square metres of the planning CRS.

use geo::{Area, BooleanOps, MultiPolygon};

use crate::cluster::ClusterDraft;
use crate::crs::{Crs, CrsError, transform_geometry};

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

/// The difference between two states; either may be absent (before creation, after deletion).
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

/// Compares two states. Areas are measured in the newer state's planning CRS (the older one's
/// when the newer is absent); with neither present the result is empty.
pub fn diff(from: Option<&ClusterDraft>, to: Option<&ClusterDraft>) -> Result<ClusterDiff, CrsError> {
    let crs = to.or(from).map_or(Crs::VN2000_TM3_10545, |d| d.attrs.planning_crs());
    let before = from.map(attributes);
    let after = to.map(attributes);
    let mut changes = Vec::new();
    for i in 0..7 {
        let field = before.as_ref().or(after.as_ref()).map_or("", |a| a[i].0);
        let old = before.as_ref().and_then(|a| a[i].1.clone());
        let new = after.as_ref().and_then(|a| a[i].1.clone());
        if old != new {
            changes.push(AttributeChange { field, from: old, to: new });
        }
    }
    let project = |d: Option<&ClusterDraft>| -> Result<MultiPolygon<f64>, CrsError> {
        let Some(d) = d else { return Ok(MultiPolygon(Vec::new())) };
        let mut m = d.boundary.as_multi_polygon().clone();
        transform_geometry(Crs::WGS84, crs, &mut m)?;
        Ok(m)
    };
    let old = project(from)?;
    let new = project(to)?;
    Ok(ClusterDiff {
        attributes: changes,
        area_added_m2: new.difference(&old).unsigned_area(),
        area_removed_m2: old.difference(&new).unsigned_area(),
        crs,
    })
}

#[cfg(test)]
mod tests;
