//! Clusters (cụm công nghiệp) and industrial parks: validated attributes and records.

use chrono::{DateTime, Utc};

use crate::area::{AreaReport, measure};
use crate::crs::{Crs, CrsError};
use crate::geometry::Boundary;

/// Longest accepted name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest accepted notes, in characters.
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Largest accepted planned area, in hectares (far above any cluster or park).
pub const MAX_PLANNED_AREA_HA: f64 = 100_000.0;
/// Largest accepted wastewater plant capacity, in m³/day (far above any cluster's plant).
pub const MAX_WWTP_CAPACITY_M3_DAY: f64 = 1_000_000.0;

/// Which legal regime a site belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterKind {
    /// Industrial cluster (cụm công nghiệp, CCN), Decree 32/2024: 10–75 ha.
    Cluster,
    /// Industrial park (khu công nghiệp, KCN), Decree 35/2022: no 75 ha cap.
    IndustrialPark,
}

/// Planning status of a cluster (see the lifecycle in the domain notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClusterStatus {
    /// In the provincial plan or list (trong danh mục / phương án).
    InPlan,
    /// Established by provincial decision (đã thành lập).
    Established,
    /// Infrastructure under construction (đang đầu tư hạ tầng).
    Infrastructure,
    /// Operating (đang hoạt động).
    Operating,
    /// Expanded (mở rộng).
    Expanded,
    /// Removed from the plan (đưa ra khỏi quy hoạch); terminal.
    Removed,
    /// Establishment revoked (bãi bỏ quyết định thành lập); terminal.
    Revoked,
}

macro_rules! codes {
    ($ty:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in lifecycle order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// Stable code used on the wire and in storage.
            pub fn code(self) -> &'static str {
                match self { $($ty::$variant => $code),+ }
            }

            /// Parses a code produced by [`Self::code`].
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($ty::$variant),)+ _ => None }
            }
        }
    };
}
pub(crate) use codes;

codes!(ClusterKind { Cluster = "cluster", IndustrialPark = "industrial_park" });
codes!(ClusterStatus {
    InPlan = "in_plan",
    Established = "established",
    Infrastructure = "infrastructure",
    Operating = "operating",
    Expanded = "expanded",
    Removed = "removed",
    Revoked = "revoked",
});

/// One problem with one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The attribute (`code`, `name`, …).
    pub field: &'static str,
    /// What is wrong, in English.
    pub message: String,
}

/// Attributes as received, not yet validated.
#[derive(Debug, Clone, Default)]
pub struct ClusterInput {
    /// Short unique code, e.g. `BT-CCN-PHMT`.
    pub code: Option<String>,
    /// Official name, with diacritics.
    pub name: Option<String>,
    /// `cluster` or `industrial_park`.
    pub kind: Option<String>,
    /// A status code.
    pub status: Option<String>,
    /// Planned area from the planning decision, in hectares.
    pub planned_area_ha: Option<f64>,
    /// Free text.
    pub notes: Option<String>,
    /// The dataset's projected CRS for areas, e.g. `EPSG:9210`.
    pub planning_crs: Option<String>,
    /// A craft-village cluster (≥ 60 % of industrial land serves craft-village producers).
    pub craft_village: Option<bool>,
    /// In a mountainous district.
    pub mountainous: Option<bool>,
    /// Internal roads completed and in use.
    pub roads_completed: Option<bool>,
    /// Water supply completed and in use.
    pub water_completed: Option<bool>,
    /// Wastewater collection and central treatment completed and in use.
    pub wastewater_completed: Option<bool>,
    /// Design capacity of the central wastewater treatment plant, m³/day.
    pub wwtp_capacity_m3_day: Option<f64>,
}

/// Facts the planning rules read, asserted by the planner (defaults: all false).
#[expect(clippy::struct_excessive_bools, reason = "each flag is a separate legal fact of Decree 32/2024")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SiteFlags {
    /// A craft-village cluster: the 5 ha minimum applies.
    pub craft_village: bool,
    /// In a mountainous district: the 5 ha minimum applies.
    pub mountainous: bool,
    /// Internal roads completed and in use (expansion condition).
    pub roads_completed: bool,
    /// Water supply completed and in use (expansion condition).
    pub water_completed: bool,
    /// Wastewater collection and treatment completed and in use (expansion condition).
    pub wastewater_completed: bool,
}

