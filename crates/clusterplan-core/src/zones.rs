//! Zones: the land-use plots of a cluster's detailed plan (factory plots, warehouses, green
//! space, roads, the wastewater plant…), with the leasing facts from which occupancy is derived.
//!
//! A zone must lie inside its cluster and must not overlap the other zones of the same cluster;
//! [`check_placement`] reports where either fails, with areas in the cluster's planning CRS.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use geo::{Area, BooleanOps, BoundingRect, InteriorPoint, MultiPolygon};

use crate::area::{AreaReport, measure};
use crate::cluster::FieldProblem;
use crate::crs::{Crs, CrsError, transform_geometry};
use crate::geometry::Boundary;
use crate::rules::Occupancy;

/// Longest accepted label or tenant name, in characters.
pub const MAX_ZONE_TEXT_CHARS: usize = 200;

/// Pieces smaller than this (m², in the planning CRS) are digitising noise, not a zone outside
/// its cluster or an overlap: two plots drawn along one shared edge produce slivers of a few
/// square centimetres.
pub const PLACEMENT_TOLERANCE_M2: f64 = 1.0;

/// Land use of a plot inside a cluster (codes from the domain notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LandUse {
    /// Factory plots (đất nhà máy, xí nghiệp): the occupancy base.
    Industrial,
    /// Warehouses and yards (kho bãi).
    Warehouse,
    /// Management and services (điều hành, dịch vụ).
    Administration,
    /// Green space, buffer strips included (cây xanh).
    Green,
    /// Water surface and retention (mặt nước).
    Water,
    /// Technical infrastructure (hạ tầng kỹ thuật).
    Utility,
    /// Central wastewater treatment plant (trạm xử lý nước thải).
    Wastewater,
    /// Roads and parking (giao thông).
    Road,
}

impl LandUse {
    /// Every land use, in plan order.
    pub const ALL: &'static [LandUse] = &[
        LandUse::Industrial,
        LandUse::Warehouse,
        LandUse::Administration,
        LandUse::Green,
        LandUse::Water,
        LandUse::Utility,
        LandUse::Wastewater,
        LandUse::Road,
    ];

    /// Stable code on the wire and in storage.
    pub fn code(self) -> &'static str {
        match self {
            LandUse::Industrial => "IND",
            LandUse::Warehouse => "WH",
            LandUse::Administration => "ADM",
            LandUse::Green => "GRN",
            LandUse::Water => "WAT",
            LandUse::Utility => "UTL",
            LandUse::Wastewater => "WWTP",
            LandUse::Road => "ROAD",
        }
    }

    /// Parses a code produced by [`Self::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        LandUse::ALL.iter().copied().find(|u| u.code() == code)
    }

    /// Whether plots of this use may be leased to tenants: factory plots and warehouses.
    pub fn leasable(self) -> bool {
        matches!(self, LandUse::Industrial | LandUse::Warehouse)
    }
}

/// Zone attributes as received.
#[derive(Debug, Clone, Default)]
pub struct ZoneInput {
    /// The cluster the zone belongs to.
    pub cluster_id: Option<i64>,
    /// A land-use code (`IND`, `WH`, …).
    pub land_use: Option<String>,
    /// A label from the detailed plan, e.g. `CN-01`.
    pub label: Option<String>,
    /// Whether the plot can be leased; defaults to true for `IND` and `WH`.
    pub leasable: Option<bool>,
    /// Whether the plot is leased now.
    pub leased: Option<bool>,
    /// The tenant, when leased.
    pub tenant: Option<String>,
}

/// Validated zone attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneAttrs {
    cluster_id: i64,
    land_use: LandUse,
    label: Option<String>,
    leasable: bool,
    leased: bool,
    tenant: Option<String>,
}

