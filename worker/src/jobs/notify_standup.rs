//! `notify_standup`: e-mail every participant of a standup that just opened, once.
//!
//! Each participant is claimed with `UPDATE participations SET notified_at = now()
//! WHERE standup_id = … AND notified_at IS NULL RETURNING user_id`, in the job's
//! transaction, before the e-mails are sent; the claim commits with the job id
//! (`processed_jobs`) after the sends. So:
//! - a second `notify_standup` for the same standup (there should never be one) waits on
//!   the first one's row locks and then claims nobody: no one is mailed twice by two jobs;
//! - a crash between the sends and the commit rolls the claim back: the redelivered job
//!   sends again, with the same `Message-ID`/file name (derived from the job id and the
//!   participant, [`super::email_id`]), so the duplicate is collapsed, never lost. That is
//!   the pipeline's at-least-once + idempotency model (see `send_welcome_email`): losing
//!   an e-mail (claim committed, send never made) is worse than a collapsed duplicate.
//! - a failed send (SMTP down) rolls everything back and the pipeline retries the job.
//!
//! When the standup's delivery has SLACK_DM and its organization a Slack workspace, the
//! participants matched to Slack users get no e-mail: one `slack_standup` job (step
//! `open`) is enqueued in the same transaction and DMs them.
//!
//! A standup that is already closed when the job runs (opened after downtime with its
//! deadline passed) notifies nobody: its digest follows.
//!
//! [`run_batch`] does the same for many jobs in one transaction (the 9:00 burst: ten
//! thousand standups open at once): one idempotency insert for every job id, one query
//! for the standups, one claim over all of them, one for the teams and one for the people,
//! then every e-mail, with the same `Message-ID`s as one job at a time would use.

use super::{
    JobContext, Outcome, email_id, slack_standup,
    standup_mail::{
        PersonalLinks, issue_links, mail_each, mailbox, prompts, standup_url, wanting, when,
    },
};
use crate::{
    error::Error,
    notify::{
        Email,
        templates::{self, Mail},
    },
};
use diesel_async::AsyncPgConnection;
use schema::{
    enums::StandupState,
    ids::{StandupId, TeamId, UserId},
    jobs::{Job, JobEnvelope, SlackStep},
};
use schema_server::db::{
    jobs as processed, mail_preferences,
    models::Standup,
    standups, teams,
    users::{self, Contact},
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const KIND: &str = "notify_standup";

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    id: StandupId,
) -> Result<(), Error> {
    let Some(standup) = standups::find_any(tx, id).await? else {
        tracing::info!(standup = %id, "standup gone; nobody notified");
        return Ok(());
    };
    if standup.state == StandupState::Closed {
        tracing::info!(standup = %id, "standup already closed; nobody notified");
        return Ok(());
    }
    let mut claimed = standups::claim_notifications(tx, id, chrono::Utc::now()).await?;
    if claimed.is_empty() {
        return Ok(());
    }
    // Those matched in the organization's Slack workspace get a DM instead.
    let on_slack = slack_standup::routed_to_slack(ctx, tx, &[&standup], false).await?;
    if !on_slack.is_empty() {
        claimed.retain(|user| !on_slack.contains(&(id, *user)));
        slack_standup::enqueue(tx, &[(&standup, envelope)], SlackStep::Open).await?;
    }
    let sent = mail_open(ctx, tx, envelope, &standup, &claimed).await?;
    tracing::debug!(standup = %id, sent, "standup notifications sent");
    Ok(())
}

/// E-mails `people` that `standup` is open (the job's `Message-ID`s); returns how many
/// were sent (a deleted user is left out).
pub(super) async fn mail_open(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    standup: &Standup,
    people: &[UserId],
) -> Result<usize, Error> {
    let prompts = prompts(standup);
    mail_each(
        ctx,
        tx,
        standup,
        people,
        mail_preferences::STANDUP_ASKED,
        |team, link, person, personal| {
            render(envelope, standup, team, link, &prompts, person, personal)
        },
    )
    .await
}

