//! Out of office and holidays end to end: real PostgreSQL, RabbitMQ, the api, the worker
//! (its scheduler on a test clock) and the file mailer.
//!
//! - `an_out_of_office_member_gets_nothing_and_is_shown_away_not_missing`: a member away
//!   on the run's date gets no e-mail (open, reminder or digest), is OUT_OF_OFFICE with
//!   their note on the standup, listed under "Out of office" in the digest (text and
//!   HTML, escaped) and left out of the team's participation rate.
//! - `a_holiday_imported_from_an_ics_file_opens_nothing`: the run on a team holiday
//!   does not open, the next one does.
//! - `a_malformed_ics_is_refused_with_its_line_and_nothing_is_stored`.
//! - `members_manage_their_own_out_of_office_and_admins_anyones`: roles, bounds,
//!   overlaps and ending early.
//! - `ending_early_counts_days_in_the_members_own_zone`: "today" is the member's date.
//! - `holiday_calendars_are_for_owners_and_admins`: creating, adding and removing dates,
//!   assigning to teams, deleting; members read only.

use crate::helpers::*;
use crate::members::join;
use crate::standup_loop::{
    mails, questions, settle, submit, three_people_and_a_team, wait_for_mails,
};
use crate::teams::{count, create_team};
use chrono::{DateTime, Duration as Days, NaiveDate, TimeDelta, Timelike, Utc};
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};
use std::time::Duration;
use worker::ManualClock;

const CREATE_CONFIG: &str =
    "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }";
const SET_OOO: &str = "mutation($input: SetOutOfOfficeInput!) { setOutOfOffice(input: $input) { id firstDay lastDay note setBySelf user { id } } }";
const END_OOO: &str = "mutation($id: ID!) { endOutOfOffice(id: $id) { id firstDay lastDay } }";
const PERIODS: &str =
    "query($user: ID) { outOfOfficePeriods(userId: $user) { id firstDay lastDay note } }";
const IMPORT: &str = "mutation($input: ImportHolidaysInput!) { importHolidays(input: $input) { imported ignored calendar { id name holidays { date name } } } }";
const SET_TEAM_CALENDARS: &str = "mutation($team: ID!, $ids: [ID!]!) { setTeamHolidayCalendars(teamId: $team, calendarIds: $ids) { id } }";
const STANDUP: &str = "query($id: ID!) { standup(id: $id) { state participations { user { email } state skipReason outOfOfficeNote } digest { answered skipped missing outOfOffice text html } } }";

/// An organization (Ada the owner, Bob and Cleo members) with a team of the three and a
/// daily 09:00 UTC config asking them by e-mail (60-minute window, reminder 15 minutes
/// before the close).
struct Fixture {
    app: TestApp,
    ada: SignedUp,
    bob: SignedUp,
    cleo: SignedUp,
    team: String,
    config: String,
    run: DateTime<Utc>,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let (ada, bob, cleo, team) = three_people_and_a_team(&app, "away.example").await;
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
                "delivery": ["EMAIL"],
                "participantIds": [ada.user_id, bob.user_id, cleo.user_id],
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createStandupConfig failed: {body}"))
        .to_string();
    let run = next_run(&app, &config).await.expect("a next run");
    Fixture {
        app,
        ada,
        bob,
        cleo,
        team,
        config,
        run,
    }
}

async fn next_run(app: &TestApp, config: &str) -> Option<DateTime<Utc>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Timestamptz>)]
        next_run_at: Option<DateTime<Utc>>,
    }
    let mut db = app.db().await;
    let row: Row = diesel::sql_query("SELECT next_run_at FROM standup_configs WHERE id = $1::uuid")
        .bind::<Text, _>(config)
        .get_result(&mut db)
        .await
        .unwrap();
    row.next_run_at
}

