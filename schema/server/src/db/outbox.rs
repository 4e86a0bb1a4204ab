use super::DbError;
use super::models::NewOutboxRow;
use super::tables::outbox;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Writes outbox rows in one statement; called by [`crate::outbox`] inside the
/// transaction of the domain change, so the jobs exist exactly when the change committed.
pub async fn insert_many(
    conn: &mut AsyncPgConnection,
    rows: &[NewOutboxRow<'_>],
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(outbox::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Locks up to `limit` unsent rows, oldest first, skipping rows another relay holds, so
/// several api replicas can relay at once without publishing a row twice.
pub async fn claim_unsent(
    conn: &mut AsyncPgConnection,
    limit: i64,
) -> Result<Vec<super::models::OutboxRow>, DbError> {
    use super::models::OutboxRow;
    use diesel::{ExpressionMethods, QueryDsl, SelectableHelper};
    Ok(outbox::table
        .filter(outbox::sent_at.is_null())
        .order(outbox::created_at.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await?)
}

/// Marks rows as published (after the broker confirmed them).
pub async fn mark_sent(conn: &mut AsyncPgConnection, ids: &[uuid::Uuid]) -> Result<usize, DbError> {
    use diesel::{ExpressionMethods, QueryDsl};
    Ok(diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::sent_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?)
}

/// Counts a failed publish attempt (rows stay unsent and are swept again).
pub async fn mark_attempted(
    conn: &mut AsyncPgConnection,
    ids: &[uuid::Uuid],
) -> Result<usize, DbError> {
    use diesel::{ExpressionMethods, QueryDsl};
    Ok(diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set(outbox::attempts.eq(outbox::attempts + 1))
        .execute(conn)
        .await?)
}

/// Rows written but not yet published (the relay's backlog).
pub async fn unsent_count(conn: &mut AsyncPgConnection) -> Result<i64, DbError> {
    use diesel::{ExpressionMethods, QueryDsl};
    Ok(outbox::table
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(conn)
        .await?)
}

/// Deletes published rows older than `days` (housekeeping).
pub async fn purge_sent(conn: &mut AsyncPgConnection, days: i32) -> Result<usize, DbError> {
    Ok(diesel::sql_query(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(days => $1)",
    )
    .bind::<diesel::sql_types::Integer, _>(days)
    .execute(conn)
    .await?)
}
