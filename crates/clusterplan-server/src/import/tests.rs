use geo_types::{MultiPolygon, polygon};
use serde_json::json;

use super::*;
use crate::export::{Format, Row, encode};

fn options() -> Options {
    Options { max_features: 100, ..Options::default() }
}

/// A 0.01° square near Bến Tre in WGS 84.
fn square() -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: 106.40, y: 10.20), (x: 106.41, y: 10.20), (x: 106.41, y: 10.21), (x: 106.40, y: 10.21), (x: 106.40, y: 10.20)
    ]])
}

fn rows(crs: Crs) -> Vec<Row> {
    let mut geometry = square();
    clusterplan_core::crs::transform_geometry(Crs::WGS84, crs, &mut geometry).expect("transform");
    vec![Row {
        id: 4,
        properties:
            json!({"code": "BT-1", "name": "Phú Hưng–Mỹ Thạnh", "planned_area_ha": 80.5, "craft_village": true})
                .as_object()
                .cloned()
                .expect("object"),
        geometry,
    }]
}

/// The same corners to about a millimetre, whatever the ring's direction and start.
fn assert_near_square(multi: &MultiPolygon<f64>) {
    use geo::CoordsIter;
    let corners = |m: &MultiPolygon<f64>| {
        let mut c: Vec<(f64, f64)> = m.coords_iter().map(|c| (c.x, c.y)).collect();
        c.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        c
    };
    for (got, want) in corners(multi).iter().zip(corners(&square()).iter()) {
        assert!((got.0 - want.0).abs() < 1e-8 && (got.1 - want.1).abs() < 1e-8, "{got:?} vs {want:?}");
    }
}

#[test]
fn our_own_shapefile_comes_back_with_its_system_names_and_boundary() {
    let zip = encode(Format::Shapefile, "clusters", Crs::Epsg(9210), &rows(Crs::Epsg(9210))).expect("shp");
    let dataset = read(&zip, &options()).expect("read");
    assert_eq!((dataset.format, dataset.crs, dataset.encoding), ("Shapefile", Crs::Epsg(9210), Some("UTF-8")));
    assert_eq!(dataset.fields, ["id", "code", "name", "craft_vill", "planned_ar"]);
    let feature = &dataset.features[0];
    assert_eq!(feature.properties["name"], "Phú Hưng–Mỹ Thạnh");
    assert_eq!(feature.properties["planned_ar"], 80.5);
    assert_near_square(feature.geometry.as_ref().expect("boundary"));
    let mapping = guess_mapping(&dataset.fields);
    let mapped = mapped_properties(&feature.properties, &mapping);
    assert_eq!(
        Value::Object(mapped),
        json!({"code": "BT-1", "name": "Phú Hưng–Mỹ Thạnh", "planned_area_ha": 80.5, "craft_village": true})
    );
}

#[test]
fn geojson_names_its_system_and_kml_is_wgs84() {
    let named = encode(Format::GeoJson, "clusters", Crs::Epsg(9210), &rows(Crs::Epsg(9210))).expect("geojson");
    let dataset = read(&named, &options()).expect("read");
    assert_eq!(dataset.crs, Crs::Epsg(9210));
    assert_near_square(dataset.features[0].geometry.as_ref().expect("boundary"));
    let kml = encode(Format::Kml, "clusters", Crs::Crs84, &rows(Crs::Crs84)).expect("kml");
    let dataset = read(&kml, &options()).expect("read");
    assert_eq!((dataset.format, dataset.features.len()), ("KML", 1));
    assert_eq!(dataset.features[0].properties["code"], "BT-1");
    assert_eq!(dataset.features[0].properties["name"], "Phú Hưng–Mỹ Thạnh");
    assert_near_square(dataset.features[0].geometry.as_ref().expect("boundary"));
}

#[test]
fn windows_1258_text_is_decoded_to_nfc() {
    // Windows-1258 keeps ư, ơ, â… whole and writes tones as combining marks: iconv knows how.
    let bytes = iconv("Phú Hưng-Mỹ Thạnh", "WINDOWS-1258");
    assert!(bytes.len() > "Phu Hung-My Thanh".len(), "tones as separate bytes: {bytes:?}");
    assert_eq!(TextEncoding::Windows1258.decode(&bytes).expect("text"), "Phú Hưng-Mỹ Thạnh");
    assert!(TextEncoding::Utf8.decode(&bytes).is_err(), "not UTF-8");
    assert_eq!(TextEncoding::parse("CP1258"), Some(TextEncoding::Windows1258));
    assert_eq!(TextEncoding::parse("utf-8"), Some(TextEncoding::Utf8));
    assert_eq!(TextEncoding::parse("TCVN3"), Some(TextEncoding::Tcvn3));
    assert_eq!(TextEncoding::parse("VNI"), None);
}

