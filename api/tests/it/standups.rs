//! Standups: reading runs, answering and skipping (each rule with its code and field),
//! edit history, starting and closing by hand, close-when-all-answered, participation
//! stats, history filters, and the live `standupEvents` subscription across replicas.

use crate::helpers::*;
use crate::ws::{Incoming, WsClient};
use schema::events::{StandupEvent, StandupEventKind};
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) const STANDUP_EVENTS: &str =
    "subscription($team: ID!) { standupEvents(teamId: $team) { kind standupId teamId userId at } }";

fn event(kind: StandupEventKind, org: &str, team: &str, standup: uuid::Uuid) -> StandupEvent {
    StandupEvent {
        kind,
        org_id: org.parse().unwrap(),
        team_id: team.parse().unwrap(),
        standup_id: standup.into(),
        user_id: None,
        at: chrono::Utc::now(),
    }
}

/// Waits for the next `next` message of subscription `id`, skipping nothing else.
async fn next_event(ws: &mut WsClient, wait: Duration) -> Option<Value> {
    match ws.next(wait).await {
        Incoming::Message(m) if m["type"] == "next" => {
            Some(m["payload"]["data"]["standupEvents"].clone())
        }
        Incoming::Message(m) => panic!("unexpected message: {m}"),
        Incoming::Closed(code) => panic!("socket closed ({code})"),
        Incoming::Nothing => None,
    }
}

/// Publishes `probe` through `publish` until the subscriber sees it: the subscription and
/// every replica's queue binding are then live.
async fn until_live(ws: &mut WsClient, publish: impl Fn()) {
    for _ in 0..50 {
        publish();
        if next_event(ws, Duration::from_millis(200)).await.is_some() {
            // Drain probes still in flight.
            while next_event(ws, Duration::from_millis(300)).await.is_some() {}
            return;
        }
    }
    panic!("the subscription never went live");
}

#[tokio::test]
async fn standup_events_reach_subscribers_on_every_replica() {
    let a = TestApp::spawn().await;
    let b = a.spawn_replica().await;
    let owner = a.sign_up("owner@a.example", "A").await;
    let team = crate::teams::create_team(&a, &owner.token, "Platform").await;
    let other_team = crate::teams::create_team(&a, &owner.token, "Apps").await;

    let (mut ws, ack) = WsClient::init(&a.address, Some(&owner.token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;

    let probe = uuid::Uuid::new_v4();
    until_live(&mut ws, || {
        b.state
            .events
            .publish(event(StandupEventKind::Opened, &owner.org_id, &team, probe))
    })
    .await;

    // Another team's and another organization's events never arrive.
    let standup = uuid::Uuid::new_v4();
    b.state.events.publish(event(
        StandupEventKind::Opened,
        &owner.org_id,
        &other_team,
        standup,
    ));
    b.state.events.publish(event(
        StandupEventKind::Opened,
        &uuid::Uuid::new_v4().to_string(),
        &team,
        standup,
    ));
    let mut submitted = event(
        StandupEventKind::AnswerSubmitted,
        &owner.org_id,
        &team,
        standup,
    );
    submitted.user_id = Some(owner.user_id.parse().unwrap());
    b.state.events.publish(submitted);
    let got = next_event(&mut ws, Duration::from_secs(5))
        .await
        .expect("the event");
    assert_eq!(got["kind"], "ANSWER_SUBMITTED", "{got}");
    assert_eq!(got["standupId"], standup.to_string());
    assert_eq!(got["teamId"], team);
    assert_eq!(got["userId"], owner.user_id);
    assert!(
        next_event(&mut ws, Duration::from_millis(500))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn standup_events_refuse_strangers() {
    let app = TestApp::spawn().await;
    let a = app.sign_up("owner@a.example", "A").await;
    let b = app.sign_up("owner@b.example", "B").await;
    let team = crate::teams::create_team(&app, &a.token, "Platform").await;

    // Another organization's team: NOT_FOUND, and no events.
    let (mut ws, ack) = WsClient::init(&app.address, Some(&b.token)).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    match ws.next(Duration::from_secs(5)).await {
        // A field error: `next` with errors and no data, then `complete`.
        Incoming::Message(m) => {
            assert!(m["payload"]["data"].is_null(), "{m}");
            assert_eq!(
                m["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{m}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(
        matches!(ws.next(Duration::from_secs(5)).await, Incoming::Message(m) if m["type"] == "complete")
    );

    // Nobody signed in: UNAUTHENTICATED.
    let (mut ws, ack) = WsClient::init(&app.address, None).await;
    assert!(
        matches!(&ack, Incoming::Message(m) if m["type"] == "connection_ack"),
        "{ack:?}"
    );
    ws.subscribe("1", STANDUP_EVENTS, json!({ "team": team }))
        .await;
    match ws.next(Duration::from_secs(5)).await {
        // A field error: `next` with errors and no data, then `complete`.
        Incoming::Message(m) => {
            assert!(m["payload"]["data"].is_null(), "{m}");
            assert_eq!(
                m["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{m}"
            );
        }
        other => panic!("expected an error, got {other:?}"),
    }

    // A token that does not verify: the connection itself is refused.
    let (_, refused) = WsClient::init(&app.address, Some("not-a-token")).await;
    assert!(
        matches!(refused, Incoming::Closed(_) | Incoming::Nothing),
        "{refused:?}"
    );
}
