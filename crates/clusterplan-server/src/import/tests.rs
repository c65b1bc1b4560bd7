use geo_types::{MultiPolygon, Polygon, polygon};
use serde_json::json;

use super::*;
use crate::export::{Format, Row, encode};

fn options() -> Options {
    Options { max_features: 100, ..Options::default() }
}

/// A file that is not a GeoPackage read as an upload is.
fn read(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    read_file(bytes, options).and_then(|d| counted(d, options))
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
    assert_eq!(TextEncoding::parse("VNI"), Some(TextEncoding::Vni));
    assert_eq!(TextEncoding::parse("KOI8-R"), None);
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
    assert!(refused(b"hello").contains("neither a GeoPackage, a zip"));
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

/// VNI-Windows as the VNI fonts type it (base letter, then the byte that draws the marks; ư, ơ,
/// đ and the marked i and y one byte each), written out by hand rather than by our table.
const VNI: [(&[u8], &str); 12] = [
    (b"Phu\xf9 H\xf6ng", "Phú Hưng"),
    (b"Gio\xe0ng Tro\xe2m", "Giồng Trôm"),
    (b"My\xf5 Tha\xefnh", "Mỹ Thạnh"),
    (b"PHU\xd9 H\xd6NG - MY\xd5 THA\xcfNH", "PHÚ HƯNG - MỸ THẠNH"),
    (b"cu\xefm co\xe2ng nghie\xe4p Be\xe1n Tre", "cụm công nghiệp Bến Tre"),
    (b"\xd1o\xe0ng Kh\xf4\xfbi, L\xf6\xf4ng Qu\xf4\xf9i", "Đồng Khởi, Lương Quới"),
    (b"Mo\xfb Ca\xf8y, Ch\xf4\xef La\xf9ch, B\xecnh \xd1a\xefi", "Mỏ Cày, Chợ Lách, Bình Đại"),
    (b"\xd1a\xebng Na\xfcng kha\xfang Ba\xe9c Ba\xe8ng", "Đặng Nẵng khẳng Bắc Bằng"),
    (b"Ky\xfb Quy\xf8nh Ngh\xf3a Th\xf2 T\xe6nh M\xee Ch\xed", "Kỷ Quỳnh Nghĩa Thị Tỉnh Mỵ Chí"),
    (b"da\xe3n Kie\xe5m La\xe4p HIE\xc0N TH\xd2", "dẫn Kiểm Lập HIỀN THỊ"),
    (b"Ph\xf6\xf4\xf9c Ha\xfbi, \xd6\xd4\xd8N", "Phước Hải, ƯỜN"),
    (b"Ph\xf6\xf4\xf9c Ha\xfbi A\xcan", "Phước Hải Ăn"),
];

#[test]
fn vni_windows_text_is_decoded_to_nfc_and_detected() {
    for (bytes, text) in VNI {
        assert_eq!(TextEncoding::Vni.decode(bytes).expect("VNI"), text, "{bytes:?}");
        assert_eq!(detect(&[bytes.to_vec()]), TextEncoding::Vni, "{text}");
    }
    // Bytes VNI does not use are refused, not guessed.
    assert!(TextEncoding::Vni.decode(b"H\xfdng").is_err(), "0xFD is Windows-1258's ư, not VNI");
    // Windows-1258 and TCVN3 of the same names are still told from VNI.
    let names = "Phú Hưng, Giồng Trôm, Mỹ Thạnh, Phú Hòa";
    assert_eq!(detect(&[iconv(names, "WINDOWS-1258")]), TextEncoding::Windows1258);
    assert_eq!(detect(&[iconv("Phú Hòa", "WINDOWS-1258")]), TextEncoding::Windows1258, "shortest reading");
    assert_eq!(detect(&[iconv(names, "TCVN5712-1")]), TextEncoding::Tcvn3);
    // VNI that also reads as Windows-1258 letters (`uù`, `oâ`) reads shorter as VNI.
    assert_eq!(detect(&[b"Phu\xf9 Tro\xe2m".to_vec()]), TextEncoding::Vni);
}

/// A zipped Shapefile whose `.dbf` holds the raw bytes `names` (and no `.cpg`, as provincial
/// archives come): our own Shapefile export's geometry and `.prj`, its table rewritten.
fn legacy_shapefile(names: &[&[u8]]) -> Vec<u8> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let rows: Vec<Row> = (0..names.len())
        .map(|i| {
            let mut row = rows(Crs::WGS84).remove(0);
            row.geometry.0[0].exterior_mut(|r| r.0.iter_mut().for_each(|c| c.x += 0.02 * i as f64));
            clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut row.geometry).expect("tm3");
            row
        })
        .collect();
    let exported = encode(Format::Shapefile, "ranh_gioi", Crs::Epsg(9210), &rows).expect("shp");
    let mut archive = zip::ZipArchive::new(Cursor::new(exported)).expect("zip");
    // dBase writers encode text; the raw bytes replace a placeholder of the same length.
    let placeholder = |i: usize, len: usize| vec![b'P' + i as u8; len];
    let mut dbf = Cursor::new(Vec::new());
    {
        let mut table = TableWriterBuilder::new()
            .add_character_field(FieldName::try_from("MA_CCN").expect("name"), 10)
            .add_character_field(FieldName::try_from("TEN_CCN").expect("name"), 80)
            .build_with_dest(&mut dbf);
        for (i, name) in names.iter().enumerate() {
            let mut record = Record::default();
            record.insert("MA_CCN".into(), FieldValue::Character(Some(format!("BT-V{i}"))));
            let text = String::from_utf8(placeholder(i, name.len())).expect("ascii");
            record.insert("TEN_CCN".into(), FieldValue::Character(Some(text)));
            table.write_record(&record).expect("record");
        }
        table.finalize().expect("finalize");
    }
    let mut dbf = dbf.into_inner();
    for (i, name) in names.iter().enumerate() {
        let mark = placeholder(i, name.len());
        let at = dbf.windows(mark.len()).position(|w| w == mark.as_slice()).expect("placeholder");
        dbf[at..at + name.len()].copy_from_slice(name);
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for member in ["ranh_gioi.shp", "ranh_gioi.shx", "ranh_gioi.prj"] {
        let mut content = Vec::new();
        archive.by_name(member).expect("member").read_to_end(&mut content).expect("read");
        out.start_file(member, zip::write::SimpleFileOptions::default()).expect("start");
        std::io::Write::write_all(&mut out, &content).expect("write");
    }
    out.start_file("ranh_gioi.dbf", zip::write::SimpleFileOptions::default()).expect("start");
    std::io::Write::write_all(&mut out, &dbf).expect("write");
    out.finish().expect("finish").into_inner()
}

