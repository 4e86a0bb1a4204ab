//! Answering in Slack against the real api and database, with the fake Slack sending
//! what Slack sends (signed) and recording what we call: matching members, listing
//! channels, the Answer and Skip buttons, modal submissions and `/standup`.

use crate::fake_slack::{self, FakeSlack, SIGNING_SECRET, TEAM_ID};
use crate::helpers::*;
use crate::slack::{app_with, install, signed};
use crate::standups::{Fixture, answers, fixture, start};
use serde_json::{Value, json};

const INTEGRATION: &str =
    "{ organization { slackIntegration { workspaceName matchedMemberCount usersSyncedAt } } }";
const SYNC: &str = "mutation { syncSlackUsers { workspaceName matchedMemberCount usersSyncedAt } }";
const CHANNELS: &str = "query($s: String, $first: Int, $after: String) { slackChannels(search: $s, first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes { id name isPrivate } } }";
const SUBMIT: &str =
    "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }";
const CREATE: &str = "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id delivery slackChannel { id name } } }";

const ADA: &str = "U0ADA";
const BOB: &str = "U0BOB";

fn interactivity(app: &TestApp) -> String {
    app.url("/slack/interactivity")
}

fn commands(app: &TestApp) -> String {
    app.url("/slack/commands")
}

/// A click on a button of ours, as Slack sends it.
pub(crate) fn click(user: &str, action: &str, standup: &str) -> Value {
    json!({
        "type": "block_actions",
        "team": { "id": TEAM_ID, "domain": "fake" },
        "user": { "id": user, "team_id": TEAM_ID },
        "trigger_id": "1337.42.trigger",
        "actions": [{ "type": "button", "action_id": action, "block_id": "b", "value": standup }]
    })
}

/// A modal submitted, with `values` (block id, text).
pub(crate) fn submission(
    user: &str,
    callback: &str,
    standup: &str,
    values: &[(&str, &str)],
) -> Value {
    let mut state = serde_json::Map::new();
    for (block, text) in values {
        let action = if *block == "reason" {
            "reason"
        } else {
            "answer"
        };
        state.insert(
            (*block).to_owned(),
            json!({ action: { "type": "plain_text_input", "value": text } }),
        );
    }
    json!({
        "type": "view_submission",
        "team": { "id": TEAM_ID },
        "user": { "id": user, "team_id": TEAM_ID },
        "view": { "id": "V1", "callback_id": callback, "private_metadata": standup, "state": { "values": state } }
    })
}

/// The organization of `f` connected to the fake's workspace, where Ada and Bob are
/// people (Eve is not).
async fn connected(slack: &FakeSlack) -> (TestApp, Fixture) {
    let app = app_with(slack).await;
    let f = fixture(&app, false).await;
    slack.add_users(TEAM_ID, &[(ADA, "ada@a.example"), (BOB, "bob@a.example")]);
    install(&app, &f.owner).await;
    (app, f)
}

async fn participations(app: &TestApp, token: &str, standup: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            "query($id: ID!) { standup(id: $id) { participations { user { email } state answers { question { id } text } } } }",
            json!({ "id": standup }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["standup"]["participations"].clone()
}

fn of<'a>(participations: &'a Value, email: &str) -> &'a Value {
    participations
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user"]["email"] == email)
        .unwrap_or_else(|| panic!("{email} in {participations}"))
}

/// `email`'s participation in `standup`, as `token` reads it.
pub(crate) async fn participation_of(
    app: &TestApp,
    token: &str,
    standup: &str,
    email: &str,
) -> Value {
    of(&participations(app, token, standup).await, email).clone()
}

/// The modal closed: Slack got an empty 200.
pub(crate) fn assert_closed(status: u16, answer: &Value) {
    assert_eq!(
        (status, answer),
        (200, &Value::String(String::new())),
        "{answer}"
    );
}

