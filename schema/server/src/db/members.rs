//! An organization's members: listing with filters, role and status changes, removal.

use super::DbError;
use super::models::{Membership, User};
use super::tables::{memberships, users};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, OptionalExtension, PgTextExpressionMethods, QueryDsl,
    SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::{MemberStatus, OrgRole};
use schema::ids::{OrganizationId, UserId};

/// What the members list can be narrowed to.
#[derive(Clone, Debug, Default)]
pub struct MemberFilter {
    pub status: Option<MemberStatus>,
    pub role: Option<OrgRole>,
    /// Case-insensitive substring of the name or the e-mail.
    pub search: Option<String>,
}

/// `%`, `_` and `\` match themselves.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// One page of `org`'s members, oldest membership first, after the cursor
/// `(joined_at, user_id)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    filter: &MemberFilter,
    after: Option<(DateTime<Utc>, UserId)>,
    limit: i64,
) -> Result<Vec<(Membership, User)>, DbError> {
    let mut query = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(memberships::status.eq(status));
    }
    if let Some(role) = filter.role {
        query = query.filter(memberships::role.eq(role));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = like_pattern(search);
        query = query.filter(
            users::name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern)),
        );
    }
    if let Some((at, id)) = after {
        query = query.filter(
            memberships::created_at.gt(at).or(memberships::created_at
                .eq(at)
                .and(memberships::user_id.gt(id))),
        );
    }
    Ok(query
        .order((memberships::created_at.asc(), memberships::user_id.asc()))
        .limit(limit)
        .select((Membership::as_select(), User::as_select()))
        .load(conn)
        .await?)
}

/// `user`'s membership of `org` with the person, locked for the caller's transaction.
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Option<(Membership, User)>, DbError> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .select((Membership::as_select(), User::as_select()))
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The active owners of `org`, their rows locked so two concurrent demotions cannot
/// both see another owner.
pub async fn lock_active_owners(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<Vec<UserId>, DbError> {
    Ok(memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::role.eq(OrgRole::Owner))
        .filter(memberships::status.eq(MemberStatus::Active))
        .order(memberships::user_id.asc())
        .select(memberships::user_id)
        .for_update()
        .load(conn)
        .await?)
}

/// Those among `users` whose membership of `org` is ACTIVE (the people standup e-mails
/// may go to), in id order.
pub async fn active_among(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    users: &[UserId],
) -> Result<Vec<UserId>, DbError> {
    Ok(memberships::table
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq_any(users))
        .filter(memberships::status.eq(MemberStatus::Active))
        .order(memberships::user_id.asc())
        .select(memberships::user_id)
        .load(conn)
        .await?)
}

pub async fn set_role(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    role: OrgRole,
) -> Result<Membership, DbError> {
    Ok(diesel::update(memberships::table.find((org, user)))
        .set((
            memberships::role.eq(role),
            memberships::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Membership::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn set_status(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
    status: MemberStatus,
) -> Result<Membership, DbError> {
    Ok(diesel::update(memberships::table.find((org, user)))
        .set((
            memberships::status.eq(status),
            memberships::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Membership::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<bool, DbError> {
    let n = diesel::delete(memberships::table.find((org, user)))
        .execute(conn)
        .await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_text_is_matched_literally() {
        assert_eq!(like_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
