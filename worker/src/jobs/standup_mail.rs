//! What the standup e-mails share: the mailbox of a participant, the team's name, the link.

use super::JobContext;
use crate::{error::Error, notify::Email};
use diesel_async::AsyncPgConnection;
use lettre::message::Mailbox;
use schema::ids::{StandupId, TeamId, UserId};
use schema_server::db::{
    models::Standup,
    teams,
    users::{self, Contact},
};

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

/// E-mails each of `people` what `render` makes of them (given the team's name and the
/// standup's link); returns how many were sent (a deleted user is left out).
pub(super) async fn mail_each(
    ctx: &JobContext,
    tx: &mut AsyncPgConnection,
    standup: &Standup,
    people: &[UserId],
    render: impl Fn(&str, &str, &Contact) -> Result<Email, Error>,
) -> Result<usize, Error> {
    let team = team_name(tx, standup.team_id).await?;
    let link = standup_url(&ctx.public_url, standup.id);
    let emails = users::contacts(tx, people)
        .await?
        .iter()
        .map(|person| render(&team, &link, person))
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
