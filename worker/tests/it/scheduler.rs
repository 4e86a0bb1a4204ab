//! The scheduler under load and under faults: the 9:00 burst with two workers (two
//! schedulers) running, and `kill -9` of the leading worker binary in the middle of a
//! cycle.

use crate::helpers::*;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use std::{
    collections::HashMap,
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};
use worker::{Application, ManualClock};

const CONFIGS: i32 = 10_000;
/// Configs that ask someone (the rest ask nobody, so the test mails little).
const ASKING: i32 = 100;

async fn count(db: &TestDb, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(format!("SELECT count(*) AS n FROM ({sql}) AS q"))
        .get_result(&mut db.conn().await)
        .await
        .unwrap();
    n.n
}

fn spawn_with_clock(fixture: &Fixture, clock: &ManualClock) -> TestWorker {
    init_logs();
    let app = Application::build(fixture.settings(&[("SCHEDULER_TICK_MS", "50")]))
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    let health_addr = app.health_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestWorker::from_parts(health_addr, stop, task)
}

#[tokio::test]
async fn the_nine_oclock_burst_opens_ten_thousand_standups_once() {
    let fixture = Fixture::new().await;
    let db = &fixture.db;
    let org = db.organization("Burst").await;
    let user = db.user(org, "Ada", "ada@burst.example").await;
    let team = uuid::Uuid::new_v4();
    let nine: DateTime<Utc> = "2026-11-25T09:00:00Z".parse().unwrap();
    let mut conn = db.conn().await;
    diesel::sql_query("INSERT INTO teams (id, org_id, name, timezone) VALUES ($1, $2, 'T', 'UTC')")
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(org)
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query("INSERT INTO team_members (org_id, team_id, user_id) VALUES ($1, $2, $3)")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(user)
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query(
        "INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays,
             time_of_day, timezone, response_window_minutes, delivery, next_run_at)
         SELECT gen_random_uuid(), $1, $2, 'Daily ' || i,
             '[{\"id\": \"00000000-0000-4000-8000-000000000001\", \"prompt\": \"What?\", \"kind\": \"TEXT\", \"required\": true}]',
             '{MON,TUE,WED,THU,FRI,SAT,SUN}', '09:00', 'UTC', 60, '{EMAIL}',
             $3 + (i % 60) * interval '1 second'
         FROM generate_series(1, $4) AS i",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Timestamptz, _>(nine)
    .bind::<diesel::sql_types::Integer, _>(CONFIGS)
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(
        "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
         SELECT org_id, id, team_id, $1 FROM standup_configs ORDER BY id LIMIT $2",
    )
    .bind::<SqlUuid, _>(user)
    .bind::<diesel::sql_types::Integer, _>(ASKING)
    .execute(&mut conn)
    .await
    .unwrap();

    // Every config is due within the same minute; two workers, two schedulers.
    let clock = ManualClock::new(nine + TimeDelta::seconds(59));
    let started = std::time::Instant::now();
    let a = spawn_with_clock(&fixture, &clock);
    let b = spawn_with_clock(&fixture, &clock);
    let all_open = wait_until(Duration::from_secs(120), || async {
        count(db, "SELECT 1 FROM standups").await == i64::from(CONFIGS)
    })
    .await;
    let elapsed = started.elapsed();
    assert!(
        all_open,
        "only {} of {CONFIGS} standups opened",
        count(db, "SELECT 1 FROM standups").await
    );
    eprintln!("{CONFIGS} standups opened in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");

    // Each once, each with one notify job, every config moved to tomorrow.
    assert_eq!(
        count(db, "SELECT DISTINCT config_id FROM standups").await,
        i64::from(CONFIGS)
    );
    assert_eq!(
        count(db, "SELECT 1 FROM outbox WHERE kind = 'notify_standup'").await,
        i64::from(CONFIGS)
    );
    assert_eq!(
        count(
            db,
            "SELECT 1 FROM standup_configs WHERE next_run_at = '2026-11-26T09:00:00Z'"
        )
        .await,
        i64::from(CONFIGS)
    );
    assert_eq!(
        count(db, "SELECT 1 FROM participations").await,
        i64::from(ASKING)
    );
    // The relays publish every job and the handlers mail the one participant once per
    // standup that asks her.
    let mailed = wait_until(Duration::from_secs(120), || async {
        fixture.emails().len() == ASKING as usize
    })
    .await;
    assert!(mailed, "{} e-mails", fixture.emails().len());
    let relayed = wait_until(Duration::from_secs(60), || async {
        count(db, "SELECT 1 FROM outbox WHERE sent_at IS NULL").await == 0
    })
    .await;
    assert!(relayed);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fixture.emails().len(), ASKING as usize);

    // One of the two led and opened them all.
    let (ma, mb) = (
        metrics_text(a.health_addr).await,
        metrics_text(b.health_addr).await,
    );
    assert_eq!(
        metric(&ma, "asyncstand_scheduler_leader") + metric(&mb, "asyncstand_scheduler_leader"),
        1
    );
    let opened = |text: &str| metric(text, "asyncstand_scheduler_standups_opened_total");
    assert_eq!(opened(&ma) + opened(&mb), u64::try_from(CONFIGS).unwrap());
    assert!(opened(&ma) == 0 || opened(&mb) == 0);

    a.stop().await;
    b.stop().await;
    fixture.cleanup().await;
}

