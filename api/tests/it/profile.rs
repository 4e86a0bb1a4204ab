//! A person's own profile: name, time zone and work days (`updateProfile`), the zone
//! the sign-up form sends, and what teammates see of it.

use crate::helpers::*;
use crate::members::join;
use serde_json::{Value, json};

const UPDATE: &str = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id name timezone workDays } }";
const ME: &str = "{ viewer { user { name timezone workDays } } }";

async fn update(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(token, UPDATE, json!({ "input": input }))
        .await
}

async fn me(app: &TestApp, token: &str) -> Value {
    app.graphql_as(token, ME, json!({})).await["data"]["viewer"]["user"].clone()
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

#[tokio::test]
async fn a_member_sets_name_zone_and_work_days_and_reads_them_back() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    // Before any change: no zone, Monday to Friday.
    assert_eq!(
        me(&app, &owner.token).await,
        json!({ "name": "Ada Lovelace", "timezone": null, "workDays": ["MON", "TUE", "WED", "THU", "FRI"] })
    );

    let body = update(
        &app,
        &owner.token,
        json!({ "name": "  Ada King ", "timezone": "Asia/Kolkata", "workDays": ["THU", "SUN", "MON", "TUE", "WED", "SUN"] }),
    )
    .await;
    // Trimmed, deduplicated, Monday first.
    assert_eq!(
        body["data"]["updateProfile"],
        json!({ "id": owner.user_id, "name": "Ada King", "timezone": "Asia/Kolkata", "workDays": ["MON", "TUE", "WED", "THU", "SUN"] }),
        "{body}"
    );
    assert_eq!(me(&app, &owner.token).await["timezone"], "Asia/Kolkata");

    // Omitted fields stay; null clears the zone.
    let body = update(&app, &owner.token, json!({ "timezone": null })).await;
    assert_eq!(
        body["data"]["updateProfile"],
        json!({ "id": owner.user_id, "name": "Ada King", "timezone": null, "workDays": ["MON", "TUE", "WED", "THU", "SUN"] }),
        "{body}"
    );
    let body = update(&app, &owner.token, json!({ "workDays": ["SAT"] })).await;
    assert_eq!(body["data"]["updateProfile"]["workDays"], json!(["SAT"]));
    assert_eq!(body["data"]["updateProfile"]["name"], "Ada King");

    // The change is audited.
    let body = app
        .graphql_as(
            &owner.token,
            "{ auditLog(first: 10) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    assert!(actions.contains(&"user.update_profile"), "{actions:?}");
}

#[tokio::test]
async fn bad_profile_input_names_its_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let before = me(&app, &owner.token).await;

    let cases = [
        (
            json!({ "name": "New name", "timezone": "Mars/Olympus" }),
            "timezone",
            "unknown IANA time zone 'Mars/Olympus'",
        ),
        (
            json!({ "name": "New name", "timezone": "europe/berlin" }),
            "timezone",
            "did you mean 'Europe/Berlin'?",
        ),
        (
            json!({ "name": "New name", "workDays": [] }),
            "workDays",
            "at least one day",
        ),
        (json!({ "name": "   ", "timezone": "UTC" }), "name", ""),
        (
            json!({ "name": "x".repeat(101), "timezone": "UTC" }),
            "name",
            "",
        ),
    ];
    for (input, expected_field, message) in cases {
        let body = update(&app, &owner.token, input.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{input}: {body}");
        assert_eq!(field(&body), expected_field, "{input}: {body}");
        let text = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{input}: {text}");
        // Nothing half-written: the valid name of the same input did not stick either.
        assert_eq!(me(&app, &owner.token).await, before, "{input}");
    }

    // Signed out: UNAUTHENTICATED.
    let body = app
        .graphql(UPDATE, json!({ "input": { "name": "Nobody" } }))
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn sign_up_stores_the_zone_the_form_sends_and_refuses_an_unknown_one() {
    let app = TestApp::spawn().await;
    let client = new_client();
    let body = app
        .graphql_with(
            &client,
            None,
            SIGN_UP,
            json!({ "input": { "email": "tokyo@example.com", "password": PASSWORD, "name": "Aiko",
                "organizationName": "Tokyo Co", "timezone": "Asia/Tokyo" } }),
        )
        .await;
    let token = body["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(me(&app, token).await["timezone"], "Asia/Tokyo");

    // An empty zone (a browser that has none) is "not set".
    let body = app
        .graphql_with(
            &new_client(),
            None,
            SIGN_UP,
            json!({ "input": { "email": "nozone@example.com", "password": PASSWORD, "name": "Nox",
                "organizationName": "No Zone", "timezone": "" } }),
        )
        .await;
    let token = body["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(me(&app, token).await["timezone"], Value::Null);

    let body = app
        .graphql_with(
            &new_client(),
            None,
            SIGN_UP,
            json!({ "input": { "email": "mars@example.com", "password": PASSWORD, "name": "Marvin",
                "organizationName": "Mars", "timezone": "Mars/Olympus" } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "timezone", "{body}");
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM users WHERE email = 'mars@example.com'").await,
        0
    );
}

#[tokio::test]
async fn teammates_see_a_members_zone_and_work_days() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let member = join(&app, &owner, "berlin@example.com", "MEMBER").await;
    let body = update(
        &app,
        &member.token,
        json!({ "timezone": "Europe/Berlin", "workDays": ["MON", "TUE", "WED"] }),
    )
    .await;
    assert!(body["data"]["updateProfile"].is_object(), "{body}");

    let team = crate::teams::create_team(&app, &owner.token, "Core").await;
    crate::teams::add_member(&app, &owner.token, &team, &member.user_id).await;
    let body = app
        .graphql_as(
            &owner.token,
            "query($id: ID!) { team(id: $id) { members { user { id timezone workDays } } } }",
            json!({ "id": team }),
        )
        .await;
    let members = body["data"]["team"]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let seen = members
        .iter()
        .find(|m| m["user"]["id"] == member.user_id)
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(seen["user"]["timezone"], "Europe/Berlin");
    assert_eq!(seen["user"]["workDays"], json!(["MON", "TUE", "WED"]));
}

#[tokio::test]
async fn a_config_asks_each_member_at_local_time_with_an_optional_digest_time() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let team = crate::teams::create_team(&app, &owner.token, "World").await;
    const FIELDS: &str = "id askAt digestTime";
    let body = app
        .graphql_as(
            &owner.token,
            &format!("mutation($input: CreateStandupConfigInput!) {{ createStandupConfig(input: $input) {{ {FIELDS} }} }}"),
            json!({ "input": {
                "teamId": team, "name": "Daily", "questions": [{ "prompt": "Yesterday?", "kind": "TEXT" }],
                "weekdays": ["MON", "TUE"], "timeOfDay": "09:00", "responseWindowMinutes": 120,
                "delivery": ["WEB"], "askAt": "MEMBER_LOCAL_TIME", "digestTime": "17:30"
            } }),
        )
        .await;
    let config = &body["data"]["createStandupConfig"];
    assert_eq!(config["askAt"], "MEMBER_LOCAL_TIME", "{body}");
    assert_eq!(config["digestTime"], "17:30", "{body}");
    let id = config["id"].as_str().unwrap().to_string();

    let update = |input: Value| {
        let app = &app;
        let token = owner.token.clone();
        let id = id.clone();
        async move {
            app.graphql_as(
                &token,
                &format!("mutation($id: ID!, $input: UpdateStandupConfigInput!) {{ updateStandupConfig(id: $id, input: $input) {{ {FIELDS} }} }}"),
                json!({ "id": id, "input": input }),
            )
            .await
        }
    };
    // A bad digest time names its field and changes nothing.
    let body = update(json!({ "name": "Renamed", "digestTime": "25:00" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "digestTime", "{body}");
    let body = app
        .graphql_as(
            &owner.token,
            "query($id: ID!) { standupConfig(id: $id) { name askAt digestTime } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["standupConfig"],
        json!({ "name": "Daily", "askAt": "MEMBER_LOCAL_TIME", "digestTime": "17:30" })
    );
    // Left out: kept; null: cleared.
    let body = update(json!({ "askAt": "TEAM_TIME" })).await;
    assert_eq!(
        body["data"]["updateStandupConfig"]["digestTime"], "17:30",
        "{body}"
    );
    assert_eq!(body["data"]["updateStandupConfig"]["askAt"], "TEAM_TIME");
    let body = update(json!({ "digestTime": null })).await;
    assert_eq!(
        body["data"]["updateStandupConfig"]["digestTime"],
        Value::Null,
        "{body}"
    );
    // Without askAt a new config asks at the team's time.
    let body = app
        .graphql_as(
            &owner.token,
            &format!("mutation($input: CreateStandupConfigInput!) {{ createStandupConfig(input: $input) {{ {FIELDS} }} }}"),
            json!({ "input": {
                "teamId": team, "name": "Plain", "questions": [{ "prompt": "Q?", "kind": "TEXT" }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "delivery": ["WEB"]
            } }),
        )
        .await;
    assert_eq!(
        body["data"]["createStandupConfig"]["askAt"], "TEAM_TIME",
        "{body}"
    );
    assert_eq!(
        body["data"]["createStandupConfig"]["digestTime"],
        Value::Null
    );
}
