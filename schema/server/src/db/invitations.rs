//! Invitations to join an organization (token stored as SHA-256, 7 days).

use super::DbError;
use super::tables::{invitations, organizations, users};
use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, JoinOnDsl, NullableExpressionMethods, OptionalExtension, QueryDsl,
    Queryable, Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::OrgRole;
use schema::ids::{OrganizationId, UserId};
use uuid::Uuid;

/// How long an invitation link works after it is sent.
pub const LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(7);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = invitations, check_for_backend(diesel::pg::Pg))]
pub struct Invitation {
    pub id: Uuid,
    pub org_id: OrganizationId,
    pub email: String,
    pub role: OrgRole,
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// Neither accepted nor revoked (it may still have expired).
    pub fn is_open(&self) -> bool {
        self.accepted_at.is_none() && self.revoked_at.is_none()
    }
}

/// Inserts a pending invitation; `None` when one is already pending for this address.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    org: OrganizationId,
    email: &str,
    role: OrgRole,
    invited_by: UserId,
) -> Result<Option<Invitation>, DbError> {
    // An expired pending invitation for the same address gives way to the new one.
    diesel::update(
        invitations::table
            .filter(invitations::org_id.eq(org))
            .filter(invitations::email.eq(email))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null())
            .filter(invitations::expires_at.le(diesel::dsl::now)),
    )
    .set(invitations::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(id),
            invitations::org_id.eq(org),
            invitations::email.eq(email),
            invitations::role.eq(role),
            invitations::invited_by.eq(invited_by),
            invitations::expires_at.eq(Utc::now() + LIFETIME),
        ))
        .on_conflict_do_nothing()
        .returning(Invitation::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// `org`'s invitation `id`, locked for the caller's transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<Invitation>, DbError> {
    Ok(invitations::table
        .filter(invitations::org_id.eq(org))
        .filter(invitations::id.eq(id))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The invitation a token belongs to, locked, so it is accepted at most once.
pub async fn find_by_token_for_update(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> Result<Option<Invitation>, DbError> {
    Ok(invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Invitation, DbError> {
    Ok(diesel::update(invitations::table.find(id))
        .set((
            invitations::revoked_at.eq(diesel::dsl::now),
            invitations::token_hash.eq(None::<Vec<u8>>),
        ))
        .returning(Invitation::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn mark_accepted(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: UserId,
) -> Result<(), DbError> {
    diesel::update(invitations::table.find(id))
        .set((
            invitations::accepted_at.eq(diesel::dsl::now),
            invitations::accepted_by.eq(user),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// What the worker needs to send an invitation.
#[derive(Clone, Debug)]
pub struct ToSend {
    pub invitation: Invitation,
    pub organization: String,
    pub inviter: Option<String>,
}

/// Which invitation [`find_open_with_names`] reads.
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    Id(Uuid),
    /// The SHA-256 of the link's token.
    TokenHash(&'a [u8]),
}

/// An open invitation with its organization's and inviter's names: what the e-mail and
/// the page the link opens tell the invitee.
pub async fn find_open_with_names(
    conn: &mut AsyncPgConnection,
    key: Key<'_>,
) -> Result<Option<ToSend>, DbError> {
    let mut query = invitations::table
        .inner_join(organizations::table)
        .left_join(users::table.on(users::id.nullable().eq(invitations::invited_by)))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .select((
            Invitation::as_select(),
            organizations::name,
            users::name.nullable(),
        ))
        .into_boxed();
    query = match key {
        Key::Id(id) => query.filter(invitations::id.eq(id)),
        Key::TokenHash(hash) => query.filter(invitations::token_hash.eq(hash)),
    };
    let row: Option<(Invitation, String, Option<String>)> = query.first(conn).await.optional()?;
    Ok(row.map(|(invitation, organization, inviter)| ToSend {
        invitation,
        organization,
        inviter,
    }))
}

/// Stores a newly issued token (replacing any earlier one) and restarts the expiry.
pub async fn set_token(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    diesel::update(invitations::table.find(id))
        .set((
            invitations::token_hash.eq(token_hash),
            invitations::expires_at.eq(expires_at),
            invitations::sent_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// `org`'s open (neither accepted nor revoked) invitations, newest first, after the
/// cursor `(created_at, id)`.
pub async fn list_open(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Invitation>, DbError> {
    use diesel::BoolExpressionMethods;
    let mut query = invitations::table
        .filter(invitations::org_id.eq(org))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            invitations::created_at
                .lt(at)
                .or(invitations::created_at.eq(at).and(invitations::id.lt(id))),
        );
    }
    Ok(query
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .limit(limit)
        .select(Invitation::as_select())
        .load(conn)
        .await?)
}

/// Deletes open invitations that expired before `cutoff` (the worker's clean-up).
pub async fn delete_expired(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        invitations::table
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::expires_at.lt(cutoff)),
    )
    .execute(conn)
    .await?)
}
