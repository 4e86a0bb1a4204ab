//! AsyncStand's queue-driven worker.
//!
//! [`run`] is the whole process minus signal handling and log set-up, so tests can run
//! the worker in-process; `main` reads [`Settings`], installs [`telemetry`] and calls it
//! with [`shutdown_signal`].

pub mod clock;
pub mod config;
mod consumer;
pub mod error;
pub mod health;
pub mod housekeeping;
pub mod jobs;
mod local_time;
pub mod metrics;
pub mod notify;
pub mod outbox;
pub mod scheduler;
pub mod telemetry;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::Settings;
pub use error::Error;

use consumer::Shared;
use error::chain;
use health::{HealthServer, Readiness};
use jobs::JobContext;
use metrics::Metrics;
use notify::Mailer;
use schema_server::{amqp::Topology, db::PoolOptions, secrets::SecretBox};
use secrecy::ExposeSecret;
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::watch;

/// A worker whose health endpoint is already listening.
pub struct Application {
    settings: Settings,
    readiness: Readiness,
    metrics: Arc<Metrics>,
    jobs: JobContext,
    relay_inbox: outbox::RelayInbox,
    clock: Arc<dyn Clock>,
    health: HealthServer,
}

impl Application {
    /// Binds the health endpoint, builds the database pool (connections open on first
    /// use) and the mailer (call it inside a Tokio runtime); nothing talks to PostgreSQL
    /// or RabbitMQ yet.
    ///
    /// # Errors
    /// The health address cannot be bound, the database URL or mail settings are
    /// unusable, or the mail directory cannot be created.
    pub fn build(settings: Settings) -> Result<Self, Error> {
        let pool = schema_server::db::build_pool(
            settings.database_url.expose_secret(),
            &PoolOptions {
                max_size: settings.database_pool_size,
                application_name: "asyncstand-worker".into(),
                // Handlers queue for a connection when concurrency exceeds the pool.
                wait_timeout: Duration::from_secs(30),
                ..PoolOptions::default()
            },
        )?;
        let mailer = Mailer::new(&settings.mail_url, &settings.mail_from)?;
        let (relay, relay_inbox) = outbox::Relay::new();
        let http = notify::webhook::client(
            jobs::WEBHOOK_TIMEOUT,
            settings.webhook_allow_private_networks,
            settings
                .webhook_egress_proxy
                .as_ref()
                .map(|proxy| proxy.expose_secret()),
        )?;
        let secrets = SecretBox::load(
            settings.secrets_key.as_ref(),
            settings.secrets_key_previous.as_ref(),
            &settings.secrets_key_file,
        )
        .map_err(|e| Error::config("SECRETS_KEY", e.to_string()))?;
        let slack = settings
            .slack
            .as_ref()
            .map(|slack| schema_server::slack::SlackClient::new(&slack.api_base_url))
            .transpose()
            .map_err(|e| Error::config("SLACK_API_BASE_URL", e.to_string()))?;
        let jobs = JobContext {
            pool,
            mailer,
            public_url: settings.public_url.clone(),
            relay,
            http,
            webhook_allow_private_networks: settings.webhook_allow_private_networks,
            secrets: Arc::new(secrets),
            slack,
            slack_gate: Arc::default(),
        };
        let readiness = Readiness::default();
        let metrics = Arc::new(Metrics::default());
        let health = HealthServer::start(
            settings.health_bind,
            readiness.clone(),
            Arc::clone(&metrics),
        )?;
        Ok(Self {
            settings,
            readiness,
            metrics,
            jobs,
            relay_inbox,
            clock: Arc::new(SystemClock),
            health,
        })
    }

    /// Uses `clock` instead of the system clock for the scheduler's decisions (tests
    /// inject a [`ManualClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
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

