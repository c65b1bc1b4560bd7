//! HTML views of the OGC API documents (Features Part 1, `html`), and the content negotiation
//! between them and JSON: `f=json|html`, else a browser's `Accept: text/html`.
//!
//! A view never reads the store itself: [`get`] runs the JSON handler on the same request
//! (same parameters, same layer and rights, same errors) and renders its document with `maud`,
//! which escapes every text and attribute. Refusals stay problem+json. Pages speak Vietnamese
//! or English (`lang=vi|en`, else the browser's language, else Vietnamese): field names and
//! coded values (statuses, kinds, land uses, unit levels) get their labels (`labels.rs`).

use std::collections::HashMap;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use maud::{DOCTYPE, Markup, html};
use serde_json::{Value, json};

use super::links::{BaseUrl, Link, link};
use crate::AppState;
use crate::error::ApiError;

mod labels;
pub(crate) use labels::Lang;

/// Largest JSON document a view renders (a page of [`HTML_MAX_ITEMS`] features of 64 KB each).
const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

/// Most features on one HTML page: a page is built in memory, so a larger `limit` is lowered to
/// this (the page says so, and its paging links go on from there); JSON pages stream any limit.
pub(crate) const HTML_MAX_ITEMS: u64 = 1_000;

/// The representation a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Negotiated {
    Json,
    Html,
}

/// `f=json` (or `geojson`) and `f=html` decide; any other `f` is a 400. Without `f` (or with
/// an empty one, a form's blank field, as `params::blank_is_absent` says), a browser's
/// `Accept: text/html` gets HTML and everything else JSON.
pub(crate) fn negotiate(headers: &HeaderMap, params: &HashMap<String, String>) -> Result<Negotiated, ApiError> {
    match params.get("f").filter(|f| !f.is_empty()).map(|f| f.to_ascii_lowercase()).as_deref() {
        Some("json" | "geojson") => Ok(Negotiated::Json),
        Some("html") => Ok(Negotiated::Html),
        Some(other) => Err(ApiError::BadRequest {
            kind: "invalid-parameter",
            detail: format!("f={other:?} is not offered; use f=json or f=html"),
        }),
        None => Ok(if accepts_html(headers) { Negotiated::Html } else { Negotiated::Json }),
    }
}

fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.split(',').any(|m| m.trim().starts_with("text/html")))
}

/// The paths served by [`get`]: their refusals may be pages too (the API document says so).
pub(crate) const VIEW_PATHS: [&str; 7] = [
    "/conformance",
    "/collections",
    "/collections/{collection}",
    "/collections/{collection}/items",
    "/collections/{collection}/items/{id}",
    "/collections/units/items",
    "/collections/units/items/{id}",
];

/// The documents that have an HTML view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    Conformance,
    Collections,
    Collection,
    Items,
    Item,
}

/// `GET` with both representations: JSON from `handler`; HTML rendered from the same
/// handler's JSON. JSON documents get `alternate` links to their HTML view.
pub(crate) fn get<H, T>(handler: H, view: View) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    axum::routing::get(move |State(state): State<AppState>, request: Request| async move {
        match negotiated(handler, view, state, request).await {
            Ok(response) | Err(response) => vary_on_accept(response),
        }
    })
}

/// Marks an answer chosen by `Accept`, so that caches keep JSON and HTML apart.
pub(crate) fn vary_on_accept(mut response: Response) -> Response {
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept"));
    response
}

