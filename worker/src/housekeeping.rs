//! Periodic clean-up: at start and then daily, deletes invitations that expired more
//! than [`KEEP_EXPIRED`] ago and were never accepted (revoked ones included), and outbox
//! rows published more than [`KEEP_SENT_OUTBOX_DAYS`] days ago. Recently expired
//! invitations stay, so admins still see them as expired and can resend them. Every
//! worker may run it; the DELETEs are idempotent, so no leader is needed.
//!
//! With Slack on, every [`SLACK_SYNC_INTERVAL`] the workspaces whose members were last
//! matched more than [`SLACK_SYNC_AGE`] ago are matched again ([`sync_slack`]), so people
//! who joined Slack or AsyncStand since get their DMs. Two workers doing it at once match
//! the same people twice, which is harmless.

use crate::error::chain;
use schema_server::{
    db::{DbError, DbPool, invitations, slack as slack_db},
    secrets::SecretBox,
    slack::SlackClient,
};
use std::{sync::Arc, time::Duration};
use tokio::sync::watch;

/// How often the clean-up runs.
pub const INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the worker looks for workspaces to match again.
pub const SLACK_SYNC_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// How old a workspace's matching may get before it is done again.
pub const SLACK_SYNC_AGE: chrono::TimeDelta = chrono::TimeDelta::hours(24);
/// The most workspaces matched in one pass (the next pass takes the rest).
const SLACK_SYNC_BATCH: i64 = 100;
/// How long expired invitations are kept.
pub const KEEP_EXPIRED: chrono::TimeDelta = chrono::TimeDelta::days(30);
/// How long published outbox rows are kept (for inspection) before they are deleted.
pub const KEEP_SENT_OUTBOX_DAYS: i32 = 7;

/// How long answer links are kept (a standup takes answers for at most 14 days).
pub const KEEP_ANSWER_LINKS: chrono::TimeDelta = chrono::TimeDelta::days(30);
/// How long one-click unsubscribe links keep working.
pub const KEEP_UNSUBSCRIBE_LINKS: chrono::TimeDelta = chrono::TimeDelta::days(90);

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
        match purge_mail_links(&pool).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "old answer and unsubscribe links cleaned up"),
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "mail link clean-up failed")
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

/// Deletes answer links older than [`KEEP_ANSWER_LINKS`] and unsubscribe links older
/// than [`KEEP_UNSUBSCRIBE_LINKS`]; returns how many.
///
/// # Errors
/// The database.
pub async fn purge_mail_links(pool: &DbPool) -> Result<usize, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    let now = chrono::Utc::now();
    let answers =
        schema_server::db::answer_links::sweep(&mut conn, now - KEEP_ANSWER_LINKS).await?;
    let unsubscribes = schema_server::db::mail_preferences::sweep_unsubscribe_links(
        &mut conn,
        now - KEEP_UNSUBSCRIBE_LINKS,
    )
    .await?;
    Ok(answers + unsubscribes)
}

/// Matches the members of stale workspaces now and every [`SLACK_SYNC_INTERVAL`] until
/// `stopped` turns true.
pub(crate) async fn run_slack_sync(
    pool: DbPool,
    client: SlackClient,
    secrets: Arc<SecretBox>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        match sync_slack(&pool, &client, &secrets).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(workspaces = n, "Slack members matched again"),
            Err(e) => tracing::warn!(error = %chain(&e), "Slack member matching failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(SLACK_SYNC_INTERVAL) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
    }
}

/// Matches again the members of every workspace last matched more than
/// [`SLACK_SYNC_AGE`] ago (at most [`SLACK_SYNC_BATCH`]); returns how many were matched.
/// A workspace that fails is logged (its team, never its token) and left for the next
/// pass.
///
/// # Errors
/// The database, when the workspaces cannot be listed.
pub async fn sync_slack(
    pool: &DbPool,
    client: &SlackClient,
    secrets: &SecretBox,
) -> Result<usize, DbError> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    let due = slack_db::workspaces_to_sync(
        &mut conn,
        chrono::Utc::now() - SLACK_SYNC_AGE,
        SLACK_SYNC_BATCH,
    )
    .await?;
    let mut synced = 0;
    for workspace in due {
        let token = match schema_server::slack::bot_token(secrets, &workspace) {
            Ok(token) => token,
            Err(e) => {
                tracing::warn!(team = %workspace.team_id, org = %workspace.org_id, error = ?e, "the Slack bot token does not open; members not matched");
                continue;
            }
        };
        match schema_server::slack::sync_members(&mut conn, client, workspace.org_id, &token).await
        {
            Ok(matched) => {
                synced += 1;
                tracing::debug!(team = %workspace.team_id, org = %workspace.org_id, matched, "Slack members matched");
            }
            Err(e) => {
                tracing::warn!(team = %workspace.team_id, org = %workspace.org_id, error = %chain(&e), "Slack members not matched");
            }
        }
    }
    Ok(synced)
}
