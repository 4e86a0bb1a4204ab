//! Teams and their members.
//!
//! Rules: any active member of the organization reads teams; OWNER and ADMIN create,
//! change and delete them and manage their members. Names are unique per organization
//! (ignoring case); a team's time zone is an IANA name; members are active members of
//! the same organization. Another organization's team or user answers NOT_FOUND.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, organization};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::enums::OrgRole;
use schema::ids::{OrganizationId, TeamId, UserId};
use schema::schedule;
use schema::standup::MAX_TEAMS_PER_ORGANIZATION;
use schema::validation::{self, ValidationError};
use schema_server::db::models::{NewTeam, Team, User};
use schema_server::db::{standup_configs, teams};
use serde_json::json;
use std::collections::HashMap;

/// A member of a team: when they were added, and who they are.
pub type TeamMember = (DateTime<Utc>, User);

/// What `createTeam` takes.
#[derive(Clone, Debug)]
pub struct NewTeamInput {
    pub name: String,
    pub timezone: String,
    pub description: Option<String>,
}

/// What `updateTeam` changes; `None` keeps the current value (`description:
/// Some(None)` clears it).
#[derive(Clone, Debug, Default)]
pub struct TeamChanges {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub description: Option<Option<String>>,
}

/// The caller's role after proving they are still an active member.
pub(crate) async fn require_member(state: &AppState, caller: &Caller) -> ApiResult<OrgRole> {
    let (_, role) = organization::current(state, caller).await?;
    Ok(role)
}

/// The caller's role, or FORBIDDEN unless OWNER/ADMIN.
pub(crate) async fn require_admin(
    state: &AppState,
    caller: &Caller,
    what: &str,
) -> ApiResult<OrgRole> {
    let role = require_member(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(format!(
            "only owners and admins can {what}"
        )));
    }
    Ok(role)
}

pub(crate) fn team_not_found() -> ApiError {
    ApiError::NotFound("team not found".into())
}

fn name_conflict() -> ApiError {
    ApiError::Conflict {
        field: Some("name"),
        message: "name: another team in this organization already has this name".into(),
    }
}

fn validate_timezone(raw: &str) -> Result<String, ValidationError> {
    let value = raw.trim();
    schedule::parse_timezone(value)?;
    Ok(value.to_string())
}

fn summary(team: &Team) -> serde_json::Value {
    json!({ "name": team.name, "timezone": team.timezone, "description": team.description })
}

/// The organization's teams by name. Any member.
#[tracing::instrument(skip_all)]
pub async fn list(state: &AppState, caller: &Caller) -> ApiResult<Vec<Team>> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    Ok(teams::list(&mut conn, caller.org).await?)
}

/// One team of the organization. Any member.
#[tracing::instrument(skip_all)]
pub async fn get(state: &AppState, caller: &Caller, id: TeamId) -> ApiResult<Team> {
    require_member(state, caller).await?;
    let mut conn = state.db().await?;
    teams::find(&mut conn, caller.org, id)
        .await?
        .ok_or_else(team_not_found)
}

/// Creates a team. OWNER/ADMIN; at most 200 per organization.
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    input: NewTeamInput,
) -> ApiResult<Team> {
    let name = validation::validate_label("name", &input.name)?;
    let timezone = validate_timezone(&input.timezone)?;
    let description = validation::validate_description(input.description.as_deref())?;
    require_admin(state, caller, "create teams").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        // Serialises team creation per organization, so the limit holds under races.
        teams::lock_organization(tx, caller.org).await?;
        if teams::count(tx, caller.org).await? >= MAX_TEAMS_PER_ORGANIZATION {
            return Err(ApiError::Conflict {
                field: None,
                message: format!(
                    "an organization can have at most {MAX_TEAMS_PER_ORGANIZATION} teams; delete one first"
                ),
            });
        }
        let team = teams::insert(
            tx,
            &NewTeam {
                id: TeamId::new_random(),
                org_id: caller.org,
                name: &name,
                timezone: &timezone,
                description: description.as_deref(),
            },
        )
        .await?
        .ok_or_else(name_conflict)?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "team.created",
            Some(("team", team.id.to_string())),
            json!({ "before": null, "after": summary(&team) }),
        )
        .await?;
        Ok(team)
    })
    .await
}

