//! Benchmark (ignored in the normal run; `make bench-local-day`): a simulated day of
//! MEMBER_LOCAL_TIME standups for 10,000 teams of 10 members spread over 24 zones.
//!
//! The scheduler ticks in this process every 30 simulated seconds on the test clock
//! (`tick_without_leadership`, what the leading worker runs each tick); the real worker
//! binary (its own scheduler off) consumes the jobs and writes the e-mails (file mailer).
//! After a tick that did work, the time until everyone it asked has their "is open"
//! e-mail is measured (the drain), and the clock moves on once the rest of that tick's
//! work (reminders, digests) is done too. At real speed a member is asked within their
//! lateness on the test clock, plus one production tick (1 s), plus the longest drain.
//!
//! Team `t` has members in the zones `t .. t + 9` (mod 24) of [`ZONES`] and its config
//! (Mon–Fri, 09:00, 8 h window, reminder 1 h before the window ends, e-mail) is in zone
//! `t`. Nobody answers, so every member is asked, reminded and shown missed in the digest.
//! The simulation starts on Monday 2026-12-07 19:30 UTC, before the first ask of
//! Tuesday's runs, and the measured day is the 24 h from Tuesday 20:00 UTC (the first ask
//! of Wednesday's runs) after a day of warm-up, so it holds a whole day of asks, reminders
//! and closes. Reported: asks and their lateness on the test clock, the longest drain,
//! the scheduler's SQL statements per tick sampled at every hh:15 (when nothing is due)
//! beside the number of participations still waiting for their ask, and the CPU seconds of
//! the scheduler (this process) and of the worker binary for the measured day.
//!
//! Env: LOCAL_DAY_TEAMS (10000), LOCAL_DAY_MEMBERS (10), LOCAL_DAY_ORGS (50).

use crate::helpers::{Fixture, base_vars, free_port, healthz, wait_until};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use diesel::sql_types::{BigInt, Double, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use std::{
    net::SocketAddr,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// 24 zones with 24 different UTC offsets in December (-10 h .. +13 h).
const ZONES: [&str; 24] = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Noumea",
    "Pacific/Auckland",
];

const STEP: TimeDelta = TimeDelta::seconds(30);

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

/// Counts the statements this process sends while [`COUNTING`] is on (only the ticks).
fn count_statements() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. })
            && AtomicBool::load(&COUNTING, Ordering::Relaxed)
        {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }))
}

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// CPU seconds (user + system) of process `pid` so far, from /proc.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0 // USER_HZ
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut AsyncPgConnection, sql: &str, now: DateTime<Utc>) -> i64 {
    diesel::sql_query(sql)
        .bind::<Timestamptz, _>(now)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

fn seed_sql(orgs: u32, teams: u32, members: u32, first_tick: DateTime<Utc>) -> String {
    let users = teams * members;
    let zones = ZONES
        .iter()
        .map(|z| format!("'{z}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
BEGIN;
CREATE TEMP TABLE b_zone AS
  SELECT z - 1 AS k, name FROM unnest(ARRAY[{zones}]) WITH ORDINALITY AS u(name, z);
INSERT INTO organizations (id, name, slug)
  SELECT gen_random_uuid(), 'Day org ' || o, 'day-org-' || o FROM generate_series(0, {orgs} - 1) AS o;
CREATE TEMP TABLE b_org AS
  SELECT id, row_number() OVER (ORDER BY slug COLLATE "C") - 1 AS k FROM organizations;
CREATE TEMP TABLE b_team AS
  SELECT gen_random_uuid() AS id, t, (SELECT id FROM b_org WHERE k = t % {orgs}) AS org_id,
         (SELECT name FROM b_zone WHERE k = t % 24) AS zone
  FROM generate_series(0, {teams} - 1) AS t;
CREATE TEMP TABLE b_user AS
  SELECT gen_random_uuid() AS id, u, u / {members} AS t,
         (SELECT name FROM b_zone WHERE k = (u / {members} + u % {members}) % 24) AS zone
  FROM generate_series(0, {users} - 1) AS u;
INSERT INTO users (id, email, name, password_hash, timezone)
  SELECT id, 'day' || u || '@example.com', 'Member ' || u, 'x', zone FROM b_user;
INSERT INTO memberships (org_id, user_id, role, status)
  SELECT bt.org_id, bu.id, 'MEMBER', 'ACTIVE' FROM b_user bu JOIN b_team bt ON bt.t = bu.t;
INSERT INTO teams (id, org_id, name, timezone)
  SELECT id, org_id, 'Team ' || t, zone FROM b_team;
INSERT INTO team_members (org_id, team_id, user_id)
  SELECT bt.org_id, bt.id, bu.id FROM b_user bu JOIN b_team bt ON bt.t = bu.t;
CREATE TEMP TABLE b_config AS SELECT gen_random_uuid() AS id, t FROM b_team;
INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays, time_of_day,
                             timezone, response_window_minutes, reminder_minutes_before,
                             delivery, active, next_run_at, ask_at)
  SELECT bc.id, bt.org_id, bt.id, 'Daily standup',
         jsonb_build_array(
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What did you do yesterday?', 'kind', 'TEXT', 'required', true),
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'What will you do today?', 'kind', 'TEXT', 'required', true),
           jsonb_build_object('id', gen_random_uuid(), 'prompt', 'Anything blocking you?', 'kind', 'BLOCKER', 'required', false)),
         ARRAY['MON', 'TUE', 'WED', 'THU', 'FRI'], '09:00', bt.zone, 480, 60, ARRAY['EMAIL'],
         true, '{first_tick}', 'MEMBER_LOCAL_TIME'
  FROM b_config bc JOIN b_team bt ON bt.t = bc.t;
INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
  SELECT bt.org_id, bc.id, bt.id, bu.id
  FROM b_config bc JOIN b_team bt ON bt.t = bc.t JOIN b_user bu ON bu.t = bc.t;
COMMIT;
"#,
        first_tick = first_tick.to_rfc3339()
    )
}

