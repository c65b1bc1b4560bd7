//! Administrative units over time: provinces, districts and communes keyed on official codes
//! and validity periods, never on names (names repeat, and a code can name two units in two
//! periods, as Mỏ Cày's code did before and after the 2009 split).
//!
//! A cluster keeps the facts decided about it; which units it lies in on a given day is derived
//! here, by intersecting its boundary with the units valid that day.

use chrono::NaiveDate;
use geo::{Area, BooleanOps};

use crate::crs::{Crs, CrsError, transform_geometry};
use crate::geometry::Boundary;

/// Level of an administrative unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitLevel {
    /// Province or centrally-run city (tỉnh).
    Province,
    /// District, town or provincial city (huyện, thị xã, thành phố thuộc tỉnh); abolished on
    /// 1 Jul 2025.
    District,
    /// Commune, ward or township (xã, phường, thị trấn).
    Commune,
}

impl UnitLevel {
    /// Every level, from the top.
    pub const ALL: &'static [UnitLevel] = &[UnitLevel::Province, UnitLevel::District, UnitLevel::Commune];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        }
    }

    /// Parses a code produced by [`Self::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        UnitLevel::ALL.iter().copied().find(|l| l.code() == code)
    }
}

/// How one unit became another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuccessionKind {
    /// One unit divided into several (Mỏ Cày → Mỏ Cày Bắc + Mỏ Cày Nam, 2009).
    Split,
    /// Several units joined into one (the 2025 province and commune mergers).
    Merge,
    /// Same territory, new name or rank (thị xã Bến Tre → thành phố Bến Tre, 2009).
    Rename,
    /// Territory moved from one unit to another (xã Phú Hưng into thị xã Bến Tre, 1984).
    Transfer,
    /// The level itself was abolished (districts, 1 Jul 2025).
    Abolish,
}

impl SuccessionKind {
    /// Every kind.
    pub const ALL: &'static [SuccessionKind] = &[
        SuccessionKind::Split,
        SuccessionKind::Merge,
        SuccessionKind::Rename,
        SuccessionKind::Transfer,
        SuccessionKind::Abolish,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            SuccessionKind::Split => "split",
            SuccessionKind::Merge => "merge",
            SuccessionKind::Rename => "rename",
            SuccessionKind::Transfer => "transfer",
            SuccessionKind::Abolish => "abolish",
        }
    }

    /// Parses a code produced by [`Self::code`].
    pub fn from_code(code: &str) -> Option<Self> {
        SuccessionKind::ALL.iter().copied().find(|k| k.code() == code)
    }
}

/// One administrative unit in one validity period.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Official code (GSO list), e.g. `834` for Giồng Trôm.
    pub code: String,
    /// Name with diacritics.
    pub name: String,
    /// Level.
    pub level: UnitLevel,
    /// Code of the unit above it in the same period.
    pub parent_code: Option<String>,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// First day it is no longer valid; `None` while it still is.
    pub valid_to: Option<NaiveDate>,
    /// Territory, WGS 84.
    pub boundary: Boundary,
    /// Source and remarks (e.g. that a boundary is illustrative).
    pub notes: Option<String>,
}

impl Unit {
    /// Whether the unit exists on `day` (`valid_from` inclusive, `valid_to` exclusive).
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|end| day < end)
    }
}

/// A recorded change between units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Succession {
    /// Kind of change.
    pub kind: SuccessionKind,
    /// The unit before.
    pub from_code: String,
    /// The unit after; `None` when the level was abolished.
    pub to_code: Option<String>,
    /// The day the change took effect.
    pub effective: NaiveDate,
    /// The act that decided it, e.g. `Nghị quyết 202/2025/QH15`.
    pub act: Option<String>,
}

/// How much of a cluster lies in one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitShare {
    /// Official code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: UnitLevel,
    /// Area of the cluster inside the unit, ha in the planning CRS.
    pub area_ha: f64,
    /// Fraction of the cluster's area inside the unit, 0 to 1.
    pub share: f64,
}

/// Shares below this fraction are edge noise from boundaries drawn at different scales, not
/// a real presence in the unit.
pub const MIN_SHARE: f64 = 1e-4;

fn area_m2(shape: &geo::MultiPolygon<f64>, crs: Crs) -> Result<f64, CrsError> {
    let mut projected = shape.clone();
    transform_geometry(Crs::WGS84, crs, &mut projected)?;
    Ok(projected.unsigned_area())
}

/// The units among `units` that `site` lies in, with the share of its area in each, measured
/// in `crs`, largest share first. Callers pass the units valid on the day of interest.
pub fn shares(site: &Boundary, units: &[&Unit], crs: Crs) -> Result<Vec<UnitShare>, CrsError> {
    let shape = site.as_multi_polygon();
    let total = area_m2(shape, crs)?;
    let bbox = site.bbox();
    let mut out = Vec::new();
    for unit in units {
        let ub = unit.boundary.bbox();
        if ub[0] > bbox[2] || bbox[0] > ub[2] || ub[1] > bbox[3] || bbox[1] > ub[3] {
            continue;
        }
        let inside = area_m2(&shape.intersection(unit.boundary.as_multi_polygon()), crs)?;
        let share = if total > 0.0 { inside / total } else { 0.0 };
        if share >= MIN_SHARE {
            out.push(UnitShare {
                code: unit.code.clone(),
                name: unit.name.clone(),
                level: unit.level,
                area_ha: inside / 10_000.0,
                share,
            });
        }
    }
    out.sort_by(|a, b| b.share.total_cmp(&a.share).then_with(|| a.code.cmp(&b.code)));
    Ok(out)
}

#[cfg(test)]
mod tests;
