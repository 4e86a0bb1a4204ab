//! GraphQL object types, mapped from row models.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use schema_server::db::models;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::OrgRole")]
pub enum OrgRole {
    Owner,
    Admin,
    Member,
}

#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// Their IANA time zone; null when they have not set one (their teams' zones apply).
    pub timezone: Option<String>,
    /// The weekdays they work: a MEMBER_LOCAL_TIME standup asks them only on these.
    pub work_days: Vec<Weekday>,
}

impl From<models::User> for User {
    fn from(u: models::User) -> Self {
        Self {
            id: ID(u.id.to_string()),
            email: u.email,
            name: u.name,
            created_at: u.created_at,
            timezone: u.timezone,
            work_days: u.work_days.into_iter().map(Weekday::from).collect(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::AskAt")]
pub enum AskAt {
    /// Everyone at the time of day in the config's zone.
    TeamTime,
    /// Each participant at the time of day in their own zone (the config's when they have
    /// none), on the config's weekdays that are also their work days.
    MemberLocalTime,
}

#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Organization {
    pub id: ID,
    pub name: String,
    pub slug: String,
    pub created_at: DateTime<Utc>,
}

impl From<models::Organization> for Organization {
    fn from(o: models::Organization) -> Self {
        Self {
            id: ID(o.id.to_string()),
            name: o.name,
            slug: o.slug,
            created_at: o.created_at,
        }
    }
}

/// The signed-in person in their current organization.
#[derive(SimpleObject, Clone, Debug)]
pub struct Viewer {
    pub user: User,
    pub organization: Organization,
    pub role: OrgRole,
    /// Every organization the user is an active member of.
    pub organizations: Vec<Organization>,
}

/// A new access token (send it as `Authorization: Bearer`); the refresh token travels
/// only in the httpOnly cookie.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuthPayload {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
    pub organization: Organization,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::Weekday")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::DeliveryChannel")]
pub enum DeliveryChannel {
    Web,
    Email,
    SlackDm,
    SlackChannel,
    Webhook,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::QuestionKind")]
pub enum QuestionKind {
    Text,
    Blocker,
    Mood,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::StandupState")]
pub enum StandupState {
    Open,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::ParticipationState")]
pub enum ParticipationState {
    Pending,
    Answered,
    Skipped,
    /// Away on the run's date: not asked, not counted in participation rates.
    OutOfOffice,
}
