//! A cluster's boundary as the coordinate table of its establishment decision's annex (*bảng
//! tọa độ mốc giới*): `GET /collections/clusters/items/{id}/annex`, as JSON, CSV, XLSX or a
//! printable page, in the cluster's planning CRS (its VN-2000 TM-3 zone) or another VN-2000 projected
//! system named with `crs`. The figures come from [`clusterplan_core::annex`].

// utoipa 4's derives write the inlined format enum with its full path.
#![allow(unused_qualifications)]

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use clusterplan_core::annex::{Annex, annex};
use clusterplan_core::{Cluster, Crs};
use clusterplan_store::Layer;
use maud::{DOCTYPE, html};
use serde::Serialize;
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use super::extract::{Collection, FeatureId};
use super::params::{blank_is_absent, known};
use super::registry::ReportFormat;
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/collections/{collection}/items/{id}/annex", axum::routing::get(coordinate_table))
}

/// One marker of the table.
#[derive(Serialize, ToSchema)]
pub(crate) struct MarkerDoc {
    /// From 1 across the whole boundary.
    number: usize,
    /// Northing, metres.
    x: f64,
    /// Easting, metres.
    y: f64,
    /// Metres to the next marker of the ring.
    edge: f64,
}

/// A ring of markers.
#[derive(Serialize, ToSchema)]
pub(crate) struct RingDoc {
    hole: bool,
    markers: Vec<MarkerDoc>,
}

/// A polygon of the boundary.
#[derive(Serialize, ToSchema)]
pub(crate) struct ParcelDoc {
    /// The outer ring, then the holes.
    rings: Vec<RingDoc>,
    area_ha: f64,
}

/// The coordinate table of a boundary.
#[derive(Serialize, ToSchema)]
pub(crate) struct AnnexDoc {
    id: i64,
    version: i64,
    code: String,
    name: String,
    /// URI of the system of X and Y.
    crs: String,
    crs_name: String,
    parcels: Vec<ParcelDoc>,
    area_ha: f64,
}