#[test]
fn a_vni_shapefile_imports_with_its_vietnamese_names() {
    let names: Vec<&[u8]> = VNI[..3].iter().map(|(bytes, _)| *bytes).collect();
    let zip = legacy_shapefile(&names);
    for declared in [None, Some(TextEncoding::Vni)] {
        let dataset = read(&zip, &Options { encoding: declared, ..options() }).expect("read");
        assert_eq!(
            (dataset.format, dataset.encoding, dataset.crs),
            ("Shapefile", Some("VNI-Windows"), Crs::Epsg(9210))
        );
        let got: Vec<&str> = dataset.features.iter().map(|f| f.properties["TEN_CCN"].as_str().expect("text")).collect();
        assert_eq!(got, ["Phú Hưng", "Giồng Trôm", "Mỹ Thạnh"]);
        assert!(dataset.features.iter().all(|f| f.geometry.is_ok()));
    }
    // Declared wrongly, the reason names the record.
    let wrong = read(&legacy_shapefile(&[b"H\xfdng"]), &Options { encoding: Some(TextEncoding::Vni), ..options() });
    assert!(wrong.err().expect("refused").0.contains("record 1 field TEN_CCN"));
}

/// An upload read as the route reads it.
async fn upload(bytes: Vec<u8>, options: Options) -> Result<Dataset, BadFile> {
    read_upload(bytes, options).await.expect("no server error")
}

