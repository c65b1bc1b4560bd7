//! What the `dxf` crate does not read of a drawing: `HATCH` boundaries (the filled areas CAD
//! users draw a plot or a zone as, often with no polyline left behind) and arcs along
//! boundaries (polyline bulges, hatch arc and ellipse edges), turned into vertices.
//!
//! A hatch is read from the ASCII drawing's `ENTITIES` section, group code by group code, as
//! the DXF reference lays it out: the boundary paths after code 91, each a polyline path (flag
//! bit 2: vertices 10/20 with optional bulges 42) or an edge path (lines, circular arcs,
//! elliptic arcs; spline edges are refused with a message). Binary drawings' hatches are not
//! read (their polylines are).

use geo_types::Coord;

/// One hatch: its layer and its boundary paths as rings (first vertex not repeated).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Hatch {
    pub(super) layer: String,
    pub(super) rings: Vec<Vec<Coord<f64>>>,
}

/// The largest angle one chord of an arc may span: a chord then stays within 1/10 000 of the
/// radius of the arc (1 cm on a 100 m curve).
fn max_step() -> f64 {
    2.0 * (1.0 - 1e-4_f64).acos()
}

/// The vertices after `from` on the arc of `sweep` radians (signed, counter-clockwise
/// positive) around `center`, up to and including the arc's end.
fn arc_points(center: Coord<f64>, radius: f64, from: f64, sweep: f64) -> Vec<Coord<f64>> {
    // Finite by construction: a sweep is at most a full turn, a step a fixed angle.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let steps = (sweep.abs() / max_step()).ceil().clamp(1.0, 1024.0) as usize;
    (1..=steps)
        .map(|k| {
            #[allow(clippy::cast_precision_loss)]
            let angle = from + sweep * k as f64 / steps as f64;
            Coord { x: center.x + radius * angle.cos(), y: center.y + radius * angle.sin() }
        })
        .collect()
}

/// The vertices strictly between `a` and `b` on the arc a polyline's bulge describes (the
/// tangent of a quarter of the included angle; positive is counter-clockwise).
pub(super) fn bulge_points(a: Coord<f64>, b: Coord<f64>, bulge: f64) -> Vec<Coord<f64>> {
    let chord = ((b.x - a.x).powi(2) + (b.y - a.y).powi(2)).sqrt();
    if bulge.abs() < 1e-9 || !bulge.is_finite() || chord == 0.0 {
        return Vec::new();
    }
    let sweep = 4.0 * bulge.atan();
    let (ux, uy) = ((b.x - a.x) / chord, (b.y - a.y) / chord);
    // The centre sits on the chord's perpendicular bisector, left of the chord for a
    // counter-clockwise arc of less than half a turn.
    let offset = (chord / 2.0) / (sweep / 2.0).tan();
    let center = Coord { x: f64::midpoint(a.x, b.x) - uy * offset, y: f64::midpoint(a.y, b.y) + ux * offset };
    let radius = ((a.x - center.x).powi(2) + (a.y - center.y).powi(2)).sqrt();
    let from = (a.y - center.y).atan2(a.x - center.x);
    let mut points = arc_points(center, radius, from, sweep);
    points.pop();
    points
}

/// A closed ring through `vertices` whose `bulges[i]` bends the edge from vertex `i` to the
/// next (the last to the first).
pub(super) fn with_bulges(vertices: &[Coord<f64>], bulges: &[f64]) -> Vec<Coord<f64>> {
    let mut ring = Vec::with_capacity(vertices.len());
    for (i, &v) in vertices.iter().enumerate() {
        ring.push(v);
        let next = vertices[(i + 1) % vertices.len()];
        ring.extend(bulge_points(v, next, bulges.get(i).copied().unwrap_or(0.0)));
    }
    ring
}

