use approx::assert_abs_diff_eq;
use geo::Winding;

use super::{MAX_VERTICES, validate};
use crate::geometry::{GeometryProblem, ProblemKind, RawBoundary, RawPolygon, RawPosition, RawRing};

// ---------------------------------------------------------------------------------------------
// A small WKT reader for POLYGON and MULTIPOLYGON (EMPTY included, NaN allowed), so that test
// shapes keep empty rings and unclosed or short rings exactly as written.

fn tokens(wkt: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for ch in wkt.chars() {
        if ch == '(' || ch == ')' || ch == ',' || ch.is_whitespace() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if !ch.is_whitespace() {
                out.push(ch.to_string());
            }
        } else {
            word.push(ch);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

struct WktReader {
    tokens: Vec<String>,
    pos: usize,
}

impl WktReader {
    fn peek(&self) -> &str {
        self.tokens.get(self.pos).map_or("", String::as_str)
    }

    fn next(&mut self) -> String {
        let t = self.peek().to_owned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, what: &str) {
        let t = self.next();
        assert_eq!(t, what, "WKT: expected {what:?} at token {}", self.pos - 1);
    }

    fn empty(&mut self) -> bool {
        if self.peek().eq_ignore_ascii_case("EMPTY") {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// `(a, b, c)` of items read by `item`, or `EMPTY`.
    fn list<T>(&mut self, item: impl Fn(&mut Self) -> T) -> Vec<T> {
        if self.empty() {
            return Vec::new();
        }
        self.expect("(");
        let mut items = vec![item(self)];
        while self.peek() == "," {
            self.pos += 1;
            items.push(item(self));
        }
        self.expect(")");
        items
    }

    fn position(&mut self) -> Vec<f64> {
        let mut numbers = Vec::new();
        while !matches!(self.peek(), "," | ")" | "") {
            let t = self.next();
            numbers.push(t.parse().unwrap_or_else(|_| panic!("WKT: bad number {t:?}")));
        }
        numbers
    }

    fn ring(&mut self) -> RawRing {
        self.list(Self::position)
    }

    fn polygon(&mut self) -> RawPolygon {
        self.list(Self::ring)
    }
}

fn parse_wkt(wkt: &str) -> RawBoundary {
    let mut r = WktReader { tokens: tokens(wkt), pos: 0 };
    let boundary = match r.next().to_ascii_uppercase().as_str() {
        "POLYGON" => RawBoundary::Polygon(r.polygon()),
        "MULTIPOLYGON" => RawBoundary::MultiPolygon(r.list(WktReader::polygon)),
        other => panic!("WKT: unsupported type {other}"),
    };
    assert_eq!(r.pos, r.tokens.len(), "WKT: trailing tokens in {wkt}");
    boundary
}

/// Moves planar test coordinates into a small box in Bến Tre, from (106.0, 10.0) to at most
/// 0.1° east and north. The scale is a power of two and the same for x and y, so for the
/// suite's coordinates (integers and halves below 2^24) every mapped value is exact: the map
/// is affine in floating point too, and exact orientation tests give the same answers as on
/// the original coordinates.
fn into_ben_tre(raw: &mut RawBoundary) {
    match raw {
        RawBoundary::Polygon(p) => map_polygons(std::slice::from_mut(p)),
        RawBoundary::MultiPolygon(ps) => map_polygons(ps),
    }
}

fn map_polygons(polygons: &mut [RawPolygon]) {
    let finite =
        || polygons.iter().flatten().flatten().filter(|p| p.len() >= 2 && p[0].is_finite() && p[1].is_finite());
    let min_x = finite().map(|p| p[0]).fold(f64::INFINITY, f64::min);
    let min_y = finite().map(|p| p[1]).fold(f64::INFINITY, f64::min);
    let extent = finite().map(|p| (p[0] - min_x).max(p[1] - min_y)).fold(0.0, f64::max);
    let mut scale = 1.0;
    while extent * scale > 0.1 {
        scale /= 2.0;
    }
    for pos in polygons.iter_mut().flatten().flatten() {
        if pos.len() >= 2 {
            pos[0] = 106.0 + (pos[0] - min_x) * scale;
            pos[1] = 10.0 + (pos[1] - min_y) * scale;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn problems(wkt: &str) -> Vec<GeometryProblem> {
    match validate(&parse_wkt(wkt)) {
        Ok(_) => panic!("expected problems for {wkt}"),
        Err(problems) => problems,
    }
}

fn kinds(problems: &[GeometryProblem]) -> Vec<ProblemKind> {
    problems.iter().map(|p| p.kind).collect()
}

fn describe(problems: &[GeometryProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {} ({:?}): {}", p.kind.code(), p.location, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A ring of `n` positions (the last closing it) on a circle around Bến Tre town.
fn circle(n: usize, radius: f64) -> RawRing {
    let distinct = n - 1;
    let mut ring: RawRing = (0..distinct)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / distinct as f64;
            vec![106.375 + radius * t.cos(), 10.24 + radius * t.sin()]
        })
        .collect();
    ring.push(ring[0].clone());
    ring
}

// ---------------------------------------------------------------------------------------------
// Parity with GEOS

/// Cases where we knowingly differ from GEOS: it calls these valid, we reject them.
const EXEMPT_FROM_PARITY: &[(u32, &str)] = &[
    (15, "POLYGON (EMPTY, EMPTY, EMPTY): no shell, and a cluster boundary must enclose area"),
    (35, "a MULTIPOLYGON with an EMPTY part: every part of a boundary must have a shell"),
    (833, "POLYGON EMPTY: an empty boundary encloses no area"),
];

#[test]
fn every_polygon_case_of_the_geos_validity_suite_gets_the_geos_verdict() {
    let data = include_str!("../../../../../tests/data/geos-validity-polygons.tsv");
    let mut cases = 0;
    let mut agree = 0;
    let mut exempt_seen = Vec::new();
    let mut mismatches = Vec::new();
    for line in data.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [case, _source, description, wkt, expected] = fields[..] else {
            panic!("bad line in the GEOS data: {line}");
        };
        let case: u32 = case.parse().expect("case numbers are integers");
        let expected_valid = match expected {
            "t" => true,
            "f" => false,
            other => panic!("case {case}: bad verdict {other:?}"),
        };
        cases += 1;

        let mut raw = parse_wkt(wkt);
        into_ben_tre(&mut raw);
        let result = validate(&raw);

        if let Some((_, why)) = EXEMPT_FROM_PARITY.iter().find(|(c, _)| *c == case) {
            // The exemption must stay true: GEOS accepts, we reject for the reason given.
            assert!(expected_valid, "case {case} is exempt but GEOS calls it invalid");
            assert!(result.is_err(), "case {case} is exempt ({why}) but we accept it");
            exempt_seen.push(case);
            continue;
        }
        if result.is_ok() == expected_valid {
            agree += 1;
        } else {
            let found = match &result {
                Ok(_) => "  (no problem found)".to_owned(),
                Err(problems) => describe(problems),
            };
            mismatches.push(format!(
                "case {case} ({description}): GEOS says {}, we say {}\n  {wkt}\n{found}",
                if expected_valid { "valid" } else { "invalid" },
                if result.is_ok() { "valid" } else { "invalid" },
            ));
        }
    }
    println!("GEOS parity: {cases} cases, {agree} agree, {} exempt {exempt_seen:?}", exempt_seen.len());
    assert_eq!(cases, 324, "the GEOS data file changed");
    assert_eq!(exempt_seen.len(), EXEMPT_FROM_PARITY.len());
    assert!(
        mismatches.is_empty(),
        "{} of {cases} cases differ from GEOS:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// The GEOS cases, mapped into Bến Tre: number, description, boundary, expected validity.
fn geos_cases() -> Vec<(u32, String, RawBoundary, bool)> {
    let data = include_str!("../../../../../tests/data/geos-validity-polygons.tsv");
    data.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [case, _source, description, wkt, expected] = fields[..] else {
                panic!("bad line in the GEOS data: {line}");
            };
            let mut raw = parse_wkt(wkt);
            into_ben_tre(&mut raw);
            let case = case.parse().expect("case numbers are integers");
            (case, description.to_owned(), raw, expected == "t")
        })
        .collect()
}

/// The same ring traced differently: reversed, started half-way round, and with every edge
/// cut into `pieces` (a power of two) by midpoints, which are exact for the suite's mapped
/// coordinates, so the new vertices lie exactly on the old edges.
fn retraced(ring: &RawRing, pieces: usize) -> RawRing {
    let mut open: Vec<&RawPosition> = ring[..ring.len() - 1].iter().rev().collect();
    let half = open.len() / 2;
    open.rotate_left(half);
    let mut out = Vec::new();
    for (i, a) in open.iter().enumerate() {
        let b = open[(i + 1) % open.len()];
        for k in 0..pieces {
            let t = k as f64 / pieces as f64;
            out.push(vec![a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]);
        }
    }
    out.push(out[0].clone());
    out
}

#[test]
fn every_geos_case_keeps_its_verdict_when_its_rings_are_retraced_with_many_more_vertices() {
    // Rings of 40 positions and more go through the R-tree paths of point location, which the
    // suite's small rings never reach. Validity is a property of the point set and the ring
    // structure: it does not change when a ring is reversed, started elsewhere or given extra
    // vertices on its edges.
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for (case, description, raw, expected_valid) in geos_cases() {
        let well_formed =
            raw.polygons().iter().flatten().all(|ring| {
                ring.len() >= 4 && ring.first() == ring.last() && ring.iter().flatten().all(|v| v.is_finite())
            });
        if raw.polygons().is_empty() || raw.polygons().iter().any(Vec::is_empty) || !well_formed {
            continue;
        }
        let polygons: Vec<RawPolygon> =
            raw.polygons().iter().map(|polygon| polygon.iter().map(|ring| retraced(ring, 16)).collect()).collect();
        let result = validate(&RawBoundary::MultiPolygon(polygons));
        checked += 1;
        if result.is_ok() != expected_valid {
            let found = result.err().map_or_else(|| "  (none)".to_owned(), |p| describe(&p));
            mismatches.push(format!("case {case} ({description}):\n{found}"));
        }
    }
    assert!(checked > 300, "only {checked} cases checked");
    assert!(mismatches.is_empty(), "{} retraced cases differ from GEOS:\n{}", mismatches.len(), mismatches.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Hand cases

#[test]
fn a_bow_tie_reports_a_self_intersection_at_the_crossing_point() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 10.26, 106.42 10.20, 106.40 10.26, 106.40 10.20))");
    assert_eq!(kinds(&found), [ProblemKind::SelfIntersection], "{}", describe(&found));
    let location = &found[0].location;
    let [lon, lat] = location.point.expect("a crossing has a point");
    assert_abs_diff_eq!(lon, 106.41, epsilon = 1e-9);
    assert_abs_diff_eq!(lat, 10.23, epsilon = 1e-9);
    assert_eq!((location.polygon, location.ring), (Some(0), Some(0)));
    assert_eq!(location.vertex, Some(0));
    assert_eq!(
        found[0].message,
        "ring 0 of polygon 0 crosses itself at (106.41, 10.23) between edges starting at \
         vertices 0 and 2"
    );
}

#[test]
fn vertex_indexes_count_positions_as_sent_including_duplicates() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.40 10.20, 106.42 10.26, 106.42 10.20, 106.42 10.20, \
         106.40 10.26, 106.40 10.20))",
    );
    assert_eq!(kinds(&found), [ProblemKind::SelfIntersection]);
    // The crossing edges run from input positions 1 and 4 (the last copies of duplicates).
    assert!(found[0].message.ends_with("vertices 1 and 4"), "{}", found[0].message);
    assert_eq!(found[0].location.vertex, Some(1));
}

#[test]
fn an_unclosed_ring_is_reported_and_not_closed_automatically() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 10.20, 106.42 10.26, 106.40 10.26))");
    assert_eq!(kinds(&found), [ProblemKind::UnclosedRing], "{}", describe(&found));
    assert_eq!(found[0].location.vertex, Some(3));
    assert_eq!(found[0].location.point, Some([106.40, 10.26]));
}

