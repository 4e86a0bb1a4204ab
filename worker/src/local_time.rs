//! The scheduler's part of MEMBER_LOCAL_TIME configs: each participant is asked at the
//! config's time of day in their own zone (the config's when they set none), on their
//! own date D, when D's weekday is one of the config's weekdays and one of their work
//! days ([`Schedule::member_ask`]: the team runs' DST rules).
//!
//! **Opening.** One standup per config and team-local date D. A config's `next_run_at`
//! is the earliest ask of its next run and `next_local_date` that run's D. When it comes,
//! the run opens with every asked participant's own times, computed from their zone and
//! work days *at that moment* (a later change applies from the next run):
//! `ask_at`, `closes_at = ask_at + responseWindowMinutes` (cut at the standup's close),
//! `remind_at = closes_at - reminderMinutesBefore`. The standup closes when the last
//! window ends, or at `digestTime` on D in the config's zone when set (on D + 1 if that
//! is not after the first ask). People not asked that day have no participation. After
//! downtime only the latest run that has opened is opened, as for team-time runs.
//!
//! **Asking.** Each tick claims the participations whose `ask_at` has come
//! (`ask_due_at` set where NULL, [`BATCH`] at a time, an index scan over the unclaimed
//! rows only) and enqueues one `notify_standup` per standup in the same transaction; the
//! job's claim takes exactly the claimed people. Reminders likewise (`remind_at`,
//! `remind_due_at`, `remind_standup`). Slack DMs follow, since the Slack `open` and
//! `remind` steps post to the people the e-mail claims have taken.
//!
//! **Planning.** A config with no planned date (just created or changed, or its
//! participant changed zone) plans the first run whose earliest ask is ahead, after the
//! last run it opened.

use crate::error::Error;
use crate::scheduler::{BATCH, Scheduler};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use schema::ids::{StandupConfigId, StandupId};
use schema::jobs::Job;
use schema::schedule::{Member, Schedule, instant_on, parse_time_of_day, parse_timezone};
use schema_server::db::{
    local_time::{self, LocalSettings, PersonTimes},
    models::StandupConfig,
    standups::{self, NewStandup, Transition},
};
use std::collections::{HashMap, HashSet};

/// The MEMBER_LOCAL_TIME part of one batch of due configs.
#[derive(Default)]
pub(crate) struct MemberRuns {
    /// The configs this plan covers (the scheduler's own path skips them).
    pub configs: HashSet<StandupConfigId>,
    /// Runs to open.
    pub runs: Vec<NewStandup>,
    /// Every config's next opening (`None` pauses it).
    pub next: Vec<(StandupConfigId, Option<DateTime<Utc>>)>,
    next_dates: Vec<(StandupConfigId, Option<NaiveDate>)>,
    times: Vec<PersonTimes>,
}

