//! The standup loop end to end: real PostgreSQL, RabbitMQ, the api, the worker (its
//! scheduler on a test clock) and the file mailer, plus a local webhook receiver.
//!
//! - `a_scheduled_standup_opens_notifies_reminds_closes_and_delivers_its_digest`: a
//!   config created through GraphQL comes due on the test clock, opens once, mails each
//!   participant once, takes an answer and a skip through GraphQL, reminds only those
//!   who have not answered, and at the deadline compiles the digest (answered, skipped,
//!   missing), mails it and POSTs it signed to the receiver, which verifies it.
//! - `two_workers_and_a_restart_open_and_send_everything_once`: two workers (two
//!   schedulers) at once, one stopped and another started mid-cycle, a webhook receiver
//!   that fails first: still one standup and one e-mail per person and kind.
//! - `when_everyone_responded_the_standup_closes_early_and_its_digest_follows`.
//! - `after_downtime_only_the_latest_missed_run_opens`.
//! - `members_who_left_get_no_reminder_or_digest_of_a_standup_open_when_they_left`.

use crate::helpers::*;
use crate::members::join;
use crate::teams::{add_member, create_team};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use worker::ManualClock;

const CREATE_CONFIG: &str =
    "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }";
const STANDUP: &str = "query($id: ID!) { standup(id: $id) { id state questions { id prompt kind } participations { user { id } state } digest { answered skipped missing text deliveredAt } } }";
const SUBMIT: &str =
    "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }";
const SKIP: &str = "mutation($id: ID!, $reason: String) { skipStandup(standupId: $id, reason: $reason) { state } }";

/// One request the webhook receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub(crate) signature: Option<String>,
    pub(crate) body: Vec<u8>,
}

/// A tiny HTTP/1.1 server on 127.0.0.1:0 that records every POST and answers 500 to the
/// first `fail_first` of them, 200 to the others.
pub(crate) struct Receiver {
    pub(crate) url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) async fn start(fail_first: usize) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::<Received>::new()));
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buf = [0_u8; 8192];
                    let (head_end, length) = loop {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        data.extend_from_slice(&buf[..n]);
                        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&data[..end]).to_string();
                            let length = header(&head, "content-length")
                                .and_then(|v| v.parse::<usize>().ok())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                    };
                    while data.len() < head_end + length {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            break;
                        }
                        data.extend_from_slice(&buf[..n]);
                    }
                    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
                    let count = {
                        let mut log = log.lock().unwrap();
                        log.push(Received {
                            signature: header(&head, "x-asyncstand-signature"),
                            body: data[head_end..].to_vec(),
                        });
                        log.len()
                    };
                    let status = if count <= fail_first {
                        "500 Internal Server Error"
                    } else {
                        "200 OK"
                    };
                    let _ = socket
                        .write_all(
                            format!(
                                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                            )
                            .as_bytes(),
                        )
                        .await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Receiver { url, received }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

/// An organization with a team of three (Ada the owner, Bob, Cleo) and a daily 09:00 UTC
/// standup config asking all three, created through GraphQL.
struct Fixture {
    app: TestApp,
    ada: SignedUp,
    bob: SignedUp,
    cleo: SignedUp,
    config: String,
    /// The config's first run (its `next_run_at`).
    run: DateTime<Utc>,
    secret: String,
}

/// The fixture's questions: what one did, and a blocker question.
pub(crate) fn questions() -> Value {
    json!([
        { "prompt": "What did you do?", "kind": "TEXT", "required": true },
        { "prompt": "Anything blocking you?", "kind": "BLOCKER", "required": false },
    ])
}

/// Ada (the owner), Bob and Cleo (members, e-mails `{bob,cleo}@{domain}`), named so,
/// and their team "Platform" of the three.
pub(crate) async fn three_people_and_a_team(
    app: &TestApp,
    domain: &str,
) -> (SignedUp, SignedUp, SignedUp, String) {
    let ada = app.signed_up_owner().await;
    let bob = join(app, &ada, &format!("bob@{domain}"), "MEMBER").await;
    let cleo = join(app, &ada, &format!("cleo@{domain}"), "MEMBER").await;
    let mut db = app.db().await;
    for (who, name) in [(&ada, "Ada"), (&bob, "Bob"), (&cleo, "Cleo")] {
        diesel::sql_query("UPDATE users SET name = $1 WHERE id = $2::uuid")
            .bind::<Text, _>(name)
            .bind::<Text, _>(&who.user_id)
            .execute(&mut db)
            .await
            .unwrap();
    }
    let team = create_team(app, &ada.token, "Platform").await;
    for who in [&ada, &bob, &cleo] {
        add_member(app, &ada.token, &team, &who.user_id).await;
    }
    (ada, bob, cleo, team)
}