/// The hatches of an ASCII drawing's `ENTITIES` section; an error names the hatch (its handle)
/// and what could not be read in it.
pub(super) fn read(bytes: &[u8]) -> Result<Vec<Hatch>, String> {
    if bytes.starts_with(b"AutoCAD Binary DXF") {
        return Ok(Vec::new());
    }
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    let mut pairs: Vec<(i32, &str)> = Vec::new();
    while let (Some(code), Some(value)) = (lines.next(), lines.next()) {
        let Ok(code) = code.trim().parse::<i32>() else { break };
        pairs.push((code, value.trim()));
    }
    let Some(start) = pairs.windows(2).position(|w| w[0] == (0, "SECTION") && w[1] == (2, "ENTITIES")) else {
        return Ok(Vec::new());
    };
    let section = &pairs[start + 2..];
    let section = &section[..section.iter().position(|&p| p == (0, "ENDSEC")).unwrap_or(section.len())];
    let mut hatches = Vec::new();
    let mut at = 0;
    while at < section.len() {
        let end = section[at + 1..].iter().position(|&(code, _)| code == 0).map_or(section.len(), |n| at + 1 + n);
        if section[at] == (0, "HATCH") {
            let entity = &section[at + 1..end];
            let handle = entity.iter().find(|(code, _)| *code == 5).map_or("?", |(_, v)| v);
            let hatch = read_hatch(entity).map_err(|e| format!("hatch {handle}: {e}"))?;
            if !hatch.rings.is_empty() {
                hatches.push(hatch);
            }
        }
        at = end;
    }
    Ok(hatches)
}

/// The pairs of one entity, read in order.
struct Cursor<'a> {
    pairs: &'a [(i32, &'a str)],
    at: usize,
}

impl Cursor<'_> {
    fn text(&mut self, code: i32) -> Result<&str, String> {
        match self.pairs.get(self.at) {
            Some(&(c, value)) if c == code => {
                self.at += 1;
                Ok(value)
            }
            Some(&(c, value)) => Err(format!("expected group code {code}, found {c} ({value:?})")),
            None => Err(format!("ends where group code {code} was expected")),
        }
    }

    fn number(&mut self, code: i32) -> Result<f64, String> {
        let text = self.text(code)?;
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("group code {code}: {text:?} is not a number"))
    }

    fn count(&mut self, code: i32) -> Result<usize, String> {
        let text = self.text(code)?;
        text.parse::<usize>()
            .ok()
            .filter(|n| *n <= 1_000_000)
            .ok_or_else(|| format!("group code {code}: {text:?} is not a count"))
    }

    fn point(&mut self, x: i32) -> Result<Coord<f64>, String> {
        Ok(Coord { x: self.number(x)?, y: self.number(x + 10)? })
    }

    fn next_is(&self, code: i32) -> bool {
        self.pairs.get(self.at).is_some_and(|&(c, _)| c == code)
    }

    /// Reads an optional pair.
    fn optional(&mut self, code: i32) -> Option<&str> {
        if self.next_is(code) { self.text(code).ok() } else { None }
    }
}

fn read_hatch(entity: &[(i32, &str)]) -> Result<Hatch, String> {
    let layer = entity.iter().find(|(code, _)| *code == 8).map_or("0", |(_, v)| v).to_owned();
    let Some(paths_at) = entity.iter().position(|(code, _)| *code == 91) else {
        return Ok(Hatch { layer, rings: Vec::new() });
    };
    let mut cursor = Cursor { pairs: entity, at: paths_at };
    let paths = cursor.count(91)?;
    let mut rings = Vec::with_capacity(paths.min(64));
    for path in 1..=paths {
        let ring = read_path(&mut cursor).map_err(|e| format!("boundary path {path}: {e}"))?;
        if ring.len() >= 3 {
            rings.push(ring);
        }
    }
    Ok(Hatch { layer, rings })
}

fn read_path(cursor: &mut Cursor<'_>) -> Result<Vec<Coord<f64>>, String> {
    let flags = cursor.count(92)?;
    let mut ring: Vec<Coord<f64>> = Vec::new();
    if flags & 2 != 0 {
        let has_bulge = cursor.count(72)? != 0;
        cursor.count(73)?;
        let n = cursor.count(93)?;
        let (mut vertices, mut bulges) = (Vec::with_capacity(n.min(4096)), Vec::with_capacity(n.min(4096)));
        for _ in 0..n {
            vertices.push(cursor.point(10)?);
            bulges.push(if has_bulge { cursor.optional(42).and_then(|b| b.parse().ok()).unwrap_or(0.0) } else { 0.0 });
        }
        if vertices.len() > 1 && vertices.first().zip(vertices.last()).is_some_and(|(&a, &b)| same(a, b)) {
            vertices.pop();
            bulges.pop();
        }
        ring = with_bulges(&vertices, &bulges);
    } else {
        let edges = cursor.count(93)?;
        for edge in 1..=edges {
            let points = read_edge(cursor).map_err(|e| format!("edge {edge}: {e}"))?;
            for p in points {
                let repeats = ring.last().is_some_and(|&last| same(last, p));
                if !repeats {
                    ring.push(p);
                }
            }
        }
        if ring.len() > 1 && ring.first().zip(ring.last()).is_some_and(|(&a, &b)| same(a, b)) {
            ring.pop();
        }
    }
    // The objects the path was made from (an associative hatch's polylines).
    if cursor.next_is(97) {
        let sources = cursor.count(97)?;
        for _ in 0..sources {
            cursor.text(330)?;
        }
    }
    Ok(ring)
}

