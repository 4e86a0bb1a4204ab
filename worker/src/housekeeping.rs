//! Periodic clean-up: at start and then daily, deletes invitations that expired more
//! than [`KEEP_EXPIRED`] ago and were never accepted (revoked ones included), and outbox
//! rows published more than [`KEEP_SENT_OUTBOX_DAYS`] days ago. Recently expired
//! invitations stay, so admins still see them as expired and can resend them. Every
//! worker may run it; the DELETEs are idempotent, so no leader is needed.

use schema_server::db::{DbError, DbPool, invitations};
use std::time::Duration;
use tokio::sync::watch;

/// How often the clean-up runs.
pub const INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// How long expired invitations are kept.
pub const KEEP_EXPIRED: chrono::TimeDelta = chrono::TimeDelta::days(30);
/// How long published outbox rows are kept (for inspection) before they are deleted.
pub const KEEP_SENT_OUTBOX_DAYS: i32 = 7;

/// Runs the clean-up now and every [`INTERVAL`] until `stopped` turns true.
pub(crate) async fn run(pool: DbPool, mut stopped: watch::Receiver<bool>) {
    loop {
        match sweep(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired invitations cleaned up"),
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "invitation clean-up failed")
            }
        }
        match purge_outbox(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "published outbox rows cleaned up"),
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "outbox clean-up failed")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(INTERVAL) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
    }
}

/// One clean-up pass; returns how many invitations were deleted.
///
/// # Errors
/// The database.
pub async fn sweep(pool: &DbPool) -> Result<usize, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    invitations::delete_expired(&mut conn, chrono::Utc::now() - KEEP_EXPIRED).await
}

/// Deletes outbox rows published more than [`KEEP_SENT_OUTBOX_DAYS`] days ago.
///
/// # Errors
/// The database.
pub async fn purge_outbox(pool: &DbPool) -> Result<usize, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    schema_server::db::outbox::purge_sent(&mut conn, KEEP_SENT_OUTBOX_DAYS).await
}
