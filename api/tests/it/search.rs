//! `searchAnswers`: full-text search over the organization's answers.
//!
//! - `a_word_finds_the_answer_with_a_marked_snippet_its_person_team_and_date`: English
//!   stemming ("deploy" finds "Deployed"), the snippet is text with the match marked
//!   (markup in an answer stays text), and a member who was not asked reads it too.
//! - `filters_narrow_by_team_person_and_dates`.
//! - `another_organizations_answers_never_show`: the same word in two organizations;
//!   each sees only its own, another organization's team is NOT_FOUND.
//! - `pages_walk_every_match_once_best_first`.
//! - `empty_or_long_queries_are_bad_input`.

use crate::helpers::*;
use crate::standups::{SUBMIT, answers, fixture, start};
use crate::teams::field;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

pub(crate) const SEARCH: &str = "query($q: String!, $filter: AnswerSearchFilter, $first: Int, $after: String) {
  searchAnswers(query: $q, filter: $filter, first: $first, after: $after) {
    edges { cursor node { standupId standupDate questionId question snippet snippetParts { text matched } person { id name } team { id name } } }
    pageInfo { hasNextPage endCursor }
  } }";

async fn search(app: &TestApp, token: &str, q: &str, filter: Value) -> Value {
    app.graphql_as(token, SEARCH, json!({ "q": q, "filter": filter }))
        .await
}

