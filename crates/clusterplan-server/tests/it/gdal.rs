//! GDAL, a standard client, reads what the service publishes: the OGC API - Features
//! endpoint (OAPIF driver) and the embedded store's GeoPackage file (GPKG driver).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use super::common::client_present;

pub(crate) fn ogrinfo_available() -> bool {
    let found = Command::new("ogrinfo").arg("--version").output().is_ok_and(|o| o.status.success());
    client_present(found, "CLUSTERPLAN_REQUIRE_GDAL", "ogrinfo (gdal-bin)", "apt-get install gdal-bin")
}

pub(crate) fn ogrinfo(args: &[&str]) -> String {
    let out = Command::new("ogrinfo").args(args).output().expect("ogrinfo");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "ogrinfo {args:?} failed:\n{text}");
    text
}

/// A planner made with the CLI on `database` (before the server starts), and a token for it
/// (the last line the CLI prints).
pub(crate) fn planner_token(database: &str) -> String {
    named_planner_token(database, "gdal")
}

/// A planner `name` made with the CLI on `database`, and a token for it.
pub(crate) fn named_planner_token(database: &str, name: &str) -> String {
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
            .args(args)
            .env("CLUSTERPLAN_PASSWORD", "a long enough password")
            .env("CLUSTERPLAN_LOG", "warn")
            .output()
            .expect("run clusterplan");
        assert!(out.status.success(), "clusterplan {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    cli(&["user", "add", name, "--role", "planner", "--database", database]);
    cli(&["token", "create", name, "--database", database]).lines().last().expect("token line").trim().to_owned()
}

#[test]
fn gdal_reads_the_layer_over_oapif_and_the_geopackage_file() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("gdal.gpkg");
    let token = planner_token(gpkg.to_str().expect("path"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", gpkg.to_str().expect("path")])
        .env("CLUSTERPLAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let base = line.trim().trim_start_matches("listening on ").to_owned();
    // The public (GDAL here) reads the published layer: publish the demo draft first.
    let published = tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/collections/clusters/publish"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(r#"{"note": "GDAL test"}"#)
            .send()
            .await
            .expect("publish")
            .status()
    });
    assert_eq!(published.as_u16(), 200);

    let listing = ogrinfo(&["-ro", &format!("OAPIF:{base}/")]);
    assert!(listing.contains("1: clusters"), "{listing}");
    let layer = ogrinfo(&["-ro", "-so", &format!("OAPIF:{base}/"), "clusters"]);
    assert!(layer.contains("Feature Count: 7"), "{layer}");
    // A bbox around Phong Nẫm only (GDAL sends it as `bbox`).
    let spatial =
        ogrinfo(&["-ro", "-so", "-spat", "106.425", "10.2", "106.435", "10.21", &format!("OAPIF:{base}/"), "clusters"]);
    assert!(spatial.contains("Feature Count: 1"), "{spatial}");

    let file = ogrinfo(&["-ro", "-so", gpkg.to_str().expect("path"), "clusters"]);
    assert!(file.contains("Feature Count: 7") && file.contains("Multi Polygon"), "{file}");
    assert!(!file.contains("application_id"), "GDAL sees a proper GeoPackage header: {file}");
    let _ = child.kill();
    let _ = child.wait();
}

/// Starts the binary on `database` (port 0, demo data); the child and its base URL.
pub(crate) fn start_server(database: &str) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .env("CLUSTERPLAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    (child, line.trim().trim_start_matches("listening on ").to_owned())
}

fn tool_available(tool: &str, probe: &str) -> bool {
    let found = Command::new(tool).arg(probe).output().is_ok();
    client_present(found, "CLUSTERPLAN_REQUIRE_GDAL", tool, "apt-get install gdal-bin proj-bin")
}

/// `z/x/y` of the `WebMercatorQuad` tile holding a point.
fn tile_of(z: u8, lon: f64, lat: f64) -> (u8, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}

/// `cs2cs` from WGS 84 to EPSG:9210 with the pinned official VN-2000 parameters.
fn cs2cs_to_9210(lon: f64, lat: f64) -> (f64, f64) {
    use std::io::Write;
    let to = format!(
        "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84={} +units=m +no_defs",
        clusterplan_core::crs::VN2000_TOWGS84
    );
    let mut args: Vec<String> = vec!["-f".into(), "%.4f".into(), "+proj=longlat".into(), "+datum=WGS84".into()];
    args.push("+no_defs".into());
    args.push("+to".into());
    args.extend(to.split(' ').map(str::to_owned));
    let mut child =
        Command::new("cs2cs").args(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("cs2cs");
    writeln!(child.stdin.take().expect("stdin"), "{lon} {lat}").expect("write");
    let out = child.wait_with_output().expect("cs2cs output");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut numbers = text.split_whitespace().map(|n| n.parse::<f64>().expect("number"));
    (numbers.next().expect("E"), numbers.next().expect("N"))
}

/// GDAL's MVT driver reads our tiles and sees an edit made a moment before; a stale PUT is a
/// 412 that changes nothing; features in EPSG:9210 match PROJ's `cs2cs` to the centimetre.
#[tokio::test]
async fn gdal_reads_fresh_tiles_and_vn2000_coordinates_match_cs2cs() {
    if !ogrinfo_available() || !tool_available("cs2cs", "--version") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("tiles.gpkg");
    let token = planner_token(gpkg.to_str().expect("path"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", gpkg.to_str().expect("path")])
        .env("CLUSTERPLAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let base = line.trim().trim_start_matches("listening on ").to_owned();
    // A planner: reads and tiles of the working (draft) layer, and the edits.
    let mut auth = reqwest::header::HeaderMap::new();
    auth.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().expect("header"));
    let http = reqwest::Client::builder().default_headers(auth).build().expect("client");
    let json = |url: String| {
        let http = http.clone();
        async move { http.get(url).send().await.expect("get").json::<serde_json::Value>().await.expect("json") }
    };

    // VN-2000 output against cs2cs, every vertex of the first feature.
    let page = json(format!("{base}/collections/clusters/items?limit=1")).await;
    let feature = &page["features"][0];
    let id = feature["id"].as_i64().expect("id");
    let vn =
        json(format!("{base}/collections/clusters/items/{id}?crs=http://www.opengis.net/def/crs/EPSG/0/9210")).await;
    let ring = |f: &serde_json::Value| f["geometry"]["coordinates"][0][0].as_array().expect("ring").clone();
    let (wgs, projected) = (ring(feature), ring(&vn));
    assert_eq!(wgs.len(), projected.len());
    for (a, b) in wgs.iter().zip(&projected) {
        let (e, n) = cs2cs_to_9210(a[0].as_f64().expect("lon"), a[1].as_f64().expect("lat"));
        let (ours_e, ours_n) = (b[0].as_f64().expect("E"), b[1].as_f64().expect("N"));
        assert!(
            (ours_e - e).abs() < 0.01 && (ours_n - n).abs() < 0.01,
            "ours ({ours_e}, {ours_n}) vs cs2cs ({e}, {n})"
        );
    }

    // A tile around the feature, read by GDAL's MVT driver from a z/x/y.pbf file.
    let (lon, lat) = (wgs[0][0].as_f64().expect("lon"), wgs[0][1].as_f64().expect("lat"));
    let (z, x, y) = tile_of(14, lon + 1e-5, lat + 1e-5);
    let tile_url = format!("{base}/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}");
    let read_tile = |etag: Option<String>| {
        let http = http.clone();
        let url = tile_url.clone();
        let dir = dir.path().to_owned();
        async move {
            let mut request = http.get(&url);
            if let Some(tag) = etag {
                request = request.header("if-none-match", tag);
            }
            let response = request.send().await.expect("tile");
            let status = response.status().as_u16();
            let tag = response.headers()["etag"].to_str().expect("etag").to_owned();
            let bytes = response.bytes().await.expect("bytes");
            let file = dir.join(format!("{z}/{x}/{y}.pbf"));
            std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            std::fs::write(&file, &bytes).expect("write");
            (status, tag, file)
        }
    };
    let (status, tag, file) = read_tile(None).await;
    assert_eq!(status, 200);
    let before = ogrinfo(&["-ro", "-al", file.to_str().expect("path")]);
    assert!(before.contains("Layer name: clusters") && before.contains("code (String)"), "{before}");
    let name = feature["properties"]["name"].as_str().expect("name");
    assert!(before.contains(name), "{before}");

    // An edit, then the very next tile request shows it.
    let mut edited = feature.clone();
    edited["properties"]["name"] = serde_json::json!("Sửa đổi mới");
    let version = feature["properties"]["version"].as_i64().expect("version");
    let put = http
        .put(format!("{base}/collections/clusters/items/{id}"))
        .header("content-type", "application/geo+json")
        .header("if-match", format!("\"{version}\""))
        .body(edited.to_string())
        .send()
        .await
        .expect("put");
    assert_eq!(put.status().as_u16(), 200);
    let (status, new_tag, file) = read_tile(Some(tag.clone())).await;
    assert_eq!(status, 200, "the old ETag no longer matches");
    assert_ne!(new_tag, tag);
    let after = ogrinfo(&["-ro", "-al", file.to_str().expect("path")]);
    assert!(after.contains("Sửa đổi mới") && !after.contains(name), "{after}");

    // A stale PUT (the version read before the edit) is refused and changes nothing.
    edited["properties"]["name"] = serde_json::json!("stale");
    let stale = http
        .put(format!("{base}/collections/clusters/items/{id}"))
        .header("content-type", "application/geo+json")
        .header("if-match", format!("\"{version}\""))
        .body(edited.to_string())
        .send()
        .await
        .expect("put");
    assert_eq!(stale.status().as_u16(), 412);
    let now = json(format!("{base}/collections/clusters/items/{id}")).await;
    assert_eq!(now["properties"]["name"], "Sửa đổi mới");
    assert_eq!(now["properties"]["version"], version + 1);
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `ogr2ogr`; its output, after checking that it succeeded with no error and no warning
/// but those holding one of `allowed`.
fn ogr2ogr_allowing(args: &[&str], allowed: &[&str]) -> String {
    let out = Command::new("ogr2ogr").args(args).output().expect("ogr2ogr");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "ogr2ogr {args:?} failed:\n{text}");
    let unexpected = text
        .lines()
        .filter(|l| l.contains("ERROR") || (l.contains("Warning") && !allowed.iter().any(|a| l.contains(a))));
    assert_eq!(unexpected.count(), 0, "ogr2ogr {args:?}:\n{text}");
    text
}

/// Runs `ogr2ogr`; its output, after checking that it succeeded with no error or warning.
pub(crate) fn ogr2ogr(args: &[&str]) -> String {
    ogr2ogr_allowing(args, &[])
}

/// `ogr2ogr` exports the layer read over OAPIF to `FlatGeobuf`, GeoPackage, Shapefile (UTF-8;
/// only the format's own warnings on names and long texts) and KML with no error or warning
/// (one geometry type per layer); GDAL's `-where` on a date
/// (sent as `datetime=2020-01-01T/..`) selects on the server; the GeoPackage file lists no
/// account table as a layer and opens without warnings; the VN-2000 command of the README
/// gives our `crs=EPSG:9210` coordinates to the centimetre.
#[test]
fn gdal_exports_every_format_and_gets_the_official_vn2000_coordinates() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("export.gpkg");
    let database = gpkg.to_str().expect("path").to_owned();
    let token = planner_token(&database);
    let (mut child, base) = start_server(&database);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let published = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/collections/clusters/publish"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "note": "export test" }))
            .send()
            .await
            .expect("publish")
            .status()
    });
    assert_eq!(published.as_u16(), 200);
    let source = format!("OAPIF:{base}/collections/clusters");
    // Shapefile and KML have no date-time type (times go as text); a Shapefile has names of
    // 10 characters at most and texts of 254: GDAL says so, and those warnings are the format's, not ours.
    let shapefile_limits = ["Normalized/laundered field name", "has been truncated to 254 characters"];
    for (driver, file, extra, allowed) in [
        ("FlatGeobuf", "clusters.fgb", &[][..], &[][..]),
        ("GPKG", "clusters-export.gpkg", &[][..], &[][..]),
        (
            "ESRI Shapefile",
            "clusters.shp",
            &["-lco", "ENCODING=UTF-8", "-mapFieldType", "DateTime=String"][..],
            &shapefile_limits[..],
        ),
        ("KML", "clusters.kml", &["-mapFieldType", "DateTime=String"][..], &[][..]),
    ] {
        let out = dir.path().join(file);
        let out = out.to_str().expect("path");
        let mut args = vec!["-f", driver, out, &source];
        args.extend_from_slice(extra);
        ogr2ogr_allowing(&args, allowed);
        let info = ogrinfo(&["-ro", "-so", "-al", out]);
        assert!(info.contains("Feature Count: 7"), "{driver}: {info}");
    }
    // The Shapefile's names keep their Vietnamese letters.
    let shp = ogrinfo(&["-ro", "-al", dir.path().join("clusters.shp").to_str().expect("path")]);
    assert!(shp.contains("Phong Nẫm"), "{shp}");

    // A date in -where becomes `datetime=2020-01-01T/..`, which the server answers.
    let recent = ogrinfo(&["-ro", "-al", "-so", "-where", "updated_at > '2020-01-01'", &source]);
    assert!(recent.contains("Feature Count: 7"), "{recent}");
    let future = ogrinfo(&["-ro", "-al", "-so", "-where", "updated_at > '2999-01-01'", &source]);
    assert!(future.contains("Feature Count: 0"), "{future}");

    // The data file: layers only, no accounts, no warnings.
    let file = ogrinfo(&["-ro", &database]);
    for hidden in ["users", "api_tokens", "sessions", "audit_log"] {
        assert!(!file.lines().any(|l| l.trim_start().split(' ').nth(1) == Some(hidden)), "{hidden} listed: {file}");
    }
    assert!(file.contains("clusters (Multi Polygon)"), "{file}");
    let all = ogrinfo(&["-ro", "-so", "-al", &database]);
    assert!(!all.contains("Warning") && !all.contains("ERROR"), "{all}");

    // The README's command for the official VN-2000 coordinates: the pinned +towgs84.
    let vn = dir.path().join("vn2000.geojson");
    let pinned = format!(
        "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +towgs84={} +units=m +no_defs",
        clusterplan_core::crs::VN2000_TOWGS84
    );
    ogr2ogr(&["-f", "GeoJSON", "-t_srs", &pinned, vn.to_str().expect("path"), &source]);
    let ours: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("{base}/collections/clusters/items?crs=http://www.opengis.net/def/crs/EPSG/0/9210"))
            .await
            .expect("items")
            .json()
            .await
            .expect("json")
    });
    let theirs: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&vn).expect("read")).expect("json");
    let first = |doc: &serde_json::Value, code: &str| {
        let feature = doc["features"].as_array().expect("features").iter().find(|f| f["properties"]["code"] == code);
        let geometry = &feature.expect("feature")["geometry"];
        let c = &geometry["coordinates"][0][0][0];
        (c[0].as_f64().expect("E"), c[1].as_f64().expect("N"))
    };
    let code = ours["features"][0]["properties"]["code"].as_str().expect("code").to_owned();
    let (a, b) = (first(&ours, &code), first(&theirs, &code));
    assert!((a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01, "ours {a:?}, ogr2ogr {b:?}");
    let _ = child.kill();
    let _ = child.wait();
}

