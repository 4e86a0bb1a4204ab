//! Idempotency records and dead-lettered jobs.

use super::DbError;
use super::tables::{failed_jobs, processed_jobs};
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable,
    QueryableByName, Selectable, SelectableHelper,
    sql_types::{Array, Text, Uuid as SqlUuid},
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

/// A job id a statement returns.
#[derive(QueryableByName)]
pub(super) struct JobIdRow {
    #[diesel(sql_type = SqlUuid)]
    pub job_id: Uuid,
}

/// Records every id of `job_ids` (an id given twice once), all of kind `kind`, in one
/// statement, and returns those that were not recorded yet: the jobs this transaction
/// runs; the others are duplicates. Call in the transaction of the jobs' effects. The ids
/// are inserted in order, so two batches sharing ids cannot deadlock each other; an id
/// another transaction is recording waits for it and then counts as recorded.
pub async fn mark_many_processed(
    conn: &mut AsyncPgConnection,
    job_ids: &[Uuid],
    kind: &str,
) -> Result<Vec<Uuid>, DbError> {
    let fresh: Vec<JobIdRow> = diesel::sql_query(
        "INSERT INTO processed_jobs (job_id, kind)
         SELECT DISTINCT job_id, $2 FROM unnest($1::uuid[]) AS j (job_id) ORDER BY job_id
         ON CONFLICT DO NOTHING
         RETURNING job_id",
    )
    .bind::<Array<SqlUuid>, _>(job_ids)
    .bind::<Text, _>(kind)
    .load(conn)
    .await?;
    Ok(fresh.into_iter().map(|row| row.job_id).collect())
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