impl SiteFlags {
    /// The facts an input asserts; what it leaves out is false.
    fn asserted(input: &ClusterInput) -> Self {
        SiteFlags {
            craft_village: input.craft_village.unwrap_or(false),
            mountainous: input.mountainous.unwrap_or(false),
            roads_completed: input.roads_completed.unwrap_or(false),
            water_completed: input.water_completed.unwrap_or(false),
            wastewater_completed: input.wastewater_completed.unwrap_or(false),
        }
    }
}

/// Validated attributes of a cluster or park.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterAttrs {
    code: String,
    name: String,
    kind: ClusterKind,
    status: ClusterStatus,
    planned_area_ha: Option<f64>,
    notes: Option<String>,
    planning_crs: Crs,
    flags: SiteFlags,
    wwtp_capacity_m3_day: Option<f64>,
}

impl ClusterAttrs {
    /// Validates attributes, reporting every problem. `default_crs` applies when the input
    /// names no planning CRS (the dataset's system, from configuration).
    pub fn parse(input: ClusterInput, default_crs: Crs) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &'static str, message: String| problems.push(FieldProblem { field, message });
        let flags = SiteFlags::asserted(&input);

        let code = match input.code.map(|c| c.trim().to_owned()) {
            None => {
                problem("code", "code is required".into());
                String::new()
            }
            Some(c) if !valid_code(&c) => {
                problem(
                    "code",
                    format!(
                        "code {c:?} must be 1–64 characters of A–Z, 0–9, '-', '_' or '.' and start with a letter or digit"
                    ),
                );
                c
            }
            Some(c) => c,
        };
        let name = match input.name.map(|n| crate::text::nfc(n.trim())) {
            None => {
                problem("name", "name is required".into());
                String::new()
            }
            Some(n) if n.is_empty() => {
                problem("name", "name must not be empty".into());
                n
            }
            Some(n) if n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) => {
                problem("name", format!("name must be at most {MAX_NAME_CHARS} characters without control characters"));
                n
            }
            Some(n) => n,
        };
        let kind = match input.kind.as_deref() {
            None => ClusterKind::Cluster,
            Some(k) => ClusterKind::from_code(k).unwrap_or_else(|| {
                problem("kind", format!("kind {k:?} is not one of: cluster, industrial_park"));
                ClusterKind::Cluster
            }),
        };
        let status = match input.status.as_deref() {
            None => ClusterStatus::InPlan,
            Some(s) => ClusterStatus::from_code(s).unwrap_or_else(|| {
                let all: Vec<_> = ClusterStatus::ALL.iter().map(|s| s.code()).collect();
                problem("status", format!("status {s:?} is not one of: {}", all.join(", ")));
                ClusterStatus::InPlan
            }),
        };
        let planned_area_ha = bounded(
            input.planned_area_ha,
            MAX_PLANNED_AREA_HA,
            ("planned_area_ha", "planned area", "ha"),
            &mut problem,
        );
        let wwtp_capacity_m3_day = bounded(
            input.wwtp_capacity_m3_day,
            MAX_WWTP_CAPACITY_M3_DAY,
            ("wwtp_capacity_m3_day", "wastewater plant capacity", "m³/day"),
            &mut problem,
        );
        let notes = input.notes.map(|n| crate::text::nfc(&n)).filter(|n| {
            if n.chars().count() > MAX_NOTES_CHARS {
                problem("notes", format!("notes must be at most {MAX_NOTES_CHARS} characters"));
            }
            !n.trim().is_empty()
        });
        let planning_crs = match input.planning_crs.as_deref() {
            None => default_crs,
            Some(text) => match Crs::parse(text) {
                Ok(crs) if crs.is_vn2000_projected() => crs,
                _ => {
                    problem(
                        "planning_crs",
                        format!(
                            "planning CRS {text:?} must be a VN-2000 TM-3 zone (EPSG:5896–5899, 9205–9218) or VN-2000 UTM (EPSG:3405, 3406)"
                        ),
                    );
                    default_crs
                }
            },
        };
        if problems.is_empty() {
            Ok(ClusterAttrs {
                code,
                name,
                kind,
                status,
                planned_area_ha,
                notes,
                planning_crs,
                flags,
                wwtp_capacity_m3_day,
            })
        } else {
            Err(problems)
        }
    }

    /// Short unique code.
    pub fn code(&self) -> &str {
        &self.code
    }
    /// Name (NFC-normalised).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Cluster or industrial park.
    pub fn kind(&self) -> ClusterKind {
        self.kind
    }
    /// Planning status.
    pub fn status(&self) -> ClusterStatus {
        self.status
    }
    /// Planned area from the planning decision.
    pub fn planned_area_ha(&self) -> Option<f64> {
        self.planned_area_ha
    }
    /// Notes.
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }
    /// Projected system in which legal areas are measured.
    pub fn planning_crs(&self) -> Crs {
        self.planning_crs
    }
    /// Facts for the planning rules.
    pub fn flags(&self) -> SiteFlags {
        self.flags
    }
    /// Design capacity of the central wastewater treatment plant, m³/day.
    pub fn wwtp_capacity_m3_day(&self) -> Option<f64> {
        self.wwtp_capacity_m3_day
    }
    /// A capacity is reported only where there is a plant: wastewater treatment completed and
    /// in use, or a plant planned (`plant_planned`: a wastewater-plant zone in the cluster).
    pub fn wwtp_capacity_problem(&self, plant_planned: bool) -> Option<FieldProblem> {
        (self.wwtp_capacity_m3_day.is_some() && !self.flags.wastewater_completed && !plant_planned).then(|| {
            FieldProblem {
                field: "wwtp_capacity_m3_day",
                message: "a wastewater plant capacity needs wastewater treatment completed and in use \
                          (wastewater_completed) or a planned wastewater plant zone (WWTP) in the cluster"
                    .into(),
            }
        })
    }
    /// The same attributes with another status: status changes are recorded as events, and
    /// the stored status follows the latest one.
    #[must_use]
    pub fn with_status(mut self, status: ClusterStatus) -> Self {
        self.status = status;
        self
    }
}

