//! GDAL, a standard client, reads what the service publishes: the OGC API - Features
//! endpoint (OAPIF driver) and the embedded store's GeoPackage file (GPKG driver).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn ogrinfo_available() -> bool {
    let found = Command::new("ogrinfo").arg("--version").output().is_ok_and(|o| o.status.success());
    let required =
        ["CI", "CLUSTERPLAN_REQUIRE_GDAL"].iter().any(|v| std::env::var(v).is_ok_and(|v| v == "true" || v == "1"));
    assert!(found || !required, "ogrinfo (gdal-bin) is required in CI but missing");
    if !found {
        eprintln!("SKIPPED: ogrinfo not installed (apt-get install gdal-bin)");
    }
    found
}

fn ogrinfo(args: &[&str]) -> String {
    let out = Command::new("ogrinfo").args(args).output().expect("ogrinfo");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "ogrinfo {args:?} failed:\n{text}");
    text
}

/// A planner made with the CLI on `database` (before the server starts), and a token for it
/// (the last line the CLI prints).
fn planner_token(database: &str) -> String {
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
    cli(&["user", "add", "gdal", "--role", "planner", "--database", database]);
    cli(&["token", "create", "gdal", "--database", database]).lines().last().expect("token line").trim().to_owned()
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

fn tool_available(tool: &str, probe: &str) -> bool {
    let found = Command::new(tool).arg(probe).output().is_ok();
    let required =
        ["CI", "CLUSTERPLAN_REQUIRE_GDAL"].iter().any(|v| std::env::var(v).is_ok_and(|v| v == "true" || v == "1"));
    assert!(found || !required, "{tool} is required in CI but missing");
    if !found {
        eprintln!("SKIPPED: {tool} not installed (apt-get install gdal-bin proj-bin)");
    }
    found
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
    let ring = |f: &serde_json::Value| f["geometry"]["coordinates"][0].as_array().expect("ring").clone();
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
