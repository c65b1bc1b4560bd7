//! The periodic report on industrial clusters under Circular 14/2024/TT-BCT (amended by
//! 38/2025/TT-BCT): the clusters of a unit as they stood at the end of a period, with land,
//! investors, capital and workers, from dated history (status events, leases, investors'
//! figures), so that a report for a past period run today gives what was true then.
//!
//! One table ([`HEADINGS`] and [`ReportRow::cells`]) is written as JSON, CSV, XLSX and a
//! printable page, so the four cannot disagree.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use clusterplan_core::registry::{InvestorFigures, InvestorRole, InvestorStatus, ReportPeriod};
use clusterplan_core::units::{Unit, UnitLevel};
use clusterplan_core::zones::LandUse;
use clusterplan_core::{Cluster, ClusterKind, ClusterStatus};
use clusterplan_store::{InvestorRecord, Store, UnitQuery, ZoneQuery};
use futures::TryStreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::planning::{TaskDoc, events_by_cluster, round, status_on};

/// Report totals over the clusters reported.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ReportTotals {
    /// Clusters in the plan at the period's end (every status but removed and revoked).
    pub clusters_in_plan: u32,
    /// Their planned area, ha.
    pub area_in_plan_ha: f64,
    /// Clusters established (established, infrastructure, operating, expanded).
    pub clusters_established: u32,
    /// Their area, ha.
    pub area_established_ha: f64,
    /// Clusters operating (operating or expanded).
    pub clusters_operating: u32,
    /// Their area, ha.
    pub area_operating_ha: f64,
    /// Leasable industrial land, ha.
    pub leasable_ha: f64,
    /// Leased industrial land at the period's end, ha.
    pub leased_ha: f64,
    /// Leased ÷ leasable, %.
    pub occupancy_pct: Option<f64>,
    /// Secondary projects present at the period's end (every status but left).
    pub projects: u32,
    /// Of which domestic.
    pub projects_domestic: u32,
    /// Of which foreign (FDI).
    pub projects_fdi: u32,
    /// Of which operating.
    pub projects_operating: u32,
    /// Registered capital of those projects, VND.
    pub registered_capital_vnd: i64,
    /// Disbursed capital, VND.
    pub disbursed_capital_vnd: i64,
    /// Registered capital of the FDI projects, USD.
    pub registered_capital_usd: f64,
    /// Workers.
    pub workers: i64,
}

/// One cluster of the report.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ReportRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Communes (and districts, where they existed) the cluster lay in at the period's end.
    pub location: String,
    /// Status at the period's end.
    pub status: &'static str,
    /// Establishment decision number and date.
    pub decision_no: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub decision_date: Option<NaiveDate>,
    /// Planned area at the period's end (the boundary its last status change decided), ha.
    pub planned_area_ha: f64,
    pub leasable_ha: f64,
    pub leased_ha: f64,
    pub occupancy_pct: Option<f64>,
    /// The infrastructure investor at the period's end, and its status.
    pub infrastructure_investor: Option<String>,
    pub infrastructure_status: Option<&'static str>,
    /// Whether the central wastewater plant was completed and in use.
    pub wwtp: bool,
    pub wwtp_capacity_m3_day: Option<f64>,
    pub projects: u32,
    pub projects_domestic: u32,
    pub projects_fdi: u32,
    pub projects_operating: u32,
    pub registered_capital_vnd: i64,
    pub disbursed_capital_vnd: i64,
    pub registered_capital_usd: f64,
    pub workers: i64,
}

/// Budget money of the period's year by programme and source.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct BudgetLine {
    pub programme: &'static str,
    pub source: &'static str,
    pub planned_vnd: i64,
    pub disbursed_vnd: i64,
}

/// The unit reported on.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ReportUnit {
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

/// The report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    /// `2025` (annual) or `2025-H1` (six-month).
    pub period: String,
    /// The period as the form prints it.
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub end: NaiveDate,
    /// The unit, as it was at the period's end; `null` for the whole province.
    pub unit: Option<ReportUnit>,
    pub totals: ReportTotals,
    pub clusters: Vec<ReportRow>,
    pub budgets: Vec<BudgetLine>,
    /// Tasks of the clusters reported (or of the unit) overdue at the period's end.
    pub overdue_tasks: Vec<TaskDoc>,
    /// How each figure is counted.
    pub method: Vec<&'static str>,
}