async fn fixture(webhook: &str) -> Fixture {
    let app = TestApp::spawn().await;
    let (ada, bob, cleo, team) = three_people_and_a_team(&app, "loop.example").await;
    let mut db = app.db().await;
    let body = app
        .graphql_as(
            &ada.token,
            CREATE_CONFIG,
            json!({ "input": {
                "teamId": team,
                "name": "Daily",
                "questions": questions(),
                "weekdays": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
                "timeOfDay": "09:00",
                "timezone": "UTC",
                "responseWindowMinutes": 60,
                "reminderMinutesBefore": 15,
                "delivery": ["EMAIL", "WEBHOOK"],
                "webhookUrl": webhook,
                "participantIds": [ada.user_id, bob.user_id, cleo.user_id],
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createStandupConfig failed: {body}"))
        .to_string();
    // The receiver learns the signing secret the way an admin does: by rotating it.
    let rotated = app
        .graphql_as(
            &ada.token,
            "mutation($id: ID!) { rotateWebhookSecret(configId: $id) { secret } }",
            json!({ "id": config }),
        )
        .await;
    let secret = rotated["data"]["rotateWebhookSecret"]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("rotateWebhookSecret failed: {rotated}"))
        .to_string();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        next_run_at: Option<DateTime<Utc>>,
    }
    let row: Row = diesel::sql_query("SELECT next_run_at FROM standup_configs WHERE id = $1::uuid")
        .bind::<Text, _>(&config)
        .get_result(&mut db)
        .await
        .unwrap();
    Fixture {
        app,
        ada,
        bob,
        cleo,
        config,
        run: row.next_run_at.expect("an active config has a next run"),
        secret,
    }
}

#[derive(diesel::QueryableByName, Debug)]
struct StandupRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Timestamptz)]
    scheduled_for: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    digest_delivered_at: Option<DateTime<Utc>>,
}

async fn standups_of(app: &TestApp, config: &str) -> Vec<StandupRow> {
    let mut db = app.db().await;
    diesel::sql_query(
        "SELECT id, scheduled_for, state, digest_delivered_at FROM standups
         WHERE config_id = $1::uuid ORDER BY scheduled_for",
    )
    .bind::<Text, _>(config)
    .load(&mut db)
    .await
    .unwrap()
}

