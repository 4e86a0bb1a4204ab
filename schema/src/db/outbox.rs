use super::DbError;
use super::models::NewOutboxRow;
use super::tables::outbox;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Writes an outbox row; call it inside the transaction of the domain change, so the job
/// exists exactly when the change committed.
pub async fn insert(conn: &mut AsyncPgConnection, row: &NewOutboxRow<'_>) -> Result<(), DbError> {
    diesel::insert_into(outbox::table)
        .values(row)
        .execute(conn)
        .await?;
    Ok(())
}
