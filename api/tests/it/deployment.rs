//! Running behind a proxy and over https: the client address our own proxy recorded,
//! the browser policies (CSP, HSTS), the `__Host-` refresh cookie, and `/metrics` on a
//! listener of its own.

use crate::helpers::*;
use serde_json::{Value, json};

const APP_POLICY: [&str; 5] = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
];

async fn header(client: &reqwest::Client, url: &str, name: &str) -> Option<String> {
    let resp = client.get(url).send().await.unwrap();
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn a_spoofed_forwarded_for_cannot_escape_the_request_limit() {
    let app = TestApp::spawn_with(&[("TRUST_PROXY", "true"), ("RATE_LIMIT_PER_MINUTE", "3")]).await;
    let client = reqwest::Client::new();
    let send = |forwarded_for: String| {
        client
            .post(app.url("/graphql"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };
    // Each request claims another address; our proxy appended the real one, 203.0.113.7.
    for i in 0..3 {
        let resp = send(format!("10.0.{i}.1, 203.0.113.7")).await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let resp = send("10.0.9.1, 203.0.113.7".into()).await.unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Another client behind the same proxy has its own budget.
    let resp = send("10.0.9.1, 203.0.113.8".into()).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

#[tokio::test]
async fn the_web_ui_and_the_playground_carry_their_content_security_policies() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    for path in ["/", "/standups/4f1c0f6e/answers/deep", "/sign-in"] {
        let policy = header(&client, &app.url(path), "content-security-policy")
            .await
            .unwrap_or_else(|| panic!("no CSP on {path}"));
        for directive in APP_POLICY {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
    let policy = header(&client, &app.url("/playground/"), "content-security-policy")
        .await
        .expect("a CSP on the playground");
    assert_ne!(
        Some(policy.clone()),
        header(&client, &app.url("/"), "content-security-policy").await
    );
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("wasm-unsafe-eval"), "{policy}");
    // Plain http: no HSTS.
    assert_eq!(
        header(&client, &app.url("/"), "strict-transport-security").await,
        None
    );
}

#[tokio::test]
async fn https_deployments_get_hsts_and_a_host_prefixed_refresh_cookie() {
    let app = TestApp::spawn_with(&[("PUBLIC_URL", "https://standups.example.com")]).await;
    let client = reqwest::Client::new();
    for path in ["/", "/standups/x", "/playground/", "/healthz"] {
        assert_eq!(
            header(&client, &app.url(path), "strict-transport-security")
                .await
                .as_deref(),
            Some("max-age=63072000; includeSubDomains"),
            "{path}"
        );
    }
    let policy = header(&client, &app.url("/"), "content-security-policy")
        .await
        .unwrap();
    assert!(
        policy.contains("connect-src 'self' wss://standups.example.com;"),
        "{policy}"
    );

    let resp = client
        .post(app.url("/graphql"))
        .json(&json!({ "query": SIGN_UP, "variables": { "input": { "email": "ada@example.com", "password": PASSWORD, "name": "Ada", "organizationName": "A" } } }))
        .send()
        .await
        .unwrap();
    let set_cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.contains("asyncstand_refresh"))
        .expect("a refresh cookie");
    assert!(
        set_cookie.starts_with("__Host-asyncstand_refresh="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("; Path=/;") && set_cookie.contains("; Secure"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain"),
        "{set_cookie}"
    );
    let token = set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap();

    let refresh = |cookie: String| {
        client
            .post(app.url("/graphql"))
            .header("cookie", cookie)
            .json(&json!({ "query": REFRESH }))
            .send()
    };
    // The cookie without its prefix is not the session cookie on https.
    let body: Value = refresh(format!("asyncstand_refresh={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    let body: Value = refresh(format!("__Host-asyncstand_refresh={token}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["data"]["refreshSession"]["accessToken"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn metrics_can_move_to_a_listener_of_their_own() {
    let app = TestApp::spawn_with(&[("METRICS_BIND", "127.0.0.1:0")]).await;
    let metrics = app.metrics_address.clone().expect("a metrics listener");
    let resp = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    assert!(text.contains("asyncstand_outbox_backlog"), "{text}");
    // Not on the public listener any more (not even as the web UI's fallback page).
    let resp = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert!(!resp.text().await.unwrap().contains("asyncstand_"));
    // Nothing else is served on the metrics listener.
    let resp = reqwest::get(format!("{metrics}/graphql")).await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}
