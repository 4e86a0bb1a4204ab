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
//! | `{p}.jobs.retry.{delay}`  | classic queue + TTL | one per ladder rung (`5s`, `30s`, `5m` by |
//! |                           |                     | default); expired messages go back to     |
//! |                           |                     | `{p}.jobs`                                |
//! | `{p}.jobs.parking`        | fanout exchange     | messages rejected for good                |
//! | `{p}.jobs.parking`        | quorum queue        | kept for admins to inspect                |
//! | `{p}.events`              | topic exchange      | domain events; each api replica binds one |
//!
//! Declaring is idempotent as long as the arguments stay the same: RabbitMQ refuses to
//! redeclare a queue with different arguments, so changes to them need a new name or a
//! policy, not an edit here.
//!
//! [`Job::kind`]: schema::jobs::Job::kind

use lapin::{
    BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind, PublisherConfirm,
    options::{
        BasicPublishOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
        QueueDeclareOptions, QueueDeleteOptions,
    },
    types::{AMQPValue, FieldTable},
    uri::AMQPUri,
};
use schema::jobs::JobEnvelope;

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

/// One rung of the retry ladder: how long a failed job waits in its delay queue before
/// it goes back to the jobs queue. The delay queue's name and its routing key on the
/// retry exchange derive from the delay ([`Self::name`]), so two processes with different
/// ladders declare different queues instead of conflicting ones, and redeclaring a ladder
/// is idempotent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RetryDelay {
    ttl_ms: u32,
}

impl RetryDelay {
    pub const FIVE_SECONDS: Self = Self { ttl_ms: 5_000 };
    pub const THIRTY_SECONDS: Self = Self { ttl_ms: 30_000 };
    pub const FIVE_MINUTES: Self = Self { ttl_ms: 300_000 };

    /// The production ladder: 5 s, 30 s, 5 min.
    pub const DEFAULT_LADDER: [Self; 3] =
        [Self::FIVE_SECONDS, Self::THIRTY_SECONDS, Self::FIVE_MINUTES];

    /// A delay of `ms` milliseconds; `None` for 0 (a queue TTL of 0 is no delay).
    #[must_use]
    pub const fn from_millis(ms: u32) -> Option<Self> {
        if ms == 0 {
            None
        } else {
            Some(Self { ttl_ms: ms })
        }
    }

    /// The delay's canonical text, which is also the suffix of the delay queue's name and
    /// its routing key on the retry exchange: the largest whole unit of `h`, `m`, `s`, `ms`
    /// (`5s`, `30s`, `5m`, `1h`, `200ms`, `1500ms`).
    #[must_use]
    pub fn name(self) -> String {
        let ms = self.ttl_ms;
        if ms.is_multiple_of(3_600_000) {
            format!("{}h", ms / 3_600_000)
        } else if ms.is_multiple_of(60_000) {
            format!("{}m", ms / 60_000)
        } else if ms.is_multiple_of(1_000) {
            format!("{}s", ms / 1_000)
        } else {
            format!("{ms}ms")
        }
    }

    /// How long a message waits in the delay queue, in milliseconds.
    #[must_use]
    pub fn ttl_ms(self) -> u32 {
        self.ttl_ms
    }

    /// Parses a comma-separated ladder such as `5s,30s,5m`: at least one delay, each
    /// longer than the one before.
    ///
    /// # Errors
    /// A delay that does not parse, an empty list, or delays that do not grow.
    pub fn parse_ladder(text: &str) -> Result<Vec<Self>, String> {
        let ladder = text
            .split(',')
            .map(str::parse)
            .collect::<Result<Vec<Self>, String>>()?;
        if ladder.is_empty() {
            return Err("the retry ladder needs at least one delay".into());
        }
        if let Some(pair) = ladder.windows(2).find(|pair| pair[0] >= pair[1]) {
            return Err(format!(
                "retry delays must grow: {} is not longer than {}",
                pair[1], pair[0]
            ));
        }
        Ok(ladder)
    }
}

impl std::fmt::Display for RetryDelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for RetryDelay {
    type Err = String;

    /// `200ms`, `5s`, `30s`, `5m`, `1h` (a whole number and a unit).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let digits = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let invalid = || format!("'{text}' is not a delay such as 200ms, 5s, 5m or 1h");
        let number: u64 = number.parse().map_err(|_| invalid())?;
        let scale: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(invalid()),
        };
        let ms = number
            .checked_mul(scale)
            .and_then(|ms| u32::try_from(ms).ok())
            .ok_or_else(|| format!("'{text}' is too long (at most {}ms)", u32::MAX))?;
        Self::from_millis(ms).ok_or_else(|| format!("'{text}' must be longer than 0"))
    }
}

/// All exchange and queue names, derived from one prefix, and the retry ladder whose
/// delay queues [`Self::declare`] creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub prefix: String,
    retry_delays: Vec<RetryDelay>,
    database: Option<String>,
}