/// How the figures are counted, printed under the table.
const METHOD: &[&str] = &[
    "Industrial clusters (CCN) only; industrial parks are another regime.",
    "Status, leases and investors' figures are those in force on the period's last day (dated history).",
    "Planned area: the boundary decided by the cluster's last status change on or before that day.",
    "Leasable and leased land: leasable factory plots (IND) of the detailed plan; leased = under a lease on that day.",
    "Projects: secondary investors not yet left; capital and workers are theirs.",
    "A cluster across several units is reported whole in each.",
];

fn established(s: ClusterStatus) -> bool {
    matches!(
        s,
        ClusterStatus::Established | ClusterStatus::Infrastructure | ClusterStatus::Operating | ClusterStatus::Expanded
    )
}

fn operating(s: ClusterStatus) -> bool {
    matches!(s, ClusterStatus::Operating | ClusterStatus::Expanded)
}

/// Builds the report for `period` and, when given, the unit with official code `unit_code`
/// as it was at the period's end.
pub async fn circular14(store: &dyn Store, period: ReportPeriod, unit_code: Option<&str>) -> Result<Report, ApiError> {
    let end = period.end();
    let unit = match unit_code {
        None => None,
        Some(code) => Some(
            store
                .list_units(&UnitQuery { on: Some(end), code: Some(code.to_owned()), ..UnitQuery::default() })
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| ApiError::InvalidFeature {
                    geometry: Vec::new(),
                    fields: vec![clusterplan_core::FieldProblem {
                        field: "unit",
                        message: format!("no unit with code {code:?} existed on {end}, the period's last day"),
                    }],
                })?,
        ),
    };
    let history = events_by_cluster(store).await?;
    let clusters: Vec<Cluster> = store.stream_clusters(clusterplan_store::ClusterQuery::ALL).try_collect().await?;
    let investors = store.list_investors(None).await?;
    let units_then = store.list_units(&UnitQuery { on: Some(end), ..UnitQuery::default() }).await?;
    let mut rows = Vec::new();
    let mut reported_ids = Vec::new();
    for c in clusters.iter().filter(|c| c.data.attrs.kind() == ClusterKind::Cluster) {
        let events = history.get(&c.id).map(Vec::as_slice).unwrap_or_default();
        let Some(status) = status_on(events, end) else { continue };
        if matches!(status, ClusterStatus::Removed | ClusterStatus::Revoked) {
            continue;
        }
        // The boundary and attributes its last change on or before the end decided.
        let decided = events.iter().filter(|e| e.event.effective <= end).max_by_key(|e| (e.event.effective, e.seq));
        let state = match decided {
            Some(e) if e.cluster_version != c.version => {
                store.version(c.id, e.cluster_version).await.ok().and_then(|v| v.state).unwrap_or_else(|| c.clone())
            }
            _ => c.clone(),
        };
        let inside = |u: &Unit| {
            use geo::Intersects;
            u.boundary.as_multi_polygon().intersects(state.data.boundary.as_multi_polygon())
        };
        if let Some(u) = &unit
            && !inside(u)
        {
            continue;
        }
        let location = location_of(&units_then, &inside);
        let row = cluster_row(store, c, &state, status, events, end, &investors, location).await?;
        reported_ids.push(c.id);
        rows.push((status, row));
    }
    let totals = totals(&rows);
    let budgets = budget_lines(store, period).await?;
    let tasks = store.tasks_concerning(&reported_ids, &unit.iter().map(|u| u.code.clone()).collect::<Vec<_>>()).await?;
    let overdue_tasks = tasks.iter().filter(|t| t.task.is_overdue(end)).map(|t| TaskDoc::on(t, end)).collect();
    Ok(Report {
        period: period.code(),
        title: period.label_vi(),
        start: period.start(),
        end,
        unit: unit.map(|u| ReportUnit { code: u.code, name: u.name, level: u.level.code() }),
        totals,
        clusters: rows.into_iter().map(|(_, r)| r).collect(),
        budgets,
        overdue_tasks,
        method: METHOD.to_vec(),
    })
}

