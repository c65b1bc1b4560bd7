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

/// The envelope `[minx, miny, maxx, maxy]` a GeoPackage geometry blob's header holds, `None`
/// for a blob without one (or an empty geometry). The header (GeoPackage 1.3, §2.1.3): `GP`,
/// version, flags (bit 0 the byte order, bits 1–3 the envelope kind, bit 4 empty), the SRS id,
/// then the envelope's doubles beginning with minx, maxx, miny, maxy.
pub(crate) fn gpkg_envelope(blob: &[u8]) -> Option<[f64; 4]> {
    let (&[b'G', b'P', _, flags], rest) = blob.split_first_chunk::<4>()? else { return None };
    let kind = (flags >> 1) & 0b111;
    if kind == 0 || kind > 4 || flags & 0b1_0000 != 0 {
        return None;
    }
    let doubles = rest.get(4..36)?;
    let read = |i: usize| -> f64 {
        let bytes: [u8; 8] = doubles[i * 8..i * 8 + 8].try_into().expect("8 bytes");
        if flags & 1 == 1 { f64::from_le_bytes(bytes) } else { f64::from_be_bytes(bytes) }
    };
    let [minx, maxx, miny, maxy] = [read(0), read(1), read(2), read(3)];
    [minx, maxx, miny, maxy].iter().all(|v| v.is_finite()).then_some([minx, miny, maxx, maxy])
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

#[cfg(test)]
mod tests {
    use geo_types::{Geometry, polygon};

    use super::*;

    #[test]
    fn the_envelope_is_read_from_the_header() {
        let square: Geometry<f64> =
            polygon![(x: 106.1, y: 10.2), (x: 106.4, y: 10.2), (x: 106.4, y: 10.5), (x: 106.1, y: 10.2)].into();
        let blob = geometry_to_gpkg(&square).expect("encode");
        assert_eq!(gpkg_envelope(&blob), Some([106.1, 10.2, 106.4, 10.5]));
        // Big-endian, as another writer may have stored it.
        let mut big = blob[..8].to_vec();
        big[3] &= !1;
        for v in [106.1f64, 106.4, 10.2, 10.5] {
            big.extend(v.to_be_bytes());
        }
        assert_eq!(gpkg_envelope(&big), Some([106.1, 10.2, 106.4, 10.5]));
        // No envelope, an empty geometry, a cut-off header, not a GeoPackage blob.
        let mut none = blob[..8].to_vec();
        none[3] &= !0b1110;
        assert_eq!(gpkg_envelope(&none), None);
        let mut empty = blob.clone();
        empty[3] |= 0b1_0000;
        assert_eq!(gpkg_envelope(&empty), None);
        assert_eq!(gpkg_envelope(&blob[..20]), None);
        assert_eq!(gpkg_envelope(b"XY\0\x03"), None);
    }
}