#[tokio::test]
async fn our_own_geopackage_comes_back_with_its_system_values_and_boundary() {
    for crs in [Crs::Epsg(9210), Crs::Crs84] {
        let gpkg = crate::export::write(Format::GeoPackage, "clusters".into(), crs, rows(crs)).await.expect("gpkg");
        let dataset = upload(gpkg, options()).await.expect("read");
        assert_eq!((dataset.format, dataset.crs.epsg()), ("GeoPackage", Some(crs.epsg().unwrap_or(4326))));
        assert_eq!(dataset.fields, ["id", "code", "name", "craft_village", "planned_area_ha"]);
        let feature = &dataset.features[0];
        assert_eq!(
            Value::Object(feature.properties.clone()),
            json!({"id": 4, "code": "BT-1", "name": "Phú Hưng–Mỹ Thạnh", "craft_village": true, "planned_area_ha": 80.5})
        );
        assert_near_square(feature.geometry.as_ref().expect("boundary"));
    }
}

/// Why an upload is refused, reading `layer`.
async fn refused(bytes: Vec<u8>, layer: Option<&str>) -> String {
    upload(bytes, Options { layer: layer.map(str::to_owned), ..options() }).await.err().expect("refused").0
}

#[tokio::test]
async fn bad_geopackages_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    // An SQLite file that is no GeoPackage.
    let path = dir.path().join("plain.sqlite");
    let mut conn = sqlx::ConnectOptions::connect(
        &sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true),
    )
    .await
    .expect("create");
    sqlx::query("CREATE TABLE t (x INTEGER)").execute(&mut conn).await.expect("table");
    sqlx::Connection::close(conn).await.expect("close");
    let plain = std::fs::read(&path).expect("read");
    assert_eq!(refused(plain, None).await, "an SQLite file without gpkg_contents is not a GeoPackage");
    // A layer that is not there; a system we cannot place (WGS 84 / UTM 48N).
    let gpkg = crate::export::write(Format::GeoPackage, "clusters".into(), Crs::Epsg(9210), rows(Crs::Epsg(9210)))
        .await
        .expect("gpkg");
    assert!(refused(gpkg.clone(), Some("zones")).await.contains("no feature table \"zones\" (it has clusters)"));
    let path = dir.path().join("utm.gpkg");
    std::fs::write(&path, &gpkg).expect("write");
    let mut conn =
        sqlx::ConnectOptions::connect(&sqlx::sqlite::SqliteConnectOptions::new().filename(&path)).await.expect("open");
    sqlx::query(
        "UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = 32648, \
         definition = 'PROJCS[\"WGS 84 / UTM zone 48N\",GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\"]],PROJECTION[\"Transverse_Mercator\"]]' \
         WHERE srs_id = 9210",
    )
    .execute(&mut conn)
    .await
    .expect("update");
    sqlx::Connection::close(conn).await.expect("close");
    let utm = std::fs::read(&path).expect("read");
    assert!(refused(utm.clone(), None).await.contains("(EPSG:32648, srs_id 9210) is not one clusterplan can place"));
    // Declared, it is read.
    let declared = upload(utm, Options { crs: Some(Crs::Epsg(9210)), ..options() }).await.expect("declared");
    assert_near_square(declared.features[0].geometry.as_ref().expect("boundary"));
}

