//! Accounts, tokens, sessions, the audit log and history, run against both stores: every test
//! below exists as `gpkg::name` and `postgis::name`.

use std::sync::Arc;

use chrono::Utc;
use clusterplan_core::ClusterDraft;
use clusterplan_store::{
    ClusterQuery, GpkgStore, HistoryStore, NewAudit, NewComment, NewUser, PostgisStore, Role, Store, StoreError,
    WriteContext,
};
use futures::TryStreamExt;

use crate::support::{ctx, input, small, tick};

fn draft(code: &str, status: &str, lon: f64) -> ClusterDraft {
    small(input(code, "Mỹ Thạnh", status), lon, 10.0)
}

fn user(name: &str, role: Role) -> NewUser {
    NewUser { name: name.into(), role, unit_code: None, password_hash: "$argon2id$stand-in".into() }
}

const ALL: ClusterQuery = ClusterQuery { limit: 100, ..ClusterQuery::ALL };

async fn users_are_unique_listed_and_disabled(store: Arc<dyn Store>) {
    assert_eq!(store.user_count().await.expect("count"), 0);
    let mut officer = user("huyen", Role::Officer);
    officer.unit_code = Some("829".into());
    let made = store.create_user(&officer).await.expect("create");
    assert_eq!((made.role, made.unit_code.as_deref(), made.disabled), (Role::Officer, Some("829"), false));
    store.create_user(&user("an", Role::Planner)).await.expect("create");
    assert!(matches!(
        store.create_user(&user("an", Role::Viewer)).await,
        Err(StoreError::Duplicate { field: "name", .. })
    ));
    let names: Vec<_> = store.list_users().await.expect("list").into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["an", "huyen"]);
    let (found, hash) = store.user_with_password("an").await.expect("read").expect("exists");
    assert_eq!((found.role, hash.as_str()), (Role::Planner, "$argon2id$stand-in"));
    assert!(store.disable_user("an").await.expect("disable"));
    assert!(!store.disable_user("nobody").await.expect("disable"));
    assert!(store.user_with_password("an").await.expect("read").expect("exists").0.disabled);
}

async fn tokens_work_until_revoked_or_their_account_is_disabled(store: Arc<dyn Store>) {
    store.create_user(&user("an", Role::Planner)).await.expect("create");
    store.create_user(&user("binh", Role::Planner)).await.expect("create");
    assert!(store.create_token("an", "qgis", "hash-1").await.expect("token"));
    assert!(store.create_token("an", "script", "hash-2").await.expect("token"));
    assert!(!store.create_token("nobody", "x", "hash-3").await.expect("token"));
    assert_eq!(store.user_by_token("hash-1").await.expect("read").expect("live").name, "an");
    assert!(store.user_by_token("unknown").await.expect("read").is_none());
    assert!(!store.revoke_token("hash-1", Some("binh")).await.expect("revoke"), "only the owner revokes");
    assert!(store.revoke_token("hash-1", Some("an")).await.expect("revoke"));
    assert!(store.user_by_token("hash-1").await.expect("read").is_none(), "revoked");
    assert!(!store.revoke_token("hash-1", None).await.expect("revoke"), "already revoked");
    store.disable_user("an").await.expect("disable");
    assert!(store.user_by_token("hash-2").await.expect("read").is_none(), "account disabled");
}

async fn sessions_expire_and_end_with_their_account(store: Arc<dyn Store>) {
    let an = store.create_user(&user("an", Role::Planner)).await.expect("create");
    let later = Utc::now() + chrono::Duration::hours(1);
    store.create_session(an.id, "s-1", "csrf-1", later).await.expect("session");
    store.create_session(an.id, "s-old", "csrf-2", Utc::now() - chrono::Duration::seconds(1)).await.expect("session");
    let s = store.session("s-1").await.expect("read").expect("live");
    assert_eq!((s.user.name.as_str(), s.csrf_token.as_str()), ("an", "csrf-1"));
    assert!(store.session("s-old").await.expect("read").is_none(), "expired");
    store.delete_session("s-1").await.expect("logout");
    assert!(store.session("s-1").await.expect("read").is_none());
    store.create_session(an.id, "s-2", "csrf-3", later).await.expect("session");
    store.disable_user("an").await.expect("disable");
    assert!(store.session("s-2").await.expect("read").is_none());
}

