//! Standups: reading runs, answering and skipping (each rule with its code and field),
//! edit history, starting and closing by hand, close-when-all-answered, participation
//! stats, history filters, and the live `standupEvents` subscription across replicas.

use crate::helpers::*;
use crate::members::join;
use crate::teams::{count, field};
use crate::ws::{Incoming, WsClient};
use diesel_async::RunQueryDsl;
use schema::events::{StandupEvent, StandupEventKind};
use serde_json::{Value, json};
use std::time::Duration;

const STANDUP_FIELDS: &str = "id name state scheduledFor localDate closesAt closedAt questions { id prompt required } \
     team { id } config { id } participations { user { id } state submittedAt editedAt skipReason answers { question { id } text } } \
     myParticipation { state answers { text } } digest { text }";
const START: &str = "mutation($id: ID!) { startStandupNow(configId: $id) { id name state questions { id prompt required } participations { user { id } state } } }";
const CLOSE: &str = "mutation($id: ID!) { closeStandup(standupId: $id) { id state closedAt } }";
pub(crate) const SUBMIT: &str = "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { user { id } state submittedAt editedAt skipReason answers { question { id prompt } text } } }";
const SKIP: &str = "mutation($id: ID!, $reason: String) { skipStandup(standupId: $id, reason: $reason) { user { id } state submittedAt skipReason } }";

/// An organization with a team, a config asking two members, and a member who is not
/// asked.
pub(crate) struct Fixture {
    pub owner: SignedUp,
    pub ada: SignedUp,
    pub bob: SignedUp,
    /// A member of the organization and the team, not a participant.
    pub eve: SignedUp,
    pub team: String,
    pub config: String,
}

/// A config with "Yesterday?" (required), "Blockers?" (BLOCKER, required) and
/// "Notes?" (optional).
pub(crate) async fn fixture(app: &TestApp, close_when_all_answered: bool) -> Fixture {
    let owner = app.sign_up("owner@a.example", "A").await;
    let ada = join(app, &owner, "ada@a.example", "MEMBER").await;
    let bob = join(app, &owner, "bob@a.example", "MEMBER").await;
    let eve = join(app, &owner, "eve@a.example", "MEMBER").await;
    let team = crate::teams::create_team(app, &owner.token, "Platform").await;
    for person in [&ada, &bob, &eve] {
        crate::teams::add_member(app, &owner.token, &team, &person.user_id).await;
    }
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "Daily", "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
                "timeOfDay": "09:00", "timezone": "Europe/Berlin", "responseWindowMinutes": 240, "delivery": ["WEB"],
                "questions": [
                    { "prompt": "Yesterday?", "kind": "TEXT" },
                    { "prompt": "Blockers?", "kind": "BLOCKER" },
                    { "prompt": "Notes?", "kind": "TEXT", "required": false }
                ],
                "participantIds": [ada.user_id, bob.user_id],
                "closeWhenAllAnswered": close_when_all_answered
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    Fixture {
        owner,
        ada,
        bob,
        eve,
        team,
        config,
    }
}

