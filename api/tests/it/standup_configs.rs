//! Standup configs: defaults, the schedule (next runs, pause and resume), stable question
//! ids, webhook delivery with a secret that never leaves the server, every input rule
//! (naming its field and storing nothing), the per-team limit and templates.

use crate::helpers::*;
use crate::members::join;
use crate::teams::{add_member, count, create_team, field};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

const FIELDS: &str = "id team { id name } name questions { id prompt kind required } weekdays timeOfDay timezone responseWindowMinutes reminderMinutesBefore delivery webhookUrl active closeWhenAllAnswered participants { id email } nextRunAt nextRuns";
const CONFIG: &str =
    "query($id: ID!, $count: Int) { standupConfig(id: $id) { id nextRuns(count: $count) } }";

fn create_query() -> String {
    format!(
        "mutation($input: CreateStandupConfigInput!) {{ createStandupConfig(input: $input) {{ {FIELDS} }} }}"
    )
}

fn update_query() -> String {
    format!(
        "mutation($id: ID!, $input: UpdateStandupConfigInput!) {{ updateStandupConfig(id: $id, input: $input) {{ {FIELDS} }} }}"
    )
}

/// A valid input for `team`, to which each test makes its change.
fn input(team: &str, participants: &[&str]) -> Value {
    json!({
        "teamId": team,
        "name": "Daily standup",
        "questions": [
            { "prompt": " What did you do yesterday? ", "kind": "TEXT", "required": true },
            { "prompt": "Anything blocking you?", "kind": "BLOCKER", "required": false },
        ],
        "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
        "timeOfDay": "09:30",
        "responseWindowMinutes": 240,
        "reminderMinutesBefore": 60,
        "delivery": ["WEB", "EMAIL"],
        "participantIds": participants,
        "active": true,
    })
}

struct Setup {
    app: TestApp,
    owner: SignedUp,
    member: SignedUp,
    team: String,
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let owner = app.sign_up("owner@a.example", "A").await;
    let member = join(&app, &owner, "member@a.example", "MEMBER").await;
    let team = create_team(&app, &owner.token, "Platform").await;
    add_member(&app, &owner.token, &team, &owner.user_id).await;
    add_member(&app, &owner.token, &team, &member.user_id).await;
    Setup {
        app,
        owner,
        member,
        team,
    }
}

async fn create(s: &Setup, input: Value) -> Value {
    s.app
        .graphql_as(&s.owner.token, &create_query(), json!({ "input": input }))
        .await
}