async fn the_audit_log_pages_newest_first_and_counts_recent_failures(store: Arc<dyn Store>) {
    let start = Utc::now() - chrono::Duration::seconds(1);
    for (actor, address, outcome) in [
        ("an", "10.0.0.1", "failure"),
        ("an", "10.0.0.2", "failure"),
        ("binh", "10.0.0.1", "failure"),
        ("an", "10.0.0.1", "ok"),
    ] {
        store
            .append_audit(&NewAudit {
                actor: Some(actor.into()),
                action: "login".into(),
                address: Some(address.into()),
                outcome: outcome.into(),
                ..NewAudit::default()
            })
            .await
            .expect("append");
    }
    let (n, oldest) = store.recent_audit("login", "failure", Some("an"), None, start).await.expect("count");
    assert_eq!(n, 2);
    assert!(oldest.is_some_and(|t| t >= start));
    let (n, _) = store.recent_audit("login", "failure", None, Some("10.0.0.1"), start).await.expect("count");
    assert_eq!(n, 2);
    let (n, oldest) = store
        .recent_audit("login", "failure", Some("an"), None, Utc::now() + chrono::Duration::seconds(5))
        .await
        .expect("count");
    assert_eq!((n, oldest), (0, None));
    let page = store.audit_page(2, 0).await.expect("page");
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].outcome, "ok", "newest first");
    assert!(page[0].id > page[1].id);
}

async fn history_keeps_create_update_delete_and_revert_with_who_and_why(store: Arc<dyn Store>) {
    let created = store.create_cluster(&draft("BT-1", "in_plan", 106.0), &ctx("an", "new")).await.expect("create");
    let id = created.id;
    let legal = WriteContext { legal_act: Some("QĐ 873/QĐ-UB 8/6/1998".into()), ..ctx("an", "established") };
    store.update_cluster(id, Some(1), &draft("BT-1", "established", 106.001), &legal).await.expect("update");
    store.delete_cluster(id, Some(2), &ctx("binh", "gone")).await.expect("delete");
    assert!(matches!(store.get_cluster(id).await, Err(StoreError::NotFound(_))));

    let versions = store.versions(id).await.expect("versions");
    let ops: Vec<_> = versions.iter().map(|v| (v.version, v.operation.as_str(), v.author.as_deref())).collect();
    assert_eq!(ops, [(1, "create", Some("an")), (2, "update", Some("an")), (3, "delete", Some("binh"))]);
    assert_eq!(versions[1].legal_act.as_deref(), Some("QĐ 873/QĐ-UB 8/6/1998"));
    assert!(versions[2].state.is_none(), "a deletion is a tombstone");
    assert_eq!(versions[1].state.as_ref().expect("state").data.attrs.status().code(), "established");

    assert!(matches!(store.revert_cluster(id, 3, None, &ctx("an", "x")).await, Err(StoreError::Invalid(_))));
    // Restoring the deleted cluster brings it back under its id as version 4.
    let restored = store.revert_cluster(id, 1, Some(3), &ctx("an", "restore")).await.expect("restore");
    assert_eq!((restored.id, restored.version), (id, 4));
    assert_eq!(restored.data.attrs.status().code(), "in_plan");
    assert_eq!(restored.data.boundary, created.data.boundary);
    let reverted = store.revert_cluster(id, 2, Some(4), &ctx("an", "back")).await.expect("revert");
    assert_eq!(reverted.version, 5);
    assert_eq!(reverted.data.attrs.status().code(), "established");
    let last = store.version(id, 5).await.expect("version");
    assert_eq!((last.reverted_from, last.operation.as_str()), (Some(2), "update"));
    assert!(matches!(
        store.revert_cluster(id, 1, Some(4), &ctx("an", "stale")).await,
        Err(StoreError::VersionConflict { current: 5, .. })
    ));
    assert_eq!(store.versions(id).await.expect("versions").len(), 5, "a refused revert leaves no version");
    assert!(matches!(store.versions(999).await, Err(StoreError::NotFound(999))));

    let audit = store.audit_page(10, 0).await.expect("audit");
    let actions: Vec<_> = audit.iter().rev().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["cluster.create", "cluster.update", "cluster.delete", "cluster.revert", "cluster.revert"]);
    assert_eq!(audit[0].target.as_deref(), Some(format!("clusters/{id}").as_str()));
}

