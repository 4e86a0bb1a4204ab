//! MEMBER_LOCAL_TIME with the test clock: one config, members in Tokyo, Berlin, New York
//! and Kolkata (a Sunday-to-Thursday week), each asked at 09:00 their time across the
//! week of both the European (2026-10-25) and the American (2026-11-01) DST changes; the
//! standup closes when the last window ends. The scheduler ticks at chosen instants
//! (`tick_without_leadership`); a worker (no scheduler of its own) sends the e-mails.

use crate::helpers::*;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use std::time::Duration;
use uuid::Uuid;

const WINDOW_MINUTES: i64 = 120;

fn at(month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    format!("2026-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z")
        .parse()
        .unwrap()
}

#[derive(diesel::QueryableByName, Debug)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    ask_due_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Timestamptz>)]
    ask_at: Option<DateTime<Utc>>,
}

#[derive(diesel::QueryableByName, Debug)]
struct Run {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Date)]
    local_date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    scheduled_for: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    closes_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    state: String,
}

async fn runs(db: &TestDb) -> Vec<Run> {
    diesel::sql_query(
        "SELECT id, local_date, scheduled_for, closes_at, state FROM standups ORDER BY scheduled_for",
    )
    .load(&mut db.conn().await)
    .await
    .unwrap()
}

async fn participations(db: &TestDb, standup: Uuid) -> Vec<Row> {
    diesel::sql_query(
        "SELECT user_id, ask_due_at, ask_at FROM participations WHERE standup_id = $1",
    )
    .bind::<SqlUuid, _>(standup)
    .load(&mut db.conn().await)
    .await
    .unwrap()
}

/// "is open" e-mails to `email` so far.
fn opens_to(fixture: &Fixture, email: &str) -> usize {
    fixture
        .emails()
        .iter()
        .filter(|(_, body)| {
            header(body, "To").is_some_and(|to| to.contains(email))
                && header(body, "Subject").is_some_and(|s| s.contains("is open"))
        })
        .count()
}

