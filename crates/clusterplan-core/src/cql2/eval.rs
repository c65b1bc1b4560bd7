//! Deciding a filter for one feature in Rust, with SQL's three-valued logic.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use geo::{Contains, Intersects, Within};
use geo_types::Geometry;

use super::ast::{Expr, Literal, SpatialOp};

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

/// Decides whether a feature passes a filter; `property` gives the feature's value of a
/// property, `None` for one it lacks.
///
/// NULL follows SQL's three-valued logic, as a database applying the same filter would:
/// a comparison, `LIKE`, `BETWEEN`, `IN` or spatial function on a NULL (or missing) value is
/// *unknown*, and so is one between values of different types (a string property compared with
/// a number), or a NaN. `NOT unknown` is unknown; `unknown AND false` is false and
/// `unknown OR true` is true; otherwise unknown spreads. A filter that comes out unknown does
/// not pass: so for a feature whose `x` is NULL both `x = 1` and `NOT x = 1` fail, and
/// `x IS NULL` passes. `IN` is true if any item equals the value, false if every item is
/// comparable and unequal, and unknown otherwise.
///
/// Strings compare by Unicode scalar value (like SQLite's `BINARY` collation and PostgreSQL's
/// `C` collation) and should be in NFC, as clusterplan stores names and as the filter's literals
/// are; spatial functions are evaluated in two dimensions with `geo`.
#[must_use]
pub fn evaluate(expr: &Expr, property: &dyn Fn(&str) -> Option<Value>) -> bool {
    truth(expr, property) == Some(true)
}

/// The three-valued result: `None` is unknown.
fn truth(expr: &Expr, property: &dyn Fn(&str) -> Option<Value>) -> Option<bool> {
    let value = |prop: &str| property(prop).filter(|v| *v != Value::Null);
    match expr {
        Expr::Bool(b) => Some(*b),
        Expr::And(items) => combine(items, property, false),
        Expr::Or(items) => combine(items, property, true),
        Expr::Not(inner) => truth(inner, property).map(|b| !b),
        Expr::Compare { prop, op, value: literal } => {
            compare(&value(prop)?, literal).map(|ordering| op.holds(ordering))
        }
        Expr::CompareProperties { left, op, right } => {
            compare_values(&value(left)?, &value(right)?).map(|ordering| op.holds(ordering))
        }
        Expr::Like { prop, pattern, negated } => match value(prop)? {
            Value::String(s) => Some(pattern.matches(&s) != *negated),
            _ => None,
        },
        Expr::Between { prop, low, high, negated } => match value(prop)? {
            Value::Number(n) if !n.is_nan() => Some((*low <= n && n <= *high) != *negated),
            _ => None,
        },
        Expr::In { prop, values, negated } => {
            let v = value(prop)?;
            let mut unknown = false;
            for literal in values {
                match compare(&v, literal) {
                    Some(Ordering::Equal) => return Some(!*negated),
                    Some(_) => {}
                    None => unknown = true,
                }
            }
            if unknown { None } else { Some(*negated) }
        }
        Expr::IsNull { prop, negated } => Some(value(prop).is_none() != *negated),
        Expr::Spatial { op, prop, geometry } => match value(prop)? {
            Value::Geometry(g) => Some(relate(*op, &g, geometry)),
            _ => None,
        },
    }
}

/// `AND` (`decisive` false) or `OR` (`decisive` true): the decisive value wins outright,
/// otherwise any unknown makes the whole unknown.
fn combine(items: &[Expr], property: &dyn Fn(&str) -> Option<Value>, decisive: bool) -> Option<bool> {
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

/// The ordering of a value against a literal of the same type; `None` across types or with a
/// NaN.
fn compare(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::String(a), Literal::String(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Number(a), Literal::Number(b)) => a.partial_cmp(b),
        (Value::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
        (Value::Date(a), Literal::Date(b)) => Some(a.cmp(b)),
        (Value::Timestamp(a), Literal::Timestamp(b)) => Some(a.cmp(b)),
        _ => None,
    }
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

fn relate(op: SpatialOp, feature: &Geometry<f64>, literal: &Geometry<f64>) -> bool {
    match op {
        SpatialOp::Intersects => feature.intersects(literal),
        SpatialOp::Disjoint => !feature.intersects(literal),
        SpatialOp::Within => feature.is_within(literal),
        SpatialOp::Contains => feature.contains(literal),
    }
}
