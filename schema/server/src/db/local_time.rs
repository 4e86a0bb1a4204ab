//! Each person's own day: the queries behind MEMBER_LOCAL_TIME configs (ask each
//! participant at the time of day in their own zone) — a config's local-time settings,
//! its participants' zones and work days, the per-person ask, reminder and window times
//! of a run, and the scheduler's per-person claims. The scheduler's queries act for every
//! organization; the api's are filtered by the organization.
//!
//! The per-person claims scan only the rows still to do (partial indexes
//! `participations_ask_due_idx` and `participations_remind_due_idx`), so a tick's cost
//! does not grow with the participants not yet due.

use super::DbError;
use super::tables::{participation_times, standup_configs, standup_configs_local};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    ExpressionMethods, QueryDsl,
    sql_types::{Array, Integer, Nullable, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{AskAt, Weekday};
use schema::ids::{OrganizationId, StandupConfigId, StandupId, UserId};

/// A config's local-time settings.
#[derive(Clone, Debug, PartialEq, Eq, diesel::Queryable)]
pub struct LocalSettings {
    pub id: StandupConfigId,
    pub ask_at: AskAt,
    /// `HH:MM` in the config's zone: a MEMBER_LOCAL_TIME run closes then at the latest.
    pub digest_time: Option<String>,
    /// MEMBER_LOCAL_TIME: the team-local date `next_run_at` opens; `None` until planned.
    pub next_local_date: Option<NaiveDate>,
}

fn select() -> (
    standup_configs_local::id,
    standup_configs_local::ask_at,
    standup_configs_local::digest_time,
    standup_configs_local::next_local_date,
) {
    (
        standup_configs_local::id,
        standup_configs_local::ask_at,
        standup_configs_local::digest_time,
        standup_configs_local::next_local_date,
    )
}

/// The local-time settings of `org`'s configs among `ids` (any order).
pub async fn settings_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupConfigId],
) -> Result<Vec<LocalSettings>, DbError> {
    Ok(standup_configs_local::table
        .filter(standup_configs_local::org_id.eq(org))
        .filter(standup_configs_local::id.eq_any(ids))
        .select(select())
        .load(conn)
        .await?)
}

/// The MEMBER_LOCAL_TIME configs among `ids`, of whichever organization: for the
/// scheduler, which has them locked.
pub async fn member_local_any(
    conn: &mut AsyncPgConnection,
    ids: &[StandupConfigId],
) -> Result<Vec<LocalSettings>, DbError> {
    Ok(standup_configs_local::table
        .filter(standup_configs_local::id.eq_any(ids))
        .filter(standup_configs_local::ask_at.eq(AskAt::MemberLocalTime))
        .select(select())
        .load(conn)
        .await?)
}

/// Stores how `org`'s config `id` asks. A MEMBER_LOCAL_TIME config that is active gets
/// planned again on the scheduler's next tick (`next_run_at = now`, no planned date):
/// its runs depend on its participants' zones, which the scheduler reads.
pub async fn set_settings(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupConfigId,
    ask_at: AskAt,
    digest_time: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(
        standup_configs_local::table
            .filter(standup_configs_local::org_id.eq(org))
            .filter(standup_configs_local::id.eq(id)),
    )
    .set((
        standup_configs_local::ask_at.eq(ask_at),
        standup_configs_local::digest_time.eq(digest_time),
        standup_configs_local::next_local_date.eq(None::<NaiveDate>),
    ))
    .execute(conn)
    .await?;
    if ask_at == AskAt::MemberLocalTime {
        diesel::update(
            standup_configs::table
                .filter(standup_configs::org_id.eq(org))
                .filter(standup_configs::id.eq(id))
                .filter(standup_configs::active.eq(true)),
        )
        .set(standup_configs::next_run_at.eq(now))
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// `user` changed their zone or work days: every active MEMBER_LOCAL_TIME config they
/// take part in is planned again on the scheduler's next tick (its planned date is
/// kept, so a run is neither lost nor opened twice).
pub async fn replan_member_local_for(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> Result<usize, DbError> {
    Ok(diesel::sql_query(
        "UPDATE standup_configs c SET next_run_at = LEAST(c.next_run_at, now())
         WHERE c.ask_at = 'MEMBER_LOCAL_TIME' AND c.active
           AND c.id IN (SELECT p.config_id FROM standup_config_participants p
                        WHERE p.user_id = $1)",
    )
    .bind::<SqlUuid, _>(user)
    .execute(conn)
    .await?)
}

/// A participant of a config as MEMBER_LOCAL_TIME asks them.
#[derive(Clone, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct ParticipantDay {
    #[diesel(sql_type = SqlUuid)]
    pub config_id: StandupConfigId,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Nullable<diesel::sql_types::Text>)]
    pub timezone: Option<String>,
    #[diesel(sql_type = Array<diesel::sql_types::Text>)]
    pub work_days: Vec<Weekday>,
}

