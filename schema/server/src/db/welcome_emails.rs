//! The addresses that were sent the welcome e-mail (as SHA-256 of the lower-cased
//! address): claimed in the transaction of the job that sends it, so an address gets it
//! once whatever the number of jobs.

use super::DbError;
use super::jobs::JobIdRow;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Claims the welcome e-mail of each `(address, job)` and returns the jobs that got
/// their address: not those whose address was claimed before (or by an earlier entry of
/// `claims`). A concurrent transaction claiming the same address waits for this one and
/// then gets nothing. Call in the job's transaction, before sending.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    claims: &[(&str, Uuid)],
) -> Result<Vec<Uuid>, DbError> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let (emails, jobs): (Vec<&str>, Vec<Uuid>) = claims.iter().copied().unzip();
    // In hash order, so two batches cannot deadlock each other; the first entry per
    // address wins.
    let claimed: Vec<JobIdRow> = diesel::sql_query(
        "INSERT INTO welcome_emails (email_sha256, job_id)
         SELECT DISTINCT ON (hash) hash, job_id FROM (
             SELECT sha256(convert_to(lower(email), 'UTF8')) AS hash, job_id, n
             FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS c (email, job_id, n)
         ) AS c
         ORDER BY hash, n
         ON CONFLICT DO NOTHING
         RETURNING job_id",
    )
    .bind::<Array<Text>, _>(&emails)
    .bind::<Array<SqlUuid>, _>(&jobs)
    .load(conn)
    .await?;
    Ok(claimed.into_iter().map(|c| c.job_id).collect())
}
