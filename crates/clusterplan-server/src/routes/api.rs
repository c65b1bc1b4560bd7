//! `GET /api`: the service's `OpenAPI` 3.0 document, generated from the handlers'
//! `#[utoipa::path]` annotations (OGC API - Features `oas30`), and an HTML listing of it.

// utoipa's `OpenApi` derive expands to `for_each` calls, which clippy flags in the impl.
#![allow(clippy::needless_for_each)]

use std::collections::HashMap;

use axum::Router;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::html;
use utoipa::openapi::path::{Operation, PathItemType};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr, Response as ApiResponse};
use utoipa::{Modify, OpenApi};

use super::docs::{self, OPENAPI_JSON};
use super::documented::Documented;
use super::html::{self, Negotiated, negotiate, page, vary_on_accept};
use crate::AppState;
use crate::auth::{CSRF_HEADER, SESSION_COOKIE};
use crate::error::ApiError;

pub(crate) fn router() -> Router<AppState> {
    Router::new().documented("/api", get(document))
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clusterplan",
        description = "Industrial cluster (cụm công nghiệp) planning service: OGC API - Features \
                       (Parts 1, 2 and 4), vector tiles, history, publishing and planning. Errors are \
                       RFC 9457 problem documents (application/problem+json).",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        super::ogc::landing,
        super::ogc::conformance,
        super::ogc::collections,
        super::ogc::collection,
        document,
        super::items::list,
        super::queryables::queryables,
        super::items::create,
        super::items::options,
        super::items::read,
        super::items::replace,
        super::patch::update,
        super::items::remove,
        super::annex::coordinate_table,
        super::export::export,
        super::import::import,
        super::import::import_zones,
        super::history::versions,
        super::history::one_version,
        super::history::version_diff,
        super::history::revert,
        super::comments::list,
        super::comments::add,
        super::comments::one,
        super::tiles::tilesets,
        super::tiles::tileset,
        super::tiles::tilejson,
        super::tiles::tile,
        super::tiles::tile_matrix_sets,
        super::tiles::tile_matrix_set,
        super::metadata::read,
        super::metadata::replace,
        super::publish::publish,
        super::public_map::page,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::change_password,
        super::auth::create_token,
        super::auth::revoke_token,
        super::auth::audit,
        super::planning::list_events,
        super::planning::record_event,
        super::planning::planning_sheet,
        super::planning::list_tasks,
        super::planning::create_task,
        super::planning::task_done,
        super::planning::list_units,
        super::planning::list_successions,
        super::planning::zoning,
        super::planning::summary,
        super::units::items,
        super::units::item,
        super::registry::list_investors,
        super::registry::create_investor,
        super::registry::read_investor,
        super::registry::replace_investor,
        super::registry::add_figures,
        super::registry::add_lease,
        super::registry::end_lease,
        super::registry::investor_versions,
        super::registry::list_designations,
        super::registry::create_designation,
        super::registry::list_budgets,
        super::registry::create_budget,
        super::registry::report,
        super::zones::list,
        super::zones::create,
        super::zones::options,
        super::zones::read,
        super::zones::replace,
        super::zones::remove,
        super::health::health,
        super::health::ready,
        super::web::ui_config,
        super::web::metrics,
    ),
    components(
        schemas(
            super::links::Link,
            super::ogc::LandingPage,
            super::ogc::ConfClasses,
            super::ogc::Collections,
            super::ogc::Collection,
            super::ogc::Extent,
            super::ogc::SpatialExtent,
            super::ogc::TemporalExtent,
            crate::wire::PublicationDoc,
            docs::Geometry,
            docs::ClusterOrZoneFeature,
            docs::Feature,
            docs::FeatureCollection,
            docs::PageFeature,
            docs::ClusterProperties,
            crate::error::ProblemDocument,
            crate::error::LocatedProblem,
            crate::error::FieldError,
            docs::Format,
            docs::LayerName,
            super::health::Health,
            super::web::UiConfig,
            crate::config::Basemap,
            super::metadata::Metadata,
            super::comments::CommentDoc,
            super::comments::CommentList,
            super::comments::CommentBody,
            super::auth::Account,
            super::auth::NewToken,
            super::auth::AuditEntryDoc,
            super::auth::AuditPage,
            super::auth::LoginBody,
            super::auth::TokenBody,
            super::auth::RevokeBody,
            super::annex::AnnexDoc,
            super::annex::ParcelDoc,
            super::annex::RingDoc,
            super::annex::MarkerDoc,
            super::history::RevertBody,
            super::history::VersionDoc,
            super::history::VersionList,
            super::history::DiffDoc,
            super::history::AttributeChangeDoc,
            super::queryables::Queryables,
            super::queryables::QueryableSchema,
            super::tiles::TileMatrixSets,
            super::tiles::TileMatrixSetRef,
            super::tiles::TileMatrixSet,
            super::tiles::TileMatrix,
            super::tiles::TmsBoundingBox,
            super::tiles::Tilesets,
            super::tiles::TilesetRef,
            super::tiles::Tileset,
            super::tiles::TileMatrixLimits,
            super::tiles::TilesetLayer,
            super::tiles::TileJson,
            super::tiles::TileLimits,
            super::tiles::VectorLayer,
            super::planning::EventList,
            super::planning::EventRecorded,
            super::planning::PlanningSheet,
            super::planning::TaskList,
            super::planning::SuccessionDoc,
            super::planning::Successions,
            docs::TaskBody,
            docs::EventBody,
            docs::PolygonBoundary,
            docs::Position,
            docs::MultiPolygonBoundary,
            docs::ZoneFeatureBody,
            docs::TaskDoneBody,
            docs::PublishBody,
            docs::PasswordBody,
            docs::FeaturePatch,
            crate::planning::RuleDoc,
            crate::planning::OverrideDoc,
            crate::planning::UnresolvedRule,
            crate::planning::ActDoc,
            crate::planning::EventDoc,
            crate::planning::TaskDoc,
            crate::planning::ShareDoc,
            crate::planning::LandDoc,
            crate::planning::UnitRef,
            crate::planning::UnitProperties,
            crate::planning::UnitFeature,
            crate::planning::UnitCollection,
            super::units::UnitPage,
            crate::planning::ZoneAtPoint,
            crate::planning::ClusterAtPoint,
            crate::planning::LonLat,
            crate::planning::Zoning,
            crate::planning::SummaryCluster,
            crate::planning::SummaryUnit,
            crate::planning::Summary,
            super::registry::InvestorBody,
            super::registry::FiguresBody,
            super::registry::LeaseBody,
            super::registry::LeaseEndBody,
            super::registry::DesignationBody,
            super::registry::BudgetBody,
            super::registry::FiguresDoc,
            super::registry::LeaseDoc,
            super::registry::InvestorProperties,
            super::registry::PublicInvestorFacts,
            super::registry::AccountInvestorFacts,
            super::registry::InvestorFeature,
            super::registry::InvestorCollection,
            super::registry::InvestorVersionDoc,
            super::registry::InvestorVersions,
            super::registry::DesignationProperties,
            super::registry::DesignationFeature,
            super::registry::DesignationCollection,
            super::registry::BudgetDoc,
            super::registry::BudgetList,
            crate::reports::Report,
            crate::reports::ReportTotals,
            crate::reports::ReportRow,
            crate::reports::ReportUnit,
            crate::reports::BudgetLine,
        ),
        responses(docs::Problem),
    ),
    modifiers(&Additions),
    tags(
        (name = "Capabilities", description = "OGC API - Features discovery: landing page, conformance, collections, this document"),
        (name = "Features", description = "Clusters and industrial parks: read, create, replace, update, delete"),
        (name = "History", description = "Versions, differences and reverts of a feature"),
        (name = "Tiles", description = "OGC API - Tiles: Mapbox Vector Tiles of a collection"),
        (name = "Publishing", description = "Collection metadata, publication, public map"),
        (name = "Accounts", description = "Sessions, personal API tokens, audit log"),
        (name = "Planning", description = "Status events, planning sheets, tasks, units, zoning and summaries"),
        (name = "Zones", description = "Land-use zones inside clusters"),
        (name = "Units", description = "Administrative units over their validity periods (read-only, public)"),
        (name = "Registry", description = "Investors and their plots, craft villages and pilot communes, budgets, the Circular 14/2024 report"),
        (name = "Service", description = "Liveness, readiness and the map's configuration"),
    ),
)]
pub(crate) struct ApiDoc;