/// One cluster's row, from its state decided at `end` and its investors' dated records.
#[allow(clippy::too_many_arguments)]
async fn cluster_row(
    store: &dyn Store,
    c: &Cluster,
    state: &Cluster,
    status: ClusterStatus,
    events: &[clusterplan_store::EventRecord],
    end: NaiveDate,
    investors: &[InvestorRecord],
    location: String,
) -> Result<ReportRow, ApiError> {
    let act = events
        .iter()
        .filter(|e| e.event.effective <= end && e.event.to == ClusterStatus::Established)
        .filter_map(|e| e.event.act.as_ref())
        .next_back();
    let zones: Vec<_> = store
        .stream_zones(ZoneQuery {
            cluster_id: Some(c.id),
            bbox: None,
            limit: u32::MAX,
            offset: 0,
            cursor: None,
            layer: clusterplan_store::Layer::Draft,
        })
        .try_collect()
        .await?;
    let mine: Vec<&InvestorRecord> = investors.iter().filter(|i| i.attrs.cluster_id == c.id).collect();
    let leased_on_end: Vec<i64> =
        mine.iter().flat_map(|i| i.leases.iter()).filter(|l| l.lease.active_on(end)).map(|l| l.lease.zone_id).collect();
    let (mut leasable, mut leased) = (0.0, 0.0);
    for z in zones.iter().filter(|z| z.data.attrs.land_use() == LandUse::Industrial && z.data.attrs.leasable()) {
        leasable += z.data.area.projected_ha;
        if leased_on_end.contains(&z.id) {
            leased += z.data.area.projected_ha;
        }
    }
    let mut row = ReportRow {
        id: c.id,
        code: c.data.attrs.code().to_owned(),
        name: state.data.attrs.name().to_owned(),
        location,
        status: status.code(),
        decision_no: act.map(|a| a.number().to_owned()),
        decision_date: act.map(clusterplan_core::lifecycle::LegalAct::date),
        planned_area_ha: round(state.data.area.projected_ha, 4),
        leasable_ha: round(leasable, 4),
        leased_ha: round(leased, 4),
        occupancy_pct: (leasable > 0.0).then(|| round(leased / leasable * 100.0, 2)),
        infrastructure_investor: None,
        infrastructure_status: None,
        wwtp: state.data.attrs.flags().wastewater_completed,
        wwtp_capacity_m3_day: state.data.attrs.wwtp_capacity_m3_day(),
        projects: 0,
        projects_domestic: 0,
        projects_fdi: 0,
        projects_operating: 0,
        registered_capital_vnd: 0,
        disbursed_capital_vnd: 0,
        registered_capital_usd: 0.0,
        workers: 0,
    };
    for i in &mine {
        let Some(f) = InvestorFigures::on(&i.figures, end) else { continue };
        if f.status == InvestorStatus::Left {
            continue;
        }
        match i.attrs.role {
            InvestorRole::Infrastructure => {
                row.infrastructure_investor = Some(i.attrs.name.clone());
                row.infrastructure_status = Some(f.status.code());
            }
            InvestorRole::Secondary => {
                row.projects += 1;
                if i.attrs.is_fdi() {
                    row.projects_fdi += 1;
                } else {
                    row.projects_domestic += 1;
                }
                if f.status == InvestorStatus::Operating {
                    row.projects_operating += 1;
                }
                row.registered_capital_vnd += f.registered_capital_vnd;
                row.disbursed_capital_vnd += f.disbursed_capital_vnd;
                row.registered_capital_usd += f.registered_capital_usd.unwrap_or(0.0);
                row.workers += f.workers;
            }
        }
    }
    Ok(row)
}

/// The communes (and districts) a cluster lay in: names joined as the form prints them.
fn location_of(units: &[Unit], inside: &dyn Fn(&Unit) -> bool) -> String {
    let names = |level: UnitLevel| -> Vec<&str> {
        units.iter().filter(|u| u.level == level && inside(u)).map(|u| u.name.as_str()).collect()
    };
    let communes = names(UnitLevel::Commune);
    let districts = names(UnitLevel::District);
    match (communes.is_empty(), districts.is_empty()) {
        (false, false) => format!("{}; {}", communes.join(", "), districts.join(", ")),
        (false, true) => communes.join(", "),
        (true, false) => districts.join(", "),
        (true, true) => String::new(),
    }
}

