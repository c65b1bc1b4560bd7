use approx::assert_relative_eq;

use super::*;
use crate::crs::transform_coords;
use crate::geometry::{RawBoundary, validate};

/// A square of `side` metres in EPSG:9210 around the Bến Tre test point, in WGS 84.
fn square_in_tm3(side: f64) -> Boundary {
    let (e0, n0) = (568_698.60, 1_132_497.94);
    let mut ring = vec![
        geo_types::Coord { x: e0, y: n0 },
        geo_types::Coord { x: e0 + side, y: n0 },
        geo_types::Coord { x: e0 + side, y: n0 + side },
        geo_types::Coord { x: e0, y: n0 + side },
        geo_types::Coord { x: e0, y: n0 },
    ];
    transform_coords(Crs::VN2000_TM3_10545, Crs::WGS84, &mut ring).expect("transform");
    let raw = RawBoundary::Polygon(vec![ring.iter().map(|c| vec![c.x, c.y]).collect()]);
    validate(&raw).expect("valid square")
}

#[test]
fn a_square_of_500_m_in_tm3_measures_25_ha_there() {
    let report = measure(&square_in_tm3(500.0), Crs::VN2000_TM3_10545).expect("area");
    // Straight edges in TM-3 become slightly curved in lon/lat and back; well under 1 m².
    assert_relative_eq!(report.projected_ha, 25.0, max_relative = 1e-6);
}

#[test]
fn projected_and_geodesic_areas_agree_within_the_tm3_scale_distortion() {
    let report = measure(&square_in_tm3(1000.0), Crs::VN2000_TM3_10545).expect("area");
    // k0 = 0.9999 and 0.6° from the central meridian: areas differ by a few parts in 10 000.
    assert!(report.relative_difference() < 1e-3, "{report:?}");
}

#[test]
fn geographic_systems_are_refused_for_areas() {
    assert!(measure(&square_in_tm3(100.0), Crs::WGS84).is_err());
}

/// A square of about 700 m in Paris: far outside every VN-2000 system's area of use.
fn square_in_paris() -> Boundary {
    let (lon, lat, side) = (2.35, 48.85, 0.01);
    let ring = vec![
        vec![lon, lat],
        vec![lon + side, lat],
        vec![lon + side, lat + side],
        vec![lon, lat + side],
        vec![lon, lat],
    ];
    validate(&RawBoundary::Polygon(vec![ring])).expect("valid square")
}

#[test]
fn a_boundary_far_outside_the_area_of_use_of_its_crs_is_not_measured() {
    let Err(CrsError::OutsideAreaOfUse { crs, area }) = measure(&square_in_paris(), Crs::VN2000_TM3_10545) else {
        panic!("a square in Paris was measured in EPSG:9210");
    };
    assert_eq!(crs, Crs::VN2000_TM3_10545);
    assert!(area.name.contains("Ben Tre"), "{area:?}");
    let message = CrsError::OutsideAreaOfUse { crs, area }.to_string();
    assert!(message.contains("EPSG:9210") && message.contains("Ben Tre"), "{message}");
    // Inside its area of use the same system measures.
    assert!(measure(&square_in_tm3(500.0), Crs::VN2000_TM3_10545).is_ok());
}

#[test]
fn every_vn2000_projected_system_has_an_area_of_use_in_vietnam() {
    for crs in Crs::supported().into_iter().filter(|c| c.is_vn2000_projected()) {
        let area = crs.area_of_use().unwrap_or_else(|| panic!("{crs} has no area of use"));
        assert!(area.name.starts_with("Vietnam"), "{crs}: {area:?}");
        assert!(area.west >= 102.0 && area.east <= 110.0 && area.south >= 8.0 && area.north <= 24.0, "{area:?}");
    }
    assert_eq!(Crs::Crs84.area_of_use(), None);
}