#[test]
fn coordinate_table_figures_and_heads_are_read_as_written() {
    use std::fmt::Write as _;
    use table::Cell;
    for (text, want) in [
        ("1132378.470", 1_132_378.47),
        ("1132378,47", 1_132_378.47),
        ("1.132.378,470", 1_132_378.47),
        ("1 132 378,47", 1_132_378.47),
        ("1,132,378.47", 1_132_378.47),
        ("568698", 568_698.0),
    ] {
        assert_eq!(Cell::Text(text.into()).number(), Some(want), "{text}");
    }
    for text in ["abc", "M1", "12 m", ""] {
        assert_eq!(Cell::Text(text.into()).number(), None, "{text}");
    }
    // The square's corners in TM-3, X = northing, first marker repeated; then the same with
    // the columns the other way round, semicolons and decimal commas.
    let mut corners = square();
    clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut corners).expect("tm3");
    let ring = corners.0[0].exterior().0.clone();
    let mut north_east = "Số hiệu mốc,X (m),Y (m),Khoảng cách (m)\n".to_owned();
    let mut east_north = "Point;X;Y\n".to_owned();
    for (n, c) in ring.iter().enumerate() {
        writeln!(north_east, "{},{:.4},{:.4},1", n % 4 + 1, c.y, c.x).expect("write");
        let comma = |v: f64| format!("{v:.4}").replace('.', ",");
        writeln!(east_north, "{};{};{}", n % 4 + 1, comma(c.x), comma(c.y)).expect("write");
    }
    for (file, order) in [(north_east, "north_east"), (east_north, "east_north")] {
        let dataset = read(file.as_bytes(), &Options { code: Some("BT-T".into()), ..options() }).expect("table");
        assert_eq!(
            (dataset.format, dataset.crs, dataset.axis_order),
            ("coordinate table (CSV)", Crs::Epsg(9210), Some((order, "values")))
        );
        assert_eq!(dataset.fields, ["code"]);
        assert_eq!(dataset.features[0].properties["code"], "BT-T");
        let boundary = dataset.features[0].geometry.as_ref().expect("boundary");
        assert_eq!(boundary.0[0].exterior().0.len(), 5, "four markers, closed once");
        assert_near_square(boundary);
    }
}

/// A coordinate table saved by a spreadsheet in a legacy Vietnamese encoding (no declaration,
/// as archives hand them over) reads with its names in Unicode: each of the three encodings is
/// detected, a declared one wins, and bytes the encoding cannot read are named by line.
#[test]
fn a_coordinate_table_in_a_legacy_encoding_is_read_as_vietnamese() {
    use std::fmt::Write as _;
    let mut corners = square();
    clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut corners).expect("tm3");
    let mut table = "Mã,Tên,Số hiệu mốc,X (m),Y (m)\n".to_owned();
    for (n, c) in corners.0[0].exterior().0.iter().enumerate() {
        writeln!(table, "BT-E,Cụm công nghiệp Phú Hưng - Mỹ Thạnh,{},{:.4},{:.4}", n % 4 + 1, c.y, c.x).expect("write");
    }
    for (bytes, name) in [
        (iconv(&table, "WINDOWS-1258"), "windows-1258"),
        (iconv(&table, "TCVN5712-1"), "TCVN3"),
        (vni_bytes(&table), "VNI-Windows"),
    ] {
        assert!(std::str::from_utf8(&bytes).is_err(), "{name}: the test file is not UTF-8");
        let dataset = read(&bytes, &options()).unwrap_or_else(|e| panic!("{name}: {}", e.0));
        assert_eq!((dataset.format, dataset.encoding), ("coordinate table (CSV)", Some(name)));
        let feature = &dataset.features[0];
        assert_eq!(feature.properties.get("Mã"), Some(&serde_json::json!("BT-E")), "{name}: {:?}", feature.properties);
        let name_read = feature.properties.values().any(|v| v == "Cụm công nghiệp Phú Hưng - Mỹ Thạnh");
        assert!(name_read, "{name}: {:?}", feature.properties);
        assert_near_square(feature.geometry.as_ref().expect("boundary"));
    }
    // Declared: TCVN3 bytes read as declared, even where detection would choose otherwise.
    let tcvn3 = iconv(&table, "TCVN5712-1");
    let declared = read(&tcvn3, &Options { encoding: Some(TextEncoding::Tcvn3), ..options() }).expect("declared");
    assert!(declared.features[0].properties.values().any(|v| v == "Cụm công nghiệp Phú Hưng - Mỹ Thạnh"));
    // Declared wrongly: VNI cannot read Windows-1258's ư (0xFD); the line is named.
    let wrong = read(&iconv(&table, "WINDOWS-1258"), &Options { encoding: Some(TextEncoding::Vni), ..options() });
    let detail = wrong.err().expect("refused").0;
    assert!(detail.contains("line ") && detail.contains("declare encoding"), "{detail}");
}