/// What the annotations cannot say: the security schemes, `OPTIONS` on item paths (served by
/// the same handler as on the collection), and `bbox` sent as one comma-separated value.
struct Additions;

impl Modify for Additions {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        // utoipa 4 drops the item bounds of a newtype's field: a position has 2 or 3 numbers.
        if let Some(RefOr::T(Schema::Array(position))) = components.schemas.get_mut("Position") {
            position.min_items = Some(2);
            position.max_items = Some(3);
        }
        // A cluster Feature has no other members (the server refuses them: 400).
        if let Some(RefOr::T(Schema::Object(feature))) = components.schemas.get_mut("Feature") {
            feature.additional_properties =
                Some(Box::new(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
        }
        for name in TEXT_BODIES {
            if let Some(RefOr::T(Schema::Object(body))) = components.schemas.get_mut(*name) {
                no_nul(body);
            }
        }
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`cpt_…`) from POST /auth/tokens or `clusterplan token create`",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE.to_owned(),
                format!(
                    "The session cookie set by POST /auth/login; unsafe requests also send the session's CSRF token in {CSRF_HEADER}"
                ),
            ))),
        );
        for (collection, item) in [
            ("/collections/{collection}/items", "/collections/{collection}/items/{id}"),
            ("/collections/zones/items", "/collections/zones/items/{id}"),
        ] {
            let Some(options) =
                api.paths.paths.get(collection).and_then(|p| p.operations.get(&PathItemType::Options)).cloned()
            else {
                continue;
            };
            if let Some(path) = api.paths.paths.get_mut(item) {
                let mut options: Operation = options;
                options.operation_id = options.operation_id.map(|id| format!("{id}-item"));
                // Any id: QGIS probes `/items/unknown_id` to learn whether it may edit, so
                // OPTIONS tells what the items of the collection allow, not whether one exists.
                options.summary = Some("The methods allowed on an item".to_owned());
                options.description = Some(
                    "`Allow` lists the methods the items of the collection take, whatever the id: \
                     an id that names no feature (`unknown_id`, `null,null`) gets the same 204, \
                     since QGIS probes `/items/unknown_id` to learn whether it may edit; a GET \
                     tells whether a feature exists. A collection that does not exist is a 404."
                        .to_owned(),
                );
                let mut id = docs::id_parameter();
                id.schema = Some(ObjectBuilder::new().schema_type(SchemaType::String).into());
                options.parameters.get_or_insert_with(Vec::new).push(id);
                path.operations.insert(PathItemType::Options, options);
            }
        }
        for path in api.paths.paths.values_mut() {
            for operation in path.operations.values_mut() {
                // A route's own parameter wins over a shared set's of the same name (export's
                // required `f` over `ItemsQuery`'s): a name is given once per location.
                if let Some(parameters) = operation.parameters.as_mut() {
                    let mut seen: Vec<(String, String)> = Vec::new();
                    parameters.retain(|p| {
                        let key = (serde_json::to_string(&p.parameter_in).unwrap_or_default(), p.name.clone());
                        let first = !seen.contains(&key);
                        seen.push(key);
                        first
                    });
                }
                for parameter in operation.parameters.iter_mut().flatten() {
                    exact(parameter);
                }
            }
        }
        let problem = api.components.as_ref().and_then(|c| c.responses.get("Problem")).cloned();
        for path in html::VIEW_PATHS {
            if let Some(get) = api.paths.paths.get_mut(path).and_then(|p| p.operations.get_mut(&PathItemType::Get)) {
                refusals_as_pages(get, problem.as_ref());
            }
        }
    }
}

