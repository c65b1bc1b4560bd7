use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::ApiError;

#[test]
fn an_internal_error_answers_an_opaque_500_whatever_its_cause() {
    let cause = "error returned from database: relation \"clusters\" does not exist (postgres://admin:secret@db/plan)";
    let error = ApiError::internal(cause);
    let body = serde_json::to_string(&error.body()).expect("a problem document serialises");
    for secret in ["database", "clusters", "secret", "postgres"] {
        assert!(!body.contains(secret), "{secret} leaks: {body}");
    }
    assert_eq!(error.to_string(), "internal error", "the audit log and the detail see no cause either");
    assert_eq!(error.into_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn a_store_failure_is_an_internal_error_and_a_missing_row_is_not() {
    let corrupt = ApiError::from(clusterplan_store::StoreError::Corrupt("row 7 of /srv/plan.gpkg".into()));
    assert!(matches!(corrupt, ApiError::Internal(_)), "{corrupt:?}");
    assert!(!serde_json::to_string(&corrupt.body()).expect("a problem document serialises").contains("plan.gpkg"));
    let missing = ApiError::from(clusterplan_store::StoreError::NotFound(7));
    assert!(matches!(missing, ApiError::NotFound(_)), "{missing:?}");
}
