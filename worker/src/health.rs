//! The worker's small HTTP server: `GET /healthz` (200 while the worker is consuming,
//! 503 otherwise) and `GET /metrics` (Prometheus text).

use crate::{error::Error, metrics::Metrics};
use actix_web::{App, HttpResponse, HttpServer, dev::ServerHandle, web};
use std::{
    net::{SocketAddr, TcpListener},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};
use tokio::task::JoinHandle;

/// Whether the worker currently holds a live consumer on the jobs queue. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    #[must_use]
    pub fn is_consuming(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn set_consuming(&self, consuming: bool) {
        self.0.store(consuming, Ordering::Release);
    }
}

/// The running health endpoint.
pub struct HealthServer {
    addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
}

impl HealthServer {
    /// Binds `addr` now (so a taken port is a start-up error) and serves in the background.
    pub(crate) fn start(
        addr: SocketAddr,
        readiness: Readiness,
        metrics: Arc<Metrics>,
    ) -> Result<Self, Error> {
        let bind_error = |source| Error::HealthBind { addr, source };
        let listener = TcpListener::bind(addr).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(readiness.clone()))
                .app_data(web::Data::from(Arc::clone(&metrics)))
                .route("/healthz", web::get().to(healthz))
                .route("/metrics", web::get().to(metrics_text))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(2)
        .listen(listener)
        .map_err(bind_error)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(%addr, "health and metrics endpoint listening");
        Ok(Self { addr, handle, task })
    }

    /// The address actually bound (useful when the configured port was 0).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub(crate) async fn stop(self) {
        self.handle.stop(true).await;
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "health endpoint stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "health endpoint task failed"),
        }
    }
}

async fn healthz(readiness: web::Data<Readiness>) -> HttpResponse {
    if readiness.is_consuming() {
        HttpResponse::Ok().json(serde_json::json!({"status": "ok", "rabbitmq": "up"}))
    } else {
        HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({"status": "unavailable", "rabbitmq": "down"}))
    }
}

async fn metrics_text(metrics: web::Data<Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render())
}
