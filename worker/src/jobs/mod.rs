//! One handler per job kind. A job may be delivered more than once (a lost ack, a
//! redelivery after a crash or a reconnect), so [`dispatch`] makes every handler
//! idempotent the same way: in one transaction it first records the job id in
//! `processed_jobs`, then runs the handler (load, render, send), then commits. A
//! delivery that finds the id already recorded does nothing ([`Outcome::Duplicate`]);
//! a concurrent second delivery waits on the first one's row lock and then finds it.
//!
//! A crash between sending and committing sends the e-mail again on redelivery; it is
//! the same message (same `Message-ID`, same `.eml` file name), see [`crate::notify::mail`].
//!
//! [`dispatch_batch`] does the same for many jobs of a batchable kind at once
//! (`send_welcome_email`, `notify_standup`; one transaction: one multi-row idempotency
//! insert, set-based loads and claims, the sends, one commit). It is all or nothing: on any error the whole batch rolls back
//! and the caller runs each job alone through [`dispatch`], so failures, retries and
//! dead-lettering stay per job.

mod compile_digest;
mod deliver_late_answer;
mod deliver_webhook;
mod notify_standup;
mod remind_standup;
mod send_invitation;
mod send_password_reset;
mod send_welcome_email;
mod slack_standup;
mod standup_mail;

use crate::{
    error::Error,
    notify::{Mailer, slack::Gate},
    outbox::Relay,
};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use lettre::message::Mailbox;
use schema::{
    ids::{OrganizationId, StandupId, UserId},
    jobs::{Job, JobEnvelope},
};
use schema_server::{
    db::{
        DbError, DbPool, jobs as processed,
        users::{self, Addressee},
    },
    secrets::SecretBox,
    slack::SlackClient,
};
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

/// How long a webhook receiver has to answer.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// What handlers need besides their transaction.
#[derive(Clone)]
pub struct JobContext {
    pub pool: DbPool,
    pub mailer: Mailer,
    /// Where users reach the web app, without a trailing slash.
    pub public_url: String,
    /// Publishes the outbox rows handlers write (follow-up jobs) after their commit.
    pub relay: Relay,
    /// Delivers digest webhooks (see [`crate::notify::webhook`]).
    pub http: reqwest::Client,
    /// `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: webhooks may go to non-public addresses.
    pub webhook_allow_private_networks: bool,
    /// Opens the sealed webhook secrets and Slack bot tokens (`SECRETS_KEY`).
    pub secrets: Arc<SecretBox>,
    /// Slack's Web API (`SLACK_API_BASE_URL`); `None` when Slack is off, and SLACK_DM
    /// delivery then goes by e-mail.
    pub slack: Option<SlackClient>,
    /// The workspaces Slack asked to wait (`429 Retry-After`), shared by every handler.
    pub slack_gate: Arc<Gate>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("pool", &self.pool.status())
            .field("mailer", &self.mailer)
            .field("public_url", &self.public_url)
            .finish()
    }
}

/// How a delivery ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The job ran and its effect is committed.
    Done,
    /// The job had already run; nothing was done.
    Duplicate,
}

/// Runs the envelope's job once: records the job id and runs its handler in one
/// transaction.
///
/// # Errors
/// Whatever the handler reports, or the database; the transaction is rolled back, so
/// the job can run again (the consumer retries it).
pub async fn dispatch(ctx: &JobContext, envelope: &JobEnvelope) -> Result<Outcome, Error> {
    if let Job::SlackStandup { standup_id, step } = envelope.job {
        // No transaction around Slack calls: each post is recorded as it is made, so
        // the job is idempotent by what `slack_messages` holds (see the handler).
        return slack_standup::run(ctx, envelope, StandupId(standup_id), step).await;
    }
    let mut conn = ctx
        .pool
        .get()
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    let outcome = conn
        .transaction::<_, Error, _>(async |tx| {
            if !processed::mark_processed(tx, envelope.id, envelope.job.kind()).await? {
                return Ok(Outcome::Duplicate);
            }
            match &envelope.job {
                Job::SendWelcomeEmail { user_id } => {
                    send_welcome_email::run(ctx, tx, envelope, UserId(*user_id)).await?;
                }
                Job::SendPasswordReset { user_id } => {
                    send_password_reset::run(ctx, tx, envelope, UserId(*user_id)).await?;
                }
                Job::SendInvitation { invitation_id } => {
                    send_invitation::run(ctx, tx, envelope, *invitation_id).await?;
                }
                Job::NotifyStandup { standup_id } => {
                    notify_standup::run(ctx, tx, envelope, StandupId(*standup_id)).await?;
                }
                Job::RemindStandup { standup_id } => {
                    remind_standup::run(ctx, tx, envelope, StandupId(*standup_id)).await?;
                }
                Job::CompileDigest { standup_id } => {
                    compile_digest::run(ctx, tx, envelope, StandupId(*standup_id)).await?;
                }
                Job::DeliverWebhook { standup_id } => {
                    deliver_webhook::run(ctx, tx, StandupId(*standup_id)).await?;
                }
                Job::DeliverLateAnswer {
                    standup_id,
                    user_id,
                } => {
                    deliver_late_answer::run(
                        ctx,
                        tx,
                        envelope,
                        StandupId(*standup_id),
                        UserId(*user_id),
                    )
                    .await?;
                }
                Job::SlackStandup { .. } => return Err(Error::NotBatchable("slack_standup")),
            }
            Ok(Outcome::Done)
        })
        .await?;
    if matches!(
        envelope.job,
        Job::NotifyStandup { .. } | Job::RemindStandup { .. } | Job::CompileDigest { .. }
    ) {
        // It may have enqueued `slack_standup` or `deliver_webhook`.
        ctx.relay.wake();
    }
    Ok(outcome)
}

