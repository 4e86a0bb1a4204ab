//! Insights: a team's participation, times to answer, mood and blockers per week, and
//! each team's participation over a range for the organization's owners and admins.
//!
//! Rules: a team's insights are read by its members and by the organization's OWNER
//! and ADMIN (another member gets FORBIDDEN; another organization's team NOT_FOUND);
//! the organization overview by OWNER/ADMIN. A range is `from..=to` (dates,
//! `YYYY-MM-DD`, the runs' local dates), `from` not after `to`, at most
//! [`MAX_RANGE_DAYS`] days. The counting happens in PostgreSQL
//! ([`schema_server::db::insights`]).

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::away::parse_day;
use crate::service::teams::{require_admin, require_member, team_not_found};
use crate::state::AppState;
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use schema::ids::{OrganizationId, TeamId};
use schema_server::db::DbError;
use schema_server::db::insights::{self, TeamParticipation};
use schema_server::db::models::Team;
use schema_server::db::teams;
use std::collections::HashMap;

/// The longest range, in days: a year of weeks and the days to reach a Monday.
pub const MAX_RANGE_DAYS: i64 = 371;

/// A checked `from..=to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Range {
    /// `from` and `to` as given (`YYYY-MM-DD`).
    pub fn parse(from: &str, to: &str) -> ApiResult<Range> {
        let from = parse_day("from", from)?;
        let to = parse_day("to", to)?;
        if to < from {
            return Err(ApiError::BadInput {
                field: Some("to"),
                message: "to: must be on or after from".into(),
            });
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(ApiError::BadInput {
                field: Some("to"),
                message: format!("to: the range is at most {MAX_RANGE_DAYS} days"),
            });
        }
        Ok(Range { from, to })
    }
}

/// The team, when the caller may read its insights: a member of it or OWNER/ADMIN.
async fn readable_team(state: &AppState, caller: &Caller, id: TeamId) -> ApiResult<Team> {
    let role = require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let team = teams::find(&mut conn, caller.org, id)
        .await?
        .ok_or_else(team_not_found)?;
    if !role.is_admin()
        && teams::membership(&mut conn, caller.org, id, caller.user)
            .await?
            .is_none()
    {
        return Err(ApiError::Forbidden(
            "only the team's members and the organization's owners and admins can read its insights"
                .into(),
        ));
    }
    Ok(team)
}

/// One weekly chart of a team over the range, counted by `query` (one of
/// [`schema_server::db::insights`]'s team queries) once the caller may read the team.
#[tracing::instrument(skip_all)]
pub async fn team_weeks<T>(
    state: &AppState,
    caller: &Caller,
    team: TeamId,
    range: Range,
    query: impl AsyncFnOnce(
        &mut AsyncPgConnection,
        OrganizationId,
        TeamId,
        NaiveDate,
        NaiveDate,
    ) -> Result<Vec<T>, DbError>,
) -> ApiResult<Vec<T>> {
    readable_team(state, caller, team).await?;
    let mut conn = state.db().await?;
    Ok(query(&mut conn, caller.org, team, range.from, range.to).await?)
}

/// Every team of the organization (by name) with its participation over the range.
/// OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn organization_participation(
    state: &AppState,
    caller: &Caller,
    range: Range,
) -> ApiResult<Vec<(Team, TeamParticipation)>> {
    require_admin(state, caller, "read the organization's insights").await?;
    let mut conn = state.db().await?;
    let mut counts: HashMap<TeamId, TeamParticipation> =
        insights::organization_participation(&mut conn, caller.org, range.from, range.to)
            .await?
            .into_iter()
            .map(|row| (row.team_id, row))
            .collect();
    let teams = teams::list(&mut conn, caller.org).await?;
    Ok(teams
        .into_iter()
        .map(|team| {
            let row = counts.remove(&team.id).unwrap_or(TeamParticipation {
                team_id: team.id,
                asked: 0,
                answered: 0,
                skipped: 0,
            });
            (team, row)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_ordered_and_at_most_a_year_of_weeks() {
        let ok = Range::parse("2026-01-05", "2026-12-27").expect("a year");
        assert_eq!(ok.from, NaiveDate::from_ymd_opt(2026, 1, 5).expect("date"));
        for (from, to, field) in [
            ("2026-13-01", "2026-12-01", "from"),
            ("2026-01-01", "soon", "to"),
            ("2026-02-01", "2026-01-31", "to"),
            ("2025-01-01", "2026-01-31", "to"),
        ] {
            match Range::parse(from, to) {
                Err(ApiError::BadInput { field: Some(f), .. }) => assert_eq!(f, field),
                other => panic!("{from}..{to}: {other:?}"),
            }
        }
    }
}