/// Text in VNI-Windows from the hand-written pairs of `VNI` (the table's words only).
fn vni_bytes(text: &str) -> Vec<u8> {
    let mut text = text.to_owned();
    let pairs: [(&[u8], &str); 6] = [
        (b"Ma\xf5", "Mã"),
        (b"Te\xe2n", "Tên"),
        (b"So\xe1 hie\xe4u mo\xe1c", "Số hiệu mốc"),
        (b"Cu\xefm co\xe2ng nghie\xe4p", "Cụm công nghiệp"),
        (b"Phu\xf9 H\xf6ng", "Phú Hưng"),
        (b"My\xf5 Tha\xefnh", "Mỹ Thạnh"),
    ];
    let mut bytes = Vec::new();
    // Each word becomes a placeholder, then its bytes.
    for (n, (_, word)) in pairs.iter().enumerate() {
        text = text.replace(word, &format!("\u{1}{n}\u{1}"));
    }
    for (i, part) in text.split('\u{1}').enumerate() {
        if i % 2 == 1 {
            bytes.extend_from_slice(pairs[part.parse::<usize>().expect("index")].0);
        } else {
            bytes.extend_from_slice(part.as_bytes());
        }
    }
    bytes
}

/// A drawing as a surveyor hands it over, written by the `dxf` crate: the square (TM-3,
/// CAD X = easting) closed on layer `RANH_GIOI` with its name written inside, the same square
/// 0.02° east drawn with its first vertex repeated, an open line on that layer, and a closed
/// road on `GIAO_THONG`.
pub(super) fn drawing() -> Vec<u8> {
    use dxf::LwPolylineVertex;
    use dxf::entities::{Entity, EntityType, LwPolyline, Text};
    let mut drawing = dxf::Drawing::new();
    drawing.header.version = dxf::enums::AcadVersion::R2013;
    let mut tm3 = square();
    clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut tm3).expect("tm3");
    let ring: Vec<(f64, f64)> = tm3.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect();
    let mut add = |layer: &str, points: &[(f64, f64)], closed: bool| {
        let mut line = LwPolyline::default();
        line.set_is_closed(closed);
        line.vertices = points.iter().map(|&(x, y)| LwPolylineVertex { x, y, ..Default::default() }).collect();
        let mut entity = Entity::new(EntityType::LwPolyline(line));
        entity.common.layer = layer.to_owned();
        drawing.add_entity(entity);
    };
    add("RANH_GIOI", &ring[..4], true);
    let east: Vec<(f64, f64)> = {
        let mut moved = square();
        moved.0[0].exterior_mut(|r| r.0.iter_mut().for_each(|c| c.x += 0.02));
        clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut moved).expect("tm3");
        moved.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect()
    };
    add("RANH_GIOI", &east, false);
    add("RANH_GIOI", &ring[..3], false);
    add(
        "GIAO_THONG",
        &[(ring[0].0 - 50.0, ring[0].1), (ring[0].0 - 40.0, ring[0].1), (ring[0].0 - 40.0, ring[0].1 + 900.0)],
        true,
    );
    let (cx, cy) = (f64::midpoint(ring[0].0, ring[2].0), f64::midpoint(ring[0].1, ring[2].1));
    let mut name = Text { value: "Cụm Phú Hưng".into(), ..Default::default() };
    name.location = dxf::Point::new(cx, cy, 0.0);
    drawing.add_entity(Entity::new(EntityType::Text(name)));
    let mut bytes = Vec::new();
    drawing.save(&mut bytes).expect("dxf");
    bytes
}