/// GDAL opens our tiles by URL (the MVT driver over HTTP and `/vsicurl/`, with the README's
/// options), and its OGCAPI driver walks our tile documents to the end: collection → tilesets →
/// tileset → tile matrix set, which it parses. Debian 12's GDAL 3.6.2 then stops without a
/// message whatever the server sends: that build has no OGCAPI vector-tile layers (its
/// `OGCAPITiledLayer` is compiled but never constructed; GDAL 3.7.1 fixed the build). On a GDAL
/// that has them, the layers ("Zoom level N") must open.
#[test]
fn gdal_opens_tiles_by_url() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("tiles-url.gpkg");
    let database = gpkg.to_str().expect("path").to_owned();
    let token = planner_token(&database);
    let (mut child, base) = start_server(&database);
    let published = tokio::runtime::Runtime::new().expect("runtime").block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/collections/clusters/publish"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "note": "tiles test" }))
            .send()
            .await
            .expect("publish")
            .status()
    });
    assert_eq!(published.as_u16(), 200);
    // Phong Nẫm, at zoom 14.
    let (z, x, y) = tile_of(14, 106.43, 10.205);
    // GDAL's MVT driver takes a URL ending in a bare integer for a tileset's zoom-level folder
    // (`…/tiles/{z}`), so `…/{z}/{y}/{x}` alone is not opened as a tile: a query string
    // (`?layer=published`) makes it a file, and `-oo Z= -oo X= -oo Y=` georeference it (GDAL
    // would read the position from an XYZ path, not from OGC's row-before-column one).
    let url = format!("{base}/collections/clusters/tiles/WebMercatorQuad/{z}/{y}/{x}?layer=published");
    let (zs, xs, ys) = (z.to_string(), x.to_string(), y.to_string());
    let size = 2.0 * 20_037_508.342_789_244 / f64::from(1u32 << z);
    let west = -20_037_508.342_789_244 + f64::from(x) * size;
    let north = 20_037_508.342_789_244 - f64::from(y) * size;
    for name in [format!("MVT:{url}"), format!("/vsicurl/{url}")] {
        let info = ogrinfo(&[
            "-ro",
            "-al",
            "-oo",
            &format!("Z={zs}"),
            "-oo",
            &format!("X={xs}"),
            "-oo",
            &format!("Y={ys}"),
            &name,
        ]);
        assert!(info.contains("Layer name: clusters") && info.contains("Phong Nẫm"), "{name}: {info}");
        // The extent, in Web Mercator metres, lies in the tile (plus its buffer).
        let extent = info.lines().find_map(|l| l.strip_prefix("Extent: ")).expect("extent");
        let numbers: Vec<f64> = extent
            .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .filter_map(|n| n.parse().ok())
            .collect();
        let [minx, miny, maxx, maxy] = numbers[..] else { panic!("{extent}") };
        let slack = size / 8.0;
        assert!(minx > west - slack && maxx < west + size + slack, "{name}: {extent} vs tile x {west}");
        assert!(miny > north - size - slack && maxy < north + slack, "{name}: {extent} vs tile y {north}");
    }
    // The OGCAPI driver, with every request it sends and every debug line it writes.
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", &format!("OGCAPI:{base}/collections/clusters")])
        .env("CPL_DEBUG", "ON")
        .env("CPL_CURL_VERBOSE", "YES")
        .output()
        .expect("ogrinfo");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    for step in [
        "GET /collections/clusters/tiles ",
        "GET /collections/clusters/tiles/WebMercatorQuad ",
        "GET /tileMatrixSets/WebMercatorQuad ",
    ] {
        assert!(text.contains(step), "GDAL's OGCAPI driver did not get to {step:?}:\n{text}");
    }
    for refusal in ["Invalid tiling matrix set", "Cannot find link", "Missing bbox", "ERROR"] {
        assert!(!text.contains(refusal), "GDAL's OGCAPI driver refused our documents ({refusal}):\n{text}");
    }
    if out.status.success() {
        assert!(text.contains("Zoom level"), "{text}");
    } else {
        // Only a build without vector tiles may stop here: GDAL before 3.7.1.
        let version = Command::new("gdalinfo").arg("--version").output().expect("gdalinfo");
        let version = String::from_utf8_lossy(&version.stdout).into_owned();
        let number = version.split([' ', ',']).nth(1).unwrap_or_default();
        let parts: Vec<u32> = number.split('.').filter_map(|p| p.parse().ok()).collect();
        assert!(parts < vec![3, 7, 1], "GDAL {number} has OGCAPI vector tiles, yet did not open ours:\n{text}");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The coordinate table (decision annex) of every demo cluster: each marker is a vertex of the
/// boundary as PROJ's `cs2cs` puts it in VN-2000 TM-3 105°45′ with the pinned parameters, to the
/// millimetre; the markers are every vertex once; edges and area agree with the coordinates;
/// the CSV and printed page carry the same figures.
#[tokio::test]
async fn coordinate_tables_match_cs2cs_to_the_millimetre() {
    if !tool_available("cs2cs", "--version") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("annex.gpkg").to_str().expect("path").to_owned();
    let token = planner_token(&database);
    let (mut child, base) = start_server(&database);
    let client = reqwest::Client::new();
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move { request.send().await.expect("request") }
    };
    let items: serde_json::Value =
        get("/collections/clusters/items?layer=draft".into()).await.json().await.expect("json");
    let features = items["features"].as_array().expect("features");
    assert!(features.len() >= 5, "{items}");
    let mut markers_checked = 0;
    for feature in features {
        let id = feature["id"].as_i64().expect("id");
        let answer = get(format!("/collections/clusters/items/{id}/annex?layer=draft")).await;
        assert_eq!(answer.status().as_u16(), 200);
        let table: serde_json::Value = answer.json().await.expect("json");
        assert_eq!(table["crs"], "http://www.opengis.net/def/crs/EPSG/0/9210", "{table}");
        let vertices: Vec<(f64, f64)> = feature["geometry"]["coordinates"]
            .as_array()
            .expect("polygons")
            .iter()
            .flat_map(|p| p.as_array().expect("rings"))
            .flat_map(|r| {
                let r = r.as_array().expect("ring");
                r[..r.len() - 1].iter().map(|c| (c[0].as_f64().expect("lon"), c[1].as_f64().expect("lat")))
            })
            .collect();
        let markers = crate::exports::markers(&table);
        assert_eq!(markers.len(), vertices.len(), "one marker per vertex: {table}");
        let official: Vec<(f64, f64)> = vertices.iter().map(|&(lon, lat)| cs2cs_to_9210(lon, lat)).collect();
        for (i, marker) in markers.iter().enumerate() {
            assert_eq!(marker["number"], i + 1);
            let (x, y) = (marker["x"].as_f64().expect("x"), marker["y"].as_f64().expect("y"));
            // cs2cs prints 0.1 mm; the table rounds to the millimetre.
            let nearest = official.iter().map(|&(e, n)| (y - e).abs().max((x - n).abs())).fold(f64::INFINITY, f64::min);
            assert!(nearest <= 0.000_6, "marker {i} of {id} is {nearest} m from its cs2cs vertex: {table}");
            markers_checked += 1;
        }
        let area = table["area_ha"].as_f64().expect("area");
        let stated = feature["properties"]["area_ha"].as_f64().expect("area_ha");
        assert!((area - stated).abs() <= 0.000_11, "{id}: table {area} ha, feature {stated} ha");

        let csv = get(format!("/collections/clusters/items/{id}/annex?layer=draft&f=csv")).await;
        assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
        let csv = csv.text().await.expect("text");
        let first = markers[0];
        let row = format!(
            "1,0,1,{:.3},{:.3},{:.3}",
            first["x"].as_f64().expect("x"),
            first["y"].as_f64().expect("y"),
            first["edge"].as_f64().expect("edge")
        );
        assert!(csv.lines().nth(1) == Some(row.as_str()), "{row} in {csv}");
        assert!(csv.trim_end().ends_with(&format!("{area:.4}")), "{csv}");
        let page =
            get(format!("/collections/clusters/items/{id}/annex?layer=draft&f=html")).await.text().await.expect("html");
        assert!(
            page.contains("BẢNG TỌA ĐỘ MỐC GIỚI") && page.contains(&format!("{area:.4}").replace('.', ",")),
            "{page}"
        );
    }
    assert!(markers_checked > 20, "{markers_checked} markers");

    // Another VN-2000 system on request; a system that is not one, or an unknown format, is a 400.
    let id = features[0]["id"].as_i64().expect("id");
    let utm = get(format!("/collections/clusters/items/{id}/annex?layer=draft&crs=EPSG:3405")).await;
    assert_eq!(utm.status().as_u16(), 200);
    for bad in ["crs=EPSG:4326", "crs=EPSG:3857", "crs=nonsense", "f=xml", "colour=red"] {
        let answer = get(format!("/collections/clusters/items/{id}/annex?layer=draft&{bad}")).await;
        assert_eq!(answer.status().as_u16(), 400, "{bad}");
        assert_eq!(answer.headers()["content-type"], "application/problem+json", "{bad}");
    }
    // The public reads the table of the published layer (the demo's), never the draft.
    let public = reqwest::get(format!("{base}/collections/clusters/items/{id}/annex")).await.expect("request");
    assert_eq!(public.status().as_u16(), 200);
    let draft =
        reqwest::get(format!("{base}/collections/clusters/items/{id}/annex?layer=draft")).await.expect("request");
    assert_eq!(draft.status().as_u16(), 401);
    let _ = child.kill();
    let _ = child.wait();
}
