//! What an items request selects, shared by the items pages and the layer export: paging,
//! `bbox`, `crs`, `asOf`, `layer`, the CQL2 filter, `sortby`, `properties`, and the narrowing
//! of drafts to an officer's unit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use clusterplan_store::{ClusterQuery, Cursor, Layer, Selection};

use super::params::{as_of, bad_param, known};
use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::wire::WireCrs;

/// Page size when the client names none.
pub(crate) const DEFAULT_LIMIT: u32 = 100;
/// Largest page.
pub(crate) const MAX_LIMIT: u32 = 10_000;

/// A parsed items request: the store query, the output CRS, and the parameters that page
/// links repeat.
pub(super) struct ItemsRequest {
    pub(super) query: ClusterQuery,
    /// `asOf`: the layer as it stood at that instant.
    pub(super) as_of: Option<DateTime<Utc>>,
    pub(super) crs: WireCrs,
    /// `properties=`: the properties to return (`None`: all).
    pub(super) properties: Option<Vec<String>>,
    /// The selecting parameters as page links repeat them (`&key=value…`).
    pub(super) repeat: String,
}

/// The text of a cursor in page links: `id.<id>`, the kind of order it pages (only the id
/// order has cursors) and where. Opaque to clients, who follow `next` and `prev` links.
pub(crate) fn cursor_text(id: i64) -> String {
    format!("id.{id}")
}

/// `after=` or `before=` (never both, never with `offset`): where a page in id order starts.
/// A cursor that is not `id.<integer>` is a 400 naming the parameter.
pub(crate) fn cursor(params: &HashMap<String, String>) -> Result<Option<Cursor>, ApiError> {
    let read = |key: &str| {
        params
            .get(key)
            .map(|text| {
                text.strip_prefix("id.").and_then(|n| n.parse::<i64>().ok()).ok_or_else(|| {
                    bad_param(format!(
                        "{key}={text:?} is not a cursor of this service; follow the next and prev links of a page"
                    ))
                })
            })
            .transpose()
    };
    let cursor = match (read("after")?, read("before")?) {
        (Some(_), Some(_)) => return Err(bad_param("after and before are given together; give one".into())),
        (Some(after), None) => Some(Cursor::After(after)),
        (None, Some(before)) => Some(Cursor::Before(before)),
        (None, None) => None,
    };
    if params.contains_key("offset")
        && let Some(key) = ["after", "before"].into_iter().find(|k| params.contains_key(*k))
    {
        return Err(bad_param(format!("{key} and offset are given together; a page starts at one of them")));
    }
    Ok(cursor)
}

/// `limit` (1 to [`MAX_LIMIT`], larger cut to it; [`DEFAULT_LIMIT`] when absent) and `offset`.
pub(super) fn paging(params: &HashMap<String, String>) -> Result<(u32, u64), ApiError> {
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        // Any int32 (the document's format) from 1: a larger page than MAX_LIMIT is served as
        // MAX_LIMIT, as OGC API - Features asks; a number past int32 is malformed.
        Some(l) => match l.parse::<i32>().ok().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if n >= 1 => n.min(MAX_LIMIT),
            _ => return Err(bad_param(format!("limit={l:?} must be an integer from 1 to {MAX_LIMIT}"))),
        },
    };
    let offset = match params.get("offset") {
        None => 0,
        // At most i64::MAX: what the document's int64 allows and what SQL's OFFSET takes.
        Some(o) => o
            .parse::<u64>()
            .ok()
            .filter(|&n| i64::try_from(n).is_ok())
            .ok_or_else(|| bad_param(format!("offset={o:?} must be an integer from 0 to {}", i64::MAX)))?,
    };
    Ok((limit, offset))
}

