//! The signed-in person's own account: changing the password, signing out everywhere,
//! the sessions' maximum lifetime, and the common-password list.

use crate::helpers::*;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::{Value, json};

const CHANGE_PASSWORD: &str = "mutation($current: String!, $new: String!) { changePassword(currentPassword: $current, newPassword: $new) }";
const LOG_OUT_EVERYWHERE: &str = "mutation { logOutEverywhere }";
const NEW_PASSWORD: &str = "a different passphrase 1984";

/// Signs in `email` with a fresh cookie jar: a second session of the same account.
async fn second_session(app: &TestApp, email: &str, password: &str) -> (String, reqwest::Client) {
    let client = new_client();
    let body = app
        .graphql_with(
            &client,
            None,
            LOG_IN,
            json!({ "input": { "email": email, "password": password } }),
        )
        .await;
    let token = body["data"]["logIn"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("log-in failed: {body}"))
        .to_string();
    (token, client)
}

async fn refresh(app: &TestApp, client: &reqwest::Client) -> Value {
    app.graphql_with(client, None, REFRESH, json!({})).await
}

async fn log_in(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql(
        LOG_IN,
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut db = app.db().await;
    let row: N = diesel::sql_query(sql).get_result(&mut db).await.unwrap();
    row.n
}

#[tokio::test]
async fn change_password_keeps_this_session_and_ends_every_other() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let (other_token, other_client) = second_session(&app, &owner.email, PASSWORD).await;

    let body = app
        .graphql_with(
            &owner.client,
            Some(&owner.token),
            CHANGE_PASSWORD,
            json!({ "current": PASSWORD, "new": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(body["data"]["changePassword"], true, "{body}");

    // The other device is signed out: its refresh cookie and its access token are dead.
    assert_eq!(
        error_code(&refresh(&app, &other_client).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        error_code(&app.graphql_as(&other_token, ORGANIZATION, json!({})).await),
        "UNAUTHENTICATED"
    );
    // This one goes on, access token and refresh cookie alike.
    let org = app.graphql_as(&owner.token, ORGANIZATION, json!({})).await;
    assert!(org["data"]["organization"].is_object(), "{org}");
    let refreshed = refresh(&app, &owner.client).await;
    assert!(
        refreshed["data"]["refreshSession"].is_object(),
        "{refreshed}"
    );

    // The old password no longer signs in; the new one does.
    assert_eq!(
        error_code(&log_in(&app, &owner.email, PASSWORD).await),
        "UNAUTHENTICATED"
    );
    assert!(
        log_in(&app, &owner.email, NEW_PASSWORD).await["data"]["logIn"].is_object(),
        "the new password signs in"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'auth.change_password' \
                 AND actor_id = '{}' AND summary->>'sessionsEnded' = '1'",
                owner.user_id
            ),
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_wrong_current_password_names_the_field_and_counts_toward_the_sign_in_limit() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "2")]).await;
    let owner = app.signed_up_owner().await;
    for _ in 0..2 {
        let body = app
            .graphql_as(
                &owner.token,
                CHANGE_PASSWORD,
                json!({ "current": "not my password", "new": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "currentPassword",
            "{body}"
        );
    }
    // The account's failure limit is reached: the right password is refused for now,
    // here and at sign-in (the same counter).
    let limited = app
        .graphql_as(
            &owner.token,
            CHANGE_PASSWORD,
            json!({ "current": PASSWORD, "new": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    assert_eq!(
        error_code(&log_in(&app, &owner.email, PASSWORD).await),
        "RATE_LIMITED"
    );
    // Nothing changed.
    app.db()
        .await
        .batch_execute("DELETE FROM rate_limits")
        .await
        .unwrap();
    assert!(log_in(&app, &owner.email, PASSWORD).await["data"]["logIn"].is_object());
}

#[tokio::test]
async fn the_new_password_follows_the_password_rules() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    for (new, rule) in [
        ("short", "at least 8 characters"),
        (
            "CowBoys1",
            "10,000 most common passwords (checked without regard to case)",
        ),
        (PASSWORD, "must differ from your current password"),
    ] {
        let body = app
            .graphql_as(
                &owner.token,
                CHANGE_PASSWORD,
                json!({ "current": PASSWORD, "new": new }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "newPassword");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{message}");
    }
    // Signed out, there is no account to change.
    let anonymous = app
        .graphql(
            CHANGE_PASSWORD,
            json!({ "current": PASSWORD, "new": NEW_PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session_this_one_included() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let (other_token, other_client) = second_session(&app, &owner.email, PASSWORD).await;
    let stranger = app.signed_up_owner().await;

    let resp = owner
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&owner.token)
        .json(&json!({ "query": LOG_OUT_EVERYWHERE }))
        .send()
        .await
        .unwrap();
    let cleared = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap_or("").contains("_refresh=;"));
    assert!(cleared, "the cookie is cleared");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["logOutEverywhere"], true, "{body}");

    for (token, client) in [(&owner.token, &owner.client), (&other_token, &other_client)] {
        assert_eq!(
            error_code(&app.graphql_as(token, ORGANIZATION, json!({})).await),
            "UNAUTHENTICATED"
        );
        assert_eq!(error_code(&refresh(&app, client).await), "UNAUTHENTICATED");
    }
    // Someone else's session is untouched.
    let theirs = app
        .graphql_as(&stranger.token, ORGANIZATION, json!({}))
        .await;
    assert!(theirs["data"]["organization"].is_object(), "{theirs}");
    // Signing in again works, and the sign-out is in the audit log.
    assert!(log_in(&app, &owner.email, PASSWORD).await["data"]["logIn"].is_object());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM audit_events WHERE action = 'auth.log_out_everywhere' \
                 AND actor_id = '{}' AND summary->>'sessionsEnded' = '2'",
                owner.user_id
            ),
        )
        .await,
        1
    );
}

#[tokio::test]
async fn refreshing_never_extends_a_session_past_its_maximum_lifetime() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let mut db = app.db().await;

    // Signed in 89 days ago and refreshed ever since: one more refresh works, but the
    // session now ends at the 90-day mark, not 30 days from now.
    db.batch_execute(&format!(
        "UPDATE sessions SET created_at = now() - interval '89 days' WHERE user_id = '{}'",
        owner.user_id
    ))
    .await
    .unwrap();
    let body = refresh(&app, &owner.client).await;
    assert!(body["data"]["refreshSession"].is_object(), "{body}");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) AS n FROM sessions WHERE user_id = '{}' \
                 AND expires_at <= created_at + interval '90 days' \
                 AND expires_at < now() + interval '2 days'",
                owner.user_id
            ),
        )
        .await,
        1
    );

    // Past the maximum lifetime, refreshing is refused although the refresh token is
    // fresh and the session was used a moment ago.
    db.batch_execute(&format!(
        "UPDATE sessions SET created_at = now() - interval '91 days', \
         expires_at = now() + interval '29 days' WHERE user_id = '{}'",
        owner.user_id
    ))
    .await
    .unwrap();
    let body = refresh(&app, &owner.client).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");

    // The lifetime is a setting.
    let short = TestApp::spawn_with(&[("SESSION_MAX_LIFETIME_DAYS", "7")]).await;
    let owner = short.signed_up_owner().await;
    assert_eq!(
        count(
            &short,
            &format!(
                "SELECT count(*) AS n FROM sessions WHERE user_id = '{}' \
                 AND expires_at <= now() + interval '7 days'",
                owner.user_id
            ),
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_common_password_in_another_case_is_refused() {
    let app = TestApp::spawn().await;
    // `blackhawks` is one of the 10,000 (not among the few the web app knows).
    let body = app
        .graphql(
            SIGN_UP,
            json!({ "input": { "email": "hawk@example.com", "password": "BlackHawks", "name": "Hawk", "organizationName": "Hawks" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "password");
    assert_eq!(
        body["errors"][0]["message"],
        "password: is one of the 10,000 most common passwords (checked without regard to case); choose another"
    );
}

#[test]
fn the_common_password_list_holds_10000_passwords_that_meet_the_length_rule() {
    use schema::validation::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, validate_password};
    let list = schema::validation::common_passwords().expect("the list loads");
    assert!(list.len() >= 10_000, "{} entries", list.len());
    for password in list {
        let chars = password.chars().count();
        assert!(
            (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&chars),
            "{password:?}"
        );
        assert_eq!(password, &password.to_lowercase());
    }
    assert!(validate_password("TRUSTNO1").is_err());
    assert!(validate_password("correct horse battery staple").is_ok());
}
