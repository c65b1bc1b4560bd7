use geo_types::{MultiPolygon, polygon};
use serde_json::json;

use super::*;

fn row(id: i64, properties: &Value) -> Row {
    let square = polygon![(x: 106.0, y: 10.0), (x: 106.01, y: 10.0), (x: 106.01, y: 10.01), (x: 106.0, y: 10.01), (x: 106.0, y: 10.0)];
    Row { id, properties: properties.as_object().cloned().unwrap_or_default(), geometry: MultiPolygon(vec![square]) }
}

#[test]
fn dbase_names_are_cut_to_ten_and_kept_unique() {
    let names = dbf_names(["planned_area_ha", "planned_area_m2", "id", "wastewater_completed"].into_iter());
    assert_eq!(names, ["planned_ar", "planned__1", "id", "wastewater"]);
}

#[test]
fn texts_are_cut_at_a_character_boundary() {
    assert_eq!(cut("Phú Hưng", 3), "Ph");
    assert_eq!(cut("Phú Hưng", 4), "Phú");
    assert_eq!(cut("abc", 10), "abc");
}

#[test]
fn column_kinds_follow_every_value_and_code_and_name_lead() {
    let rows = [
        row(1, &json!({"name": "Phú Hưng", "n": 1, "a": 1.5, "b": true, "none": null})),
        row(2, &json!({"name": "An Hiệp", "n": 2, "a": 2, "b": false, "none": null})),
    ];
    let kinds: Vec<(String, Kind)> = columns(&rows);
    assert_eq!(
        kinds,
        [
            ("id".to_owned(), Kind::Integer),
            ("name".to_owned(), Kind::Text("Phú Hưng".len())),
            ("a".to_owned(), Kind::Real),
            ("b".to_owned(), Kind::Logical),
            ("n".to_owned(), Kind::Integer),
            ("none".to_owned(), Kind::Text(0)),
        ]
    );
}

#[test]
fn csv_carries_wkt_first_and_every_property() {
    let bytes =
        encode(Format::Csv, "clusters", Crs::Crs84, &[row(7, &json!({"name": "Phú Hưng, Mỹ Thạnh", "b": true}))])
            .expect("csv");
    let text = String::from_utf8(bytes).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("WKT,id,name,b"));
    let line = lines.next().expect("row");
    assert!(line.starts_with("\"MULTIPOLYGON(((106 10,106.01 10,"), "{line}");
    assert!(line.ends_with(",7,\"Phú Hưng, Mỹ Thạnh\",true"), "{line}");
}

#[test]
fn kml_is_wgs84_only_and_escapes_text() {
    let rows = [row(3, &json!({"name": "A & B <C>"}))];
    let refused = encode(Format::Kml, "clusters", Crs::Epsg(9210), &rows);
    assert!(matches!(refused, Err(ExportError::Unsupported(_))));
    let text = String::from_utf8(encode(Format::Kml, "clusters", Crs::Crs84, &rows).expect("kml")).expect("utf-8");
    assert!(text.contains("<name>A &amp; B &lt;C&gt;</name>"), "{text}");
    assert!(text.contains(r#"<Data name="id"><value>3</value></Data>"#), "{text}");
    assert!(text.contains("106,10"), "{text}");
}

#[test]
fn shapefile_zip_holds_five_members_named_after_the_layer() {
    let bytes = encode(Format::Shapefile, "clusters", Crs::Epsg(9210), &[row(1, &json!({"name": "x"}))]).expect("shp");
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut names: Vec<String> = archive.file_names().map(|n| n.expect("name").into_owned()).collect();
    names.sort_unstable();
    assert_eq!(names, ["clusters.cpg", "clusters.dbf", "clusters.prj", "clusters.shp", "clusters.shx"]);
}