#[tokio::test]
async fn each_member_is_asked_at_nine_their_time_across_both_dst_changes() {
    let fixture = Fixture::new().await;
    let db = &fixture.db;
    let org = db.organization("World").await;
    // (name, e-mail, zone, work days)
    let people = [
        (
            "Aiko",
            "aiko@tokyo.example",
            "Asia/Tokyo",
            "{MON,TUE,WED,THU,FRI}",
        ),
        (
            "Bernd",
            "bernd@berlin.example",
            "Europe/Berlin",
            "{MON,TUE,WED,THU,FRI}",
        ),
        (
            "Nora",
            "nora@ny.example",
            "America/New_York",
            "{MON,TUE,WED,THU,FRI}",
        ),
        (
            "Kavya",
            "kavya@kolkata.example",
            "Asia/Kolkata",
            "{SUN,MON,TUE,WED,THU}",
        ),
    ];
    let mut ids = Vec::new();
    let team = Uuid::new_v4();
    let config = Uuid::new_v4();
    let mut conn = db.conn().await;
    diesel::sql_query(
        "INSERT INTO teams (id, org_id, name, timezone) VALUES ($1, $2, 'World', 'Europe/Berlin')",
    )
    .bind::<SqlUuid, _>(team)
    .bind::<SqlUuid, _>(org)
    .execute(&mut conn)
    .await
    .unwrap();
    // Planned on the first tick (no planned date yet), Thursday 2026-10-22 12:00 UTC.
    let start = at(10, 22, 12, 0);
    diesel::sql_query(
        "INSERT INTO standup_configs (id, org_id, team_id, name, questions, weekdays,
             time_of_day, timezone, response_window_minutes, reminder_minutes_before,
             delivery, next_run_at, ask_at)
         VALUES ($1, $2, $3, 'Daily',
             '[{\"id\": \"00000000-0000-4000-8000-000000000001\", \"prompt\": \"What?\", \"kind\": \"TEXT\", \"required\": true}]',
             '{MON,TUE,WED,THU,FRI,SAT,SUN}', '09:00', 'Europe/Berlin', 120, 30, '{EMAIL}',
             $4, 'MEMBER_LOCAL_TIME')",
    )
    .bind::<SqlUuid, _>(config)
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Timestamptz, _>(start)
    .execute(&mut conn)
    .await
    .unwrap();
    for (name, email, zone, days) in people {
        let id = db.user(org, name, email).await;
        diesel::sql_query("UPDATE users SET timezone = $2, work_days = $3::text[] WHERE id = $1")
            .bind::<SqlUuid, _>(id)
            .bind::<Text, _>(zone)
            .bind::<Text, _>(days)
            .execute(&mut conn)
            .await
            .unwrap();
        diesel::sql_query(
            "INSERT INTO team_members (org_id, team_id, user_id) VALUES ($1, $2, $3)",
        )
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(id)
        .execute(&mut conn)
        .await
        .unwrap();
        diesel::sql_query(
            "INSERT INTO standup_config_participants (org_id, config_id, team_id, user_id)
             VALUES ($1, $2, $3, $4)",
        )
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(config)
        .bind::<SqlUuid, _>(team)
        .bind::<SqlUuid, _>(id)
        .execute(&mut conn)
        .await
        .unwrap();
        ids.push(id);
    }

    // Each team-local date and who is asked when (UTC): 09:00 in Tokyo is 00:00 UTC;
    // Berlin 07:00 UTC in summer time, 08:00 from Sunday 2026-10-25; New York 13:00 UTC
    // in summer time, 14:00 from Sunday 2026-11-01; Kolkata 03:30 UTC, Sunday to Thursday.
    let (tokyo, berlin, ny, kolkata) = (0, 1, 2, 3);
    type Day = (u32, u32, Vec<(usize, DateTime<Utc>)>);
    let week: Vec<Day> = vec![
        (
            10,
            23,
            vec![
                (tokyo, at(10, 23, 0, 0)),
                (berlin, at(10, 23, 7, 0)),
                (ny, at(10, 23, 13, 0)),
            ],
        ),
        (10, 24, vec![]),
        (10, 25, vec![(kolkata, at(10, 25, 3, 30))]),
        (
            10,
            26,
            vec![
                (tokyo, at(10, 26, 0, 0)),
                (kolkata, at(10, 26, 3, 30)),
                (berlin, at(10, 26, 8, 0)),
                (ny, at(10, 26, 13, 0)),
            ],
        ),
        (
            10,
            27,
            vec![
                (tokyo, at(10, 27, 0, 0)),
                (kolkata, at(10, 27, 3, 30)),
                (berlin, at(10, 27, 8, 0)),
                (ny, at(10, 27, 13, 0)),
            ],
        ),
        (
            10,
            28,
            vec![
                (tokyo, at(10, 28, 0, 0)),
                (kolkata, at(10, 28, 3, 30)),
                (berlin, at(10, 28, 8, 0)),
                (ny, at(10, 28, 13, 0)),
            ],
        ),
        (
            10,
            29,
            vec![
                (tokyo, at(10, 29, 0, 0)),
                (kolkata, at(10, 29, 3, 30)),
                (berlin, at(10, 29, 8, 0)),
                (ny, at(10, 29, 13, 0)),
            ],
        ),
        (
            10,
            30,
            vec![
                (tokyo, at(10, 30, 0, 0)),
                (berlin, at(10, 30, 8, 0)),
                (ny, at(10, 30, 13, 0)),
            ],
        ),
        (10, 31, vec![]),
        (11, 1, vec![(kolkata, at(11, 1, 3, 30))]),
        (
            11,
            2,
            vec![
                (tokyo, at(11, 2, 0, 0)),
                (kolkata, at(11, 2, 3, 30)),
                (berlin, at(11, 2, 8, 0)),
                (ny, at(11, 2, 14, 0)),
            ],
        ),
    ];

    let _worker = fixture.spawn_worker(&[("WORKER_SCHEDULER", "0")]);
    let pool =
        schema_server::db::build_pool(&db.url, &schema_server::db::PoolOptions::default()).unwrap();
    let tick = |now: DateTime<Utc>| {
        let pool = pool.clone();
        async move {
            worker::scheduler::tick_without_leadership(pool, now)
                .await
                .unwrap();
        }
    };
    tick(start).await;
    assert!(
        runs(db).await.is_empty(),
        "nothing opens before its first ask"
    );

    let mut mailed = [0usize; 4];
    let mut opened = 0;
    for (month, day, asks) in week {
        let date = NaiveDate::from_ymd_opt(2026, month, day).unwrap();
        if asks.is_empty() {
            // Nobody works that day: no standup at all.
            tick(at(month, day, 23, 59)).await;
            assert!(
                runs(db).await.iter().all(|r| r.local_date != date),
                "a standup opened on {date}"
            );
            continue;
        }
        // A second before the first ask: not open yet.
        tick(asks[0].1 - TimeDelta::seconds(1)).await;
        assert_eq!(runs(db).await.len(), opened, "{date}");
        let last_window =
            asks.iter().map(|(_, ask)| *ask).max().unwrap() + TimeDelta::minutes(WINDOW_MINUTES);
        for (i, (person, ask)) in asks.iter().enumerate() {
            // A second before this person's ask they are not asked yet ...
            tick(*ask - TimeDelta::seconds(1)).await;
            let all = runs(db).await;
            if i > 0 {
                let run = all.iter().find(|r| r.local_date == date).unwrap();
                let rows = participations(db, run.id).await;
                let mine = rows.iter().find(|r| r.user_id == ids[*person]).unwrap();
                assert_eq!(mine.ask_due_at, None, "{date}: {} early", people[*person].0);
            }
            // ... at it they are, and get the e-mail.
            tick(*ask).await;
            let all = runs(db).await;
            let run = all
                .iter()
                .find(|r| r.local_date == date)
                .unwrap_or_else(|| panic!("no standup for {date}"));
            assert_eq!(
                run.scheduled_for, asks[0].1,
                "{date} opens at its first ask"
            );
            assert_eq!(
                run.closes_at, last_window,
                "{date} closes after the last window"
            );
            assert_eq!(run.state, "OPEN");
            let rows = participations(db, run.id).await;
            // Only the people asked that day take part.
            assert_eq!(rows.len(), asks.len(), "{date}: {rows:?}");
            let mine = rows.iter().find(|r| r.user_id == ids[*person]).unwrap();
            assert_eq!(mine.ask_at, Some(*ask), "{date}: {}", people[*person].0);
            assert_eq!(mine.ask_due_at, Some(*ask), "{date}: {}", people[*person].0);
            mailed[*person] += 1;
            let email = people[*person].1;
            let expected = mailed[*person];
            assert!(
                wait_until(Duration::from_secs(30), || async {
                    opens_to(&fixture, email) == expected
                })
                .await,
                "{date}: {email} got {} 'is open' e-mails, expected {expected}",
                opens_to(&fixture, email)
            );
        }
        opened += 1;
        // Open until the last window ends, closed at it.
        tick(last_window - TimeDelta::seconds(1)).await;
        let run_state = |all: Vec<Run>| {
            all.into_iter()
                .find(|r| r.local_date == date)
                .unwrap()
                .state
        };
        assert_eq!(run_state(runs(db).await), "OPEN", "{date}");
        tick(last_window).await;
        assert_eq!(run_state(runs(db).await), "CLOSED", "{date}");
    }
    // Every "is open" e-mail went to the right person, once per day asked: Tokyo, Berlin
    // and New York on the seven weekdays, Kolkata on the seven Sundays to Thursdays.
    assert_eq!(mailed, [7, 7, 7, 7]);
    for (i, (_, email, _, _)) in people.iter().enumerate() {
        assert_eq!(opens_to(&fixture, email), mailed[i], "{email}");
    }
    fixture.cleanup().await;
}