#[test]
fn a_drawing_gives_its_closed_polylines_of_the_layer() {
    let planning = Options { planning_crs: Some(Crs::Epsg(9210)), ..options() };
    let all = read(&drawing(), &planning).expect("dxf");
    assert_eq!((all.format, all.crs, all.features.len()), ("DXF", Crs::Epsg(9210), 3));
    let layer =
        read(&drawing(), &Options { layer: Some("ranh_gioi".into()), code: Some("BT-D".into()), ..planning.clone() })
            .expect("dxf");
    assert_eq!(layer.fields, ["code", "layer", "name"]);
    let properties: Vec<Value> = layer.features.iter().map(|f| Value::Object(f.properties.clone())).collect();
    assert_eq!(
        properties,
        [
            json!({"code": "BT-D-1", "layer": "RANH_GIOI", "name": "Cụm Phú Hưng"}),
            json!({"code": "BT-D-2", "layer": "RANH_GIOI"})
        ]
    );
    assert_near_square(layer.features[0].geometry.as_ref().expect("boundary"));
    assert!(layer.partial, "what a drawing lacks is kept from the cluster");
    let none = read(&drawing(), &Options { layer: Some("NHA".into()), ..planning }).err().expect("refused").0;
    assert!(
        none.contains("no closed polyline or hatch on layer \"NHA\" (its layers with them: RANH_GIOI, GIAO_THONG)"),
        "{none}"
    );
}

