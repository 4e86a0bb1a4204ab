//! `remind_standup`: remind the participants who have neither answered nor skipped, once.
//!
//! The same claim-then-send model as `notify_standup`: `participations.reminded_at` is
//! set where it is NULL and the participant is still PENDING, in the job's transaction,
//! before sending; a crash before the commit resends the same message (same
//! `Message-ID`), a second job claims nobody. A standup closed before the job runs
//! reminds nobody.
//!
//! Participants the bot DM'd in Slack when the standup opened (SLACK_DM) get the reminder
//! as a reply under that DM: one `slack_standup` job (step `remind`) instead of e-mails.

use super::{
    JobContext, email_id, slack_standup,
    standup_mail::{PersonalLinks, mail_each, mailbox, when},
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
    ids::{StandupId, UserId},
    jobs::{JobEnvelope, SlackStep},
};
use schema_server::db::{mail_preferences, models::Standup, standups, users::Contact};

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    id: StandupId,
) -> Result<(), Error> {
    let Some(standup) = standups::find_any(tx, id).await? else {
        return Ok(());
    };
    if standup.state != StandupState::Open {
        tracing::info!(standup = %id, "standup closed; nobody reminded");
        return Ok(());
    }
    let mut claimed = standups::claim_reminders(tx, id, chrono::Utc::now()).await?;
    if claimed.is_empty() {
        return Ok(());
    }
    // Those the bot DM'd when the standup opened get a reply under that DM instead.
    let on_slack = slack_standup::routed_to_slack(ctx, tx, &[&standup], true).await?;
    if !on_slack.is_empty() {
        claimed.retain(|user| !on_slack.contains(&(id, *user)));
        slack_standup::enqueue(tx, &[(&standup, envelope)], SlackStep::Remind).await?;
        if claimed.is_empty() {
            return Ok(());
        }
    }
    let sent = mail_reminders(ctx, tx, envelope, &standup, &claimed).await?;
    tracing::debug!(standup = %id, sent, "standup reminders sent");
    Ok(())
}

/// E-mails `people` the reminder of `standup` (the job's `Message-ID`s); returns how
/// many were sent (a deleted user is left out).
pub(super) async fn mail_reminders(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    standup: &Standup,
    people: &[UserId],
) -> Result<usize, Error> {
    mail_each(
        ctx,
        tx,
        standup,
        people,
        mail_preferences::REMINDER,
        |team, link, person, personal| render(envelope, standup, team, link, person, personal),
    )
    .await
}

fn render(
    envelope: &JobEnvelope,
    standup: &Standup,
    team: &str,
    link: &str,
    person: &Contact,
    personal: &PersonalLinks,
) -> Result<Email, Error> {
    let closes = when(standup.closes_at, &standup.timezone);
    let name = &standup.name;
    let date = standup.local_date;
    let (text, html) = templates::StandupReminder {
        person: &person.name,
        name,
        team,
        date,
        closes: &closes,
        link,
        answer: personal.answer.as_deref().unwrap_or(link),
    }
    .bodies()?;
    Ok(Email {
        job_id: email_id(envelope.id, person.id),
        to: mailbox(person)?,
        subject: format!("Reminder: {name} for {date} closes at {closes}"),
        text,
        html,
        unsubscribe: Some(personal.unsubscribe.clone()),
    })
}
