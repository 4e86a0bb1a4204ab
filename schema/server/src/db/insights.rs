//! Insights: participation and response times, counted by PostgreSQL (aggregates over
//! `standups` and `participations`; no answer row leaves the database).
//!
//! A run belongs to the week (Monday to Sunday) of its `local_date`, the date in the
//! standup's zone. "Asked" counts every participant who was not out of office; a run
//! still open counts its pending participants as asked and not (yet) answered. The time
//! to answer is from when the person was asked (their own `ask_at` in a member-local-time
//! run, else the run's start) to their first submission.
//!
//! Every query filters by the organization; range scans use
//! `standups_team_local_date_idx`.

use super::DbError;
use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, TeamId};

/// Every Monday from the week of `$3` to the week of `$4`: the rows of a weekly chart.
const WEEKS: &str = "WITH weeks AS (
    SELECT generate_series(date_trunc('week', $3::date), date_trunc('week', $4::date), interval '1 week')::date AS week
)";

/// Runs `sql` (which starts after [`WEEKS`]) with `$1` the organization, `$2` the team
/// and `$3..=$4` the range of local dates.
async fn weekly<T: QueryableByName<diesel::pg::Pg> + Send + 'static>(
    conn: &mut AsyncPgConnection,
    sql: &str,
    org: OrganizationId,
    team: TeamId,
    (from, to): (NaiveDate, NaiveDate),
) -> Result<Vec<T>, DbError> {
    Ok(diesel::sql_query(format!("{WEEKS}, {sql}"))
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(team)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .load(conn)
        .await?)
}

/// One week of a team's participation.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct ParticipationWeek {
    /// The Monday of the week.
    #[diesel(sql_type = Date)]
    pub week: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub asked: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
    #[diesel(sql_type = BigInt)]
    pub skipped: i64,
}

/// Every week (Monday) from the week of `from` to the week of `to`, with the team's
/// counts of the runs dated in `from..=to` (zeros for a week without runs), oldest first.
pub async fn team_participation(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ParticipationWeek>, DbError> {
    weekly(
        conn,
        "counted AS (
             SELECT date_trunc('week', s.local_date)::date AS week,
                    count(*) FILTER (WHERE p.state <> 'OUT_OF_OFFICE') AS asked,
                    count(*) FILTER (WHERE p.state = 'ANSWERED') AS answered,
                    count(*) FILTER (WHERE p.state = 'SKIPPED') AS skipped
             FROM standups s
             JOIN participations p ON p.standup_id = s.id AND p.org_id = s.org_id
             WHERE s.org_id = $1 AND s.team_id = $2 AND s.local_date BETWEEN $3 AND $4
             GROUP BY 1
         )
         SELECT weeks.week,
                coalesce(counted.asked, 0) AS asked,
                coalesce(counted.answered, 0) AS answered,
                coalesce(counted.skipped, 0) AS skipped
         FROM weeks LEFT JOIN counted USING (week)
         ORDER BY weeks.week",
        org,
        team,
        (from, to),
    )
    .await
}

/// One week of a team's times to answer.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct ResponseTimeWeek {
    /// The Monday of the week.
    #[diesel(sql_type = Date)]
    pub week: NaiveDate,
    /// Answers counted.
    #[diesel(sql_type = BigInt)]
    pub answers: i64,
    /// The median minutes from ask to answer; `None` without answers.
    #[diesel(sql_type = Nullable<diesel::sql_types::Double>)]
    pub median_minutes: Option<f64>,
}

/// Every week from the week of `from` to the week of `to` with the median time from
/// ask to answer of the team's answers in runs dated `from..=to`, oldest first.
pub async fn team_response_times(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ResponseTimeWeek>, DbError> {
    weekly(
        conn,
        "timed AS (
             SELECT date_trunc('week', s.local_date)::date AS week,
                    count(*) AS answers,
                    percentile_cont(0.5) WITHIN GROUP (
                        ORDER BY greatest(0, extract(epoch FROM p.submitted_at - coalesce(p.ask_at, s.scheduled_for)))
                    ) / 60.0 AS median_minutes
             FROM standups s
             JOIN participations p ON p.standup_id = s.id AND p.org_id = s.org_id
             WHERE s.org_id = $1 AND s.team_id = $2 AND s.local_date BETWEEN $3 AND $4
               AND p.state = 'ANSWERED' AND p.submitted_at IS NOT NULL
             GROUP BY 1
         )
         SELECT weeks.week,
                coalesce(timed.answers, 0) AS answers,
                timed.median_minutes::float8 AS median_minutes
         FROM weeks LEFT JOIN timed USING (week)
         ORDER BY weeks.week",
        org,
        team,
        (from, to),
    )
    .await
}

/// One team's participation over a range.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct TeamParticipation {
    #[diesel(sql_type = SqlUuid)]
    pub team_id: TeamId,
    #[diesel(sql_type = BigInt)]
    pub asked: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
    #[diesel(sql_type = BigInt)]
    pub skipped: i64,
}

