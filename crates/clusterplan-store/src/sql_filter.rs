//! CQL2 filters and sorts as SQL, for both stores: every value a bound parameter, every column
//! name a constant from [`Queryable::column`].
//!
//! PostGIS takes the whole filter ([`push_filter`]): its SQL is exact (GEOS's spatial
//! predicates, ICU's lower case, `translate` with [`accent_translation`]'s table, float8
//! arithmetic with NULL for what has no value, temporal relations as comparisons of the
//! operands' ends), so counting and paging stay in the database. SQLite decides exactly
//! comparisons, `LIKE` (as `GLOB`, case-sensitive), `BETWEEN`, `IN` and `IS NULL` on plain text,
//! number and boolean properties; it has no spatial functions and stores timestamps as text in
//! their own format. A filter within that ([`decided_in_sql`]) runs wholly in SQL there too; for
//! the others the GeoPackage store takes a prefilter ([`push_prefilter`]): the conjuncts it can
//! decide, and, for spatial predicates that need the geometries to meet, the R*Tree envelope
//! test. Its candidates are then decided exactly by [`crate::query::matches`].

use clusterplan_core::cql2::{
    ArithOp, Expr, Fold, GeomArg, PropertyType, Scalar, TemporalOp, TimeArg, TimeBound, accent_translation,
};
use geo::BoundingRect;
use sqlx::QueryBuilder;

use crate::backend::{Backend, push_literal};

use crate::StoreError;
use crate::query::{Queryable, SortKey};

/// Whether the dialect decides a value exactly as the Rust evaluator does.
fn scalar_decided<DB: Backend>(s: &Scalar) -> bool {
    match s {
        Scalar::Property(name) => Queryable::from_name(name).is_some_and(DB::decides),
        Scalar::Literal(_) => true,
        Scalar::Fold(_, inner) => DB::FUNCTIONS && scalar_decided::<DB>(inner),
        Scalar::Arith(_, left, right) => DB::FUNCTIONS && scalar_decided::<DB>(left) && scalar_decided::<DB>(right),
    }
}

fn geom_decided<DB: Backend>(arg: &GeomArg) -> bool {
    match arg {
        GeomArg::Property(name) => Queryable::from_name(name).is_some_and(DB::decides),
        GeomArg::Literal(_) => DB::decides(Queryable::Geometry),
    }
}

fn time_decided<DB: Backend>(arg: &TimeArg) -> bool {
    let bound = |b: &TimeBound| match b {
        TimeBound::Property(name) => Queryable::from_name(name).is_some_and(DB::decides),
        TimeBound::Instant(_) | TimeBound::Open => true,
    };
    DB::FUNCTIONS && bound(&arg.start) && bound(&arg.end)
}

/// Whether every predicate of a filter is one the dialect decides in SQL.
pub(crate) fn decided_in_sql<DB: Backend>(expr: &Expr) -> bool {
    match expr {
        Expr::Bool(_) => true,
        Expr::And(items) | Expr::Or(items) => items.iter().all(decided_in_sql::<DB>),
        Expr::Not(inner) => decided_in_sql::<DB>(inner),
        Expr::Compare { left, right, .. } => scalar_decided::<DB>(left) && scalar_decided::<DB>(right),
        Expr::Like { value, .. } => scalar_decided::<DB>(value) && (DB::FUNCTIONS || value.property().is_some()),
        Expr::Between { value, low, high, .. } => [value, low, high].into_iter().all(scalar_decided::<DB>),
        Expr::In { value, list, .. } => scalar_decided::<DB>(value) && list.iter().all(scalar_decided::<DB>),
        Expr::IsNull { value, .. } => scalar_decided::<DB>(value),
        Expr::Spatial { left, right, .. } => geom_decided::<DB>(left) && geom_decided::<DB>(right),
        Expr::Temporal { left, right, .. } => time_decided::<DB>(left) && time_decided::<DB>(right),
        // Checked filters relate only lists of literals, decided when checked.
        Expr::Array { .. } => false,
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

fn functions<DB: Backend>() -> Result<(), StoreError> {
    if DB::FUNCTIONS {
        Ok(())
    } else {
        Err(StoreError::Invalid("CASEI, ACCENTI, arithmetic and temporal functions are decided after SQL here".into()))
    }
}

/// A number operand of arithmetic, as float8 (an integer column would divide as integers).
fn push_number<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, s: &Scalar) -> Result<(), StoreError> {
    qb.push("CAST(");
    push_scalar(qb, s)?;
    qb.push(" AS double precision)");
    Ok(())
}

/// A value as SQL: a column, a bound literal, or a function of them that gives what
/// [`clusterplan_core::cql2::evaluate`] gives (NULL where it has no finite result).
fn push_scalar<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, s: &Scalar) -> Result<(), StoreError> {
    match s {
        Scalar::Property(name) => push_column(qb, queryable(name)?),
        Scalar::Literal(literal) => push_literal(qb, literal),
        Scalar::Fold(Fold::Case, inner) => {
            functions::<DB>()?;
            qb.push("(lower((");
            push_scalar(qb, inner)?;
            qb.push(") COLLATE \"und-x-icu\") COLLATE \"C\")");
        }
        Scalar::Fold(Fold::Accent, inner) => {
            functions::<DB>()?;
            let (from, to) = accent_translation();
            qb.push("translate(");
            push_scalar(qb, inner)?;
            qb.push(", ");
            DB::bind(qb, from.to_owned());
            qb.push(", ");
            DB::bind(qb, to.to_owned());
            qb.push(")");
        }
        Scalar::Arith(op, a, b) => {
            functions::<DB>()?;
            push_arith(qb, *op, a, b)?;
        }
    }
    Ok(())
}

