//! Files planners bring, read into features: GeoJSON, zipped Shapefile and KML/KMZ. Each
//! feature keeps its source attributes and gets its boundary in WGS 84 (or the reason it has
//! none usable); [`guess_mapping`] proposes which source field feeds which of ours.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use clusterplan_core::Crs;
use geo_types::{Geometry, MultiPolygon};
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;

/// A file read: its features and what was learnt about it.
pub(crate) struct Dataset {
    /// `GeoJSON`, `Shapefile` or `KML`.
    pub(crate) format: &'static str,
    /// The system of the source coordinates.
    pub(crate) crs: Crs,
    /// The text encoding of a Shapefile's attributes.
    pub(crate) encoding: Option<&'static str>,
    /// Source field names, in file order.
    pub(crate) fields: Vec<String>,
    pub(crate) features: Vec<SourceFeature>,
    /// A coordinate table's X/Y order (`north_east` or `east_north`) and what decided it.
    pub(crate) axis_order: Option<(&'static str, &'static str)>,
    /// Whether the file gives boundaries and few attributes (a coordinate table): what it
    /// lacks is kept from the cluster with the same code.
    pub(crate) partial: bool,
}

/// One feature of a file.
pub(crate) struct SourceFeature {
    pub(crate) properties: Map<String, Value>,
    /// The boundary in WGS 84 longitude/latitude, or why the feature has none usable.
    pub(crate) geometry: Result<MultiPolygon<f64>, String>,
    /// Source fields whose text fills a dBase field (254 bytes): perhaps the start of a longer
    /// text cut by a Shapefile export.
    pub(crate) cut: Vec<String>,
}

/// What the caller may declare.
#[derive(Default, Clone)]
pub(crate) struct Options {
    /// The system of the coordinates, when the file does not say or says it wrongly.
    pub(crate) crs: Option<Crs>,
    /// The encoding of Shapefile attributes or a CSV table (`UTF-8`, `windows-1258`, `TCVN3` or
    /// `VNI`), over the `.cpg` and detection.
    pub(crate) encoding: Option<TextEncoding>,
    /// The layer of a file that holds several (a GeoPackage's feature table, a workbook's sheet).
    pub(crate) layer: Option<String>,
    /// The system of coordinate tables that do not say theirs: the planning CRS.
    pub(crate) planning_crs: Option<Crs>,
    /// The code of the cluster a coordinate table without a code column describes.
    pub(crate) code: Option<String>,
    /// A coordinate table's X/Y order, over detection.
    pub(crate) axis_order: Option<table::AxisOrder>,
    /// Most features accepted.
    pub(crate) max_features: usize,
}

/// Text encodings of dBase attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Windows1258,
    /// TCVN 5712:1993, the "ABC" (TCVN3) fonts' encoding.
    Tcvn3,
    /// VNI-Windows: base letters followed by mark bytes.
    Vni,
}

impl TextEncoding {
    pub(crate) fn parse(name: &str) -> Option<TextEncoding> {
        match name.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "utf8" => Some(TextEncoding::Utf8),
            "windows1258" | "cp1258" | "1258" | "ansi1258" => Some(TextEncoding::Windows1258),
            "tcvn3" | "tcvn" | "abc" | "tcvn5712" | "tcvn57121" | "vn3" => Some(TextEncoding::Tcvn3),
            "vni" | "vniwindows" | "vniwin" => Some(TextEncoding::Vni),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows1258 => "windows-1258",
            TextEncoding::Tcvn3 => "TCVN3",
            TextEncoding::Vni => "VNI-Windows",
        }
    }

    /// Bytes as text in NFC (Windows-1258 spells tones as combining marks).
    fn decode(self, bytes: &[u8]) -> Result<String, String> {
        match self {
            TextEncoding::Utf8 => {
                std::str::from_utf8(bytes).map(|s| s.nfc().collect()).map_err(|_| "is not UTF-8".to_owned())
            }
            TextEncoding::Windows1258 => {
                let (text, _, bad) = encoding_rs::WINDOWS_1258.decode(bytes);
                if bad { Err("is not windows-1258".to_owned()) } else { Ok(text.nfc().collect()) }
            }
            TextEncoding::Tcvn3 => Ok(bytes
                .iter()
                .map(|&b| match b {
                    0x80.. => tcvn3::HIGH[usize::from(b - 0x80)],
                    _ => tcvn3::LOW.iter().find(|(code, _)| *code == b).map_or(char::from(b), |&(_, c)| c),
                })
                .nfc()
                .collect()),
            TextEncoding::Vni => {
                let mut text = String::with_capacity(bytes.len());
                for &b in bytes {
                    match vni::byte(b) {
                        Some(vni::Drawn::Letter(c)) => text.push(c),
                        Some(vni::Drawn::Marks(marks)) => text.push_str(marks),
                        None => return Err(format!("is not VNI-Windows (byte {b:#04x})")),
                    }
                }
                Ok(text.nfc().collect())
            }
        }
    }
}