impl AnnexDoc {
    fn new(cluster: &Cluster, table: Annex) -> Self {
        AnnexDoc {
            id: cluster.id,
            version: cluster.version,
            code: cluster.data.attrs.code().to_owned(),
            name: cluster.data.attrs.name().to_owned(),
            crs: table.crs.uri(),
            crs_name: table.crs.name(),
            area_ha: table.area_ha,
            parcels: table
                .parcels
                .into_iter()
                .map(|p| ParcelDoc {
                    area_ha: p.area_ha,
                    rings: p
                        .rings
                        .into_iter()
                        .map(|r| RingDoc {
                            hole: r.hole,
                            markers: r
                                .markers
                                .into_iter()
                                .map(|m| MarkerDoc { number: m.number, x: m.x, y: m.y, edge: m.edge })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The coordinate table of a cluster's boundary
///
/// The boundary as the annex of an establishment decision prints it: numbered markers with
/// X (northing) and Y (easting) to the millimetre, the length of each edge and the area to
/// 0.0001 ha, in the cluster's planning CRS (its VN-2000 TM-3 zone) unless `crs` names another
/// VN-2000 projected system. Outer rings run clockwise from their northernmost marker.
#[utoipa::path(
    get,
    path = "/collections/{collection}/items/{id}/annex",
    operation_id = "getFeatureCoordinateTable",
    tag = "Features",
    params(
        docs::ClusterItemPath,
        ("crs" = Option<String>, Query, description = "A VN-2000 projected system (TM-3 zone or UTM) as an OGC URI or EPSG:code; default: the cluster's planning CRS"),
        ("f" = inline(Option<ReportFormat>), Query, description = "json (default), csv, xlsx (a spreadsheet) or html (a printable page)"),
        docs::LayerQuery,
    ),
    responses(
        (status = 200, description = "The coordinate table", body = AnnexDoc,
            content(("application/json" = AnnexDoc), ("text/csv" = String), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" = String), ("text/html" = String))),
        (status = 400, response = docs::Problem),
        (status = 401, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
    security((), ("bearer" = []), ("session" = [])),
)]
async fn coordinate_table(
    State(state): State<AppState>,
    caller: Caller,
    _: Collection,
    id: Result<FeatureId, ApiError>,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    known(&params, &["crs", "f", "layer"])?;
    blank_is_absent(&mut params);
    let format = match params.get("f").map(|f| f.to_ascii_lowercase()).as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("html") => Format::Html,
        Some("xlsx") => Format::Xlsx,
        Some(other) => {
            return Err(ApiError::BadRequest {
                kind: "invalid-parameter",
                detail: format!("f={other:?} is not offered; use f=json, f=csv, f=xlsx or f=html"),
            });
        }
    };
    let layer = super::layer::layer_for(&params, &caller)?;
    let cluster = state.store.get_cluster_in(id?.0, layer).await?;
    if layer == Layer::Draft {
        let scope = crate::rights::draft_scope(&state, &caller).await?;
        scope.check(cluster.data.boundary.as_multi_polygon(), &format!("feature {}", cluster.id))?;
    }
    let crs = match params.get("crs").filter(|c| !c.is_empty()) {
        None => cluster.data.attrs.planning_crs(),
        Some(text) => Crs::parse(text)
            .map_err(|e| ApiError::BadRequest { kind: "invalid-parameter", detail: format!("crs={text:?}: {e}") })?,
    };
    let table = annex(&cluster.data.boundary, crs)
        .map_err(|e| ApiError::BadRequest { kind: "invalid-parameter", detail: format!("crs={crs}: {e}") })?;
    let doc = AnnexDoc::new(&cluster, table);
    Ok(match format {
        Format::Json => axum::Json(doc).into_response(),
        Format::Csv => attachment(&doc, "csv", "text/csv; charset=utf-8", csv(&doc).into_bytes())?,
        Format::Xlsx => attachment(&doc, "xlsx", XLSX, xlsx(&doc).map_err(ApiError::internal)?)?,
        Format::Html => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], page(&doc)).into_response()
        }
    })
}

enum Format {
    Json,
    Csv,
    Xlsx,
    Html,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to save: `<code>-annex.<extension>`.
fn attachment(doc: &AnnexDoc, extension: &str, media_type: &'static str, bytes: Vec<u8>) -> Result<Response, ApiError> {
    let file = format!("attachment; filename=\"{}-annex.{extension}\"", file_stem(&doc.code));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&file).map_err(ApiError::internal)?),
        ],
        bytes,
    )
        .into_response())
}

/// The table as a spreadsheet: the CSV's columns with the header in the first row (so that
/// GDAL and Excel read it as a table), figures as numbers rounded as printed (X, Y and edges to
/// the millimetre, the area to 0.0001 ha), and the decision's title as the printed page header.
fn xlsx(doc: &AnnexDoc) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Cell, FormatBorder, Workbook};
    let round = |v: f64, places: i32| (v * 10f64.powi(places)).round() / 10f64.powi(places);
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Bảng tọa độ")?;
    let head = Cell::new().set_bold().set_border(FormatBorder::Thin);
    let metres = Cell::new().set_num_format("0.000").set_border(FormatBorder::Thin);
    let plain = Cell::new().set_border(FormatBorder::Thin);
    let hectares = Cell::new().set_num_format("0.0000").set_bold();
    for (c, title) in CSV_HEADS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *title, &head)?;
    }
    let mut r = 1u32;
    for (p, parcel) in doc.parcels.iter().enumerate() {
        for (ring_no, ring) in parcel.rings.iter().enumerate() {
            for m in &ring.markers {
                sheet.write_number_with_format(r, 0, (p + 1) as f64, &plain)?;
                sheet.write_number_with_format(r, 1, ring_no as f64, &plain)?;
                sheet.write_number_with_format(r, 2, m.number as f64, &plain)?;
                sheet.write_number_with_format(r, 3, round(m.x, 3), &metres)?;
                sheet.write_number_with_format(r, 4, round(m.y, 3), &metres)?;
                sheet.write_number_with_format(r, 5, round(m.edge, 3), &metres)?;
                r += 1;
            }
        }
    }
    sheet.write_string_with_format(r, 0, "Diện tích (ha)", &hectares)?;
    sheet.write_number_with_format(r, 5, round(doc.area_ha, 4), &hectares)?;
    sheet.set_column_width(2, 12)?;
    sheet.set_column_range_width(3, 5, 16)?;
    // `&` starts a code in page headers: a literal one is doubled.
    let title = format!("{} ({}), {}", doc.name, doc.code, doc.crs_name).replace('&', "&&");
    sheet.set_header(format!("&C&BBẢNG TỌA ĐỘ MỐC GIỚI&B\n{title}"));
    sheet.set_repeat_rows(0, 0)?;
    book.save_to_buffer()
}

