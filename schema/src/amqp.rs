//! The RabbitMQ topology shared by the api (publisher) and the workers (consumers).
//!
//! Every name derives from one prefix (default [`DEFAULT_PREFIX`]), so tests can run
//! against a shared broker in isolation by picking a unique prefix:
//!
//! | name                      | kind                | purpose                                   |
//! |---------------------------|---------------------|-------------------------------------------|
//! | `{p}.jobs`                | topic exchange      | jobs, routing key = [`Job::kind`]         |
//! | `{p}.jobs`                | quorum queue        | bound with `#`; dead letters -> parking   |
//! | `{p}.jobs.retry`          | direct exchange     | routing key = [`RetryDelay::name`]        |
//! | `{p}.jobs.retry.{delay}`  | classic queue + TTL | expired messages go back to `{p}.jobs`    |
//! | `{p}.jobs.parking`        | fanout exchange     | messages rejected for good                |
//! | `{p}.jobs.parking`        | quorum queue        | kept for admins to inspect                |
//! | `{p}.events`              | topic exchange      | domain events; each api replica binds one |
//!
//! Declaring is idempotent as long as the arguments stay the same: RabbitMQ refuses to
//! redeclare a queue with different arguments, so changes to them need a new name or a
//! policy, not an edit here.
//!
//! [`Job::kind`]: crate::jobs::Job::kind

use crate::jobs::JobEnvelope;
use lapin::{
    BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind, PublisherConfirm,
    options::{
        BasicPublishOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
        QueueDeclareOptions, QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable},
    uri::AMQPUri,
};

/// The prefix of every name in production.
pub const DEFAULT_PREFIX: &str = "asyncstand";
/// Heartbeat (seconds) asked for when the URL does not set `heartbeat=`.
pub const DEFAULT_HEARTBEAT_SECS: u16 = 30;
/// TCP connect timeout (milliseconds) used when the URL does not set `connection_timeout=`.
pub const DEFAULT_CONNECTION_TIMEOUT_MS: u64 = 10_000;

/// Failures talking to RabbitMQ.
#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    /// The AMQP URL does not parse (the message never contains the URL, which may hold a
    /// password).
    #[error("invalid AMQP URL: {0}")]
    InvalidUrl(String),
    /// TCP connect, handshake or authentication failed.
    #[error("cannot connect to RabbitMQ")]
    Connect(#[source] lapin::Error),
    /// Declaring, binding or deleting part of the topology failed.
    #[error("cannot {action} {what} '{name}'")]
    Topology {
        action: &'static str,
        what: &'static str,
        name: String,
        #[source]
        source: lapin::Error,
    },
    /// A job could not be encoded.
    #[error("cannot encode job {id}")]
    Encode {
        id: uuid::Uuid,
        #[source]
        source: serde_json::Error,
    },
    /// Publishing failed (channel or connection closed).
    #[error("cannot publish to '{exchange}'")]
    Publish {
        exchange: String,
        #[source]
        source: lapin::Error,
    },
}

/// The delays of the retry ladder, shortest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryDelay {
    FiveSeconds,
    ThirtySeconds,
    FiveMinutes,
}

impl RetryDelay {
    /// Every delay, shortest first.
    pub const ALL: [Self; 3] = [Self::FiveSeconds, Self::ThirtySeconds, Self::FiveMinutes];

    /// The suffix of the delay queue's name and its routing key on the retry exchange.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::FiveSeconds => "5s",
            Self::ThirtySeconds => "30s",
            Self::FiveMinutes => "5m",
        }
    }

    /// How long a message waits in the delay queue, in milliseconds.
    #[must_use]
    pub fn ttl_ms(self) -> u32 {
        match self {
            Self::FiveSeconds => 5_000,
            Self::ThirtySeconds => 30_000,
            Self::FiveMinutes => 300_000,
        }
    }
}

/// All exchange and queue names, derived from one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub prefix: String,
}

impl Default for Topology {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX)
    }
}

impl Topology {
    #[must_use]
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    /// `{p}.jobs`: topic exchange the api publishes jobs to.
    #[must_use]
    pub fn jobs_exchange(&self) -> String {
        format!("{}.jobs", self.prefix)
    }

    /// `{p}.jobs`: quorum queue the workers consume.
    #[must_use]
    pub fn jobs_queue(&self) -> String {
        format!("{}.jobs", self.prefix)
    }

    /// `{p}.jobs.retry`: direct exchange routing to the delay queues.
    #[must_use]
    pub fn retry_exchange(&self) -> String {
        format!("{}.jobs.retry", self.prefix)
    }

