//! `send_welcome_email`: greet a user who has just signed up, once per address: the
//! address is claimed in `welcome_emails` in the job's transaction, so a second job for
//! the same person (or a later account with the same address) sends nothing.

use super::{JobContext, Outcome, Recipient, recipient};
use crate::{
    error::Error,
    notify::{
        Email,
        templates::{self, Mail},
    },
};
use diesel_async::AsyncPgConnection;
use schema::{
    ids::{OrganizationId, UserId},
    jobs::{Job, JobEnvelope},
};
use schema_server::db::{
    jobs::{self as processed, UserJob},
    welcome_emails,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

const KIND: &str = "send_welcome_email";

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    user: UserId,
) -> Result<(), Error> {
    let to = recipient(tx, user, envelope.organization_id.map(Into::into)).await?;
    let address = to.mailbox.email.to_string();
    if welcome_emails::claim(tx, &[(&address, envelope.id)])
        .await?
        .is_empty()
    {
        tracing::info!(%user, "this address already got its welcome e-mail; not sent again");
        return Ok(());
    }
    let email = render(
        envelope,
        &to.name,
        to.organization.as_deref(),
        &ctx.public_url,
        to.mailbox,
    )?;
    ctx.mailer.send(&email).await?;
    tracing::debug!(%user, "welcome e-mail sent");
    Ok(())
}

/// Records every job id in `processed_jobs` and loads the recipients of the ones that
/// were not recorded yet in one statement, sends their e-mails, and reports the others
/// as duplicates. Runs inside the caller's transaction; any error fails the whole batch.
pub(super) async fn run_batch(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelopes: &[&JobEnvelope],
) -> Result<Vec<Outcome>, Error> {
    let mut jobs = Vec::with_capacity(envelopes.len());
    for envelope in envelopes {
        let Job::SendWelcomeEmail { user_id } = envelope.job else {
            return Err(Error::NotBatchable(envelope.job.kind()));
        };
        jobs.push(UserJob {
            job_id: envelope.id,
            user: UserId(user_id),
            org: envelope.organization_id.map(OrganizationId),
        });
    }
    let fresh = processed::mark_many_processed_for_users(tx, &jobs, KIND).await?;

    let mut to_send: HashMap<Uuid, Recipient> = HashMap::with_capacity(fresh.len());
    for job in fresh {
        let Some(addressee) = job.addressee else {
            return Err(Error::UserNotFound(job.user.as_uuid()));
        };
        to_send.insert(job.job_id, Recipient::new(job.user, addressee)?);
    }
    // Once per address: a job whose address was welcomed before (or earlier in this
    // batch) runs without an e-mail.
    let addresses: Vec<(String, Uuid)> = envelopes
        .iter()
        .filter_map(|envelope| {
            let to = to_send.get(&envelope.id)?;
            Some((to.mailbox.email.to_string(), envelope.id))
        })
        .collect();
    let claims: Vec<(&str, Uuid)> = addresses
        .iter()
        .map(|(address, job)| (address.as_str(), *job))
        .collect();
    let welcomed: HashSet<Uuid> = welcome_emails::claim(tx, &claims)
        .await?
        .into_iter()
        .collect();
    let mut emails = Vec::with_capacity(welcomed.len());
    let outcomes = envelopes
        .iter()
        .map(|envelope| match to_send.remove(&envelope.id) {
            Some(to) => {
                if welcomed.contains(&envelope.id) {
                    emails.push(render(
                        envelope,
                        &to.name,
                        to.organization.as_deref(),
                        &ctx.public_url,
                        to.mailbox,
                    ));
                }
                Outcome::Done
            }
            None => Outcome::Duplicate,
        })
        .collect();
    let emails = emails.into_iter().collect::<Result<Vec<_>, _>>()?;
    ctx.mailer.send_all(&emails).await?;
    tracing::debug!(sent = emails.len(), "welcome e-mails sent");
    Ok(outcomes)
}

fn render(
    envelope: &JobEnvelope,
    name: &str,
    organization: Option<&str>,
    public_url: &str,
    to: lettre::message::Mailbox,
) -> Result<Email, Error> {
    let link = format!("{public_url}/");
    let subject = organization.map_or_else(
        || "Welcome to AsyncStand".to_owned(),
        |org| format!("Welcome to AsyncStand, {name} ({org})"),
    );
    let (text, html) = templates::Welcome {
        name,
        organization,
        link: &link,
    }
    .bodies()?;
    Ok(Email {
        job_id: envelope.id,
        to,
        subject,
        text,
        html,
        unsubscribe: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use schema::jobs::Job;
    use uuid::Uuid;

    #[test]
    fn names_are_escaped_in_html_only() {
        let envelope = JobEnvelope::new(
            Uuid::from_u128(1),
            Job::SendWelcomeEmail {
                user_id: Uuid::from_u128(2),
            },
            chrono::Utc::now(),
        );
        let email = render(
            &envelope,
            "<Ada>",
            Some("Acme & Co"),
            "https://standup.example.com",
            "ada@example.com".parse().unwrap(),
        )
        .unwrap();
        assert!(email.text.contains("Hi <Ada>,"));
        assert!(email.text.contains("Acme & Co is ready"));
        assert!(email.text.contains("https://standup.example.com/"));
        assert!(email.html.contains("Hi &lt;Ada&gt;,"));
        assert!(email.html.contains("Acme &amp; Co is ready"));
        assert!(!email.html.contains("<Ada>"));
        assert_eq!(email.job_id, envelope.id);
    }
}