/// Polls (up to 20 s) until `check` holds for the config's standups.
async fn wait_until(
    app: &TestApp,
    config: &str,
    what: &str,
    check: impl Fn(&[StandupRow]) -> bool,
) -> Vec<StandupRow> {
    for _ in 0..200 {
        let rows = standups_of(app, config).await;
        if check(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        standups_of(app, config).await
    );
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut db = app.db().await;
    let n: N = diesel::sql_query(format!("SELECT count(*) AS n FROM ({sql}) AS q"))
        .get_result(&mut db)
        .await
        .unwrap();
    n.n
}

/// The e-mails to `to` that link to standup `id` (quoted-printable soft line breaks
/// undone, so a wrapped link still counts).
fn about(app: &TestApp, to: &str, id: uuid::Uuid) -> Vec<String> {
    let link = format!("/standups/{id}");
    app.emails_to(to, "")
        .into_iter()
        .map(|m| m.replace("=\r\n", ""))
        .filter(|m| m.contains(&link))
        .collect()
}

/// E-mails of `kind` (a subject prefix) about standup `id` to `to`.
pub(crate) fn mails(app: &TestApp, to: &str, subject: &str, id: uuid::Uuid) -> usize {
    about(app, to, id)
        .iter()
        .filter(|m| {
            m.lines()
                .any(|l| l.starts_with("Subject: ") && l["Subject: ".len()..].starts_with(subject))
        })
        .count()
}

pub(crate) async fn wait_for_mails(app: &TestApp, to: &str, subject: &str, id: uuid::Uuid) {
    for _ in 0..200 {
        if mails(app, to, subject, id) > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {subject:?} e-mail to {to} about {id}; have: {:#?}",
        app.emails()
    );
}

/// Gives the pipeline time to do anything it should not (a second e-mail, a second run).
pub(crate) async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

pub(crate) async fn submit(app: &TestApp, who: &SignedUp, standup: uuid::Uuid, answers: &[&str]) {
    let body = app
        .graphql_as(&who.token, STANDUP, json!({ "id": standup }))
        .await;
    let questions = body["data"]["standup"]["questions"]
        .as_array()
        .unwrap_or_else(|| panic!("standup not readable: {body}"))
        .clone();
    let answers: Vec<Value> = questions
        .iter()
        .zip(answers)
        .map(|(q, text)| json!({ "questionId": q["id"], "text": text }))
        .collect();
    let body = app
        .graphql_as(
            &who.token,
            SUBMIT,
            json!({ "input": { "standupId": standup, "answers": answers } }),
        )
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
}

async fn skip(app: &TestApp, who: &SignedUp, standup: uuid::Uuid, reason: &str) {
    let body = app
        .graphql_as(&who.token, SKIP, json!({ "id": standup, "reason": reason }))
        .await;
    assert_eq!(body["data"]["skipStandup"]["state"], "SKIPPED", "{body}");
}

#[tokio::test]
async fn a_scheduled_standup_opens_notifies_reminds_closes_and_delivers_its_digest() {
    let receiver = Receiver::start(0).await;
    let f = fixture(&receiver.url).await;
    let app = &f.app;
    let mut events = app.state.events.subscribe();
    events_live(app, &mut events, &f.ada.org_id).await;
    let clock = ManualClock::new(f.run - TimeDelta::minutes(1));
    let _worker = app.start_worker_with_clock(&clock, &[]).await;

    // Not due yet: nothing opens.
    settle().await;
    assert!(standups_of(app, &f.config).await.is_empty());

    // 09:00 on the test clock: the run opens, once, and everyone is told, once.
    clock.set(f.run);
    let rows = wait_until(app, &f.config, "the run to open", |rows| !rows.is_empty()).await;
    let id = rows[0].id;
    assert_eq!(rows[0].scheduled_for, f.run);
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Daily: your standup", id).await;
    }
    let opened = about(app, &f.bob.email, id);
    assert!(
        opened[0].contains(&format!("{}/standups/{id}", app.address)),
        "the answer link: {}",
        opened[0]
    );
    // The deadline on the team's clock, its zone named (09:00 + the 60-minute window).
    let closes = (f.run + chrono::TimeDelta::minutes(60))
        .format("%a %-d %b %Y, %H:%M (UTC)")
        .to_string();
    assert!(
        opened[0].contains(&closes),
        "{closes:?} not in {}",
        opened[0]
    );

    // Bob answers; the reminder (at 09:45) reaches Ada and Cleo only.
    submit(app, &f.bob, id, &["Shipped the scheduler", "none"]).await;
    clock.set(f.run + TimeDelta::minutes(45));
    for who in [&f.ada, &f.cleo] {
        wait_for_mails(app, &who.email, "Reminder: Daily", id).await;
    }

    // Cleo skips after the reminder; Ada never answers.
    skip(app, &f.cleo, id, "On leave").await;

    // 10:00: the standup closes, the digest is stored, mailed and POSTed.
    clock.set(f.run + TimeDelta::minutes(60));
    let rows = wait_until(app, &f.config, "the webhook delivery", |rows| {
        rows.first()
            .is_some_and(|r| r.digest_delivered_at.is_some())
    })
    .await;
    assert_eq!(rows[0].state, "CLOSED");
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Digest: Daily", id).await;
    }
    let digest_mail = about(app, &f.ada.email, id)
        .into_iter()
        .find(|m| m.contains("Subject: Digest: Daily"))
        .unwrap();
    assert!(
        digest_mail.contains("Shipped the scheduler"),
        "{digest_mail}"
    );
    assert!(
        digest_mail.contains("text/html"),
        "text and html parts: {digest_mail}"
    );

    let body = app
        .graphql_as(&f.ada.token, STANDUP, json!({ "id": id }))
        .await;
    let digest = &body["data"]["standup"]["digest"];
    assert_eq!(digest["answered"], 1, "{body}");
    assert_eq!(digest["skipped"], 1, "{body}");
    assert_eq!(digest["missing"], 1, "{body}");
    let text = digest["text"].as_str().unwrap();
    for expected in ["Bob", "Shipped the scheduler", "Cleo", "On leave", "Ada"] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }

    // The receiver got one POST, signed with the rotated secret (and, for the overlap
    // after a rotation, with the one it replaced).
    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let signature = received[0]
        .signature
        .as_deref()
        .expect("a signature header");
    assert_eq!(signature.matches("v1=").count(), 2, "{signature}");
    schema_server::webhook::verify(
        f.secret.as_bytes(),
        signature,
        &received[0].body,
        Utc::now().timestamp(),
        schema_server::webhook::DEFAULT_TOLERANCE_SECS,
    )
    .expect("the signature verifies");
    let posted: Value = serde_json::from_slice(&received[0].body).unwrap();
    assert_eq!(posted["standup"]["id"], id.to_string());
    assert_eq!(posted["team"]["name"], "Platform");
    assert_eq!(posted["digest"]["answered"], 1);
    assert_eq!(posted["digest"]["missing"], 1);

    // Exactly once each: one opening e-mail each, reminders only to Ada and Cleo, one
    // digest each, one standup.
    settle().await;
    for who in [&f.ada, &f.bob, &f.cleo] {
        assert_eq!(mails(app, &who.email, "Daily: your standup", id), 1);
        assert_eq!(mails(app, &who.email, "Digest: Daily", id), 1);
    }
    assert_eq!(mails(app, &f.ada.email, "Reminder: Daily", id), 1);
    assert_eq!(mails(app, &f.cleo.email, "Reminder: Daily", id), 1);
    assert_eq!(mails(app, &f.bob.email, "Reminder: Daily", id), 0);
    assert_eq!(standups_of(app, &f.config).await.len(), 1);
    assert_eq!(receiver.received().len(), 1);

    // The worker's OPENED and CLOSED reached the api through RabbitMQ, once each, between
    // the api's own ANSWER_SUBMITTED and SKIPPED.
    assert_eq!(
        kinds_of(&mut events, id),
        ["OPENED", "ANSWER_SUBMITTED", "SKIPPED", "CLOSED"]
    );
}