    /// `{p}.jobs.retry.{5s|30s|5m}`: a delay queue.
    #[must_use]
    pub fn retry_queue(&self, delay: RetryDelay) -> String {
        format!("{}.jobs.retry.{}", self.prefix, delay.name())
    }

    /// `{p}.jobs.parking`: fanout exchange receiving the jobs queue's dead letters.
    #[must_use]
    pub fn parking_exchange(&self) -> String {
        format!("{}.jobs.parking", self.prefix)
    }

    /// `{p}.jobs.parking`: quorum queue keeping dead letters.
    #[must_use]
    pub fn parking_queue(&self) -> String {
        format!("{}.jobs.parking", self.prefix)
    }

    /// `{p}.events`: topic exchange for domain events.
    #[must_use]
    pub fn events_exchange(&self) -> String {
        format!("{}.events", self.prefix)
    }

    /// Every exchange [`Self::declare`] creates.
    #[must_use]
    pub fn exchanges(&self) -> Vec<String> {
        vec![
            self.jobs_exchange(),
            self.retry_exchange(),
            self.parking_exchange(),
            self.events_exchange(),
        ]
    }

    /// Every queue [`Self::declare`] creates.
    #[must_use]
    pub fn queues(&self) -> Vec<String> {
        let mut queues = vec![self.jobs_queue(), self.parking_queue()];
        queues.extend(RetryDelay::ALL.map(|delay| self.retry_queue(delay)));
        queues
    }

    /// Declares every exchange, queue and binding; safe to call on every start-up and by
    /// several processes at once.
    ///
    /// # Errors
    /// The first declaration the broker refuses (the channel is closed by then).
    pub async fn declare(&self, channel: &Channel) -> Result<(), AmqpError> {
        let durable = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        let jobs_exchange = self.jobs_exchange();
        let parking_exchange = self.parking_exchange();
        let retry_exchange = self.retry_exchange();

        declare_exchange(channel, &jobs_exchange, ExchangeKind::Topic, durable).await?;
        declare_exchange(channel, &parking_exchange, ExchangeKind::Fanout, durable).await?;
        declare_exchange(channel, &retry_exchange, ExchangeKind::Direct, durable).await?;
        declare_exchange(
            channel,
            &self.events_exchange(),
            ExchangeKind::Topic,
            durable,
        )
        .await?;

        let parking_queue = self.parking_queue();
        declare_queue(channel, &parking_queue, quorum_arguments()).await?;
        bind(channel, &parking_queue, &parking_exchange, "").await?;

        let mut jobs_arguments = quorum_arguments();
        jobs_arguments.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString(parking_exchange.as_str().into()),
        );
        let jobs_queue = self.jobs_queue();
        declare_queue(channel, &jobs_queue, jobs_arguments).await?;
        bind(channel, &jobs_queue, &jobs_exchange, "#").await?;