/// Plans the MEMBER_LOCAL_TIME configs among `configs` (locked by the caller) at `now`.
///
/// # Errors
/// The database.
pub(crate) async fn plan(
    tx: &mut AsyncPgConnection,
    configs: &[StandupConfig],
    now: DateTime<Utc>,
) -> Result<MemberRuns, Error> {
    let ids: Vec<StandupConfigId> = configs.iter().map(|c| c.id).collect();
    let settings: HashMap<StandupConfigId, LocalSettings> = local_time::member_local_any(tx, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut plan = MemberRuns::default();
    if settings.is_empty() {
        return Ok(plan);
    }
    let local_ids: Vec<StandupConfigId> = settings.keys().copied().collect();
    let mut people: HashMap<StandupConfigId, Vec<(schema::ids::UserId, Member)>> = HashMap::new();
    for p in local_time::participant_days_any(tx, &local_ids).await? {
        let zone = p.timezone.as_deref().and_then(|z| parse_timezone(z).ok());
        people.entry(p.config_id).or_default().push((
            p.user_id,
            Member {
                zone,
                work_days: p.work_days,
            },
        ));
    }
    let unplanned: Vec<StandupConfigId> = settings
        .values()
        .filter(|s| s.next_local_date.is_none())
        .map(|s| s.id)
        .collect();
    let last: HashMap<StandupConfigId, NaiveDate> =
        local_time::last_local_dates_any(tx, &unplanned)
            .await?
            .into_iter()
            .collect();

    for config in configs {
        let Some(setting) = settings.get(&config.id) else {
            continue;
        };
        plan.configs.insert(config.id);
        let schedule = match standups::schedule_of(config) {
            Ok(schedule) => schedule,
            Err(e) => {
                tracing::error!(config = %config.id, error = %e, "unreadable schedule; config paused");
                plan.next.push((config.id, None));
                continue;
            }
        };
        let empty = Vec::new();
        let listed = people.get(&config.id).unwrap_or(&empty);
        let members: Vec<Member> = listed.iter().map(|(_, m)| m.clone()).collect();
        let from = match setting.next_local_date {
            Some(planned) => {
                if let Some((date, opens)) = schedule.latest_member_run(now, planned, &members) {
                    open_run(&mut plan, config, setting, &schedule, listed, date, opens)?;
                    date.succ_opt()
                } else {
                    Some(planned)
                }
            }
            None => last.get(&config.id).and_then(|d| d.succ_opt()),
        };
        match schedule.next_member_run(now, from, &members) {
            Some((date, opens)) => {
                plan.next.push((config.id, Some(opens)));
                plan.next_dates.push((config.id, Some(date)));
            }
            None => {
                // Nobody is asked in the dates looked at: look again tomorrow.
                plan.next.push((config.id, Some(now + Duration::days(1))));
                plan.next_dates.push((config.id, None));
            }
        }
    }
    Ok(plan)
}

/// Adds the run of `date` (opening at `opens`, its earliest ask) to `plan`.
fn open_run(
    plan: &mut MemberRuns,
    config: &StandupConfig,
    setting: &LocalSettings,
    schedule: &Schedule,
    people: &[(schema::ids::UserId, Member)],
    date: NaiveDate,
    opens: DateTime<Utc>,
) -> Result<(), Error> {
    let window = Duration::minutes(i64::from(config.response_window_minutes));
    let asks: Vec<(schema::ids::UserId, DateTime<Utc>)> = people
        .iter()
        .filter_map(|(user, member)| Some((*user, schedule.member_ask(date, member)?)))
        .collect();
    let last_window = asks.iter().map(|(_, ask)| *ask + window).max();
    let closes_at = match setting.digest_time.as_deref() {
        Some(digest) => digest_on(schedule, date, digest, opens)?,
        None => last_window.unwrap_or(opens + window),
    };
    let mut run =
        NewStandup::from_config(config, opens).map_err(|e| Error::Schedule(e.to_string()))?;
    run.local_date = date;
    run.closes_at = closes_at;
    run.remind_at = None;
    for (user, ask) in asks {
        let own_close = (ask + window).min(closes_at);
        let remind_at = (config.reminder_minutes_before > 0)
            .then(|| own_close - Duration::minutes(i64::from(config.reminder_minutes_before)));
        plan.times.push(PersonTimes {
            standup_id: run.id,
            user_id: user,
            ask_at: ask,
            remind_at,
            closes_at: own_close,
        });
    }
    plan.runs.push(run);
    Ok(())
}

/// `digest` (HH:MM) on `date` in the config's zone, or on the next date if that is not
/// after the run's first ask.
fn digest_on(
    schedule: &Schedule,
    date: NaiveDate,
    digest: &str,
    opens: DateTime<Utc>,
) -> Result<DateTime<Utc>, Error> {
    let time = parse_time_of_day(digest).map_err(|e| Error::Schedule(e.to_string()))?;
    let tz = schedule.timezone();
    let on = |d: NaiveDate| instant_on(&tz, d, time);
    [Some(date), date.succ_opt()]
        .into_iter()
        .flatten()
        .filter_map(on)
        .find(|at| *at > opens)
        .ok_or_else(|| Error::Schedule(format!("no digest time after {opens}")))
}

/// Stores what `plan` decided for the runs that were `opened` (the rest were open
/// already), in the caller's transaction.
///
/// # Errors
/// The database.
pub(crate) async fn record(
    tx: &mut AsyncPgConnection,
    plan: &MemberRuns,
    opened: &[Transition],
) -> Result<(), Error> {
    let opened_ids: HashSet<StandupId> = opened.iter().map(|t| t.id).collect();
    let mine: Vec<StandupId> = plan
        .runs
        .iter()
        .map(|r| r.id)
        .filter(|id| opened_ids.contains(id))
        .collect();
    let times: Vec<PersonTimes> = plan
        .times
        .iter()
        .filter(|t| opened_ids.contains(&t.standup_id))
        .copied()
        .collect();
    local_time::set_person_times(tx, &mine, &times).await?;
    local_time::set_next_local_dates(tx, &plan.next_dates).await?;
    Ok(())
}

impl MemberRuns {
    /// True when `id` is a run of this plan: its people are asked one by one, so no
    /// standup-wide `notify_standup` is enqueued when it opens.
    pub(crate) fn asks_each(&self, id: StandupId) -> bool {
        self.runs.iter().any(|r| r.id == id)
    }
}

impl Scheduler {
    /// Claims up to [`BATCH`] participants whose own ask has come and enqueues
    /// `notify_standup` for their standups; returns how many rows it took.
    pub(crate) async fn ask_members_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        self.claim_members(now, false).await
    }

    /// The same for the participants' own reminders (`remind_standup`).
    pub(crate) async fn remind_members_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        self.claim_members(now, true).await
    }

    async fn claim_members(&self, now: DateTime<Utc>, remind: bool) -> Result<usize, Error> {
        let mut conn = self.conn().await?;
        let (taken, people) = conn
            .transaction::<_, Error, _>(async |tx| {
                let (taken, claimed) = if remind {
                    local_time::claim_due_reminders(tx, now, BATCH as i32).await?
                } else {
                    local_time::claim_due_asks(tx, now, BATCH as i32).await?
                };
                let jobs = claimed
                    .iter()
                    .map(|c| {
                        let standup_id = c.standup_id.as_uuid();
                        let job = if remind {
                            Job::RemindStandup { standup_id }
                        } else {
                            Job::NotifyStandup { standup_id }
                        };
                        schema_server::outbox::row(Some(c.org_id), job, None)
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                schema_server::outbox::enqueue_many(tx, &jobs).await?;
                let people: usize = claimed.iter().map(|c| c.people as usize).sum();
                Ok((taken, people))
            })
            .await?;
        if people > 0 {
            tracing::info!(people, remind, "scheduler: members' own times due");
            self.relay.wake();
        }
        Ok(taken)
    }
}
