//! Fixed-window counters in PostgreSQL, so every api replica sees the same count.

use super::DbError;
use super::tables::rate_limits;
use diesel::sql_types::{Integer, Text};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    count: i32,
    #[diesel(sql_type = Integer)]
    retry_after: i32,
}

/// The highest count among `keys` in the current window and the seconds until that
/// window ends (0 when no key has a live window).
pub async fn peek(
    conn: &mut AsyncPgConnection,
    keys: &[String],
    window_secs: i32,
) -> Result<(i32, i32), DbError> {
    let rows: Vec<Count> = diesel::sql_query(
        "SELECT count, GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => $2) - now()))))::int AS retry_after
         FROM rate_limits
         WHERE key = ANY($1) AND window_start > now() - make_interval(secs => $2)",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(keys)
    .bind::<Integer, _>(window_secs)
    .load(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.count, r.retry_after))
        .max_by_key(|(c, _)| *c)
        .unwrap_or((0, 0)))
}

/// Counts one more event for `key`, starting a new window when the last one ended.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_secs: i32,
) -> Result<i32, DbError> {
    Ok(hit_with_retry(conn, key, window_secs).await?.0)
}

/// [`hit`], in the same one statement also returning the seconds until the window ends
/// (at least 1): the retry hint when the new count is above a limit.
pub async fn hit_with_retry(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_secs: i32,
) -> Result<(i32, i32), DbError> {
    let row: Count = diesel::sql_query(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN 1 ELSE rate_limits.count + 1 END,
           window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN now() ELSE rate_limits.window_start END
         RETURNING count, GREATEST(1, CEIL(EXTRACT(EPOCH FROM
           (window_start + make_interval(secs => $2) - now()))))::int AS retry_after",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(window_secs)
    .get_result(conn)
    .await?;
    Ok((row.count, row.retry_after))
}

pub async fn clear(conn: &mut AsyncPgConnection, key: &str) -> Result<(), DbError> {
    diesel::delete(rate_limits::table.filter(rate_limits::key.eq(key)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes windows that ended long ago (housekeeping).
pub async fn sweep(conn: &mut AsyncPgConnection, older_than_secs: i32) -> Result<usize, DbError> {
    Ok(diesel::sql_query(
        "DELETE FROM rate_limits WHERE window_start < now() - make_interval(secs => $1)",
    )
    .bind::<Integer, _>(older_than_secs)
    .execute(conn)
    .await?)
}
