//! Standups and their participations: opening a run of a config, the reads behind the
//! standup pages (a standup, a person's standups, a team's history, participation stats),
//! a participant's answer or skip, and the state transitions the scheduler and the job
//! handlers make (remind, close, digest). The answers themselves are in
//! [`super::answers`]. Queries a caller makes on behalf of a user are filtered by the
//! organization; the scheduler's and the worker's (which act for every tenant) say so in
//! their names or documentation.
//!
//! Every state transition is one guarded `UPDATE … WHERE <state still allows it>
//! RETURNING`, so two schedulers, a retried job or a racing api request cannot make it
//! twice: the second one's update matches no row.

use super::DbError;
use super::models::{Participation, Standup, StandupConfig, StandupExtra, User};
use super::tables::{
    participations, standup_configs, standup_configs_extra, standups, standups_extra, users,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl,
    SelectableHelper,
    sql_types::{Integer, Timestamptz, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{DeliveryChannel, ParticipationState, StandupState};
use schema::ids::{OrganizationId, StandupConfigId, StandupId, TeamId, UserId};
use schema::schedule::{Schedule, ScheduleError, parse_time_of_day, parse_timezone};

/// A standup about to be opened: everything snapshotted from its config.
#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = standups)]
pub struct NewStandup {
    pub id: StandupId,
    pub org_id: OrganizationId,
    pub team_id: TeamId,
    pub config_id: Option<StandupConfigId>,
    pub name: String,
    pub scheduled_for: DateTime<Utc>,
    pub local_date: NaiveDate,
    pub timezone: String,
    pub closes_at: DateTime<Utc>,
    pub questions: serde_json::Value,
    pub delivery: Vec<DeliveryChannel>,
    pub webhook_url: Option<String>,
    pub close_when_all_answered: bool,
    /// Written apart (the column lives in [`standups_extra`]).
    #[diesel(skip_insertion)]
    pub remind_at: Option<DateTime<Utc>>,
}

impl NewStandup {
    /// The run of `config` scheduled for `run` (a scheduled run, or "now" for an ad-hoc
    /// one): closes `responseWindowMinutes` after `run`, reminds
    /// `reminderMinutesBefore` before closing (never when 0), dated in the config's zone.
    ///
    /// # Errors
    /// The stored schedule cannot be read (never for rows the API wrote).
    pub fn from_config(config: &StandupConfig, run: DateTime<Utc>) -> Result<Self, ScheduleError> {
        let schedule = schedule_of(config)?;
        let closes_at = run + Duration::minutes(i64::from(config.response_window_minutes));
        let remind_at = (config.reminder_minutes_before > 0)
            .then(|| closes_at - Duration::minutes(i64::from(config.reminder_minutes_before)));
        Ok(Self {
            id: StandupId(uuid::Uuid::new_v4()),
            org_id: config.org_id,
            team_id: config.team_id,
            config_id: Some(config.id),
            name: config.name.clone(),
            scheduled_for: run,
            local_date: schedule.local_date(run),
            timezone: config.timezone.clone(),
            closes_at,
            questions: config.questions.clone(),
            delivery: config.delivery.clone(),
            webhook_url: config.webhook_url.clone(),
            close_when_all_answered: config.close_when_all_answered,
            remind_at,
        })
    }
}

/// The schedule a stored config describes.
///
/// # Errors
/// The stored weekdays, time or zone cannot be read.
pub fn schedule_of(config: &StandupConfig) -> Result<Schedule, ScheduleError> {
    Schedule::from_parts(
        &config.weekdays,
        parse_time_of_day(&config.time_of_day)?,
        parse_timezone(&config.timezone)?,
    )
}

/// Opens `new` with one PENDING participation per participant of its config who is an
/// active member of the organization. Call it inside the caller's transaction (with the
/// outbox row of `notify_standup`), so the standup, its participations and its jobs
/// exist together or not at all.
///
/// `None` when this run of this config is already open (`INSERT … ON CONFLICT
/// (config_id, scheduled_for) DO NOTHING`): another scheduler or a retry opened it.
pub async fn open(
    conn: &mut AsyncPgConnection,
    new: &NewStandup,
) -> Result<Option<Standup>, DbError> {
    let Some(standup) = diesel::insert_into(standups::table)
        .values(new)
        .on_conflict((standups::config_id, standups::scheduled_for))
        .do_nothing()
        .returning(Standup::as_returning())
        .get_result(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    super::answer_links::snapshot_late_window(conn, &[new.id]).await?;
    if new.remind_at.is_some() {
        diesel::update(standups_extra::table.find(new.id))
            .set(standups_extra::remind_at.eq(new.remind_at))
            .execute(conn)
            .await?;
    }
    if let Some(config) = new.config_id {
        diesel::sql_query(
            "INSERT INTO participations (standup_id, user_id, org_id)
             SELECT $1, p.user_id, p.org_id
             FROM standup_config_participants p
             JOIN memberships m
               ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.status = 'ACTIVE'
             WHERE p.config_id = $2 AND p.org_id = $3
             ORDER BY p.user_id",
        )
        .bind::<SqlUuid, _>(new.id)
        .bind::<SqlUuid, _>(config)
        .bind::<SqlUuid, _>(new.org_id)
        .execute(conn)
        .await?;
        super::away::mark_out_of_office(conn, &[new.id]).await?;
    }
    Ok(Some(standup))
}

/// Opens many runs at once, in five statements whatever their number (the scheduler's
/// 9:00 burst): one `INSERT … SELECT FROM unnest(…) JOIN standup_configs … ON CONFLICT
/// (config_id, scheduled_for) DO NOTHING`, then the participations of the runs that were
/// inserted. Each run's name, timezone, questions, delivery, webhook URL and
/// close-when-all-answered are snapshotted from its config row (which the caller has
/// locked in this transaction); the rest (id, instant, local date, deadline, reminder)
/// comes from `runs`. Returns the runs that were inserted (not those already open).
pub async fn open_many(
    conn: &mut AsyncPgConnection,
    runs: &[NewStandup],
) -> Result<Vec<Transition>, DbError> {
    use diesel::sql_types::{Array, Date, Nullable};
    let runs: Vec<&NewStandup> = runs.iter().filter(|r| r.config_id.is_some()).collect();
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<StandupId> = runs.iter().map(|r| r.id).collect();
    let configs: Vec<Option<StandupConfigId>> = runs.iter().map(|r| r.config_id).collect();
    let scheduled: Vec<DateTime<Utc>> = runs.iter().map(|r| r.scheduled_for).collect();
    let dates: Vec<NaiveDate> = runs.iter().map(|r| r.local_date).collect();
    let closes: Vec<DateTime<Utc>> = runs.iter().map(|r| r.closes_at).collect();
    let reminds: Vec<Option<DateTime<Utc>>> = runs.iter().map(|r| r.remind_at).collect();
    let opened: Vec<Transition> = diesel::sql_query(
        "INSERT INTO standups (id, org_id, team_id, config_id, name, scheduled_for, local_date,
             timezone, closes_at, remind_at, questions, delivery, webhook_url,
             close_when_all_answered)
         SELECT r.id, c.org_id, c.team_id, c.id, c.name, r.scheduled_for, r.local_date,
             c.timezone, r.closes_at, r.remind_at, c.questions, c.delivery, c.webhook_url,
             c.close_when_all_answered
         FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::date[],
                     $5::timestamptz[], $6::timestamptz[])
             AS r (id, config_id, scheduled_for, local_date, closes_at, remind_at)
         JOIN standup_configs c ON c.id = r.config_id
         ORDER BY r.config_id
         ON CONFLICT (config_id, scheduled_for) DO NOTHING
         RETURNING id, org_id, team_id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<Nullable<SqlUuid>>, _>(&configs)
    .bind::<Array<Timestamptz>, _>(&scheduled)
    .bind::<Array<Date>, _>(&dates)
    .bind::<Array<Timestamptz>, _>(&closes)
    .bind::<Array<Nullable<Timestamptz>>, _>(&reminds)
    .load(conn)
    .await?;
    if opened.is_empty() {
        return Ok(opened);
    }
    let opened_ids: Vec<StandupId> = opened.iter().map(|t| t.id).collect();
    super::answer_links::snapshot_late_window(conn, &opened_ids).await?;
    diesel::sql_query(
        "INSERT INTO participations (standup_id, user_id, org_id)
         SELECT s.id, p.user_id, p.org_id
         FROM standups s
         JOIN standup_config_participants p ON p.config_id = s.config_id AND p.org_id = s.org_id
         JOIN memberships m
           ON m.org_id = p.org_id AND m.user_id = p.user_id AND m.status = 'ACTIVE'
         WHERE s.id = ANY($1)
         ORDER BY s.id, p.user_id",
    )
    .bind::<Array<SqlUuid>, _>(&opened_ids)
    .execute(conn)
    .await?;
    super::away::mark_out_of_office(conn, &opened_ids).await?;
    Ok(opened)
}

/// Sets many configs' next runs in one statement (`None` pauses a config).
pub async fn set_next_runs(
    conn: &mut AsyncPgConnection,
    next: &[(StandupConfigId, Option<DateTime<Utc>>)],
) -> Result<(), DbError> {
    use diesel::sql_types::{Array, Nullable};
    if next.is_empty() {
        return Ok(());
    }
    let ids: Vec<StandupConfigId> = next.iter().map(|(id, _)| *id).collect();
    let runs: Vec<Option<DateTime<Utc>>> = next.iter().map(|(_, run)| *run).collect();
    diesel::sql_query(
        "UPDATE standup_configs c SET next_run_at = n.next_run_at
         FROM unnest($1::uuid[], $2::timestamptz[]) AS n (id, next_run_at)
         WHERE c.id = n.id",
    )
    .bind::<Array<SqlUuid>, _>(&ids)
    .bind::<Array<Nullable<Timestamptz>>, _>(&runs)
    .execute(conn)
    .await?;
    Ok(())
}

/// `org`'s standup `id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupId,
) -> Result<Option<Standup>, DbError> {
    Ok(standups::table
        .filter(standups::org_id.eq(org))
        .filter(standups::id.eq(id))
        .select(Standup::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// `org`'s standup `id`, locked for the caller's transaction: answers, skips and closing
/// serialise on it, so "everyone has answered" is decided once.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupId,
) -> Result<Option<Standup>, DbError> {
    Ok(standups::table
        .filter(standups::org_id.eq(org))
        .filter(standups::id.eq(id))
        .select(Standup::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

/// Standup `id` of whichever organization: for the worker, whose jobs name a standup.
pub async fn find_any(
    conn: &mut AsyncPgConnection,
    id: StandupId,
) -> Result<Option<Standup>, DbError> {
    Ok(standups::table
        .find(id)
        .select(Standup::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Standup `id` of whichever organization, locked for the caller's transaction (the
/// digest and webhook jobs serialise on it).
pub async fn find_any_for_update(
    conn: &mut AsyncPgConnection,
    id: StandupId,
) -> Result<Option<Standup>, DbError> {
    Ok(standups::table
        .find(id)
        .select(Standup::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

/// The reminder and digest columns of `org`'s standups among `ids`.
pub async fn extras_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupId],
) -> Result<Vec<StandupExtra>, DbError> {
    Ok(standups_extra::table
        .filter(standups_extra::org_id.eq(org))
        .filter(standups_extra::id.eq_any(ids))
        .select(StandupExtra::as_select())
        .load(conn)
        .await?)
}

/// The participations of `org`'s standups among `ids` (any order), in one statement.
pub async fn participations_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupId],
) -> Result<Vec<Participation>, DbError> {
    Ok(participations::table
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq_any(ids))
        .order((participations::standup_id, participations::user_id))
        .select(Participation::as_select())
        .load(conn)
        .await?)
}

// --- Participants' answers and skips, and the standup pages' reads (filtered by the
// organization). ---

/// `user`'s participation in `org`'s standup `standup`.
pub async fn participation(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
) -> Result<Option<Participation>, DbError> {
    Ok(participations::table
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq(standup))
        .filter(participations::user_id.eq(user))
        .select(Participation::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Where a participant now stands.
#[derive(Clone, Debug)]
pub struct Response<'a> {
    pub state: ParticipationState,
    pub skip_reason: Option<&'a str>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub edited_at: Option<DateTime<Utc>>,
    /// When they first responded after the close (a late answer), if they did.
    pub late_at: Option<DateTime<Utc>>,
}

/// Records a participant's answer or skip.
pub async fn set_response(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    standup: StandupId,
    user: UserId,
    response: &Response<'_>,
) -> Result<Participation, DbError> {
    Ok(diesel::update(
        participations::table
            .filter(participations::org_id.eq(org))
            .filter(participations::standup_id.eq(standup))
            .filter(participations::user_id.eq(user)),
    )
    .set((
        participations::state.eq(response.state),
        participations::skip_reason.eq(response.skip_reason),
        participations::submitted_at.eq(response.submitted_at),
        participations::edited_at.eq(response.edited_at),
        participations::late_at.eq(response.late_at),
    ))
    .returning(Participation::as_returning())
    .get_result(conn)
    .await?)
}

/// The standups `user` takes part in, newest first, at most `limit`.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    state: Option<StandupState>,
    limit: i64,
) -> Result<Vec<Standup>, DbError> {
    let mut query = standups::table
        .inner_join(participations::table)
        .filter(standups::org_id.eq(org))
        .filter(participations::org_id.eq(org))
        .filter(participations::user_id.eq(user))
        .into_boxed();
    if let Some(state) = state {
        query = query.filter(standups::state.eq(state));
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .limit(limit)
        .select(Standup::as_select())
        .load(conn)
        .await?)
}

/// Narrows a team's history.
#[derive(Clone, Debug, Default)]
pub struct HistoryFilter {
    /// `scheduled_for >= from`.
    pub from: Option<DateTime<Utc>>,
    /// `scheduled_for < to`.
    pub to: Option<DateTime<Utc>>,
    /// Standups this user took part in.
    pub user: Option<UserId>,
}

/// `team`'s standups, newest first, after the cursor `(scheduled_for, id)`, at most
/// `limit`.
pub async fn list_for_team(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    filter: &HistoryFilter,
    after: Option<(DateTime<Utc>, StandupId)>,
    limit: i64,
) -> Result<Vec<Standup>, DbError> {
    let mut query = standups::table
        .filter(standups::org_id.eq(org))
        .filter(standups::team_id.eq(team))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(standups::scheduled_for.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(standups::scheduled_for.lt(to));
    }
    if let Some(user) = filter.user {
        query = query.filter(
            standups::id.eq_any(
                participations::table
                    .filter(participations::org_id.eq(org))
                    .filter(participations::user_id.eq(user))
                    .select(participations::standup_id),
            ),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            standups::scheduled_for
                .lt(at)
                .or(standups::scheduled_for.eq(at).and(standups::id.lt(id))),
        );
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .limit(limit)
        .select(Standup::as_select())
        .load(conn)
        .await?)
}

/// Every participation in `team`'s closed standups scheduled in `[from, to)`, with the
/// person, newest standup first (one statement).
pub async fn closed_participations(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<(User, ParticipationState)>, DbError> {
    let mut query = participations::table
        .inner_join(standups::table)
        .inner_join(users::table)
        .filter(participations::org_id.eq(org))
        .filter(standups::org_id.eq(org))
        .filter(standups::team_id.eq(team))
        .filter(standups::state.eq(StandupState::Closed))
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(standups::scheduled_for.ge(from));
    }
    if let Some(to) = to {
        query = query.filter(standups::scheduled_for.lt(to));
    }
    Ok(query
        .order((standups::scheduled_for.desc(), standups::id.desc()))
        .select((User::as_select(), participations::state))
        .load(conn)
        .await?)
}

/// The participants of `org`'s standups among `ids` with who they are, by name, in one
/// statement.
pub async fn participants_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[StandupId],
) -> Result<Vec<(Participation, User)>, DbError> {
    Ok(participations::table
        .inner_join(users::table)
        .filter(participations::org_id.eq(org))
        .filter(participations::standup_id.eq_any(ids))
        .order((users::name.asc(), users::id.asc()))
        .select((Participation::as_select(), User::as_select()))
        .load(conn)
        .await?)
}

// --- The scheduler's queries (across every organization). ---

/// Locks up to `limit` active configs due at `now` (`next_run_at <= now`), oldest due
/// first, skipping configs another scheduler transaction holds.
pub async fn lock_due_configs(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<StandupConfig>, DbError> {
    Ok(standup_configs::table
        .filter(standup_configs::active.eq(true))
        .filter(standup_configs::next_run_at.le(now))
        .order(standup_configs::next_run_at.asc())
        .limit(limit)
        .select(StandupConfig::as_select())
        .for_no_key_update()
        .skip_locked()
        .load(conn)
        .await?)
}

/// An open standup the scheduler just moved on (reminded or closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct Transition {
    #[diesel(sql_type = SqlUuid)]
    pub id: StandupId,
    #[diesel(sql_type = SqlUuid)]
    pub org_id: OrganizationId,
    #[diesel(sql_type = SqlUuid)]
    pub team_id: TeamId,
}

/// Marks up to `limit` open standups whose reminder is due at `now` as reminded and
/// returns them; the caller enqueues `remind_standup` for each in the same transaction.
/// A standup is returned at most once, ever (`reminded_at` guards it); one whose
/// deadline has passed too (after downtime) is not reminded, it is about to close.
pub async fn claim_due_reminders(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<Vec<Transition>, DbError> {
    Ok(diesel::sql_query(
        "UPDATE standups SET reminded_at = $1
         WHERE id IN (
             SELECT id FROM standups
             WHERE state = 'OPEN' AND remind_at <= $1 AND reminded_at IS NULL
               AND closes_at > $1
             ORDER BY remind_at
             LIMIT $2
             FOR NO KEY UPDATE SKIP LOCKED
         ) AND state = 'OPEN' AND reminded_at IS NULL
         RETURNING id, org_id, team_id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(limit)
    .load(conn)
    .await?)
}

/// Closes up to `limit` open standups whose deadline is at or before `now` and returns
/// them; the caller enqueues `compile_digest` for each in the same transaction. A
/// standup is closed at most once (`state = 'OPEN'` guards it).
pub async fn close_due(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    limit: i32,
) -> Result<Vec<Transition>, DbError> {
    Ok(diesel::sql_query(
        "UPDATE standups SET state = 'CLOSED', closed_at = $1
         WHERE id IN (
             SELECT id FROM standups
             WHERE state = 'OPEN' AND closes_at <= $1
             ORDER BY closes_at
             LIMIT $2
             FOR NO KEY UPDATE SKIP LOCKED
         ) AND state = 'OPEN'
         RETURNING id, org_id, team_id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Integer, _>(limit)
    .load(conn)
    .await?)
}

/// Closes `org`'s standup `id` now (closeStandup, or everyone answered); `None` when it
/// is not open (already closed, or not found). The caller enqueues `compile_digest` in
/// the same transaction when it gets the standup back.
pub async fn close(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: StandupId,
    now: DateTime<Utc>,
) -> Result<Option<Standup>, DbError> {
    Ok(diesel::update(
        standups::table
            .filter(standups::org_id.eq(org))
            .filter(standups::id.eq(id))
            .filter(standups::state.eq(StandupState::Open)),
    )
    .set((
        standups::state.eq(StandupState::Closed),
        standups::closed_at.eq(now),
    ))
    .returning(Standup::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// True when no participant of standup `id` is still PENDING (and it has at least one
/// participant): with `close_when_all_answered` the standup closes then.
pub async fn all_responded(conn: &mut AsyncPgConnection, id: StandupId) -> Result<bool, DbError> {
    let states: Vec<ParticipationState> = participations::table
        .filter(participations::standup_id.eq(id))
        .select(participations::state)
        .load(conn)
        .await?;
    Ok(!states.is_empty() && !states.contains(&ParticipationState::Pending))
}

// --- The job handlers' claims (across every organization; the job names the standup). ---

/// A participant whose membership of the standup's organization is ACTIVE: suspended
/// and removed people get no e-mail about the standup (`p` is the participation).
const ACTIVE_PARTICIPANT: &str = "EXISTS (SELECT 1 FROM memberships m
         WHERE m.org_id = p.org_id AND m.user_id = p.user_id AND m.status = 'ACTIVE')";

/// A participant whose turn to be asked has come: everyone of a TEAM_TIME standup; in a
/// MEMBER_LOCAL_TIME one those the scheduler claimed at their own ask time
/// ([`super::local_time::claim_due_asks`]).
const ASKED: &str = "(p.ask_at IS NULL OR p.ask_due_at IS NOT NULL)";

/// The same for reminders ([`super::local_time::claim_due_reminders`]).
const REMIND_DUE: &str = "(p.remind_at IS NULL OR p.remind_due_at IS NOT NULL)";

#[derive(diesel::QueryableByName)]
struct ClaimedUser {
    #[diesel(sql_type = SqlUuid)]
    user_id: UserId,
}

/// Claims the "standup is open" e-mail of every participant of `id` with an ACTIVE
/// membership not claimed yet (sets `notified_at`) and returns them; nobody
/// `OUT_OF_OFFICE` is asked. Inside the job's
/// transaction: a concurrent second job waits on the row locks and then claims nobody.
pub async fn claim_notifications(
    conn: &mut AsyncPgConnection,
    id: StandupId,
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, DbError> {
    let claimed: Vec<ClaimedUser> = diesel::sql_query(format!(
        "UPDATE participations p SET notified_at = $2
         WHERE p.standup_id = $1 AND p.notified_at IS NULL AND {ASKED}
           AND {ACTIVE_PARTICIPANT}
           AND p.state <> 'OUT_OF_OFFICE'
         RETURNING p.user_id"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    Ok(claimed.into_iter().map(|c| c.user_id).collect())
}

/// Standups `ids` of whichever organization (those that exist, any order), in one
/// statement: for the worker's batched `notify_standup`.
pub async fn find_many_any(
    conn: &mut AsyncPgConnection,
    ids: &[StandupId],
) -> Result<Vec<Standup>, DbError> {
    Ok(standups::table
        .filter(standups::id.eq_any(ids))
        .select(Standup::as_select())
        .load(conn)
        .await?)
}

/// [`claim_notifications`] for many standups in one statement: claims every participant
/// of `ids` not claimed yet and returns `(standup, user)`, ordered. The rows are locked
/// in that order first, so two claims over overlapping standups wait for each other
/// instead of deadlocking; the second one then claims nobody.
pub async fn claim_notifications_many(
    conn: &mut AsyncPgConnection,
    ids: &[StandupId],
    now: DateTime<Utc>,
) -> Result<Vec<(StandupId, UserId)>, DbError> {
    use diesel::sql_types::Array;
    #[derive(diesel::QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = SqlUuid)]
        standup_id: StandupId,
        #[diesel(sql_type = SqlUuid)]
        user_id: UserId,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let claimed: Vec<Claimed> = diesel::sql_query(format!(
        "WITH due AS (
             SELECT p.standup_id, p.user_id FROM participations p
             WHERE p.standup_id = ANY($1) AND p.notified_at IS NULL AND {ASKED}
               AND {ACTIVE_PARTICIPANT}
               AND p.state <> 'OUT_OF_OFFICE'
             ORDER BY p.standup_id, p.user_id
             FOR NO KEY UPDATE OF p
         )
         UPDATE participations p SET notified_at = $2
         FROM due
         WHERE p.standup_id = due.standup_id AND p.user_id = due.user_id
           AND p.notified_at IS NULL
         RETURNING p.standup_id, p.user_id"
    ))
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    let mut claimed: Vec<(StandupId, UserId)> = claimed
        .into_iter()
        .map(|c| (c.standup_id, c.user_id))
        .collect();
    claimed.sort_unstable_by_key(|(standup, user)| (standup.as_uuid(), user.as_uuid()));
    Ok(claimed)
}

/// Claims the reminder of every still PENDING participant of `id` with an ACTIVE
/// membership not reminded yet.
pub async fn claim_reminders(
    conn: &mut AsyncPgConnection,
    id: StandupId,
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, DbError> {
    let claimed: Vec<ClaimedUser> = diesel::sql_query(format!(
        "UPDATE participations p SET reminded_at = $2
         WHERE p.standup_id = $1 AND p.state = 'PENDING' AND p.reminded_at IS NULL
           AND {REMIND_DUE} AND {ACTIVE_PARTICIPANT}
         RETURNING p.user_id"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<Timestamptz, _>(now)
    .load(conn)
    .await?;
    Ok(claimed.into_iter().map(|c| c.user_id).collect())
}

/// Ends `user`'s PENDING participations in `org`'s OPEN standups (they were suspended or
/// removed): the rows go, so nobody reminds them and the digest does not count them as
/// missing. Their answers and skips stay. Returns the standups whose participation ended
/// (one per standup: a person has at most one participation in each).
pub async fn end_pending_participations(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Vec<StandupId>, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Ended {
        #[diesel(sql_type = SqlUuid)]
        standup_id: StandupId,
    }
    let ended: Vec<Ended> = diesel::sql_query(
        "DELETE FROM participations p
         USING standups s
         WHERE p.org_id = $1 AND p.user_id = $2 AND p.state = 'PENDING'
           AND s.org_id = p.org_id AND s.id = p.standup_id AND s.state = 'OPEN'
         RETURNING p.standup_id",
    )
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(user)
    .load(conn)
    .await?;
    Ok(ended.into_iter().map(|e| e.standup_id).collect())
}

/// The reminder and digest columns of standup `id` (any organization).
pub async fn extra_any(
    conn: &mut AsyncPgConnection,
    id: StandupId,
) -> Result<Option<StandupExtra>, DbError> {
    Ok(standups_extra::table
        .find(id)
        .select(StandupExtra::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Stores the compiled digest of standup `id`.
pub async fn set_digest(
    conn: &mut AsyncPgConnection,
    id: StandupId,
    digest: &serde_json::Value,
) -> Result<(), DbError> {
    diesel::update(standups_extra::table.find(id))
        .set(standups_extra::digest.eq(digest))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the digest webhook of standup `id` was accepted by the receiver.
pub async fn mark_digest_delivered(
    conn: &mut AsyncPgConnection,
    id: StandupId,
    at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(standups_extra::table.find(id))
        .set(standups_extra::digest_delivered_at.eq(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// The stored (sealed) webhook secrets of config `id` that sign at `now`: the current one
/// first, then the previous one while its overlap after a rotation lasts. Empty when the
/// config is gone or has no secret. Signing only; never shown.
pub async fn webhook_secrets(
    conn: &mut AsyncPgConnection,
    config: StandupConfigId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbError> {
    let row = standup_configs_extra::table
        .find(config)
        .select((
            standup_configs_extra::webhook_secret,
            standup_configs_extra::webhook_secret_previous,
            standup_configs_extra::webhook_secret_previous_until,
        ))
        .first::<(Option<String>, Option<String>, Option<DateTime<Utc>>)>(conn)
        .await
        .optional()?;
    let Some((Some(current), previous, until)) = row else {
        return Ok(Vec::new());
    };
    let mut secrets = vec![current];
    if let (Some(previous), Some(until)) = (previous, until)
        && until > now
    {
        secrets.push(previous);
    }
    Ok(secrets)
}