async fn negotiated<H, T>(handler: H, view: View, state: AppState, request: Request) -> Result<Response, Response>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let params = query_pairs(request.uri()).into_iter().collect::<HashMap<_, _>>();
    let wanted = negotiate(request.headers(), &params).map_err(IntoResponse::into_response)?;
    // `lang` is the page's: the JSON handler of an HTML view never sees it.
    let (lang, explicit) = match wanted {
        Negotiated::Html => Lang::choose(&params, request.headers()).map_err(IntoResponse::into_response)?,
        Negotiated::Json => (Lang::Vi, false),
    };
    let (mut parts, body) = request.into_parts();
    let Ok(BaseUrl(base)) = BaseUrl::from_request_parts(&mut parts, &state).await;
    let path = parts.uri.path().to_owned();
    let mut query: Vec<(String, String)> = query_pairs(&parts.uri)
        .into_iter()
        .filter(|(k, _)| k != "f" && (wanted == Negotiated::Json || k != "lang"))
        .collect();
    let mut lowered = None;
    if wanted == Negotiated::Html && view == View::Items {
        for (k, v) in &mut query {
            // Not a number: the JSON handler's 400 says why.
            if k == "limit" && v.parse::<u64>().is_ok_and(|n| n > HTML_MAX_ITEMS) {
                lowered = Some(std::mem::replace(v, HTML_MAX_ITEMS.to_string()));
            }
        }
    }
    let here = Here { base, path, query, lang, keep: lang.kept(explicit) };
    // Building a page in memory is expensive work: it takes a render slot (503 when none).
    let limits = parts.extensions.get::<std::sync::Arc<crate::limits::Limits>>().cloned();
    let _slot = match (&limits, wanted, view) {
        (Some(limits), Negotiated::Html, View::Items | View::Item) => {
            Some(limits.render_slot().await.map_err(IntoResponse::into_response)?)
        }
        _ => None,
    };
    if wanted == Negotiated::Html {
        // The HTML page is another representation: the JSON's tags do not apply to it.
        parts.headers.remove(header::IF_NONE_MATCH);
        parts.headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        parts.uri = here.uri().map_err(IntoResponse::into_response)?;
    }
    let response = handler.call(Request::from_parts(parts, body), state.clone()).await;
    // A refusal asked for as a page is a page (a bad filter typed in a browser reads as text),
    // with the problem document's status and content.
    if wanted == Negotiated::Html && response.status().is_client_error() {
        return Ok(problem_page(response, &here).await);
    }
    // Items pages are streamed and carry their own alternate links.
    if response.status() != StatusCode::OK || (wanted == Negotiated::Json && view == View::Items) {
        return Ok(response);
    }
    let (mut head, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_DOCUMENT_BYTES).await.map_err(|e| ApiError::internal(e).into_response())?;
    if wanted == Negotiated::Json
        && let Some(linked) = splice_links(&bytes, view, &here)
    {
        head.headers.remove(header::CONTENT_LENGTH);
        return Ok(Response::from_parts(head, Body::from(linked)));
    }
    let mut doc: Value = serde_json::from_slice(&bytes).map_err(|e| ApiError::internal(e).into_response())?;
    if wanted == Negotiated::Json {
        add_links(&mut doc, view, &here);
        head.headers.remove(header::CONTENT_LENGTH);
        return Ok(Response::from_parts(head, Body::from(doc.to_string())));
    }
    let basemap = serde_json::to_string(&state.config.basemap).unwrap_or_else(|_| "null".into());
    Ok(match view {
        View::Conformance => conformance_page(&doc, &here),
        View::Collections => collections_page(&doc, &here),
        View::Collection => collection_page(&doc, &here, &basemap),
        View::Items => items_page(&doc, &here, &basemap, lowered.as_deref()),
        View::Item => item_page(&doc, &here, &basemap),
    })
}

/// A problem document (4xx) as a readable page: title, what is wrong, each error with its place,
/// and a way back; same status, the JSON document linked as the alternate.
async fn problem_page(response: Response, here: &Here) -> Response {
    let (head, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_DOCUMENT_BYTES).await else {
        return Response::from_parts(head, Body::empty());
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(head, Body::from(bytes));
    };
    let lang = here.lang;
    let errors: Vec<String> = ["errors", "problems"]
        .iter()
        .flat_map(|k| doc[*k].as_array().into_iter().flatten())
        .map(|e| match (e["field"].as_str(), e["message"].as_str()) {
            (Some(field), Some(message)) => format!("{field}: {message}"),
            (None, Some(message)) => message.to_owned(),
            _ => e.to_string(),
        })
        .collect();
    let title = format!("{} ({})", lang.word("problem_title"), head.status.as_u16());
    let markup = html! {
        p.problem role="alert" { (doc["detail"].as_str().unwrap_or("")) }
        @if !errors.is_empty() { ul { @for e in &errors { li { (e) } } } }
        p { a href=(format!("{}?f=html{}", here.path, here.keep)) { (lang.word("problem_back")) } }
    };
    let json = here.href("json");
    let mut page =
        page(&title, &[(json.as_str(), "application/problem+json", "JSON")], &markup, None, lang, here.keep, None);
    *page.status_mut() = head.status;
    page
}

