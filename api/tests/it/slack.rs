//! Requests from Slack: each is checked against the signing secret over its raw body, and
//! anything Slack did not sign is refused with 401 before it is read.

use crate::fake_slack::{self, FakeSlack, SIGNING_SECRET};
use crate::helpers::*;
use crate::members::join;
use serde_json::{Value, json};

async fn slack_app() -> TestApp {
    TestApp::spawn_with(&[
        ("SLACK_CLIENT_ID", fake_slack::CLIENT_ID),
        ("SLACK_CLIENT_SECRET", fake_slack::CLIENT_SECRET),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
    ])
    .await
}

pub(crate) async fn app_with(slack: &FakeSlack) -> TestApp {
    let settings = slack.settings();
    let overrides: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    TestApp::spawn_with(&overrides).await
}

const INTEGRATION: &str = "{ organization { slackIntegration { workspaceName teamId connectedAt connectedBy { email } } } }";

/// Follows the install as the browser would: the authorize URL's query, then Slack's
/// redirect back to our callback with `code`; returns the callback's `Location`.
async fn callback(app: &TestApp, code: &str, state: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(app.url("/slack/oauth/callback"))
        .query(&[("code", code), ("state", state)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_admin_connects_a_workspace_through_slacks_oauth_and_disconnects_it() {
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let owner = app.signed_up_owner().await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let other = app.sign_up("owner@b.example", "B").await;

    // Only OWNER/ADMIN may install.
    let body = app
        .graphql_as(&member.token, "mutation { slackInstallUrl }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let body = app
        .graphql_as(&owner.token, "mutation { slackInstallUrl }", json!({}))
        .await;
    let url = reqwest::Url::parse(
        body["data"]["slackInstallUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}")),
    )
    .unwrap();
    assert_eq!(url.path(), "/oauth/v2/authorize");
    let query: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], fake_slack::CLIENT_ID);
    assert!(
        query["scope"].split(',').any(|s| s == "chat:write"),
        "{query:?}"
    );
    assert!(
        query["scope"].split(',').any(|s| s == "users:read.email"),
        "{query:?}"
    );
    // Where Slack sends the browser back: the callback under PUBLIC_URL.
    let redirect_uri = format!("{}/slack/oauth/callback", app.state.settings.public_url);
    assert_eq!(query["redirect_uri"], redirect_uri);
    let state = query["state"].clone();
    assert!(state.len() >= 40, "{state}");

    // A wrong code: Slack refuses, nothing is stored, the state is used up.
    let location = callback(&app, "wrong-code", &state).await;
    assert!(location.starts_with("/settings?slack=error"), "{location}");
    assert!(location.contains("invalid_code"), "{location}");
    let body = app.graphql_as(&owner.token, INTEGRATION, json!({})).await;
    assert!(
        body["data"]["organization"]["slackIntegration"].is_null(),
        "{body}"
    );
    let location = callback(&app, fake_slack::GOOD_CODE, &state).await;
    assert!(
        location.contains("used%20already"),
        "a state works once: {location}"
    );

    // A fresh install goes through.
    let body = app
        .graphql_as(&owner.token, "mutation { slackInstallUrl }", json!({}))
        .await;
    let url = reqwest::Url::parse(body["data"]["slackInstallUrl"].as_str().unwrap()).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let location = callback(&app, fake_slack::GOOD_CODE, &state).await;
    assert_eq!(location, "/settings?slack=connected");
    let exchange = slack.calls("oauth.v2.access");
    let last = exchange.last().unwrap();
    assert_eq!(last.form["code"], fake_slack::GOOD_CODE);
    assert_eq!(last.form["redirect_uri"], redirect_uri);
    assert_eq!(last.form["client_secret"], fake_slack::CLIENT_SECRET);

    let body = app.graphql_as(&member.token, INTEGRATION, json!({})).await;
    // The bot token is in no response: not in the integration, not in the audit log.
    assert!(!body.to_string().contains(fake_slack::BOT_TOKEN), "{body}");
    let audit = app
        .graphql_as(
            &owner.token,
            "{ auditLog(first: 50) { nodes { action summary } } }",
            json!({}),
        )
        .await;
    assert!(audit["errors"].is_null(), "{audit}");
    assert!(audit.to_string().contains("slack.connected"), "{audit}");
    assert!(
        !audit.to_string().contains(fake_slack::BOT_TOKEN),
        "{audit}"
    );
    let integration = &body["data"]["organization"]["slackIntegration"];
    assert_eq!(
        integration["workspaceName"],
        fake_slack::TEAM_NAME,
        "{body}"
    );
    assert_eq!(integration["teamId"], fake_slack::TEAM_ID);
    assert_eq!(integration["connectedBy"]["email"], owner.email);
    // Another organization sees nothing of it.
    let body = app.graphql_as(&other.token, INTEGRATION, json!({})).await;
    assert!(
        body["data"]["organization"]["slackIntegration"].is_null(),
        "{body}"
    );

    // The bot token is sealed at rest and in no audit row.
    assert_eq!(
        crate::teams::count(
            &app,
            &format!(
                "SELECT 1 FROM slack_workspaces WHERE bot_token LIKE '%{}%'",
                fake_slack::BOT_TOKEN
            )
        )
        .await,
        0
    );
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM slack_workspaces").await,
        1
    );
    assert_eq!(
        crate::teams::count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE summary::text LIKE '%{}%'",
                fake_slack::BOT_TOKEN
            )
        )
        .await,
        0
    );
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'slack.connected'"
        )
        .await,
        1
    );

    // Disconnecting forgets the workspace and revokes the token at Slack.
    let body = app
        .graphql_as(&member.token, "mutation { disconnectSlack }", json!({}))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&owner.token, "mutation { disconnectSlack }", json!({}))
        .await;
    assert_eq!(body["data"]["disconnectSlack"], true, "{body}");
    let revoked = slack.calls("auth.revoke");
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        revoked[0].authorization.as_deref(),
        Some(format!("Bearer {}", fake_slack::BOT_TOKEN).as_str())
    );
    let body = app.graphql_as(&owner.token, INTEGRATION, json!({})).await;
    assert!(
        body["data"]["organization"]["slackIntegration"].is_null(),
        "{body}"
    );
    let body = app
        .graphql_as(&owner.token, "mutation { disconnectSlack }", json!({}))
        .await;
    assert_eq!(body["data"]["disconnectSlack"], false, "{body}");
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'slack.disconnected'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn without_slack_settings_the_install_says_how_to_turn_it_on() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let body = app
        .graphql_as(&owner.token, "mutation { slackInstallUrl }", json!({}))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("SLACK_CLIENT_ID"),
        "{body}"
    );
}

