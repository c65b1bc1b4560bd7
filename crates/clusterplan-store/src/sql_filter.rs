//! CQL2 filters and sorts as SQL, for both stores: every value a bound parameter, every column
//! name a constant from [`Queryable::column`].
//!
//! PostGIS takes the whole filter ([`push_filter`]): its SQL is exact, so counting and paging
//! stay in the database. SQLite decides exactly everything but geometries (it has no spatial
//! functions) and timestamps (stored as text in their own format): CQL2's case-sensitive `LIKE`
//! becomes `GLOB`. A filter without those ([`sqlite_decides`]) runs wholly in SQL there too;
//! for the others the GeoPackage store takes a prefilter ([`push_prefilter`]): the conjuncts it
//! can decide, and, for spatial predicates that need the geometries to meet, the R*Tree
//! envelope test. Its candidates are then decided exactly by [`crate::query::matches`].

use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::cql2::{Expr, LikePattern, LikeToken, Literal, PropertyType, SpatialOp};
use geo::BoundingRect;
use geo_types::Geometry;
use geozero::{CoordDimensions, ToWkb};
use sqlx::{Database, Encode, Postgres, QueryBuilder, Sqlite, Type};

use crate::StoreError;
use crate::query::{Queryable, SortKey};

/// The SQL a dialect needs beyond what both share.
pub(crate) trait Dialect: Database {
    /// Text comparisons by code point, as [`crate::query::compare`] orders them.
    const TEXT_COLLATION: &'static str;

    /// Whether predicates on this queryable are decided in SQL as the Rust evaluator does.
    fn decides(q: Queryable) -> bool;

    /// Binds a literal as a parameter.
    fn push_literal(qb: &mut QueryBuilder<'static, Self>, literal: &Literal);

    /// ` [NOT] LIKE …` after the column: case-sensitive, CQL2's wildcards.
    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern, negated: bool);

    /// `S_…(column, literal)`; only called where [`Self::decides`] the geometry.
    fn push_spatial(
        qb: &mut QueryBuilder<'static, Self>,
        op: SpatialOp,
        column: &str,
        geometry: &Geometry<f64>,
    ) -> Result<(), StoreError>;
}

impl Dialect for Postgres {
    fn push_literal(qb: &mut QueryBuilder<'static, Self>, literal: &Literal) {
        bind_literal(qb, literal);
    }

    const TEXT_COLLATION: &'static str = " COLLATE \"C\"";

    fn decides(_: Queryable) -> bool {
        true
    }

    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern, negated: bool) {
        qb.push(if negated { " NOT LIKE " } else { " LIKE " });
        qb.push_bind(pattern.sql_pattern()).push(" ESCAPE '\\'");
    }

    fn push_spatial(
        qb: &mut QueryBuilder<'static, Self>,
        op: SpatialOp,
        column: &str,
        geometry: &Geometry<f64>,
    ) -> Result<(), StoreError> {
        let function = match op {
            SpatialOp::Intersects => "ST_Intersects(",
            SpatialOp::Disjoint => "ST_Disjoint(",
            SpatialOp::Within => "ST_Within(",
            SpatialOp::Contains => "ST_Contains(",
        };
        let wkb = geometry
            .to_wkb(CoordDimensions::xy())
            .map_err(|e| StoreError::Invalid(format!("filter geometry cannot be encoded: {e}")))?;
        qb.push(function).push(column).push(", ST_GeomFromWKB(");
        qb.push_bind(wkb).push(", 4326))");
        Ok(())
    }
}

impl Dialect for Sqlite {
    fn push_literal(qb: &mut QueryBuilder<'static, Self>, literal: &Literal) {
        bind_literal(qb, literal);
    }

    // SQLite's default collation, BINARY, compares UTF-8 bytes: code point order.
    const TEXT_COLLATION: &'static str = "";

    fn decides(q: Queryable) -> bool {
        matches!(q.property_type(), PropertyType::String | PropertyType::Number | PropertyType::Boolean)
    }

