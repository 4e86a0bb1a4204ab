//! Single-use password-reset tokens (stored hashed, one hour).

use super::DbError;
use super::tables::password_resets;
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::UserId;

pub async fn insert(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    user: UserId,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(token_hash),
            password_resets::user_id.eq(user),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The user of a token that exists, is unused and unexpired, without using it (a check
/// before the work of setting a password; [`consume`] decides).
pub async fn find_valid(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<UserId>, DbError> {
    Ok(password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(diesel::dsl::now))
        .select(password_resets::user_id)
        .first(conn)
        .await
        .optional()?)
}

/// Uses the token: returns its user when it exists, is unused and unexpired, and marks
/// it used in the same statement, so it works once even under concurrent attempts.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<UserId>, DbError> {
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(diesel::dsl::now)),
    )
    .set(password_resets::used_at.eq(diesel::dsl::now))
    .returning(password_resets::user_id)
    .get_result(conn)
    .await
    .optional()?)
}

/// Invalidates every outstanding token of a user (after a successful reset).
pub async fn invalidate_all(conn: &mut AsyncPgConnection, user: UserId) -> Result<usize, DbError> {
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?)
}