/// Starts a run of `config` as `token`; returns its id and question ids in order.
pub(crate) async fn start(app: &TestApp, token: &str, config: &str) -> (String, Vec<String>) {
    let body = app.graphql_as(token, START, json!({ "id": config })).await;
    let standup = &body["data"]["startStandupNow"];
    let id = standup["id"]
        .as_str()
        .unwrap_or_else(|| panic!("startStandupNow failed: {body}"))
        .to_string();
    let questions = standup["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect();
    (id, questions)
}

pub(crate) fn answers(standup: &str, q: &[String], texts: &[&str]) -> Value {
    let answers: Vec<Value> = q
        .iter()
        .zip(texts)
        .map(|(id, text)| json!({ "questionId": id, "text": text }))
        .collect();
    json!({ "input": { "standupId": standup, "answers": answers } })
}

async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    let body = app
        .graphql_as(
            token,
            &format!("query($id: ID!) {{ standup(id: $id) {{ {STANDUP_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["standup"].clone()
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or("<no message>")
}

async fn sql(app: &TestApp, statement: &str) {
    let mut db = app.db().await;
    diesel::sql_query(statement).execute(&mut db).await.unwrap();
}

#[tokio::test]
async fn participants_answer_and_edit_until_the_standup_closes() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;

    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Shipped the importer", "none", "  "]),
        )
        .await;
    let p = &body["data"]["submitAnswers"];
    assert_eq!(p["state"], "ANSWERED", "{body}");
    assert!(p["submittedAt"].is_string());
    assert!(p["editedAt"].is_null());
    assert_eq!(
        p["answers"],
        json!([
            { "question": { "id": q[0], "prompt": "Yesterday?" }, "text": "Shipped the importer" },
            { "question": { "id": q[1], "prompt": "Blockers?" }, "text": "none" }
        ])
    );
    let submitted_at = p["submittedAt"].clone();
    assert_eq!(count(&app, "SELECT 1 FROM answer_edits").await, 0);

    // Editing: the changed answers go to the history, editedAt is set.
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Shipped the exporter", "none", "Out Friday"]),
        )
        .await;
    let p = &body["data"]["submitAnswers"];
    assert!(p["editedAt"].is_string(), "{body}");
    assert_eq!(p["submittedAt"], submitted_at);
    assert_eq!(p["answers"][0]["text"], "Shipped the exporter");
    assert_eq!(p["answers"][2]["text"], "Out Friday");
    assert_eq!(
        count(&app, &format!("SELECT 1 FROM answer_edits WHERE standup_id = '{id}' AND user_id = '{}' AND old_text = 'Shipped the importer' AND new_text = 'Shipped the exporter'", f.ada.user_id)).await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM answer_edits WHERE old_text IS NULL AND new_text = 'Out Friday'"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT 1 FROM answer_edits").await, 2);

    // The audit log says who answered, never what.
    assert_eq!(
        count(&app, &format!("SELECT 1 FROM audit_events WHERE action = 'standup.answer_submitted' AND target_id = '{id}'")).await,
        2
    );
    assert_eq!(
        count(&app, "SELECT 1 FROM audit_events WHERE summary::text LIKE '%Shipped%' OR summary::text LIKE '%Friday%'").await,
        0
    );

    // Any member reads it; myParticipation is the viewer's own.
    let seen = read(&app, &f.eve.token, &id).await;
    assert_eq!(seen["state"], "OPEN");
    assert_eq!(seen["name"], "Daily");
    assert_eq!(seen["team"]["id"], f.team);
    assert_eq!(seen["config"]["id"], f.config);
    assert!(seen["myParticipation"].is_null(), "{seen}");
    let people = seen["participations"].as_array().unwrap();
    assert_eq!(people.len(), 2);
    let ada = people
        .iter()
        .find(|p| p["user"]["id"] == f.ada.user_id)
        .unwrap();
    assert_eq!(ada["answers"].as_array().unwrap().len(), 3);
    let bob = people
        .iter()
        .find(|p| p["user"]["id"] == f.bob.user_id)
        .unwrap();
    assert_eq!(bob["state"], "PENDING");
    let mine = read(&app, &f.ada.token, &id).await;
    assert_eq!(mine["myParticipation"]["state"], "ANSWERED");

    // Closed early by the owner: the digest job is queued, answers are refused.
    let body = app
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    assert!(body["data"]["closeStandup"]["closedAt"].is_string());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM outbox WHERE kind = 'compile_digest' AND payload::text LIKE '%{id}%'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM outbox WHERE kind = 'notify_standup' AND payload::text LIKE '%{id}%'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE action = 'standup.closed' AND target_id = '{id}'"
            )
        )
        .await,
        1
    );
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Late", "none", ""]),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(field(&body), "standupId");
    assert!(message(&body).contains("closed at"), "{body}");
    let body = app
        .graphql_as(&f.bob.token, SKIP, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(field(&body), "standupId");
    // Closing twice.
    let body = app
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(field(&body), "standupId");
    assert!(message(&body).contains("already closed"), "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM answer_edits").await, 2);
}