#[test]
fn a_nan_coordinate_is_reported_as_non_finite() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 NaN, 106.42 10.26, 106.40 10.26, 106.40 10.20))");
    assert_eq!(kinds(&found), [ProblemKind::NonFiniteCoordinate], "{}", describe(&found));
    assert_eq!(found[0].location.vertex, Some(1));
}

#[test]
fn a_longitude_of_200_is_out_of_range() {
    let found = problems("POLYGON ((200 10.20, 106.42 10.20, 106.42 10.26, 200 10.20))");
    assert_eq!(
        kinds(&found),
        [ProblemKind::CoordinateOutOfRange, ProblemKind::CoordinateOutOfRange],
        "{}",
        describe(&found)
    );
    assert_eq!(found[0].location.vertex, Some(0));
    assert_eq!(found[1].location.vertex, Some(3));
    assert!(found[0].message.contains("longitude"), "{}", found[0].message);
}

#[test]
fn a_latitude_beyond_the_pole_is_out_of_range() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 95, 106.42 10.26, 106.40 10.20))");
    assert_eq!(kinds(&found), [ProblemKind::CoordinateOutOfRange]);
    assert!(found[0].message.contains("latitude"), "{}", found[0].message);
}

#[test]
fn a_ring_in_projected_metres_gets_a_summary_instead_of_one_problem_per_position() {
    let found = problems(
        "POLYGON ((649851 1132378, 649951 1132378, 649951 1132478, 649901 1132528, \
         649851 1132478, 649841 1132468, 649831 1132458, 649821 1132448, 649811 1132438, \
         649801 1132428, 649791 1132418, 649781 1132408, 649851 1132378))",
    );
    assert_eq!(found.len(), 11, "{}", describe(&found));
    assert!(found.iter().all(|p| p.kind == ProblemKind::CoordinateOutOfRange));
    assert!(found[10].message.starts_with("3 more positions"), "{}", found[10].message);
}

