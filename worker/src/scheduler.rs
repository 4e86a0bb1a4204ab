//! The scheduler: opens due standups, sends reminders and closes standups at their
//! deadline.
//!
//! **One leader.** Every worker runs a scheduler task (unless `WORKER_SCHEDULER=0`), but
//! only the one holding the PostgreSQL session advisory lock [`LEADER_LOCK`] ticks. The
//! lock is taken with `pg_try_advisory_lock` on a dedicated connection (not a pooled one:
//! a session lock belongs to its connection) and held as long as that connection lives;
//! the others try again every [`STANDBY_RETRY`]. When the leader stops, crashes or loses
//! its connection, PostgreSQL releases the lock and another worker takes over on its
//! next try. The leader checks its connection on every tick, so a leader whose
//! connection died stops ticking before another one can start.
//!
//! Leadership is an optimisation, not what keeps the data right: every step is a
//! transaction whose guards make it idempotent, so even two schedulers ticking at once
//! (a partition, a stale leader) open each run once and send each job once:
//! - configs are locked with `FOR UPDATE SKIP LOCKED`; a run is inserted with
//!   `ON CONFLICT (config_id, scheduled_for) DO NOTHING`;
//! - a reminder is claimed by setting `reminded_at` where it is NULL, a close by setting
//!   `state = 'CLOSED'` where it is `OPEN`;
//! - the follow-up job is an outbox row written in the same transaction.
//!
//! **A tick** (every `SCHEDULER_TICK_MS`, at the instant the [`Clock`] says):
//! 1. every active config with `next_run_at <= now` opens its *latest* run at or before
//!    now ([`Schedule::latest_at_or_before`]: after downtime only the latest missed run
//!    opens, not a storm of stale ones), snapshotting its questions, participants,
//!    delivery and webhook URL; `next_run_at` becomes the first run after now, and a
//!    `notify_standup` job is enqueued, all in one transaction per [`BATCH`] configs
//!    (the 9:00 burst of 10,000 configs is 20 transactions);
//!    MEMBER_LOCAL_TIME configs open their run at its earliest ask with each
//!    participant's own ask, reminder and window times, and then each participant is
//!    asked and reminded when their own time comes (see `crate::local_time`);
//! 2. open standups whose `remind_at` has come are marked reminded and get a
//!    `remind_standup` job;
//! 3. open standups whose `closes_at` has come are closed and get a `compile_digest`
//!    job (which stores and sends the digest, then enqueues `deliver_webhook`).
//!
//! OPENED and CLOSED events are published after each commit, best-effort.
//!
//! [`Schedule::latest_at_or_before`]: schema::schedule::Schedule::latest_at_or_before

