//! Coordinate tables (*bảng tọa độ mốc giới*) as CSV or XLSX: one row per boundary marker with
//! X and Y in a VN-2000 projected system (the province's planning CRS unless declared).
//! Columns are found by their names, Vietnamese or English: the marker (`Số hiệu mốc`,
//! `Mốc`, `point`), `X`, `Y` (or `Northing`, `Easting`), and optionally a code (`Mã`, `code`:
//! one cluster per code, several in one table), a parcel (`Thửa`, `parcel`: one polygon each)
//! and a ring (`Vòng`, `ring`: 0 the outer boundary, 1… holes), as our own annex writes them.
//! Any other column (a name, say) is an attribute, taken from the first row of its cluster.
//!
//! Vietnamese surveys write X = northing and Y = easting; tables made elsewhere may not. The
//! order is decided by the values (northings in Vietnam are 900 000–2 700 000 m, eastings
//! 100 000–900 000 m), else by the columns' names, else the survey convention, unless declared.
//! Markers run around each ring; a ring that repeats its first marker at the end is closed
//! once. A ring of fewer than 3 markers is that feature's refusal.

use std::collections::BTreeMap;

use clusterplan_core::Crs;
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

use super::{BadFile, Dataset, Options, SourceFeature, TextEncoding, bad, boundary, fold_name};

/// Which of X and Y is the northing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AxisOrder {
    /// X = northing, Y = easting: the Vietnamese survey order.
    NorthEast,
    /// X = easting, Y = northing.
    EastNorth,
}

impl AxisOrder {
    pub(crate) fn parse(text: &str) -> Option<AxisOrder> {
        match text.trim().to_ascii_lowercase().as_str() {
            "north_east" | "ne" | "xy_north_east" => Some(AxisOrder::NorthEast),
            "east_north" | "en" | "xy_east_north" => Some(AxisOrder::EastNorth),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            AxisOrder::NorthEast => "north_east",
            AxisOrder::EastNorth => "east_north",
        }
    }
}

/// A cell as read: spreadsheets give numbers, CSV text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Number(f64),
    Text(String),
}

impl Cell {
    fn text(text: &str) -> Cell {
        let text = text.trim();
        if text.is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) }
    }

    fn is_empty(&self) -> bool {
        *self == Cell::Empty
    }

    /// A figure, with a decimal comma or thousands separators as spreadsheets in Vietnam
    /// write them (`1.132.378,470`, `1 132 378,47`, `1,132,378.47`).
    pub(super) fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(*v),
            Cell::Empty => None,
            Cell::Text(t) => {
                let t: String = t.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
                if !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ',')) {
                    return None;
                }
                let decimal = match (t.rfind(','), t.rfind('.')) {
                    (Some(c), Some(p)) => Some(if c > p { ',' } else { '.' }),
                    (Some(_), None) if t.matches(',').count() == 1 => Some(','),
                    (None, Some(_)) if t.matches('.').count() == 1 => Some('.'),
                    _ => None,
                };
                let plain: String =
                    t.chars().filter(|c| c.is_ascii_digit() || *c == '-' || Some(*c) == decimal).collect();
                plain.replace(',', ".").parse().ok()
            }
        }
    }

    fn value(&self) -> Value {
        match self {
            Cell::Empty => Value::Null,
            Cell::Number(v) => super::number(*v),
            Cell::Text(t) => Value::String(t.clone()),
        }
    }

    fn key(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(v) => v.to_string(),
            Cell::Text(t) => t.clone(),
        }
    }
}

/// What a column of a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Marker,
    X,
    Y,
    Northing,
    Easting,
    Code,
    Parcel,
    Ring,
    /// Edge lengths and the like: figures of the table, not attributes.
    Derived,
    Attribute,
}