#[tokio::test]
async fn configs_are_created_with_the_teams_zone_and_their_next_runs() {
    let s = setup().await;
    let body = create(&s, input(&s.team, &[&s.member.user_id])).await;
    let c = &body["data"]["createStandupConfig"];
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(c["team"]["name"], "Platform");
    assert_eq!(c["timezone"], "Europe/Berlin", "the team's zone by default");
    assert_eq!(c["questions"][0]["prompt"], "What did you do yesterday?");
    assert_eq!(c["questions"][1]["kind"], "BLOCKER");
    assert_eq!(c["questions"][1]["required"], false);
    assert_ne!(c["questions"][0]["id"], c["questions"][1]["id"]);
    assert_eq!(c["weekdays"], json!(["MON", "TUE", "WED", "THU", "FRI"]));
    assert_eq!(c["delivery"], json!(["WEB", "EMAIL"]));
    assert_eq!(c["active"], true);
    assert_eq!(c["closeWhenAllAnswered"], false);
    assert_eq!(c["webhookUrl"], Value::Null);
    assert_eq!(
        c["participants"],
        json!([{ "id": s.member.user_id, "email": "member@a.example" }])
    );

    // Five upcoming runs, weekdays 09:30 Berlin time, the first one stored as next_run_at.
    let runs: Vec<chrono::DateTime<chrono::Utc>> = c["nextRuns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(runs.len(), 5, "{body}");
    assert!(runs.windows(2).all(|w| w[0] < w[1]));
    assert!(runs[0] > chrono::Utc::now());
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    for run in &runs {
        let local = run.with_timezone(&berlin);
        assert_eq!(local.format("%H:%M").to_string(), "09:30");
        assert!(chrono::Datelike::weekday(&local).number_from_monday() <= 5);
    }
    assert_eq!(
        c["nextRunAt"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        runs[0]
    );

    // Any member reads it; nextRuns takes a count from 1 to 50.
    let id = c["id"].as_str().unwrap();
    let read = s
        .app
        .graphql_as(&s.member.token, CONFIG, json!({ "id": id, "count": 50 }))
        .await;
    assert_eq!(
        read["data"]["standupConfig"]["nextRuns"]
            .as_array()
            .unwrap()
            .len(),
        50,
        "{read}"
    );
    for bad in [0, 51, -1] {
        let body = s
            .app
            .graphql_as(&s.member.token, CONFIG, json!({ "id": id, "count": bad }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(field(&body), "count");
    }
    // An own zone overrides the team's.
    let mut own = input(&s.team, &[]);
    own["name"] = json!("Tokyo sync");
    own["timezone"] = json!("Asia/Tokyo");
    let tokyo = create(&s, own).await;
    assert_eq!(
        tokyo["data"]["createStandupConfig"]["timezone"], "Asia/Tokyo",
        "{tokyo}"
    );

    assert_eq!(
        count(&s.app, &format!("SELECT 1 FROM audit_events WHERE action = 'standup_config.created' AND target_id = '{id}' AND summary ? 'before' AND summary ? 'after'")).await,
        1
    );
}

#[tokio::test]
async fn config_input_is_checked_field_by_field_and_nothing_is_stored() {
    let s = setup().await;
    let other_org = s.app.sign_up("dave@b.example", "B").await;
    let outsider_team = create_team(&s.app, &other_org.token, "Theirs").await;
    let not_on_team = join(&s.app, &s.owner, "erin@a.example", "MEMBER").await;
    let many_questions: Vec<Value> = (0..21)
        .map(|i| json!({ "prompt": format!("Q{i}"), "kind": "TEXT", "required": true }))
        .collect();

    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        (
            "blank name",
            Box::new(|i| i["name"] = json!(" ")),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            "long name",
            Box::new(|i| i["name"] = json!("n".repeat(101))),
            "BAD_USER_INPUT",
            "name",
        ),
        (
            "no questions",
            Box::new(|i| i["questions"] = json!([])),
            "BAD_USER_INPUT",
            "questions",
        ),
        (
            "21 questions",
            Box::new(move |i| i["questions"] = json!(many_questions.clone())),
            "BAD_USER_INPUT",
            "questions",
        ),
        (
            "blank prompt",
            Box::new(|i| i["questions"][1]["prompt"] = json!("  ")),
            "BAD_USER_INPUT",
            "questions",
        ),
        (
            "long prompt",
            Box::new(|i| i["questions"][0]["prompt"] = json!("p".repeat(501))),
            "BAD_USER_INPUT",
            "questions",
        ),
        (
            "unknown question id",
            Box::new(|i| i["questions"][0]["id"] = json!(uuid::Uuid::new_v4().to_string())),
            "BAD_USER_INPUT",
            "questions",
        ),
        (
            "no weekdays",
            Box::new(|i| i["weekdays"] = json!([])),
            "BAD_USER_INPUT",
            "weekdays",
        ),
        (
            "bad time",
            Box::new(|i| i["timeOfDay"] = json!("9:30")),
            "BAD_USER_INPUT",
            "timeOfDay",
        ),
        (
            "hour 24",
            Box::new(|i| i["timeOfDay"] = json!("24:00")),
            "BAD_USER_INPUT",
            "timeOfDay",
        ),
        (
            "bad zone",
            Box::new(|i| i["timezone"] = json!("Mars/Olympus")),
            "BAD_USER_INPUT",
            "timezone",
        ),
        (
            "short window",
            Box::new(|i| i["responseWindowMinutes"] = json!(14)),
            "BAD_USER_INPUT",
            "responseWindowMinutes",
        ),
        (
            "long window",
            Box::new(|i| i["responseWindowMinutes"] = json!(10081)),
            "BAD_USER_INPUT",
            "responseWindowMinutes",
        ),
        (
            "reminder = window",
            Box::new(|i| i["reminderMinutesBefore"] = json!(240)),
            "BAD_USER_INPUT",
            "reminderMinutesBefore",
        ),
        (
            "negative reminder",
            Box::new(|i| i["reminderMinutesBefore"] = json!(-5)),
            "BAD_USER_INPUT",
            "reminderMinutesBefore",
        ),
        (
            "no channel",
            Box::new(|i| i["delivery"] = json!([])),
            "BAD_USER_INPUT",
            "delivery",
        ),
        (
            "slack dm without slack connected",
            Box::new(|i| i["delivery"] = json!(["WEB", "SLACK_DM"])),
            "BAD_USER_INPUT",
            "delivery",
        ),
        (
            "slack channel without slack connected",
            Box::new(|i| i["delivery"] = json!(["SLACK_CHANNEL"])),
            "BAD_USER_INPUT",
            "delivery",
        ),
        (
            "webhook without url",
            Box::new(|i| i["delivery"] = json!(["WEBHOOK"])),
            "BAD_USER_INPUT",
            "webhookUrl",
        ),
        (
            "webhook ftp url",
            Box::new(|i| {
                i["delivery"] = json!(["WEBHOOK"]);
                i["webhookUrl"] = json!("ftp://x.example/hook");
            }),
            "BAD_USER_INPUT",
            "webhookUrl",
        ),
        (
            "webhook long url",
            Box::new(|i| {
                i["delivery"] = json!(["WEBHOOK"]);
                i["webhookUrl"] = json!(format!("https://x.example/{}", "a".repeat(2000)));
            }),
            "BAD_USER_INPUT",
            "webhookUrl",
        ),
        (
            "participant not on team",
            Box::new(move |i| i["participantIds"] = json!([not_on_team.user_id.clone()])),
            "BAD_USER_INPUT",
            "participantIds",
        ),
        (
            "participant garbage",
            Box::new(|i| i["participantIds"] = json!(["nope"])),
            "BAD_USER_INPUT",
            "participantIds",
        ),
        (
            "another org's team",
            Box::new(move |i| i["teamId"] = json!(outsider_team.clone())),
            "NOT_FOUND",
            "teamId",
        ),
        (
            "garbage team",
            Box::new(|i| i["teamId"] = json!("nope")),
            "NOT_FOUND",
            "teamId",
        ),
    ];
    for (name, change, code, f) in &cases {
        let mut i = input(&s.team, &[&s.owner.user_id]);
        change(&mut i);
        let body = create(&s, i).await;
        assert_eq!(error_code(&body), *code, "{name}: {body}");
        assert_eq!(field(&body), *f, "{name}: {body}");
    }
    let slack = {
        let mut i = input(&s.team, &[]);
        i["delivery"] = json!(["SLACK_DM"]);
        create(&s, i).await
    };
    assert!(
        slack["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("needs Slack connected"),
        "{slack}"
    );
    assert_eq!(count(&s.app, "SELECT 1 FROM standup_configs").await, 0);
    assert_eq!(
        count(&s.app, "SELECT 1 FROM standup_config_participants").await,
        0
    );
    assert_eq!(
        count(
            &s.app,
            "SELECT 1 FROM audit_events WHERE action LIKE 'standup_config.%'"
        )
        .await,
        0
    );

    // The same rules on update; the stored config stays as it was.
    let created = create(&s, input(&s.team, &[&s.owner.user_id])).await;
    let id = created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let updates = [
        (json!({ "name": "" }), "name"),
        (json!({ "questions": [] }), "questions"),
        (json!({ "weekdays": [] }), "weekdays"),
        (json!({ "timeOfDay": "noon" }), "timeOfDay"),
        (json!({ "timezone": "Europe/Atlantis" }), "timezone"),
        (
            json!({ "responseWindowMinutes": 30 }),
            "reminderMinutesBefore",
        ),
        (json!({ "delivery": ["SLACK_DM"] }), "delivery"),
        (json!({ "delivery": ["WEBHOOK"] }), "webhookUrl"),
        (
            json!({ "participantIds": [s.owner.org_id.clone()] }),
            "participantIds",
        ),
    ];
    for (change, f) in updates {
        let body = s
            .app
            .graphql_as(
                &s.owner.token,
                &update_query(),
                json!({ "id": id, "input": change }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{change}: {body}");
        assert_eq!(field(&body), f, "{change}: {body}");
    }
    assert_eq!(
        count(&s.app, &format!("SELECT 1 FROM standup_configs WHERE id = '{id}' AND name = 'Daily standup' AND time_of_day = '09:30' AND timezone = 'Europe/Berlin' AND response_window_minutes = 240 AND delivery = ARRAY['WEB', 'EMAIL']")).await,
        1
    );
    assert_eq!(
        count(&s.app, "SELECT 1 FROM standup_config_participants").await,
        1
    );
    assert_eq!(
        count(
            &s.app,
            "SELECT 1 FROM audit_events WHERE action = 'standup_config.updated'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn question_ids_survive_updates_and_participants_are_replaced() {
    let s = setup().await;
    let created = create(&s, input(&s.team, &[&s.owner.user_id])).await;
    let c = &created["data"]["createStandupConfig"];
    let id = c["id"].as_str().unwrap().to_string();
    let first = c["questions"][0]["id"].clone();
    let second = c["questions"][1]["id"].clone();

    let updated = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": {
                "questions": [
                    { "id": second, "prompt": "Blockers?", "kind": "BLOCKER", "required": true },
                    { "prompt": "How do you feel?", "kind": "MOOD" },
                    { "id": first, "prompt": "Yesterday?", "kind": "TEXT", "required": true },
                ],
                "participantIds": [s.member.user_id],
                "name": "Renamed",
                "closeWhenAllAnswered": true,
            } }),
        )
        .await;
    let u = &updated["data"]["updateStandupConfig"];
    assert!(updated["errors"].is_null(), "{updated}");
    assert_eq!(u["questions"][0]["id"], second);
    assert_eq!(u["questions"][0]["prompt"], "Blockers?");
    assert_eq!(u["questions"][2]["id"], first);
    let new_id = &u["questions"][1]["id"];
    assert!(new_id != &first && new_id != &second && new_id.is_string());
    assert_eq!(u["questions"][1]["kind"], "MOOD");
    assert_eq!(
        u["questions"][1]["required"], true,
        "required defaults to true"
    );
    assert_eq!(
        u["participants"],
        json!([{ "id": s.member.user_id, "email": "member@a.example" }])
    );
    assert_eq!(u["name"], "Renamed");
    assert_eq!(u["closeWhenAllAnswered"], true);
    // Untouched fields keep their values.
    assert_eq!(u["timeOfDay"], "09:30");
    assert_eq!(u["delivery"], json!(["WEB", "EMAIL"]));

    // The same id twice is refused.
    let twice = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "questions": [
                { "id": first, "prompt": "A", "kind": "TEXT" },
                { "id": first, "prompt": "B", "kind": "TEXT" },
            ] } }),
        )
        .await;
    assert_eq!(error_code(&twice), "BAD_USER_INPUT", "{twice}");
    assert_eq!(field(&twice), "questions");

    let audit = count(
        &s.app,
        &format!("SELECT 1 FROM audit_events WHERE action = 'standup_config.updated' AND target_id = '{id}' AND summary->'before'->>'name' = 'Daily standup' AND summary->'after'->>'name' = 'Renamed'"),
    )
    .await;
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn pausing_clears_the_next_run_and_resuming_computes_it_again() {
    let s = setup().await;
    let created = create(&s, input(&s.team, &[])).await;
    let id = created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let paused = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "active": false } }),
        )
        .await;
    let p = &paused["data"]["updateStandupConfig"];
    assert_eq!(p["active"], false, "{paused}");
    assert_eq!(p["nextRunAt"], Value::Null);
    assert_eq!(p["nextRuns"], json!([]));
    assert_eq!(
        count(
            &s.app,
            &format!("SELECT 1 FROM standup_configs WHERE id = '{id}' AND next_run_at IS NULL")
        )
        .await,
        1
    );

    // Resumed on another schedule: the next run follows the new one.
    let resumed = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "active": true, "weekdays": ["SUN", "SAT", "SUN"], "timeOfDay": "18:05", "timezone": "America/New_York" } }),
        )
        .await;
    let r = &resumed["data"]["updateStandupConfig"];
    assert_eq!(r["active"], true, "{resumed}");
    assert_eq!(
        r["weekdays"],
        json!(["SAT", "SUN"]),
        "stored once each, Monday first"
    );
    let next: chrono::DateTime<chrono::Utc> = r["nextRunAt"].as_str().unwrap().parse().unwrap();
    let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let local = next.with_timezone(&ny);
    assert_eq!(local.format("%H:%M %a").to_string()[..5], *"18:05");
    assert!(matches!(
        chrono::Datelike::weekday(&local),
        chrono::Weekday::Sat | chrono::Weekday::Sun
    ));
    assert!(next > chrono::Utc::now() && next < chrono::Utc::now() + chrono::TimeDelta::days(7));
}

