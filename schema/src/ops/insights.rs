//! Operations of the owners' and admins' pages that look back: failed jobs, the
//! dashboard's participation figures and a team's insights charts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::json::FromJson;

use super::{Connection, Operation, PagedOperation};

// ---------------------------------------------------------------------------------
// Failed jobs

/// `type FailedJob`: a job that failed every attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct FailedJob {
    pub id: String,
    pub kind: String,
    pub error: String,
    pub attempts: i32,
    pub failed_at: DateTime<Utc>,
    #[serde(default)]
    pub retried_at: Option<DateTime<Utc>>,
}

macro_rules! failed_job_fields {
    () => {
        "{ id kind error attempts failedAt retriedAt }"
    };
}

/// `failedJobs(first, after): FailedJobConnection!` — newest first. OWNER/ADMIN.
#[derive(Debug)]
pub enum FailedJobsQuery {}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FailedJobsVariables {
    pub first: Option<i32>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct FailedJobsData {
    pub failed_jobs: Connection<FailedJob>,
}

impl Operation for FailedJobsQuery {
    const NAME: &'static str = "FailedJobs";
    const QUERY: &'static str = concat!(
        "query FailedJobs($first: Int, $after: String) { failedJobs(first: $first, after: $after) { pageInfo { hasNextPage endCursor } nodes ",
        failed_job_fields!(),
        " } }"
    );
    type Variables = FailedJobsVariables;
    type Data = FailedJobsData;
}

impl PagedOperation for FailedJobsQuery {
    type Node = FailedJob;
    fn connection(data: FailedJobsData) -> Connection<FailedJob> {
        data.failed_jobs
    }
    fn after(variables: &FailedJobsVariables, cursor: String) -> FailedJobsVariables {
        FailedJobsVariables {
            after: Some(cursor),
            ..variables.clone()
        }
    }
}

/// `retryFailedJob(id: ID!): FailedJob!` — runs it again from its first attempt.
#[derive(Debug)]
pub enum RetryFailedJob {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RetryFailedJobVariables {
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct RetryFailedJobData {
    pub retry_failed_job: FailedJob,
}

impl Operation for RetryFailedJob {
    const NAME: &'static str = "RetryFailedJob";
    const QUERY: &'static str = concat!(
        "mutation RetryFailedJob($id: ID!) { retryFailedJob(id: $id) ",
        failed_job_fields!(),
        " }"
    );
    type Variables = RetryFailedJobVariables;
    type Data = RetryFailedJobData;
}

// ---------------------------------------------------------------------------------
// Insights

/// `type ParticipationWeek`: one week of a team's participation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ParticipationWeek {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    pub asked: i32,
    pub answered: i32,
    pub skipped: i32,
    /// 0 to 1; `None` when nobody was asked.
    #[serde(default)]
    pub rate: Option<f64>,
}

/// `type ResponseTimeWeek`: one week of a team's times from ask to answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct ResponseTimeWeek {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    pub answers: i32,
    #[serde(default)]
    pub median_minutes: Option<f64>,
}

/// The variables of a team's insights queries: the team and the dates `from..=to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamRangeVariables {
    pub team_id: String,
    /// YYYY-MM-DD.
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    pub to: String,
}

/// `type MoodWeek`: one week of a team's moods.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct MoodWeek {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    pub answers: i32,
    /// 1 to 5; `None` without answers, or when an anonymous mood had fewer than 3 people.
    #[serde(default)]
    pub average: Option<f64>,
}

/// `type BlockerWeek`: one week of a team's blockers opened and resolved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct BlockerWeek {
    /// The Monday, YYYY-MM-DD.
    pub week_start: String,
    pub opened: i32,
    pub resolved: i32,
    #[serde(default)]
    pub median_days_to_resolve: Option<f64>,
}

/// A team's insights page in one request: `teamWeeklyParticipation`, `teamResponseTimes`,
/// `teamMoodTrend` and `teamBlockerFlow` over the same range (one query per chart, one
/// round trip and one loading state for the page).
#[derive(Debug)]
pub enum TeamInsightsQuery {}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct TeamInsightsData {
    pub team_weekly_participation: Vec<ParticipationWeek>,
    pub team_response_times: Vec<ResponseTimeWeek>,
    pub team_mood_trend: Vec<MoodWeek>,
    pub team_blocker_flow: Vec<BlockerWeek>,
}