/// Why a file cannot be imported at all (nothing is written): a 400 naming the problem.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct BadFile(pub(crate) String);

fn bad(message: impl Into<String>) -> BadFile {
    BadFile(message.into())
}

/// Reads an upload, its format told by its first bytes: a GeoPackage (SQLite), a zip
/// (Shapefile, or KMZ), XML (KML) or JSON (GeoJSON). The outer error is the server's own; the
/// inner one says why the file cannot be imported.
pub(crate) async fn read_upload(bytes: Vec<u8>, options: Options) -> std::io::Result<Result<Dataset, BadFile>> {
    let dataset = if geopackage::is_geopackage(&bytes) {
        geopackage::read(&bytes, &options).await?
    } else {
        // Reading a large Shapefile is CPU work: off the async workers.
        let options = options.clone();
        tokio::task::spawn_blocking(move || read_file(&bytes, &options)).await.map_err(std::io::Error::other)?
    };
    Ok(dataset.and_then(|d| counted(d, &options)))
}

/// Reads a file that is not a GeoPackage (see [`read_upload`]).
pub(crate) fn read_file(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = start.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if bytes.starts_with(b"PK\x03\x04") {
        read_zip(bytes, options)
    } else if first == Some(b'<') {
        read_kml(start, options)
    } else if first == Some(b'{') {
        read_geojson(start, options)
    } else if drawing::is_dxf(start) {
        drawing::read(start, options)
    } else if table::looks_like_csv(start) {
        table::read_csv(bytes, options)
    } else {
        Err(bad("the file is neither a GeoPackage, a zip (Shapefile, KMZ, XLSX), KML, GeoJSON, DXF nor a CSV table"))
    }
}

/// A dataset with at least one feature and at most the limit.
fn counted(dataset: Dataset, options: &Options) -> Result<Dataset, BadFile> {
    if dataset.features.is_empty() {
        return Err(bad("the file holds no feature"));
    }
    if dataset.features.len() > options.max_features {
        return Err(bad(format!(
            "the file holds {} features, more than the {} one import takes",
            dataset.features.len(),
            options.max_features
        )));
    }
    Ok(dataset)
}