/// Removes the e-mails written so far and returns how many there were.
fn sweep_mail(fixture: &Fixture) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(&fixture.mail_dir).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "eml") {
            let _ = std::fs::remove_file(entry.path());
            n += 1;
        }
    }
    n
}

struct Sample {
    at: DateTime<Utc>,
    /// Members of the day not asked yet (their run open or not).
    not_asked: i64,
    /// Participation rows whose ask is still ahead.
    waiting: i64,
    statements: u64,
    millis: f64,
}

fn spawn_worker(fixture: &Fixture, health: SocketAddr) -> Child {
    let log = if std::env::var_os("TEST_LOG").is_some() {
        Stdio::inherit()
    } else {
        Stdio::null()
    };
    Command::new(env!("CARGO_BIN_EXE_worker"))
        .envs(base_vars())
        .envs(fixture.vars())
        .env("WORKER_SCHEDULER", "0")
        .env("WORKER_HEALTH_BIND", health.to_string())
        .env("RUST_LOG", "warn")
        .stdout(log)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: make bench-local-day"]
async fn a_day_of_member_local_time_for_ten_thousand_teams() {
    let teams = env_or("LOCAL_DAY_TEAMS", 10_000);
    let members = env_or("LOCAL_DAY_MEMBERS", 10);
    let orgs = env_or("LOCAL_DAY_ORGS", 50).min(teams);
    let start = at("2026-12-07T19:30:00Z");
    let day_start = at("2026-12-08T20:00:00Z");
    let day_end = day_start + TimeDelta::hours(24);

    let fixture = Fixture::new().await;
    let mut conn = fixture.db.conn().await;
    let seeding = Instant::now();
    conn.batch_execute(&seed_sql(orgs, teams, members, start))
        .await
        .unwrap();
    conn.batch_execute("VACUUM ANALYZE").await.unwrap();
    eprintln!(
        "[bench-local-day] seeded {teams} teams x {members} members over {} zones in {:.1} s",
        ZONES.len(),
        seeding.elapsed().as_secs_f64()
    );

    let health: SocketAddr = ([127, 0, 0, 1], free_port()).into();
    let mut worker = spawn_worker(&fixture, health);
    assert!(
        wait_until(Duration::from_secs(30), || async {
            matches!(healthz(health).await, Some((200, _)))
        })
        .await,
        "the worker binary never became healthy"
    );
    let worker_pid = worker.id().to_string();

    set_default_instrumentation(count_statements).unwrap();
    let pool =
        schema_server::db::build_pool(&fixture.db.url, &schema_server::db::PoolOptions::default())
            .unwrap();

    let mut now = start;
    let mut idle_statements = u64::MAX;
    let mut samples: Vec<Sample> = Vec::new();
    let mut longest_drain = Duration::ZERO;
    let mut longest_drain_at = start;
    let mut longest_settle = Duration::ZERO;
    let mut longest_settle_at = start;
    let mut emails = 0usize;
    let mut day_emails = 0usize;
    let mut cpu_at_day_start = (0.0, 0.0);
    let mut ticks_in_day = 0u64;
    let mut statements_in_day = 0u64;
    let wall = Instant::now();
    while now <= day_end {
        if now == day_start {
            emails += sweep_mail(&fixture);
            cpu_at_day_start = (cpu_seconds("self"), cpu_seconds(&worker_pid));
        }
        let before = AtomicU64::load(&STATEMENTS, Ordering::Relaxed);
        let began = Instant::now();
        COUNTING.store(true, Ordering::Relaxed);
        worker::scheduler::tick_without_leadership(pool.clone(), now)
            .await
            .unwrap();
        COUNTING.store(false, Ordering::Relaxed);
        let millis = began.elapsed().as_secs_f64() * 1000.0;
        let statements = AtomicU64::load(&STATEMENTS, Ordering::Relaxed) - before;
        if now > day_start {
            ticks_in_day += 1;
            statements_in_day += statements;
        }
        idle_statements = idle_statements.min(statements);
        if statements > idle_statements {
            // The tick did something: everyone it asked gets their e-mail before the
            // clock moves on.
            let drain = Instant::now();
            let asked_not_mailed = "SELECT count(*) AS n FROM participations
                 WHERE ask_due_at = $1 AND notified_at IS NULL";
            while count(&mut conn, asked_not_mailed, now).await > 0 {
                assert!(
                    drain.elapsed() < Duration::from_secs(120),
                    "the members asked at {now} were not all mailed within 120 s"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if drain.elapsed() > longest_drain {
                longest_drain = drain.elapsed();
                longest_drain_at = now;
            }
            // Then the rest of what the tick started (reminders, digests) finishes too:
            // the simulated clock moves faster than the real one, and jobs of simulated
            // minutes apart must not pile up in the queue as they never would.
            let unsettled = "SELECT
                   (SELECT count(*) FROM participations
                     WHERE remind_due_at = $1 AND reminded_at IS NULL AND state = 'PENDING')
                 + (SELECT count(*) FROM standups WHERE state = 'CLOSED' AND digest IS NULL) AS n";
            while count(&mut conn, unsettled, now).await > 0
                && drain.elapsed() < Duration::from_secs(300)
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if drain.elapsed() > longest_settle {
                longest_settle = drain.elapsed();
                longest_settle_at = now;
            }
        }
        if now.minute() == 15 && now.second() == 0 && now > day_start {
            let waiting = count(
                &mut conn,
                "SELECT count(*) AS n FROM participations WHERE ask_at > $1",
                now,
            )
            .await;
            let asked = count(
                &mut conn,
                &format!(
                    "SELECT count(*) AS n FROM participations
                     WHERE ask_at >= '{}' AND ask_at <= $1",
                    day_start.to_rfc3339()
                ),
                now,
            )
            .await;
            samples.push(Sample {
                at: now,
                not_asked: i64::from(teams * members) - asked,
                waiting,
                statements,
                millis,
            });
        }
        if now.minute() == 45 && now.second() == 0 {
            let swept = sweep_mail(&fixture);
            emails += swept;
            if now > day_start {
                day_emails += swept;
            }
        }
        now += STEP;
    }
    // Whatever the day's last tick started is finished before the CPU is read.
    let unsent = "SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL AND created_at < $1";
    let finishing = Instant::now();
    while count(&mut conn, unsent, Utc::now() + TimeDelta::days(1)).await > 0
        && finishing.elapsed() < Duration::from_secs(300)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let scheduler_cpu = cpu_seconds("self") - cpu_at_day_start.0;
    let worker_cpu = cpu_seconds(&worker_pid) - cpu_at_day_start.1;
    let swept = sweep_mail(&fixture);
    emails += swept;
    day_emails += swept;

    #[derive(diesel::QueryableByName)]
    struct Day {
        #[diesel(sql_type = BigInt)]
        asked: i64,
        #[diesel(sql_type = BigInt)]
        not_asked: i64,
        #[diesel(sql_type = BigInt)]
        not_mailed: i64,
        #[diesel(sql_type = Double)]
        latest_seconds: f64,
        #[diesel(sql_type = BigInt)]
        reminded: i64,
        #[diesel(sql_type = BigInt)]
        closed: i64,
        #[diesel(sql_type = BigInt)]
        digests: i64,
    }
    let day: Day = diesel::sql_query(
        "SELECT
           (SELECT count(*) FROM participations WHERE ask_at >= $1 AND ask_at < $2) AS asked,
           (SELECT count(*) FROM participations
             WHERE ask_at >= $1 AND ask_at < $2 AND ask_due_at IS NULL) AS not_asked,
           (SELECT count(*) FROM participations
             WHERE ask_at >= $1 AND ask_at < $2 AND notified_at IS NULL) AS not_mailed,
           (SELECT coalesce(extract(epoch FROM max(ask_due_at - ask_at)), 0)::float8
              FROM participations WHERE ask_at >= $1 AND ask_at < $2) AS latest_seconds,
           (SELECT count(*) FROM participations
             WHERE remind_at >= $1 AND remind_at < $2 AND remind_due_at IS NOT NULL) AS reminded,
           (SELECT count(*) FROM standups
             WHERE closes_at >= $1 AND closes_at < $2 AND state = 'CLOSED') AS closed,
           (SELECT count(*) FROM processed_jobs WHERE kind = 'compile_digest') AS digests",
    )
    .bind::<Timestamptz, _>(day_start)
    .bind::<Timestamptz, _>(day_end)
    .get_result(&mut conn)
    .await
    .unwrap();

    let _ = Command::new("kill").args(["-TERM", &worker_pid]).status();
    let _ = worker.wait();

    eprintln!(
        "[bench-local-day] simulated {start} .. {day_end} in {:.0} s of wall time; measured day {day_start} .. {day_end}",
        wall.elapsed().as_secs_f64()
    );
    eprintln!("[bench-local-day] sim time   not asked yet  rows waiting  statements  tick ms");
    for s in &samples {
        eprintln!(
            "[bench-local-day] {}  {:>13}  {:>12}  {:>10}  {:>7.1}",
            s.at.format("%a %H:%M"),
            s.not_asked,
            s.waiting,
            s.statements,
            s.millis
        );
    }
    // At real speed the leading scheduler ticks every SCHEDULER_TICK_MS (1 s by default):
    // a member is claimed at most one tick after the lateness measured on the test clock
    // (whose steps fall on every ask here) and mailed within the longest drain after that.
    let asked_within = day.latest_seconds + 1.0 + longest_drain.as_secs_f64();
    let idle: Vec<u64> = samples.iter().map(|s| s.statements).collect();
    let mut millis: Vec<f64> = samples.iter().map(|s| s.millis).collect();
    millis.sort_by(f64::total_cmp);
    println!(
        "bench-local-day: teams={teams} members={members} zones={} asked={} not_asked={} not_mailed={} \
         latest_ask_after_local_time={:.0}s longest_drain={:.1}s (tick at {longest_drain_at}) \
         at_real_speed_asked_within={:.1}s longest_tick_work={:.1}s (tick at {longest_settle_at}) reminded={} closed={} digests_compiled_in_run={} emails_in_day={day_emails} (all {emails}) \
         idle_tick_statements={}..{} idle_tick_ms_median={:.1} ticks_in_day={ticks_in_day} statements_in_day={statements_in_day} \
         scheduler_cpu_s={scheduler_cpu:.1} worker_cpu_s={worker_cpu:.1}",
        ZONES.len(),
        day.asked,
        day.not_asked,
        day.not_mailed,
        day.latest_seconds,
        longest_drain.as_secs_f64(),
        asked_within,
        longest_settle.as_secs_f64(),
        day.reminded,
        day.closed,
        day.digests,
        idle.iter().min().unwrap(),
        idle.iter().max().unwrap(),
        millis[millis.len() / 2],
    );

    assert_eq!(
        day.asked,
        i64::from(teams * members),
        "every member is asked once on the day"
    );
    assert_eq!(day.not_asked, 0);
    assert_eq!(day.not_mailed, 0);
    assert!(
        asked_within <= 60.0,
        "a member would be asked more than 60 s after their local time"
    );
    assert_eq!(
        idle.iter().min(),
        idle.iter().max(),
        "an idle tick's statements changed with the participations waiting"
    );
    fixture.cleanup().await;
}
