//! One-click answer links, late answers and one-click unsubscribe, end to end: the real
//! api, a worker and the file mailer. The tokens are taken from the `.eml` files the
//! worker wrote, as a person would click them.
//!
//! - `answering_and_editing_through_the_link_then_late_then_refused`: answer and edit
//!   through the e-mail's link without signing in; after the close, within the late
//!   window, the answer is stored as late (the standup page shows it, the webhook gets a
//!   `standup.late_answer` event, the digest is not sent again); after the window the
//!   link refuses.
//! - `a_link_opens_its_own_participation_and_nothing_else`: no other person's answers,
//!   no other standup, no session (`organization`, `viewer`, `standup` refuse the
//!   token), a tampered token is NOT_FOUND, and the token is nowhere in the database.
//! - `one_click_unsubscribe_stops_that_kind_only`: a POST to the `List-Unsubscribe` URL
//!   turns "standup asked" e-mails off for that person; the next standup mails the
//!   others and not them, while their digest still comes; the account's preferences show
//!   it and turn it back on.

use crate::helpers::*;
use crate::members::join;
use crate::standup_loop::{Receiver, settle};
use crate::teams::{add_member, create_team};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::time::Duration;

const CLOSE: &str = "mutation($id: ID!) { closeStandup(standupId: $id) { id state } }";
const LINK: &str = "query($token: String!) { answerLink(token: $token) { acceptsAnswersUntil lateAnswersMinutes \
     standup { id name state closesAt closedAt localDate timezone questions { id prompt required } } \
     participation { user { id name } state late answers { question { id } text } } } }";
const SUBMIT: &str = "mutation($token: String!, $answers: [AnswerInput!]!) { submitAnswersByLink(token: $token, answers: $answers) { state late answers { text } } }";
const SKIP: &str = "mutation($token: String!, $reason: String) { skipByLink(token: $token, reason: $reason) { state skipReason } }";

pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    pub(crate) owner: SignedUp,
    bob: SignedUp,
    cleo: SignedUp,
    config: String,
    _worker: WorkerHandle,
}

/// An organization with Bob and Cleo asked in a config with e-mail and (when given) a
/// webhook, and a 60-minute late window; a worker sends the e-mails.
pub(crate) async fn fixture(webhook: Option<&str>) -> Fixture {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@links.example", "Links").await;
    let bob = join(&app, &owner, "bob@links.example", "MEMBER").await;
    let cleo = join(&app, &owner, "cleo@links.example", "MEMBER").await;
    let team = create_team(&app, &owner.token, "Platform").await;
    for who in [&bob, &cleo] {
        add_member(&app, &owner.token, &team, &who.user_id).await;
    }
    let mut input = json!({
        "teamId": team, "name": "Daily", "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
        "timeOfDay": "09:00", "timezone": "UTC", "responseWindowMinutes": 60,
        "delivery": ["EMAIL"], "lateAnswersMinutes": 60,
        "questions": [
            { "prompt": "What did you do?", "kind": "TEXT" },
            { "prompt": "Anything blocking you?", "kind": "BLOCKER", "required": false }
        ],
        "participantIds": [bob.user_id, cleo.user_id],
    });
    if let Some(url) = webhook {
        input["delivery"] = json!(["EMAIL", "WEBHOOK"]);
        input["webhookUrl"] = json!(url);
    }
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id lateAnswersMinutes } }",
            json!({ "input": input }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createStandupConfig failed: {body}"))
        .to_string();
    assert_eq!(
        body["data"]["createStandupConfig"]["lateAnswersMinutes"],
        60
    );
    if webhook.is_some() {
        let rotated = app
            .graphql_as(
                &owner.token,
                "mutation($id: ID!) { rotateWebhookSecret(configId: $id) { secret } }",
                json!({ "id": config }),
            )
            .await;
        assert!(rotated["errors"].is_null(), "{rotated}");
    }
    let worker = app.start_worker().await;
    Fixture {
        app,
        owner,
        bob,
        cleo,
        config,
        _worker: worker,
    }
}