/// Source coordinates (east/north in `crs`) to WGS 84; only areas are boundaries.
fn boundary(geometry: Option<Geometry<f64>>, crs: Crs) -> Result<MultiPolygon<f64>, String> {
    let mut multi = match geometry {
        None => return Err("the feature has no geometry".into()),
        Some(Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Some(Geometry::MultiPolygon(m)) => m,
        Some(Geometry::GeometryCollection(c)) if !c.0.is_empty() => {
            let mut parts = Vec::new();
            for g in c.0 {
                parts.extend(boundary(Some(g), Crs::WGS84)?.0);
            }
            MultiPolygon(parts)
        }
        Some(other) => {
            let kind = match other {
                Geometry::Point(_) | Geometry::MultiPoint(_) => "a point",
                Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => "a line",
                _ => "not an area",
            };
            return Err(format!("the geometry is {kind}; a boundary is a polygon"));
        }
    };
    clusterplan_core::crs::transform_geometry(crs, Crs::WGS84, &mut multi).map_err(|e| e.to_string())?;
    Ok(multi)
}

fn read_geojson(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    // The GeoJSON 2008 `crs` member, as GDAL and QGIS write outside WGS 84.
    let named = value["crs"]["properties"]["name"].as_str().map(|n| {
        Crs::parse(n.trim_start_matches("urn:ogc:def:crs:OGC:1.3:").replace("CRS84", "OGC:CRS84").as_str())
            .map_err(|_| bad(format!("the file's crs {n:?} is not one clusterplan serves; declare crs")))
    });
    let crs = match (options.crs, named) {
        (Some(c), _) => c,
        (None, Some(named)) => named?,
        (None, None) => Crs::Crs84,
    };
    let geojson = geojson::GeoJson::from_json_value(value).map_err(|e| bad(format!("not valid GeoJSON: {e}")))?;
    let features = match geojson {
        geojson::GeoJson::FeatureCollection(c) => c.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(bad("a bare geometry has no attributes: send a Feature or a FeatureCollection"));
        }
    };
    let mut fields: Vec<String> = Vec::new();
    let features = features
        .into_iter()
        .map(|f| {
            let properties = f.properties.unwrap_or_default();
            for key in properties.keys() {
                if !fields.contains(key) {
                    fields.push(key.clone());
                }
            }
            let geometry = f.geometry.map(|g| Geometry::<f64>::try_from(g).map_err(|e| e.to_string())).transpose();
            SourceFeature { properties, geometry: geometry.and_then(|g| boundary(g, crs)), cut: Vec::new() }
        })
        .collect();
    Ok(Dataset { format: "GeoJSON", crs, encoding: None, fields, features, axis_order: None, partial: false })
}

/// The members of a zip, by lower-case name.
fn unzip(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, BadFile> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not a readable zip: {e}")))?;
    let mut members = BTreeMap::new();
    let mut total = 0usize;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| bad(format!("not a readable zip: {e}")))?;
        if file.is_dir() {
            continue;
        }
        let mut content = Vec::new();
        // No zip bomb: a member stops at what the whole archive may hold unpacked.
        let limit = (64 << 20) - total;
        file.by_ref().take(limit as u64 + 1).read_to_end(&mut content).map_err(|e| bad(format!("zip member: {e}")))?;
        total += content.len();
        if content.len() > limit {
            return Err(bad("the zip unpacks to more than 64 MiB"));
        }
        let name = file.name().map_err(|e| bad(format!("zip member name: {e}")))?.to_lowercase();
        members.insert(name, content);
    }
    Ok(members)
}

