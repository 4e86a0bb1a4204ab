//! Operations of the signed-out answer page (`/answer/:token`) and of the account page's
//! notification preferences.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{AnswerInput, NoVariables, Operation, Participation, Question};
use crate::enums::StandupState;

/// `type AnswerLinkStandup`: what a link may read of its standup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct LinkStandup {
    pub id: String,
    pub name: String,
    pub local_date: String,
    pub timezone: String,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub state: StandupState,
    pub questions: Vec<Question>,
}

/// `type AnswerLink`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AnswerLink {
    pub standup: LinkStandup,
    pub participation: Participation,
    pub accepts_answers_until: DateTime<Utc>,
    pub late_answers_minutes: i32,
}

/// `answerLink(token)`.
#[derive(Debug)]
pub enum AnswerLinkQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenVariables {
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AnswerLinkData {
    pub answer_link: Option<AnswerLink>,
}

impl Operation for AnswerLinkQuery {
    const NAME: &'static str = "AnswerLink";
    const QUERY: &'static str = concat!(
        "query AnswerLink($token: String!) { answerLink(token: $token) { acceptsAnswersUntil lateAnswersMinutes ",
        "standup { id name localDate timezone closesAt closedAt state questions { id prompt kind required } } ",
        "participation ",
        participation_fields!(),
        " } }"
    );
    type Variables = TokenVariables;
    type Data = AnswerLinkData;
}

/// `submitAnswersByLink(token, answers): Participation!`
#[derive(Debug)]
pub enum SubmitAnswersByLink {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubmitAnswersByLinkVariables {
    pub token: String,
    pub answers: Vec<AnswerInput>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SubmitAnswersByLinkData {
    pub submit_answers_by_link: Participation,
}

impl Operation for SubmitAnswersByLink {
    const NAME: &'static str = "SubmitAnswersByLink";
    const QUERY: &'static str = concat!(
        "mutation SubmitAnswersByLink($token: String!, $answers: [AnswerInput!]!) { submitAnswersByLink(token: $token, answers: $answers) ",
        participation_fields!(),
        " }"
    );
    type Variables = SubmitAnswersByLinkVariables;
    type Data = SubmitAnswersByLinkData;
}

/// `skipByLink(token, reason): Participation!`
#[derive(Debug)]
pub enum SkipByLink {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkipByLinkVariables {
    pub token: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SkipByLinkData {
    pub skip_by_link: Participation,
}

impl Operation for SkipByLink {
    const NAME: &'static str = "SkipByLink";
    const QUERY: &'static str = concat!(
        "mutation SkipByLink($token: String!, $reason: String) { skipByLink(token: $token, reason: $reason) ",
        participation_fields!(),
        " }"
    );
    type Variables = SkipByLinkVariables;
    type Data = SkipByLinkData;
}

/// `type NotificationPreferences`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct NotificationPreferences {
    pub standup_asked: bool,
    pub reminder: bool,
    pub digest: bool,
}

/// The viewer's notification preferences.
#[derive(Debug)]
pub enum NotificationPreferencesQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesUser {
    pub notification_preferences: Option<NotificationPreferences>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct PreferencesViewer {
    pub user: PreferencesUser,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct NotificationPreferencesData {
    pub viewer: Option<PreferencesViewer>,
}

impl Operation for NotificationPreferencesQuery {
    const NAME: &'static str = "NotificationPreferences";
    const QUERY: &'static str = "query NotificationPreferences { viewer { user { notificationPreferences { standupAsked reminder digest } } } }";
    type Variables = NoVariables;
    type Data = NotificationPreferencesData;
}

/// `updateNotificationPreferences(input): NotificationPreferences!`
#[derive(Debug)]
pub enum UpdateNotificationPreferences {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateNotificationPreferencesVariables {
    pub input: NotificationPreferences,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct UpdateNotificationPreferencesData {
    pub update_notification_preferences: NotificationPreferences,
}

impl Operation for UpdateNotificationPreferences {
    const NAME: &'static str = "UpdateNotificationPreferences";
    const QUERY: &'static str = "mutation UpdateNotificationPreferences($input: UpdateNotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { standupAsked reminder digest } }";
    type Variables = UpdateNotificationPreferencesVariables;
    type Data = UpdateNotificationPreferencesData;
}

/// `standupOrganization(id)`: which of the viewer's organizations a standup is in.
#[derive(Debug)]
pub enum StandupOrganizationQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StandupOrganizationVariables {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StandupOrganizationData {
    pub standup_organization: Option<super::Organization>,
}

impl Operation for StandupOrganizationQuery {
    const NAME: &'static str = "StandupOrganization";
    const QUERY: &'static str = "query StandupOrganization($id: ID!) { standupOrganization(id: $id) { id name slug createdAt } }";
    type Variables = StandupOrganizationVariables;
    type Data = StandupOrganizationData;
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (AnswerLinkQuery::NAME, AnswerLinkQuery::QUERY),
    (SubmitAnswersByLink::NAME, SubmitAnswersByLink::QUERY),
    (SkipByLink::NAME, SkipByLink::QUERY),
    (
        NotificationPreferencesQuery::NAME,
        NotificationPreferencesQuery::QUERY,
    ),
    (
        UpdateNotificationPreferences::NAME,
        UpdateNotificationPreferences::QUERY,
    ),
    (
        StandupOrganizationQuery::NAME,
        StandupOrganizationQuery::QUERY,
    ),
];
