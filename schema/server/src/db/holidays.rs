//! Organization holiday calendars (`holiday_calendars`, their dates in `holidays`) and
//! the teams they apply to (`team_holiday_calendars`). No standup of a team opens on a
//! date of one of its calendars: the scheduler drops such runs with
//! [`drop_holiday_runs`] (nothing is recorded; the config's next run moves on), and the
//! per-member path asks [`is_team_holiday`] / [`team_holidays`].
//!
//! Every query a caller makes is filtered by the organization; the scheduler's (which
//! acts for every tenant) say so.

use super::DbError;
use super::standups::NewStandup;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Array, BigInt, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, TeamId, UserId};
use std::collections::HashSet;
use uuid::Uuid;

/// A holiday calendar.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct HolidayCalendar {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrganizationId,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub created_by: Option<UserId>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, org_id, name, created_by, created_at";

/// One named date of a calendar.
#[derive(Clone, Debug, PartialEq, Eq, QueryableByName)]
pub struct Holiday {
    #[diesel(sql_type = SqlUuid)]
    pub calendar_id: Uuid,
    #[diesel(sql_type = Date)]
    pub day: NaiveDate,
    #[diesel(sql_type = Text)]
    pub name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Creates a calendar; `None` when `org` has one with this name (ignoring case).
pub async fn create(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    name: &str,
    created_by: UserId,
) -> Result<Option<HolidayCalendar>, DbError> {
    Ok(diesel::sql_query(format!(
        "INSERT INTO holiday_calendars (id, org_id, name, created_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING
         RETURNING {COLUMNS}"
    ))
    .bind::<SqlUuid, _>(Uuid::new_v4())
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(name)
    .bind::<SqlUuid, _>(created_by)
    .get_result(conn)
    .await
    .optional()?)
}

/// How many calendars `org` has.
pub async fn count(conn: &mut AsyncPgConnection, org: OrganizationId) -> Result<i64, DbError> {
    let c: Count =
        diesel::sql_query("SELECT count(*) AS n FROM holiday_calendars WHERE org_id = $1")
            .bind::<SqlUuid, _>(org)
            .get_result(conn)
            .await?;
    Ok(c.n)
}

/// `org`'s calendars by name.
pub async fn list(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Vec<HolidayCalendar>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM holiday_calendars WHERE org_id = $1 ORDER BY lower(name), id"
    ))
    .bind::<SqlUuid, _>(org)
    .load(conn)
    .await?)
}

/// `org`'s calendar `id`, locked for the caller's transaction (changes to one calendar
/// serialise on it).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<HolidayCalendar>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM holiday_calendars WHERE org_id = $1 AND id = $2 FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(id)
    .get_result(conn)
    .await
    .optional()?)
}

/// `org`'s calendar named `name` (ignoring case), locked for the caller's transaction.
pub async fn find_by_name_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    name: &str,
) -> Result<Option<HolidayCalendar>, DbError> {
    Ok(diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM holiday_calendars WHERE org_id = $1 AND lower(name) = lower($2)
         FOR UPDATE"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<Text, _>(name)
    .get_result(conn)
    .await
    .optional()?)
}

/// Which of `ids` are calendars of `org`.
pub async fn existing(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<Vec<Uuid>, DbError> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    let found: Vec<Id> =
        diesel::sql_query("SELECT id FROM holiday_calendars WHERE org_id = $1 AND id = ANY($2)")
            .bind::<SqlUuid, _>(org)
            .bind::<Array<SqlUuid>, _>(ids)
            .load(conn)
            .await?;
    Ok(found.into_iter().map(|i| i.id).collect())
}