#[test]
fn a_position_with_one_number_is_a_bad_position() {
    let raw =
        RawBoundary::Polygon(vec![vec![vec![106.40, 10.20], vec![106.42], vec![106.42, 10.26], vec![106.40, 10.20]]]);
    let found = validate(&raw).expect_err("a position lacks its latitude");
    assert_eq!(kinds(&found), [ProblemKind::BadPosition], "{}", describe(&found));
    assert_eq!(found[0].location.vertex, Some(1));
}

#[test]
fn a_ring_of_three_positions_has_too_few_positions() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 10.20, 106.40 10.20))");
    assert_eq!(kinds(&found), [ProblemKind::TooFewPositions], "{}", describe(&found));
}

#[test]
fn four_positions_with_only_two_distinct_in_a_row_are_too_few() {
    let found = problems("POLYGON ((106.40 10.20, 106.42 10.20, 106.42 10.20, 106.40 10.20))");
    assert_eq!(kinds(&found), [ProblemKind::TooFewPositions], "{}", describe(&found));
}

#[test]
fn a_ring_along_one_line_has_zero_area() {
    // Binary fractions, so that the points are exactly on one line: decimal ones like 106.41
    // are not, and a sliver of 1e-30 square degrees is valid for GEOS and for us.
    let found = problems("POLYGON ((106.25 10.25, 106.375 10.375, 106.5 10.5, 106.25 10.25))");
    assert_eq!(kinds(&found), [ProblemKind::ZeroArea], "{}", describe(&found));
}