/// Two ends of edges that meet (within a micrometre; edges' ends are computed from angles).
fn same(a: Coord<f64>, b: Coord<f64>) -> bool {
    (a.x - b.x).abs() < 1e-6 && (a.y - b.y).abs() < 1e-6
}

/// One edge of an edge path, from its start to its end.
fn read_edge(cursor: &mut Cursor<'_>) -> Result<Vec<Coord<f64>>, String> {
    match cursor.count(72)? {
        1 => Ok(vec![cursor.point(10)?, cursor.point(11)?]),
        kind @ (2 | 3) => {
            let center = cursor.point(10)?;
            let major = if kind == 3 { Some(cursor.point(11)?) } else { None };
            let radius_or_ratio = cursor.number(40)?;
            let (start, end) = (cursor.number(50)?.to_radians(), cursor.number(51)?.to_radians());
            let ccw = cursor.count(73)? != 0;
            // A clockwise edge stores its angles as their complements (360° − angle).
            let (from, to) = if ccw { (start, end) } else { (-start, -end) };
            let turn = std::f64::consts::TAU;
            let mut sweep = (to - from).rem_euclid(turn);
            if !ccw {
                sweep = -(from - to).rem_euclid(turn);
            }
            if sweep == 0.0 && (end - start).abs() > 1e-12 {
                sweep = if ccw { turn } else { -turn };
            }
            let first = |t: f64| Coord { x: t.cos(), y: t.sin() };
            let mut points = vec![first(from)];
            points.extend(arc_points(Coord { x: 0.0, y: 0.0 }, 1.0, from, sweep));
            Ok(points
                .into_iter()
                .map(|unit| match major {
                    // A circular arc: the unit circle scaled and moved.
                    None => Coord { x: center.x + radius_or_ratio * unit.x, y: center.y + radius_or_ratio * unit.y },
                    // An elliptic arc: parameter angles along the major axis and the minor one
                    // (the major turned a quarter counter-clockwise, scaled by the ratio).
                    Some(m) => Coord {
                        x: center.x + unit.x * m.x - unit.y * radius_or_ratio * m.y,
                        y: center.y + unit.x * m.y + unit.y * radius_or_ratio * m.x,
                    },
                })
                .collect())
        }
        4 => Err("a spline edge, which is not read: convert the hatch's boundary to a polyline".into()),
        other => Err(format!("unknown edge type {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: Coord<f64>, b: Coord<f64>) -> bool {
        (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9
    }

    #[test]
    fn a_bulge_of_one_is_a_half_circle_on_the_right_side() {
        // From (0,0) to (2,0) counter-clockwise: the half circle below the chord.
        let points = bulge_points(Coord { x: 0.0, y: 0.0 }, Coord { x: 2.0, y: 0.0 }, 1.0);
        assert!(points.len() > 10);
        assert!(points.iter().all(|p| p.y < 0.0 && ((p.x - 1.0).powi(2) + p.y.powi(2) - 1.0).abs() < 1e-9));
        // Clockwise: above.
        let points = bulge_points(Coord { x: 0.0, y: 0.0 }, Coord { x: 2.0, y: 0.0 }, -1.0);
        assert!(points.iter().all(|p| p.y > 0.0));
        let highest = points.iter().map(|p| p.y).fold(f64::MIN, f64::max);
        assert!((highest - 1.0).abs() < 1e-4, "{highest}");
        assert!(bulge_points(Coord { x: 0.0, y: 0.0 }, Coord { x: 2.0, y: 0.0 }, 0.0).is_empty());
    }

    #[test]
    fn arcs_are_close_to_the_curve() {
        // A quarter of a 100 m curve: every chord's middle within 1 cm of it.
        let points =
            bulge_points(Coord { x: 100.0, y: 0.0 }, Coord { x: 0.0, y: 100.0 }, (std::f64::consts::PI / 8.0).tan());
        let mut all = vec![Coord { x: 100.0, y: 0.0 }];
        all.extend(points);
        all.push(Coord { x: 0.0, y: 100.0 });
        for w in all.windows(2) {
            let mid = Coord { x: f64::midpoint(w[0].x, w[1].x), y: f64::midpoint(w[0].y, w[1].y) };
            let gap = 100.0 - (mid.x.powi(2) + mid.y.powi(2)).sqrt();
            assert!((0.0..=0.0101).contains(&gap), "{gap}");
        }
    }

    fn dxf(entities: &str) -> Vec<u8> {
        format!("0\nSECTION\n2\nENTITIES\n{entities}0\nENDSEC\n0\nEOF\n").into_bytes()
    }

    #[test]
    fn hatches_with_polyline_and_edge_paths_are_read() {
        // A polyline path (a 10 × 10 square) with a hole made of edges: three lines and a
        // clockwise quarter arc (DXF angles 270 → 360, i.e. 90° → 0° clockwise).
        let bytes = dxf(concat!(
            "0\nHATCH\n5\n2F\n100\nAcDbEntity\n8\nLO_DAT\n100\nAcDbHatch\n10\n0.0\n20\n0.0\n30\n0.0\n",
            "210\n0.0\n220\n0.0\n230\n1.0\n2\nSOLID\n70\n1\n71\n0\n91\n2\n",
            "92\n7\n72\n0\n73\n1\n93\n4\n10\n0\n20\n0\n10\n10\n20\n0\n10\n10\n20\n10\n10\n0\n20\n10\n97\n0\n",
            "92\n0\n93\n3\n72\n1\n10\n2\n20\n2\n11\n2\n21\n3\n",
            "72\n2\n10\n2\n20\n2\n40\n1\n50\n270\n51\n360\n73\n0\n",
            "72\n1\n10\n3\n20\n2\n11\n2\n21\n2\n97\n1\n330\n1A\n",
            "75\n1\n76\n1\n98\n1\n10\n5\n20\n5\n",
            "0\nLINE\n8\n0\n10\n0\n20\n0\n11\n1\n21\n1\n",
        ));
        let hatches = read(&bytes).expect("read");
        assert_eq!(hatches.len(), 1);
        let hatch = &hatches[0];
        assert_eq!(hatch.layer, "LO_DAT");
        assert_eq!(hatch.rings.len(), 2);
        assert_eq!(hatch.rings[0].len(), 4);
        let hole = &hatch.rings[1];
        assert!(near(hole[0], Coord { x: 2.0, y: 2.0 }) && near(hole[1], Coord { x: 2.0, y: 3.0 }), "{hole:?}");
        assert!(near(*hole.last().expect("vertex"), Coord { x: 3.0, y: 2.0 }), "{hole:?}");
        // The arc runs clockwise through the first quadrant of its centre.
        let arc = &hole[1..];
        assert!(arc.len() > 10);
        assert!(arc.iter().all(|p| p.x >= 2.0 - 1e-9 && p.y >= 2.0 - 1e-9));
        assert!(arc.windows(2).all(|w| w[1].x >= w[0].x - 1e-12), "clockwise from 90° to 0°");
    }

    #[test]
    fn a_hatch_that_cannot_be_read_is_named() {
        let spline = dxf("0\nHATCH\n5\nA1\n8\n0\n91\n1\n92\n1\n93\n1\n72\n4\n94\n3\n");
        let e = read(&spline).expect_err("refused");
        assert!(e.starts_with("hatch A1: boundary path 1: edge 1: a spline edge"), "{e}");
        let cut = dxf("0\nHATCH\n5\nA2\n8\n0\n91\n1\n92\n2\n72\n0\n73\n1\n93\n3\n10\n0\n20\n0\n");
        let e = read(&cut).expect_err("refused");
        assert!(e.starts_with("hatch A2: boundary path 1: ends where group code 10"), "{e}");
        assert_eq!(read(b"AutoCAD Binary DXF\r\n\x1a\0"), Ok(Vec::new()));
    }
}
