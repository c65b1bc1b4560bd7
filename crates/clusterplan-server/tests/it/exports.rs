//! Layer exports (`/collections/{c}/export`) and the annex spreadsheet, read back by GDAL: every
//! file opens without a warning, holds every feature and attribute, and its coordinates are
//! ours to the millimetre in the system asked for, Shapefile `.prj` included.

use serde_json::Value;

use crate::gdal::{ogr2ogr, ogrinfo, ogrinfo_available, planner_token, start_server};

/// `ogrinfo` on a file: no warning, no error.
fn ogrinfo_clean(args: &[&str]) -> String {
    let text = ogrinfo(args);
    assert!(!text.contains("Warning") && !text.contains("ERROR"), "ogrinfo {args:?}:\n{text}");
    text
}

/// A page of the working layer, as the planner `token` reads it.
async fn draft_items(client: &reqwest::Client, base: &str, token: &str, query: &str) -> Value {
    let answer = client.get(format!("{base}/collections/clusters/items?{query}")).bearer_auth(token).send();
    answer.await.expect("items").json().await.expect("json")
}

/// Every marker of a coordinate table (JSON), in table order.
pub(crate) fn markers(table: &Value) -> Vec<&Value> {
    table["parcels"]
        .as_array()
        .expect("parcels")
        .iter()
        .flat_map(|p| p["rings"].as_array().expect("rings"))
        .flat_map(|r| r["markers"].as_array().expect("markers"))
        .collect()
}

/// The features of a GeoJSON document GDAL wrote, by `id` property.
fn by_id(collection: &Value) -> std::collections::BTreeMap<i64, Value> {
    collection["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let id = &f["properties"]["id"];
            // CSV fields are text to GDAL unless told otherwise.
            let id = id.as_i64().or_else(|| id.as_str().and_then(|s| s.parse().ok())).or_else(|| f["id"].as_i64());
            (id.expect("id"), f.clone())
        })
        .collect()
}

/// Every vertex of a (Multi)Polygon geometry.
fn vertices(geometry: &Value) -> Vec<(f64, f64)> {
    let coords = &geometry["coordinates"];
    let polygons: Vec<&Value> = if geometry["type"] == "Polygon" {
        vec![coords]
    } else {
        coords.as_array().expect("polygons").iter().collect()
    };
    let mut out: Vec<(f64, f64)> = polygons
        .iter()
        .flat_map(|p| p.as_array().expect("rings"))
        .flat_map(|r| {
            let r = r.as_array().expect("ring");
            r[..r.len() - 1].iter().map(|c| (c[0].as_f64().expect("x"), c[1].as_f64().expect("y")))
        })
        .collect();
    out.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    out
}

