//! Standups delivered in Slack, end to end: the api, the worker (in this process), real
//! PostgreSQL and RabbitMQ, and the fake Slack recording every Web API call.
//!
//! - `matched_participants_are_asked_reminded_and_closed_in_slack_and_the_digest_goes_to_the_channel`
//! - `under_rate_limits_and_errors_every_dm_goes_out_once_and_other_workspaces_do_not_wait`
//!   (the fault run: 429 on 30 % and 500 on 5 % of one workspace's calls)
//! - `a_dead_token_disconnects_the_workspace_and_the_participants_get_e_mail`
//!
//! The first and the last capture the worker's logs (a `tracing` subscriber for this
//! test's thread, where the in-process worker runs) and check the bot token is in none.

use crate::fake_slack::{self, FakeSlack, Team};
use crate::helpers::*;
use crate::members::join;
use crate::slack::{app_with, install};
use crate::slack_interactivity::{answer_text, assert_closed, click, participation_of, submission};
use crate::standup_loop::{mails, questions, settle, wait_for_mails};
use crate::teams::{add_member, add_people, count, create_team};
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CREATE_CONFIG: &str =
    "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }";
const START_NOW: &str = "mutation($id: ID!) { startStandupNow(configId: $id) { id } }";
const CLOSE: &str = "mutation($id: ID!) { closeStandup(standupId: $id) { id } }";
const DIGEST_CHANNEL: &str = "C0DIGEST";

/// Log lines written while the guard lives, by tasks on this thread (the in-process
/// worker's), at debug and below.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Self::default();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "debug,worker=trace,schema_server=trace",
            ))
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A worker on the app, with the fake's `SLACK_*` settings.
async fn slack_worker(app: &TestApp, slack: &FakeSlack, extra: &[(&str, &str)]) -> WorkerHandle {
    let settings = slack.settings();
    let mut vars: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.extend_from_slice(extra);
    app.start_worker_with(&vars).await
}

/// Matches `org`'s members to the people of the fake's workspace that `token` belongs to,
/// as the install and the daily job do; returns how many matched.
async fn match_members(app: &TestApp, slack: &FakeSlack, org: &str, token: &str) -> usize {
    let client = schema_server::slack::SlackClient::new(&format!("{}/api", slack.url)).unwrap();
    let mut db = app.db().await;
    schema_server::slack::sync_members(
        &mut db,
        &client,
        schema::ids::OrganizationId(org.parse().unwrap()),
        token,
    )
    .await
    .unwrap()
}

/// A config of `team` asking `participants`, delivered as `delivery` (`'EMAIL', 'SLACK_DM'`
/// …), its digest going to DIGEST_CHANNEL when SLACK_CHANNEL is among them; created
/// through GraphQL, so the organization must be connected to Slack first.
async fn config(
    app: &TestApp,
    owner: &SignedUp,
    team: &str,
    participants: &[&str],
    delivery: &str,
) -> String {
    let delivery: Vec<&str> = delivery
        .split(',')
        .map(|d| d.trim().trim_matches('\''))
        .collect();
    let channel = delivery
        .contains(&"SLACK_CHANNEL")
        .then(|| json!({ "id": DIGEST_CHANNEL, "name": "standups" }));
    let body = app
        .graphql_as(
            &owner.token,
            CREATE_CONFIG,
            json!({ "input": {
                "teamId": team,
                "name": "Daily",
                "questions": questions(),
                "weekdays": ["MON"],
                "timeOfDay": "09:00",
                "timezone": "Europe/Berlin",
                "responseWindowMinutes": 60,
                "reminderMinutesBefore": 15,
                "delivery": delivery,
                "slackChannel": channel,
                "participantIds": participants,
            } }),
        )
        .await;
    body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createStandupConfig failed: {body}"))
        .to_owned()
}

