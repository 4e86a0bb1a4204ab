//! The outbox relay: publishes committed outbox rows to the jobs exchange with publisher
//! confirms and marks them sent after the broker's ack. Services wake it after their
//! commit (they never wait for the broker); a periodic sweep picks up whatever is left
//! (broker down, process killed). `FOR UPDATE SKIP LOCKED` lets every api replica run one.

use crate::broker::Broker;
use crate::metrics::Metrics;
use diesel_async::AsyncConnection;
use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use schema::amqp::Topology;
use schema::db::{DbError, DbPool, outbox};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

const BATCH: i64 = 1000;
/// Batches in flight at once: while one waits for its confirms, the next one is being
/// claimed and published (each claims other rows, `SKIP LOCKED`).
const CONCURRENT_BATCHES: usize = 2;
const SWEEP_EVERY: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct OutboxRelay {
    wake: Arc<Notify>,
}

#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("publishing failed: {0}")]
    Publish(#[from] lapin::Error),
}

impl From<diesel::result::Error> for RelayError {
    fn from(e: diesel::result::Error) -> Self {
        RelayError::Db(e.into())
    }
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
    let exchange = topology.jobs_exchange();
    loop {
        tokio::select! {
            _ = wake.notified() => {}
            _ = broker.reconnected() => {}
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
        }
        futures_util::future::join_all(
            (0..CONCURRENT_BATCHES).map(|_| drain(&pool, &broker, &exchange, &metrics)),
        )
        .await;
    }
}

/// Publishes batch after batch until one comes back short (or fails).
async fn drain(pool: &DbPool, broker: &Broker, exchange: &str, metrics: &Metrics) {
    loop {
        match relay_batch(pool, broker, exchange, metrics).await {
            Ok(n) if n as i64 >= BATCH => continue,
            Ok(_) => break,
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay: batch failed; rows stay for the next sweep");
                break;
            }
        }
    }
}

/// Publishes one batch; returns how many rows it handled.
async fn relay_batch(
    pool: &DbPool,
    broker: &Broker,
    exchange: &str,
    metrics: &Metrics,
) -> Result<usize, RelayError> {
    let Some(channel) = broker.publisher().await else {
        return Ok(0);
    };
    let mut conn = pool.get().await.map_err(|e| DbError::Pool(e.to_string()))?;
    conn.transaction::<_, RelayError, _>(async |tx| {
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
                sent.push(id)
            } else {
                failed.push(id)
            }
        }
        outbox::mark_sent(tx, &sent).await?;
        if !failed.is_empty() {
            outbox::mark_attempted(tx, &failed).await?;
            metrics.publish_failed(failed.len() as u64);
            tracing::warn!(
                unconfirmed = failed.len(),
                "outbox relay: broker did not confirm every message"
            );
        }
        metrics.published(sent.len() as u64);
        Ok(sent.len())
    })
    .await
}
