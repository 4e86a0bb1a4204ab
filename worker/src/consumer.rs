//! The RabbitMQ consumer: connects (retrying forever), declares the topology, consumes
//! the jobs queue with manual acks and a bounded number of handlers in flight, and
//! starts over whenever the connection or channel is lost.

use crate::{
    config::Settings,
    error::{Error, chain},
    health::Readiness,
    jobs,
};
use futures_util::StreamExt;
use lapin::{
    Channel, Connection, Consumer, Event,
    message::Delivery,
    options::{
        BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicQosOptions,
        BasicRejectOptions,
    },
    types::FieldTable,
};
use schema::{amqp::Topology, jobs::JobEnvelope};
use secrecy::ExposeSecret;
use std::{sync::Arc, time::Duration};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tracing::Instrument;

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
    mut shutdown: watch::Receiver<bool>,
) {
    let topology = Topology::new(settings.amqp_prefix.clone());
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
            &topology,
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
        let connecting = schema::amqp::connect(settings.amqp_url.expose_secret(), name);
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
    topology: &Topology,
    settings: &Settings,
    readiness: &Readiness,
    mut shutdown: watch::Receiver<bool>,
) -> Result<SessionEnd, Error> {
    // Listen before doing anything so no connection error is missed.
    let mut events = Box::pin(connection.events_listener());
    let setup = subscribe(connection, topology, settings);
    let (channel, mut consumer, tag) = tokio::select! {
        subscribed = setup => subscribed?,
        () = requested(&mut shutdown) => return Ok(SessionEnd::Shutdown),
    };
    readiness.set_consuming(true);
    tracing::info!(
        queue = %consumer.queue(),
        prefetch = settings.prefetch,
        concurrency = settings.concurrency,
        "consuming"
    );

    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let end = loop {
        let next = tokio::select! {
            biased;
            () = requested(&mut shutdown) => break SessionEnd::Shutdown,
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
        tokio::spawn(handle(delivery, slot));
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
        close_channel(&channel).await;
    }
    Ok(end)
}

/// Opens a channel, declares the topology, sets the prefetch and starts consuming.
async fn subscribe(
    connection: &Connection,
    topology: &Topology,
    settings: &Settings,
) -> Result<(Channel, Consumer, String), Error> {
    let channel = connection
        .create_channel()
        .await
        .map_err(Error::lapin("channel.open"))?;
    topology.declare(&channel).await?;
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
    Ok((channel, consumer, tag))
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

/// Decodes, dispatches and settles one delivery.
async fn handle(delivery: Delivery, slot: OwnedSemaphorePermit) {
    let _slot = slot;
    let envelope = match JobEnvelope::from_json(&delivery.data) {
        Ok(envelope) => envelope,
        Err(e) => {
            tracing::warn!(
                error = %chain(&e),
                delivery_tag = delivery.delivery_tag,
                routing_key = %delivery.routing_key,
                "undecodable message; dead-lettering it to the parking queue"
            );
            reject(&delivery).await;
            return;
        }
    };
    let span = tracing::info_span!(
        "job",
        job_id = %envelope.id,
        kind = envelope.job.kind(),
        attempt = envelope.attempt,
        organization_id = envelope.organization_id.map(tracing::field::display),
        trace_id = envelope.trace_id.as_deref(),
    );
    async {
        match jobs::dispatch(&envelope).await {
            Ok(()) => {
                if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
                    tracing::warn!(error = %chain(&e), "cannot ack; RabbitMQ will redeliver the job");
                }
            }
            Err(e) => {
                // The retry ladder through the delay queues comes with the job pipeline;
                // until then a failed job goes straight to the parking queue.
                tracing::error!(error = %chain(&e), "job failed; dead-lettering it");
                reject(&delivery).await;
            }
        }
    }
    .instrument(span)
    .await;
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
