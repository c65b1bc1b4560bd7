//! Layers as the files planners exchange: GeoJSON, CSV with WKT geometry, KML and zipped
//! Shapefile. The writers take rows (an id, the GeoJSON properties, the geometry already in the
//! target system, east/north order) and return the whole file.

use std::collections::HashSet;
use std::io::{Cursor, Write};

use clusterplan_core::Crs;
use geo_types::MultiPolygon;
use geozero::ToWkt;
use serde_json::{Map, Value, json};

use crate::import::DBF_TEXT_MAX;

/// One feature to write.
pub(crate) struct Row {
    pub(crate) id: i64,
    pub(crate) properties: Map<String, Value>,
    pub(crate) geometry: MultiPolygon<f64>,
}

/// A file format offered for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    GeoJson,
    Csv,
    Kml,
    Shapefile,
    GeoPackage,
}

impl Format {
    /// The names `f=` accepts.
    pub(crate) const OFFERED: &'static str = "geojson, csv, kml, shp or gpkg";

    pub(crate) fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "csv" => Some(Format::Csv),
            "kml" => Some(Format::Kml),
            "shp" | "shapefile" | "zip" => Some(Format::Shapefile),
            "gpkg" | "geopackage" => Some(Format::GeoPackage),
            _ => None,
        }
    }

    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Kml => "application/vnd.google-earth.kml+xml",
            Format::Shapefile => "application/zip",
            Format::GeoPackage => "application/geopackage+sqlite3",
        }
    }

    /// Why the format cannot carry coordinates in `crs` (KML is WGS 84 by definition).
    pub(crate) fn refuses(self, crs: Crs) -> Option<String> {
        (self == Format::Kml && !matches!(crs, Crs::Crs84 | Crs::Epsg(4326)))
            .then(|| format!("KML is always WGS 84 longitude/latitude; drop crs={crs} or choose another format"))
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Csv => "csv",
            Format::Kml => "kml",
            Format::Shapefile => "zip",
            Format::GeoPackage => "gpkg",
        }
    }
}

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ExportError {
    /// The format cannot carry the asked system (KML is WGS 84 only).
    #[error("{0}")]
    Unsupported(String),
    /// A writer failed (a bug or an out-of-memory, never the client's input).
    #[error("{0}")]
    Writer(String),
}

fn writer_error(e: impl std::fmt::Display) -> ExportError {
    ExportError::Writer(e.to_string())
}

/// The file of `rows` in `format`; `name` names the layer inside it (and the Shapefile's members).
pub(crate) async fn write(format: Format, name: String, crs: Crs, rows: Vec<Row>) -> Result<Vec<u8>, ExportError> {
    if format == Format::GeoPackage {
        return geopackage(&name, crs, &rows).await;
    }
    // Encoding thousands of boundaries is CPU work: off the async workers.
    tokio::task::spawn_blocking(move || encode(format, &name, crs, &rows)).await.map_err(writer_error)?
}

/// The file of `rows` in a format written in memory (all but GeoPackage).
pub(crate) fn encode(format: Format, name: &str, crs: Crs, rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::GeoJson => Ok(geojson(crs, rows)),
        Format::Csv => csv(rows),
        Format::Kml => kml(name, crs, rows),
        Format::Shapefile => shapefile(name, crs, rows),
        Format::GeoPackage => Err(ExportError::Writer("a GeoPackage is written to a file by `write`".into())),
    }
}

/// A GeoPackage 1.3 file, written by the store crate into a temporary folder and read back.
async fn geopackage(name: &str, crs: Crs, rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    use clusterplan_store::gpkg_export::{ColumnType, ExportLayer, write_geopackage};
    let columns: Vec<(String, ColumnType)> = columns(rows)
        .into_iter()
        .map(|(name, kind)| {
            let kind = match kind {
                Kind::Integer => ColumnType::Integer,
                Kind::Real => ColumnType::Real,
                Kind::Logical => ColumnType::Boolean,
                Kind::Text(_) => ColumnType::Text,
            };
            (name, kind)
        })
        .collect();
    let features: Vec<(Vec<Value>, MultiPolygon<f64>)> =
        rows.iter().map(|row| (columns.iter().map(|(c, _)| cell(row, c)).collect(), row.geometry.clone())).collect();
    let wkt = crs.wkt1().map_err(writer_error)?;
    let epsg = crs.epsg().filter(|_| crs != Crs::Crs84);
    let dir = tempfile::tempdir().map_err(writer_error)?;
    let path = dir.path().join("export.gpkg");
    let layer = ExportLayer { name, epsg, wkt: &wkt, columns: &columns, rows: &features };
    write_geopackage(&path, &layer).await.map_err(writer_error)?;
    tokio::fs::read(&path).await.map_err(writer_error)
}

