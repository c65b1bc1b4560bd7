//! Holding a filter against the queryables: every property must be one of them, and every
//! predicate must suit the types of its operands. What passes is resolved for the stores: a date
//! compared with a timestamp becomes the bounds of its day, and a condition that reads no
//! property is decided once, here.

use std::fmt::{self, Display, Formatter};

use chrono::{DateTime, NaiveDate, Utc};

use super::ast::{ArrayArg, CompareOp, Expr, GeomArg, Literal, Scalar, TimeArg, TimeBound};
use super::eval::evaluate;
use super::time::day_bounds;

/// The type of a queryable, as the queryables document advertises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PropertyType {
    /// Text.
    String,
    /// An integer or decimal number.
    Number,
    /// `TRUE` or `FALSE`.
    Boolean,
    /// A calendar date.
    Date,
    /// An instant (UTC).
    Timestamp,
    /// A geometry (CRS84).
    Geometry,
}

impl PropertyType {
    /// Whether a literal is of this type.
    #[must_use]
    pub fn accepts(self, literal: &Literal) -> bool {
        self == literal_type(literal)
    }
}

fn literal_type(literal: &Literal) -> PropertyType {
    match literal {
        Literal::String(_) => PropertyType::String,
        Literal::Number(_) => PropertyType::Number,
        Literal::Bool(_) => PropertyType::Boolean,
        Literal::Date(_) => PropertyType::Date,
        Literal::Timestamp(_) => PropertyType::Timestamp,
    }
}

impl Display for PropertyType {
    /// The type with an article ("a string", "a geometry"), for messages.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::String => "a string",
            Self::Number => "a number",
            Self::Boolean => "a boolean",
            Self::Date => "a date",
            Self::Timestamp => "a timestamp",
            Self::Geometry => "a geometry",
        })
    }
}

/// Checks that a filter uses only the `allowed` properties (the queryables; names compared
/// exactly) and uses each as its type permits: comparisons, `IN` and `BETWEEN` between values of
/// one type (a date and a timestamp compare, the date standing for its UTC day), `LIKE`,
/// `CASEI` and `ACCENTI` on strings, arithmetic on numbers, spatial functions on geometries,
/// temporal functions on timestamps; no queryable is an array.
///
/// Reports every problem, each once, in the order they occur in the filter. What passes comes
/// back resolved: dates compared with timestamps replaced by timestamp bounds, and every
/// condition without a property decided (`1 = 1` is `TRUE`).
pub fn check_properties(expr: &Expr, allowed: &[(&str, PropertyType)]) -> Result<Expr, Vec<String>> {
    let mut checker = Checker { allowed, problems: Vec::new() };
    checker.walk(expr);
    if checker.problems.is_empty() { Ok(resolve(expr.clone(), allowed)) } else { Err(checker.problems) }
}

struct Checker<'a> {
    allowed: &'a [(&'a str, PropertyType)],
    problems: Vec<String>,
}

