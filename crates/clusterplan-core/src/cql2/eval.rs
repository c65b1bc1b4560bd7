//! Deciding a filter for one feature in Rust, with SQL's three-valued logic.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use geo::{Contains, Intersects, Relate, Within};
use geo_types::Geometry;

use super::ast::{ArrayArg, ArrayOp, Expr, GeomArg, Literal, Scalar, SpatialOp, TemporalOp, TimeArg, TimeBound};

/// A feature's property value, as handed to [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    String(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant.
    Timestamp(DateTime<Utc>),
    /// A geometry in CRS84 (longitude first), like the filter's literals.
    Geometry(Geometry<f64>),
    /// No value; a property the feature lacks counts the same.
    Null,
}

impl From<&Literal> for Value {
    fn from(literal: &Literal) -> Self {
        match literal {
            Literal::String(s) => Self::String(s.clone()),
            Literal::Number(n) => Self::Number(*n),
            Literal::Bool(b) => Self::Bool(*b),
            Literal::Date(d) => Self::Date(*d),
            Literal::Timestamp(t) => Self::Timestamp(*t),
        }
    }
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<Value>;

/// Decides whether a feature passes a filter; `property` gives the feature's value of a
/// property, `None` for one it lacks.
///
/// NULL follows SQL's three-valued logic, as a database applying the same filter would:
/// a comparison, `LIKE`, `BETWEEN`, `IN`, arithmetic, spatial or temporal function on a NULL
/// (or missing) value is *unknown*, and so is one between values of different types, a NaN,
/// or arithmetic without a finite result (division by zero). `NOT unknown` is unknown;
/// `unknown AND false` is false and `unknown OR true` is true; otherwise unknown spreads. A
/// filter that comes out unknown does not pass. `IN` is true if any item equals the value, false
/// if every item is comparable and unequal, and unknown otherwise.
///
/// Strings compare by Unicode scalar value (like SQLite's `BINARY` collation and PostgreSQL's
/// `C` collation) and should be in NFC, as clusterplan stores names and as the filter's literals
/// are; spatial functions are evaluated in two dimensions with `geo`.
#[must_use]
pub fn evaluate(expr: &Expr, property: Lookup<'_>) -> bool {
    truth(expr, property) == Some(true)
}

/// A value: `None` is NULL.
fn scalar(s: &Scalar, property: Lookup<'_>) -> Option<Value> {
    match s {
        Scalar::Property(name) => property(name).filter(|v| *v != Value::Null),
        Scalar::Literal(literal) => Some(literal.into()),
        Scalar::Fold(fold, inner) => match scalar(inner, property)? {
            Value::String(text) => Some(Value::String(fold.apply(&text))),
            _ => None,
        },
        Scalar::Arith(op, left, right) => match (scalar(left, property)?, scalar(right, property)?) {
            (Value::Number(a), Value::Number(b)) => op.apply(a, b).map(Value::Number),
            _ => None,
        },
    }
}

/// The three-valued result: `None` is unknown.
fn truth(expr: &Expr, property: Lookup<'_>) -> Option<bool> {
    match expr {
        Expr::Bool(b) => Some(*b),
        Expr::And(items) => combine(items, property, false),
        Expr::Or(items) => combine(items, property, true),
        Expr::Not(inner) => truth(inner, property).map(|b| !b),
        Expr::Compare { left, op, right } => {
            compare_values(&scalar(left, property)?, &scalar(right, property)?).map(|ordering| op.holds(ordering))
        }
        Expr::Like { value, pattern } => match scalar(value, property)? {
            Value::String(s) => Some(pattern.matches(&s)),
            _ => None,
        },
        Expr::Between { value, low, high } => {
            let v = scalar(value, property)?;
            let above = compare_values(&v, &scalar(low, property)?).map(|o| o != Ordering::Less);
            let below = compare_values(&v, &scalar(high, property)?).map(|o| o != Ordering::Greater);
            match (above, below) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            }
        }
        Expr::In { value, list } => {
            let v = scalar(value, property)?;
            let mut unknown = false;
            for item in list {
                match scalar(item, property).and_then(|item| compare_values(&v, &item)) {
                    Some(Ordering::Equal) => return Some(true),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            if unknown { None } else { Some(false) }
        }
        Expr::IsNull { value } => Some(scalar(value, property).is_none()),
        Expr::Spatial { op, left, right } => {
            let (a, b) = (geometry(left, property)?, geometry(right, property)?);
            Some(relate(*op, &a, &b))
        }
        Expr::Temporal { op, left, right } => temporal(*op, left, right, property),
        Expr::Array { op, left, right } => array(*op, left, right, property),
    }
}

/// `AND` (`decisive` false) or `OR` (`decisive` true): the decisive value wins outright,
/// otherwise any unknown makes the whole unknown.
fn combine(items: &[Expr], property: Lookup<'_>, decisive: bool) -> Option<bool> {
    let mut unknown = false;
    for item in items {
        match truth(item, property) {
            Some(b) if b == decisive => return Some(decisive),
            Some(_) => {}
            None => unknown = true,
        }
    }
    if unknown { None } else { Some(!decisive) }
}

/// The ordering of two values of the same type; `None` across types, for geometries, or with a
/// NaN.
fn compare_values(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.as_str().cmp(y.as_str())),
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn geometry(arg: &GeomArg, property: Lookup<'_>) -> Option<Geometry<f64>> {
    match arg {
        GeomArg::Property(name) => match property(name)? {
            Value::Geometry(g) => Some(g),
            _ => None,
        },
        GeomArg::Literal(g) => Some(g.clone()),
    }
}

fn relate(op: SpatialOp, a: &Geometry<f64>, b: &Geometry<f64>) -> bool {
    match op {
        SpatialOp::Intersects => a.intersects(b),
        SpatialOp::Disjoint => !a.intersects(b),
        SpatialOp::Within => a.is_within(b),
        SpatialOp::Contains => a.contains(b),
        SpatialOp::Equals => a.relate(b).is_equal_topo(),
        SpatialOp::Touches => a.relate(b).is_touches(),
        SpatialOp::Overlaps => a.relate(b).is_overlaps(),
        SpatialOp::Crosses => a.relate(b).is_crosses(),
    }
}

/// A point on the time line with both infinities, for `..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Point {
    Before,
    At(DateTime<Utc>),
    After,
}

fn point(bound: &TimeBound, start: bool, property: Lookup<'_>) -> Option<Point> {
    match bound {
        TimeBound::Open => Some(if start { Point::Before } else { Point::After }),
        TimeBound::Instant(t) => Some(Point::At(*t)),
        TimeBound::Property(name) => match property(name)? {
            Value::Timestamp(t) => Some(Point::At(t)),
            _ => None,
        },
    }
}

fn temporal(op: TemporalOp, left: &TimeArg, right: &TimeArg, property: Lookup<'_>) -> Option<bool> {
    let mut unknown = false;
    let mut all = true;
    for (a, cmp, b) in op.conditions() {
        let (a, a_start) = a.of(left, right);
        let (b, b_start) = b.of(left, right);
        match (point(a, a_start, property), point(b, b_start, property)) {
            (Some(x), Some(y)) => all &= cmp.holds(x.cmp(&y)),
            _ => unknown = true,
        }
    }
    // A condition that fails decides the conjunction even beside an unknown one.
    let holds = if !all {
        Some(false)
    } else if unknown {
        None
    } else {
        Some(true)
    };
    holds.map(|h| h != op.negated())
}

fn items(arg: &ArrayArg, property: Lookup<'_>) -> Option<Vec<Value>> {
    match arg {
        ArrayArg::Property(_) => None,
        ArrayArg::Items(items) => items.iter().map(|item| scalar(item, property)).collect(),
    }
}

fn array(op: ArrayOp, left: &ArrayArg, right: &ArrayArg, property: Lookup<'_>) -> Option<bool> {
    let (a, b) = (items(left, property)?, items(right, property)?);
    let has = |list: &[Value], v: &Value| list.iter().any(|x| compare_values(x, v) == Some(Ordering::Equal));
    Some(match op {
        ArrayOp::Equals => {
            a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| compare_values(x, y) == Some(Ordering::Equal))
        }
        ArrayOp::Contains => b.iter().all(|v| has(&a, v)),
        ArrayOp::ContainedBy => a.iter().all(|v| has(&b, v)),
        ArrayOp::Overlaps => a.iter().any(|v| has(&b, v)),
    })
}