impl Operation for TeamInsightsQuery {
    const NAME: &'static str = "TeamInsights";
    const QUERY: &'static str = "query TeamInsights($teamId: ID!, $from: String!, $to: String!) { \
        teamWeeklyParticipation(teamId: $teamId, from: $from, to: $to) { weekStart asked answered skipped rate } \
        teamResponseTimes(teamId: $teamId, from: $from, to: $to) { weekStart answers medianMinutes } \
        teamMoodTrend(teamId: $teamId, from: $from, to: $to) { weekStart answers average } \
        teamBlockerFlow(teamId: $teamId, from: $from, to: $to) { weekStart opened resolved medianDaysToResolve } }";
    type Variables = TeamRangeVariables;
    type Data = TeamInsightsData;
}

/// The team of an overview row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct OverviewTeam {
    pub id: String,
    pub name: String,
    /// Its oldest open blocker, if any.
    #[serde(default)]
    pub oldest_open_blocker: Option<OldestBlocker>,
}

/// A team's oldest open blocker, as the overview shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct OldestBlocker {
    pub text: String,
    pub age_days: i32,
}

/// `type TeamParticipation`: one team's participation over a range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct TeamParticipation {
    pub team: OverviewTeam,
    pub asked: i32,
    pub answered: i32,
    pub skipped: i32,
    #[serde(default)]
    pub rate: Option<f64>,
}

/// The dates `from..=to` of the organization overview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateRangeVariables {
    /// YYYY-MM-DD.
    pub from: String,
    /// YYYY-MM-DD, inclusive.
    pub to: String,
}

/// `organizationParticipation(from, to): [TeamParticipation!]!` — OWNER/ADMIN.
#[derive(Debug)]
pub enum OrganizationParticipationQuery {}

#[derive(Clone, Debug, PartialEq, Deserialize, FromJson)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationParticipationData {
    pub organization_participation: Vec<TeamParticipation>,
}

impl Operation for OrganizationParticipationQuery {
    const NAME: &'static str = "OrganizationParticipation";
    const QUERY: &'static str = "query OrganizationParticipation($from: String!, $to: String!) { organizationParticipation(from: $from, to: $to) { team { id name oldestOpenBlocker { text ageDays } } asked answered skipped rate } }";
    type Variables = DateRangeVariables;
    type Data = OrganizationParticipationData;
}

/// The operations of this module, for [`super::ALL`].
pub(super) const OPERATIONS: &[(&str, &str)] = &[
    (FailedJobsQuery::NAME, FailedJobsQuery::QUERY),
    (RetryFailedJob::NAME, RetryFailedJob::QUERY),
    (TeamInsightsQuery::NAME, TeamInsightsQuery::QUERY),
    (
        OrganizationParticipationQuery::NAME,
        OrganizationParticipationQuery::QUERY,
    ),
];

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::Response;
    use super::*;
    use serde_json::json;

    #[test]
    fn a_failed_jobs_page_reads_with_its_cursor() {
        let raw = json!({ "data": { "failedJobs": {
            "pageInfo": { "hasNextPage": true, "endCursor": "c1" },
            "nodes": [{ "id": "j1", "kind": "send_welcome_email", "error": "boom", "attempts": 5,
                        "failedAt": "2026-12-01T10:00:00Z", "retriedAt": null }]
        } } });
        let resp: Response<FailedJobsData> = serde_json::from_value(raw).unwrap();
        let page = FailedJobsQuery::connection(resp.data.unwrap());
        assert_eq!(page.nodes[0].attempts, 5);
        assert_eq!(page.nodes[0].retried_at, None);
        assert_eq!(page.page_info.next_cursor().as_deref(), Some("c1"));
    }

    #[test]
    fn a_week_without_answers_reads_without_a_rate_median_or_average() {
        let raw = json!({ "data": {
            "teamWeeklyParticipation": [
                { "weekStart": "2026-11-02", "asked": 4, "answered": 3, "skipped": 0, "rate": 0.75 },
                { "weekStart": "2026-11-09", "asked": 0, "answered": 0, "skipped": 0, "rate": null }
            ],
            "teamResponseTimes": [{ "weekStart": "2026-11-02", "answers": 0, "medianMinutes": null }],
            "teamMoodTrend": [{ "weekStart": "2026-11-02", "answers": 2, "average": null }],
            "teamBlockerFlow": [{ "weekStart": "2026-11-02", "opened": 1, "resolved": 0, "medianDaysToResolve": null }]
        } });
        let resp: Response<TeamInsightsData> = serde_json::from_value(raw).unwrap();
        let data = resp.data.unwrap();
        assert_eq!(data.team_weekly_participation[0].rate, Some(0.75));
        assert_eq!(data.team_weekly_participation[1].rate, None);
        assert_eq!(data.team_response_times[0].median_minutes, None);
        assert_eq!(data.team_mood_trend[0].average, None);
        assert_eq!(data.team_blocker_flow[0].opened, 1);
    }
}