/// The id of the e-mail job `job` sends to `user` (its `Message-ID` and file name): the
/// same on every delivery of the job, so a redelivery after a crash between sending and
/// committing sends the same message again (which mail clients and the file mailer
/// collapse), and different for every other job, so a second job's e-mail would show.
#[must_use]
pub fn email_id(job: uuid::Uuid, user: UserId) -> uuid::Uuid {
    let hash = Sha256::new()
        .chain_update(job.as_bytes())
        .chain_update(user.as_uuid().as_bytes())
        .finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Whether [`dispatch_batch`] can run this job.
#[must_use]
pub fn batchable(envelope: &JobEnvelope) -> bool {
    matches!(
        envelope.job,
        Job::SendWelcomeEmail { .. } | Job::NotifyStandup { .. }
    )
}

/// Runs many [`batchable`] jobs in one transaction; returns one outcome per envelope, in
/// order (a job id given twice is done once and a duplicate the second time).
///
/// # Errors
/// Any failure of any job, or of the database: nothing is committed, and the caller
/// should run the jobs one by one with [`dispatch`] to find out which one fails.
pub async fn dispatch_batch(
    ctx: &JobContext,
    envelopes: &[&JobEnvelope],
) -> Result<Vec<Outcome>, Error> {
    if let Some(envelope) = envelopes.iter().find(|envelope| !batchable(envelope)) {
        return Err(Error::NotBatchable(envelope.job.kind()));
    }
    let mut conn = ctx
        .pool
        .get()
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    // One sub-batch per kind, all in the same transaction; outcomes back in order.
    type Part<'a> = Vec<(usize, &'a JobEnvelope)>;
    let (welcome, notify): (Part<'_>, Part<'_>) = envelopes
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, envelope)| matches!(envelope.job, Job::SendWelcomeEmail { .. }));
    conn.transaction::<_, Error, _>(async |tx| {
        let mut outcomes = vec![Outcome::Duplicate; envelopes.len()];
        if !welcome.is_empty() {
            let batch: Vec<&JobEnvelope> = welcome.iter().map(|(_, e)| *e).collect();
            let done = send_welcome_email::run_batch(ctx, tx, &batch).await?;
            for ((index, _), outcome) in welcome.iter().zip(done) {
                outcomes[*index] = outcome;
            }
        }
        if !notify.is_empty() {
            let batch: Vec<&JobEnvelope> = notify.iter().map(|(_, e)| *e).collect();
            let done = notify_standup::run_batch(ctx, tx, &batch).await?;
            for ((index, _), outcome) in notify.iter().zip(done) {
                outcomes[*index] = outcome;
            }
        }
        Ok(outcomes)
    })
    .await
    .inspect(|_| {
        if !notify.is_empty() {
            // It may have enqueued `slack_standup`.
            ctx.relay.wake();
        }
    })
}

/// Who an e-mail goes to, and the organization it speaks for when the job has one.
#[derive(Debug, Clone)]
struct Recipient {
    mailbox: Mailbox,
    name: String,
    organization: Option<String>,
}

/// The user and (when `org` is given and exists) the organization's name, in one
/// statement.
///
/// # Errors
/// [`Error::UserNotFound`] when there is no such user (a permanent failure).
async fn recipient(
    tx: &mut AsyncPgConnection,
    user: UserId,
    org: Option<OrganizationId>,
) -> Result<Recipient, Error> {
    let addressee = users::addressee(tx, user, org)
        .await?
        .ok_or(Error::UserNotFound(user.as_uuid()))?;
    Recipient::new(user, addressee)
}

impl Recipient {
    fn new(user: UserId, addressee: Addressee) -> Result<Self, Error> {
        let Addressee {
            email,
            name,
            organization,
        } = addressee;
        let address = email
            .parse()
            .map_err(|e| Error::Mail(format!("user {user} has an unusable e-mail address: {e}")))?;
        Ok(Self {
            mailbox: Mailbox::new(Some(name.clone()), address),
            name,
            organization,
        })
    }
}
