//! OGC API - Features Part 3 on the clusters layer: `filter` (CQL2 text or JSON), `filter-lang`,
//! `filter-crs`, and the query parameters that select and order features beside it:
//! `datetime`, `sortby`, `properties`. What they may name is in `queryables.rs`.
//!
//! The filter is parsed into a tree by `clusterplan_core::cql2`, checked against the
//! queryables, and handed to the store as a [`Selection`]: no request text reaches SQL.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::cql2::{self, CompareOp, Expr, GeomArg, Literal, Scalar};
use clusterplan_store::{Queryable, Selection, SortKey};

use super::params::bad_param;
use crate::error::ApiError;
use crate::wire::WireCrs;

/// The property that `datetime` selects on: when the feature was last written.
pub(crate) const TEMPORAL_PROPERTY: Queryable = Queryable::UpdatedAt;

fn invalid_filter(detail: String) -> ApiError {
    ApiError::BadRequest { kind: "invalid-filter", detail }
}

/// Most conditions a filter may hold. SQLite nests `a OR b OR …` one level per operand and
/// refuses expressions deeper than 1 000 levels, which PostgreSQL reads: past this bound both
/// stores would answer differently (a 500 against a 200), so the filter is refused before
/// either sees it. An `IN` list is one condition, whatever its length.
pub(crate) const MAX_CONDITIONS: usize = 256;

/// The conditions (leaves) of a filter tree, and each arithmetic, `CASEI` or `ACCENTI`
/// operation in them; an `IN` list of literals counts once, whatever its length.
fn count_conditions(expr: &Expr) -> usize {
    fn operations(s: &Scalar) -> usize {
        match s {
            Scalar::Property(_) | Scalar::Literal(_) => 0,
            Scalar::Fold(_, inner) => 1 + operations(inner),
            Scalar::Arith(_, a, b) => 1 + operations(a) + operations(b),
        }
    }
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter().map(count_conditions).sum(),
        Expr::Not(inner) => count_conditions(inner),
        Expr::Compare { left, right, .. } => 1 + operations(left) + operations(right),
        Expr::Between { value, low, high } => 1 + operations(value) + operations(low) + operations(high),
        Expr::In { value, list } => 1 + operations(value) + list.iter().map(operations).sum::<usize>(),
        Expr::Like { value, .. } | Expr::IsNull { value, .. } => 1 + operations(value),
        _ => 1,
    }
}

/// What a request selects beyond bbox and paging.
#[derive(Debug, Default)]
pub(crate) struct ItemsSelection {
    /// Filter (with `datetime` folded in) and sort, for the store.
    pub(crate) selection: Option<Arc<Selection>>,
    /// `properties=`: the feature properties to return (`None`: all).
    pub(crate) properties: Option<Vec<String>>,
}

/// Reads `filter`, `filter-lang`, `filter-crs`, `datetime`, `sortby` and `properties`.
pub(crate) fn parse(params: &HashMap<String, String>) -> Result<ItemsSelection, ApiError> {
    let json = match params.get("filter-lang").map(String::as_str) {
        None | Some("cql2-text") => false,
        Some("cql2-json") => true,
        Some(lang) => {
            return Err(bad_param(format!(
                "filter-lang={lang:?} is not offered; this service reads cql2-text and cql2-json"
            )));
        }
    };
    let filter_crs = params.get("filter-crs").map(|c| WireCrs::parse(c)).transpose()?;
    if filter_crs.is_some() && !params.contains_key("filter") {
        return Err(bad_param("filter-crs is given without filter".into()));
    }
    let mut conjuncts = Vec::new();
    if let Some(text) = params.get("filter") {
        let parsed = if json { cql2::parse_json(text) } else { cql2::parse(text) };
        let mut expr = parsed.map_err(|e| invalid_filter(format!("filter: {e}")))?;
        let conditions = count_conditions(&expr);
        if conditions > MAX_CONDITIONS {
            return Err(invalid_filter(format!(
                "filter: at most {MAX_CONDITIONS} conditions (comparisons, LIKE, IN, BETWEEN, IS NULL, spatial and \
                 temporal tests) and operations (arithmetic, CASEI, ACCENTI) are read; this one has {conditions}"
            )));
        }
        let allowed = clusterplan_store::query::queryable_types();
        if let Some(crs) = filter_crs {
            to_crs84(&mut expr, crs)?;
        }
        let expr = cql2::check_properties(&expr, &allowed).map_err(|problems| {
            invalid_filter(format!("filter: {}; see the collection's queryables", problems.join("; ")))
        })?;
        conjuncts.push(expr);
    }
    if let Some(text) = params.get("datetime") {
        conjuncts.extend(datetime(text)?);
    }
    let filter = match conjuncts.len() {
        0 => None,
        1 => conjuncts.pop(),
        _ => Some(Expr::And(conjuncts)),
    };
    let sort = params.get("sortby").map(|s| sortby(s)).transpose()?.unwrap_or_default();
    let properties = params.get("properties").map(|p| properties(p)).transpose()?;
    Ok(ItemsSelection { selection: Selection { filter, sort }.shared(), properties })
}