#[tokio::test]
async fn webhook_delivery_gets_a_secret_that_never_leaves_the_server() {
    let s = setup().await;
    let mut i = input(&s.team, &[]);
    i["delivery"] = json!(["WEB", "WEBHOOK"]);
    i["webhookUrl"] = json!(" https://hooks.example.com/standups ");
    let created = create(&s, i).await;
    let c = &created["data"]["createStandupConfig"];
    assert_eq!(
        c["webhookUrl"], "https://hooks.example.com/standups",
        "{created}"
    );
    let id = c["id"].as_str().unwrap().to_string();

    #[derive(diesel::QueryableByName)]
    struct Secret {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        webhook_secret: Option<String>,
    }
    let secret = async || {
        let mut db = s.app.db().await;
        diesel::sql_query(format!(
            "SELECT webhook_secret FROM standup_configs WHERE id = '{id}'"
        ))
        .get_result::<Secret>(&mut db)
        .await
        .unwrap()
        .webhook_secret
    };
    let first = secret().await.expect("a secret is generated");
    // Sealed at rest: what the database holds opens, under this config only, to a secret.
    let plain = open_secret(&first, &id).expect("sealed with SECRETS_KEY for this config");
    assert!(plain.starts_with("whsec_") && plain.len() == 70, "{plain}");
    assert!(!first.contains(&plain));
    let other = uuid::Uuid::new_v4().to_string();
    assert!(
        open_secret(&first, &other).is_none(),
        "opens for another config"
    );
    assert!(!created.to_string().contains(&first));
    assert!(!created.to_string().contains(&plain));

    // Kept across an unrelated change; gone with the webhook.
    let renamed = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "name": "Hooked" } }),
        )
        .await;
    assert!(!renamed.to_string().contains(&first));
    assert_eq!(secret().await.as_deref(), Some(first.as_str()));
    let dropped = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "delivery": ["WEB"] } }),
        )
        .await;
    assert_eq!(
        dropped["data"]["updateStandupConfig"]["webhookUrl"],
        Value::Null,
        "{dropped}"
    );
    assert_eq!(secret().await, None);
    // Back on: a new secret.
    let back = s
        .app
        .graphql_as(
            &s.owner.token,
            &update_query(),
            json!({ "id": id, "input": { "delivery": ["WEBHOOK"], "webhookUrl": "http://10.0.0.5:8080/hook" } }),
        )
        .await;
    assert!(back["errors"].is_null(), "{back}");
    let second = secret().await.expect("a new secret");
    assert_ne!(second, first);

    // Never in the audit log either.
    for secret in [&first, &second] {
        assert_eq!(
            count(
                &s.app,
                &format!("SELECT 1 FROM audit_events WHERE summary::text LIKE '%{secret}%'")
            )
            .await,
            0
        );
    }
}

