//! Idempotency records and dead-lettered jobs.

use super::DbError;
use super::tables::{failed_jobs, processed_jobs};
use super::users::Addressee;
use chrono::{DateTime, Utc};
use diesel::{
    BoolExpressionMethods, ExpressionMethods, Insertable, OptionalExtension, QueryDsl, Queryable,
    QueryableByName, Selectable, SelectableHelper,
    sql_types::{Array, Nullable, Text, Uuid as SqlUuid},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, UserId};
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

/// How many jobs have run (rows of `processed_jobs`).
pub async fn count_processed(conn: &mut AsyncPgConnection) -> Result<i64, DbError> {
    Ok(processed_jobs::table.count().get_result(conn).await?)
}

#[derive(QueryableByName)]
struct Seconds {
    #[diesel(sql_type = diesel::sql_types::Double)]
    seconds: f64,
}

/// Seconds between the first and the last job recorded in `processed_jobs` (the drain
/// benchmark's throughput); an error when none is.
pub async fn processed_span_seconds(conn: &mut AsyncPgConnection) -> Result<f64, DbError> {
    let span: Seconds = diesel::sql_query(
        "SELECT extract(epoch FROM max(processed_at) - min(processed_at))::float8 AS seconds FROM processed_jobs",
    )
    .get_result(conn)
    .await?;
    Ok(span.seconds)
}

/// A job for one user, on behalf of an organization when it has one (a welcome e-mail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserJob {
    pub job_id: Uuid,
    pub user: UserId,
    pub org: Option<OrganizationId>,
}

/// A job [`mark_many_processed_for_users`] recorded, with its user as an [`Addressee`]
/// (`None` when the user is gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FreshUserJob {
    pub job_id: Uuid,
    pub user: UserId,
    pub addressee: Option<Addressee>,
}

#[derive(QueryableByName)]
struct FreshUserJobRow {
    #[diesel(sql_type = SqlUuid)]
    job_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: UserId,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    organization: Option<String>,
}

/// [`mark_many_processed`] (ids in order, duplicates not returned, a job another
/// transaction is recording waited for) for jobs addressed to a user, with each fresh
/// job's user as [`users::addressee`](super::users::addressee) finds them, all in one
/// statement. A job id given twice counts once, with one of its users.
pub async fn mark_many_processed_for_users(
    conn: &mut AsyncPgConnection,
    jobs: &[UserJob],
    kind: &str,
) -> Result<Vec<FreshUserJob>, DbError> {
    let job_ids: Vec<Uuid> = jobs.iter().map(|job| job.job_id).collect();
    let user_ids: Vec<UserId> = jobs.iter().map(|job| job.user).collect();
    let org_ids: Vec<Option<OrganizationId>> = jobs.iter().map(|job| job.org).collect();
    let fresh: Vec<FreshUserJobRow> = diesel::sql_query(
        "WITH job AS (
             SELECT DISTINCT ON (job_id) job_id, user_id, org_id
             FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS j (job_id, user_id, org_id)
             ORDER BY job_id
         ), fresh AS (
             INSERT INTO processed_jobs (job_id, kind)
             SELECT job_id, $4 FROM job ORDER BY job_id
             ON CONFLICT DO NOTHING
             RETURNING job_id
         )
         SELECT job.job_id, job.user_id, u.email, u.name, o.name AS organization
         FROM fresh
         JOIN job ON job.job_id = fresh.job_id
         LEFT JOIN users u ON u.id = job.user_id
         LEFT JOIN organizations o ON o.id = job.org_id",
    )
    .bind::<Array<SqlUuid>, _>(&job_ids)
    .bind::<Array<SqlUuid>, _>(&user_ids)
    .bind::<Array<Nullable<SqlUuid>>, _>(&org_ids)
    .bind::<Text, _>(kind)
    .load(conn)
    .await?;
    Ok(fresh
        .into_iter()
        .map(|row| FreshUserJob {
            job_id: row.job_id,
            user: row.user_id,
            addressee: match (row.email, row.name) {
                (Some(email), Some(name)) => Some(Addressee {
                    email,
                    name,
                    organization: row.organization,
                }),
                _ => None,
            },
        })
        .collect())
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
