//! Sign-in sessions and their refresh tokens (one family per session).

use super::DbError;
use super::models::{NewSession, Session};
use super::tables::{refresh_tokens, sessions};
use chrono::{DateTime, Utc};
use diesel::{ExpressionMethods, OptionalExtension, QueryDsl, SelectableHelper};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, SessionId, UserId};

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewSession<'_>,
) -> Result<Session, DbError> {
    Ok(diesel::insert_into(sessions::table)
        .values(new)
        .returning(Session::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn insert_refresh_token(
    conn: &mut AsyncPgConnection,
    session: SessionId,
    token_hash: &[u8],
) -> Result<(), DbError> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A presented refresh token with its session, the token row locked for this transaction
/// so two concurrent refreshes with the same token cannot both succeed.
pub struct PresentedToken {
    pub used_at: Option<DateTime<Utc>>,
    pub session: Session,
}

pub async fn find_token_for_update(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<PresentedToken>, DbError> {
    let row: Option<(Option<DateTime<Utc>>, Session)> = refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((refresh_tokens::used_at, Session::as_select()))
        .for_update()
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(used_at, session)| PresentedToken { used_at, session }))
}

pub async fn mark_token_used(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<(), DbError> {
    diesel::update(refresh_tokens::table.find(token_hash))
        .set(refresh_tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Slides the session's expiry forward on use.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(sessions::table.find(id))
        .set((
            sessions::last_used_at.eq(diesel::dsl::now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes the session (the whole refresh-token family). Returns false when it was
/// already revoked or does not exist.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    reason: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// Revokes every live session of a user (password reset, signing out everywhere).
pub async fn revoke_all_for_user(
    conn: &mut AsyncPgConnection,
    user: UserId,
    reason: &str,
) -> Result<usize, DbError> {
    revoke_for_user(conn, user, None, reason).await
}

/// Revokes every live session of a user but `keep` (a password change keeps the
/// session that made it).
pub async fn revoke_all_for_user_except(
    conn: &mut AsyncPgConnection,
    user: UserId,
    keep: SessionId,
    reason: &str,
) -> Result<usize, DbError> {
    revoke_for_user(conn, user, Some(keep), reason).await
}

async fn revoke_for_user(
    conn: &mut AsyncPgConnection,
    user: UserId,
    keep: Option<SessionId>,
    reason: &str,
) -> Result<usize, DbError> {
    let keep: Vec<SessionId> = keep.into_iter().collect();
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne_all(keep)),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await?)
}

/// Revokes every live session `user` has in `org` (suspension, removal).
pub async fn revoke_all_in_organization(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    reason: &str,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::org_id.eq(org))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await?)
}

/// Moves a live session to another organization (switchOrganization).
pub async fn set_organization(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    org: OrganizationId,
) -> Result<bool, DbError> {
    let n = diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::org_id.eq(org),
        sessions::last_used_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// The live session `id` of `user`, if any.
pub async fn find_live(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    user: UserId,
) -> Result<Option<Session>, DbError> {
    Ok(sessions::table
        .find(id)
        .filter(sessions::user_id.eq(user))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .select(Session::as_select())
        .first(conn)
        .await
        .optional()?)
}
