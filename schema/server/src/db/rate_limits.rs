//! Fixed-window counters in PostgreSQL, so every api replica sees the same count.
//!
//! A throttle counts an attempt before doing the work it guards ([`hit_window`] in one
//! statement) and refuses it when the new count is over its limit; a check made with a
//! read before the work would let every concurrent attempt through.

use super::DbError;
use super::tables::rate_limits;
use diesel::sql_types::{Integer, Text};
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// A key's window after counting one more event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, diesel::QueryableByName)]
pub struct Window {
    /// Events in the current window, this one included.
    #[diesel(sql_type = Integer)]
    pub count: i32,
    /// Seconds until the window ends (at least 1).
    #[diesel(sql_type = Integer)]
    pub retry_after: i32,
}

/// Counts one more event for `key`, starting a new window when the last one ended, and
/// returns the new count with the seconds left in its window. One statement: concurrent
/// callers each see a different count.
pub async fn hit_window(
    conn: &mut AsyncPgConnection,
    key: &str,
    window_secs: i32,
) -> Result<Window, DbError> {
    Ok(diesel::sql_query(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, now(), 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN 1 ELSE rate_limits.count + 1 END,
           window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN now() ELSE rate_limits.window_start END
         RETURNING count,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => $2) - now()))))::int AS retry_after",
    )
    .bind::<Text, _>(key)
    .bind::<Integer, _>(window_secs)
    .get_result(conn)
    .await?)
}

/// Takes back one event counted for `key` (an attempt counted up front that turned out
/// not to be one of the events limited, e.g. a sign-in with the right password).
pub async fn release(conn: &mut AsyncPgConnection, key: &str) -> Result<(), DbError> {
    diesel::update(
        rate_limits::table
            .filter(rate_limits::key.eq(key))
            .filter(rate_limits::count.gt(0)),
    )
    .set(rate_limits::count.eq(rate_limits::count - 1))
    .execute(conn)
    .await?;
    Ok(())
}

/// [`hit_window`] for several distinct keys sharing one window length, in one statement
/// (one round trip and one commit); the windows come back in the order of `keys`. Rows
/// are locked in key order, so concurrent callers cannot deadlock.
pub async fn hit_windows(
    conn: &mut AsyncPgConnection,
    keys: &[&str],
    window_secs: i32,
) -> Result<Vec<Window>, DbError> {
    use diesel::QueryableByName;
    #[derive(QueryableByName)]
    struct Keyed {
        #[diesel(sql_type = Text)]
        key: String,
        #[diesel(embed)]
        window: Window,
    }
    let rows: Vec<Keyed> = diesel::sql_query(
        "INSERT INTO rate_limits (key, window_start, count)
         SELECT k, now(), 1 FROM unnest($1::text[]) AS k ORDER BY k
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN 1 ELSE rate_limits.count + 1 END,
           window_start = CASE WHEN rate_limits.window_start <= now() - make_interval(secs => $2)
                        THEN now() ELSE rate_limits.window_start END
         RETURNING key, count,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => $2) - now()))))::int AS retry_after",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(keys)
    .bind::<Integer, _>(window_secs)
    .load(conn)
    .await?;
    keys.iter()
        .map(|key| {
            rows.iter()
                .find(|row| row.key == *key)
                .map(|row| row.window)
                .ok_or(DbError::Query(diesel::result::Error::NotFound))
        })
        .collect()
}

/// Clears `clear` and takes one event back from `release`, in one statement: what a
/// right password does to the account's and the address's sign-in counters.
pub async fn clear_and_release(
    conn: &mut AsyncPgConnection,
    clear: &str,
    release: &str,
) -> Result<(), DbError> {
    diesel::sql_query(
        "WITH cleared AS (DELETE FROM rate_limits WHERE key = $1)
         UPDATE rate_limits SET count = count - 1 WHERE key = $2 AND count > 0",
    )
    .bind::<Text, _>(clear)
    .bind::<Text, _>(release)
    .execute(conn)
    .await?;
    Ok(())
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
