//! `send_welcome_email`: greet a user who has just signed up.

use super::{JobContext, recipient};
use crate::{
    error::Error,
    notify::{Email, mail::escape_html},
};
use diesel_async::AsyncPgConnection;
use schema::{ids::UserId, jobs::JobEnvelope};

pub(super) async fn run(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    envelope: &JobEnvelope,
    user: UserId,
) -> Result<(), Error> {
    let to = recipient(tx, user, envelope.organization_id.map(Into::into)).await?;
    let email = render(
        envelope,
        &to.name,
        to.organization.as_deref(),
        &ctx.public_url,
        to.mailbox,
    );
    ctx.mailer.send(&email).await?;
    tracing::debug!(%user, "welcome e-mail sent");
    Ok(())
}

fn render(
    envelope: &JobEnvelope,
    name: &str,
    organization: Option<&str>,
    public_url: &str,
    to: lettre::message::Mailbox,
) -> Email {
    let link = format!("{public_url}/");
    let team_line = organization.map_or_else(
        || "Your organization is ready for its first standup.".to_owned(),
        |org| format!("{org} is ready for its first standup."),
    );
    let subject = organization.map_or_else(
        || "Welcome to AsyncStand".to_owned(),
        |org| format!("Welcome to AsyncStand, {name} ({org})"),
    );
    let text = format!(
        "Hi {name},\n\n\
         welcome to AsyncStand! {team_line}\n\n\
         Create a team, pick the questions and a schedule, and everyone answers when it\n\
         suits them; the digest arrives at the deadline.\n\n\
         Open AsyncStand: {link}\n\n\
         -- AsyncStand\n"
    );
    let html = format!(
        "<!doctype html>\n<html><body style=\"font-family: sans-serif; line-height: 1.5\">\n\
         <p>Hi {name},</p>\n\
         <p>welcome to AsyncStand! {team_line}</p>\n\
         <p>Create a team, pick the questions and a schedule, and everyone answers when it \
         suits them; the digest arrives at the deadline.</p>\n\
         <p><a href=\"{link}\">Open AsyncStand</a></p>\n\
         <p>&mdash; AsyncStand</p>\n</body></html>\n",
        name = escape_html(name),
        team_line = escape_html(&team_line),
        link = escape_html(&link),
    );
    Email {
        job_id: envelope.id,
        to,
        subject,
        text,
        html,
    }
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
        );
        assert!(email.text.contains("Hi <Ada>,"));
        assert!(email.text.contains("Acme & Co is ready"));
        assert!(email.text.contains("https://standup.example.com/"));
        assert!(email.html.contains("Hi &lt;Ada&gt;,"));
        assert!(email.html.contains("Acme &amp; Co is ready"));
        assert!(!email.html.contains("<Ada>"));
        assert_eq!(email.job_id, envelope.id);
    }
}