/// What a column holds, decided over every row (nulls aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Logical,
    /// Longest value in UTF-8 bytes.
    Text(usize),
}

/// Columns that come first when present, in this order: what identifies a feature.
const LEADING: [&str; 4] = ["code", "name", "kind", "status"];

/// The columns of `rows`: `id`, the [`LEADING`] ones, then every other property by name.
fn columns(rows: &[Row]) -> Vec<(String, Kind)> {
    let mut names: Vec<String> = vec!["id".to_owned()];
    let mut seen: HashSet<String> = names.iter().cloned().collect();
    let present = |key: &str| rows.iter().any(|r| r.properties.contains_key(key));
    for key in LEADING.into_iter().filter(|k| present(k)) {
        seen.insert(key.to_owned());
        names.push(key.to_owned());
    }
    // The rest by name, whatever order the rows' maps keep.
    let rest: std::collections::BTreeSet<&String> =
        rows.iter().flat_map(|row| row.properties.keys()).filter(|key| !seen.contains(*key)).collect();
    names.extend(rest.into_iter().cloned());
    names
        .into_iter()
        .map(|name| {
            let kind = if name == "id" {
                Kind::Integer
            } else {
                kind_of(rows.iter().filter_map(|r| r.properties.get(&name)).filter(|v| !v.is_null()))
            };
            (name, kind)
        })
        .collect()
}

fn kind_of<'a>(values: impl Iterator<Item = &'a Value> + Clone) -> Kind {
    if values.clone().all(Value::is_boolean) && values.clone().next().is_some() {
        Kind::Logical
    } else if values.clone().all(|v| v.is_i64() || v.is_u64()) && values.clone().next().is_some() {
        Kind::Integer
    } else if values.clone().all(Value::is_number) && values.clone().next().is_some() {
        Kind::Real
    } else {
        Kind::Text(values.map(|v| text_of(v).len()).max().unwrap_or(0))
    }
}

/// A value as a text cell: strings as they are, other JSON as JSON, null as nothing.
fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn cell(row: &Row, column: &str) -> Value {
    if column == "id" { Value::from(row.id) } else { row.properties.get(column).cloned().unwrap_or(Value::Null) }
}

/// A GeoJSON FeatureCollection; outside CRS84 it names its system with the `crs` member of
/// GeoJSON 2008, which GDAL and QGIS read.
fn geojson(crs: Crs, rows: &[Row]) -> Vec<u8> {
    let features: Vec<Value> = rows
        .iter()
        .map(|r| {
            let geometry = geojson::Geometry::new(geojson::Value::from(&r.geometry));
            json!({ "type": "Feature", "id": r.id, "geometry": geometry, "properties": r.properties })
        })
        .collect();
    let mut collection = json!({ "type": "FeatureCollection", "features": features });
    if let Some(code) = crs.epsg().filter(|_| crs != Crs::Crs84) {
        collection["crs"] =
            json!({ "type": "name", "properties": { "name": format!("urn:ogc:def:crs:EPSG::{code}") } });
    }
    // Serialising a JSON value cannot fail.
    serde_json::to_vec(&collection).unwrap_or_default()
}

/// CSV with the geometry as WKT in the first column, `WKT`, the name GDAL's CSV driver and
/// QGIS's delimited-text provider look for.
fn csv(rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    let columns = columns(rows);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(std::iter::once("WKT").chain(columns.iter().map(|(name, _)| name.as_str())))
        .map_err(writer_error)?;
    for row in rows {
        let wkt = geo_types::Geometry::MultiPolygon(row.geometry.clone()).to_wkt().map_err(writer_error)?;
        let cells = columns.iter().map(|(name, _)| text_of(&cell(row, name)));
        out.write_record(std::iter::once(wkt).chain(cells)).map_err(writer_error)?;
    }
    out.into_inner().map_err(writer_error)
}

