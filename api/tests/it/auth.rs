use crate::helpers::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

#[tokio::test]
async fn sign_up_then_viewer_and_organization() {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("Grace@Example.com", "Hopper Labs").await;
    assert_eq!(owner.email, "Grace@Example.com");

    let viewer = app.graphql_as(&owner.token, VIEWER, json!({})).await;
    let v = &viewer["data"]["viewer"];
    assert_eq!(v["user"]["email"], "grace@example.com", "{viewer}");
    assert_eq!(v["organization"]["name"], "Hopper Labs");
    assert_eq!(v["role"], "OWNER");
    assert_eq!(v["organizations"].as_array().map(Vec::len), Some(1));

    let org = app.graphql_as(&owner.token, ORGANIZATION, json!({})).await;
    assert_eq!(org["data"]["organization"]["slug"], "hopper-labs", "{org}");

    // Signed out: viewer is null, organization needs a session.
    let anonymous = app.graphql(VIEWER, json!({})).await;
    assert!(anonymous["data"]["viewer"].is_null(), "{anonymous}");
    assert_eq!(
        error_code(&app.graphql(ORGANIZATION, json!({})).await),
        "UNAUTHENTICATED"
    );

    // One welcome e-mail job is written with the sign-up, in the same transaction.
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let jobs: N =
        diesel::sql_query("SELECT count(*) AS n FROM outbox WHERE kind = 'send_welcome_email'")
            .get_result(&mut db)
            .await
            .unwrap();
    assert_eq!(jobs.n, 1);
    let audits: N =
        diesel::sql_query("SELECT count(*) AS n FROM audit_events WHERE action = 'auth.sign_up'")
            .get_result(&mut db)
            .await
            .unwrap();
    assert_eq!(audits.n, 1);
}

#[tokio::test]
async fn sign_up_validates_each_field_and_refuses_duplicates() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "name": "A", "organizationName": "O"}),
            "email",
        ),
        (
            json!({"email": "a@example.com", "password": "short", "name": "A", "organizationName": "O"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": "password123", "name": "A", "organizationName": "O"}),
            "password",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "  ", "organizationName": "O"}),
            "name",
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD, "name": "A", "organizationName": ""}),
            "organizationName",
        ),
    ];
    for (input, field) in cases {
        let body = app.graphql(SIGN_UP, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{field}: ")),
            "{body}"
        );
    }

    app.sign_up("dup@example.com", "First").await;
    let again = app
        .graphql(SIGN_UP, json!({ "input": {"email": "DUP@example.com", "password": PASSWORD, "name": "B", "organizationName": "Second"} }))
        .await;
    assert_eq!(error_code(&again), "CONFLICT", "{again}");
    assert_eq!(again["errors"][0]["extensions"]["field"], "email");

    // Nothing half-written: still one user and one organization.
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let orgs: N = diesel::sql_query("SELECT count(*) AS n FROM organizations")
        .get_result(&mut db)
        .await
        .unwrap();
    assert_eq!(orgs.n, 1);
}

#[tokio::test]
async fn log_in_and_uniform_failures() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;

    let ok = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email.to_uppercase(), "password": PASSWORD } }),
        )
        .await;
    assert_eq!(ok["data"]["logIn"]["user"]["email"], owner.email, "{ok}");
    let token = ok["data"]["logIn"]["accessToken"].as_str().unwrap();
    let viewer = app.graphql_as(token, VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["organization"]["name"],
        owner.org_name
    );

    let wrong_password = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": "not the password" } }),
        )
        .await;
    let unknown_email = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": "nobody@example.com", "password": "not the password" } }),
        )
        .await;
    assert_eq!(error_code(&wrong_password), "UNAUTHENTICATED");
    assert_eq!(
        wrong_password["errors"], unknown_email["errors"],
        "the two failures must be indistinguishable"
    );
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_account() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")]).await;
    let owner = app.signed_up_owner().await;
    for _ in 0..3 {
        let body = app
            .graphql(
                LOG_IN,
                json!({ "input": { "email": owner.email, "password": "wrong password" } }),
            )
            .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    }
    let limited = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": owner.email, "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&limited), "RATE_LIMITED", "{limited}");
    assert!(
        limited["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            > 0
    );
    // Another account from the same address is not locked out by this one.
    let other = app.signed_up_owner().await;
    let fine = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": other.email, "password": PASSWORD } }),
        )
        .await;
    assert!(fine["data"]["logIn"].is_object(), "{fine}");
}

