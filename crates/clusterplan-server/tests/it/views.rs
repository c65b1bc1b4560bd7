//! The `OpenAPI` document at `/api` and the HTML views of the OGC API documents, with content
//! negotiation (`f=json|html`, `Accept`), run on both stores like `api.rs`.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use clusterplan_server::{AppState, app};
use clusterplan_store::{Store, StoreConfig};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const PLANNER_TOKEN: &str = "cpt_views_tests_planner_token";
const ITEMS: &str = "/collections/clusters/items";

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
    text: String,
}

impl Answer {
    fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn link(&self, rel: &str, media_type: &str) -> Option<String> {
        self.body["links"]
            .as_array()?
            .iter()
            .find(|l| l["rel"] == rel && l["type"] == media_type)
            .and_then(|l| l["href"].as_str())
            .map(str::to_owned)
    }
}

/// A request as the planner (`signed_in`) or as the public, with extra headers.
async fn call(
    state: &AppState,
    method: Method,
    uri: &str,
    signed_in: bool,
    headers: &[(&str, &str)],
    body: Body,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "test.local");
    if signed_in {
        request = request.header(header::AUTHORIZATION, format!("Bearer {PLANNER_TOKEN}"));
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app(state.clone()).oneshot(request.body(body).expect("request")).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

async fn get(state: &AppState, uri: &str) -> Answer {
    call(state, Method::GET, uri, true, &[], Body::empty()).await
}

async fn browser(state: &AppState, uri: &str, signed_in: bool) -> Answer {
    let accept = [("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")];
    call(state, Method::GET, uri, signed_in, &accept, Body::empty()).await
}

async fn create(state: &AppState, code: &str, name: &str, lon: f64) -> i64 {
    let feature = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[lon, 10.23], [lon + 0.005, 10.23], [lon + 0.005, 10.234], [lon, 10.234], [lon, 10.23]]] },
        "properties": { "code": code, "name": name, "kind": "cluster", "status": "in_plan" }
    });
    let created = call(
        state,
        Method::POST,
        ITEMS,
        true,
        &[("content-type", "application/geo+json")],
        Body::from(feature.to_string()),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    created.body["id"].as_i64().expect("id")
}

fn assert_problem(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.content_type(), "application/problem+json", "{}", a.text);
}

/// A refusal of a page: the same status as the problem document, as a readable page.
fn assert_problem_page(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.content_type(), "text/html; charset=utf-8", "{}", a.text);
    assert!(a.text.contains(&format!("({})", status.as_u16())), "{}", a.text);
}

fn assert_html(a: &Answer) {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.content_type(), "text/html; charset=utf-8", "{}", a.text);
    assert!(a.text.starts_with("<!DOCTYPE html>"), "{}", a.text);
}

/// A value for a documented query parameter: valid where that is easy, always well-formed.
fn sample(name: &str) -> &'static str {
    match name {
        "bbox" => "106,10,107,11",
        "f" => "json",
        "layer" => "draft",
        "asOf" => "2025-06-30T00:00:00Z",
        "date" => "2025-06-30",
        "crs" | "bbox-crs" | "filter-crs" => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        "level" => "district",
        "state" => "open",
        "filter" => "status = 'in_plan' AND S_INTERSECTS(geometry, BBOX(106, 10, 107, 11))",
        "filter-lang" => "cql2-text",
        "sortby" => "-name",
        "properties" => "code,name",
        "datetime" => "2025-06-30T00:00:00Z/..",
        _ => "1",
    }
}

