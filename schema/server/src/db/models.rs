//! Row models: what a SELECT returns and what an INSERT takes.

use super::tables::{
    answer_edits, answers, audit_events, memberships, organizations, outbox, participations,
    sessions, standup_configs, standups, standups_extra, teams, users,
};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{Insertable, Queryable, Selectable};
use schema::enums::{
    DeliveryChannel, MemberStatus, OrgRole, ParticipationState, StandupState, Weekday,
};
use schema::ids::{
    OrganizationId, QuestionId, SessionId, StandupConfigId, StandupId, TeamId, UserId,
};
use uuid::Uuid;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// IANA zone name; `None`: not set.
    pub timezone: Option<String>,
    pub work_days: Vec<Weekday>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub timezone: Option<&'a str>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub role: OrgRole,
    pub status: MemberStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = memberships)]
pub struct NewMembership {
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub role: OrgRole,
    pub status: MemberStatus,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions, check_for_backend(diesel::pg::Pg))]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub org_id: OrganizationId,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub id: SessionId,
    pub user_id: UserId,
    pub org_id: OrganizationId,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent<'a> {
    pub org_id: Option<OrganizationId>,
    pub actor_id: Option<UserId>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub summary: serde_json::Value,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(diesel::pg::Pg))]
pub struct AuditEvent {
    pub id: i64,
    pub org_id: Option<OrganizationId>,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    pub summary: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutboxRow<'a> {
    pub id: Uuid,
    pub org_id: Option<OrganizationId>,
    pub kind: &'a str,
    pub payload: serde_json::Value,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxRow {
    pub id: Uuid,
    pub org_id: Option<OrganizationId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = teams, check_for_backend(diesel::pg::Pg))]
pub struct Team {
    pub id: TeamId,
    pub org_id: OrganizationId,
    pub name: String,
    pub timezone: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = teams)]
pub struct NewTeam<'a> {
    pub id: TeamId,
    pub org_id: OrganizationId,
    pub name: &'a str,
    pub timezone: &'a str,
    pub description: Option<&'a str>,
}

/// A standup config row. `questions` is the jsonb array of [`schema::standup::Question`];
/// read it with [`StandupConfig::questions`]. The webhook secret is not selected: only
/// the code that signs deliveries reads it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = standup_configs, check_for_backend(diesel::pg::Pg))]
pub struct StandupConfig {
    pub id: StandupConfigId,
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub name: String,
    pub questions: serde_json::Value,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: String,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    pub active: bool,
    pub close_when_all_answered: bool,
    pub next_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl StandupConfig {
    /// The stored questions (an unreadable value reads as none, and is logged by callers
    /// that care; the API only ever writes well-formed ones).
    pub fn questions(&self) -> Result<Vec<schema::standup::Question>, serde_json::Error> {
        serde_json::from_value(self.questions.clone())
    }
}

/// Everything a config's owner sets; inserted, or written over an existing row (the
/// webhook secret is set apart: it is generated, never sent).
#[derive(Clone, Debug, Insertable, diesel::AsChangeset)]
#[diesel(table_name = standup_configs, treat_none_as_null = true)]
pub struct StandupConfigValues {
    pub name: String,
    pub questions: serde_json::Value,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: String,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    pub active: bool,
    pub close_when_all_answered: bool,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// A standup run (see [`StandupExtra`] for its reminder and digest columns). `questions`
/// is the snapshot taken when it opened; read it with [`Standup::questions`].
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = standups, check_for_backend(diesel::pg::Pg))]
pub struct Standup {
    pub id: StandupId,
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub config_id: Option<StandupConfigId>,
    pub name: String,
    pub scheduled_for: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub timezone: String,
    pub closes_at: DateTime<Utc>,
    pub state: StandupState,
    pub questions: serde_json::Value,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    pub close_when_all_answered: bool,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Standup {
    /// The questions as they were asked.
    pub fn questions(&self) -> Result<Vec<schema::standup::Question>, serde_json::Error> {
        serde_json::from_value(self.questions.clone())
    }
}

/// The reminder and digest columns of a standup.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = standups_extra, check_for_backend(diesel::pg::Pg))]
pub struct StandupExtra {
    pub id: StandupId,
    pub org_id: OrganizationId,
    pub remind_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub digest: Option<serde_json::Value>,
    pub digest_delivered_at: Option<DateTime<Utc>>,
    /// Minutes after the close during which answers are still taken (snapshotted from
    /// the config; 0 = none).
    pub late_answers_minutes: i32,
    /// Moods shown only as aggregates of 3 or more (snapshotted from the config).
    pub anonymous_mood: bool,
}

impl StandupExtra {
    /// The compiled digest, once the standup closed and the worker compiled it.
    pub fn digest(&self) -> Option<Result<schema::digest::Digest, serde_json::Error>> {
        self.digest
            .as_ref()
            .map(|value| serde_json::from_value(value.clone()))
    }
}

/// One participant of one standup.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = participations, check_for_backend(diesel::pg::Pg))]
pub struct Participation {
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub org_id: OrganizationId,
    pub state: ParticipationState,
    pub skip_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub edited_at: Option<DateTime<Utc>>,
    pub notified_at: Option<DateTime<Utc>>,
    pub reminded_at: Option<DateTime<Utc>>,
    /// When they first answered or skipped after the standup had closed (a late answer).
    pub late_at: Option<DateTime<Utc>>,
}

/// One participant's current answer to one question.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = answers, check_for_backend(diesel::pg::Pg))]
pub struct Answer {
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub question_id: QuestionId,
    pub org_id: OrganizationId,
    pub text: String,
    pub updated_at: DateTime<Utc>,
    /// 1-5 for a MOOD question (`text` is then its optional comment), else `None`.
    pub mood: Option<i16>,
}

/// One edit of an answer after the first submission.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = answer_edits, check_for_backend(diesel::pg::Pg))]
pub struct AnswerEdit {
    pub id: i64,
    pub org_id: OrganizationId,
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub question_id: QuestionId,
    pub old_text: Option<String>,
    pub new_text: String,
    pub edited_at: DateTime<Utc>,
}
