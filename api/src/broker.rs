//! The api's RabbitMQ connection: kept open in the background, re-established after a
//! broker restart, and reported by `/readyz`.

use schema::amqp::{Topology, connect};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::RwLock;

#[derive(Clone)]
pub struct Broker {
    inner: Arc<Inner>,
}

struct Inner {
    connected: AtomicBool,
    connection: RwLock<Option<lapin::Connection>>,
}

impl Broker {
    /// Starts the background connection loop.
    pub fn start(url: String, topology: Topology) -> Self {
        let broker = Broker {
            inner: Arc::new(Inner {
                connected: AtomicBool::new(false),
                connection: RwLock::new(None),
            }),
        };
        let handle = broker.clone();
        tokio::spawn(async move { handle.run(url, topology).await });
        broker
    }

    /// True while the connection to RabbitMQ is open.
    pub async fn is_connected(&self) -> bool {
        if !self.inner.connected.load(Ordering::Acquire) {
            return false;
        }
        self.inner
            .connection
            .read()
            .await
            .as_ref()
            .is_some_and(|c| c.status().connected())
    }

    async fn run(&self, url: String, topology: Topology) {
        let mut backoff = Duration::from_millis(200);
        let mut logged_down = false;
        loop {
            match self.connect_once(&url, &topology).await {
                Ok(()) => {
                    backoff = Duration::from_millis(200);
                    if logged_down {
                        tracing::info!("RabbitMQ connection restored");
                    }
                    logged_down = false;
                    // Watch the connection; when it drops, loop and reconnect.
                    while self.is_connected().await {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    self.inner.connected.store(false, Ordering::Release);
                    tracing::warn!("RabbitMQ connection lost; reconnecting");
                }
                Err(e) => {
                    if !logged_down {
                        tracing::warn!(error = %e, "RabbitMQ unavailable; retrying");
                        logged_down = true;
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
    }

    async fn connect_once(&self, url: &str, topology: &Topology) -> Result<(), anyhow::Error> {
        let connection = connect(url, "asyncstand-api").await?;
        let channel = connection.create_channel().await?;
        topology.declare(&channel).await?;
        let _ = channel.close(200, "declared".into()).await;
        *self.inner.connection.write().await = Some(connection);
        self.inner.connected.store(true, Ordering::Release);
        Ok(())
    }
}
