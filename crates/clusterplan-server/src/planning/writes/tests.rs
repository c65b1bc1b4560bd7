use serde_json::json;

use super::take_members;
use crate::error::ApiError;

#[test]
fn the_planning_members_leave_the_feature_and_nothing_else_does() {
    let mut feature = json!({
        "type": "Feature",
        "geometry": null,
        "properties": { "code": "BT-1" },
        "event": { "effective": "2020-01-01" },
        "overrides": [{ "rule_id": "d32.size.min", "reason": "làng nghề" }],
    });
    let members = take_members(&mut feature, true).expect("members");
    assert_eq!(
        members,
        json!({ "event": { "effective": "2020-01-01" }, "overrides": [{ "rule_id": "d32.size.min", "reason": "làng nghề" }] })
    );
    assert_eq!(feature, json!({ "type": "Feature", "geometry": null, "properties": { "code": "BT-1" } }));
    let mut plain = json!({ "type": "Feature" });
    assert_eq!(take_members(&mut plain, false).expect("plain"), json!({}), "absent members stay absent, not null");
    assert_eq!(take_members(&mut json!([1]), true).expect("no object"), json!({}));
}

#[test]
fn an_event_that_is_no_object_or_not_on_a_creation_is_422_and_an_unknown_member_of_it_400() {
    for (event, created, status) in [
        (json!("garbage"), true, 422),
        (json!(7), true, 422),
        (json!([]), true, 422),
        (json!({ "effective": "2020-01-01" }), false, 422),
        (json!({ "effective": "2020-01-01", "efective": "x" }), true, 400),
    ] {
        let mut feature = json!({ "type": "Feature", "event": event });
        let refused = take_members(&mut feature, created).expect_err("refused");
        let answered = match refused {
            ApiError::InvalidFeature { fields, .. } => {
                assert_eq!(fields[0].field, "event");
                422
            }
            ApiError::BadRequest { kind: "unknown-member", .. } => 400,
            other => panic!("{other:?}"),
        };
        assert_eq!(answered, status, "{feature}");
    }
    let mut null = json!({ "type": "Feature", "event": null });
    assert!(take_members(&mut null, false).is_ok(), "a null event is no event");
}