fn role(name: &str) -> Role {
    let folded = fold_name(name);
    let words: Vec<&str> = folded.split('_').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    // A usual name, alone or followed by more words (`Khoảng cách (m)`).
    let joined = words.join("_");
    let is = |names: &[&str]| names.iter().any(|n| joined == *n || joined.starts_with(&format!("{n}_")));
    if has("x") {
        Role::X
    } else if has("y") {
        Role::Y
    } else if has("northing") || has("north") {
        Role::Northing
    } else if has("easting") || has("east") {
        Role::Easting
    } else if is(&[
        "moc",
        "so_hieu_moc",
        "ten_moc",
        "so_moc",
        "diem",
        "ten_diem",
        "so_hieu_diem",
        "point",
        "marker",
        "stt",
    ]) {
        Role::Marker
    } else if is(&["thua", "parcel", "polygon", "part", "khu"]) {
        Role::Parcel
    } else if is(&["vong", "ring"]) {
        Role::Ring
    } else if is(&["khoang_cach", "canh", "chieu_dai", "edge", "distance", "length", "dien_tich", "area"]) {
        Role::Derived
    } else if super::GUESSES
        .iter()
        .find(|(ours, _)| *ours == "code")
        .is_some_and(|(_, names)| names.contains(&joined.as_str()))
    {
        Role::Code
    } else {
        Role::Attribute
    }
}

/// Whether a text looks like a table at all (a header with separators, no NUL bytes), so that
/// a file that is nothing we read gets the general answer, not a table's. The text may be in a
/// legacy Vietnamese encoding: their separators and line ends are ASCII's.
pub(super) fn looks_like_csv(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    !head.contains(&0) && line.iter().any(|b| matches!(b, b',' | b';' | b'\t'))
}

/// A CSV table (comma, semicolon or tab separated, as the header line shows). Its text is
/// UTF-8 when all of it is; otherwise in the declared `encoding`, or the legacy Vietnamese
/// encoding (Windows-1258, VNI-Windows, TCVN3) in which every cell reads as Vietnamese, as for
/// dBase text; either way turned into NFC Unicode.
pub(super) fn read_csv(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The separators are ASCII in every encoding read here: a lossy reading counts them.
    let header = String::from_utf8_lossy(bytes.split(|b| *b == b'\n').next().unwrap_or_default());
    let delimiter =
        [b',', b';', b'\t'].into_iter().max_by_key(|d| header.matches(char::from(*d)).count()).unwrap_or(b',');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(bytes);
    let mut cells: Vec<Vec<Vec<u8>>> = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| bad(format!("not a readable CSV table: {e}")))?;
        cells.push(record.iter().map(<[u8]>::to_vec).collect());
    }
    let encoding = options.encoding.unwrap_or_else(|| {
        let texts: Vec<Vec<u8>> = cells.iter().flatten().filter(|c| !c.is_ascii()).cloned().collect();
        super::detect(&texts)
    });
    let mut rows = Vec::with_capacity(cells.len());
    for (n, row) in cells.iter().enumerate() {
        let decoded = row.iter().map(|cell| {
            encoding
                .decode(cell)
                .map(|text| Cell::text(&text))
                .map_err(|e| bad(format!("line {} of the table: the text {e}; declare encoding", n + 1)))
        });
        rows.push(decoded.collect::<Result<Vec<Cell>, BadFile>>()?);
    }
    let mut dataset = read_rows("coordinate table (CSV)", &rows, options)?;
    if encoding != TextEncoding::Utf8 {
        dataset.encoding = Some(encoding.name());
    }
    Ok(dataset)
}

/// An XLSX workbook: its first sheet, or the one `layer` names.
pub(super) fn read_xlsx(bytes: &[u8], options: &Options) -> Result<Dataset, BadFile> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| bad(format!("not a readable XLSX workbook: {e}")))?;
    let names = book.sheet_names();
    let sheet = match &options.layer {
        None => names.first().cloned().ok_or_else(|| bad("the workbook has no sheet"))?,
        Some(wanted) => names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(wanted))
            .cloned()
            .ok_or_else(|| bad(format!("the workbook has no sheet {wanted:?} (it has {})", names.join(", "))))?,
    };
    let range = book.worksheet_range(&sheet).map_err(|e| bad(format!("sheet {sheet:?}: {e}")))?;
    let rows: Vec<Vec<Cell>> = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Int(v) => Cell::Number(*v as f64),
                    Data::Float(v) => Cell::Number(*v),
                    Data::String(s) => Cell::text(s),
                    Data::Bool(b) => Cell::Text(b.to_string()),
                    _ => Cell::Empty,
                })
                .collect()
        })
        .collect();
    read_rows("coordinate table (XLSX)", &rows, options)
}