/// Opens a stored webhook secret of config `id` with the tests' `SECRETS_KEY`.
pub(crate) fn open_secret(stored: &str, id: &str) -> Option<String> {
    let key = schema_server::secrets::parse_key(TEST_SECRETS_KEY).unwrap();
    let id: schema::ids::StandupConfigId = id.parse().unwrap();
    schema_server::secrets::SecretBox::new(&key, &[])
        .open(stored, &schema_server::webhook::secret_context(id))
        .ok()
}

#[derive(diesel::QueryableByName)]
pub(crate) struct StoredSecrets {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub webhook_secret: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub webhook_secret_previous: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub webhook_secret_previous_until: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) async fn stored_secrets(app: &TestApp, id: &str) -> StoredSecrets {
    let mut db = app.db().await;
    diesel::sql_query(
        "SELECT webhook_secret, webhook_secret_previous, webhook_secret_previous_until
         FROM standup_configs WHERE id = $1::uuid",
    )
    .bind::<diesel::sql_types::Text, _>(id)
    .get_result(&mut db)
    .await
    .unwrap()
}

/// A config delivering only to a webhook; its id.
async fn create_webhook_config(s: &Setup) -> String {
    let mut i = input(&s.team, &[]);
    i["delivery"] = json!(["WEBHOOK"]);
    i["webhookUrl"] = json!("https://hooks.example.com/a");
    let created = create(s, i).await;
    created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string()
}

