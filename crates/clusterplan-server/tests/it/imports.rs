//! Imports over HTTP, on both stores: a preview writes nothing; a commit writes every feature
//! in one transaction with the file named in each version's reason, or nothing when one
//! feature is refused; provincial field names are mapped; our own exports come back unchanged.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use clusterplan_core::Crs;
use clusterplan_server::AppState;
use clusterplan_store::{Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::{Answer, send};

const TOKEN: &str = "cpt_import_tests_planner";
const IMPORT: &str = "/collections/clusters/import";

/// A request with a file as its body.
async fn send_file(state: &AppState, method: Method, uri: &str, token: Option<&str>, body: Vec<u8>) -> Answer {
    let headers = [("content-type", "application/octet-stream")];
    send(state, token, method, uri, &headers, Body::from(body)).await
}

async fn import(state: &AppState, query: &str, file: &[u8]) -> Answer {
    send_file(state, Method::POST, &format!("{IMPORT}?{query}"), Some(TOKEN), file.to_vec()).await
}

async fn get(state: &AppState, uri: &str) -> Answer {
    send_file(state, Method::GET, uri, Some(TOKEN), Vec::new()).await
}

/// A square of `ha` hectares, `dx` metres east of a point near Bến Tre, in EPSG:9210 metres.
fn square_m(dx: f64, ha: f64) -> Value {
    let mut c = [geo_types::Coord { x: 106.40, y: 10.23 }];
    clusterplan_core::crs::transform_coords(Crs::WGS84, Crs::Epsg(9210), &mut c).expect("transform");
    let (west, south) = (c[0].x.round() + dx, c[0].y.round());
    let side = (ha * 10_000.0).sqrt();
    let (east, north) = (west + side, south + side);
    json!([[[west, south], [east, south], [east, north], [west, north], [west, south]]])
}

/// A provincial GeoJSON file in VN-2000 TM-3 with Vietnamese field names.
fn provincial(features: &[(&str, &str, Value)]) -> Vec<u8> {
    let features: Vec<Value> = features
        .iter()
        .map(|(code, name, coordinates)| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Polygon", "coordinates": coordinates },
                "properties": { "MA_CCN": code, "TEN_CCN": name, "DIEN_TICH": "30,5", "LOAI_HINH": "cluster", "TRANG_THAI": "in_plan", "SHAPE_AREA": 1 },
            })
        })
        .collect();
    json!({
        "type": "FeatureCollection",
        "crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:EPSG::9210" } },
        "features": features,
    })
    .to_string()
    .into_bytes()
}

async fn count(state: &AppState) -> u64 {
    get(state, "/collections/clusters/items?layer=draft&limit=1").await.body["numberMatched"].as_u64().expect("count")
}

