//! Boundary validation with the verdicts of GEOS (`IsValidOp`, what PostGIS `ST_IsValid` runs).
//!
//! The checks run in three stages; a stage that finds problems ends the validation, because
//! the next one assumes what it establishes:
//!
//! 1. size: at most [`MAX_VERTICES`] positions, counted before anything else is looked at;
//! 2. structure: polygons with shells, positions with two finite numbers in lon/lat range,
//!    closed rings with enough distinct positions;
//! 3. topology: rings that enclose no area; edges that cross, touch or overlap (candidate pairs
//!    from one R-tree over all edges, so O(n log n) for ordinary shapes: like GEOS, the work
//!    grows with the pairs of edges whose boxes overlap); holes outside their shell, nested
//!    holes, nested parts; an interior split by touching rings. The containment checks skip
//!    the rings found crossing, and connectivity is judged only for polygons with no other
//!    problem, where the question still has a meaning.
//!
//! Inside a stage every problem is reported, not just the first. The topology stage follows the
//! decisions of GEOS's `PolygonTopologyAnalyzer`, `PolygonIntersectionAnalyzer`,
//! `PolygonRing` and `IsValidOp` (GEOS 3.10 and later) rather than calling `geo` 0.33's
//! `Validation`: that one does not check that the interior is connected and misses a zero-area
//! and a bow-tie case of GEOS's suite, it compares holes pairwise (quadratic in their number),
//! and it reports neither points nor input vertex indexes. The geometric primitives are `geo`'s:
//! its robust orientation predicate, its port of JTS's `RobustLineIntersector`, and
//! `Winding`/`Orient` for ring orientation. The test suite checks the verdict on every polygon
//! case of GEOS's own validity tests.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use geo::kernels::RobustKernel;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::orient::Direction;
use geo::{Kernel, Orient, Orientation, Winding};
use geo_types::{Coord, Line, LineString, MultiPolygon, Polygon};
use rstar::{AABB, Envelope, RTree, RTreeObject};

use super::{Boundary, GeometryProblem, ProblemKind, ProblemLocation, RawBoundary, RawPolygon, RawRing};

/// The most positions (closing positions included) accepted in one feature.
///
/// PostGIS needs 2.2 s just to parse a 1 000 001-vertex polygon, and every tile over a huge
/// feature pays for it again; a cluster boundary never needs this many.
pub const MAX_VERTICES: usize = 100_000;

/// The most problems reported for one boundary.
///
/// A scribble can have millions of self-intersections; nobody fixes those one by one, and the
/// cap bounds the work done on hostile input.
const MAX_PROBLEMS: usize = 1_000;

/// Per ring and per kind, position problems (bad, non-finite, out of range) listed one by one
/// before the rest are summed up in one problem: a ring in projected metres would otherwise
/// produce one problem per vertex.
const MAX_POSITION_PROBLEMS_PER_RING: usize = 10;

/// Rings with at most this many positions are scanned directly rather than through an R-tree.
const SMALL_RING: usize = 32;

/// Validates a boundary as sent and returns it normalised, or every problem found.
///
/// Positions are WGS 84 `[lon, lat]` (an altitude, if any, is ignored). The verdict is the
/// same as PostGIS `ST_IsValid` / GEOS `IsValidOp`, plus the rules of a cluster boundary:
/// longitude and latitude in range, at least one polygon with a non-empty shell.
///
/// Normalisation: consecutive duplicate positions are removed, holes sent as empty arrays are
/// dropped (GEOS and PostGIS accept them; they enclose nothing), altitudes are dropped, shells
/// become counter-clockwise and holes clockwise (RFC 7946).
///
/// Problem locations index the input as sent: polygon, ring (0 is the shell) and vertex
/// indexes count the positions before duplicates are removed. At most 1 000 problems are
/// reported.
pub fn validate(raw: &RawBoundary) -> Result<Boundary, Vec<GeometryProblem>> {
    let polygons = raw.polygons();

    // Counting is O(rings): it needs no look at the positions, so huge input is turned away
    // before any real work.
    let positions: usize = polygons.iter().flatten().map(Vec::len).sum();
    if positions > MAX_VERTICES {
        return Err(vec![GeometryProblem {
            kind: ProblemKind::TooManyVertices,
            location: ProblemLocation::default(),
            message: format!(
                "the boundary has {positions} positions; at most {MAX_VERTICES} are accepted \
                 in one feature, so simplify it or split it"
            ),
        }]);
    }

    let mut problems = Problems::default();
    let parts = check_structure(polygons, &mut problems);
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }

    let mut rings = Vec::new();
    let mut ranges = Vec::new();
    for part in parts {
        let start = rings.len();
        rings.extend(part);
        ranges.push(start..rings.len());
    }
    let mut topology = Topology::new(&rings, &ranges, problems);
    topology.check();
    let mut problems = topology.problems;
    if !problems.is_empty() {
        problems.sort_by_location();
        return Err(problems.into_vec());
    }

    let multi = MultiPolygon::new(
        ranges
            .iter()
            .map(|range| {
                let mut part = rings[range.clone()].iter().map(|ring| LineString::new(ring.coords.clone()));
                let shell = part.next().unwrap_or_else(|| LineString::new(Vec::new()));
                Polygon::new(shell, part.collect())
            })
            .collect(),
    );
    Ok(Boundary::from_validated(multi.orient(Direction::Default)))
}

// ---------------------------------------------------------------------------------------------
// Problems

/// Collects problems, up to [`MAX_PROBLEMS`].
#[derive(Default)]
struct Problems {
    list: Vec<GeometryProblem>,
    /// Kind, polygon, ring, other polygon, other ring and point bits of the problems pushed
    /// with [`Problems::push_once`].
    seen: HashSet<ProblemKey>,
}

