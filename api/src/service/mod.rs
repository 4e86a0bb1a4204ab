//! Domain operations: authorization, the transaction, the audit row and the outbox row,
//! together so none can be forgotten. Resolvers call exactly one of these.

pub mod account;
pub mod audit_log;
pub mod auth;
pub mod invitations;
pub mod jobs;
pub mod members;
pub mod organization;
pub mod password;
pub mod standup_configs;
pub mod standups;
pub mod teams;
pub mod throttle;

use crate::state::RequestMeta;
use schema::db::AsyncPgConnection;
use schema::db::models::{NewAuditEvent, NewOutboxRow};
use schema::ids::{OrganizationId, UserId};
use schema::jobs::{Job, JobEnvelope};

/// Writes an audit event for this request; call inside the change's transaction.
pub(crate) async fn audit(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    org: Option<OrganizationId>,
    actor: Option<UserId>,
    action: &str,
    target: Option<(&str, String)>,
    summary: serde_json::Value,
) -> Result<(), schema::db::DbError> {
    let (target_type, target_id) = match target {
        Some((t, id)) => (Some(t), Some(id)),
        None => (None, None),
    };
    schema::db::audit::insert(
        conn,
        &NewAuditEvent {
            org_id: org,
            actor_id: actor,
            action,
            target_type,
            target_id,
            ip: Some(meta.ip.as_str()),
            user_agent: meta.user_agent.as_deref(),
            request_id: meta.request_id.as_deref(),
            summary,
        },
    )
    .await
}

/// Writes an outbox row for `job`; call inside the change's transaction.
pub(crate) async fn enqueue(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    org: Option<OrganizationId>,
    job: Job,
) -> Result<(), schema::db::DbError> {
    let id = uuid::Uuid::new_v4();
    let mut envelope = JobEnvelope::new(id, job, chrono::Utc::now());
    if let Some(org) = org {
        envelope = envelope.for_organization(org.as_uuid());
    }
    if let Some(request_id) = &meta.request_id {
        envelope = envelope.with_trace_id(request_id.clone());
    }
    let payload = serde_json::to_value(&envelope).map_err(|e| {
        schema::db::DbError::Query(diesel::result::Error::SerializationError(Box::new(e)))
    })?;
    schema::db::outbox::insert(
        conn,
        &NewOutboxRow {
            id,
            org_id: org,
            kind: envelope.routing_key(),
            payload,
        },
    )
    .await
}