#[test]
fn a_spike_is_a_self_intersection() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.42 10.20, 106.42 10.22, 106.45 10.22, 106.42 10.22, \
         106.42 10.26, 106.40 10.26, 106.40 10.20))",
    );
    assert_eq!(kinds(&found), [ProblemKind::SelfIntersection], "{}", describe(&found));
    assert!(found[0].message.contains("runs back over itself"), "{}", found[0].message);
}

#[test]
fn a_ring_touching_itself_at_a_vertex_is_a_self_intersection() {
    // An "inverted hole": the shell comes back to (106.44, 10.20).
    let found = problems(
        "POLYGON ((106.40 10.20, 106.44 10.20, 106.42 10.22, 106.44 10.24, 106.44 10.20, \
         106.48 10.20, 106.48 10.28, 106.40 10.28, 106.40 10.20))",
    );
    assert_eq!(kinds(&found), [ProblemKind::SelfIntersection], "{}", describe(&found));
    assert_eq!(found[0].location.point, Some([106.44, 10.20]));
    assert!(found[0].message.contains("touches itself"), "{}", found[0].message);
}

#[test]
fn a_hole_outside_the_shell_is_reported() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.24, 106.40 10.20), \
         (106.50 10.20, 106.50 10.22, 106.52 10.22, 106.50 10.20))",
    );
    assert_eq!(kinds(&found), [ProblemKind::HoleOutsideShell], "{}", describe(&found));
    assert_eq!(found[0].location.ring, Some(1));
    assert_eq!(found[0].location.point, Some([106.50, 10.20]));
}

