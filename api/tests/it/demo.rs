//! `api demo` (`make demo`, `DEMO=1 make run`): the demo organization, filled twice on
//! the test's database, is there once; its printed sign-in works; the home page's and the
//! team history's queries show data.

use crate::helpers::{LOG_IN, TestApp};
use crate::teams::count;
use api::demo::{DEMO_SLUG, HISTORY_DAYS};
use serde_json::{Value, json};

const MY_STANDUPS: &str = "query($state: StandupState) { myStandups(state: $state) {
    id state team { name } myParticipation { state }
    participations { state answers { text } } } }";
const TEAMS: &str = "{ teams { id name timezone members { user { id } } standupConfigs { id } } }";
const HISTORY: &str = "query($teamId: ID!) { standups(teamId: $teamId, first: 100) { edges { node {
    id state localDate closedAt
    digest { text answered skipped missing }
    participations { state skipReason answers { question { kind } text } } } } } }";
const PARTICIPATION: &str = "query($teamId: ID!) { teamParticipation(teamId: $teamId) {
    user { id } standups answered skipped missed } }";

#[tokio::test]
async fn demo_twice_makes_one_organization_that_signs_in_and_shows_history() {
    let app = TestApp::spawn().await;
    let first = api::demo::fill(&app.database_url, &app.address)
        .await
        .expect("first demo fill");
    assert!(first.created);
    let second = api::demo::fill(&app.database_url, &app.address)
        .await
        .expect("second demo fill");
    assert!(!second.created, "the second run finds the organization");
    assert_eq!(first.org_id, second.org_id);
    assert_eq!(
        count(
            &app,
            &format!("SELECT 1 FROM organizations WHERE slug = '{DEMO_SLUG}'")
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT 1 FROM organizations").await, 1);
    assert_eq!(count(&app, "SELECT 1 FROM users").await, 9);
    assert_eq!(count(&app, "SELECT 1 FROM teams").await, 3);
    assert_eq!(
        count(&app, "SELECT 1 FROM standups").await,
        3 * HISTORY_DAYS as i64 + 1
    );

    // The printed sign-in works.
    let body = app
        .graphql(
            LOG_IN,
            json!({ "input": { "email": second.email, "password": second.password } }),
        )
        .await;
    let token = body["data"]["logIn"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("demo sign-in failed: {body}"))
        .to_string();
    assert_eq!(
        body["data"]["logIn"]["organization"]["id"],
        first.org_id.to_string()
    );

    // Home page: the open standup asks the owner; others have answered already.
    let body = app
        .graphql_as(&token, MY_STANDUPS, json!({ "state": "OPEN" }))
        .await;
    let open = body["data"]["myStandups"].as_array().expect("myStandups");
    assert_eq!(open.len(), 1, "one open standup: {body}");
    assert_eq!(open[0]["myParticipation"]["state"], "PENDING");
    let answered = states(&open[0]["participations"], "ANSWERED");
    assert!(answered >= 1, "someone answered the open standup: {body}");
    let body = app
        .graphql_as(&token, MY_STANDUPS, json!({ "state": "CLOSED" }))
        .await;
    assert!(
        body["data"]["myStandups"].as_array().expect("closed").len() >= HISTORY_DAYS,
        "{body}"
    );

    // Three teams in three zones, each with members and a config.
    let body = app.graphql_as(&token, TEAMS, json!({})).await;
    let teams = body["data"]["teams"].as_array().expect("teams");
    let mut zones: Vec<&str> = teams
        .iter()
        .map(|t| t["timezone"].as_str().expect("zone"))
        .collect();
    zones.sort_unstable();
    assert_eq!(zones, ["America/New_York", "Asia/Tokyo", "Europe/Berlin"]);
    let (mut skipped, mut missing, mut blockers, mut moods) = (0, 0, 0, 0);
    for team in teams {
        assert!(team["members"].as_array().expect("members").len() >= 3);
        assert_eq!(team["standupConfigs"].as_array().expect("configs").len(), 1);
        let body = app
            .graphql_as(&token, HISTORY, json!({ "teamId": team["id"] }))
            .await;
        let edges = body["data"]["standups"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("history: {body}"));
        let closed: Vec<&Value> = edges
            .iter()
            .map(|e| &e["node"])
            .filter(|s| s["state"] == "CLOSED")
            .collect();
        assert_eq!(closed.len(), HISTORY_DAYS, "{} history", team["name"]);
        for standup in closed {
            let digest = &standup["digest"];
            assert!(
                digest["answered"].as_i64().expect("digest") >= 1,
                "{standup}"
            );
            assert!(!digest["text"].as_str().expect("text").is_empty());
            skipped += digest["skipped"].as_i64().expect("skipped");
            missing += digest["missing"].as_i64().expect("missing");
            for p in standup["participations"]
                .as_array()
                .expect("participations")
            {
                for a in p["answers"].as_array().expect("answers") {
                    let text = a["text"].as_str().expect("text");
                    match a["question"]["kind"].as_str() {
                        Some("BLOCKER") if text != "None" => blockers += 1,
                        Some("MOOD") => moods += 1,
                        _ => {}
                    }
                }
            }
        }
        let body = app
            .graphql_as(&token, PARTICIPATION, json!({ "teamId": team["id"] }))
            .await;
        let records = body["data"]["teamParticipation"]
            .as_array()
            .unwrap_or_else(|| panic!("participation: {body}"));
        assert!(
            records.iter().all(|r| r["standups"] == HISTORY_DAYS),
            "{body}"
        );
    }
    assert!(
        skipped > 0 && missing > 0,
        "skips {skipped}, missing {missing}"
    );
    assert!(
        blockers > 0 && moods > 0,
        "blockers {blockers}, moods {moods}"
    );
}

fn states(participations: &Value, state: &str) -> usize {
    participations
        .as_array()
        .expect("participations")
        .iter()
        .filter(|p| p["state"] == state)
        .count()
}