/// Starts a run now; its id and question ids.
pub(crate) async fn start(f: &Fixture) -> (String, Vec<String>) {
    crate::standups::start(&f.app, &f.owner.token, &f.config).await
}

/// The e-mails to `to` about standup `id` with `subject` in their subject, soft line
/// breaks and header folding undone.
fn mails_about(app: &TestApp, to: &str, id: &str, subject: &str) -> Vec<String> {
    app.emails_to(to, "")
        .into_iter()
        .map(|m| m.replace("=\r\n", "").replace("\r\n ", " "))
        .filter(|m| m.contains(&format!("/standups/{id}")))
        .filter(|m| {
            m.lines()
                .any(|l| l.starts_with("Subject: ") && l.contains(subject))
        })
        .collect()
}

async fn wait_for_mail(app: &TestApp, to: &str, id: &str, subject: &str) -> String {
    for _ in 0..200 {
        if let Some(mail) = mails_about(app, to, id, subject).pop() {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no {subject:?} e-mail to {to} about {id}; have: {:#?}",
        app.emails()
    );
}

/// What follows `marker` up to the first character a token or URL does not hold.
fn after<'a>(mail: &'a str, marker: &str) -> &'a str {
    let start = mail
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in {mail}"))
        + marker.len();
    let rest = &mail[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// The answer-link token of the "is open" e-mail to `to` about standup `id`.
pub(crate) async fn link_token(app: &TestApp, to: &str, id: &str) -> String {
    let mail = wait_for_mail(app, to, id, "is open").await;
    let token = after(&mail, "/answer/").to_string();
    assert_eq!(token.len(), 43, "{mail}");
    token
}

fn answers(questions: &[String], texts: &[&str]) -> Value {
    json!(
        questions
            .iter()
            .zip(texts)
            .map(|(q, t)| json!({ "questionId": q, "text": t }))
            .collect::<Vec<_>>()
    )
}

/// The error's `extensions.code`, or a panic showing the body.
fn code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {body}"))
        .to_string()
}

async fn exec(app: &TestApp, sql: &str) {
    let mut db = app.db().await;
    diesel::sql_query(sql).execute(&mut db).await.unwrap();
}

#[tokio::test]
async fn answering_and_editing_through_the_link_then_late_then_refused() {
    let receiver = Receiver::start(0).await;
    let f = fixture(Some(&receiver.url)).await;
    let app = &f.app;
    let (standup, questions) = start(&f).await;
    let token = link_token(app, "bob@links.example", &standup).await;

    // Signed out: the link alone shows the questions and Bob's own (empty) answers.
    let body = app.graphql(LINK, json!({ "token": token })).await;
    assert!(body["errors"].is_null(), "{body}");
    let link = &body["data"]["answerLink"];
    assert_eq!(link["standup"]["id"], standup.as_str());
    assert_eq!(link["standup"]["state"], "OPEN");
    assert_eq!(
        link["standup"]["questions"][0]["prompt"],
        "What did you do?"
    );
    assert_eq!(link["participation"]["user"]["id"], f.bob.user_id.as_str());
    assert_eq!(link["participation"]["state"], "PENDING");
    assert_eq!(link["lateAnswersMinutes"], 60);
    let closes: chrono::DateTime<chrono::Utc> = link["standup"]["closesAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let until: chrono::DateTime<chrono::Utc> = link["acceptsAnswersUntil"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(until - closes, chrono::TimeDelta::minutes(60));

    // Answer, then edit.
    let body = app
        .graphql(
            SUBMIT,
            json!({ "token": token, "answers": answers(&questions, &["Shipped the importer", ""]) }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["submitAnswersByLink"]["state"], "ANSWERED");
    assert_eq!(body["data"]["submitAnswersByLink"]["late"], false);
    let body = app
        .graphql(
            SUBMIT,
            json!({ "token": token, "answers": answers(&questions, &["Shipped the importer and its docs", "Waiting on review"]) }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.graphql(LINK, json!({ "token": token })).await;
    let mine = &body["data"]["answerLink"]["participation"]["answers"];
    assert_eq!(mine[0]["text"], "Shipped the importer and its docs");
    assert_eq!(mine[1]["text"], "Waiting on review");
    // The same rules as submitAnswers: a required question needs an answer.
    let body = app
        .graphql(
            SUBMIT,
            json!({ "token": token, "answers": answers(&questions, &["  ", "x"]) }),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "answers");

    // The owner closes it: the digest goes out (e-mail and webhook) once.
    let body = app
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": standup }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    wait_for_mail(app, "cleo@links.example", &standup, "Digest").await;

    // Cleo answers late through her link: accepted, marked late.
    let cleo_token = link_token(app, "cleo@links.example", &standup).await;
    let body = app
        .graphql(
            SUBMIT,
            json!({ "token": cleo_token, "answers": answers(&questions, &["Late but here", ""]) }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["submitAnswersByLink"]["late"], true);
    let page = app
        .graphql_as(
            &f.owner.token,
            "query($id: ID!) { standup(id: $id) { state participations { user { id } state late lateAt } } }",
            json!({ "id": standup }),
        )
        .await;
    let rows = page["data"]["standup"]["participations"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"));
    let late_of = |user: &str| {
        rows.iter()
            .find(|p| p["user"]["id"] == user)
            .map(|p| (p["state"].clone(), p["late"].clone()))
            .unwrap()
    };
    assert_eq!(late_of(&f.cleo.user_id), (json!("ANSWERED"), json!(true)));
    assert_eq!(late_of(&f.bob.user_id), (json!("ANSWERED"), json!(false)));

    // The webhook hears of the late answer; the digest is not sent again.
    let mut events = Vec::new();
    for _ in 0..200 {
        events = receiver
            .received()
            .iter()
            .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
            .collect::<Vec<_>>();
        if events.iter().any(|e| e["event"] == "standup.late_answer") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let late = events
        .iter()
        .find(|e| e["event"] == "standup.late_answer")
        .unwrap_or_else(|| panic!("no late_answer event: {events:?}"));
    assert_eq!(late["participant"]["id"], f.cleo.user_id.as_str());
    assert_eq!(late["answers"][0]["text"], "Late but here");
    assert!(receiver.received().iter().all(|r| r.signature.is_some()));
    settle().await;
    assert_eq!(
        mails_about(app, "bob@links.example", &standup, "Digest").len(),
        1,
        "the digest is sent once"
    );
    let digests = receiver
        .received()
        .iter()
        .filter(|r| serde_json::from_slice::<Value>(&r.body).unwrap()["event"] == "standup.digest")
        .count();
    assert_eq!(digests, 1);

    // Once the late window has passed (the close moved an hour and a minute back), the
    // link still shows the answers but takes no more.
    exec(
        app,
        &format!(
            "UPDATE standups SET closed_at = now() - interval '61 minutes' WHERE id = '{standup}'"
        ),
    )
    .await;
    let body = app
        .graphql(
            SUBMIT,
            json!({ "token": token, "answers": answers(&questions, &["Too late", ""]) }),
        )
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("took late answers until"),
        "{body}"
    );
    let body = app
        .graphql(SKIP, json!({ "token": token, "reason": "ill" }))
        .await;
    assert_eq!(code(&body), "CONFLICT", "{body}");
    let body = app.graphql(LINK, json!({ "token": token })).await;
    assert_eq!(
        body["data"]["answerLink"]["participation"]["answers"][0]["text"],
        "Shipped the importer and its docs"
    );
}

#[tokio::test]
async fn a_link_opens_its_own_participation_and_nothing_else() {
    let f = fixture(None).await;
    let app = &f.app;
    let (first, questions) = start(&f).await;
    let token = link_token(app, "bob@links.example", &first).await;
    // Cleo answers in the web app; Bob's link never shows it.
    let body = app
        .graphql_as(
            &f.cleo.token,
            "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state } }",
            json!({ "input": { "standupId": first, "answers": answers(&questions, &["Cleo's secret plan", ""]) } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.graphql(LINK, json!({ "token": token })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(!body.to_string().contains("secret plan"), "{body}");
    assert!(!body.to_string().contains("cleo@"), "{body}");

    // The link's standup has no participations, team, config or digest to ask for.
    for field in [
        "participations { answers { text } }",
        "team { name }",
        "config { id }",
        "digest { text }",
        "myParticipation { state }",
    ] {
        let body = app
            .graphql(
                &format!(
                    "query($token: String!) {{ answerLink(token: $token) {{ standup {{ {field} }} }} }}"
                ),
                json!({ "token": token }),
            )
            .await;
        assert!(
            body["data"].is_null() || body["data"]["answerLink"].is_null(),
            "{field}: {body}"
        );
        assert!(!body.to_string().contains("secret plan"), "{body}");
    }

    // Skipping through the link skips Bob's own participation only.
    let body = app
        .graphql(SKIP, json!({ "token": token, "reason": "Out sick" }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["skipByLink"]["state"], "SKIPPED");

    // A second standup: the first link still opens the first one only.
    let (second, _) = start(&f).await;
    let second_token = link_token(app, "bob@links.example", &second).await;
    assert_ne!(second_token, token);
    let body = app.graphql(LINK, json!({ "token": token })).await;
    assert_eq!(body["data"]["answerLink"]["standup"]["id"], first.as_str());
    let body = app.graphql(LINK, json!({ "token": second_token })).await;
    assert_eq!(body["data"]["answerLink"]["standup"]["id"], second.as_str());
    assert_eq!(
        body["data"]["answerLink"]["participation"]["state"],
        "PENDING"
    );

    // A link is not a session.
    for query in [
        "{ organization { id name } }",
        "{ viewer { user { id } } }",
        "{ myStandups { id } }",
        "{ teams { id } }",
    ] {
        let body = app.graphql_as(&token, query, json!({})).await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{query}: {body}");
    }
    let body = app
        .graphql_as(
            &token,
            "query($id: ID!) { standup(id: $id) { id } }",
            json!({ "id": first }),
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");

    // A tampered, truncated or made-up token is NOT_FOUND, and changes nothing.
    let mut tampered = token.clone().into_bytes();
    tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for bad in [
        tampered.as_str(),
        &token[..42],
        &format!("{token}A"),
        "not-a-token",
        "",
    ] {
        let body = app.graphql(LINK, json!({ "token": bad })).await;
        assert_eq!(code(&body), "NOT_FOUND", "{bad}: {body}");
        let body = app
            .graphql(
                SUBMIT,
                json!({ "token": bad, "answers": answers(&questions, &["x", ""]) }),
            )
            .await;
        assert_eq!(code(&body), "NOT_FOUND", "{bad}: {body}");
    }
    // A suspended member's link opens nothing either.
    let body = app
        .graphql_as(
            &f.owner.token,
            "mutation($id: ID!) { suspendMember(userId: $id) { status } }",
            json!({ "id": f.bob.user_id }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.graphql(LINK, json!({ "token": token })).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");

    // The token is stored nowhere in clear (nor hex-encoded): only its SHA-256.
    let mut db = app.db().await;
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        name: String,
    }
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .load(&mut db)
    .await
    .unwrap();
    assert!(tables.iter().any(|t| t.name == "answer_links"));
    let hex: String = token.bytes().map(|b| format!("{b:02x}")).collect();
    for table in &tables {
        let n: N = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM \"{}\" t WHERE t::text LIKE $1 OR t::text LIKE $2",
            table.name
        ))
        .bind::<Text, _>(format!("%{token}%"))
        .bind::<Text, _>(format!("%{hex}%"))
        .get_result(&mut db)
        .await
        .unwrap();
        assert_eq!(n.n, 0, "the token is in {}", table.name);
    }
    let n: N = diesel::sql_query(
        "SELECT count(*) AS n FROM answer_links WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind::<Text, _>(&token)
    .get_result(&mut db)
    .await
    .unwrap();
    assert_eq!(n.n, 1, "stored as its SHA-256");
}

/// The `List-Unsubscribe` URL of `mail`, checking the RFC 8058 headers.
fn unsubscribe_url(mail: &str) -> String {
    assert!(
        mail.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{mail}"
    );
    let start = mail
        .find("List-Unsubscribe: <")
        .unwrap_or_else(|| panic!("no List-Unsubscribe in {mail}"))
        + "List-Unsubscribe: <".len();
    let end = mail[start..].find('>').unwrap() + start;
    mail[start..end].to_string()
}

#[tokio::test]
async fn one_click_unsubscribe_stops_that_kind_only() {
    let f = fixture(None).await;
    let app = &f.app;
    let (first, _) = start(&f).await;
    let mail = wait_for_mail(app, "bob@links.example", &first, "is open").await;
    let url = unsubscribe_url(&mail);
    assert!(url.starts_with(&app.url("/unsubscribe/")), "{url}");

    // A GET changes nothing (link scanners open URLs); the one-click POST does.
    let client = reqwest::Client::new();
    let page = client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    const PREFS: &str =
        "{ viewer { user { notificationPreferences { standupAsked reminder digest } } } }";
    let body = app.graphql_as(&f.bob.token, PREFS, json!({})).await;
    assert_eq!(
        body["data"]["viewer"]["user"]["notificationPreferences"],
        json!({ "standupAsked": true, "reminder": true, "digest": true })
    );
    let done = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let body = app.graphql_as(&f.bob.token, PREFS, json!({})).await;
    assert_eq!(
        body["data"]["viewer"]["user"]["notificationPreferences"],
        json!({ "standupAsked": false, "reminder": true, "digest": true })
    );
    // A made-up token: 404, nothing changes.
    let bad = client
        .post(app.url("/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);

    // The next standup: Cleo is asked by e-mail, Bob is not; Bob still gets the digest.
    let (second, _) = start(&f).await;
    wait_for_mail(app, "cleo@links.example", &second, "is open").await;
    let body = app
        .graphql_as(&f.owner.token, CLOSE, json!({ "id": second }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let digest = wait_for_mail(app, "bob@links.example", &second, "Digest").await;
    assert!(unsubscribe_url(&digest).contains("/unsubscribe/"));
    settle().await;
    assert!(
        mails_about(app, "bob@links.example", &second, "is open").is_empty(),
        "Bob unsubscribed from standup e-mails"
    );

    // Another person's preferences are not readable; Bob turns his back on.
    let body = app
        .graphql_as(
            &f.owner.token,
            "query($id: ID!) { standup(id: $id) { participations { user { id notificationPreferences { digest } } } } }",
            json!({ "id": second }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    for row in body["data"]["standup"]["participations"]
        .as_array()
        .unwrap()
    {
        assert!(row["user"]["notificationPreferences"].is_null(), "{body}");
    }
    let body = app
        .graphql_as(
            &f.bob.token,
            "mutation { updateNotificationPreferences(input: { standupAsked: true, reminder: false }) { standupAsked reminder digest } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["updateNotificationPreferences"],
        json!({ "standupAsked": true, "reminder": false, "digest": true }),
        "{body}"
    );
    let (third, _) = start(&f).await;
    wait_for_mail(app, "bob@links.example", &third, "is open").await;
}
