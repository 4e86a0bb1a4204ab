//! AsyncStand's queue-driven worker.
//!
//! [`run`] is the whole process minus signal handling and log set-up, so tests can run
//! the worker in-process; `main` reads [`Settings`], installs [`telemetry`] and calls it
//! with [`shutdown_signal`].

pub mod config;
mod consumer;
pub mod error;
pub mod health;
pub mod jobs;
pub mod telemetry;

pub use config::Settings;
pub use error::Error;

use health::{HealthServer, Readiness};
use std::{future::Future, net::SocketAddr};
use tokio::sync::watch;

/// A worker whose health endpoint is already listening.
pub struct Application {
    settings: Settings,
    readiness: Readiness,
    health: HealthServer,
}

impl Application {
    /// Binds the health endpoint (call it inside a Tokio runtime); nothing talks to
    /// RabbitMQ yet.
    ///
    /// # Errors
    /// The health address cannot be bound.
    pub fn build(settings: Settings) -> Result<Self, Error> {
        let readiness = Readiness::default();
        let health = HealthServer::start(settings.health_bind, readiness.clone())?;
        Ok(Self {
            settings,
            readiness,
            health,
        })
    }

    /// Where `GET /healthz` is served.
    #[must_use]
    pub fn health_addr(&self) -> SocketAddr {
        self.health.addr()
    }

    /// Whether the worker currently consumes the jobs queue (what `/healthz` reports).
    #[must_use]
    pub fn readiness(&self) -> Readiness {
        self.readiness.clone()
    }

    /// Consumes jobs, reconnecting whenever RabbitMQ goes away, until `shutdown`
    /// resolves; then cancels the consumer, waits for running jobs (at most
    /// `settings.shutdown_timeout`), closes the channel and connection and stops the
    /// health endpoint.
    ///
    /// # Errors
    /// None today: RabbitMQ failures are retried, not returned. The `Result` keeps room
    /// for fatal errors of later components (the scheduler, the database).
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let (stop, stopped) = watch::channel(false);
        let consumer = consumer::supervise(self.settings, self.readiness, stopped);
        tokio::pin!(consumer);
        tokio::select! {
            () = &mut consumer => {}
            () = shutdown => {
                tracing::info!("shutdown requested");
                // The receiver lives inside `consumer`, which is still running.
                let _ = stop.send(true);
                consumer.await;
            }
        }
        self.health.stop().await;
        tracing::info!("worker stopped");
        Ok(())
    }
}

/// Builds and runs the worker until `shutdown` resolves (see [`Application::run_until`]).
///
/// # Errors
/// The health endpoint cannot be bound.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
    Application::build(settings)?.run_until(shutdown).await
}

/// Installs the SIGTERM and Ctrl-C handlers now and returns a future resolving at the
/// first of them.
///
/// # Errors
/// A handler cannot be installed.
pub fn shutdown_signal() -> Result<impl Future<Output = ()>, Error> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|source| Error::Signal {
        signal: "SIGTERM",
        source,
    })?;
    Ok(async move {
        #[cfg(unix)]
        let terminated = async {
            terminate.recv().await;
        };
        #[cfg(not(unix))]
        let terminated = std::future::pending::<()>();
        tokio::select! {
            () = terminated => tracing::info!("SIGTERM received"),
            result = tokio::signal::ctrl_c() => match result {
                Ok(()) => tracing::info!("Ctrl-C received"),
                Err(e) => tracing::warn!(error = %e, "cannot listen for Ctrl-C; stopping"),
            },
        }
    })
}