#[tokio::test]
async fn repeated_failures_are_rate_limited_per_address() {
    let app = TestApp::spawn_with(&[("LOGIN_MAX_FAILURES_PER_IP", "4")]).await;
    for i in 0..4 {
        let body = app.graphql(LOG_IN, json!({ "input": { "email": format!("x{i}@example.com"), "password": "wrong password" } })).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    }
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": "x9@example.com", "password": "wrong password" } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}

async fn refresh_with(
    app: &TestApp,
    client: &reqwest::Client,
    cookie: Option<&str>,
) -> serde_json::Value {
    let mut req = client
        .post(app.url("/graphql"))
        .json(&json!({ "query": REFRESH }));
    if let Some(cookie) = cookie {
        req = req.header("cookie", format!("asyncstand_refresh={cookie}"));
    }
    req.send().await.unwrap().json().await.unwrap()
}

/// Signs up with a cookie-less client and returns (access token, refresh token).
async fn sign_up_raw(app: &TestApp) -> (String, String) {
    let resp = reqwest::Client::new()
        .post(app.url("/graphql"))
        .json(&json!({ "query": SIGN_UP, "variables": { "input": { "email": format!("r{}@example.com", uuid::Uuid::new_v4().simple()), "password": PASSWORD, "name": "R", "organizationName": "Org" } } }))
        .send()
        .await
        .unwrap();
    let cookie = refresh_cookie(&resp).expect("refresh cookie");
    let body: serde_json::Value = resp.json().await.unwrap();
    (
        body["data"]["signUp"]["accessToken"]
            .as_str()
            .unwrap()
            .to_string(),
        cookie,
    )
}

fn refresh_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let rest = v.strip_prefix("asyncstand_refresh=")?;
        assert!(
            v.contains("HttpOnly") && v.contains("SameSite=Strict") && v.contains("Path=/graphql"),
            "{v}"
        );
        Some(rest.split(';').next()?.to_string()).filter(|c| !c.is_empty())
    })
}

#[tokio::test]
async fn refresh_rotates_the_cookie() {
    let app = TestApp::spawn().await;
    let (_, first) = sign_up_raw(&app).await;
    let resp = reqwest::Client::new()
        .post(app.url("/graphql"))
        .header("cookie", format!("asyncstand_refresh={first}"))
        .json(&json!({ "query": REFRESH }))
        .send()
        .await
        .unwrap();
    let second = refresh_cookie(&resp).expect("a rotated cookie");
    let body: serde_json::Value = resp.json().await.unwrap();
    let token = body["data"]["refreshSession"]["accessToken"]
        .as_str()
        .expect("access token");
    assert_ne!(first, second);
    let viewer = app.graphql_as(token, VIEWER, json!({})).await;
    assert!(viewer["data"]["viewer"].is_object(), "{viewer}");

    // A browser's cookie jar keeps working across many refreshes.
    let owner = app.signed_up_owner().await;
    for _ in 0..3 {
        let body = app
            .graphql_with(&owner.client, None, REFRESH, json!({}))
            .await;
        assert!(body["data"]["refreshSession"].is_object(), "{body}");
    }
}

#[tokio::test]
async fn replaying_a_rotated_refresh_token_revokes_the_family() {
    let app = TestApp::spawn().await;
    let (_, stolen) = sign_up_raw(&app).await;
    let client = reqwest::Client::new();

    // The legitimate holder refreshes: the old token is now rotated.
    let resp = client
        .post(app.url("/graphql"))
        .header("cookie", format!("asyncstand_refresh={stolen}"))
        .json(&json!({ "query": REFRESH }))
        .send()
        .await
        .unwrap();
    let current = refresh_cookie(&resp).unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    let access = body["data"]["refreshSession"]["accessToken"]
        .as_str()
        .unwrap()
        .to_string();

    // The thief replays the rotated token: refused, and the family is revoked...
    let replay = refresh_with(&app, &client, Some(&stolen)).await;
    assert_eq!(error_code(&replay), "UNAUTHENTICATED", "{replay}");
    // ...so the legitimate holder's next refresh fails too, and so does their access token.
    let next = refresh_with(&app, &client, Some(&current)).await;
    assert_eq!(error_code(&next), "UNAUTHENTICATED", "{next}");
    let viewer = app.graphql_as(&access, ORGANIZATION, json!({})).await;
    assert_eq!(error_code(&viewer), "UNAUTHENTICATED", "{viewer}");
}

#[tokio::test]
async fn log_out_revokes_the_session() {
    let app = TestApp::spawn().await;
    let (access, cookie) = sign_up_raw(&app).await;
    let client = reqwest::Client::new();
    let resp = client
        .post(app.url("/graphql"))
        .bearer_auth(&access)
        .header("cookie", format!("asyncstand_refresh={cookie}"))
        .json(&json!({ "query": LOG_OUT }))
        .send()
        .await
        .unwrap();
    let cleared = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap_or("").starts_with("asyncstand_refresh=;"));
    assert!(cleared, "logOut clears the cookie");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["logOut"], true, "{body}");

    assert_eq!(
        error_code(&refresh_with(&app, &client, Some(&cookie)).await),
        "UNAUTHENTICATED"
    );
    // The access token dies with the session, not 15 minutes later.
    assert_eq!(
        error_code(&app.graphql_as(&access, ORGANIZATION, json!({})).await),
        "UNAUTHENTICATED"
    );
}