/// The request bodies (and the properties of a cluster Feature) whose text members are said
/// to hold no U+0000: no store may keep it, so every JSON body holding one is a 400.
const TEXT_BODIES: &[&str] = &[
    "ClusterProperties",
    "CommentBody",
    "BudgetBody",
    "DesignationBody",
    "EventBody",
    "FeaturePatch",
    "FiguresBody",
    "InvestorBody",
    "LeaseBody",
    "LeaseEndBody",
    "LoginBody",
    "Metadata",
    "PasswordBody",
    "PublishBody",
    "RevertBody",
    "RevokeBody",
    "TaskBody",
    "TaskDoneBody",
    "TokenBody",
];

/// Text without U+0000: a free string's pattern, or `\S` ("not blank") without it.
fn no_nul(body: &mut utoipa::openapi::schema::Object) {
    for property in body.properties.values_mut() {
        let RefOr::T(Schema::Object(text)) = property else { continue };
        if !matches!(text.schema_type, SchemaType::String) || text.enum_values.is_some() || text.format.is_some() {
            continue;
        }
        text.pattern = match text.pattern.as_deref() {
            None => Some(r"^[^\u0000]*$".to_owned()),
            Some(r"\S") => Some(r"^[^\u0000]*[^\s\u0000][^\u0000]*$".to_owned()),
            Some(other) => Some(other.to_owned()),
        };
    }
}

/// A refusal asked for as a page (`f=html`, a browser's `Accept`) is an HTML page with the
/// problem's status: each 4xx of an HTML view is documented with both representations (the
/// shared `Problem` response, referenced elsewhere, is inlined here with the page added).
fn refusals_as_pages(operation: &mut Operation, problem: Option<&RefOr<ApiResponse>>) {
    for (status, response) in &mut operation.responses.responses {
        if !status.starts_with('4') {
            continue;
        }
        if let (RefOr::Ref(reference), Some(RefOr::T(shared))) = (&*response, problem)
            && reference.ref_location.ends_with("/Problem")
        {
            *response = RefOr::T(shared.clone());
        }
        if let RefOr::T(response) = response
            && response.content.contains_key("application/problem+json")
        {
            response
                .content
                .entry("text/html".to_owned())
                .or_insert_with(|| Content::new(ObjectBuilder::new().schema_type(SchemaType::String)));
        }
    }
}

