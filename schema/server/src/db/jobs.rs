//! Idempotency records and dead-lettered jobs.

use super::DbError;
use super::tables::{failed_jobs, processed_jobs};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable,
    Selectable, SelectableHelper,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::OrganizationId;
use uuid::Uuid;

/// Records that `job_id` ran; call in the transaction of the job's effect. Returns false
/// when it was already recorded: the delivery is a duplicate and must have no effect.
pub async fn mark_processed(
    conn: &mut AsyncPgConnection,
    job_id: Uuid,
    kind: &str,
) -> Result<bool, DbError> {
    let inserted = diesel::insert_into(processed_jobs::table)
        .values((
            processed_jobs::job_id.eq(job_id),
            processed_jobs::kind.eq(kind),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

#[derive(Clone, Debug, Insertable)]
#[diesel(table_name = failed_jobs)]
pub struct NewFailedJob<'a> {
    pub id: Uuid,
    pub org_id: Option<OrganizationId>,
    pub kind: &'a str,
    pub envelope: serde_json::Value,
    pub error: &'a str,
    pub attempts: i32,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = failed_jobs, check_for_backend(diesel::pg::Pg))]
pub struct FailedJob {
    pub id: Uuid,
    pub org_id: Option<OrganizationId>,
    pub kind: String,
    pub envelope: serde_json::Value,
    pub error: String,
    pub attempts: i32,
    pub failed_at: DateTime<Utc>,
    pub retried_at: Option<DateTime<Utc>>,
}

/// Records (or re-records, after a retry failed again) a dead-lettered job.
pub async fn record_failed(
    conn: &mut AsyncPgConnection,
    job: &NewFailedJob<'_>,
) -> Result<(), DbError> {
    diesel::insert_into(failed_jobs::table)
        .values(job)
        .on_conflict(failed_jobs::id)
        .do_update()
        .set((
            failed_jobs::error.eq(job.error),
            failed_jobs::attempts.eq(job.attempts),
            failed_jobs::envelope.eq(&job.envelope),
            failed_jobs::failed_at.eq(diesel::dsl::now),
            failed_jobs::retried_at.eq(None::<DateTime<Utc>>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A page of an organization's failed jobs, newest first, after the cursor `(failed_at, id)`.
pub async fn list_failed(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<FailedJob>, DbError> {
    let mut query = failed_jobs::table
        .filter(failed_jobs::org_id.eq(org))
        .filter(failed_jobs::retried_at.is_null())
        .order((failed_jobs::failed_at.desc(), failed_jobs::id.desc()))
        .limit(limit)
        .select(FailedJob::as_select())
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            failed_jobs::failed_at
                .lt(at)
                .or(failed_jobs::failed_at.eq(at).and(failed_jobs::id.lt(id))),
        );
    }
    Ok(query.load(conn).await?)
}

pub async fn find_failed(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    id: Uuid,
) -> Result<Option<FailedJob>, DbError> {
    Ok(failed_jobs::table
        .find(id)
        .filter(failed_jobs::org_id.eq(org))
        .select(FailedJob::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn mark_retried(conn: &mut AsyncPgConnection, id: Uuid) -> Result<(), DbError> {
    diesel::update(failed_jobs::table.find(id))
        .set(failed_jobs::retried_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(())
}
