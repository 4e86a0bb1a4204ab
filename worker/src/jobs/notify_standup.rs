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
//! A standup that is already closed when the job runs (opened after downtime with its
//! deadline passed) notifies nobody: its digest follows.

use super::{
    JobContext, email_id,
    standup_mail::{Person, people, standup_url, team_name, when},
};
use crate::{
    error::Error,
    notify::{Email, mail::escape_html},
};
use diesel_async::AsyncPgConnection;
use schema::{
    db::{models::Standup, standups},
    enums::StandupState,
    ids::StandupId,
    jobs::JobEnvelope,
};

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
    let claimed = standups::claim_notifications(tx, id, chrono::Utc::now()).await?;
    if claimed.is_empty() {
        return Ok(());
    }
    let team = team_name(tx, standup.team_id).await?;
    let link = standup_url(&ctx.public_url, id);
    let prompts: Vec<String> = standup
        .questions()
        .map(|questions| questions.into_iter().map(|q| q.prompt).collect())
        .unwrap_or_default();
    let emails = people(tx, &claimed)
        .await?
        .iter()
        .map(|person| render(envelope, &standup, &team, &link, &prompts, person))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.mailer.send_all(&emails).await?;
    tracing::debug!(standup = %id, sent = emails.len(), "standup notifications sent");
    Ok(())
}

fn render(
    envelope: &JobEnvelope,
    standup: &Standup,
    team: &str,
    link: &str,
    prompts: &[String],
    person: &Person,
) -> Result<Email, Error> {
    let closes = when(standup.closes_at);
    let name = &standup.name;
    let date = standup.local_date;
    let list: String = prompts.iter().map(|p| format!("- {p}\n")).collect();
    let text = format!(
        "Hello {person},\n\n\
         The standup \"{name}\" of {team} for {date} is open until {closes}.\n\
         Answer here:\n\n{link}\n\n\
         The questions:\n{list}\n\
         -- AsyncStand\n",
        person = person.name,
    );
    let items: String = prompts
        .iter()
        .map(|p| format!("<li>{}</li>", escape_html(p)))
        .collect();
    let html = format!(
        "<!doctype html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>Hello {person},</p>\n\
         <p>The standup &ldquo;{name}&rdquo; of {team} for {date} is open until {closes}.</p>\n\
         <p><a href=\"{link}\">Answer now</a></p>\n\
         <p>The questions:</p>\n<ul>{items}</ul>\n\
         <p>&mdash; AsyncStand</p>\n</body></html>\n",
        person = escape_html(&person.name),
        name = escape_html(name),
        team = escape_html(team),
        link = escape_html(link),
    );
    Ok(Email {
        job_id: email_id(envelope.id, person.id),
        to: person.mailbox()?,
        subject: format!("{name}: your standup for {date} is open"),
        text,
        html,
    })
}
