use crate::helpers::*;
use serde_json::{Value, json};

async fn post_raw(app: &TestApp, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/graphql"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn too_deep_queries_are_refused() {
    let app = TestApp::spawn().await;
    let mut query = String::from("name");
    for _ in 0..20 {
        query = format!("ofType {{ {query} }}");
    }
    let body = app
        .graphql(
            &format!("{{ __schema {{ types {{ fields {{ type {{ {query} }} }} }} }} }}"),
            json!({}),
        )
        .await;
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
}

#[tokio::test]
async fn too_large_batches_are_refused() {
    let app = TestApp::spawn().await;
    let batch: Vec<Value> = (0..11)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let (status, body) = post_raw(
        &app,
        "application/json",
        serde_json::to_vec(&batch).unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 to 10"),
        "{body}"
    );

    // A batch within the cap runs.
    let batch: Vec<Value> = (0..3)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let (status, body) = post_raw(
        &app,
        "application/json",
        serde_json::to_vec(&batch).unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().map(Vec::len), Some(3), "{body}");
}

#[tokio::test]
async fn mutations_over_get_are_refused() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    let mutation = "mutation { logOut }";
    let resp = client
        .get(app.url("/graphql"))
        .query(&[("query", mutation)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only queries"),
        "{body}"
    );

    // Hiding the mutation behind an operation name does not help.
    let doc = "query A { __typename } mutation B { logOut }";
    let resp = client
        .get(app.url("/graphql"))
        .query(&[("query", doc), ("operationName", "B")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);

    // Queries work over GET.
    let resp = client
        .get(app.url("/graphql"))
        .query(&[("query", "{ __typename }")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn only_json_posts_are_accepted() {
    let app = TestApp::spawn().await;
    let query = br#"{"query":"mutation { logOut }"}"#.to_vec();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, body) = post_raw(&app, content_type, query.clone()).await;
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("application/json")
        );
    }
    let (status, _) = post_raw(&app, "application/json; charset=utf-8", query).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn_with(&[("GRAPHQL_MAX_BODY_BYTES", "2048")]).await;
    let padding = "x".repeat(4096);
    let body =
        serde_json::to_vec(&json!({ "query": format!("{{ __typename }} # {padding}") })).unwrap();
    let (status, body) = post_raw(&app, "application/json", body).await;
    assert_eq!(status, 413);
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2048 bytes"),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_error() {
    let app = TestApp::spawn().await;
    let (status, body) = post_raw(&app, "application/json", b"{not json".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app.graphql("{ nosuchfield }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
}

#[tokio::test]
async fn database_errors_are_masked() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    // Break the schema under the running server.
    app.db()
        .await
        .batch_execute("ALTER TABLE organizations RENAME COLUMN slug TO slug_broken")
        .await
        .unwrap();
    let body = app.graphql_as(&owner.token, ORGANIZATION, json!({})).await;
    assert_eq!(error_code(&body), "INTERNAL_SERVER_ERROR", "{body}");
    assert_eq!(body["errors"][0]["message"], "internal server error");
    // Everything the client sees besides where the error happened in its own query.
    let text = format!(
        "{} {}",
        body["errors"][0]["message"], body["errors"][0]["extensions"]
    );
    for leak in [
        "slug",
        "column",
        "organizations",
        "SELECT",
        "postgres",
        "diesel",
    ] {
        assert!(!text.contains(leak), "response leaks '{leak}': {text}");
    }
}

#[tokio::test]
async fn clients_over_the_request_limit_are_told_when_to_come_back() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_PER_MINUTE", "5")]).await;
    let client = reqwest::Client::new();
    for _ in 0..5 {
        let resp = client
            .post(app.url("/graphql"))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let resp = client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Health checks are not rate limited.
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::spawn_with(&[("CORS_ORIGINS", "https://app.example.com")]).await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let ok = preflight("https://app.example.com").await.unwrap();
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some("https://app.example.com")
    );
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn websocket_refuses_foreign_origins() {
    let app = TestApp::spawn().await;
    let handshake = |origin: &'static str| {
        reqwest::Client::new()
            .get(app.url("/graphql/ws"))
            .header("origin", origin)
            .header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .header("sec-websocket-protocol", "graphql-transport-ws")
            .send()
    };
    assert_eq!(
        handshake("https://evil.example.com")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        handshake("http://127.0.0.1")
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    let own = app.address.clone();
    let own: &'static str = Box::leak(own.into_boxed_str());
    assert_eq!(handshake(own).await.unwrap().status().as_u16(), 101);
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let app = TestApp::spawn().await;
    let resp = reqwest::Client::new()
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
    assert_eq!(header("x-frame-options").as_deref(), Some("DENY"));
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
}