/// The header: the first of the first 20 rows with X and Y (or northing and easting) columns.
fn header(rows: &[Vec<Cell>]) -> Result<(usize, Vec<(String, Role)>), BadFile> {
    for (n, row) in rows.iter().enumerate().take(20) {
        let columns: Vec<(String, Role)> = row
            .iter()
            .map(|c| match c {
                Cell::Text(t) => (t.clone(), role(t)),
                other => (other.key(), Role::Attribute),
            })
            .collect();
        let has = |r: Role| columns.iter().any(|(_, role)| *role == r);
        if (has(Role::X) && has(Role::Y)) || (has(Role::Northing) && has(Role::Easting)) {
            return Ok((n, columns));
        }
    }
    let first: Vec<String> = rows.first().map(|r| r.iter().map(Cell::key).collect()).unwrap_or_default();
    Err(bad(format!(
        "the table has no X and Y columns (its first row: {}); name them X and Y (or Northing and Easting)",
        first.join(", ")
    )))
}

/// One ring's markers as read: row number, marker, X, Y.
type Markers = Vec<(usize, String, f64, f64)>;

/// The markers of one cluster: its attributes, and its parcels (in the order first seen) with
/// their rings by number.
struct Group {
    code: String,
    properties: Map<String, Value>,
    parcels: BTreeMap<String, BTreeMap<String, Markers>>,
    order: Vec<String>,
}

fn read_rows(format: &'static str, rows: &[Vec<Cell>], options: &Options) -> Result<Dataset, BadFile> {
    let (head, columns) = header(rows)?;
    let find = |r: Role| columns.iter().position(|(_, role)| *role == r);
    let (north, east, named) = match (find(Role::Northing), find(Role::Easting)) {
        (Some(n), Some(e)) => (n, e, true),
        _ => (find(Role::X).unwrap_or_default(), find(Role::Y).unwrap_or_default(), false),
    };
    let (marker, code, parcel, ring) = (find(Role::Marker), find(Role::Code), find(Role::Parcel), find(Role::Ring));
    let attributes: Vec<usize> = (0..columns.len())
        .filter(|&i| matches!(columns[i].1, Role::Code | Role::Attribute) && !columns[i].0.is_empty())
        .collect();
    // Features by code, parcels by number, rings by number, each in the order first seen; an
    // empty code, parcel or ring cell repeats the one above (merged cells).
    let mut groups: Vec<Group> = Vec::new();
    let mut above: [String; 3] = Default::default();
    let mut values: Vec<(usize, f64, f64)> = Vec::new();
    for (n, row) in rows.iter().enumerate().skip(head + 1) {
        let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or(&Cell::Empty);
        let (x, y) = (cell(Some(north)), cell(Some(east)));
        if x.is_empty() && y.is_empty() {
            continue; // a blank line, or a total such as the annex's area
        }
        let number = |c: &Cell, axis: &str| {
            c.number().ok_or_else(|| bad(format!("row {}: {axis} {:?} is not a number", n + 1, c.key())))
        };
        let (x, y) = (number(x, &columns[north].0)?, number(y, &columns[east].0)?);
        values.push((n + 1, x, y));
        for (slot, column) in [code, parcel, ring].into_iter().enumerate() {
            let key = cell(column).key();
            if !key.is_empty() {
                above[slot] = key;
            }
        }
        let [code_key, parcel_key, ring_key] = above.clone();
        let at = if let Some(at) = groups.iter().position(|g| g.code == code_key) {
            at
        } else {
            let mut properties = Map::new();
            for &i in &attributes {
                properties.insert(columns[i].0.clone(), Value::Null);
            }
            if let (None, Some(given)) = (code, &options.code) {
                properties.insert("code".into(), Value::String(given.clone()));
            }
            groups.push(Group { code: code_key.clone(), properties, parcels: BTreeMap::new(), order: Vec::new() });
            groups.len() - 1
        };
        let group = &mut groups[at];
        for &i in &attributes {
            let slot = group.properties.entry(columns[i].0.clone()).or_insert(Value::Null);
            if slot.is_null() {
                *slot = cell(Some(i)).value();
            }
        }
        if !group.order.contains(&parcel_key) {
            group.order.push(parcel_key.clone());
        }
        let label = cell(marker).key();
        group.parcels.entry(parcel_key).or_default().entry(ring_key).or_default().push((n + 1, label, x, y));
    }
    if values.is_empty() {
        return Err(bad("the table has X and Y columns but no marker in them"));
    }
    // Columns named northing and easting say it; else the caller, else the values.
    let (order, decided_by) = match options.axis_order {
        _ if named => (AxisOrder::NorthEast, "names"),
        Some(order) => (order, "declared"),
        None => detect(&values).map_or((AxisOrder::NorthEast, "convention"), |o| (o, "values")),
    };
    let crs = options.crs.or(options.planning_crs).unwrap_or(Crs::VN2000_TM3_10545);
    let mut fields: Vec<String> = attributes.iter().map(|&i| columns[i].0.clone()).collect();
    if code.is_none() && options.code.is_some() {
        fields.push("code".into());
    }
    let features = groups
        .into_iter()
        .map(|Group { code, properties, mut parcels, order: parcel_order }| {
            let geometry = parcel_order
                .iter()
                .map(|p| polygon(&code, p, parcels.remove(p).unwrap_or_default(), order))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|polygons| boundary(Some(Geometry::MultiPolygon(MultiPolygon(polygons))), crs));
            SourceFeature { properties, geometry, cut: Vec::new() }
        })
        .collect();
    Ok(Dataset {
        format,
        crs,
        encoding: None,
        fields,
        features,
        axis_order: Some((order.name(), decided_by)),
        partial: true,
    })
}