async fn a_preview_writes_nothing_and_a_commit_writes_every_feature(state: AppState) {
    let file = provincial(&[
        ("BT-IMP-1", "Cụm Phú Hưng", square_m(0.0, 30.0)),
        ("BT-IMP-2", "Cụm Mỹ Thạnh", square_m(2000.0, 30.0)),
    ]);
    let preview = import(&state, "dry_run=true&filename=ranh-gioi.geojson", &file).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.body["format"], "GeoJSON");
    assert_eq!(preview.body["crs"], "EPSG:9210");
    assert_eq!(
        preview.body["mapping"],
        json!({"DIEN_TICH": "planned_area_ha", "LOAI_HINH": "kind", "MA_CCN": "code", "TEN_CCN": "name", "TRANG_THAI": "status"})
    );
    assert_eq!(preview.body["summary"], json!({"create": 2, "update": 0, "unchanged": 0, "refused": 0}));
    assert_eq!(preview.body["committed"], false);
    let first = &preview.body["features"][0];
    assert_eq!(first["feature"]["properties"]["planned_area_ha"], 30.5);
    assert_eq!(first["feature"]["properties"]["name"], "Cụm Phú Hưng");
    assert_eq!(count(&state).await, 0, "a preview writes nothing");

    let done = import(&state, "filename=ranh-gioi.geojson", &file).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["committed"], true);
    assert_eq!(count(&state).await, 2);
    let id = done.body["features"][1]["matched"]["id"].as_i64().expect("id");
    let feature = get(&state, &format!("/collections/clusters/items/{id}")).await;
    assert_eq!(feature.body["properties"]["name"], "Cụm Mỹ Thạnh");
    let area = feature.body["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 30.0).abs() < 0.001, "{area} ha: the TM-3 square came through");
    let versions = get(&state, &format!("/collections/clusters/items/{id}/versions")).await;
    assert_eq!(versions.body["versions"][0]["reason"], "import ranh-gioi.geojson", "{}", versions.body);
    assert_eq!(versions.body["versions"][0]["author"], "planner");

    // The same file again: both match by code and nothing changes.
    let again = import(&state, "dry_run=true", &file).await;
    assert_eq!(again.body["summary"], json!({"create": 0, "update": 0, "unchanged": 2, "refused": 0}));
    // A new name for one: an update of that one, with what changes.
    let renamed = provincial(&[("BT-IMP-1", "Cụm Phú Hưng mở rộng", square_m(0.0, 30.0))]);
    let update = import(&state, "filename=doi-ten.geojson", &renamed).await;
    assert_eq!(update.body["summary"]["update"], 1, "{}", update.body);
    assert_eq!(update.body["features"][0]["changes"], json!(["name"]));
    assert_eq!(update.body["features"][0]["matched"]["version"], 2);
}

async fn one_refused_feature_refuses_the_whole_import(state: AppState) {
    let (w, s) = (square_m(0.0, 30.0)[0][0][0].as_f64().expect("x"), square_m(0.0, 30.0)[0][0][1].as_f64().expect("y"));
    // A bow tie: the ring crosses itself.
    let bow_tie = json!([[[w, s], [w + 600.0, s + 600.0], [w + 600.0, s], [w, s + 600.0], [w, s]]]);
    let file = provincial(&[("BT-OK", "Cụm hợp lệ", square_m(3000.0, 30.0)), ("BT-BAD", "Cụm lỗi", bow_tie)]);
    let preview = import(&state, "dry_run=true", &file).await;
    assert_eq!(preview.body["summary"]["refused"], 1, "{}", preview.body);
    let refused = &preview.body["features"][1];
    assert_eq!(refused["action"], "refused");
    assert!(refused["problem"].to_string().contains("self_intersection"), "the POST's own verdict: {refused}");
    let commit = import(&state, "", &file).await;
    assert_eq!(commit.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", commit.body);
    assert_eq!(commit.body["type"], "urn:clusterplan:problem:import-refused");
    assert_eq!(commit.body["features"][1]["action"], "refused");
    assert_eq!(count(&state).await, 0, "nothing of a refused import is written");

    // Codes twice in one file, and a point: refused with the reason.
    let point = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.4, 10.2]}, "properties": {"MA_CCN": "P", "TEN_CCN": "P"}}
    ]});
    let answer = import(&state, "dry_run=true", point.to_string().as_bytes()).await;
    assert_eq!(answer.body["features"][0]["problem"]["detail"], "the geometry is a point; a boundary is a polygon");
    let twice = provincial(&[("BT-2X", "A", square_m(0.0, 30.0)), ("BT-2X", "B", square_m(3000.0, 30.0))]);
    let answer = import(&state, "dry_run=true", &twice).await;
    assert_eq!(answer.body["features"][1]["problem"]["type"], "urn:clusterplan:problem:duplicate-code");
}

