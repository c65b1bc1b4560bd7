//! Who is in each cluster and what the province spends on it: investors with their dated
//! figures and plot leases, craft villages and pilot communes, programme budgets, and the
//! reporting periods of Circular 14/2024/TT-BCT (amended by 38/2025/TT-BCT).
//!
//! Everything here is checked before a store sees it, as for clusters: a store accepts only
//! the validated types of this module.

use chrono::{Datelike, NaiveDate};

use crate::cluster::{FieldProblem, MAX_NAME_CHARS, MAX_NOTES_CHARS, codes};

/// Largest amount of money accepted, in VND (10¹⁸: far above any project).
pub const MAX_VND: i64 = 1_000_000_000_000_000_000;
/// Largest amount accepted in USD.
pub const MAX_USD: f64 = 1.0e13;
/// Largest workforce accepted for one investor.
pub const MAX_WORKERS: i64 = 10_000_000;

/// The part an investor plays in a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvestorRole {
    /// Builds and runs the cluster's infrastructure (chủ đầu tư hạ tầng).
    Infrastructure,
    /// A tenant project (dự án thứ cấp).
    Secondary,
}
codes!(InvestorRole { Infrastructure = "infrastructure", Secondary = "secondary" });

/// The legal form of an investor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvestorForm {
    /// An enterprise (doanh nghiệp).
    Enterprise,
    /// A cooperative (hợp tác xã).
    Cooperative,
    /// A household business (hộ kinh doanh).
    Household,
}
codes!(InvestorForm { Enterprise = "enterprise", Cooperative = "cooperative", Household = "household" });

/// Where an investor's project stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvestorStatus {
    /// Registered (đã đăng ký), nothing built yet.
    Registered,
    /// Building (đang xây dựng).
    Building,
    /// Operating (đang hoạt động).
    Operating,
    /// Stopped (tạm ngừng).
    Stopped,
    /// Left the cluster (đã rời khỏi).
    Left,
}
codes!(InvestorStatus {
    Registered = "registered",
    Building = "building",
    Operating = "operating",
    Stopped = "stopped",
    Left = "left",
});

/// A designation of an administrative unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DesignationKind {
    /// A recognised traditional craft village (làng nghề truyền thống).
    CraftVillage,
    /// A pilot commune for rural industrialisation (xã điểm).
    PilotCommune,
}
codes!(DesignationKind { CraftVillage = "craft_village", PilotCommune = "pilot_commune" });

/// Where budget money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FundSource {
    /// The central budget.
    Central,
    /// The provincial budget.
    Province,
    /// A district budget.
    District,
    /// Enterprises, loans and other sources.
    Other,
}
codes!(FundSource { Central = "central", Province = "province", District = "district", Other = "other" });

/// What budget money is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Programme {
    /// The industrial extension programme (khuyến công).
    IndustrialExtension,
    /// Investment in cluster infrastructure.
    Infrastructure,
    /// Anything else.
    Other,
}
codes!(Programme { IndustrialExtension = "khuyen_cong", Infrastructure = "infrastructure", Other = "other" });

fn problem(problems: &mut Vec<FieldProblem>, field: &'static str, message: impl Into<String>) {
    problems.push(FieldProblem { field, message: message.into() });
}

/// A Vietnamese tax code (mã số thuế): ten digits whose tenth is the check digit of the first
/// nine, or those ten and a three-digit branch number (13 digits, written `0123456789-001`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode(String);

/// Weights of the first nine digits in the check digit (Ministry of Finance scheme).
const TAX_WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

