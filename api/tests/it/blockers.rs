//! Tracked blockers end to end: answers to BLOCKER questions open them, edits update
//! them, people resolve and reopen them, and the team's standup events announce it.
//!
//! - `answers_open_blockers_and_people_resolve_and_reopen_them`: the lifecycle through
//!   `submitAnswers`, `blockers`, `Standup.myOpenBlockers`, `resolveBlocker` and
//!   `reopenBlocker`, who may resolve (owner, teammates, admins; not a member outside the
//!   team; NOT_FOUND for another organization), the audit rows and the events.
//! - `blockers_page_oldest_first`: the Relay connection's order and cursors.
//! - `the_digest_shows_new_ongoing_and_resolved_blockers`: a run's digest lists the
//!   blockers raised in it, the team's older open ones with their age, and those resolved
//!   since the previous run's digest.

use crate::helpers::*;
use crate::members::join;
use crate::standups::{SUBMIT, answers, fixture, next_event, start, watch_team};
use crate::teams::{count, field};
use crate::ws::WsClient;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

const BLOCKERS: &str = "query($team: ID!, $status: BlockerStatus, $first: Int, $after: String) { \
     blockers(teamId: $team, status: $status, first: $first, after: $after) { \
     edges { cursor node { id text status owner { email } team { id } openedAt ageDays resolvedAt \
     resolvedBy { email } resolutionNote sourceStandupId } } pageInfo { hasNextPage } } }";
const RESOLVE: &str = "mutation($id: ID!, $note: String) { resolveBlocker(id: $id, note: $note) { id status resolvedAt resolvedBy { email } resolutionNote } }";
const REOPEN: &str = "mutation($id: ID!) { reopenBlocker(id: $id) { id status resolvedAt resolvedBy { email } resolutionNote } }";
const MY_OPEN: &str = "query($id: ID!) { standup(id: $id) { myOpenBlockers { id text status } } }";

