use super::pagination;
use super::types::User;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::audit_log as service;
use crate::service::organization::require_caller;
use crate::state::AppState;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Json, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema::ids::UserId;
use schema_server::db::audit::AuditFilter as DbFilter;
use schema_server::db::models::{AuditEvent as AuditRow, User as UserRow};

/// Something someone did in the organization.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditEvent {
    pub id: ID,
    /// Who did it; null for the system, a deleted account, or someone unknown (a failed
    /// sign-in to an account of the organization).
    pub actor: Option<User>,
    /// e.g. `member.change_role`, `invitation.create`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// What changed (`before`/`after` where it applies); never secrets.
    pub summary: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<(AuditRow, Option<UserRow>)> for AuditEvent {
    fn from((e, actor): (AuditRow, Option<UserRow>)) -> Self {
        Self {
            id: ID(e.id.to_string()),
            actor: actor.map(Into::into),
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            ip: e.ip,
            user_agent: e.user_agent,
            request_id: e.request_id,
            summary: Json(e.summary),
            created_at: e.created_at,
        }
    }
}

/// Narrows the audit log; every given field must match.
#[derive(InputObject, Default, Debug)]
pub struct AuditFilter {
    pub actor_id: Option<ID>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Events at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub to: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The organization's audit events, newest first. OWNER/ADMIN.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<AuditFilter>,
    ) -> Result<Connection<String, AuditEvent>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode_id(after.as_deref()).extend()?;
        let filter = filter.unwrap_or_default();
        let actor = match &filter.actor_id {
            Some(id) => Some(
                id.parse::<UserId>()
                    .map_err(|_| ApiError::BadInput {
                        field: Some("actorId"),
                        message: "actorId: not a user id".into(),
                    })
                    .extend()?,
            ),
            None => None,
        };
        let filter = DbFilter {
            actor,
            action: filter.action,
            target_type: filter.target_type,
            target_id: filter.target_id,
            from: filter.from,
            to: filter.to,
        };
        let (rows, more) = service::list(state, caller, &filter, cursor, first)
            .await
            .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(pagination::encode_id(row.0.id), row.into())),
        );
        Ok(connection)
    }
}