async fn as_of_returns_the_layer_as_it_stood(store: Arc<dyn Store>) {
    let before = Utc::now();
    tick().await;
    let a = store.create_cluster(&draft("A", "in_plan", 106.0), &ctx("an", "a")).await.expect("create");
    let b = store.create_cluster(&draft("B", "in_plan", 106.1), &ctx("an", "b")).await.expect("create");
    tick().await;
    let t1 = Utc::now();
    tick().await;
    store.update_cluster(a.id, None, &draft("A", "established", 106.0), &ctx("an", "up")).await.expect("update");
    store.delete_cluster(b.id, None, &ctx("an", "del")).await.expect("delete");
    tick().await;
    let t2 = Utc::now();

    let at = |t| {
        let store = store.clone();
        async move {
            let page: Vec<_> = store.stream_clusters_as_of(ALL, t).try_collect().await.expect("as of");
            page.iter().map(|c| (c.data.attrs.code().to_owned(), c.version)).collect::<Vec<_>>()
        }
    };
    assert!(at(before).await.is_empty());
    assert_eq!(at(t1).await, [("A".to_owned(), 1), ("B".to_owned(), 1)]);
    assert_eq!(at(t2).await, [("A".to_owned(), 2)]);
    assert_eq!(store.count_clusters_as_of(&ALL, t1).await.expect("count"), 2);
    let bbox = ClusterQuery { bbox: Some([106.09, 9.9, 106.2, 10.1]), ..ALL };
    assert_eq!(store.count_clusters_as_of(&bbox, t1).await.expect("count"), 1);
    let old = store.cluster_as_of(a.id, t1).await.expect("as of");
    assert_eq!((old.version, old.data.attrs.status().code()), (1, "in_plan"));
    assert_eq!(old.created_at, store.get_cluster(a.id).await.expect("now").created_at);
    assert!(matches!(store.cluster_as_of(b.id, t2).await, Err(StoreError::NotFound(_))), "deleted by then");
    assert!(matches!(store.cluster_as_of(a.id, before).await, Err(StoreError::NotFound(_))), "not yet created");
}

async fn a_failed_write_leaves_no_version_and_no_audit_row(store: Arc<dyn Store>) {
    let a = store.create_cluster(&draft("A", "in_plan", 106.0), &ctx("an", "a")).await.expect("create");
    store.create_cluster(&draft("B", "in_plan", 106.1), &ctx("an", "b")).await.expect("create");
    let audit_before = store.audit_page(100, 0).await.expect("audit").len();
    // A duplicate code fails inside the transaction, after the row update was attempted.
    assert!(store.update_cluster(a.id, None, &draft("B", "in_plan", 106.0), &ctx("an", "dup")).await.is_err());
    assert!(store.update_cluster(a.id, Some(7), &draft("A", "operating", 106.0), &ctx("an", "stale")).await.is_err());
    assert_eq!(store.versions(a.id).await.expect("versions").len(), 1);
    assert_eq!(store.audit_page(100, 0).await.expect("audit").len(), audit_before);
}

fn comment(id: i64, version: Option<i64>, author: &str, text: &str) -> NewComment {
    NewComment { cluster_id: id, version, author: author.into(), text: text.into(), address: Some("192.0.2.9".into()) }
}