        for delay in RetryDelay::ALL {
            let mut arguments = FieldTable::default();
            arguments.insert("x-message-ttl".into(), AMQPValue::LongUInt(delay.ttl_ms()));
            arguments.insert(
                "x-dead-letter-exchange".into(),
                AMQPValue::LongString(jobs_exchange.as_str().into()),
            );
            let queue = self.retry_queue(delay);
            declare_queue(channel, &queue, arguments).await?;
            bind(channel, &queue, &retry_exchange, delay.name()).await?;
        }
        tracing::debug!(prefix = %self.prefix, "RabbitMQ topology declared");
        Ok(())
    }

    /// Deletes every queue (with its messages) and exchange [`Self::declare`] created.
    /// Meant for tests that declared a topology under a unique prefix.
    ///
    /// # Errors
    /// The first deletion the broker refuses.
    pub async fn delete(&self, channel: &Channel) -> Result<(), AmqpError> {
        for queue in self.queues() {
            channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await
                .map_err(|source| AmqpError::Topology {
                    action: "delete",
                    what: "queue",
                    name: queue.clone(),
                    source,
                })?;
        }
        for exchange in self.exchanges() {
            channel
                .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                .await
                .map_err(|source| AmqpError::Topology {
                    action: "delete",
                    what: "exchange",
                    name: exchange.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Publishes a job to the jobs exchange, routed by its kind, as a persistent JSON
    /// message. Returns the broker's confirmation to await (resolved at once unless
    /// the channel is in confirm mode), so a relay can publish many before awaiting.
    ///
    /// # Errors
    /// Encoding the envelope or sending the message failed.
    pub async fn publish_job(
        &self,
        channel: &Channel,
        envelope: &JobEnvelope,
    ) -> Result<PublisherConfirm, AmqpError> {
        let body = envelope.to_json().map_err(|source| AmqpError::Encode {
            id: envelope.id,
            source,
        })?;
        let exchange = self.jobs_exchange();
        channel
            .basic_publish(
                exchange.as_str().into(),
                envelope.routing_key().into(),
                BasicPublishOptions::default(),
                &body,
                job_properties(envelope),
            )
            .await
            .map_err(|source| AmqpError::Publish { exchange, source })
    }
}

/// The message properties a job is published with: persistent, JSON, the envelope id as
/// `message_id`, the job kind as `type`, the enqueue time as `timestamp`.
#[must_use]
pub fn job_properties(envelope: &JobEnvelope) -> BasicProperties {
    let timestamp = u64::try_from(envelope.enqueued_at.timestamp()).unwrap_or(0);
    BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_message_id(envelope.id.to_string().into())
        .with_type(envelope.job.kind().into())
        .with_timestamp(timestamp)
}

/// Opens a connection named `name` (shown in the management UI), asking for a
/// heartbeat of [`DEFAULT_HEARTBEAT_SECS`] and a connect timeout of
/// [`DEFAULT_CONNECTION_TIMEOUT_MS`] unless the URL sets `heartbeat=` /
/// `connection_timeout=`. One attempt: callers own the retry policy.
///
/// # Errors
/// [`AmqpError::InvalidUrl`] or [`AmqpError::Connect`].
pub async fn connect(url: &str, name: &str) -> Result<Connection, AmqpError> {
    let mut uri: AMQPUri = url.parse().map_err(AmqpError::InvalidUrl)?;
    uri.query.heartbeat.get_or_insert(DEFAULT_HEARTBEAT_SECS);
    uri.query
        .connection_timeout
        .get_or_insert(DEFAULT_CONNECTION_TIMEOUT_MS);
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    Connection::connect_uri(uri, properties)
        .await
        .map_err(AmqpError::Connect)
}

fn quorum_arguments() -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-queue-type".into(),
        AMQPValue::LongString("quorum".into()),
    );
    arguments
}

async fn declare_exchange(
    channel: &Channel,
    name: &str,
    kind: ExchangeKind,
    options: ExchangeDeclareOptions,
) -> Result<(), AmqpError> {
    channel
        .exchange_declare(name.into(), kind, options, FieldTable::default())
        .await
        .map_err(|source| AmqpError::Topology {
            action: "declare",
            what: "exchange",
            name: name.to_owned(),
            source,
        })
}

async fn declare_queue(
    channel: &Channel,
    name: &str,
    arguments: FieldTable,
) -> Result<(), AmqpError> {
    let options = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    channel
        .queue_declare(name.into(), options, arguments)
        .await
        .map(drop)
        .map_err(|source| AmqpError::Topology {
            action: "declare",
            what: "queue",
            name: name.to_owned(),
            source,
        })
}

async fn bind(
    channel: &Channel,
    queue: &str,
    exchange: &str,
    routing_key: &str,
) -> Result<(), AmqpError> {
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            routing_key.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|source| AmqpError::Topology {
            action: "bind",
            what: "queue",
            name: format!("{queue}' to '{exchange}"),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_prefix() {
        let t = Topology::default();
        assert_eq!(t.jobs_exchange(), "asyncstand.jobs");
        assert_eq!(t.jobs_queue(), "asyncstand.jobs");
        assert_eq!(t.retry_exchange(), "asyncstand.jobs.retry");
        assert_eq!(
            t.retry_queue(RetryDelay::FiveSeconds),
            "asyncstand.jobs.retry.5s"
        );
        assert_eq!(
            t.retry_queue(RetryDelay::ThirtySeconds),
            "asyncstand.jobs.retry.30s"
        );
        assert_eq!(
            t.retry_queue(RetryDelay::FiveMinutes),
            "asyncstand.jobs.retry.5m"
        );
        assert_eq!(t.parking_exchange(), "asyncstand.jobs.parking");
        assert_eq!(t.parking_queue(), "asyncstand.jobs.parking");
        assert_eq!(t.events_exchange(), "asyncstand.events");
        assert_eq!(Topology::new("t1").queues().len(), 5);
        assert!(
            Topology::new("t1")
                .exchanges()
                .iter()
                .all(|e| e.starts_with("t1."))
        );
    }

    #[test]
    fn retry_delays_are_ordered() {
        let ttls = RetryDelay::ALL.map(RetryDelay::ttl_ms);
        assert!(ttls.windows(2).all(|w| w[0] < w[1]));
    }
}
