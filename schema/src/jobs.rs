//! The job messages carried by RabbitMQ to the workers, enqueued through the outbox by
//! the api (requests) and by the workers themselves (the scheduler, follow-up jobs).
//!
//! Every message body is one [`JobEnvelope`] encoded as JSON. The envelope is versioned
//! ([`ENVELOPE_VERSION`]) so a worker can refuse a message written by a newer producer
//! instead of misreading it. The job itself is the serde-tagged [`Job`] enum:
//!
//! ```json
//! {"id":"…","version":1,"organization_id":null,"enqueued_at":"2025-01-01T00:00:00Z",
//!  "attempt":0,"trace_id":null,"database":"asyncstand",
//!  "job":{"kind":"send_welcome_email","payload":{"user_id":"…"}}}
//! ```
//!
//! This module is part of the default (wasm-safe) build: it needs no clock and no random
//! numbers. Callers supply the id (the outbox row id, so a redelivered message is
//! recognisable) and the enqueue time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The envelope version this build writes and understands.
pub const ENVELOPE_VERSION: u16 = 1;

/// One job as it travels through RabbitMQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobEnvelope {
    /// Unique per job (not per delivery): handlers use it as the idempotency key.
    pub id: Uuid,
    /// Envelope format version; see [`ENVELOPE_VERSION`].
    pub version: u16,
    /// The tenant the job belongs to, when it belongs to one.
    pub organization_id: Option<Uuid>,
    /// When the producer first enqueued the job.
    pub enqueued_at: DateTime<Utc>,
    /// 0 for the first delivery; incremented each time the job is sent back for a retry.
    pub attempt: u32,
    /// Correlates the worker's logs with the request that caused the job.
    pub trace_id: Option<String>,
    /// The PostgreSQL database the job's rows live in, written by the outbox relay that
    /// published it. Two instances sharing a broker and an `AMQP_PREFIX` see each
    /// other's jobs: a worker parks a job naming another database instead of looking
    /// for its rows in its own. Absent in envelopes of older producers (then the worker
    /// runs the job as before), and left out of the JSON when unset, so envelopes
    /// without it stay version 1 and older workers ignore the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// What to do.
    pub job: Job,
}

/// Every kind of job a worker can run. One handler file per variant lives in
/// `worker/src/jobs/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Job {
    /// Greet a user who has just signed up.
    SendWelcomeEmail {
        /// The user to greet.
        user_id: Uuid,
    },
    /// E-mail a user a single-use link to choose a new password. The worker generates
    /// the token, stores only its hash and sends the link; the payload carries no secret.
    SendPasswordReset {
        /// The user who asked for the reset.
        user_id: Uuid,
    },
    /// E-mail an invitation to join an organization. The worker issues the token (a
    /// new one on each send), stores only its hash and sends the accept link.
    SendInvitation {
        /// The `invitations` row.
        invitation_id: Uuid,
    },
    /// E-mail every participant of a standup that just opened, once each (the
    /// participation's `notified_at` records it), with the answer link.
    NotifyStandup {
        /// The `standups` row.
        standup_id: Uuid,
    },
    /// Remind the participants still PENDING, once each (`participations.reminded_at`).
    RemindStandup {
        /// The `standups` row.
        standup_id: Uuid,
    },
    /// Compile the digest of a closed standup, store it, e-mail it when EMAIL is in the
    /// standup's delivery, then enqueue [`Job::DeliverWebhook`] when WEBHOOK is.
    CompileDigest {
        /// The `standups` row.
        standup_id: Uuid,
    },
    /// POST the digest to the standup's webhook URL, signed with its config's secret.
    DeliverWebhook {
        /// The `standups` row.
        standup_id: Uuid,
    },
    /// One step of a standup's Slack delivery: the DMs when it opens, the reminder
    /// replies, the DMs' update at close, or the digest in the config's channel. Each
    /// message posted is recorded, so a redelivered job never posts twice.
    SlackStandup {
        /// The `standups` row.
        standup_id: Uuid,
        /// Which step.
        step: SlackStep,
    },
    /// POST a `standup.late_answer` event to the standup's webhook URL: a participant
    /// answered after the close, within the late window (the digest is not resent).
    DeliverLateAnswer {
        /// The `standups` row.
        standup_id: Uuid,
        /// Who answered late.
        user_id: Uuid,
    },
}

/// The steps of a standup's Slack delivery ([`Job::SlackStandup`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlackStep {
    /// DM each matched participant the questions, with Answer and Skip buttons.
    Open,
    /// Reply under the DM of each matched participant still pending.
    Remind,
    /// Update each DM to show answered, skipped or missed.
    Close,
    /// Post the digest to the config's channel.
    Digest,
}