/// The participants of configs `ids` who are active members, with their zones and work
/// days, by config then user, in one statement (the scheduler; any organization).
pub async fn participant_days_any(
    conn: &mut AsyncPgConnection,
    ids: &[StandupConfigId],
) -> Result<Vec<ParticipantDay>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(diesel::sql_query(
        "SELECT p.config_id, p.user_id, u.timezone, u.work_days
         FROM standup_config_participants p
         JOIN memberships m
           ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.status = 'ACTIVE'
         JOIN users u ON u.id = p.user_id
         WHERE p.config_id = ANY($1)
         ORDER BY p.config_id, p.user_id",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?)
}

/// The team-local date of the latest run of each config among `ids` (configs without a
/// run left out): where planning a config afresh starts.
pub async fn last_local_dates_any(
    conn: &mut AsyncPgConnection,
    ids: &[StandupConfigId],
) -> Result<Vec<(StandupConfigId, NaiveDate)>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Last {
        #[diesel(sql_type = SqlUuid)]
        config_id: StandupConfigId,
        #[diesel(sql_type = diesel::sql_types::Date)]
        local_date: NaiveDate,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Last> = diesel::sql_query(
        "SELECT c.id AS config_id, s.local_date
         FROM unnest($1::uuid[]) AS c (id)
         CROSS JOIN LATERAL (
             SELECT local_date FROM standups
             WHERE config_id = c.id ORDER BY scheduled_for DESC LIMIT 1
         ) s",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.config_id, r.local_date))
        .collect())
}

/// Sets many configs' planned dates in one statement.
pub async fn set_next_local_dates(
    conn: &mut AsyncPgConnection,
    next: &[(StandupConfigId, Option<NaiveDate>)],
) -> Result<(), DbError> {
    if next.is_empty() {
        return Ok(());
    }
    let ids: Vec<StandupConfigId> = next.iter().map(|(id, _)| *id).collect();
    let dates: Vec<Option<NaiveDate>> = next.iter().map(|(_, date)| *date).collect();
    diesel::sql_query(
        "UPDATE standup_configs c SET next_local_date = n.next_local_date
         FROM unnest($1::uuid[], $2::date[]) AS n (id, next_local_date)
         WHERE c.id = n.id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<Nullable<diesel::sql_types::Date>>, _>(&dates)
    .execute(conn)
    .await?;
    Ok(())
}

/// One participant's times in a MEMBER_LOCAL_TIME run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonTimes {
    pub standup_id: StandupId,
    pub user_id: UserId,
    pub ask_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
    pub closes_at: DateTime<Utc>,
}

/// Stores the per-person times of just opened MEMBER_LOCAL_TIME runs `standups` and ends
/// the participations of those runs that have none (people not asked that day: their
/// work days leave it out), in two statements.
pub async fn set_person_times(
    conn: &mut AsyncPgConnection,
    standups: &[StandupId],
    times: &[PersonTimes],
) -> Result<(), DbError> {
    if standups.is_empty() {
        return Ok(());
    }
    let ids: Vec<StandupId> = times.iter().map(|t| t.standup_id).collect();
    let users: Vec<UserId> = times.iter().map(|t| t.user_id).collect();
    let asks: Vec<DateTime<Utc>> = times.iter().map(|t| t.ask_at).collect();
    let reminds: Vec<Option<DateTime<Utc>>> = times.iter().map(|t| t.remind_at).collect();
    let closes: Vec<DateTime<Utc>> = times.iter().map(|t| t.closes_at).collect();
    diesel::sql_query(
        "UPDATE participations p
         SET ask_at = t.ask_at, remind_at = t.remind_at, closes_at = t.closes_at
         FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[],
                     $5::timestamptz[]) AS t (standup_id, user_id, ask_at, remind_at, closes_at)
         WHERE p.standup_id = t.standup_id AND p.user_id = t.user_id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<SqlUuid>, _>(&users)
    .bind::<Array<Timestamptz>, _>(&asks)
    .bind::<Array<Nullable<Timestamptz>>, _>(&reminds)
    .bind::<Array<Timestamptz>, _>(&closes)
    .execute(conn)
    .await?;
    diesel::delete(
        participation_times::table
            .filter(participation_times::standup_id.eq_any(standups))
            .filter(participation_times::ask_at.is_null()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A standup with participants whose ask (or reminder) the scheduler just claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub standup_id: StandupId,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrganizationId,
    /// How many of its participants were claimed.
    #[diesel(sql_type = Integer)]
    pub people: i32,
}

/// Claims up to `limit` participants whose ask has come (`ask_at <= now`, not claimed
/// yet: sets `ask_due_at`) of open standups, and returns their standups; the caller
/// enqueues `notify_standup` for each in the same transaction, whose claim then takes
/// exactly the participants claimed here. Participants of closed standups are claimed
/// and dropped. Scans only unclaimed rows (`participations_ask_due_idx`).
pub async fn claim_due_asks(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<(usize, Vec<Claimed>), DbError> {
    claim_due(conn, "ask_at", "ask_due_at", now, limit).await
}

/// The same for reminders (`remind_at`, `remind_due_at`): the caller enqueues
/// `remind_standup` for each standup returned, whose claim then takes the PENDING
/// participants claimed here. A participant whose own window has ended too is claimed
/// and not reminded.
pub async fn claim_due_reminders(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<(usize, Vec<Claimed>), DbError> {
    claim_due(conn, "remind_at", "remind_due_at", now, limit).await
}

async fn claim_due(
    conn: &mut AsyncPgConnection,
    at: &str,
    due: &str,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<(usize, Vec<Claimed>), DbError> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        standup_id: StandupId,
        #[diesel(sql_type = SqlUuid)]
        org_id: OrganizationId,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        live: bool,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "WITH due AS (
             SELECT standup_id, user_id FROM participations
             WHERE {at} IS NOT NULL AND {due} IS NULL AND {at} <= $1
             ORDER BY {at}
             LIMIT $2
             FOR NO KEY UPDATE SKIP LOCKED
         )
         UPDATE participations p SET {due} = $1
         FROM due
         WHERE p.standup_id = due.standup_id AND p.user_id = due.user_id AND p.{due} IS NULL
         RETURNING p.standup_id, p.org_id,
             p.closes_at > $1 AND EXISTS (SELECT 1 FROM standups s
                 WHERE s.id = p.standup_id AND s.state = 'OPEN') AS live"
    ))
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(limit)
    .load(conn)
    .await?;
    let taken = rows.len();
    let mut claimed: Vec<Claimed> = Vec::new();
    for row in rows.into_iter().filter(|r| r.live) {
        match claimed.iter_mut().find(|c| c.standup_id == row.standup_id) {
            Some(c) => c.people += 1,
            None => claimed.push(Claimed {
                standup_id: row.standup_id,
                org_id: row.org_id,
                people: 1,
            }),
        }
    }
    Ok((taken, claimed))
}
