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

#[tokio::test]
async fn the_audit_log_exports_as_streamed_csv() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let other = app.sign_up("owner@b.example", "B").await;
    let mut db = app.db().await;
    // More than two pages of the export, including a value a spreadsheet would run.
    diesel::sql_query(format!(
        "INSERT INTO audit_events (org_id, actor_id, action, target_type, target_id, summary) \
         SELECT '{}', '{}', 'test.bulk', 'thing', '=cmd|' || n, '{{\"n\": 1}}' FROM generate_series(1, 1200) AS n",
        owner.org_id, owner.user_id
    ))
    .execute(&mut db)
    .await
    .unwrap();

    let get = |token: Option<String>, query: &'static str| {
        let mut req = app.client.get(app.url(&format!("/audit.csv{query}")));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send()
    };
    let resp = get(Some(owner.token.clone()), "").await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = resp.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert!(
        lines[0].starts_with("id,created_at,actor_id"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.iter().filter(|l| l.contains("test.bulk")).count(),
        1200
    );
    assert!(body.contains("auth.sign_up"));
    assert!(body.contains("'=cmd|1200"), "formulas are neutralised");
    assert!(!body.contains("owner@b.example"));
    // Newest first, no duplicates across pages.
    let ids: Vec<i64> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));

    let filtered = get(Some(owner.token.clone()), "?action=auth.sign_up")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 2, "{filtered}");

    assert_eq!(
        get(Some(member.token.clone()), "").await.unwrap().status(),
        403
    );
    assert_eq!(get(None, "").await.unwrap().status(), 401);
    assert_eq!(
        get(Some(owner.token.clone()), "?actorId=nope")
            .await
            .unwrap()
            .status(),
        400
    );
    let theirs = get(Some(other.token.clone()), "")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("test.bulk") && !theirs.contains(&owner.org_id));
}