#[tokio::test]
async fn members_who_left_get_no_reminder_or_digest_of_a_standup_open_when_they_left() {
    let receiver = Receiver::start(0).await;
    let f = fixture(&receiver.url).await;
    let app = &f.app;
    let clock = ManualClock::new(f.run);
    let _worker = app.start_worker_with_clock(&clock, &[]).await;
    let rows = wait_until(app, &f.config, "the run to open", |rows| !rows.is_empty()).await;
    let id = rows[0].id;
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Daily: your standup", id).await;
    }

    // Bob answers and is then removed; Cleo has not answered when she is suspended.
    submit(app, &f.bob, id, &["Shipped the importer", "none"]).await;
    let removed = app
        .graphql_as(
            &f.ada.token,
            "mutation($id: ID!) { removeMember(userId: $id) }",
            json!({ "id": f.bob.user_id }),
        )
        .await;
    assert_eq!(removed["data"]["removeMember"], true, "{removed}");
    let suspended = app
        .graphql_as(
            &f.ada.token,
            "mutation($id: ID!) { suspendMember(userId: $id) { status } }",
            json!({ "id": f.cleo.user_id }),
        )
        .await;
    assert_eq!(
        suspended["data"]["suspendMember"]["status"], "SUSPENDED",
        "{suspended}"
    );
    // Cleo's participation ended (it is no longer pending); Bob's answer stays.
    let body = app
        .graphql_as(&f.ada.token, STANDUP, json!({ "id": id }))
        .await;
    let mut states: Vec<(String, String)> = body["data"]["standup"]["participations"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|p| {
            (
                p["user"]["id"].as_str().unwrap().to_string(),
                p["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    states.sort();
    let mut expected = vec![
        (f.ada.user_id.clone(), "PENDING".to_string()),
        (f.bob.user_id.clone(), "ANSWERED".to_string()),
    ];
    expected.sort();
    assert_eq!(states, expected, "{body}");

    // The reminder reaches Ada only; the digest is mailed to Ada only, keeps Bob's
    // answer, and does not count Cleo as missing.
    clock.set(f.run + TimeDelta::minutes(45));
    wait_for_mails(app, &f.ada.email, "Reminder: Daily", id).await;
    clock.set(f.run + TimeDelta::minutes(60));
    wait_until(app, &f.config, "the webhook delivery", |rows| {
        rows.first()
            .is_some_and(|r| r.digest_delivered_at.is_some())
    })
    .await;
    wait_for_mails(app, &f.ada.email, "Digest: Daily", id).await;
    settle().await;
    for who in [&f.bob, &f.cleo] {
        assert_eq!(
            mails(app, &who.email, "Reminder: Daily", id),
            0,
            "{}",
            who.email
        );
        assert_eq!(
            mails(app, &who.email, "Digest: Daily", id),
            0,
            "{}",
            who.email
        );
    }
    let body = app
        .graphql_as(&f.ada.token, STANDUP, json!({ "id": id }))
        .await;
    let digest = &body["data"]["standup"]["digest"];
    assert_eq!(digest["answered"], 1, "{body}");
    assert_eq!(digest["missing"], 1, "only Ada: {body}");
    let text = digest["text"].as_str().unwrap();
    assert!(text.contains("Shipped the importer"), "{text}");
    assert!(!text.contains("Cleo"), "{text}");
}

/// Waits until the api's event queue is bound (a probe it publishes comes back), so no
/// later event can be missed.
async fn events_live(
    app: &TestApp,
    events: &mut tokio::sync::broadcast::Receiver<Arc<schema::events::StandupEvent>>,
    org: &str,
) {
    let probe = uuid::Uuid::new_v4();
    for _ in 0..50 {
        app.state.events.publish(schema::events::StandupEvent {
            kind: schema::events::StandupEventKind::Opened,
            org_id: org.parse().unwrap(),
            team_id: uuid::Uuid::new_v4().into(),
            standup_id: probe.into(),
            user_id: None,
            at: Utc::now(),
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        if !kinds_of(events, probe).is_empty() {
            return;
        }
    }
    panic!("the api's event queue never went live");
}

/// The kinds of the events about `standup` received so far, in order.
fn kinds_of(
    events: &mut tokio::sync::broadcast::Receiver<Arc<schema::events::StandupEvent>>,
    standup: uuid::Uuid,
) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        if event.standup_id.as_uuid() == standup {
            kinds.push(event.kind.as_str());
        }
    }
    kinds
}

#[tokio::test]
async fn when_everyone_responded_the_standup_closes_early_and_its_digest_follows() {
    let receiver = Receiver::start(0).await;
    let f = fixture(&receiver.url).await;
    let app = &f.app;
    let mut db = app.db().await;
    diesel::sql_query(
        "UPDATE standup_configs SET close_when_all_answered = true WHERE id = $1::uuid",
    )
    .bind::<Text, _>(&f.config)
    .execute(&mut db)
    .await
    .unwrap();
    let clock = ManualClock::new(f.run);
    let _worker = app.start_worker_with_clock(&clock, &[]).await;
    let rows = wait_until(app, &f.config, "the run to open", |rows| !rows.is_empty()).await;
    let id = rows[0].id;

    submit(app, &f.ada, id, &["Reviewed", ""]).await;
    submit(app, &f.bob, id, &["Coded", "waiting for review"]).await;
    skip(app, &f.cleo, id, "Sick").await;

    // The clock never reaches the deadline: the last response closed it.
    let rows = wait_until(app, &f.config, "the webhook delivery", |rows| {
        rows.first()
            .is_some_and(|r| r.digest_delivered_at.is_some())
    })
    .await;
    assert_eq!(rows[0].state, "CLOSED");
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Digest: Daily", id).await;
    }
    settle().await;
    for who in [&f.ada, &f.bob, &f.cleo] {
        assert_eq!(mails(app, &who.email, "Digest: Daily", id), 1);
        assert_eq!(mails(app, &who.email, "Reminder: Daily", id), 0);
    }
    let posted: Value = serde_json::from_slice(&receiver.received()[0].body).unwrap();
    assert_eq!(posted["digest"]["answered"], 2);
    assert_eq!(posted["digest"]["skipped"], 1);
    assert_eq!(posted["digest"]["missing"], 0);
    assert_eq!(receiver.received().len(), 1);

    // The last response's request enqueued compile_digest with its request id as trace
    // id; the worker's follow-up webhook job keeps it, so one id follows the whole chain.
    #[derive(diesel::QueryableByName)]
    struct Traced {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Nullable<Text>)]
        trace_id: Option<String>,
    }
    let traced: Vec<Traced> = diesel::sql_query(
        "SELECT kind, payload->>'trace_id' AS trace_id FROM outbox
         WHERE kind IN ('compile_digest', 'deliver_webhook') AND payload->'job'->'payload'->>'standup_id' = $1
         ORDER BY kind",
    )
    .bind::<Text, _>(id.to_string())
    .load(&mut db)
    .await
    .unwrap();
    let kinds: Vec<&str> = traced.iter().map(|t| t.kind.as_str()).collect();
    assert_eq!(kinds, ["compile_digest", "deliver_webhook"]);
    assert!(
        traced[0].trace_id.is_some(),
        "the request's id is the trace id"
    );
    assert_eq!(traced[1].trace_id, traced[0].trace_id);
}