    /// SQLite's `LIKE` ignores ASCII case; `GLOB` does not, and reads characters (not bytes),
    /// so `_` becomes `?`, `%` becomes `*`, and a literal `*`, `?` or `[` is bracketed.
    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern, negated: bool) {
        let mut glob = String::new();
        for token in pattern.tokens() {
            match *token {
                LikeToken::AnyMany => glob.push('*'),
                LikeToken::AnyOne => glob.push('?'),
                LikeToken::Char(c @ ('*' | '?' | '[')) => {
                    glob.push('[');
                    glob.push(c);
                    glob.push(']');
                }
                LikeToken::Char(c) => glob.push(c),
            }
        }
        qb.push(if negated { " NOT GLOB " } else { " GLOB " }).push_bind(glob);
    }

    fn push_spatial(
        _: &mut QueryBuilder<'static, Self>,
        op: SpatialOp,
        _: &str,
        _: &Geometry<f64>,
    ) -> Result<(), StoreError> {
        Err(StoreError::Invalid(format!("{} is decided after the R*Tree prefilter, not in SQLite", op.cql2_name())))
    }
}

/// Whether every predicate of a filter is on a queryable the dialect decides in SQL.
pub(crate) fn decided_in_sql<DB: Dialect>(expr: &Expr) -> bool {
    let decides = |prop: &str| Queryable::from_name(prop).is_some_and(DB::decides);
    match expr {
        Expr::Bool(_) => true,
        Expr::And(items) | Expr::Or(items) => items.iter().all(decided_in_sql::<DB>),
        Expr::Not(inner) => decided_in_sql::<DB>(inner),
        Expr::Compare { prop, .. }
        | Expr::Like { prop, .. }
        | Expr::Between { prop, .. }
        | Expr::In { prop, .. }
        | Expr::IsNull { prop, .. }
        | Expr::Spatial { prop, .. } => decides(prop),
        Expr::CompareProperties { left, right, .. } => decides(left) && decides(right),
    }
}

/// Whether the GeoPackage store can run a filter wholly in SQL.
pub(crate) fn sqlite_decides(expr: &Expr) -> bool {
    decided_in_sql::<Sqlite>(expr)
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

/// Binds a literal; what [`Dialect::push_literal`] does in both dialects.
fn bind_literal<DB>(qb: &mut QueryBuilder<'static, DB>, literal: &Literal)
where
    DB: Database,
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
fn push_column_predicate<DB: Dialect>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<bool, StoreError> {
    match expr {
        Expr::Compare { prop, op, value } => {
            push_column(qb, queryable(prop)?);
            qb.push(" ").push(op.symbol()).push(" ");
            DB::push_literal(qb, value);
        }
        Expr::CompareProperties { left, op, right } => {
            push_column(qb, queryable(left)?);
            qb.push(" ").push(op.symbol()).push(" ");
            push_column(qb, queryable(right)?);
        }
        Expr::Between { prop, low, high, negated } => {
            push_column(qb, queryable(prop)?);
            qb.push(if *negated { " NOT BETWEEN " } else { " BETWEEN " });
            DB::push_literal(qb, &Literal::Number(*low));
            qb.push(" AND ");
            DB::push_literal(qb, &Literal::Number(*high));
        }
        Expr::In { prop, values, negated } => {
            push_column(qb, queryable(prop)?);
            qb.push(if *negated { " NOT IN (" } else { " IN (" });
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                DB::push_literal(qb, value);
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

/// The whole filter as SQL, exact where [`decided_in_sql`] holds for the dialect (always for
/// PostGIS, whose spatial predicates are GEOS's).
pub(crate) fn push_filter<DB: Dialect>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<(), StoreError> {
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
            DB::push_like(qb, pattern, *negated);
        }
        Expr::Spatial { op, prop, geometry } => DB::push_spatial(qb, *op, queryable(prop)?.column(), geometry)?,
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
/// exactly ([`sqlite_decides`]), and an R*Tree test for each top-level spatial predicate that needs the geometries to meet. Every
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
            other if sqlite_decides(other) => {
                qb.push(" AND ");
                push_filter(qb, other)?;
            }
            _ => {}
        }
    }
    Ok(())
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
