//! From the `cql2` crate's tree (one for CQL2 text and CQL2 JSON) to ours, whose every node is
//! typed: what the crate leaves as an operator name and a list of arguments becomes a condition,
//! a value, a geometry or a temporal operand, or an error naming what is wrong.

use chrono::{DateTime, NaiveDate, Utc};
use cql2::Expr as In;
use geo_types::{Geometry, MultiPolygon, Rect, coord};

use super::ParseError;
use super::ast::{
    ArithOp, ArrayArg, ArrayOp, CompareOp, Expr, Fold, GeomArg, LikePattern, Literal, Scalar, SpatialOp, TemporalOp,
    TimeArg, TimeBound, TimeWritten,
};
use super::time::{day_bounds, parse_instant};

/// How deep a converted tree may be; the text's own limits keep real filters far below it.
const MAX_TREE_DEPTH: usize = 512;

fn error(message: impl Into<String>) -> ParseError {
    ParseError(message.into())
}

fn args<'a>(op: &str, args: &'a [Box<In>], count: usize) -> Result<Vec<&'a In>, ParseError> {
    if args.len() == count {
        Ok(args.iter().map(Box::as_ref).collect())
    } else {
        Err(error(format!("{op} takes {count} arguments, not {}", args.len())))
    }
}

/// The function a name stands for when none of CQL2's own does: none is offered.
fn unknown_function(op: &str) -> ParseError {
    error(format!("function {op:?} is not offered: this service has no functions beyond CQL2's own operators"))
}

/// A condition.
pub(super) fn condition(e: &In, depth: usize) -> Result<Expr, ParseError> {
    if depth > MAX_TREE_DEPTH {
        return Err(error(format!("the filter nests deeper than {MAX_TREE_DEPTH} levels")));
    }
    let depth = depth + 1;
    match e {
        In::Bool(b) => Ok(Expr::Bool(*b)),
        In::Property { property } => Ok(Expr::Compare {
            left: Scalar::Property(property.clone()),
            op: CompareOp::Eq,
            right: Scalar::Literal(Literal::Bool(true)),
        }),
        In::Operation { op, args: list } => operation(op, list, depth),
        other => Err(error(format!("{} is a value, not a condition", describe(other)))),
    }
}

fn operation(op: &str, list: &[Box<In>], depth: usize) -> Result<Expr, ParseError> {
    let lower = op.to_ascii_lowercase();
    let compare = match lower.as_str() {
        "=" => Some(CompareOp::Eq),
        "<>" | "!=" => Some(CompareOp::Ne),
        "<" => Some(CompareOp::Lt),
        "<=" => Some(CompareOp::Le),
        ">" => Some(CompareOp::Gt),
        ">=" => Some(CompareOp::Ge),
        _ => None,
    };
    if let Some(cmp) = compare {
        let [left, right] = args(op, list, 2)?[..] else { unreachable!() };
        return Ok(Expr::Compare { left: scalar(left, depth)?, op: cmp, right: scalar(right, depth)? });
    }
    match lower.as_str() {
        "and" | "or" => {
            if list.is_empty() {
                return Err(error(format!("{op} needs operands")));
            }
            let mut items = Vec::with_capacity(list.len());
            for item in list {
                items.push(condition(item, depth)?);
            }
            if items.len() == 1 {
                return Ok(items.remove(0));
            }
            Ok(if lower == "and" { Expr::And(items) } else { Expr::Or(items) })
        }
        "not" => {
            let [inner] = args(op, list, 1)?[..] else { unreachable!() };
            Ok(Expr::Not(Box::new(condition(inner, depth)?)))
        }
        "like" => {
            let [value, pattern] = args(op, list, 2)?[..] else { unreachable!() };
            let pattern = match scalar(pattern, depth)? {
                Scalar::Literal(Literal::String(text)) => LikePattern::new(&text),
                _ => return Err(error("LIKE needs a character literal as its pattern")),
            };
            Ok(Expr::Like { value: scalar(value, depth)?, pattern })
        }
        "between" => {
            let [value, low, high] = args(op, list, 3)?[..] else { unreachable!() };
            Ok(Expr::Between { value: scalar(value, depth)?, low: scalar(low, depth)?, high: scalar(high, depth)? })
        }
        "in" => {
            let [value, items] = args(op, list, 2)?[..] else { unreachable!() };
            let In::Array(items) = items else {
                return Err(error("IN needs a list of values in parentheses"));
            };
            if items.is_empty() {
                return Err(error("IN needs at least one value"));
            }
            let list = items.iter().map(|item| scalar(item, depth)).collect::<Result<_, _>>()?;
            Ok(Expr::In { value: scalar(value, depth)?, list })
        }
        "isnull" => {
            let [value] = args(op, list, 1)?[..] else { unreachable!() };
            Ok(Expr::IsNull { value: scalar(value, depth)? })
        }
        _ => {
            if let Some(spatial) = SpatialOp::from_cql2_name(op) {
                let [left, right] = args(op, list, 2)?[..] else { unreachable!() };
                return Ok(Expr::Spatial { op: spatial, left: geometry(left)?, right: geometry(right)? });
            }
            if let Some(temporal) = TemporalOp::from_cql2_name(op) {
                let [left, right] = args(op, list, 2)?[..] else { unreachable!() };
                return Ok(Expr::Temporal { op: temporal, left: time(left)?, right: time(right)? });
            }
            if let Some(array) = ArrayOp::from_cql2_name(op) {
                let [left, right] = args(op, list, 2)?[..] else { unreachable!() };
                return Ok(Expr::Array { op: array, left: array_arg(left, depth)?, right: array_arg(right, depth)? });
            }
            if scalar_operator(&lower).is_some() || matches!(lower.as_str(), "casei" | "accenti") {
                return Err(error(format!("{op} gives a value, not a condition")));
            }
            Err(unknown_function(op))
        }
    }
}

