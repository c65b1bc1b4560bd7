//! Geometry encoding between core types and the stores' binary formats, via geozero.

use clusterplan_core::Boundary;
use geo_types::{Geometry, MultiPolygon};
use geozero::{CoordDimensions, ToWkb};

use crate::StoreError;

/// Storage SRID: WGS 84.
pub(crate) const SRID: i32 = 4326;

/// A boundary as a geometry, for binding.
pub(crate) fn geometry(boundary: &Boundary) -> Geometry<f64> {
    Geometry::MultiPolygon(boundary.as_multi_polygon().clone())
}

/// GeoPackage geometry blob of any geometry, with SRID and envelope, as GDAL writes them.
pub(crate) fn geometry_to_gpkg(geometry: &Geometry<f64>) -> Result<Vec<u8>, StoreError> {
    use geo::BoundingRect;
    let envelope = geometry.bounding_rect().map_or_else(Vec::new, |r| vec![r.min().x, r.max().x, r.min().y, r.max().y]);
    geometry
        .to_gpkg_wkb(CoordDimensions::xy(), Some(SRID), envelope)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode geometry: {e}")))
}

/// A GeoPackage geometry blob (header, then WKB) as a geometry.
pub(crate) fn gpkg_to_geometry(blob: &[u8]) -> Result<Geometry<f64>, geozero::error::GeozeroError> {
    use geozero::ToGeo;
    geozero::wkb::GpkgWkb(blob).to_geo()
}

/// ISO WKB of any geometry, for PostGIS.
pub(crate) fn geometry_to_wkb(geometry: &Geometry<f64>) -> Result<Vec<u8>, StoreError> {
    geometry.to_wkb(CoordDimensions::xy()).map_err(|e| StoreError::Corrupt(format!("cannot encode geometry: {e}")))
}

/// A stored geometry as a boundary (a polygon becomes a one-part multipolygon).
pub(crate) fn into_boundary(geometry: Geometry<f64>) -> Result<Boundary, StoreError> {
    let multi = match geometry {
        Geometry::MultiPolygon(m) => m,
        Geometry::Polygon(p) => MultiPolygon(vec![p]),
        other => return Err(StoreError::Corrupt(format!("unexpected stored geometry {other:?}"))),
    };
    Ok(Boundary::from_trusted_storage(multi))
}