impl TaxCode {
    /// Parses a tax code: spaces are ignored, a branch number may follow a hyphen or directly.
    pub fn parse(text: &str) -> Result<Self, String> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let digits: String = compact.replacen('-', "", 1);
        if !digits.chars().all(|c| c.is_ascii_digit()) || !matches!(digits.len(), 10 | 13) {
            return Err(format!(
                "tax code {text:?} must be 10 digits, or 13 (a branch: 10 digits, a hyphen, 3 digits)"
            ));
        }
        if compact.contains('-') && compact.find('-') != Some(10) {
            return Err(format!("tax code {text:?}: the hyphen goes after the tenth digit"));
        }
        let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let sum: u32 = d.iter().zip(TAX_WEIGHTS).map(|(a, w)| a * w).sum();
        let check = 10 - sum % 11;
        if check == 10 || check != d[9] {
            return Err(format!("tax code {text:?} fails its check digit (the tenth digit)"));
        }
        if digits.len() == 13 && &digits[10..] == "000" {
            return Err(format!("tax code {text:?}: a branch number runs from 001 to 999"));
        }
        let canonical = if digits.len() == 13 { format!("{}-{}", &digits[..10], &digits[10..]) } else { digits };
        Ok(TaxCode(canonical))
    }

    /// The code whose first nine digits are `nine`, its check digit appended; `None` when
    /// `nine` is not nine digits or has no check digit (codes whose check would be 10 are never
    /// issued).
    pub fn complete(nine: &str) -> Option<TaxCode> {
        let digits: Vec<u32> = nine.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
        if digits.len() != 9 {
            return None;
        }
        let sum: u32 = digits.iter().zip(TAX_WEIGHTS).map(|(a, w)| a * w).sum();
        let check = 10 - sum % 11;
        (check < 10).then(|| TaxCode(format!("{nine}{check}")))
    }

    /// The code as stored: 10 digits, or 10 digits, a hyphen and 3 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a VSIC 2018 code: a section letter (A–U) or a division, group, class or subclass of
/// 2 to 5 digits. The code's existence in the national list is not checked.
pub fn check_vsic(code: &str) -> Result<(), String> {
    let ok = match code.len() {
        1 => code.chars().all(|c| ('A'..='U').contains(&c)),
        2..=5 => code.chars().all(|c| c.is_ascii_digit()) && code != "00",
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("vsic {code:?} must be a VSIC 2018 section letter A–U or a code of 2 to 5 digits"))
    }
}

fn text(
    value: Option<String>,
    field: &'static str,
    max: usize,
    required: bool,
    problems: &mut Vec<FieldProblem>,
) -> Option<String> {
    match value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
        None if required => {
            problem(problems, field, format!("{field} is required"));
            None
        }
        Some(v) if v.chars().count() > max || v.chars().any(char::is_control) && max <= MAX_NAME_CHARS => {
            problem(problems, field, format!("{field} must be at most {max} characters without control characters"));
            None
        }
        v => v,
    }
}

fn coded<T>(
    value: Option<&str>,
    field: &'static str,
    parse: fn(&str) -> Option<T>,
    allowed: &[&str],
    problems: &mut Vec<FieldProblem>,
) -> Option<T> {
    let v = value?;
    let parsed = parse(v);
    if parsed.is_none() {
        problem(problems, field, format!("{field} {v:?} must be one of: {}", allowed.join(", ")));
    }
    parsed
}

fn codes_of<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|t| code(*t)).collect()
}

/// Investor attributes as received.
#[derive(Debug, Clone, Default)]
pub struct InvestorInput {
    /// Registered name.
    pub name: Option<String>,
    /// Tax code.
    pub tax_code: Option<String>,
    /// `infrastructure` or `secondary`.
    pub role: Option<String>,
    /// `enterprise` (default), `cooperative` or `household`.
    pub form: Option<String>,
    /// ISO 3166-1 alpha-2 country of a foreign investor (FDI); absent or `VN` for domestic.
    pub country: Option<String>,
    /// VSIC 2018 sector code.
    pub vsic: Option<String>,
    /// The cluster it invests in.
    pub cluster_id: Option<i64>,
    /// Official code of the commune a relocated facility came from.
    pub origin_unit_code: Option<String>,
    /// The craft village a relocated facility came from (a designation id).
    pub origin_designation_id: Option<i64>,
    /// Remarks.
    pub notes: Option<String>,
}

/// Validated investor attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestorAttrs {
    /// Registered name.
    pub name: String,
    /// Tax code.
    pub tax_code: TaxCode,
    /// Role in the cluster.
    pub role: InvestorRole,
    /// Legal form.
    pub form: InvestorForm,
    /// Country of a foreign investor; `None` for a domestic one.
    pub country: Option<String>,
    /// VSIC 2018 sector code.
    pub vsic: Option<String>,
    /// The cluster.
    pub cluster_id: i64,
    /// Commune of origin of a relocated facility.
    pub origin_unit_code: Option<String>,
    /// Craft village of origin (designation id).
    pub origin_designation_id: Option<i64>,
    /// Remarks.
    pub notes: Option<String>,
}