fn scalar_operator(op: &str) -> Option<ArithOp> {
    Some(match op {
        "+" => ArithOp::Add,
        "-" => ArithOp::Sub,
        "*" => ArithOp::Mul,
        "/" => ArithOp::Div,
        "%" => ArithOp::Mod,
        "div" => ArithOp::IntDiv,
        "^" => ArithOp::Pow,
        _ => return None,
    })
}

/// A value: property, literal, `CASEI`/`ACCENTI`, arithmetic.
fn scalar(e: &In, depth: usize) -> Result<Scalar, ParseError> {
    if depth > MAX_TREE_DEPTH {
        return Err(error(format!("the filter nests deeper than {MAX_TREE_DEPTH} levels")));
    }
    let depth = depth + 1;
    Ok(match e {
        In::Property { property } => Scalar::Property(property.clone()),
        In::Float(n) if n.is_finite() => Scalar::Literal(Literal::Number(*n)),
        In::Float(n) => return Err(error(format!("{n} is not a finite number"))),
        In::Literal(text) if text.contains('\0') => {
            return Err(error("a character literal holds a NUL character (U+0000), which no store keeps alike"));
        }
        In::Literal(text) => Scalar::Literal(Literal::String(crate::text::nfc(text))),
        In::Bool(b) => Scalar::Literal(Literal::Bool(*b)),
        In::Date { date } => Scalar::Literal(Literal::Date(date_text(date)?)),
        In::Timestamp { timestamp } => Scalar::Literal(Literal::Timestamp(timestamp_text(timestamp)?)),
        In::Null => return Err(error("NULL is not a value to compare with; test it with IS NULL")),
        In::Operation { op, args: list } => {
            let lower = op.to_ascii_lowercase();
            if let Some(arith) = scalar_operator(&lower) {
                let [left, right] = args(op, list, 2)?[..] else { unreachable!() };
                Scalar::Arith(arith, Box::new(scalar(left, depth)?), Box::new(scalar(right, depth)?))
            } else if lower == "casei" || lower == "accenti" {
                let fold = if lower == "casei" { Fold::Case } else { Fold::Accent };
                let [inner] = args(op, list, 1)?[..] else { unreachable!() };
                match scalar(inner, depth)? {
                    Scalar::Literal(Literal::String(text)) => Scalar::Literal(Literal::String(fold.apply(&text))),
                    Scalar::Literal(other) => {
                        return Err(error(format!("{} needs a string, not {}", fold.cql2_name(), other.kind())));
                    }
                    inner => Scalar::Fold(fold, Box::new(inner)),
                }
            } else if is_condition(&lower) {
                return Err(error(format!("{op} is a condition; compare values, or join conditions with AND/OR")));
            } else {
                return Err(unknown_function(op));
            }
        }
        other => return Err(error(format!("{} cannot stand here as a value", describe(other)))),
    })
}

