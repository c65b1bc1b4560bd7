//! What can be wrong with a boundary, and where.

use std::fmt;

/// The kind of a geometry problem; its `code()` is the machine-readable name on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// No polygon, or a polygon without a shell.
    Empty,
    /// A position with fewer than two numbers.
    BadPosition,
    /// NaN or infinite coordinate.
    NonFiniteCoordinate,
    /// Longitude outside −180..180 or latitude outside −90..90.
    CoordinateOutOfRange,
    /// First and last positions of a ring differ.
    UnclosedRing,
    /// Fewer than four positions (three distinct) in a ring.
    TooFewPositions,
    /// More vertices than the service accepts in one feature.
    TooManyVertices,
    /// Two edges of one ring cross or touch (bow-tie, loop, spike, self-touch).
    SelfIntersection,
    /// Edges of two different rings of one polygon cross or overlap along a line.
    RingsIntersect,
    /// A hole lies (partly) outside its shell.
    HoleOutsideShell,
    /// A hole lies inside another hole.
    NestedHoles,
    /// Rings touch so that the interior of the polygon is split in pieces.
    InteriorDisconnected,
    /// Two parts of a multipolygon overlap, or share an edge.
    PolygonsOverlap,
    /// A part of a multipolygon lies inside another part.
    NestedShells,
    /// A ring or the whole boundary encloses no area.
    ZeroArea,
}

impl ProblemKind {
    /// Stable, machine-readable code (`snake_case`).
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Empty => "empty",
            ProblemKind::BadPosition => "bad_position",
            ProblemKind::NonFiniteCoordinate => "non_finite_coordinate",
            ProblemKind::CoordinateOutOfRange => "coordinate_out_of_range",
            ProblemKind::UnclosedRing => "unclosed_ring",
            ProblemKind::TooFewPositions => "too_few_positions",
            ProblemKind::TooManyVertices => "too_many_vertices",
            ProblemKind::SelfIntersection => "self_intersection",
            ProblemKind::RingsIntersect => "rings_intersect",
            ProblemKind::HoleOutsideShell => "hole_outside_shell",
            ProblemKind::NestedHoles => "nested_holes",
            ProblemKind::InteriorDisconnected => "interior_disconnected",
            ProblemKind::PolygonsOverlap => "polygons_overlap",
            ProblemKind::NestedShells => "nested_shells",
            ProblemKind::ZeroArea => "zero_area",
        }
    }
}

/// Where a problem is, as indexes into the input (0-based) and, when there is one, the point.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProblemLocation {
    /// Index of the polygon in a multipolygon (0 for a polygon).
    pub polygon: Option<usize>,
    /// Ring index inside the polygon: 0 is the shell, 1.. are holes.
    pub ring: Option<usize>,
    /// Vertex index inside the ring, as sent.
    pub vertex: Option<usize>,
    /// The other ring involved, for problems between two rings.
    pub other_ring: Option<usize>,
    /// The other polygon involved, for problems between two parts.
    pub other_polygon: Option<usize>,
    /// The point where it happens (lon, lat), e.g. a self-intersection.
    pub point: Option<[f64; 2]>,
}

/// One thing wrong with a boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct GeometryProblem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// Where.
    pub location: ProblemLocation,
    /// A sentence for people, in English.
    pub message: String,
}

impl fmt::Display for GeometryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