const ROTATE: &str = "mutation($id: ID!) { rotateWebhookSecret(configId: $id) { secret previousValidUntil config { id webhookUrl } } }";

#[tokio::test]
async fn admins_rotate_a_webhook_secret_which_is_shown_once_and_the_old_one_signs_for_a_day() {
    let s = setup().await;
    let id = create_webhook_config(&s).await;
    let generated = open_secret(
        &stored_secrets(&s.app, &id).await.webhook_secret.unwrap(),
        &id,
    )
    .unwrap();

    let before = chrono::Utc::now();
    let body = s
        .app
        .graphql_as(&s.owner.token, ROTATE, json!({ "id": id }))
        .await;
    let r = &body["data"]["rotateWebhookSecret"];
    let secret = r["secret"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    assert_ne!(secret, generated);
    assert_eq!(r["config"]["id"], id.as_str());
    let until: chrono::DateTime<chrono::Utc> =
        r["previousValidUntil"].as_str().unwrap().parse().unwrap();
    let day = chrono::TimeDelta::hours(24);
    assert!(
        until >= before + day && until <= chrono::Utc::now() + day,
        "{until}"
    );

    // Stored sealed: the new one current, the one it replaced beside it until `until`.
    let stored = stored_secrets(&s.app, &id).await;
    assert_eq!(
        open_secret(&stored.webhook_secret.unwrap(), &id).as_deref(),
        Some(secret)
    );
    assert_eq!(
        open_secret(&stored.webhook_secret_previous.unwrap(), &id),
        Some(generated.clone())
    );
    assert_eq!(
        stored.webhook_secret_previous_until.map(|t| t.timestamp()),
        Some(until.timestamp())
    );

    // Shown once: no query returns it, and the audit log records the rotation without it.
    let read = s
        .app
        .graphql_as(&s.owner.token, CONFIG, json!({ "id": id }))
        .await;
    assert!(!read.to_string().contains(secret));
    assert_eq!(
        count(
            &s.app,
            "SELECT 1 FROM audit_events WHERE action = 'standup_config.webhook_secret_rotated'"
        )
        .await,
        1
    );
    for leaked in [secret, generated.as_str()] {
        assert_eq!(
            count(
                &s.app,
                &format!("SELECT 1 FROM audit_events WHERE summary::text LIKE '%{leaked}%'")
            )
            .await,
            0
        );
    }

    // A member may not; a config without a webhook cannot; another id is not found.
    let denied = s
        .app
        .graphql_as(&s.member.token, ROTATE, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&denied), "FORBIDDEN", "{denied}");
    let plain = create(&s, input(&s.team, &[])).await;
    let plain_id = plain["data"]["createStandupConfig"]["id"].as_str().unwrap();
    let refused = s
        .app
        .graphql_as(&s.owner.token, ROTATE, json!({ "id": plain_id }))
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert_eq!(field(&refused), "configId", "{refused}");
    assert!(
        stored_secrets(&s.app, plain_id)
            .await
            .webhook_secret
            .is_none()
    );
    let missing = s
        .app
        .graphql_as(
            &s.owner.token,
            ROTATE,
            json!({ "id": uuid::Uuid::new_v4().to_string() }),
        )
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND", "{missing}");
    // The refused attempts changed nothing.
    let after = stored_secrets(&s.app, &id).await;
    assert_eq!(
        open_secret(&after.webhook_secret.unwrap(), &id).as_deref(),
        Some(secret)
    );
}