async fn start_now(app: &TestApp, owner: &SignedUp, config: &str) -> uuid::Uuid {
    let body = app
        .graphql_as(&owner.token, START_NOW, json!({ "id": config }))
        .await;
    body["data"]["startStandupNow"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("startStandupNow failed: {body}"))
        .parse()
        .unwrap()
}

/// Polls (up to `secs`) until `check` holds.
async fn wait_until(what: &str, secs: u64, mut check: impl FnMut() -> bool) {
    for _ in 0..secs * 10 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The successful `chat.postMessage` calls to `channel`.
fn posts_to(slack: &FakeSlack, channel: &str) -> Vec<Value> {
    slack
        .succeeded("chat.postMessage")
        .into_iter()
        .filter(|c| c.form.get("channel").map(String::as_str) == Some(channel))
        .map(|c| c.json)
        .collect()
}

/// The `action_id`s and values of a message's buttons.
fn buttons(message: &Value) -> Vec<(String, String)> {
    message["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .map(|e| {
            (
                e["action_id"].as_str().unwrap_or_default().to_owned(),
                e["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn matched_participants_are_asked_reminded_and_closed_in_slack_and_the_digest_goes_to_the_channel()
 {
    let (logs, _capture) = Logs::capture();
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, "bob@dm.example", "MEMBER").await;
    let cleo = join(&app, &ada, "cleo@dm.example", "MEMBER").await;
    slack.add_users(
        fake_slack::TEAM_ID,
        &[
            ("UADA", ada.email.as_str()),
            ("UBOB", "BOB@dm.example"),
            ("UOTHER", "someone@elsewhere.example"),
        ],
    );
    slack.add_channels(fake_slack::TEAM_ID, &[(DIGEST_CHANNEL, "standups")]);
    install(&app, &ada).await;
    assert_eq!(
        match_members(&app, &slack, &ada.org_id, fake_slack::BOT_TOKEN).await,
        2
    );
    let team = create_team(&app, &ada.token, "Platform").await;
    for who in [&ada, &bob, &cleo] {
        add_member(&app, &ada.token, &team, &who.user_id).await;
    }
    let config = config(
        &app,
        &ada,
        &team,
        &[&ada.user_id, &bob.user_id, &cleo.user_id],
        "'EMAIL', 'SLACK_DM', 'SLACK_CHANNEL'",
    )
    .await;
    let _worker = slack_worker(&app, &slack, &[]).await;

    // It opens: Ada and Bob get one DM each with Answer and Skip, Cleo the e-mail.
    let id = start_now(&app, &ada, &config).await;
    wait_until("the DMs", 20, || {
        slack.succeeded("chat.postMessage").len() >= 2
    })
    .await;
    wait_for_mails(&app, &cleo.email, "Daily: your standup", id).await;
    settle().await;
    for slack_user in ["UADA", "UBOB"] {
        let dms = posts_to(&slack, &format!("D{slack_user}"));
        assert_eq!(dms.len(), 1, "{slack_user}: {dms:?}");
        assert_eq!(
            buttons(&dms[0]),
            [
                ("answer".to_owned(), id.to_string()),
                ("skip".to_owned(), id.to_string())
            ]
        );
        let text = dms[0].to_string();
        assert!(text.contains("What did you do?"), "{text}");
        assert!(
            text.contains("<!date^"),
            "the deadline on the reader's clock: {text}"
        );
    }
    assert_eq!(slack.succeeded("chat.postMessage").len(), 2);
    assert_eq!(slack.succeeded("conversations.open").len(), 2);
    assert_eq!(mails(&app, &ada.email, "Daily: your standup", id), 0);
    assert_eq!(mails(&app, &bob.email, "Daily: your standup", id), 0);
    assert_eq!(mails(&app, &cleo.email, "Daily: your standup", id), 1);

    // Bob answers in Slack: his DM's Answer button (a signed click) opens the modal with
    // the questions...
    let interactivity = app.url("/slack/interactivity");
    let bob_dm = posts_to(&slack, "DUBOB");
    let (action, value) = buttons(&bob_dm[0]).remove(0);
    let (status, _) = slack
        .send_interaction(&interactivity, &click("UBOB", &action, &value))
        .await;
    assert_eq!(status, 200);
    let opened = slack.succeeded("views.open");
    assert_eq!(opened.len(), 1, "one modal");
    let view = &opened[0].json["view"];
    assert!(view.to_string().contains("What did you do?"), "{view}");
    let inputs: Vec<String> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "input")
        .map(|b| b["block_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(inputs.len(), 2, "one input per question: {view}");
    // ... a required answer left blank comes back as that field's error, nothing stored...
    let (status, answer) = slack
        .send_interaction(
            &interactivity,
            &submission(
                "UBOB",
                "standup_answers",
                &id.to_string(),
                &[(&inputs[0], "  "), (&inputs[1], "Waiting on <ops>")],
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["response_action"], "errors", "{answer}");
    assert!(answer["errors"][&inputs[0]].is_string(), "{answer}");
    assert_eq!(count(&app, "SELECT 1 FROM answers").await, 0);
    // ... and the full answers are stored, as the web would show them.
    let (status, answer) = slack
        .send_interaction(
            &interactivity,
            &submission(
                "UBOB",
                "standup_answers",
                &id.to_string(),
                &[
                    (&inputs[0], "Shipped <the> Slack & DMs"),
                    (&inputs[1], "Waiting on <ops>"),
                ],
            ),
        )
        .await;
    assert_closed(status, &answer);
    let bob_now = participation_of(&app, &ada.token, &id.to_string(), &bob.email).await;
    assert_eq!(bob_now["state"], "ANSWERED", "{bob_now}");
    assert_eq!(
        answer_text(&bob_now, &inputs[0]).as_deref(),
        Some("Shipped <the> Slack & DMs")
    );

    // The reminder reaches only those pending: Ada in her DM's thread, Cleo by e-mail.
    let mut db = app.db().await;
    diesel::sql_query("UPDATE standups SET remind_at = now() WHERE id = $1::uuid")
        .bind::<Text, _>(id.to_string())
        .execute(&mut db)
        .await
        .unwrap();
    wait_for_mails(&app, &cleo.email, "Reminder: Daily", id).await;
    wait_until("Ada's reminder", 20, || {
        posts_to(&slack, "DUADA").len() >= 2
    })
    .await;
    settle().await;
    let ada_dm = posts_to(&slack, "DUADA");
    assert_eq!(ada_dm.len(), 2, "{ada_dm:?}");
    let reminder = &ada_dm[1];
    let thread = reminder["thread_ts"]
        .as_str()
        .expect("a reply in the DM's thread");
    assert_eq!(
        count(
            &app,
            &format!("SELECT 1 FROM slack_messages WHERE kind = 'open' AND channel = 'DUADA' AND ts = '{thread}'")
        )
        .await,
        1
    );
    assert_eq!(
        posts_to(&slack, "DUBOB").len(),
        1,
        "Bob answered: no reminder"
    );
    assert_eq!(mails(&app, &ada.email, "Reminder: Daily", id), 0);

    // Closed: both DMs updated (no buttons), the digest in the channel.
    let body = app.graphql_as(&ada.token, CLOSE, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    wait_until("the DMs' update and the digest", 20, || {
        slack.succeeded("chat.update").len() >= 2 && !posts_to(&slack, DIGEST_CHANNEL).is_empty()
    })
    .await;
    settle().await;
    let updates = slack.succeeded("chat.update");
    assert_eq!(updates.len(), 2);
    let by_channel: HashMap<String, Value> = updates
        .iter()
        .map(|c| (c.form["channel"].clone(), c.json.clone()))
        .collect();
    assert!(by_channel["DUBOB"].to_string().contains("You answered"));
    assert!(by_channel["DUADA"].to_string().contains("Missed"));
    for update in by_channel.values() {
        assert!(buttons(update).is_empty(), "{update}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM slack_messages WHERE kind = 'open' AND closed_state IS NOT NULL"
        )
        .await,
        2
    );
    let digest = posts_to(&slack, DIGEST_CHANNEL);
    assert_eq!(digest.len(), 1);
    let text = digest[0].to_string();
    assert!(
        text.contains("Shipped &lt;the&gt; Slack &amp; DMs"),
        "escaped: {text}"
    );
    assert!(!text.contains("<the>"), "{text}");
    let sections: Vec<&str> = digest[0]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section")
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert!(sections[0].contains("Blockers"), "{sections:?}");
    assert!(
        sections[0].contains("Waiting on &lt;ops&gt;"),
        "{sections:?}"
    );
    wait_for_mails(&app, &cleo.email, "Digest: Daily", id).await;

    let logs = logs.text();
    assert!(
        logs.contains("slack_standup"),
        "the worker's logs were captured"
    );
    assert!(
        !logs.contains(fake_slack::BOT_TOKEN),
        "the bot token is in the logs"
    );
}

/// An organization of `people` members (straight into the database: signing up is slow),
/// in one team, with a SLACK_DM config asking all of them; installed in `team` of the
/// fake, every member matched. Returns the owner and the config.
async fn slack_org(
    app: &TestApp,
    slack: &FakeSlack,
    owner_email: &str,
    workspace: &Team,
    people: usize,
) -> (SignedUp, String) {
    let owner = app.sign_up(owner_email, &workspace.name).await;
    let team = create_team(app, &owner.token, "Everyone").await;
    let prefix = workspace.id.to_lowercase();
    add_people(app, &owner.org_id, &team, &prefix, "fault.example", people).await;
    let mut db = app.db().await;
    let users: Vec<(String, String)> = (1..=people)
        .map(|n| {
            (
                format!("U{}{n}", workspace.id),
                format!("{prefix}-{n}@fault.example"),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = users
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    slack.add_users(&workspace.id, &pairs);
    slack.install_as(workspace.clone());
    install(app, &owner).await;
    assert_eq!(
        match_members(app, slack, &owner.org_id, &workspace.token).await,
        people
    );
    let config = config(app, &owner, &team, &[], "'SLACK_DM'").await;
    diesel::sql_query(format!(
        "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
         SELECT '{org}', '{config}', '{team}', user_id FROM team_members WHERE team_id = '{team}'
         ON CONFLICT DO NOTHING",
        org = owner.org_id
    ))
    .execute(&mut db)
    .await
    .unwrap();
    (owner, config)
}

#[tokio::test]
async fn under_rate_limits_and_errors_every_dm_goes_out_once_and_other_workspaces_do_not_wait() {
    const A_STANDUPS: usize = 100;
    const B_STANDUPS: usize = 10;
    const PEOPLE: usize = 10;
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let a = Team::new("TFAULTY", "Faulty", "xoxb-faulty-workspace-token");
    let b = Team::new("TCALM", "Calm", "xoxb-calm-workspace-token");
    let (owner_a, config_a) = slack_org(&app, &slack, "owner@faulty.example", &a, PEOPLE).await;
    let (owner_b, config_b) = slack_org(&app, &slack, "owner@calm.example", &b, PEOPLE).await;
    slack.set_faults(&a.token, 0.30, 0.05);
    slack.clear_calls();

    let _worker = slack_worker(
        &app,
        &slack,
        &[
            ("WORKER_RETRY_DELAYS", "1s,2s,5s"),
            ("DATABASE_POOL_SIZE", "16"),
        ],
    )
    .await;
    let mut standups = Vec::new();
    for _ in 0..A_STANDUPS {
        standups.push(start_now(&app, &owner_a, &config_a).await);
    }
    for _ in 0..B_STANDUPS {
        standups.push(start_now(&app, &owner_b, &config_b).await);
    }

    let dms = |token: &str| {
        slack
            .succeeded("chat.postMessage")
            .into_iter()
            .filter(|c| c.token() == Some(token))
            .collect::<Vec<_>>()
    };
    wait_until("every DM", 300, || {
        dms(&a.token).len() >= A_STANDUPS * PEOPLE && dms(&b.token).len() >= B_STANDUPS * PEOPLE
    })
    .await;
    settle().await;

    // Exactly once per person and standup, counted in the fake.
    let mut per_dm: HashMap<(String, String), usize> = HashMap::new();
    for call in dms(&a.token).iter().chain(dms(&b.token).iter()) {
        let standup = buttons(&call.json)
            .into_iter()
            .next()
            .map(|(_, value)| value)
            .unwrap_or_default();
        *per_dm
            .entry((call.form["channel"].clone(), standup))
            .or_default() += 1;
    }
    assert_eq!(per_dm.len(), (A_STANDUPS + B_STANDUPS) * PEOPLE);
    assert!(per_dm.values().all(|n| *n == 1), "a DM posted twice");
    assert_eq!(
        count(&app, "SELECT 1 FROM slack_messages WHERE kind = 'open'").await,
        i64::try_from((A_STANDUPS + B_STANDUPS) * PEOPLE).unwrap()
    );
    // The faults did happen, and nothing was parked.
    let calls_a = slack
        .calls("chat.postMessage")
        .into_iter()
        .chain(slack.calls("conversations.open"));
    let statuses: Vec<u16> = calls_a
        .filter(|c| c.token() == Some(a.token.as_str()))
        .map(|c| c.status)
        .collect();
    assert!(
        statuses.contains(&429) && statuses.contains(&500),
        "no faults injected"
    );
    assert_eq!(count(&app, "SELECT 1 FROM failed_jobs").await, 0);
    // No e-mail instead of a DM.
    let opened: Vec<String> = app
        .emails()
        .into_iter()
        .filter(|m| m.contains("your standup"))
        .collect();
    assert!(opened.is_empty(), "{} standup e-mails", opened.len());
    // The calm workspace did not wait for the faulty one.
    let last = |token: &str| dms(token).iter().map(|c| c.at).max().unwrap();
    assert!(
        last(&b.token) < last(&a.token),
        "workspace B's last DM came after workspace A's"
    );
    assert_eq!(standups.len(), A_STANDUPS + B_STANDUPS);
}

/// Ada (the owner) and Bob (`bob_email`), both matched in the fake's workspace, installed
/// through OAuth, in one team with a SLACK_DM config asking both.
struct Pair {
    slack: FakeSlack,
    app: TestApp,
    ada: SignedUp,
    bob: SignedUp,
    config: String,
}

async fn pair(bob_email: &str) -> Pair {
    let slack = FakeSlack::start().await;
    let app = app_with(&slack).await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, bob_email, "MEMBER").await;
    slack.add_users(
        fake_slack::TEAM_ID,
        &[("UADA", ada.email.as_str()), ("UBOB", bob.email.as_str())],
    );
    install(&app, &ada).await;
    assert_eq!(
        match_members(&app, &slack, &ada.org_id, fake_slack::BOT_TOKEN).await,
        2
    );
    let team = create_team(&app, &ada.token, "Platform").await;
    for who in [&ada, &bob] {
        add_member(&app, &ada.token, &team, &who.user_id).await;
    }
    let config = config(
        &app,
        &ada,
        &team,
        &[&ada.user_id, &bob.user_id],
        "'SLACK_DM'",
    )
    .await;
    Pair {
        slack,
        app,
        ada,
        bob,
        config,
    }
}

#[tokio::test]
async fn a_dead_token_disconnects_the_workspace_and_the_participants_get_e_mail() {
    let (logs, _capture) = Logs::capture();
    let Pair {
        slack,
        app,
        ada,
        bob,
        config,
    } = pair("bob@dead.example").await;
    // Slack revoked the token, and told us nothing.
    slack.revoke(fake_slack::BOT_TOKEN);
    let _worker = slack_worker(&app, &slack, &[]).await;
    let id = start_now(&app, &ada, &config).await;

    for who in [&ada, &bob] {
        wait_for_mails(&app, &who.email, "Daily: your standup", id).await;
    }
    settle().await;
    for who in [&ada, &bob] {
        assert_eq!(mails(&app, &who.email, "Daily: your standup", id), 1);
    }
    assert!(slack.succeeded("chat.postMessage").is_empty());
    assert_eq!(count(&app, "SELECT 1 FROM slack_workspaces").await, 0);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT 1 FROM audit_events WHERE action = 'slack.token_dead' AND org_id = '{}' AND summary->>'teamId' = '{}'",
                ada.org_id,
                fake_slack::TEAM_ID
            )
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT 1 FROM failed_jobs").await, 0);
    let body = app
        .graphql_as(
            &ada.token,
            "{ organization { slackIntegration { workspaceName } } }",
            json!({}),
        )
        .await;
    assert!(
        body["data"]["organization"]["slackIntegration"].is_null(),
        "{body}"
    );

    // The next standup goes by e-mail without calling Slack.
    slack.clear_calls();
    let next = start_now(&app, &ada, &config).await;
    for who in [&ada, &bob] {
        wait_for_mails(&app, &who.email, "Daily: your standup", next).await;
    }
    assert!(slack.calls("chat.postMessage").is_empty());

    let logs = logs.text();
    assert!(
        logs.contains("token is dead"),
        "the worker's logs were captured"
    );
    assert!(
        !logs.contains(fake_slack::BOT_TOKEN),
        "the bot token is in the logs"
    );
}

#[tokio::test]
async fn after_app_uninstalled_the_next_standup_goes_by_e_mail() {
    let Pair {
        slack,
        app,
        ada,
        bob,
        config,
    } = pair("bob@uninstalled.example").await;
    let _worker = slack_worker(&app, &slack, &[]).await;

    // While installed, both are asked in Slack.
    let first = start_now(&app, &ada, &config).await;
    wait_until("both DMs", 30, || {
        slack.succeeded("chat.postMessage").len() == 2
    })
    .await;
    assert_eq!(mails(&app, &ada.email, "Daily: your standup", first), 0);

    // Someone removes the app in Slack; Slack tells us, signed.
    let (status, _) = slack
        .send_event(
            &app.url("/slack/events"),
            &json!({
                "type": "event_callback", "team_id": fake_slack::TEAM_ID, "api_app_id": "A0APP",
                "event": { "type": "app_uninstalled" }, "event_id": "Ev0UNINSTALL", "event_time": 1
            }),
        )
        .await;
    assert_eq!(status, 200);
    let body = app
        .graphql_as(
            &ada.token,
            "{ organization { slackIntegration { workspaceName } } }",
            json!({}),
        )
        .await;
    assert!(
        body["data"]["organization"]["slackIntegration"].is_null(),
        "the integration shows as disconnected: {body}"
    );
    let audit = app
        .graphql_as(
            &ada.token,
            "{ auditLog(first: 20) { edges { node { action } } } }",
            json!({}),
        )
        .await;
    assert!(
        audit.to_string().contains("slack.disconnected_by_slack"),
        "{audit}"
    );

    // The next standup goes by e-mail, and Slack is not called.
    slack.clear_calls();
    let next = start_now(&app, &ada, &config).await;
    for who in [&ada, &bob] {
        wait_for_mails(&app, &who.email, "Daily: your standup", next).await;
    }
    settle().await;
    assert!(slack.calls("chat.postMessage").is_empty());
    assert!(slack.calls("conversations.open").is_empty());
}