#[tokio::test]
async fn answers_break_no_rule_and_a_refusal_stores_nothing() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;

    // Not asked: FORBIDDEN, even for the owner.
    for token in [&f.eve.token, &f.owner.token] {
        let body = app
            .graphql_as(token, SUBMIT, answers(&id, &q, &["a", "b", ""]))
            .await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
        let body = app.graphql_as(token, SKIP, json!({ "id": id })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    // A required question left blank or out: named.
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &["a", "   ", ""]))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "answers");
    assert!(message(&body).contains("Blockers?"), "{body}");
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q[..1], &["a"]))
        .await;
    assert_eq!(field(&body), "answers", "{body}");
    assert!(message(&body).contains("Blockers?"), "{body}");
    // Unknown or repeated questions.
    let mut unknown = answers(&id, &q, &["a", "b", ""]);
    unknown["input"]["answers"][2]["questionId"] = json!(uuid::Uuid::new_v4().to_string());
    let body = app.graphql_as(&f.ada.token, SUBMIT, unknown).await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "answers"),
        "{body}"
    );
    let twice = answers(
        &id,
        &[q[0].clone(), q[1].clone(), q[0].clone()],
        &["a", "b", "c"],
    );
    let body = app.graphql_as(&f.ada.token, SUBMIT, twice).await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "answers"),
        "{body}"
    );
    // Too long.
    let long = "x".repeat(5001);
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &[&long, "b", ""]))
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "answers"),
        "{body}"
    );
    assert!(message(&body).contains("5000"), "{body}");
    let ok_long = "x".repeat(5000);
    let reason = "r".repeat(501);
    let body = app
        .graphql_as(&f.ada.token, SKIP, json!({ "id": id, "reason": reason }))
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "reason"),
        "{body}"
    );
    // Another standup id, or garbage: NOT_FOUND.
    for other in [uuid::Uuid::new_v4().to_string(), "nope".to_string()] {
        let body = app
            .graphql_as(&f.ada.token, SUBMIT, answers(&other, &q, &["a", "b", ""]))
            .await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }

    // Nothing was written by any refusal.
    assert_eq!(count(&app, "SELECT 1 FROM answers").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM participations WHERE state <> 'PENDING'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&app, "SELECT 1 FROM audit_events WHERE action IN ('standup.answer_submitted', 'standup.skipped')").await,
        0
    );
    // Past the deadline the scheduler has not closed yet: refused all the same.
    sql(
        &app,
        &format!("UPDATE standups SET closes_at = now() - interval '1 minute' WHERE id = '{id}'"),
    )
    .await;
    let body = app
        .graphql_as(&f.bob.token, SKIP, json!({ "id": id }))
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("CONFLICT", "standupId"),
        "{body}"
    );
    assert!(message(&body).contains("closed at"), "{body}");
    sql(
        &app,
        &format!("UPDATE standups SET closes_at = now() + interval '1 hour' WHERE id = '{id}'"),
    )
    .await;
    // The limit itself is fine.
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &[&ok_long, "b", ""]))
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
}

#[tokio::test]
async fn skipping_and_the_last_answer_close_a_standup_that_closes_when_all_answered() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, true).await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;

    let body = app
        .graphql_as(
            &f.bob.token,
            SKIP,
            json!({ "id": id, "reason": "  On call  " }),
        )
        .await;
    let p = &body["data"]["skipStandup"];
    assert_eq!(p["state"], "SKIPPED", "{body}");
    assert_eq!(p["skipReason"], "On call");
    assert!(p["submittedAt"].is_string());
    assert_eq!(read(&app, &f.eve.token, &id).await["state"], "OPEN");
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE action = 'standup.skipped' AND target_id = '{id}'"
            )
        )
        .await,
        1
    );

    // The last PENDING participant answers: closed in the same transaction.
    let body = app
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &["a", "b", ""]))
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
    let seen = read(&app, &f.eve.token, &id).await;
    assert_eq!(seen["state"], "CLOSED", "{seen}");
    assert!(seen["closedAt"].is_string());
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM outbox WHERE kind = 'compile_digest' AND payload::text LIKE '%{id}%'"
            )
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE action = 'standup.closed' AND target_id = '{id}'"
            )
        )
        .await,
        1
    );
    // A participant may change their mind only while it is open.
    let body = app
        .graphql_as(&f.bob.token, SUBMIT, answers(&id, &q, &["a", "b", ""]))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
}