fn push_arith<DB: Backend>(
    qb: &mut QueryBuilder<'static, DB>,
    op: ArithOp,
    a: &Scalar,
    b: &Scalar,
) -> Result<(), StoreError> {
    // `a / NULLIF(b, 0)`: division by zero is NULL, as in the Rust evaluator.
    let quotient = |qb: &mut QueryBuilder<'static, DB>| -> Result<(), StoreError> {
        qb.push("(");
        push_number(qb, a)?;
        qb.push(" / NULLIF(");
        push_number(qb, b)?;
        qb.push(", 0))");
        Ok(())
    };
    match op {
        ArithOp::Add | ArithOp::Sub | ArithOp::Mul => {
            qb.push("(");
            push_number(qb, a)?;
            qb.push(format_args!(" {} ", op.symbol()));
            push_number(qb, b)?;
            qb.push(")");
        }
        ArithOp::Div => quotient(qb)?,
        ArithOp::IntDiv => {
            qb.push("trunc");
            quotient(qb)?;
        }
        ArithOp::Mod => {
            // x - y * trunc(x / y) in float8, as the evaluator computes it; each operand is
            // written once (in a subquery), so nesting does not multiply the SQL.
            qb.push("(SELECT x - y * trunc(x / NULLIF(y, 0)) FROM (SELECT ");
            push_number(qb, a)?;
            qb.push(" AS x, ");
            push_number(qb, b)?;
            qb.push(" AS y) AS operands)");
        }
        ArithOp::Pow => {
            // NULL where the power is not a real number (PostgreSQL would raise an error).
            qb.push(
                "(SELECT CASE WHEN x < 0 AND y <> trunc(y) THEN NULL WHEN x = 0 AND y < 0 THEN NULL \
                 ELSE power(x, y) END FROM (SELECT ",
            );
            push_number(qb, a)?;
            qb.push(" AS x, ");
            push_number(qb, b)?;
            qb.push(" AS y) AS operands)");
        }
    }
    Ok(())
}

fn push_geom_arg<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, arg: &GeomArg) -> Result<(), StoreError> {
    match arg {
        GeomArg::Property(name) => {
            qb.push(queryable(name)?.column());
            Ok(())
        }
        GeomArg::Literal(geometry) => DB::push_geom(qb, Some(geometry)),
    }
}

/// One end of a temporal operand: SQL, or where it is `..`, a point before or after every
/// instant.
enum EndSql<'a> {
    Sql(&'a TimeBound),
    Before,
    After,
}

fn end_sql(bound: &TimeBound, start: bool) -> EndSql<'_> {
    match bound {
        TimeBound::Open if start => EndSql::Before,
        TimeBound::Open => EndSql::After,
        other => EndSql::Sql(other),
    }
}

fn push_bound<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, bound: &TimeBound) -> Result<(), StoreError> {
    match bound {
        TimeBound::Property(name) => {
            qb.push(queryable(name)?.column());
        }
        TimeBound::Instant(t) => DB::push_time(qb, Some(*t)),
        TimeBound::Open => unreachable!("open ends are decided without SQL"),
    }
    Ok(())
}

