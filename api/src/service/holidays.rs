//! Organization holiday calendars: named dates, made by hand or imported from an
//! iCalendar file ([`super::ics`]), assigned to teams. No standup of a team opens on one
//! of its holidays (the scheduler's `db::holidays::drop_holiday_runs`).
//!
//! Rules: any active member reads the calendars; OWNER and ADMIN create, change, import,
//! assign and delete them. Names are unique per organization (ignoring case), 1 to 100
//! characters; at most [`MAX_CALENDARS`] calendars and [`MAX_HOLIDAYS`] dates each. An
//! import is all or nothing: a malformed file is refused with the line named and
//! nothing is stored. Another organization's calendar or team answers NOT_FOUND.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::away::parse_day;
use crate::service::teams::{require_admin, require_member, team_not_found};
use crate::service::{audit, ics};
use crate::state::{AppState, RequestMeta};
use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use schema::ids::{OrganizationId, TeamId};
use schema::validation;
use schema_server::db::holidays::{self, Holiday, HolidayCalendar};
use schema_server::db::{AsyncPgConnection, teams};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// The most calendars an organization may have.
pub const MAX_CALENDARS: i64 = 50;
/// The most dates one calendar may hold.
pub const MAX_HOLIDAYS: i64 = 2000;
/// The most calendars one team may use.
pub const MAX_CALENDARS_PER_TEAM: usize = 10;

/// A calendar with its dates and the teams that use it.
#[derive(Clone, Debug)]
pub struct CalendarView {
    pub calendar: HolidayCalendar,
    pub holidays: Vec<Holiday>,
    pub teams: Vec<TeamId>,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct Imported {
    pub calendar: CalendarView,
    /// Dates read from the file (new or renamed).
    pub imported: usize,
    /// Timed (not all-day) events left out.
    pub ignored: usize,
}

/// Where `importHolidays` puts the dates: an existing calendar, or one with this name
/// (created when missing).
#[derive(Clone, Debug)]
enum ImportTarget {
    Calendar(Uuid),
    Named(String),
}

fn calendar_not_found() -> ApiError {
    ApiError::NotFound("holiday calendar not found".into())
}

fn name_conflict() -> ApiError {
    ApiError::Conflict {
        field: Some("name"),
        message: "name: another holiday calendar of this organization has this name".into(),
    }
}

fn holiday_name(raw: &str) -> ApiResult<String> {
    Ok(validation::validate_label("name", raw)?)
}

async fn view(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    calendars: Vec<HolidayCalendar>,
) -> ApiResult<Vec<CalendarView>> {
    let ids: Vec<Uuid> = calendars.iter().map(|c| c.id).collect();
    let mut days: HashMap<Uuid, Vec<Holiday>> = HashMap::new();
    for holiday in holidays::holidays_of(conn, org, &ids).await? {
        days.entry(holiday.calendar_id).or_default().push(holiday);
    }
    let mut teams: HashMap<Uuid, Vec<TeamId>> = HashMap::new();
    for (calendar, team) in holidays::teams_of_calendars(conn, org, &ids).await? {
        teams.entry(calendar).or_default().push(team);
    }
    Ok(calendars
        .into_iter()
        .map(|calendar| CalendarView {
            holidays: days.remove(&calendar.id).unwrap_or_default(),
            teams: teams.remove(&calendar.id).unwrap_or_default(),
            calendar,
        })
        .collect())
}

async fn view_one(
    conn: &mut AsyncPgConnection,
    calendar: HolidayCalendar,
) -> ApiResult<CalendarView> {
    let org = calendar.org_id;
    view(conn, org, vec![calendar])
        .await?
        .pop()
        .ok_or_else(calendar_not_found)
}

/// The organization's calendars by name. Any member.
#[tracing::instrument(skip_all)]
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<CalendarView>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    let calendars = holidays::list(&mut conn, caller.org).await?;
    view(&mut conn, caller.org, calendars).await
}

