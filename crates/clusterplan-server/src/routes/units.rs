//! The `units` collection: administrative units (provinces, districts, communes) over their
//! validity periods, as OGC API - Features items, read-only and public. Units are keyed by
//! official code and start of validity (`code@valid_from`), and `datetime` selects the units
//! valid then: an instant or a day, or an interval `start/end` (`..` for an open end), whose
//! units are those valid on some day of it. Validity ends are exclusive (`valid_to` is the
//! first day the unit no longer exists), as everywhere in the planning service.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use clusterplan_core::units::{Unit, UnitLevel};
use clusterplan_store::UnitQuery;
use geo::Intersects;
use serde::Serialize;
use utoipa::ToSchema;

use super::docs;
use super::documented::Documented;
use super::html::{self, View};
use super::links::{BaseUrl, Link, link};
use super::params::{bad_param, blank_is_absent, known};
use crate::AppState;
use crate::error::ApiError;
use crate::planning::UnitFeature;
use crate::wire::{GEOJSON, WireCrs};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .documented("/collections/units/items", html::get(items, View::Items))
        .documented("/collections/units/items/{id}", html::get(item, View::Item))
}

/// A page of units.
#[derive(Serialize, ToSchema)]
pub(crate) struct UnitPage {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "FeatureCollection")]
    kind: &'static str,
    #[serde(rename = "timeStamp")]
    #[schema(rename = "timeStamp")]
    time_stamp: String,
    #[serde(rename = "numberMatched")]
    #[schema(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    #[schema(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<UnitFeature>,
    links: Vec<Link>,
}

/// Days from `start` to `end`, both included; `None` for an open end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

impl Period {
    /// Reads OGC API's `datetime`: `2015-01-01`, `2015-01-01T00:00:00Z`, `start/end`, `../end`,
    /// `start/..`. Instants count by their UTC day.
    pub(crate) fn parse(text: &str) -> Result<Self, ApiError> {
        let bad = |why: &str| {
            bad_param(format!(
                "datetime={text:?} {why}; e.g. 2015-01-01, or 2009-01-01/2025-07-01 (.. for an open end)"
            ))
        };
        let day = |part: &str| -> Result<Option<NaiveDate>, ApiError> {
            match part {
                ".." | "" => Ok(None),
                _ => NaiveDate::parse_from_str(part, "%Y-%m-%d")
                    .ok()
                    .or_else(|| {
                        chrono::DateTime::parse_from_rfc3339(part)
                            .ok()
                            .map(|t| t.with_timezone(&chrono::Utc).date_naive())
                    })
                    .map(Some)
                    .ok_or_else(|| bad("is not a date, a date-time or an interval")),
            }
        };
        let period = match text.split_once('/') {
            None if text == ".." || text.is_empty() => return Err(bad("names no time")),
            None => {
                let at = day(text)?;
                Period { start: at, end: at }
            }
            Some((a, b)) => Period { start: day(a)?, end: day(b)? },
        };
        match (period.start, period.end) {
            (Some(a), Some(b)) if a > b => Err(bad("ends before it starts")),
            _ => Ok(period),
        }
    }

    /// Whether a unit is valid on some day of the period.
    pub(crate) fn admits(self, unit: &Unit) -> bool {
        self.end.is_none_or(|end| unit.valid_from <= end)
            && self.start.is_none_or(|start| unit.valid_to.is_none_or(|to| to > start))
    }
}

