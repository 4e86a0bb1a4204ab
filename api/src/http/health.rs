//! `/healthz`: the process answers. `/readyz`: PostgreSQL and RabbitMQ are reachable;
//! 503 names what is down, so a load balancer and a person can both act on it.

use crate::state::AppState;
use actix_web::{HttpResponse, web};
use serde_json::json;
use std::time::Duration;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let postgres = tokio::time::timeout(Duration::from_secs(2), async {
        let mut conn = state.pool.get().await.ok()?;
        schema_server::db::ping(&mut conn).await.ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
    let rabbitmq = state.broker.is_connected().await;
    let status = |up: bool| if up { "up" } else { "down" };
    let mut down = Vec::new();
    if !postgres {
        down.push("PostgreSQL");
    }
    if !rabbitmq {
        down.push("RabbitMQ");
    }
    if down.is_empty() {
        HttpResponse::Ok().json(json!({ "status": "ready", "postgres": "up", "rabbitmq": "up" }))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable",
            "postgres": status(postgres),
            "rabbitmq": status(rabbitmq),
            "message": format!("{} unreachable", down.join(" and ")),
        }))
    }
}

/// Prometheus text format: jobs published, publish failures, outbox backlog.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let backlog = match state.pool.get().await {
        Ok(mut conn) => schema_server::db::outbox::unsent_count(&mut conn)
            .await
            .ok(),
        Err(_) => None,
    };
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(backlog))
}
