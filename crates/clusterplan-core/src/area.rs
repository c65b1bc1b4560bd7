//! Areas for planning rules: hectares in the dataset's projected VN-2000 system, cross-checked
//! against the geodesic area on the WGS 84 ellipsoid.

use geo::{Area, BoundingRect, GeodesicArea};

use crate::crs::{Crs, CrsError, transform_geometry};
use crate::geometry::Boundary;

/// Square metres in a hectare.
const M2_PER_HA: f64 = 10_000.0;

/// The area of a boundary, measured two ways.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaReport {
    /// Hectares in the projected system (the figure legal limits are checked against).
    pub projected_ha: f64,
    /// Hectares on the WGS 84 ellipsoid (Karney's algorithm), independent of any projection.
    pub geodesic_ha: f64,
    /// The projected system used.
    pub crs: Crs,
}

impl AreaReport {
    /// Relative difference between the two measurements.
    pub fn relative_difference(&self) -> f64 {
        if self.geodesic_ha == 0.0 {
            return 0.0;
        }
        (self.projected_ha - self.geodesic_ha).abs() / self.geodesic_ha
    }
}

/// Measures a boundary in a projected system (`crs` must be projected, e.g. a TM-3 zone).
pub fn measure(boundary: &Boundary, crs: Crs) -> Result<AreaReport, CrsError> {
    if crs.is_geographic() {
        return Err(CrsError::Unsupported(format!("{crs} is geographic; areas need a projected system")));
    }
    // Far from its area of use a projection distorts areas past use (a square in Paris measured
    // in a TM-3 zone of Vietnam comes out at 1.7 times its size): refused, not measured.
    if let Some(bbox) = boundary.as_multi_polygon().bounding_rect() {
        crs.check_area_of_use([bbox.min().x, bbox.min().y, bbox.max().x, bbox.max().y])?;
    }
    let mut projected = boundary.as_multi_polygon().clone();
    transform_geometry(Crs::WGS84, crs, &mut projected)?;
    Ok(AreaReport {
        projected_ha: projected.unsigned_area() / M2_PER_HA,
        geodesic_ha: boundary.as_multi_polygon().geodesic_area_unsigned() / M2_PER_HA,
        crs,
    })
}

#[cfg(test)]
mod tests;