impl ZoneAttrs {
    /// Validates attributes, reporting every problem:
    /// - `cluster_id` and `land_use` are required;
    /// - only `IND` and `WH` plots can be leasable; a leased plot must be leasable;
    /// - a tenant is named only on a leased plot (a tenant on an unleased plot is a record
    ///   that contradicts itself).
    pub fn parse(input: ZoneInput) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut problem = |field: &'static str, message: String| problems.push(FieldProblem { field, message });
        let cluster_id = match input.cluster_id {
            Some(id) if id > 0 => id,
            Some(id) => {
                problem("cluster_id", format!("cluster_id {id} is not a cluster id"));
                0
            }
            None => {
                problem("cluster_id", "cluster_id is required".into());
                0
            }
        };
        let codes: Vec<_> = LandUse::ALL.iter().map(|u| u.code()).collect();
        let land_use = match input.land_use.as_deref().map(str::trim) {
            None => {
                problem("land_use", format!("land_use is required, one of: {}", codes.join(", ")));
                LandUse::Industrial
            }
            Some(code) => LandUse::from_code(code).unwrap_or_else(|| {
                problem("land_use", format!("land_use {code:?} is not one of: {}", codes.join(", ")));
                LandUse::Industrial
            }),
        };
        let label = optional_text("label", input.label, &mut problems);
        let tenant = optional_text("tenant", input.tenant, &mut problems);
        let mut problem = |field: &'static str, message: String| problems.push(FieldProblem { field, message });
        let leasable = input.leasable.unwrap_or(land_use.leasable());
        if leasable && !land_use.leasable() {
            problem("leasable", format!("a {} plot cannot be leasable; only IND and WH plots are", land_use.code()));
        }
        let leased = input.leased.unwrap_or(false);
        if leased && !leasable {
            problem("leased", "a plot that is not leasable cannot be leased".into());
        }
        if tenant.is_some() && !leased {
            problem("tenant", "a tenant is named only on a leased plot".into());
        }
        if problems.is_empty() {
            Ok(ZoneAttrs { cluster_id, land_use, label, leasable, leased, tenant })
        } else {
            Err(problems)
        }
    }

    /// The cluster the zone belongs to.
    pub fn cluster_id(&self) -> i64 {
        self.cluster_id
    }
    /// Land use.
    pub fn land_use(&self) -> LandUse {
        self.land_use
    }
    /// Label from the detailed plan.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }
    /// Whether the plot can be leased.
    pub fn leasable(&self) -> bool {
        self.leasable
    }
    /// Whether it is leased.
    pub fn leased(&self) -> bool {
        self.leased
    }
    /// The tenant.
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }
}

fn optional_text(field: &'static str, text: Option<String>, problems: &mut Vec<FieldProblem>) -> Option<String> {
    let text = crate::text::nfc(text?.trim());
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > MAX_ZONE_TEXT_CHARS || text.chars().any(char::is_control) {
        problems.push(FieldProblem {
            field,
            message: format!("{field} must be at most {MAX_ZONE_TEXT_CHARS} characters without control characters"),
        });
    }
    Some(text)
}

/// What a zone write stores: attributes, a validated boundary, its area in the cluster's
/// planning CRS.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneDraft {
    /// Attributes.
    pub attrs: ZoneAttrs,
    /// Boundary in WGS 84.
    pub boundary: Boundary,
    /// Area measured in the cluster's planning CRS.
    pub area: AreaReport,
}

impl ZoneDraft {
    /// Measures the boundary in `crs` (the cluster's planning CRS).
    pub fn new(attrs: ZoneAttrs, boundary: Boundary, crs: Crs) -> Result<Self, CrsError> {
        let area = measure(&boundary, crs)?;
        Ok(ZoneDraft { attrs, boundary, area })
    }
}

/// A stored zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Feature id.
    pub id: i64,
    /// Optimistic-locking version, from 1.
    pub version: i64,
    /// When it was first written.
    pub created_at: DateTime<Utc>,
    /// When it was last written.
    pub updated_at: DateTime<Utc>,
    /// Attributes, boundary and area.
    pub data: ZoneDraft,
}

/// Why a zone cannot stand where it was drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum PlacementProblem {
    /// Part of the zone lies outside its cluster.
    OutsideCluster {
        /// Area outside, m² in the planning CRS.
        area_m2: f64,
        /// A point inside the part outside, WGS 84 lon/lat.
        point: [f64; 2],
        /// Bounding box of the part outside, WGS 84.
        bbox: [f64; 4],
    },
    /// The zone overlaps another zone of the same cluster.
    Overlap {
        /// The other zone.
        zone_id: i64,
        /// Overlap area, m² in the planning CRS.
        area_m2: f64,
        /// A point inside the overlap, WGS 84 lon/lat.
        point: [f64; 2],
        /// Bounding box of the overlap, WGS 84.
        bbox: [f64; 4],
    },
}