/// Administrative units
///
/// Provinces, districts and communes with their validity periods, as GeoJSON in CRS84. Public.
#[utoipa::path(
    get,
    path = "/collections/units/items",
    operation_id = "getUnitItems",
    tag = "Units",
    params(
        ("datetime" = Option<String>, Query, pattern = "^(([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?(/([0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?|\\.\\.))?|\\.\\./[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?))?$", description = "The units valid then: a day or instant (`2015-01-01`), or an interval `start/end` (`..` for an open end)"),
        ("level" = Option<String>, Query, description = "`province`, `district` or `commune`"),
        ("code" = Option<String>, Query, description = "One unit's official code (every period of it)"),
        ("bbox" = Option<Vec<f64>>, Query, style = Form, description = "CRS84 box the unit must intersect"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 10000, description = "Page size"),
        ("offset" = Option<u64>, Query, description = "Entries to skip"),
        docs::FormatQuery,
    ),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection of units", content(("application/geo+json" = UnitPage), ("text/html" = String))),
        (status = 400, response = docs::Problem),
    ),
)]
async fn items(
    State(state): State<AppState>,
    Query(mut params): Query<HashMap<String, String>>,
    BaseUrl(base): BaseUrl,
) -> Result<Response, ApiError> {
    known(&params, &["datetime", "level", "code", "bbox", "limit", "offset", "f"])?;
    blank_is_absent(&mut params);
    let (limit, offset) = super::selection::paging(&params)?;
    let period = params.get("datetime").map(|d| Period::parse(d)).transpose()?;
    let level = params
        .get("level")
        .map(|l| {
            UnitLevel::from_code(l)
                .ok_or_else(|| bad_param(format!("level={l:?} must be province, district or commune")))
        })
        .transpose()?;
    let bbox = params.get("bbox").map(|b| super::selection::parse_bbox(b, WireCrs::default())).transpose()?;
    // Units are hundreds, not millions: the store selects by level, code and box, the period
    // and the exact box test are decided here.
    let query = UnitQuery { on: None, level, bbox, code: params.get("code").cloned() };
    let box_shape = bbox.map(|[a, b, c, d]| geo_types::Rect::new((a, b), (c, d)));
    let matched: Vec<Unit> = state
        .store
        .list_units(&query)
        .await?
        .into_iter()
        .filter(|u| period.is_none_or(|p| p.admits(u)))
        .filter(|u| box_shape.is_none_or(|r| u.boundary.as_multi_polygon().intersects(&r)))
        .collect();
    let number_matched = matched.len();
    let features: Vec<UnitFeature> = matched
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .map(UnitFeature::from)
        .collect();
    let repeat = super::links::repeated(&params, &["datetime", "level", "code", "bbox"]);
    let page = |offset: u64, rel: &str| {
        link(format!("{base}/collections/units/items?limit={limit}&offset={offset}{repeat}"), rel, GEOJSON, rel)
    };
    let mut links = vec![page(offset, "self")];
    let alternate = html::alternate(&links[0]);
    links.push(alternate);
    if offset + (features.len() as u64) < number_matched as u64 {
        links.push(page(offset + features.len() as u64, "next"));
    }
    if offset > 0 {
        links.push(page(offset.saturating_sub(u64::from(limit)), "prev"));
    }
    links.push(link(format!("{base}/collections/units"), "collection", "application/json", "The collection"));
    let doc = UnitPage {
        kind: "FeatureCollection",
        time_stamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        number_matched,
        number_returned: features.len(),
        features,
        links,
    };
    geojson_answer(&doc)
}

/// An administrative unit over one validity period
#[utoipa::path(
    get,
    path = "/collections/units/items/{id}",
    operation_id = "getUnitItem",
    tag = "Units",
    params(("id" = String, Path, description = "`code@valid_from`, e.g. `829@1998-01-01`"), docs::FormatQuery),
    responses(
        (status = 200, description = "The unit", content(("application/geo+json" = UnitFeature), ("text/html" = String))),
        (status = 400, response = docs::Problem),
        (status = 404, response = docs::Problem),
    ),
)]
async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    known(&params, &["f"])?;
    let missing =
        || ApiError::NotFound(format!("unit {id:?} does not exist; ids are code@valid_from, e.g. 829@1998-01-01"));
    let Some((code, from)) = id.split_once('@') else { return Err(missing()) };
    let Ok(from) = NaiveDate::parse_from_str(from, "%Y-%m-%d") else { return Err(missing()) };
    let units = state.store.list_units(&UnitQuery { code: Some(code.to_owned()), ..UnitQuery::default() }).await?;
    let unit = units.into_iter().find(|u| u.valid_from == from).ok_or_else(missing)?;
    geojson_answer(&UnitFeature::from(unit))
}

fn geojson_answer(doc: &impl Serialize) -> Result<Response, ApiError> {
    let body = serde_json::to_string(doc).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON))], body).into_response())
}

#[cfg(test)]
mod tests;