/// `drawing()` with hatches written into its entities the way CAD programs write them: a lot on
/// `LO_DAT` (the square 0.04° east, with a square hole edged by lines and a clockwise arc) and
/// an associative hatch over the first `RANH_GIOI` polyline; and a road whose corner is an arc
/// (a bulge).
fn drawing_with_hatches() -> Vec<u8> {
    use std::fmt::Write as _;
    let tm3 = |dx: f64| {
        let mut moved = square();
        moved.0[0].exterior_mut(|r| r.0.iter_mut().for_each(|c| c.x += dx));
        clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut moved).expect("tm3");
        moved.0[0].exterior().0[..4].iter().map(|c| (c.x, c.y)).collect::<Vec<_>>()
    };
    let polyline_path = |ring: &[(f64, f64)]| {
        let mut path = format!("92\r\n7\r\n72\r\n0\r\n73\r\n1\r\n93\r\n{}\r\n", ring.len());
        for (x, y) in ring {
            write!(path, "10\r\n{x}\r\n20\r\n{y}\r\n").expect("write");
        }
        path + "97\r\n0\r\n"
    };
    let lot = tm3(0.04);
    let (x0, y0) = (lot[0].0 + 300.0, lot[0].1 + 300.0);
    let hole = format!(
        "92\r\n16\r\n93\r\n3\r\n72\r\n1\r\n10\r\n{x0}\r\n20\r\n{y0}\r\n11\r\n{x0}\r\n21\r\n{y1}\r\n\
         72\r\n2\r\n10\r\n{x0}\r\n20\r\n{y0}\r\n40\r\n100\r\n50\r\n270\r\n51\r\n360\r\n73\r\n0\r\n\
         72\r\n1\r\n10\r\n{x1}\r\n20\r\n{y0}\r\n11\r\n{x0}\r\n21\r\n{y0}\r\n97\r\n0\r\n",
        y1 = y0 + 100.0,
        x1 = x0 + 100.0,
    );
    let head = |handle: &str, layer: &str, paths: usize| {
        format!(
            "  0\r\nHATCH\r\n  5\r\n{handle}\r\n100\r\nAcDbEntity\r\n  8\r\n{layer}\r\n100\r\nAcDbHatch\r\n 10\r\n0.0\r\n \
             20\r\n0.0\r\n 30\r\n0.0\r\n210\r\n0.0\r\n220\r\n0.0\r\n230\r\n1.0\r\n  2\r\nSOLID\r\n 70\r\n1\r\n 71\r\n1\r\n \
             91\r\n{paths}\r\n"
        )
    };
    let tail = "75\r\n1\r\n76\r\n1\r\n98\r\n1\r\n10\r\n0.0\r\n20\r\n0.0\r\n";
    let hatches = format!(
        "{}{}{hole}{tail}{}{}{tail}",
        head("F1", "LO_DAT", 2),
        polyline_path(&lot),
        head("F2", "RANH_GIOI", 1),
        polyline_path(&tm3(0.0)),
    );
    let road = {
        let ring = tm3(0.08);
        let mut line = String::from(
            "  0\r\nLWPOLYLINE\r\n  5\r\nF3\r\n100\r\nAcDbEntity\r\n  8\r\nGIAO_THONG\r\n\
             100\r\nAcDbPolyline\r\n 90\r\n4\r\n 70\r\n1\r\n",
        );
        for (i, (x, y)) in ring.iter().enumerate() {
            write!(line, " 10\r\n{x}\r\n 20\r\n{y}\r\n").expect("write");
            if i == 1 {
                line.push_str(" 42\r\n0.4142135623730951\r\n");
            }
        }
        line
    };
    let text = String::from_utf8(drawing()).expect("ASCII drawing");
    let entities = text.find("ENTITIES").expect("entities");
    let end = entities + text[entities..].find("ENDSEC").expect("end of entities");
    // Before the line `  0` that opens `ENDSEC`.
    let end = text[..end - 2].rfind('\n').expect("line") + 1;
    format!("{}{hatches}{road}{}", &text[..end], &text[end..]).into_bytes()
}

#[test]
fn hatches_and_arcs_of_a_drawing_are_boundaries() {
    use geo::{Area, CoordsIter};
    let planning = Options { planning_crs: Some(Crs::Epsg(9210)), ..options() };
    let bytes = drawing_with_hatches();
    // The three closed polylines of `drawing()` and the road, then the lot; the hatch over
    // the first polyline is that polyline.
    let all = read(&bytes, &planning).expect("dxf");
    let layers: Vec<&Value> = all.features.iter().map(|f| &f.properties["layer"]).collect();
    assert_eq!(layers, ["RANH_GIOI", "RANH_GIOI", "GIAO_THONG", "GIAO_THONG", "LO_DAT"]);
    let lot = read(&bytes, &Options { layer: Some("LO_DAT".into()), ..planning.clone() }).expect("dxf");
    let geometry = lot.features[0].geometry.as_ref().expect("valid boundary");
    assert_eq!((geometry.0.len(), geometry.0[0].interiors().len()), (1, 1));
    let mut hole = MultiPolygon(vec![Polygon::new(geometry.0[0].interiors()[0].clone(), Vec::new())]);
    clusterplan_core::crs::transform_geometry(Crs::WGS84, Crs::Epsg(9210), &mut hole).expect("tm3");
    // The hole is a quarter disc: two radii of 100 m and the clockwise arc between them.
    let quarter = std::f64::consts::PI * 100.0 * 100.0 / 4.0;
    assert!((hole.unsigned_area() - quarter).abs() < 2.0, "{}", hole.unsigned_area());
    let road = read(&bytes, &Options { layer: Some("GIAO_THONG".into()), ..planning }).expect("dxf");
    let bent = road.features[1].geometry.as_ref().expect("valid boundary");
    assert!(bent.coords_iter().count() > 20, "the corner arc becomes vertices");
}
