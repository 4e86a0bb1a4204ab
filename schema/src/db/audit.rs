use super::DbError;
use super::models::NewAuditEvent;
use super::tables::audit_events;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Writes one audit event; call it inside the transaction of the change it records.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    event: &NewAuditEvent<'_>,
) -> Result<(), DbError> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .await?;
    Ok(())
}
