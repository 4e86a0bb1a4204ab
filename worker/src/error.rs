//! The worker's one error type.

use std::{net::SocketAddr, path::PathBuf};
use uuid::Uuid;

/// Everything that can go wrong in the worker.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration variable is invalid (or `.env` unreadable); the error names it.
    #[error(transparent)]
    Config(#[from] schema_server::settings::SettingError),

    /// The log subscriber could not be installed.
    #[error("cannot initialise logging: {0}")]
    Telemetry(String),

    /// The health endpoint cannot listen.
    #[error("cannot serve /healthz on {addr}")]
    HealthBind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },

    /// Connecting to RabbitMQ or declaring the topology failed.
    #[error(transparent)]
    Amqp(Box<schema_server::amqp::AmqpError>),

    /// A RabbitMQ operation on an open connection failed.
    #[error("RabbitMQ {operation} failed")]
    Lapin {
        operation: &'static str,
        #[source]
        source: Box<lapin::Error>,
    },

    /// A PostgreSQL query, connection or migration failed.
    #[error(transparent)]
    Db(#[from] schema_server::db::DbError),

    /// The job names a user that does not exist (deleted since it was enqueued, or a
    /// bad payload): the job can never succeed.
    #[error("user {0} not found")]
    UserNotFound(Uuid),

    /// A stored standup schedule cannot be read (never for rows the API wrote).
    #[error("standup schedule: {0}")]
    Schedule(String),

    /// The digest webhook was not accepted (transport error or a non-2xx answer); the
    /// job is retried by the pipeline.
    #[error("webhook delivery failed: {0}")]
    Webhook(String),

    /// A call to Slack's Web API failed (5xx, unreachable, or refused for a reason other
    /// than a dead token); the job is retried by the pipeline.
    #[error(transparent)]
    Slack(#[from] schema_server::slack::SlackError),

    /// A Slack bot token stored for an organization does not open under `SECRETS_KEY`.
    #[error("the Slack bot token does not open: {0}")]
    SlackToken(String),

    /// The job cannot run yet (Slack asked its workspace to wait): the consumer sends it
    /// back to the retry ladder for at least `retry_after` without using up an attempt.
    #[error("deferred for {} ms: {reason}", retry_after.as_millis())]
    Deferred {
        retry_after: std::time::Duration,
        reason: String,
    },

    /// A job of this kind was handed to the batch path, which cannot run it (a bug).
    #[error("jobs of kind {0} cannot run in a batch")]
    NotBatchable(&'static str),

    /// Building or sending an e-mail failed.
    #[error("e-mail: {0}")]
    Mail(String),

    /// The file mailer's directory cannot be created.
    #[error("cannot create the mail directory {}", dir.display())]
    MailDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// RabbitMQ refused or returned a message the worker published (retry or parking).
    #[error("RabbitMQ did not take the message for '{exchange}': {reason}")]
    NotConfirmed {
        exchange: String,
        reason: &'static str,
    },

    /// Installing a signal handler failed.
    #[error("cannot listen for {signal}")]
    Signal {
        signal: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn config(var: &'static str, reason: impl Into<String>) -> Self {
        Self::Config(schema_server::settings::SettingError::new(var, reason))
    }

    pub(crate) fn lapin(operation: &'static str) -> impl FnOnce(lapin::Error) -> Self {
        move |source| Self::Lapin {
            operation,
            source: Box::new(source),
        }
    }
}

impl From<diesel::result::Error> for Error {
    fn from(error: diesel::result::Error) -> Self {
        Self::Db(schema_server::db::DbError::Query(error))
    }
}

impl From<schema_server::amqp::AmqpError> for Error {
    fn from(error: schema_server::amqp::AmqpError) -> Self {
        Self::Amqp(Box::new(error))
    }
}

/// An error and all its causes on one line, for logs: `outer: cause: root cause`.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        // Some errors (lapin's) already print their source; don't say it twice.
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