/// Brings the filter's geometry literals from `filter-crs` (its axis order) to CRS84.
fn to_crs84(expr: &mut Expr, crs: WireCrs) -> Result<(), ApiError> {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter_mut().try_for_each(|item| to_crs84(item, crs)),
        Expr::Not(inner) => to_crs84(inner, crs),
        Expr::Spatial { left, right, .. } => [left, right].into_iter().try_for_each(|arg| match arg {
            GeomArg::Literal(geometry) => crs
                .geometry_to_crs84(geometry)
                .map_err(|e| invalid_filter(format!("filter: a geometry cannot be transformed from {}: {e}", crs.0))),
            GeomArg::Property(_) => Ok(()),
        }),
        _ => Ok(()),
    }
}

/// `datetime=`: an instant or an interval (`start/end`, either end open as `..` or empty), RFC
/// 3339 date-times or dates (a date stands for its whole UTC day), on [`TEMPORAL_PROPERTY`].
fn datetime(text: &str) -> Result<Vec<Expr>, ApiError> {
    let prop = TEMPORAL_PROPERTY.name().to_owned();
    let compare = |op, at: DateTime<Utc>| Expr::Compare {
        left: Scalar::Property(prop.clone()),
        op,
        right: Scalar::Literal(Literal::Timestamp(at)),
    };
    let bad = || {
        bad_param(format!(
            "datetime={text:?} must be an RFC 3339 date-time or date, or an interval start/end with `..` for an \
             open end, e.g. 2025-01-01T00:00:00Z/.."
        ))
    };
    let Some((start, end)) = text.split_once('/') else {
        let (first, last) = instant(text).ok_or_else(bad)?;
        return Ok(if first == last {
            vec![compare(CompareOp::Eq, first)]
        } else {
            vec![compare(CompareOp::Ge, first), compare(CompareOp::Le, last)]
        });
    };
    let open = |s: &str| s.is_empty() || s == "..";
    if open(start) && open(end) {
        return Err(bad());
    }
    let mut out = Vec::new();
    if !open(start) {
        out.push(compare(CompareOp::Ge, instant(start).ok_or_else(bad)?.0));
    }
    if !open(end) {
        out.push(compare(CompareOp::Le, instant(end).ok_or_else(bad)?.1));
    }
    if let [
        Expr::Compare { right: Scalar::Literal(Literal::Timestamp(a)), .. },
        Expr::Compare { right: Scalar::Literal(Literal::Timestamp(b)), .. },
    ] = out.as_slice()
        && a > b
    {
        return Err(bad_param(format!("datetime={text:?} ends before it starts")));
    }
    Ok(out)
}

/// The first and last instant a date-time or date stands for.
fn instant(text: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    // GDAL writes `-where "updated_at > '2020-01-01'"` as `2020-01-01T/..`, and a time without
    // an offset as it was typed: a bare `T` is the whole day, a time without offset is UTC.
    let text = text.strip_suffix(['T', 't']).unwrap_or(text);
    if let Some(t) = cql2::parse_instant(text) {
        return Some((t, t));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(cql2::day_bounds)
}

/// `sortby=-updated_at,+name`: sortable queryables, `-` for descending, each at most once (a
/// later term on the same property could never decide an order). So there are never more
/// terms than sortable properties: the stores' `ORDER BY` stays far below SQLite's limit of
/// 2 000 terms, whose refusal would come after the answer's first bytes.
fn sortby(text: &str) -> Result<Vec<SortKey>, ApiError> {
    let sortable = sortable_names();
    let terms = text.split(',').count();
    if terms > sortable.len() {
        return Err(bad_param(format!(
            "sortby has {terms} terms; at most {}, each sortable property once: {}",
            sortable.len(),
            sortable.join(", ")
        )));
    }
    let mut keys: Vec<SortKey> = Vec::with_capacity(terms);
    for item in text.split(',').map(str::trim) {
        let (descending, name) = match item.as_bytes().first() {
            Some(b'-') => (true, &item[1..]),
            Some(b'+') => (false, &item[1..]),
            _ => (false, item),
        };
        let by = Queryable::from_name(name).filter(|q| q.sortable()).ok_or_else(|| {
            bad_param(format!("sortby: {name:?} is not a sortable property; sortable: {}", sortable.join(", ")))
        })?;
        if keys.iter().any(|k| k.by == by) {
            return Err(bad_param(format!("sortby names {name:?} twice; each property sorts once")));
        }
        keys.push(SortKey { by, descending });
    }
    Ok(keys)
}

fn sortable_names() -> Vec<&'static str> {
    Queryable::ALL.into_iter().filter(|q| q.sortable()).map(Queryable::name).collect()
}

/// `properties=code,name`: the feature properties to return.
fn properties(text: &str) -> Result<Vec<String>, ApiError> {
    let names: Vec<String> = text.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    for name in &names {
        if !Queryable::from_name(name).is_some_and(Queryable::sortable) {
            return Err(bad_param(format!(
                "properties: {name:?} is not a property of this collection; properties: {}",
                sortable_names().join(", ")
            )));
        }
    }
    Ok(names)
}