fn totals(rows: &[(ClusterStatus, ReportRow)]) -> ReportTotals {
    let mut t = ReportTotals::default();
    for (status, r) in rows {
        t.clusters_in_plan += 1;
        t.area_in_plan_ha += r.planned_area_ha;
        if established(*status) {
            t.clusters_established += 1;
            t.area_established_ha += r.planned_area_ha;
        }
        if operating(*status) {
            t.clusters_operating += 1;
            t.area_operating_ha += r.planned_area_ha;
        }
        t.leasable_ha += r.leasable_ha;
        t.leased_ha += r.leased_ha;
        t.projects += r.projects;
        t.projects_domestic += r.projects_domestic;
        t.projects_fdi += r.projects_fdi;
        t.projects_operating += r.projects_operating;
        t.registered_capital_vnd += r.registered_capital_vnd;
        t.disbursed_capital_vnd += r.disbursed_capital_vnd;
        t.registered_capital_usd += r.registered_capital_usd;
        t.workers += r.workers;
    }
    for v in [
        &mut t.area_in_plan_ha,
        &mut t.area_established_ha,
        &mut t.area_operating_ha,
        &mut t.leasable_ha,
        &mut t.leased_ha,
    ] {
        *v = round(*v, 4);
    }
    t.occupancy_pct = (t.leasable_ha > 0.0).then(|| round(t.leased_ha / t.leasable_ha * 100.0, 2));
    t
}

async fn budget_lines(store: &dyn Store, period: ReportPeriod) -> Result<Vec<BudgetLine>, ApiError> {
    let mut sums: BTreeMap<(&'static str, &'static str), (i64, i64)> = BTreeMap::new();
    for b in store.list_budgets(Some(period.year)).await? {
        let e = sums.entry((b.budget.programme.code(), b.budget.source.code())).or_default();
        e.0 += b.budget.planned_vnd;
        e.1 += b.budget.disbursed_vnd;
    }
    Ok(sums
        .into_iter()
        .map(|((programme, source), (planned_vnd, disbursed_vnd))| BudgetLine {
            programme,
            source,
            planned_vnd,
            disbursed_vnd,
        })
        .collect())
}

/// One cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A number and its decimals as printed.
    Number(f64, usize),
    Empty,
}

/// Column headings as the form prints them (Vietnamese), in the order of [`ReportRow::cells`].
pub const HEADINGS: [&str; 20] = [
    "STT",
    "Mã CCN",
    "Tên cụm công nghiệp",
    "Địa điểm",
    "Tình trạng",
    "Số quyết định thành lập",
    "Ngày quyết định",
    "Diện tích quy hoạch (ha)",
    "Diện tích đất công nghiệp có thể cho thuê (ha)",
    "Diện tích đã cho thuê (ha)",
    "Tỷ lệ lấp đầy (%)",
    "Chủ đầu tư hạ tầng",
    "Trạm xử lý nước thải tập trung",
    "Công suất (m³/ngày đêm)",
    "Số dự án thứ cấp",
    "Trong đó FDI",
    "Số dự án đang hoạt động",
    "Vốn đăng ký (triệu đồng)",
    "Vốn đã thực hiện (triệu đồng)",
    "Số lao động (người)",
];

/// Statuses as the form prints them.
pub fn status_vi(code: &str) -> &'static str {
    match code {
        "in_plan" => "Trong quy hoạch",
        "established" => "Đã thành lập",
        "infrastructure" => "Đang đầu tư hạ tầng",
        "operating" => "Đang hoạt động",
        "expanded" => "Đã mở rộng",
        "removed" => "Đưa ra khỏi quy hoạch",
        "revoked" => "Bãi bỏ quyết định thành lập",
        _ => "",
    }
}

/// VND in millions, as the form prints capital.
fn millions(vnd: i64) -> f64 {
    vnd as f64 / 1.0e6
}

impl ReportRow {
    /// The row's cells, in the order of [`HEADINGS`] (`n`: its number in the table).
    pub fn cells(&self, n: usize) -> Vec<Cell> {
        let opt_text = |v: &Option<String>| v.clone().map_or(Cell::Empty, Cell::Text);
        vec![
            Cell::Number(n as f64, 0),
            Cell::Text(self.code.clone()),
            Cell::Text(self.name.clone()),
            Cell::Text(self.location.clone()),
            Cell::Text(status_vi(self.status).to_owned()),
            opt_text(&self.decision_no),
            self.decision_date.map_or(Cell::Empty, |d| Cell::Text(d.format("%d/%m/%Y").to_string())),
            Cell::Number(self.planned_area_ha, 2),
            Cell::Number(self.leasable_ha, 2),
            Cell::Number(self.leased_ha, 2),
            self.occupancy_pct.map_or(Cell::Empty, |o| Cell::Number(o, 1)),
            self.infrastructure_investor.clone().map_or(Cell::Empty, Cell::Text),
            Cell::Text(if self.wwtp { "Có" } else { "Chưa có" }.to_owned()),
            self.wwtp_capacity_m3_day.map_or(Cell::Empty, |c| Cell::Number(c, 0)),
            Cell::Number(f64::from(self.projects), 0),
            Cell::Number(f64::from(self.projects_fdi), 0),
            Cell::Number(f64::from(self.projects_operating), 0),
            Cell::Number(millions(self.registered_capital_vnd), 0),
            Cell::Number(millions(self.disbursed_capital_vnd), 0),
            Cell::Number(self.workers as f64, 0),
        ]
    }
}

