//! Routes: `/graphql` (POST + GET), `/graphql/ws`, `/playground/`, `/audit.csv`, `/healthz`, `/readyz`,
//! and the built web UI with an index.html fallback.

mod audit_export;
mod graphql;
mod health;
pub mod rate_limit;
mod request;
mod web_ui;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .wrap(actix_web::middleware::from_fn(rate_limit::middleware))
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .route(web::route().to(graphql::method_not_allowed)),
    )
    .service(web::resource("/graphql/ws").route(web::get().to(graphql::ws)))
    .route("/audit.csv", web::get().to(audit_export::export))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics))
    .configure(web_ui::routes);
}

pub use request::graphql_error;

/// The SPA service; registered after every other route.
pub fn web_ui_service(state: &crate::state::AppState) -> actix_files::Files {
    web_ui::spa(state)
}
