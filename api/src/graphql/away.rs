//! Out-of-office periods and holiday calendars.

use super::teams::{Team, team_id};
use super::types::User;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::away as away_service;
use crate::service::holidays as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::{Context, ID, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema::ids::UserId;
use schema_server::db::away::OutOfOffice;
use schema_server::db::holidays::Holiday as HolidayRow;
use schema_server::db::models;
use uuid::Uuid;

/// A time a member is away: not asked, not reminded, shown as "Out of office" in the
/// standups of those days and not counted in participation rates.
pub struct OutOfOfficePeriod(pub OutOfOffice, pub Option<models::User>);

#[Object]
impl OutOfOfficePeriod {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The member who is away.
    /// Null once they are no longer an active member.
    async fn user(&self) -> Option<User> {
        self.1.clone().map(Into::into)
    }

    /// First day away, YYYY-MM-DD.
    async fn first_day(&self) -> String {
        self.0.first_day.format("%Y-%m-%d").to_string()
    }

    /// Last day away (inclusive), YYYY-MM-DD.
    async fn last_day(&self) -> String {
        self.0.last_day.format("%Y-%m-%d").to_string()
    }

    /// Shown beside "Out of office" in standups and digests.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Whether the member set it themself (false: an owner or admin did).
    async fn set_by_self(&self) -> bool {
        self.0.created_by == Some(self.0.user_id)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One holiday of a calendar.
#[derive(SimpleObject, Clone, Debug)]
pub struct Holiday {
    /// YYYY-MM-DD.
    pub date: String,
    pub name: String,
}

impl From<HolidayRow> for Holiday {
    fn from(h: HolidayRow) -> Self {
        Self {
            date: h.day.format("%Y-%m-%d").to_string(),
            name: h.name,
        }
    }
}

/// A named set of dates on which the standups of the teams using it do not open.
pub struct HolidayCalendar(pub service::CalendarView);

#[Object]
impl HolidayCalendar {
    async fn id(&self) -> ID {
        ID(self.0.calendar.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.calendar.name
    }

    /// Its dates, in order.
    async fn holidays(&self) -> Vec<Holiday> {
        self.0.holidays.iter().cloned().map(Into::into).collect()
    }

    /// The ids of the teams that use it.
    async fn team_ids(&self) -> Vec<ID> {
        self.0.teams.iter().map(|t| ID(t.to_string())).collect()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.calendar.created_at
    }
}

/// What an import did.
#[derive(SimpleObject)]
pub struct HolidayImport {
    pub calendar: HolidayCalendar,
    /// Dates read from the file (added, or renamed when already there).
    pub imported: i32,
    /// Timed (not all-day) events left out.
    pub ignored: i32,
}

/// `setOutOfOffice`'s input.
#[derive(InputObject, Debug)]
pub struct SetOutOfOfficeInput {
    /// Someone else (OWNER/ADMIN only); the viewer when left out.
    pub user_id: Option<ID>,
    /// YYYY-MM-DD.
    pub first_day: String,
    /// YYYY-MM-DD, on or after `firstDay`, at most 366 days in all.
    pub last_day: String,
    /// At most 200 characters, one line.
    pub note: Option<String>,
}

/// One holiday to create.
#[derive(InputObject, Debug)]
pub struct HolidayInput {
    /// YYYY-MM-DD.
    pub date: String,
    /// 1 to 100 characters.
    pub name: String,
}

#[derive(InputObject, Debug)]
pub struct CreateHolidayCalendarInput {
    /// 1 to 100 characters, unique in the organization (ignoring case).
    pub name: String,
    /// At most 2000.
    pub holidays: Option<Vec<HolidayInput>>,
}

/// The all-day events of an iCalendar file into a calendar: `calendarId`, or `name`
/// (that calendar, created when missing).
#[derive(InputObject, Debug)]
pub struct ImportHolidaysInput {
    pub calendar_id: Option<ID>,
    pub name: Option<String>,
    /// The `.ics` file's text, at most 256 KB.
    pub ics: String,
}

fn member_id(id: &ID) -> Result<UserId> {
    id.parse::<UserId>()
        .map_err(|_| ApiError::NotFoundIn {
            field: "userId",
            message: "userId: no active member of this organization has this id".into(),
        })
        .extend()
}

fn calendar_id(field: &'static str, id: &ID) -> Result<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| ApiError::NotFoundIn {
            field,
            message: format!("{field}: no holiday calendar of this organization has this id"),
        })
        .extend()
}

fn period_id(id: &ID) -> Result<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| ApiError::NotFound("out-of-office period not found".into()))
        .extend()
}

#[derive(Default)]
pub struct AwayQuery;

#[Object]
impl AwayQuery {
    /// The current and upcoming out-of-office periods of a member (the viewer when
    /// `userId` is left out), earliest first. Any member.
    async fn out_of_office_periods(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> Result<Vec<OutOfOfficePeriod>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let user = user_id.as_ref().map(member_id).transpose()?;
        let periods = away_service::list(state, caller, user).await.extend()?;
        Ok(periods
            .into_iter()
            .map(|(period, user)| OutOfOfficePeriod(period, user))
            .collect())
    }