/// A number in `0..=max`; otherwise `None` and a problem for `(field, what, unit)`.
fn bounded(
    value: Option<f64>,
    max: f64,
    (field, what, unit): (&'static str, &str, &str),
    problem: &mut impl FnMut(&'static str, String),
) -> Option<f64> {
    value.filter(|v| {
        let ok = v.is_finite() && (0.0..=max).contains(v);
        if !ok {
            problem(field, format!("{what} must be between 0 and {max} {unit}"));
        }
        ok
    })
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c.is_ascii_digit())
        && code.len() <= 64
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

/// What a write stores: validated attributes, a validated boundary and its measured area.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDraft {
    /// Attributes.
    pub attrs: ClusterAttrs,
    /// Boundary in WGS 84.
    pub boundary: Boundary,
    /// Area measured in `attrs.planning_crs()`.
    pub area: AreaReport,
}

impl ClusterDraft {
    /// Measures the boundary in the attributes' planning CRS.
    pub fn new(attrs: ClusterAttrs, boundary: Boundary) -> Result<Self, CrsError> {
        let area = measure(&boundary, attrs.planning_crs())?;
        Ok(ClusterDraft { attrs, boundary, area })
    }

    /// The same boundary under other attributes (an edit of the properties alone): measured
    /// again only when the planning CRS changes, else its area is the one it has.
    pub fn with_attrs(&self, attrs: ClusterAttrs) -> Result<Self, CrsError> {
        if attrs.planning_crs() == self.area.crs {
            return Ok(ClusterDraft { attrs, boundary: self.boundary.clone(), area: self.area });
        }
        ClusterDraft::new(attrs, self.boundary.clone())
    }
}

/// A stored cluster: the draft plus identity and version.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// Feature id, assigned by the store.
    pub id: i64,
    /// Starts at 1, grows by one with each write; the optimistic-locking token.
    pub version: i64,
    /// When it was first written.
    pub created_at: DateTime<Utc>,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
    /// Attributes, boundary and area.
    pub data: ClusterDraft,
}

#[cfg(test)]
mod tests;