/// The request a view answers: base URL, path and parameters other than `f`.
pub(crate) struct Here {
    base: String,
    path: String,
    query: Vec<(String, String)>,
    lang: Lang,
    /// `&lang=…` when the request named its language, which the page's links then keep.
    keep: &'static str,
}

impl Here {
    /// This page in the other language.
    fn switch(&self) -> (String, Lang) {
        let other = self.lang.other();
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        serializer.extend_pairs(&self.query);
        serializer.append_pair("f", "html");
        serializer.append_pair("lang", other.code());
        (format!("{}?{}", self.path, serializer.finish()), other)
    }

    /// This resource in format `f`, as an absolute URL.
    fn href(&self, f: &str) -> String {
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        serializer.extend_pairs(&self.query);
        serializer.append_pair("f", f);
        format!("{}{}?{}", self.base, self.path, serializer.finish())
    }

    /// The path and query without `f`.
    fn uri(&self) -> Result<Uri, ApiError> {
        let mut text = self.path.clone();
        if !self.query.is_empty() {
            let mut serializer = url::form_urlencoded::Serializer::new(String::new());
            serializer.extend_pairs(&self.query);
            text.push('?');
            text.push_str(&serializer.finish());
        }
        text.parse().map_err(ApiError::internal)
    }
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

/// `href` with `f=<f>` (replacing any `f`).
pub(crate) fn with_format(href: &str, f: &str) -> String {
    let Ok(mut url) = url::Url::parse(href) else { return href.to_owned() };
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().filter(|(k, _)| k != "f").collect();
    url.query_pairs_mut().clear().extend_pairs(pairs).append_pair("f", f);
    url.to_string()
}

/// The `alternate` HTML link of a JSON document whose `self` link is `self_link`.
pub(crate) fn alternate(self_link: &Link) -> Link {
    link(with_format(&self_link.href, "html"), "alternate", "text/html", "This document as HTML")
}

/// The `self`/`alternate` links of a JSON document, and for a feature its `collection` link.
fn add_links(doc: &mut Value, view: View, here: &Here) {
    let Value::Object(members) = doc else { return };
    let links = members.entry("links").or_insert_with(|| json!([]));
    let Value::Array(links) = links else { return };
    links.retain(|l| l["rel"] != "self" && !(l["rel"] == "alternate" && l["type"] == "text/html"));
    links.extend(own_links(view, here).iter().map(|l| json!(l)));
}

/// The links `add_links` gives a document of `view`.
fn own_links(view: View, here: &Here) -> Vec<Link> {
    let (json_type, title) = match view {
        View::Item => ("application/geo+json", "This feature"),
        _ => ("application/json", "This document"),
    };
    let mut links = vec![
        link(here.href("json"), "self", json_type, title),
        link(here.href("html"), "alternate", "text/html", "This document as HTML"),
    ];
    if let (View::Item, Some((collection, _))) = (view, here.path.rsplit_once("/items/")) {
        links.push(link(format!("{}{collection}", here.base), "collection", "application/json", "The collection"));
    }
    links
}

/// `add_links` without reading the document into a tree, for a JSON object with no `links`
/// member (a feature as `wire::write_feature` writes it): the links are written in before its
/// closing brace. Parsing and writing a 65-vertex feature again took a sixth of the server's
/// time for a feature by id. `None` when the bytes may hold a `links` member anywhere (the
/// quoted word, unescaped) or are not one object: then the tree does it.
fn splice_links(bytes: &[u8], view: View, here: &Here) -> Option<Vec<u8>> {
    let text = bytes.trim_ascii();
    let inner = text.strip_prefix(b"{")?.strip_suffix(b"}")?;
    if bytes.windows(7).any(|w| w == b"\"links\"") {
        return None;
    }
    let links = serde_json::to_vec(&own_links(view, here)).ok()?;
    let mut out = Vec::with_capacity(text.len() + links.len() + 12);
    out.push(b'{');
    out.extend_from_slice(inner);
    if !inner.trim_ascii().is_empty() {
        out.push(b',');
    }
    out.extend_from_slice(b"\"links\":");
    out.extend_from_slice(&links);
    out.push(b'}');
    Some(out)
}

/// An HTML 5 page: the title, the links to the JSON representations, the body, and (when
/// `map` is given) a Leaflet map of a GeoJSON document or a bounding box.
pub(crate) fn page(
    title: &str,
    alternates: &[(&str, &str, &str)],
    body: &Markup,
    map: Option<&MapData<'_>>,
    lang: Lang,
    keep: &'static str,
    switch: Option<&(String, Lang)>,
) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — clusterplan" }
                link rel="icon" href="data:,";
                @for (href, media_type, link_title) in alternates {
                    link rel="alternate" type=(media_type) href=(href) title=(link_title);
                }
                @if map.is_some() {
                    link rel="stylesheet" href="/vendor/leaflet/leaflet.css";
                    script src="/vendor/leaflet/leaflet.js" defer {}
                    script type="module" src="/app/ogc-map.js" {}
                }
                style { (STYLE) }
            }
            body {
                nav {
                    a href={ "/?f=html" (keep) } { "clusterplan" } " · "
                    a href={ "/collections?f=html" (keep) } { (lang.word("collections")) } " · "
                    a href={ "/conformance?f=html" (keep) } { (lang.word("conformance")) } " · "
                    a href="/api?f=html" { "API" } " · "
                    a href="/" { (lang.word("planner_map")) }
                    @if let Some((href, other)) = switch {
                        " · " a.lang href=(href) lang=(other.code()) hreflang=(other.code()) { (lang.word("switch")) }
                    }
                }
                main {
                    h1 { (title) }
                    @if let Some(map) = map {
                        div #map data-basemap=(map.basemap) data-geojson=[map.geojson.as_deref()] data-bbox=[map.bbox.as_deref()] {}
                    }
                    (body)
                    @if !alternates.is_empty() {
                        p.formats {
                            (lang.word("also_as"))
                            @for (href, media_type, link_title) in alternates {
                                a rel="alternate" type=(media_type) href=(href) { (link_title) } " "
                            }
                        }
                    }
                }
            }
        }
    };
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))], markup.into_string())
        .into_response()
}

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:0 1rem}\
nav{padding:.6rem 0;border-bottom:1px solid #ddd}table{border-collapse:collapse;font-size:13px;display:block;\
overflow-x:auto;max-width:100%}th[title]{cursor:help}\
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}\
#map{height:420px;margin:1rem 0;border:1px solid #ccc}.formats{color:#555}dt{font-weight:600}";

