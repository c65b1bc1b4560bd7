//! CQL2 filters and sorts as SQL, for both stores: every value a bound parameter, every column
//! name a constant from [`Queryable::column`].
//!
//! PostGIS takes the whole filter ([`push_filter`]): its SQL is exact, so counting and paging
//! stay in the database. SQLite has no spatial functions and its `LIKE` ignores ASCII case, so
//! the GeoPackage store takes only a prefilter ([`push_prefilter`]): the conjuncts of the filter
//! it can decide exactly, and, for spatial predicates that need the geometries to meet, the
//! R*Tree envelope test. Its candidates are then decided exactly by [`crate::query::matches`].

use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::cql2::{Expr, Literal, PropertyType, SpatialOp};
use geo::BoundingRect;
use geozero::{CoordDimensions, ToWkb};
use sqlx::{Database, Encode, Postgres, QueryBuilder, Sqlite, Type};

use crate::StoreError;
use crate::query::{Queryable, SortKey};

/// The SQL a dialect needs beyond what both share.
pub(crate) trait Dialect: Database {
    /// Text comparisons by code point, as [`crate::query::compare`] orders them.
    const TEXT_COLLATION: &'static str;
}

impl Dialect for Postgres {
    const TEXT_COLLATION: &'static str = " COLLATE \"C\"";
}

impl Dialect for Sqlite {
    // SQLite's default collation, BINARY, compares UTF-8 bytes: code point order.
    const TEXT_COLLATION: &'static str = "";
}

fn queryable(prop: &str) -> Result<Queryable, StoreError> {
    Queryable::from_name(prop).ok_or_else(|| StoreError::Invalid(format!("{prop:?} is not a queryable")))
}

fn push_column<DB: Dialect>(qb: &mut QueryBuilder<'static, DB>, q: Queryable) {
    qb.push(q.column());
    if q.property_type() == PropertyType::String {
        qb.push(DB::TEXT_COLLATION);
    }
}

