//! Dead-lettered jobs, for the organization's owners and admins.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, organization};
use crate::state::{AppState, RequestMeta};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use schema::jobs::JobEnvelope;
use schema_server::db::jobs::{self, FailedJob};
use schema_server::outbox;
use serde_json::json;
use uuid::Uuid;

pub const MAX_PAGE: i64 = 100;

/// Owners and admins only.
async fn require_admin(state: &AppState, caller: &Caller) -> ApiResult<()> {
    let (_, role) = organization::current(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(
            "only owners and admins can see failed jobs".into(),
        ));
    }
    Ok(())
}

/// One page (newest first) and whether more follow.
#[tracing::instrument(skip_all)]
pub async fn list_failed(
    state: &AppState,
    caller: &Caller,
    after: Option<(DateTime<Utc>, Uuid)>,
    first: i64,
) -> ApiResult<(Vec<FailedJob>, bool)> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let mut page = jobs::list_failed(&mut conn, caller.org, after, first + 1).await?;
    let more = page.len() as i64 > first;
    page.truncate(first as usize);
    Ok((page, more))
}

/// Runs a failed job again from its first attempt, through the outbox.
#[tracing::instrument(skip_all)]
pub async fn retry_failed(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<FailedJob> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let job = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let job = jobs::find_failed(tx, caller.org, id)
                .await?
                .ok_or_else(|| ApiError::NotFound("failed job not found".into()))?;
            if job.retried_at.is_some() {
                return Err(ApiError::Conflict {
                    field: Some("id"),
                    message: "id: this job was already sent for another run".into(),
                });
            }
            let mut envelope: JobEnvelope =
                serde_json::from_value(job.envelope.clone()).map_err(ApiError::internal)?;
            envelope.attempt = 0;
            outbox::enqueue_many(tx, &[outbox::row_of(job.org_id, &envelope)?]).await?;
            jobs::mark_retried(tx, id).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "job.retry",
                Some(("job", id.to_string())),
                json!({ "kind": job.kind }),
            )
            .await?;
            Ok(job)
        })
        .await?;
    state.outbox.wake();
    Ok(FailedJob {
        retried_at: Some(Utc::now()),
        ..job
    })
}
