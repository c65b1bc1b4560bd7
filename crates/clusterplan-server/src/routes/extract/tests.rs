use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::IntoResponse;
use serde_json::json;

use super::{Collection, IfMatch, JsonBody, nul_places};

fn if_match(header: Option<&'static str>) -> IfMatch {
    IfMatch { header: header.map(HeaderValue::from_static) }
}

#[test]
fn if_match_names_a_version_or_nothing_and_tells_a_missing_one_apart() {
    assert_eq!(if_match(Some("\"3\"")).given(7).ok(), Some(Some(3)));
    assert_eq!(if_match(Some("W/\"3\"")).version().ok(), Some(Some(3)));
    assert_eq!(if_match(Some("*")).given(7).ok(), Some(Some(7)), "`*`: the current version");
    assert_eq!(if_match(None).given(7).ok(), Some(None), "absent: conditioned on the client's read");
    assert_eq!(if_match(Some("")).given(7).ok(), Some(None), "an empty If-Match names nothing");
    assert_eq!(if_match(Some(" ")).given(7).ok(), Some(None));
    assert_eq!(if_match(None).version().ok(), Some(None), "routes that do not require it");
    assert_eq!(if_match(Some("\"x\", \"4\"")).version().ok(), Some(Some(4)), "a list naming one version");
}

#[test]
fn a_well_formed_if_match_this_service_never_issued_is_412_and_a_malformed_one_400() {
    for foreign in ["\"stale-etag\"", "\"abc\"", "W/\"x\"", "\"\"", "\"a\", W/\"b\""] {
        let refused = if_match(Some(foreign)).given(7).expect_err(foreign);
        assert_eq!(refused.into_response().status(), StatusCode::PRECONDITION_FAILED, "{foreign}");
    }
    for malformed in ["3", "stale-etag", "\"3", "\"a\"b", "\"a b\"", "W/", "\"1\" \"2\""] {
        let refused = if_match(Some(malformed)).given(7).expect_err(malformed);
        assert_eq!(refused.into_response().status(), StatusCode::BAD_REQUEST, "{malformed}");
    }
    let several = if_match(Some("\"1\", \"2\"")).version().expect_err("two versions");
    assert_eq!(several.into_response().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
// A stateless router of one test route, not the server's.
#[allow(clippy::disallowed_methods)]
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