#[test]
fn a_hole_in_a_notch_of_the_shell_is_outside_it() {
    // The shell's envelope covers the hole, so this needs the point-in-ring test.
    let found = problems(
        "POLYGON ((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.42 10.22, 106.40 10.24, \
         106.40 10.20), (106.42 10.235, 106.425 10.238, 106.415 10.238, 106.42 10.235))",
    );
    assert_eq!(kinds(&found), [ProblemKind::HoleOutsideShell], "{}", describe(&found));
}

#[test]
fn two_overlapping_holes_report_rings_intersect_with_the_crossing_point() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.50 10.20, 106.50 10.30, 106.40 10.30, 106.40 10.20), \
         (106.42 10.22, 106.42 10.26, 106.46 10.26, 106.46 10.22, 106.42 10.22), \
         (106.44 10.24, 106.44 10.28, 106.48 10.28, 106.48 10.24, 106.44 10.24))",
    );
    assert_eq!(kinds(&found), [ProblemKind::RingsIntersect, ProblemKind::RingsIntersect], "{}", describe(&found));
    let mut points: Vec<[f64; 2]> = found.iter().filter_map(|p| p.location.point).collect();
    points.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
    assert_abs_diff_eq!(points[0][0], 106.44, epsilon = 1e-12);
    assert_abs_diff_eq!(points[0][1], 10.26, epsilon = 1e-12);
    assert_abs_diff_eq!(points[1][0], 106.46, epsilon = 1e-12);
    assert_abs_diff_eq!(points[1][1], 10.24, epsilon = 1e-12);
    assert!(found.iter().all(|p| p.location.ring == Some(1) && p.location.other_ring == Some(2)));
}

#[test]
fn a_hole_inside_another_hole_is_reported_as_nested() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.50 10.20, 106.50 10.30, 106.40 10.30, 106.40 10.20), \
         (106.41 10.21, 106.41 10.29, 106.49 10.29, 106.49 10.21, 106.41 10.21), \
         (106.43 10.23, 106.43 10.25, 106.45 10.25, 106.45 10.23, 106.43 10.23))",
    );
    assert_eq!(kinds(&found), [ProblemKind::NestedHoles], "{}", describe(&found));
    assert_eq!(found[0].location.ring, Some(2));
    assert_eq!(found[0].location.other_ring, Some(1));
}

#[test]
fn a_hole_touching_the_shell_at_two_points_disconnects_the_interior() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.46 10.20, 106.46 10.26, 106.40 10.26, 106.40 10.20), \
         (106.40 10.24, 106.42 10.22, 106.46 10.22, 106.40 10.24))",
    );
    assert_eq!(kinds(&found), [ProblemKind::InteriorDisconnected], "{}", describe(&found));
}