/// Deletes `org`'s calendar `id` with its dates and team assignments.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM holiday_calendars WHERE org_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The dates of `org`'s calendars among `ids`, by calendar and date.
pub async fn holidays_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[Uuid],
) -> Result<Vec<Holiday>, DbError> {
    Ok(diesel::sql_query(
        "SELECT calendar_id, day, name FROM holidays
         WHERE org_id = $1 AND calendar_id = ANY($2)
         ORDER BY calendar_id, day",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?)
}

/// How many dates calendar `id` has.
pub async fn count_holidays(conn: &mut AsyncPgConnection, id: Uuid) -> Result<i64, DbError> {
    let c: Count = diesel::sql_query("SELECT count(*) AS n FROM holidays WHERE calendar_id = $1")
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await?;
    Ok(c.n)
}

/// Adds dates to `org`'s calendar `calendar` in one statement; a date already there
/// takes the new name.
pub async fn add_holidays(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    calendar: Uuid,
    days: &[(NaiveDate, String)],
) -> Result<(), DbError> {
    if days.is_empty() {
        return Ok(());
    }
    let dates: Vec<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
    let names: Vec<&str> = days.iter().map(|(_, n)| n.as_str()).collect();
    diesel::sql_query(
        "INSERT INTO holidays (org_id, calendar_id, day, name)
         SELECT $1, $2, d.day, d.name FROM unnest($3::date[], $4::text[]) AS d (day, name)
         ON CONFLICT (calendar_id, day) DO UPDATE SET name = EXCLUDED.name",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(calendar)
    .bind::<Array<Date>, _>(&dates)
    .bind::<Array<Text>, _>(&names)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes `day` from `org`'s calendar `calendar`; false when it was not there.
pub async fn remove_holiday(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    calendar: Uuid,
    day: NaiveDate,
) -> Result<bool, DbError> {
    Ok(diesel::sql_query(
        "DELETE FROM holidays WHERE org_id = $1 AND calendar_id = $2 AND day = $3",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(calendar)
    .bind::<Date, _>(day)
    .execute(conn)
    .await?
        > 0)
}

/// Replaces the calendars of `org`'s team `team` with `calendars` (all of `org`).
pub async fn set_team_calendars(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    calendars: &[Uuid],
) -> Result<(), DbError> {
    diesel::sql_query("DELETE FROM team_holiday_calendars WHERE org_id = $1 AND team_id = $2")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(team)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "INSERT INTO team_holiday_calendars (org_id, team_id, calendar_id)
         SELECT $1, $2, c FROM unnest($3::uuid[]) AS c ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(team)
    .bind::<Array<SqlUuid>, _>(calendars)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(team, calendar)` for `org`'s teams among `teams`.
pub async fn calendars_of_teams(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    teams: &[TeamId],
) -> Result<Vec<(TeamId, Uuid)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        team_id: TeamId,
        #[diesel(sql_type = SqlUuid)]
        calendar_id: Uuid,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT t.team_id, t.calendar_id FROM team_holiday_calendars t
         JOIN holiday_calendars c ON c.org_id = t.org_id AND c.id = t.calendar_id
         WHERE t.org_id = $1 AND t.team_id = ANY($2)
         ORDER BY t.team_id, lower(c.name), c.id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Array<SqlUuid>, _>(teams)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.team_id, r.calendar_id))
        .collect())
}

/// `(calendar, team)` for `org`'s calendars among `calendars`.
pub async fn teams_of_calendars(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    calendars: &[Uuid],
) -> Result<Vec<(Uuid, TeamId)>, DbError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        calendar_id: Uuid,
        #[diesel(sql_type = SqlUuid)]
        team_id: TeamId,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT calendar_id, team_id FROM team_holiday_calendars
         WHERE org_id = $1 AND calendar_id = ANY($2)
         ORDER BY calendar_id, team_id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<Array<SqlUuid>, _>(calendars)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.calendar_id, r.team_id))
        .collect())
}

/// The name of the holiday `team` has on `date` in one of its calendars, if any (any
/// organization: the team id is enough).
pub async fn is_team_holiday(
    conn: &mut AsyncPgConnection,
    team: TeamId,
    date: NaiveDate,
) -> Result<Option<String>, DbError> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let found: Option<Name> = diesel::sql_query(
        "SELECT h.name FROM team_holiday_calendars t
         JOIN holidays h ON h.calendar_id = t.calendar_id AND h.org_id = t.org_id
         WHERE t.team_id = $1 AND h.day = $2
         ORDER BY h.name LIMIT 1",
    )
    .bind::<SqlUuid, _>(team)
    .bind::<Date, _>(date)
    .get_result(conn)
    .await
    .optional()?;
    Ok(found.map(|n| n.name))
}

/// Which of the `(team, date)` pairs fall on a holiday of the team, in one statement
/// whatever their number (any organization: the scheduler's).
pub async fn team_holidays(
    conn: &mut AsyncPgConnection,
    pairs: &[(TeamId, NaiveDate)],
) -> Result<HashSet<(TeamId, NaiveDate)>, DbError> {
    #[derive(QueryableByName)]
    struct Pair {
        #[diesel(sql_type = SqlUuid)]
        team_id: TeamId,
        #[diesel(sql_type = Date)]
        day: NaiveDate,
    }
    if pairs.is_empty() {
        return Ok(HashSet::new());
    }
    let teams: Vec<TeamId> = pairs.iter().map(|(t, _)| *t).collect();
    let days: Vec<NaiveDate> = pairs.iter().map(|(_, d)| *d).collect();
    let found: Vec<Pair> = diesel::sql_query(
        "SELECT DISTINCT r.team_id, r.day
         FROM unnest($1::uuid[], $2::date[]) AS r (team_id, day)
         JOIN team_holiday_calendars t ON t.team_id = r.team_id
         JOIN holidays h ON h.calendar_id = t.calendar_id AND h.day = r.day",
    )
    .bind::<Array<SqlUuid>, _>(&teams)
    .bind::<Array<Date>, _>(&days)
    .load(conn)
    .await?;
    Ok(found.into_iter().map(|p| (p.team_id, p.day)).collect())
}

/// The scheduler's filter: `runs` without those whose team has a holiday on the run's
/// local date (one statement). Those runs are not opened and leave no row.
pub async fn drop_holiday_runs(
    conn: &mut AsyncPgConnection,
    runs: Vec<NewStandup>,
) -> Result<Vec<NewStandup>, DbError> {
    let pairs: Vec<(TeamId, NaiveDate)> = runs.iter().map(|r| (r.team_id, r.local_date)).collect();
    let holidays = team_holidays(conn, &pairs).await?;
    if holidays.is_empty() {
        return Ok(runs);
    }
    let (kept, dropped): (Vec<_>, Vec<_>) = runs
        .into_iter()
        .partition(|r| !holidays.contains(&(r.team_id, r.local_date)));
    for run in &dropped {
        tracing::info!(config = ?run.config_id, team = %run.team_id, date = %run.local_date, "holiday: run not opened");
    }
    Ok(kept)
}