/// Member names are lower-cased by [`unzip`].
fn has_extension(name: &str, extension: &str) -> bool {
    std::path::Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

fn read_zip(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let members = unzip(bytes)?;
    if members.contains_key("xl/workbook.xml") {
        return table::read_xlsx(bytes, options);
    }
    if let Some(kml) = members.iter().find(|(n, _)| has_extension(n, "kml")).map(|(_, b)| b) {
        return read_kml(kml, options);
    }
    let shps: Vec<&String> = members.keys().filter(|n| has_extension(n, "shp")).collect();
    let stem = match shps.as_slice() {
        [] => return Err(bad("the zip holds no .shp (nor a .kml)")),
        [one] => one.trim_end_matches(".shp").to_owned(),
        many => {
            let names: Vec<&str> = many.iter().map(|n| n.as_str()).collect();
            return Err(bad(format!(
                "the zip holds several Shapefiles ({}): one import takes one layer",
                names.join(", ")
            )));
        }
    };
    let member = |ext: &str| members.get(&format!("{stem}.{ext}"));
    let shp = member("shp").ok_or_else(|| bad("no .shp"))?;
    let shx = member("shx").ok_or_else(|| bad(format!("{stem}.shx is missing from the zip")))?;
    let dbf =
        member("dbf").ok_or_else(|| bad(format!("{stem}.dbf is missing from the zip: the attributes are there")))?;
    let crs = match (options.crs, member("prj")) {
        (Some(c), _) => c,
        (None, Some(prj)) => {
            let text = String::from_utf8_lossy(prj);
            Crs::from_wkt(&text).ok_or_else(|| {
                bad(format!("{stem}.prj describes a system clusterplan cannot place ({}); declare crs", text.trim()))
            })?
        }
        (None, None) => return Err(bad(format!("{stem}.prj is missing: declare the coordinates' system with crs"))),
    };
    let declared = match member("cpg").map(|c| String::from_utf8_lossy(c).into_owned()) {
        Some(name) if options.encoding.is_none() => Some(TextEncoding::parse(&name).ok_or_else(|| {
            bad(format!("{stem}.cpg names {:?}; declare encoding (UTF-8, windows-1258, TCVN3 or VNI)", name.trim()))
        })?),
        _ => options.encoding,
    };
    let shapes = shapefile::ShapeReader::with_shx(Cursor::new(shp.as_slice()), Cursor::new(shx.as_slice()))
        .map_err(|e| bad(format!("{stem}.shp: {e}")))?;
    let table = shapefile::dbase::ReaderBuilder::new()
        .with_encoding(shapefile::dbase::encoding::EncodingRs::from(encoding_rs::X_USER_DEFINED))
        .build(Cursor::new(dbf.as_slice()))
        .map_err(|e| bad(format!("{stem}.dbf: {e}")))?;
    let fields: Vec<String> = table.fields().iter().map(|f| f.name().to_owned()).collect();
    let mut reader = shapefile::Reader::new(shapes, table);
    let mut raw = Vec::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.map_err(|e| bad(format!("{stem}: {e}")))?;
        raw.push((shape, record));
    }
    let encoding = declared.unwrap_or_else(|| {
        let all: Vec<Vec<u8>> = raw.iter().flat_map(|(_, r)| texts(r).map(raw_bytes)).collect();
        detect(&all)
    });
    let mut features = Vec::with_capacity(raw.len());
    for (n, (shape, record)) in raw.into_iter().enumerate() {
        let (properties, cut) = record_properties(record, encoding, n)?;
        let geometry = match shape {
            shapefile::Shape::Polygon(p) => {
                MultiPolygon::try_from(p).map(Geometry::MultiPolygon).map_err(|e| e.to_string())
            }
            shapefile::Shape::PolygonM(p) => {
                MultiPolygon::try_from(p).map(Geometry::MultiPolygon).map_err(|e| e.to_string())
            }
            shapefile::Shape::PolygonZ(p) => {
                MultiPolygon::try_from(p).map(Geometry::MultiPolygon).map_err(|e| e.to_string())
            }
            shapefile::Shape::NullShape => Err("the feature has no geometry".into()),
            other => Err(format!("the geometry is a {}; a boundary is a polygon", other.shapetype())),
        };
        features.push(SourceFeature { properties, geometry: geometry.and_then(|g| boundary(Some(g), crs)), cut });
    }
    Ok(Dataset {
        format: "Shapefile",
        crs,
        encoding: Some(encoding.name()),
        fields,
        features,
        axis_order: None,
        partial: false,
    })
}

/// A dBase record's values as JSON, texts decoded; and the fields whose text fills a dBase
/// field (see [`SourceFeature::cut`]).
fn record_properties(
    record: shapefile::dbase::Record,
    encoding: TextEncoding,
    n: usize,
) -> Result<(Map<String, Value>, Vec<String>), BadFile> {
    use shapefile::dbase::FieldValue;
    let mut properties = Map::new();
    let mut cut = Vec::new();
    for (name, value) in record {
        let value = match value {
            FieldValue::Character(Some(t)) => {
                let bytes = raw_bytes(&t);
                // A UTF-8 text cut at a character boundary ends at most 3 bytes short.
                if bytes.len() > DBF_TEXT_MAX - 4 {
                    cut.push(name.clone());
                }
                let text = encoding
                    .decode(&bytes)
                    .map_err(|e| bad(format!("record {} field {name}: the text {e}; declare encoding", n + 1)))?;
                Value::String(text.trim().to_owned())
            }
            FieldValue::Memo(t) => Value::String(t),
            FieldValue::Numeric(Some(v)) | FieldValue::Double(v) => number(v),
            FieldValue::Float(Some(v)) => number(f64::from(v)),
            FieldValue::Integer(v) => Value::from(v),
            FieldValue::Logical(Some(v)) => Value::Bool(v),
            FieldValue::Date(Some(d)) => Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())),
            _ => Value::Null,
        };
        properties.insert(name, value);
    }
    Ok((properties, cut))
}