/// Binds a literal.
fn push_literal<DB>(qb: &mut QueryBuilder<'static, DB>, literal: &Literal)
where
    DB: Dialect,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    f64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    NaiveDate: for<'q> Encode<'q, DB> + Type<DB>,
    DateTime<Utc>: for<'q> Encode<'q, DB> + Type<DB>,
{
    match literal {
        Literal::String(s) => qb.push_bind(s.clone()),
        Literal::Number(n) => qb.push_bind(*n),
        Literal::Bool(b) => qb.push_bind(*b),
        Literal::Date(d) => qb.push_bind(*d),
        Literal::Timestamp(t) => qb.push_bind(*t),
    };
}

/// A predicate on columns (comparisons, `BETWEEN`, `IN`, `IS NULL`), pushed as SQL that both
/// dialects decide as [`crate::query::matches`] does for text, numbers and booleans. `false`
/// when `expr` is not such a predicate.
fn push_column_predicate<DB>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<bool, StoreError>
where
    DB: Dialect,
    String: for<'q> Encode<'q, DB> + Type<DB>,
    f64: for<'q> Encode<'q, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + Type<DB>,
    NaiveDate: for<'q> Encode<'q, DB> + Type<DB>,
    DateTime<Utc>: for<'q> Encode<'q, DB> + Type<DB>,
{
    match expr {
        Expr::Compare { prop, op, value } => {
            push_column(qb, queryable(prop)?);
            qb.push(" ").push(op.symbol()).push(" ");
            push_literal(qb, value);
        }
        Expr::CompareProperties { left, op, right } => {
            push_column(qb, queryable(left)?);
            qb.push(" ").push(op.symbol()).push(" ");
            push_column(qb, queryable(right)?);
        }
        Expr::Between { prop, low, high, negated } => {
            push_column(qb, queryable(prop)?);
            qb.push(if *negated { " NOT BETWEEN " } else { " BETWEEN " });
            qb.push_bind(*low).push(" AND ").push_bind(*high);
        }
        Expr::In { prop, values, negated } => {
            push_column(qb, queryable(prop)?);
            qb.push(if *negated { " NOT IN (" } else { " IN (" });
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                push_literal(qb, value);
            }
            qb.push(")");
        }
        Expr::IsNull { prop, negated } => {
            qb.push(queryable(prop)?.column()).push(if *negated { " IS NOT NULL" } else { " IS NULL" });
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The whole filter as PostGIS SQL, exact: `LIKE` is case-sensitive there, and spatial
/// predicates are GEOS's.
pub(crate) fn push_filter(qb: &mut QueryBuilder<'static, Postgres>, expr: &Expr) -> Result<(), StoreError> {
    if push_column_predicate(qb, expr)? {
        return Ok(());
    }
    match expr {
        Expr::Bool(b) => {
            qb.push(if *b { "TRUE" } else { "FALSE" });
        }
        Expr::And(items) | Expr::Or(items) => {
            let joiner = if matches!(expr, Expr::And(_)) { " AND " } else { " OR " };
            qb.push("(");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    qb.push(joiner);
                }
                push_filter(qb, item)?;
            }
            qb.push(")");
        }
        Expr::Not(inner) => {
            qb.push("(NOT ");
            push_filter(qb, inner)?;
            qb.push(")");
        }
        Expr::Like { prop, pattern, negated } => {
            push_column(qb, queryable(prop)?);
            qb.push(if *negated { " NOT LIKE " } else { " LIKE " });
            qb.push_bind(pattern.sql_pattern()).push(" ESCAPE '\\'");
        }
        Expr::Spatial { op, prop, geometry } => {
            let function = match op {
                SpatialOp::Intersects => "ST_Intersects(",
                SpatialOp::Disjoint => "ST_Disjoint(",
                SpatialOp::Within => "ST_Within(",
                SpatialOp::Contains => "ST_Contains(",
            };
            let wkb = geometry
                .to_wkb(CoordDimensions::xy())
                .map_err(|e| StoreError::Invalid(format!("filter geometry cannot be encoded: {e}")))?;
            qb.push(function).push(queryable(prop)?.column()).push(", ST_GeomFromWKB(");
            qb.push_bind(wkb).push(", 4326))");
        }
        Expr::Compare { .. }
        | Expr::CompareProperties { .. }
        | Expr::Between { .. }
        | Expr::In { .. }
        | Expr::IsNull { .. } => {
            unreachable!("column predicates are pushed above")
        }
    }
    Ok(())
}

/// A prefilter for the GeoPackage store: ` AND …` for each top-level conjunct SQLite decides
/// exactly (comparisons, `BETWEEN`, `IN`, `IS NULL` on text, number and boolean columns), and an
/// R*Tree test for each top-level spatial predicate that needs the geometries to meet. Every
/// feature that passes `expr` passes the prefilter; what it lets through is decided in Rust.
pub(crate) fn push_prefilter(
    qb: &mut QueryBuilder<'static, Sqlite>,
    expr: &Expr,
    rtree: &str,
) -> Result<(), StoreError> {
    let conjuncts = match expr {
        Expr::And(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    for conjunct in conjuncts {
        match conjunct {
            Expr::Spatial { op, geometry, .. } if *op != SpatialOp::Disjoint => {
                if let Some(rect) = geometry.bounding_rect() {
                    qb.push(format_args!(" AND fid IN (SELECT id FROM {rtree} WHERE minx <= "));
                    qb.push_bind(rect.max().x).push(" AND maxx >= ").push_bind(rect.min().x);
                    qb.push(" AND miny <= ").push_bind(rect.max().y).push(" AND maxy >= ").push_bind(rect.min().y);
                    qb.push(")");
                }
            }
            Expr::Compare { prop, .. }
            | Expr::Between { prop, .. }
            | Expr::In { prop, .. }
            | Expr::IsNull { prop, .. }
                if sqlite_exact(queryable(prop)?) =>
            {
                qb.push(" AND ");
                push_column_predicate(qb, conjunct)?;
            }
            Expr::CompareProperties { left, right, .. }
                if sqlite_exact(queryable(left)?) && sqlite_exact(queryable(right)?) =>
            {
                qb.push(" AND ");
                push_column_predicate(qb, conjunct)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Columns SQLite stores as the values filters compare (timestamps are text in their own format
/// there, so they are left to the exact test).
fn sqlite_exact(q: Queryable) -> bool {
    matches!(q.property_type(), PropertyType::String | PropertyType::Number | PropertyType::Boolean)
}

/// ` ORDER BY …, <id>`: the sort keys, NULLs last either way, then the id.
pub(crate) fn push_order<DB: Dialect>(qb: &mut QueryBuilder<'static, DB>, sort: &[SortKey], id: &str) {
    qb.push(" ORDER BY ");
    for key in sort {
        push_column(qb, key.by);
        qb.push(if key.descending { " DESC NULLS LAST, " } else { " ASC NULLS LAST, " });
    }
    qb.push(id);
}