type ProblemKey = (ProblemKind, [Option<usize>; 4], Option<[u64; 2]>);

impl Problems {
    fn push(&mut self, kind: ProblemKind, location: ProblemLocation, message: String) {
        if !self.is_full() {
            self.list.push(GeometryProblem { kind, location, message });
        }
    }

    /// Pushes a problem unless one of the same kind between the same rings at the same point
    /// is listed already: one crossing at a vertex is found through several edge pairs.
    fn push_once(&mut self, kind: ProblemKind, location: ProblemLocation, message: String) {
        let key = (
            kind,
            [location.polygon, location.ring, location.other_polygon, location.other_ring],
            location.point.map(|[x, y]| [x.to_bits(), y.to_bits()]),
        );
        if self.seen.insert(key) {
            self.push(kind, location, message);
        }
    }

    fn is_full(&self) -> bool {
        self.list.len() >= MAX_PROBLEMS
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Orders by polygon, ring and vertex, so that a client can walk the list with the shape.
    fn sort_by_location(&mut self) {
        self.list.sort_by_key(|p| {
            (p.location.polygon, p.location.ring, p.location.vertex, p.location.other_polygon, p.location.other_ring)
        });
    }

    fn into_vec(self) -> Vec<GeometryProblem> {
        self.list
    }
}

fn at_ring(polygon: usize, ring: usize) -> ProblemLocation {
    ProblemLocation { polygon: Some(polygon), ring: Some(ring), ..ProblemLocation::default() }
}

/// A point for messages: at most 7 decimals (about 1 cm), trailing zeros dropped.
fn show(c: Coord) -> String {
    fn num(v: f64) -> String {
        let s = format!("{v:.7}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".to_owned() } else { s.to_owned() }
    }
    format!("({}, {})", num(c.x), num(c.y))
}

fn lonlat(c: Coord) -> [f64; 2] {
    [c.x, c.y]
}

// ---------------------------------------------------------------------------------------------
// Stage 2: structure

/// A ring that passed the structural checks: closed, at least three distinct positions, no
/// consecutive duplicates, finite coordinates.
struct Ring {
    /// Index of its polygon in the input.
    polygon: usize,
    /// Index of the ring in its polygon, as sent (0 is the shell).
    index: usize,
    /// Positions without consecutive duplicates; the last equals the first.
    coords: Vec<Coord>,
    /// `sent[k]` is the index in the input ring of the position where edge `k` starts (the
    /// last of a run of duplicates).
    sent: Vec<usize>,
    env: AABB<[f64; 2]>,
    ccw: bool,
    /// Edges of this ring alone, for point location; built on first use.
    tree: OnceCell<RTree<Edge>>,
}

impl Ring {
    fn new(polygon: usize, index: usize, coords: Vec<Coord>, sent: Vec<usize>) -> Self {
        let env = AABB::from_points(&coords.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>());
        let ccw = LineString::new(coords.clone()).is_ccw();
        Ring { polygon, index, coords, sent, env, ccw, tree: OnceCell::new() }
    }

    /// Number of edges.
    fn edge_count(&self) -> usize {
        self.coords.len() - 1
    }

    fn edge(&self, ring: usize, seg: usize) -> Edge {
        let (a, b) = (self.coords[seg], self.coords[seg + 1]);
        Edge { ring, seg, env: AABB::from_corners([a.x, a.y], [b.x, b.y]) }
    }

    fn line(&self, seg: usize) -> Line {
        Line::new(self.coords[seg], self.coords[seg + 1])
    }

    /// The vertex before vertex `k`, going round the ring.
    fn prev(&self, k: usize) -> Coord {
        if k == 0 { self.coords[self.coords.len() - 2] } else { self.coords[k - 1] }
    }

    /// The vertex after vertex `k`, going round the ring.
    fn next(&self, k: usize) -> Coord {
        // The last position is the closing copy of vertex 0, followed by vertex 1.
        if k + 1 == self.coords.len() { self.coords[1] } else { self.coords[k + 1] }
    }

    /// The far ends `(before, after)` of the two edges of this ring that meet at `pt`, which
    /// lies on edge `seg`; for `pt` inside the edge, the edge's own ends.
    fn edges_at(&self, seg: usize, pt: Coord) -> (Coord, Coord) {
        let (start, end) = (self.coords[seg], self.coords[seg + 1]);
        if pt == start {
            (self.prev(seg), end)
        } else if pt == end {
            (start, self.next(seg + 1))
        } else {
            (start, end)
        }
    }

    fn tree(&self) -> &RTree<Edge> {
        self.tree.get_or_init(|| RTree::bulk_load((0..self.edge_count()).map(|s| self.edge(0, s)).collect()))
    }

    /// Calls `f` with the index of every edge whose envelope intersects `env`.
    fn for_edges_in(&self, env: &AABB<[f64; 2]>, mut f: impl FnMut(usize)) {
        if self.coords.len() <= SMALL_RING {
            (0..self.edge_count()).filter(|&s| self.edge(0, s).env.intersects(env)).for_each(f);
        } else {
            for e in self.tree().locate_in_envelope_intersecting(env) {
                f(e.seg);
            }
        }
    }

    /// Where `p` lies relative to this ring (the ray-crossing rule of JTS's `RayCrossingCounter`).
    fn locate(&self, p: Coord) -> Location {
        if !self.env.contains_point(&[p.x, p.y]) {
            return Location::Exterior;
        }
        let mut counter = RayCrossingCounter::new(p);
        let ray = AABB::from_corners([p.x, p.y], [self.env.upper()[0], p.y]);
        self.for_edges_in(&ray, |s| counter.count(self.coords[s], self.coords[s + 1]));
        counter.location()
    }

