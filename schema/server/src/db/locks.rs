//! PostgreSQL session advisory locks. A session lock belongs to its connection: it is
//! held until the connection releases it or closes, so take it on a connection of its
//! own, not on a pooled one that other work borrows.

use super::DbError;
use diesel::{QueryableByName, sql_types::BigInt, sql_types::Bool};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Takes the session advisory lock `key` on `conn` unless another session holds it
/// (`pg_try_advisory_lock`, which never waits); whether `conn` holds it now.
pub async fn try_advisory_lock(conn: &mut AsyncPgConnection, key: i64) -> Result<bool, DbError> {
    let locked: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<BigInt, _>(key)
        .get_result(conn)
        .await?;
    Ok(locked.locked)
}

/// Releases every session advisory lock `conn` holds (`pg_advisory_unlock_all`).
pub async fn unlock_all(conn: &mut AsyncPgConnection) -> Result<(), DbError> {
    diesel::sql_query("SELECT pg_advisory_unlock_all()")
        .execute(conn)
        .await?;
    Ok(())
}