use crate::{
    clock::Clock,
    error::{Error, chain},
    local_time,
    metrics::Metrics,
    outbox::Relay,
};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use schema::{
    events::{StandupEvent, StandupEventKind},
    jobs::Job,
};
use schema_server::db::{
    self, DbError, DbPool, locks,
    standups::{self, NewStandup},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

/// The advisory lock key of the scheduler leader ("asyncstd" in ASCII).
pub const LEADER_LOCK: i64 = 0x6173_796e_6373_7464;
/// How often a standby scheduler tries to become the leader.
pub const STANDBY_RETRY: Duration = Duration::from_secs(2);
/// Configs (or reminders, or closes) handled per transaction.
pub const BATCH: i64 = 500;

/// What the scheduler needs.
#[derive(Clone)]
pub(crate) struct Scheduler {
    pub pool: DbPool,
    pub database_url: String,
    pub clock: Arc<dyn Clock>,
    pub tick: Duration,
    pub relay: Relay,
    pub metrics: Arc<Metrics>,
}

impl Scheduler {
    /// Competes for leadership and ticks while leading, until `stopped` turns true.
    pub(crate) async fn run(self, mut stopped: watch::Receiver<bool>) {
        let mut last_failure: Option<String> = None;
        loop {
            let led = self.lead(&mut stopped).await;
            self.metrics.set_scheduler_leader(false);
            match led {
                Ok(()) => return,
                Err(e) => {
                    let failure = chain(&e);
                    if last_failure.as_deref() != Some(failure.as_str()) {
                        tracing::warn!(error = %failure, "scheduler: lost or cannot reach PostgreSQL; retrying");
                        last_failure = Some(failure);
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(STANDBY_RETRY) => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
        }
    }

    /// Takes the leader lock (waiting while another process holds it) and ticks until
    /// shutdown (`Ok`) or until the lock connection fails (`Err`: leadership is lost).
    async fn lead(&self, stopped: &mut watch::Receiver<bool>) -> Result<(), Error> {
        let mut lock_conn = AsyncPgConnection::establish(&self.database_url)
            .await
            .map_err(DbError::from)?;
        loop {
            if locks::try_advisory_lock(&mut lock_conn, LEADER_LOCK).await? {
                break;
            }
            tokio::select! {
                () = tokio::time::sleep(STANDBY_RETRY) => {}
                _ = stopped.wait_for(|stop| *stop) => return Ok(()),
            }
        }
        tracing::info!("scheduler: leading");
        self.metrics.set_scheduler_leader(true);
        let mut ticker = tokio::time::interval(self.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = stopped.wait_for(|stop| *stop) => break,
            }
            // Still holding the lock? A dead connection has released it.
            db::ping(&mut lock_conn).await?;
            let now = self.clock.now();
            if let Err(e) = self.tick_once(now).await {
                tracing::warn!(error = %chain(&e), "scheduler tick failed; trying again next tick");
            }
        }
        // Closing the connection releases the lock; say so explicitly anyway.
        let _ = locks::unlock_all(&mut lock_conn).await;
        tracing::info!("scheduler: stopped leading");
        Ok(())
    }

    /// One tick at `now`: open, remind, close.
    ///
    /// # Errors
    /// The database; what committed before the error stays done.
    pub(crate) async fn tick_once(&self, now: DateTime<Utc>) -> Result<(), Error> {
        while self.open_due(now).await? >= BATCH as usize {}
        // MEMBER_LOCAL_TIME: each participant at their own ask and reminder time.
        while self.ask_members_due(now).await? >= BATCH as usize {}
        while self.remind_members_due(now).await? >= BATCH as usize {}
        while self.remind_due(now).await? >= BATCH as usize {}
        while self.close_due(now).await? >= BATCH as usize {}
        Ok(())
    }

    /// Opens the runs of up to [`BATCH`] due configs; returns how many configs it took.
    /// Set-based: a handful of statements per batch whatever its size.
    async fn open_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let mut conn = self.conn().await?;
        let (taken, opened) = conn
            .transaction::<_, Error, _>(async |tx| {
                let configs = standups::lock_due_configs(tx, now, BATCH).await?;
                let member = local_time::plan(tx, &configs, now).await?;
                let mut runs = member.runs.clone();
                let mut next = member.next.clone();
                for config in configs.iter().filter(|c| !member.configs.contains(&c.id)) {
                    let schedule = match standups::schedule_of(config) {
                        Ok(schedule) => schedule,
                        Err(e) => {
                            // Never written by the API; pause rather than retry forever.
                            tracing::error!(config = %config.id, error = %e, "unreadable schedule; config paused");
                            next.push((config.id, None));
                            continue;
                        }
                    };
                    if let Some(run) = schedule.latest_at_or_before(now) {
                        runs.push(
                            NewStandup::from_config(config, run)
                                .map_err(|e| Error::Schedule(e.to_string()))?,
                        );
                    }
                    next.push((config.id, schedule.next_after(now)));
                }
                // No run opens on one of its team's holidays; next_run_at still moves on.
                let runs = db::holidays::drop_holiday_runs(tx, runs).await?;
                let opened = standups::open_many(tx, &runs).await?;
                standups::set_next_runs(tx, &next).await?;
                local_time::record(tx, &member, &opened).await?;
                let jobs = opened
                    .iter()
                    .filter(|s| !member.asks_each(s.id))
                    .map(|s| {
                        schema_server::outbox::row(
                            Some(s.org_id),
                            Job::NotifyStandup {
                                standup_id: s.id.as_uuid(),
                            },
                            None,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                schema_server::outbox::enqueue_many(tx, &jobs).await?;
                Ok((configs.len(), opened))
            })
            .await?;
        if !opened.is_empty() {
            tracing::info!(opened = opened.len(), "scheduler: standups opened");
            self.metrics.standups_opened(opened.len());
            self.relay.wake();
            for s in &opened {
                self.relay
                    .publish_event(event(StandupEventKind::Opened, s, now));
            }
        }
        Ok(taken)
    }

    /// Claims up to [`BATCH`] due reminders; returns how many.
    async fn remind_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let mut conn = self.conn().await?;
        let due = conn
            .transaction::<_, Error, _>(async |tx| {
                let due = standups::claim_due_reminders(tx, now, BATCH as i32).await?;
                let jobs = due
                    .iter()
                    .map(|s| {
                        schema_server::outbox::row(
                            Some(s.org_id),
                            Job::RemindStandup {
                                standup_id: s.id.as_uuid(),
                            },
                            None,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                schema_server::outbox::enqueue_many(tx, &jobs).await?;
                Ok(due)
            })
            .await?;
        if !due.is_empty() {
            tracing::info!(reminded = due.len(), "scheduler: reminders due");
            self.metrics.standups_reminded(due.len());
            self.relay.wake();
        }
        Ok(due.len())
    }

    /// Closes up to [`BATCH`] standups past their deadline; returns how many.
    async fn close_due(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let mut conn = self.conn().await?;
        let closed = conn
            .transaction::<_, Error, _>(async |tx| {
                let closed = standups::close_due(tx, now, BATCH as i32).await?;
                let jobs = closed
                    .iter()
                    .map(|s| {
                        schema_server::outbox::row(
                            Some(s.org_id),
                            Job::CompileDigest {
                                standup_id: s.id.as_uuid(),
                            },
                            None,
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                schema_server::outbox::enqueue_many(tx, &jobs).await?;
                Ok(closed)
            })
            .await?;
        if !closed.is_empty() {
            tracing::info!(closed = closed.len(), "scheduler: standups closed");
            self.metrics.standups_closed(closed.len());
            self.relay.wake();
            for s in &closed {
                self.relay
                    .publish_event(event(StandupEventKind::Closed, s, now));
            }
        }
        Ok(closed.len())
    }

    pub(crate) async fn conn(&self) -> Result<schema_server::db::DbConn, Error> {
        Ok(self
            .pool
            .get()
            .await
            .map_err(|e| DbError::Pool(e.to_string()))?)
    }
}

/// One tick at `now` with no leader lock and no events: what a scheduler that wrongly
/// believes it leads would do. Tests run several at once to show the guards alone keep
/// every run, reminder and close single.
///
/// # Errors
/// The database.
pub async fn tick_without_leadership(pool: DbPool, now: DateTime<Utc>) -> Result<(), Error> {
    let (relay, _events_dropped) = Relay::new();
    Scheduler {
        pool,
        database_url: String::new(),
        clock: Arc::new(crate::clock::SystemClock),
        tick: Duration::from_secs(1),
        relay,
        metrics: Arc::new(Metrics::default()),
    }
    .tick_once(now)
    .await
}

fn event(kind: StandupEventKind, s: &standups::Transition, now: DateTime<Utc>) -> StandupEvent {
    StandupEvent {
        kind,
        org_id: s.org_id,
        team_id: s.team_id,
        standup_id: s.id,
        user_id: None,
        at: now,
    }
}
