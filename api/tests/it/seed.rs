//! `api seed` (`make seed`) at a small scale: the row counts follow the scale (teams,
//! people, a standup per team and weekday, four answers per answered participation, a
//! mood on each, a blocker per answer that names one), a second run refuses and
//! `SEED_RESET` seeds again, and the owner signs in and sees history, search hits and
//! insights through GraphQL.

use crate::helpers::{LOG_IN, TestApp};
use crate::teams::count;
use api::seed::{BIG_TEAM_NAME, BIG_TEAM_SIZE, SEED_PASSWORD, SeedScale, TEAM_SIZE};
use chrono::{Datelike, Duration, Utc, Weekday};
use serde_json::{Value, json};

const TEAMS: &str = "{ teams { id name timezone members { user { id } } standupConfigs { id } } }";
const HISTORY: &str = "query($teamId: ID!) { standups(teamId: $teamId, first: 100) { edges { node {
    id state localDate participations { state answers { question { kind } text } } } } } }";
const SEARCH: &str = "query($q: String!, $teamId: ID) {
    searchAnswers(query: $q, filter: { teamId: $teamId }, first: 20) {
        edges { node { standupId snippet team { id } } } } }";
const WEEKLY: &str = "query($teamId: ID!, $from: String!, $to: String!) {
    teamWeeklyParticipation(teamId: $teamId, from: $from, to: $to) { weekStart asked answered skipped } }";

