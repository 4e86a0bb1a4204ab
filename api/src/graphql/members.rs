use super::loaders::{RequestLoader, SlackMatchedOf};
use super::pagination;
use super::types::{OrgRole, Organization, User};
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::members as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, Result, ResultExt, SimpleObject,
};
use chrono::{DateTime, Utc};
use schema::ids::{OrganizationId, UserId};

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::MemberStatus")]
pub enum MemberStatus {
    Invited,
    Active,
    Suspended,
}

/// A person's membership of the current organization.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Member {
    pub user: User,
    pub role: OrgRole,
    pub status: MemberStatus,
    pub joined_at: DateTime<Utc>,
    #[graphql(skip)]
    pub org: OrganizationId,
    #[graphql(skip)]
    pub user_id: UserId,
}

#[ComplexObject]
impl Member {
    /// Whether the member is matched to a Slack user of the connected workspace (same
    /// e-mail in both), so Slack delivery reaches them there.
    async fn slack_matched(&self, ctx: &Context<'_>) -> Result<bool> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(SlackMatchedOf(self.org, self.user_id))
            .await
            .extend()?
            .unwrap_or(false))
    }
}

impl From<service::Member> for Member {
    fn from((membership, user): service::Member) -> Self {
        Self {
            user: user.into(),
            role: membership.role.into(),
            status: membership.status.into(),
            joined_at: membership.created_at,
            org: membership.org_id,
            user_id: membership.user_id,
        }
    }
}

/// Narrows the members list; every given field must match.
#[derive(InputObject, Default, Debug)]
pub struct MemberFilter {
    pub status: Option<MemberStatus>,
    pub role: Option<OrgRole>,
    /// Case-insensitive part of the name or e-mail.
    pub search: Option<String>,
}

#[derive(InputObject, Debug)]
pub struct UpdateOrganizationInput {
    pub name: String,
}

fn user_id(id: &ID) -> Result<UserId> {
    id.parse::<UserId>()
        .map_err(|_| ApiError::NotFound("member not found".into()))
        .extend()
}

#[derive(Default)]
pub struct MembersQuery;

#[Object]
impl MembersQuery {
    /// The current organization's members, oldest membership first.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<MemberFilter>,
    ) -> Result<Connection<String, Member>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode(after.as_deref()).extend()?;
        let filter = filter.unwrap_or_default();
        let filter = schema_server::db::members::MemberFilter {
            status: filter.status.map(Into::into),
            role: filter.role.map(Into::into),
            search: filter.search,
        };
        let (rows, more) = service::list(
            state,
            caller,
            &filter,
            cursor.map(|(at, id)| (at, UserId::from(id))),
            first,
        )
        .await
        .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(rows.into_iter().map(|row| {
            let cursor = pagination::encode(row.0.created_at, row.0.user_id.as_uuid());
            Edge::new(cursor, row.into())
        }));
        Ok(connection)
    }
}

#[derive(Default)]
pub struct MembersMutation;

#[Object]
impl MembersMutation {
    /// Sets a member's role. OWNER/ADMIN; only an OWNER makes or unmakes OWNERs and ADMINs.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        role: OrgRole,
    ) -> Result<Member> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let target = self::user_id(&user_id)?;
        Ok(
            service::change_role(state, meta, caller, target, role.into())
                .await
                .extend()?
                .into(),
        )
    }

    /// Suspends a member: their sessions here end at once. OWNER/ADMIN.
    async fn suspend_member(&self, ctx: &Context<'_>, user_id: ID) -> Result<Member> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let target = self::user_id(&user_id)?;
        Ok(service::suspend(state, meta, caller, target)
            .await
            .extend()?
            .into())
    }

    /// Lets a suspended member back in. OWNER/ADMIN.
    async fn reactivate_member(&self, ctx: &Context<'_>, user_id: ID) -> Result<Member> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let target = self::user_id(&user_id)?;
        Ok(service::reactivate(state, meta, caller, target)
            .await
            .extend()?
            .into())
    }

    /// Removes a member from the organization. OWNER/ADMIN.
    async fn remove_member(&self, ctx: &Context<'_>, user_id: ID) -> Result<bool> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let target = self::user_id(&user_id)?;
        service::remove(state, meta, caller, target)
            .await
            .extend()?;
        Ok(true)
    }

    /// Changes the current organization's settings. OWNER/ADMIN.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> Result<Organization> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        Ok(
            service::update_organization(state, meta, caller, &input.name)
                .await
                .extend()?
                .into(),
        )
    }
}