impl PlacementProblem {
    /// Stable machine-readable kind.
    pub fn code(&self) -> &'static str {
        match self {
            PlacementProblem::OutsideCluster { .. } => "zone-outside-cluster",
            PlacementProblem::Overlap { .. } => "zone-overlap",
        }
    }

    /// English explanation with the figures.
    pub fn message(&self) -> String {
        match self {
            PlacementProblem::OutsideCluster { area_m2, point, .. } => format!(
                "{area_m2:.1} m² of the zone lie outside its cluster (e.g. at lon {:.6}, lat {:.6})",
                point[0], point[1]
            ),
            PlacementProblem::Overlap { zone_id, area_m2, point, .. } => format!(
                "the zone overlaps zone {zone_id} by {area_m2:.1} m² (e.g. at lon {:.6}, lat {:.6})",
                point[0], point[1]
            ),
        }
    }
}

/// Area of a WGS 84 geometry in `crs`, m².
fn projected_area_m2(geometry: &MultiPolygon<f64>, crs: Crs) -> Result<f64, CrsError> {
    let mut projected = geometry.clone();
    transform_geometry(Crs::WGS84, crs, &mut projected)?;
    Ok(projected.unsigned_area())
}

fn locate(piece: &MultiPolygon<f64>) -> ([f64; 2], [f64; 4]) {
    let point = piece.interior_point().map_or([f64::NAN, f64::NAN], |p| [p.x(), p.y()]);
    let bbox = piece.bounding_rect().map_or([f64::NAN; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y]);
    (point, bbox)
}

fn boxes_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Checks that `zone` lies inside `cluster` and overlaps none of `siblings` (the other zones of
/// the same cluster, the zone itself excluded), measuring in `crs`. Every problem is reported;
/// pieces under [`PLACEMENT_TOLERANCE_M2`] are ignored.
pub fn check_placement(
    zone: &Boundary,
    cluster: &Boundary,
    siblings: &[(i64, &Boundary)],
    crs: Crs,
) -> Result<Vec<PlacementProblem>, CrsError> {
    let mut problems = Vec::new();
    let shape = zone.as_multi_polygon();
    let outside = shape.difference(cluster.as_multi_polygon());
    let outside_m2 = projected_area_m2(&outside, crs)?;
    if outside_m2 > PLACEMENT_TOLERANCE_M2 {
        let (point, bbox) = locate(&outside);
        problems.push(PlacementProblem::OutsideCluster { area_m2: outside_m2, point, bbox });
    }
    let bbox = zone.bbox();
    for (zone_id, other) in siblings {
        if !boxes_meet(bbox, other.bbox()) {
            continue;
        }
        let overlap = shape.intersection(other.as_multi_polygon());
        let area_m2 = projected_area_m2(&overlap, crs)?;
        if area_m2 > PLACEMENT_TOLERANCE_M2 {
            let (point, bbox) = locate(&overlap);
            problems.push(PlacementProblem::Overlap { zone_id: *zone_id, area_m2, point, bbox });
        }
    }
    Ok(problems)
}

/// Land figures of one cluster, summed from its zones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LandTotals {
    /// Leasable industrial (`IND`) land, ha: the occupancy base.
    pub leasable_industrial_ha: f64,
    /// Leased industrial land, ha.
    pub leased_industrial_ha: f64,
    /// Area per land use, ha.
    pub by_use: BTreeMap<LandUse, f64>,
    /// Number of zones.
    pub zones: u64,
}

impl LandTotals {
    /// Adds one zone's figures.
    pub fn add(&mut self, land_use: LandUse, area_ha: f64, leasable: bool, leased: bool) {
        *self.by_use.entry(land_use).or_default() += area_ha;
        if land_use == LandUse::Industrial && leasable {
            self.leasable_industrial_ha += area_ha;
            if leased {
                self.leased_industrial_ha += area_ha;
            }
        }
        self.zones += 1;
    }

    /// Occupancy: leased ÷ leasable industrial land; `None` without leasable land.
    pub fn occupancy(&self) -> Option<Occupancy> {
        Occupancy::from_land(self.leased_industrial_ha, self.leasable_industrial_ha)
    }
}

#[cfg(test)]
mod tests;
