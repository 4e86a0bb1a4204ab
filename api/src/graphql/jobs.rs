use super::pagination;
use crate::auth::AuthState;
use crate::error::ApiError;
use crate::service::jobs as service;
use crate::service::organization::require_caller;
use crate::state::{AppState, RequestMeta};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use schema_server::db::jobs::FailedJob as FailedJobRow;

/// A job that kept failing and was set aside.
#[derive(SimpleObject, Clone, Debug)]
pub struct FailedJob {
    pub id: ID,
    /// The job's kind, e.g. `send_welcome_email`.
    pub kind: String,
    /// The last error.
    pub error: String,
    pub attempts: i32,
    pub failed_at: DateTime<Utc>,
    /// When an admin sent it for another run.
    pub retried_at: Option<DateTime<Utc>>,
}

impl From<FailedJobRow> for FailedJob {
    fn from(j: FailedJobRow) -> Self {
        Self {
            id: ID(j.id.to_string()),
            kind: j.kind,
            error: j.error,
            attempts: j.attempts,
            failed_at: j.failed_at,
            retried_at: j.retried_at,
        }
    }
}

#[derive(Default)]
pub struct JobsQuery;

#[Object]
impl JobsQuery {
    /// Jobs of this organization that failed every attempt, newest first. OWNER/ADMIN.
    async fn failed_jobs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, FailedJob>> {
        let state = ctx.data::<AppState>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let first = pagination::page_size(first).extend()?;
        let cursor = pagination::decode(after.as_deref()).extend()?;
        let (rows, more) = service::list_failed(state, caller, cursor, first)
            .await
            .extend()?;
        let mut connection = Connection::new(cursor.is_some(), more);
        connection.edges.extend(
            rows.into_iter()
                .map(|row| Edge::new(pagination::encode(row.failed_at, row.id), row.into())),
        );
        Ok(connection)
    }
}

#[derive(Default)]
pub struct JobsMutation;

#[Object]
impl JobsMutation {
    /// Runs a failed job again from its first attempt. OWNER/ADMIN.
    async fn retry_failed_job(&self, ctx: &Context<'_>, id: ID) -> Result<FailedJob> {
        let state = ctx.data::<AppState>()?;
        let meta = ctx.data::<RequestMeta>()?;
        let caller = require_caller(ctx.data::<AuthState>()?).extend()?;
        let id = id
            .parse()
            .map_err(|_| ApiError::NotFound("failed job not found".into()))
            .extend()?;
        Ok(service::retry_failed(state, meta, caller, id)
            .await
            .extend()?
            .into())
    }
}