#[tokio::test]
async fn two_workers_and_a_restart_open_and_send_everything_once() {
    // The receiver refuses the first POST: the pipeline retries it.
    let receiver = Receiver::start(1).await;
    let f = fixture(&receiver.url).await;
    let app = &f.app;
    let clock = ManualClock::new(f.run);
    let mut events = app.state.events.subscribe();
    events_live(app, &mut events, &f.ada.org_id).await;
    let first = app.start_worker_with_clock(&clock, &[]).await;
    let second = app.start_worker_with_clock(&clock, &[]).await;

    let rows = wait_until(app, &f.config, "the run to open", |rows| !rows.is_empty()).await;
    let id = rows[0].id;
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Daily: your standup", id).await;
    }
    submit(app, &f.bob, id, &["Two workers", ""]).await;
    // Two schedulers run; one holds the leader lock.
    assert_eq!(leader_locks(app).await, 1);

    // One worker stops mid-cycle (whichever led, the other takes over), a third starts.
    first.stop().await;
    let third = app.start_worker_with_clock(&clock, &[]).await;
    clock.set(f.run + TimeDelta::minutes(45));
    for who in [&f.ada, &f.cleo] {
        wait_for_mails(app, &who.email, "Reminder: Daily", id).await;
    }
    second.stop().await;
    clock.set(f.run + TimeDelta::minutes(60));
    wait_until(app, &f.config, "the webhook delivery", |rows| {
        rows.first()
            .is_some_and(|r| r.digest_delivered_at.is_some())
    })
    .await;
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Digest: Daily", id).await;
    }
    settle().await;

    assert_eq!(standups_of(app, &f.config).await.len(), 1);
    for who in [&f.ada, &f.bob, &f.cleo] {
        assert_eq!(mails(app, &who.email, "Daily: your standup", id), 1);
        assert_eq!(mails(app, &who.email, "Digest: Daily", id), 1);
    }
    assert_eq!(mails(app, &f.ada.email, "Reminder: Daily", id), 1);
    assert_eq!(mails(app, &f.cleo.email, "Reminder: Daily", id), 1);
    assert_eq!(mails(app, &f.bob.email, "Reminder: Daily", id), 0);
    // One job of each kind was enqueued, whatever the number of schedulers.
    for kind in [
        "notify_standup",
        "remind_standup",
        "compile_digest",
        "deliver_webhook",
    ] {
        assert_eq!(
            count(
                app,
                &format!(
                    "SELECT 1 FROM outbox WHERE kind = '{kind}' AND payload->'job'->'payload'->>'standup_id' = '{id}'"
                )
            )
            .await,
            1,
            "{kind}"
        );
    }
    // Refused once, then delivered: two POSTs, the second accepted.
    assert_eq!(receiver.received().len(), 2);
    let opened = kinds_of(&mut events, id)
        .into_iter()
        .filter(|k| *k == "OPENED")
        .count();
    assert_eq!(opened, 1);
    third.stop().await;
    // The last scheduler stopped: nobody holds the lock.
    assert_eq!(leader_locks(app).await, 0);
}

