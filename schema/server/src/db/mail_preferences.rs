//! Which standup e-mails a person gets: the kinds they turned off (`mail_opt_outs`, a row
//! per kind that is off), and the RFC 8058 one-click unsubscribe tokens the worker puts
//! in each standup e-mail (`unsubscribe_links`, only the token's SHA-256 stored).

use super::DbError;
use super::tables::{mail_opt_outs, unsubscribe_links};
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::UserId;
use std::collections::HashSet;

/// "The standup is open" e-mail.
pub const STANDUP_ASKED: &str = "standup_asked";
/// The reminder before the deadline.
pub const REMINDER: &str = "reminder";
/// The digest after the close.
pub const DIGEST: &str = "digest";
/// Every kind, in the order the account page lists them.
pub const KINDS: [&str; 3] = [STANDUP_ASKED, REMINDER, DIGEST];

/// Among `users`, those who turned e-mails of `kind` off.
pub async fn opted_out(
    conn: &mut AsyncPgConnection,
    users: &[UserId],
    kind: &str,
) -> Result<HashSet<UserId>, DbError> {
    if users.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(mail_opt_outs::table
        .filter(mail_opt_outs::kind.eq(kind))
        .filter(mail_opt_outs::user_id.eq_any(users))
        .select(mail_opt_outs::user_id)
        .load::<UserId>(conn)
        .await?
        .into_iter()
        .collect())
}

/// The kinds `user` turned off.
pub async fn off_kinds(conn: &mut AsyncPgConnection, user: UserId) -> Result<Vec<String>, DbError> {
    Ok(mail_opt_outs::table
        .filter(mail_opt_outs::user_id.eq(user))
        .select(mail_opt_outs::kind)
        .load(conn)
        .await?)
}

/// Turns e-mails of `kind` on or off for `user` (idempotent).
pub async fn set(
    conn: &mut AsyncPgConnection,
    user: UserId,
    kind: &str,
    on: bool,
) -> Result<(), DbError> {
    if on {
        diesel::delete(
            mail_opt_outs::table
                .filter(mail_opt_outs::user_id.eq(user))
                .filter(mail_opt_outs::kind.eq(kind)),
        )
        .execute(conn)
        .await?;
    } else {
        diesel::insert_into(mail_opt_outs::table)
            .values((
                mail_opt_outs::user_id.eq(user),
                mail_opt_outs::kind.eq(kind),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Stores unsubscribe tokens `(sha256, user, kind)` in one statement.
pub async fn insert_unsubscribe_links(
    conn: &mut AsyncPgConnection,
    links: &[(Vec<u8>, UserId, &str)],
) -> Result<(), DbError> {
    if links.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = links
        .iter()
        .map(|(hash, user, kind)| {
            (
                unsubscribe_links::token_hash.eq(hash.as_slice()),
                unsubscribe_links::user_id.eq(*user),
                unsubscribe_links::kind.eq(*kind),
            )
        })
        .collect();
    diesel::insert_into(unsubscribe_links::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Who and which kind the unsubscribe token with this hash is for.
pub async fn find_unsubscribe_link(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<(UserId, String)>, DbError> {
    Ok(unsubscribe_links::table
        .find(token_hash)
        .select((unsubscribe_links::user_id, unsubscribe_links::kind))
        .first(conn)
        .await
        .optional()?)
}

/// Deletes unsubscribe tokens issued before `before` (housekeeping); returns how many.
pub async fn sweep_unsubscribe_links(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, DbError> {
    Ok(
        diesel::delete(unsubscribe_links::table.filter(unsubscribe_links::created_at.lt(before)))
            .execute(conn)
            .await?,
    )
}
