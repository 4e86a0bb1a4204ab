//! The api's RabbitMQ connection: kept open in the background, re-established after a
//! broker restart, and reported by `/readyz`.

use schema_server::amqp::{Topology, connect};
use secrecy::{ExposeSecret, SecretString};
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
    /// A channel in publisher-confirm mode, for the outbox relay.
    publisher: RwLock<Option<lapin::Channel>>,
    /// Woken when a connection (re)opens, so waiting work can go at once.
    connected_notify: tokio::sync::Notify,
}

impl Broker {
    /// Starts the background connection loop.
    pub fn start(url: SecretString, topology: Topology) -> Self {
        let broker = Broker {
            inner: Arc::new(Inner {
                connected: AtomicBool::new(false),
                connection: RwLock::new(None),
                publisher: RwLock::new(None),
                connected_notify: tokio::sync::Notify::new(),
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

    /// The confirm-mode publishing channel, when connected.
    pub async fn publisher(&self) -> Option<lapin::Channel> {
        if !self.is_connected().await {
            return None;
        }
        self.inner
            .publisher
            .read()
            .await
            .as_ref()
            .filter(|c| c.status().connected())
            .cloned()
    }

    /// A new channel on the current connection (for a consumer), when connected.
    pub async fn open_channel(&self) -> Option<lapin::Channel> {
        if !self.is_connected().await {
            return None;
        }
        let connection = self.inner.connection.read().await;
        connection.as_ref()?.create_channel().await.ok()
    }

    /// Closes the connection as a RabbitMQ restart would; the background loop connects
    /// again and everything built on it (the events consumer) binds again. For tests.
    #[doc(hidden)]
    pub async fn drop_connection(&self) {
        if let Some(connection) = self.inner.connection.read().await.as_ref() {
            let _ = connection.close(320, "closed on purpose".into()).await;
        }
    }

    /// Resolves the next time the connection (re)opens.
    pub async fn reconnected(&self) {
        self.inner.connected_notify.notified().await
    }

    async fn run(&self, url: SecretString, topology: Topology) {
        let mut backoff = Duration::from_millis(200);
        let mut logged_down = false;
        loop {
            match self.connect_once(url.expose_secret(), &topology).await {
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
        channel
            .confirm_select(lapin::options::ConfirmSelectOptions::default())
            .await?;
        *self.inner.publisher.write().await = Some(channel);
        *self.inner.connection.write().await = Some(connection);
        self.inner.connected.store(true, Ordering::Release);
        self.inner.connected_notify.notify_waiters();
        Ok(())
    }
}
