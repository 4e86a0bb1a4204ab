use super::teams::{Team, team_id};
use crate::auth::{AuthState, Caller};
use crate::service::insights::{self as service, Range};
use crate::service::organization::require_caller;
use crate::state::AppState;
use async_graphql::{Context, ID, Object, Result, ResultExt, SimpleObject};
use schema::ids::TeamId;
use schema_server::db::insights::{
    self as db, BlockerWeek as BlockerRow, MoodWeek as MoodRow, ParticipationWeek as WeekRow,
    ResponseTimeWeek as TimeRow,
};

/// `answered / asked`, `None` when nobody was asked.
fn rate(answered: i64, asked: i64) -> Option<f64> {
    (asked > 0).then(|| answered as f64 / asked as f64)
}

fn count(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One week of a team's participation.
#[derive(SimpleObject, Clone, Debug)]
pub struct ParticipationWeek {
    /// The Monday of the week (YYYY-MM-DD); runs count by their local date.
    pub week_start: String,
    /// Participants asked (everyone but those out of office).
    pub asked: i32,
    pub answered: i32,
    pub skipped: i32,
    /// `answered / asked` from 0 to 1; null when nobody was asked that week.
    pub rate: Option<f64>,
}

impl From<WeekRow> for ParticipationWeek {
    fn from(row: WeekRow) -> Self {
        Self {
            week_start: row.week.format("%Y-%m-%d").to_string(),
            asked: count(row.asked),
            answered: count(row.answered),
            skipped: count(row.skipped),
            rate: rate(row.answered, row.asked),
        }
    }
}

/// One week of a team's times from ask to answer.
#[derive(SimpleObject, Clone, Debug)]
pub struct ResponseTimeWeek {
    /// The Monday of the week (YYYY-MM-DD).
    pub week_start: String,
    /// Answers counted.
    pub answers: i32,
    /// The median minutes from being asked to answering; null without answers.
    pub median_minutes: Option<f64>,
}

impl From<TimeRow> for ResponseTimeWeek {
    fn from(row: TimeRow) -> Self {
        Self {
            week_start: row.week.format("%Y-%m-%d").to_string(),
            answers: count(row.answers),
            median_minutes: row.median_minutes,
        }
    }
}

/// One week of a team's moods (1 to 5).
#[derive(SimpleObject, Clone, Debug)]
pub struct MoodWeek {
    /// The Monday of the week (YYYY-MM-DD).
    pub week_start: String,
    /// Mood answers given that week.
    pub answers: i32,
    /// The average mood; null without answers, and for a week with an anonymous-mood
    /// standup when fewer than 3 people gave one.
    pub average: Option<f64>,
}

impl From<MoodRow> for MoodWeek {
    fn from(row: MoodRow) -> Self {
        Self {
            week_start: row.week.format("%Y-%m-%d").to_string(),
            answers: count(row.answers),
            average: row.average,
        }
    }
}

/// One week of a team's blockers, by the date in the team's zone.
#[derive(SimpleObject, Clone, Debug)]
pub struct BlockerWeek {
    /// The Monday of the week (YYYY-MM-DD).
    pub week_start: String,
    pub opened: i32,
    pub resolved: i32,
    /// The median days from opening to resolving of the blockers resolved that week;
    /// null when none was.
    pub median_days_to_resolve: Option<f64>,
}

impl From<BlockerRow> for BlockerWeek {
    fn from(row: BlockerRow) -> Self {
        Self {
            week_start: row.week.format("%Y-%m-%d").to_string(),
            opened: count(row.opened),
            resolved: count(row.resolved),
            median_days_to_resolve: row.median_days_to_resolve,
        }
    }
}

/// What every team chart is asked with: the checked team id and range.
fn team_args<'c>(
    ctx: &Context<'c>,
    team: &ID,
    from: &str,
    to: &str,
) -> Result<(&'c AppState, &'c Caller, TeamId, Range)> {
    let state = ctx.data()?;
    let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
    let team = self::team_id(team)?;
    let range = Range::parse(from, to).extend()?;
    Ok((state, caller, team, range))
}

/// A team's participation over a range.
#[derive(SimpleObject)]
pub struct TeamParticipation {
    pub team: Team,
    pub asked: i32,
    pub answered: i32,
    pub skipped: i32,
    /// `answered / asked` from 0 to 1; null when nobody was asked.
    pub rate: Option<f64>,
}

#[derive(Default)]
pub struct InsightsQuery;

#[Object]
impl InsightsQuery {
    /// The team's participation per week of `from..=to` (YYYY-MM-DD, at most 371 days),
    /// every week listed, oldest first. The team's members and OWNER/ADMIN.
    async fn team_weekly_participation(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        from: String,
        to: String,
    ) -> Result<Vec<ParticipationWeek>> {
        let (state, caller, team, range) = team_args(ctx, &team_id, &from, &to)?;
        let weeks = service::team_weeks(state, caller, team, range, db::team_participation)
            .await
            .extend()?;
        Ok(weeks.into_iter().map(Into::into).collect())
    }

    /// The team's median time from ask to answer per week of `from..=to`, every week
    /// listed, oldest first. The team's members and OWNER/ADMIN.
    async fn team_response_times(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        from: String,
        to: String,
    ) -> Result<Vec<ResponseTimeWeek>> {
        let (state, caller, team, range) = team_args(ctx, &team_id, &from, &to)?;
        let weeks = service::team_weeks(state, caller, team, range, db::team_response_times)
            .await
            .extend()?;
        Ok(weeks.into_iter().map(Into::into).collect())
    }

    /// The team's average mood per week of `from..=to`, every week listed, oldest first;
    /// with an anonymous-mood standup in a week, no average under 3 people. The team's
    /// members and OWNER/ADMIN.
    async fn team_mood_trend(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        from: String,
        to: String,
    ) -> Result<Vec<MoodWeek>> {
        let (state, caller, team, range) = team_args(ctx, &team_id, &from, &to)?;
        let weeks = service::team_weeks(state, caller, team, range, db::team_mood_trend)
            .await
            .extend()?;
        Ok(weeks.into_iter().map(Into::into).collect())
    }

    /// The team's blockers opened and resolved per week of `from..=to` (dates in the
    /// team's zone) with the median days to resolve, every week listed, oldest first.
    /// The team's members and OWNER/ADMIN.
    async fn team_blocker_flow(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        from: String,
        to: String,
    ) -> Result<Vec<BlockerWeek>> {
        let (state, caller, team, range) = team_args(ctx, &team_id, &from, &to)?;
        let weeks = service::team_weeks(state, caller, team, range, db::team_blocker_flow)
            .await
            .extend()?;
        Ok(weeks.into_iter().map(Into::into).collect())
    }

    /// Every team (by name) with its participation in runs dated `from..=to`. OWNER/ADMIN.
    async fn organization_participation(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
    ) -> Result<Vec<TeamParticipation>> {
        let state = ctx.data()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let range = Range::parse(&from, &to).extend()?;
        let teams = service::organization_participation(state, caller, range)
            .await
            .extend()?;
        Ok(teams
            .into_iter()
            .map(|(team, row)| TeamParticipation {
                team: Team(team),
                asked: count(row.asked),
                answered: count(row.answered),
                skipped: count(row.skipped),
                rate: rate(row.answered, row.asked),
            })
            .collect())
    }
}