async fn mapping_can_be_set_and_bad_requests_are_problems(state: AppState) {
    let file = json!({"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": square_m(0.0, 30.0)},
        "properties": {"KY_HIEU": "BT-MAP", "TEN_GOI": "Cụm theo bảng", "TRANG_THAI": "in_plan"},
    }]});
    let file = file.to_string().into_bytes();
    let crs = "crs=EPSG:9210";
    let guessed = import(&state, &format!("dry_run=true&{crs}"), &file).await;
    assert_eq!(guessed.body["features"][0]["action"], "refused", "no name without a mapping: {}", guessed.body);
    let mapping = percent(r#"{"TEN_GOI":"name"}"#);
    let mapped = import(&state, &format!("dry_run=true&{crs}&mapping={mapping}"), &file).await;
    assert_eq!(mapped.body["features"][0]["action"], "create", "{}", mapped.body);
    assert_eq!(mapped.body["mapping"]["TEN_GOI"], "name");
    for bad in [
        format!("mapping={}", percent(r#"{"NOPE":"name"}"#)),
        format!("mapping={}", percent(r#"{"TEN_GOI":"colour"}"#)),
        "mapping=nonsense".to_owned(),
        "crs=EPSG:32648".to_owned(),
        "encoding=KOI8-R".to_owned(),
        "colour=red".to_owned(),
    ] {
        let answer = import(&state, &format!("dry_run=true&{bad}"), &file).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}: {}", answer.body);
    }
    let answer = import(&state, "dry_run=true", b"not a file we read").await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.body["type"], "urn:clusterplan:problem:invalid-import");
    // The public is refused before the file is read.
    let public = send_file(&state, Method::POST, IMPORT, None, file).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
}

/// Every export format imported back: the same boundaries (to about a millimetre) and
/// attributes, so every feature is `unchanged`.
async fn our_own_exports_come_back_unchanged(state: AppState) {
    let file = provincial(&[
        ("BT-RT-1", "Cụm Phú Hưng–Mỹ Thạnh", square_m(0.0, 30.0)),
        ("BT-RT-2", "Cụm An Hiệp", square_m(2500.0, 40.0)),
    ]);
    assert_eq!(import(&state, "", &file).await.status, StatusCode::OK);
    for query in ["f=shp&crs=EPSG:9210", "f=shp", "f=geojson&crs=EPSG:9210", "f=kml", "f=gpkg", "f=gpkg&crs=EPSG:9210"]
    {
        let export = get(&state, &format!("/collections/clusters/export?layer=draft&{query}")).await;
        assert_eq!(export.status, StatusCode::OK, "{query}");
        let back = import(&state, "dry_run=true", &export.bytes).await;
        assert_eq!(
            back.body["summary"],
            json!({"create": 0, "update": 0, "unchanged": 2, "refused": 0}),
            "{query}: {}",
            back.body
        );
    }
}

/// A GeoPackage as QGIS users bring it: `ogr2ogr` from a provincial GeoJSON in TM-3, two
/// layers; the first is read unless `layer` names the other; a bad file is a 400.
async fn a_geopackage_written_by_gdal_imports_its_first_or_named_layer(state: AppState) {
    if !crate::gdal::ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = |name: &str| dir.path().join(name).to_str().expect("path").to_owned();
    std::fs::write(path("a.geojson"), provincial(&[("BT-GP-1", "Cụm Phú Hưng", square_m(0.0, 30.0))])).expect("write");
    let two = provincial(&[
        ("BT-GP-2", "Cụm Giồng Trôm", square_m(2000.0, 30.0)),
        ("BT-GP-3", "Cụm Mỹ Thạnh", square_m(4000.0, 30.0)),
    ]);
    std::fs::write(path("b.geojson"), two).expect("write");
    crate::gdal::ogr2ogr(&["-f", "GPKG", &path("ranh-gioi.gpkg"), &path("a.geojson"), "-nln", "cum_a"]);
    crate::gdal::ogr2ogr(&["-f", "GPKG", "-update", &path("ranh-gioi.gpkg"), &path("b.geojson"), "-nln", "cum_b"]);
    let file = std::fs::read(path("ranh-gioi.gpkg")).expect("read");

    let first = import(&state, "dry_run=true", &file).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!((first.body["format"].as_str(), first.body["crs"].as_str()), (Some("GeoPackage"), Some("EPSG:9210")));
    assert_eq!(first.body["summary"]["create"], 1, "{}", first.body);
    assert_eq!(first.body["mapping"]["TEN_CCN"], "name");
    let feature = &first.body["features"][0]["feature"];
    assert_eq!(
        (feature["properties"]["code"].as_str(), feature["properties"]["name"].as_str()),
        (Some("BT-GP-1"), Some("Cụm Phú Hưng"))
    );
    assert_eq!(feature["properties"]["planned_area_ha"], 30.5);

    let named = import(&state, "layer=cum_b&filename=ranh-gioi.gpkg", &file).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.body);
    assert_eq!(named.body["summary"]["create"], 2, "{}", named.body);
    let id = named.body["features"][1]["matched"]["id"].as_i64().expect("id");
    let stored = get(&state, &format!("/collections/clusters/items/{id}")).await;
    assert_eq!(stored.body["properties"]["name"], "Cụm Mỹ Thạnh");
    let area = stored.body["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 30.0).abs() < 0.001, "{area} ha");

    let unknown = import(&state, "dry_run=true&layer=cum_c", &file).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(
        unknown.body["detail"].as_str().is_some_and(|d| d.contains("no feature table \"cum_c\" (it has cum_a, cum_b)")),
        "{}",
        unknown.body
    );
    let mut broken = b"SQLite format 3\0".to_vec();
    broken.resize(4096, 7);
    let broken = import(&state, "dry_run=true", &broken).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{}", broken.body);
    assert!(
        broken.body["detail"].as_str().is_some_and(|d| d.starts_with("not a readable GeoPackage")),
        "{}",
        broken.body
    );
    assert_eq!(count(&state).await, 2, "only the named layer's import wrote");
}

/// A cluster's decision annex (CSV and XLSX) imported back for the same code: the same
/// boundary to about a millimetre (`unchanged`, its other attributes kept); with X and Y
/// swapped, the swap is detected and the boundary is the same.
async fn our_own_annex_tables_come_back_as_the_same_boundary(state: AppState) {
    let file = provincial(&[("BT-AX-1", "Cụm Phú Hưng", square_m(0.0, 30.0))]);
    let done = import(&state, "", &file).await;
    let id = done.body["features"][0]["matched"]["id"].as_i64().expect("id");
    for f in ["csv", "xlsx"] {
        let annex = get(&state, &format!("/collections/clusters/items/{id}/annex?layer=draft&f={f}")).await;
        assert_eq!(annex.status, StatusCode::OK, "{f}");
        let back = import(&state, &format!("dry_run=true&code=BT-AX-1&filename=BT-AX-1-annex.{f}"), &annex.bytes).await;
        assert_eq!(back.status, StatusCode::OK, "{f}: {}", back.body);
        assert_eq!(
            back.body["summary"],
            json!({"create": 0, "update": 0, "unchanged": 1, "refused": 0}),
            "{f}: {}",
            back.body
        );
        assert_eq!(
            (back.body["axis_order"].as_str(), back.body["axis_order_by"].as_str()),
            (Some("north_east"), Some("values"))
        );
        assert_eq!(back.body["crs"], "EPSG:9210", "the planning CRS");
        assert_eq!(back.body["features"][0]["feature"]["properties"]["name"], "Cụm Phú Hưng", "kept");
    }
    // The same markers with the columns the other way round (X = easting), and closed by
    // repeating the first marker.
    let json = get(&state, &format!("/collections/clusters/items/{id}/annex?layer=draft")).await;
    let markers = json.body["parcels"][0]["rings"][0]["markers"].as_array().expect("markers").clone();
    let mut swapped = "Point;X;Y\n".to_owned();
    for m in markers.iter().chain(markers.first()) {
        let comma = |v: &Value| format!("{:.3}", v.as_f64().expect("figure")).replace('.', ",");
        writeln!(swapped, "{};{};{}", m["number"], comma(&m["y"]), comma(&m["x"])).expect("write");
    }
    let back = import(&state, "dry_run=true&code=BT-AX-1", swapped.as_bytes()).await;
    assert_eq!(back.body["axis_order"], "east_north", "{}", back.body);
    assert_eq!(back.body["summary"]["unchanged"], 1, "{}", back.body);
    // Declared the other way, the boundary lands elsewhere: refused, as a POST of it would be.
    let forced = import(&state, "dry_run=true&code=BT-AX-1&axis_order=north_east", swapped.as_bytes()).await;
    assert_eq!(
        (forced.body["axis_order"].as_str(), forced.body["axis_order_by"].as_str()),
        (Some("north_east"), Some("declared"))
    );
    assert_ne!(forced.body["summary"]["unchanged"], 1, "{}", forced.body);
}

/// Several clusters and parcels in one table (a code and a parcel column, Vietnamese heads);
/// a parcel of two markers is that feature's refusal and nothing is written; a table without
/// X and Y, or a bad axis order, is a 400.
async fn coordinate_tables_hold_several_parcels_and_bad_ones_are_refused(state: AppState) {
    let ring = |dx: f64, ha: f64| -> Vec<(f64, f64)> {
        let square = square_m(dx, ha);
        square[0].as_array().expect("ring")[..4]
            .iter()
            .map(|c| (c[1].as_f64().expect("n"), c[0].as_f64().expect("e")))
            .collect()
    };
    let mut table = "Mã CCN,Tên CCN,Thửa,Số hiệu mốc,X (m),Y (m)\n".to_owned();
    for (code, name, parcels) in [
        ("BT-TB-1", "Cụm Giồng Trôm", vec![ring(0.0, 20.0), ring(1000.0, 15.0)]),
        ("BT-TB-2", "Cụm Mỹ Thạnh", vec![ring(3000.0, 30.0)]),
    ] {
        for (p, markers) in parcels.iter().enumerate() {
            for (n, (x, y)) in markers.iter().enumerate() {
                // The code and name only on a cluster's first row, as merged cells export.
                let (c, t) = if p == 0 && n == 0 { (code, name) } else { ("", "") };
                writeln!(table, "{c},{t},{},M{},{x:.3},{y:.3}", p + 1, n + 1).expect("write");
            }
        }
    }
    let preview = import(&state, "dry_run=true", table.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.body["format"], "coordinate table (CSV)");
    assert_eq!(preview.body["summary"]["create"], 2, "{}", preview.body);
    assert_eq!(preview.body["mapping"], json!({"Mã CCN": "code", "Tên CCN": "name"}));
    let first = &preview.body["features"][0]["feature"];
    assert_eq!(first["properties"]["name"], "Cụm Giồng Trôm");
    assert_eq!(first["geometry"]["coordinates"].as_array().map(Vec::len), Some(2), "two parcels");
    let done = import(&state, "filename=bang-toa-do.csv", table.as_bytes()).await;
    let id = done.body["features"][0]["matched"]["id"].as_i64().expect("id");
    let stored = get(&state, &format!("/collections/clusters/items/{id}")).await;
    let area = stored.body["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 35.0).abs() < 0.001, "{area} ha in two parcels");

    let short = "Mã,Mốc,X,Y\nBT-TB-3,1,1132000,568000\nBT-TB-3,2,1132000,568500\n";
    let refused = import(&state, "", short.as_bytes()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let detail = refused.body["features"][0]["problem"]["detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains("BT-TB-3") && detail.contains("2 markers; a boundary needs at least 3"), "{detail}");
    assert_eq!(count(&state).await, 2, "nothing of a refused table is written");
    for (query, file) in [("", "Mốc,Đông,Bắc\n1,568000,1132000\n"), ("axis_order=sideways", table.as_str())] {
        let answer = import(&state, &format!("dry_run=true&{query}"), file.as_bytes()).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}: {}", answer.body);
    }
    let no_xy = import(&state, "dry_run=true", "Mốc,Đông,Bắc\n1,568000,1132000\n".as_bytes()).await;
    assert!(no_xy.body["detail"].as_str().is_some_and(|d| d.contains("no X and Y columns")), "{}", no_xy.body);
}

/// dBase holds 254 bytes of text: a Shapefile export cuts longer notes, and importing it back
/// keeps the stored notes (`unchanged`) while they start with the cut text; notes changed since
/// are an update to the file's text.
async fn long_notes_survive_a_shapefile_round_trip(state: AppState) {
    let with_notes = |notes: &str| {
        let mut file: Value =
            serde_json::from_slice(&provincial(&[("BT-LN-1", "Cụm Phú Hưng", square_m(0.0, 30.0))])).expect("json");
        file["features"][0]["properties"]["GHI_CHU"] = json!(notes);
        file.to_string().into_bytes()
    };
    let long = "Quy hoạch chi tiết 1/500 đã phê duyệt; hạ tầng kỹ thuật đang đầu tư. ".repeat(8);
    assert!(long.len() > 400, "{} bytes", long.len());
    assert_eq!(import(&state, "", &with_notes(&long)).await.status, StatusCode::OK);
    let shp = get(&state, "/collections/clusters/export?layer=draft&f=shp&crs=EPSG:9210").await;
    let back = import(&state, "dry_run=true", &shp.bytes).await;
    assert_eq!(back.body["summary"]["unchanged"], 1, "{}", back.body);
    assert_eq!(
        back.body["features"][0]["feature"]["properties"]["notes"],
        json!(long),
        "the whole notes, not 254 bytes"
    );

    let changed = format!("Đã điều chỉnh. {long}");
    assert_eq!(import(&state, "", &with_notes(&changed)).await.status, StatusCode::OK);
    let back = import(&state, "dry_run=true", &shp.bytes).await;
    assert_eq!(back.body["features"][0]["changes"], json!(["notes"]), "{}", back.body);
    let cut = back.body["features"][0]["feature"]["properties"]["notes"].as_str().expect("notes").to_owned();
    assert!(cut.len() <= 254 && long.starts_with(&cut), "the file's text: {} bytes", cut.len());
}

/// A DXF as a surveyor hands it over (written by the `dxf` crate): the boundary as a closed
/// polyline on `RANH_GIOI` with the cluster's name inside, a road on another layer; the
/// chosen layer's boundary is imported under the declared code, in the planning CRS.
async fn a_drawing_imports_the_closed_polylines_of_its_layer(state: AppState) {
    use dxf::entities::{Entity, EntityType, LwPolyline, Text};
    let mut drawing = dxf::Drawing::new();
    drawing.header.version = dxf::enums::AcadVersion::R2013;
    let square = square_m(0.0, 30.0);
    let corners: Vec<(f64, f64)> = square[0].as_array().expect("ring")[..4]
        .iter()
        .map(|c| (c[0].as_f64().expect("e"), c[1].as_f64().expect("n")))
        .collect();
    for (layer, dy) in [("RANH_GIOI", 0.0), ("GIAO_THONG", 2000.0)] {
        let mut line = LwPolyline::default();
        line.set_is_closed(true);
        line.vertices =
            corners.iter().map(|&(x, y)| dxf::LwPolylineVertex { x, y: y + dy, ..Default::default() }).collect();
        let mut entity = Entity::new(EntityType::LwPolyline(line));
        layer.clone_into(&mut entity.common.layer);
        drawing.add_entity(entity);
    }
    let mut name = Text { value: "Cụm Phú Hưng".into(), ..Default::default() };
    name.location = dxf::Point::new(corners[0].0 + 100.0, corners[0].1 + 100.0, 0.0);
    drawing.add_entity(Entity::new(EntityType::Text(name)));
    let mut file = Vec::new();
    drawing.save(&mut file).expect("dxf");

    let all = import(&state, "dry_run=true", &file).await;
    assert_eq!(
        (all.body["format"].as_str(), all.body["crs"].as_str()),
        (Some("DXF"), Some("EPSG:9210")),
        "{}",
        all.body
    );
    assert_eq!(all.body["features"].as_array().map(Vec::len), Some(2), "every closed polyline");
    let done = import(&state, "layer=RANH_GIOI&code=BT-DXF-1&filename=ranh-gioi.dxf", &file).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["summary"]["create"], 1, "{}", done.body);
    let id = done.body["features"][0]["matched"]["id"].as_i64().expect("id");
    let stored = get(&state, &format!("/collections/clusters/items/{id}")).await;
    assert_eq!(
        (stored.body["properties"]["code"].as_str(), stored.body["properties"]["name"].as_str()),
        (Some("BT-DXF-1"), Some("Cụm Phú Hưng"))
    );
    let area = stored.body["properties"]["area_ha"].as_f64().expect("area");
    assert!((area - 30.0).abs() < 0.001, "{area} ha");
    let none = import(&state, "dry_run=true&layer=NHA", &file).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.body);
}

fn percent(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The zones of a detailed plan from a file (issue 17): placed by cluster code, checked as
/// their POST would be, against the stored zones and each other; all written in one
/// transaction with their first versions, or none; the same file again is `unchanged`.
async fn zones_of_a_detailed_plan_import_in_one_transaction(state: AppState) {
    clusterplan_server::demo::seed_if_empty(state.store.as_ref(), Crs::VN2000_TM3_10545).await.expect("seed");
    let clusters = get(&state, "/collections/clusters/items?limit=100").await.body;
    let ttb = clusters["features"]
        .as_array()
        .and_then(|f| f.iter().find(|c| c["properties"]["code"] == "BT-CCN-TTB"))
        .cloned()
        .expect("Tân Thành Bình");
    let ring = ttb["geometry"]["coordinates"][0][0].as_array().expect("ring").clone();
    let n = ring.len() as f64 - 1.0;
    let (cx, cy) = ring[..ring.len() - 1]
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p[0].as_f64().expect("x") / n, y + p[1].as_f64().expect("y") / n));
    let plot = |x0: f64, x1: f64| {
        json!([[[x0, cy - 0.0005], [x1, cy - 0.0005], [x1, cy + 0.0005], [x0, cy + 0.0005], [x0, cy - 0.0005]]])
    };
    let feature = |label: &str, use_: &str, coordinates: Value| {
        json!({ "type": "Feature", "geometry": { "type": "Polygon", "coordinates": coordinates },
                "properties": { "MA_CCN": "BT-CCN-TTB", "LOAI_DAT": use_, "KY_HIEU": label } })
    };
    let plan =
        |features: Vec<Value>| json!({ "type": "FeatureCollection", "features": features }).to_string().into_bytes();
    let good = plan(vec![feature("CN-01", "IND", plot(cx - 0.001, cx)), feature("CN-02", "ind", plot(cx, cx + 0.001))]);
    let zones_uri = format!("/collections/zones/items?cluster_id={}", ttb["id"]);
    let zones_of = |state: AppState| {
        let uri = zones_uri.clone();
        async move { get(&state, &uri).await.body["features"].as_array().map_or(0, Vec::len) }
    };
    let uri = |query: &str| format!("/collections/zones/import?{query}");
    let preview =
        send_file(&state, Method::POST, &uri("dry_run=true&filename=ttb.geojson"), Some(TOKEN), good.clone()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text);
    assert_eq!(preview.body["summary"]["create"], 2, "{}", preview.text);
    assert_eq!(preview.body["summary"]["refused"], 0, "{}", preview.text);
    assert_eq!(preview.body["mapping"]["MA_CCN"], "cluster_code");
    assert_eq!(zones_of(state.clone()).await, 0, "a preview writes nothing");

    // Overlapping plots, and one outside the cluster: refused, nothing written.
    let bad = plan(vec![
        feature("CN-01", "IND", plot(cx - 0.001, cx)),
        feature("CN-03", "IND", plot(cx - 0.0005, cx + 0.0005)),
        feature("CN-04", "WH", plot(cx + 0.05, cx + 0.051)),
        feature("CN-05", "BAD", plot(cx, cx + 0.001)),
    ]);
    let refused = send_file(&state, Method::POST, &uri(""), Some(TOKEN), bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
    let actions: Vec<&str> =
        refused.body["features"].as_array().expect("features").iter().filter_map(|v| v["action"].as_str()).collect();
    assert_eq!(actions, ["create", "refused", "refused", "refused"], "{}", refused.text);
    let problems: Vec<&str> = refused.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|v| v["problem"]["detail"].as_str())
        .collect();
    assert!(problems[0].contains("overlap") && problems[1].contains("outside its cluster"), "{problems:?}");
    assert_eq!(zones_of(state.clone()).await, 0, "a refused import writes nothing");

    let written = send_file(&state, Method::POST, &uri("filename=ttb.geojson"), Some(TOKEN), good.clone()).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    assert_eq!(written.body["committed"], true);
    assert_eq!(zones_of(state.clone()).await, 2);
    let id = written.body["features"][0]["matched"]["id"].as_i64().expect("zone id");
    let versions = get(&state, &format!("/collections/zones/items/{id}/versions")).await.body;
    assert_eq!(versions["versions"][0]["reason"], "import ttb.geojson", "{versions}");
    let again = send_file(&state, Method::POST, &uri(""), Some(TOKEN), good).await;
    assert_eq!(again.body["summary"]["unchanged"], 2, "{}", again.text);
    assert_eq!(zones_of(state.clone()).await, 2);
    let public = send_file(&state, Method::POST, &uri(""), None, b"{}".to_vec()).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, TOKEN).await
}