#[tokio::test]
async fn a_webhook_secret_stored_in_the_clear_is_sealed_when_an_api_starts() {
    let s = setup().await;
    let id = create_webhook_config(&s).await;
    // As an earlier version stored it.
    let legacy = schema_server::webhook::generate_secret();
    let mut db = s.app.db().await;
    diesel::sql_query("UPDATE standup_configs SET webhook_secret = $1 WHERE id = $2::uuid")
        .bind::<diesel::sql_types::Text, _>(&legacy)
        .bind::<diesel::sql_types::Text, _>(&id)
        .execute(&mut db)
        .await
        .unwrap();

    let _replica = s.app.spawn_replica().await;
    let stored = stored_secrets(&s.app, &id).await.webhook_secret.unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains(&legacy),
        "{stored}"
    );
    assert_eq!(
        open_secret(&stored, &id),
        Some(legacy),
        "the same secret, sealed"
    );
}

#[tokio::test]
async fn members_read_configs_and_only_admins_change_them() {
    let s = setup().await;
    let created = create(&s, input(&s.team, &[])).await;
    let id = created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = s
        .app
        .graphql_as(&s.member.token, CONFIG, json!({ "id": id }))
        .await;
    assert_eq!(read["data"]["standupConfig"]["id"], id.as_str(), "{read}");
    let as_member = [
        (create_query(), json!({ "input": input(&s.team, &[]) })),
        (
            update_query(),
            json!({ "id": id, "input": { "active": false } }),
        ),
        (
            "mutation($id: ID!) { deleteStandupConfig(id: $id) }".to_string(),
            json!({ "id": id }),
        ),
    ];
    for (query, vars) in as_member {
        let body = s.app.graphql_as(&s.member.token, &query, vars).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let deleted = s
        .app
        .graphql_as(
            &s.owner.token,
            "mutation($id: ID!) { deleteStandupConfig(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteStandupConfig"], true, "{deleted}");
    let gone = s
        .app
        .graphql_as(&s.owner.token, CONFIG, json!({ "id": id }))
        .await;
    assert_eq!(error_code(&gone), "NOT_FOUND");
    assert_eq!(
        count(&s.app, &format!("SELECT 1 FROM audit_events WHERE action = 'standup_config.deleted' AND target_id = '{id}' AND summary ? 'before' AND summary ? 'after'")).await,
        1
    );
}

