//! Domain events published to the `{prefix}.events` topic exchange by the api and the
//! workers, consumed by every api replica for GraphQL subscriptions. Best effort: a lost
//! event costs a live update, which the UI refetches. Wasm-safe.
//!
//! ```json
//! {"kind":"ANSWER_SUBMITTED","org_id":"…","team_id":"…","standup_id":"…","user_id":"…","at":"2026-11-24T09:00:00Z"}
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What happened to a standup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StandupEventKind {
    Opened,
    AnswerSubmitted,
    Skipped,
    Closed,
}

/// One standup event, as carried by RabbitMQ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandupEvent {
    pub kind: StandupEventKind,
    pub org_id: Uuid,
    pub team_id: Uuid,
    pub standup_id: Uuid,
    /// Who answered or skipped; `None` for OPENED and CLOSED.
    pub user_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

impl StandupEvent {
    /// `org.{org_id}.team.{team_id}.standup`: subscribers bind `org.*.team.*.standup` or
    /// one team's key.
    #[must_use]
    pub fn routing_key(&self) -> String {
        routing_key(self.org_id, self.team_id)
    }
}

/// The routing key of a team's standup events.
#[must_use]
pub fn routing_key(org_id: Uuid, team_id: Uuid) -> String {
    format!("org.{org_id}.team.{team_id}.standup")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn events_use_the_agreed_json() {
        let event = StandupEvent {
            kind: StandupEventKind::AnswerSubmitted,
            org_id: Uuid::nil(),
            team_id: Uuid::nil(),
            standup_id: Uuid::nil(),
            user_id: None,
            at: DateTime::from_timestamp(0, 0).unwrap(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], "ANSWER_SUBMITTED");
        assert!(json["user_id"].is_null());
        assert_eq!(
            event.routing_key(),
            format!("org.{0}.team.{0}.standup", Uuid::nil())
        );
        assert_eq!(serde_json::from_value::<StandupEvent>(json).unwrap(), event);
    }
}