    /// The neighbours of `pt` along this ring, `(previous, next)`, when `pt` lies on it
    /// (JTS's `intersectingSegIndex` with `findRingVertexPrev`/`Next`).
    fn neighbours_at(&self, pt: Coord) -> Option<(Coord, Coord)> {
        let mut first = None;
        self.for_edges_in(&AABB::from_point([pt.x, pt.y]), |s| {
            if is_on_segment(pt, self.coords[s], self.coords[s + 1]) && first.is_none_or(|f| s < f) {
                first = Some(s);
            }
        });
        let seg = first?;
        let last = self.coords.len() - 1;
        if pt == self.coords[seg] || pt == self.coords[seg + 1] {
            let v = if pt == self.coords[seg] { seg } else { seg + 1 };
            let v = if v == last { 0 } else { v };
            Some((self.prev(v), self.coords[v + 1]))
        } else {
            Some((self.coords[seg], self.coords[seg + 1]))
        }
    }
}

fn check_structure(polygons: &[RawPolygon], problems: &mut Problems) -> Vec<Vec<Ring>> {
    if polygons.is_empty() {
        problems.push(ProblemKind::Empty, ProblemLocation::default(), "the boundary has no polygon".to_owned());
        return Vec::new();
    }
    let mut parts = Vec::with_capacity(polygons.len());
    for (p, polygon) in polygons.iter().enumerate() {
        match polygon.first() {
            None => problems.push(
                ProblemKind::Empty,
                ProblemLocation { polygon: Some(p), ..ProblemLocation::default() },
                format!("polygon {p} has no rings; it needs at least a shell"),
            ),
            Some(shell) if shell.is_empty() => problems.push(
                ProblemKind::Empty,
                at_ring(p, 0),
                format!("the shell (ring 0) of polygon {p} has no positions"),
            ),
            Some(_) => {}
        }
        let rings = polygon
            .iter()
            .enumerate()
            // An empty shell is reported above; an empty hole is dropped: it encloses nothing,
            // and GEOS and PostGIS accept it.
            .filter(|(_, raw)| !raw.is_empty())
            .filter_map(|(r, raw)| check_ring(p, r, raw, problems))
            .collect();
        parts.push(rings);
    }
    parts
}

/// Checks the positions, closure and size of one ring; returns it when all are right.
fn check_ring(p: usize, r: usize, raw: &RawRing, problems: &mut Problems) -> Option<Ring> {
    let name = format!("ring {r} of polygon {p}");
    if !check_positions(p, r, raw, &name, problems) {
        // Closure and size mean nothing while positions are missing or NaN.
        return None;
    }

    let coord = |pos: &[f64]| Coord { x: pos[0], y: pos[1] };
    let (first, last) = (coord(&raw[0]), coord(&raw[raw.len() - 1]));
    if first != last {
        problems.push(
            ProblemKind::UnclosedRing,
            ProblemLocation { vertex: Some(raw.len() - 1), point: Some(lonlat(last)), ..at_ring(p, r) },
            format!(
                "{name} is not closed: its last position {} differs from its first {}; \
                 repeat the first position at the end",
                show(last),
                show(first)
            ),
        );
        return None;
    }

    let mut coords: Vec<Coord> = Vec::with_capacity(raw.len());
    let mut sent = Vec::with_capacity(raw.len());
    for (v, pos) in raw.iter().enumerate() {
        let c = coord(pos);
        if coords.last() == Some(&c) {
            // Keep the index of the last copy: the edge to the next position starts there.
            if let Some(s) = sent.last_mut() {
                *s = v;
            }
        } else {
            coords.push(c);
            sent.push(v);
        }
    }
    if raw.len() < 4 || coords.len() < 4 {
        // The closing position repeats the first, so it is not counted as distinct.
        let distinct = coords.len().saturating_sub(1).max(1);
        problems.push(
            ProblemKind::TooFewPositions,
            at_ring(p, r),
            format!(
                "{name} has too few positions: {} sent, {distinct} distinct once repeats are \
                 removed; a ring needs at least 4 positions (the last repeating the first) and \
                 3 distinct points",
                raw.len()
            ),
        );
        return None;
    }
    Some(Ring::new(p, r, coords, sent))
}

/// Checks that every position of a ring has two finite numbers in the lon/lat range; returns
/// whether all have two finite numbers (out-of-range ones still make a usable ring).
fn check_positions(p: usize, r: usize, raw: &RawRing, name: &str, problems: &mut Problems) -> bool {
    let mut bad = PositionProblems::default();
    let mut usable = true;
    for (v, pos) in raw.iter().enumerate() {
        let location = ProblemLocation { vertex: Some(v), ..at_ring(p, r) };
        let &[lon, lat, ..] = pos.as_slice() else {
            usable = false;
            let n = pos.len();
            let numbers = if n == 1 { "number" } else { "numbers" };
            bad.add(problems, ProblemKind::BadPosition, location, || {
                format!(
                    "position {v} of {name} has {n} {numbers}; a position needs a longitude \
                     and a latitude"
                )
            });
            continue;
        };
        if !lon.is_finite() || !lat.is_finite() {
            usable = false;
            bad.add(problems, ProblemKind::NonFiniteCoordinate, location, || {
                format!("position {v} of {name} is ({lon}, {lat}): coordinates must be finite numbers")
            });
            continue;
        }
        let lon_ok = (-180.0..=180.0).contains(&lon);
        let lat_ok = (-90.0..=90.0).contains(&lat);
        if !lon_ok || !lat_ok {
            let rule = match (lon_ok, lat_ok) {
                (false, true) => "the longitude must be between -180 and 180",
                (true, false) => "the latitude must be between -90 and 90",
                _ => "the longitude must be between -180 and 180 and the latitude between -90 and 90",
            };
            let location = ProblemLocation { point: Some([lon, lat]), ..location };
            bad.add(problems, ProblemKind::CoordinateOutOfRange, location, || {
                format!(
                    "position {v} of {name} is {}: {rule} (WGS 84, longitude first)",
                    show(Coord { x: lon, y: lat })
                )
            });
        }
    }
    bad.summarise(problems, p, r, name);
    usable
}

/// Counts position problems of one ring, listing the first few of each kind.
#[derive(Default)]
struct PositionProblems {
    /// Count of problems per kind, in the order kinds first appeared.
    counts: Vec<(ProblemKind, usize)>,
}

impl PositionProblems {
    fn add(
        &mut self,
        problems: &mut Problems,
        kind: ProblemKind,
        location: ProblemLocation,
        message: impl FnOnce() -> String,
    ) {
        let i = self.counts.iter().position(|&(k, _)| k == kind).unwrap_or_else(|| {
            self.counts.push((kind, 0));
            self.counts.len() - 1
        });
        self.counts[i].1 += 1;
        if self.counts[i].1 <= MAX_POSITION_PROBLEMS_PER_RING {
            problems.push(kind, location, message());
        }
    }