/// An organization with a team of one (Ada) and its id, team id and Ada's id.
async fn team_of_one(db: &TestDb) -> (uuid::Uuid, uuid::Uuid, uuid::Uuid) {
    let org = db.organization("Faults").await;
    let user = db.user(org, "Ada", "ada@faults.example").await;
    let team = uuid::Uuid::new_v4();
    let mut conn = db.conn().await;
    diesel::sql_query("INSERT INTO teams (id, org_id, name, timezone) VALUES ($1, $2, 'T', 'UTC')")
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(org)
        .execute(&mut conn)
        .await
        .unwrap();
    diesel::sql_query("INSERT INTO team_members (org_id, team_id, user_id) VALUES ($1, $2, $3)")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(user)
        .execute(&mut conn)
        .await
        .unwrap();
    (org, team, user)
}

/// `n` daily configs asking Ada, due a minute ago (real time: the binary's clock).
async fn due_configs(db: &TestDb, (org, team, user): (uuid::Uuid, uuid::Uuid, uuid::Uuid), n: i32) {
    let mut conn = db.conn().await;
    diesel::sql_query(
        "WITH c AS (
             INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays,
                 time_of_day, timezone, response_window_minutes, delivery, next_run_at)
             SELECT gen_random_uuid(), $1, $2, 'Daily ' || i,
                 '[{\"id\": \"00000000-0000-4000-8000-000000000001\", \"prompt\": \"What?\", \"kind\": \"TEXT\", \"required\": true}]',
                 '{MON,TUE,WED,THU,FRI,SAT,SUN}', to_char(now() AT TIME ZONE 'UTC' - interval '1 minute', 'HH24:MI'),
                 'UTC', 60, '{EMAIL}', now() - interval '1 minute'
             FROM generate_series(1, $4) AS i
             RETURNING id, org_id, team_id
         )
         INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
         SELECT org_id, id, team_id, $3 FROM c",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<SqlUuid, _>(user)
    .bind::<diesel::sql_types::Integer, _>(n)
    .execute(&mut conn)
    .await
    .unwrap();
}

