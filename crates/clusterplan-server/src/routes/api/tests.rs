use std::collections::BTreeSet;

use utoipa::OpenApi;

use super::{ApiDoc, method_name};

/// Every `.route("PATH", …)` of the route modules with the methods its method router names,
/// read from the source, so that a route added without an annotation is noticed.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let sources = [
        include_str!("../api.rs"),
        include_str!("../auth.rs"),
        include_str!("../comments.rs"),
        include_str!("../health.rs"),
        include_str!("../history.rs"),
        include_str!("../items.rs"),
        include_str!("../metadata.rs"),
        include_str!("../ogc.rs"),
        include_str!("../patch.rs"),
        include_str!("../planning.rs"),
        include_str!("../public_map.rs"),
        include_str!("../publish.rs"),
        include_str!("../queryables.rs"),
        include_str!("../tiles.rs"),
        include_str!("../web.rs"),
        include_str!("../zones.rs"),
    ];
    let mut routes = BTreeSet::new();
    for source in sources {
        for chunk in source.split(".route(").skip(1) {
            let chunk = chunk.trim_start();
            let Some(rest) = chunk.strip_prefix('"') else { continue };
            let Some((path, rest)) = rest.split_once('"') else { continue };
            // The method router runs to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            let methods = &rest[..end];
            for method in ["get", "post", "put", "patch", "delete", "options"] {
                let called = methods
                    .match_indices(&format!("{method}("))
                    .any(|(i, _)| i == 0 || !methods[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
                if called {
                    routes.insert((path.to_owned(), method.to_owned()));
                }
            }
        }
    }
    routes
}

fn routes_documented() -> BTreeSet<(String, String)> {
    let doc = ApiDoc::openapi();
    let mut routes = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        for method in item.operations.keys() {
            routes.insert((path.clone(), method_name(method).to_ascii_lowercase()));
        }
    }
    routes
}

#[test]
fn every_route_of_the_router_is_documented_and_nothing_else() {
    let source = routes_in_source();
    assert!(source.len() > 40, "the scan found the routes: {source:?}");
    assert!(source.contains(&("/collections/{collection}/items".to_owned(), "get".to_owned())), "{source:?}");
    assert!(source.contains(&("/collections/{collection}/items/{id}".to_owned(), "patch".to_owned())), "{source:?}");
    let documented = routes_documented();
    let missing: Vec<_> = source.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&source).collect();
    assert!(missing.is_empty(), "routes without an OpenAPI operation: {missing:?}");
    assert!(extra.is_empty(), "operations the router does not serve: {extra:?}");
}

#[test]
fn operation_ids_are_unique_and_every_operation_has_a_summary_and_a_tag() {
    let doc = ApiDoc::openapi();
    let mut ids = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in &item.operations {
            let id = operation.operation_id.clone().unwrap_or_default();
            assert!(ids.insert(id.clone()), "operationId {id:?} repeats ({path})");
            assert!(
                operation.summary.as_deref().is_some_and(|s| !s.is_empty()),
                "{} {path} has no summary",
                method_name(method)
            );
            assert!(
                operation.tags.as_ref().is_some_and(|t| !t.is_empty()),
                "{} {path} has no tag",
                method_name(method)
            );
        }
    }
}

#[test]
fn writes_declare_the_security_schemes_and_their_refusals() {
    let doc = ApiDoc::openapi();
    let json = serde_json::to_value(&doc).expect("json");
    let schemes = &json["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    let put = &json["paths"]["/collections/{collection}/items/{id}"]["put"];
    for status in ["400", "401", "403", "404", "412", "422", "428"] {
        assert_eq!(put["responses"][status]["$ref"], "#/components/responses/Problem", "PUT {status}");
    }
    let problem = &json["components"]["responses"]["Problem"]["content"]["application/problem+json"]["schema"];
    assert_eq!(problem["required"], serde_json::json!(["type", "title", "status", "detail"]), "{problem}");
    let item = &json["paths"]["/collections/{collection}/items/{id}"];
    assert!(item["options"].is_object(), "OPTIONS on an item is documented");
    let bbox = json["paths"]["/collections/{collection}/items"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "bbox")
        .cloned()
        .expect("bbox");
    assert_eq!(bbox["explode"], false, "bbox is one comma-separated value");
}

fn references(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(members) => {
            if let Some(serde_json::Value::String(target)) = members.get("$ref") {
                found.push(target.clone());
            }
            members.values().for_each(|v| references(v, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_of_the_document_resolves() {
    let json = serde_json::to_value(ApiDoc::openapi()).expect("json");
    let mut found = Vec::new();
    references(&json, &mut found);
    assert!(found.iter().any(|r| r == "#/components/schemas/Feature"), "{found:?}");
    assert!(found.iter().any(|r| r == "#/components/schemas/LandingPage"), "{found:?}");
    for target in found {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not local"));
        assert!(json.pointer(pointer).is_some(), "{target} points to nothing");
    }
}
