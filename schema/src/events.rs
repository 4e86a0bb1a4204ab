//! Domain events about standups, published by the worker and the api to the
//! `{prefix}.events` topic exchange ([`crate::amqp::Topology::events_exchange`]) and pushed
//! to GraphQL subscriptions (`standupEvents(teamId)`) by every api replica.
//!
//! ```json
//! {"kind":"OPENED","org_id":"…","team_id":"…","standup_id":"…","user_id":null,
//!  "at":"2026-11-24T09:00:00Z"}
//! ```
//!
//! Routing key: `org.{org_id}.team.{team_id}.standup` ([`routing_key`]), so a replica can
//! bind one team, one organization (`org.{org_id}.#`) or everything (`#`).
//!
//! Publishing is best-effort: after the commit, never inside the transaction, a failure
//! is logged; a lost live update is refetched by the UI. Wasm-safe (serde and chrono only).

use crate::ids::{OrganizationId, StandupId, TeamId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

/// What happened to a standup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StandupEventKind {
    /// The standup opened (scheduled or started by hand).
    Opened,
    /// A participant submitted or edited answers (`user_id` says who).
    AnswerSubmitted,
    /// A participant skipped (`user_id` says who).
    Skipped,
    /// The standup closed; its digest follows.
    Closed,
    /// A participant answered after the close, within the late window (`user_id` says
    /// who).
    LateAnswer,
    /// A participant's answer opened a blocker, or a resolved one was reopened
    /// (`user_id` is its owner).
    BlockerOpened,
    /// A blocker from this standup was resolved (`user_id` is its owner).
    BlockerResolved,
}

impl StandupEventKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [StandupEventKind] = &[
        Self::Opened,
        Self::AnswerSubmitted,
        Self::Skipped,
        Self::Closed,
        Self::LateAnswer,
        Self::BlockerOpened,
        Self::BlockerResolved,
    ];

    /// The name on the wire and in GraphQL.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "OPENED",
            Self::AnswerSubmitted => "ANSWER_SUBMITTED",
            Self::Skipped => "SKIPPED",
            Self::Closed => "CLOSED",
            Self::LateAnswer => "LATE_ANSWER",
            Self::BlockerOpened => "BLOCKER_OPENED",
            Self::BlockerResolved => "BLOCKER_RESOLVED",
        }
    }
}

impl std::fmt::Display for StandupEventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event about one standup of one team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct StandupEvent {
    pub kind: StandupEventKind,
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub standup_id: StandupId,
    /// The participant, for `ANSWER_SUBMITTED` and `SKIPPED`; `null` otherwise.
    pub user_id: Option<UserId>,
    pub at: DateTime<Utc>,
}

impl StandupEvent {
    /// The routing key to publish this event with.
    #[must_use]
    pub fn routing_key(&self) -> String {
        routing_key(self.org_id, self.team_id)
    }

    /// The JSON message body.
    ///
    /// # Errors
    /// Only if serde_json fails to serialize, which these plain types never make it do.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Decodes a message body.
    ///
    /// # Errors
    /// Not JSON, a field missing or mistyped, or an unknown kind.
    pub fn from_json(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

/// `org.{org_id}.team.{team_id}.standup`: the routing key of a team's standup events, and
/// the binding key of a subscriber interested in that team.
#[must_use]
pub fn routing_key(org: OrganizationId, team: TeamId) -> String {
    format!("org.{org}.team.{team}.standup")
}

/// `org.{org_id}.#`: the binding key for every event of an organization.
#[must_use]
pub fn organization_binding_key(org: OrganizationId) -> String {
    format!("org.{org}.#")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn sample(kind: StandupEventKind, user: Option<UserId>) -> StandupEvent {
        StandupEvent {
            kind,
            org_id: OrganizationId(Uuid::from_u128(1)),
            team_id: TeamId(Uuid::from_u128(2)),
            standup_id: StandupId(Uuid::from_u128(3)),
            user_id: user,
            at: Utc
                .with_ymd_and_hms(2026, 11, 24, 9, 0, 0)
                .single()
                .unwrap(),
        }
    }

    #[test]
    fn wire_format_is_the_contract() {
        let value = serde_json::to_value(sample(StandupEventKind::Opened, None)).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "kind": "OPENED",
                "org_id": Uuid::from_u128(1).to_string(),
                "team_id": Uuid::from_u128(2).to_string(),
                "standup_id": Uuid::from_u128(3).to_string(),
                "user_id": null,
                "at": "2026-11-24T09:00:00Z",
            })
        );
    }

    #[test]
    fn every_kind_round_trips_with_its_name() {
        for kind in StandupEventKind::ALL {
            let event = sample(*kind, Some(UserId(Uuid::from_u128(4))));
            let body = event.to_json().unwrap();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(value["kind"], kind.as_str());
            assert_eq!(value["user_id"], Uuid::from_u128(4).to_string());
            assert_eq!(StandupEvent::from_json(&body).unwrap(), event);
        }
    }

    #[test]
    fn routing_key_names_org_and_team() {
        let event = sample(StandupEventKind::Closed, None);
        assert_eq!(
            event.routing_key(),
            format!(
                "org.{}.team.{}.standup",
                Uuid::from_u128(1),
                Uuid::from_u128(2)
            )
        );
        assert!(
            organization_binding_key(event.org_id)
                .starts_with(&format!("org.{}.", Uuid::from_u128(1)))
        );
    }

    #[test]
    fn unknown_kind_is_refused() {
        let mut value = serde_json::to_value(sample(StandupEventKind::Opened, None)).unwrap();
        value["kind"] = "EXPLODED".into();
        assert!(StandupEvent::from_json(&serde_json::to_vec(&value).unwrap()).is_err());
    }
}
