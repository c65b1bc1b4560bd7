//! Holding a filter against the queryables: every property must be one of them, and every
//! predicate must suit the property's type.

use std::fmt::{self, Display, Formatter};

use super::ast::{Expr, Literal};

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
        matches!(
            (self, literal),
            (Self::String, Literal::String(_))
                | (Self::Number, Literal::Number(_))
                | (Self::Boolean, Literal::Bool(_))
                | (Self::Date, Literal::Date(_))
                | (Self::Timestamp, Literal::Timestamp(_))
        )
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
/// exactly) and uses each as its type permits: comparisons and `IN` with literals of the
/// property's type, `LIKE` on strings, `BETWEEN` on numbers, spatial functions on geometries.
///
/// Reports every problem, each once, in the order they occur in the filter.
pub fn check_properties(expr: &Expr, allowed: &[(&str, PropertyType)]) -> Result<(), Vec<String>> {
    let mut checker = Checker { allowed, problems: Vec::new() };
    checker.walk(expr);
    if checker.problems.is_empty() { Ok(()) } else { Err(checker.problems) }
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

    fn walk(&mut self, expr: &Expr) {
        match expr {
            Expr::Bool(_) => {}
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|item| self.walk(item)),
            Expr::Not(inner) => self.walk(inner),
            Expr::Compare { prop, value, .. } => self.compared(prop, std::slice::from_ref(value)),
            Expr::In { prop, values, .. } => self.compared(prop, values),
            Expr::CompareProperties { left, right, .. } => self.compared_properties(left, right),
            Expr::Like { prop, .. } => self.require(prop, PropertyType::String, "LIKE"),
            Expr::Between { prop, .. } => self.require(prop, PropertyType::Number, "BETWEEN"),
            Expr::Spatial { op, prop, .. } => {
                self.require(prop, PropertyType::Geometry, op.cql2_name());
            }
            Expr::IsNull { prop, .. } => {
                self.type_of(prop);
            }
        }
    }

    /// A property compared with literals (`=`, `<`, …, `IN`).
    fn compared(&mut self, prop: &str, values: &[Literal]) {
        let Some(ty) = self.type_of(prop) else {
            return;
        };
        for value in values {
            if ty == PropertyType::Geometry {
                self.report(format!(
                    "property \"{prop}\" is a geometry and cannot be compared with {}; use a spatial \
                     function such as S_INTERSECTS",
                    value.kind()
                ));
            } else if !ty.accepts(value) {
                self.report(format!("property \"{prop}\" is {ty} and cannot be compared with {}", value.kind()));
            }
        }
    }

    /// Two properties compared with each other: both known, of one type, neither a geometry.
    fn compared_properties(&mut self, left: &str, right: &str) {
        let (Some(a), Some(b)) = (self.type_of(left), self.type_of(right)) else {
            return;
        };
        if a == PropertyType::Geometry || b == PropertyType::Geometry {
            self.report(format!(
                "properties \"{left}\" and \"{right}\" cannot be compared: geometries need a spatial function"
            ));
        } else if a != b {
            self.report(format!("property \"{left}\" is {a} and \"{right}\" is {b}; they cannot be compared"));
        }
    }

    /// A property used by an operator that needs one type.
    fn require(&mut self, prop: &str, needed: PropertyType, operator: &str) {
        if let Some(actual) = self.type_of(prop).filter(|actual| *actual != needed) {
            self.report(format!("{operator} needs {needed} property, but \"{prop}\" is {actual}"));
        }
    }
}
