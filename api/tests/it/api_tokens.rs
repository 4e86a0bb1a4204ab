//! Personal API tokens end to end over HTTP, against real PostgreSQL.
//!
//! - `a_token_is_shown_once_listed_without_its_secret_and_stored_hashed`
//! - `a_bearer_token_acts_as_its_member_in_its_organization`
//! - `a_read_token_is_refused_on_every_mutation`
//! - `no_token_creates_tokens_or_touches_the_password_or_sessions`
//! - `a_revoked_token_is_refused_at_once_and_revoking_is_audited`
//! - `a_suspended_or_removed_members_token_is_refused_at_once`
//! - `an_expired_token_is_refused`
//! - `names_lifetimes_and_the_per_member_limit_are_bounded`

use crate::helpers::*;
use crate::members::join;
use crate::teams::count;
use chrono::{Duration, Utc};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

pub(crate) const CREATE: &str = "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name scope createdAt lastUsedAt expiresAt } } }";
const LIST: &str = "{ apiTokens { id name scope createdAt lastUsedAt expiresAt } }";
const REVOKE: &str = "mutation($id: ID!) { revokeApiToken(id: $id) }";
const VIEWER: &str = "{ viewer { user { id email } organization { id } } }";
const CREATE_TEAM: &str = "mutation($name: String!) { createTeam(input: { name: $name, timezone: \"UTC\" }) { id name } }";

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days)).to_rfc3339()
}

/// Creates a token as `who` (signed in): the secret and the token's id.
pub(crate) async fn create_token(app: &TestApp, who: &SignedUp, scope: &str) -> (String, String) {
    let body = app
        .graphql_as(
            &who.token,
            CREATE,
            json!({ "input": { "name": format!("{scope} script"), "scope": scope, "expiresAt": in_days(30) } }),
        )
        .await;
    let created = &body["data"]["createApiToken"];
    let secret = created["token"]
        .as_str()
        .unwrap_or_else(|| panic!("createApiToken failed: {body}"))
        .to_string();
    (
        secret,
        created["apiToken"]["id"].as_str().unwrap().to_string(),
    )
}

fn viewer_email(body: &Value) -> Option<&str> {
    body["data"]["viewer"]["user"]["email"].as_str()
}