impl ReportTotals {
    /// The totals row, in the order of [`HEADINGS`].
    pub fn cells(&self) -> Vec<Cell> {
        let mut cells = vec![Cell::Empty; HEADINGS.len()];
        cells[2] = Cell::Text(format!("Tổng cộng: {} CCN", self.clusters_in_plan));
        cells[7] = Cell::Number(self.area_in_plan_ha, 2);
        cells[8] = Cell::Number(self.leasable_ha, 2);
        cells[9] = Cell::Number(self.leased_ha, 2);
        cells[10] = self.occupancy_pct.map_or(Cell::Empty, |o| Cell::Number(o, 1));
        cells[14] = Cell::Number(f64::from(self.projects), 0);
        cells[15] = Cell::Number(f64::from(self.projects_fdi), 0);
        cells[16] = Cell::Number(f64::from(self.projects_operating), 0);
        cells[17] = Cell::Number(millions(self.registered_capital_vnd), 0);
        cells[18] = Cell::Number(millions(self.disbursed_capital_vnd), 0);
        cells[19] = Cell::Number(self.workers as f64, 0);
        cells
    }
}

impl Cell {
    fn printed(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(v, places) => format!("{v:.places$}"),
            Cell::Empty => String::new(),
        }
    }
}

/// The summary lines above the table.
fn summary_lines(r: &Report) -> Vec<String> {
    let t = &r.totals;
    vec![
        format!("Số CCN trong quy hoạch: {} ({:.2} ha)", t.clusters_in_plan, t.area_in_plan_ha),
        format!("Số CCN đã thành lập: {} ({:.2} ha)", t.clusters_established, t.area_established_ha),
        format!("Số CCN đang hoạt động: {} ({:.2} ha)", t.clusters_operating, t.area_operating_ha),
        format!(
            "Dự án thứ cấp: {} (trong nước {}, FDI {}; đang hoạt động {})",
            t.projects, t.projects_domestic, t.projects_fdi, t.projects_operating
        ),
    ]
}

fn heading_of(r: &Report) -> String {
    let unit = r.unit.as_ref().map_or_else(|| "Toàn tỉnh".to_owned(), |u| u.name.clone());
    format!("{} — {unit}", r.title)
}

/// The report as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read the
/// Vietnamese headings right).
pub fn csv(r: &Report) -> Result<Vec<u8>, ApiError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADINGS).map_err(ApiError::internal)?;
    for (n, row) in r.clusters.iter().enumerate() {
        w.write_record(row.cells(n + 1).iter().map(Cell::printed)).map_err(ApiError::internal)?;
    }
    w.write_record(r.totals.cells().iter().map(Cell::printed)).map_err(ApiError::internal)?;
    w.into_inner().map_err(ApiError::internal)
}

