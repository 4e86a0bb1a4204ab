//! Mood on a 1-5 scale and anonymous moods, through the API.
//!
//! - `an_anonymous_mood_shows_no_aggregate_under_three_people`: with `anonymousMood`, no
//!   one sees another person's mood or comment (not in the answers, not in search), the
//!   standup's `moodSummary` and the team's `teamMoodTrend` are null while fewer than 3
//!   people gave a mood, and appear with the third.
//! - `a_mood_is_1_to_5_and_only_a_mood_question_takes_one`: out-of-range moods, a comment
//!   without a mood and a mood on a text question are refused with the field at fault,
//!   and the answers stored before stay as they were.
//! - `blocker_flow_counts_opened_and_resolved_blockers_per_week`: `teamBlockerFlow`, and
//!   the dashboard's `myOpenBlockers` and each team's `oldestOpenBlocker`.

use crate::helpers::*;
use crate::members::join;
use crate::standups::start;
use serde_json::{Value, json};

const SUBMIT: &str = "mutation($input: SubmitAnswersInput!) { submitAnswers(input: $input) { state answers { question { id } text mood } } }";
const READ: &str = "query($id: ID!) { standup(id: $id) { anonymousMood moodSummary { people average counts } \
     participations { user { email } answers { question { id } text mood } } myParticipation { answers { text mood } } } }";
const TREND: &str = "query($team: ID!, $from: String!, $to: String!) { teamMoodTrend(teamId: $team, from: $from, to: $to) { weekStart answers average } }";
const SEARCH: &str =
    "query($q: String!) { searchAnswers(query: $q) { edges { node { person { id } } } } }";

struct Moody {
    owner: SignedUp,
    people: Vec<SignedUp>,
    team: String,
    config: String,
}

/// A team of three asked "Yesterday?" and a required "Mood?", with anonymous moods as
/// `anonymous` says.
async fn moody(app: &TestApp, anonymous: bool) -> Moody {
    let owner = app.sign_up("owner@a.example", "A").await;
    let mut people = Vec::new();
    for email in ["ada@a.example", "bob@a.example", "cy@a.example"] {
        people.push(join(app, &owner, email, "MEMBER").await);
    }
    let team = crate::teams::create_team(app, &owner.token, "Platform").await;
    for person in &people {
        crate::teams::add_member(app, &owner.token, &team, &person.user_id).await;
    }
    let ids: Vec<&str> = people.iter().map(|p| p.user_id.as_str()).collect();
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id anonymousMood } }",
            json!({ "input": {
                "teamId": team, "name": "Daily", "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
                "timeOfDay": "09:00", "timezone": "UTC", "responseWindowMinutes": 240, "delivery": ["WEB"],
                "questions": [
                    { "prompt": "Yesterday?", "kind": "TEXT", "required": false },
                    { "prompt": "Mood?", "kind": "MOOD" }
                ],
                "participantIds": ids,
                "anonymousMood": anonymous
            } }),
        )
        .await;
    assert_eq!(
        body["data"]["createStandupConfig"]["anonymousMood"], anonymous,
        "{body}"
    );
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    Moody {
        owner,
        people,
        team,
        config,
    }
}

fn mood_answer(standup: &str, q: &[String], text: &str, mood: Option<i32>, comment: &str) -> Value {
    json!({ "input": { "standupId": standup, "answers": [
        { "questionId": q[0], "text": text },
        { "questionId": q[1], "text": comment, "mood": mood },
    ] } })
}