router_suite!(
    a_preview_writes_nothing_and_a_commit_writes_every_feature,
    one_refused_feature_refuses_the_whole_import,
    mapping_can_be_set_and_bad_requests_are_problems,
    our_own_exports_come_back_unchanged,
    a_geopackage_written_by_gdal_imports_its_first_or_named_layer,
    our_own_annex_tables_come_back_as_the_same_boundary,
    coordinate_tables_hold_several_parcels_and_bad_ones_are_refused,
    long_notes_survive_a_shapefile_round_trip,
    a_drawing_imports_the_closed_polylines_of_its_layer,
    zones_of_a_detailed_plan_import_in_one_transaction,
);

/// `clusterplan import` runs the same pipeline on the store `serve` would open: the preview
/// writes nothing, the import writes all, a refused feature fails the command and writes
/// nothing.
#[test]
fn the_command_line_imports_like_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("cli.gpkg");
    let database = database.to_str().expect("path");
    let file = dir.path().join("ranh-gioi.geojson");
    std::fs::write(&file, provincial(&[("BT-CLI-1", "Cụm Phú Hưng", square_m(0.0, 30.0))])).expect("write");
    let run = |extra: &[&str], file: &std::path::Path| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clusterplan"))
            .args(["import", file.to_str().expect("path"), "--database", database, "--no-demo"])
            .args(extra)
            .env("CLUSTERPLAN_LOG", "warn")
            .output()
            .expect("run clusterplan");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.success(), report, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, preview, err) = run(&["--dry-run", "--layer", "clusters"], &file);
    assert!(ok, "{err}");
    assert_eq!(preview["summary"]["create"], 1, "{preview}");
    assert_eq!(preview["committed"], false);
    let (ok, done, err) = run(&["--as", "so-cong-thuong"], &file);
    assert!(ok, "{err}");
    assert_eq!(done["committed"], true, "{done}");
    let (ok, again, _) = run(&["--dry-run"], &file);
    assert!(ok);
    assert_eq!(again["summary"]["unchanged"], 1, "written by the import before: {again}");

    let bad = dir.path().join("loi.geojson");
    let point = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [106.4, 10.2]}, "properties": {"MA_CCN": "P", "TEN_CCN": "P"}}
    ]});
    std::fs::write(&bad, point.to_string()).expect("write");
    let (ok, refused, err) = run(&[], &bad);
    assert!(!ok, "a refused import fails the command");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(refused["features"][0]["action"], "refused", "the preview is printed: {refused}");
    let (ok, _, err) = run(&["--layer", "zones"], &file);
    assert!(!ok && err.contains("only clusters"), "{err}");
}