pub(crate) fn answer_text(participation: &Value, question: &str) -> Option<String> {
    participation["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["question"]["id"] == question)
        .map(|a| a["text"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn sync_matches_members_by_email_across_pages_and_channels_page_and_filter() {
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let f = fixture(&app, false).await;
    // Installed before anyone is in the workspace: nobody matched yet.
    install(&app, &f.owner).await;
    let body = app.graphql_as(&f.owner.token, INTEGRATION, json!({})).await;
    assert_eq!(
        body["data"]["organization"]["slackIntegration"]["matchedMemberCount"], 0,
        "{body}"
    );
    slack.set_page_size(2);
    slack.add_users(
        TEAM_ID,
        &[
            ("U0STRANGER", "someone@elsewhere.example"),
            (ADA, "ADA@a.example"),
            ("U0OWNER", "owner@a.example"),
            (BOB, "bob@a.example"),
            ("U0OTHER", "other@elsewhere.example"),
        ],
    );

    // Only OWNER/ADMIN sync.
    let body = app.graphql_as(&f.ada.token, SYNC, json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    slack.clear_calls();
    let body = app.graphql_as(&f.owner.token, SYNC, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let synced = &body["data"]["syncSlackUsers"];
    assert_eq!(synced["matchedMemberCount"], 3, "{body}");
    assert!(synced["usersSyncedAt"].is_string(), "{body}");
    assert!(!body.to_string().contains(fake_slack::BOT_TOKEN));
    // Three pages of two were read.
    let pages = slack.calls("users.list");
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[1].form.contains_key("cursor"));

    let body = app.graphql_as(&f.owner.token, INTEGRATION, json!({})).await;
    assert_eq!(
        body["data"]["organization"]["slackIntegration"]["matchedMemberCount"],
        3
    );
    let body = app
        .graphql_as(
            &f.owner.token,
            "{ members(first: 10) { nodes { user { email } slackMatched } } }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let matched: Vec<(String, bool)> = body["data"]["members"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user"]["email"].as_str().unwrap().to_owned(),
                m["slackMatched"].as_bool().unwrap(),
            )
        })
        .collect();
    for (email, expected) in [
        ("owner@a.example", true),
        ("ada@a.example", true),
        ("bob@a.example", true),
        ("eve@a.example", false),
    ] {
        assert!(
            matched.contains(&(email.to_owned(), expected)),
            "{email}: {matched:?}"
        );
    }

    // Channels: every page of conversations.list read, sorted by name, paged, searched.
    slack.add_channels(
        TEAM_ID,
        &[
            ("C0003", "random"),
            ("C0001", "general"),
            ("C0002", "Dev-Team"),
            ("C0004", "devops"),
            ("C0005", "design"),
        ],
    );
    let body = app
        .graphql_as(&f.ada.token, CHANNELS, json!({ "first": 2 }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..5 {
        let body = app
            .graphql_as(
                &f.owner.token,
                CHANNELS,
                json!({ "first": 2, "after": after }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert!(!body.to_string().contains(fake_slack::BOT_TOKEN));
        let page = &body["data"]["slackChannels"];
        for node in page["nodes"].as_array().unwrap() {
            names.push(node["name"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(
        names,
        ["design", "Dev-Team", "devops", "general", "random"],
        "sorted by name, any case"
    );
    let body = app
        .graphql_as(&f.owner.token, CHANNELS, json!({ "s": "DEV" }))
        .await;
    let found: Vec<&str> = body["data"]["slackChannels"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["C0002", "C0004"]);
    let body = app
        .graphql_as(&f.owner.token, CHANNELS, json!({ "first": 101 }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "first", "{body}");
    let body = app
        .graphql_as(&f.owner.token, CHANNELS, json!({ "after": "garbage" }))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "after", "{body}");

    // Disconnected: both say so clearly.
    let body = app
        .graphql_as(&f.owner.token, "mutation { disconnectSlack }", json!({}))
        .await;
    assert_eq!(body["data"]["disconnectSlack"], true, "{body}");
    for query in [SYNC, "{ slackChannels { nodes { id } } }"] {
        let body = app.graphql_as(&f.owner.token, query, json!({})).await;
        assert_eq!(error_code(&body), "CONFLICT", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("not connected"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn slack_delivery_needs_slack_connected_and_a_channel() {
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let f = fixture(&app, false).await;
    let input = |delivery: Value, channel: Value| {
        json!({ "input": {
            "teamId": f.team, "name": "Slacky", "questions": [{ "prompt": "Today?" }],
            "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60,
            "delivery": delivery, "slackChannel": channel
        } })
    };
    for delivery in [json!(["SLACK_DM"]), json!(["WEB", "SLACK_CHANNEL"])] {
        let body = app
            .graphql_as(
                &f.owner.token,
                CREATE,
                input(delivery, json!({ "id": "C0001", "name": "general" })),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "delivery");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("needs Slack connected"),
            "{body}"
        );
    }
    install(&app, &f.owner).await;
    for channel in [
        Value::Null,
        json!({ "id": "D0001", "name": "a DM" }),
        json!({ "id": "c0001", "name": "general" }),
        json!({ "id": format!("C{}", "1".repeat(32)), "name": "general" }),
        json!({ "id": "C0001", "name": "" }),
        json!({ "id": "C0001", "name": "n".repeat(81) }),
    ] {
        let body = app
            .graphql_as(
                &f.owner.token,
                CREATE,
                input(json!(["SLACK_CHANNEL"]), channel.clone()),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{channel}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "slackChannel",
            "{channel}: {body}"
        );
    }
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM standup_configs WHERE name = 'Slacky'").await,
        0
    );
    let body = app
        .graphql_as(
            &f.owner.token,
            CREATE,
            input(
                json!(["SLACK_DM", "SLACK_CHANNEL"]),
                json!({ "id": "C0001", "name": "#standups" }),
            ),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let created = &body["data"]["createStandupConfig"];
    assert_eq!(
        created["slackChannel"],
        json!({ "id": "C0001", "name": "standups" })
    );
    let id = created["id"].as_str().unwrap();
    // Members read it too; dropping SLACK_CHANNEL forgets the channel.
    let body = app
        .graphql_as(
            &f.ada.token,
            "query($id: ID!) { standupConfig(id: $id) { slackChannel { id name isPrivate } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["data"]["standupConfig"]["slackChannel"],
        json!({ "id": "C0001", "name": "standups", "isPrivate": false }),
        "{body}"
    );
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!) { updateStandupConfig(id: $id, input: { delivery: [SLACK_DM] }) { delivery slackChannel { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["updateStandupConfig"]["slackChannel"].is_null());
    assert!(!body.to_string().contains(fake_slack::BOT_TOKEN));
}

#[tokio::test]
async fn answer_and_skip_in_slack_go_through_the_same_rules_as_the_web() {
    let slack = FakeSlack::start().await;
    let (app, f) = connected(&slack).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    // Ada answered on the web first: the modal shows her answers.
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&standup, &q, &["Shipped", "None", ""]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // `/standup` lists it with its buttons.
    let (status, listed) = slack
        .send_command(
            &commands(&app),
            &[
                ("team_id", TEAM_ID),
                ("user_id", ADA),
                ("command", "/standup"),
                ("text", ""),
            ],
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["response_type"], "ephemeral");
    assert!(listed.to_string().contains(&standup), "{listed}");
    assert!(listed.to_string().contains("Answer"), "{listed}");
    let (_, help) = slack
        .send_command(
            &commands(&app),
            &[("team_id", TEAM_ID), ("user_id", ADA), ("text", "help")],
        )
        .await;
    assert!(help.to_string().contains("/standup"), "{help}");
    let (_, stranger) = slack
        .send_command(
            &commands(&app),
            &[("team_id", TEAM_ID), ("user_id", "U0NOBODY"), ("text", "")],
        )
        .await;
    assert!(stranger.to_string().contains("same e-mail"), "{stranger}");
    assert!(stranger.to_string().contains("Sync"), "{stranger}");

    // Answer: a modal with one input per question, prefilled.
    let (status, _) = slack
        .send_interaction(&interactivity(&app), &click(ADA, "answer", &standup))
        .await;
    assert_eq!(status, 200);
    let opened = slack.calls("views.open");
    assert_eq!(opened.len(), 1);
    assert_eq!(
        opened[0].authorization.as_deref(),
        Some(format!("Bearer {}", fake_slack::BOT_TOKEN).as_str())
    );
    assert_eq!(opened[0].json["trigger_id"], "1337.42.trigger");
    let view = &opened[0].json["view"];
    assert_eq!(view["callback_id"], "standup_answers");
    assert_eq!(view["private_metadata"], standup.as_str());
    let inputs: Vec<&Value> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "input")
        .collect();
    assert_eq!(inputs.len(), 3, "{view}");
    for (input, (id, prompt)) in
        inputs
            .iter()
            .zip(q.iter().zip(["Yesterday?", "Blockers?", "Notes?"]))
    {
        assert_eq!(input["block_id"], id.as_str());
        assert_eq!(input["label"]["text"], prompt);
        assert_eq!(input["element"]["multiline"], true);
    }
    assert_eq!(inputs[0]["element"]["initial_value"], "Shipped");
    assert_eq!(inputs[2]["optional"], true);
    assert!(inputs[2]["element"].get("initial_value").is_none());

    // A required answer left blank: an error on its block, nothing stored.
    let (status, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(
                ADA,
                "standup_answers",
                &standup,
                &[(&q[0], "Changed"), (&q[1], "  "), (&q[2], "")],
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(answer["errors"][q[1].as_str()].is_string(), "{answer}");
    assert!(answer["errors"].get(q[0].as_str()).is_none(), "{answer}");
    let ada = participation_of(&app, &f.owner.token, &standup, "ada@a.example").await;
    assert_eq!(answer_text(&ada, &q[0]).as_deref(), Some("Shipped"));

    // Submitted: the modal closes, and the web shows the answers.
    let (status, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(
                ADA,
                "standup_answers",
                &standup,
                &[
                    (&q[0], "Reviewed"),
                    (&q[1], "Waiting on CI"),
                    (&q[2], "from Slack"),
                ],
            ),
        )
        .await;
    assert_closed(status, &answer);
    let ada = participation_of(&app, &f.owner.token, &standup, "ada@a.example").await;
    assert_eq!(ada["state"], "ANSWERED");
    assert_eq!(answer_text(&ada, &q[0]).as_deref(), Some("Reviewed"));
    assert_eq!(answer_text(&ada, &q[1]).as_deref(), Some("Waiting on CI"));
    assert_eq!(answer_text(&ada, &q[2]).as_deref(), Some("from Slack"));
    assert_eq!(
        crate::teams::count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'standup.answer_submitted'"
        )
        .await,
        2
    );

    // Skip: a modal with an optional reason; the submission skips.
    slack
        .send_interaction(&interactivity(&app), &click(BOB, "skip", &standup))
        .await;
    let opened = slack.calls("views.open");
    assert_eq!(
        opened.last().unwrap().json["view"]["callback_id"],
        "standup_skip"
    );
    let (status, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(BOB, "standup_skip", &standup, &[("reason", "On leave")]),
        )
        .await;
    assert_closed(status, &answer);
    let bob = participation_of(&app, &f.owner.token, &standup, "bob@a.example").await;
    assert_eq!(bob["state"], "SKIPPED");

    // Closed: the submission updates the modal to say so; a click opens a notice.
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!) { closeStandup(standupId: $id) { state } }",
            json!({ "id": standup }),
        )
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    let (status, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(
                ADA,
                "standup_answers",
                &standup,
                &[(&q[0], "Late"), (&q[1], "x")],
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["response_action"], "update", "{answer}");
    assert!(answer["view"].to_string().contains("closed"), "{answer}");
    let ada = participation_of(&app, &f.owner.token, &standup, "ada@a.example").await;
    assert_eq!(answer_text(&ada, &q[0]).as_deref(), Some("Reviewed"));
    slack
        .send_interaction(&interactivity(&app), &click(ADA, "answer", &standup))
        .await;
    let opened = slack.calls("views.open");
    let notice = &opened.last().unwrap().json["view"];
    assert!(notice.get("callback_id").is_none(), "{notice}");
    assert!(notice.to_string().contains("closed"), "{notice}");
    // Nothing open any more.
    let (_, listed) = slack
        .send_command(
            &commands(&app),
            &[("team_id", TEAM_ID), ("user_id", ADA), ("text", "")],
        )
        .await;
    assert!(!listed.to_string().contains(&standup), "{listed}");

    // Unknown payloads are acknowledged.
    let (status, _) = slack
        .send_interaction(
            &interactivity(&app),
            &json!({ "type": "view_closed", "team": { "id": TEAM_ID } }),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_slack_user_never_reaches_another_organizations_standup() {
    let slack = FakeSlack::start().await;
    let (app, _a) = connected(&slack).await;
    // Organization B, its own standup.
    let b = app.sign_up("owner@b.example", "B").await;
    let team = crate::teams::create_team(&app, &b.token, "B team").await;
    crate::teams::add_member(&app, &b.token, &team, &b.user_id).await;
    let body = app
        .graphql_as(
            &b.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "B daily", "questions": [{ "prompt": "B secret question?" }],
                "weekdays": ["MON"], "timeOfDay": "09:00", "responseWindowMinutes": 60, "delivery": ["WEB"],
                "participantIds": [b.user_id]
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let (theirs, q) = start(&app, &b.token, &config).await;

    // Ada (matched in A) clicks Answer with B's standup id: no answer modal, no question.
    let (status, _) = slack
        .send_interaction(&interactivity(&app), &click(ADA, "answer", &theirs))
        .await;
    assert_eq!(status, 200);
    for call in slack.calls("views.open") {
        assert!(
            call.json["view"].get("callback_id").is_none(),
            "{:?}",
            call.json
        );
        assert!(
            !call.json.to_string().contains("B secret"),
            "{:?}",
            call.json
        );
    }
    // And submits answers to it: refused, nothing stored.
    let (status, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(ADA, "standup_answers", &theirs, &[(&q[0], "sneaky")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["response_action"], "update", "{answer}");
    assert!(!answer.to_string().contains("B secret"), "{answer}");
    let (_, answer) = slack
        .send_interaction(
            &interactivity(&app),
            &submission(ADA, "standup_skip", &theirs, &[("reason", "sneaky")]),
        )
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    let theirs_now = participations(&app, &b.token, &theirs).await;
    assert_eq!(of(&theirs_now, "owner@b.example")["state"], "PENDING");
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM answers").await, 0);
    // Eve (in A, not matched) cannot act as anyone either.
    let (_, listed) = slack
        .send_command(
            &commands(&app),
            &[("team_id", TEAM_ID), ("user_id", "U0EVE"), ("text", "")],
        )
        .await;
    assert!(listed.to_string().contains("same e-mail"), "{listed}");
    // A Slack user id of the same name in another workspace is nobody here.
    let mut elsewhere = submission(ADA, "standup_answers", &theirs, &[(&q[0], "x")]);
    elsewhere["team"]["id"] = json!("T0ELSEWHERE");
    let (_, answer) = slack
        .send_interaction(&interactivity(&app), &elsewhere)
        .await;
    assert_eq!(answer["response_action"], "update", "{answer}");
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM answers").await, 0);
}

/// POSTs `body` to `url` with the given Slack headers.
async fn post(url: &str, body: &str, headers: (Option<String>, Option<String>)) -> u16 {
    let mut request = new_client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(ts) = headers.0 {
        request = request.header("X-Slack-Request-Timestamp", ts);
    }
    if let Some(sig) = headers.1 {
        request = request.header("X-Slack-Signature", sig);
    }
    request.send().await.expect("POST").status().as_u16()
}

#[tokio::test]
async fn interactivity_and_commands_refuse_what_slack_did_not_sign() {
    let slack = FakeSlack::start().await;
    let (app, f) = connected(&slack).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    let payload = submission(
        ADA,
        "standup_answers",
        &standup,
        &[(&q[0], "forged"), (&q[1], "forged")],
    );
    let interaction = fake_slack::form_encode(&[("payload", &payload.to_string())]);
    let command = fake_slack::form_encode(&[("team_id", TEAM_ID), ("user_id", ADA), ("text", "")]);
    let audit_before = crate::teams::count(&app, "SELECT 1 FROM audit_events").await;
    let now = chrono::Utc::now().timestamp();
    for (url, body) in [
        (interactivity(&app), &interaction),
        (commands(&app), &command),
    ] {
        assert_eq!(
            post(&url, body, (Some(now.to_string()), None)).await,
            401,
            "missing signature: {url}"
        );
        assert_eq!(
            post(&url, body, (None, None)).await,
            401,
            "no headers: {url}"
        );
        assert_eq!(
            post(&url, body, signed("not-our-secret", now, body.as_bytes())).await,
            401,
            "wrong secret: {url}"
        );
        assert_eq!(
            post(
                &url,
                body,
                signed(SIGNING_SECRET, now - 6 * 60, body.as_bytes())
            )
            .await,
            401,
            "stale: {url}"
        );
        let changed = body.replace("forged", "FORGED").replace("U0ADA", "U0BOB");
        assert_eq!(
            post(&url, &changed, signed(SIGNING_SECRET, now, body.as_bytes())).await,
            401,
            "changed body: {url}"
        );
    }
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM answers").await, 0);
    assert_eq!(
        crate::teams::count(&app, "SELECT 1 FROM audit_events").await,
        audit_before,
        "a refused request wrote something"
    );
    assert!(slack.calls("views.open").is_empty());
    // Signed as Slack signs it, the same submission goes through.
    let url = interactivity(&app);
    assert_eq!(
        post(
            &url,
            &interaction,
            signed(SIGNING_SECRET, now, interaction.as_bytes())
        )
        .await,
        200
    );
    assert_eq!(crate::teams::count(&app, "SELECT 1 FROM answers").await, 2);

    // With Slack off, the endpoints do not exist.
    let off = TestApp::spawn().await;
    for path in ["/slack/interactivity", "/slack/commands"] {
        assert_eq!(
            post(
                &off.url(path),
                &command,
                signed(SIGNING_SECRET, now, command.as_bytes())
            )
            .await,
            404
        );
    }
}