impl Job {
    /// Every kind name, in declaration order (the values [`Job::kind`] returns).
    pub const KINDS: &'static [&'static str] = &[
        "send_welcome_email",
        "send_password_reset",
        "send_invitation",
        "notify_standup",
        "remind_standup",
        "compile_digest",
        "deliver_webhook",
        "slack_standup",
        "deliver_late_answer",
    ];

    /// The job's kind as written in the `kind` field; also its AMQP routing key.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SendWelcomeEmail { .. } => "send_welcome_email",
            Self::SendPasswordReset { .. } => "send_password_reset",
            Self::SendInvitation { .. } => "send_invitation",
            Self::NotifyStandup { .. } => "notify_standup",
            Self::RemindStandup { .. } => "remind_standup",
            Self::CompileDigest { .. } => "compile_digest",
            Self::DeliverWebhook { .. } => "deliver_webhook",
            Self::SlackStandup { .. } => "slack_standup",
            Self::DeliverLateAnswer { .. } => "deliver_late_answer",
        }
    }
}

impl JobEnvelope {
    /// A first-attempt envelope at the current [`ENVELOPE_VERSION`], not tied to an
    /// organization and without a trace id (see [`Self::for_organization`] and
    /// [`Self::with_trace_id`]).
    #[must_use]
    pub fn new(id: Uuid, job: Job, enqueued_at: DateTime<Utc>) -> Self {
        Self {
            id,
            version: ENVELOPE_VERSION,
            organization_id: None,
            enqueued_at,
            attempt: 0,
            trace_id: None,
            database: None,
            job,
        }
    }

    /// Names the database the job belongs to (see [`Self::database`]).
    #[must_use]
    pub fn for_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// Whether a worker serving `database` may run this job: yes when the envelope
    /// names that database or none (an older producer's).
    #[must_use]
    pub fn belongs_to(&self, database: &str) -> bool {
        self.database.as_deref().is_none_or(|own| own == database)
    }

    /// Ties the job to a tenant.
    #[must_use]
    pub fn for_organization(mut self, organization_id: Uuid) -> Self {
        self.organization_id = Some(organization_id);
        self
    }

    /// Carries the producer's trace id.
    #[must_use]
    pub fn with_trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.trace_id = Some(trace_id.into());
        self
    }

    /// The same job, to be delivered again after a failure: `attempt` plus one.
    #[must_use]
    pub fn next_attempt(&self) -> Self {
        Self {
            attempt: self.attempt.saturating_add(1),
            ..self.clone()
        }
    }

    /// The routing key to publish this envelope with (the job's kind).
    #[must_use]
    pub fn routing_key(&self) -> &'static str {
        self.job.kind()
    }

    /// The JSON message body.
    ///
    /// # Errors
    /// Only if serde_json fails to serialize, which these plain types never make it do.
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }

    /// Decodes a message body, refusing envelopes from a newer producer.
    ///
    /// # Errors
    /// [`DecodeError::Malformed`] when the body is not a valid envelope (including an
    /// unknown job kind), [`DecodeError::UnsupportedVersion`] when it is newer than
    /// [`ENVELOPE_VERSION`].
    pub fn from_json(body: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice::<Self>(body)
            .map_err(DecodeError::Malformed)?
            .supported()
    }

    /// Decodes an envelope stored as JSON (an outbox row), with the rules of
    /// [`Self::from_json`].
    ///
    /// # Errors
    /// As [`Self::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self, DecodeError> {
        Self::deserialize(value)
            .map_err(DecodeError::Malformed)?
            .supported()
    }

    fn supported(self) -> Result<Self, DecodeError> {
        if self.version == 0 || self.version > ENVELOPE_VERSION {
            return Err(DecodeError::UnsupportedVersion(self.version));
        }
        Ok(self)
    }
}

