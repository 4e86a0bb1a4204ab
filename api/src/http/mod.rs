//! Routes: `/graphql` (POST + GET), `/graphql/ws`, `/playground/`, `/audit.csv`,
//! `/exports/answers.csv` and `/exports/answers.jsonl`, `/healthz`,
//! `/readyz`, `/metrics` (here, or on `METRICS_BIND` alone), `/slack/events`, `/slack/interactivity`,
//! `/slack/commands`, `/unsubscribe/{token}` (RFC 8058 one-click), and the built web UI with an
//! index.html fallback.

mod answer_export;
mod audit_export;
mod graphql;
pub mod graphql_ws;
mod health;
pub mod rate_limit;
mod request;
pub mod security_headers;
mod slack;
mod slack_views;
mod unsubscribe;
mod web_ui;

use actix_web::{HttpResponse, web};

/// The main listener's routes; `/metrics` answers 404 here when `metrics_elsewhere`.
pub fn routes(cfg: &mut web::ServiceConfig, metrics_elsewhere: bool) {
    cfg.service(
        web::resource("/graphql")
            .wrap(actix_web::middleware::from_fn(rate_limit::middleware))
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::route().to(graphql::method_not_allowed)),
    )
    .service(
        web::resource("/graphql/ws")
            .wrap(actix_web::middleware::from_fn(rate_limit::middleware))
            .route(web::get().to(graphql_ws::upgrade)),
    )
    .route("/audit.csv", web::get().to(audit_export::export))
    .service(
        web::scope("/exports")
            .wrap(actix_web::middleware::from_fn(rate_limit::middleware))
            .route("/answers.csv", web::get().to(answer_export::csv_export))
            .route("/answers.jsonl", web::get().to(answer_export::jsonl_export)),
    )
    .route("/unsubscribe/{token}", web::post().to(unsubscribe::post))
    .route("/unsubscribe/{token}", web::get().to(unsubscribe::get))
    .route("/slack/events", web::post().to(slack::events))
    .route("/slack/interactivity", web::post().to(slack::interactivity))
    .route("/slack/commands", web::post().to(slack::commands))
    .route(
        "/slack/oauth/callback",
        web::get().to(slack::oauth_callback),
    )
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz));
    if metrics_elsewhere {
        cfg.route("/metrics", web::route().to(HttpResponse::NotFound));
    } else {
        metrics_routes(cfg);
    }
    cfg.configure(web_ui::routes);
}

/// `/metrics` alone: the `METRICS_BIND` listener's only route.
pub fn metrics_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(health::metrics));
}

pub use request::graphql_error;

/// The SPA service; registered after every other route.
pub fn web_ui_service(state: &crate::state::AppState) -> actix_files::Files {
    web_ui::spa(state)
}
