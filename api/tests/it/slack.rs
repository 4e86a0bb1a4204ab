//! Requests from Slack: each is checked against the signing secret over its raw body, and
//! anything Slack did not sign is refused with 401 before it is read.

use crate::helpers::*;
use serde_json::{Value, json};

const SIGNING_SECRET: &str = "slack-signing-secret-for-tests";

async fn slack_app() -> TestApp {
    TestApp::spawn_with(&[
        ("SLACK_CLIENT_ID", "1111.2222"),
        ("SLACK_CLIENT_SECRET", "slack-client-secret-for-tests"),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
    ])
    .await
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
fn signed(secret: &str, at: i64, body: &[u8]) -> (Option<String>, Option<String>) {
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
