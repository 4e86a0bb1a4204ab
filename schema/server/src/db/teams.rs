//! Teams and their members. Every query is filtered by the organization, but for
//! [`names_any`], the worker's (its jobs name a team of whichever organization).

use super::DbError;
use super::models::{NewTeam, Team, User};
use super::tables::{memberships, organizations, team_members, teams, users};
use chrono::{DateTime, Utc};
use diesel::{
    ExpressionMethods, JoinOnDsl, OptionalExtension, QueryDsl, SelectableHelper,
    dsl::{count_star, sql},
    sql_types::Text,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::enums::MemberStatus;
use schema::ids::{OrganizationId, TeamId, UserId};

/// One member of a team: the team, when they were added and the person.
pub type TeamMemberRow = (TeamId, DateTime<Utc>, User);

/// Inserts a team; `None` when the organization already has one with this name
/// (ignoring case).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewTeam<'_>,
) -> Result<Option<Team>, DbError> {
    Ok(diesel::insert_into(teams::table)
        .values(new)
        .on_conflict_do_nothing()
        .returning(Team::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}

/// Locks `org`'s row for the caller's transaction, so two concurrent creations cannot
/// both pass the per-organization limit (rows referencing it can still be written).
pub async fn lock_organization(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
) -> Result<(), DbError> {
    organizations::table
        .filter(organizations::id.eq(org))
        .select(organizations::id)
        .for_no_key_update()
        .first::<OrganizationId>(conn)
        .await
        .optional()?;
    Ok(())
}

/// How many teams `org` has.
pub async fn count(conn: &mut AsyncPgConnection, org: OrganizationId) -> Result<i64, DbError> {
    Ok(teams::table
        .filter(teams::org_id.eq(org))
        .select(count_star())
        .get_result(conn)
        .await?)
}

/// Whether `org` has another team (not `except`) named `name`, ignoring case.
pub async fn name_taken(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    name: &str,
    except: Option<TeamId>,
) -> Result<bool, DbError> {
    let mut query = teams::table
        .filter(teams::org_id.eq(org))
        .filter(sql::<Text>("lower(name)").eq(name.to_lowercase()))
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(teams::id.ne(except));
    }
    Ok(diesel::select(diesel::dsl::exists(query))
        .get_result(conn)
        .await?)
}

/// `org`'s teams by name.
pub async fn list(conn: &mut AsyncPgConnection, org: OrganizationId) -> Result<Vec<Team>, DbError> {
    Ok(teams::table
        .filter(teams::org_id.eq(org))
        .order((sql::<Text>("lower(name)").asc(), teams::id.asc()))
        .select(Team::as_select())
        .load(conn)
        .await?)
}

/// `org`'s teams among `ids`.
pub async fn find_many(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[TeamId],
) -> Result<Vec<Team>, DbError> {
    Ok(teams::table
        .filter(teams::org_id.eq(org))
        .filter(teams::id.eq_any(ids))
        .select(Team::as_select())
        .load(conn)
        .await?)
}

/// The names of the teams among `ids`, of whichever organization (a deleted team is left
/// out), in one statement: for the worker, whose jobs name the team.
pub async fn names_any(
    conn: &mut AsyncPgConnection,
    ids: &[TeamId],
) -> Result<Vec<(TeamId, String)>, DbError> {
    Ok(teams::table
        .filter(teams::id.eq_any(ids))
        .select((teams::id, teams::name))
        .load(conn)
        .await?)
}

/// `org`'s team `id`.
pub async fn find(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: TeamId,
) -> Result<Option<Team>, DbError> {
    Ok(teams::table
        .filter(teams::org_id.eq(org))
        .filter(teams::id.eq(id))
        .select(Team::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// `org`'s team `id`, locked for the caller's transaction (key share stays allowed, so
/// rows referencing it can still be written by others).
pub async fn find_for_update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: TeamId,
) -> Result<Option<Team>, DbError> {
    Ok(teams::table
        .filter(teams::org_id.eq(org))
        .filter(teams::id.eq(id))
        .select(Team::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: TeamId,
    name: &str,
    timezone: &str,
    description: Option<&str>,
) -> Result<Team, DbError> {
    Ok(diesel::update(
        teams::table
            .filter(teams::org_id.eq(org))
            .filter(teams::id.eq(id)),
    )
    .set((
        teams::name.eq(name),
        teams::timezone.eq(timezone),
        teams::description.eq(description),
        teams::updated_at.eq(diesel::dsl::now),
    ))
    .returning(Team::as_returning())
    .get_result(conn)
    .await?)
}

/// Deletes the team with its members and standup configs.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: TeamId,
) -> Result<bool, DbError> {
    let n = diesel::delete(
        teams::table
            .filter(teams::org_id.eq(org))
            .filter(teams::id.eq(id)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}

/// The members of `org`'s teams among `ids`, by name, in one statement.
pub async fn members_of(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    ids: &[TeamId],
) -> Result<Vec<TeamMemberRow>, DbError> {
    Ok(team_members::table
        .inner_join(users::table)
        .filter(team_members::org_id.eq(org))
        .filter(team_members::team_id.eq_any(ids))
        .order((users::name.asc(), users::id.asc()))
        .select((
            team_members::team_id,
            team_members::added_at,
            User::as_select(),
        ))
        .load(conn)
        .await?)
}

/// The user ids of `team`'s members.
pub async fn member_ids(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
) -> Result<Vec<UserId>, DbError> {
    Ok(team_members::table
        .filter(team_members::org_id.eq(org))
        .filter(team_members::team_id.eq(team))
        .select(team_members::user_id)
        .load(conn)
        .await?)
}

/// `user` when they are an active member of `org`.
pub async fn find_active_member(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    user: UserId,
) -> Result<Option<User>, DbError> {
    Ok(users::table
        .inner_join(memberships::table.on(memberships::user_id.eq(users::id)))
        .filter(memberships::org_id.eq(org))
        .filter(memberships::user_id.eq(user))
        .filter(memberships::status.eq(MemberStatus::Active))
        .select(User::as_select())
        .for_key_share()
        .first(conn)
        .await
        .optional()?)
}

/// Adds `user` to `team`; `None` when they already were a member.
pub async fn add_member(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    user: UserId,
) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(diesel::insert_into(team_members::table)
        .values((
            team_members::org_id.eq(org),
            team_members::team_id.eq(team),
            team_members::user_id.eq(user),
        ))
        .on_conflict_do_nothing()
        .returning(team_members::added_at)
        .get_result(conn)
        .await
        .optional()?)
}

/// When `user` joined `team`, if they are a member.
pub async fn membership(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    user: UserId,
) -> Result<Option<DateTime<Utc>>, DbError> {
    Ok(team_members::table
        .filter(team_members::org_id.eq(org))
        .filter(team_members::team_id.eq(team))
        .filter(team_members::user_id.eq(user))
        .select(team_members::added_at)
        .first(conn)
        .await
        .optional()?)
}

/// Removes `user` from `team` (and, by the foreign key, from its configs' participants).
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    team: TeamId,
    user: UserId,
) -> Result<bool, DbError> {
    let n = diesel::delete(
        team_members::table
            .filter(team_members::org_id.eq(org))
            .filter(team_members::team_id.eq(team))
            .filter(team_members::user_id.eq(user)),
    )
    .execute(conn)
    .await?;
    Ok(n > 0)
}