/// Longest text a dBase character field holds, in bytes.
pub(crate) const DBF_TEXT_MAX: usize = 254;

/// Undeclared dBase text: UTF-8 when every text is; else, of Windows-1258, VNI-Windows and
/// TCVN3, the one in which every text reads as Vietnamese (letters Vietnamese has, at most one
/// tone each) and, when several do, the one that reads shortest: in the right encoding a
/// marked vowel is one letter, in a wrong one its marks come out as letters of their own
/// (VNI's `ù` after `u`, Windows-1258's acute as VNI's `ì`). Ties go in that order; when none
/// reads, Windows-1258 (whose decoding then names the record).
fn detect(texts: &[Vec<u8>]) -> TextEncoding {
    if texts.iter().all(|t| std::str::from_utf8(t).is_ok()) {
        return TextEncoding::Utf8;
    }
    let length = |encoding: TextEncoding| -> Option<usize> {
        texts.iter().try_fold(0, |sum, t| {
            let text = encoding.decode(t).ok()?;
            text.chars().all(vietnamese).then(|| sum + text.chars().count())
        })
    };
    [TextEncoding::Windows1258, TextEncoding::Vni, TextEncoding::Tcvn3]
        .into_iter()
        .filter_map(|e| length(e).map(|n| (n, e)))
        .min_by_key(|(n, _)| *n)
        .map_or(TextEncoding::Windows1258, |(_, e)| e)
}

/// A character Vietnamese text may hold: ASCII, đ, and the vowels with Vietnamese marks (â ă
/// ê ô ơ ư, at most one tone).
fn vietnamese(c: char) -> bool {
    if c.is_ascii() || matches!(c, 'đ' | 'Đ') {
        return true;
    }
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next().unwrap_or(c);
    let marks: Vec<char> = parts.collect();
    let tones = marks.iter().filter(|m| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}')).count();
    "aeiouyAEIOUY".contains(base)
        && tones <= 1
        && marks.iter().all(|m| {
            matches!(m, '\u{300}' | '\u{301}' | '\u{302}' | '\u{303}' | '\u{306}' | '\u{309}' | '\u{31B}' | '\u{323}')
        })
}

/// A whole number stays one.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 { Value::from(v as i64) } else { Value::from(v) }
}

/// dBase text back to its bytes: the file is read as `x-user-defined`, which maps bytes
/// 0x80–0xFF to U+F780–U+F7FF one to one, so that the text encoding can be decided over the
/// whole file before any text is decoded.
fn raw_bytes(text: &str) -> Vec<u8> {
    text.chars().map(|c| if (c as u32) < 0x80 { c as u8 } else { (c as u32 - 0xF700) as u8 }).collect()
}

/// The texts of a record.
fn texts(record: &shapefile::dbase::Record) -> impl Iterator<Item = &str> {
    let map: &std::collections::HashMap<String, shapefile::dbase::FieldValue> = record.as_ref();
    map.values().filter_map(|v| match v {
        shapefile::dbase::FieldValue::Character(Some(t)) => Some(t.as_str()),
        _ => None,
    })
}