impl Default for Topology {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX)
    }
}

impl Topology {
    /// The names under `prefix`, with the default retry ladder
    /// ([`RetryDelay::DEFAULT_LADDER`]).
    #[must_use]
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            retry_delays: RetryDelay::DEFAULT_LADDER.to_vec(),
            database: None,
        }
    }

    /// The instance's database: the outbox relay writes it into every envelope it
    /// publishes, and a worker parks the jobs of any other database
    /// ([`JobEnvelope::belongs_to`]), as several instances may share a prefix.
    #[must_use]
    pub fn for_database(mut self, database: impl Into<String>) -> Self {
        self.database = Some(database.into());
        self
    }

    /// The database set by [`Self::for_database`].
    #[must_use]
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// Uses another retry ladder (shortest first); an empty one keeps the current ladder.
    #[must_use]
    pub fn with_retry_delays(mut self, delays: impl IntoIterator<Item = RetryDelay>) -> Self {
        let delays: Vec<RetryDelay> = delays.into_iter().collect();
        if !delays.is_empty() {
            self.retry_delays = delays;
        }
        self
    }

    /// The retry ladder, shortest first.
    #[must_use]
    pub fn retry_delays(&self) -> &[RetryDelay] {
        &self.retry_delays
    }

    /// How long a job waits after its delivery number `attempt` (0 = first) failed: the
    /// ladder's rung `attempt`, or its last rung once the ladder is exhausted.
    #[must_use]
    pub fn retry_delay_for(&self, attempt: u32) -> RetryDelay {
        let index = usize::try_from(attempt).unwrap_or(usize::MAX);
        self.retry_delays
            .get(index)
            .or_else(|| self.retry_delays.last())
            .copied()
            .unwrap_or(RetryDelay::FIVE_SECONDS)
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

    /// `{p}.jobs.retry.{delay}` (e.g. `asyncstand.jobs.retry.5s`): a delay queue.
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
        queues.extend(
            self.retry_delays
                .iter()
                .map(|delay| self.retry_queue(*delay)),
        );
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

        for &delay in &self.retry_delays {
            let mut arguments = FieldTable::default();
            arguments.insert("x-message-ttl".into(), AMQPValue::LongUInt(delay.ttl_ms()));
            arguments.insert(
                "x-dead-letter-exchange".into(),
                AMQPValue::LongString(jobs_exchange.as_str().into()),
            );
            let queue = self.retry_queue(delay);
            declare_queue(channel, &queue, arguments).await?;
            bind(channel, &queue, &retry_exchange, &delay.name()).await?;
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
        publish(
            channel,
            self.jobs_exchange(),
            envelope.routing_key(),
            BasicPublishOptions::default(),
            envelope,
            job_properties(envelope),
        )
        .await
    }

    /// Publishes a job (normally [`JobEnvelope::next_attempt`] of a failed one) to the
    /// delay queue of `delay`. When the delay has passed, the queue dead-letters it back
    /// to the jobs exchange with the delay's name as routing key; the jobs queue is bound
    /// with `#` and workers dispatch on the envelope, not on the routing key.
    ///
    /// The publish is mandatory: if no delay queue is bound for `delay` (not declared by
    /// this ladder), the awaited confirmation carries the returned message; callers in
    /// confirm mode should treat that as a failure.
    ///
    /// # Errors
    /// Encoding the envelope or sending the message failed.
    pub async fn publish_retry(
        &self,
        channel: &Channel,
        envelope: &JobEnvelope,
        delay: RetryDelay,
    ) -> Result<PublisherConfirm, AmqpError> {
        publish(
            channel,
            self.retry_exchange(),
            &delay.name(),
            BasicPublishOptions {
                mandatory: true,
                ..BasicPublishOptions::default()
            },
            envelope,
            job_properties(envelope),
        )
        .await
    }

    /// Publishes a job that failed for good to the parking exchange (mandatory, like
    /// [`Self::publish_retry`]), with `headers` added to its properties (the worker puts
    /// the error and the attempt count there for whoever inspects the parking queue).
    ///
    /// # Errors
    /// Encoding the envelope or sending the message failed.
    pub async fn publish_parked(
        &self,
        channel: &Channel,
        envelope: &JobEnvelope,
        headers: FieldTable,
    ) -> Result<PublisherConfirm, AmqpError> {
        publish(
            channel,
            self.parking_exchange(),
            envelope.routing_key(),
            BasicPublishOptions {
                mandatory: true,
                ..BasicPublishOptions::default()
            },
            envelope,
            job_properties(envelope).with_headers(headers),
        )
        .await
    }
}

