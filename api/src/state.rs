use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::broker::Broker;
use crate::config::Settings;
use crate::error::ApiError;
use crate::events::EventHub;
use crate::metrics::Metrics;
use crate::outbox::OutboxRelay;
use schema_server::db::{DbConn, DbPool};
use schema_server::secrets::SecretBox;
use std::sync::Arc;

/// Everything a request needs, cloned cheaply into every handler and resolver.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub pool: DbPool,
    pub hasher: PasswordHasher,
    pub jwt: JwtKeys,
    pub broker: Broker,
    pub outbox: OutboxRelay,
    /// Standup events: published after commits, fanned out to subscriptions.
    pub events: EventHub,
    pub metrics: Metrics,
    /// Seals secrets at rest (`SECRETS_KEY`).
    pub secrets: Arc<SecretBox>,
}

impl AppState {
    /// A pooled connection, or INTERNAL_SERVER_ERROR (logged) when none can be had.
    pub async fn db(&self) -> Result<DbConn, ApiError> {
        self.pool
            .get()
            .await
            .map_err(|e| ApiError::internal(anyhow::anyhow!("database pool: {e}")))
    }
}

/// Facts about the HTTP request that services record (audit) or use (throttles, cookies).
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub ip: String,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// The refresh cookie, when the browser sent one.
    pub refresh_token: Option<String>,
}