#[test]
fn a_hole_touching_the_shell_at_one_point_is_valid() {
    let raw = parse_wkt(
        "POLYGON ((106.40 10.20, 106.46 10.20, 106.46 10.26, 106.40 10.26, 106.40 10.20), \
         (106.40 10.24, 106.42 10.22, 106.44 10.22, 106.40 10.24))",
    );
    validate(&raw).expect("a single touch keeps the interior connected");
}

#[test]
fn a_multipolygon_with_overlapping_parts_reports_them() {
    let found = problems(
        "MULTIPOLYGON (((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.24, 106.40 10.20)), \
         ((106.42 10.22, 106.46 10.22, 106.46 10.26, 106.42 10.26, 106.42 10.22)))",
    );
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|p| p.kind == ProblemKind::PolygonsOverlap
            && p.location.polygon == Some(0)
            && p.location.other_polygon == Some(1)),
        "{}",
        describe(&found)
    );
}

#[test]
fn parts_sharing_an_edge_overlap_but_parts_touching_at_a_point_do_not() {
    let found = problems(
        "MULTIPOLYGON (((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.24, 106.40 10.20)), \
         ((106.44 10.20, 106.48 10.20, 106.48 10.24, 106.44 10.24, 106.44 10.20)))",
    );
    assert_eq!(kinds(&found), [ProblemKind::PolygonsOverlap], "{}", describe(&found));
    assert!(found[0].message.contains("share an edge"), "{}", found[0].message);

    let raw = parse_wkt(
        "MULTIPOLYGON (((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.24, 106.40 10.20)), \
         ((106.44 10.24, 106.48 10.24, 106.48 10.28, 106.44 10.28, 106.44 10.24)))",
    );
    validate(&raw).expect("parts may touch at a point");
}

#[test]
fn a_part_inside_another_part_is_nested_unless_it_sits_in_a_hole() {
    let found = problems(
        "MULTIPOLYGON (((106.40 10.20, 106.50 10.20, 106.50 10.30, 106.40 10.30, 106.40 10.20)), \
         ((106.43 10.23, 106.45 10.23, 106.45 10.25, 106.43 10.25, 106.43 10.23)))",
    );
    assert_eq!(kinds(&found), [ProblemKind::NestedShells], "{}", describe(&found));
    assert_eq!(found[0].location.polygon, Some(1));
    assert_eq!(found[0].location.other_polygon, Some(0));

    let island_in_lake = parse_wkt(
        "MULTIPOLYGON (((106.40 10.20, 106.50 10.20, 106.50 10.30, 106.40 10.30, 106.40 10.20), \
         (106.42 10.22, 106.42 10.28, 106.48 10.28, 106.48 10.22, 106.42 10.22)), \
         ((106.43 10.23, 106.45 10.23, 106.45 10.25, 106.43 10.25, 106.43 10.23)))",
    );
    validate(&island_in_lake).expect("a part inside a hole of another is valid");
}

#[test]
fn a_polygon_with_a_bow_tie_shell_and_a_hole_outside_reports_both() {
    let found = problems(
        "POLYGON ((106.40 10.20, 106.42 10.26, 106.42 10.20, 106.40 10.26, 106.40 10.20), \
         (106.50 10.20, 106.50 10.22, 106.52 10.22, 106.50 10.20))",
    );
    assert_eq!(kinds(&found), [ProblemKind::SelfIntersection, ProblemKind::HoleOutsideShell], "{}", describe(&found));
}

#[test]
fn structural_problems_in_several_rings_are_all_reported() {
    let found = problems(
        "MULTIPOLYGON (((106.40 10.20, 106.42 10.20, 106.42 10.26, 106.40 10.26)), \
         ((106.50 10.20, 106.52 10.20, 106.50 10.20), (106.50 NaN, 1 2, 3 4, 5 6)))",
    );
    assert_eq!(
        kinds(&found),
        [ProblemKind::UnclosedRing, ProblemKind::TooFewPositions, ProblemKind::NonFiniteCoordinate],
        "{}",
        describe(&found)
    );
}

