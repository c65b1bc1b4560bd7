//! Boundaries: raw input positions, their validation, and the validated [`Boundary`] type.
//!
//! Input arrives as nested position arrays (the shape GeoJSON, WKT and forms share), so that
//! problems can be reported against the positions the user actually sent: polygon, ring and
//! vertex indexes refer to the input, before duplicate points are removed.

mod problem;
mod validate;

pub use problem::{GeometryProblem, ProblemKind, ProblemLocation};
pub use validate::{MAX_VERTICES, validate};

use geo_types::{MultiPolygon, Polygon};

/// One position as sent: `[lon, lat]` or `[lon, lat, altitude]` (altitude is ignored).
pub type RawPosition = Vec<f64>;
/// A ring as sent: its positions, first and last expected to be equal.
pub type RawRing = Vec<RawPosition>;
/// A polygon as sent: the shell first, then holes.
pub type RawPolygon = Vec<RawRing>;

/// A boundary as received, not yet validated.
#[derive(Debug, Clone, PartialEq)]
pub enum RawBoundary {
    /// One polygon: shell and holes.
    Polygon(RawPolygon),
    /// Several polygons.
    MultiPolygon(Vec<RawPolygon>),
}

impl RawBoundary {
    /// A geometry read by a library (a file, a clip) as input to [`validate`]: every ring of
    /// every polygon, shell first, as positions.
    pub fn from_multi_polygon(shape: &MultiPolygon<f64>) -> Self {
        RawBoundary::MultiPolygon(
            shape
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|ring| ring.coords().map(|c| vec![c.x, c.y]).collect())
                        .collect()
                })
                .collect(),
        )
    }

    /// The input as a list of polygons, whatever its type.
    pub fn polygons(&self) -> &[RawPolygon] {
        match self {
            RawBoundary::Polygon(p) => std::slice::from_ref(p),
            RawBoundary::MultiPolygon(ps) => ps,
        }
    }
}

/// A validated boundary in WGS 84 lon/lat (EPSG:4326, longitude first).
///
/// Invariants, established by [`validate`] and kept by every constructor: at least one
/// polygon; every ring closed with at least four positions and no consecutive duplicates;
/// finite coordinates inside lon −180..180 and lat −90..90; rings simple; holes inside their
/// shell and not overlapping each other; parts of a multipolygon not overlapping; interior
/// connected; non-zero area; shells counter-clockwise and holes clockwise (RFC 7946).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary(MultiPolygon<f64>);

impl Boundary {
    /// Wraps a multipolygon that has already passed [`validate`].
    pub(crate) fn from_validated(multi: MultiPolygon<f64>) -> Self {
        Boundary(multi)
    }

    /// Re-validates a geometry read back from storage, where it was valid when written.
    pub fn from_stored(multi: &MultiPolygon<f64>) -> Result<Self, Vec<GeometryProblem>> {
        let raw = RawBoundary::MultiPolygon(
            multi
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| r.coords().map(|c| vec![c.x, c.y]).collect())
                        .collect()
                })
                .collect(),
        );
        validate(&raw)
    }

    /// Trusts a geometry read back from our own storage, which was validated when written.
    ///
    /// Re-validating on every read would make large layers slow; the stores only ever write
    /// [`Boundary`] values, so the invariants hold for what they read.
    pub fn from_trusted_storage(multi: MultiPolygon<f64>) -> Self {
        Boundary(multi)
    }

    /// The boundary as a multipolygon (one part or more).
    pub fn as_multi_polygon(&self) -> &MultiPolygon<f64> {
        &self.0
    }

    /// The single polygon when the boundary has exactly one part.
    pub fn single_polygon(&self) -> Option<&Polygon<f64>> {
        match self.0.0.as_slice() {
            [p] => Some(p),
            _ => None,
        }
    }

    /// Number of positions in all rings, closing positions included.
    pub fn vertex_count(&self) -> usize {
        self.0.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).map(|r| r.0.len()).sum()
    }

    /// Bounding box as `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn bbox(&self) -> [f64; 4] {
        use geo::BoundingRect;
        // A validated boundary is never empty, so the rectangle always exists.
        let r = self.0.bounding_rect().unwrap_or_else(|| {
            geo_types::Rect::new(geo_types::coord! {x: 0.0, y: 0.0}, geo_types::coord! {x: 0.0, y: 0.0})
        });
        [r.min().x, r.min().y, r.max().x, r.max().y]
    }
}
