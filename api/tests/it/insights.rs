//! Insights: a team's participation and median time to answer per week, and each team's
//! participation for the organization's owners and admins — the numbers for a seeded
//! team, who may read them, and the range rules.

use crate::helpers::*;
use crate::members::join;
use diesel_async::SimpleAsyncConnection;
use serde_json::{Value, json};

const WEEKLY: &str = "query($team: ID!, $from: String!, $to: String!) { teamWeeklyParticipation(teamId: $team, from: $from, to: $to) { weekStart asked answered skipped rate } }";
const TIMES: &str = "query($team: ID!, $from: String!, $to: String!) { teamResponseTimes(teamId: $team, from: $from, to: $to) { weekStart answers medianMinutes } }";
const OVERVIEW: &str = "query($from: String!, $to: String!) { organizationParticipation(from: $from, to: $to) { team { id name } asked answered skipped rate } }";

/// A run of `config` started now, then moved to `local_date` (scheduled at 09:00 UTC
/// that day); returns its id.
async fn run_on(app: &TestApp, token: &str, config: &str, local_date: &str) -> String {
    let started = app
        .graphql_as(
            token,
            "mutation($id: ID!) { startStandupNow(configId: $id) { id } }",
            json!({ "id": config }),
        )
        .await;
    let id = started["data"]["startStandupNow"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{started}"))
        .to_owned();
    app.db()
        .await
        .batch_execute(&format!(
            "UPDATE standups SET local_date = '{local_date}', scheduled_for = '{local_date}T09:00:00Z', state = 'CLOSED', closed_at = '{local_date}T13:00:00Z' WHERE id = '{id}'"
        ))
        .await
        .unwrap();
    id
}

/// Sets one participation: its state and, for an answer, when it came.
async fn respond(app: &TestApp, standup: &str, user: &str, state: &str, at: Option<&str>) {
    let submitted = at.map_or("NULL".to_owned(), |at| format!("'{at}'"));
    app.db()
        .await
        .batch_execute(&format!(
            "UPDATE participations SET state = '{state}', submitted_at = {submitted} WHERE standup_id = '{standup}' AND user_id = '{user}'"
        ))
        .await
        .unwrap();
}

async fn config_for(app: &TestApp, token: &str, team: &str, participants: &[&str]) -> String {
    let body = app
        .graphql_as(
            token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "Daily", "questions": [{ "prompt": "Yesterday?", "kind": "TEXT" }],
                "weekdays": ["MON", "TUE", "WED", "THU", "FRI"], "timeOfDay": "09:00",
                "responseWindowMinutes": 240, "delivery": ["WEB"],
                "participantIds": participants, "everyone": false
            } }),
        )
        .await;
    body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

fn weeks(body: &Value, field: &str) -> Vec<Value> {
    body["data"][field]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .clone()
}

