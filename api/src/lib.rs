//! AsyncStand's API server: actix-web + async-graphql over PostgreSQL, publishing jobs
//! to RabbitMQ.

pub mod auth;
pub mod broker;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod outbox;
pub mod seed;
pub mod service;
pub mod state;
pub mod telemetry;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::broker::Broker;
use crate::config::Settings;
use crate::events::EventHub;
use crate::graphql::{AppSchema, Limits, build_schema};
use crate::metrics::Metrics;
use crate::outbox::OutboxRelay;
use crate::state::AppState;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, Condition, DefaultHeaders, from_fn};
use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use schema_server::amqp::Topology;
use schema_server::db::{DbPool, PoolOptions, standup_configs};
use schema_server::secrets::SecretBox;
use schema_server::webhook::secret_context;
use secrecy::ExposeSecret;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;

/// A built, listening server (not yet running).
pub struct Application {
    port: u16,
    server: Server,
    /// The `METRICS_BIND` listener and its port, when configured.
    metrics: Option<(u16, Server)>,
    state: AppState,
}

impl Application {
    /// Creates the database when missing, migrates, connects, and binds `settings.bind`
    /// (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        schema_server::db::ensure_database(settings.database_url.expose_secret())
            .await
            .context("preparing the database")?;
        let ran = schema_server::db::run_migrations(settings.database_url.expose_secret())
            .await
            .context("running migrations")?;
        if ran > 0 {
            tracing::info!(migrations = ran, "database migrated");
        }
        let pool = schema_server::db::build_pool(
            settings.database_url.expose_secret(),
            &PoolOptions {
                max_size: settings.database_pool_size,
                application_name: "asyncstand-api".into(),
                ..PoolOptions::default()
            },
        )?;
        let secrets = Arc::new(
            SecretBox::load(
                settings.secrets_key.as_ref(),
                settings.secrets_key_previous.as_ref(),
                &settings.secrets_key_file,
            )
            .context("SECRETS_KEY")?,
        );
        seal_stored_secrets(&pool, &secrets).await?;
        let database = schema_server::db::database_name(settings.database_url.expose_secret())
            .context("DATABASE_URL")?;
        let topology = Topology::new(settings.amqp_prefix.clone()).for_database(database);
        let broker = Broker::start(settings.amqp_url.clone(), topology.clone());
        let metrics = Metrics::default();
        let events = EventHub::start(broker.clone(), &topology);
        let outbox = OutboxRelay::start(pool.clone(), broker.clone(), topology, metrics.clone());
        let state = AppState {
            hasher: PasswordHasher::new(
                settings.password_hash_concurrency,
                settings.password_hash_queue,
            )?,
            jwt: JwtKeys::new(&settings),
            broker,
            outbox,
            events,
            metrics,
            pool,
            secrets,
            settings: Arc::new(settings),
        };
        let schema = build_schema(
            Some(state.clone()),
            Limits {
                max_depth: state.settings.max_depth,
                max_complexity: state.settings.max_complexity,
                introspection: !state.settings.production,
            },
        );
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("binding BIND={}", state.settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = serve(listener, state.clone(), schema)?;
        tracing::info!(address = %format!("http://{}", listener_addr(&state.settings.bind, port)), "api listening");
        let metrics = match &state.settings.deployment.metrics_bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .with_context(|| format!("binding METRICS_BIND={bind}"))?;
                let port = listener.local_addr()?.port();
                let server = serve_metrics(listener, state.clone())?;
                tracing::info!(address = %format!("http://{}", listener_addr(bind, port)), "metrics listening");
                Some((port, server))
            }
            None => None,
        };
        Ok(Self {
            port,
            server,
            metrics,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the `METRICS_BIND` listener, when configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        match self.metrics {
            Some((_, metrics)) => futures_util::try_join!(self.server, metrics).map(|_| ()),
            None => self.server.await,
        }
    }
}

/// Seals webhook secrets that an earlier version stored in the clear. Safe with several
/// replicas starting at once: a secret is replaced only while it is still the clear one.
async fn seal_stored_secrets(pool: &DbPool, secrets: &SecretBox) -> anyhow::Result<()> {
    let mut conn = pool.get().await.context("sealing stored secrets")?;
    let mut sealed = 0_usize;
    loop {
        let batch = standup_configs::unsealed_webhook_secrets(&mut conn, 500).await?;
        if batch.is_empty() {
            break;
        }
        let mut progressed = false;
        for (config, plain) in batch {
            let value = secrets.seal(&plain, &secret_context(config))?;
            if standup_configs::seal_webhook_secret(&mut conn, config, &plain, &value).await? {
                sealed += 1;
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    if sealed > 0 {
        tracing::info!(sealed, "sealed webhook secrets stored in the clear");
    }
    Ok(())
}

fn listener_addr(bind: &str, port: u16) -> String {
    match bind.rsplit_once(':') {
        Some((host, _)) => format!("{host}:{port}"),
        None => bind.to_string(),
    }
}

fn serve(listener: TcpListener, state: AppState, schema: AppSchema) -> anyhow::Result<Server> {
    let workers = state.settings.http_workers.max(1);
    let state_data = web::Data::new(state.clone());
    let schema_data = web::Data::new(schema);
    let limiter = web::Data::new(http::rate_limit::RateLimiter::default());
    let sockets = web::Data::new(http::graphql_ws::WsConnections::default());
    let security_headers = web::Data::new(http::security_headers::SecurityHeaders::new(
        &state.settings,
    )?);
    let metrics_elsewhere = state.settings.deployment.metrics_bind.is_some();
    let server = HttpServer::new(move || {
        let settings = &state_data.settings;
        let mut cors = Cors::default()
            .allowed_methods(["GET", "POST"])
            .allowed_headers(["authorization", "content-type"])
            .supports_credentials()
            .max_age(3600);
        for origin in &settings.cors_origins {
            cors = cors.allowed_origin(origin);
        }
        App::new()
            .wrap(Condition::new(!settings.cors_origins.is_empty(), cors))
            .wrap(Compress::default())
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "no-referrer"))
                    .add(("X-Frame-Options", "DENY")),
            )
            .wrap(from_fn(http::security_headers::middleware))
            .wrap(TracingLogger::default())
            .app_data(state_data.clone())
            .app_data(schema_data.clone())
            .app_data(limiter.clone())
            .app_data(sockets.clone())
            .app_data(security_headers.clone())
            .configure(|cfg| http::routes(cfg, metrics_elsewhere))
            .service(http::web_ui_service(&state_data))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The `METRICS_BIND` listener: `/metrics` only.
fn serve_metrics(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(http::metrics_routes)
    })
    .workers(1)
    .listen(listener)?
    .run();
    Ok(server)
}