/// A file name from a cluster code: letters, digits, `-` and `_`; anything else becomes `_`.
fn file_stem(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Column heads as the decision prints them.
const CSV_HEADS: [&str; 6] = ["Thửa", "Vòng", "Số hiệu mốc", "X (m)", "Y (m)", "Khoảng cách (m)"];

/// The table as a spreadsheet opens it: one row per marker (parcel, ring: 0 for the outer
/// boundary, 1… for holes), then the area. Headers as the decision prints them.
fn csv(doc: &AnnexDoc) -> String {
    let mut out = CSV_HEADS.join(",") + "\r\n";
    for (p, parcel) in doc.parcels.iter().enumerate() {
        for (r, ring) in parcel.rings.iter().enumerate() {
            for m in &ring.markers {
                let _ = write!(out, "{},{r},{},{:.3},{:.3},{:.3}\r\n", p + 1, m.number, m.x, m.y, m.edge);
            }
        }
    }
    let _ = write!(out, "Diện tích (ha),,,,,{:.4}\r\n", doc.area_ha);
    out
}

/// A printable page: the table as an annex prints it, with the system named.
fn page(doc: &AnnexDoc) -> String {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                title { "Bảng tọa độ mốc giới — " (doc.name) }
                style { "body{font-family:serif;margin:2em}table{border-collapse:collapse}th,td{border:1px solid #000;padding:.2em .6em}td{text-align:right}caption{font-weight:bold;margin-bottom:.5em}" }
            }
            body {
                h1 { "BẢNG TỌA ĐỘ MỐC GIỚI" }
                p { (doc.name) " (" (doc.code) "), phiên bản " (doc.version) }
                p { "Hệ tọa độ " (doc.crs_name) " (" (doc.crs) ")" }
                @for (p, parcel) in doc.parcels.iter().enumerate() {
                    table {
                        @if doc.parcels.len() > 1 {
                            caption { "Thửa " (p + 1) ": " (vn_number(parcel.area_ha, 4)) " ha" }
                        }
                        thead { tr { th { "Số hiệu mốc" } th { "X (m)" } th { "Y (m)" } th { "Khoảng cách (m)" } } }
                        tbody {
                            @for ring in &parcel.rings {
                                @if ring.hole {
                                    tr { th colspan="4" { "Phần đất không thuộc cụm (lỗ)" } }
                                }
                                @for m in &ring.markers {
                                    tr {
                                        td { (m.number) }
                                        td { (vn_number(m.x, 3)) }
                                        td { (vn_number(m.y, 3)) }
                                        td { (vn_number(m.edge, 3)) }
                                    }
                                }
                            }
                        }
                    }
                }
                p { strong { "Diện tích: " (vn_number(doc.area_ha, 4)) " ha" } }
            }
        }
    }
    .into_string()
}

/// A number as Vietnamese documents print it: `.` between thousands, `,` before decimals.
fn vn_number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    if fraction.is_empty() { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{fraction}") }
}

#[cfg(test)]
mod tests {
    use super::vn_number;

    #[test]
    fn numbers_are_printed_the_vietnamese_way() {
        assert_eq!(vn_number(1_132_847.940_4, 3), "1.132.847,940");
        assert_eq!(vn_number(212.1324, 3), "212,132");
        assert_eq!(vn_number(8.25, 4), "8,2500");
        assert_eq!(vn_number(-1234.5, 1), "-1.234,5");
    }
}