/// KML 2.2: one placemark per feature, named by its `name` property, every property as
/// `ExtendedData`. KML is WGS 84 longitude/latitude by definition.
fn kml(name: &str, crs: Crs, rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    use kml::types::{Element, Placemark};
    if let Some(why) = Format::Kml.refuses(crs) {
        return Err(ExportError::Unsupported(why));
    }
    let text =
        |name: &str, content: String| Element { name: name.to_owned(), content: Some(content), ..Element::default() };
    let columns = columns(rows);
    let placemarks = rows.iter().map(|row| {
        let data = columns.iter().map(|(key, _)| Element {
            name: "Data".to_owned(),
            attrs: [("name".to_owned(), key.clone())].into(),
            children: vec![text("value", text_of(&cell(row, key)))],
            ..Element::default()
        });
        kml::Kml::Placemark(Placemark {
            name: row.properties.get("name").and_then(Value::as_str).map(str::to_owned),
            geometry: Some(kml::types::Geometry::from(geo_types::Geometry::MultiPolygon(row.geometry.clone()))),
            attrs: [("id".to_owned(), format!("{name}.{}", row.id))].into(),
            children: vec![Element { name: "ExtendedData".to_owned(), children: data.collect(), ..Element::default() }],
            ..Placemark::default()
        })
    });
    let mut elements = vec![kml::Kml::Element(text("name", name.to_owned()))];
    elements.extend(placemarks);
    let document = kml::Kml::KmlDocument(kml::KmlDocument {
        attrs: [("xmlns".to_owned(), "http://www.opengis.net/kml/2.2".to_owned())].into(),
        elements: vec![kml::Kml::Document { attrs: std::collections::HashMap::default(), elements }],
        ..Default::default()
    });
    let mut out = Vec::from(&b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"[..]);
    kml::KmlWriter::from_writer(&mut out).write(&document).map_err(writer_error)?;
    Ok(out)
}

/// A zipped Shapefile: `.shp`, `.shx`, `.dbf` in UTF-8 (declared by `.cpg`) and `.prj` in
/// WKT 1 with the pinned VN-2000 transformation. dBase limits apply: field names of at most
/// 10 characters (cut, and made unique with a number), texts of at most 254 bytes (cut at a
/// character boundary).
fn shapefile(name: &str, crs: Crs, rows: &[Row]) -> Result<Vec<u8>, ExportError> {
    use shapefile::dbase::{FieldName, FieldValue, Record, TableWriterBuilder};
    let columns = columns(rows);
    let names = dbf_names(columns.iter().map(|(n, _)| n.as_str()));
    let mut table = TableWriterBuilder::new();
    for ((_, kind), short) in columns.iter().zip(&names) {
        let field = FieldName::try_from(short.as_str()).map_err(|e| writer_error(format!("{e:?}")))?;
        table = match kind {
            Kind::Integer => table.add_numeric_field(field, 18, 0),
            Kind::Real => table.add_numeric_field(field, 24, 8),
            Kind::Logical => table.add_logical_field(field),
            Kind::Text(len) => table.add_character_field(field, (*len).clamp(1, DBF_TEXT_MAX) as u8),
        };
    }
    let (mut shp, mut shx, mut dbf) = (Cursor::new(Vec::new()), Cursor::new(Vec::new()), Cursor::new(Vec::new()));
    {
        let mut writer = shapefile::Writer::new(
            shapefile::ShapeWriter::with_shx(&mut shp, &mut shx),
            table.build_with_dest(&mut dbf),
        );
        for row in rows {
            let mut record = Record::default();
            for ((column, kind), short) in columns.iter().zip(&names) {
                let value = cell(row, column);
                let field = match kind {
                    Kind::Integer | Kind::Real => FieldValue::Numeric(value.as_f64()),
                    Kind::Logical => FieldValue::Logical(value.as_bool()),
                    Kind::Text(_) => FieldValue::Character(
                        Some(value).filter(|v| !v.is_null()).map(|v| cut(&text_of(&v), DBF_TEXT_MAX).to_owned()),
                    ),
                };
                record.insert(short.clone(), field);
            }
            let shape = shapefile::Polygon::from(row.geometry.clone());
            writer.write_shape_and_record(&shape, &record).map_err(writer_error)?;
        }
    }
    let prj = crs.wkt1().map_err(writer_error)?;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let members: [(&str, &[u8]); 5] = [
        ("shp", shp.get_ref()),
        ("shx", shx.get_ref()),
        ("dbf", dbf.get_ref()),
        ("prj", prj.as_bytes()),
        ("cpg", b"UTF-8"),
    ];
    for (extension, bytes) in members {
        zip.start_file(format!("{name}.{extension}"), options).map_err(writer_error)?;
        zip.write_all(bytes).map_err(writer_error)?;
    }
    Ok(zip.finish().map_err(writer_error)?.into_inner())
}

/// dBase field names: at most 10 characters; a cut name that collides ends in `_1`, `_2`, ….
fn dbf_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::new();
    names
        .map(|name| {
            let mut short = cut(name, 10).to_owned();
            let mut n = 1;
            while !taken.insert(short.to_ascii_lowercase()) {
                let suffix = format!("_{n}");
                short = format!("{}{suffix}", cut(name, 10 - suffix.len()));
                n += 1;
            }
            short
        })
        .collect()
}

/// The longest prefix of `text` of at most `max` bytes that ends at a character boundary.
fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