async fn the_api_document_is_openapi_3_0_and_every_operation_is_served(state: AppState) {
    let api = get(&state, "/api").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text);
    assert_eq!(api.content_type(), "application/vnd.oai.openapi+json;version=3.0");
    let version = api.body["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.0."), "{version}");
    let parsed: openapiv3::OpenAPI = serde_json::from_str(&api.text).expect("a valid OpenAPI 3.0 document");
    assert!(parsed.paths.paths.len() > 30, "{} paths", parsed.paths.paths.len());
    assert!(parsed.components.as_ref().is_some_and(|c| c.security_schemes.contains_key("bearer")));
    assert_eq!(get(&state, "/api?f=json").await.text, api.text);
    // QGIS pages with the default and maximum `limit` it reads here.
    let limit = api.body["paths"]["/collections/{collection}/items"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("limit")["schema"]
        .clone();
    assert_eq!((limit["default"].clone(), limit["maximum"].clone()), (json!(100), json!(10000)), "{limit}");

    let landing = call(&state, Method::GET, "/", true, &[("accept", "application/json")], Body::empty()).await;
    assert_eq!(
        landing.link("service-desc", "application/vnd.oai.openapi+json;version=3.0").as_deref(),
        Some("http://test.local/api")
    );
    assert_eq!(landing.link("service-doc", "text/html").as_deref(), Some("http://test.local/api?f=html"));
    let conformance = get(&state, "/conformance").await;
    let classes: Vec<&str> =
        conformance.body["conformsTo"].as_array().expect("classes").iter().filter_map(Value::as_str).collect();
    for class in ["oas30", "html"] {
        assert!(
            classes.contains(&format!("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{class}").as_str()),
            "{classes:?}"
        );
    }

    // Every documented operation is routed: no 405, and no bare 404 from the router (a 404 of
    // a handler, for a feature that does not exist, is a problem document).
    let id = create(&state, "API-1", "Cụm kiểm thử", 106.40).await;
    let mut operations = 0;
    for (template, item) in &parsed.paths.paths {
        let openapiv3::ReferenceOr::Item(item) = item else { panic!("{template} is a reference") };
        let path = template
            .replace("{collection}", "clusters")
            .replace("{id}", &id.to_string())
            .replace("{n}", "1")
            .replace("{tms}", "WebMercatorQuad")
            .replace("{z}", "0")
            .replace("{y}", "0")
            .replace("{x}", "0");
        // The router serves this path with exactly the documented methods: a method it does
        // not route answers 405 with `Allow` listing the routed ones (and HEAD with GET).
        let mut documented: BTreeSet<String> = item.iter().map(|(m, _)| m.to_ascii_uppercase()).collect();
        if documented.contains("GET") {
            documented.insert("HEAD".to_owned());
        }
        let refused = call(&state, Method::TRACE, &path, true, &[], Body::empty()).await;
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED, "TRACE {path} is routed");
        let allowed: BTreeSet<String> = refused
            .headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("405 of {path} without Allow"))
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        assert_eq!(allowed, documented, "{template}: methods routed (left) and documented (right)");
        for (method, operation) in item.iter() {
            operations += 1;
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("method");
            let answer = call(&state, method.clone(), &path, true, &[], Body::empty()).await;
            assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert!(
                answer.status != StatusCode::NOT_FOUND || answer.content_type() == "application/problem+json",
                "{method} {path} is not routed"
            );
            if method != Method::GET {
                continue;
            }
            // Every documented query parameter is known to the handler.
            for parameter in &operation.parameters {
                let openapiv3::ReferenceOr::Item(openapiv3::Parameter::Query { parameter_data, .. }) = parameter else {
                    continue;
                };
                let name = parameter_data.name.as_str();
                let uri = format!("{path}?{name}={}", url_encode(sample(name)));
                let answer = get(&state, &uri).await;
                let refused = answer.status == StatusCode::BAD_REQUEST
                    && answer.body["detail"].as_str().is_some_and(|d| d.contains("unknown query parameter"));
                assert!(!refused, "GET {uri}: {}", answer.text);
            }
        }
    }
    assert!(operations > 45, "{operations} operations");
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn the_api_document_has_an_html_listing(state: AppState) {
    let page = browser(&state, "/api", false).await;
    assert_html(&page);
    assert!(page.text.contains("<code>/collections/{collection}/items/{id}</code>"), "{}", page.text);
    assert!(page.text.contains("PATCH") && page.text.contains("Update a feature"));
    assert!(page.text.contains(r#"href="/api?f=json""#));
    assert_problem(&get(&state, "/api?f=yaml").await, StatusCode::BAD_REQUEST);
}

#[expect(clippy::too_many_lines, reason = "one page in every representation and language, read top to bottom")]
async fn items_and_item_are_negotiated_between_html_and_geojson(state: AppState) {
    let name = "<script>alert(1)</script> Phú Hưng & Mỹ Thạnh";
    let id = create(&state, "BT-HTML", name, 106.40).await;
    create(&state, "BT-OTHER", "Giồng Trôm", 106.45).await;
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; Phú Hưng &amp; Mỹ Thạnh";
    let item = format!("{ITEMS}/{id}");

    for page in [get(&state, &format!("{item}?f=html")).await, browser(&state, &item, true).await] {
        assert_html(&page);
        assert!(page.text.contains(escaped), "the name, escaped: {}", page.text);
        assert!(!page.text.contains("<script>alert(1)"), "never raw: {}", page.text);
        assert!(page.text.contains("<td>BT-HTML</td>"), "{}", page.text);
        assert!(
            page.text.contains(&format!(r#"href="http://test.local{item}?f=json""#)),
            "links back to GeoJSON: {}",
            page.text
        );
        assert!(page.text.contains(r#"src="/vendor/leaflet/leaflet.js""#) && page.text.contains("data-geojson="));
    }
    let json =
        call(&state, Method::GET, &format!("{item}?f=json"), true, &[("accept", "text/html")], Body::empty()).await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(json.content_type(), "application/geo+json", "f=json wins over Accept");
    assert_eq!(json.body["properties"]["name"], name);
    assert_eq!(
        json.link("alternate", "text/html").as_deref(),
        Some(format!("http://test.local{item}?f=html").as_str())
    );
    assert_eq!(json.link("collection", "application/json").as_deref(), Some("http://test.local/collections/clusters"));
    assert!(json.headers.get_all(header::VARY).iter().any(|v| v == "accept"), "caches keep JSON and HTML apart");
    let plain = get(&state, &item).await;
    assert_eq!(plain.content_type(), "application/geo+json", "no Accept: GeoJSON");
    assert!(plain.headers.contains_key(header::ETAG));

    for page in [
        get(&state, &format!("{ITEMS}?f=html&limit=1")).await,
        browser(&state, &format!("{ITEMS}?limit=1"), true).await,
    ] {
        assert_html(&page);
        // Vietnamese by default: labels for the field names and the coded values.
        assert!(page.text.contains(r#"<html lang="vi">"#) && page.text.contains("1 trên 2 đối tượng"), "{}", page.text);
        assert!(page.text.contains(escaped) && !page.text.contains("<script>alert(1)"), "{}", page.text);
        assert!(page.text.contains(r#"<th title="code" data-field="code">Mã</th>"#), "{}", page.text);
        assert!(page.text.contains(r#"data-field="area_ha">Diện tích (ha, VN-2000)</th>"#), "{}", page.text);
        assert!(
            page.text.contains("<td>Trong danh mục / phương án</td>") && !page.text.contains("<td>in_plan</td>"),
            "{}",
            page.text
        );
        assert!(
            page.text.contains(
                r#"rel="next" href="http://test.local/collections/clusters/items?limit=1&amp;after=id.1&amp;f=html""#
            ),
            "{}",
            page.text
        );
        assert!(page.text.contains(&format!(r#"href="/collections/clusters/items/{id}?f=html""#)), "{}", page.text);
    }
    // English on request (or for a browser that asks for it), and the page's links keep an
    // asked language.
    let english = get(&state, &format!("{ITEMS}?f=html&limit=1&lang=en")).await;
    assert!(
        english.text.contains(r#"<html lang="en">"#) && english.text.contains("1 of 2 features"),
        "{}",
        english.text
    );
    assert!(
        english.text.contains(r#"data-field="status">Status</th>"#) && english.text.contains("<td>In plan</td>"),
        "{}",
        english.text
    );
    assert!(english.text.contains(r#"after=id.1&amp;f=html&amp;lang=en""#), "{}", english.text);
    assert!(english.text.contains(r#"lang="vi" hreflang="vi">Tiếng Việt</a>"#), "a switch back: {}", english.text);
    let accept = call(
        &state,
        Method::GET,
        &format!("{ITEMS}?limit=1"),
        true,
        &[("accept", "text/html"), ("accept-language", "en-GB,en;q=0.9")],
        Body::empty(),
    )
    .await;
    assert!(accept.text.contains("1 of 2 features"), "{}", accept.text);
    assert_problem(&get(&state, &format!("{ITEMS}?f=html&lang=fr")).await, StatusCode::BAD_REQUEST);
    assert_problem(&get(&state, &format!("{ITEMS}?f=json&lang=en")).await, StatusCode::BAD_REQUEST);
    let second = get(&state, &format!("{ITEMS}?f=html&limit=1&offset=1")).await;
    assert!(second.text.contains("Giồng Trôm") && !second.text.contains(escaped), "the second page: {}", second.text);
    assert!(second.text.contains(r#"rel="prev""#));
    let boxed = get(&state, &format!("{ITEMS}?f=html&bbox=106.44,10.2,106.46,10.3")).await;
    assert!(
        boxed.text.contains("1 trên 1 đối tượng") && boxed.text.contains("Giồng Trôm"),
        "bbox applies: {}",
        boxed.text
    );

    let page =
        call(&state, Method::GET, &format!("{ITEMS}?f=json&limit=1"), true, &[("accept", "text/html")], Body::empty())
            .await;
    assert_eq!(page.content_type(), "application/geo+json");
    assert_eq!(page.body["numberReturned"], 1);
    assert_eq!(
        page.link("alternate", "text/html").as_deref(),
        Some("http://test.local/collections/clusters/items?limit=1&offset=0&f=html")
    );

    for bad in [format!("{ITEMS}?f=xml"), format!("{item}?f=xml")] {
        assert_problem(&get(&state, &bad).await, StatusCode::BAD_REQUEST);
    }
    for bad in [format!("{ITEMS}?f=html&limit=0"), format!("{ITEMS}?f=html&colour=red")] {
        assert_problem_page(&get(&state, &bad).await, StatusCode::BAD_REQUEST);
    }
    assert_problem_page(&get(&state, &format!("{ITEMS}/999999?f=html")).await, StatusCode::NOT_FOUND);
    assert_problem_page(&get(&state, "/collections/nope/items?f=html").await, StatusCode::NOT_FOUND);
}

async fn the_public_sees_only_the_published_layer_in_html_too(state: AppState) {
    let id = create(&state, "BT-PUB", "Đã công bố", 106.40).await;
    let json = [("content-type", "application/json")];
    let published = call(&state, Method::POST, "/collections/clusters/publish", true, &json, Body::from("{}")).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.text);
    let draft_id = create(&state, "BT-DRAFT", "Bản nháp", 106.45).await;

    let public = browser(&state, ITEMS, false).await;
    assert_html(&public);
    assert!(public.text.contains("Đã công bố") && !public.text.contains("Bản nháp"), "{}", public.text);
    let planner = browser(&state, ITEMS, true).await;
    assert!(planner.text.contains("Đã công bố") && planner.text.contains("Bản nháp"), "{}", planner.text);
    assert_html(&browser(&state, &format!("{ITEMS}/{id}"), false).await);
    assert_problem_page(&browser(&state, &format!("{ITEMS}/{draft_id}"), false).await, StatusCode::NOT_FOUND);
    assert_problem_page(&browser(&state, &format!("{ITEMS}?layer=draft"), false).await, StatusCode::UNAUTHORIZED);
    assert_problem_page(
        &browser(&state, &format!("{ITEMS}/{id}?asOf=2025-01-01T00:00:00Z"), false).await,
        StatusCode::UNAUTHORIZED,
    );
}

async fn landing_conformance_and_collections_have_html_views(state: AppState) {
    let id = create(&state, "BT-COL", "Phú Hưng–Mỹ Thạnh", 106.40).await;
    assert!(id > 0);
    let map = browser(&state, "/", false).await;
    assert_eq!(map.status, StatusCode::OK);
    assert!(map.text.contains("/app/main.js"), "a browser opening / gets the planner map: {}", map.text);
    let landing = get(&state, "/?f=html").await;
    assert_html(&landing);
    assert!(
        landing.text.contains("<h1>clusterplan</h1>") && landing.text.contains(r#"href="http://test.local/api""#),
        "{}",
        landing.text
    );
    assert!(landing.text.contains(r#"rel="service-desc""#), "{}", landing.text);

    for uri in ["/conformance?f=html", "/conformance"] {
        let page = if uri.contains('?') { get(&state, uri).await } else { browser(&state, uri, false).await };
        assert_html(&page);
        assert!(page.text.contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"), "{}", page.text);
    }
    let collections = browser(&state, "/collections", true).await;
    assert_html(&collections);
    assert!(collections.text.contains(r#"href="/collections/clusters?f=html""#), "{}", collections.text);
    assert!(collections.text.contains("Cụm công nghiệp và khu công nghiệp"), "{}", collections.text);
    let collection = get(&state, "/collections/clusters?f=html").await;
    assert_html(&collection);
    assert!(collection.text.contains("EPSG/0/9210") && collection.text.contains("data-bbox="), "{}", collection.text);
    assert!(collection.text.contains(r#"href="/collections/clusters/items?f=html""#), "{}", collection.text);

    for uri in ["/?f=json", "/conformance", "/collections", "/collections/clusters"] {
        let doc = get(&state, uri).await;
        assert_eq!(doc.status, StatusCode::OK, "{uri}");
        assert!(doc.content_type().starts_with("application/json"), "{uri}: {}", doc.content_type());
        assert!(doc.headers.get_all(header::VARY).iter().any(|v| v == "accept"), "{uri} varies on Accept");
        let html =
            doc.link("alternate", "text/html").unwrap_or_else(|| panic!("{uri} links its HTML view: {}", doc.text));
        assert!(html.ends_with("f=html"), "{html}");
        let path = html.trim_start_matches("http://test.local");
        assert_html(&get(&state, path).await);
    }
    let listed = get(&state, "/collections").await;
    let html_links = |links: &Value| {
        links.as_array().expect("links").iter().filter(|l| l["rel"] == "alternate" && l["type"] == "text/html").count()
    };
    assert_eq!(html_links(&listed.body["collections"][0]["links"]), 1, "each listed collection links its HTML view");
    assert!(listed.text.contains("http://test.local/collections/clusters?f=html"), "{}", listed.text);
    assert_eq!(html_links(&get(&state, "/collections/clusters").await.body["links"]), 1, "one HTML alternate");
    let tagged = get(&state, "/collections/clusters").await;
    let etag = tagged.headers[header::ETAG].to_str().expect("etag").to_owned();
    let revalidated =
        call(&state, Method::GET, "/collections/clusters", true, &[("if-none-match", &etag)], Body::empty()).await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED, "JSON keeps its conditional requests");
    let html =
        call(&state, Method::GET, "/collections/clusters?f=html", true, &[("if-none-match", &etag)], Body::empty())
            .await;
    assert_html(&html);
    for bad in ["/?f=xml", "/conformance?f=xml", "/collections?f=xml", "/collections/clusters?f=pdf"] {
        assert_problem(&get(&state, bad).await, StatusCode::BAD_REQUEST);
    }
    assert_problem_page(&get(&state, "/collections/nope?f=html").await, StatusCode::NOT_FOUND);
}

/// A refusal asked for as a page reads as a page (issue 19): a bad filter typed in a browser's
/// address bar answers 400 in HTML, saying what is wrong and where, in the page's language;
/// JSON clients keep the problem document.
async fn a_refusal_asked_for_as_a_page_is_a_readable_page(state: AppState) {
    let uri = "/collections/clusters/items?filter=name%20%3D";
    let page = browser(&state, uri, true).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.headers["content-type"].to_str().is_ok_and(|t| t.starts_with("text/html")), "{:?}", page.headers);
    assert!(page.text.contains("Không trả lời được yêu cầu này (400)"), "{}", page.text);
    assert!(page.text.contains("filter: syntax error at 1:7 (line:column): expected a value"), "{}", page.text);
    assert!(page.text.contains("href=\"/collections/clusters/items?f=html\""), "{}", page.text);
    let english = browser(&state, &format!("{uri}&lang=en"), true).await;
    assert!(english.text.contains("This request cannot be answered (400)"), "{}", english.text);
    let json = get(&state, uri).await;
    assert_eq!(json.status, StatusCode::BAD_REQUEST);
    assert_eq!(json.headers["content-type"], "application/problem+json");
    assert!(json.body["detail"].as_str().is_some_and(|d| d.contains("filter")));
    // The API document says so: a 400 of the items view is a problem document or a page.
    let api = get(&state, "/api").await;
    let refusal = &api.body["paths"]["/collections/{collection}/items"]["get"]["responses"]["400"]["content"];
    assert!(refusal["application/problem+json"].is_object() && refusal["text/html"].is_object(), "{refusal}");
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    crate::common::planner_state(store, config, PLANNER_TOKEN).await
}

router_suite!(
    the_api_document_is_openapi_3_0_and_every_operation_is_served,
    the_api_document_has_an_html_listing,
    items_and_item_are_negotiated_between_html_and_geojson,
    the_public_sees_only_the_published_layer_in_html_too,
    landing_conformance_and_collections_have_html_views,
    a_refusal_asked_for_as_a_page_is_a_readable_page,
);
