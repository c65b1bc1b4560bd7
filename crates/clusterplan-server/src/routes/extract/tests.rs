use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use super::{Collection, IfMatch, JsonBody, nul_places};

fn if_match(header: Option<&'static str>, required: bool) -> IfMatch {
    IfMatch { header: header.map(HeaderValue::from_static), required }
}

#[test]
fn if_match_names_a_version_or_nothing_and_is_required_only_when_configured() {
    assert_eq!(if_match(Some("\"3\""), true).required().ok(), Some(Some(3)));
    assert_eq!(if_match(Some("W/\"3\""), true).version().ok(), Some(Some(3)));
    assert_eq!(if_match(Some("*"), true).required().ok(), Some(None), "`*`: the current version");
    assert_eq!(if_match(None, false).required().ok(), Some(None), "allowed without, as for QGIS");
    assert_eq!(if_match(None, true).version().ok(), Some(None), "routes that do not require it");
    let missing = if_match(None, true).required().expect_err("428");
    assert_eq!(missing.into_response().status(), StatusCode::PRECONDITION_REQUIRED);
    let foreign = if_match(Some("\"abc\""), false).version().expect_err("400");
    assert_eq!(foreign.into_response().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_collection_that_is_not_served_is_a_404_problem() {
    let router = axum::Router::new()
        .route("/collections/{collection}/items", axum::routing::get(|Collection(c): Collection| async move { c }));
    let call = |uri: &'static str| {
        let router = router.clone();
        async move {
            tower::ServiceExt::oneshot(router, Request::get(uri).body(axum::body::Body::empty()).expect("request"))
                .await
                .expect("infallible")
        }
    };
    assert_eq!(call("/collections/clusters/items").await.status(), StatusCode::OK);
    let missing = call("/collections/nope/items").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
}

#[test]
fn a_body_of_another_shape_is_a_400_that_says_what_was_expected() {
    let body: JsonBody = JsonBody { value: json!({ "text": 5 }), media: std::marker::PhantomData };
    let error = body.read::<String>("body must be a string").expect_err("not a string");
    assert!(error.to_string().starts_with("body must be a string: invalid type"), "{error}");
}

#[test]
fn every_text_with_a_nul_is_found_by_its_json_pointer() {
    let document = json!({
        "properties": { "notes": "a\u{0}b", "name": "fine", "a/b~c": "\u{0}" },
        "keywords": ["ok", "x\u{0}"],
        "key\u{0}": 1,
        "n": 5,
    });
    let mut found = Vec::new();
    nul_places(&document, &mut String::new(), &mut found);
    found.sort();
    assert_eq!(found, ["/key\u{0}", "/keywords/1", "/properties/a~1b~0c", "/properties/notes"]);
    let mut none = Vec::new();
    nul_places(&json!({ "text": "Mỹ Thạnh", "list": [1, null, true] }), &mut String::new(), &mut none);
    assert!(none.is_empty());
}
