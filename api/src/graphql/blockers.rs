//! Tracked blockers: `blockers`, `resolveBlocker`, `reopenBlocker`, and
//! `Standup.myOpenBlockers`.

use super::loaders::{RequestLoader, TeamById};
use super::pagination;
use super::teams::{Team, team_id};
use super::types::User;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::blockers::{self as service, BlockerView};
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, Object, Result, ResultExt};
use chrono::{DateTime, Utc};
use schema::enums;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "schema::enums::BlockerStatus")]
pub enum BlockerStatus {
    /// Still holds its owner up.
    Open,
    /// Someone resolved it.
    Resolved,
}

/// Something that holds a person up, opened by their answer to a BLOCKER question and
/// tracked until someone resolves it.
pub struct Blocker(pub BlockerView);

#[Object]
impl Blocker {
    async fn id(&self) -> ID {
        ID(self.0.blocker.id.to_string())
    }

    /// The answer's text (an edit of the answer updates it while the blocker is open).
    async fn text(&self) -> &str {
        &self.0.blocker.text
    }

    async fn status(&self) -> BlockerStatus {
        self.0.blocker.status.into()
    }

    /// Whose answer opened it.
    async fn owner(&self) -> Option<User> {
        self.0.owner.clone().map(Into::into)
    }

    async fn team(&self, ctx: &Context<'_>) -> Result<Option<Team>> {
        let loader = ctx.data::<RequestLoader>()?;
        Ok(loader
            .load_one(TeamById(self.0.blocker.org_id, self.0.blocker.team_id))
            .await
            .extend()?
            .map(Team))
    }

    async fn opened_at(&self) -> DateTime<Utc> {
        self.0.blocker.opened_at
    }

    /// Whole days since it opened, up to when it was resolved (now while open).
    async fn age_days(&self) -> i32 {
        let until = self.0.blocker.resolved_at.unwrap_or_else(Utc::now);
        i32::try_from((until - self.0.blocker.opened_at).num_days().max(0)).unwrap_or(i32::MAX)
    }

    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.blocker.resolved_at
    }

    /// Who resolved it; null while open (or once they are gone).
    async fn resolved_by(&self) -> Option<User> {
        self.0.resolved_by.clone().map(Into::into)
    }

    async fn resolution_note(&self) -> Option<&str> {
        self.0.blocker.resolution_note.as_deref()
    }

    /// The standup whose answer opened it.
    async fn source_standup_id(&self) -> ID {
        ID(self.0.blocker.standup_id.to_string())
    }
}

fn blocker_id(id: &ID) -> Result<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| ApiError::NotFound("blocker not found".into()))
        .extend()
}

/// `Standup.myOpenBlockers`: the viewer's open blockers, oldest first.
pub(super) async fn my_open(ctx: &Context<'_>) -> Result<Vec<Blocker>> {
    let state = ctx.data::<AppState>()?;
    let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
    Ok(service::mine_open(state, caller)
        .await
        .extend()?
        .into_iter()
        .map(Blocker)
        .collect())
}

#[derive(Default)]
pub struct BlockersQuery;

#[Object]
impl BlockersQuery {
    /// The viewer's open blockers in the current organization, oldest first (the
    /// dashboard's list). Any member.
    async fn my_open_blockers(&self, ctx: &Context<'_>) -> Result<Vec<Blocker>> {
        my_open(ctx).await
    }

    /// A team's blockers, oldest first; `status` narrows to OPEN or RESOLVED. Any member.
    async fn blockers(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        status: Option<BlockerStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, Blocker>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let team = self::team_id(&team_id)?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode(after.as_deref()).extend()?;
        let status: Option<enums::BlockerStatus> = status.map(Into::into);
        let (rows, more) = service::list(state, caller, team, status, cursor, first)
            .await
            .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(rows.into_iter().map(|view| {
            let cursor = pagination::encode(view.blocker.opened_at, view.blocker.id);
            Edge::new(cursor, Blocker(view))
        }));
        Ok(connection)
    }
}

#[derive(Default)]
pub struct BlockersMutation;

#[Object]
impl BlockersMutation {
    /// Resolves a blocker, with an optional note (at most 500 characters). Its owner,
    /// members of its team, OWNER/ADMIN.
    async fn resolve_blocker(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<Blocker> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = blocker_id(&id)?;
        Ok(Blocker(
            service::resolve(state, meta, caller, id, note)
                .await
                .extend()?,
        ))
    }

    /// Opens a resolved blocker again. Its owner, members of its team, OWNER/ADMIN.
    async fn reopen_blocker(&self, ctx: &Context<'_>, id: ID) -> Result<Blocker> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = blocker_id(&id)?;
        Ok(Blocker(
            service::reopen(state, meta, caller, id).await.extend()?,
        ))
    }
}