#[tokio::test]
async fn a_token_is_shown_once_listed_without_its_secret_and_stored_hashed() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let expires = in_days(90);
    let body = app
        .graphql_as(
            &ada.token,
            CREATE,
            json!({ "input": { "name": "  laptop cli ", "scope": "READ_WRITE", "expiresAt": expires } }),
        )
        .await;
    let created = &body["data"]["createApiToken"];
    let secret = created["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    assert!(secret.starts_with("ast_"), "{secret}");
    // 256 bits in base64url without padding.
    assert_eq!(secret.len(), 4 + 43, "{secret}");
    assert_eq!(created["apiToken"]["name"], "laptop cli");
    assert_eq!(created["apiToken"]["scope"], "READ_WRITE");
    assert!(created["apiToken"]["lastUsedAt"].is_null());
    let id = created["apiToken"]["id"].as_str().unwrap().to_string();

    // The list names it, with no secret anywhere.
    let listed = app.graphql_as(&ada.token, LIST, json!({})).await;
    let tokens = listed["data"]["apiTokens"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(tokens.len(), 1, "{listed}");
    assert_eq!(tokens[0]["id"], id.as_str());
    assert_eq!(tokens[0]["name"], "laptop cli");
    assert!(!listed.to_string().contains(&secret[4..]), "{listed}");
    // The schema has no field that could return it again.
    let again = app
        .graphql_as(&ada.token, "{ apiTokens { token } }", json!({}))
        .await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again}");

    // Stored only as its SHA-256: the secret is in no column of the table, the hash is.
    let secret_hex = hex_of(secret.as_bytes());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM api_tokens WHERE id = '{id}' AND token_hash = sha256('{secret}'::bytea)"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM api_tokens t WHERE position('{}' IN t::text) > 0 OR position('{secret_hex}' IN encode(token_hash, 'hex')) > 0",
                &secret[4..]
            )
        )
        .await,
        0
    );
    // Nor in the audit log.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE action = 'api_token.created' AND target_id = '{id}' AND position('{}' IN summary::text) = 0",
                &secret[4..]
            )
        )
        .await,
        1
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn a_bearer_token_acts_as_its_member_in_its_organization() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, "bob@tokens.example", "MEMBER").await;
    let (secret, id) = create_token(&app, &bob, "READ_WRITE").await;

    let body = app.graphql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(viewer_email(&body), Some("bob@tokens.example"), "{body}");
    assert_eq!(
        body["data"]["viewer"]["organization"]["id"],
        ada.org_id.as_str()
    );
    // Acting as a MEMBER: admin operations stay FORBIDDEN.
    let body = app
        .graphql_as(&secret, CREATE_TEAM, json!({ "name": "Bob's team" }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    // A READ_WRITE token of an owner can change things.
    let (owner_secret, _) = create_token(&app, &ada, "READ_WRITE").await;
    let body = app
        .graphql_as(&owner_secret, CREATE_TEAM, json!({ "name": "Scripted" }))
        .await;
    assert_eq!(body["data"]["createTeam"]["name"], "Scripted", "{body}");

    // Using it records when (for the list), and over GET too.
    let listed = app.graphql_as(&bob.token, LIST, json!({})).await;
    assert!(
        listed["data"]["apiTokens"][0]["lastUsedAt"].is_string(),
        "{listed}"
    );
    assert_eq!(listed["data"]["apiTokens"][0]["id"], id.as_str());
    let got: Value = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", VIEWER)])
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(viewer_email(&got), Some("bob@tokens.example"), "{got}");

    // Something that only looks like a token is refused, never anonymous.
    let mut forged = secret.clone();
    forged.replace_range(10..11, if &secret[10..11] == "A" { "B" } else { "A" });
    let body = app.graphql_as(&forged, VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = app.graphql_as("ast_short", VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn a_read_token_is_refused_on_every_mutation() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let (secret, id) = create_token(&app, &ada, "READ").await;

    // Queries work.
    let body = app.graphql_as(&secret, "{ teams { id } }", json!({})).await;
    assert!(body["data"]["teams"].is_array(), "{body}");
    // Any mutation is FORBIDDEN before it runs: nothing is created.
    let body = app
        .graphql_as(&secret, CREATE_TEAM, json!({ "name": "Not allowed" }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 0);
    // Also when the mutation is not the selected operation, or hides in a fragment.
    let body = app
        .graphql_with(
            &app.client,
            Some(&secret),
            "query Q { teams { id } } mutation M { revokeApiToken(id: \"x\") }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(
            &secret,
            "mutation($id: ID!) { ...R } fragment R on Mutation { revokeApiToken(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(
        count(&app, "SELECT 1 FROM api_tokens WHERE revoked_at IS NULL").await,
        1
    );
    // In a batch, each mutation is refused.
    let batch: Value = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&secret)
        .json(&json!([
            { "query": "{ teams { id } }" },
            { "query": CREATE_TEAM, "variables": { "name": "Batched" } }
        ]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(batch[0]["data"]["teams"].is_array(), "{batch}");
    assert_eq!(error_code(&batch[1]), "FORBIDDEN", "{batch}");
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 0);
}

#[tokio::test]
async fn no_token_creates_tokens_or_touches_the_password_or_sessions() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let (secret, _) = create_token(&app, &ada, "READ_WRITE").await;
    for (query, variables) in [
        (
            CREATE,
            json!({ "input": { "name": "child", "scope": "READ_WRITE", "expiresAt": in_days(5) } }),
        ),
        (
            "mutation { changePassword(currentPassword: \"correct horse battery staple 9\", newPassword: \"another long passphrase 12\") }",
            json!({}),
        ),
        ("mutation { logOutEverywhere }", json!({})),
        ("mutation { logOut }", json!({})),
        (
            "mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken } }",
            json!({ "id": ada.org_id }),
        ),
    ] {
        let body = app.graphql_as(&secret, query, variables).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{query}: {body}");
    }
    assert_eq!(count(&app, "SELECT 1 FROM api_tokens").await, 1);
    assert_eq!(
        count(&app, "SELECT 1 FROM sessions WHERE revoked_at IS NULL").await,
        1
    );
    // The owner's session still works.
    let body = app.graphql_as(&ada.token, VIEWER, json!({})).await;
    assert_eq!(viewer_email(&body), Some(ada.email.as_str()), "{body}");
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_and_revoking_is_audited() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let (secret, id) = create_token(&app, &ada, "READ").await;
    let (kept, _) = create_token(&app, &ada, "READ").await;
    let body = app.graphql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(viewer_email(&body), Some(ada.email.as_str()), "{body}");

    let body = app
        .graphql_as(&ada.token, REVOKE, json!({ "id": id }))
        .await;
    assert_eq!(body["data"]["revokeApiToken"], true, "{body}");
    let body = app.graphql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    // Gone from the list, the other one still works; revoking again is NOT_FOUND.
    let listed = app.graphql_as(&ada.token, LIST, json!({})).await;
    assert_eq!(
        listed["data"]["apiTokens"].as_array().unwrap().len(),
        1,
        "{listed}"
    );
    assert_ne!(listed["data"]["apiTokens"][0]["id"], id.as_str());
    let body = app.graphql_as(&kept, VIEWER, json!({})).await;
    assert_eq!(viewer_email(&body), Some(ada.email.as_str()), "{body}");
    let body = app
        .graphql_as(&ada.token, REVOKE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(&ada.token, REVOKE, json!({ "id": "not-a-uuid" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let audit = app
        .graphql_as(
            &ada.token,
            "{ auditLog(first: 20) { nodes { action targetId actor { id } } } }",
            json!({}),
        )
        .await;
    let rows = audit["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{audit}"));
    let actions: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r["targetId"] == id.as_str())
        .map(|r| {
            (
                r["action"].as_str().unwrap(),
                r["actor"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("api_token.revoked", ada.user_id.as_str()),
            ("api_token.created", ada.user_id.as_str())
        ],
        "{audit}"
    );
}

/// `suspendMember` or `reactivateMember` of `whom`, by `admin`.
async fn member_status(app: &TestApp, admin: &SignedUp, mutation: &str, whom: &SignedUp) -> Value {
    let query = format!("mutation($id: ID!) {{ {mutation}(userId: $id) {{ status }} }}");
    app.graphql_as(&admin.token, &query, json!({ "id": whom.user_id }))
        .await
}

#[tokio::test]
async fn a_suspended_or_removed_members_token_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, "bob@tokens.example", "MEMBER").await;
    let cleo = join(&app, &ada, "cleo@tokens.example", "MEMBER").await;
    let (bobs, _) = create_token(&app, &bob, "READ_WRITE").await;
    let (cleos, _) = create_token(&app, &cleo, "READ").await;
    for secret in [&bobs, &cleos] {
        let body = app.graphql_as(secret, VIEWER, json!({})).await;
        assert!(viewer_email(&body).is_some(), "{body}");
    }

    let body = member_status(&app, &ada, "suspendMember", &bob).await;
    assert_eq!(
        body["data"]["suspendMember"]["status"], "SUSPENDED",
        "{body}"
    );
    let body = app.graphql_as(&bobs, VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body = app.graphql_as(&bobs, "{ teams { id } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");

    let body = app
        .graphql_as(
            &ada.token,
            "mutation($id: ID!) { removeMember(userId: $id) }",
            json!({ "id": cleo.user_id }),
        )
        .await;
    assert_eq!(body["data"]["removeMember"], true, "{body}");
    let body = app.graphql_as(&cleos, VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");

    // Reactivated, Bob's token works again (it was never revoked).
    let body = member_status(&app, &ada, "reactivateMember", &bob).await;
    assert_eq!(
        body["data"]["reactivateMember"]["status"], "ACTIVE",
        "{body}"
    );
    let body = app.graphql_as(&bobs, VIEWER, json!({})).await;
    assert_eq!(viewer_email(&body), Some("bob@tokens.example"), "{body}");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let (secret, id) = create_token(&app, &ada, "READ").await;
    let body = app.graphql_as(&secret, VIEWER, json!({})).await;
    assert!(viewer_email(&body).is_some(), "{body}");
    let mut db = app.db().await;
    diesel::sql_query(format!(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = '{id}'"
    ))
    .execute(&mut db)
    .await
    .unwrap();
    let body = app.graphql_as(&secret, VIEWER, json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let listed = app.graphql_as(&ada.token, LIST, json!({})).await;
    assert_eq!(listed["data"]["apiTokens"], json!([]), "{listed}");
}

#[tokio::test]
async fn names_lifetimes_and_the_per_member_limit_are_bounded() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let create = |name: String, expires: String| {
        let app = &app;
        let token = ada.token.clone();
        async move {
            app.graphql_as(
                &token,
                CREATE,
                json!({ "input": { "name": name, "scope": "READ", "expiresAt": expires } }),
            )
            .await
        }
    };
    for (name, expires, field) in [
        ("  ".to_string(), in_days(1), "name"),
        ("x".repeat(101), in_days(1), "name"),
        ("two\nlines".to_string(), in_days(1), "name"),
        ("ok".to_string(), in_days(-1), "expiresAt"),
        ("ok".to_string(), in_days(367), "expiresAt"),
    ] {
        let body = create(name, expires).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    assert_eq!(count(&app, "SELECT 1 FROM api_tokens").await, 0);
    for i in 0..20 {
        let body = create(format!("token {i}"), in_days(366)).await;
        assert!(
            body["data"]["createApiToken"]["token"].is_string(),
            "{body}"
        );
    }
    let body = create("one too many".into(), in_days(1)).await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM api_tokens").await, 20);
}
