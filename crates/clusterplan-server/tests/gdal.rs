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

#[test]
fn gdal_reads_the_layer_over_oapif_and_the_geopackage_file() {
    if !ogrinfo_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("gdal.gpkg");
    let mut child = Command::new(env!("CARGO_BIN_EXE_clusterplan"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database", gpkg.to_str().expect("path")])
        .env("CLUSTERPLAN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let base = line.trim().trim_start_matches("listening on ").to_owned();

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