#[tokio::test]
async fn admins_start_and_close_standups_and_members_cannot() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let admin = join(&app, &f.owner, "admin@a.example", "ADMIN").await;

    let body = app
        .graphql_as(&f.ada.token, START, json!({ "id": f.config }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM standups").await, 0);
    let body = app
        .graphql_as(
            &admin.token,
            START,
            json!({ "id": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("NOT_FOUND", "configId"),
        "{body}"
    );

    let body = app
        .graphql_as(&admin.token, START, json!({ "id": f.config }))
        .await;
    let standup = &body["data"]["startStandupNow"];
    assert_eq!(standup["state"], "OPEN", "{body}");
    assert_eq!(standup["name"], "Daily");
    let mut asked: Vec<&str> = standup["participations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["state"], "PENDING");
            p["user"]["id"].as_str().unwrap()
        })
        .collect();
    asked.sort();
    let mut expected = vec![f.ada.user_id.as_str(), f.bob.user_id.as_str()];
    expected.sort();
    assert_eq!(asked, expected);
    let id = standup["id"].as_str().unwrap().to_string();
    assert_eq!(
        count(&app, &format!("SELECT 1 FROM audit_events WHERE action = 'standup.started' AND target_id = '{id}' AND actor_id = '{}'", admin.user_id)).await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM outbox WHERE kind = 'notify_standup' AND payload::text LIKE '%{id}%'"
            )
        )
        .await,
        1
    );

    let body = app
        .graphql_as(&f.ada.token, CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&admin.token, CLOSE, json!({ "id": id }))
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");

    // myStandups: the viewer's, newest first, by state.
    let (second, _) = start(&app, &f.owner.token, &f.config).await;
    let mine = "query($state: StandupState) { myStandups(state: $state) { id state } }";
    let body = app.graphql_as(&f.ada.token, mine, json!({})).await;
    let ids: Vec<&str> = body["data"]["myStandups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), id.as_str()], "{body}");
    let body = app
        .graphql_as(&f.ada.token, mine, json!({ "state": "OPEN" }))
        .await;
    assert_eq!(
        body["data"]["myStandups"],
        json!([{ "id": second, "state": "OPEN" }])
    );
    let body = app.graphql_as(&f.eve.token, mine, json!({})).await;
    assert_eq!(body["data"]["myStandups"], json!([]), "{body}");

    // A paused config starts by hand too, and its schedule stays as it was.
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!) { updateStandupConfig(id: $id, input: { active: false }) { nextRunAt } }",
            json!({ "id": f.config }),
        )
        .await;
    assert!(
        body["data"]["updateStandupConfig"]["nextRunAt"].is_null(),
        "{body}"
    );
    start(&app, &admin.token, &f.config).await;
    let body = app
        .graphql_as(
            &f.owner.token,
            "query($id: ID!) { standupConfig(id: $id) { active nextRunAt } }",
            json!({ "id": f.config }),
        )
        .await;
    assert_eq!(
        body["data"]["standupConfig"],
        json!({ "active": false, "nextRunAt": null }),
        "{body}"
    );
}

pub(crate) const STANDUP_EVENTS: &str =
    "subscription($team: ID!) { standupEvents(teamId: $team) { kind standupId teamId userId at } }";

pub(crate) fn event(
    kind: StandupEventKind,
    org: &str,
    team: &str,
    standup: uuid::Uuid,
) -> StandupEvent {
    StandupEvent {
        kind,
        org_id: org.parse().unwrap(),
        team_id: team.parse().unwrap(),
        standup_id: standup.into(),
        user_id: None,
        at: chrono::Utc::now(),
    }
}

/// Waits for the next `next` message of subscription `id`, skipping nothing else.
pub(crate) async fn next_event(ws: &mut WsClient, wait: Duration) -> Option<Value> {
    match ws.next(wait).await {
        Incoming::Message(m) if m["type"] == "next" => {
            Some(m["payload"]["data"]["standupEvents"].clone())
        }
        Incoming::Message(m) => panic!("unexpected message: {m}"),
        Incoming::Closed(code) => panic!("socket closed ({code})"),
        Incoming::Nothing => None,
    }
}