    /// The organization's holiday calendars, by name. Any member.
    async fn holiday_calendars(&self, ctx: &Context<'_>) -> Result<Vec<HolidayCalendar>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let calendars = service::list(state, caller).await.extend()?;
        Ok(calendars.into_iter().map(HolidayCalendar).collect())
    }
}

#[derive(Default)]
pub struct AwayMutation;

#[Object]
impl AwayMutation {
    /// Records an out-of-office period. For oneself; OWNER/ADMIN for anyone.
    async fn set_out_of_office(
        &self,
        ctx: &Context<'_>,
        input: SetOutOfOfficeInput,
    ) -> Result<OutOfOfficePeriod> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let user = input.user_id.as_ref().map(member_id).transpose()?;
        let period = away_service::set(
            state,
            meta,
            caller,
            away_service::NewPeriod {
                user,
                first_day: input.first_day,
                last_day: input.last_day,
                note: input.note,
            },
        )
        .await
        .extend()?;
        Ok(OutOfOfficePeriod(period.0, period.1))
    }

    /// Ends an out-of-office period early: its last day becomes yesterday; one that has
    /// not started is deleted (null). For oneself; OWNER/ADMIN for anyone.
    async fn end_out_of_office(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<OutOfOfficePeriod>> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = period_id(&id)?;
        Ok(away_service::end(state, meta, caller, id)
            .await
            .extend()?
            .map(|(period, user)| OutOfOfficePeriod(period, user)))
    }

    /// Creates a holiday calendar, with dates if given. OWNER/ADMIN.
    async fn create_holiday_calendar(
        &self,
        ctx: &Context<'_>,
        input: CreateHolidayCalendarInput,
    ) -> Result<HolidayCalendar> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let days = input
            .holidays
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.date, h.name))
            .collect();
        Ok(HolidayCalendar(
            service::create(state, meta, caller, &input.name, days)
                .await
                .extend()?,
        ))
    }

    /// Adds a holiday to a calendar (a date already there takes the new name).
    /// OWNER/ADMIN.
    async fn add_holiday(
        &self,
        ctx: &Context<'_>,
        calendar_id: ID,
        date: String,
        name: String,
    ) -> Result<HolidayCalendar> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = self::calendar_id("calendarId", &calendar_id)?;
        Ok(HolidayCalendar(
            service::add(state, meta, caller, id, &date, &name)
                .await
                .extend()?,
        ))
    }

    /// Removes a holiday from a calendar. OWNER/ADMIN.
    async fn remove_holiday(
        &self,
        ctx: &Context<'_>,
        calendar_id: ID,
        date: String,
    ) -> Result<HolidayCalendar> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = self::calendar_id("calendarId", &calendar_id)?;
        Ok(HolidayCalendar(
            service::remove(state, meta, caller, id, &date)
                .await
                .extend()?,
        ))
    }

    /// Deletes a holiday calendar; the teams using it lose it. OWNER/ADMIN.
    async fn delete_holiday_calendar(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = id
            .parse::<Uuid>()
            .map_err(|_| ApiError::NotFound("holiday calendar not found".into()))
            .extend()?;
        service::delete(state, meta, caller, id).await.extend()?;
        Ok(true)
    }

    /// Imports the all-day events of an iCalendar (.ics) file into a calendar, all or
    /// nothing: a malformed file is BAD_USER_INPUT naming the line. OWNER/ADMIN.
    async fn import_holidays(
        &self,
        ctx: &Context<'_>,
        input: ImportHolidaysInput,
    ) -> Result<HolidayImport> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let calendar = input
            .calendar_id
            .as_ref()
            .map(|id| calendar_id("calendarId", id))
            .transpose()?;
        let imported = service::import(state, meta, caller, calendar, input.name, &input.ics)
            .await
            .extend()?;
        Ok(HolidayImport {
            calendar: HolidayCalendar(imported.calendar),
            imported: imported.imported as i32,
            ignored: imported.ignored as i32,
        })
    }

    /// Sets the holiday calendars a team uses (replacing its list); none of its
    /// standups opens on their dates. OWNER/ADMIN.
    async fn set_team_holiday_calendars(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        calendar_ids: Vec<ID>,
    ) -> Result<Vec<HolidayCalendar>> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let ids = calendar_ids
            .iter()
            .map(|id| calendar_id("calendarIds", id))
            .collect::<Result<Vec<_>>>()?;
        let calendars = service::set_team_calendars(state, meta, caller, team, ids)
            .await
            .extend()?;
        Ok(calendars.into_iter().map(HolidayCalendar).collect())
    }
}

/// `Team.holidayCalendars`.
pub(super) async fn team_calendars(ctx: &Context<'_>, team: &Team) -> Result<Vec<HolidayCalendar>> {
    let state = ctx.data::<AppState>()?;
    let calendars = service::of_teams(state, team.0.org_id, team.0.id)
        .await
        .extend()?;
    Ok(calendars.into_iter().map(HolidayCalendar).collect())
}