/// Renames a team, or changes its time zone or description. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn update(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: TeamId,
    changes: TeamChanges,
) -> ApiResult<Team> {
    let name = changes
        .name
        .as_deref()
        .map(|n| validation::validate_label("name", n))
        .transpose()?;
    let timezone = changes
        .timezone
        .as_deref()
        .map(validate_timezone)
        .transpose()?;
    let description = changes
        .description
        .as_ref()
        .map(|d| validation::validate_description(d.as_deref()))
        .transpose()?;
    require_admin(state, caller, "change teams").await?;
    let mut conn = state.db().await?;
    let result = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let before = teams::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(team_not_found)?;
            let name = name.unwrap_or_else(|| before.name.clone());
            if teams::name_taken(tx, caller.org, &name, Some(id)).await? {
                return Err(name_conflict());
            }
            let timezone = timezone.unwrap_or_else(|| before.timezone.clone());
            let description = description.unwrap_or_else(|| before.description.clone());
            let after =
                teams::update(tx, caller.org, id, &name, &timezone, description.as_deref()).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "team.updated",
                Some(("team", id.to_string())),
                json!({ "before": summary(&before), "after": summary(&after) }),
            )
            .await?;
            Ok(after)
        })
        .await;
    match result {
        // A concurrent rename took the name between our check and our write.
        Err(ApiError::Internal(e))
            if e.downcast_ref::<schema_server::db::DbError>()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Err(name_conflict())
        }
        other => other,
    }
}

/// Deletes a team with its members and standup configs. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn delete(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: TeamId,
) -> ApiResult<()> {
    require_admin(state, caller, "delete teams").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = teams::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(team_not_found)?;
        let members = teams::member_ids(tx, caller.org, id).await?.len();
        let configs = standup_configs::count_for_team(tx, caller.org, id).await?;
        teams::delete(tx, caller.org, id).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "team.deleted",
            Some(("team", id.to_string())),
            json!({
                "before": summary(&before),
                "after": null,
                "membersRemoved": members,
                "standupConfigsDeleted": configs,
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Adds an active member of the organization to a team (adding someone already there
/// changes nothing). OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn add_member(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    team: TeamId,
    user: UserId,
) -> ApiResult<TeamMember> {
    require_admin(state, caller, "manage team members").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        teams::find_for_update(tx, caller.org, team)
            .await?
            .ok_or_else(team_not_found)?;
        let person = teams::find_active_member(tx, caller.org, user)
            .await?
            .ok_or_else(|| ApiError::NotFoundIn {
                field: "userId",
                message: "userId: no active member of this organization has this id".into(),
            })?;
        let Some(added_at) = teams::add_member(tx, caller.org, team, user).await? else {
            let added_at = teams::membership(tx, caller.org, team, user)
                .await?
                .unwrap_or_else(Utc::now);
            return Ok((added_at, person));
        };
        // They join the future runs of the team's "everyone" configs.
        schema_server::db::standup_configs::join_everyone_configs(tx, caller.org, team, user)
            .await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "team.member_added",
            Some(("team", team.to_string())),
            json!({ "before": null, "after": { "userId": user, "email": person.email } }),
        )
        .await?;
        Ok((added_at, person))
    })
    .await
}

/// Removes someone from a team and from the participants of its standup configs.
/// OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn remove_member(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    team: TeamId,
    user: UserId,
) -> ApiResult<()> {
    require_admin(state, caller, "manage team members").await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        teams::find_for_update(tx, caller.org, team)
            .await?
            .ok_or_else(team_not_found)?;
        let configs = standup_configs::configs_asking(tx, caller.org, team, user).await?;
        // The participants go with the team membership (foreign key cascade).
        if !teams::remove_member(tx, caller.org, team, user).await? {
            return Err(ApiError::NotFoundIn {
                field: "userId",
                message: "userId: this person is not a member of the team".into(),
            });
        }
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "team.member_removed",
            Some(("team", team.to_string())),
            json!({
                "before": { "userId": user, "standupConfigs": configs },
                "after": null,
            }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Teams by id, for the DataLoader (the parent resolver already checked the caller).
pub async fn load_teams(
    state: &AppState,
    org: OrganizationId,
    ids: &[TeamId],
) -> ApiResult<HashMap<TeamId, Team>> {
    let mut conn = state.db().await?;
    Ok(teams::find_many(&mut conn, org, ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// The members of several teams in one statement, for the DataLoader.
pub async fn load_members(
    state: &AppState,
    org: OrganizationId,
    ids: &[TeamId],
) -> ApiResult<HashMap<TeamId, Vec<TeamMember>>> {
    let mut conn = state.db().await?;
    let mut out: HashMap<TeamId, Vec<TeamMember>> =
        ids.iter().map(|id| (*id, Vec::new())).collect();
    for (team, added_at, user) in teams::members_of(&mut conn, org, ids).await? {
        out.entry(team).or_default().push((added_at, user));
    }
    Ok(out)
}
