//! The worker's one error type.

use std::net::SocketAddr;

/// Everything that can go wrong in the worker.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration variable is invalid; `var` names it.
    #[error("{var}: {reason}")]
    Config { var: &'static str, reason: String },

    /// `.env` exists but cannot be read or parsed.
    #[error("cannot load .env")]
    DotEnv(#[source] dotenvy::Error),

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
    Amqp(Box<schema::amqp::AmqpError>),

    /// A RabbitMQ operation on an open connection failed.
    #[error("RabbitMQ {operation} failed")]
    Lapin {
        operation: &'static str,
        #[source]
        source: Box<lapin::Error>,
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
        Self::Config {
            var,
            reason: reason.into(),
        }
    }

    pub(crate) fn lapin(operation: &'static str) -> impl FnOnce(lapin::Error) -> Self {
        move |source| Self::Lapin {
            operation,
            source: Box::new(source),
        }
    }
}

impl From<schema::amqp::AmqpError> for Error {
    fn from(error: schema::amqp::AmqpError) -> Self {
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