impl InvestorAttrs {
    /// Validates attributes, reporting every problem with its field.
    pub fn parse(input: InvestorInput) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name = text(input.name, "name", MAX_NAME_CHARS, true, &mut problems);
        let tax_code = match input.tax_code.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                problem(&mut problems, "tax_code", "tax_code is required");
                None
            }
            Some(t) => TaxCode::parse(t).map_err(|m| problem(&mut problems, "tax_code", m)).ok(),
        };
        let role = match input.role.as_deref() {
            None => {
                problem(&mut problems, "role", "role is required: infrastructure or secondary");
                None
            }
            r => coded(
                r,
                "role",
                InvestorRole::from_code,
                &codes_of(InvestorRole::ALL, InvestorRole::code),
                &mut problems,
            ),
        };
        let form = match input.form.as_deref() {
            None => Some(InvestorForm::Enterprise),
            f => coded(
                f,
                "form",
                InvestorForm::from_code,
                &codes_of(InvestorForm::ALL, InvestorForm::code),
                &mut problems,
            ),
        };
        let country = match input.country.as_deref().map(str::trim) {
            None | Some("" | "VN") => None,
            Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) => Some(c.to_owned()),
            Some(c) => {
                problem(
                    &mut problems,
                    "country",
                    format!("country {c:?} must be an ISO 3166-1 alpha-2 code such as KR or JP"),
                );
                None
            }
        };
        let vsic = input.vsic.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(v) = &vsic
            && let Err(m) = check_vsic(v)
        {
            problem(&mut problems, "vsic", m);
        }
        if input.cluster_id.is_none() {
            problem(&mut problems, "cluster_id", "cluster_id is required");
        }
        let origin_unit_code = text(input.origin_unit_code, "origin_unit_code", 20, false, &mut problems);
        let notes = text(input.notes, "notes", MAX_NOTES_CHARS, false, &mut problems);
        match (name, tax_code, role, form, input.cluster_id, problems.is_empty()) {
            (Some(name), Some(tax_code), Some(role), Some(form), Some(cluster_id), true) => Ok(InvestorAttrs {
                name,
                tax_code,
                role,
                form,
                country,
                vsic,
                cluster_id,
                origin_unit_code,
                origin_designation_id: input.origin_designation_id,
                notes,
            }),
            _ => Err(problems),
        }
    }

    /// Whether the investor is foreign (FDI).
    pub fn is_fdi(&self) -> bool {
        self.country.is_some()
    }
}

/// An investor's figures as of a day: its status, capital and workforce. Figures are dated
/// (business time), so a report for a past period reads what was true then.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestorFigures {
    /// The day from which these figures hold.
    pub effective: NaiveDate,
    /// Status from that day.
    pub status: InvestorStatus,
    /// Registered capital, VND.
    pub registered_capital_vnd: i64,
    /// Disbursed capital, VND.
    pub disbursed_capital_vnd: i64,
    /// Registered capital of a foreign investor, USD.
    pub registered_capital_usd: Option<f64>,
    /// Workers employed.
    pub workers: i64,
    /// Remarks.
    pub note: Option<String>,
}

/// Figures as received: numbers still JSON-shaped so that a wrong type names its field.
#[derive(Debug, Clone, Default)]
pub struct FiguresInput {
    /// The day from which they hold.
    pub effective: Option<NaiveDate>,
    /// Status code.
    pub status: Option<String>,
    /// VND; must be a whole number ≥ 0.
    pub registered_capital_vnd: Option<f64>,
    /// VND; must be a whole number ≥ 0.
    pub disbursed_capital_vnd: Option<f64>,
    /// USD ≥ 0, foreign investors only.
    pub registered_capital_usd: Option<f64>,
    /// A whole number ≥ 0.
    pub workers: Option<f64>,
    /// Remarks.
    pub note: Option<String>,
}

fn whole(value: Option<f64>, field: &'static str, max: i64, problems: &mut Vec<FieldProblem>) -> i64 {
    match value {
        None => 0,
        Some(v) if v < 0.0 => {
            problem(problems, field, format!("{field} must not be negative"));
            0
        }
        Some(v) if v.fract() != 0.0 || !v.is_finite() => {
            problem(problems, field, format!("{field} must be a whole number"));
            0
        }
        Some(v) if v > max as f64 => {
            problem(problems, field, format!("{field} must be at most {max}"));
            0
        }
        Some(v) => v as i64,
    }
}