/// Why a message body is not a job this build can run.
#[derive(Debug)]
pub enum DecodeError {
    /// Not JSON, a field missing or mistyped, or an unknown job kind.
    Malformed(serde_json::Error),
    /// A well-formed envelope of a version this build does not understand.
    UnsupportedVersion(u16),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "malformed job envelope: {e}"),
            Self::UnsupportedVersion(v) => write!(
                f,
                "unsupported job envelope version {v} (this build understands 1..={ENVELOPE_VERSION})"
            ),
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Malformed(e) => Some(e),
            Self::UnsupportedVersion(_) => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> JobEnvelope {
        let enqueued_at = Utc
            .with_ymd_and_hms(2025, 3, 30, 1, 30, 0)
            .single()
            .unwrap_or_default();
        JobEnvelope::new(
            Uuid::from_u128(0x0196_0000_0000_7000_8000_0000_0000_0001),
            Job::SendWelcomeEmail {
                user_id: Uuid::from_u128(42),
            },
            enqueued_at,
        )
        .for_organization(Uuid::from_u128(7))
        .with_trace_id("trace-1")
    }

    #[test]
    fn round_trips_through_json() {
        let envelope = sample();
        let body = envelope.to_json().unwrap();
        assert_eq!(JobEnvelope::from_json(&body).unwrap(), envelope);
    }

    #[test]
    fn wire_format_is_tagged_by_kind_with_payload() {
        let value = serde_json::to_value(sample()).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["attempt"], 0);
        assert_eq!(value["enqueued_at"], "2025-03-30T01:30:00Z");
        assert_eq!(value["job"]["kind"], "send_welcome_email");
        assert_eq!(
            value["job"]["payload"]["user_id"],
            Uuid::from_u128(42).to_string()
        );
    }

    #[test]
    fn kind_is_the_serialized_tag_and_listed_in_kinds() {
        let job = sample().job;
        let value = serde_json::to_value(&job).unwrap();
        assert_eq!(value["kind"], job.kind());
        assert!(Job::KINDS.contains(&job.kind()));
        assert_eq!(sample().routing_key(), "send_welcome_email");
    }

    #[test]
    fn every_kind_is_listed_and_round_trips() {
        let user_id = Uuid::from_u128(9);
        let jobs = [
            Job::SendWelcomeEmail { user_id },
            Job::SendPasswordReset { user_id },
            Job::SendInvitation {
                invitation_id: user_id,
            },
            Job::NotifyStandup {
                standup_id: user_id,
            },
            Job::RemindStandup {
                standup_id: user_id,
            },
            Job::CompileDigest {
                standup_id: user_id,
            },
            Job::DeliverWebhook {
                standup_id: user_id,
            },
            Job::SlackStandup {
                standup_id: user_id,
                step: SlackStep::Open,
            },
            Job::DeliverLateAnswer {
                standup_id: user_id,
                user_id,
            },
        ];
        assert_eq!(jobs.len(), Job::KINDS.len());
        for (job, kind) in jobs.into_iter().zip(Job::KINDS) {
            assert_eq!(job.kind(), *kind);
            let envelope = JobEnvelope::new(Uuid::from_u128(1), job, sample().enqueued_at);
            let body = envelope.to_json().unwrap();
            let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(value["job"]["kind"], *kind);
            let payload = &value["job"]["payload"];
            let id = payload
                .get("user_id")
                .or_else(|| payload.get("invitation_id"))
                .or_else(|| payload.get("standup_id"));
            assert_eq!(id, Some(&serde_json::json!(user_id.to_string())));
            assert_eq!(JobEnvelope::from_json(&body).unwrap(), envelope);
        }
    }

    #[test]
    fn standup_jobs_carry_only_the_standup_id() {
        let standup_id = Uuid::from_u128(77);
        for (job, kind) in [
            (Job::NotifyStandup { standup_id }, "notify_standup"),
            (Job::RemindStandup { standup_id }, "remind_standup"),
            (Job::CompileDigest { standup_id }, "compile_digest"),
            (Job::DeliverWebhook { standup_id }, "deliver_webhook"),
        ] {
            let value = serde_json::to_value(&job).unwrap();
            assert_eq!(
                value,
                serde_json::json!({"kind": kind, "payload": {"standup_id": standup_id.to_string()}})
            );
        }
    }

    #[test]
    fn next_attempt_only_bumps_the_counter() {
        let first = sample();
        let second = first.next_attempt();
        assert_eq!(second.attempt, 1);
        assert_eq!(second.next_attempt().attempt, 2);
        assert_eq!(
            JobEnvelope {
                attempt: 0,
                ..second
            },
            first
        );
    }

    #[test]
    fn the_database_travels_and_older_envelopes_without_it_still_decode() {
        let envelope = sample().for_database("asyncstand_a");
        let body = envelope.to_json().unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value["database"], "asyncstand_a");
        assert_eq!(JobEnvelope::from_json(&body).unwrap(), envelope);
        assert!(envelope.belongs_to("asyncstand_a"));
        assert!(!envelope.belongs_to("asyncstand_b"));

        // An envelope of a producer before the field: no `database`, runs anywhere.
        let mut old = serde_json::to_value(sample()).unwrap();
        assert!(old.get("database").is_none(), "unset is left out: {old}");
        old.as_object_mut().unwrap().remove("database");
        let decoded = JobEnvelope::from_value(&old).unwrap();
        assert_eq!(decoded.database, None);
        assert!(decoded.belongs_to("asyncstand_b"));
    }

    #[test]
    fn unknown_kind_fails_to_decode() {
        let mut value = serde_json::to_value(sample()).unwrap();
        value["job"]["kind"] = "launch_rockets".into();
        let body = serde_json::to_vec(&value).unwrap();
        assert!(matches!(
            JobEnvelope::from_json(&body),
            Err(DecodeError::Malformed(_))
        ));
    }

    #[test]
    fn garbage_and_missing_fields_fail_to_decode() {
        assert!(JobEnvelope::from_json(b"not json").is_err());
        assert!(JobEnvelope::from_json(br#"{"id":"x"}"#).is_err());
        let mut value = serde_json::to_value(sample()).unwrap();
        value["job"]["payload"] = serde_json::json!({});
        let body = serde_json::to_vec(&value).unwrap();
        assert!(JobEnvelope::from_json(&body).is_err());
    }

    #[test]
    fn newer_envelope_version_is_refused() {
        let mut envelope = sample();
        envelope.version = ENVELOPE_VERSION + 1;
        let body = envelope.to_json().unwrap();
        let err = JobEnvelope::from_json(&body).unwrap_err();
        assert!(matches!(err, DecodeError::UnsupportedVersion(v) if v == ENVELOPE_VERSION + 1));
        assert!(err.to_string().contains("unsupported job envelope version"));
    }
}