impl Checker<'_> {
    fn report(&mut self, problem: String) {
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// The property's type, or `None` after reporting it unknown.
    fn type_of(&mut self, prop: &str) -> Option<PropertyType> {
        let found = self.allowed.iter().find(|(name, _)| *name == prop).map(|(_, ty)| *ty);
        if found.is_none() {
            self.report(format!("unknown property \"{prop}\""));
        }
        found
    }

    /// The type of a value, or `None` after reporting why it has none.
    fn scalar(&mut self, s: &Scalar) -> Option<PropertyType> {
        match s {
            Scalar::Property(name) => self.type_of(name),
            Scalar::Literal(literal) => Some(literal_type(literal)),
            Scalar::Fold(fold, inner) => {
                let ty = self.scalar(inner)?;
                if ty != PropertyType::String {
                    self.report(format!("{} needs a string, but {inner} is {ty}", fold.cql2_name()));
                    return None;
                }
                Some(PropertyType::String)
            }
            Scalar::Arith(op, left, right) => {
                let (a, b) = (self.scalar(left), self.scalar(right));
                let mut ok = true;
                for (side, ty) in [(left, a), (right, b)] {
                    if let Some(ty) = ty.filter(|ty| *ty != PropertyType::Number) {
                        self.report(format!("arithmetic ({}) needs numbers, but {side} is {ty}", op.symbol()));
                        ok = false;
                    }
                }
                (ok && a.is_some() && b.is_some()).then_some(PropertyType::Number)
            }
        }
    }

    /// Two values compared (`=`, `<`, `IN`, `BETWEEN`): of one type, no geometry.
    fn comparable(&mut self, left: &Scalar, right: &Scalar) {
        let (Some(a), Some(b)) = (self.scalar(left), self.scalar(right)) else {
            return;
        };
        let dated = |x: PropertyType, y: PropertyType| x == PropertyType::Timestamp && y == PropertyType::Date;
        if a == PropertyType::Geometry || b == PropertyType::Geometry {
            self.report(format!(
                "{left} and {right} cannot be compared: geometries are related with spatial functions such as \
                 S_INTERSECTS"
            ));
        } else if dated(a, b) || dated(b, a) {
            let date_is_literal = |s: &Scalar, ty| ty != PropertyType::Date || matches!(s, Scalar::Literal(_));
            if !(date_is_literal(left, a) && date_is_literal(right, b)) {
                self.report(format!("{left} and {right} cannot be compared: only a DATE literal meets a timestamp"));
            }
        } else if a != b {
            self.report(format!("{left} is {a} and {right} is {b}; they cannot be compared"));
        }
    }

    fn require(&mut self, s: &Scalar, needed: PropertyType, operator: &str) {
        if let Some(actual) = self.scalar(s).filter(|actual| *actual != needed) {
            self.report(format!("{operator} needs {needed}, but {s} is {actual}"));
        }
    }

    fn geometry(&mut self, arg: &GeomArg, operator: &str) {
        if let GeomArg::Property(name) = arg
            && let Some(ty) = self.type_of(name).filter(|ty| *ty != PropertyType::Geometry)
        {
            self.report(format!("{operator} needs a geometry, but \"{name}\" is {ty}"));
        }
    }

    fn time(&mut self, arg: &TimeArg, operator: &str) {
        for bound in [&arg.start, &arg.end] {
            if let TimeBound::Property(name) = bound
                && let Some(ty) = self.type_of(name).filter(|ty| *ty != PropertyType::Timestamp)
            {
                self.report(format!("{operator} needs a timestamp, but \"{name}\" is {ty}"));
            }
        }
    }

    fn array(&mut self, arg: &ArrayArg, operator: &str) {
        match arg {
            ArrayArg::Property(name) => {
                if let Some(ty) = self.type_of(name) {
                    self.report(format!(
                        "{operator} relates arrays, but \"{name}\" is {ty}; no property of this collection is an array"
                    ));
                }
            }
            ArrayArg::Items(items) => {
                for item in items {
                    if !matches!(item, Scalar::Literal(_)) {
                        self.report(format!("{operator}: the items of a list are literals, not {item}"));
                    }
                }
            }
        }
    }

    fn walk(&mut self, expr: &Expr) {
        match expr {
            Expr::Bool(_) => {}
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|item| self.walk(item)),
            Expr::Not(inner) => self.walk(inner),
            Expr::Compare { left, right, .. } => self.comparable(left, right),
            Expr::In { value, list, .. } => list.iter().for_each(|item| self.comparable(value, item)),
            Expr::Between { value, low, high, .. } => {
                self.require(value, PropertyType::Number, "BETWEEN");
                self.require(low, PropertyType::Number, "BETWEEN");
                self.require(high, PropertyType::Number, "BETWEEN");
            }
            Expr::Like { value, .. } => self.require(value, PropertyType::String, "LIKE"),
            Expr::IsNull { value, .. } => {
                self.scalar(value);
            }
            Expr::Spatial { op, left, right } => {
                self.geometry(left, op.cql2_name());
                self.geometry(right, op.cql2_name());
            }
            Expr::Temporal { op, left, right } => {
                self.time(left, op.cql2_name());
                self.time(right, op.cql2_name());
            }
            Expr::Array { op, left, right } => {
                self.array(left, op.cql2_name());
                self.array(right, op.cql2_name());
            }
        }
    }
}