fn read_kml(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let text = std::str::from_utf8(bytes).map_err(|_| bad("the KML is not UTF-8"))?;
    let document: kml::Kml<f64> = text.parse().map_err(|e| bad(format!("not valid KML: {e}")))?;
    // KML is WGS 84 longitude/latitude by definition.
    let crs = options.crs.unwrap_or(Crs::Crs84);
    let mut placemarks = Vec::new();
    collect_placemarks(document, &mut placemarks);
    let mut fields: Vec<String> = Vec::new();
    let features = placemarks
        .into_iter()
        .map(|p| {
            let mut properties = Map::new();
            if let Some(name) = p.name {
                properties.insert("name".into(), Value::String(name.trim().to_owned()));
            }
            if let Some(description) = p.description {
                properties.insert("description".into(), Value::String(description.trim().to_owned()));
            }
            for child in &p.children {
                extended_data(child, &mut properties);
            }
            for key in properties.keys() {
                if !fields.contains(key) {
                    fields.push(key.clone());
                }
            }
            let geometry = p.geometry.map(|g| Geometry::<f64>::try_from(g).map_err(|e| e.to_string())).transpose();
            SourceFeature { properties, geometry: geometry.and_then(|g| boundary(g, crs)), cut: Vec::new() }
        })
        .collect();
    Ok(Dataset { format: "KML", crs, encoding: None, fields, features, axis_order: None, partial: false })
}

fn collect_placemarks(node: kml::Kml<f64>, out: &mut Vec<kml::types::Placemark<f64>>) {
    match node {
        kml::Kml::KmlDocument(d) => d.elements.into_iter().for_each(|e| collect_placemarks(e, out)),
        kml::Kml::Document { elements, .. } => elements.into_iter().for_each(|e| collect_placemarks(e, out)),
        kml::Kml::Folder(f) => f.elements.into_iter().for_each(|e| collect_placemarks(e, out)),
        kml::Kml::Placemark(p) => out.push(p),
        _ => {}
    }
}

/// `ExtendedData`'s `Data` (name, value) and `SchemaData`'s `SimpleData` as properties.
fn extended_data(element: &kml::types::Element, properties: &mut Map<String, Value>) {
    match element.name.as_str() {
        "Data" => {
            if let Some(name) = element.attrs.get("name") {
                let value = element.children.iter().find(|c| c.name == "value").and_then(|c| c.content.clone());
                properties.insert(name.clone(), Value::String(value.unwrap_or_default().trim().to_owned()));
            }
        }
        "SimpleData" => {
            if let Some(name) = element.attrs.get("name") {
                properties
                    .insert(name.clone(), Value::String(element.content.clone().unwrap_or_default().trim().to_owned()));
            }
        }
        _ => element.children.iter().for_each(|c| extended_data(c, properties)),
    }
}

/// Our properties and the source field names that usually carry them, compared folded
/// (lower case, no diacritics, `_` for anything else): ours, their 10-character dBase cuts
/// (our own Shapefile exports), and the Vietnamese names of provincial files.
const GUESSES: &[(&str, &[&str])] = &[
    ("code", &["code", "ma", "ma_ccn", "maccn", "ma_cum", "ky_hieu", "kyhieu", "so_hieu"]),
    ("name", &["name", "ten", "ten_ccn", "tenccn", "ten_cum", "ten_cum_cn"]),
    ("kind", &["kind", "loai", "loai_hinh"]),
    ("status", &["status", "trang_thai", "trangthai", "tinh_trang"]),
    (
        "planned_area_ha",
        &["planned_area_ha", "planned_ar", "dien_tich", "dientich", "dien_tich_ha", "dt_ha", "dt_qh", "dtqh"],
    ),
    ("notes", &["notes", "ghi_chu", "ghichu"]),
    ("planning_crs", &["planning_crs", "planning_c"]),
    ("craft_village", &["craft_village", "craft_vill", "lang_nghe", "langnghe"]),
    ("mountainous", &["mountainous", "mountainou", "mien_nui", "miennui"]),
    ("roads_completed", &["roads_completed", "roads_comp"]),
    ("water_completed", &["water_completed", "water_comp"]),
    ("wastewater_completed", &["wastewater_completed", "wastewater"]),
    ("wwtp_capacity_m3_day", &["wwtp_capacity_m3_day", "wwtp_capac"]),
];

/// The properties an import may set.
pub(crate) fn targets() -> impl Iterator<Item = &'static str> {
    GUESSES.iter().map(|(ours, _)| *ours)
}

