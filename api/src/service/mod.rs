//! Domain operations: authorization, the transaction, the audit row and the outbox row,
//! together so none can be forgotten. Resolvers call exactly one of these.

pub mod account;
pub mod answer_links;
pub mod api_tokens;
pub mod audit_log;
pub mod auth;
pub mod away;
pub mod blockers;
pub mod holidays;
pub mod ics;
pub mod insights;
pub mod invitations;
pub mod jobs;
pub mod members;
pub mod notifications;
pub mod organization;
pub mod password;
pub mod search;
pub mod slack;
pub mod slack_answers;
pub mod standup_configs;
pub mod standups;
pub mod teams;
pub mod throttle;

use crate::state::RequestMeta;
use schema::ids::{OrganizationId, UserId};
use schema::jobs::Job;
use schema_server::db::AsyncPgConnection;
use schema_server::db::models::NewAuditEvent;

/// Writes an audit event for this request; call inside the change's transaction.
pub(crate) async fn audit(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    org: Option<OrganizationId>,
    actor: Option<UserId>,
    action: &str,
    target: Option<(&str, String)>,
    summary: serde_json::Value,
) -> Result<(), schema_server::db::DbError> {
    let (target_type, target_id) = match target {
        Some((t, id)) => (Some(t), Some(id)),
        None => (None, None),
    };
    schema_server::db::audit::insert(
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

/// Enqueues `job` in the change's transaction, carrying this request's id as trace id.
pub(crate) async fn enqueue(
    conn: &mut AsyncPgConnection,
    meta: &RequestMeta,
    org: Option<OrganizationId>,
    job: Job,
) -> Result<(), schema_server::db::DbError> {
    schema_server::outbox::enqueue(conn, org, job, meta.request_id.as_deref()).await
}