/// Runs many `notify_standup` jobs in the caller's transaction; one outcome per envelope,
/// in order. A job id already recorded (or given twice) is a duplicate; a standup named
/// by two jobs is claimed by the first of them, as if they had run one after the other.
///
/// # Errors
/// The database, an unusable address or the mailer: the caller rolls everything back.
pub(super) async fn run_batch(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelopes: &[&JobEnvelope],
) -> Result<Vec<Outcome>, Error> {
    let mut job_ids = Vec::with_capacity(envelopes.len());
    for envelope in envelopes {
        let Job::NotifyStandup { .. } = envelope.job else {
            return Err(Error::NotBatchable(envelope.job.kind()));
        };
        job_ids.push(envelope.id);
    }
    let fresh: HashSet<Uuid> = processed::mark_many_processed(tx, &job_ids, KIND)
        .await?
        .into_iter()
        .collect();

    // Which job runs for which standup: the first fresh job naming it.
    let mut runner: HashMap<StandupId, Uuid> = HashMap::new();
    let mut seen = HashSet::with_capacity(envelopes.len());
    let outcomes: Vec<Outcome> = envelopes
        .iter()
        .map(|envelope| {
            if !fresh.contains(&envelope.id) || !seen.insert(envelope.id) {
                return Outcome::Duplicate;
            }
            if let Job::NotifyStandup { standup_id } = envelope.job {
                runner.entry(StandupId(standup_id)).or_insert(envelope.id);
            }
            Outcome::Done
        })
        .collect();
    if runner.is_empty() {
        return Ok(outcomes);
    }

    let ids: Vec<StandupId> = runner.keys().copied().collect();
    let open: HashMap<StandupId, Standup> = standups::find_many_any(tx, &ids)
        .await?
        .into_iter()
        .filter(|s| s.state != StandupState::Closed)
        .map(|s| (s.id, s))
        .collect();
    let mut open_ids: Vec<StandupId> = open.keys().copied().collect();
    open_ids.sort_unstable_by_key(StandupId::as_uuid);
    let mut claimed = standups::claim_notifications_many(tx, &open_ids, chrono::Utc::now()).await?;
    if claimed.is_empty() {
        return Ok(outcomes);
    }
    let by_id: HashMap<Uuid, &JobEnvelope> = envelopes.iter().map(|e| (e.id, *e)).collect();
    // Those matched in their organization's Slack workspace get a DM instead: one query
    // for every standup's matches, one Slack job per standup that has any.
    let listed: Vec<&Standup> = open_ids.iter().filter_map(|id| open.get(id)).collect();
    let on_slack = slack_standup::routed_to_slack(ctx, tx, &listed, false).await?;
    if !on_slack.is_empty() {
        claimed.retain(|pair| !on_slack.contains(pair));
        let slack_ids: HashSet<StandupId> = on_slack.iter().map(|(standup, _)| *standup).collect();
        let jobs: Vec<(&Standup, &JobEnvelope)> = listed
            .iter()
            .filter(|standup| slack_ids.contains(&standup.id))
            .filter_map(|standup| {
                let envelope = runner.get(&standup.id).and_then(|job| by_id.get(job))?;
                Some((*standup, *envelope))
            })
            .collect();
        slack_standup::enqueue(tx, &jobs, SlackStep::Open).await?;
    }
    if claimed.is_empty() {
        return Ok(outcomes);
    }
    // Those who turned "standup asked" e-mails off get none; the others their own links.
    let wanted: HashSet<UserId> = wanting(
        tx,
        &claimed.iter().map(|(_, user)| *user).collect::<Vec<_>>(),
        mail_preferences::STANDUP_ASKED,
    )
    .await?
    .into_iter()
    .collect();
    claimed.retain(|(_, user)| wanted.contains(user));
    let recipients: Vec<_> = claimed
        .iter()
        .filter_map(|(standup, user)| Some((open.get(standup)?.org_id, *standup, *user)))
        .collect();
    let links = issue_links(
        &ctx.public_url,
        tx,
        &recipients,
        mail_preferences::STANDUP_ASKED,
    )
    .await?;
    let team_ids: Vec<TeamId> = open.values().map(|s| s.team_id).collect();
    let team_names: HashMap<TeamId, String> =
        teams::names_any(tx, &team_ids).await?.into_iter().collect();
    let user_ids: Vec<UserId> = claimed.iter().map(|(_, user)| *user).collect();
    let people: HashMap<UserId, Contact> = users::contacts(tx, &user_ids)
        .await?
        .into_iter()
        .map(|person| (person.id, person))
        .collect();

    let mut emails = Vec::with_capacity(claimed.len());
    let mut current: Option<(StandupId, String, Vec<String>)> = None;
    for (standup_id, user) in &claimed {
        // A deleted user is left out, as in `run`.
        let (Some(standup), Some(person)) = (open.get(standup_id), people.get(user)) else {
            continue;
        };
        let Some(envelope) = runner.get(standup_id).and_then(|job| by_id.get(job)) else {
            continue;
        };
        if current.as_ref().is_none_or(|(id, _, _)| id != standup_id) {
            let prompts = prompts(standup);
            current = Some((
                *standup_id,
                standup_url(&ctx.public_url, *standup_id),
                prompts,
            ));
        }
        let Some((_, link, prompts)) = &current else {
            continue;
        };
        let Some(personal) = links.get(&(*standup_id, *user)) else {
            continue;
        };
        let team = team_names.get(&standup.team_id).map_or("", String::as_str);
        emails.push(render(
            envelope, standup, team, link, prompts, person, personal,
        )?);
    }
    ctx.mailer.send_all(&emails).await?;
    tracing::debug!(
        standups = open_ids.len(),
        sent = emails.len(),
        "standup notifications sent"
    );
    Ok(outcomes)
}

fn render(
    envelope: &JobEnvelope,
    standup: &Standup,
    team: &str,
    link: &str,
    prompts: &[String],
    person: &Contact,
    personal: &PersonalLinks,
) -> Result<Email, Error> {
    let closes = when(standup.closes_at, &standup.timezone);
    let name = &standup.name;
    let date = standup.local_date;
    let (text, html) = templates::StandupOpen {
        person: &person.name,
        name,
        team,
        date,
        closes: &closes,
        link,
        answer: personal.answer.as_deref().unwrap_or(link),
        prompts,
    }
    .bodies()?;
    Ok(Email {
        job_id: email_id(envelope.id, person.id),
        to: mailbox(person)?,
        subject: format!("{name}: your standup for {date} is open"),
        text,
        html,
        unsubscribe: Some(personal.unsubscribe.clone()),
    })
}