#[test]
fn a_clockwise_shell_comes_out_counter_clockwise_and_holes_clockwise() {
    let raw = parse_wkt(
        "POLYGON ((106.40 10.20, 106.40 10.30, 106.50 10.30, 106.50 10.20, 106.40 10.20), \
         (106.42 10.22, 106.48 10.22, 106.48 10.28, 106.42 10.28, 106.42 10.22))",
    );
    let boundary = validate(&raw).expect("valid");
    let polygon = boundary.single_polygon().expect("one part");
    assert!(polygon.exterior().is_ccw());
    assert!(polygon.interiors()[0].is_cw());
}

#[test]
fn consecutive_duplicate_points_are_removed() {
    let raw = parse_wkt(
        "POLYGON ((106.40 10.20, 106.40 10.20, 106.44 10.20, 106.44 10.24, 106.44 10.24, \
         106.44 10.24, 106.40 10.24, 106.40 10.20, 106.40 10.20))",
    );
    let boundary = validate(&raw).expect("duplicates are only normalised away");
    assert_eq!(boundary.vertex_count(), 5);
}

#[test]
fn altitudes_are_ignored_and_dropped() {
    let raw = parse_wkt(
        "POLYGON ((106.40 10.20 3, 106.44 10.20 4, 106.44 10.24 NaN, 106.40 10.24 2, \
         106.40 10.20 9))",
    );
    let boundary = validate(&raw).expect("the altitude plays no part");
    for (got, want) in boundary.bbox().into_iter().zip([106.40, 10.20, 106.44, 10.24]) {
        assert_abs_diff_eq!(got, want, epsilon = 1e-12);
    }
}

#[test]
fn an_empty_boundary_or_part_is_rejected_but_an_empty_hole_is_dropped() {
    for wkt in ["POLYGON EMPTY", "MULTIPOLYGON EMPTY", "POLYGON (EMPTY, EMPTY)"] {
        assert_eq!(kinds(&problems(wkt)), [ProblemKind::Empty], "{wkt}");
    }
    let found = problems("MULTIPOLYGON (((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.20)), EMPTY)");
    assert_eq!(kinds(&found), [ProblemKind::Empty]);
    assert_eq!(found[0].location.polygon, Some(1));

    let raw = parse_wkt("POLYGON ((106.40 10.20, 106.44 10.20, 106.44 10.24, 106.40 10.20), EMPTY)");
    let boundary = validate(&raw).expect("an empty hole encloses nothing");
    assert!(boundary.single_polygon().expect("one part").interiors().is_empty());
}

#[test]
fn a_valid_circle_of_100_000_vertices_validates() {
    let raw = RawBoundary::Polygon(vec![circle(MAX_VERTICES, 0.05)]);
    let boundary = validate(&raw).expect("a circle is valid");
    assert_eq!(boundary.vertex_count(), MAX_VERTICES);
}

#[test]
fn a_boundary_of_100_001_vertices_has_too_many() {
    let raw = RawBoundary::MultiPolygon(vec![vec![circle(MAX_VERTICES - 10, 0.05)], vec![circle(11, 0.01)]]);
    let found = validate(&raw).expect_err("one vertex too many");
    assert_eq!(kinds(&found), [ProblemKind::TooManyVertices], "{}", describe(&found));
    assert!(found[0].message.contains("100001"), "{}", found[0].message);
}

#[test]
fn a_boundary_read_back_from_storage_validates_again() {
    let raw = parse_wkt("POLYGON ((106.40 10.20, 106.40 10.30, 106.50 10.30, 106.50 10.20, 106.40 10.20))");
    let boundary = validate(&raw).expect("valid");
    let again = crate::geometry::Boundary::from_stored(boundary.as_multi_polygon()).expect("still valid");
    assert_eq!(again, boundary);
}