fn assert_same_vertices(ours: &Value, theirs: &Value, tolerance: f64, what: &str) {
    let (a, b) = (vertices(ours), vertices(theirs));
    assert_eq!(a.len(), b.len(), "{what}: {ours} vs {theirs}");
    for (p, q) in a.iter().zip(&b) {
        assert!((p.0 - q.0).abs() <= tolerance && (p.1 - q.1).abs() <= tolerance, "{what}: {p:?} vs {q:?}");
    }
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one server, every format read back in turn")]
async fn every_export_opens_in_gdal_with_every_feature_and_our_coordinates() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("exports.gpkg").to_str().expect("path").to_owned();
    let token = planner_token(&database);
    let (mut child, base) = start_server(&database);
    let client = reqwest::Client::new();
    let fetch = |query: &str| {
        let request = client.get(format!("{base}/collections/clusters/export?layer=draft&{query}")).bearer_auth(&token);
        let query = query.to_owned();
        async move {
            let answer = request.send().await.expect("request");
            assert_eq!(answer.status().as_u16(), 200, "{query}");
            let disposition = answer.headers()["content-disposition"].to_str().expect("ascii").to_owned();
            assert!(disposition.starts_with("attachment; filename=\"clusters."), "{disposition}");
            answer.bytes().await.expect("body").to_vec()
        }
    };
    let save = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path.to_str().expect("path").to_owned()
    };
    let items = draft_items(&client, &base, &token, "layer=draft").await;
    let features = items["features"].as_array().expect("features");
    let count = features.len();
    assert!(count >= 5, "{items}");
    let local: Value = serde_json::from_slice(&fetch("f=geojson&crs=EPSG:9210").await).expect("geojson");
    let local = by_id(&local);
    assert_eq!(local.len(), count);

    // Shapefile in VN-2000 TM-3: the coordinates are ours; through its `.prj`, GDAL puts them in
    // WGS 84 where the items are, to 1e-8° (about a millimetre).
    let shp = save("clusters.zip", &fetch("f=shp&crs=EPSG:9210").await);
    let info = ogrinfo_clean(&["-ro", "-so", &format!("/vsizip/{shp}"), "clusters"]);
    assert!(info.contains(&format!("Feature Count: {count}")) && info.contains("Polygon"), "{info}");
    assert!(info.contains("Transverse Mercator") && info.contains("105.75"), "{info}");
    assert!(info.contains("name: String") && info.contains("planned_ar: Real"), "{info}");
    let native: Value =
        serde_json::from_str(&ogr2ogr(&["-f", "GeoJSON", "/vsistdout/", &format!("/vsizip/{shp}")])).expect("json");
    for (id, feature) in by_id(&native) {
        let ours = &local[&id];
        assert_same_vertices(&ours["geometry"], &feature["geometry"], 0.001, &format!("shp {id}"));
        assert_eq!(feature["properties"]["name"], ours["properties"]["name"], "{id}");
        assert_eq!(feature["properties"]["code"], ours["properties"]["code"], "{id}");
        // dBase logical: GDAL 3.6 reads it as text, `t` or `f`.
        let flag = if ours["properties"]["craft_village"] == true { "t" } else { "f" };
        assert_eq!(feature["properties"]["craft_vill"], flag, "{id}");
    }
    let wgs84: Value = serde_json::from_str(&ogr2ogr(&[
        "-f",
        "GeoJSON",
        "-t_srs",
        "+proj=longlat +datum=WGS84 +no_defs",
        "/vsistdout/",
        &format!("/vsizip/{shp}"),
    ]))
    .expect("json");
    let wgs84 = by_id(&wgs84);
    for feature in features {
        let id = feature["id"].as_i64().expect("id");
        assert_same_vertices(&feature["geometry"], &wgs84[&id]["geometry"], 1e-8, &format!("shp→WGS 84 {id}"));
    }

    // GeoPackage in TM-3: a proper GeoPackage to GDAL, the same vertices and attributes.
    let gpkg = save("clusters.gpkg", &fetch("f=gpkg&crs=EPSG:9210").await);
    let info = ogrinfo_clean(&["-ro", "-so", &gpkg, "clusters"]);
    assert!(info.contains(&format!("Feature Count: {count}")) && info.contains("Multi Polygon"), "{info}");
    assert!(info.contains("105.75") && info.contains("planned_area_ha: Real"), "{info}");
    assert!(info.contains("craft_village: Integer(Boolean)"), "{info}");
    let from_gpkg: Value = serde_json::from_str(&ogr2ogr(&["-f", "GeoJSON", "/vsistdout/", &gpkg])).expect("json");
    for (id, feature) in by_id(&from_gpkg) {
        assert_same_vertices(&local[&id]["geometry"], &feature["geometry"], 1e-9, &format!("gpkg {id}"));
        assert_eq!(feature["properties"]["name"], local[&id]["properties"]["name"]);
        assert_eq!(feature["properties"]["craft_village"], local[&id]["properties"]["craft_village"]);
    }

    // CSV (WKT), GeoJSON and KML: every feature, the same geometry.
    let csv = save("clusters.csv", &fetch("f=csv&crs=EPSG:9210").await);
    let info = ogrinfo_clean(&["-ro", "-so", &csv, "clusters"]);
    assert!(info.contains(&format!("Feature Count: {count}")), "{info}");
    let from_csv: Value = serde_json::from_str(&ogr2ogr(&["-f", "GeoJSON", "/vsistdout/", &csv])).expect("json");
    for (id, feature) in by_id(&from_csv) {
        assert_same_vertices(&local[&id]["geometry"], &feature["geometry"], 1e-9, &format!("csv {id}"));
        assert_eq!(feature["properties"]["name"], local[&id]["properties"]["name"]);
    }
    let geojson = save("clusters.geojson", &fetch("f=geojson").await);
    let info = ogrinfo_clean(&["-ro", "-al", "-so", &geojson]);
    assert!(info.contains(&format!("Feature Count: {count}")) && info.contains("WGS 84"), "{info}");
    let kml = save("clusters.kml", &fetch("f=kml").await);
    let info = ogrinfo_clean(&["-ro", "-al", &kml]);
    assert!(info.contains(&format!("Feature Count: {count}")), "{info}");
    for feature in features {
        let name = feature["properties"]["name"].as_str().expect("name");
        assert!(info.contains(name), "{name} in {info}");
    }

    // Selection as for items; bad requests are 400 problems; the public exports the published layer.
    let code = features[0]["properties"]["code"].as_str().expect("code");
    let one = fetch(&format!("f=geojson&filter=code%3D%27{code}%27")).await;
    let one: Value = serde_json::from_slice(&one).expect("json");
    assert_eq!(one["features"].as_array().expect("features").len(), 1, "{one}");
    assert_eq!(one["features"][0]["properties"]["code"], code);
    for bad in ["f=xml", "", "f=kml&crs=EPSG:9210", "f=csv&crs=nonsense", "f=csv&colour=red"] {
        let answer = client
            .get(format!("{base}/collections/clusters/export?layer=draft&{bad}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
        assert_eq!(answer.status().as_u16(), 400, "{bad}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "{bad}");
    }
    let draft = reqwest::get(format!("{base}/collections/clusters/export?f=csv&layer=draft")).await.expect("request");
    assert_eq!(draft.status().as_u16(), 401);
    let public = reqwest::get(format!("{base}/collections/clusters/export?f=csv")).await.expect("request");
    assert_eq!(public.status().as_u16(), 200);
    let _ = child.kill();
    let _ = child.wait();
}

/// The annex as XLSX: GDAL's XLSX driver reads the header row and every marker, with the
/// figures of the JSON table as printed (millimetres, 0.0001 ha).
#[tokio::test]
async fn the_annex_spreadsheet_holds_the_json_table() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("xlsx.gpkg").to_str().expect("path").to_owned();
    let token = planner_token(&database);
    let (mut child, base) = start_server(&database);
    let client = reqwest::Client::new();
    let items = draft_items(&client, &base, &token, "layer=draft&limit=1").await;
    let id = items["features"][0]["id"].as_i64().expect("id");
    let annex = format!("{base}/collections/clusters/items/{id}/annex?layer=draft");
    let table: Value = client.get(&annex).bearer_auth(&token).send().await.expect("json").json().await.expect("json");
    let answer = client.get(format!("{annex}&f=xlsx")).bearer_auth(&token).send().await.expect("xlsx");
    assert_eq!(answer.status().as_u16(), 200);
    assert!(answer.headers()["content-disposition"].to_str().expect("ascii").ends_with("-annex.xlsx\""));
    let path = dir.path().join("annex.xlsx");
    std::fs::write(&path, answer.bytes().await.expect("body")).expect("write");
    let path = path.to_str().expect("path");
    ogrinfo_clean(&["-ro", "-so", path]);
    let rows = ogr2ogr(&["-f", "CSV", "/vsistdout/", path]);
    let mut lines = rows.lines();
    assert_eq!(lines.next(), Some("Thửa,Vòng,Số hiệu mốc,X (m),Y (m),Khoảng cách (m)"), "{rows}");
    let markers = markers(&table);
    for marker in &markers {
        let line = lines.next().expect("a row per marker");
        let cells: Vec<f64> = line
            .split(',')
            .skip(2)
            .map(|c| c.trim_matches('"').parse().unwrap_or_else(|_| panic!("{line} in {rows}")))
            .collect();
        assert_eq!(cells[0] as i64, marker["number"].as_i64().expect("number"), "{line}");
        for (cell, key) in cells[1..].iter().zip(["x", "y", "edge"]) {
            let want = marker[key].as_f64().expect("figure");
            assert!((cell - want).abs() <= 0.000_5 + 1e-9, "{key}: {cell} vs {want} in {line}");
        }
    }
    let last = lines.next().expect("area row");
    let area = table["area_ha"].as_f64().expect("area");
    let printed: f64 = last.rsplit(',').next().expect("cell").parse().expect("area");
    assert!(last.starts_with("Diện tích (ha),") && (printed - area).abs() < 1e-9, "{last} vs {area}");
    let _ = child.kill();
    let _ = child.wait();
}