fn spawn_binary(fixture: &Fixture, health: SocketAddr) -> Child {
    let output = || {
        if std::env::var_os("TEST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        }
    };
    Command::new(env!("CARGO_BIN_EXE_worker"))
        .envs(base_vars())
        .envs(fixture.vars())
        .env("WORKER_HEALTH_BIND", health.to_string())
        .env("SCHEDULER_TICK_MS", "50")
        // Few jobs at a time, so the kill lands in the middle of the notifications.
        .env("WORKER_CONCURRENCY", "2")
        .env("WORKER_PREFETCH", "4")
        .env("RUST_LOG", "info")
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap()
}

/// The standup each e-mail links to, counted.
fn mails_per_standup(fixture: &Fixture) -> HashMap<String, usize> {
    let mut per: HashMap<String, usize> = HashMap::new();
    for (_, eml) in fixture.emails() {
        let text = part(&eml, "text/plain").unwrap();
        let id = text
            .split("/standups/")
            .nth(1)
            .and_then(|rest| rest.get(..36))
            .unwrap_or_else(|| panic!("no standup link in {eml}"))
            .to_owned();
        *per.entry(id).or_default() += 1;
    }
    per
}

#[tokio::test]
async fn kill_9_of_the_leader_mid_cycle_then_a_restart_opens_and_mails_everything_once() {
    const FIRST: i32 = 200;
    const LATER: i32 = 50;
    let fixture = Fixture::new().await;
    let db = &fixture.db;
    let team = team_of_one(db).await;
    due_configs(db, team, FIRST).await;

    let health: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let mut first = spawn_binary(&fixture, health);
    let started = wait_until(Duration::from_secs(60), || async {
        fixture.emails().len() >= 10
    })
    .await;
    if !started {
        let _ = first.kill();
        panic!("the first worker mailed nothing");
    }
    first.kill().unwrap(); // SIGKILL: no clean-up, the lock connection just dies
    first.wait().unwrap();
    let at_kill = fixture.emails().len();

    // Due while no worker runs; only a new leader can open them.
    due_configs(db, team, LATER).await;
    let mut second = spawn_binary(&fixture, health);
    let total = usize::try_from(FIRST + LATER).unwrap();
    let done = wait_until(Duration::from_secs(90), || async {
        fixture.emails().len() >= total
            && count(db, "SELECT 1 FROM outbox WHERE sent_at IS NULL").await == 0
    })
    .await;
    assert!(
        done,
        "{} of {total} e-mails after the restart",
        fixture.emails().len()
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    Command::new("kill")
        .args(["-TERM", &second.id().to_string()])
        .status()
        .unwrap();
    assert!(second.wait().unwrap().success());

    // One standup per config, one notify job per standup, one e-mail per standup.
    assert_eq!(
        count(db, "SELECT 1 FROM standups").await,
        i64::from(FIRST + LATER)
    );
    assert_eq!(
        count(db, "SELECT DISTINCT config_id FROM standups").await,
        i64::from(FIRST + LATER)
    );
    assert_eq!(
        count(db, "SELECT 1 FROM outbox WHERE kind = 'notify_standup'").await,
        i64::from(FIRST + LATER)
    );
    assert_eq!(
        count(db, "SELECT 1 FROM participations WHERE notified_at IS NULL").await,
        0
    );
    let per = mails_per_standup(&fixture);
    assert_eq!(per.len(), total);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
    eprintln!("killed after {at_kill} of {total} e-mails");
    fixture.cleanup().await;
}

#[tokio::test]
async fn eight_schedulers_ticking_at_once_without_the_lock_still_do_everything_once() {
    const N: i32 = 300;
    let fixture = Fixture::new().await;
    let db = &fixture.db;
    let team = team_of_one(db).await;
    due_configs(db, team, N).await;
    let mut conn = db.conn().await;
    // A reminder 15 minutes before the deadline.
    diesel::sql_query("UPDATE standup_configs SET reminder_minutes_before = 15")
        .execute(&mut conn)
        .await
        .unwrap();
    let pool =
        schema_server::db::build_pool(&db.url, &schema_server::db::PoolOptions::default()).unwrap();
    let now = chrono::Utc::now();
    let ticks = |at: DateTime<Utc>| {
        let pool = pool.clone();
        async move {
            let tasks: Vec<_> = (0..8)
                .map(|_| tokio::spawn(worker::scheduler::tick_without_leadership(pool.clone(), at)))
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        }
    };
    let jobs = |kind: &'static str| async move {
        count(db, &format!("SELECT 1 FROM outbox WHERE kind = '{kind}'")).await
    };

    ticks(now).await;
    assert_eq!(count(db, "SELECT 1 FROM standups").await, i64::from(N));
    assert_eq!(
        count(db, "SELECT 1 FROM participations").await,
        i64::from(N)
    );
    assert_eq!(jobs("notify_standup").await, i64::from(N));

    ticks(now + TimeDelta::minutes(46)).await;
    assert_eq!(jobs("remind_standup").await, i64::from(N));
    assert_eq!(jobs("compile_digest").await, 0);

    ticks(now + TimeDelta::minutes(61)).await;
    assert_eq!(
        count(db, "SELECT 1 FROM standups WHERE state = 'CLOSED'").await,
        i64::from(N)
    );
    assert_eq!(jobs("compile_digest").await, i64::from(N));
    // And again: nothing more.
    ticks(now + TimeDelta::minutes(62)).await;
    assert_eq!(count(db, "SELECT 1 FROM standups").await, i64::from(N));
    assert_eq!(jobs("notify_standup").await, i64::from(N));
    assert_eq!(jobs("remind_standup").await, i64::from(N));
    assert_eq!(jobs("compile_digest").await, i64::from(N));
    pool.close();
    drop(conn);
    fixture.cleanup().await;
}