impl InvestorFigures {
    /// Validates figures for an investor (`fdi`: whether USD capital is allowed).
    pub fn parse(input: FiguresInput, fdi: bool) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        if input.effective.is_none() {
            problem(&mut problems, "effective", "effective (the day the figures hold from) is required");
        }
        let status = match input.status.as_deref() {
            None => {
                problem(&mut problems, "status", "status is required");
                None
            }
            s => coded(
                s,
                "status",
                InvestorStatus::from_code,
                &codes_of(InvestorStatus::ALL, InvestorStatus::code),
                &mut problems,
            ),
        };
        let registered = whole(input.registered_capital_vnd, "registered_capital_vnd", MAX_VND, &mut problems);
        let disbursed = whole(input.disbursed_capital_vnd, "disbursed_capital_vnd", MAX_VND, &mut problems);
        let workers = whole(input.workers, "workers", MAX_WORKERS, &mut problems);
        let usd = match input.registered_capital_usd {
            Some(_) if !fdi => {
                problem(
                    &mut problems,
                    "registered_capital_usd",
                    "registered_capital_usd is for foreign (FDI) investors only",
                );
                None
            }
            Some(v) if !(0.0..=MAX_USD).contains(&v) => {
                problem(&mut problems, "registered_capital_usd", "registered_capital_usd must be between 0 and 10¹³");
                None
            }
            v => v,
        };
        let note = text(input.note, "note", MAX_NOTES_CHARS, false, &mut problems);
        match (input.effective, status, problems.is_empty()) {
            (Some(effective), Some(status), true) => Ok(InvestorFigures {
                effective,
                status,
                registered_capital_vnd: registered,
                disbursed_capital_vnd: disbursed,
                registered_capital_usd: usd,
                workers,
                note,
            }),
            _ => Err(problems),
        }
    }

    /// The figures in force on `day`: the latest whose effective day is not after it.
    pub fn on(figures: &[InvestorFigures], day: NaiveDate) -> Option<&InvestorFigures> {
        figures.iter().filter(|f| f.effective <= day).max_by_key(|f| f.effective)
    }
}

/// A lease of a plot (a zone) by an investor, from `start` to `end` (both included; open when
/// `end` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The plot.
    pub zone_id: i64,
    /// First day.
    pub start: NaiveDate,
    /// Last day, `None` while it runs.
    pub end: Option<NaiveDate>,
}

impl Lease {
    /// Checks the dates: the end is not before the start.
    pub fn new(zone_id: i64, start: NaiveDate, end: Option<NaiveDate>) -> Result<Self, FieldProblem> {
        match end {
            Some(e) if e < start => {
                Err(FieldProblem { field: "end", message: format!("end {e} is before start {start}") })
            }
            _ => Ok(Lease { zone_id, start, end }),
        }
    }

    /// Whether the lease runs on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// Whether two leases share a day.
    pub fn overlaps(&self, other: &Lease) -> bool {
        let a_end = self.end.unwrap_or(NaiveDate::MAX);
        let b_end = other.end.unwrap_or(NaiveDate::MAX);
        self.start <= b_end && other.start <= a_end
    }
}

/// A designation (craft village or pilot commune) as received.
#[derive(Debug, Clone, Default)]
pub struct DesignationInput {
    /// `craft_village` or `pilot_commune`.
    pub kind: Option<String>,
    /// Name, e.g. "Làng nghề bánh tráng Mỹ Lồng".
    pub name: Option<String>,
    /// Official code of the commune designated or holding the village.
    pub unit_code: Option<String>,
    /// Product or trade of a craft village.
    pub product: Option<String>,
    /// Recognition decision number.
    pub decision_no: Option<String>,
    /// Recognition decision date.
    pub decision_date: Option<NaiveDate>,
    /// First day of validity.
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity (`None`: still valid).
    pub valid_to: Option<NaiveDate>,
    /// Location of the village, WGS 84 lon/lat (optional).
    pub location: Option<(f64, f64)>,
    /// Clusters receiving its facilities.
    pub cluster_ids: Vec<i64>,
    /// Remarks.
    pub notes: Option<String>,
}

