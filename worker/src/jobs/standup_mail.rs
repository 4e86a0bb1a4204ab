//! What the standup e-mails share: the mailbox of a participant, the team's name, the
//! links (the standup's page, the person's one-click answer link and their one-click
//! unsubscribe link), and the person's choice of which kinds of e-mail they get.
//!
//! Answer and unsubscribe tokens are 256 random bits, base64url without padding, made
//! here when the e-mail is sent and stored only as their SHA-256, in the job's
//! transaction. A job that runs again (after a crash before its commit) makes new ones:
//! the first ones were rolled back, so only the links of the e-mail last written work.

use super::JobContext;
use crate::{error::Error, notify::Email};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use diesel_async::AsyncPgConnection;
use lettre::message::Mailbox;
use schema::ids::{OrganizationId, StandupId, TeamId, UserId};
use schema_server::db::{
    answer_links::{self, NewAnswerLink},
    mail_preferences,
    models::Standup,
    teams,
    users::{self, Contact},
};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// The personal links of one standup e-mail.
#[derive(Debug, Clone)]
pub(super) struct PersonalLinks {
    /// `{PUBLIC_URL}/answer/{token}`: answers without signing in (not in digests).
    pub answer: Option<String>,
    /// `{PUBLIC_URL}/unsubscribe/{token}`: turns this kind of e-mail off (RFC 8058).
    pub unsubscribe: String,
}

/// 256 random bits, base64url without padding, and the SHA-256 of that text (what is
/// stored).
fn new_token() -> (String, Vec<u8>) {
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    (token, hash)
}

/// Among `people`, those who did not turn e-mails of `kind` off.
pub(super) async fn wanting(
    tx: &mut AsyncPgConnection,
    people: &[UserId],
    kind: &str,
) -> Result<Vec<UserId>, Error> {
    let off: HashSet<UserId> = mail_preferences::opted_out(tx, people, kind).await?;
    Ok(people
        .iter()
        .copied()
        .filter(|user| !off.contains(user))
        .collect())
}

/// Issues the personal links of an e-mail of `kind` for each `(org, standup, person)`:
/// an unsubscribe link always, an answer link (bound to that participation) unless
/// `kind` is the digest. Stored in two statements, in the job's transaction.
pub(super) async fn issue_links(
    public_url: &str,
    tx: &mut AsyncPgConnection,
    recipients: &[(OrganizationId, StandupId, UserId)],
    kind: &'static str,
) -> Result<HashMap<(StandupId, UserId), PersonalLinks>, Error> {
    let answers = kind != mail_preferences::DIGEST;
    let mut out = HashMap::with_capacity(recipients.len());
    let mut answer_rows = Vec::new();
    let mut unsubscribe_rows = Vec::with_capacity(recipients.len());
    for &(org, standup, user) in recipients {
        let answer = answers.then(|| {
            let (token, token_hash) = new_token();
            answer_rows.push(NewAnswerLink {
                token_hash,
                org_id: org,
                standup_id: standup,
                user_id: user,
            });
            format!("{public_url}/answer/{token}")
        });
        let (token, hash) = new_token();
        unsubscribe_rows.push((hash, user, kind));
        let unsubscribe = format!("{public_url}/unsubscribe/{token}");
        out.insert(
            (standup, user),
            PersonalLinks {
                answer,
                unsubscribe,
            },
        );
    }
    answer_links::insert_many(tx, &answer_rows).await?;
    mail_preferences::insert_unsubscribe_links(tx, &unsubscribe_rows).await?;
    Ok(out)
}

/// The mailbox of a participant's e-mails (named, unless their name is blank).
pub(super) fn mailbox(person: &Contact) -> Result<Mailbox, Error> {
    let address = person.email.parse().map_err(|e| {
        Error::Mail(format!(
            "user {} has an unusable e-mail address: {e}",
            person.id
        ))
    })?;
    let name = (!person.name.trim().is_empty()).then(|| person.name.clone());
    Ok(Mailbox::new(name, address))
}

/// The team's name (empty when the team is gone, which deletes its standups anyway).
pub(super) async fn team_name(tx: &mut AsyncPgConnection, team: TeamId) -> Result<String, Error> {
    let names = teams::names_any(tx, &[team]).await?;
    Ok(names
        .into_iter()
        .next()
        .map(|(_, name)| name)
        .unwrap_or_default())
}

/// E-mails each of `people` who wants e-mails of `kind` what `render` makes of them
/// (given the team's name, the standup's link and their personal links); returns how
/// many were sent (a deleted user is left out).
pub(super) async fn mail_each(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    standup: &Standup,
    people: &[UserId],
    kind: &'static str,
    render: impl Fn(&str, &str, &Contact, &PersonalLinks) -> Result<Email, Error>,
) -> Result<usize, Error> {
    let people = wanting(tx, people, kind).await?;
    let team = team_name(tx, standup.team_id).await?;
    let link = standup_url(&ctx.public_url, standup.id);
    let recipients: Vec<_> = people
        .iter()
        .map(|user| (standup.org_id, standup.id, *user))
        .collect();
    let links = issue_links(&ctx.public_url, tx, &recipients, kind).await?;
    let emails = users::contacts(tx, &people)
        .await?
        .iter()
        .filter_map(|person| {
            let personal = links.get(&(standup.id, person.id))?;
            Some(render(&team, &link, person, personal))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ctx.mailer.send_all(&emails).await?;
    Ok(emails.len())
}

/// The prompts of the standup's questions, as asked (none when they cannot be read).
pub(super) fn prompts(standup: &Standup) -> Vec<String> {
    standup
        .questions()
        .map(|questions| questions.into_iter().map(|q| q.prompt).collect())
        .unwrap_or_default()
}

/// `{PUBLIC_URL}/standups/{id}`: where a participant answers and anyone reads the digest.
pub(super) fn standup_url(public_url: &str, id: StandupId) -> String {
    format!("{public_url}/standups/{id}")
}

/// An instant as the e-mails show it: in the standup's time zone, which is the team's
/// (people read "closes at 10:00" on their own clock), named so nobody has to guess;
/// UTC when the zone is unknown.
pub(super) fn when(at: chrono::DateTime<chrono::Utc>, timezone: &str) -> String {
    match schema::schedule::parse_timezone(timezone) {
        Ok(zone) => at
            .with_timezone(&zone)
            .format(&format!("%a %-d %b %Y, %H:%M ({timezone})"))
            .to_string(),
        Err(_) => at.format("%a %-d %b %Y, %H:%M (UTC)").to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::when;

    #[test]
    fn times_are_shown_on_the_teams_clock_with_its_zone() {
        let at = "2026-11-25T08:30:00Z".parse().unwrap();
        assert_eq!(
            when(at, "Europe/Berlin"),
            "Wed 25 Nov 2026, 09:30 (Europe/Berlin)"
        );
        assert_eq!(
            when(at, "Asia/Kathmandu"),
            "Wed 25 Nov 2026, 14:15 (Asia/Kathmandu)"
        );
        assert_eq!(
            when(at, "America/New_York"),
            "Wed 25 Nov 2026, 03:30 (America/New_York)"
        );
        // Summer time: the same wall clock is a different instant.
        let july = "2026-07-01T07:30:00Z".parse().unwrap();
        assert_eq!(
            when(july, "Europe/Berlin"),
            "Wed 1 Jul 2026, 09:30 (Europe/Berlin)"
        );
        assert_eq!(when(at, "Not/AZone"), "Wed 25 Nov 2026, 08:30 (UTC)");
    }
}
