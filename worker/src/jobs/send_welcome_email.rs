//! `send_welcome_email`: greet a user who has just signed up.

use crate::error::Error;
use schema::jobs::JobEnvelope;
use uuid::Uuid;

/// For now this only records that the job ran; the mailer (`notify/`), the user
/// lookup and the idempotency record arrive with the next issue.
#[allow(clippy::unused_async)] // async like every handler; the mailer will await here
pub(super) async fn run(envelope: &JobEnvelope, user_id: Uuid) -> Result<(), Error> {
    tracing::info!(job_id = %envelope.id, %user_id, "welcome e-mail requested");
    Ok(())
}