#[tokio::test]
async fn seed_fills_the_scale_refuses_a_second_run_and_signs_in() {
    let app = TestApp::spawn().await;
    let scale = SeedScale {
        teams: 3,
        days: 10,
        reset: false,
    };
    let seeded = api::seed::fill(&app.database_url, scale, false)
        .await
        .expect("seed");
    let today = Utc::now().date_naive();
    let weekdays = (1..=10)
        .map(|i| today - Duration::days(i))
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64;
    let people = i64::from(3 * TEAM_SIZE + BIG_TEAM_SIZE);

    assert_eq!(seeded.orgs, 1);
    assert_eq!(count(&app, "SELECT 1 FROM organizations").await, 1);
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 4);
    assert_eq!(count(&app, "SELECT 1 FROM users").await, people);
    assert_eq!(
        count(&app, "SELECT 1 FROM memberships WHERE role = 'OWNER'").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT 1 FROM memberships WHERE role = 'ADMIN'").await,
        3
    );
    assert_eq!(count(&app, "SELECT 1 FROM team_members").await, people);
    assert_eq!(count(&app, "SELECT 1 FROM standup_configs").await, 4);
    assert_eq!(
        count(&app, "SELECT 1 FROM standup_configs WHERE anonymous_mood").await,
        1,
        "every fourth config has anonymous moods"
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM standup_configs WHERE next_run_at > now()"
        )
        .await,
        4
    );
    assert_eq!(
        count(&app, "SELECT 1 FROM standups WHERE state = 'CLOSED'").await,
        4 * weekdays
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM standups WHERE extract(isodow FROM local_date) > 5"
        )
        .await,
        0
    );
    let participations = count(&app, "SELECT 1 FROM participations").await;
    assert_eq!(participations, people * weekdays);
    let answered = count(
        &app,
        "SELECT 1 FROM participations WHERE state = 'ANSWERED'",
    )
    .await;
    let skipped = count(
        &app,
        "SELECT 1 FROM participations WHERE state = 'SKIPPED' AND skip_reason IS NOT NULL",
    )
    .await;
    let share = answered as f64 / participations as f64;
    assert!((0.78..=0.92).contains(&share), "answered share {share}");
    let skipped_share = skipped as f64 / participations as f64;
    assert!(
        (0.03..=0.09).contains(&skipped_share),
        "skipped share {skipped_share}"
    );
    assert!(count(&app, "SELECT 1 FROM participations WHERE state = 'PENDING'").await > 0);
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM participations p JOIN standups s ON s.id = p.standup_id
             WHERE p.state <> 'PENDING'
               AND (p.submitted_at < s.scheduled_for OR p.submitted_at > s.closes_at)"
        )
        .await,
        0,
        "every submission lies inside its window"
    );
    assert_eq!(count(&app, "SELECT 1 FROM answers").await, 4 * answered);
    assert_eq!(
        count(&app, "SELECT 1 FROM answers WHERE mood BETWEEN 1 AND 5").await,
        answered,
        "one mood per answered participation"
    );
    assert!(
        count(
            &app,
            "SELECT DISTINCT mood FROM answers WHERE mood IS NOT NULL"
        )
        .await
            >= 4,
        "moods vary"
    );
    let blocker_answers = count(
        &app,
        "SELECT 1 FROM answers a JOIN standups s ON s.id = a.standup_id
         JOIN LATERAL jsonb_array_elements(s.questions) e ON e->>'id' = a.question_id::text
         WHERE e->>'kind' = 'BLOCKER' AND a.text <> 'None'",
    )
    .await;
    assert!(blocker_answers > 0);
    assert_eq!(count(&app, "SELECT 1 FROM blockers").await, blocker_answers);
    assert!(count(&app, "SELECT 1 FROM blockers WHERE status = 'RESOLVED'").await > 0);
    assert!(count(&app, "SELECT 1 FROM blockers WHERE status = 'OPEN'").await > 0);
    assert_eq!(
        count(&app, "SELECT 1 FROM blockers WHERE resolved_at > now()").await,
        0
    );
    assert_eq!(seeded.counts.answers as i64, 4 * answered);
    assert_eq!(seeded.counts.blockers as i64, blocker_answers);

    // A second run refuses; with reset it seeds the same again.
    let again = api::seed::fill(&app.database_url, scale, false).await;
    let err = format!("{:#}", again.expect_err("a second run refuses"));
    assert!(err.contains("SEED_RESET=1"), "{err}");
    let reset = api::seed::fill(
        &app.database_url,
        SeedScale {
            reset: true,
            ..scale
        },
        false,
    )
    .await
    .expect("seed with reset");
    assert_eq!(reset.deleted_orgs, 1);
    assert_eq!(reset.counts, seeded.counts, "deterministic");
    assert_eq!(count(&app, "SELECT 1 FROM users").await, people);

    // The owner signs in and sees it all.
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": reset.owner_email, "password": SEED_PASSWORD } }),
        )
        .await;
    let token = body["data"]["logIn"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("seed sign-in failed: {body}"))
        .to_string();
    let body = app.graphql_as(&token, TEAMS, json!({})).await;
    let teams = body["data"]["teams"].as_array().expect("teams");
    assert_eq!(teams.len(), 4, "{body}");
    let big = teams
        .iter()
        .find(|t| t["name"] == BIG_TEAM_NAME)
        .expect("the 50-person team");
    assert_eq!(
        big["members"].as_array().expect("members").len(),
        BIG_TEAM_SIZE as usize
    );
    let mut zones: Vec<&str> = teams
        .iter()
        .filter_map(|t| t["timezone"].as_str())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    assert!(zones.len() >= 3, "teams in different zones: {zones:?}");

    let body = app
        .graphql_as(&token, HISTORY, json!({ "teamId": big["id"] }))
        .await;
    let edges = body["data"]["standups"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("history: {body}"));
    assert_eq!(edges.len() as i64, weekdays, "{body}");
    let first = &edges[0]["node"];
    assert_eq!(first["state"], "CLOSED");
    let texts: Vec<&Value> = first["participations"]
        .as_array()
        .expect("participations")
        .iter()
        .flat_map(|p| p["answers"].as_array().expect("answers"))
        .collect();
    assert!(
        texts.iter().any(
            |a| a["question"]["kind"] == "TEXT" && !a["text"].as_str().unwrap_or("").is_empty()
        ),
        "answers in the history: {first}"
    );

    // Search, org-wide and in one team: "deploy" finds "Deployed" and "Deploy".
    let body = app
        .graphql_as(&token, SEARCH, json!({ "q": "deploy", "teamId": null }))
        .await;
    let hits = body["data"]["searchAnswers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("search: {body}"));
    assert!(!hits.is_empty(), "{body}");
    assert!(
        hits.iter().all(|h| h["node"]["snippet"]
            .as_str()
            .unwrap_or("")
            .to_lowercase()
            .contains("deploy")),
        "{body}"
    );
    let body = app
        .graphql_as(
            &token,
            SEARCH,
            json!({ "q": "deploy", "teamId": big["id"] }),
        )
        .await;
    let hits = body["data"]["searchAnswers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("search: {body}"));
    assert!(!hits.is_empty(), "{body}");
    assert!(hits.iter().all(|h| h["node"]["team"]["id"] == big["id"]));

    // Insights over the seeded range.
    let from = (today - Duration::days(10)).to_string();
    let to = (today - Duration::days(1)).to_string();
    let body = app
        .graphql_as(
            &token,
            WEEKLY,
            json!({ "teamId": big["id"], "from": from, "to": to }),
        )
        .await;
    let weeks = body["data"]["teamWeeklyParticipation"]
        .as_array()
        .unwrap_or_else(|| panic!("insights: {body}"));
    let asked: i64 = weeks.iter().map(|w| w["asked"].as_i64().unwrap_or(0)).sum();
    let answered_big: i64 = weeks
        .iter()
        .map(|w| w["answered"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(asked, i64::from(BIG_TEAM_SIZE) * weekdays, "{body}");
    assert!(answered_big > asked / 2, "{body}");
}
