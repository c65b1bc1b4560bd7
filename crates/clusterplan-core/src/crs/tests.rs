use approx::assert_abs_diff_eq;
use geo_types::Coord;

use super::*;

fn forward(to: Crs, lon: f64, lat: f64) -> (f64, f64) {
    let mut c = [Coord { x: lon, y: lat }];
    transform_coords(Crs::WGS84, to, &mut c).expect("transform");
    (c[0].x, c[0].y)
}

#[test]
fn ben_tre_test_point_lands_on_the_official_tm3_coordinates_to_the_centimetre() {
    let (e, n) = forward(Crs::VN2000_TM3_10545, 106.378_89, 10.240_28);
    assert_abs_diff_eq!(e, 568_698.60, epsilon = 0.01);
    assert_abs_diff_eq!(n, 1_132_497.94, epsilon = 0.01);
}

#[test]
fn round_trip_through_vn2000_is_below_a_millimetre() {
    let (e, n) = forward(Crs::VN2000_TM3_10545, 106.378_89, 10.240_28);
    let mut c = [Coord { x: e, y: n }];
    transform_coords(Crs::VN2000_TM3_10545, Crs::WGS84, &mut c).expect("inverse");
    // 1 mm is about 9e-9 degrees.
    assert_abs_diff_eq!(c[0].x, 106.378_89, epsilon = 9e-9);
    assert_abs_diff_eq!(c[0].y, 10.240_28, epsilon = 9e-9);
}

#[test]
fn pinned_transformation_is_not_the_one_proj_would_pick() {
    // PROJ's own choice for EPSG:4326 → EPSG:9210 differs by decimetres in the Mekong delta;
    // if both agree, the pin has silently stopped applying.
    let pinned = forward(Crs::VN2000_TM3_10545, 106.378_89, 10.240_28);
    let proj = Proj::new_known_crs("EPSG:4326", "EPSG:9210", None).expect("proj");
    let default = proj.convert((106.378_89, 10.240_28)).expect("convert");
    let shift = ((pinned.0 - default.0).powi(2) + (pinned.1 - default.1).powi(2)).sqrt();
    assert!(shift > 0.1, "pinned and default agree to {shift} m");
}

#[test]
fn every_tm3_zone_has_its_central_meridian_at_false_easting() {
    for crs in Crs::supported().into_iter().filter(|c| c.tm3_central_meridian().is_some()) {
        let cm = crs.tm3_central_meridian().expect("tm3");
        let (e, _) = forward(crs, cm, 10.0);
        // On the central meridian the easting is 500 000 m up to the datum shift (~ tens of m).
        assert!((e - 500_000.0).abs() < 300.0, "{crs}: easting {e}");
    }
}

#[test]
fn vn2000_utm_differs_from_wgs84_utm_by_hundreds_of_metres() {
    let (e, n) = forward(Crs::Epsg(3405), 106.37, 10.24);
    let proj = Proj::new_known_crs("EPSG:4326", "EPSG:32648", None).expect("proj");
    let (e2, n2) = proj.convert((106.37, 10.24)).expect("convert");
    let d = ((e - e2).powi(2) + (n - n2).powi(2)).sqrt();
    assert!((150.0..400.0).contains(&d), "{d} m");
}

#[test]
fn parses_the_spellings_clients_send() {
    assert_eq!(Crs::parse("EPSG:9210"), Ok(Crs::Epsg(9210)));
    assert_eq!(Crs::parse("http://www.opengis.net/def/crs/EPSG/0/9210"), Ok(Crs::Epsg(9210)));
    assert_eq!(Crs::parse("http://www.opengis.net/def/crs/OGC/1.3/CRS84"), Ok(Crs::Crs84));
    assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::4326"), Ok(Crs::Epsg(4326)));
    assert!(Crs::parse("EPSG:32648").is_err());
    assert!(Crs::parse("EPSG:abc").is_err());
}

#[test]
fn names_tm3_zones_by_their_meridian() {
    assert_eq!(Crs::Epsg(9210).name(), "VN-2000 / TM-3 105-45");
    assert_eq!(Crs::Epsg(5897).name(), "VN-2000 / TM-3 105-00");
    assert_eq!(Crs::nearest_tm3_zone(106.4), Crs::Epsg(9213));
}

#[test]
fn wkt1_carries_the_pinned_transformation_and_the_zone() {
    let wkt = Crs::Epsg(9210).wkt1().expect("wkt");
    assert!(wkt.starts_with("PROJCS["), "{wkt}");
    assert!(!wkt.contains('\n'), "one line: {wkt}");
    assert!(wkt.contains(r#"PARAMETER["central_meridian",105.75]"#), "{wkt}");
    assert!(wkt.contains(r#"PARAMETER["scale_factor",0.9999]"#), "{wkt}");
    assert!(wkt.contains(&format!("TOWGS84[{VN2000_TOWGS84}]")), "{wkt}");
    assert!(Crs::Crs84.wkt1().expect("wkt").starts_with("GEOGCS["));
}

#[test]
fn places_the_systems_prj_files_describe() {
    // What clusterplan writes, GDAL's WKT 1, and an ESRI VN-2000 TM-3 file as ArcGIS writes it.
    for crs in [Crs::Epsg(9210), Crs::Epsg(5897), Crs::Epsg(3405), Crs::Epsg(4756), Crs::Crs84] {
        assert_eq!(Crs::from_wkt(&crs.wkt1().expect("wkt")), Some(crs), "{crs}");
    }
    let esri = r#"PROJCS["VN_2000_TM3_105_45",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.75],PARAMETER["Scale_Factor",0.9999],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    assert_eq!(Crs::from_wkt(esri), Some(Crs::Epsg(9210)));
    let wgs84 = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    assert_eq!(Crs::from_wkt(wgs84), Some(Crs::Crs84));
    let utm_wgs84 = r#"PROJCS["WGS_1984_UTM_Zone_48N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["Central_Meridian",105.0],PARAMETER["Scale_Factor",0.9996]]"#;
    assert_eq!(Crs::from_wkt(utm_wgs84), None, "WGS 84 / UTM is not served");
    assert_eq!(Crs::from_wkt("nonsense"), None);
}
