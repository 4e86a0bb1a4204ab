//! The worker's side of the outbox, and its relay.
//!
//! The scheduler and the job handlers enqueue follow-up jobs (`notify_standup`,
//! `remind_standup`, `compile_digest`, `deliver_webhook`) the way the api does: as
//! `outbox` rows written in the same transaction as the change that causes them, so a
//! job exists exactly when its change committed. The api's relay only runs in api
//! processes, and a worker must not depend on an api being up to make progress, so every
//! worker runs a relay as well ([`run`]): woken after each commit that wrote rows and
//! sweeping every second, it claims unsent rows with `FOR UPDATE SKIP LOCKED` (several
//! relays, api or worker, never publish a row at the same time), publishes them with
//! publisher confirms and marks them sent. Rows whose publish was not confirmed (broker
//! down, process killed) stay unsent and are swept again: nothing is lost; a row may be
//! published twice only if a process dies between the broker's confirm and the commit
//! of `sent_at`, and the job handlers are idempotent for exactly that.
//!
//! The same task publishes standup events (OPENED, CLOSED) after the commits that cause
//! them: best-effort, as the contract says (a lost event is refetched by the UI).

use crate::error::{Error, chain};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use lapin::{
    BasicProperties, Channel, Connection,
    options::{BasicPublishOptions, ConfirmSelectOptions},
};
use schema::{
    amqp::Topology,
    db::{DbError, DbPool, models::NewOutboxRow, outbox, tables},
    events::StandupEvent,
    ids::OrganizationId,
    jobs::{Job, JobEnvelope},
};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, mpsc, watch};

const BATCH: i64 = 1000;
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Events waiting for the relay; beyond this they are dropped (and logged).
const EVENT_BUFFER: usize = 10_000;

/// The outbox row of `job` for organization `org`, enqueued now.
///
/// # Errors
/// Only if the envelope cannot be serialised (never for these plain types).
pub(crate) fn row(org: OrganizationId, job: Job) -> Result<NewOutboxRow<'static>, Error> {
    let id = uuid::Uuid::new_v4();
    let envelope = JobEnvelope::new(id, job, chrono::Utc::now()).for_organization(org.as_uuid());
    let payload = serde_json::to_value(&envelope)
        .map_err(|e| DbError::Query(diesel::result::Error::SerializationError(Box::new(e))))?;
    Ok(NewOutboxRow {
        id,
        org_id: Some(org),
        kind: envelope.job.kind(),
        payload,
    })
}

/// Writes `rows` in one statement; call it inside the transaction of the change.
///
/// # Errors
/// The database.
pub(crate) async fn insert(
    conn: &mut AsyncPgConnection,
    rows: &[NewOutboxRow<'_>],
) -> Result<(), DbError> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(tables::outbox::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// How the scheduler and the handlers reach the relay: cheap to clone.
#[derive(Debug, Clone)]
pub struct Relay {
    wake: Arc<Notify>,
    events: mpsc::Sender<StandupEvent>,
}

impl Relay {
    /// A relay handle and what [`run`] needs to serve it.
    pub(crate) fn new() -> (Self, RelayInbox) {
        let wake = Arc::new(Notify::new());
        let (events, receiver) = mpsc::channel(EVENT_BUFFER);
        (
            Self {
                wake: Arc::clone(&wake),
                events,
            },
            RelayInbox { wake, receiver },
        )
    }

    /// Asks the relay to publish now (after a commit that wrote outbox rows).
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Queues an event for publishing (call after the commit); never waits.
    pub(crate) fn publish_event(&self, event: StandupEvent) {
        match self.events.try_send(event) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!("standup event dropped: the relay is behind");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                tracing::debug!("standup event dropped: no relay");
            }
        }
        self.wake.notify_one();
    }
}

/// The receiving side of a [`Relay`].
#[derive(Debug)]
pub(crate) struct RelayInbox {
    wake: Arc<Notify>,
    receiver: mpsc::Receiver<StandupEvent>,
}