#[test]
fn usual_provincial_field_names_are_guessed() {
    let fields: Vec<String> = ["MA_CCN", "TEN_CCN", "Diện tích", "Ghi chú", "LANG_NGHE", "SHAPE_AREA"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mapping = guess_mapping(&fields);
    let pairs: Vec<(&str, &str)> = mapping.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        pairs,
        [
            ("Diện tích", "planned_area_ha"),
            ("Ghi chú", "notes"),
            ("LANG_NGHE", "craft_village"),
            ("MA_CCN", "code"),
            ("TEN_CCN", "name")
        ]
    );
    let source = json!({"Diện tích": "12,5", "LANG_NGHE": "Có", "MA_CCN": 17, "TEN_CCN": null});
    let mapped = mapped_properties(source.as_object().expect("object"), &mapping);
    assert_eq!(Value::Object(mapped), json!({"planned_area_ha": 12.5, "craft_village": true, "code": "17"}));
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let refused = |bytes: &[u8]| read(bytes, &options()).err().expect("refused").0;
    assert!(refused(b"hello").contains("neither a zip"));
    assert!(refused(br#"{"type":"FeatureCollection","features":[]}"#).contains("no feature"));
    assert!(refused(b"{not json").contains("not valid JSON"));
    assert!(refused(b"PK\x03\x04broken").contains("zip"));
    let zip = encode(Format::Shapefile, "clusters", Crs::Crs84, &rows(Crs::Crs84)).expect("shp");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("zip");
    let mut without_dbf = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for name in ["clusters.shp", "clusters.shx", "clusters.prj"] {
        let mut content = Vec::new();
        archive.by_name(name).expect("member").read_to_end(&mut content).expect("read");
        without_dbf.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        std::io::Write::write_all(&mut without_dbf, &content).expect("write");
    }
    let bytes = without_dbf.finish().expect("finish").into_inner();
    assert!(refused(&bytes).contains("clusters.dbf is missing"));
    let many = json!({"type": "FeatureCollection", "features": vec![json!({"type": "Feature", "geometry": null, "properties": {}}); 101]});
    assert!(refused(many.to_string().as_bytes()).contains("more than the 100"));
}

#[test]
fn points_and_lines_are_not_boundaries() {
    let file = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.4, 10.2]}, "properties": {}},
        {"type": "Feature", "geometry": null, "properties": {}},
    ]});
    let dataset = read(file.to_string().as_bytes(), &options()).expect("read");
    assert_eq!(
        dataset.features[0].geometry.as_ref().err().map(String::as_str),
        Some("the geometry is a point; a boundary is a polygon")
    );
    assert_eq!(dataset.features[1].geometry.as_ref().err().map(String::as_str), Some("the feature has no geometry"));
}

/// Text as the C library's iconv encodes it (an implementation independent of ours).
fn iconv(text: &str, to: &str) -> Vec<u8> {
    use std::io::Write as _;
    let mut child = std::process::Command::new("iconv")
        .args(["-f", "UTF-8", "-t", to])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("iconv (libc-bin)");
    child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("iconv");
    assert!(out.status.success(), "iconv -t {to} {text:?}");
    out.stdout
}

#[test]
fn tcvn3_agrees_with_iconv_on_every_byte_and_on_place_names() {
    for byte in (0x80..=0xFFu8).chain(tcvn3::LOW.iter().map(|(b, _)| *b)) {
        let ours = TextEncoding::Tcvn3.decode(&[byte]).expect("text");
        let theirs = std::process::Command::new("iconv")
            .args(["-f", "TCVN5712-1", "-t", "UTF-8"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write as _;
                c.stdin.take().expect("stdin").write_all(&[byte])?;
                c.wait_with_output()
            })
            .expect("iconv");
        let theirs: String = String::from_utf8(theirs.stdout).expect("utf-8").nfc().collect();
        assert_eq!(ours, theirs, "byte {byte:#04x}");
    }
    let names = "cụm công nghiệp phú hưng, mỹ thạnh, giồng trôm, bến tre, phong nẫm, an hiệp, châu thành, lương quới";
    let bytes = iconv(names, "TCVN5712-1");
    assert_eq!(TextEncoding::Tcvn3.decode(&bytes).expect("text"), names);
    assert_eq!(detect(&[bytes]), TextEncoding::Tcvn3, "TCVN3 text is told from Windows-1258");
    assert_eq!(detect(&[iconv(names, "WINDOWS-1258")]), TextEncoding::Windows1258);
    assert_eq!(detect(&[names.as_bytes().to_vec()]), TextEncoding::Utf8);
    let capitals = "PHÚ HƯNG, MỸ THẠNH, GIỒNG TRÔM";
    assert_eq!(detect(&[iconv(capitals, "WINDOWS-1258")]), TextEncoding::Windows1258);
    assert!(vietnamese('ự') && vietnamese('Ặ') && !vietnamese('ä') && !vietnamese('¸') && !vietnamese('ç'));
}