/// The report as a spreadsheet: title, summary, the table with its totals row, then budgets.
pub fn xlsx(r: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Báo cáo CCN")?;
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new().set_bold().set_text_wrap().set_border(FormatBorder::Thin);
    let plain = Format::new().set_border(FormatBorder::Thin);
    let formats: Vec<Format> = (0..3)
        .map(|places| {
            Format::new().set_border(FormatBorder::Thin).set_num_format(if places == 0 {
                "#,##0".to_owned()
            } else {
                format!("#,##0.{}", "0".repeat(places))
            })
        })
        .collect();
    sheet.write_string_with_format(0, 0, heading_of(r), &title)?;
    let mut line = 1u32;
    for s in summary_lines(r) {
        sheet.write_string(line, 0, s)?;
        line += 1;
    }
    let top = line + 1;
    for (c, h) in HEADINGS.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &head)?;
    }
    let mut put = |row: u32, cells: Vec<Cell>| -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, cell) in cells.into_iter().enumerate() {
            match cell {
                Cell::Text(t) => sheet.write_string_with_format(row, c as u16, t, &plain)?,
                Cell::Number(v, places) => sheet.write_number_with_format(row, c as u16, v, &formats[places.min(2)])?,
                Cell::Empty => sheet.write_blank(row, c as u16, &plain)?,
            };
        }
        Ok(())
    };
    let mut row = top + 1;
    for (n, cluster) in r.clusters.iter().enumerate() {
        put(row, cluster.cells(n + 1))?;
        row += 1;
    }
    put(row, r.totals.cells())?;
    row += 2;
    sheet.write_string_with_format(row, 0, format!("Kinh phí năm {} (triệu đồng)", r.end.format("%Y")), &title)?;
    row += 1;
    for (c, h) in ["Chương trình", "Nguồn", "Kế hoạch", "Đã giải ngân"].iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *h, &head)?;
    }
    for b in &r.budgets {
        row += 1;
        sheet.write_string_with_format(row, 0, programme_vi(b.programme), &plain)?;
        sheet.write_string_with_format(row, 1, source_vi(b.source), &plain)?;
        sheet.write_number_with_format(row, 2, millions(b.planned_vnd), &formats[0])?;
        sheet.write_number_with_format(row, 3, millions(b.disbursed_vnd), &formats[0])?;
    }
    sheet.set_column_width(2, 32)?;
    sheet.set_column_width(3, 28)?;
    sheet.set_column_range_width(4, 19, 14)?;
    sheet.set_landscape();
    sheet.set_repeat_rows(top, top)?;
    book.save_to_buffer()
}

/// Programmes as printed.
pub fn programme_vi(code: &str) -> &'static str {
    match code {
        "khuyen_cong" => "Khuyến công",
        "infrastructure" => "Đầu tư hạ tầng CCN",
        _ => "Khác",
    }
}

/// Sources as printed.
pub fn source_vi(code: &str) -> &'static str {
    match code {
        "central" => "Ngân sách trung ương",
        "province" => "Ngân sách tỉnh",
        "district" => "Ngân sách huyện",
        _ => "Nguồn khác",
    }
}

/// The report as a printable page (A4 landscape).
pub fn html(r: &Report) -> String {
    use maud::{DOCTYPE, html};
    let cell = |c: &Cell| {
        if let Cell::Number(..) = c {
            html! { td.num { (c.printed()) } }
        } else {
            html! { td { (c.printed()) } }
        }
    };
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                title { (heading_of(r)) }
                style { (maud::PreEscaped(PRINT_CSS)) }
            }
            body {
                h1 { "BÁO CÁO TÌNH HÌNH CỤM CÔNG NGHIỆP" }
                p.sub { "Theo Thông tư 14/2024/TT-BCT (sửa đổi bởi Thông tư 38/2025/TT-BCT) — " (heading_of(r)) }
                ul { @for s in summary_lines(r) { li { (s) } } }
                table {
                    thead { tr { @for h in HEADINGS { th { (h) } } } }
                    tbody {
                        @for (n, row) in r.clusters.iter().enumerate() { tr { @for c in row.cells(n + 1) { (cell(&c)) } } }
                        tr.total { @for c in r.totals.cells() { (cell(&c)) } }
                    }
                }
                @if !r.budgets.is_empty() {
                    h2 { "Kinh phí năm " (r.end.format("%Y")) " (triệu đồng)" }
                    table.budgets {
                        thead { tr { th { "Chương trình" } th { "Nguồn" } th { "Kế hoạch" } th { "Đã giải ngân" } } }
                        tbody { @for b in &r.budgets { tr {
                            td { (programme_vi(b.programme)) } td { (source_vi(b.source)) }
                            td.num { (format!("{:.0}", millions(b.planned_vnd))) } td.num { (format!("{:.0}", millions(b.disbursed_vnd))) }
                        } } }
                    }
                }
                @if !r.overdue_tasks.is_empty() {
                    h2 { "Nhiệm vụ quá hạn" }
                    ul { @for t in &r.overdue_tasks { li { (t.title) " — " (t.owner_agency) " (hạn " (t.due.format("%d/%m/%Y")) ")" } } }
                }
                h2 { "Cách tính" }
                ul.method { @for m in &r.method { li { (m) } } }
            }
        }
    }
    .into_string()
}

const PRINT_CSS: &str = "@page { size: A4 landscape; margin: 12mm; }
body { font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 10px; color: #111; }
h1 { font-size: 15px; text-align: center; margin: 0 0 4px; }
h2 { font-size: 12px; margin: 14px 0 4px; }
p.sub { text-align: center; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #444; padding: 2px 4px; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 700; }
table.budgets { width: auto; }
ul.method { color: #444; }";
