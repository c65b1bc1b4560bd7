use super::*;

#[test]
fn only_accounts_see_drafts() {
    assert!(!sees_drafts(&Principal::Anonymous));
    for role in Role::ALL {
        assert!(sees_drafts(&Principal::User { name: "x".into(), role, unit_code: None }));
    }
}