/// A validated designation.
#[derive(Debug, Clone, PartialEq)]
pub struct Designation {
    /// Kind.
    pub kind: DesignationKind,
    /// Name.
    pub name: String,
    /// Official unit code.
    pub unit_code: String,
    /// Product or trade.
    pub product: Option<String>,
    /// Decision number.
    pub decision_no: Option<String>,
    /// Decision date.
    pub decision_date: Option<NaiveDate>,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// Last day of validity.
    pub valid_to: Option<NaiveDate>,
    /// Location, lon/lat.
    pub location: Option<(f64, f64)>,
    /// Receiving clusters.
    pub cluster_ids: Vec<i64>,
    /// Remarks.
    pub notes: Option<String>,
}

impl Designation {
    /// Validates a designation.
    pub fn parse(input: DesignationInput) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let kind = match input.kind.as_deref() {
            None => {
                problem(&mut problems, "kind", "kind is required: craft_village or pilot_commune");
                None
            }
            k => coded(
                k,
                "kind",
                DesignationKind::from_code,
                &codes_of(DesignationKind::ALL, DesignationKind::code),
                &mut problems,
            ),
        };
        let name = text(input.name, "name", MAX_NAME_CHARS, true, &mut problems);
        let unit_code = text(input.unit_code, "unit_code", 20, true, &mut problems);
        let product = text(input.product, "product", MAX_NAME_CHARS, false, &mut problems);
        let decision_no = text(input.decision_no, "decision_no", MAX_NAME_CHARS, false, &mut problems);
        let notes = text(input.notes, "notes", MAX_NOTES_CHARS, false, &mut problems);
        let valid_from = input.valid_from.or(input.decision_date);
        if valid_from.is_none() {
            problem(&mut problems, "valid_from", "valid_from (or decision_date) is required");
        }
        if let (Some(from), Some(to)) = (valid_from, input.valid_to)
            && to < from
        {
            problem(&mut problems, "valid_to", format!("valid_to {to} is before valid_from {from}"));
        }
        if let Some((lon, lat)) = input.location
            && !((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat))
        {
            problem(&mut problems, "location", "location must be WGS 84 longitude and latitude");
        }
        let mut cluster_ids = input.cluster_ids;
        cluster_ids.sort_unstable();
        cluster_ids.dedup();
        match (kind, name, unit_code, valid_from, problems.is_empty()) {
            (Some(kind), Some(name), Some(unit_code), Some(valid_from), true) => Ok(Designation {
                kind,
                name,
                unit_code,
                product,
                decision_no,
                decision_date: input.decision_date,
                valid_from,
                valid_to: input.valid_to,
                location: input.location,
                cluster_ids,
                notes,
            }),
            _ => Err(problems),
        }
    }

    /// Whether the designation holds on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day <= t)
    }
}

/// A budget line as received.
#[derive(Debug, Clone, Default)]
pub struct BudgetInput {
    /// Budget year.
    pub year: Option<f64>,
    /// Source code.
    pub source: Option<String>,
    /// Programme code.
    pub programme: Option<String>,
    /// The cluster it goes to, if one.
    pub cluster_id: Option<i64>,
    /// The unit it goes to, if one (official code).
    pub unit_code: Option<String>,
    /// Planned, VND.
    pub planned_vnd: Option<f64>,
    /// Disbursed, VND.
    pub disbursed_vnd: Option<f64>,
    /// Remarks.
    pub notes: Option<String>,
}

/// A validated budget line: money planned and disbursed in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    /// Year.
    pub year: i32,
    /// Source.
    pub source: FundSource,
    /// Programme.
    pub programme: Programme,
    /// Cluster.
    pub cluster_id: Option<i64>,
    /// Unit.
    pub unit_code: Option<String>,
    /// Planned, VND.
    pub planned_vnd: i64,
    /// Disbursed, VND.
    pub disbursed_vnd: i64,
    /// Remarks.
    pub notes: Option<String>,
}

