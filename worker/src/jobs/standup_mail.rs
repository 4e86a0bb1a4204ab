//! What the standup e-mails share: the people they go to, the team's name, the link.

use crate::error::Error;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lettre::message::Mailbox;
use schema::{
    db::tables::{teams, users},
    ids::{StandupId, TeamId, UserId},
};

/// One participant as their e-mails address them.
#[derive(Debug, Clone)]
pub(super) struct Person {
    pub id: UserId,
    pub name: String,
    pub email: String,
}

impl Person {
    pub(super) fn mailbox(&self) -> Result<Mailbox, Error> {
        let address = self.email.parse().map_err(|e| {
            Error::Mail(format!(
                "user {} has an unusable e-mail address: {e}",
                self.id
            ))
        })?;
        let name = (!self.name.trim().is_empty()).then(|| self.name.clone());
        Ok(Mailbox::new(name, address))
    }
}

/// The users among `ids` (a deleted user is left out), by id.
pub(super) async fn people(
    tx: &mut AsyncPgConnection,
    ids: &[UserId],
) -> Result<Vec<Person>, Error> {
    let rows: Vec<(UserId, String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .order(users::id)
        .select((users::id, users::name, users::email))
        .load(tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, email)| Person { id, name, email })
        .collect())
}

/// The team's name (empty when the team is gone, which deletes its standups anyway).
pub(super) async fn team_name(tx: &mut AsyncPgConnection, team: TeamId) -> Result<String, Error> {
    let names: Vec<String> = teams::table
        .filter(teams::id.eq(team))
        .select(teams::name)
        .load(tx)
        .await?;
    Ok(names.into_iter().next().unwrap_or_default())
}

/// `{PUBLIC_URL}/standups/{id}`: where a participant answers and anyone reads the digest.
pub(super) fn standup_url(public_url: &str, id: StandupId) -> String {
    format!("{public_url}/standups/{id}")
}

/// An instant as the e-mails show it.
pub(super) fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