async fn comments_are_appended_with_their_audit_row_and_outlive_the_feature(store: Arc<dyn Store>) {
    let a = store.create_cluster(&draft("A", "in_plan", 106.0), &ctx("an", "a")).await.expect("create");
    store.update_cluster(a.id, None, &draft("A", "in_plan", 106.001), &ctx("an", "moved")).await.expect("update");
    let audit_before = store.audit_page(100, 0).await.expect("audit").len();
    assert!(store.comments(a.id).await.expect("none yet").is_empty());

    let first = store.add_comment(&comment(a.id, None, "huyen", "Ranh giới lấn ruộng lúa")).await.expect("add");
    assert_eq!(
        (first.cluster_id, first.version, first.author.as_str(), first.text.as_str()),
        (a.id, 2, "huyen", "Ranh giới lấn ruộng lúa"),
        "without a version, the comment is about the current one"
    );
    let second = store.add_comment(&comment(a.id, Some(1), "an", "v1 was better")).await.expect("add");
    assert_eq!(second.version, 1);
    assert!(second.id > first.id);
    assert!(matches!(
        store.add_comment(&comment(a.id, Some(9), "an", "no such version")).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(store.add_comment(&comment(4242, None, "an", "x")).await, Err(StoreError::NotFound(4242))));
    assert!(matches!(store.comments(4242).await, Err(StoreError::NotFound(4242))));

    let listed = store.comments(a.id).await.expect("list");
    assert_eq!(listed, vec![first.clone(), second.clone()], "oldest first, read back as written");

    // One audit row per comment, written with it; refused comments leave none.
    let audit = store.audit_page(100, 0).await.expect("audit");
    assert_eq!(audit.len(), audit_before + 2);
    let row = &audit[1];
    assert_eq!(
        (row.action.as_str(), row.actor.as_deref(), row.target.clone(), row.address.as_deref()),
        ("cluster.comment", Some("huyen"), Some(format!("clusters/{}", a.id)), Some("192.0.2.9"))
    );
    assert_eq!(row.detail.as_deref(), Some(format!("comment {} on version 2", first.id).as_str()));

    // Deleted: the comments stay readable, new ones are refused.
    store.delete_cluster(a.id, None, &ctx("an", "gone")).await.expect("delete");
    assert!(
        matches!(store.add_comment(&comment(a.id, None, "an", "late")).await, Err(StoreError::Deleted(id)) if id == a.id)
    );
    assert_eq!(store.comments(a.id).await.expect("list").len(), 2);
    // Restored: comments may be added again.
    store.revert_cluster(a.id, 2, None, &ctx("an", "back")).await.expect("revert");
    let third = store.add_comment(&comment(a.id, None, "an", "welcome back")).await.expect("add");
    assert_eq!(third.version, 4);
}

async fn a_password_change_ends_the_other_sessions_only(store: Arc<dyn Store>) {
    let an = store.create_user(&user("an", Role::Planner)).await.expect("create");
    let later = Utc::now() + chrono::Duration::hours(1);
    store.create_session(an.id, "s-mine", "c-1", later).await.expect("session");
    store.create_session(an.id, "s-other", "c-2", later).await.expect("session");
    let audit = NewAudit {
        actor: Some("an".into()),
        action: "password.change".into(),
        outcome: "ok".into(),
        ..NewAudit::default()
    };
    assert!(store.set_password("an", "$argon2id$new", Some("s-mine"), &audit).await.expect("set"));
    assert_eq!(store.user_with_password("an").await.expect("read").expect("exists").1, "$argon2id$new");
    assert!(store.session("s-mine").await.expect("read").is_some(), "the asking session stays");
    assert!(store.session("s-other").await.expect("read").is_none(), "every other one ends");
    assert_eq!(store.audit_page(1, 0).await.expect("audit")[0].action, "password.change");
    assert!(store.set_password("an", "$argon2id$newer", None, &audit).await.expect("set"));
    assert!(store.session("s-mine").await.expect("read").is_none(), "without a session to keep, all end");
    assert!(!store.set_password("nobody", "$argon2id$x", None, &audit).await.expect("set"));
}

use clusterplan_store::store_suite as suite;

suite!(
    users_are_unique_listed_and_disabled,
    tokens_work_until_revoked_or_their_account_is_disabled,
    sessions_expire_and_end_with_their_account,
    the_audit_log_pages_newest_first_and_counts_recent_failures,
    history_keeps_create_update_delete_and_revert_with_who_and_why,
    as_of_returns_the_layer_as_it_stood,
    a_failed_write_leaves_no_version_and_no_audit_row,
    comments_are_appended_with_their_audit_row_and_outlive_the_feature,
    a_password_change_ends_the_other_sessions_only,
);

/// Comments are append-only in the database itself, not only for want of a route.
#[tokio::test]
async fn gpkg_refuses_to_change_or_remove_a_comment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = GpkgStore::open(&dir.path().join("test.gpkg")).await.expect("open");
    let a = store.create_cluster(&draft("A", "in_plan", 106.0), &ctx("an", "a")).await.expect("create");
    let c = store.add_comment(&comment(a.id, None, "an", "kept")).await.expect("add");
    for sql in
        ["UPDATE cluster_comments SET text = 'changed' WHERE id = ?", "DELETE FROM cluster_comments WHERE id = ?"]
    {
        let refused = sqlx::query(sql).bind(c.id).execute(store.pool()).await;
        assert!(refused.is_err_and(|e| e.to_string().contains("append-only")), "{sql}");
    }
    assert_eq!(store.comments(a.id).await.expect("list")[0].text, "kept");
}

/// The same on PostGIS.
#[tokio::test]
async fn postgis_refuses_to_change_or_remove_a_comment() {
    let Some(db) = clusterplan_store::testing::postgis_database().await else { return };
    let store = PostgisStore::connect(&db.url).await.expect("connect");
    let a = store.create_cluster(&draft("A", "in_plan", 106.0), &ctx("an", "a")).await.expect("create");
    let c = store.add_comment(&comment(a.id, None, "an", "kept")).await.expect("add");
    for sql in
        ["UPDATE cluster_comments SET text = 'changed' WHERE id = $1", "DELETE FROM cluster_comments WHERE id = $1"]
    {
        let refused = sqlx::query(sql).bind(c.id).execute(store.pool()).await;
        assert!(refused.is_err_and(|e| e.to_string().contains("append-only")), "{sql}");
    }
    assert_eq!(store.comments(a.id).await.expect("list")[0].text, "kept");
    store.close().await;
    db.drop_database().await;
}
