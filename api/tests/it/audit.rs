//! The audit log: OWNER/ADMIN only, newest first, filters, cursor pages, one tenant.

use crate::helpers::*;
use crate::members::join;
use serde_json::{Value, json};

const AUDIT: &str = "query($first: Int, $after: String, $filter: AuditFilter) { auditLog(first: $first, after: $after, filter: $filter) { edges { cursor node { id action targetType targetId summary createdAt actor { id email } } } pageInfo { hasNextPage endCursor } } }";
const CHANGE_ROLE: &str =
    "mutation($id: ID!, $role: OrgRole!) { changeMemberRole(userId: $id, role: $role) { role } }";

fn actions(body: &Value) -> Vec<String> {
    body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no audit log: {body}"))
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn owners_and_admins_read_their_organizations_audit_log() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let other = app.sign_up("owner@b.example", "B").await;
    for role in ["ADMIN", "MEMBER"] {
        let body = app
            .graphql_as(
                &owner.token,
                CHANGE_ROLE,
                json!({ "id": member.user_id, "role": role }),
            )
            .await;
        assert_eq!(body["data"]["changeMemberRole"]["role"], role, "{body}");
    }

    let all = app.graphql_as(&admin.token, AUDIT, json!({})).await;
    let listed = actions(&all);
    assert_eq!(
        listed[..2],
        ["member.change_role", "member.change_role"],
        "{all}"
    );
    assert!(listed.contains(&"auth.sign_up".to_string()), "{all}");
    let newest = &all["data"]["auditLog"]["edges"][0]["node"];
    assert_eq!(newest["actor"]["email"], "owner@a.example");
    assert_eq!(newest["targetId"], member.user_id.as_str());
    assert_eq!(newest["summary"]["before"]["role"], "ADMIN");
    assert_eq!(newest["summary"]["after"]["role"], "MEMBER");

    // Pages of one, newest first, without overlap.
    let page1 = app
        .graphql_as(&owner.token, AUDIT, json!({ "first": 1 }))
        .await;
    assert_eq!(page1["data"]["auditLog"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["data"]["auditLog"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .graphql_as(&owner.token, AUDIT, json!({ "first": 1, "after": cursor }))
        .await;
    let (a, b) = (
        &page1["data"]["auditLog"]["edges"][0]["node"],
        &page2["data"]["auditLog"]["edges"][0]["node"],
    );
    assert!(
        a["id"].as_str().unwrap().parse::<i64>().unwrap()
            > b["id"].as_str().unwrap().parse::<i64>().unwrap(),
        "{page1} {page2}"
    );

    // Filters.
    let by_action = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "action": "member.change_role" } }),
        )
        .await;
    assert_eq!(actions(&by_action).len(), 2, "{by_action}");
    let by_actor = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "actorId": admin.user_id } }),
        )
        .await;
    assert!(
        actions(&by_actor)
            .iter()
            .all(|a| a == "auth.switch_organization"),
        "{by_actor}"
    );
    let by_target = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "targetType": "user", "targetId": member.user_id, "action": "member.change_role" } }),
        )
        .await;
    assert_eq!(actions(&by_target).len(), 2, "{by_target}");
    let future = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "from": "2999-01-01T00:00:00Z" } }),
        )
        .await;
    assert!(actions(&future).is_empty(), "{future}");
    let past = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "to": "2000-01-01T00:00:00Z" } }),
        )
        .await;
    assert!(actions(&past).is_empty(), "{past}");
    let backwards = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "from": "2030-01-01T00:00:00Z", "to": "2020-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(error_code(&backwards), "BAD_USER_INPUT", "{backwards}");
    let bad_actor = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "actorId": "nope" } }),
        )
        .await;
    assert_eq!(error_code(&bad_actor), "BAD_USER_INPUT", "{bad_actor}");

    // MEMBERs are refused; another tenant sees only its own events.
    let forbidden = app.graphql_as(&member.token, AUDIT, json!({})).await;
    assert_eq!(error_code(&forbidden), "FORBIDDEN", "{forbidden}");
    let theirs = app.graphql_as(&other.token, AUDIT, json!({})).await;
    assert_eq!(actions(&theirs), ["auth.sign_up"], "{theirs}");
    let by_a_actor = app
        .graphql_as(
            &other.token,
            AUDIT,
            json!({ "filter": { "actorId": owner.user_id } }),
        )
        .await;
    assert!(actions(&by_a_actor).is_empty(), "{by_a_actor}");
    assert_eq!(
        error_code(&app.graphql(AUDIT, json!({})).await),
        "UNAUTHENTICATED"
    );
}