    /// The counters `/metrics` serves.
    #[must_use]
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// Creates and migrates the database when needed (retrying while PostgreSQL is
    /// unreachable), then consumes jobs, reconnecting whenever RabbitMQ goes away, until
    /// `shutdown` resolves; then cancels the consumer, waits for running jobs (at most
    /// `settings.shutdown_timeout`), closes the channels and connection and stops the
    /// health endpoint.
    ///
    /// # Errors
    /// A `DATABASE_URL` without a database name (the settings refuse it already).
    /// PostgreSQL and RabbitMQ failures (the consumer's, the relay's
    /// and the scheduler's) are retried and logged, never returned.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        let (stop, stopped) = watch::channel(false);
        let database =
            schema_server::db::database_name(self.settings.database_url.expose_secret())?;
        let topology = Topology::new(self.settings.amqp_prefix.clone())
            .with_retry_delays(self.settings.retry_delays.iter().copied())
            .for_database(database);
        let shared = Arc::new(Shared {
            jobs: self.jobs,
            metrics: self.metrics,
            topology,
            max_attempts: self.settings.max_attempts,
        });
        let database_url = self.settings.database_url.clone();
        let scheduler = self.settings.scheduler.then(|| scheduler::Scheduler {
            pool: shared.jobs.pool.clone(),
            database_url: database_url.expose_secret().to_owned(),
            clock: Arc::clone(&self.clock),
            tick: self.settings.scheduler_tick,
            relay: shared.jobs.relay.clone(),
            metrics: Arc::clone(&shared.metrics),
        });
        let relay = outbox::run(
            shared.jobs.pool.clone(),
            self.settings.amqp_url.expose_secret().to_owned(),
            shared.topology.clone(),
            self.relay_inbox,
            stopped.clone(),
        );
        let settings = self.settings;
        let readiness = self.readiness;
        let pool = shared.jobs.pool.clone();
        let slack_sync = shared.jobs.slack.clone().map(|client| {
            housekeeping::run_slack_sync(
                pool.clone(),
                client,
                Arc::clone(&shared.jobs.secrets),
                stopped.clone(),
            )
        });
        let work = async move {
            let mut stopped = stopped;
            if prepare_database(database_url.expose_secret(), &mut stopped).await {
                let sweeper = housekeeping::run(pool, stopped.clone());
                let scheduling = async {
                    match scheduler {
                        Some(scheduler) => scheduler.run(stopped.clone()).await,
                        None => tracing::info!("scheduler off (WORKER_SCHEDULER=0)"),
                    }
                };
                let matching = async {
                    if let Some(slack_sync) = slack_sync {
                        slack_sync.await;
                    }
                };
                tokio::join!(
                    consumer::supervise(settings, readiness, shared, stopped.clone()),
                    sweeper,
                    matching,
                    scheduling,
                    relay,
                );
            }
        };
        tokio::pin!(work);
        tokio::select! {
            () = &mut work => {}
            () = shutdown => {
                tracing::info!("shutdown requested");
                // The receiver lives inside `work`, which is still running.
                let _ = stop.send(true);
                work.await;
            }
        }
        self.health.stop().await;
        tracing::info!("worker stopped");
        Ok(())
    }
}

/// Creates the database when missing and runs pending migrations (both safe when an api
/// starts at the same time), retrying with backoff while that fails. False when shutdown
/// was requested first.
async fn prepare_database(url: &str, shutdown: &mut watch::Receiver<bool>) -> bool {
    let mut delay = Duration::from_millis(200);
    let mut last_failure: Option<String> = None;
    loop {
        let attempt = async {
            schema_server::db::ensure_database(url).await?;
            schema_server::db::run_migrations(url).await
        };
        let result = tokio::select! {
            result = attempt => result,
            _ = shutdown.wait_for(|stop| *stop) => return false,
        };
        match result {
            Ok(ran) => {
                tracing::info!(migrations_run = ran, "database ready");
                return true;
            }
            Err(e) => {
                let failure = chain(&e);
                if last_failure.as_deref() == Some(failure.as_str()) {
                    tracing::debug!(error = %failure, "database still not ready");
                } else {
                    tracing::warn!(error = %failure, "database not ready; retrying");
                    last_failure = Some(failure);
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = shutdown.wait_for(|stop| *stop) => return false,
        }
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Builds and runs the worker until `shutdown` resolves (see [`Application::run_until`]).
///
/// # Errors
/// The health endpoint cannot be bound.
pub async fn run(settings: Settings, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
    Application::build(settings)?.run_until(shutdown).await
}

/// [`run`] with the scheduler reading `clock` (tests pass a [`ManualClock`]).
///
/// # Errors
/// The health endpoint cannot be bound.
pub async fn run_with_clock(
    settings: Settings,
    clock: Arc<dyn Clock>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), Error> {
    Application::build(settings)?
        .with_clock(clock)
        .run_until(shutdown)
        .await
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
