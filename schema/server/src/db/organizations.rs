use super::DbError;
use super::models::{Membership, NewMembership, Organization};
use super::tables::{api_tokens, memberships, organizations, sessions};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, JoinOnDsl, OptionalExtension, QueryDsl,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{MemberStatus, OrgRole};
use schema::ids::{OrganizationId, SessionId, UserId};

/// Most organizations one user can list at once.
pub const MAX_ORGANIZATIONS_PER_USER: i64 = 200;

/// Inserts an organization with `slug`, or `slug-xxxx` variants when taken.
pub async fn insert_with_unique_slug(
    conn: &mut AsyncPgConnection,
    id: OrganizationId,
    name: &str,
    slug: &str,
) -> Result<Organization, DbError> {
    let mut candidate = slug.to_string();
    for attempt in 0..8u32 {
        let inserted = diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(id),
                organizations::name.eq(name),
                organizations::slug.eq(&candidate),
            ))
            .on_conflict(organizations::slug)
            .do_nothing()
            .returning(Organization::as_returning())
            .get_result(conn)
            .await
            .optional()?;
        if let Some(org) = inserted {
            return Ok(org);
        }
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..4 + attempt as usize];
        candidate = format!("{slug}-{suffix}");
    }
    Err(DbError::Query(diesel::result::Error::NotFound))
}

pub async fn insert_membership(
    conn: &mut AsyncPgConnection,
    new: &NewMembership,
) -> Result<Membership, DbError> {
    Ok(diesel::insert_into(memberships::table)
        .values(new)
        .returning(Membership::as_returning())
        .get_result(conn)
        .await?)
}

/// The caller's organization and role, in one statement that also proves the session is
/// live and the membership active. `None` means "not signed in to this organization".
/// `session` is a sign-in session, or for a caller holding a personal API token that
/// token's id: then the token must be live (not revoked, not expired) instead.
pub async fn find_for_session(
    conn: &mut AsyncPgConnection,
    session: SessionId,
    user: UserId,
    org: OrganizationId,
) -> Result<Option<(Organization, OrgRole)>, DbError> {
    let live_session = diesel::dsl::exists(
        sessions::table
            .filter(sessions::id.eq(session))
            .filter(sessions::org_id.eq(org))
            .filter(sessions::user_id.eq(user))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(diesel::dsl::now)),
    );
    let live_token = diesel::dsl::exists(
        api_tokens::table
            .filter(api_tokens::id.eq(session.as_uuid()))
            .filter(api_tokens::org_id.eq(org))
            .filter(api_tokens::user_id.eq(user))
            .filter(api_tokens::revoked_at.is_null())
            .filter(api_tokens::expires_at.gt(diesel::dsl::now)),
    );
    Ok(organizations::table
        .inner_join(memberships::table.on(memberships::org_id.eq(organizations::id)))
        .filter(organizations::id.eq(org))
        .filter(memberships::user_id.eq(user))
        .filter(memberships::status.eq(MemberStatus::Active))
        .filter(live_session.or(live_token))
        .select((Organization::as_select(), memberships::role))
        .first(conn)
        .await
        .optional()?)
}

/// An active membership of `user` in `org`, with the organization.
pub async fn find_active_membership(
    conn: &mut AsyncPgConnection,
    user: UserId,
    org: OrganizationId,
) -> Result<Option<(Organization, OrgRole)>, DbError> {
    Ok(organizations::table
        .inner_join(memberships::table.on(memberships::org_id.eq(organizations::id)))
        .filter(organizations::id.eq(org))
        .filter(memberships::user_id.eq(user))
        .filter(memberships::status.eq(MemberStatus::Active))
        .select((Organization::as_select(), memberships::role))
        .first(conn)
        .await
        .optional()?)
}

/// Every organization where `user` is an active member, oldest membership first.
pub async fn list_for_user(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> Result<Vec<Organization>, DbError> {
    Ok(organizations::table
        .inner_join(memberships::table.on(memberships::org_id.eq(organizations::id)))
        .filter(memberships::user_id.eq(user))
        .filter(memberships::status.eq(MemberStatus::Active))
        .order((memberships::created_at.asc(), organizations::id.asc()))
        .limit(MAX_ORGANIZATIONS_PER_USER)
        .select(Organization::as_select())
        .load(conn)
        .await?)
}

/// The organization to sign in to: the oldest active membership.
pub async fn default_for_user(
    conn: &mut AsyncPgConnection,
    user: UserId,
) -> Result<Option<(Organization, OrgRole)>, DbError> {
    Ok(organizations::table
        .inner_join(memberships::table.on(memberships::org_id.eq(organizations::id)))
        .filter(memberships::user_id.eq(user))
        .filter(memberships::status.eq(MemberStatus::Active))
        .order((memberships::created_at.asc(), organizations::id.asc()))
        .select((Organization::as_select(), memberships::role))
        .first(conn)
        .await
        .optional()?)
}

/// Renames `org`.
pub async fn update_name(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    name: &str,
) -> Result<Organization, DbError> {
    Ok(diesel::update(organizations::table.find(org))
        .set((
            organizations::name.eq(name),
            organizations::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Organization::as_returning())
        .get_result(conn)
        .await?)
}
