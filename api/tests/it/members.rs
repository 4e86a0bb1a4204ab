//! Members and roles: listing, role rules, the last owner, suspension, removal,
//! organization settings and tenant isolation.

use crate::helpers::*;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const MEMBERS: &str = "query($first: Int, $after: String, $filter: MemberFilter) { members(first: $first, after: $after, filter: $filter) { edges { cursor node { user { id email } role status joinedAt } } pageInfo { hasNextPage endCursor } } }";
const CHANGE_ROLE: &str = "mutation($id: ID!, $role: OrgRole!) { changeMemberRole(userId: $id, role: $role) { user { id } role status } }";
const SUSPEND: &str =
    "mutation($id: ID!) { suspendMember(userId: $id) { user { id } role status } }";
const REACTIVATE: &str =
    "mutation($id: ID!) { reactivateMember(userId: $id) { user { id } role status } }";
const REMOVE: &str = "mutation($id: ID!) { removeMember(userId: $id) }";
const UPDATE_ORG: &str =
    "mutation($name: String!) { updateOrganization(input: { name: $name }) { id name } }";
const SWITCH: &str = "mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken organization { id } } }";

/// Signs up `email` (in an organization of their own), adds them to `org` with `role`
/// and returns them signed in to `org`.
pub(crate) async fn join(app: &TestApp, org: &SignedUp, email: &str, role: &str) -> SignedUp {
    let mut person = app.sign_up(email, "Elsewhere").await;
    let mut db = app.db().await;
    diesel::sql_query(format!(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ('{}', '{}', '{role}', now() + interval '1 second' * (SELECT count(*) FROM memberships WHERE org_id = '{}'))",
        org.org_id, person.user_id, org.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    let switched = app
        .graphql_as(&person.token, SWITCH, json!({ "id": org.org_id }))
        .await;
    person.token = switched["data"]["switchOrganization"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("switch failed: {switched}"))
        .to_string();
    person.org_id = org.org_id.clone();
    person
}

fn emails(body: &Value) -> Vec<String> {
    body["data"]["members"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no members: {body}"))
        .iter()
        .map(|e| e["node"]["user"]["email"].as_str().unwrap().to_string())
        .collect()
}

async fn audit_count(app: &TestApp, action: &str, target: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let n: N = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM audit_events WHERE action = '{action}' AND target_id = '{target}' AND summary ? 'before' AND summary ? 'after'"
    ))
    .get_result(&mut db)
    .await
    .unwrap();
    n.n
}

#[tokio::test]
async fn members_are_listed_filtered_and_paginated_within_the_tenant() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    join(&app, &owner, "bob@a.example", "MEMBER").await;
    join(&app, &owner, "carol@a.example", "MEMBER").await;
    app.sign_up("dave@b.example", "B").await;

    let all = app
        .graphql_as(&admin.token, MEMBERS, json!({ "first": 100 }))
        .await;
    assert_eq!(
        emails(&all),
        [
            "owner@a.example",
            "admin@a.example",
            "bob@a.example",
            "carol@a.example"
        ],
        "{all}"
    );
    assert_eq!(all["data"]["members"]["edges"][0]["node"]["role"], "OWNER");
    assert_eq!(
        all["data"]["members"]["edges"][0]["node"]["status"],
        "ACTIVE"
    );

    let page1 = app
        .graphql_as(&owner.token, MEMBERS, json!({ "first": 3 }))
        .await;
    assert_eq!(emails(&page1).len(), 3);
    assert_eq!(page1["data"]["members"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["data"]["members"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "first": 3, "after": cursor }),
        )
        .await;
    assert_eq!(emails(&page2), ["carol@a.example"], "{page2}");
    assert_eq!(page2["data"]["members"]["pageInfo"]["hasNextPage"], false);

    let admins = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "filter": { "role": "ADMIN" } }),
        )
        .await;
    assert_eq!(emails(&admins), ["admin@a.example"]);
    let search = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "filter": { "search": "CAROL" } }),
        )
        .await;
    assert_eq!(emails(&search), ["carol@a.example"]);
    let literal = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "filter": { "search": "%" } }),
        )
        .await;
    assert!(emails(&literal).is_empty(), "{literal}");
    let suspended = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "filter": { "status": "SUSPENDED" } }),
        )
        .await;
    assert!(emails(&suspended).is_empty());

    for bad in [
        json!({ "first": 0 }),
        json!({ "first": 101 }),
        json!({ "after": "nope" }),
    ] {
        let body = app.graphql_as(&owner.token, MEMBERS, bad).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
    assert_eq!(
        error_code(&app.graphql(MEMBERS, json!({})).await),
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn role_changes_follow_the_owner_and_admin_rules() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let bob = join(&app, &owner, "bob@a.example", "MEMBER").await;
    let carol = join(&app, &owner, "carol@a.example", "MEMBER").await;
    let role = |token: &str, who: &SignedUp, role: &str| {
        let (token, id, role) = (token.to_string(), who.user_id.clone(), role.to_string());
        let app = &app;
        async move {
            app.graphql_as(&token, CHANGE_ROLE, json!({ "id": id, "role": role }))
                .await
        }
    };

    // A MEMBER manages nobody.
    assert_eq!(
        error_code(&role(&bob.token, &carol, "ADMIN").await),
        "FORBIDDEN"
    );
    // An ADMIN neither makes nor unmakes OWNERs and ADMINs.
    assert_eq!(
        error_code(&role(&admin.token, &bob, "ADMIN").await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(&role(&admin.token, &bob, "OWNER").await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(&role(&admin.token, &owner, "MEMBER").await),
        "FORBIDDEN"
    );
    assert_eq!(
        error_code(&role(&admin.token, &admin, "MEMBER").await),
        "FORBIDDEN"
    );

    // The last OWNER cannot be demoted.
    let last = role(&owner.token, &owner, "ADMIN").await;
    assert_eq!(error_code(&last), "CONFLICT", "{last}");
    assert_eq!(last["errors"][0]["extensions"]["field"], "userId");

    // An OWNER makes an ADMIN and another OWNER; then the first can step down.
    let made = role(&owner.token, &bob, "ADMIN").await;
    assert_eq!(made["data"]["changeMemberRole"]["role"], "ADMIN", "{made}");
    assert_eq!(
        audit_count(&app, "member.change_role", &bob.user_id).await,
        1
    );
    let made = role(&owner.token, &carol, "OWNER").await;
    assert_eq!(made["data"]["changeMemberRole"]["role"], "OWNER", "{made}");
    let stepped = role(&owner.token, &owner, "MEMBER").await;
    assert_eq!(
        stepped["data"]["changeMemberRole"]["role"], "MEMBER",
        "{stepped}"
    );
    // The former owner is now a MEMBER, checked from the database on the same token.
    assert_eq!(
        error_code(&role(&owner.token, &bob, "MEMBER").await),
        "FORBIDDEN"
    );
    // Carol is the last OWNER now.
    assert_eq!(
        error_code(&role(&carol.token, &carol, "MEMBER").await),
        "CONFLICT"
    );
}

#[tokio::test]
async fn another_tenants_users_are_not_found_and_members_are_forbidden() {
    let app = TestApp::spawn().await;
    let a = app.sign_up("owner@a.example", "A").await;
    let member = join(&app, &a, "member@a.example", "MEMBER").await;
    let b = app.sign_up("owner@b.example", "B").await;

    for (query, vars) in [
        (CHANGE_ROLE, json!({ "id": a.user_id, "role": "MEMBER" })),
        (SUSPEND, json!({ "id": a.user_id })),
        (REACTIVATE, json!({ "id": a.user_id })),
        (REMOVE, json!({ "id": a.user_id })),
        (REMOVE, json!({ "id": "not-a-uuid" })),
    ] {
        let body = app.graphql_as(&b.token, query, vars).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{query}: {body}");
    }
    for (query, vars) in [
        (CHANGE_ROLE, json!({ "id": a.user_id, "role": "MEMBER" })),
        (SUSPEND, json!({ "id": a.user_id })),
        (REACTIVATE, json!({ "id": a.user_id })),
        (REMOVE, json!({ "id": a.user_id })),
        (UPDATE_ORG, json!({ "name": "Mine now" })),
    ] {
        let body = app.graphql_as(&member.token, query, vars).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    // B's list never shows A's people.
    let listed = app.graphql_as(&b.token, MEMBERS, json!({})).await;
    assert_eq!(emails(&listed), ["owner@b.example"]);
}

#[tokio::test]
async fn a_suspended_member_loses_access_at_once_and_cannot_sign_back_in() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let ok = app.graphql_as(&member.token, ORGANIZATION, json!({})).await;
    assert_eq!(
        ok["data"]["organization"]["id"],
        owner.org_id.as_str(),
        "{ok}"
    );

    let suspended = app
        .graphql_as(&owner.token, SUSPEND, json!({ "id": member.user_id }))
        .await;
    assert_eq!(
        suspended["data"]["suspendMember"]["status"], "SUSPENDED",
        "{suspended}"
    );
    assert_eq!(
        audit_count(&app, "member.suspend", &member.user_id).await,
        1
    );

    // The access token is still within its lifetime, but it no longer works.
    let denied = app.graphql_as(&member.token, ORGANIZATION, json!({})).await;
    assert_eq!(error_code(&denied), "UNAUTHENTICATED", "{denied}");
    // The refresh cookie's session was revoked with it.
    let refreshed = app
        .graphql_with(&member.client, None, REFRESH, json!({}))
        .await;
    assert_eq!(error_code(&refreshed), "UNAUTHENTICATED", "{refreshed}");
    // Signing in again lands in the person's own organization, never in A.
    let login = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": member.email, "password": PASSWORD } }),
        )
        .await;
    let token = login["data"]["logIn"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(
        login["data"]["logIn"]["organization"]["id"],
        owner.org_id.as_str()
    );
    let switch = app
        .graphql_as(&token, SWITCH, json!({ "id": owner.org_id }))
        .await;
    assert_eq!(error_code(&switch), "NOT_FOUND", "{switch}");
    // The owner still sees the suspended member.
    let listed = app
        .graphql_as(
            &owner.token,
            MEMBERS,
            json!({ "filter": { "status": "SUSPENDED" } }),
        )
        .await;
    assert_eq!(emails(&listed), ["member@a.example"]);

    // Reactivated, the person can switch in again.
    let back = app
        .graphql_as(&owner.token, REACTIVATE, json!({ "id": member.user_id }))
        .await;
    assert_eq!(
        back["data"]["reactivateMember"]["status"], "ACTIVE",
        "{back}"
    );
    assert_eq!(
        audit_count(&app, "member.reactivate", &member.user_id).await,
        1
    );
    let switch = app
        .graphql_as(&token, SWITCH, json!({ "id": owner.org_id }))
        .await;
    assert!(switch["data"]["switchOrganization"].is_object(), "{switch}");

    // The last owner cannot be suspended; an admin cannot suspend an owner.
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let last = app
        .graphql_as(&owner.token, SUSPEND, json!({ "id": owner.user_id }))
        .await;
    assert_eq!(error_code(&last), "CONFLICT", "{last}");
    let rank = app
        .graphql_as(&admin.token, SUSPEND, json!({ "id": owner.user_id }))
        .await;
    assert_eq!(error_code(&rank), "FORBIDDEN", "{rank}");
}

#[tokio::test]
async fn removing_members_ends_their_access_but_never_removes_the_last_owner() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;

    let last = app
        .graphql_as(&owner.token, REMOVE, json!({ "id": owner.user_id }))
        .await;
    assert_eq!(error_code(&last), "CONFLICT", "{last}");
    let rank = app
        .graphql_as(&admin.token, REMOVE, json!({ "id": owner.user_id }))
        .await;
    assert_eq!(error_code(&rank), "FORBIDDEN", "{rank}");

    let removed = app
        .graphql_as(&admin.token, REMOVE, json!({ "id": member.user_id }))
        .await;
    assert_eq!(removed["data"]["removeMember"], true, "{removed}");
    assert_eq!(audit_count(&app, "member.remove", &member.user_id).await, 1);
    let denied = app.graphql_as(&member.token, ORGANIZATION, json!({})).await;
    assert_eq!(error_code(&denied), "UNAUTHENTICATED", "{denied}");
    let again = app
        .graphql_as(&admin.token, REMOVE, json!({ "id": member.user_id }))
        .await;
    assert_eq!(error_code(&again), "NOT_FOUND", "{again}");
    let listed = app.graphql_as(&owner.token, MEMBERS, json!({})).await;
    assert_eq!(emails(&listed), ["owner@a.example", "admin@a.example"]);
}

#[tokio::test]
async fn owners_and_admins_rename_the_organization() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let admin = join(&app, &owner, "admin@a.example", "ADMIN").await;

    let renamed = app
        .graphql_as(&admin.token, UPDATE_ORG, json!({ "name": "  Acme Labs " }))
        .await;
    assert_eq!(
        renamed["data"]["updateOrganization"]["name"], "Acme Labs",
        "{renamed}"
    );
    assert_eq!(
        audit_count(&app, "organization.update", &owner.org_id).await,
        1
    );
    let org = app.graphql_as(&owner.token, ORGANIZATION, json!({})).await;
    assert_eq!(org["data"]["organization"]["name"], "Acme Labs");

    let empty = app
        .graphql_as(&owner.token, UPDATE_ORG, json!({ "name": "   " }))
        .await;
    assert_eq!(error_code(&empty), "BAD_USER_INPUT", "{empty}");
    assert_eq!(empty["errors"][0]["extensions"]["field"], "name");
}