/// X/Y order by value range: `None` when the values do not tell.
fn detect(values: &[(usize, f64, f64)]) -> Option<AxisOrder> {
    let northing = |v: f64| (900_000.0..=2_700_000.0).contains(&v);
    let easting = |v: f64| (100_000.0..=900_000.0).contains(&v);
    if values.iter().all(|&(_, x, y)| northing(x) && easting(y)) {
        Some(AxisOrder::NorthEast)
    } else if values.iter().all(|&(_, x, y)| easting(x) && northing(y)) {
        Some(AxisOrder::EastNorth)
    } else {
        None
    }
}

/// A parcel's rings (the outer one first, by ring number) as a polygon in east/north order.
fn polygon(
    code: &str,
    parcel: &str,
    rings: BTreeMap<String, Markers>,
    order: AxisOrder,
) -> Result<Polygon<f64>, String> {
    let mut rings: Vec<(String, Markers)> = rings.into_iter().collect();
    rings.sort_by(|a, b| {
        a.0.parse::<f64>().ok().partial_cmp(&b.0.parse::<f64>().ok()).unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut lines = Vec::with_capacity(rings.len());
    for (ring, mut markers) in rings {
        // A ring that repeats its first marker at its end is closed once.
        if markers.len() > 1 {
            let (first, last) = (&markers[0], &markers[markers.len() - 1]);
            let same = (!first.1.is_empty() && first.1 == last.1)
                || ((first.2 - last.2).abs() < 0.0005 && (first.3 - last.3).abs() < 0.0005);
            if same {
                markers.pop();
            }
        }
        if markers.len() < 3 {
            let mut place = String::new();
            for (label, value) in [("", code), ("parcel ", parcel), ("ring ", ring.as_str())] {
                if !value.is_empty() {
                    place.push_str(&[label, value, ", "].concat());
                }
            }
            let rows: Vec<String> = markers.iter().map(|m| m.0.to_string()).collect();
            return Err(format!(
                "{place}rows {}: {} markers; a boundary needs at least 3",
                rows.join(", "),
                markers.len()
            ));
        }
        let mut coords: Vec<Coord<f64>> = markers
            .iter()
            .map(|&(_, _, x, y)| match order {
                AxisOrder::NorthEast => Coord { x: y, y: x },
                AxisOrder::EastNorth => Coord { x, y },
            })
            .collect();
        coords.push(coords[0]);
        lines.push(LineString(coords));
    }
    let mut lines = lines.into_iter();
    let exterior = lines.next().unwrap_or_else(|| LineString(Vec::new()));
    Ok(Polygon::new(exterior, lines.collect()))
}
