use std::collections::BTreeSet;

use utoipa::OpenApi;

use super::{ApiDoc, method_name};

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

fn enumerations(value: &serde_json::Value, found: &mut Vec<Vec<String>>) {
    match value {
        serde_json::Value::Object(members) => {
            if let Some(serde_json::Value::Array(values)) = members.get("enum") {
                let mut codes: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
                codes.sort_unstable();
                found.push(codes);
            }
            members.values().for_each(|v| enumerations(v, found));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| enumerations(v, found)),
        _ => {}
    }
}

/// The document's enumerations of statuses, kinds, roles, forms and budget lines are written
/// out for `utoipa` (the core has no I/O and no `OpenAPI` types); each must be exactly the core's codes,
/// so a code added to the core and not to the document fails here.
#[test]
fn documented_enumerations_are_the_cores_codes() {
    use clusterplan_core::registry::{
        DesignationKind, FundSource, InvestorForm, InvestorRole, InvestorStatus, Programme,
    };
    use clusterplan_core::{ClusterKind, ClusterStatus};
    let json = serde_json::to_value(ApiDoc::openapi()).expect("json");
    let mut found = Vec::new();
    enumerations(&json, &mut found);
    let sorted = |codes: Vec<&str>| {
        let mut codes: Vec<String> = codes.into_iter().map(str::to_owned).collect();
        codes.sort_unstable();
        codes
    };
    let cores = [
        ("ClusterKind", sorted(ClusterKind::ALL.iter().map(|v| v.code()).collect())),
        ("ClusterStatus", sorted(ClusterStatus::ALL.iter().map(|v| v.code()).collect())),
        ("InvestorRole", sorted(InvestorRole::ALL.iter().map(|v| v.code()).collect())),
        ("InvestorForm", sorted(InvestorForm::ALL.iter().map(|v| v.code()).collect())),
        ("InvestorStatus", sorted(InvestorStatus::ALL.iter().map(|v| v.code()).collect())),
        ("DesignationKind", sorted(DesignationKind::ALL.iter().map(|v| v.code()).collect())),
        ("FundSource", sorted(FundSource::ALL.iter().map(|v| v.code()).collect())),
        ("Programme", sorted(Programme::ALL.iter().map(|v| v.code()).collect())),
    ];
    for (name, codes) in cores {
        assert!(found.contains(&codes), "no enumeration of the document is {name}'s codes {codes:?}");
    }
}