impl Budget {
    /// Validates a budget line.
    pub fn parse(input: BudgetInput) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let year = match input.year {
            Some(y) if y.fract() == 0.0 && (1975.0..=2100.0).contains(&y) => Some(y as i32),
            Some(_) => {
                problem(&mut problems, "year", "year must be a whole year between 1975 and 2100");
                None
            }
            None => {
                problem(&mut problems, "year", "year is required");
                None
            }
        };
        let source = match input.source.as_deref() {
            None => {
                problem(&mut problems, "source", "source is required");
                None
            }
            s => coded(s, "source", FundSource::from_code, &codes_of(FundSource::ALL, FundSource::code), &mut problems),
        };
        let programme = match input.programme.as_deref() {
            None => {
                problem(&mut problems, "programme", "programme is required");
                None
            }
            p => coded(p, "programme", Programme::from_code, &codes_of(Programme::ALL, Programme::code), &mut problems),
        };
        let planned = whole(input.planned_vnd, "planned_vnd", MAX_VND, &mut problems);
        let disbursed = whole(input.disbursed_vnd, "disbursed_vnd", MAX_VND, &mut problems);
        let unit_code = text(input.unit_code, "unit_code", 20, false, &mut problems);
        let notes = text(input.notes, "notes", MAX_NOTES_CHARS, false, &mut problems);
        match (year, source, programme, problems.is_empty()) {
            (Some(year), Some(source), Some(programme), true) => Ok(Budget {
                year,
                source,
                programme,
                cluster_id: input.cluster_id,
                unit_code,
                planned_vnd: planned,
                disbursed_vnd: disbursed,
                notes,
            }),
            _ => Err(problems),
        }
    }
}

/// A reporting period of Circular 14/2024/TT-BCT: the six-month report runs from 15 December of
/// the year before to 14 June, the annual report from 15 December of the year before to
/// 14 December.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    /// The year reported on.
    pub year: i32,
    /// Six-month (first half) or annual.
    pub six_month: bool,
}