/// POSTs `body` to `/slack/events` with the given timestamp and signature headers.
async fn post(
    app: &TestApp,
    body: &[u8],
    timestamp: Option<String>,
    signature: Option<String>,
) -> (u16, String) {
    let mut request = new_client()
        .post(app.url("/slack/events"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(timestamp) = timestamp {
        request = request.header("X-Slack-Request-Timestamp", timestamp);
    }
    if let Some(signature) = signature {
        request = request.header("X-Slack-Signature", signature);
    }
    let response = request.send().await.expect("POST /slack/events");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// Headers as Slack sends them for `body` at `at` (unix seconds), signed with `secret`.
pub(crate) fn signed(secret: &str, at: i64, body: &[u8]) -> (Option<String>, Option<String>) {
    (
        Some(at.to_string()),
        Some(schema_server::slack::sign(secret.as_bytes(), at, body)),
    )
}

async fn audit_rows(app: &TestApp) -> i64 {
    crate::teams::count(app, "SELECT 1 FROM audit_events").await
}

#[tokio::test]
async fn the_url_verification_challenge_is_answered() {
    let app = slack_app().await;
    let body = json!({ "token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" }).to_string();
    let now = chrono::Utc::now().timestamp();
    let (ts, sig) = signed(SIGNING_SECRET, now, body.as_bytes());
    let (status, text) = post(&app, body.as_bytes(), ts, sig).await;
    assert_eq!(status, 200, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        answer["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
}

#[tokio::test]
async fn requests_slack_did_not_sign_are_refused_and_change_nothing() {
    let app = slack_app().await;
    let before = audit_rows(&app).await;
    let body = json!({ "type": "event_callback", "team_id": "T1", "event": { "type": "app_uninstalled" } }).to_string();
    let now = chrono::Utc::now().timestamp();

    // No signature at all.
    let (status, text) = post(&app, body.as_bytes(), Some(now.to_string()), None).await;
    assert_eq!(status, 401, "missing signature: {text}");
    let (status, _) = post(&app, body.as_bytes(), None, None).await;
    assert_eq!(status, 401, "no headers");
    // Signed with another secret.
    let (ts, sig) = signed("not-our-signing-secret", now, body.as_bytes());
    let (status, text) = post(&app, body.as_bytes(), ts, sig).await;
    assert_eq!(status, 401, "wrong secret: {text}");
    // Signed correctly, six minutes ago.
    let (ts, sig) = signed(SIGNING_SECRET, now - 6 * 60, body.as_bytes());
    let (status, text) = post(&app, body.as_bytes(), ts, sig).await;
    assert_eq!(status, 401, "stale: {text}");
    assert!(text.contains("5 minutes"), "{text}");
    // Signed correctly, then the body changed.
    let (ts, sig) = signed(SIGNING_SECRET, now, body.as_bytes());
    let changed = body.replace("app_uninstalled", "tokens_revoked");
    let (status, text) = post(&app, changed.as_bytes(), ts, sig).await;
    assert_eq!(status, 401, "changed body: {text}");

    assert_eq!(
        audit_rows(&app).await,
        before,
        "a refused request wrote something"
    );
    // The same event, signed as Slack signs it, is accepted.
    let (ts, sig) = signed(SIGNING_SECRET, now, body.as_bytes());
    let (status, text) = post(&app, body.as_bytes(), ts, sig).await;
    assert_eq!(status, 200, "{text}");
}

#[tokio::test]
async fn without_slack_settings_the_endpoint_does_not_exist() {
    let app = TestApp::spawn().await;
    let body = br#"{"type":"url_verification","challenge":"x"}"#;
    let now = chrono::Utc::now().timestamp();
    let (ts, sig) = signed(SIGNING_SECRET, now, body);
    let (status, _) = post(&app, body, ts, sig).await;
    assert_eq!(status, 404);
}

/// Connects `owner`'s organization to the fake's workspace through the OAuth flow.
pub(crate) async fn install(app: &TestApp, owner: &SignedUp) {
    let body = app
        .graphql_as(&owner.token, "mutation { slackInstallUrl }", json!({}))
        .await;
    let url = reqwest::Url::parse(
        body["data"]["slackInstallUrl"]
            .as_str()
            .unwrap_or_else(|| panic!("{body}")),
    )
    .unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(
        callback(app, fake_slack::GOOD_CODE, &state).await,
        "/settings?slack=connected"
    );
}

/// POSTs `event` to `/slack/events`, signed as Slack signs it.
async fn send_event(app: &TestApp, event: &Value) -> u16 {
    let body = event.to_string();
    let (ts, sig) = signed(
        SIGNING_SECRET,
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    );
    post(app, body.as_bytes(), ts, sig).await.0
}

#[tokio::test]
async fn uninstalling_the_app_or_revoking_its_token_in_slack_disconnects_the_organization() {
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let owner = app.signed_up_owner().await;
    install(&app, &owner).await;
    let connected = |body: &Value| !body["data"]["organization"]["slackIntegration"].is_null();
    assert!(connected(
        &app.graphql_as(&owner.token, INTEGRATION, json!({})).await
    ));

    // Another bot's tokens revoked in that workspace: ours stays.
    let revoked = |bot: &str| {
        json!({
            "type": "event_callback", "team_id": fake_slack::TEAM_ID,
            "event": { "type": "tokens_revoked", "tokens": { "oauth": [], "bot": [bot] } }
        })
    };
    assert_eq!(send_event(&app, &revoked("U0OTHER")).await, 200);
    assert!(connected(
        &app.graphql_as(&owner.token, INTEGRATION, json!({})).await
    ));
    // Ours revoked: the organization is disconnected, and the audit log says so.
    assert_eq!(send_event(&app, &revoked("U0BOT")).await, 200);
    let body = app.graphql_as(&owner.token, INTEGRATION, json!({})).await;
    assert!(!connected(&body), "{body}");
    let audited = |event: &'static str| {
        format!(
            "SELECT 1 FROM audit_events WHERE action = 'slack.disconnected_by_slack' AND org_id = '{}' AND summary->>'event' = '{event}'",
            owner.org_id
        )
    };
    assert_eq!(
        crate::teams::count(&app, &audited("tokens_revoked")).await,
        1
    );

    // Reinstalled, then the app is uninstalled from the workspace.
    install(&app, &owner).await;
    assert!(connected(
        &app.graphql_as(&owner.token, INTEGRATION, json!({})).await
    ));
    let uninstalled = json!({
        "type": "event_callback", "team_id": fake_slack::TEAM_ID,
        "event": { "type": "app_uninstalled" }
    });
    assert_eq!(send_event(&app, &uninstalled).await, 200);
    let body = app.graphql_as(&owner.token, INTEGRATION, json!({})).await;
    assert!(!connected(&body), "{body}");
    assert_eq!(
        crate::teams::count(&app, &audited("app_uninstalled")).await,
        1
    );
    // The same event unsigned changes nothing (and is refused).
    install(&app, &owner).await;
    let (status, _) = post(&app, uninstalled.to_string().as_bytes(), None, None).await;
    assert_eq!(status, 401);
    assert!(connected(
        &app.graphql_as(&owner.token, INTEGRATION, json!({})).await
    ));
}
