use serde_json::json;

use super::take_members;

#[test]
fn the_planning_members_leave_the_feature_and_nothing_else_does() {
    let mut feature = json!({
        "type": "Feature",
        "geometry": null,
        "properties": { "code": "BT-1" },
        "event": { "effective": "2020-01-01" },
        "overrides": [{ "rule_id": "d32.size.min", "reason": "làng nghề" }],
    });
    let members = take_members(&mut feature);
    assert_eq!(
        members,
        json!({ "event": { "effective": "2020-01-01" }, "overrides": [{ "rule_id": "d32.size.min", "reason": "làng nghề" }] })
    );
    assert_eq!(feature, json!({ "type": "Feature", "geometry": null, "properties": { "code": "BT-1" } }));
    let mut plain = json!({ "type": "Feature" });
    assert_eq!(take_members(&mut plain), json!({}), "absent members stay absent, not null");
    assert_eq!(take_members(&mut json!([1])), json!({}));
}