impl Topology {
    /// Publishes a standup event to the events exchange with its routing key
    /// (`org.{org}.team.{team}.standup`), transient (a lost event is refetched by the UI).
    /// Returns the broker's confirmation to await (resolved at once unless the channel is
    /// in confirm mode).
    ///
    /// # Errors
    /// Encoding the event or sending the message failed.
    pub async fn publish_event(
        &self,
        channel: &Channel,
        event: &schema::events::StandupEvent,
    ) -> Result<PublisherConfirm, AmqpError> {
        let exchange = self.events_exchange();
        let body = event.to_json().map_err(|source| AmqpError::Encode {
            id: event.standup_id.as_uuid(),
            source,
        })?;
        channel
            .basic_publish(
                exchange.as_str().into(),
                event.routing_key().as_str().into(),
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default()
                    .with_content_type("application/json".into())
                    .with_type(event.kind.as_str().into()),
            )
            .await
            .map_err(|source| AmqpError::Publish { exchange, source })
    }
}

async fn publish(
    channel: &Channel,
    exchange: String,
    routing_key: &str,
    options: BasicPublishOptions,
    envelope: &JobEnvelope,
    properties: BasicProperties,
) -> Result<PublisherConfirm, AmqpError> {
    let body = envelope.to_json().map_err(|source| AmqpError::Encode {
        id: envelope.id,
        source,
    })?;
    channel
        .basic_publish(
            exchange.as_str().into(),
            routing_key.into(),
            options,
            &body,
            properties,
        )
        .await
        .map_err(|source| AmqpError::Publish { exchange, source })
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_prefix() {
        let t = Topology::default();
        assert_eq!(t.jobs_exchange(), "asyncstand.jobs");
        assert_eq!(t.jobs_queue(), "asyncstand.jobs");
        assert_eq!(t.retry_exchange(), "asyncstand.jobs.retry");
        assert_eq!(
            t.retry_queue(RetryDelay::FIVE_SECONDS),
            "asyncstand.jobs.retry.5s"
        );
        assert_eq!(
            t.retry_queue(RetryDelay::THIRTY_SECONDS),
            "asyncstand.jobs.retry.30s"
        );
        assert_eq!(
            t.retry_queue(RetryDelay::FIVE_MINUTES),
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
    fn default_retry_delays_are_ordered() {
        let ttls = RetryDelay::DEFAULT_LADDER.map(RetryDelay::ttl_ms);
        assert_eq!(ttls, [5_000, 30_000, 300_000]);
        assert!(ttls.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            Topology::default().retry_delays(),
            RetryDelay::DEFAULT_LADDER.as_slice()
        );
    }

    #[test]
    fn delays_parse_and_name_themselves_canonically() {
        for (text, ms, name) in [
            ("200ms", 200, "200ms"),
            ("1500ms", 1_500, "1500ms"),
            ("5s", 5_000, "5s"),
            ("60s", 60_000, "1m"),
            ("5m", 300_000, "5m"),
            (" 2h ", 7_200_000, "2h"),
            ("1000ms", 1_000, "1s"),
        ] {
            let delay: RetryDelay = text.parse().unwrap();
            assert_eq!(delay.ttl_ms(), ms, "{text}");
            assert_eq!(delay.name(), name, "{text}");
            assert_eq!(delay.name().parse::<RetryDelay>().unwrap(), delay);
        }
        for bad in ["", "5", "s", "0s", "-5s", "5 s", "1.5s", "5d", "5000000h"] {
            assert!(bad.parse::<RetryDelay>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn ladders_must_grow() {
        let ladder = RetryDelay::parse_ladder("200ms,400ms,800ms").unwrap();
        assert_eq!(
            ladder.iter().map(|d| d.ttl_ms()).collect::<Vec<_>>(),
            [200, 400, 800]
        );
        assert_eq!(
            RetryDelay::parse_ladder("5s,30s,5m").unwrap(),
            RetryDelay::DEFAULT_LADDER.to_vec()
        );
        assert!(RetryDelay::parse_ladder("").is_err());
        assert!(RetryDelay::parse_ladder("5s,5s").is_err());
        assert!(RetryDelay::parse_ladder("30s,5s").is_err());
        assert!(RetryDelay::parse_ladder("5s,,30s").is_err());
    }

    #[test]
    fn custom_ladders_name_their_queues_and_cap_at_the_last_rung() {
        let ladder = RetryDelay::parse_ladder("200ms,400ms,800ms").unwrap();
        let t = Topology::new("t").with_retry_delays(ladder);
        assert_eq!(
            t.queues(),
            [
                "t.jobs",
                "t.jobs.parking",
                "t.jobs.retry.200ms",
                "t.jobs.retry.400ms",
                "t.jobs.retry.800ms"
            ]
        );
        let waits: Vec<u32> = (0..6).map(|a| t.retry_delay_for(a).ttl_ms()).collect();
        assert_eq!(waits, [200, 400, 800, 800, 800, 800]);
        // An empty ladder keeps the default rather than leaving jobs nowhere to wait.
        assert_eq!(
            Topology::new("t")
                .with_retry_delays([])
                .retry_delays()
                .len(),
            3
        );
    }
}
