use super::teams::{Team, team_id};
use crate::auth::AuthState;
use crate::service::insights::{self as service, Range};
use crate::service::organization::require_caller;
use async_graphql::{Context, ID, Object, Result, ResultExt, SimpleObject};
use schema_server::db::insights::{ParticipationWeek as WeekRow, ResponseTimeWeek as TimeRow};

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
        let state = ctx.data()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let range = Range::parse(&from, &to).extend()?;
        let weeks = service::team_participation(state, caller, team, range)
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
        let state = ctx.data()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let range = Range::parse(&from, &to).extend()?;
        let weeks = service::team_response_times(state, caller, team, range)
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