async fn read(app: &TestApp, token: &str, id: &str) -> Value {
    let body = app.graphql_as(token, READ, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["standup"].clone()
}

/// The moods `reader` sees in other people's answers.
fn others_moods(standup: &Value, reader: &str) -> Vec<Value> {
    standup["participations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["user"]["email"] != reader)
        .flat_map(|p| p["answers"].as_array().unwrap().clone())
        .filter(|a| !a["mood"].is_null())
        .collect()
}

async fn trend(app: &TestApp, token: &str, team: &str) -> Value {
    let today = chrono::Utc::now().date_naive();
    let body = app
        .graphql_as(
            token,
            TREND,
            json!({ "team": team, "from": (today - chrono::Duration::days(6)).to_string(), "to": (today + chrono::Duration::days(1)).to_string() }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    // The week with the run: the last one with answers.
    body["data"]["teamMoodTrend"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|w| w["answers"].as_i64() > Some(0))
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_anonymous_mood_shows_no_aggregate_under_three_people() {
    let app = TestApp::spawn().await;
    let m = moody(&app, true).await;
    let (id, q) = start(&app, &m.owner.token, &m.config).await;
    let [ada, bob, cy] = [&m.people[0], &m.people[1], &m.people[2]];

    for (person, mood, comment) in [(ada, 2, "rough night, pineapple"), (bob, 4, "")] {
        let body = app
            .graphql_as(
                &person.token,
                SUBMIT,
                mood_answer(&id, &q, "Shipped it", Some(mood), comment),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["submitAnswers"]["answers"][1]["mood"], mood);
    }

    // Two moods: no aggregate, for the owner as for a teammate, and nobody else's mood.
    for reader in [&m.owner, bob] {
        let s = read(&app, &reader.token, &id).await;
        assert_eq!(s["anonymousMood"], true);
        assert!(s["moodSummary"].is_null(), "{s}");
        assert!(others_moods(&s, &reader.email).is_empty(), "{s}");
        let answers: Vec<&Value> = s["participations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["user"]["email"] == "ada@a.example")
            .flat_map(|p| p["answers"].as_array().unwrap())
            .collect();
        assert_eq!(answers.len(), 1, "only Ada's text answer: {answers:?}");
        assert_eq!(answers[0]["text"], "Shipped it");
    }
    // Ada sees her own mood and comment.
    let own = read(&app, &ada.token, &id).await;
    assert_eq!(own["myParticipation"]["answers"][1]["mood"], 2);
    assert_eq!(
        own["myParticipation"]["answers"][1]["text"],
        "rough night, pineapple"
    );
    assert!(trend(&app, &m.owner.token, &m.team).await["average"].is_null());
    // Her comment is not found by anyone else, only by her.
    for (reader, hits) in [(&m.owner, 0), (bob, 0), (ada, 1)] {
        let body = app
            .graphql_as(&reader.token, SEARCH, json!({ "q": "pineapple" }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(
            body["data"]["searchAnswers"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            hits,
            "{} searching: {body}",
            reader.email
        );
    }

    // The third mood: the aggregate appears, still without anyone's own mood.
    let body = app
        .graphql_as(
            &cy.token,
            SUBMIT,
            mood_answer(&id, &q, "Reviews", Some(3), ""),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let s = read(&app, &m.owner.token, &id).await;
    assert_eq!(s["moodSummary"]["people"], 3, "{s}");
    assert_eq!(s["moodSummary"]["average"], 3.0);
    assert_eq!(s["moodSummary"]["counts"], json!([0, 1, 1, 1, 0]));
    assert!(others_moods(&s, &m.owner.email).is_empty(), "{s}");
    let week = trend(&app, &m.owner.token, &m.team).await;
    assert_eq!(week["answers"], 3, "{week}");
    assert_eq!(week["average"], 3.0);
}

#[tokio::test]
async fn without_anonymous_mood_everyone_sees_each_mood_and_the_average() {
    let app = TestApp::spawn().await;
    let m = moody(&app, false).await;
    let (id, q) = start(&app, &m.owner.token, &m.config).await;
    let body = app
        .graphql_as(
            &m.people[0].token,
            SUBMIT,
            mood_answer(&id, &q, "", Some(5), "great"),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let s = read(&app, &m.people[1].token, &id).await;
    assert_eq!(s["moodSummary"]["people"], 1, "{s}");
    assert_eq!(s["moodSummary"]["average"], 5.0);
    let seen = others_moods(&s, &m.people[1].email);
    assert_eq!(seen.len(), 1, "{s}");
    assert_eq!(seen[0]["mood"], 5);
    assert_eq!(seen[0]["text"], "great");
}

#[tokio::test]
async fn a_mood_is_1_to_5_and_only_a_mood_question_takes_one() {
    let app = TestApp::spawn().await;
    let m = moody(&app, false).await;
    let (id, q) = start(&app, &m.owner.token, &m.config).await;
    let ada = &m.people[0];
    let body = app
        .graphql_as(
            &ada.token,
            SUBMIT,
            mood_answer(&id, &q, "First", Some(4), "fine"),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    let text_with_mood = json!({ "input": { "standupId": id, "answers": [
        { "questionId": q[0], "text": "x", "mood": 3 },
        { "questionId": q[1], "text": "", "mood": 3 },
    ] } });
    for (input, says) in [
        (
            mood_answer(&id, &q, "Second", Some(6), ""),
            "a mood is 1 to 5",
        ),
        (
            mood_answer(&id, &q, "Second", Some(0), ""),
            "a mood is 1 to 5",
        ),
        (
            mood_answer(&id, &q, "Second", None, "no number"),
            "pick a mood from 1 to 5",
        ),
        (
            mood_answer(&id, &q, "Second", None, ""),
            "needs a mood from 1 to 5",
        ),
        (text_with_mood, "only a mood question takes a mood"),
    ] {
        let body = app.graphql_as(&ada.token, SUBMIT, input).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "answers",
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{says}: {body}");
    }
    // What was stored stays.
    let s = read(&app, &ada.token, &id).await;
    assert_eq!(
        s["myParticipation"]["answers"],
        json!([{ "text": "First", "mood": null }, { "text": "fine", "mood": 4 }])
    );
}

#[tokio::test]
async fn blocker_flow_counts_opened_and_resolved_blockers_per_week() {
    let app = TestApp::spawn().await;
    let f = crate::standups::fixture(&app, false).await;
    let other = app.sign_up("owner@b.example", "B").await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;
    for (person, blocker) in [(&f.ada, "Waiting on DB access"), (&f.bob, "No VPN")] {
        let body = app
            .graphql_as(
                &person.token,
                crate::standups::SUBMIT,
                crate::standups::answers(&id, &q, &["Work", blocker, ""]),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    // The dashboard's oldest open blocker per team: Ada's, the first opened.
    let today = chrono::Utc::now().date_naive();
    let oldest = async || {
        let body = app
            .graphql_as(
                &f.owner.token,
                "query($from: String!, $to: String!) { organizationParticipation(from: $from, to: $to) { team { id oldestOpenBlocker { text ageDays } } } }",
                json!({ "from": today.to_string(), "to": today.to_string() }),
            )
            .await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["organizationParticipation"][0]["team"]["oldestOpenBlocker"].clone()
    };
    assert_eq!(oldest().await["text"], "Waiting on DB access");
    let mine = app
        .graphql_as(
            &f.ada.token,
            "{ myOpenBlockers { id text status } }",
            json!({}),
        )
        .await;
    let mine = mine["data"]["myOpenBlockers"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["text"], "Waiting on DB access");
    let body = app
        .graphql_as(
            &f.ada.token,
            "mutation($id: ID!) { resolveBlocker(id: $id, note: \"granted\") { status } }",
            json!({ "id": mine[0]["id"] }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let empty = app
        .graphql_as(&f.ada.token, "{ myOpenBlockers { id } }", json!({}))
        .await;
    assert_eq!(empty["data"]["myOpenBlockers"], json!([]), "{empty}");
    assert_eq!(oldest().await["text"], "No VPN");

    let vars = json!({ "team": f.team, "from": (today - chrono::Duration::days(13)).to_string(), "to": (today + chrono::Duration::days(1)).to_string() });
    let flow = "query($team: ID!, $from: String!, $to: String!) { teamBlockerFlow(teamId: $team, from: $from, to: $to) { weekStart opened resolved medianDaysToResolve } }";
    let body = app.graphql_as(&f.eve.token, flow, vars.clone()).await;
    assert!(body["errors"].is_null(), "{body}");
    let weeks = body["data"]["teamBlockerFlow"].as_array().unwrap();
    assert!(weeks.len() >= 2, "{body}");
    let opened: i64 = weeks.iter().map(|w| w["opened"].as_i64().unwrap()).sum();
    let resolved: i64 = weeks.iter().map(|w| w["resolved"].as_i64().unwrap()).sum();
    assert_eq!((opened, resolved), (2, 1), "{body}");
    let week = weeks.iter().find(|w| w["resolved"] == 1).unwrap();
    assert!(
        week["medianDaysToResolve"].as_f64().unwrap() < 0.1,
        "resolved within minutes: {week}"
    );
    // Another organization's owner: the team is not theirs.
    let body = app.graphql_as(&other.token, flow, vars).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
}
