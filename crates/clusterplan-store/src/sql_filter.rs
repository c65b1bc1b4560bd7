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

use clusterplan_core::cql2::{Expr, Literal, PropertyType, SpatialOp};
use geo::BoundingRect;
use sqlx::QueryBuilder;

use crate::backend::{Backend, push_literal};

use crate::StoreError;
use crate::query::{Queryable, SortKey};

/// Whether every predicate of a filter is on a queryable the dialect decides in SQL.
pub(crate) fn decided_in_sql<DB: Backend>(expr: &Expr) -> bool {
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

fn queryable(prop: &str) -> Result<Queryable, StoreError> {
    Queryable::from_name(prop).ok_or_else(|| StoreError::Invalid(format!("{prop:?} is not a queryable")))
}

fn push_column<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, q: Queryable) {
    qb.push(q.column());
    if q.property_type() == PropertyType::String {
        qb.push(DB::TEXT_COLLATION);
    }
}

/// A predicate on columns (comparisons, `BETWEEN`, `IN`, `IS NULL`), pushed as SQL that both
/// dialects decide as [`crate::query::matches`] does for text, numbers and booleans. `false`
/// when `expr` is not such a predicate.
fn push_column_predicate<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<bool, StoreError> {
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
            push_literal(qb, &Literal::Number(*low));
            qb.push(" AND ");
            push_literal(qb, &Literal::Number(*high));
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

/// The whole filter as SQL, exact where [`decided_in_sql`] holds for the dialect (always for
/// PostGIS, whose spatial predicates are GEOS's).
pub(crate) fn push_filter<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<(), StoreError> {
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
pub(crate) fn push_prefilter<DB: Backend>(
    qb: &mut QueryBuilder<'static, DB>,
    expr: &Expr,
    table: &str,
) -> Result<(), StoreError> {
    let conjuncts = match expr {
        Expr::And(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    for conjunct in conjuncts {
        match conjunct {
            Expr::Spatial { op, geometry, .. } if *op != SpatialOp::Disjoint => {
                if let Some(rect) = geometry.bounding_rect() {
                    DB::push_bbox(qb, table, [rect.min().x, rect.min().y, rect.max().x, rect.max().y]);
                }
            }
            other if decided_in_sql::<DB>(other) => {
                qb.push(" AND ");
                push_filter(qb, other)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// ` ORDER BY …, <id>`: the sort keys, NULLs last either way, then the id.
pub(crate) fn push_order<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, sort: &[SortKey], id: &str) {
    qb.push(" ORDER BY ");
    for key in sort {
        push_column(qb, key.by);
        qb.push(if key.descending { " DESC NULLS LAST, " } else { " ASC NULLS LAST, " });
    }
    qb.push(id);
}
