//! The scheduler under load: the 9:00 burst, with two workers (two schedulers) running.

use crate::helpers::*;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use std::{sync::Arc, time::Duration};
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

    a.stop().await;
    b.stop().await;
    fixture.cleanup().await;
}
