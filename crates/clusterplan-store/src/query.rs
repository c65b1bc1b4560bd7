//! What a read of the clusters layer may select and sort on: the queryables of OGC API -
//! Features Part 3, and the rules both stores follow when they apply a CQL2 filter and a sort.
//!
//! A filter arrives as a checked [`Expr`] (every property one of [`Queryable::ALL`], every
//! predicate suited to the property's type). Each store turns it into SQL whose values are all
//! bound parameters and whose column names come from [`Queryable::column`], never from the
//! request. [`matches`] decides the same filter in Rust on a stored feature; it is the reference
//! the stores are tested against, the exact test after the GeoPackage store's index prefilter,
//! and the whole evaluation for `asOf` reads of past versions.

use std::cmp::Ordering;
use std::sync::Arc;

use clusterplan_core::Cluster;
use clusterplan_core::cql2::{Expr, PropertyType, Value, evaluate};
use geo_types::Geometry;

/// A property of the clusters layer that filters and sorts may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Queryable {
    /// The feature's boundary (CRS84).
    Geometry,
    /// Cluster code, e.g. `BT-CCN-PHMT`.
    Code,
    /// Cluster name.
    Name,
    /// `ccn` or `kcn`.
    Kind,
    /// Planning status code.
    Status,
    /// Planned area in hectares, as decided.
    PlannedAreaHa,
    /// Area of the boundary in the planning CRS, hectares.
    AreaHa,
    /// Geodesic area of the boundary, hectares.
    GeodesicAreaHa,
    /// Planning CRS, e.g. `EPSG:9210`.
    PlanningCrs,
    /// Free notes.
    Notes,
    /// Craft-village site.
    CraftVillage,
    /// Mountainous-district site.
    Mountainous,
    /// Internal roads completed.
    RoadsCompleted,
    /// Water supply completed.
    WaterCompleted,
    /// Wastewater treatment completed.
    WastewaterCompleted,
    /// Current version number.
    Version,
    /// When the feature was first written.
    CreatedAt,
    /// When the feature was last written.
    UpdatedAt,
}

impl Queryable {
    /// Every queryable, in the order the queryables document lists them.
    pub const ALL: [Queryable; 18] = [
        Self::Geometry,
        Self::Code,
        Self::Name,
        Self::Kind,
        Self::Status,
        Self::PlannedAreaHa,
        Self::AreaHa,
        Self::GeodesicAreaHa,
        Self::PlanningCrs,
        Self::Notes,
        Self::CraftVillage,
        Self::Mountainous,
        Self::RoadsCompleted,
        Self::WaterCompleted,
        Self::WastewaterCompleted,
        Self::Version,
        Self::CreatedAt,
        Self::UpdatedAt,
    ];

    /// The name clients use (the feature property's name; `geometry` for the boundary).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Geometry => "geometry",
            Self::Code => "code",
            Self::Name => "name",
            Self::Kind => "kind",
            Self::Status => "status",
            Self::PlannedAreaHa => "planned_area_ha",
            Self::AreaHa => "area_ha",
            Self::GeodesicAreaHa => "geodesic_area_ha",
            Self::PlanningCrs => "planning_crs",
            Self::Notes => "notes",
            Self::CraftVillage => "craft_village",
            Self::Mountainous => "mountainous",
            Self::RoadsCompleted => "roads_completed",
            Self::WaterCompleted => "water_completed",
            Self::WastewaterCompleted => "wastewater_completed",
            Self::Version => "version",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }

    /// The queryable a client's name stands for (names compared exactly).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|q| q.name() == name)
    }

    /// Its type, for checking filters and for the queryables document.
    #[must_use]
    pub fn property_type(self) -> PropertyType {
        match self {
            Self::Geometry => PropertyType::Geometry,
            Self::Code | Self::Name | Self::Kind | Self::Status | Self::PlanningCrs | Self::Notes => {
                PropertyType::String
            }
            Self::PlannedAreaHa | Self::AreaHa | Self::GeodesicAreaHa | Self::Version => PropertyType::Number,
            Self::CraftVillage
            | Self::Mountainous
            | Self::RoadsCompleted
            | Self::WaterCompleted
            | Self::WastewaterCompleted => PropertyType::Boolean,
            Self::CreatedAt | Self::UpdatedAt => PropertyType::Timestamp,
        }
    }

    /// The column holding it: the same name in both stores' cluster tables and their published
    /// snapshots. A constant; request text never reaches SQL.
    #[must_use]
    pub(crate) fn column(self) -> &'static str {
        match self {
            Self::Geometry => "geom",
            other => other.name(),
        }
    }

    /// Whether a sort may use it (every queryable but the geometry).
    #[must_use]
    pub fn sortable(self) -> bool {
        self != Self::Geometry
    }

    /// The stored value of a feature, as filters and sorts see it (areas unrounded).
    #[must_use]
    pub fn value(self, c: &Cluster) -> Value {
        let a = &c.data.attrs;
        let flags = a.flags();
        let text = |s: &str| Value::String(s.to_owned());
        match self {
            Self::Geometry => Value::Geometry(Geometry::MultiPolygon(c.data.boundary.as_multi_polygon().clone())),
            Self::Code => text(a.code()),
            Self::Name => text(a.name()),
            Self::Kind => text(a.kind().code()),
            Self::Status => text(a.status().code()),
            Self::PlannedAreaHa => a.planned_area_ha().map_or(Value::Null, Value::Number),
            Self::AreaHa => Value::Number(c.data.area.projected_ha),
            Self::GeodesicAreaHa => Value::Number(c.data.area.geodesic_ha),
            Self::PlanningCrs => Value::String(a.planning_crs().to_string()),
            Self::Notes => a.notes().map_or(Value::Null, text),
            Self::CraftVillage => Value::Bool(flags.craft_village),
            Self::Mountainous => Value::Bool(flags.mountainous),
            Self::RoadsCompleted => Value::Bool(flags.roads_completed),
            Self::WaterCompleted => Value::Bool(flags.water_completed),
            Self::WastewaterCompleted => Value::Bool(flags.wastewater_completed),
            #[allow(clippy::cast_precision_loss)]
            Self::Version => Value::Number(c.version as f64),
            Self::CreatedAt => Value::Timestamp(c.created_at),
            Self::UpdatedAt => Value::Timestamp(c.updated_at),
        }
    }
}