#[tokio::test]
async fn a_team_has_at_most_20_configs() {
    let s = setup().await;
    let mut db = s.app.db().await;
    diesel::sql_query(format!(
        "INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays, time_of_day, timezone, response_window_minutes, delivery)
         SELECT gen_random_uuid(), '{}', '{}', 'Config ' || n, '[]', ARRAY['MON'], '09:00', 'UTC', 60, ARRAY['WEB'] FROM generate_series(1, 19) AS n",
        s.owner.org_id, s.team
    ))
    .execute(&mut db)
    .await
    .unwrap();
    let twentieth = create(&s, input(&s.team, &[])).await;
    assert!(twentieth["errors"].is_null(), "{twentieth}");
    let too_many = create(&s, input(&s.team, &[])).await;
    assert_eq!(error_code(&too_many), "CONFLICT", "{too_many}");
    assert_eq!(field(&too_many), "teamId");
    assert!(
        too_many["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("20")
    );
    assert_eq!(count(&s.app, "SELECT 1 FROM standup_configs").await, 20);
}

#[tokio::test]
async fn templates_offer_the_classic_blockers_first_and_weekly_check_in() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ templates { id name questions { prompt kind required } weekdays timeOfDay responseWindowMinutes reminderMinutesBefore } }",
            json!({}),
        )
        .await;
    let templates = body["data"]["templates"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let ids: Vec<&str> = templates
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["classic", "blockers-first", "weekly-check-in"]);
    let prompts: Vec<&str> = templates[0]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["prompt"].as_str().unwrap())
        .collect();
    assert_eq!(
        prompts,
        [
            "What did you do yesterday?",
            "What will you do today?",
            "Anything blocking you?"
        ]
    );
    assert_eq!(templates[0]["questions"][2]["kind"], "BLOCKER");
    assert_eq!(templates[1]["questions"][0]["kind"], "BLOCKER");
    assert!(
        templates[2]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["kind"] == "MOOD")
    );
}

#[tokio::test]
async fn members_see_the_webhook_host_and_only_owners_and_admins_its_url() {
    let s = setup().await;
    let admin = join(&s.app, &s.owner, "admin@a.example", "ADMIN").await;
    let mut i = input(&s.team, &[]);
    i["delivery"] = json!(["WEB", "WEBHOOK"]);
    i["webhookUrl"] = json!("https://Hooks.Example.com:8443/standups?token=s3cret");
    let created = create(&s, i).await;
    let id = created["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string();
    let url = "https://Hooks.Example.com:8443/standups?token=s3cret";

    // By id, and through the team (the same type, however it is reached).
    let query = "query($id: ID!, $team: ID!) {
        standupConfig(id: $id) { webhookUrl webhookHost }
        team(id: $team) { standupConfigs { webhookUrl webhookHost } } }";
    let vars = json!({ "id": id, "team": s.team });
    for (who, sees_url) in [(&s.owner, true), (&admin, true), (&s.member, false)] {
        let body = s.app.graphql_as(&who.token, query, vars.clone()).await;
        assert!(body["errors"].is_null(), "{body}");
        for config in [
            &body["data"]["standupConfig"],
            &body["data"]["team"]["standupConfigs"][0],
        ] {
            assert_eq!(config["webhookHost"], "hooks.example.com", "{body}");
            let expected = if sees_url { json!(url) } else { Value::Null };
            assert_eq!(config["webhookUrl"], expected, "{}: {body}", who.email);
        }
        assert_eq!(body.to_string().contains("s3cret"), sees_url, "{body}");
    }

    // Without WEBHOOK delivery there is neither.
    let mut plain = input(&s.team, &[]);
    plain["name"] = json!("No webhook");
    let created = create(&s, plain).await;
    let plain_id = created["data"]["createStandupConfig"]["id"].clone();
    let body = s
        .app
        .graphql_as(
            &s.member.token,
            "query($id: ID!) { standupConfig(id: $id) { webhookUrl webhookHost } }",
            json!({ "id": plain_id }),
        )
        .await;
    assert_eq!(
        body["data"]["standupConfig"],
        json!({ "webhookUrl": null, "webhookHost": null }),
        "{body}"
    );
}

