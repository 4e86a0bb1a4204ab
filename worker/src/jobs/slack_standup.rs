//! `slack_standup`: one step of a standup's Slack delivery (see [`SlackStep`]).
//!
//! What a step still has to post is derived from the database, minus what
//! `slack_messages` already records, so the job is idempotent without a transaction
//! around the Slack calls:
//! - `open`: a DM to each participant `notify_standup` claimed who is matched to a Slack
//!   user and has no `open` message yet (`conversations.open` once per person, its
//!   channel kept in `slack_users.dm_channel`, then `chat.postMessage`);
//! - `remind`: a reply (`thread_ts`) under the `open` DM of each participant still
//!   PENDING whom `remind_standup` claimed and who has no `remind` message yet;
//! - `close`: `chat.update` of each `open` DM not yet updated (`closed_state` NULL), to
//!   show answered, skipped or missed, without buttons;
//! - `digest`: the parts of the digest not yet posted to the config's channel, in order.
//!
//! The DMs of one standup are sent [`CONCURRENCY`] at a time; every post is recorded at
//! once on a pooled connection of its own (no connection is held while Slack answers),
//! so a failure later in the job never forgets a message already posted, and the next
//! delivery posts only what is missing. Then the first failure decides:
//! - Slack said `429` (or another job already learned that the workspace must wait): the
//!   workspace is held in the in-memory [`crate::notify::slack::Gate`] and the job is
//!   [`Error::Deferred`]: back to the retry ladder without using up an attempt, and
//!   without calling Slack until the wait is over. Other workspaces' jobs run meanwhile.
//! - the token is dead (`invalid_auth`, `token_revoked`, …): the workspace is forgotten
//!   (if it still has that token), audited (`slack.token_dead`), and the people the step
//!   could not reach get the e-mail instead (the standup-open or the reminder e-mail);
//! - anything else (5xx, unreachable, another refusal): [`Error::Slack`], retried along
//!   the ladder like any failure.
//!
//! When Slack is off in this worker or the organization's workspace is gone, `open` and
//! `remind` e-mail the people they would have DM'd; `close` and `digest` do nothing.
//! These e-mails are sent in a transaction that records the job id (`processed_jobs`), as
//! every e-mail job does.

use super::{
    JobContext, Outcome,
    compile_digest::digest_input,
    notify_standup, remind_standup,
    standup_mail::{prompts, standup_url, team_name, when},
};
use crate::{
    error::Error,
    notify::slack::{ClosedAs, StandupDm, digest_messages},
};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use futures_util::{StreamExt, stream};
use schema::{
    digest::Digest,
    enums::{DeliveryChannel, ParticipationState, StandupState},
    ids::{StandupId, UserId},
    jobs::{Job, JobEnvelope, SlackStep},
};
use schema_server::{
    db::{
        DbConn, DbError, audit, jobs as processed,
        models::{NewAuditEvent, Standup},
        slack::{self as slack_db, MessageKind, SlackMessage, SlackParticipant, SlackWorkspace},
        standup_configs, standups,
    },
    outbox,
    slack::{SlackClient, SlackError},
};
use serde_json::Value;
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

const KIND: &str = "slack_standup";

/// DMs of one standup in flight at once.
pub const CONCURRENCY: usize = 8;

/// The audit action written when Slack says the bot token is dead.
pub const TOKEN_DEAD: &str = "slack.token_dead";

/// Which participants of `standups` a Slack step reaches instead of an e-mail, as
/// `(standup, user)`: none when Slack is off in this worker, else those of the standups
/// with SLACK_DM delivery who are matched to a Slack user in an organization whose
/// workspace is connected (with `with_open_dm`, only those already DM'd at the open).
/// One query for all the standups.
pub(super) async fn routed_to_slack(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    standups: &[&Standup],
    with_open_dm: bool,
) -> Result<HashSet<(StandupId, UserId)>, Error> {
    if ctx.slack.is_none() {
        return Ok(HashSet::new());
    }
    let ids: Vec<StandupId> = standups
        .iter()
        .filter(|standup| standup.delivery.contains(&DeliveryChannel::SlackDm))
        .map(|standup| standup.id)
        .collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(slack_db::reachable_participants(tx, &ids, with_open_dm)
        .await?
        .into_iter()
        .collect())
}