/// Whether an operator name is CQL2's own (a condition, arithmetic, `CASEI`, `ACCENTI`).
fn is_known(op: &str) -> bool {
    let lower = op.to_ascii_lowercase();
    is_condition(&lower) || scalar_operator(&lower).is_some() || matches!(lower.as_str(), "casei" | "accenti")
}

fn is_condition(op: &str) -> bool {
    matches!(
        op,
        "=" | "<>" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or" | "not" | "like" | "between" | "in" | "isnull"
    ) || SpatialOp::from_cql2_name(op).is_some()
        || TemporalOp::from_cql2_name(op).is_some()
        || ArrayOp::from_cql2_name(op).is_some()
}

fn describe(e: &In) -> &'static str {
    match e {
        In::Operation { .. } => "an operation",
        In::Interval { .. } => "an interval",
        In::Timestamp { .. } => "a timestamp",
        In::Date { .. } => "a date",
        In::Property { .. } => "a property",
        In::BBox { .. } => "a BBOX",
        In::Float(_) => "a number",
        In::Literal(_) => "a string",
        In::Bool(_) => "a boolean",
        In::Array(_) => "a list",
        In::Geometry(_) => "a geometry",
        In::Null => "NULL",
    }
}

fn literal_text(e: &In) -> Result<&str, ParseError> {
    match e {
        In::Literal(text) => Ok(text),
        other => Err(error(format!("a date or timestamp is written as a string, not {}", describe(other)))),
    }
}

fn date_text(e: &In) -> Result<NaiveDate, ParseError> {
    let text = literal_text(e)?;
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| error(format!("DATE('{text}') is not a date YYYY-MM-DD")))
}

fn timestamp_text(e: &In) -> Result<DateTime<Utc>, ParseError> {
    let text = literal_text(e)?;
    parse_instant(text).ok_or_else(|| error(format!("TIMESTAMP('{text}') is not an RFC 3339 date-time")))
}

/// An operand of a temporal function.
fn time(e: &In) -> Result<TimeArg, ParseError> {
    let instant_arg = |bound: TimeBound| TimeArg { start: bound.clone(), end: bound, written: TimeWritten::Instant };
    Ok(match e {
        In::Property { property } => instant_arg(TimeBound::Property(property.clone())),
        In::Timestamp { timestamp } => instant_arg(TimeBound::Instant(timestamp_text(timestamp)?)),
        In::Date { date } => {
            let (first, last) = day_bounds(date_text(date)?);
            TimeArg { start: TimeBound::Instant(first), end: TimeBound::Instant(last), written: TimeWritten::Date }
        }
        In::Interval { interval } => {
            let [start, end] = interval.as_slice() else {
                return Err(error(format!("INTERVAL takes 2 bounds, not {}", interval.len())));
            };
            TimeArg { start: bound(start, true)?, end: bound(end, false)?, written: TimeWritten::Interval }
        }
        In::Operation { op, .. } if !is_known(op) => return Err(unknown_function(op)),
        other => {
            return Err(error(format!(
                "a temporal function compares instants (a property, DATE, TIMESTAMP) or INTERVALs, not {}",
                describe(other)
            )));
        }
    })
}

/// One end of an `INTERVAL`: `..`, a property, a date (its first instant as a start, its last
/// as an end) or a timestamp.
fn bound(e: &In, start: bool) -> Result<TimeBound, ParseError> {
    let text = match e {
        In::Property { property } => return Ok(TimeBound::Property(property.clone())),
        In::Date { date } => literal_text(date)?,
        In::Timestamp { timestamp } => literal_text(timestamp)?,
        In::Literal(text) => text,
        other => {
            return Err(error(format!("an INTERVAL bound is a date, a timestamp or '..', not {}", describe(other))));
        }
    };
    if text == ".." || text.is_empty() {
        return Ok(TimeBound::Open);
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let (first, last) = day_bounds(date);
        return Ok(TimeBound::Instant(if start { first } else { last }));
    }
    parse_instant(text)
        .map(TimeBound::Instant)
        .ok_or_else(|| error(format!("INTERVAL bound '{text}' is not a date, an RFC 3339 date-time or '..'")))
}

