//! The RabbitMQ consumer: connects (retrying forever), declares the topology, consumes
//! the jobs queue with manual acks and a bounded number of handlers in flight, and
//! starts over whenever the connection or channel is lost.
//!
//! Every delivery is settled only after its outcome is safe:
//! - success (or a duplicate): ack after the handler's transaction committed;
//! - failure with attempts left: the envelope with `attempt + 1` is published to the
//!   delay queue of the retry ladder, and the original is acked once RabbitMQ confirmed
//!   that publish;
//! - deferred (`Error::Deferred`: Slack asked the job's workspace to wait): the same
//!   envelope, attempt unchanged, is published to the shortest delay queue at least as
//!   long as the wait, and the original is acked once RabbitMQ confirmed that publish;
//! - failure on the last attempt: a `failed_jobs` row is written, the envelope is
//!   published to the parking exchange, and the original is acked after the confirm;
//! - not a job at all (undecodable), or the job of another database (an instance sharing
//!   the broker and `AMQP_PREFIX`): rejected, which dead-letters it to parking.
//!
//! If a retry or parking publish fails, the delivery is requeued and the session
//! starts over with fresh channels: nothing is acked that is not safe elsewhere.
//!
//! A handler slot takes the delivery that woke it plus every delivery already waiting
//! (at most `WORKER_BATCH_SIZE`). Jobs of a batchable kind among them run in one
//! transaction ([`jobs::dispatch_batch`]); if that fails, each of them runs alone as
//! above, so a failing job never takes the others' fate.

use crate::{
    config::Settings,
    error::{Error, chain},
    health::Readiness,
    jobs::{self, JobContext, Outcome},
    metrics::Metrics,
};
use futures_util::{FutureExt, StreamExt, future::join_all};
use lapin::{
    Channel, Confirmation, Connection, Consumer, Event, PublisherConfirm,
    message::Delivery,
    options::{
        BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions,
        BasicQosOptions, BasicRejectOptions, ConfirmSelectOptions,
    },
    types::{AMQPValue, FieldTable},
};
use schema::{ids::OrganizationId, jobs::JobEnvelope};
use schema_server::{
    amqp::{AmqpError, RetryDelay, Topology},
    db::{DbError, jobs::NewFailedJob},
};
use secrecy::ExposeSecret;
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tracing::Instrument;

/// Longest error text kept in `failed_jobs` and in the parking message's headers.
const MAX_ERROR_LEN: usize = 2_000;

/// What every handler task shares, across sessions.
#[derive(Debug)]
pub(crate) struct Shared {
    pub jobs: JobContext,
    pub metrics: Arc<Metrics>,
    pub topology: Topology,
    pub max_attempts: u32,
}

/// The session's confirm-mode channel for retry and parking publishes, and the way a
/// handler tells the session that it broke.
#[derive(Clone)]
struct Publisher {
    channel: Channel,
    broken: Arc<Notify>,
}

const FIRST_RETRY_DELAY: Duration = Duration::from_millis(200);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

/// Why a consuming session ended.
enum SessionEnd {
    /// Shutdown was requested; the connection has been closed cleanly.
    Shutdown,
    /// The connection, channel or consumer went away; connect again.
    Lost,
}

/// Consumes until `shutdown` turns true, reconnecting as often as needed.
pub(crate) async fn supervise(
    settings: Settings,
    readiness: Readiness,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let name = format!("asyncstand-worker pid {}", std::process::id());
    // Sessions that fail right away (say, the topology cannot be declared) must not
    // turn into a reconnect storm: pause between them, growing like the connect backoff.
    let mut pause = Duration::ZERO;
    let mut last_failure: Option<String> = None;
    loop {
        let Some(connection) = connect_with_backoff(&settings, &name, &mut shutdown).await else {
            return;
        };
        let started = tokio::time::Instant::now();
        let end = session(
            &connection,
            &shared,
            &settings,
            &readiness,
            shutdown.clone(),
        )
        .await;
        readiness.set_consuming(false);
        match end {
            Ok(SessionEnd::Shutdown) => {
                close_connection(&connection).await;
                tracing::info!("consumer stopped");
                return;
            }
            Ok(SessionEnd::Lost) => {
                tracing::warn!("lost the RabbitMQ connection or consumer; reconnecting");
                last_failure = None;
            }
            Err(e) => {
                let failure = chain(&e);
                if last_failure.as_deref() == Some(failure.as_str()) {
                    tracing::debug!(error = %failure, "RabbitMQ session failed again");
                } else {
                    tracing::warn!(error = %failure, "RabbitMQ session failed; reconnecting");
                    last_failure = Some(failure);
                }
            }
        }
        close_connection(&connection).await;
        pause = if started.elapsed() < MAX_RETRY_DELAY {
            (pause * 2).clamp(FIRST_RETRY_DELAY, MAX_RETRY_DELAY)
        } else {
            Duration::ZERO
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = requested(&mut shutdown) => return,
        }
    }
}