/// Parses `limit`, `offset`, `bbox`, `bbox-crs`, `crs`; unknown parameters are refused, as
/// OGC API - Features asks. `f` is the caller's to check.
pub(super) fn parse_query(params: &HashMap<String, String>, caller: &Caller) -> Result<ItemsRequest, ApiError> {
    const KNOWN: &[&str] = &[
        "limit",
        "offset",
        "after",
        "before",
        "bbox",
        "bbox-crs",
        "crs",
        "f",
        "asOf",
        "layer",
        "filter",
        "filter-lang",
        "filter-crs",
        "datetime",
        "sortby",
        "properties",
    ];
    known(params, KNOWN)?;
    let (limit, offset) = paging(params)?;
    let cursor = cursor(params)?;
    let crs = params.get("crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?.unwrap_or_default();
    let bbox_crs = params.get("bbox-crs").filter(|c| !c.is_empty()).map(|c| WireCrs::parse(c)).transpose()?;
    if bbox_crs.is_some() && !params.contains_key("bbox") {
        return Err(bad_param("bbox-crs is given without bbox".into()));
    }
    let bbox = params.get("bbox").map(|b| parse_bbox(b, bbox_crs.unwrap_or_default())).transpose()?;
    let as_of = params.get("asOf").map(|t| as_of(t)).transpose()?;
    if as_of.is_some() && !crate::rights::sees_drafts(&caller.principal) {
        return Err(ApiError::Unauthorized("past versions are visible to signed-in accounts only".into()));
    }
    let layer = super::layer::layer_for(params, caller)?;
    let selected = super::filter::parse(params)?;
    let sorted = selected.selection.as_ref().is_some_and(|s| !s.sort.is_empty());
    if let (Some(_), true) = (cursor, sorted) {
        let key = if params.contains_key("after") { "after" } else { "before" };
        return Err(bad_param(format!("{key} pages in id order; a page sorted by sortby starts at an offset")));
    }
    // Page links repeat every selecting parameter; they set limit and where the page starts
    // themselves and stay GeoJSON.
    let selecting: Vec<&str> =
        KNOWN.iter().copied().filter(|k| !matches!(*k, "limit" | "offset" | "after" | "before" | "f")).collect();
    let repeat = super::links::repeated(params, &selecting);
    Ok(ItemsRequest {
        query: ClusterQuery { bbox, limit, offset, cursor, layer, selection: selected.selection },
        as_of,
        crs,
        properties: selected.properties,
        repeat,
    })
}

/// A list parameter given more than once (`properties=a&properties=b`) as one comma-separated
/// value, as the form style of `OpenAPI` sends it exploded: every value is kept, not the last.
pub(super) fn join_repeated(params: &mut HashMap<String, String>, raw: Option<&str>, key: &str) {
    let values: Vec<String> = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .collect();
    if values.len() > 1 {
        params.insert(key.to_owned(), values.join(","));
    }
}

pub(super) fn parse_bbox(text: &str, crs: WireCrs) -> Result<[f64; 4], ApiError> {
    let numbers: Result<Vec<f64>, _> = text.split(',').map(|n| n.trim().parse::<f64>()).collect();
    let numbers = numbers.map_err(|_| bad_param(format!("bbox={text:?} must be 4 comma-separated numbers")))?;
    let given = match numbers.as_slice() {
        // 3-D boxes: heights are ignored, the boundaries are 2-D.
        [a, b, c, d] | [a, b, _, c, d, _] => [*a, *b, *c, *d],
        _ => return Err(bad_param(format!("bbox={text:?} must have 4 (or 6) numbers"))),
    };
    if given.iter().any(|v| !v.is_finite()) {
        return Err(bad_param(format!("bbox={text:?} must be finite numbers")));
    }
    let [minx, miny, maxx, maxy] = crs.bbox_to_wgs84(given)?;
    let in_range = [minx, maxx].iter().all(|x| (-180.0..=180.0).contains(x))
        && [miny, maxy].iter().all(|y| (-90.0..=90.0).contains(y));
    if !in_range || miny > maxy {
        return Err(bad_param(format!(
            "bbox={text:?} must be min lon, min lat, max lon, max lat in WGS 84 degrees (or the axes of bbox-crs) with min ≤ max"
        )));
    }
    if minx > maxx {
        return Err(bad_param(format!("bbox={text:?} crosses the antimeridian, which is not supported")));
    }
    Ok([minx, miny, maxx, maxy])
}

/// Drafts and past versions: an officer reads those of its own unit's area only. Narrows the
/// request's selection to that area; the `ETag` prefix of what it then reads.
pub(super) async fn restrict_to_scope(
    state: &AppState,
    caller: &Caller,
    request: &mut ItemsRequest,
) -> Result<String, ApiError> {
    let mut prefix = super::layer::tag_prefix(request.query.layer).to_owned();
    if request.query.layer == Layer::Draft || request.as_of.is_some() {
        let scope = crate::rights::draft_scope(state, caller).await?;
        if let (Some(inside), Some(code)) = (scope.filter(), scope.tag()) {
            let selection = request.query.selection.as_deref().cloned().unwrap_or_default();
            let filter = match selection.filter {
                None => inside,
                Some(given) => clusterplan_core::cql2::Expr::And(vec![inside, given]),
            };
            request.query.selection = Selection { filter: Some(filter), ..selection }.shared();
            prefix = format!("{prefix}-{code}-");
        }
    }
    Ok(prefix)
}