fn array_arg(e: &In, depth: usize) -> Result<ArrayArg, ParseError> {
    match e {
        In::Property { property } => Ok(ArrayArg::Property(property.clone())),
        In::Array(items) => {
            Ok(ArrayArg::Items(items.iter().map(|item| scalar(item, depth)).collect::<Result<_, _>>()?))
        }
        In::Operation { op, .. } if !is_known(op) => Err(unknown_function(op)),
        other => {
            Err(error(format!("an array function takes a property or a list in parentheses, not {}", describe(other))))
        }
    }
}

/// Refuses what no database takes as a geometry: a line of fewer than 2 positions, a polygon
/// ring of fewer than 4 (the first repeated last).
fn well_formed(geometry: &Geometry<f64>) -> Result<(), ParseError> {
    let line = |l: &geo_types::LineString<f64>| {
        if l.0.len() < 2 { Err(error("a LINESTRING needs at least 2 positions")) } else { Ok(()) }
    };
    let polygon = |p: &geo_types::Polygon<f64>| {
        std::iter::once(p.exterior()).chain(p.interiors()).try_for_each(|ring| {
            if ring.0.len() < 4 {
                Err(error("a POLYGON ring needs at least 4 positions, the first repeated last"))
            } else {
                Ok(())
            }
        })
    };
    match geometry {
        Geometry::LineString(l) => line(l),
        Geometry::MultiLineString(m) => m.0.iter().try_for_each(line),
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(m) => m.0.iter().try_for_each(polygon),
        Geometry::GeometryCollection(c) => c.0.iter().try_for_each(well_formed),
        _ => Ok(()),
    }
}

/// A geometry operand: a property, a WKT or GeoJSON literal, or a `BBOX`.
fn geometry(e: &In) -> Result<GeomArg, ParseError> {
    match e {
        In::Property { property } => Ok(GeomArg::Property(property.clone())),
        In::BBox { bbox } => {
            let numbers = bbox
                .iter()
                .map(|v| match v.as_ref() {
                    In::Float(n) if n.is_finite() => Ok(*n),
                    _ => Err(error("BBOX takes 4 (or 6) numbers")),
                })
                .collect::<Result<Vec<f64>, _>>()?;
            let ([minx, miny, maxx, maxy] | [minx, miny, _, maxx, maxy, _]) = numbers[..] else {
                return Err(error(format!("BBOX takes 4 or 6 numbers, not {}", numbers.len())));
            };
            if miny > maxy {
                return Err(error(format!("BBOX's south {miny} is north of its north {maxy}")));
            }
            let rect = |x0: f64, x1: f64| Rect::new(coord! { x: x0, y: miny }, coord! { x: x1, y: maxy }).to_polygon();
            Ok(GeomArg::Literal(if minx <= maxx {
                Geometry::Polygon(rect(minx, maxx))
            } else {
                // Across the antimeridian: west of it and east of it.
                Geometry::MultiPolygon(MultiPolygon(vec![rect(minx, 180.0), rect(-180.0, maxx)]))
            }))
        }
        In::Geometry(g) => {
            let wkt = g.to_wkt().map_err(|e| error(format!("geometry: {e}")))?;
            let parsed: wkt::Wkt<f64> = wkt.parse().map_err(|e| error(format!("geometry {wkt}: {e}")))?;
            let geometry = Geometry::try_from(parsed)
                .map_err(|_| error(format!("geometry {wkt}: empty geometries are not compared")))?;
            let finite = geo::CoordsIter::coords_iter(&geometry).all(|c| c.x.is_finite() && c.y.is_finite());
            if !finite {
                return Err(error("a geometry's coordinates must be finite numbers"));
            }
            well_formed(&geometry)?;
            Ok(GeomArg::Literal(geometry))
        }
        In::Operation { op, .. } if !is_known(op) => Err(unknown_function(op)),
        other => Err(error(format!("a spatial function relates geometries, not {}", describe(other)))),
    }
}