async fn blockers(app: &TestApp, token: &str, team: &str, status: Option<&str>) -> Vec<Value> {
    let body = app
        .graphql_as(token, BLOCKERS, json!({ "team": team, "status": status }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["blockers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// The kinds and users of the next `n` events (their order between tasks is not fixed).
async fn events(ws: &mut WsClient, n: usize) -> BTreeSet<(String, String)> {
    let mut got = BTreeSet::new();
    for _ in 0..n {
        let e = next_event(ws, Duration::from_secs(5))
            .await
            .expect("an event");
        got.insert((
            e["kind"].as_str().unwrap().to_string(),
            e["userId"].as_str().unwrap_or("-").to_string(),
        ));
    }
    got
}

fn pair(kind: &str, user: &str) -> (String, String) {
    (kind.to_string(), user.to_string())
}

#[tokio::test]
async fn answers_open_blockers_and_people_resolve_and_reopen_them() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    // A member of the organization outside the team, and another organization.
    let zed = join(&app, &f.owner, "zed@a.example", "MEMBER").await;
    let other = app.sign_up("owner@b.example", "B").await;

    let (mut ws, _) = watch_team(
        &app.address,
        &f.eve.token,
        &app.state,
        &f.owner.org_id,
        &f.team,
    )
    .await;

    let (id, q) = start(&app, &f.owner.token, &f.config).await;
    next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("OPENED");

    // Ada is blocked; Bob says "None." in his own words: no blocker for him.
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Schema work", "  Waiting on DB access  ", ""]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        events(&mut ws, 2).await,
        BTreeSet::from([
            pair("ANSWER_SUBMITTED", &f.ada.user_id),
            pair("BLOCKER_OPENED", &f.ada.user_id)
        ])
    );
    let body = app
        .graphql_as(
            &f.bob.token,
            SUBMIT,
            answers(&id, &q, &["Docs", "None.", ""]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        events(&mut ws, 1).await,
        BTreeSet::from([pair("ANSWER_SUBMITTED", &f.bob.user_id)])
    );

    let open = blockers(&app, &f.eve.token, &f.team, Some("OPEN")).await;
    assert_eq!(open.len(), 1, "{open:?}");
    let blocker = open[0]["id"].as_str().unwrap().to_string();
    assert_eq!(open[0]["text"], "Waiting on DB access");
    assert_eq!(open[0]["status"], "OPEN");
    assert_eq!(open[0]["owner"]["email"], "ada@a.example");
    assert_eq!(open[0]["team"]["id"], f.team.as_str());
    assert_eq!(open[0]["ageDays"], 0);
    assert_eq!(open[0]["sourceStandupId"], id.as_str());
    assert!(open[0]["resolvedAt"].is_null() && open[0]["resolvedBy"].is_null());

    // Editing the answer updates the same blocker; "none" later resolves nothing.
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(
                &id,
                &q,
                &["Schema work", "Waiting on DB access and the VPN", ""],
            ),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Schema work", "none", ""]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let all = blockers(&app, &f.ada.token, &f.team, None).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["id"], blocker.as_str());
    assert_eq!(all[0]["text"], "Waiting on DB access and the VPN");
    assert_eq!(all[0]["status"], "OPEN");

    // Ada's standups show it; Bob's show nothing.
    let body = app
        .graphql_as(&f.ada.token, MY_OPEN, json!({ "id": id }))
        .await;
    assert_eq!(
        body["data"]["standup"]["myOpenBlockers"][0]["id"],
        blocker.as_str(),
        "{body}"
    );
    let body = app
        .graphql_as(&f.bob.token, MY_OPEN, json!({ "id": id }))
        .await;
    assert_eq!(
        body["data"]["standup"]["myOpenBlockers"],
        json!([]),
        "{body}"
    );

    // A member outside the team may not resolve it; another organization cannot see it.
    while next_event(&mut ws, Duration::from_millis(300))
        .await
        .is_some()
    {}
    let body = app
        .graphql_as(&zed.token, RESOLVE, json!({ "id": blocker }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&other.token, RESOLVE, json!({ "id": blocker }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(&other.token, BLOCKERS, json!({ "team": f.team }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(&f.eve.token, RESOLVE, json!({ "id": "nope" }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(
            &f.eve.token,
            RESOLVE,
            json!({ "id": blocker, "note": "x".repeat(501) }),
        )
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "note"),
        "{body}"
    );
    assert_eq!(
        blockers(&app, &f.ada.token, &f.team, Some("OPEN"))
            .await
            .len(),
        1
    );

    // Eve, a teammate, resolves it with a note.
    let body = app
        .graphql_as(
            &f.eve.token,
            RESOLVE,
            json!({ "id": blocker, "note": " Access granted " }),
        )
        .await;
    let resolved = &body["data"]["resolveBlocker"];
    assert_eq!(resolved["status"], "RESOLVED", "{body}");
    assert_eq!(resolved["resolvedBy"]["email"], "eve@a.example");
    assert_eq!(resolved["resolutionNote"], "Access granted");
    assert!(resolved["resolvedAt"].is_string());
    assert_eq!(
        events(&mut ws, 1).await,
        BTreeSet::from([pair("BLOCKER_RESOLVED", &f.ada.user_id)])
    );
    assert!(
        blockers(&app, &f.ada.token, &f.team, Some("OPEN"))
            .await
            .is_empty()
    );
    assert_eq!(
        blockers(&app, &f.ada.token, &f.team, Some("RESOLVED"))
            .await
            .len(),
        1
    );
    let body = app
        .graphql_as(&f.ada.token, MY_OPEN, json!({ "id": id }))
        .await;
    assert_eq!(
        body["data"]["standup"]["myOpenBlockers"],
        json!([]),
        "{body}"
    );

    // Editing the answer again leaves the resolved blocker resolved and opens no other.
    let body = app
        .graphql_as(
            &f.ada.token,
            SUBMIT,
            answers(&id, &q, &["Schema work", "Still the VPN", ""]),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let all = blockers(&app, &f.ada.token, &f.team, None).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["status"], "RESOLVED");

    // Ada reopens it (the resolution is cleared), the owner (an admin outside the team)
    // resolves it again.
    let body = app
        .graphql_as(&f.ada.token, REOPEN, json!({ "id": blocker }))
        .await;
    let reopened = &body["data"]["reopenBlocker"];
    assert_eq!(reopened["status"], "OPEN", "{body}");
    assert!(reopened["resolvedAt"].is_null() && reopened["resolutionNote"].is_null());
    let got = events(&mut ws, 2).await;
    assert!(
        got.contains(&pair("BLOCKER_OPENED", &f.ada.user_id)),
        "{got:?}"
    );
    let body = app
        .graphql_as(&zed.token, REOPEN, json!({ "id": blocker }))
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(&f.owner.token, RESOLVE, json!({ "id": blocker }))
        .await;
    assert_eq!(
        body["data"]["resolveBlocker"]["status"], "RESOLVED",
        "{body}"
    );
    assert!(body["data"]["resolveBlocker"]["resolutionNote"].is_null());
    let body = app
        .graphql_as(&other.token, REOPEN, json!({ "id": blocker }))
        .await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    // Each resolve and reopen left an audit row; refused attempts left none.
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'blocker.resolved'"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT 1 FROM audit_events WHERE action = 'blocker.reopened'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn blockers_page_oldest_first() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let (id, q) = start(&app, &f.owner.token, &f.config).await;
    for (who, text) in [(&f.ada, "First"), (&f.bob, "Second")] {
        let body = app
            .graphql_as(&who.token, SUBMIT, answers(&id, &q, &["x", text, ""]))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = app
        .graphql_as(
            &f.eve.token,
            BLOCKERS,
            json!({ "team": f.team, "first": 1 }),
        )
        .await;
    let page = &body["data"]["blockers"];
    assert_eq!(page["edges"][0]["node"]["text"], "First", "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let cursor = page["edges"][0]["cursor"].clone();
    let body = app
        .graphql_as(
            &f.eve.token,
            BLOCKERS,
            json!({ "team": f.team, "first": 1, "after": cursor }),
        )
        .await;
    let page = &body["data"]["blockers"];
    assert_eq!(page["edges"][0]["node"]["text"], "Second", "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], false);
    let body = app
        .graphql_as(
            &f.eve.token,
            BLOCKERS,
            json!({ "team": f.team, "first": 101 }),
        )
        .await;
    assert_eq!(
        (error_code(&body), field(&body)),
        ("BAD_USER_INPUT", "first")
    );
}

/// The digest text of standup `id`, once the worker compiled it.
async fn digest_text(app: &TestApp, token: &str, id: &str) -> String {
    for _ in 0..200 {
        let body = app
            .graphql_as(
                token,
                "query($id: ID!) { standup(id: $id) { digest { text } } }",
                json!({ "id": id }),
            )
            .await;
        if let Some(text) = body["data"]["standup"]["digest"]["text"].as_str() {
            return text.to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no digest for {id}");
}

#[tokio::test]
async fn the_digest_shows_new_ongoing_and_resolved_blockers() {
    let app = TestApp::spawn().await;
    let f = fixture(&app, false).await;
    let _worker = app.start_worker().await;
    let close = "mutation($id: ID!) { closeStandup(standupId: $id) { state } }";

    // Run 1: both are blocked.
    let (first, q) = start(&app, &f.owner.token, &f.config).await;
    for (who, text) in [(&f.ada, "Need DB access"), (&f.bob, "Flaky CI")] {
        let body = app
            .graphql_as(&who.token, SUBMIT, answers(&first, &q, &["x", text, ""]))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = app
        .graphql_as(&f.owner.token, close, json!({ "id": first }))
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    let text = digest_text(&app, &f.owner.token, &first).await;
    assert!(text.contains("Blockers\n- "), "{text}");
    assert!(
        text.contains("Need DB access") && text.contains("Flaky CI"),
        "{text}"
    );
    assert!(
        !text.contains("Still blocked") && !text.contains("Resolved blockers"),
        "{text}"
    );

    // Eve resolves Ada's; Bob's stays open.
    let ada_blocker = blockers(&app, &f.eve.token, &f.team, Some("OPEN"))
        .await
        .into_iter()
        .find(|b| b["text"] == "Need DB access")
        .unwrap();
    let body = app
        .graphql_as(
            &f.eve.token,
            RESOLVE,
            json!({ "id": ada_blocker["id"], "note": "granted" }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");

    // Run 2: nobody raises anything new.
    let (second, q) = start(&app, &f.owner.token, &f.config).await;
    for who in [&f.ada, &f.bob] {
        let body = app
            .graphql_as(&who.token, SUBMIT, answers(&second, &q, &["y", "none", ""]))
            .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = app
        .graphql_as(&f.owner.token, close, json!({ "id": second }))
        .await;
    assert_eq!(body["data"]["closeStandup"]["state"], "CLOSED", "{body}");
    let text = digest_text(&app, &f.owner.token, &second).await;
    assert!(!text.contains("Blockers\n"), "{text}");
    assert!(
        text.contains("Still blocked\n- Ada Lovelace (0 days): Flaky CI"),
        "{text}"
    );
    assert!(
        text.contains(
            "Resolved blockers\n- Ada Lovelace: Need DB access (resolved by Ada Lovelace: granted)"
        ),
        "{text}"
    );
}
