//! CQL2 text filters (OGC 21-065r2), the language of OGC API - Features Part 3 `filter=`.
//!
//! [`parse`] turns filter text into an [`Expr`]; [`check_properties`] holds it against the
//! collection's queryables; [`evaluate`] decides it for one feature in Rust. The tree keeps
//! structure and values apart so that SQL builders can translate it into parameterised SQL:
//! property names are to be looked up in the queryables and mapped to columns, literal values
//! ([`Literal`], LIKE patterns, geometries) are to be bound as parameters, and nothing in the tree
//! is text meant to be spliced into SQL.
//!
//! # What is understood
//!
//! - Conformance class *basic-cql2*: `AND`, `OR`, `NOT`, parentheses, `=`, `<>`, `<`, `>`, `<=`,
//!   `>=` between two properties of one type, or between a property and a literal (string, number, `TRUE`/`FALSE`, `DATE('…')`,
//!   `TIMESTAMP('…')`), in either order, `IS [NOT] NULL`, and `TRUE`/`FALSE` as a whole filter.
//! - *advanced-comparison-operators*: `[NOT] LIKE` (`%`, `_`, `\` escapes), `[NOT] BETWEEN` with
//!   number bounds, `[NOT] IN (…)` with a list of literals.
//! - *basic-spatial-functions* and *basic-spatial-functions-plus*: `S_INTERSECTS` with a property
//!   and a `POINT`, `LINESTRING`, `POLYGON`, `MULTIPOINT`, `MULTILINESTRING`, `MULTIPOLYGON`,
//!   `GEOMETRYCOLLECTION` or `BBOX` literal, in either order.
//! - From *spatial-functions*: `S_WITHIN`, `S_CONTAINS` and `S_DISJOINT` between a property and a
//!   literal. `S_EQUALS`, `S_TOUCHES`, `S_OVERLAPS` and `S_CROSSES`, and spatial predicates between
//!   two properties or two literals, are refused with a parse error.
//!
//! Keywords are case-insensitive; property names are ASCII identifiers (letters, digits, `_`, and
//! `.` or `:` after the first character) or double-quoted names (`"tên cụm"`). Words such as
//! `date` or `point` are property names unless they are followed by `(`.
//!
//! Not understood (parse error naming the construct): arithmetic, functions, `CASEI`/`ACCENTI`, temporal functions and `INTERVAL`, array functions,
//! `EMPTY` geometries, and CQL2 JSON. Geometry literals are in CRS84 (longitude first), as CQL2
//! requires when no filter CRS is given; a `Z` value is accepted and dropped, since predicates
//! are evaluated in two dimensions. String literals and LIKE patterns are normalised to Unicode
//! NFC, the form in which clusterplan stores names, so that `'Phú%'` typed with combining marks
//! finds `Phú Hưng`.
//!
//! # Limits
//!
//! Input longer than [`MAX_INPUT_BYTES`] and nesting (parentheses and `NOT`) deeper than
//! [`MAX_DEPTH`] are parse errors, so that no filter can exhaust the stack.

mod ast;
mod check;
mod eval;
mod lex;
mod parse;

pub use ast::{CompareOp, Expr, LikePattern, LikeToken, Literal, SpatialOp};
pub use check::{PropertyType, check_properties};
pub use eval::{Value, evaluate};
pub use parse::{ParseError, parse};

/// The longest filter text [`parse`] accepts, in bytes (64 KiB).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// The deepest nesting of parentheses and `NOT` that [`parse`] accepts.
pub const MAX_DEPTH: usize = 64;

#[cfg(test)]
mod tests;
