//! Operations of the standup pages: the inbox, one standup (answer, skip, close, live
//! events), starting one now, and a team's history and participation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{Connection, Operation, PagedOperation, Person, Question};
use crate::enums::{ParticipationState, StandupState};
use crate::ids::UserId;

/// `type Answer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct Answer {
    pub question: AnswerQuestion,
    /// A MOOD question's comment, any other question's answer.
    pub text: String,
    /// A MOOD question's answer, 1 to 5.
    #[serde(default)]
    pub mood: Option<i32>,
}

/// The question an answer answers (its id is enough; the standup lists the questions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct AnswerQuestion {
    pub id: String,
}

/// `type Participation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Participation {
    pub user: Person,
    pub state: ParticipationState,
    pub answers: Vec<Answer>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub skip_reason: Option<String>,
    pub edited_at: Option<DateTime<Utc>>,
    /// The note of the out-of-office period (only when OUT_OF_OFFICE).
    pub out_of_office_note: Option<String>,
    /// Answered or skipped after the close (a late answer).
    #[serde(default)]
    pub late: bool,
}

macro_rules! participation_fields {
    () => {
        "{ user { id name email } state answers { question { id } text mood } submittedAt skipReason editedAt outOfOfficeNote late }"
    };
}

/// `type Digest`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    pub text: String,
    pub answered: i32,
    pub skipped: i32,
    pub missing: i32,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The team of a standup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct StandupTeam {
    pub id: String,
    pub name: String,
}

/// `type Standup`, as the standup page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct Standup {
    pub id: String,
    pub name: String,
    pub team: StandupTeam,
    pub scheduled_for: DateTime<Utc>,
    pub local_date: String,
    /// The team's zone when it opened: `localDate` and the schedule are in it.
    pub timezone: String,
    pub closes_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub state: StandupState,
    pub questions: Vec<Question>,
    pub participations: Vec<Participation>,
    pub my_participation: Option<Participation>,
    pub digest: Option<Digest>,
    /// Moods are shown only as an aggregate over 3 or more people.
    #[serde(default)]
    pub anonymous_mood: bool,
    /// `None` without moods, or with anonymous moods from fewer than 3 people.
    #[serde(default)]
    pub mood_summary: Option<MoodSummary>,
}

/// `type MoodSummary`: a standup's moods, counted (the average is worked out from the
/// counts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct MoodSummary {
    pub people: i32,
    /// Answers per mood, for 1 to 5.
    pub counts: Vec<i32>,
}

impl MoodSummary {
    /// The average mood, 1 to 5 (0 without answers).
    #[must_use]
    pub fn average(&self) -> f64 {
        let answers: i32 = self.counts.iter().sum();
        let total: i32 = self.counts.iter().zip(1..).map(|(n, mood)| n * mood).sum();
        if answers == 0 {
            0.0
        } else {
            f64::from(total) / f64::from(answers)
        }
    }
}

macro_rules! standup_fields {
    () => {
        concat!(
            "{ id name team { id name } scheduledFor localDate timezone closesAt closedAt state questions { id prompt kind required } participations ",
            participation_fields!(),
            " myParticipation ",
            participation_fields!(),
            " digest { text answered skipped missing deliveredAt } anonymousMood moodSummary { people counts } }"
        )
    };
}

/// A standup in a list (inbox, history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StandupSummary {
    pub id: String,
    pub name: String,
    pub team: StandupTeam,
    pub scheduled_for: DateTime<Utc>,
    pub local_date: String,
    pub timezone: String,
    pub closes_at: DateTime<Utc>,
    pub state: StandupState,
    pub my_participation: Option<ParticipationSummary>,
    pub digest: Option<DigestCounts>,
}

/// Where the viewer stands in a listed standup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct ParticipationSummary {
    pub state: ParticipationState,
}

/// A digest's counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
pub struct DigestCounts {
    pub answered: i32,
    pub skipped: i32,
    pub missing: i32,
}

macro_rules! summary_fields {
    () => {
        "{ id name team { id name } scheduledFor localDate timezone closesAt state myParticipation { state } digest { answered skipped missing } }"
    };
}

/// Variables naming a standup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StandupIdVariables {
    pub standup_id: String,
}