/// `T_…(left, right)`: the relation's conditions on the ends, those with `..` decided here (a
/// property on the other side still makes it unknown when NULL, as in the evaluator).
fn push_temporal<DB: Backend>(
    qb: &mut QueryBuilder<'static, DB>,
    op: TemporalOp,
    left: &TimeArg,
    right: &TimeArg,
) -> Result<(), StoreError> {
    functions::<DB>()?;
    qb.push(if op.negated() { "(NOT (TRUE" } else { "((TRUE" });
    for (a, cmp, b) in op.conditions() {
        let (a, a_start) = a.of(left, right);
        let (b, b_start) = b.of(left, right);
        qb.push(" AND ");
        let rank = |e: &EndSql<'_>| match e {
            EndSql::Before => 0,
            EndSql::Sql(_) => 1,
            EndSql::After => 2,
        };
        match (end_sql(a, a_start), end_sql(b, b_start)) {
            (EndSql::Sql(x), EndSql::Sql(y)) => {
                push_bound(qb, x)?;
                qb.push(format_args!(" {} ", cmp.symbol()));
                push_bound(qb, y)?;
            }
            (x, y) => {
                let holds = cmp.holds(rank(&x).cmp(&rank(&y)));
                let property = [&x, &y].into_iter().find_map(|e| match e {
                    EndSql::Sql(TimeBound::Property(name)) => Some(name),
                    _ => None,
                });
                match property {
                    // TRUE, or NULL when the property is NULL; FALSE, or NULL likewise.
                    Some(name) if holds => {
                        qb.push(format_args!("({} IS NOT NULL OR NULL)", queryable(name)?.column()));
                    }
                    Some(name) => {
                        qb.push(format_args!("({} IS NULL AND NULL)", queryable(name)?.column()));
                    }
                    None => {
                        qb.push(if holds { "TRUE" } else { "FALSE" });
                    }
                }
            }
        }
    }
    qb.push("))");
    Ok(())
}

fn push_list<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, items: &[Scalar]) -> Result<(), StoreError> {
    qb.push("(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        push_scalar(qb, item)?;
    }
    qb.push(")");
    Ok(())
}

/// The whole filter as SQL, exact where [`decided_in_sql`] holds for the dialect (always for
/// PostGIS).
pub(crate) fn push_filter<DB: Backend>(qb: &mut QueryBuilder<'static, DB>, expr: &Expr) -> Result<(), StoreError> {
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
        Expr::Compare { left, op, right } => {
            qb.push("(");
            push_scalar(qb, left)?;
            qb.push(format_args!(" {} ", op.symbol()));
            push_scalar(qb, right)?;
            qb.push(")");
        }
        Expr::Between { value, low, high } => {
            qb.push("(");
            push_scalar(qb, value)?;
            qb.push(" BETWEEN ");
            push_scalar(qb, low)?;
            qb.push(" AND ");
            push_scalar(qb, high)?;
            qb.push(")");
        }
        Expr::In { value, list } => {
            qb.push("(");
            push_scalar(qb, value)?;
            qb.push(" IN ");
            push_list(qb, list)?;
            qb.push(")");
        }
        Expr::IsNull { value } => {
            qb.push("(");
            match value {
                Scalar::Property(name) => {
                    qb.push(queryable(name)?.column());
                }
                other => push_scalar(qb, other)?,
            }
            qb.push(" IS NULL)");
        }
        Expr::Like { value, pattern } => {
            qb.push("(");
            push_scalar(qb, value)?;
            DB::push_like(qb, pattern);
            qb.push(")");
        }
        Expr::Spatial { op, left, right } => {
            functions::<DB>()?;
            qb.push(op.postgis_name()).push("(");
            push_geom_arg(qb, left)?;
            qb.push(", ");
            push_geom_arg(qb, right)?;
            qb.push(")");
        }
        Expr::Temporal { op, left, right } => push_temporal(qb, *op, left, right)?,
        Expr::Array { op, .. } => {
            return Err(StoreError::Invalid(format!("{} relates lists of literals only", op.cql2_name())));
        }
    }
    Ok(())
}

/// A prefilter for the GeoPackage store: ` AND …` for each top-level conjunct SQLite decides
/// exactly ([`decided_in_sql`]), and an R*Tree test for each top-level spatial predicate between
/// a property and a literal that needs the geometries to meet. Every feature that passes `expr`
/// passes the prefilter; what it lets through is decided in Rust.
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
            Expr::Spatial { op, left, right } if op.needs_meeting() => {
                let literal = match (left, right) {
                    (GeomArg::Property(_), GeomArg::Literal(g)) | (GeomArg::Literal(g), GeomArg::Property(_)) => {
                        Some(g)
                    }
                    _ => None,
                };
                if let Some(rect) = literal.and_then(BoundingRect::bounding_rect) {
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
