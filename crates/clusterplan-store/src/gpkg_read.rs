//! A GeoPackage brought for import, read as one feature table: which table (the first of
//! `gpkg_contents`, or the one named), its system as `gpkg_spatial_ref_sys` gives it, its
//! columns as JSON values and its geometries decoded as the store decodes its own. The file is
//! opened read-only and immutable, with untrusted schema code off: reading changes nothing.

use std::path::Path;

use geo_types::Geometry;
use serde_json::{Map, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection, TypeInfo, ValueRef};

use crate::geom::gpkg_to_geometry;

/// The system of a feature table, as `gpkg_spatial_ref_sys` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpatialRefSys {
    pub srs_id: i64,
    /// `EPSG`, `OGC`, `NONE`, …
    pub organization: String,
    pub code: i64,
    /// WKT (or `undefined`).
    pub definition: String,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct TableFeature {
    /// The attribute columns (not the primary key, not the geometry), by name.
    pub properties: Map<String, Value>,
    /// The geometry; `Ok(None)` for a NULL one, `Err` when the blob cannot be decoded.
    pub geometry: Result<Option<Geometry<f64>>, String>,
}

/// A feature table read.
#[derive(Debug, Clone)]
pub struct FeatureTable {
    pub name: String,
    pub srs: SpatialRefSys,
    /// Attribute column names, in table order.
    pub fields: Vec<String>,
    pub features: Vec<TableFeature>,
}

/// Why a file cannot be read as a GeoPackage layer: said for the one who sent it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

fn unreadable(e: &sqlx::Error) -> ReadError {
    // The database's own message only: never a path or a driver's internals.
    let why = e.as_database_error().map_or_else(|| "unreadable".to_owned(), |d| d.message().to_owned());
    ReadError(format!("not a readable GeoPackage: {why}"))
}

/// Reads the feature table `layer` (else the first of `gpkg_contents`) of the GeoPackage at
/// `path`; a table of more than `max_features` rows is refused before its rows are read.
pub async fn read_feature_table(
    path: &Path,
    layer: Option<&str>,
    max_features: usize,
) -> Result<FeatureTable, ReadError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .pragma("trusted_schema", "OFF")
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| unreadable(&e))?;
    let table = read_table(&mut conn, layer, max_features).await;
    conn.close().await.map_err(|e| unreadable(&e))?;
    table
}

async fn read_table(
    conn: &mut SqliteConnection,
    layer: Option<&str>,
    max_features: usize,
) -> Result<FeatureTable, ReadError> {
    let has_contents: Option<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'gpkg_contents'")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| unreadable(&e))?;
    if has_contents.is_none() {
        return Err(ReadError("an SQLite file without gpkg_contents is not a GeoPackage".into()));
    }
    let tables: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
         JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
         WHERE c.data_type = 'features' ORDER BY c.rowid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| unreadable(&e))?;
    let names = || tables.iter().map(|(t, _, _)| t.as_str()).collect::<Vec<_>>().join(", ");
    let (name, geometry_column, srs_id) = match layer {
        None => tables.first().ok_or_else(|| ReadError("the GeoPackage holds no feature table".into()))?,
        Some(wanted) => tables.iter().find(|(t, _, _)| t.eq_ignore_ascii_case(wanted)).ok_or_else(|| {
            ReadError(if tables.is_empty() {
                "the GeoPackage holds no feature table".to_owned()
            } else {
                format!("the GeoPackage has no feature table {wanted:?} (it has {})", names())
            })
        })?,
    }
    .clone();
    let srs: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
    )
    .bind(srs_id)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| unreadable(&e))?;
    let (organization, code, definition) = srs.ok_or_else(|| {
        ReadError(format!("the system of {name} (srs_id {srs_id}) is missing from gpkg_spatial_ref_sys"))
    })?;
    let srs = SpatialRefSys { srs_id, organization, code, definition };
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    let columns: Vec<(String, String, i64)> =
        sqlx::query_as(&format!("SELECT name, type, pk FROM pragma_table_info('{}')", name.replace('\'', "''")))
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| unreadable(&e))?;
    let fields: Vec<String> = columns
        .iter()
        .filter(|(column, _, pk)| *pk == 0 && !column.eq_ignore_ascii_case(&geometry_column))
        .map(|(column, _, _)| column.clone())
        .collect();
    let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {quoted}"))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| unreadable(&e))?;
    if count as usize > max_features {
        return Err(ReadError(format!(
            "the layer {name} holds {count} features, more than the {max_features} one import takes"
        )));
    }
    let rows =
        sqlx::query(&format!("SELECT * FROM {quoted}")).fetch_all(&mut *conn).await.map_err(|e| unreadable(&e))?;
    let features = rows
        .iter()
        .map(|row| {
            let mut properties = Map::new();
            for field in &fields {
                let boolean = columns.iter().any(|(c, t, _)| c == field && t.eq_ignore_ascii_case("BOOLEAN"));
                properties.insert(field.clone(), value(row, field, boolean));
            }
            let geometry = match row.try_get::<Option<Vec<u8>>, _>(geometry_column.as_str()) {
                Ok(Some(blob)) => gpkg_to_geometry(&blob).map(Some).map_err(|e| format!("the geometry blob: {e}")),
                Ok(None) => Ok(None),
                Err(e) => Err(format!("the geometry column: {e}")),
            };
            TableFeature { properties, geometry }
        })
        .collect();
    Ok(FeatureTable { name, srs, fields, features })
}

/// A cell as JSON by what SQLite holds in it (its storage class), booleans as GDAL writes them
/// (0 or 1 in a `BOOLEAN` column); blobs are not attributes.
fn value(row: &SqliteRow, column: &str, boolean: bool) -> Value {
    let Ok(raw) = row.try_get_raw(column) else { return Value::Null };
    if raw.is_null() {
        return Value::Null;
    }
    match raw.type_info().name() {
        "INTEGER" => row
            .try_get::<i64, _>(column)
            .map_or(Value::Null, |v| if boolean { Value::Bool(v != 0) } else { Value::from(v) }),
        "REAL" => row.try_get::<f64, _>(column).map_or(Value::Null, Value::from),
        "TEXT" => row.try_get::<String, _>(column).map_or(Value::Null, Value::String),
        _ => Value::Null,
    }
}