/// `standup(id): Standup`
#[derive(Debug)]
pub enum StandupQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StandupVariables {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct StandupData {
    pub standup: Option<Standup>,
}

impl Operation for StandupQuery {
    const NAME: &'static str = "Standup";
    const QUERY: &'static str = concat!(
        "query Standup($id: ID!) { standup(id: $id) ",
        standup_fields!(),
        " }"
    );
    type Variables = StandupVariables;
    type Data = StandupData;
}

/// `myStandups(state): [Standup!]!`
#[derive(Debug)]
pub enum MyStandupsQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MyStandupsVariables {
    pub state: Option<StandupState>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct MyStandupsData {
    pub my_standups: Vec<StandupSummary>,
}

impl Operation for MyStandupsQuery {
    const NAME: &'static str = "MyStandups";
    const QUERY: &'static str = concat!(
        "query MyStandups($state: StandupState) { myStandups(state: $state) ",
        summary_fields!(),
        " }"
    );
    type Variables = MyStandupsVariables;
    type Data = MyStandupsData;
}

/// `input StandupFilter`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StandupFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub user_id: Option<UserId>,
}

/// `standups(teamId, first, after, filter): StandupConnection!` — newest first.
#[derive(Debug)]
pub enum TeamStandupsQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamStandupsVariables {
    pub team_id: String,
    pub first: Option<i32>,
    pub after: Option<String>,
    pub filter: StandupFilter,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
pub struct TeamStandupsData {
    pub standups: Connection<StandupSummary>,
}

impl Operation for TeamStandupsQuery {
    const NAME: &'static str = "TeamStandups";
    const QUERY: &'static str = concat!(
        "query TeamStandups($teamId: ID!, $first: Int, $after: String, $filter: StandupFilter) { standups(teamId: $teamId, first: $first, after: $after, filter: $filter) { pageInfo { hasNextPage endCursor } nodes ",
        summary_fields!(),
        " } }"
    );
    type Variables = TeamStandupsVariables;
    type Data = TeamStandupsData;
}