#[tokio::test]
async fn weekly_participation_and_median_times_of_a_seeded_team() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let mut people = Vec::new();
    for i in 0..4 {
        people.push(join(&app, &owner, &format!("p{i}@insights.example"), "MEMBER").await);
    }
    let outsider = join(&app, &owner, "outsider@insights.example", "MEMBER").await;
    let team = crate::teams::create_team(&app, &owner.token, "Core").await;
    for p in &people {
        crate::teams::add_member(&app, &owner.token, &team, &p.user_id).await;
    }
    let ids: Vec<&str> = people.iter().map(|p| p.user_id.as_str()).collect();
    let config = config_for(&app, &owner.token, &team, &ids).await;

    // Week of Mon 2 Nov: 3 of 4 answered, 10, 30 and 120 minutes after the 09:00 ask.
    let first = run_on(&app, &owner.token, &config, "2026-11-02").await;
    respond(
        &app,
        &first,
        ids[0],
        "ANSWERED",
        Some("2026-11-02T09:10:00Z"),
    )
    .await;
    respond(
        &app,
        &first,
        ids[1],
        "ANSWERED",
        Some("2026-11-02T09:30:00Z"),
    )
    .await;
    respond(
        &app,
        &first,
        ids[2],
        "ANSWERED",
        Some("2026-11-02T11:00:00Z"),
    )
    .await;

    // Week of Mon 9 Nov: one answer (asked at 14:00 in their own zone, answered 20
    // minutes later), one skip, one out of office (not asked), one missed.
    let second = run_on(&app, &owner.token, &config, "2026-11-11").await;
    respond(
        &app,
        &second,
        ids[0],
        "ANSWERED",
        Some("2026-11-11T14:20:00Z"),
    )
    .await;
    app.db()
        .await
        .batch_execute(&format!(
            "UPDATE participations SET ask_at = '2026-11-11T14:00:00Z' WHERE standup_id = '{second}' AND user_id = '{}'",
            ids[0]
        ))
        .await
        .unwrap();
    respond(&app, &second, ids[1], "SKIPPED", None).await;
    respond(&app, &second, ids[2], "OUT_OF_OFFICE", None).await;

    // Outside the range: the week after, and another team's run in the same week.
    let later = run_on(&app, &owner.token, &config, "2026-11-23").await;
    respond(
        &app,
        &later,
        ids[3],
        "ANSWERED",
        Some("2026-11-23T09:05:00Z"),
    )
    .await;
    let other_team = crate::teams::create_team(&app, &owner.token, "Other").await;
    crate::teams::add_member(&app, &owner.token, &other_team, ids[3]).await;
    let other_config = config_for(&app, &owner.token, &other_team, &[ids[3]]).await;
    let other = run_on(&app, &owner.token, &other_config, "2026-11-03").await;
    respond(
        &app,
        &other,
        ids[3],
        "ANSWERED",
        Some("2026-11-03T09:01:00Z"),
    )
    .await;

    let range = json!({ "team": team, "from": "2026-11-02", "to": "2026-11-22" });
    let body = app
        .graphql_as(&people[3].token, WEEKLY, range.clone())
        .await;
    let got = weeks(&body, "teamWeeklyParticipation");
    assert_eq!(
        got,
        vec![
            json!({ "weekStart": "2026-11-02", "asked": 4, "answered": 3, "skipped": 0, "rate": 0.75 }),
            json!({ "weekStart": "2026-11-09", "asked": 3, "answered": 1, "skipped": 1, "rate": 1.0 / 3.0 }),
            // A week without runs is listed, with no rate.
            json!({ "weekStart": "2026-11-16", "asked": 0, "answered": 0, "skipped": 0, "rate": null }),
        ],
        "{body}"
    );

    let body = app.graphql_as(&owner.token, TIMES, range.clone()).await;
    assert_eq!(
        weeks(&body, "teamResponseTimes"),
        vec![
            json!({ "weekStart": "2026-11-02", "answers": 3, "medianMinutes": 30.0 }),
            json!({ "weekStart": "2026-11-09", "answers": 1, "medianMinutes": 20.0 }),
            json!({ "weekStart": "2026-11-16", "answers": 0, "medianMinutes": null }),
        ],
        "{body}"
    );

    // An even count: the median lies halfway between the middle two (30 and 120 → 75).
    respond(
        &app,
        &first,
        ids[3],
        "ANSWERED",
        Some("2026-11-02T13:00:00Z"),
    )
    .await;
    let body = app
        .graphql_as(
            &owner.token,
            TIMES,
            json!({ "team": team, "from": "2026-11-02", "to": "2026-11-08" }),
        )
        .await;
    assert_eq!(
        weeks(&body, "teamResponseTimes"),
        vec![json!({ "weekStart": "2026-11-02", "answers": 4, "medianMinutes": 75.0 })],
        "{body}"
    );

    // The organization overview: each team by name over the week of 2 Nov.
    let week = json!({ "from": "2026-11-02", "to": "2026-11-08" });
    let body = app.graphql_as(&owner.token, OVERVIEW, week.clone()).await;
    assert_eq!(
        body["data"]["organizationParticipation"],
        json!([
            { "team": { "id": team, "name": "Core" }, "asked": 4, "answered": 4, "skipped": 0, "rate": 1.0 },
            { "team": { "id": other_team, "name": "Other" }, "asked": 1, "answered": 1, "skipped": 0, "rate": 1.0 },
        ]),
        "{body}"
    );

    // Who may read: a member outside the team may not; nor may a member the overview.
    let body = app.graphql_as(&outsider.token, WEEKLY, range.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app.graphql_as(&outsider.token, TIMES, range.clone()).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app.graphql_as(&people[0].token, OVERVIEW, week).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}

#[tokio::test]
async fn a_range_is_ordered_dated_and_at_most_a_year() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    let team = crate::teams::create_team(&app, &owner.token, "Core").await;
    for (from, to, field) in [
        ("2026-11-09", "2026-11-02", "to"),
        ("2025-01-01", "2026-11-02", "to"),
        ("last week", "2026-11-02", "from"),
    ] {
        let body = app
            .graphql_as(
                &owner.token,
                WEEKLY,
                json!({ "team": team, "from": from, "to": to }),
            )
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // A year of weeks is fine: 53 Mondays from the week of 1 Jan 2026.
    let body = app
        .graphql_as(
            &owner.token,
            WEEKLY,
            json!({ "team": team, "from": "2026-01-01", "to": "2026-12-31" }),
        )
        .await;
    let got = weeks(&body, "teamWeeklyParticipation");
    assert_eq!(got.len(), 53, "{body}");
    assert_eq!(got[0]["weekStart"], "2025-12-29");
}