/// The queryables as `check_properties` takes them.
#[must_use]
pub fn queryable_types() -> Vec<(&'static str, PropertyType)> {
    Queryable::ALL.into_iter().map(|q| (q.name(), q.property_type())).collect()
}

/// One key of a sort: `sortby=-updated_at,name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// What to sort on; never [`Queryable::Geometry`].
    pub by: Queryable,
    /// Largest first.
    pub descending: bool,
}

/// A filter and a sort, shared by a query's copies (pages, counts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// A CQL2 filter already checked against [`Queryable::ALL`].
    pub filter: Option<Expr>,
    /// Sort keys, most significant first; ties and the rest by id.
    pub sort: Vec<SortKey>,
}

impl Selection {
    /// Whether it neither filters nor sorts.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.filter.is_none() && self.sort.is_empty()
    }

    /// Shared, for [`crate::ClusterQuery::selection`].
    #[must_use]
    pub fn shared(self) -> Option<Arc<Selection>> {
        (!self.is_empty()).then(|| Arc::new(self))
    }
}

/// Whether a stored feature passes a filter, decided in Rust (SQL's three-valued logic).
#[must_use]
pub fn matches(filter: &Expr, cluster: &Cluster) -> bool {
    evaluate(filter, &|prop| Queryable::from_name(prop).map(|q| q.value(cluster)))
}

/// The order a sort puts two features in, as both stores' SQL does: strings by code point
/// (PostgreSQL's `C` collation, SQLite's `BINARY`), `false` before `true`, NULLs last in either
/// direction, then by id.
#[must_use]
pub fn compare(sort: &[SortKey], a: &Cluster, b: &Cluster) -> Ordering {
    for key in sort {
        let ordering = match (key.by.value(a), key.by.value(b)) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => return Ordering::Greater,
            (_, Value::Null) => return Ordering::Less,
            (left, right) => {
                let ordering = order_values(&left, &right);
                if key.descending { ordering.reverse() } else { ordering }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.id.cmp(&b.id)
}

fn order_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_str().cmp(y.as_str()),
        (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::Timestamp(x), Value::Timestamp(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Whether a boundary intersects a bounding box exactly (not only by envelopes).
pub(crate) fn intersects_bbox(boundary: &clusterplan_core::Boundary, bbox: [f64; 4]) -> bool {
    use geo::Intersects;
    boundary.as_multi_polygon().intersects(&bbox_rect(bbox))
}

/// [`intersects_bbox`] of any stored geometry.
pub(crate) fn geometry_meets_bbox(geometry: &Geometry<f64>, bbox: [f64; 4]) -> bool {
    use geo::Intersects;
    geometry.intersects(&bbox_rect(bbox))
}

fn bbox_rect([minx, miny, maxx, maxy]: [f64; 4]) -> geo_types::Rect<f64> {
    geo_types::Rect::new(geo_types::coord! { x: minx, y: miny }, geo_types::coord! { x: maxx, y: maxy })
}