impl PagedOperation for TeamStandupsQuery {
    type Node = StandupSummary;
    fn connection(data: TeamStandupsData) -> Connection<StandupSummary> {
        data.standups
    }
    fn after(variables: &TeamStandupsVariables, cursor: String) -> TeamStandupsVariables {
        TeamStandupsVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// `type MemberParticipation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct MemberParticipation {
    pub user: Person,
    pub standups: i32,
    pub answered: i32,
    pub skipped: i32,
    pub missed: i32,
    pub response_rate: f64,
    pub current_streak: i32,
}

/// `teamParticipation(teamId, from, to): [MemberParticipation!]!`
#[derive(Debug)]
pub enum TeamParticipationQuery {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamParticipationVariables {
    pub team_id: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct TeamParticipationData {
    pub team_participation: Vec<MemberParticipation>,
}

impl Operation for TeamParticipationQuery {
    const NAME: &'static str = "TeamParticipation";
    const QUERY: &'static str = "query TeamParticipation($teamId: ID!, $from: DateTime, $to: DateTime) { teamParticipation(teamId: $teamId, from: $from, to: $to) { user { id name email } standups answered skipped missed responseRate currentStreak } }";
    type Variables = TeamParticipationVariables;
    type Data = TeamParticipationData;
}

/// `startStandupNow(configId): Standup!`
#[derive(Debug)]
pub enum StartStandupNow {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartStandupNowVariables {
    pub config_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StartStandupNowData {
    pub start_standup_now: super::IdOnly,
}

impl Operation for StartStandupNow {
    const NAME: &'static str = "StartStandupNow";
    const QUERY: &'static str =
        "mutation StartStandupNow($configId: ID!) { startStandupNow(configId: $configId) { id } }";
    type Variables = StartStandupNowVariables;
    type Data = StartStandupNowData;
}

/// `closeStandup(standupId): Standup!`
#[derive(Debug)]
pub enum CloseStandup {}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct CloseStandupData {
    pub close_standup: super::IdOnly,
}

impl Operation for CloseStandup {
    const NAME: &'static str = "CloseStandup";
    const QUERY: &'static str =
        "mutation CloseStandup($standupId: ID!) { closeStandup(standupId: $standupId) { id } }";
    type Variables = StandupIdVariables;
    type Data = CloseStandupData;
}

/// `input AnswerInput`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerInput {
    pub question_id: String,
    /// A MOOD question's optional comment.
    pub text: String,
    /// A MOOD question's answer, 1 to 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mood: Option<i32>,
}

/// `input SubmitAnswersInput`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitAnswersInput {
    pub standup_id: String,
    pub answers: Vec<AnswerInput>,
}

/// `submitAnswers(input): Participation!`
#[derive(Debug)]
pub enum SubmitAnswers {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubmitAnswersVariables {
    pub input: SubmitAnswersInput,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SubmitAnswersData {
    pub submit_answers: Participation,
}

impl Operation for SubmitAnswers {
    const NAME: &'static str = "SubmitAnswers";
    const QUERY: &'static str = concat!(
        "mutation SubmitAnswers($input: SubmitAnswersInput!) { submitAnswers(input: $input) ",
        participation_fields!(),
        " }"
    );
    type Variables = SubmitAnswersVariables;
    type Data = SubmitAnswersData;
}

/// `skipStandup(standupId, reason): Participation!`
#[derive(Debug)]
pub enum SkipStandup {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SkipStandupVariables {
    pub standup_id: String,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct SkipStandupData {
    pub skip_standup: Participation,
}

impl Operation for SkipStandup {
    const NAME: &'static str = "SkipStandup";
    const QUERY: &'static str = concat!(
        "mutation SkipStandup($standupId: ID!, $reason: String) { skipStandup(standupId: $standupId, reason: $reason) ",
        participation_fields!(),
        " }"
    );
    type Variables = SkipStandupVariables;
    type Data = SkipStandupData;
}

/// `standupEvents(teamId)`: sent over the WebSocket, not through [`Operation`].
pub const STANDUP_EVENTS: &str = "subscription StandupEvents($teamId: ID!) { standupEvents(teamId: $teamId) { kind standupId teamId userId at } }";

/// One `standupEvents` payload.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct StandupEvent {
    pub kind: String,
    pub standup_id: String,
    pub team_id: String,
    pub user_id: Option<String>,
    pub at: DateTime<Utc>,
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (StandupQuery::NAME, StandupQuery::QUERY),
    (MyStandupsQuery::NAME, MyStandupsQuery::QUERY),
    (TeamStandupsQuery::NAME, TeamStandupsQuery::QUERY),
    (TeamParticipationQuery::NAME, TeamParticipationQuery::QUERY),
    (StartStandupNow::NAME, StartStandupNow::QUERY),
    (CloseStandup::NAME, CloseStandup::QUERY),
    (SubmitAnswers::NAME, SubmitAnswers::QUERY),
    (SkipStandup::NAME, SkipStandup::QUERY),
    ("StandupEvents", STANDUP_EVENTS),
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_standup_deserialises_with_its_participations_and_digest() {
        let person = json!({ "id": "6f1c1e0e-8a7e-4a43-9b59-3a8f0a1a2b3c", "name": "Ada", "email": "ada@example.com" });
        let participation = json!({ "user": person, "state": "ANSWERED", "answers": [{ "question": { "id": "q1" }, "text": "Shipped" }],
            "submittedAt": "2026-11-24T09:05:00Z", "skipReason": null, "editedAt": null, "outOfOfficeNote": null });
        let raw = json!({ "standup": {
            "id": "s1", "name": "Daily", "team": { "id": "t1", "name": "Core" },
            "scheduledFor": "2026-11-24T09:00:00Z", "localDate": "2026-11-24", "timezone": "Europe/Berlin", "closesAt": "2026-11-24T13:00:00Z",
            "closedAt": null, "state": "OPEN",
            "questions": [{ "id": "q1", "prompt": "Yesterday?", "kind": "TEXT", "required": true }],
            "participations": [participation.clone()], "myParticipation": participation, "digest": null
        } });
        let data: StandupData = serde_json::from_value(raw).unwrap();
        let standup = data.standup.unwrap();
        assert_eq!(standup.state, StandupState::Open);
        assert_eq!(
            standup.participations[0].state,
            ParticipationState::Answered
        );
        assert_eq!(standup.my_participation.unwrap().answers[0].text, "Shipped");
    }

    #[test]
    fn answers_are_sent_in_contract_spelling() {
        let body = serde_json::to_value(SubmitAnswers::request(&SubmitAnswersVariables {
            input: SubmitAnswersInput {
                standup_id: "s1".into(),
                answers: vec![AnswerInput {
                    question_id: "q1".into(),
                    text: "Done".into(),
                    mood: None,
                }],
            },
        }))
        .unwrap();
        assert_eq!(
            body["variables"],
            json!({ "input": { "standupId": "s1", "answers": [{ "questionId": "q1", "text": "Done" }] } })
        );
    }
}