/// What a page's map shows: a GeoJSON document, or a bounding box.
pub(crate) struct MapData<'a> {
    basemap: &'a str,
    geojson: Option<String>,
    bbox: Option<String>,
}

/// A link list as HTML: titles, relations and types; JSON links are followed to their HTML view.
fn link_list(links: &Value) -> Markup {
    html! {
        ul.links {
            @for l in links.as_array().into_iter().flatten() {
                @let href = l["href"].as_str().unwrap_or("");
                @let media_type = l["type"].as_str().unwrap_or("");
                li {
                    a href=(href) rel=(l["rel"].as_str().unwrap_or("")) type=(media_type) {
                        (l["title"].as_str().unwrap_or(href))
                    }
                    " (" (l["rel"].as_str().unwrap_or("")) ", " (media_type) ")"
                    @if is_json(media_type) && !l["templated"].as_bool().unwrap_or(false) {
                        " — " a href=(with_format(href, "html")) { "HTML" }
                    }
                }
            }
        }
    }
}

fn is_json(media_type: &str) -> bool {
    matches!(media_type, "application/json" | "application/geo+json")
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value in a table of features: long texts are cut (the feature's page has them whole).
fn cell(value: &Value) -> String {
    const LONGEST: usize = 80;
    let text = text(value);
    match text.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// The landing page as HTML (`/?f=html`; browsers asking `/` without `f` get the planner map).
pub(crate) fn landing_page(doc: &Value, json_href: &str, (lang, explicit): (Lang, bool)) -> Response {
    let body = html! {
        p { (text(&doc["description"])) }
        h2 { (lang.word("links")) }
        (link_list(&doc["links"]))
    };
    let switch = (format!("/?f=html&lang={}", lang.other().code()), lang.other());
    let keep = lang.kept(explicit);
    page(&text(&doc["title"]), &[(json_href, "application/json", "JSON")], &body, None, lang, keep, Some(&switch))
}

fn conformance_page(doc: &Value, here: &Here) -> Response {
    let body = html! {
        ul {
            @for class in doc["conformsTo"].as_array().into_iter().flatten() {
                @let uri = class.as_str().unwrap_or("");
                li { a href=(uri) { (uri) } }
            }
        }
    };
    let lang = here.lang;
    let json_href = here.href("json");
    let alternates = [(json_href.as_str(), "application/json", "JSON")];
    page(lang.word("conformance_title"), &alternates, &body, None, lang, here.keep, Some(&here.switch()))
}

/// A property's name as a table header: its label, the name itself as the tooltip.
fn field_header(key: &str, lang: Lang) -> Markup {
    if let Some(label) = lang.field(key) {
        html! { th title=(key) data-field=(key) { (label) } }
    } else {
        html! { th data-field=(key) { (key) } }
    }
}

/// A property's value: the label of a code (status, kind, land use, level, yes/no), else the
/// value itself (cut when `short`).
fn value_text(key: &str, value: &Value, lang: Lang, short: bool) -> String {
    match lang.value(key, value) {
        Some(label) => label.to_owned(),
        None if short => cell(value),
        None => text(value),
    }
}

fn collection_summary(collection: &Value, lang: Lang) -> Markup {
    let id = text(&collection["id"]);
    html! {
        dl {
            dt { "id" } dd { code { (id) } }
            dt { (lang.word("description")) } dd { (text(&collection["description"])) }
            @if let Some(keywords) = collection["keywords"].as_array().filter(|k| !k.is_empty()) {
                dt { (lang.word("keywords")) } dd { (keywords.iter().map(text).collect::<Vec<_>>().join(", ")) }
            }
            @for key in ["license", "attribution"] {
                @if !collection[key].is_null() { dt { (lang.word(key)) } dd { (text(&collection[key])) } }
            }
            @if let Some(bbox) = collection["extent"]["spatial"]["bbox"][0].as_array() {
                dt { (lang.word("extent")) } dd { (bbox.iter().map(text).collect::<Vec<_>>().join(", ")) }
            }
            @if let Some(interval) = collection["extent"]["temporal"]["interval"][0].as_array() {
                dt { (lang.word("period")) }
                dd { (interval.iter().map(|t| if t.is_null() { "..".to_owned() } else { text(t) }).collect::<Vec<_>>().join(" / ")) }
            }
            @if !collection["last_published"].is_null() {
                dt { (lang.word("last_published")) }
                dd {
                    (text(&collection["last_published"]["published_at"])) (lang.word("by"))
                    (text(&collection["last_published"]["author"])) ", "
                    (text(&collection["last_published"]["feature_count"])) (lang.word("features_count"))
                }
            }
        }
    }
}

fn collections_page(doc: &Value, here: &Here) -> Response {
    let lang = here.lang;
    let body = html! {
        @for collection in doc["collections"].as_array().into_iter().flatten() {
            @let id = text(&collection["id"]);
            section {
                h2 { a href={ "/collections/" (id) "?f=html" (here.keep) } { (text(&collection["title"])) } }
                (collection_summary(collection, lang))
                p {
                    a href={ "/collections/" (id) "/items?f=html" (here.keep) } { (lang.word("features")) }
                    // The collections with a public map (`public_map.rs`).
                    @if super::extract::COLLECTIONS.contains(&id.as_str()) {
                        " · " a href={ "/collections/" (id) "/map" (here.keep.replacen('&', "?", 1)) } { (lang.word("public_map")) }
                    }
                }
            }
        }
        h2 { (lang.word("links")) }
        (link_list(&doc["links"]))
    };
    let json_href = here.href("json");
    let alternates = [(json_href.as_str(), "application/json", "JSON")];
    page(lang.word("collections"), &alternates, &body, None, lang, here.keep, Some(&here.switch()))
}

fn collection_page(doc: &Value, here: &Here, basemap: &str) -> Response {
    let lang = here.lang;
    let id = text(&doc["id"]);
    let body = html! {
        (collection_summary(doc, lang))
        p { a href={ "/collections/" (id) "/items?f=html" (here.keep) } { (lang.word("browse")) } }
        h2 { (lang.word("crs_title")) }
        p { (lang.word("stored_in")) code { (text(&doc["storageCrs"])) } (lang.word("served_in")) }
        ul { @for crs in doc["crs"].as_array().into_iter().flatten() { li { code { (text(crs)) } } } }
        h2 { (lang.word("links")) }
        (link_list(&doc["links"]))
    };
    let bbox = doc["extent"]["spatial"]["bbox"][0].as_array().map(|b| Value::Array(b.clone()).to_string());
    let map = bbox.is_some().then_some(MapData { basemap, geojson: None, bbox });
    let json_href = here.href("json");
    let alternates = [(json_href.as_str(), "application/json", "JSON")];
    page(&text(&doc["title"]), &alternates, &body, map.as_ref(), lang, here.keep, Some(&here.switch()))
}

/// The properties shown as columns: every key of the page's features, in first-seen order.
fn columns(features: &[Value]) -> Vec<String> {
    // The names a reader looks for first, then the rest in the documents' order.
    let mut keys: Vec<String> = ["name", "code", "kind", "status"]
        .into_iter()
        .filter(|k| features.iter().any(|f| f["properties"].get(k).is_some()))
        .map(str::to_owned)
        .collect();
    for feature in features {
        for key in feature["properties"].as_object().into_iter().flat_map(|p| p.keys()) {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// `lowered`: the `limit` asked for when it was above [`HTML_MAX_ITEMS`].
fn items_page(doc: &Value, here: &Here, basemap: &str, lowered: Option<&str>) -> Response {
    let lang = here.lang;
    let features = doc["features"].as_array().map_or(&[][..], Vec::as_slice);
    let keys = columns(features);
    let page_link = |rel: &str| {
        doc["links"].as_array().into_iter().flatten().find(|l| l["rel"] == rel).and_then(|l| l["href"].as_str())
    };
    let in_lang = |href: &str| format!("{}{}", with_format(href, "html"), here.keep);
    let collection = here.path.trim_end_matches("/items").rsplit('/').next().unwrap_or("").to_owned();
    let body = html! {
        p {
            (text(&doc["numberReturned"]))
            @if let Some(matched) = doc.get("numberMatched") { (lang.word("of")) (text(matched)) }
            (lang.word("features_count"))
            @if let Some(offset) = here.query.iter().find(|(k, _)| k == "offset") { (lang.word("from_offset")) (offset.1) }
            " (" (text(&doc["timeStamp"])) ")"
        }
        @if let Some(asked) = lowered {
            p.limit { (lang.word("cap_1")) (HTML_MAX_ITEMS) (lang.word("cap_2")) (asked) (lang.word("cap_3")) }
        }
        p.paging {
            @if let Some(prev) = page_link("prev") { a rel="prev" href=(in_lang(prev)) { (lang.word("previous")) } " " }
            @if let Some(next) = page_link("next") { a rel="next" href=(in_lang(next)) { (lang.word("next")) } }
        }
        table {
            thead { tr { (field_header("id", lang)) @for key in &keys { (field_header(key, lang)) } } }
            tbody {
                @for feature in features {
                    @let id = text(&feature["id"]);
                    tr {
                        td { a href={ "/collections/" (collection) "/items/" (id) "?f=html" (here.keep) } { (id) } }
                        @for key in &keys { td { (value_text(key, &feature["properties"][key.as_str()], lang, true)) } }
                    }
                }
            }
        }
        p { a href={ "/collections/" (collection) "?f=html" (here.keep) } { (lang.word("the_collection")) } }
    };
    let map = MapData {
        basemap,
        geojson: Some(json!({ "type": "FeatureCollection", "features": features }).to_string()),
        bbox: None,
    };
    let json_href = here.href("json");
    let alternates = [(json_href.as_str(), "application/geo+json", "GeoJSON")];
    page(
        &format!("{}{collection}", lang.word("features_of")),
        &alternates,
        &body,
        Some(&map),
        lang,
        here.keep,
        Some(&here.switch()),
    )
}

fn item_page(doc: &Value, here: &Here, basemap: &str) -> Response {
    let lang = here.lang;
    let name = text(&doc["properties"]["name"]);
    let id = text(&doc["id"]);
    let collection =
        here.path.rsplit_once("/items/").map_or("", |(c, _)| c).rsplit('/').next().unwrap_or("").to_owned();
    let title = if name.is_empty() { format!("{} {id}", lang.word("feature")) } else { name };
    let body = html! {
        table {
            tbody {
                tr { (field_header("id", lang)) td { (id) } }
                @for (key, value) in doc["properties"].as_object().into_iter().flatten() {
                    tr { (field_header(key, lang)) td { (value_text(key, value, lang, false)) } }
                }
            }
        }
        p {
            a href={ "/collections/" (collection) "/items?f=html" (here.keep) } { (lang.word("all_features")) } " · "
            a href={ "/collections/" (collection) "?f=html" (here.keep) } { (lang.word("the_collection")) }
        }
    };
    let map = MapData { basemap, geojson: Some(doc.to_string()), bbox: None };
    let json_href = here.href("json");
    let alternates = [(json_href.as_str(), "application/geo+json", "GeoJSON")];
    page(&title, &alternates, &body, Some(&map), lang, here.keep, Some(&here.switch()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Here {
        Here {
            base: "http://host".into(),
            path: "/collections/clusters/items/7".into(),
            query: vec![("crs".into(), "http://www.opengis.net/def/crs/EPSG/0/9210".into())],
            lang: Lang::Vi,
            keep: "",
        }
    }

    /// An empty `f` (a form's blank field) is no `f`: `Accept` decides; another is a 400.
    #[test]
    fn a_blank_format_is_no_format() {
        let browser: HeaderMap = [(header::ACCEPT, "text/html".parse().expect("header"))].into_iter().collect();
        let params = |f: &str| HashMap::from([("f".to_owned(), f.to_owned())]);
        assert_eq!(negotiate(&browser, &params("")).ok(), Some(Negotiated::Html));
        assert_eq!(negotiate(&HeaderMap::new(), &params("")).ok(), Some(Negotiated::Json));
        assert!(negotiate(&browser, &params("xml")).is_err());
    }

    /// Written into the bytes or through the tree, a document gets the same links, in the same
    /// place; a document that may hold `links` goes through the tree.
    #[test]
    fn spliced_links_equal_the_tree_s() {
        for doc in [
            r#"{"type":"Feature","id":7,"geometry":{"type":"MultiPolygon","coordinates":[]},"properties":{"name":"Phú \"Hưng\""}}"#,
            "{}",
            " { \"a\" : 1 } \n",
        ] {
            let spliced = splice_links(doc.as_bytes(), View::Item, &here()).expect("spliced");
            let mut tree: Value = serde_json::from_str(doc).expect("json");
            add_links(&mut tree, View::Item, &here());
            // Members in the same order (the document's own spacing is kept).
            let read: Value = serde_json::from_slice(&spliced).expect("spliced JSON");
            assert_eq!(read.to_string(), tree.to_string(), "{doc}");
            if !doc.contains(' ') {
                assert_eq!(String::from_utf8(spliced).expect("utf-8"), tree.to_string(), "{doc}");
            }
        }
        for doc in [r#"{"links":[{"rel":"self"}]}"#, r#"{"properties":{"x":"links"}}"#, "[1]", "{"] {
            assert_eq!(splice_links(doc.as_bytes(), View::Item, &here()), None, "{doc}");
        }
    }
}
