use approx::assert_abs_diff_eq;
use geo_types::Coord;

use super::*;
use crate::geometry::{RawBoundary, validate};

/// Near the Bến Tre test point, in EPSG:9210 metres (easting, northing).
const ORIGIN: (f64, f64) = (568_698.600, 1_132_497.940);

/// Rings given in TM-3 metres relative to [`ORIGIN`], as a boundary in WGS 84.
fn boundary_from_tm3(rings: &[&[(f64, f64)]]) -> Boundary {
    let rings: Vec<Vec<Vec<f64>>> = rings
        .iter()
        .map(|ring| {
            let mut coords: Vec<Coord<f64>> =
                ring.iter().map(|&(e, n)| Coord { x: ORIGIN.0 + e, y: ORIGIN.1 + n }).collect();
            coords.push(coords[0]);
            transform_coords(Crs::VN2000_TM3_10545, Crs::WGS84, &mut coords).expect("transform");
            coords.iter().map(|c| vec![c.x, c.y]).collect()
        })
        .collect();
    validate(&RawBoundary::Polygon(rings)).expect("valid")
}

/// A pentagon given counter-clockwise from its south-west corner, whose apex is the north.
const PENTAGON: &[(f64, f64)] = &[(0.0, 0.0), (300.0, 0.0), (300.0, 200.0), (150.0, 350.0), (0.0, 200.0)];

#[test]
fn markers_run_clockwise_from_the_northernmost_with_x_northing_and_y_easting_to_the_millimetre() {
    let table = annex(&boundary_from_tm3(&[PENTAGON]), Crs::VN2000_TM3_10545).expect("annex");
    let markers: Vec<&Marker> = table.markers().collect();
    // Apex, then east side down, south edge, west side up: clockwise on the map.
    let expected = [(150.0, 350.0), (300.0, 200.0), (300.0, 0.0), (0.0, 0.0), (0.0, 200.0)];
    assert_eq!(markers.len(), expected.len());
    for (i, (marker, &(e, n))) in markers.iter().zip(&expected).enumerate() {
        assert_eq!(marker.number, i + 1);
        assert_abs_diff_eq!(marker.x, ORIGIN.1 + n, epsilon = 0.001);
        assert_abs_diff_eq!(marker.y, ORIGIN.0 + e, epsilon = 0.001);
        assert_abs_diff_eq!(marker.x, (marker.x * 1000.0).round() / 1000.0, epsilon = 1e-9);
    }
    let diagonal = (150.0f64.powi(2) * 2.0).sqrt();
    for (marker, edge) in markers.iter().zip([diagonal, 200.0, 300.0, 200.0, diagonal]) {
        assert_abs_diff_eq!(marker.edge, edge, epsilon = 0.002);
    }
    // 300 × 200 + the triangle 300 × 150 / 2 = 82 500 m².
    assert_abs_diff_eq!(table.area_ha, 8.25, epsilon = 0.0001);
    assert_eq!(table.parcels.len(), 1);
    assert_abs_diff_eq!(table.parcels[0].area_ha, table.area_ha, epsilon = 1e-12);
}

#[test]
fn a_hole_follows_its_ring_counter_clockwise_and_its_area_is_left_out() {
    let hole: &[(f64, f64)] = &[(100.0, 50.0), (100.0, 150.0), (200.0, 150.0), (200.0, 60.0)];
    let table = annex(&boundary_from_tm3(&[PENTAGON, hole]), Crs::VN2000_TM3_10545).expect("annex");
    let rings = &table.parcels[0].rings;
    assert_eq!((rings.len(), rings[0].hole, rings[1].hole), (2, false, true));
    let numbers: Vec<usize> = rings[1].markers.iter().map(|m| m.number).collect();
    assert_eq!(numbers, [6, 7, 8, 9]);
    // From its northernmost (westernmost of the two at 150 m), counter-clockwise: west, south.
    let first = rings[1].markers[0];
    let second = rings[1].markers[1];
    assert_abs_diff_eq!(first.y - ORIGIN.0, 100.0, epsilon = 0.001);
    assert_abs_diff_eq!(first.x - ORIGIN.1, 150.0, epsilon = 0.001);
    assert_abs_diff_eq!(second.x - ORIGIN.1, 50.0, epsilon = 0.001);
    // The hole: 100 × 90 + 100 × 10 / 2 = 9 500 m².
    assert_abs_diff_eq!(table.area_ha, 8.25 - 0.95, epsilon = 0.0001);
}

#[test]
fn the_area_is_recomputed_from_the_printed_coordinates() {
    let table = annex(&boundary_from_tm3(&[PENTAGON]), Crs::VN2000_TM3_10545).expect("annex");
    let ring: Vec<(f64, f64)> = table.markers().map(|m| (m.y, m.x)).collect();
    let area = Polygon::new(LineString::from(ring), Vec::new()).unsigned_area();
    assert_abs_diff_eq!(table.area_ha, area.round() / 10_000.0, epsilon = 1e-12);
}

#[test]
fn only_a_vn2000_projected_system_over_the_boundary_gives_a_table() {
    let boundary = boundary_from_tm3(&[PENTAGON]);
    assert!(matches!(annex(&boundary, Crs::WGS84), Err(CrsError::Unsupported(_))));
    assert!(matches!(annex(&boundary, Crs::Epsg(3857)), Err(CrsError::Unsupported(_))));
    // Lai Châu's zone (103°) lies far west of Bến Tre.
    assert!(matches!(annex(&boundary, Crs::Epsg(9205)), Err(CrsError::OutsideAreaOfUse { .. })));
    // VN-2000 / UTM 48N is another table of the same boundary: other figures, the same area
    // within the scale difference of the two projections (k0 0.9996 against 0.9999).
    let other = annex(&boundary, Crs::Epsg(3405)).expect("annex in UTM 48N");
    let ours = annex(&boundary, Crs::VN2000_TM3_10545).expect("annex");
    assert!((other.markers().next().expect("marker").y - ours.markers().next().expect("marker").y).abs() > 1000.0);
    assert_abs_diff_eq!(other.area_ha, ours.area_ha, epsilon = 0.01);
}
