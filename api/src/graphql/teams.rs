use super::loaders::{ConfigsOf, MembersOf, RequestLoader};
use super::standup_configs::StandupConfig;
use super::types::User;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::organization::require_caller;
use crate::service::teams as service;
use crate::state::{AppState, RequestMeta};
use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, ResultExt, SimpleObject,
};
use chrono::{DateTime, Utc};
use schema::ids::{TeamId, UserId};
use schema_server::db::models;

/// A team of the current organization.
pub struct Team(pub models::Team);

#[Object]
impl Team {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// IANA time zone; a config without its own zone runs in this one.
    async fn timezone(&self) -> &str {
        &self.0.timezone
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// The team's members, by name.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<TeamMember>> {
        let loader = ctx.data::<RequestLoader>()?;
        let members = loader
            .load_one(MembersOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .unwrap_or_default();
        Ok(members
            .into_iter()
            .map(|(added_at, user)| TeamMember {
                user: user.into(),
                added_at,
            })
            .collect())
    }

    /// The holiday calendars the team uses: none of its standups opens on their dates.
    async fn holiday_calendars(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::away::HolidayCalendar>> {
        super::away::team_calendars(ctx, self).await
    }

    /// The team's standup configs, oldest first.
    /// The team's oldest open blocker, null when none is open (the dashboard lists each
    /// team's). Any member of the organization, as `blockers`.
    async fn oldest_open_blocker(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::blockers::Blocker>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let (open, _) = crate::service::blockers::list(
            state,
            caller,
            self.0.id,
            Some(schema::enums::BlockerStatus::Open),
            None,
            1,
        )
        .await
        .extend()?;
        Ok(open.into_iter().next().map(super::blockers::Blocker))
    }

    async fn standup_configs(&self, ctx: &Context<'_>) -> Result<Vec<StandupConfig>> {
        let loader = ctx.data::<RequestLoader>()?;
        let configs = loader
            .load_one(ConfigsOf(self.0.org_id, self.0.id))
            .await
            .extend()?
            .unwrap_or_default();
        Ok(configs.into_iter().map(StandupConfig).collect())
    }
}

/// A person's membership of a team.
#[derive(SimpleObject, Clone, Debug)]
pub struct TeamMember {
    pub user: User,
    pub added_at: DateTime<Utc>,
}

#[derive(InputObject, Debug)]
pub struct CreateTeamInput {
    /// 1 to 100 characters, unique in the organization (ignoring case).
    pub name: String,
    /// IANA time zone, e.g. "Europe/Berlin".
    pub timezone: String,
    /// At most 1000 characters.
    pub description: Option<String>,
}

/// Fields left out keep their value; `description: null` clears it.
#[derive(InputObject, Debug)]
pub struct UpdateTeamInput {
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub description: MaybeUndefined<String>,
}

pub(super) fn team_id(id: &ID) -> Result<TeamId> {
    id.parse::<TeamId>()
        .map_err(|_| ApiError::NotFound("team not found".into()))
        .extend()
}

fn user_id(id: &ID) -> Result<UserId> {
    id.parse::<UserId>()
        .map_err(|_| ApiError::NotFoundIn {
            field: "userId",
            message: "userId: no active member of this organization has this id".into(),
        })
        .extend()
}

#[derive(Default)]
pub struct TeamsQuery;

#[Object]
impl TeamsQuery {
    /// The current organization's teams, by name. Any member.
    async fn teams(&self, ctx: &Context<'_>) -> Result<Vec<Team>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let teams = service::list(state, caller).await.extend()?;
        Ok(teams.into_iter().map(Team).collect())
    }

    /// One team of the current organization (NOT_FOUND for any other id). Any member.
    async fn team(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Team>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = team_id(&id)?;
        Ok(Some(Team(service::get(state, caller, id).await.extend()?)))
    }
}

#[derive(Default)]
pub struct TeamsMutation;

#[Object]
impl TeamsMutation {
    /// Creates a team. OWNER/ADMIN.
    async fn create_team(&self, ctx: &Context<'_>, input: CreateTeamInput) -> Result<Team> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let input = service::NewTeamInput {
            name: input.name,
            timezone: input.timezone,
            description: input.description,
        };
        Ok(Team(
            service::create(state, meta, caller, input).await.extend()?,
        ))
    }

    /// Renames a team or changes its time zone or description. OWNER/ADMIN.
    async fn update_team(&self, ctx: &Context<'_>, id: ID, input: UpdateTeamInput) -> Result<Team> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = team_id(&id)?;
        let changes = service::TeamChanges {
            name: input.name,
            timezone: input.timezone,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d)),
            },
        };
        Ok(Team(
            service::update(state, meta, caller, id, changes)
                .await
                .extend()?,
        ))
    }

    /// Deletes a team with its members and standup configs. OWNER/ADMIN.
    async fn delete_team(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = team_id(&id)?;
        service::delete(state, meta, caller, id).await.extend()?;
        Ok(true)
    }

    /// Adds an active member of the organization to a team. OWNER/ADMIN.
    async fn add_team_member(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        user_id: ID,
    ) -> Result<TeamMember> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let user = self::user_id(&user_id)?;
        let (added_at, user) = service::add_member(state, meta, caller, team, user)
            .await
            .extend()?;
        Ok(TeamMember {
            user: user.into(),
            added_at,
        })
    }

    /// Removes someone from a team and from its standup configs. OWNER/ADMIN.
    async fn remove_team_member(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        user_id: ID,
    ) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let user = self::user_id(&user_id)?;
        service::remove_member(state, meta, caller, team, user)
            .await
            .extend()?;
        Ok(true)
    }
}