/// What the annotations cannot say about a parameter: `bbox` is one comma-separated value of 4
/// or 6 numbers; `If-Match` a list of entity tags (or `*`, or empty: absent); `Content-Crs` one
/// of the supported CRS in angle brackets.
fn exact(parameter: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::ArrayBuilder;
    match (&parameter.parameter_in, parameter.name.as_str()) {
        (ParameterIn::Query, "bbox") => {
            parameter.explode = Some(false);
            parameter.schema = Some(
                ArrayBuilder::new()
                    .items(ObjectBuilder::new().schema_type(SchemaType::Number))
                    .min_items(Some(4))
                    .max_items(Some(6))
                    .into(),
            );
        }
        (ParameterIn::Header, "If-Match") => {
            parameter.schema = Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::String)
                    .pattern(Some(r#"^\s*(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)?\s*$"#))
                    .into(),
            );
        }
        (ParameterIn::Header, "Content-Crs") => {
            let supported: Vec<String> =
                clusterplan_core::Crs::supported().into_iter().map(|c| format!("<{}>", c.uri())).collect();
            parameter.schema =
                Some(ObjectBuilder::new().schema_type(SchemaType::String).enum_values(Some(supported)).into());
        }
        (ParameterIn::Query, "crs") => {
            // The systems served, by URI (an `EPSG:code` is read too); empty is the default.
            let supported: Vec<String> = std::iter::once(String::new())
                .chain(clusterplan_core::Crs::supported().into_iter().map(|c| c.uri().clone()))
                .collect();
            parameter.schema =
                Some(ObjectBuilder::new().schema_type(SchemaType::String).enum_values(Some(supported)).into());
        }
        _ => {}
    }
}

/// The document as JSON text; built once per request (cheap: a few hundred microseconds).
pub(crate) fn openapi_json() -> String {
    ApiDoc::openapi().to_json().unwrap_or_else(|e| {
        tracing::error!(cause = %e, "the OpenAPI document does not serialise");
        "{}".to_owned()
    })
}

/// The `OpenAPI` document
///
/// The API definition, generated from the service's handlers: JSON
/// (`application/vnd.oai.openapi+json;version=3.0`), or an HTML listing of its operations.
#[utoipa::path(
    get,
    path = "/api",
    operation_id = "getAPI",
    tag = "Capabilities",
    params(docs::FormatQuery),
    responses(
        (status = 200, description = "The OpenAPI 3.0 document", content_type = "application/vnd.oai.openapi+json;version=3.0", body = Object),
        (status = 400, response = docs::Problem),
    ),
)]
async fn document(headers: HeaderMap, Query(params): Query<HashMap<String, String>>) -> Result<Response, ApiError> {
    let json = openapi_json();
    if negotiate(&headers, &params)? == Negotiated::Json {
        return Ok(vary_on_accept(
            ([(header::CONTENT_TYPE, HeaderValue::from_static(OPENAPI_JSON))], json).into_response(),
        ));
    }
    let doc = ApiDoc::openapi();
    let body = html! {
        @if let Some(description) = &doc.info.description { p { (description) } }
        p { "OpenAPI " (serde_json::to_value(&doc.openapi).unwrap_or_default().as_str().unwrap_or("3.0")) " document: "
            a href="/api?f=json" rel="alternate" type=(OPENAPI_JSON) { "JSON" } }
        table {
            thead { tr { th { "method" } th { "path" } th { "summary" } th { "tag" } } }
            tbody {
                @for (path, item) in &doc.paths.paths {
                    @for (method, operation) in &item.operations {
                        tr {
                            td { code { (method_name(method)) } }
                            td { code { (path) } }
                            td { (operation.summary.as_deref().unwrap_or("")) }
                            td { (operation.tags.as_ref().map(|t| t.join(", ")).unwrap_or_default()) }
                        }
                    }
                }
            }
        }
    };
    Ok(vary_on_accept(page(
        &format!("{} API", doc.info.title),
        &[("/api?f=json", OPENAPI_JSON, "OpenAPI document (JSON)")],
        &body,
        None,
        // The API document is written in English.
        html::Lang::En,
        "",
        None,
    )))
}

fn method_name(method: &PathItemType) -> &'static str {
    match method {
        PathItemType::Get => "GET",
        PathItemType::Post => "POST",
        PathItemType::Put => "PUT",
        PathItemType::Delete => "DELETE",
        PathItemType::Options => "OPTIONS",
        PathItemType::Head => "HEAD",
        PathItemType::Patch => "PATCH",
        PathItemType::Trace => "TRACE",
        PathItemType::Connect => "CONNECT",
    }
}

#[cfg(test)]
mod tests;
