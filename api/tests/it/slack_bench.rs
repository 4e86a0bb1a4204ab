//! The Slack delivery benchmark (docs/benchmarks.md, `make bench-slack`): 10,000 DMs,
//! 1,000 standups of 10 matched participants in 10 workspaces, from the moment the
//! standups are due to the last DM posted to the fake Slack, with one worker (its default
//! settings). Ignored in the test run: it measures speed, it does not judge it.
//!
//! `BENCH_SLACK_STANDUPS` and `BENCH_SLACK_MEMBERS` change the size.

use crate::fake_slack::{FakeSlack, Team};
use crate::helpers::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const WORKSPACES: usize = 10;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: make bench-slack"]
async fn ten_thousand_dms_from_due_to_posted() {
    let standups = env_or("BENCH_SLACK_STANDUPS", 1_000);
    let members = env_or("BENCH_SLACK_MEMBERS", 10);
    let dms = standups * members;
    let slack = FakeSlack::start().await;
    let settings = slack.settings();
    let mut overrides: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(&overrides).await;
    let mut conn = app.db().await;

    let seeded = Instant::now();
    conn.batch_execute(&format!(
        r#"
        INSERT INTO organizations (id, name, slug)
          SELECT gen_random_uuid(), 'Bench org ' || o, 'bench-org-' || o FROM generate_series(0, {WORKSPACES} - 1) AS o;
        CREATE TEMP TABLE bench_org AS
          SELECT id, row_number() OVER (ORDER BY slug COLLATE "C") - 1 AS k FROM organizations WHERE slug LIKE 'bench-org-%';
        CREATE TEMP TABLE bench_team AS
          SELECT gen_random_uuid() AS id, t, (SELECT id FROM bench_org WHERE k = t % {WORKSPACES}) AS org_id
          FROM generate_series(0, {standups} - 1) AS t;
        CREATE TEMP TABLE bench_user AS
          SELECT gen_random_uuid() AS id, u, u / {members} AS t FROM generate_series(0, {dms} - 1) AS u;
        INSERT INTO users (id, email, name, password_hash)
          SELECT id, 'bench' || u || '@example.com', 'Member ' || u, 'x' FROM bench_user;
        INSERT INTO memberships (org_id, user_id, role, status)
          SELECT bt.org_id, bu.id, 'MEMBER', 'ACTIVE' FROM bench_user bu JOIN bench_team bt ON bt.t = bu.t;
        INSERT INTO slack_users (org_id, user_id, slack_user_id)
          SELECT bt.org_id, bu.id, 'U' || lpad(bu.u::text, 8, '0') FROM bench_user bu JOIN bench_team bt ON bt.t = bu.t;
        INSERT INTO teams (id, org_id, name, timezone)
          SELECT id, org_id, 'Team ' || t, 'UTC' FROM bench_team;
        INSERT INTO team_members (org_id, team_id, user_id)
          SELECT bt.org_id, bt.id, bu.id FROM bench_user bu JOIN bench_team bt ON bt.t = bu.t;
        CREATE TEMP TABLE bench_config AS SELECT gen_random_uuid() AS id, t FROM bench_team;
        INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays, time_of_day,
                                     timezone, response_window_minutes, reminder_minutes_before,
                                     delivery, active, next_run_at)
          SELECT bc.id, bt.org_id, bt.id, 'Daily standup',
                 jsonb_build_array(
                   jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What did you do yesterday?', 'kind', 'TEXT', 'required', true),
                   jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What will you do today?', 'kind', 'TEXT', 'required', true),
                   jsonb_build_object('id', gen_random_uuid(), 'prompt', 'Anything blocking you?', 'kind', 'BLOCKER', 'required', false)),
                 ARRAY['MON'], '09:00', 'UTC', 480, 60, ARRAY['SLACK_DM', 'WEB'], true, NULL
          FROM bench_config bc JOIN bench_team bt ON bt.t = bc.t;
        INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
          SELECT bt.org_id, bc.id, bt.id, bu.id
          FROM bench_config bc JOIN bench_team bt ON bt.t = bc.t JOIN bench_user bu ON bu.t = bc.t;
        "#
    ))
    .await
    .expect("seed");
    #[derive(diesel::QueryableByName)]
    struct Org {
        #[diesel(sql_type = SqlUuid)]
        id: uuid::Uuid,
        #[diesel(sql_type = Text)]
        slug: String,
    }
    let orgs: Vec<Org> = diesel::sql_query(
        "SELECT id, slug FROM organizations WHERE slug LIKE 'bench-org-%' ORDER BY slug",
    )
    .load(&mut conn)
    .await
    .expect("orgs");
    for org in &orgs {
        let team = Team::new(
            &format!("T{}", org.slug.to_uppercase().replace('-', "")),
            &org.slug,
            &format!("xoxb-bench-{}", org.slug),
        );
        slack.register(&team);
        let sealed = app
            .state
            .secrets
            .seal(
                &team.token,
                &schema_server::slack::token_context(schema::ids::OrganizationId(org.id)),
            )
            .expect("seal");
        diesel::sql_query(
            "INSERT INTO slack_workspaces (org_id, team_id, team_name, bot_user_id, bot_token, users_synced_at)
             VALUES ($1, $2, $3, 'U0BOT', $4, now())",
        )
        .bind::<SqlUuid, _>(org.id)
        .bind::<Text, _>(&team.id)
        .bind::<Text, _>(&team.name)
        .bind::<Text, _>(&sealed)
        .execute(&mut conn)
        .await
        .expect("workspace");
    }
    diesel::sql_query("VACUUM ANALYZE")
        .execute(&mut conn)
        .await
        .expect("vacuum");
    eprintln!(
        "[bench-slack] seeded {WORKSPACES} workspaces, {standups} standups of {members} in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    // The worker's defaults, but the pool the production default has (tests use 4).
    overrides.push(("DATABASE_POOL_SIZE", "32"));
    let worker = app.start_worker_with(&overrides).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Due in two seconds; the scheduler opens them all at once.
    diesel::sql_query(
        "UPDATE standup_configs
         SET weekdays = ARRAY[upper(to_char(now() AT TIME ZONE 'UTC', 'Dy'))],
             time_of_day = to_char(now() AT TIME ZONE 'UTC', 'HH24:MI'),
             next_run_at = now() + interval '2 seconds'",
    )
    .execute(&mut conn)
    .await
    .expect("make them due");
    let due = Instant::now() + Duration::from_secs(2);

    let deadline = due + Duration::from_secs(600);
    loop {
        let posted = slack.succeeded("chat.postMessage").len();
        if posted >= dms {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {posted} of {dms} DMs after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let posts = slack.succeeded("chat.postMessage");
    let first = posts.iter().map(|c| c.at).min().expect("a DM");
    let last = posts.iter().map(|c| c.at).max().expect("a DM");
    let elapsed = last.saturating_duration_since(due).as_secs_f64();
    let channels: HashSet<String> = posts
        .iter()
        .filter_map(|c| c.form.get("channel").cloned())
        .collect();
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let opened: Vec<Count> = diesel::sql_query(
        "SELECT (extract(epoch FROM max(created_at) - min(created_at)) * 1000)::bigint AS n FROM standups",
    )
    .load(&mut conn)
    .await
    .expect("open span");
    println!(
        "bench-slack: workspaces={WORKSPACES} standups={standups} members={members} dms={} \
         conversations.open={} first_dm={:.2}s last_dm={:.2}s (from due) dms_per_s={:.0} \
         (first to last DM {:.0}/s) open_span={:.2}s emails={}",
        posts.len(),
        slack.succeeded("conversations.open").len(),
        first.saturating_duration_since(due).as_secs_f64(),
        elapsed,
        dms as f64 / elapsed,
        dms as f64
            / last
                .saturating_duration_since(first)
                .as_secs_f64()
                .max(0.001),
        opened[0].n as f64 / 1000.0,
        app.emails().len(),
    );
    assert_eq!(posts.len(), dms, "every DM posted once");
    assert_eq!(channels.len(), dms, "one DM per person");
    worker.stop().await;
}