/// For each of ours, the first source field whose folded name is one of its usual names.
pub(crate) fn guess_mapping(fields: &[String]) -> BTreeMap<String, String> {
    let folded: Vec<(String, &String)> = fields.iter().map(|f| (fold_name(f), f)).collect();
    let mut mapping = BTreeMap::new();
    for (ours, names) in GUESSES {
        if let Some((_, field)) = folded.iter().find(|(f, _)| names.contains(&f.as_str())) {
            mapping.insert((*field).clone(), (*ours).to_owned());
        }
    }
    mapping
}

pub(crate) fn fold_name(name: &str) -> String {
    let folded = clusterplan_core::search::fold(name);
    let mut out = String::new();
    for c in folded.chars() {
        out.push(if c.is_ascii_alphanumeric() { c } else { '_' });
    }
    out.trim_matches('_').to_owned()
}

/// Source properties renamed and typed as ours (numbers written with a decimal comma, flags
/// as `T`/`F`, `1`/`0`, `có`/`không`); what no mapping names is left out.
pub(crate) fn mapped_properties(source: &Map<String, Value>, mapping: &BTreeMap<String, String>) -> Map<String, Value> {
    let mut out = Map::new();
    for (field, ours) in mapping {
        let Some(value) = source.get(field).filter(|v| !v.is_null() && v.as_str() != Some("")) else {
            continue;
        };
        let typed = match ours.as_str() {
            "planned_area_ha" | "wwtp_capacity_m3_day" => match value {
                Value::String(s) => s.trim().replace(',', ".").parse::<f64>().map(Value::from).unwrap_or(value.clone()),
                other => other.clone(),
            },
            "craft_village" | "mountainous" | "roads_completed" | "water_completed" | "wastewater_completed" => {
                match value {
                    Value::String(s) => match clusterplan_core::search::fold(s).trim() {
                        "t" | "true" | "y" | "yes" | "1" | "co" | "x" => Value::Bool(true),
                        "f" | "false" | "n" | "no" | "0" | "khong" => Value::Bool(false),
                        _ => value.clone(),
                    },
                    Value::Number(n) => Value::Bool(n.as_f64() != Some(0.0)),
                    other => other.clone(),
                }
            }
            _ => match value {
                Value::Number(n) => Value::String(n.to_string()),
                other => other.clone(),
            },
        };
        out.insert(ours.clone(), typed);
    }
    out
}

mod drawing;
mod geopackage;
mod hatch;
pub(crate) mod pipeline;
mod table;
mod tcvn3;
mod vni;
pub(crate) mod zones;

/// `clusterplan import`: the HTTP import's pipeline on the store `serve` would open, as an
/// administrator named `--as`. The report goes to stdout; a refusal is an error after it.
pub async fn command(args: crate::cli::ImportArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.layer == "clusters", "--layer {:?}: only clusters are imported", args.layer);
    let bytes = std::fs::read(&args.file).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let file = args.file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut params: std::collections::HashMap<String, String> = [("filename".to_owned(), file)].into();
    for (key, value) in [
        ("crs", args.crs),
        ("encoding", args.encoding),
        ("mapping", args.mapping),
        ("layer", args.source_layer),
        ("code", args.code),
        ("axis_order", args.axis_order),
    ] {
        if let Some(value) = value {
            params.insert(key.to_owned(), value);
        }
    }
    params.insert("dry_run".into(), args.dry_run.to_string());
    let request = pipeline::ImportRequest::parse(&params).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = crate::Config::resolve(args.serve, None)?;
    let store = clusterplan_store::open(&config.store).await?;
    let state = crate::AppState { store, config: std::sync::Arc::new(config) };
    let caller = crate::auth::Caller {
        principal: crate::rights::Principal::User {
            name: args.author,
            role: clusterplan_store::Role::Admin,
            unit_code: None,
        },
        address: None,
        session: None,
    };
    match pipeline::run(&state, &caller, bytes, request).await {
        Ok(report) => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Err(crate::error::ApiError::Rejected { detail, extra, .. }) => {
            println!("{}", serde_json::to_string_pretty(&extra)?);
            anyhow::bail!(detail)
        }
        Err(e) => anyhow::bail!("{e}"),
    }
}

#[cfg(test)]
mod tests;
