//! Personal API tokens (`api_tokens`).
//!
//! A token's secret is never stored: only its SHA-256 (`token_hash`), by which
//! [`find_live_by_hash`] finds it. A token is live while it is not revoked, not expired
//! and its membership is ACTIVE; every request checks that again here (through
//! [`find_live_by_hash`] and [`organizations::find_for_session`](super::organizations::find_for_session)),
//! so revoking, expiry, suspending and removing take effect at once.

use super::DbError;
use super::tables::{api_tokens, memberships};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, JoinOnDsl, OptionalExtension, QueryDsl,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{ApiTokenScope, MemberStatus};
use schema::ids::{ApiTokenId, OrganizationId, UserId};

/// A token as listed (no hash).
#[derive(Clone, Debug, PartialEq, Eq, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub name: String,
    pub scope: ApiTokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// A token to store.
#[derive(Clone, Debug, diesel::Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub id: ApiTokenId,
    pub org_id: OrganizationId,
    pub user_id: UserId,
    pub name: &'a str,
    pub scope: ApiTokenScope,
    pub token_hash: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewApiToken<'_>,
) -> Result<ApiToken, DbError> {
    Ok(diesel::insert_into(api_tokens::table)
        .values(new)
        .returning(ApiToken::as_returning())
        .get_result(conn)
        .await?)
}

/// `user`'s tokens in `org` that are neither revoked nor expired, newest first.
pub async fn list_live(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    limit: i64,
) -> Result<Vec<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::org_id.eq(org))
        .filter(api_tokens::user_id.eq(user))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(diesel::dsl::now))
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .limit(limit)
        .select(ApiToken::as_select())
        .load(conn)
        .await?)
}

/// How many live tokens `user` has in `org`, counted under a lock on the membership row
/// so two creations at once cannot both pass the limit (call inside a transaction).
pub async fn count_live_locked(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<i64, DbError> {
    memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select(memberships::user_id)
        .for_update()
        .first::<UserId>(conn)
        .await
        .optional()?;
    Ok(api_tokens::table
        .filter(api_tokens::org_id.eq(org))
        .filter(api_tokens::user_id.eq(user))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(diesel::dsl::now))
        .count()
        .get_result(conn)
        .await?)
}

/// Revokes `user`'s live token `id` in `org`; `None` when there is no such token.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    id: ApiTokenId,
) -> Result<Option<ApiToken>, DbError> {
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::org_id.eq(org))
            .filter(api_tokens::user_id.eq(user))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .returning(ApiToken::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// The live token whose secret hashes to `hash`, with its member's membership ACTIVE.
pub async fn find_live_by_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> Result<Option<ApiToken>, DbError> {
    Ok(api_tokens::table
        .inner_join(
            memberships::table.on(memberships::org_id
                .eq(api_tokens::org_id)
                .and(memberships::user_id.eq(api_tokens::user_id))),
        )
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(diesel::dsl::now))
        .filter(memberships::status.eq(MemberStatus::Active))
        .select(ApiToken::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Records a use: sets `last_used_at` to now when it is unset or older than
/// `every_secs` seconds (so busy scripts do not write on every request).
pub async fn touch(
    conn: &mut AsyncPgConnection,
    id: ApiTokenId,
    every_secs: i32,
) -> Result<(), DbError> {
    let stale = Utc::now() - chrono::Duration::seconds(every_secs.into());
    diesel::update(
        api_tokens::table.filter(api_tokens::id.eq(id)).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(stale)),
        ),
    )
    .set(api_tokens::last_used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(())
}
