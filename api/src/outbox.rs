//! The api's outbox relay wiring: services wake it after their commit (they never wait
//! for the broker); a periodic sweep and a broker reconnect pick up whatever is left.
//! The relay itself (claim, publish through the topology, confirm, mark sent) is
//! [`schema_server::outbox`], shared with the worker.

use crate::broker::Broker;
use crate::metrics::Metrics;
use schema_server::amqp::Topology;
use schema_server::db::DbPool;
use schema_server::outbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Relay passes in flight at once: while one waits for its confirms, the next one is
/// being claimed and published (each claims other rows, `SKIP LOCKED`).
const CONCURRENT_PASSES: usize = 2;
const SWEEP_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct OutboxRelay {
    wake: Arc<Notify>,
}

impl OutboxRelay {
    pub fn start(pool: DbPool, broker: Broker, topology: Topology, metrics: Metrics) -> Self {
        let relay = OutboxRelay {
            wake: Arc::new(Notify::new()),
        };
        let wake = relay.wake.clone();
        tokio::spawn(async move { run(pool, broker, topology, metrics, wake).await });
        relay
    }

    /// Asks the relay to publish now (after a commit that wrote outbox rows).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn run(
    pool: DbPool,
    broker: Broker,
    topology: Topology,
    metrics: Metrics,
    wake: Arc<Notify>,
) {
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            _ = broker.reconnected() => {}
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
        }
        let Some(channel) = broker.publisher().await else {
            continue;
        };
        let passes = futures_util::future::join_all(
            (0..CONCURRENT_PASSES).map(|_| outbox::relay_all(&pool, &channel, &topology)),
        )
        .await;
        for relayed in passes {
            metrics.published(relayed.sent as u64);
            if relayed.unconfirmed > 0 {
                metrics.publish_failed(relayed.unconfirmed as u64);
            }
        }
    }
}
