//! Operations of the team pages: teams, their members and their standup configs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{NoVariables, Operation, SlackChannel};
use crate::enums::{AskAt, DeliveryChannel, QuestionKind, Weekday};
use crate::ids::UserId;

/// A person as the team pages show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub email: String,
    /// Their IANA zone, where the document asks for it (`None`: not set or not asked).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// `type TeamMember`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub user: Person,
    pub added_at: DateTime<Utc>,
}

/// `type Question`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    pub id: String,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// `type StandupConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StandupConfig {
    pub id: String,
    pub name: String,
    pub questions: Vec<Question>,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: String,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
    pub delivery: Vec<DeliveryChannel>,
    /// Null unless the viewer is an OWNER or ADMIN (it may carry a token).
    pub webhook_url: Option<String>,
    /// The webhook URL's host, for everyone.
    pub webhook_host: Option<String>,
    pub active: bool,
    pub close_when_all_answered: bool,
    /// TEAM_TIME or MEMBER_LOCAL_TIME (`None` where the document does not ask).
    #[serde(default)]
    pub ask_at: Option<AskAt>,
    /// MEMBER_LOCAL_TIME: HH:MM in the config's zone, the latest close.
    #[serde(default)]
    pub digest_time: Option<String>,
    /// Everyone in the team is asked, also people added later.
    #[serde(default)]
    pub everyone: bool,
    /// Moods are shown only as aggregates over 3 or more people.
    #[serde(default)]
    pub anonymous_mood: bool,
    pub participants: Vec<Person>,
    pub next_run_at: Option<DateTime<Utc>>,
    /// Where SLACK_CHANNEL delivery posts the digest.
    #[serde(default)]
    pub slack_channel: Option<SlackChannel>,
}

macro_rules! config_fields {
    () => {
        "{ id name questions { id prompt kind required } weekdays timeOfDay timezone responseWindowMinutes reminderMinutesBefore delivery webhookUrl webhookHost active closeWhenAllAnswered askAt digestTime everyone anonymousMood participants { id name email } nextRunAt slackChannel { id name isPrivate } }"
    };
}

/// A team with its members and configs (the team page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub members: Vec<TeamMember>,
    pub standup_configs: Vec<StandupConfig>,
}

macro_rules! team_fields {
    () => {
        concat!(
            "{ id name timezone description createdAt members { user { id name email timezone } addedAt } standupConfigs ",
            config_fields!(),
            " }"
        )
    };
}

/// A row of the teams list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct TeamSummary {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub description: Option<String>,
    pub members: Vec<TeamMemberId>,
    pub standup_configs: Vec<ConfigSummary>,
}

/// Just enough of a team member to count them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct TeamMemberId {
    pub user: IdOnly,
}

/// `{ id }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct IdOnly {
    pub id: String,
}

/// A config as the teams list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ConfigSummary {
    pub id: String,
    pub active: bool,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// `teams: [Team!]!`
#[derive(Debug)]
pub enum TeamsQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct TeamsData {
    pub teams: Vec<TeamSummary>,
}

impl Operation for TeamsQuery {
    const NAME: &'static str = "Teams";
    const QUERY: &'static str = "query Teams { teams { id name timezone description members { user { id } } standupConfigs { id active nextRunAt } } }";
    type Variables = NoVariables;
    type Data = TeamsData;
}

/// Variables naming one object by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdVariables {
    pub id: String,
}

/// `team(id): Team`
#[derive(Debug)]
pub enum TeamQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct TeamData {
    pub team: Option<Team>,
}

impl Operation for TeamQuery {
    const NAME: &'static str = "Team";
    const QUERY: &'static str = concat!(
        "query Team($id: ID!) { team(id: $id) ",
        team_fields!(),
        " }"
    );
    type Variables = IdVariables;
    type Data = TeamData;
}

/// A config with the members of its team (the config editor).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ConfigWithTeam {
    #[serde(flatten)]
    pub config: StandupConfig,
    pub team: ConfigTeam,
}

/// The team of a config, for the editor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ConfigTeam {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub members: Vec<TeamMember>,
}

