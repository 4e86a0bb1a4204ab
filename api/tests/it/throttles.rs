//! Throttles on unauthenticated, expensive work (sign-in, sign-up, invitations, password
//! resets), the bounded hash queue behind them, and the audit trail of failed sign-ins.

use crate::helpers::*;
use futures_util::future::join_all;
use serde_json::{Value, json};

const RESET: &str = "mutation($input: ResetPasswordInput!) { resetPassword(input: $input) }";
const ACCEPT: &str =
    "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { accessToken } }";
const AUDIT: &str = "query($filter: AuditFilter) { auditLog(first: 50, filter: $filter) { edges { node { action targetType targetId summary actor { id } } } } }";

/// How many answers carry each `extensions.code` (`OK` for an answer without errors).
fn codes(answers: &[Value]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for answer in answers {
        let code = if answer["errors"].is_null() {
            "OK"
        } else {
            error_code(answer)
        };
        *counts.entry(code.to_string()).or_insert(0) += 1;
    }
    counts
}

fn audit_nodes(body: &Value) -> Vec<Value> {
    body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no audit log: {body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn forty_concurrent_wrong_passwords_get_no_more_checks_than_the_limit() {
    let app = TestApp::spawn_with(&[
        ("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5"),
        ("DATABASE_POOL_SIZE", "12"),
    ])
    .await;
    let owner = app.signed_up_owner().await;
    let answers = join_all((0..40).map(|i| {
        app.graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": format!("wrong guess {i}") } }),
        )
    }))
    .await;
    let counts = codes(&answers);
    assert_eq!(
        counts.get("UNAUTHENTICATED").copied(),
        Some(5),
        "only the limit may be checked: {counts:?}"
    );
    assert_eq!(
        counts.get("RATE_LIMITED").copied(),
        Some(35),
        "the rest are refused unchecked: {counts:?}"
    );
    let wrong = answers
        .iter()
        .find(|a| error_code(a) == "UNAUTHENTICATED")
        .unwrap();
    assert_eq!(wrong["errors"][0]["message"], "invalid e-mail or password");
    // The account stays locked for the window, even for the right password.
    let right = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&right), "RATE_LIMITED", "{right}");
}

#[tokio::test]
async fn the_right_password_does_not_use_up_the_addresss_failure_allowance() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_IP", "2")]).await;
    let owner = app.signed_up_owner().await;
    for _ in 0..4 {
        let body = app
            .graphql(
                LOG_IN,
                json!({ "input": { "email": owner.email, "password": PASSWORD } }),
            )
            .await;
        assert!(body["data"]["logIn"].is_object(), "{body}");
    }
    for _ in 0..2 {
        let body = app
            .graphql(
                LOG_IN,
                json!({ "input": { "email": "nobody@example.com", "password": "wrong password" } }),
            )
            .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    }
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}

#[tokio::test]
async fn a_failed_sign_in_is_in_the_audit_log_of_the_accounts_organization() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "2")]).await;
    let owner = app.signed_up_owner().await;
    let other = app.signed_up_owner().await;
    for _ in 0..3 {
        app.graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": "not my password" } }),
        )
        .await;
    }
    // A wrong password for an unknown address belongs to no organization.
    app.graphql(
        LOG_IN,
        json!({ "input": { "email": "nobody@example.com", "password": "not my password" } }),
    )
    .await;

    let failed = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "action": "auth.log_in_failed" } }),
        )
        .await;
    let failed = audit_nodes(&failed);
    assert_eq!(failed.len(), 2, "{failed:?}");
    for node in &failed {
        assert_eq!(node["targetType"], "user");
        assert_eq!(node["targetId"], owner.user_id.as_str());
        assert_eq!(node["summary"]["via"], "logIn");
        assert!(node["actor"].is_null(), "whoever tried is unknown: {node}");
        assert!(
            !node.to_string().contains("not my password"),
            "no password in the audit log: {node}"
        );
    }
    let throttled = app
        .graphql_as(
            &owner.token,
            AUDIT,
            json!({ "filter": { "action": "auth.throttled" } }),
        )
        .await;
    let throttled = audit_nodes(&throttled);
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    assert!(throttled[0]["summary"]["retryAfterSecs"].as_u64().unwrap() > 0);
    // Another organization sees none of it.
    let elsewhere = app
        .graphql_as(
            &other.token,
            AUDIT,
            json!({ "filter": { "action": "auth.log_in_failed" } }),
        )
        .await;
    assert!(audit_nodes(&elsewhere).is_empty(), "{elsewhere}");
}

#[tokio::test]
async fn scanning_addresses_with_sign_up_is_throttled_per_address() {
    let app = TestApp::spawn_with(&[("SIGNUP_PER_IP_PER_HOUR", "3")]).await;
    let taken = app.signed_up_owner().await;
    let attempt = |email: String| {
        let app = &app;
        async move {
            app.graphql_with(
                &new_client(),
                None,
                SIGN_UP,
                json!({ "input": { "email": email, "password": PASSWORD, "name": "Scanner", "organizationName": "Scan" } }),
            )
            .await
        }
    };
    let free = attempt("free-1@example.com".into()).await;
    assert!(free["data"]["signUp"].is_object(), "{free}");
    let conflict = attempt(taken.email.clone()).await;
    assert_eq!(error_code(&conflict), "CONFLICT", "{conflict}");
    // The fourth sign-up from this address within the hour: refused, whether or not the
    // address is registered, so the answer tells nothing.
    for email in [taken.email.clone(), "free-2@example.com".into()] {
        let body = attempt(email).await;
        assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
        assert!(
            body["errors"][0]["extensions"]["retryAfter"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
}

#[tokio::test]
async fn signing_up_with_a_registered_email_does_the_same_hashing_work() {
    let app = TestApp::spawn().await;
    let taken = app.signed_up_owner().await;
    let before = app.state.hasher.finished();
    let body = app
        .graphql_with(
            &new_client(),
            None,
            SIGN_UP,
            json!({ "input": { "email": taken.email, "password": "another passphrase here", "name": "Eve", "organizationName": "Eve Inc" } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "email");
    assert_eq!(
        app.state.hasher.finished() - before,
        1,
        "a registered e-mail must cost the same argon2 hash as a new one"
    );
}

#[tokio::test]
async fn reset_password_checks_the_token_before_hashing_and_is_throttled_per_address() {
    let app = TestApp::spawn_with(&[("RESET_PASSWORD_PER_IP_PER_HOUR", "2")]).await;
    let before = app.state.hasher.finished();
    for i in 0..2 {
        let body = app
            .graphql(
                RESET,
                json!({ "input": { "token": format!("no-such-token-{i}"), "newPassword": "a brand new passphrase" } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "token");
    }
    assert_eq!(
        app.state.hasher.finished(),
        before,
        "a wrong token must cost no hash"
    );
    let body = app
        .graphql(
            RESET,
            json!({ "input": { "token": "no-such-token-3", "newPassword": "a brand new passphrase" } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}

#[tokio::test]
async fn accepting_invitations_is_throttled_per_address() {
    let app = TestApp::spawn_with(&[("ACCEPT_INVITATION_PER_IP_PER_HOUR", "2")]).await;
    for i in 0..2 {
        let body = app
            .graphql(
                ACCEPT,
                json!({ "input": { "token": format!("guess-{i}"), "name": "Mallory", "password": PASSWORD } }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
    let body = app
        .graphql(
            ACCEPT,
            json!({ "input": { "token": "guess-3", "name": "Mallory", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}