/// Each team of the organization with its counts of the runs dated `from..=to` (zeros
/// for a team without runs).
pub async fn organization_participation(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<TeamParticipation>, DbError> {
    Ok(diesel::sql_query(
        "SELECT t.id AS team_id,
                count(p.user_id) FILTER (WHERE p.state <> 'OUT_OF_OFFICE') AS asked,
                count(p.user_id) FILTER (WHERE p.state = 'ANSWERED') AS answered,
                count(p.user_id) FILTER (WHERE p.state = 'SKIPPED') AS skipped
         FROM teams t
         LEFT JOIN standups s ON s.team_id = t.id AND s.org_id = t.org_id AND s.local_date BETWEEN $2 AND $3
         LEFT JOIN participations p ON p.standup_id = s.id AND p.org_id = s.org_id
         WHERE t.org_id = $1
         GROUP BY t.id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Date, _>(from)
    .bind::<Date, _>(to)
    .load(conn)
    .await?)
}

/// One week of a team's moods.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct MoodWeek {
    /// The Monday of the week.
    #[diesel(sql_type = Date)]
    pub week: NaiveDate,
    /// Mood answers given.
    #[diesel(sql_type = BigInt)]
    pub answers: i64,
    /// The average mood (1-5); `None` without answers, and for a week with an
    /// anonymous-mood run when fewer than [`schema::standup::ANONYMOUS_MOOD_MIN_PEOPLE`] people
    /// gave one.
    #[diesel(sql_type = Nullable<diesel::sql_types::Double>)]
    pub average: Option<f64>,
}

/// Every week from the week of `from` to the week of `to` with the average mood of the
/// team's runs dated `from..=to`, oldest first.
pub async fn team_mood_trend(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MoodWeek>, DbError> {
    weekly(
        conn,
        &format!(
            "moods AS (
                 SELECT date_trunc('week', s.local_date)::date AS week,
                        count(*) AS answers,
                        count(DISTINCT a.user_id) AS people,
                        avg(a.mood)::float8 AS average,
                        bool_or(s.anonymous_mood) AS anonymous
                 FROM standups s
                 JOIN answers a ON a.standup_id = s.id AND a.org_id = s.org_id AND a.mood IS NOT NULL
                 WHERE s.org_id = $1 AND s.team_id = $2 AND s.local_date BETWEEN $3 AND $4
                 GROUP BY 1
             )
             SELECT weeks.week,
                    coalesce(moods.answers, 0) AS answers,
                    CASE WHEN moods.anonymous AND moods.people < {min} THEN NULL
                         ELSE moods.average END AS average
             FROM weeks LEFT JOIN moods USING (week)
             ORDER BY weeks.week",
            min = schema::standup::ANONYMOUS_MOOD_MIN_PEOPLE
        ),
        org,
        team,
        (from, to),
    )
    .await
}

/// One week of a team's blockers.
#[derive(Clone, Debug, PartialEq, QueryableByName)]
pub struct BlockerWeek {
    /// The Monday of the week.
    #[diesel(sql_type = Date)]
    pub week: NaiveDate,
    /// Blockers opened that week.
    #[diesel(sql_type = BigInt)]
    pub opened: i64,
    /// Blockers resolved that week.
    #[diesel(sql_type = BigInt)]
    pub resolved: i64,
    /// The median days from opening to resolving of those resolved; `None` without any.
    #[diesel(sql_type = Nullable<diesel::sql_types::Double>)]
    pub median_days_to_resolve: Option<f64>,
}

/// Every week from the week of `from` to the week of `to` with the team's blockers
/// opened and resolved (by the date in the team's zone), oldest first.
pub async fn team_blocker_flow(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<BlockerWeek>, DbError> {
    weekly(
        conn,
        "zone AS (SELECT timezone FROM teams WHERE org_id = $1 AND id = $2),
         opened AS (
             SELECT date_trunc('week', (b.opened_at AT TIME ZONE zone.timezone)::date)::date AS week,
                    count(*) AS opened
             FROM blockers b, zone
             WHERE b.org_id = $1 AND b.team_id = $2
               AND (b.opened_at AT TIME ZONE zone.timezone)::date BETWEEN $3 AND $4
             GROUP BY 1
         ),
         resolved AS (
             SELECT date_trunc('week', (b.resolved_at AT TIME ZONE zone.timezone)::date)::date AS week,
                    count(*) AS resolved,
                    percentile_cont(0.5) WITHIN GROUP (
                        ORDER BY extract(epoch FROM b.resolved_at - b.opened_at)
                    ) / 86400.0 AS median_days
             FROM blockers b, zone
             WHERE b.org_id = $1 AND b.team_id = $2 AND b.status = 'RESOLVED'
               AND (b.resolved_at AT TIME ZONE zone.timezone)::date BETWEEN $3 AND $4
             GROUP BY 1
         )
         SELECT weeks.week,
                coalesce(opened.opened, 0) AS opened,
                coalesce(resolved.resolved, 0) AS resolved,
                resolved.median_days::float8 AS median_days_to_resolve
         FROM weeks
         LEFT JOIN opened USING (week)
         LEFT JOIN resolved USING (week)
         ORDER BY weeks.week",
        org,
        team,
        (from, to),
    )
    .await
}