/// `standupConfig(id): StandupConfig`
#[derive(Debug)]
pub enum StandupConfigQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StandupConfigData {
    pub standup_config: Option<ConfigWithTeam>,
}

impl Operation for StandupConfigQuery {
    const NAME: &'static str = "StandupConfig";
    const QUERY: &'static str = "query StandupConfig($id: ID!) { standupConfig(id: $id) { id name questions { id prompt kind required } weekdays timeOfDay timezone responseWindowMinutes reminderMinutesBefore delivery webhookUrl webhookHost active closeWhenAllAnswered askAt digestTime anonymousMood participants { id name email } nextRunAt slackChannel { id name isPrivate } team { id name timezone members { user { id name email timezone } addedAt } } } }";
    type Variables = IdVariables;
    type Data = StandupConfigData;
}

/// `input CreateTeamInput` / `UpdateTeamInput`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TeamInput {
    pub name: String,
    pub timezone: String,
    pub description: Option<String>,
}

/// `createTeam(input): Team!`
#[derive(Debug)]
pub enum CreateTeam {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateTeamVariables {
    pub input: TeamInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeamData {
    pub create_team: IdOnly,
}

impl Operation for CreateTeam {
    const NAME: &'static str = "CreateTeam";
    const QUERY: &'static str =
        "mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { id } }";
    type Variables = CreateTeamVariables;
    type Data = CreateTeamData;
}

/// `updateTeam(id, input): Team!`
#[derive(Debug)]
pub enum UpdateTeam {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateTeamVariables {
    pub id: String,
    pub input: TeamInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTeamData {
    pub update_team: IdOnly,
}

impl Operation for UpdateTeam {
    const NAME: &'static str = "UpdateTeam";
    const QUERY: &'static str = "mutation UpdateTeam($id: ID!, $input: UpdateTeamInput!) { updateTeam(id: $id, input: $input) { id } }";
    type Variables = UpdateTeamVariables;
    type Data = UpdateTeamData;
}

/// `deleteTeam(id): Boolean!`
#[derive(Debug)]
pub enum DeleteTeam {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct DeleteTeamData {
    pub delete_team: bool,
}

impl Operation for DeleteTeam {
    const NAME: &'static str = "DeleteTeam";
    const QUERY: &'static str = "mutation DeleteTeam($id: ID!) { deleteTeam(id: $id) }";
    type Variables = IdVariables;
    type Data = DeleteTeamData;
}

/// Variables of `addTeamMember` / `removeTeamMember`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberVariables {
    pub team_id: String,
    pub user_id: UserId,
}

/// `addTeamMember(teamId, userId): TeamMember!`
#[derive(Debug)]
pub enum AddTeamMember {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct AddTeamMemberData {
    pub add_team_member: TeamMember,
}

impl Operation for AddTeamMember {
    const NAME: &'static str = "AddTeamMember";
    const QUERY: &'static str = "mutation AddTeamMember($teamId: ID!, $userId: ID!) { addTeamMember(teamId: $teamId, userId: $userId) { user { id name email } addedAt } }";
    type Variables = TeamMemberVariables;
    type Data = AddTeamMemberData;
}

/// `removeTeamMember(teamId, userId): Boolean!`
#[derive(Debug)]
pub enum RemoveTeamMember {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RemoveTeamMemberData {
    pub remove_team_member: bool,
}

impl Operation for RemoveTeamMember {
    const NAME: &'static str = "RemoveTeamMember";
    const QUERY: &'static str = "mutation RemoveTeamMember($teamId: ID!, $userId: ID!) { removeTeamMember(teamId: $teamId, userId: $userId) }";
    type Variables = TeamMemberVariables;
    type Data = RemoveTeamMemberData;
}

/// `input QuestionInput`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionInput {
    /// An existing question's id keeps it (and its answers); `None` for a new one.
    pub id: Option<String>,
    pub prompt: String,
    pub kind: QuestionKind,
    pub required: bool,
}

/// The fields of `CreateStandupConfigInput` (and, all given, `UpdateStandupConfigInput`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StandupConfigInput {
    /// Only for create; the update input has no `teamId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    pub name: String,
    pub questions: Vec<QuestionInput>,
    pub weekdays: Vec<Weekday>,
    pub time_of_day: String,
    pub timezone: String,
    pub response_window_minutes: i32,
    pub reminder_minutes_before: i32,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    /// Required with SLACK_CHANNEL delivery (picked from `slackChannels`).
    pub slack_channel: Option<SlackChannelInput>,
    pub participant_ids: Vec<UserId>,
    /// Everyone in the team, also people added later (`participant_ids` then ignored).
    pub everyone: bool,
    pub active: bool,
    pub close_when_all_answered: bool,
    /// Moods shown only as aggregates over 3 or more people.
    pub anonymous_mood: bool,
    pub ask_at: AskAt,
    /// `None` clears it.
    pub digest_time: Option<String>,
}

/// `input SlackChannelInput`: the digest's channel, as `slackChannels` listed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlackChannelInput {
    pub id: String,
    pub name: String,
}

/// `createStandupConfig(input): StandupConfig!`
#[derive(Debug)]
pub enum CreateStandupConfig {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreateStandupConfigVariables {
    pub input: StandupConfigInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct CreateStandupConfigData {
    pub create_standup_config: IdOnly,
}

impl Operation for CreateStandupConfig {
    const NAME: &'static str = "CreateStandupConfig";
    const QUERY: &'static str = "mutation CreateStandupConfig($input: CreateStandupConfigInput!) { createStandupConfig(input: $input) { id } }";
    type Variables = CreateStandupConfigVariables;
    type Data = CreateStandupConfigData;
}

/// `updateStandupConfig(id, input): StandupConfig!`
#[derive(Debug)]
pub enum UpdateStandupConfig {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateStandupConfigVariables {
    pub id: String,
    pub input: StandupConfigInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStandupConfigData {
    pub update_standup_config: IdOnly,
}

impl Operation for UpdateStandupConfig {
    const NAME: &'static str = "UpdateStandupConfig";
    const QUERY: &'static str = "mutation UpdateStandupConfig($id: ID!, $input: UpdateStandupConfigInput!) { updateStandupConfig(id: $id, input: $input) { id } }";
    type Variables = UpdateStandupConfigVariables;
    type Data = UpdateStandupConfigData;
}

/// `updateStandupConfig(id, input: { active })`: pause or resume.
#[derive(Debug)]
pub enum SetStandupConfigActive {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetStandupConfigActiveVariables {
    pub id: String,
    pub active: bool,
}

impl Operation for SetStandupConfigActive {
    const NAME: &'static str = "SetStandupConfigActive";
    const QUERY: &'static str = "mutation SetStandupConfigActive($id: ID!, $active: Boolean!) { updateStandupConfig(id: $id, input: { active: $active }) { id } }";
    type Variables = SetStandupConfigActiveVariables;
    type Data = UpdateStandupConfigData;
}

/// `deleteStandupConfig(id): Boolean!`
#[derive(Debug)]
pub enum DeleteStandupConfig {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct DeleteStandupConfigData {
    pub delete_standup_config: bool,
}

impl Operation for DeleteStandupConfig {
    const NAME: &'static str = "DeleteStandupConfig";
    const QUERY: &'static str =
        "mutation DeleteStandupConfig($id: ID!) { deleteStandupConfig(id: $id) }";
    type Variables = IdVariables;
    type Data = DeleteStandupConfigData;
}

/// `rotateWebhookSecret(configId): WebhookSecret!`: a new signing secret, shown once.
#[derive(Debug)]
pub enum RotateWebhookSecret {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotateWebhookSecretVariables {
    pub config_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSecret {
    pub secret: String,
    /// Until when the replaced secret still signs, if there was one.
    pub previous_valid_until: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RotateWebhookSecretData {
    pub rotate_webhook_secret: WebhookSecret,
}

impl Operation for RotateWebhookSecret {
    const NAME: &'static str = "RotateWebhookSecret";
    const QUERY: &'static str = "mutation RotateWebhookSecret($configId: ID!) { rotateWebhookSecret(configId: $configId) { secret previousValidUntil } }";
    type Variables = RotateWebhookSecretVariables;
    type Data = RotateWebhookSecretData;
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (TeamsQuery::NAME, TeamsQuery::QUERY),
    (TeamQuery::NAME, TeamQuery::QUERY),
    (StandupConfigQuery::NAME, StandupConfigQuery::QUERY),
    (CreateTeam::NAME, CreateTeam::QUERY),
    (UpdateTeam::NAME, UpdateTeam::QUERY),
    (DeleteTeam::NAME, DeleteTeam::QUERY),
    (AddTeamMember::NAME, AddTeamMember::QUERY),
    (RemoveTeamMember::NAME, RemoveTeamMember::QUERY),
    (CreateStandupConfig::NAME, CreateStandupConfig::QUERY),
    (UpdateStandupConfig::NAME, UpdateStandupConfig::QUERY),
    (SetStandupConfigActive::NAME, SetStandupConfigActive::QUERY),
    (DeleteStandupConfig::NAME, DeleteStandupConfig::QUERY),
    (RotateWebhookSecret::NAME, RotateWebhookSecret::QUERY),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_input_sends_contract_names_and_leaves_team_out_on_update() {
        let input = StandupConfigInput {
            team_id: None,
            name: "Daily".into(),
            questions: vec![QuestionInput {
                id: None,
                prompt: "What did you do?".into(),
                kind: QuestionKind::Text,
                required: true,
            }],
            weekdays: vec![Weekday::Mon],
            time_of_day: "09:00".into(),
            timezone: "Europe/Berlin".into(),
            response_window_minutes: 60,
            reminder_minutes_before: 0,
            delivery: vec![DeliveryChannel::Web],
            webhook_url: None,
            slack_channel: Some(SlackChannelInput {
                id: "C0DIGEST".into(),
                name: "standups".into(),
            }),
            participant_ids: vec![],
            everyone: false,
            active: true,
            close_when_all_answered: false,
            anonymous_mood: true,
            ask_at: AskAt::TeamTime,
            digest_time: None,
        };
        let body = serde_json::to_value(UpdateStandupConfig::request(
            &UpdateStandupConfigVariables {
                id: "c1".into(),
                input,
            },
        ))
        .unwrap();
        let sent = &body["variables"]["input"];
        assert!(sent.get("teamId").is_none());
        assert_eq!(sent["timeOfDay"], "09:00");
        assert_eq!(sent["responseWindowMinutes"], 60);
        assert_eq!(sent["weekdays"], json!(["MON"]));
        assert_eq!(sent["questions"][0]["kind"], "TEXT");
        assert_eq!(
            sent["slackChannel"],
            json!({ "id": "C0DIGEST", "name": "standups" })
        );
    }

    #[test]
    fn a_config_with_its_team_deserialises() {
        let raw = json!({ "standupConfig": {
            "id": "c1", "name": "Daily", "questions": [{ "id": "q1", "prompt": "P", "kind": "BLOCKER", "required": false }],
            "weekdays": ["MON", "FRI"], "timeOfDay": "09:00", "timezone": "Asia/Kolkata",
            "responseWindowMinutes": 60, "reminderMinutesBefore": 15, "delivery": ["WEB", "EMAIL"],
            "webhookUrl": null, "webhookHost": "hooks.example.com", "active": true, "closeWhenAllAnswered": false, "participants": [],
            "nextRunAt": "2026-11-25T03:30:00Z",
            "team": { "id": "t1", "name": "Core", "timezone": "Asia/Kolkata", "members": [] }
        } });
        let data: StandupConfigData = serde_json::from_value(raw).unwrap();
        let config = data.standup_config.unwrap();
        assert_eq!(config.config.questions[0].kind, QuestionKind::Blocker);
        assert_eq!(config.team.name, "Core");
        assert_eq!(
            config.config.webhook_host.as_deref(),
            Some("hooks.example.com")
        );
    }
}