/// Granted scheduler leader locks in the test's database.
async fn leader_locks(app: &TestApp) -> i64 {
    let key = worker::scheduler::LEADER_LOCK;
    count(
        app,
        &format!(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND classid = {} AND objid = {} AND objsubid = 1",
            (key >> 32) as u32,
            (key & 0xffff_ffff) as u32
        ),
    )
    .await
}

#[tokio::test]
async fn after_downtime_only_the_latest_missed_run_opens() {
    let f = fixture("https://hooks.example.com/standup").await;
    let app = &f.app;
    // The scheduler was down for three days: next_run_at is three runs in the past.
    let mut db = app.db().await;
    diesel::sql_query(
        "UPDATE standup_configs SET next_run_at = $1, delivery = '{EMAIL}' WHERE id = $2::uuid",
    )
    .bind::<Timestamptz, _>(f.run - TimeDelta::days(3))
    .bind::<Text, _>(&f.config)
    .execute(&mut db)
    .await
    .unwrap();
    let clock = ManualClock::new(f.run + TimeDelta::minutes(10));
    let _worker = app.start_worker_with_clock(&clock, &[]).await;

    let rows = wait_until(app, &f.config, "the latest run to open", |rows| {
        !rows.is_empty()
    })
    .await;
    settle().await;
    let rows_after = standups_of(app, &f.config).await;
    assert_eq!(rows_after.len(), 1, "{rows_after:?}");
    assert_eq!(rows[0].scheduled_for, f.run);
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT 1 FROM standup_configs WHERE id = '{}' AND next_run_at = '{}'",
                f.config,
                (f.run + TimeDelta::days(1)).to_rfc3339()
            )
        )
        .await,
        1,
        "the next run is tomorrow's"
    );
}