fn nodes(body: &Value) -> Vec<Value> {
    body["data"]["searchAnswers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn submit(app: &TestApp, token: &str, standup: &str, q: &[String], texts: &[&str]) {
    let body = app
        .graphql_as(token, SUBMIT, answers(standup, q, texts))
        .await;
    assert_eq!(body["data"]["submitAnswers"]["state"], "ANSWERED", "{body}");
}

/// A team `team` of `owner` alone and a daily config asking them `prompts`: the team's
/// id and the config's.
pub(crate) async fn solo_config(
    app: &TestApp,
    owner: &SignedUp,
    team: &str,
    prompts: &[&str],
) -> (String, String) {
    let team = crate::teams::create_team(app, &owner.token, team).await;
    crate::teams::add_member(app, &owner.token, &team, &owner.user_id).await;
    let questions: Vec<Value> = prompts
        .iter()
        .map(|p| json!({ "prompt": p, "kind": "TEXT" }))
        .collect();
    let body = app
        .graphql_as(
            &owner.token,
            "mutation($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }",
            json!({ "input": {
                "teamId": team, "name": "Daily", "weekdays": ["MON"], "timeOfDay": "09:00",
                "timezone": "UTC", "responseWindowMinutes": 60, "delivery": ["WEB"],
                "questions": questions, "participantIds": [owner.user_id]
            } }),
        )
        .await;
    let config = body["data"]["createStandupConfig"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_string();
    (team, config)
}

/// Moves standups to the given dates (`YYYY-MM-DD`).
pub(crate) async fn set_dates(app: &TestApp, days: &[(&str, &str)]) {
    let mut db = app.db().await;
    for (id, day) in days {
        diesel::sql_query("UPDATE standups SET local_date = $1::date WHERE id = $2::uuid")
            .bind::<diesel::sql_types::Text, _>(*day)
            .bind::<diesel::sql_types::Text, _>(*id)
            .execute(&mut db)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_word_finds_the_answer_with_a_marked_snippet_its_person_team_and_date() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    submit(
        &app,
        &f.ada.token,
        &standup,
        &q,
        &["Deployed the <b>billing</b> service", "none", ""],
    )
    .await;
    submit(
        &app,
        &f.bob.token,
        &standup,
        &q,
        &["Reviewed pull requests", "none", ""],
    )
    .await;

    // Eve was not asked; like the team's history, every member may read it.
    let body = search(&app, &f.eve.token, "deploy", Value::Null).await;
    let hits = nodes(&body);
    assert_eq!(hits.len(), 1, "{body}");
    let hit = &hits[0];
    assert_eq!(hit["standupId"], standup.as_str());
    assert_eq!(hit["questionId"], q[0].as_str());
    assert_eq!(hit["question"], "Yesterday?");
    assert_eq!(hit["person"]["id"], f.ada.user_id.as_str());
    assert_eq!(hit["team"]["id"], f.team.as_str());
    assert_eq!(hit["team"]["name"], "Platform");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
        .to_string();
    assert_eq!(hit["standupDate"], today.as_str());
    assert!(
        hit["snippetParts"]
            .as_array()
            .unwrap()
            .contains(&json!({ "text": "Deployed", "matched": true })),
        "{hit}"
    );
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(snippet.starts_with("Deployed"), "{snippet}");
    assert!(!snippet.contains(['\u{2}', '\u{3}']), "{snippet}");

    // Phrases and exclusions (web search syntax).
    let body = search(&app, &f.owner.token, "\"pull requests\"", Value::Null).await;
    assert_eq!(nodes(&body)[0]["person"]["id"], f.bob.user_id.as_str());
    let body = search(&app, &f.owner.token, "deploy -billing", Value::Null).await;
    assert!(nodes(&body).is_empty(), "{body}");
    let body = search(&app, &f.owner.token, "vacation", Value::Null).await;
    assert!(nodes(&body).is_empty(), "{body}");
}

#[tokio::test]
async fn filters_narrow_by_team_person_and_dates() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (first, q1) = start(&app, &f.owner.token, &f.config).await;
    submit(
        &app,
        &f.ada.token,
        &first,
        &q1,
        &["migrated the database", "none", ""],
    )
    .await;
    submit(
        &app,
        &f.bob.token,
        &first,
        &q1,
        &["database backups", "none", ""],
    )
    .await;
    let (second, q2) = start(&app, &f.owner.token, &f.config).await;
    submit(
        &app,
        &f.ada.token,
        &second,
        &q2,
        &["database tuning", "none", ""],
    )
    .await;
    // The first run was for 1 March, the second for 2 March.
    set_dates(&app, &[(&first, "2026-03-01"), (&second, "2026-03-02")]).await;
    let count = |body: Value| nodes(&body).len();
    let t = &f.owner.token;
    assert_eq!(count(search(&app, t, "database", Value::Null).await), 3);
    assert_eq!(
        count(search(&app, t, "database", json!({ "userId": f.ada.user_id })).await),
        2
    );
    assert_eq!(
        count(search(&app, t, "database", json!({ "from": "2026-03-02" })).await),
        1
    );
    assert_eq!(
        count(
            search(
                &app,
                t,
                "database",
                json!({ "from": "2026-03-01", "to": "2026-03-01" })
            )
            .await
        ),
        2
    );
    assert_eq!(
        count(search(&app, t, "database", json!({ "teamId": f.team })).await),
        3
    );
    let other = crate::teams::create_team(&app, t, "Design").await;
    assert_eq!(
        count(search(&app, t, "database", json!({ "teamId": other })).await),
        0
    );

    let body = search(
        &app,
        t,
        "database",
        json!({ "from": "2026-03-02", "to": "2026-03-01" }),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "to");
    let body = search(&app, t, "database", json!({ "from": "March" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "from");
}

#[tokio::test]
async fn another_organizations_answers_never_show() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    submit(
        &app,
        &f.ada.token,
        &standup,
        &q,
        &["kubernetes upgrade", "none", ""],
    )
    .await;

    // A second organization whose owner answers with the same word.
    let other = app.sign_up("owner@b.example", "B").await;
    let (team, config) = solo_config(&app, &other, "Ops", &["Done?"]).await;
    let (theirs, tq) = start(&app, &other.token, &config).await;
    submit(&app, &other.token, &theirs, &tq, &["kubernetes secrets"]).await;

    for (token, standup) in [
        (&f.owner.token, &standup),
        (&f.bob.token, &standup),
        (&other.token, &theirs),
    ] {
        let body = search(&app, token, "kubernetes", Value::Null).await;
        let hits = nodes(&body);
        assert_eq!(hits.len(), 1, "{body}");
        assert_eq!(hits[0]["standupId"], standup.as_str());
    }
    // Their team, their person: not found, nothing of theirs.
    let body = search(
        &app,
        &f.owner.token,
        "kubernetes",
        json!({ "teamId": team }),
    )
    .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    assert_eq!(field(&body), "teamId");
    let body = search(
        &app,
        &f.owner.token,
        "kubernetes",
        json!({ "userId": other.user_id }),
    )
    .await;
    assert!(nodes(&body).is_empty(), "{body}");
    // Signed out: nothing.
    let body = app.graphql(SEARCH, json!({ "q": "kubernetes" })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn pages_walk_every_match_once_best_first() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (standup, q) = start(&app, &f.owner.token, &f.config).await;
    // "release" three times ranks above once.
    submit(
        &app,
        &f.ada.token,
        &standup,
        &q,
        &[
            "release notes",
            "release blocked by the release train release",
            "release party",
        ],
    )
    .await;
    submit(
        &app,
        &f.bob.token,
        &standup,
        &q,
        &["release build", "none", "release checklist"],
    )
    .await;

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let body = app
            .graphql_as(
                &f.owner.token,
                SEARCH,
                json!({ "q": "release", "first": 2, "after": after }),
            )
            .await;
        let page = &body["data"]["searchAnswers"];
        let edges = page["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert!(edges.len() <= 2);
        for e in edges {
            seen.push((
                e["node"]["person"]["id"].as_str().unwrap().to_string(),
                e["node"]["questionId"].as_str().unwrap().to_string(),
            ));
        }
        pages += 1;
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "{seen:?}");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "a match shown twice: {seen:?}");
    assert_eq!(
        seen[0],
        (f.ada.user_id.clone(), q[1].clone()),
        "best match first"
    );

    let body = app
        .graphql_as(
            &f.owner.token,
            SEARCH,
            json!({ "q": "release", "after": "bm90IGEgY3Vyc29y" }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(field(&body), "after");
}

#[tokio::test]
async fn empty_or_long_queries_are_bad_input() {
    let app = TestApp::spawn().await;
    let owner = app.signed_up_owner().await;
    for q in ["", "   ", &"a".repeat(201)] {
        let body = search(&app, &owner.token, q, Value::Null).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(field(&body), "query");
    }
    let body = search(&app, &owner.token, &"a".repeat(200), Value::Null).await;
    assert!(nodes(&body).is_empty(), "{body}");
    let body = app
        .graphql_as(&owner.token, SEARCH, json!({ "q": "x", "first": 101 }))
        .await;
    assert_eq!(field(&body), "first", "{body}");
}
