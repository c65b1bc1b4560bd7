//! A boundary as the coordinate table of an establishment decision's annex (*bảng tọa độ mốc
//! giới*): numbered markers with X (northing) and Y (easting) in a VN-2000 projected system to
//! the millimetre, the length of each edge and the area to 0.0001 ha.
//!
//! The table is what a decision prints, so every figure is computed from the coordinates as
//! printed (rounded to the millimetre): a reader who recomputes an edge or the area from the
//! table gets the figure the table gives.
//!
//! Markers are numbered 1, 2, … across the whole boundary. Each outer ring runs clockwise as
//! seen on the map and starts at its northernmost marker (the westernmost of equals), the way
//! surveyors number a boundary; each hole runs the other way from its own northernmost marker,
//! and its numbers follow those of its ring.

use geo::{Area, Coord, LineString, Polygon};

use crate::crs::{Crs, CrsError, transform_coords};
use crate::geometry::Boundary;

/// One marker of the table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Marker {
    /// The marker's number, from 1 across the whole boundary.
    pub number: usize,
    /// X: northing in metres, to the millimetre.
    pub x: f64,
    /// Y: easting in metres, to the millimetre.
    pub y: f64,
    /// Length in metres of the edge from this marker to the next one of its ring (the last
    /// marker's edge closes the ring), to the millimetre.
    pub edge: f64,
}

/// One ring of markers: the outer boundary of a parcel or a hole in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    /// Whether the ring is a hole (land inside the parcel that is not part of it).
    pub hole: bool,
    pub markers: Vec<Marker>,
}

/// One parcel: a polygon of the boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Parcel {
    /// The outer ring first, then the holes.
    pub rings: Vec<Ring>,
    /// Area in hectares, holes excluded, to 0.0001 ha.
    pub area_ha: f64,
}

/// The coordinate table of a boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct Annex {
    /// The VN-2000 projected system of X and Y.
    pub crs: Crs,
    pub parcels: Vec<Parcel>,
    /// Area of all parcels in hectares (the sum of their areas as measured), to 0.0001 ha.
    pub area_ha: f64,
}

impl Annex {
    /// Every marker in number order.
    pub fn markers(&self) -> impl Iterator<Item = &Marker> {
        self.parcels.iter().flat_map(|p| p.rings.iter()).flat_map(|r| r.markers.iter())
    }
}

/// The coordinate table of `boundary` (WGS 84) in `crs`, which must be a VN-2000 projected
/// system (a TM-3 zone or UTM) whose area of use holds the boundary.
pub fn annex(boundary: &Boundary, crs: Crs) -> Result<Annex, CrsError> {
    if !crs.is_vn2000_projected() {
        return Err(CrsError::Unsupported(format!(
            "{crs} is not a VN-2000 projected system; a coordinate table is in a TM-3 zone or VN-2000 / UTM"
        )));
    }
    crs.check_area_of_use(boundary.bbox())?;
    let mut number = 0;
    let mut total_m2 = 0.0;
    let mut parcels = Vec::new();
    for polygon in boundary.as_multi_polygon() {
        let mut rings = Vec::new();
        let mut printed = Vec::new();
        for (i, ring) in std::iter::once(polygon.exterior()).chain(polygon.interiors()).enumerate() {
            let hole = i > 0;
            let mut coords: Vec<Coord<f64>> = ring.0.clone();
            coords.pop(); // the closing repeat of the first vertex
            transform_coords(Crs::WGS84, crs, &mut coords)?;
            let coords = table_order(coords.into_iter().map(to_millimetre).collect(), !hole);
            let markers = coords
                .iter()
                .zip(coords.iter().cycle().skip(1))
                .map(|(a, b)| {
                    number += 1;
                    Marker { number, x: a.y, y: a.x, edge: to_mm(((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt()) }
                })
                .collect();
            rings.push(Ring { hole, markers });
            printed.push(LineString::from(coords));
        }
        let mut printed = printed.into_iter();
        let exterior = printed.next().unwrap_or_else(|| LineString::new(Vec::new()));
        let area_m2 = Polygon::new(exterior, printed.collect()).unsigned_area();
        total_m2 += area_m2;
        parcels.push(Parcel { rings, area_ha: to_ten_thousandth(area_m2 / 10_000.0) });
    }
    Ok(Annex { crs, parcels, area_ha: to_ten_thousandth(total_m2 / 10_000.0) })
}

/// The ring's vertices (no closing repeat) clockwise (`clockwise`) or counter-clockwise as
/// seen on the map (east right, north up), from the northernmost vertex, the westernmost of
/// equals.
fn table_order(mut coords: Vec<Coord<f64>>, clockwise: bool) -> Vec<Coord<f64>> {
    // Twice the signed area (shoelace): positive when counter-clockwise.
    let signed: f64 = coords.iter().zip(coords.iter().cycle().skip(1)).map(|(a, b)| a.x * b.y - b.x * a.y).sum();
    if (signed < 0.0) != clockwise {
        coords.reverse();
    }
    let start = coords
        .iter()
        .enumerate()
        .max_by(|(_, a), (_, b)| a.y.total_cmp(&b.y).then(b.x.total_cmp(&a.x)))
        .map_or(0, |(i, _)| i);
    coords.rotate_left(start);
    coords
}

fn to_mm(metres: f64) -> f64 {
    (metres * 1000.0).round() / 1000.0
}

fn to_millimetre(c: Coord<f64>) -> Coord<f64> {
    Coord { x: to_mm(c.x), y: to_mm(c.y) }
}

fn to_ten_thousandth(hectares: f64) -> f64 {
    (hectares * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests;