/// The calendars of `org`'s teams among `ids` (for `Team.holidayCalendars`; the parent
/// resolver checked the caller).
pub async fn of_teams(
    state: &AppState,
    org: OrganizationId,
    team: TeamId,
) -> ApiResult<Vec<CalendarView>> {
    let mut conn = state.db().await?;
    let ids: Vec<Uuid> = holidays::calendars_of_teams(&mut conn, org, &[team])
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let calendars = holidays::list(&mut conn, org)
        .await?
        .into_iter()
        .filter(|c| ids.contains(&c.id))
        .collect();
    view(&mut conn, org, calendars).await
}

async fn create_in(
    tx: &mut AsyncPgConnection,
    caller: &Caller,
    name: &str,
) -> ApiResult<HolidayCalendar> {
    // Serialises creation per organization, so the limit holds under races.
    teams::lock_organization(tx, caller.org).await?;
    if holidays::count(tx, caller.org).await? >= MAX_CALENDARS {
        return Err(ApiError::Conflict {
            field: None,
            message: format!(
                "an organization can have at most {MAX_CALENDARS} holiday calendars; delete one first"
            ),
        });
    }
    holidays::create(tx, caller.org, name, caller.user)
        .await?
        .ok_or_else(name_conflict)
}

async fn add_checked(
    tx: &mut AsyncPgConnection,
    org: OrganizationId,
    calendar: Uuid,
    days: &[(NaiveDate, String)],
) -> ApiResult<()> {
    holidays::add_holidays(tx, org, calendar, days).await?;
    if holidays::count_holidays(tx, calendar).await? > MAX_HOLIDAYS {
        return Err(ApiError::BadInput {
            field: None,
            message: format!("a holiday calendar holds at most {MAX_HOLIDAYS} dates"),
        });
    }
    Ok(())
}

/// Creates a calendar, with dates if given. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    name: &str,
    days: Vec<(String, String)>,
) -> ApiResult<CalendarView> {
    let name = holiday_name(name)?;
    if days.len() as i64 > MAX_HOLIDAYS {
        return Err(ApiError::BadInput {
            field: Some("holidays"),
            message: format!("holidays: at most {MAX_HOLIDAYS}"),
        });
    }
    let days = days
        .iter()
        .map(|(day, name)| Ok((parse_day("date", day)?, holiday_name(name)?)))
        .collect::<ApiResult<Vec<_>>>()?;
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let calendar = create_in(tx, caller, &name).await?;
        add_checked(tx, caller.org, calendar.id, &days).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "holiday_calendar.created",
            Some(("holiday_calendar", calendar.id.to_string())),
            json!({ "before": null, "after": { "name": calendar.name, "holidays": days.len() } }),
        )
        .await?;
        view_one(tx, calendar).await
    })
    .await
}

/// Adds (or renames) one date of a calendar. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn add(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    calendar: Uuid,
    date: &str,
    name: &str,
) -> ApiResult<CalendarView> {
    let day = parse_day("date", date)?;
    let name = holiday_name(name)?;
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let found = holidays::find_for_update(tx, caller.org, calendar)
            .await?
            .ok_or_else(calendar_not_found)?;
        add_checked(tx, caller.org, calendar, &[(day, name.clone())]).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "holiday_calendar.holiday_added",
            Some(("holiday_calendar", calendar.to_string())),
            json!({ "before": null, "after": { "date": day, "name": name } }),
        )
        .await?;
        view_one(tx, found).await
    })
    .await
}

/// Removes one date of a calendar. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn remove(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    calendar: Uuid,
    date: &str,
) -> ApiResult<CalendarView> {
    let day = parse_day("date", date)?;
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let found = holidays::find_for_update(tx, caller.org, calendar)
            .await?
            .ok_or_else(calendar_not_found)?;
        if !holidays::remove_holiday(tx, caller.org, calendar, day).await? {
            return Err(ApiError::NotFoundIn {
                field: "date",
                message: "date: this calendar has no holiday on this date".into(),
            });
        }
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "holiday_calendar.holiday_removed",
            Some(("holiday_calendar", calendar.to_string())),
            json!({ "before": { "date": day }, "after": null }),
        )
        .await?;
        view_one(tx, found).await
    })
    .await
}