impl ReportPeriod {
    /// Parses `2025` (annual) or `2025-H1` (six-month).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (year, six_month) = match text.strip_suffix("-H1").or_else(|| text.strip_suffix("-h1")) {
            Some(y) => (y, true),
            None => (text, false),
        };
        match year.parse::<i32>() {
            Ok(y) if (1976..=2100).contains(&y) && year.len() == 4 => Ok(ReportPeriod { year: y, six_month }),
            _ => Err(format!(
                "period {text:?} does not exist: give a year (annual report, e.g. 2024) or a year and H1 (six-month report, e.g. 2025-H1)"
            )),
        }
    }

    /// The first day: 15 December of the year before.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year - 1, 12, 15).unwrap_or(NaiveDate::MIN)
    }

    /// The last day: 14 June (six-month) or 14 December (annual).
    pub fn end(self) -> NaiveDate {
        let month = if self.six_month { 6 } else { 12 };
        NaiveDate::from_ymd_opt(self.year, month, 14).unwrap_or(NaiveDate::MAX)
    }

    /// The period's code: `2025` or `2025-H1`.
    pub fn code(self) -> String {
        if self.six_month { format!("{}-H1", self.year) } else { self.year.to_string() }
    }

    /// The period in Vietnamese, as the forms print it.
    pub fn label_vi(self) -> String {
        let kind = if self.six_month { "Báo cáo 6 tháng đầu năm" } else { "Báo cáo năm" };
        format!("{kind} {} (từ {} đến {})", self.year, self.start().format("%d/%m/%Y"), self.end().format("%d/%m/%Y"))
    }

    /// Whether `day` falls in the period.
    pub fn contains(self, day: NaiveDate) -> bool {
        self.start() <= day && day <= self.end()
    }

    /// The year of a day's annual period (a day from 15 December counts to the next year).
    pub fn annual_of(day: NaiveDate) -> Self {
        let after = day.month() == 12 && day.day() >= 15;
        ReportPeriod { year: if after { day.year() + 1 } else { day.year() }, six_month: false }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// Makes a valid code from nine digits (the check digit computed independently).
    fn valid_tax_code(nine: &str) -> Option<String> {
        let weights = [31, 29, 23, 19, 17, 13, 7, 5, 3];
        let sum: u32 = nine.chars().zip(weights).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
        let check = 10 - sum % 11;
        (check < 10).then(|| format!("{nine}{check}"))
    }

    #[test]
    fn tax_codes_are_checked_by_their_tenth_digit() {
        let good = valid_tax_code("130012345").expect("a check digit");
        assert_eq!(TaxCode::parse(&good).map(|t| t.0), Ok(good.clone()));
        let last = good.chars().last().and_then(|c| c.to_digit(10)).unwrap_or(0);
        let bad = format!("{}{}", &good[..9], (last + 1) % 10);
        assert!(TaxCode::parse(&bad).expect_err("refused").contains("check digit"));
        assert_eq!(TaxCode::parse(&format!("{good}-002")).map(|t| t.0), Ok(format!("{good}-002")));
        assert_eq!(TaxCode::parse(&format!("{good}002")).map(|t| t.0), Ok(format!("{good}-002")));
        assert!(TaxCode::parse(&format!("{good}-000")).is_err());
        assert!(TaxCode::parse("12345").is_err());
        assert!(TaxCode::parse("13001234x7").is_err());
        // A code whose check would be 10 is never issued.
        let never = (100_000_000..100_000_200)
            .map(|n: u32| n.to_string())
            .find(|n| valid_tax_code(n).is_none())
            .expect("some nine digits have no check digit");
        for last in 0..10 {
            assert!(TaxCode::parse(&format!("{never}{last}")).is_err());
        }
    }

    #[test]
    fn report_periods_follow_the_circular() {
        let h1 = ReportPeriod::parse("2025-H1").expect("period");
        assert_eq!((h1.start(), h1.end()), (d("2024-12-15"), d("2025-06-14")));
        let year = ReportPeriod::parse("2024").expect("period");
        assert_eq!((year.start(), year.end()), (d("2023-12-15"), d("2024-12-14")));
        assert!(ReportPeriod::parse("2024-H2").is_err());
        assert!(ReportPeriod::parse("24").is_err());
        assert!(ReportPeriod::parse("2024-13").is_err());
        assert_eq!(ReportPeriod::annual_of(d("2024-12-20")).year, 2025);
        assert_eq!(ReportPeriod::annual_of(d("2024-12-14")).year, 2024);
    }

    #[test]
    fn leases_of_one_plot_overlap_when_they_share_a_day() {
        let a = Lease::new(1, d("2020-01-01"), Some(d("2022-12-31"))).expect("lease");
        let b = Lease::new(1, d("2022-12-31"), None).expect("lease");
        let c = Lease::new(1, d("2023-01-01"), None).expect("lease");
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert!(b.overlaps(&c));
        assert!(Lease::new(1, d("2020-01-02"), Some(d("2020-01-01"))).is_err());
        assert!(a.active_on(d("2021-05-05")) && !a.active_on(d("2023-01-01")) && c.active_on(d("2099-01-01")));
    }

    #[test]
    fn figures_name_each_wrong_field() {
        let err = InvestorFigures::parse(
            FiguresInput {
                effective: Some(d("2024-01-01")),
                status: Some("operating".into()),
                registered_capital_vnd: Some(-1.0),
                workers: Some(2.5),
                registered_capital_usd: Some(10.0),
                ..FiguresInput::default()
            },
            false,
        )
        .expect_err("refused");
        let fields: Vec<_> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["registered_capital_vnd", "workers", "registered_capital_usd"]);
        let figures = [
            InvestorFigures::parse(
                FiguresInput {
                    effective: Some(d("2020-01-01")),
                    status: Some("building".into()),
                    ..FiguresInput::default()
                },
                false,
            )
            .expect("figures"),
            InvestorFigures::parse(
                FiguresInput {
                    effective: Some(d("2021-01-01")),
                    status: Some("operating".into()),
                    ..FiguresInput::default()
                },
                false,
            )
            .expect("figures"),
        ];
        assert_eq!(InvestorFigures::on(&figures, d("2020-06-01")).map(|f| f.status), Some(InvestorStatus::Building));
        assert_eq!(InvestorFigures::on(&figures, d("2019-06-01")), None);
    }

    #[test]
    fn investors_name_each_wrong_field() {
        let err = InvestorAttrs::parse(InvestorInput {
            name: Some(" ".into()),
            tax_code: Some("0100000000".into()),
            role: Some("tenant".into()),
            country: Some("Korea".into()),
            vsic: Some("1X".into()),
            ..InvestorInput::default()
        })
        .expect_err("refused");
        let fields: Vec<_> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "tax_code", "role", "country", "vsic", "cluster_id"]);
    }
}