    fn summarise(&self, problems: &mut Problems, p: usize, r: usize, name: &str) {
        for &(kind, n) in &self.counts {
            if n > MAX_POSITION_PROBLEMS_PER_RING {
                let what = match kind {
                    ProblemKind::BadPosition => "lack a longitude or latitude",
                    ProblemKind::NonFiniteCoordinate => "have coordinates that are not finite",
                    _ => "are outside the WGS 84 longitude/latitude range",
                };
                problems.push(
                    kind,
                    at_ring(p, r),
                    format!("{} more positions of {name} {what} ({n} in all)", n - MAX_POSITION_PROBLEMS_PER_RING),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stage 3: topology

/// One edge of a ring, in an R-tree.
#[derive(Clone, Copy, Debug)]
struct Edge {
    /// Index of the ring in [`Topology::rings`] (0 in a ring's own tree).
    ring: usize,
    /// Index of the edge in the ring's deduplicated positions.
    seg: usize,
    env: AABB<[f64; 2]>,
}

impl RTreeObject for Edge {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// A box with an index, for R-trees of ring and polygon envelopes.
#[derive(Clone, Copy, Debug)]
struct Boxed {
    id: usize,
    env: AABB<[f64; 2]>,
}

impl RTreeObject for Boxed {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Location {
    Interior,
    Boundary,
    Exterior,
}

/// How two edges meet, when that makes the boundary invalid.
#[derive(Clone, Copy, Debug)]
enum Contact {
    /// They cross (at a vertex or not).
    Cross(Coord),
    /// Two non-adjacent edges of one ring touch without crossing.
    Touch(Coord),
    /// They overlap along a segment.
    Overlap(Line),
}

/// State of the topology stage over all rings of all polygons.
struct Topology<'a> {
    rings: &'a [Ring],
    /// Ring indexes of each polygon; the first is the shell.
    polygons: &'a [Range<usize>],
    problems: Problems,
    /// Rings whose positions all lie on one line.
    degenerate: Vec<bool>,
    /// Rings that cross, touch or overlap themselves.
    self_intersecting: Vec<bool>,
    /// Pairs of rings (lower index first) that cross or overlap each other.
    crossing_rings: HashSet<(usize, usize)>,
    /// Pairs of polygons (lower index first) that cross or overlap each other.
    crossing_polygons: HashSet<(usize, usize)>,
    /// Polygons with a problem of their own, whose interior cannot be judged.
    polygon_invalid: Vec<bool>,
    /// First touch point of each pair of rings of one polygon (lower index first).
    touches: HashMap<(usize, usize), Coord>,
    /// Touches of each ring, in the order found: other ring and point.
    touch_list: Vec<Vec<(usize, Coord)>>,
    /// Pairs of rings of one polygon that touch at two different points: first and second.
    double_touches: Vec<(usize, usize, Coord, Coord)>,
}

impl<'a> Topology<'a> {
    fn new(rings: &'a [Ring], polygons: &'a [Range<usize>], problems: Problems) -> Self {
        Topology {
            rings,
            polygons,
            problems,
            degenerate: vec![false; rings.len()],
            self_intersecting: vec![false; rings.len()],
            crossing_rings: HashSet::new(),
            crossing_polygons: HashSet::new(),
            polygon_invalid: vec![false; polygons.len()],
            touches: HashMap::new(),
            touch_list: vec![Vec::new(); rings.len()],
            double_touches: Vec::new(),
        }
    }

    fn check(&mut self) {
        self.check_zero_area();
        self.check_intersections();
        self.check_holes_in_shells();
        self.check_holes_not_nested();
        self.check_shells_not_nested();
        self.check_interiors_connected();
    }

    /// A ring whose positions all lie on one line encloses nothing. GEOS reports it as a
    /// self-intersection (it must run back over itself); saying it has no area is clearer, and
    /// the ring takes no part in the later checks, where it would only add noise.
    fn check_zero_area(&mut self) {
        for (i, ring) in self.rings.iter().enumerate() {
            let (a, b) = (ring.coords[0], ring.coords[1]);
            if ring.coords[2..].iter().all(|&c| RobustKernel::orient2d(a, b, c) == Orientation::Collinear) {
                self.degenerate[i] = true;
                self.polygon_invalid[ring.polygon] = true;
                self.problems.push(
                    ProblemKind::ZeroArea,
                    at_ring(ring.polygon, ring.index),
                    format!(
                        "ring {} of polygon {} encloses no area: all its positions lie on one line",
                        ring.index, ring.polygon
                    ),
                );
            }
        }
    }

    /// Finds edges that cross, overlap or (within one ring) touch, and records the touches
    /// between rings of one polygon for [`Self::check_interiors_connected`].
    fn check_intersections(&mut self) {
        let edges: Vec<Edge> = self
            .rings
            .iter()
            .enumerate()
            .filter(|&(i, _)| !self.degenerate[i])
            .flat_map(|(i, ring)| (0..ring.edge_count()).map(move |s| ring.edge(i, s)))
            .collect();
        let tree = RTree::bulk_load(edges);
        for a in &tree {
            for b in tree.locate_in_envelope_intersecting(&a.env) {
                // Each pair once, and never an edge with itself.
                if (b.ring, b.seg) > (a.ring, a.seg) {
                    self.check_edge_pair(*a, *b);
                }
            }
            if self.problems.is_full() {
                return;
            }
        }
    }

    /// The rule of GEOS's `PolygonIntersectionAnalyzer::findInvalidIntersection`.
    fn check_edge_pair(&mut self, a: Edge, b: Edge) {
        let (ra, rb) = (&self.rings[a.ring], &self.rings[b.ring]);
        let Some(hit) = line_intersection(ra.line(a.seg), rb.line(b.seg)) else {
            return;
        };
        let pt = match hit {
            LineIntersection::Collinear { intersection } => {
                return self.report(a, b, Contact::Overlap(intersection));
            }
            LineIntersection::SinglePoint { intersection, is_proper: true } => {
                return self.report(a, b, Contact::Cross(intersection));
            }
            LineIntersection::SinglePoint { intersection, .. } => intersection,
        };

        // From here the edges meet at one point, a vertex of at least one of them.
        let same_ring = a.ring == b.ring;
        if same_ring {
            // Neighbours meet at their common vertex; any other contact within a ring is
            // invalid under OGC rules (no self-touching rings, no "inverted" holes).
            let delta = a.seg.abs_diff(b.seg);
            if delta <= 1 || delta >= ra.edge_count() - 1 {
                return;
            }
            let (a0, a1) = ra.edges_at(a.seg, pt);
            let (b0, b1) = ra.edges_at(b.seg, pt);
            // Edges leaving the point in the same direction overlap, and that overlap is
            // reported by their own pair: the base of a spike is not a second problem.
            let same_direction =
                [a0, a1].into_iter().any(|x| [b0, b1].into_iter().any(|y| compare_angle(pt, x, y).is_eq()));
            if same_direction {
                return;
            }
            let contact = if is_crossing(pt, a0, a1, b0, b1) { Contact::Cross(pt) } else { Contact::Touch(pt) };
            return self.report(a, b, contact);
        }

        // A point at the end of an edge is also the start of the next one: look at it there.
        let (p00, p01) = (ra.coords[a.seg], ra.coords[a.seg + 1]);
        let (p10, p11) = (rb.coords[b.seg], rb.coords[b.seg + 1]);
        if pt == p01 || pt == p11 {
            return;
        }
        let (e00, e01) = if pt == p00 { (ra.prev(a.seg), p01) } else { (p00, p01) };
        let (e10, e11) = if pt == p10 { (rb.prev(b.seg), p11) } else { (p10, p11) };
        if is_crossing(pt, e00, e01, e10, e11) {
            return self.report(a, b, Contact::Cross(pt));
        }
        if ra.polygon == rb.polygon {
            self.add_touch(a.ring, b.ring, pt);
        }
    }

    /// Records a touch between two rings of one polygon (GEOS's `PolygonRing::addTouch`).
    fn add_touch(&mut self, r0: usize, r1: usize, pt: Coord) {
        let key = (r0.min(r1), r0.max(r1));
        match self.touches.get(&key) {
            Some(&first) if first != pt => {
                if !self.double_touches.iter().any(|&(x, y, _, _)| (x, y) == key) {
                    self.double_touches.push((key.0, key.1, first, pt));
                }
            }
            Some(_) => {}
            None => {
                self.touches.insert(key, pt);
                self.touch_list[r0].push((r1, pt));
                self.touch_list[r1].push((r0, pt));
            }
        }
    }

    fn report(&mut self, first: Edge, second: Edge, contact: Contact) {
        let (ra, rb) = (&self.rings[first.ring], &self.rings[second.ring]);
        let (va, vb) = (ra.sent[first.seg], rb.sent[second.seg]);
        let (poly, ring) = (ra.polygon, ra.index);
        let (at, to) = match contact {
            Contact::Cross(at) | Contact::Touch(at) => (at, None),
            Contact::Overlap(line) => (line.start, Some(line.end)),
        };
        let edges = format!("edges starting at vertices {va} and {vb}");
        let (kind, message) = if first.ring == second.ring {
            self.self_intersecting[first.ring] = true;
            self.polygon_invalid[poly] = true;
            let message = match contact {
                Contact::Cross(_) => {
                    format!("ring {ring} of polygon {poly} crosses itself at {} between {edges}", show(at))
                }
                Contact::Touch(_) => format!(
                    "ring {ring} of polygon {poly} touches itself at {} between {edges}; a ring must \
                     not touch itself, even at one point",
                    show(at)
                ),
                Contact::Overlap(line) => format!(
                    "ring {ring} of polygon {poly} runs back over itself from {} to {} along {edges} \
                     (a spike or a fold with no area)",
                    show(line.start),
                    show(line.end)
                ),
            };
            (ProblemKind::SelfIntersection, message)
        } else if ra.polygon == rb.polygon {
            self.crossing_rings.insert((first.ring, second.ring));
            self.polygon_invalid[poly] = true;
            let message = match to {
                None => format!("rings {ring} and {} of polygon {poly} cross at {} ({edges})", rb.index, show(at)),
                Some(to) => format!(
                    "rings {ring} and {} of polygon {poly} share the segment from {} to {} ({edges}); \
                     rings may touch only at single points",
                    rb.index,
                    show(at),
                    show(to)
                ),
            };
            (ProblemKind::RingsIntersect, message)
        } else {
            self.crossing_polygons.insert((ra.polygon, rb.polygon));
            let other = rb.polygon;
            let rings = format!("ring {ring} of polygon {poly} and ring {} of polygon {other}", rb.index);
            let message = match to {
                None => format!("polygons {poly} and {other} overlap: {rings} cross at {} ({edges})", show(at)),
                Some(to) => format!(
                    "polygons {poly} and {other} share an edge: {rings} run together from {} to {} \
                     ({edges}); parts may touch only at single points",
                    show(at),
                    show(to)
                ),
            };
            (ProblemKind::PolygonsOverlap, message)
        };
        let location = ProblemLocation {
            polygon: Some(poly),
            ring: Some(ring),
            vertex: Some(va),
            other_ring: (first.ring != second.ring).then_some(rb.index),
            other_polygon: (ra.polygon != rb.polygon).then_some(rb.polygon),
            point: Some(lonlat(at)),
        };
        self.problems.push_once(kind, location, message);
    }

    /// A ring whose own edges meet, or that crosses the ring it is tested against, makes the
    /// inside/outside question ill-posed; such pairs are left out of the nesting checks.
    fn can_test_nesting(&self, inner: usize, outer: usize) -> bool {
        !self.degenerate[inner]
            && !self.degenerate[outer]
            && !self.self_intersecting[inner]
            && !self.self_intersecting[outer]
            && !self.crossing_rings.contains(&(inner.min(outer), inner.max(outer)))
    }

    /// Every hole inside its shell (GEOS's `checkHolesInShell`).
    fn check_holes_in_shells(&mut self) {
        let rings = self.rings;
        for range in self.polygons {
            let shell_id = range.start;
            let shell = &rings[shell_id];
            if self.degenerate[shell_id] {
                continue;
            }
            for (hole_id, hole) in range.clone().zip(&rings[range.clone()]).skip(1) {
                if self.degenerate[hole_id] {
                    continue;
                }
                // A hole reaching out of the shell's envelope is outside whatever else is wrong;
                // inside the envelope, the test needs rings that neither cross nor meet
                // themselves.
                let outside = if shell.env.contains_envelope(&hole.env) {
                    (self.can_test_nesting(hole_id, shell_id) && !is_ring_nested(hole, shell)).then_some(0)
                } else {
                    hole.coords.iter().position(|c| !shell.env.contains_point(&[c.x, c.y]))
                };
                if let Some(k) = outside {
                    let (p, h) = (hole.polygon, hole.index);
                    self.polygon_invalid[p] = true;
                    self.problems.push(
                        ProblemKind::HoleOutsideShell,
                        ProblemLocation {
                            vertex: Some(hole.sent[k]),
                            point: Some(lonlat(hole.coords[k])),
                            ..at_ring(p, h)
                        },
                        format!(
                            "ring {h} of polygon {p} is a hole but is not inside the shell: \
                             see its vertex {} at {}",
                            hole.sent[k],
                            show(hole.coords[k])
                        ),
                    );
                }
            }
        }
    }

    /// No hole inside another hole of the same polygon (GEOS's `IndexedNestedHoleTester`).
    fn check_holes_not_nested(&mut self) {
        let rings = self.rings;
        for range in self.polygons {
            let holes = range.start + 1..range.end;
            if holes.len() < 2 {
                continue;
            }
            let tree = RTree::bulk_load(holes.clone().map(|id| Boxed { id, env: rings[id].env }).collect());
            for inner_id in holes {
                let inner = &rings[inner_id];
                for outer in tree.locate_in_envelope_intersecting(&inner.env) {
                    let outer_id = outer.id;
                    if outer_id == inner_id
                        || !outer.env.contains_envelope(&inner.env)
                        || !self.can_test_nesting(inner_id, outer_id)
                        || !is_ring_nested(inner, &rings[outer_id])
                    {
                        continue;
                    }
                    let (p, h, g) = (inner.polygon, inner.index, rings[outer_id].index);
                    self.polygon_invalid[p] = true;
                    self.problems.push(
                        ProblemKind::NestedHoles,
                        ProblemLocation {
                            vertex: Some(inner.sent[0]),
                            other_ring: Some(g),
                            point: Some(lonlat(inner.coords[0])),
                            ..at_ring(p, h)
                        },
                        format!(
                            "ring {h} of polygon {p} lies inside ring {g}, another hole of the \
                             same polygon; holes must not be nested"
                        ),
                    );
                }
            }
        }
    }

    /// No part of a multipolygon inside another part, unless inside one of its holes (GEOS's
    /// `IndexedNestedPolygonTester`).
    fn check_shells_not_nested(&mut self) {
        let (rings, polygons) = (self.rings, self.polygons);
        if polygons.len() < 2 {
            return;
        }
        let tree = RTree::bulk_load(
            polygons.iter().enumerate().map(|(id, range)| Boxed { id, env: rings[range.start].env }).collect(),
        );
        for (inner, range) in polygons.iter().enumerate() {
            let shell = &rings[range.start];
            if !self.can_locate_in(inner) {
                continue;
            }
            for outer in tree.locate_in_envelope_intersecting(&shell.env) {
                let outer = outer.id;
                if outer == inner
                    || !rings[polygons[outer].start].env.contains_envelope(&shell.env)
                    || !self.can_locate_in(outer)
                    || self.crossing_polygons.contains(&(inner.min(outer), inner.max(outer)))
                {
                    continue;
                }
                let Some(k) = self.nested_point(shell, outer) else {
                    continue;
                };
                self.problems.push(
                    ProblemKind::NestedShells,
                    ProblemLocation {
                        polygon: Some(inner),
                        ring: Some(0),
                        vertex: Some(shell.sent[k]),
                        other_polygon: Some(outer),
                        point: Some(lonlat(shell.coords[k])),
                        ..ProblemLocation::default()
                    },
                    format!(
                        "polygon {inner} lies inside polygon {outer} (see {}); parts of a \
                         multipolygon must not be nested unless one lies in a hole of the other",
                        show(shell.coords[k])
                    ),
                );
            }
        }
    }

    /// Whether points can be located in a polygon: its shell encloses area and no ring of it
    /// meets itself (degenerate holes are simply ignored).
    fn can_locate_in(&self, polygon: usize) -> bool {
        let range = &self.polygons[polygon];
        !self.degenerate[range.start] && range.clone().all(|id| !self.self_intersecting[id])
    }

    /// The vertex of `shell` that shows it inside polygon `outer`, if it is (GEOS's
    /// `findNestedPoint`).
    fn nested_point(&self, shell: &Ring, outer: usize) -> Option<usize> {
        // Two point tests are cheap and usually decide.
        for k in 0..2 {
            match self.locate_in_polygon(shell.coords[k], outer) {
                Location::Exterior => return None,
                Location::Interior => return Some(k),
                Location::Boundary => {}
            }
        }
        // Both on the other part's boundary: since rings do not cross, the shell is either
        // inside that part's shell and outside its holes, or not nested.
        let range = &self.polygons[outer];
        if !is_ring_nested(shell, &self.rings[range.start]) {
            return None;
        }
        let in_hole = (range.start + 1..range.end).any(|id| {
            let hole = &self.rings[id];
            !self.degenerate[id] && hole.env.contains_envelope(&shell.env) && is_ring_nested(shell, hole)
        });
        (!in_hole).then_some(0)
    }

    fn locate_in_polygon(&self, pt: Coord, polygon: usize) -> Location {
        let range = &self.polygons[polygon];
        match self.rings[range.start].locate(pt) {
            Location::Interior => {}
            other => return other,
        }
        for id in range.start + 1..range.end {
            if self.degenerate[id] {
                continue;
            }
            match self.rings[id].locate(pt) {
                Location::Interior => return Location::Exterior,
                Location::Boundary => return Location::Boundary,
                Location::Exterior => {}
            }
        }
        Location::Interior
    }

    /// The interior of each polygon is connected: no two rings touch twice, and rings touching
    /// one by one do not form a closed chain (GEOS's double-touch and `findHoleCycleLocation`).
    /// Judged only for polygons without other problems, where touches are the only contacts.
    fn check_interiors_connected(&mut self) {
        let mut reported = vec![false; self.polygons.len()];
        for &(r0, r1, first, second) in &self.double_touches {
            let (a, b) = (&self.rings[r0], &self.rings[r1]);
            let p = a.polygon;
            if self.polygon_invalid[p] {
                continue;
            }
            reported[p] = true;
            self.problems.push(
                ProblemKind::InteriorDisconnected,
                ProblemLocation { other_ring: Some(b.index), point: Some(lonlat(second)), ..at_ring(p, a.index) },
                format!(
                    "rings {} and {} of polygon {p} touch at two points, {} and {}, which cuts \
                     the interior of the polygon in pieces",
                    a.index,
                    b.index,
                    show(first),
                    show(second)
                ),
            );
        }
        let mut root: Vec<Option<usize>> = vec![None; self.rings.len()];
        for (p, range) in self.polygons.iter().enumerate() {
            if self.polygon_invalid[p] || reported[p] || range.len() < 2 {
                continue;
            }
            if let Some((r0, r1, pt)) = self.find_hole_cycle(range.clone(), &mut root) {
                let (a, b) = (self.rings[r0].index, self.rings[r1].index);
                self.problems.push(
                    ProblemKind::InteriorDisconnected,
                    ProblemLocation { other_ring: Some(b), point: Some(lonlat(pt)), ..at_ring(p, a) },
                    format!(
                        "the rings of polygon {p} touch one another in a closed chain (closed \
                         where rings {a} and {b} touch at {}), which cuts the interior of the \
                         polygon in pieces",
                        show(pt)
                    ),
                );
            }
        }
    }

    /// Searches the touch graph of one polygon's rings for a cycle that does not pass through
    /// a single point (several rings meeting at one point do not cut the interior). Port of
    /// GEOS's `PolygonRing::findHoleCycleLocation`; returns the rings and point closing it.
    fn find_hole_cycle(&self, rings: Range<usize>, root: &mut [Option<usize>]) -> Option<(usize, usize, Coord)> {
        for start in rings {
            if root[start].is_some() {
                continue;
            }
            root[start] = Some(start);
            let mut stack = Vec::new();
            for &(other, pt) in &self.touch_list[start] {
                root[other] = Some(start);
                stack.push((other, pt));
            }
            while let Some((ring, entry)) = stack.pop() {
                for &(other, pt) in &self.touch_list[ring] {
                    // Touches at the entry point were reached from the previous ring already.
                    if pt == entry {
                        continue;
                    }
                    if root[other] == Some(start) {
                        return Some((ring, other, pt));
                    }
                    root[other] = Some(start);
                    stack.push((other, pt));
                }
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Predicates (ports of JTS/GEOS `PolygonNodeTopology`, `RayCrossingCounter`, `isRingNested`)

/// Whether `test` lies inside `target`, given that the rings do not cross (they may touch).
fn is_ring_nested(test: &Ring, target: &Ring) -> bool {
    let p0 = test.coords[0];
    match target.locate(p0) {
        Location::Exterior => false,
        Location::Interior => true,
        Location::Boundary => {
            // The start lies on the target: the first edge of `test` tells which side it takes.
            let p1 = test.coords[1];
            let Some((mut prev, mut next)) = target.neighbours_at(p0) else {
                return false;
            };
            // The interior of a clockwise ring is on the right of its edges.
            if target.ccw {
                std::mem::swap(&mut prev, &mut next);
            }
            is_interior_segment(p0, prev, next, p1)
        }
    }
}

fn is_on_segment(p: Coord, a: Coord, b: Coord) -> bool {
    p.x >= a.x.min(b.x)
        && p.x <= a.x.max(b.x)
        && p.y >= a.y.min(b.y)
        && p.y <= a.y.max(b.y)
        && RobustKernel::orient2d(a, b, p) == Orientation::Collinear
}

/// Crossing-number point location with exact orientation tests.
struct RayCrossingCounter {
    p: Coord,
    crossings: usize,
    on_boundary: bool,
}

impl RayCrossingCounter {
    fn new(p: Coord) -> Self {
        RayCrossingCounter { p, crossings: 0, on_boundary: false }
    }

    #[allow(clippy::float_cmp, reason = "exact comparisons, as in JTS: the answer must not depend on a tolerance")]
    fn count(&mut self, p1: Coord, p2: Coord) {
        let p = self.p;
        if self.on_boundary || (p1.x < p.x && p2.x < p.x) {
            return;
        }
        if p == p2 {
            self.on_boundary = true;
            return;
        }
        // Horizontal edges count only for the point lying on them.
        if p1.y == p.y && p2.y == p.y {
            if p.x >= p1.x.min(p2.x) && p.x <= p1.x.max(p2.x) {
                self.on_boundary = true;
            }
            return;
        }
        // Edges crossing the ray to the right of the point, each counted at one end only.
        if (p1.y > p.y && p2.y <= p.y) || (p2.y > p.y && p1.y <= p.y) {
            let orient = RobustKernel::orient2d(p1, p2, p);
            if orient == Orientation::Collinear {
                self.on_boundary = true;
                return;
            }
            let upward_left =
                if p2.y < p1.y { orient == Orientation::Clockwise } else { orient == Orientation::CounterClockwise };
            if upward_left {
                self.crossings += 1;
            }
        }
    }

    fn location(&self) -> Location {
        if self.on_boundary {
            Location::Boundary
        } else if self.crossings % 2 == 1 {
            Location::Interior
        } else {
            Location::Exterior
        }
    }
}

/// Quadrant of `p` seen from `origin`: 0 NE, 1 NW, 2 SW, 3 SE (JTS's numbering).
fn quadrant(origin: Coord, p: Coord) -> u8 {
    // The sign of a float difference is exact, so this is robust.
    let (dx, dy) = (p.x - origin.x, p.y - origin.y);
    match (dx >= 0.0, dy >= 0.0) {
        (true, true) => 0,
        (false, true) => 1,
        (false, false) => 2,
        (true, false) => 3,
    }
}

/// Compares the angles of `p` and `q` around `origin`, counter-clockwise from the positive x
/// axis.
fn compare_angle(origin: Coord, p: Coord, q: Coord) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match quadrant(origin, p).cmp(&quadrant(origin, q)) {
        Ordering::Equal => match RobustKernel::orient2d(origin, q, p) {
            Orientation::CounterClockwise => Ordering::Greater,
            Orientation::Clockwise => Ordering::Less,
            Orientation::Collinear => Ordering::Equal,
        },
        other => other,
    }
}

fn is_angle_greater(origin: Coord, p: Coord, q: Coord) -> bool {
    compare_angle(origin, p, q) == std::cmp::Ordering::Greater
}

/// Whether the edges `node–a0`, `node–a1` and `node–b0`, `node–b1` of two rings meeting at
/// `node` cross there (collinear edges count as not crossing).
fn is_crossing(node: Coord, a0: Coord, a1: Coord, b0: Coord, b1: Coord) -> bool {
    let (lo, hi) = if is_angle_greater(node, a0, a1) { (a1, a0) } else { (a0, a1) };
    let side = |b| {
        let c0 = compare_angle(node, b, lo);
        let c1 = compare_angle(node, b, hi);
        if c0.is_eq() || c1.is_eq() { None } else { Some(c0.is_gt() && c1.is_lt()) }
    };
    match (side(b0), side(b1)) {
        (Some(s0), Some(s1)) => s0 != s1,
        _ => false,
    }
}

/// Whether the segment `node–b` lies in the interior of a ring with the corner `a0, node, a1`,
/// the interior being on the right of the corner (`a0` before `node`).
fn is_interior_segment(node: Coord, a0: Coord, a1: Coord, b: Coord) -> bool {
    let (lo, hi, interior_between) = if is_angle_greater(node, a0, a1) { (a1, a0, false) } else { (a0, a1, true) };
    let between = is_angle_greater(node, b, lo) && !is_angle_greater(node, b, hi);
    between == interior_between
}

#[cfg(test)]
mod tests;