/// Publishes `probe` through `publish` until the subscriber sees it: the subscription and
/// every replica's queue binding are then live.
pub(crate) async fn until_live(ws: &mut WsClient, publish: impl Fn()) {
    for _ in 0..50 {
        publish();
        if next_event(ws, Duration::from_millis(200)).await.is_some() {
            // Drain probes still in flight.
            while next_event(ws, Duration::from_millis(300)).await.is_some() {}
            return;
        }
    }
    panic!("the subscription never went live");
}

/// `token` subscribed to `team`'s events at `address`, live once a probe published
/// through `publisher` arrived (and drained); the probe's standup id.
pub(crate) async fn watch_team(
    address: &str,
    token: &str,
    publisher: &api::state::AppState,
    org: &str,
    team: &str,
) -> (WsClient, uuid::Uuid) {
    let (mut ws, ack) = WsClient::init(address, Some(token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    let probe = uuid::Uuid::new_v4();
    until_live(&mut ws, || {
        publisher
            .events
            .publish(event(StandupEventKind::Opened, org, team, probe))
    })
    .await;
    (ws, probe)
}

#[tokio::test]
async fn standup_events_reach_subscribers_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.spawn_replica().await;
    let f = fixture(&a, false).await;
    let other_team = crate::teams::create_team(&a, &f.owner.token, "Apps").await;

    // Eve watches the team through replica A.
    let (mut ws, probe) =
        watch_team(&a.address, &f.eve.token, &b.state, &f.owner.org_id, &f.team).await;

    // Another team's and another organization's events never arrive.
    b.state.events.publish(event(
        StandupEventKind::Opened,
        &f.owner.org_id,
        &other_team,
        probe,
    ));
    b.state.events.publish(event(
        StandupEventKind::Opened,
        &uuid::Uuid::new_v4().to_string(),
        &f.team,
        probe,
    ));

    // Everything else goes through replica B.
    let body = b
        .graphql_as(&f.owner.token, START, json!({ "id": f.config }))
        .await;
    let id = body["data"]["startStandupNow"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    let q: Vec<String> = body["data"]["startStandupNow"]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect();
    let got = next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("OPENED");
    assert_eq!(
        (
            got["kind"].as_str(),
            got["standupId"].as_str(),
            got["teamId"].as_str()
        ),
        (Some("OPENED"), Some(id.as_str()), Some(f.team.as_str())),
        "{got}"
    );
    assert!(got["userId"].is_null());

    let body = b
        .graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &["x", "none", ""]))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let got = next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("ANSWER_SUBMITTED");
    assert_eq!(
        (got["kind"].as_str(), got["userId"].as_str()),
        (Some("ANSWER_SUBMITTED"), Some(f.ada.user_id.as_str())),
        "{got}"
    );

    let body = b.graphql_as(&f.bob.token, SKIP, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let got = next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("SKIPPED");
    assert_eq!(
        (got["kind"].as_str(), got["userId"].as_str()),
        (Some("SKIPPED"), Some(f.bob.user_id.as_str())),
        "{got}"
    );

    let body = b
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let got = next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("CLOSED");
    assert_eq!(got["kind"], "CLOSED", "{got}");
    assert_eq!(got["standupId"], id);
    assert!(
        next_event(&mut ws, Duration::from_millis(500))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn standup_events_refuse_strangers() {
    let app = TestApp::spawn().await;
    let a = app.sign_up("owner@a.example", "A").await;
    let b = app.sign_up("owner@b.example", "B").await;
    let team = crate::teams::create_team(&app, &a.token, "Platform").await;

    // Another organization's team: NOT_FOUND, and no events.
    let (mut ws, ack) = WsClient::init(&app.address, Some(&b.token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    match ws.next(Duration::from_secs(5)).await {
        // A field error: `next` with errors and no data, then `complete`.
        Incoming::Message(m) => {
            assert!(m["payload"]["data"].is_null(), "{m}");
            assert_eq!(
                m["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{m}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(
        matches!(ws.next(Duration::from_secs(5)).await, Incoming::Message(m) if m["type"] == "complete")
    );

    // Nobody signed in: UNAUTHENTICATED.
    let (mut ws, ack) = WsClient::init(&app.address, None).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    match ws.next(Duration::from_secs(5)).await {
        // A field error: `next` with errors and no data, then `complete`.
        Incoming::Message(m) => {
            assert!(m["payload"]["data"].is_null(), "{m}");
            assert_eq!(
                m["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{m}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }

    // A token that does not verify: the connection itself is refused.
    let (_, refused) = WsClient::init(&app.address, Some("not-a-token")).await;
    assert!(
        matches!(refused, Incoming::Closed(_) | Incoming::Nothing),
        "{refused:?}"
    );
}

#[tokio::test]
async fn team_history_pages_filters_and_participation_stats() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let mut runs = Vec::new();
    // (ada, bob) per run: a = answer, s = skip, - = nothing.
    for (day, plan) in [(1, ("a", "s")), (8, ("a", "-")), (15, ("a", "a"))] {
        let (id, q) = start(&app, &f.owner.token, &f.config).await;
        for (person, what) in [(&f.ada, plan.0), (&f.bob, plan.1)] {
            let body = match what {
                "a" => {
                    app.graphql_as(&person.token, SUBMIT, answers(&id, &q, &["x", "none", ""]))
                        .await
                }
                "s" => {
                    app.graphql_as(&person.token, SKIP, json!({ "id": id }))
                        .await
                }
                _ => continue,
            };
            assert!(body["errors"].is_null(), "{body}");
        }
        let body = app
            .graphql_as(&f.owner.token, CLOSE, json!({ "id": id }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        sql(
            &app,
            &format!(
                "UPDATE standups SET scheduled_for = '2026-11-{day:02}T08:00:00Z' WHERE id = '{id}'"
            ),
        )
        .await;
        runs.push(id);
    }
    // A fourth run asks only Ada and is still open (not in the stats).
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!, $ada: ID!) { updateStandupConfig(id: $id, input: { participantIds: [$ada] }) { id } }",
            json!({ "id": f.config, "ada": f.ada.user_id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let (open, _) = start(&app, &f.owner.token, &f.config).await;
    sql(
        &app,
        &format!("UPDATE standups SET scheduled_for = '2026-11-20T08:00:00Z' WHERE id = '{open}'"),
    )
    .await;
    runs.push(open);

    let history = "query($team: ID!, $first: Int, $after: String, $filter: StandupFilter) { standups(teamId: $team, first: $first, after: $after, filter: $filter) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let page = |body: &Value| -> Vec<String> {
        body["data"]["standups"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let first = app
        .graphql_as(&f.eve.token, history, json!({ "team": f.team, "first": 2 }))
        .await;
    assert_eq!(page(&first), [runs[3].clone(), runs[2].clone()], "{first}");
    assert_eq!(first["data"]["standups"]["pageInfo"]["hasNextPage"], true);
    let after = first["data"]["standups"]["pageInfo"]["endCursor"].clone();
    let second = app
        .graphql_as(
            &f.eve.token,
            history,
            json!({ "team": f.team, "first": 2, "after": after }),
        )
        .await;
    assert_eq!(
        page(&second),
        [runs[1].clone(), runs[0].clone()],
        "{second}"
    );
    assert_eq!(second["data"]["standups"]["pageInfo"]["hasNextPage"], false);
    let ranged = app
        .graphql_as(
            &f.eve.token,
            history,
            json!({ "team": f.team, "filter": { "from": "2026-11-05T00:00:00Z", "to": "2026-11-15T08:00:00Z" } }),
        )
        .await;
    assert_eq!(page(&ranged), [runs[1].clone()], "{ranged}");
    let bobs = app
        .graphql_as(
            &f.eve.token,
            history,
            json!({ "team": f.team, "filter": { "userId": f.bob.user_id } }),
        )
        .await;
    assert_eq!(
        page(&bobs),
        [runs[2].clone(), runs[1].clone(), runs[0].clone()],
        "{bobs}"
    );
    for bad in [0, 101] {
        let body = app
            .graphql_as(
                &f.eve.token,
                history,
                json!({ "team": f.team, "first": bad }),
            )
            .await;
        assert_eq!(
            (error_code(&body), field(&body)),
            ("BAD_USER_INPUT", "first"),
            "{body}"
        );
    }
    let body = app
        .graphql_as(
            &f.eve.token,
            history,
            json!({ "team": f.team, "after": "garbage" }),
        )
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "after"),
        "{body}"
    );

    let stats = "query($team: ID!, $from: DateTime, $to: DateTime) { teamParticipation(teamId: $team, from: $from, to: $to) { user { id email } standups answered skipped missed responseRate currentStreak } }";
    let body = app
        .graphql_as(&f.eve.token, stats, json!({ "team": f.team }))
        .await;
    let rows = body["data"]["teamParticipation"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    // By name: both are "Ada Lovelace" in these tests, then by id; find each.
    let of = |rows: &[Value], who: &SignedUp| -> Value {
        rows.iter()
            .find(|r| r["user"]["id"] == who.user_id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(rows.len(), 2, "{body}");
    let ada = of(rows, &f.ada);
    assert_eq!(
        (
            ada["standups"].clone(),
            ada["answered"].clone(),
            ada["currentStreak"].clone(),
            ada["responseRate"].clone()
        ),
        (json!(3), json!(3), json!(3), json!(1.0)),
        "{ada}"
    );
    let bob = of(rows, &f.bob);
    assert_eq!(
        (
            bob["standups"].clone(),
            bob["answered"].clone(),
            bob["skipped"].clone(),
            bob["missed"].clone(),
            bob["currentStreak"].clone()
        ),
        (json!(3), json!(1), json!(1), json!(1), json!(1)),
        "{bob}"
    );
    assert!((bob["responseRate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let body = app
        .graphql_as(
            &f.eve.token,
            stats,
            json!({ "team": f.team, "to": "2026-11-10T00:00:00Z" }),
        )
        .await;
    let bob = of(
        body["data"]["teamParticipation"].as_array().unwrap(),
        &f.bob,
    );
    assert_eq!(
        (
            bob["standups"].clone(),
            bob["answered"].clone(),
            bob["currentStreak"].clone(),
            bob["responseRate"].clone()
        ),
        (json!(2), json!(0), json!(0), json!(0.0)),
        "{body}"
    );

    // A page of standups costs the same statements for one standup or four.
    let counter = schema_server::db::StatementCounter::default();
    let mut state = app.state.clone();
    state.pool = schema_server::db::build_pool(
        &app.database_url,
        &schema_server::db::PoolOptions {
            max_size: 2,
            statement_counter: Some(counter.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let caller = state.jwt.verify(&f.eve.token).unwrap();
    let schema = api::graphql::build_schema(Some(state), api::graphql::Limits::default());
    let query = "query($team: ID!, $filter: StandupFilter) { standups(teamId: $team, first: 10, filter: $filter) { edges { node { id team { name } config { name participants { id } } questions { prompt } participations { user { name } state answers { question { prompt } text } } myParticipation { state } digest { text } } } } }";
    let mut costs = Vec::new();
    for (filter, size) in [
        (
            json!({ "from": "2026-11-15T00:00:00Z", "to": "2026-11-16T00:00:00Z" }),
            1,
        ),
        (json!({}), 4),
    ] {
        let before = counter.get();
        let response = async_graphql::Schema::execute(
            &schema,
            async_graphql::Request::new(query)
                .variables(async_graphql::Variables::from_json(
                    json!({ "team": f.team, "filter": filter }),
                ))
                .data(api::state::RequestMeta::default())
                .data(api::auth::AuthState::Verified(caller)),
        )
        .await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data = response.data.into_json().unwrap();
        assert_eq!(data["standups"]["edges"].as_array().unwrap().len(), size);
        costs.push(counter.get() - before);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements per standups page: {costs:?}"
    );
    assert!(costs[0] <= 10, "statements per standups page: {costs:?}");
}

#[tokio::test]
async fn a_subscription_ends_when_its_member_is_suspended() {
    let app = TestApp::spawn_with(&[("SUBSCRIPTION_RECHECK_SECS", "1")]).await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let team = crate::teams::create_team(&app, &owner.token, "Platform").await;
    let (mut ws, ack) = WsClient::init(&app.address, Some(&member.token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    until_live(&mut ws, || {
        app.state.events.publish(event(
            StandupEventKind::Opened,
            &owner.org_id,
            &team,
            uuid::Uuid::new_v4(),
        ))
    })
    .await;

    let body = app
        .graphql_as(
            &owner.token,
            "mutation($id: ID!) { suspendMember(userId: $id) { status } }",
            json!({ "id": member.user_id }),
        )
        .await;
    assert_eq!(
        body["data"]["suspendMember"]["status"], "SUSPENDED",
        "{body}"
    );
    match ws.next(Duration::from_secs(5)).await {
        Incoming::Message(m) => assert_eq!(m["type"], "complete", "{m}"),
        other => panic!("expected the subscription to complete, got {other:?}"),
    }
}

#[tokio::test]
async fn subscriptions_survive_a_lost_rabbitmq_connection() {
    let a = TestApp::spawn().await;
    let b = a.spawn_replica().await;
    let owner = a.sign_up("owner@a.example", "A").await;
    let team = crate::teams::create_team(&a, &owner.token, "Platform").await;
    let (mut ws, ack) = WsClient::init(&a.address, Some(&owner.token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    let publish = || {
        b.state.events.publish(event(
            StandupEventKind::Opened,
            &owner.org_id,
            &team,
            uuid::Uuid::new_v4(),
        ))
    };
    until_live(&mut ws, publish).await;

    // Replica A loses RabbitMQ (its server-named queue goes with the connection): it
    // connects again, declares and binds a new queue, and the subscription carries on.
    a.state.broker.drop_connection().await;
    assert!(!a.state.broker.is_connected().await);
    until_live(&mut ws, publish).await;
    assert!(a.state.broker.is_connected().await);
}

#[tokio::test]
async fn the_last_two_answers_at_once_close_the_standup_once() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, true).await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;
    let (ada, bob) = tokio::join!(
        app.graphql_as(&f.ada.token, SUBMIT, answers(&id, &q, &["a", "none", ""])),
        app.graphql_as(&f.bob.token, SUBMIT, answers(&id, &q, &["b", "none", ""])),
    );
    assert!(
        ada["errors"].is_null() && bob["errors"].is_null(),
        "{ada} {bob}"
    );
    assert_eq!(read(&app, &f.eve.token, &id).await["state"], "CLOSED");
    assert_eq!(
        count(&app, "SELECT 1 FROM outbox WHERE kind = 'compile_digest'").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'standup.closed'"
        )
        .await,
        1
    );
}

/// With close-when-all-answered, the last pending participant leaving (suspended, or
/// removed) is the last response the standup waited for: it closes, with its audit row and
/// its digest job, as when the last answer comes in.
#[tokio::test]
async fn the_last_pending_participant_leaving_closes_a_standup_that_closes_when_all_answered() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, true).await;
    for (leave, mutation) in [
        (
            "suspend",
            "mutation($id: ID!) { suspendMember(userId: $id) { status } }",
        ),
        ("remove", "mutation($id: ID!) { removeMember(userId: $id) }"),
    ] {
        let (id, q) = start(&app, &f.owner.token, &f.config).await;
        let body = app
            .graphql_as(
                &f.ada.token,
                SUBMIT,
                answers(&id, &q, &["Shipped", "None", ""]),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(read(&app, &f.owner.token, &id).await["state"], "OPEN");

        let body = app
            .graphql_as(&f.owner.token, mutation, json!({ "id": f.bob.user_id }))
            .await;
        assert!(body["errors"].is_null(), "{leave}: {body}");
        let standup = read(&app, &f.owner.token, &id).await;
        assert_eq!(standup["state"], "CLOSED", "{leave}: {standup}");
        assert_eq!(
            count(&app, &format!("SELECT 1 FROM audit_events WHERE action = 'standup.closed' AND target_id = '{id}'")).await,
            1,
            "{leave}"
        );
        assert_eq!(
            count(&app, &format!("SELECT 1 FROM outbox WHERE kind = 'compile_digest' AND payload->'job'->'payload'->>'standup_id' = '{id}'")).await,
            1,
            "{leave}"
        );
        if leave == "suspend" {
            let body = app
                .graphql_as(
                    &f.owner.token,
                    "mutation($id: ID!) { reactivateMember(userId: $id) { status } }",
                    json!({ "id": f.bob.user_id }),
                )
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
    }
}
