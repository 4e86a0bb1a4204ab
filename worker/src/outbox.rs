//! The worker's outbox wiring.
//!
//! The scheduler and the job handlers enqueue follow-up jobs (`notify_standup`,
//! `remind_standup`, `compile_digest`, `deliver_webhook`) the way the api does, with
//! [`schema_server::outbox`]: as `outbox` rows written in the same transaction as the
//! change that causes them. The api's relay only runs in api processes, and a worker must
//! not depend on an api being up to make progress, so every worker runs the same relay as
//! well ([`run`]): woken after each commit that wrote rows and sweeping every second, on
//! a connection of its own in confirm mode.
//!
//! The same task publishes standup events (OPENED, CLOSED) after the commits that cause
//! them: best-effort, as the contract says (a lost event is refetched by the UI).

use crate::error::{Error, chain};
use lapin::{Channel, Connection, options::ConfirmSelectOptions};
use schema::events::StandupEvent;
use schema_server::{amqp::Topology, db::DbPool};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Notify, mpsc, watch};

const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Events waiting for the relay; beyond this they are dropped (and logged).
const EVENT_BUFFER: usize = 10_000;

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
            schema_server::outbox::relay_all(&pool, channel, &topology).await;
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
    let connection = schema_server::amqp::connect(url, name).await?;
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