/// Resolves once shutdown has been requested (or its sender is gone).
async fn requested(shutdown: &mut watch::Receiver<bool>) {
    // An error means the sender was dropped, which only happens when the worker stops.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Connects, retrying with exponential backoff (at most [`MAX_RETRY_DELAY`] apart) until
/// it works or shutdown is requested (`None`). A failure is logged at warn the first
/// time it occurs and at debug while it repeats unchanged.
async fn connect_with_backoff(
    settings: &Settings,
    name: &str,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<Connection> {
    let mut delay = FIRST_RETRY_DELAY;
    let mut last_failure: Option<String> = None;
    for attempt in 1_u64.. {
        let connecting = schema_server::amqp::connect(settings.amqp_url.expose_secret(), name);
        let result = tokio::select! {
            result = connecting => result,
            () = requested(shutdown) => return None,
        };
        match result {
            Ok(connection) => {
                tracing::info!(attempt, "connected to RabbitMQ");
                return Some(connection);
            }
            Err(e) => {
                let failure = chain(&e);
                if last_failure.as_deref() == Some(failure.as_str()) {
                    tracing::debug!(attempt, error = %failure, "still cannot connect to RabbitMQ");
                } else {
                    tracing::warn!(
                        attempt,
                        error = %failure,
                        "cannot connect to RabbitMQ; retrying every {}s at most",
                        MAX_RETRY_DELAY.as_secs()
                    );
                    last_failure = Some(failure);
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = requested(shutdown) => return None,
        }
        delay = (delay * 2).min(MAX_RETRY_DELAY);
    }
    None
}

/// One connection's worth of consuming.
async fn session(
    connection: &Connection,
    shared: &Arc<Shared>,
    settings: &Settings,
    readiness: &Readiness,
    mut shutdown: watch::Receiver<bool>,
) -> Result<SessionEnd, Error> {
    // Listen before doing anything so no connection error is missed.
    let mut events = Box::pin(connection.events_listener());
    let setup = subscribe(connection, &shared.topology, settings);
    let (channel, publisher, mut consumer, tag) = tokio::select! {
        subscribed = setup => subscribed?,
        () = requested(&mut shutdown) => return Ok(SessionEnd::Shutdown),
    };
    readiness.set_consuming(true);
    tracing::info!(
        queue = %consumer.queue(),
        prefetch = settings.prefetch,
        concurrency = settings.concurrency,
        batch_size = settings.batch_size,
        "consuming"
    );

    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let end = loop {
        let next = tokio::select! {
            biased;
            () = requested(&mut shutdown) => break SessionEnd::Shutdown,
            () = publisher.broken.notified() => {
                tracing::warn!("the publishing channel failed; starting a new session");
                break SessionEnd::Lost;
            }
            event = events.next() => match event {
                Some(Event::Error(e)) => {
                    tracing::warn!(error = %chain(&e), "RabbitMQ connection error");
                    break SessionEnd::Lost;
                }
                Some(_) => continue,
                None => break SessionEnd::Lost,
            },
            next = consumer.next() => next,
        };
        let delivery = match next {
            Some(Ok(delivery)) => delivery,
            Some(Err(e)) => {
                tracing::warn!(error = %chain(&e), "consumer failed");
                break SessionEnd::Lost;
            }
            None => {
                tracing::warn!(queue = %consumer.queue(), "consumer cancelled by the broker");
                break SessionEnd::Lost;
            }
        };
        // Wait for a free handler slot; a delivery left unhandled at shutdown is
        // requeued by the broker when the channel closes.
        let slot = tokio::select! {
            biased;
            () = requested(&mut shutdown) => break SessionEnd::Shutdown,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break SessionEnd::Lost, // never closed; keeps the loop total
            },
        };
        // Whatever arrived meanwhile joins this handler's batch.
        let mut batch = vec![delivery];
        let mut lost = false;
        while batch.len() < settings.batch_size {
            match consumer.next().now_or_never() {
                Some(Some(Ok(delivery))) => batch.push(delivery),
                Some(Some(Err(e))) => {
                    tracing::warn!(error = %chain(&e), "consumer failed");
                    lost = true;
                    break;
                }
                Some(None) => {
                    tracing::warn!(queue = %consumer.queue(), "consumer cancelled by the broker");
                    lost = true;
                    break;
                }
                None => break,
            }
        }
        tokio::spawn(handle_batch(
            Arc::clone(shared),
            publisher.clone(),
            batch,
            slot,
        ));
        if lost {
            break SessionEnd::Lost;
        }
    };
    readiness.set_consuming(false);

    if matches!(end, SessionEnd::Shutdown) {
        tracing::info!("shutting down: cancelling the consumer");
        if let Err(e) = channel
            .basic_cancel(tag.as_str().into(), BasicCancelOptions::default())
            .await
        {
            tracing::warn!(error = %chain(&e), "cannot cancel the consumer");
        }
    }
    drain(&slots, settings).await;
    if matches!(end, SessionEnd::Shutdown) {
        close_channel(&publisher.channel).await;
        close_channel(&channel).await;
    }
    Ok(end)
}

/// Opens a channel, declares the topology, sets the prefetch and starts consuming; opens
/// a second channel in confirm mode for publishing retries and parked jobs.
async fn subscribe(
    connection: &Connection,
    topology: &Topology,
    settings: &Settings,
) -> Result<(Channel, Publisher, Consumer, String), Error> {
    let channel = connection
        .create_channel()
        .await
        .map_err(Error::lapin("channel.open"))?;
    topology.declare(&channel).await?;
    let publishing = connection
        .create_channel()
        .await
        .map_err(Error::lapin("channel.open"))?;
    publishing
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(Error::lapin("confirm.select"))?;
    let publisher = Publisher {
        channel: publishing,
        broken: Arc::new(Notify::new()),
    };
    channel
        .basic_qos(settings.prefetch, BasicQosOptions::default())
        .await
        .map_err(Error::lapin("basic.qos"))?;
    let tag = format!(
        "asyncstand-worker-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let consumer = channel
        .basic_consume(
            topology.jobs_queue().into(),
            tag.as_str().into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(Error::lapin("basic.consume"))?;
    Ok((channel, publisher, consumer, tag))
}

/// Waits (at most the shutdown timeout) until no handler is running.
async fn drain(slots: &Semaphore, settings: &Settings) {
    let in_flight = settings.concurrency - slots.available_permits();
    if in_flight == 0 {
        return;
    }
    tracing::info!(in_flight, "waiting for running jobs");
    let all = u32::try_from(settings.concurrency).unwrap_or(u32::MAX);
    match tokio::time::timeout(settings.shutdown_timeout, slots.acquire_many(all)).await {
        Ok(_) => tracing::info!("running jobs finished"),
        Err(_) => tracing::warn!(
            timeout_secs = settings.shutdown_timeout.as_secs(),
            "jobs still running after the shutdown timeout; RabbitMQ will redeliver them"
        ),
    }
}

/// Decodes, runs and settles the deliveries of one handler slot: jobs that can be
/// batched in one transaction (falling back to one by one when it fails), the others
/// one by one.
async fn handle_batch(
    shared: Arc<Shared>,
    publisher: Publisher,
    deliveries: Vec<Delivery>,
    slot: OwnedSemaphorePermit,
) {
    let _slot = slot;
    let mut batch = Vec::with_capacity(deliveries.len());
    let mut alone = Vec::new();
    for delivery in deliveries {
        let Some(envelope) = decode(&shared, &delivery).await else {
            continue;
        };
        if jobs::batchable(&envelope) {
            batch.push((delivery, envelope));
        } else {
            alone.push((delivery, envelope));
        }
    }
    if batch.len() > 1 {
        let envelopes: Vec<&JobEnvelope> = batch.iter().map(|(_, envelope)| envelope).collect();
        let started = tokio::time::Instant::now();
        match jobs::dispatch_batch(&shared.jobs, &envelopes).await {
            Ok(outcomes) => {
                let share = started.elapsed() / u32::try_from(batch.len()).unwrap_or(u32::MAX);
                join_all(
                    batch
                        .iter()
                        .zip(outcomes)
                        .map(|((delivery, envelope), outcome)| {
                            shared.metrics.observe_duration(share);
                            settle_success(&shared, delivery, envelope, outcome)
                        }),
                )
                .await;
                batch.clear();
            }
            Err(e) => {
                tracing::debug!(
                    error = %chain(&e),
                    jobs = batch.len(),
                    "the batch failed; running its jobs one by one"
                );
            }
        }
    }
    alone.append(&mut batch);
    join_all(
        alone
            .iter()
            .map(|(delivery, envelope)| handle(&shared, &publisher, delivery, envelope)),
    )
    .await;
}

/// The delivery's job, or `None` after dead-lettering an undecodable message or the job
/// of another database.
async fn decode(shared: &Shared, delivery: &Delivery) -> Option<JobEnvelope> {
    match JobEnvelope::from_json(&delivery.data) {
        Ok(envelope) => match shared.topology.database() {
            Some(own) if !envelope.belongs_to(own) => {
                // Another instance shares this broker and AMQP_PREFIX: its rows are not in
                // our database, so running the job would fail it as "not found".
                tracing::warn!(
                    job_id = %envelope.id,
                    kind = envelope.job.kind(),
                    job_database = envelope.database.as_deref(),
                    database = own,
                    prefix = %shared.topology.prefix,
                    "job of another database on this broker and AMQP_PREFIX; parking it untouched (give each instance its own AMQP_PREFIX, or leave it unset to derive it from the database)"
                );
                shared.metrics.foreign();
                reject(delivery).await;
                None
            }
            _ => Some(envelope),
        },
        Err(e) => {
            tracing::warn!(
                error = %chain(&e),
                delivery_tag = delivery.delivery_tag,
                routing_key = %delivery.routing_key,
                "undecodable message; dead-lettering it to the parking queue (no job id, so no failed_jobs row)"
            );
            shared.metrics.undecodable();
            reject(delivery).await;
            None
        }
    }
}

/// Runs and settles one job in its own transaction.
async fn handle(
    shared: &Shared,
    publisher: &Publisher,
    delivery: &Delivery,
    envelope: &JobEnvelope,
) {
    let span = tracing::info_span!(
        "job",
        job_id = %envelope.id,
        kind = envelope.job.kind(),
        attempt = envelope.attempt,
        organization_id = envelope.organization_id.map(tracing::field::display),
        trace_id = envelope.trace_id.as_deref(),
    );
    async {
        let started = tokio::time::Instant::now();
        let result = jobs::dispatch(&shared.jobs, envelope).await;
        shared.metrics.observe_duration(started.elapsed());
        match result {
            Ok(outcome) => settle_success(shared, delivery, envelope, outcome).await,
            Err(e) => settle_failure(shared, publisher, delivery, envelope, &e).await,
        }
    }
    .instrument(span)
    .await;
}

/// Counts and acks a job whose transaction committed (or that had already run).
async fn settle_success(
    shared: &Shared,
    delivery: &Delivery,
    envelope: &JobEnvelope,
    outcome: Outcome,
) {
    match outcome {
        Outcome::Done => shared.metrics.succeeded(envelope.job.kind()),
        Outcome::Duplicate => {
            tracing::info!(job_id = %envelope.id, "job already processed; acknowledging the duplicate");
            shared.metrics.duplicate();
        }
    }
    ack(delivery).await;
}

/// Sends a failed job to its next delay queue, or dead-letters it when it has used all
/// its attempts; acks the delivery only once that is done.
async fn settle_failure(
    shared: &Shared,
    publisher: &Publisher,
    delivery: &Delivery,
    envelope: &JobEnvelope,
    error: &Error,
) {
    let kind = envelope.job.kind();
    if let Error::Deferred {
        retry_after,
        reason,
    } = error
    {
        // Not a failure: the same envelope (same attempt) goes back after the wait.
        let delay = rung_at_least(shared.topology.retry_delays(), *retry_after);
        tracing::info!(
            reason = %reason,
            retry_in = %delay,
            "job deferred; it runs again without using up an attempt"
        );
        let published = publish_retry(shared, publisher, envelope, delay).await;
        settle_after_publish(publisher, delivery, published, || {
            shared.metrics.deferred(kind);
        })
        .await;
        return;
    }
    let error = truncate(chain(error));
    let attempts = envelope.attempt.saturating_add(1);
    if attempts < shared.max_attempts {
        let delay = shared.topology.retry_delay_for(envelope.attempt);
        tracing::warn!(
            error = %error,
            attempts,
            max_attempts = shared.max_attempts,
            retry_in = %delay,
            "job failed; it will be retried"
        );
        let published = publish_retry(shared, publisher, &envelope.next_attempt(), delay).await;
        settle_after_publish(publisher, delivery, published, || {
            shared.metrics.retried(kind)
        })
        .await;
        return;
    }

    tracing::error!(
        error = %error,
        attempts,
        "job failed on its last attempt; dead-lettering it"
    );
    if let Err(e) = record_failed(shared, envelope, &error, attempts).await {
        // Without the failed_jobs row admins would not see the job: keep it around and
        // try again after the ladder's longest delay, without using up an attempt.
        let delay = shared
            .topology
            .retry_delays()
            .last()
            .copied()
            .unwrap_or(RetryDelay::FIVE_MINUTES);
        tracing::error!(
            error = %chain(&e),
            retry_in = %delay,
            "cannot record the failed job; trying again later"
        );
        let published = publish_retry(shared, publisher, envelope, delay).await;
        settle_after_publish(publisher, delivery, published, || {}).await;
        return;
    }
    let mut headers = FieldTable::default();
    headers.insert(
        "x-asyncstand-error".into(),
        AMQPValue::LongString(error.as_str().into()),
    );
    headers.insert(
        "x-asyncstand-attempts".into(),
        AMQPValue::LongUInt(attempts),
    );
    let published = confirmed(
        shared.topology.parking_exchange(),
        shared
            .topology
            .publish_parked(&publisher.channel, envelope, headers)
            .await,
    )
    .await;
    settle_after_publish(publisher, delivery, published, || {
        shared.metrics.dead_lettered(kind);
    })
    .await;
}

/// The shortest rung of `ladder` at least `wait` long, or its longest rung (the job may
/// then come back early and be deferred again).
fn rung_at_least(ladder: &[RetryDelay], wait: Duration) -> RetryDelay {
    let wait_ms = u32::try_from(wait.as_millis()).unwrap_or(u32::MAX);
    ladder
        .iter()
        .find(|rung| rung.ttl_ms() >= wait_ms)
        .or_else(|| ladder.last())
        .copied()
        .unwrap_or(RetryDelay::FIVE_SECONDS)
}

async fn publish_retry(
    shared: &Shared,
    publisher: &Publisher,
    envelope: &JobEnvelope,
    delay: RetryDelay,
) -> Result<(), Error> {
    confirmed(
        shared.topology.retry_exchange(),
        shared
            .topology
            .publish_retry(&publisher.channel, envelope, delay)
            .await,
    )
    .await
}

/// Waits for the broker's confirm of a publish; a nack or a returned (unroutable)
/// message is an error.
async fn confirmed(
    exchange: String,
    published: Result<PublisherConfirm, AmqpError>,
) -> Result<(), Error> {
    let confirmation = published?
        .await
        .map_err(Error::lapin("publisher confirm"))?;
    match confirmation {
        Confirmation::Ack(None) | Confirmation::NotRequested => Ok(()),
        Confirmation::Ack(Some(_)) => Err(Error::NotConfirmed {
            exchange,
            reason: "unroutable (no queue bound), returned",
        }),
        Confirmation::Nack(_) => Err(Error::NotConfirmed {
            exchange,
            reason: "nacked by the broker",
        }),
    }
}

/// Acks once the job is safely elsewhere; otherwise requeues it and ends the session,
/// so the next one starts with fresh channels (and a redeclared topology).
async fn settle_after_publish(
    publisher: &Publisher,
    delivery: &Delivery,
    published: Result<(), Error>,
    on_success: impl FnOnce(),
) {
    match published {
        Ok(()) => {
            on_success();
            ack(delivery).await;
        }
        Err(e) => {
            tracing::warn!(
                error = %chain(&e),
                "cannot hand the failed job on; requeueing it and reconnecting"
            );
            if let Err(e) = delivery
                .nack(BasicNackOptions {
                    requeue: true,
                    ..BasicNackOptions::default()
                })
                .await
            {
                tracing::debug!(error = %chain(&e), "cannot nack; RabbitMQ will redeliver the job");
            }
            publisher.broken.notify_one();
        }
    }
}

/// Writes (or rewrites) the job's `failed_jobs` row. A job whose organization is gone
/// is still recorded, without the organization.
async fn record_failed(
    shared: &Shared,
    envelope: &JobEnvelope,
    error: &str,
    attempts: u32,
) -> Result<(), Error> {
    let mut conn = shared
        .jobs
        .pool
        .get()
        .await
        .map_err(|e| DbError::Pool(e.to_string()))?;
    let mut row = NewFailedJob {
        id: envelope.id,
        org_id: envelope.organization_id.map(OrganizationId),
        kind: envelope.job.kind(),
        envelope: serde_json::to_value(envelope).unwrap_or_default(),
        error,
        attempts: i32::try_from(attempts).unwrap_or(i32::MAX),
    };
    match schema_server::db::jobs::record_failed(&mut conn, &row).await {
        Err(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::ForeignKeyViolation,
            _,
        ))) if row.org_id.is_some() => {
            row.org_id = None;
            schema_server::db::jobs::record_failed(&mut conn, &row).await?;
        }
        result => result?,
    }
    Ok(())
}

fn truncate(mut text: String) -> String {
    if text.len() > MAX_ERROR_LEN {
        let mut end = MAX_ERROR_LEN;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

async fn ack(delivery: &Delivery) {
    if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
        tracing::warn!(error = %chain(&e), "cannot ack; RabbitMQ will redeliver the job");
    }
}

/// Rejects without requeue, so the queue dead-letters the message to the parking exchange.
async fn reject(delivery: &Delivery) {
    if let Err(e) = delivery.reject(BasicRejectOptions { requeue: false }).await {
        tracing::warn!(error = %chain(&e), "cannot reject; RabbitMQ will redeliver the message");
    }
}

async fn close_channel(channel: &Channel) {
    if channel.status().connected()
        && let Err(e) = channel.close(200, "worker shutting down".into()).await
    {
        tracing::debug!(error = %chain(&e), "closing the channel failed");
    }
}

async fn close_connection(connection: &Connection) {
    if connection.status().connected()
        && let Err(e) = connection.close(200, "worker shutting down".into()).await
    {
        tracing::debug!(error = %chain(&e), "closing the connection failed");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_deferred_job_waits_on_the_shortest_rung_long_enough() {
        let ladder = RetryDelay::parse_ladder("1s,2s,5s").unwrap();
        let rung = |ms| rung_at_least(&ladder, Duration::from_millis(ms)).ttl_ms();
        assert_eq!(rung(0), 1_000);
        assert_eq!(rung(1_000), 1_000);
        assert_eq!(rung(1_001), 2_000);
        assert_eq!(rung(4_000), 5_000);
        // Longer than the ladder: its last rung (the job is deferred again if need be).
        assert_eq!(rung(60_000), 5_000);
    }
}
