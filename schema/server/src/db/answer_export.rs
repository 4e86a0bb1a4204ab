//! The answer export: every answer of an organization (narrowed by team, person and
//! standup dates) read through a server-side cursor in fixed-size batches, so the
//! caller's memory holds one batch however many rows there are. One row per answer, and
//! one row (empty answer, with the reason) per skipped participation; in standup order,
//! then by person, then by question.

use super::DbError;
use super::search::SearchFilter;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Date, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use schema::ids::{OrganizationId, StandupId, TeamId, UserId};
use std::future::Future;

/// The export's filter is the search's: team, person, standup dates (both ends included).
pub type ExportFilter = SearchFilter;

/// One exported row.
#[derive(Clone, Debug, QueryableByName)]
pub struct ExportRow {
    #[diesel(sql_type = SqlUuid)]
    pub standup_id: StandupId,
    #[diesel(sql_type = Date)]
    pub standup_date: NaiveDate,
    #[diesel(sql_type = Timestamptz)]
    pub scheduled_for: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    pub team_id: TeamId,
    #[diesel(sql_type = Text)]
    pub team: String,
    /// The config's name when the standup ran.
    #[diesel(sql_type = Text)]
    pub config: String,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: UserId,
    #[diesel(sql_type = Text)]
    pub person: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    /// The question's prompt; empty on a skipped participation's row.
    #[diesel(sql_type = Text)]
    pub question: String,
    /// A MOOD question's comment, or any other question's answer.
    #[diesel(sql_type = Text)]
    pub answer: String,
    /// A MOOD question's answer, 1 to 5.
    #[diesel(sql_type = Nullable<diesel::sql_types::SmallInt>)]
    pub mood: Option<i16>,
    #[diesel(sql_type = Bool)]
    pub late: bool,
    /// Set on a skipped participation's row ("" when they gave no reason).
    #[diesel(sql_type = Nullable<Text>)]
    pub skipped_reason: Option<String>,
}

const DECLARE: &str = "DECLARE answer_export NO SCROLL CURSOR FOR
    SELECT s.id AS standup_id, s.local_date AS standup_date, s.scheduled_for,
           s.team_id, t.name AS team, s.name AS config, u.id AS user_id, u.name AS person,
           u.email, r.question, r.answer, r.mood, p.late_at IS NOT NULL AS late,
           CASE WHEN p.state = 'SKIPPED' THEN coalesce(p.skip_reason, '') END AS skipped_reason
    FROM participations p
    JOIN standups s ON s.id = p.standup_id AND s.org_id = p.org_id
    JOIN teams t ON t.id = s.team_id AND t.org_id = s.org_id
    JOIN users u ON u.id = p.user_id
    JOIN LATERAL (
        SELECT coalesce(q.prompt, '') AS question, a.text AS answer, a.mood,
               coalesce(q.n, 2147483647) AS n
        FROM answers a
        LEFT JOIN LATERAL (
            SELECT e->>'prompt' AS prompt, x.n::int AS n
            FROM jsonb_array_elements(s.questions) WITH ORDINALITY AS x(e, n)
            WHERE e->>'id' = a.question_id::text
            LIMIT 1
        ) q ON true
        WHERE a.standup_id = p.standup_id AND a.user_id = p.user_id
          -- An anonymous mood is only its giver's own to export.
          AND (a.mood IS NULL OR NOT s.anonymous_mood OR a.user_id = $6)
        UNION ALL
        SELECT '', '', NULL::smallint, 0 WHERE p.state = 'SKIPPED'
    ) r ON true
    WHERE p.org_id = $1
      AND ($2::uuid IS NULL OR s.team_id = $2)
      AND ($3::uuid IS NULL OR p.user_id = $3)
      AND ($4::date IS NULL OR s.local_date >= $4)
      AND ($5::date IS NULL OR s.local_date <= $5)
    ORDER BY s.local_date, s.scheduled_for, s.id, u.name, u.id, r.n";

/// Runs the export for `org` in one read-only transaction: `batch` rows at a time are
/// fetched from a cursor and handed to `sink`, which answers whether to go on (false:
/// the reader went away). Each FETCH is its own statement, so `statement_timeout` bounds
/// one batch, not the whole export.
pub async fn each_batch<F, Fut>(
    conn: &mut AsyncPgConnection,
    org: OrganizationId,
    viewer: UserId,
    filter: &ExportFilter,
    batch: u32,
    mut sink: F,
) -> Result<u64, DbError>
where
    F: FnMut(Vec<ExportRow>) -> Fut + Send,
    Fut: Future<Output = bool> + Send,
{
    let filter = filter.clone();
    conn.build_transaction()
        .read_only()
        .repeatable_read()
        .run(async |conn| {
            diesel::sql_query(DECLARE)
                .bind::<SqlUuid, _>(org)
                .bind::<Nullable<SqlUuid>, _>(filter.team)
                .bind::<Nullable<SqlUuid>, _>(filter.user)
                .bind::<Nullable<Date>, _>(filter.from)
                .bind::<Nullable<Date>, _>(filter.to)
                .bind::<SqlUuid, _>(viewer)
                .execute(conn)
                .await?;
            let fetch = format!("FETCH FORWARD {batch} FROM answer_export");
            let mut total = 0u64;
            loop {
                let rows: Vec<ExportRow> = diesel::sql_query(&fetch).load(conn).await?;
                let last = rows.len() < batch as usize;
                total += rows.len() as u64;
                if !rows.is_empty() && !sink(rows).await {
                    break;
                }
                if last {
                    break;
                }
            }
            Ok::<_, diesel::result::Error>(total)
        })
        .await
        .map_err(DbError::from)
}
