//! GeoPackage import: the upload put in a temporary file, its feature table read by the store
//! crate's [`clusterplan_store::gpkg_read`] (geometry blobs decoded as the store decodes its
//! own), the table's `gpkg_spatial_ref_sys` entry placed as one of our systems.

use clusterplan_core::Crs;
use clusterplan_store::gpkg_read::{FeatureTable, SpatialRefSys, read_feature_table};

use super::{BadFile, Dataset, Options, SourceFeature, bad, boundary};

/// The SQLite header every GeoPackage starts with.
pub(super) fn is_geopackage(bytes: &[u8]) -> bool {
    bytes.starts_with(b"SQLite format 3\0")
}

/// Reads the first feature table of the GeoPackage `bytes` (or `options.layer`). The outer
/// error is the server's (the temporary file); the inner one the file's.
pub(super) async fn read(bytes: &[u8], options: &Options) -> std::io::Result<Result<Dataset, BadFile>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("import.gpkg");
    tokio::fs::write(&path, bytes).await?;
    let table = read_feature_table(&path, options.layer.as_deref(), options.max_features).await;
    Ok(table.map_err(|e| bad(e.0)).and_then(|table| dataset(table, options)))
}

fn dataset(table: FeatureTable, options: &Options) -> Result<Dataset, BadFile> {
    let crs = match options.crs {
        Some(crs) => crs,
        None => crs_of(&table.srs).ok_or_else(|| {
            let SpatialRefSys { organization, code, srs_id, .. } = &table.srs;
            bad(format!(
                "the system of the layer {} ({organization}:{code}, srs_id {srs_id}) is not one clusterplan can \
                 place; declare crs",
                table.name
            ))
        })?,
    };
    let features = table
        .features
        .into_iter()
        .map(|f| SourceFeature {
            properties: f.properties,
            geometry: f.geometry.and_then(|g| boundary(g, crs)),
            cut: Vec::new(),
        })
        .collect();
    Ok(Dataset {
        format: "GeoPackage",
        crs,
        encoding: None,
        fields: table.fields,
        features,
        axis_order: None,
        partial: false,
    })
}

/// An EPSG code we serve, else the WKT read as a `.prj` is; `undefined` systems are not placed.
fn crs_of(srs: &SpatialRefSys) -> Option<Crs> {
    let epsg = srs.organization.eq_ignore_ascii_case("EPSG").then(|| u32::try_from(srs.code).ok()).flatten();
    epsg.and_then(|code| Crs::from_epsg(code).ok()).or_else(|| Crs::from_wkt(&srs.definition))
}