/// Enqueues step `step` for each standup, in the caller's transaction, carrying the
/// trace id of the job that causes it.
pub(super) async fn enqueue(
    tx: &mut AsyncPgConnection,
    jobs: &[(&Standup, &JobEnvelope)],
    step: SlackStep,
) -> Result<(), Error> {
    let rows = jobs
        .iter()
        .map(|(standup, envelope)| {
            outbox::row(
                Some(standup.org_id),
                Job::SlackStandup {
                    standup_id: standup.id.as_uuid(),
                    step,
                },
                envelope.trace_id.as_deref(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    outbox::enqueue_many(tx, &rows).await?;
    Ok(())
}

/// One message to post or update.
#[derive(Debug, Clone)]
enum Task {
    /// A DM (`open`) or a reply under it (`remind`); `channel` is `None` until the DM
    /// channel is opened.
    Dm {
        user: UserId,
        slack_user: String,
        channel: Option<String>,
        kind: MessageKind,
        thread_ts: Option<String>,
        message: Value,
    },
    /// The `open` DM, updated at the close.
    Update {
        user: UserId,
        channel: String,
        ts: String,
        state: ClosedAs,
        message: Value,
    },
}

/// Runs one step; see the module documentation. Runs outside the dispatcher's
/// transaction (see [`super::dispatch`]).
pub(super) async fn run(
    ctx: &JobContext,
    envelope: &JobEnvelope,
    id: StandupId,
    step: SlackStep,
) -> Result<Outcome, Error> {
    let mut conn = connection(ctx).await?;
    let Some(standup) = standups::find_any(&mut conn, id).await? else {
        return Ok(Outcome::Done);
    };
    let workspace = match ctx.slack {
        Some(_) => slack_db::find_workspace(&mut conn, standup.org_id).await?,
        None => None,
    };
    let (Some(client), Some(workspace)) = (ctx.slack.as_ref(), workspace) else {
        tracing::info!(standup = %id, ?step, "no Slack workspace (or Slack off); falling back to e-mail");
        return fall_back(ctx, &mut conn, envelope, &standup, step).await;
    };
    if let Some(wait) = ctx.slack_gate.wait(&workspace.team_id) {
        return Err(deferred(wait, &workspace));
    }
    let token = schema_server::slack::bot_token(&ctx.secrets, &workspace)
        .map_err(|e| Error::SlackToken(format!("organization {}: {e}", standup.org_id)))?;
    let slack = Slack {
        ctx,
        client,
        token: &token,
        workspace: &workspace,
        standup: &standup,
    };
    let result = match step {
        SlackStep::Open | SlackStep::Remind | SlackStep::Close => {
            let tasks = slack.dm_tasks(&mut conn, step).await?;
            // No connection is held while Slack answers.
            drop(conn);
            slack.send_all(tasks).await
        }
        SlackStep::Digest => {
            let parts = slack.digest_parts(&mut conn).await?;
            drop(conn);
            slack.post_digest(parts).await
        }
    };
    match result {
        Ok(()) => Ok(Outcome::Done),
        Err(Error::Slack(e)) if e.token_is_dead() => {
            tracing::warn!(standup = %id, team = %workspace.team_id, error = %e, "the Slack token is dead; disconnecting and falling back to e-mail");
            let mut conn = connection(ctx).await?;
            disconnect(ctx, &mut conn, envelope, &standup, &workspace, &e).await
        }
        Err(Error::Slack(SlackError::RateLimited { .. })) => Err(deferred(
            ctx.slack_gate
                .wait(&workspace.team_id)
                .unwrap_or(Duration::from_secs(1)),
            &workspace,
        )),
        Err(e) => Err(e),
    }
}

fn deferred(wait: Duration, workspace: &SlackWorkspace) -> Error {
    Error::Deferred {
        retry_after: wait,
        reason: format!("Slack rate-limits workspace {}", workspace.team_id),
    }
}

async fn connection(ctx: &JobContext) -> Result<DbConn, Error> {
    Ok(ctx
        .pool
        .get()
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?)
}

/// What one job's calls share.
struct Slack<'a> {
    ctx: &'a JobContext,
    client: &'a SlackClient,
    token: &'a str,
    workspace: &'a SlackWorkspace,
    standup: &'a Standup,
}

impl Slack<'_> {
    /// The DM posts or updates step `step` still has to make.
    async fn dm_tasks(
        &self,
        conn: &mut AsyncPgConnection,
        step: SlackStep,
    ) -> Result<Vec<Task>, Error> {
        let standup = self.standup;
        let team = team_name(conn, standup.team_id).await?;
        let prompts = prompts(standup);
        let date = standup.local_date.to_string();
        let closes = when(standup.closes_at, &standup.timezone);
        let link = standup_url(&self.ctx.public_url, standup.id);
        let dm = StandupDm {
            standup_id: standup.id,
            name: &standup.name,
            team: &team,
            date: &date,
            prompts: &prompts,
            closes_at: standup.closes_at,
            closes_fallback: &closes,
            link: &link,
        };
        Ok(match step {
            SlackStep::Open => open_targets(conn, standup)
                .await?
                .into_iter()
                .map(|p| Task::Dm {
                    user: p.user.user_id,
                    slack_user: p.user.slack_user_id,
                    channel: p.user.dm_channel,
                    kind: MessageKind::Open,
                    thread_ts: None,
                    message: dm.open(),
                })
                .collect(),
            SlackStep::Remind => remind_targets(conn, standup)
                .await?
                .into_iter()
                .map(|(p, opened)| Task::Dm {
                    user: p.user.user_id,
                    slack_user: p.user.slack_user_id,
                    channel: Some(opened.channel),
                    kind: MessageKind::Remind,
                    thread_ts: Some(opened.ts),
                    message: dm.reminder(),
                })
                .collect(),
            SlackStep::Close => {
                let states: HashMap<UserId, ParticipationState> =
                    standups::participations_of(conn, standup.org_id, &[standup.id])
                        .await?
                        .into_iter()
                        .map(|p| (p.user_id, p.state))
                        .collect();
                slack_db::messages(conn, standup.id, MessageKind::Open)
                    .await?
                    .into_iter()
                    .filter(|m| m.closed_state.is_none())
                    .filter_map(|m| {
                        let user = m.user_id?;
                        let state = ClosedAs::of(
                            states
                                .get(&user)
                                .copied()
                                .unwrap_or(ParticipationState::Pending),
                        );
                        Some(Task::Update {
                            user,
                            channel: m.channel,
                            ts: m.ts,
                            state,
                            message: dm.closed(state),
                        })
                    })
                    .collect()
            }
            SlackStep::Digest => Vec::new(),
        })
    }

    /// Sends every task, [`CONCURRENCY`] at a time; the first failure, once all ended.
    async fn send_all(&self, tasks: Vec<Task>) -> Result<(), Error> {
        let results: Vec<Result<(), Error>> = stream::iter(tasks)
            .map(|task| self.send(task))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        first_failure(results)
    }

    async fn send(&self, task: Task) -> Result<(), Error> {
        match task {
            Task::Dm {
                user,
                slack_user,
                channel,
                kind,
                thread_ts,
                mut message,
            } => {
                let channel = match channel {
                    Some(channel) => channel,
                    None => {
                        let channel = self
                            .call(self.client.conversations_open(self.token, &slack_user))
                            .await?;
                        let mut conn = connection(self.ctx).await?;
                        slack_db::set_dm_channel(&mut conn, self.standup.org_id, user, &channel)
                            .await?;
                        channel
                    }
                };
                if let Some(thread_ts) = thread_ts {
                    message["thread_ts"] = thread_ts.into();
                }
                self.post(kind, Some(user), 0, &channel, &message).await
            }
            Task::Update {
                user,
                channel,
                ts,
                state,
                message,
            } => {
                self.call(self.client.chat_update(self.token, &channel, &ts, &message))
                    .await?;
                let mut conn = connection(self.ctx).await?;
                slack_db::set_closed_state(&mut conn, self.standup.id, user, state.as_str())
                    .await?;
                Ok(())
            }
        }
    }

    /// Runs one Slack call unless the workspace must wait; a `429` holds the workspace.
    async fn call<T>(&self, call: impl Future<Output = Result<T, SlackError>>) -> Result<T, Error> {
        let team = &self.workspace.team_id;
        if let Some(wait) = self.ctx.slack_gate.wait(team) {
            return Err(deferred(wait, self.workspace));
        }
        match call.await {
            Ok(value) => Ok(value),
            Err(SlackError::RateLimited { retry_after_secs }) => {
                self.ctx
                    .slack_gate
                    .hold(team, Duration::from_secs(retry_after_secs.max(1)));
                Err(SlackError::RateLimited { retry_after_secs }.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Posts `message` to `channel` and records it at once, on a connection of its own.
    async fn post(
        &self,
        kind: MessageKind,
        user: Option<UserId>,
        part: i32,
        channel: &str,
        message: &Value,
    ) -> Result<(), Error> {
        let ts = self
            .call(self.client.chat_post_message(self.token, channel, message))
            .await?;
        let posted = SlackMessage {
            standup_id: self.standup.id,
            kind: kind.as_str().to_owned(),
            user_id: user,
            part,
            channel: channel.to_owned(),
            ts,
            closed_state: None,
        };
        let mut conn = connection(self.ctx).await?;
        slack_db::record_messages(&mut conn, &[posted]).await?;
        Ok(())
    }

    /// The digest's parts not posted yet, with the channel: nothing when the config has
    /// no channel (any more) or the digest is not compiled.
    async fn digest_parts(
        &self,
        conn: &mut AsyncPgConnection,
    ) -> Result<Option<(String, Vec<(i32, Value)>)>, Error> {
        let standup = self.standup;
        let Some(config) = standup.config_id else {
            return Ok(None);
        };
        let Some((_, channel, _)) =
            standup_configs::slack_channels(conn, standup.org_id, &[config])
                .await?
                .into_iter()
                .next()
        else {
            return Ok(None);
        };
        let Some(stored) = standups::extra_any(conn, standup.id)
            .await?
            .and_then(|extra| extra.digest)
        else {
            return Ok(None);
        };
        let compiled: Digest = serde_json::from_value(stored)
            .map_err(|e| Error::Schedule(format!("standup {}: stored digest: {e}", standup.id)))?;
        let input = digest_input(self.ctx, conn, standup).await?;
        let posted: HashSet<i32> = slack_db::messages(conn, standup.id, MessageKind::Digest)
            .await?
            .into_iter()
            .map(|m| m.part)
            .collect();
        let parts = digest_messages(&input, &compiled)
            .into_iter()
            .enumerate()
            .map(|(n, message)| (i32::try_from(n).unwrap_or(i32::MAX), message))
            .filter(|(n, _)| !posted.contains(n))
            .collect();
        Ok(Some((channel, parts)))
    }

    /// Posts the missing parts in order, each recorded at once; stops at the first failure.
    async fn post_digest(&self, parts: Option<(String, Vec<(i32, Value)>)>) -> Result<(), Error> {
        let Some((channel, parts)) = parts else {
            return Ok(());
        };
        for (part, message) in parts {
            self.post(MessageKind::Digest, None, part, &channel, &message)
                .await?;
        }
        Ok(())
    }
}

/// The first error, preferring a dead token (it changes what happens next), then a rate
/// limit (a wait, not a failure: the job keeps its attempts), then anything else.
fn first_failure(results: Vec<Result<(), Error>>) -> Result<(), Error> {
    let mut failures: Vec<Error> = results.into_iter().filter_map(Result::err).collect();
    let rank = |e: &Error| match e {
        Error::Slack(e) if e.token_is_dead() => 0,
        Error::Slack(SlackError::RateLimited { .. }) | Error::Deferred { .. } => 1,
        _ => 2,
    };
    failures.sort_by_key(rank);
    match failures.into_iter().next() {
        None => Ok(()),
        // A deferral seen by a task is the gate's: the caller turns it into one.
        Some(Error::Deferred { .. }) => Err(SlackError::RateLimited {
            retry_after_secs: 1,
        }
        .into()),
        Some(e) => Err(e),
    }
}

/// Who already got a message of `kind` for `standup`.
async fn messaged(
    conn: &mut AsyncPgConnection,
    standup: &Standup,
    kind: MessageKind,
) -> Result<HashSet<UserId>, Error> {
    Ok(slack_db::messages(conn, standup.id, kind)
        .await?
        .into_iter()
        .filter_map(|m| m.user_id)
        .collect())
}

/// The participants `notify_standup` claimed who are matched and have no `open` DM yet;
/// none once the standup closed.
async fn open_targets(
    conn: &mut AsyncPgConnection,
    standup: &Standup,
) -> Result<Vec<SlackParticipant>, Error> {
    if standup.state == StandupState::Closed {
        return Ok(Vec::new());
    }
    let opened = messaged(conn, standup, MessageKind::Open).await?;
    Ok(
        slack_db::participants_on_slack(conn, standup.org_id, standup.id)
            .await?
            .into_iter()
            .filter(|p| p.notified_at.is_some() && !opened.contains(&p.user.user_id))
            .collect(),
    )
}

/// The participants still PENDING whom `remind_standup` claimed, with their `open` DM,
/// who have no reminder yet; none once the standup closed.
async fn remind_targets(
    conn: &mut AsyncPgConnection,
    standup: &Standup,
) -> Result<Vec<(SlackParticipant, SlackMessage)>, Error> {
    if standup.state != StandupState::Open {
        return Ok(Vec::new());
    }
    let mut opened: HashMap<UserId, SlackMessage> =
        slack_db::messages(conn, standup.id, MessageKind::Open)
            .await?
            .into_iter()
            .filter_map(|m| Some((m.user_id?, m)))
            .collect();
    let reminded = messaged(conn, standup, MessageKind::Remind).await?;
    Ok(
        slack_db::participants_on_slack(conn, standup.org_id, standup.id)
            .await?
            .into_iter()
            .filter(|p| {
                p.state == ParticipationState::Pending
                    && p.reminded_at.is_some()
                    && !reminded.contains(&p.user.user_id)
            })
            .filter_map(|p| {
                let open = opened.remove(&p.user.user_id)?;
                Some((p, open))
            })
            .collect(),
    )
}

/// The token is dead: forgets the workspace (unless reinstalled meanwhile), audits it,
/// and e-mails the people the step could not reach, in one transaction.
async fn disconnect(
    ctx: &JobContext,
    conn: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    standup: &Standup,
    workspace: &SlackWorkspace,
    error: &SlackError,
) -> Result<Outcome, Error> {
    let step = step_of(envelope);
    conn.transaction::<_, Error, _>(async |tx| {
        let gone =
            slack_db::delete_workspace_with_token(tx, standup.org_id, &workspace.bot_token).await?;
        if let Some(gone) = gone {
            audit::insert(
                tx,
                &NewAuditEvent {
                    org_id: Some(gone.org_id),
                    actor_id: None,
                    action: TOKEN_DEAD,
                    target_type: None,
                    target_id: None,
                    ip: None,
                    user_agent: None,
                    request_id: envelope.trace_id.as_deref(),
                    summary: serde_json::json!({
                        "teamId": gone.team_id,
                        "teamName": gone.team_name,
                        "error": error.to_string(),
                    }),
                },
            )
            .await?;
        }
        mail_unreached(ctx, tx, envelope, standup, step).await
    })
    .await
}

/// Slack is off or the workspace gone: e-mails the people the step would have DM'd.
async fn fall_back(
    ctx: &JobContext,
    conn: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    standup: &Standup,
    step: SlackStep,
) -> Result<Outcome, Error> {
    conn.transaction::<_, Error, _>(async |tx| {
        mail_unreached(ctx, tx, envelope, standup, step).await
    })
    .await
}

fn step_of(envelope: &JobEnvelope) -> SlackStep {
    match envelope.job {
        Job::SlackStandup { step, .. } => step,
        _ => SlackStep::Close,
    }
}

/// Records the job id and e-mails (standup-open or reminder e-mail) those `step` did not
/// reach in Slack; nothing for `close` and `digest`, whose e-mail (the digest) goes out
/// anyway with EMAIL delivery.
async fn mail_unreached(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    standup: &Standup,
    step: SlackStep,
) -> Result<Outcome, Error> {
    if !processed::mark_processed(tx, envelope.id, KIND).await? {
        return Ok(Outcome::Duplicate);
    }
    let users: Vec<UserId> = match step {
        SlackStep::Open => open_targets(tx, standup)
            .await?
            .into_iter()
            .map(|p| p.user.user_id)
            .collect(),
        SlackStep::Remind => remind_targets(tx, standup)
            .await?
            .into_iter()
            .map(|(p, _)| p.user.user_id)
            .collect(),
        SlackStep::Close | SlackStep::Digest => Vec::new(),
    };
    if users.is_empty() {
        return Ok(Outcome::Done);
    }
    let sent = match step {
        SlackStep::Remind => {
            remind_standup::mail_reminders(ctx, tx, envelope, standup, &users).await?
        }
        _ => notify_standup::mail_open(ctx, tx, envelope, standup, &users).await?,
    };
    tracing::info!(standup = %standup.id, ?step, sent, "Slack unreachable; e-mailed instead");
    Ok(Outcome::Done)
}