/// The config's standups, `(id, scheduled_for)`, oldest first.
async fn standups_of(app: &TestApp, config: &str) -> Vec<(uuid::Uuid, DateTime<Utc>)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: uuid::Uuid,
        #[diesel(sql_type = Timestamptz)]
        scheduled_for: DateTime<Utc>,
    }
    let mut db = app.db().await;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT id, scheduled_for FROM standups WHERE config_id = $1::uuid ORDER BY scheduled_for",
    )
    .bind::<Text, _>(config)
    .load(&mut db)
    .await
    .unwrap();
    rows.into_iter().map(|r| (r.id, r.scheduled_for)).collect()
}

async fn wait_for_standups(app: &TestApp, config: &str, n: usize) -> Vec<uuid::Uuid> {
    for _ in 0..200 {
        let rows = standups_of(app, config).await;
        if rows.len() >= n {
            return rows.into_iter().map(|(id, _)| id).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {n} standup(s) of {config}");
}

async fn wait_for_state(app: &TestApp, token: &str, id: uuid::Uuid, digest: bool) -> Value {
    for _ in 0..200 {
        let body = app.graphql_as(token, STANDUP, json!({ "id": id })).await;
        if !digest || !body["data"]["standup"]["digest"].is_null() {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for the digest of {id}");
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn ics(events: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//AsyncStand tests//EN\r\n{events}END:VCALENDAR\r\n"
    )
}

fn all_day(date: NaiveDate, summary: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{date}@tests\r\nDTSTART;VALUE=DATE:{}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n",
        date.format("%Y%m%d")
    )
}

#[tokio::test]
async fn an_out_of_office_member_gets_nothing_and_is_shown_away_not_missing() {
    let f = fixture().await;
    let app = &f.app;
    let date = f.run.date_naive();

    // Cleo is away from the day before the run to the day after, with a note.
    let body = app
        .graphql_as(
            &f.cleo.token,
            SET_OOO,
            json!({ "input": {
                "firstDay": day(date - Days::days(1)),
                "lastDay": day(date + Days::days(1)),
                "note": "Climbing <Eiger> & back Monday",
            } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["setOutOfOffice"]["setBySelf"], true);
    assert_eq!(body["data"]["setOutOfOffice"]["user"]["id"], f.cleo.user_id);
    // Her teammates see it.
    let body = app
        .graphql_as(&f.bob.token, PERIODS, json!({ "user": f.cleo.user_id }))
        .await;
    assert_eq!(
        body["data"]["outOfOfficePeriods"][0]["note"], "Climbing <Eiger> & back Monday",
        "{body}"
    );

    let clock = ManualClock::new(f.run);
    let _worker = app.start_worker_with_clock(&clock, &[]).await;
    let id = wait_for_standups(app, &f.config, 1).await[0];
    for who in [&f.ada, &f.bob] {
        wait_for_mails(app, &who.email, "Daily: your standup", id).await;
    }
    let body = wait_for_state(app, &f.ada.token, id, false).await;
    let cleo = body["data"]["standup"]["participations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user"]["email"] == f.cleo.email.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("Cleo is listed: {body}"));
    assert_eq!(cleo["state"], "OUT_OF_OFFICE", "{body}");
    assert_eq!(cleo["outOfOfficeNote"], "Climbing <Eiger> & back Monday");
    assert!(cleo["skipReason"].is_null());

    // Bob answers; the reminder reaches Ada only; at the close the digest goes out.
    submit(app, &f.bob, id, &["Shipped", "none"]).await;
    clock.set(f.run + TimeDelta::minutes(45));
    wait_for_mails(app, &f.ada.email, "Reminder: Daily", id).await;
    clock.set(f.run + TimeDelta::minutes(60));
    for who in [&f.ada, &f.bob] {
        wait_for_mails(app, &who.email, "Digest: Daily", id).await;
    }
    let body = wait_for_state(app, &f.ada.token, id, true).await;
    let digest = &body["data"]["standup"]["digest"];
    assert_eq!(
        (
            &digest["answered"],
            &digest["missing"],
            &digest["outOfOffice"]
        ),
        (&json!(1), &json!(1), &json!(1)),
        "{body}"
    );
    let text = digest["text"].as_str().unwrap();
    assert!(
        text.contains("Out of office: Cleo (Climbing <Eiger> & back Monday)"),
        "{text}"
    );
    assert!(text.contains("No answer: Ada"), "{text}");
    let html = digest["html"].as_str().unwrap();
    assert!(
        html.contains(
            "<strong>Out of office:</strong> Cleo (Climbing &lt;Eiger&gt; &amp; back Monday)"
        ),
        "{html}"
    );
    let digest_mail = app
        .emails_to(&f.ada.email, "Subject: Digest: Daily")
        .pop()
        .unwrap()
        .replace("=\r\n", "");
    assert!(digest_mail.contains("Out of office: Cleo"), "{digest_mail}");

    // Cleo got nothing about it: no question, no reminder, no digest.
    settle().await;
    assert!(
        app.emails_to(&f.cleo.email, "Daily").is_empty(),
        "{:#?}",
        app.emails_to(&f.cleo.email, "")
    );
    for subject in ["Daily: your standup", "Reminder: Daily", "Digest: Daily"] {
        assert_eq!(mails(app, &f.cleo.email, subject, id), 0, "{subject}");
    }

    // The participation rate leaves her day away out: Cleo has no standup against her.
    let body = app
        .graphql_as(
            &f.bob.token,
            "query($team: ID!) { teamParticipation(teamId: $team) { user { email } standups answered missed outOfOffice responseRate } }",
            json!({ "team": f.team }),
        )
        .await;
    let stats = body["data"]["teamParticipation"].as_array().unwrap();
    let of = |email: &str| {
        stats
            .iter()
            .find(|s| s["user"]["email"] == email)
            .cloned()
            .unwrap_or_else(|| panic!("{email} in {body}"))
    };
    let cleo = of(&f.cleo.email);
    assert_eq!(
        (&cleo["standups"], &cleo["missed"], &cleo["outOfOffice"]),
        (&json!(0), &json!(0), &json!(1)),
        "{body}"
    );
    assert_eq!(of(&f.bob.email)["responseRate"], 1.0);
    assert_eq!(of(&f.ada.email)["missed"], 1);
}

#[tokio::test]
async fn a_holiday_imported_from_an_ics_file_opens_nothing() {
    let f = fixture().await;
    let app = &f.app;
    let date = f.run.date_naive();
    let file = ics(&format!(
        "{}{}",
        all_day(date, "Founders\\, Day"),
        all_day(date + Days::days(30), "Later")
    ));
    let body = app
        .graphql_as(
            &f.ada.token,
            IMPORT,
            json!({ "input": { "name": "Company", "ics": file } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let import = &body["data"]["importHolidays"];
    assert_eq!(import["imported"], 2, "{body}");
    assert_eq!(
        import["calendar"]["holidays"][0],
        json!({ "date": day(date), "name": "Founders, Day" })
    );
    let calendar = import["calendar"]["id"].as_str().unwrap().to_string();
    let body = app
        .graphql_as(
            &f.ada.token,
            SET_TEAM_CALENDARS,
            json!({ "team": f.team, "ids": [calendar] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .graphql_as(
            &f.bob.token,
            "query($id: ID!) { team(id: $id) { holidayCalendars { name } } }",
            json!({ "id": f.team }),
        )
        .await;
    assert_eq!(
        body["data"]["team"]["holidayCalendars"],
        json!([{ "name": "Company" }]),
        "{body}"
    );

    // The holiday's 09:00 comes and goes: nothing opens, nobody is asked, and the
    // config moves on to the next day.
    let clock = ManualClock::new(f.run);
    let _worker = app.start_worker_with_clock(&clock, &[]).await;
    let next = f.run + TimeDelta::days(1);
    for _ in 0..200 {
        if next_run(app, &f.config).await == Some(next) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(next_run(app, &f.config).await, Some(next));
    settle().await;
    assert!(standups_of(app, &f.config).await.is_empty());
    assert!(app.emails_to(&f.bob.email, "Daily").is_empty());

    // The day after is an ordinary day: its run opens.
    clock.set(next);
    let id = wait_for_standups(app, &f.config, 1).await[0];
    assert_eq!(standups_of(app, &f.config).await[0].1, next);
    wait_for_mails(app, &f.bob.email, "Daily: your standup", id).await;
}

#[tokio::test]
async fn a_malformed_ics_is_refused_with_its_line_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let date = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
    // Line 7 has no "NAME:value"; in the second file line 6's date is no date.
    let broken = ics(&all_day(date, "Christmas")).replace(
        "DTSTART;VALUE=DATE:20261225\r\n",
        "DTSTART;VALUE=DATE:20261225\r\nthis is not iCalendar\r\n",
    );
    for (input, line) in [
        (json!({ "name": "Broken", "ics": broken }), "line 7"),
        (
            json!({ "name": "Broken", "ics": ics(&all_day(date, "X")).replace("20261225", "2026-12-25") }),
            "line 6",
        ),
    ] {
        let body = app
            .graphql_as(&ada.token, IMPORT, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "ics", "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(line), "{message}");
    }
    assert_eq!(count(&app, "SELECT 1 FROM holiday_calendars").await, 0);
    assert_eq!(count(&app, "SELECT 1 FROM holidays").await, 0);

    // Into an existing calendar: still all or nothing.
    let body = app
        .graphql_as(
            &ada.token,
            "mutation { createHolidayCalendar(input: { name: \"Kept\", holidays: [{ date: \"2026-01-01\", name: \"New Year\" }] }) { id } }",
            json!({}),
        )
        .await;
    let kept = body["data"]["createHolidayCalendar"]["id"].clone();
    let half = ics(&format!(
        "{}BEGIN:VEVENT\r\nSUMMARY:No start\r\nEND:VEVENT\r\n",
        all_day(date, "Christmas")
    ));
    let body = app
        .graphql_as(
            &ada.token,
            IMPORT,
            json!({ "input": { "calendarId": kept, "ics": half } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 9"),
        "{body}"
    );
    assert_eq!(count(&app, "SELECT 1 FROM holidays").await, 1);

    // A file over 256 KB is refused whole.
    let huge = ics(&all_day(date, &"x".repeat(300 * 1024)));
    let body = app
        .graphql_as(
            &ada.token,
            IMPORT,
            json!({ "input": { "calendarId": kept, "ics": huge } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM holidays").await, 1);
}

#[tokio::test]
async fn members_manage_their_own_out_of_office_and_admins_anyones() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, "bob@away.example", "MEMBER").await;
    let today = Utc::now().date_naive();
    let set = |token: String, input: Value| {
        let app = &app;
        async move {
            app.graphql_as(&token, SET_OOO, json!({ "input": input }))
                .await
        }
    };

    // Bob for himself: fine; for Ada: FORBIDDEN. Ada for Bob: fine.
    let body = set(
        bob.token.clone(),
        json!({ "firstDay": day(today - Days::days(2)), "lastDay": day(today + Days::days(3)) }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let current = body["data"]["setOutOfOffice"]["id"].clone();
    let body = set(
        bob.token.clone(),
        json!({ "userId": ada.user_id, "firstDay": day(today), "lastDay": day(today) }),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = set(
        ada.token.clone(),
        json!({ "userId": bob.user_id, "firstDay": day(today + Days::days(10)), "lastDay": day(today + Days::days(12)), "note": "Conference" }),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["setOutOfOffice"]["setBySelf"], false);
    let upcoming = body["data"]["setOutOfOffice"]["id"].clone();

    // Bad input names its field; overlapping periods conflict.
    for (input, field) in [
        (
            json!({ "firstDay": "tomorrow", "lastDay": day(today) }),
            "firstDay",
        ),
        (
            json!({ "firstDay": day(today + Days::days(40)), "lastDay": day(today + Days::days(39)) }),
            "lastDay",
        ),
        (
            json!({ "firstDay": day(today + Days::days(40)), "lastDay": day(today + Days::days(40 + 366)) }),
            "lastDay",
        ),
        (
            json!({ "firstDay": day(today + Days::days(40)), "lastDay": day(today + Days::days(41)), "note": "n".repeat(201) }),
            "note",
        ),
    ] {
        let body = set(bob.token.clone(), input).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let body = set(
        bob.token.clone(),
        json!({ "firstDay": day(today + Days::days(11)), "lastDay": day(today + Days::days(20)) }),
    )
    .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM out_of_office").await, 2);

    let body = app.graphql_as(&bob.token, PERIODS, json!({})).await;
    let periods = body["data"]["outOfOfficePeriods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{body}");
    assert_eq!(periods[1]["note"], "Conference");

    // Ending early: the current one now ended yesterday, the upcoming one is gone.
    let body = app
        .graphql_as(&bob.token, END_OOO, json!({ "id": current }))
        .await;
    assert_eq!(
        body["data"]["endOutOfOffice"]["lastDay"],
        day(today - Days::days(1)),
        "{body}"
    );
    let body = app
        .graphql_as(&bob.token, END_OOO, json!({ "id": upcoming }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["endOutOfOffice"].is_null(), "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM out_of_office").await, 1);

    // Ada's own period: Bob can neither end it nor read another organization's.
    let body = set(
        ada.token.clone(),
        json!({ "firstDay": day(today), "lastDay": day(today + Days::days(1)) }),
    )
    .await;
    let adas = body["data"]["setOutOfOffice"]["id"].clone();
    let body = app
        .graphql_as(&bob.token, END_OOO, json!({ "id": adas }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let audit = count(
        &app,
        "SELECT 1 FROM audit_events WHERE action IN ('out_of_office.set', 'out_of_office.ended')",
    )
    .await;
    assert_eq!(audit, 5);
}

#[tokio::test]
async fn holiday_calendars_are_for_owners_and_admins() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    let bob = join(&app, &ada, "bob@away.example", "MEMBER").await;
    let team = create_team(&app, &ada.token, "Platform").await;
    let create = "mutation($name: String!) { createHolidayCalendar(input: { name: $name, holidays: [{ date: \"2026-12-25\", name: \"Christmas\" }] }) { id name holidays { date name } } }";

    let body = app
        .graphql_as(&bob.token, create, json!({ "name": "Members'" }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&ada.token, create, json!({ "name": "Germany" }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let calendar = body["data"]["createHolidayCalendar"]["id"].clone();
    let body = app
        .graphql_as(&ada.token, create, json!({ "name": "GERMANY" }))
        .await;
    assert_eq!(error_code(&body), "CONFLICT", "{body}");

    let add = "mutation($id: ID!, $date: String!) { addHoliday(calendarId: $id, date: $date, name: \"Boxing Day\") { holidays { date name } } }";
    let body = app
        .graphql_as(
            &ada.token,
            add,
            json!({ "id": calendar, "date": "2026-12-26" }),
        )
        .await;
    assert_eq!(
        body["data"]["addHoliday"]["holidays"],
        json!([
            { "date": "2026-12-25", "name": "Christmas" },
            { "date": "2026-12-26", "name": "Boxing Day" },
        ]),
        "{body}"
    );
    let body = app
        .graphql_as(
            &ada.token,
            add,
            json!({ "id": calendar, "date": "26.12.2026" }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "date", "{body}");
    let body = app
        .graphql_as(
            &bob.token,
            add,
            json!({ "id": calendar, "date": "2026-12-27" }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");

    let remove = "mutation($id: ID!) { removeHoliday(calendarId: $id, date: \"2026-12-25\") { holidays { date } } }";
    let body = app
        .graphql_as(&ada.token, remove, json!({ "id": calendar }))
        .await;
    assert_eq!(
        body["data"]["removeHoliday"]["holidays"],
        json!([{ "date": "2026-12-26" }]),
        "{body}"
    );
    let body = app
        .graphql_as(&ada.token, remove, json!({ "id": calendar }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    let body = app
        .graphql_as(
            &bob.token,
            SET_TEAM_CALENDARS,
            json!({ "team": team, "ids": [calendar] }),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(
            &ada.token,
            SET_TEAM_CALENDARS,
            json!({ "team": team, "ids": [calendar, uuid::Uuid::new_v4()] }),
        )
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "calendarIds");
    let body = app
        .graphql_as(
            &ada.token,
            SET_TEAM_CALENDARS,
            json!({ "team": team, "ids": [calendar] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // Members read the calendars and which teams use them.
    let body = app
        .graphql_as(
            &bob.token,
            "{ holidayCalendars { name teamIds holidays { date } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["holidayCalendars"],
        json!([{ "name": "Germany", "teamIds": [team], "holidays": [{ "date": "2026-12-26" }] }]),
        "{body}"
    );

    let delete = "mutation($id: ID!) { deleteHolidayCalendar(id: $id) }";
    let body = app
        .graphql_as(&bob.token, delete, json!({ "id": calendar }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&ada.token, delete, json!({ "id": calendar }))
        .await;
    assert_eq!(body["data"]["deleteHolidayCalendar"], true, "{body}");
    assert_eq!(count(&app, "SELECT 1 FROM team_holiday_calendars").await, 0);
    assert_eq!(count(&app, "SELECT 1 FROM holidays").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action LIKE 'holiday_calendar.%' OR action = 'team.holiday_calendars_set'"
        )
        .await,
        5
    );
}

#[tokio::test]
async fn ending_early_counts_days_in_the_members_own_zone() {
    let app = TestApp::spawn().await;
    let ada = app.signed_up_owner().await;
    // A zone whose date differs from UTC's right now (both keep one offset all year).
    let now = Utc::now();
    let (zone, offset) = if now.hour() >= 10 {
        ("Pacific/Kiritimati", 14)
    } else {
        ("Pacific/Pago_Pago", -11)
    };
    let body = app
        .graphql_as(
            &ada.token,
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { timezone } }",
            json!({ "input": { "timezone": zone } }),
        )
        .await;
    assert_eq!(body["data"]["updateProfile"]["timezone"], zone, "{body}");
    let today = (Utc::now() + Days::hours(offset)).date_naive();
    assert_ne!(
        today,
        Utc::now().date_naive(),
        "the zone is chosen to differ"
    );

    // Started yesterday (their time): ending it today makes yesterday its last day.
    let body = app
        .graphql_as(
            &ada.token,
            SET_OOO,
            json!({ "input": { "firstDay": day(today - Days::days(1)), "lastDay": day(today + Days::days(5)) } }),
        )
        .await;
    let id = body["data"]["setOutOfOffice"]["id"].clone();
    let body = app
        .graphql_as(&ada.token, END_OOO, json!({ "id": id }))
        .await;
    assert_eq!(
        body["data"]["endOutOfOffice"]["lastDay"],
        day(today - Days::days(1)),
        "{body}"
    );
    // Starting today (their time) and ended at once: it never happened.
    let body = app
        .graphql_as(
            &ada.token,
            SET_OOO,
            json!({ "input": { "firstDay": day(today), "lastDay": day(today + Days::days(2)) } }),
        )
        .await;
    let id = body["data"]["setOutOfOffice"]["id"].clone();
    let body = app
        .graphql_as(&ada.token, END_OOO, json!({ "id": id }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["endOutOfOffice"].is_null(), "{body}");
    // The one ended yesterday is no longer current; nothing is listed.
    let body = app.graphql_as(&ada.token, PERIODS, json!({})).await;
    assert_eq!(body["data"]["outOfOfficePeriods"], json!([]), "{body}");
}