/// Deletes a calendar with its dates; the teams using it lose it. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    calendar: Uuid,
) -> ApiResult<()> {
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let found = holidays::find_for_update(tx, caller.org, calendar)
            .await?
            .ok_or_else(calendar_not_found)?;
        let before = view_one(tx, found).await?;
        holidays::delete(tx, caller.org, calendar).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "holiday_calendar.deleted",
            Some(("holiday_calendar", calendar.to_string())),
            json!({
                "before": {
                    "name": before.calendar.name,
                    "holidays": before.holidays.len(),
                    "teams": before.teams,
                },
                "after": null,
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Imports the all-day events of an iCalendar file into calendar `calendar`, or the
/// one named `name` (created when missing); all or nothing. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn import(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    calendar: Option<Uuid>,
    name: Option<String>,
    ics_text: &str,
) -> ApiResult<Imported> {
    let parsed = ics::parse(ics_text).map_err(|e| ApiError::BadInput {
        field: Some("ics"),
        message: format!("ics: {e}"),
    })?;
    let target = match (calendar, name) {
        (Some(id), None) => ImportTarget::Calendar(id),
        (None, Some(name)) => ImportTarget::Named(holiday_name(&name)?),
        _ => {
            return Err(ApiError::BadInput {
                field: Some("calendarId"),
                message: "calendarId: give either calendarId or name".into(),
            });
        }
    };
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let calendar = match &target {
            ImportTarget::Calendar(id) => holidays::find_for_update(tx, caller.org, *id)
                .await?
                .ok_or_else(|| ApiError::NotFoundIn {
                    field: "calendarId",
                    message: "calendarId: no holiday calendar of this organization has this id"
                        .into(),
                })?,
            ImportTarget::Named(name) => {
                match holidays::find_by_name_for_update(tx, caller.org, name).await? {
                    Some(found) => found,
                    None => create_in(tx, caller, name).await?,
                }
            }
        };
        add_checked(tx, caller.org, calendar.id, &parsed.days).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "holiday_calendar.imported",
            Some(("holiday_calendar", calendar.id.to_string())),
            json!({
                "name": calendar.name,
                "imported": parsed.days.len(),
                "ignored": parsed.ignored,
            }),
        )
        .await?;
        Ok(Imported {
            calendar: view_one(tx, calendar).await?,
            imported: parsed.days.len(),
            ignored: parsed.ignored,
        })
    })
    .await
}

/// Sets the calendars a team uses (replacing the ones it had). OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn set_team_calendars(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    team: TeamId,
    mut calendars: Vec<Uuid>,
) -> ApiResult<Vec<CalendarView>> {
    calendars.sort_unstable();
    calendars.dedup();
    if calendars.len() > MAX_CALENDARS_PER_TEAM {
        return Err(ApiError::BadInput {
            field: Some("calendarIds"),
            message: format!("calendarIds: a team uses at most {MAX_CALENDARS_PER_TEAM}"),
        });
    }
    require_admin(state, caller, "manage holiday calendars").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        teams::find_for_update(tx, caller.org, team)
            .await?
            .ok_or_else(team_not_found)?;
        let found = holidays::existing(tx, caller.org, &calendars).await?;
        if found.len() != calendars.len() {
            return Err(ApiError::NotFoundIn {
                field: "calendarIds",
                message:
                    "calendarIds: no holiday calendar of this organization has one of these ids"
                        .into(),
            });
        }
        let before: Vec<Uuid> = holidays::calendars_of_teams(tx, caller.org, &[team])
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        holidays::set_team_calendars(tx, caller.org, team, &calendars).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "team.holiday_calendars_set",
            Some(("team", team.to_string())),
            json!({ "before": before, "after": calendars }),
        )
        .await?;
        let chosen = holidays::list(tx, caller.org)
            .await?
            .into_iter()
            .filter(|c| calendars.contains(&c.id))
            .collect();
        view(tx, caller.org, chosen).await
    })
    .await
}