#[tokio::test]
async fn an_everyone_config_asks_people_added_to_the_team_later() {
    let s = setup().await;
    let emails = |config: &Value| -> Vec<String> {
        let mut emails: Vec<String> = config["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .map(|p| p["email"].as_str().expect("email").to_owned())
            .collect();
        emails.sort();
        emails
    };
    let create = format!(
        "mutation($input: CreateStandupConfigInput!) {{ createStandupConfig(input: $input) {{ {FIELDS} everyone }} }}"
    );
    // Without participantIds a new config asks everyone in the team.
    let everyone = s
        .app
        .graphql_as(
            &s.owner.token,
            &create,
            json!({ "input": input(&s.team, &[]) }),
        )
        .await;
    let everyone = &everyone["data"]["createStandupConfig"];
    assert_eq!(everyone["everyone"], true, "{everyone}");
    assert_eq!(emails(everyone), ["member@a.example", "owner@a.example"]);
    // With chosen people it asks only them.
    let chosen = s
        .app
        .graphql_as(
            &s.owner.token,
            &create,
            json!({ "input": input(&s.team, &[&s.owner.user_id]) }),
        )
        .await;
    let chosen = &chosen["data"]["createStandupConfig"];
    assert_eq!(chosen["everyone"], false, "{chosen}");

    // Someone added to the team later joins the everyone config only.
    let newcomer = join(&s.app, &s.owner, "newcomer@a.example", "MEMBER").await;
    add_member(&s.app, &s.owner.token, &s.team, &newcomer.user_id).await;
    let read = format!("query($id: ID!) {{ standupConfig(id: $id) {{ {FIELDS} everyone }} }}");
    let after = s
        .app
        .graphql_as(&s.owner.token, &read, json!({ "id": everyone["id"] }))
        .await;
    assert_eq!(
        emails(&after["data"]["standupConfig"]),
        ["member@a.example", "newcomer@a.example", "owner@a.example"],
        "{after}"
    );
    let after = s
        .app
        .graphql_as(&s.owner.token, &read, json!({ "id": chosen["id"] }))
        .await;
    assert_eq!(emails(&after["data"]["standupConfig"]), ["owner@a.example"]);

    // Its next run asks the newcomer.
    let started = s
        .app
        .graphql_as(
            &s.owner.token,
            "mutation($c: ID!) { startStandupNow(configId: $c) { participations { user { email } } } }",
            json!({ "c": everyone["id"] }),
        )
        .await;
    let asked: Vec<&str> = started["data"]["startStandupNow"]["participations"]
        .as_array()
        .expect("participations")
        .iter()
        .filter_map(|p| p["user"]["email"].as_str())
        .collect();
    assert!(asked.contains(&"newcomer@a.example"), "{started}");

    // Switching the chosen-people config to everyone asks the whole team.
    let switched = s
        .app
        .graphql_as(
            &s.owner.token,
            &format!(
                "mutation($id: ID!, $input: UpdateStandupConfigInput!) {{ updateStandupConfig(id: $id, input: $input) {{ {FIELDS} everyone }} }}"
            ),
            json!({ "id": chosen["id"], "input": { "everyone": true } }),
        )
        .await;
    let switched = &switched["data"]["updateStandupConfig"];
    assert_eq!(switched["everyone"], true, "{switched}");
    assert_eq!(
        emails(switched),
        ["member@a.example", "newcomer@a.example", "owner@a.example"]
    );
}
