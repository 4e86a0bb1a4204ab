//! One handler per job kind. Each handler must be idempotent: a job may be delivered
//! more than once (a lost ack, a redelivery after a reconnect).

mod send_welcome_email;

use crate::error::Error;
use schema::jobs::{Job, JobEnvelope};

/// Runs the handler for the envelope's job.
///
/// # Errors
/// Whatever the handler reports; the consumer then dead-letters the message.
pub async fn dispatch(envelope: &JobEnvelope) -> Result<(), Error> {
    match &envelope.job {
        Job::SendWelcomeEmail { user_id } | Job::SendPasswordReset { user_id } => {
            send_welcome_email::run(envelope, *user_id).await
        }
    }
}