/// Whether a condition reads a property.
fn reads_property(expr: &Expr) -> bool {
    let scalar = |s: &Scalar| {
        let mut names = Vec::new();
        s.properties(&mut names);
        !names.is_empty()
    };
    let time = |t: &TimeArg| [&t.start, &t.end].iter().any(|b| matches!(b, TimeBound::Property(_)));
    match expr {
        Expr::Bool(_) => false,
        Expr::And(items) | Expr::Or(items) => items.iter().any(reads_property),
        Expr::Not(inner) => reads_property(inner),
        Expr::Compare { left, right, .. } => scalar(left) || scalar(right),
        Expr::In { value, list, .. } => scalar(value) || list.iter().any(scalar),
        Expr::Between { value, low, high, .. } => scalar(value) || scalar(low) || scalar(high),
        Expr::Like { value, .. } | Expr::IsNull { value, .. } => scalar(value),
        Expr::Spatial { left, right, .. } => {
            matches!(left, GeomArg::Property(_)) || matches!(right, GeomArg::Property(_))
        }
        Expr::Temporal { left, right, .. } => time(left) || time(right),
        Expr::Array { left, right, .. } => {
            matches!(left, ArrayArg::Property(_)) || matches!(right, ArrayArg::Property(_))
        }
    }
}

fn timestamp(t: DateTime<Utc>) -> Scalar {
    Scalar::Literal(Literal::Timestamp(t))
}

/// `value op DATE(d)` on a timestamp: the day's bounds (`>` after its last instant, `>=` from
/// its first, `=` within it).
fn against_day(value: &Scalar, op: CompareOp, date: NaiveDate) -> Expr {
    let (first, last) = day_bounds(date);
    let cmp = |op, at| Expr::Compare { left: value.clone(), op, right: timestamp(at) };
    match op {
        CompareOp::Lt => cmp(CompareOp::Lt, first),
        CompareOp::Ge => cmp(CompareOp::Ge, first),
        CompareOp::Le => cmp(CompareOp::Le, last),
        CompareOp::Gt => cmp(CompareOp::Gt, last),
        CompareOp::Eq => Expr::And(vec![cmp(CompareOp::Ge, first), cmp(CompareOp::Le, last)]),
        CompareOp::Ne => Expr::Or(vec![cmp(CompareOp::Lt, first), cmp(CompareOp::Gt, last)]),
    }
}

/// The type of a checked value.
fn type_of(s: &Scalar, allowed: &[(&str, PropertyType)]) -> Option<PropertyType> {
    match s {
        Scalar::Property(name) => allowed.iter().find(|(n, _)| n == name).map(|(_, ty)| *ty),
        Scalar::Literal(literal) => Some(literal_type(literal)),
        Scalar::Fold(..) => Some(PropertyType::String),
        Scalar::Arith(..) => Some(PropertyType::Number),
    }
}

/// Resolves a checked filter (see [`check_properties`]).
fn resolve(expr: Expr, allowed: &[(&str, PropertyType)]) -> Expr {
    if !reads_property(&expr) {
        return Expr::Bool(evaluate(&expr, &|_| None));
    }
    let timestamp_typed = |s: &Scalar| type_of(s, allowed) == Some(PropertyType::Timestamp);
    match expr {
        Expr::And(items) => Expr::And(items.into_iter().map(|e| resolve(e, allowed)).collect()),
        Expr::Or(items) => Expr::Or(items.into_iter().map(|e| resolve(e, allowed)).collect()),
        Expr::Not(inner) => Expr::Not(Box::new(resolve(*inner, allowed))),
        Expr::Compare { left, op, right } => match (left, right) {
            (value, Scalar::Literal(Literal::Date(d))) if timestamp_typed(&value) => against_day(&value, op, d),
            (Scalar::Literal(Literal::Date(d)), value) if timestamp_typed(&value) => {
                against_day(&value, op.flipped(), d)
            }
            (left, right) => Expr::Compare { left, op, right },
        },
        Expr::In { value, list } if timestamp_typed(&value) => Expr::Or(
            list.into_iter()
                .map(|item| resolve(Expr::Compare { left: value.clone(), op: CompareOp::Eq, right: item }, allowed))
                .collect(),
        ),
        other => other,
    }
}