fn claims(overrides: serde_json::Value) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    let mut c = json!({
        "iss": "asyncstand", "aud": "asyncstand-api", "typ": "access",
        "sub": uuid::Uuid::new_v4(), "org": uuid::Uuid::new_v4(), "sid": uuid::Uuid::new_v4(),
        "iat": now, "exp": now + 600,
    });
    for (k, v) in overrides.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn sign(claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_access_tokens_are_unauthenticated() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    // Claims of a real session, so only the token's defect can cause the refusal.
    let parts: Vec<&str> = owner.token.split('.').collect();
    let real: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    let same = |o: serde_json::Value| {
        let mut c = claims(o);
        for k in ["sub", "org", "sid"] {
            c[k] = real[k].clone();
        }
        c
    };
    let valid = sign(&same(json!({})), TEST_JWT_SECRET);
    assert!(
        app.graphql_as(&valid, ORGANIZATION, json!({})).await["data"]["organization"].is_object()
    );

    let now = chrono::Utc::now().timestamp();
    let expired = sign(
        &same(json!({ "iat": now - 3600, "exp": now - 600 })),
        TEST_JWT_SECRET,
    );
    let wrong_key = sign(
        &same(json!({})),
        "another-secret-another-secret-another-secret",
    );
    let wrong_audience = sign(&same(json!({ "aud": "someone-else" })), TEST_JWT_SECRET);
    let wrong_issuer = sign(&same(json!({ "iss": "evil" })), TEST_JWT_SECRET);
    let refresh_typed = sign(&same(json!({ "typ": "refresh" })), TEST_JWT_SECRET);
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let alg_none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(same(json!({})))
    );
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &same(json!({})),
        &EncodingKey::from_secret(TEST_JWT_SECRET.as_bytes()),
    )
    .unwrap();

    for (what, token) in [
        ("expired", expired),
        ("wrongly signed", wrong_key),
        ("wrong audience", wrong_audience),
        ("wrong issuer", wrong_issuer),
        ("not an access token", refresh_typed),
        ("alg none", alg_none),
        ("another algorithm", hs512),
        ("garbage", "not.a.jwt".into()),
    ] {
        for query in [ORGANIZATION, VIEWER] {
            let body = app.graphql_as(&token, query, json!({})).await;
            assert_eq!(error_code(&body), "UNAUTHENTICATED", "{what}: {body}");
        }
    }
}

#[tokio::test]
async fn switch_organization_only_to_ones_you_belong_to() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::spawn().await;
    let ada = app.sign_up("ada@example.com", "Analytical Engines").await;
    let bob = app.sign_up("bob@example.com", "Bob's Burgers").await;

    // Another tenant's organization answers NOT_FOUND.
    let switch = "mutation($id: ID!) { switchOrganization(organizationId: $id) { accessToken organization { id name } } }";
    let denied = app
        .graphql_as(&ada.token, switch, json!({ "id": bob.org_id }))
        .await;
    assert_eq!(error_code(&denied), "NOT_FOUND", "{denied}");
    let bad = app
        .graphql_as(&ada.token, switch, json!({ "id": "nope" }))
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT", "{bad}");

    // Once Ada is a member of Bob's organization (invitations come later), she can switch.
    let mut db = app.db().await;
    db.batch_execute(&format!(
        "INSERT INTO memberships (org_id, user_id, role) VALUES ('{}', '{}', 'MEMBER')",
        bob.org_id, ada.user_id
    ))
    .await
    .unwrap();
    let viewer = app.graphql_as(&ada.token, VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["organizations"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{viewer}"
    );

    let switched = app
        .graphql_as(&ada.token, switch, json!({ "id": bob.org_id }))
        .await;
    let token = switched["data"]["switchOrganization"]["accessToken"]
        .as_str()
        .expect("token");
    let viewer = app.graphql_as(token, VIEWER, json!({})).await;
    assert_eq!(
        viewer["data"]["viewer"]["organization"]["name"],
        "Bob's Burgers"
    );
    assert_eq!(viewer["data"]["viewer"]["role"], "MEMBER");
    // The refresh cookie now continues the session in the new organization.
    let refreshed = app
        .graphql_with(&ada.client, None, REFRESH, json!({}))
        .await;
    assert_eq!(
        refreshed["data"]["refreshSession"]["organization"]["id"],
        bob.org_id.as_str(),
        "{refreshed}"
    );
}
