//! Domain events from RabbitMQ to GraphQL subscriptions, and publishing them.
//!
//! Every api replica declares its own exclusive, auto-delete, server-named queue bound to
//! the `{prefix}.events` topic exchange with `org.*.team.*.standup`, and fans each event
//! out to this process's subscribers through a tokio broadcast channel; a subscription
//! keeps the events of its organization and team. So an answer submitted through one
//! replica reaches a subscriber connected to another. When RabbitMQ restarts, the queue
//! (gone with the connection) is declared and bound again on the new connection.
//!
//! Events are best effort: a subscriber that falls behind, or an event published while
//! RabbitMQ is down, is lost; the UI refetches on reconnect.

use crate::broker::Broker;
use futures_util::StreamExt;
use lapin::ExchangeKind;
use lapin::options::{
    BasicConsumeOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use schema::events::StandupEvent;
use schema_server::amqp::Topology;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Events a slow subscriber may fall behind by before it misses some.
const BUFFER: usize = 1024;
/// The binding that takes every standup event of every organization.
pub const STANDUP_BINDING: &str = "org.*.team.*.standup";

/// This process's end of the events exchange.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<StandupEvent>>,
    broker: Broker,
    topology: Arc<Topology>,
    exchange: Arc<str>,
}

impl EventHub {
    /// Starts consuming the events exchange over `broker`'s connection (and again after
    /// every reconnect).
    pub fn start(broker: Broker, topology: &Topology) -> Self {
        let (sender, _) = broadcast::channel(BUFFER);
        let hub = EventHub {
            sender,
            broker,
            topology: Arc::new(topology.clone()),
            exchange: topology.events_exchange().into(),
        };
        let consumer = hub.clone();
        tokio::spawn(async move { consumer.run().await });
        hub
    }

    /// Every event this process receives from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StandupEvent>> {
        self.sender.subscribe()
    }

    /// Publishes `event` to the events exchange; best effort (logged, never returned),
    /// in the background so the caller's response does not wait for RabbitMQ. Call
    /// after the change's transaction committed.
    pub fn publish(&self, event: StandupEvent) {
        let broker = self.broker.clone();
        let topology = self.topology.clone();
        tokio::spawn(async move {
            if let Err(e) = publish(&broker, &topology, &event).await {
                tracing::warn!(error = %e, kind = ?event.kind, standup = %event.standup_id, "standup event not published");
            }
        });
    }

    async fn run(&self) {
        loop {
            match self.consume_once().await {
                Ok(()) => tracing::info!("events consumer stopped; binding again"),
                Err(e) => tracing::debug!(error = %e, "events consumer unavailable; retrying"),
            }
            // Wait for the broker to reconnect, or retry shortly (the connection may
            // already be back).
            tokio::select! {
                _ = self.broker.reconnected() => {}
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
        }
    }

    /// Declares and binds this replica's queue and forwards its messages until the
    /// channel closes.
    async fn consume_once(&self) -> Result<(), anyhow::Error> {
        let channel = self
            .broker
            .open_channel()
            .await
            .ok_or_else(|| anyhow::anyhow!("RabbitMQ is not connected"))?;
        channel
            .exchange_declare(
                self.exchange.as_ref().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        let queue = channel
            .queue_declare(
                "".into(),
                QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        channel
            .queue_bind(
                queue.name().clone(),
                self.exchange.as_ref().into(),
                STANDUP_BINDING.into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        let mut consumer = channel
            .basic_consume(
                queue.name().clone(),
                "".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        tracing::debug!(queue = %queue.name(), "consuming standup events");
        let mut watch = tokio::time::interval(Duration::from_millis(500));
        loop {
            tokio::select! {
                delivery = consumer.next() => match delivery {
                    Some(Ok(delivery)) => match StandupEvent::from_json(&delivery.data) {
                        // No subscribers is not an error.
                        Ok(event) => drop(self.sender.send(Arc::new(event))),
                        Err(e) => tracing::warn!(error = %e, "unreadable standup event dropped"),
                    },
                    Some(Err(e)) => return Err(e.into()),
                    None => return Ok(()),
                },
                _ = watch.tick() => {
                    if !channel.status().connected() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

async fn publish(broker: &Broker, topology: &Topology, event: &StandupEvent) -> anyhow::Result<()> {
    let channel = broker
        .publisher()
        .await
        .ok_or_else(|| anyhow::anyhow!("RabbitMQ is not connected"))?;
    // The confirm is not awaited: events are best effort, and the relay shares the channel.
    drop(topology.publish_event(&channel, event).await?);
    Ok(())
}