#[tokio::test]
async fn a_worker_without_the_key_parks_the_webhook_delivery_instead_of_posting_it_unsigned() {
    let receiver = Receiver::start(0).await;
    let f = fixture(&receiver.url).await;
    let app = &f.app;
    let clock = ManualClock::new(f.run);
    // A worker configured with another SECRETS_KEY cannot open the config's secret.
    let other_key = schema_server::secrets::generate_key();
    let _worker = app
        .start_worker_with_clock(
            &clock,
            &[("SECRETS_KEY", &other_key), ("WORKER_MAX_ATTEMPTS", "2")],
        )
        .await;
    let rows = wait_until(app, &f.config, "the run to open", |rows| !rows.is_empty()).await;
    let id = rows[0].id;
    submit(app, &f.bob, id, &["Done", ""]).await;
    clock.set(f.run + TimeDelta::minutes(60));

    // The digest is compiled and mailed; its delivery fails, is retried, then parked
    // where admins see it, naming the cause but not the secret.
    for who in [&f.ada, &f.bob, &f.cleo] {
        wait_for_mails(app, &who.email, "Digest: Daily", id).await;
    }
    let mut parked = Value::Null;
    for _ in 0..100 {
        let body = app
            .graphql_as(
                &f.ada.token,
                "{ failedJobs { edges { node { kind error attempts } } } }",
                json!({}),
            )
            .await;
        parked = body["data"]["failedJobs"]["edges"][0]["node"].clone();
        if !parked.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(parked["kind"], "deliver_webhook", "{parked}");
    assert_eq!(parked["attempts"], 2, "{parked}");
    let error = parked["error"].as_str().unwrap();
    assert!(error.contains("no configured key opens"), "{error}");
    assert!(!error.contains(&f.secret), "{error}");
    assert!(
        receiver.received().is_empty(),
        "posted without a valid signature"
    );
    assert!(
        standups_of(app, &f.config).await[0]
            .digest_delivered_at
            .is_none()
    );
}
