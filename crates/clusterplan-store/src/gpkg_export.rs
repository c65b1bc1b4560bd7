//! A layer written as a GeoPackage 1.3 file of its own (for downloads): the required tables,
//! one feature table with an R*Tree-free `MULTIPOLYGON` column, values as typed columns. The
//! caller supplies the system's WKT; what GDAL and QGIS open without a warning.

use std::path::Path;

use geo_types::{Geometry, MultiPolygon};
use geozero::{CoordDimensions, ToWkb};
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};

use crate::StoreError;

/// The type of a column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `INTEGER`.
    Integer,
    /// `REAL`.
    Real,
    /// `BOOLEAN` (0 or 1).
    Boolean,
    /// `TEXT`.
    Text,
}

/// The layer to write: its columns, and per feature the values (in column order) and geometry.
pub struct ExportLayer<'a> {
    /// Table name.
    pub name: &'a str,
    /// The system: EPSG code (`None` for OGC CRS84) and its WKT 1 definition.
    pub epsg: Option<u32>,
    /// WKT of the system.
    pub wkt: &'a str,
    /// Column names and types.
    pub columns: &'a [(String, ColumnType)],
    /// Features: values in column order, and the boundary in the layer's system.
    pub rows: &'a [(Vec<Value>, MultiPolygon<f64>)],
}

fn sql_error(e: sqlx::Error) -> StoreError {
    StoreError::from(e)
}

/// Writes `layer` to a new GeoPackage file at `path`.
pub async fn write_geopackage(path: &Path, layer: &ExportLayer<'_>) -> Result<(), StoreError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Delete)
        .disable_statement_logging();
    let mut conn = options.connect().await.map_err(sql_error)?;
    let mut tx = conn.begin().await.map_err(sql_error)?;
    let srs_id: i64 = layer.epsg.map_or(4326, i64::from);
    create_tables(&mut tx, layer, srs_id).await?;
    insert_rows(&mut tx, layer, srs_id).await?;
    tx.commit().await.map_err(sql_error)?;
    conn.close().await.map_err(sql_error)?;
    Ok(())
}

/// The GeoPackage tables, the system, the layer's entry and its (empty) feature table.
async fn create_tables(
    tx: &mut sqlx::SqliteConnection,
    layer: &ExportLayer<'_>,
    srs_id: i64,
) -> Result<(), StoreError> {
    let table = quote(layer.name);
    let mut ddl = vec![
        "PRAGMA application_id = 1196444487".to_owned(),
        "PRAGMA user_version = 10300".to_owned(),
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, \
         organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, \
         description TEXT)"
            .to_owned(),
        "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, \
         identifier TEXT UNIQUE, description TEXT DEFAULT '', \
         last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), \
         min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, \
         CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))"
            .to_owned(),
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, \
         geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, \
         CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), \
         CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name), \
         CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))"
            .to_owned(),
    ];
    let columns: Vec<String> = layer
        .columns
        .iter()
        .map(|(name, kind)| {
            let sql_type = match kind {
                ColumnType::Integer => "INTEGER",
                ColumnType::Real => "REAL",
                ColumnType::Boolean => "BOOLEAN",
                ColumnType::Text => "TEXT",
            };
            format!("{} {sql_type}", quote(name))
        })
        .collect();
    ddl.push(format!(
        "CREATE TABLE {table} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON{}{})",
        if columns.is_empty() { "" } else { ", " },
        columns.join(", ")
    ));
    for statement in &ddl {
        sqlx::query(statement).execute(&mut *tx).await.map_err(sql_error)?;
    }
    let insert_srs = "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)";
    for (name, id, org, code, definition) in [
        ("Undefined cartesian SRS", -1, "NONE", -1, "undefined"),
        ("Undefined geographic SRS", 0, "NONE", 0, "undefined"),
    ] {
        sqlx::query(insert_srs)
            .bind(name)
            .bind(id)
            .bind(org)
            .bind(code)
            .bind(definition)
            .bind("")
            .execute(&mut *tx)
            .await
            .map_err(sql_error)?;
    }
    sqlx::query(insert_srs)
        .bind(layer.epsg.map_or_else(|| "WGS 84 longitude/latitude".to_owned(), |c| format!("EPSG:{c}")))
        .bind(srs_id)
        .bind("EPSG")
        .bind(srs_id)
        .bind(layer.wkt)
        .bind("")
        .execute(&mut *tx)
        .await
        .map_err(sql_error)?;
    let bbox = layer.rows.iter().filter_map(|(_, g)| geo::BoundingRect::bounding_rect(g)).reduce(|a, b| {
        geo_types::Rect::new(
            geo_types::coord! { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            geo_types::coord! { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    });
    sqlx::query("INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?)")
        .bind(layer.name)
        .bind(layer.name)
        .bind(bbox.map(|r| r.min().x))
        .bind(bbox.map(|r| r.min().y))
        .bind(bbox.map(|r| r.max().x))
        .bind(bbox.map(|r| r.max().y))
        .bind(srs_id)
        .execute(&mut *tx)
        .await
        .map_err(sql_error)?;
    sqlx::query("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)")
        .bind(layer.name)
        .bind(srs_id)
        .execute(&mut *tx)
        .await
        .map_err(sql_error)?;
    Ok(())
}

/// One row per feature: the geometry blob and the values.
async fn insert_rows(tx: &mut sqlx::SqliteConnection, layer: &ExportLayer<'_>, srs_id: i64) -> Result<(), StoreError> {
    let table = quote(layer.name);
    let names: Vec<String> = layer.columns.iter().map(|(n, _)| quote(n)).collect();
    let insert = format!(
        "INSERT INTO {table} (geom{}{}) VALUES (?{})",
        if names.is_empty() { "" } else { ", " },
        names.join(", "),
        ", ?".repeat(layer.columns.len())
    );
    for (values, geometry) in layer.rows {
        let geometry = Geometry::MultiPolygon(geometry.clone());
        let envelope = geo::BoundingRect::bounding_rect(&geometry)
            .map_or_else(Vec::new, |r| vec![r.min().x, r.max().x, r.min().y, r.max().y]);
        let blob = geometry
            .to_gpkg_wkb(CoordDimensions::xy(), Some(srs_id as i32), envelope)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode geometry: {e}")))?;
        let mut query = sqlx::query(&insert).bind(blob);
        for ((_, kind), value) in layer.columns.iter().zip(values) {
            query = match (kind, value) {
                (_, Value::Null) => query.bind(None::<String>),
                (ColumnType::Integer, v) => query.bind(v.as_i64()),
                (ColumnType::Real, v) => query.bind(v.as_f64()),
                (ColumnType::Boolean, v) => query.bind(v.as_bool()),
                (ColumnType::Text, Value::String(s)) => query.bind(s.clone()),
                (ColumnType::Text, other) => query.bind(other.to_string()),
            };
        }
        query.execute(&mut *tx).await.map_err(sql_error)?;
    }
    Ok(())
}

/// An SQL identifier, double-quoted.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