/// Relays outbox rows and events until `stopped` turns true; then relays once more.
pub(crate) async fn run(
    pool: DbPool,
    amqp_url: String,
    topology: Topology,
    mut inbox: RelayInbox,
    mut stopped: watch::Receiver<bool>,
) {
    let name = format!("asyncstand-worker-relay pid {}", std::process::id());
    let mut link: Option<(Connection, Channel)> = None;
    let mut last_failure: Option<String> = None;
    loop {
        let stopping = tokio::select! {
            () = inbox.wake.notified() => false,
            () = tokio::time::sleep(SWEEP_EVERY) => false,
            _ = stopped.wait_for(|stop| *stop) => true,
        };
        let mut events = Vec::new();
        while let Ok(event) = inbox.receiver.try_recv() {
            events.push(event);
        }
        if link.as_ref().is_none_or(|(connection, channel)| {
            !connection.status().connected() || !channel.status().connected()
        }) {
            link = match open_link(&amqp_url, &name).await {
                Ok(link) => {
                    last_failure = None;
                    Some(link)
                }
                Err(e) => {
                    let failure = chain(&e);
                    if last_failure.as_deref() != Some(failure.as_str()) {
                        tracing::warn!(error = %failure, "outbox relay cannot reach RabbitMQ; rows wait for the next sweep");
                        last_failure = Some(failure);
                    }
                    None
                }
            };
        }
        if let Some((_, channel)) = &link {
            relay_all(&pool, channel, &topology).await;
            publish_events(channel, &topology, &events).await;
        } else if !events.is_empty() {
            tracing::warn!(
                dropped = events.len(),
                "standup events dropped: RabbitMQ unreachable"
            );
        }
        if stopping {
            break;
        }
    }
    if let Some((connection, _)) = link {
        let _ = connection.close(200, "worker stopping".into()).await;
    }
}

async fn open_link(url: &str, name: &str) -> Result<(Connection, Channel), Error> {
    let connection = schema::amqp::connect(url, name).await?;
    let channel = connection
        .create_channel()
        .await
        .map_err(Error::lapin("open the relay channel"))?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await
        .map_err(Error::lapin("confirm mode"))?;
    Ok((connection, channel))
}

async fn relay_all(pool: &DbPool, channel: &Channel, topology: &Topology) {
    let exchange = topology.jobs_exchange();
    loop {
        match relay_batch(pool, channel, &exchange).await {
            Ok(n) if n as i64 >= BATCH => {}
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %chain(&e), "outbox relay: batch failed; rows stay for the next sweep");
                return;
            }
        }
    }
}

/// Publishes one batch of unsent rows; returns how many were confirmed.
async fn relay_batch(pool: &DbPool, channel: &Channel, exchange: &str) -> Result<usize, Error> {
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    conn.transaction::<_, Error, _>(async |tx| {
        let rows = outbox::claim_unsent(tx, BATCH).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        // Pipelined: send every message, then collect the confirms.
        let mut pending = Vec::with_capacity(rows.len());
        for row in &rows {
            let body = serde_json::to_vec(&row.payload).unwrap_or_default();
            let properties = BasicProperties::default()
                .with_content_type("application/json".into())
                .with_delivery_mode(2)
                .with_message_id(row.id.to_string().into())
                .with_type(row.kind.as_str().into());
            let confirm = channel
                .basic_publish(
                    exchange.into(),
                    row.kind.as_str().into(),
                    BasicPublishOptions::default(),
                    &body,
                    properties,
                )
                .await;
            pending.push((row.id, confirm));
        }
        let mut sent = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for (id, confirm) in pending {
            let acked = match confirm {
                Ok(confirm) => matches!(confirm.await, Ok(c) if c.is_ack()),
                Err(_) => false,
            };
            if acked {
                sent.push(id);
            } else {
                failed.push(id);
            }
        }
        outbox::mark_sent(tx, &sent).await?;
        if !failed.is_empty() {
            outbox::mark_attempted(tx, &failed).await?;
            tracing::warn!(
                unconfirmed = failed.len(),
                "outbox relay: broker did not confirm every message"
            );
        }
        Ok(sent.len())
    })
    .await
}

async fn publish_events(channel: &Channel, topology: &Topology, events: &[StandupEvent]) {
    for event in events {
        let published = match topology.publish_event(channel, event).await {
            Ok(confirm) => confirm.await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(chain(&e)),
        };
        if let Err(error) = published {
            tracing::warn!(%error, kind = %event.kind, standup = %event.standup_id, "standup event not published");
        }
    }
}
