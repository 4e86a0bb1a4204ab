use super::DbError;
use super::models::NewAuditEvent;
use super::tables::audit_events;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Writes one audit event; call it inside the transaction of the change it records.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    event: &NewAuditEvent<'_>,
) -> Result<(), DbError> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)
        .await?;
    Ok(())
}

/// An audit event with its actor (None: the system, or a deleted account).
pub type AuditEntry = (super::models::AuditEvent, Option<super::models::User>);

/// What the audit log can be narrowed to; every given field must match.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor: Option<schema::ids::UserId>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// One page of `org`'s audit events, newest first, with their actors, after the event
/// id `before` (exclusive).
pub async fn list(
    conn: &mut AsyncPgConnection,
    org: schema::ids::OrganizationId,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>, DbError> {
    use super::models::{AuditEvent, User};
    use super::tables::users;
    use diesel::{
        ExpressionMethods, JoinOnDsl, NullableExpressionMethods, QueryDsl, SelectableHelper,
    };
    let mut query = audit_events::table
        .left_join(users::table.on(audit_events::actor_id.eq(users::id.nullable())))
        .filter(audit_events::org_id.eq(org))
        .into_boxed();
    if let Some(actor) = filter.actor {
        query = query.filter(audit_events::actor_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    if let Some(target_type) = &filter.target_type {
        query = query.filter(audit_events::target_type.eq(target_type.clone()));
    }
    if let Some(target_id) = &filter.target_id {
        query = query.filter(audit_events::target_id.eq(target_id.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::created_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::created_at.lt(to));
    }
    if let Some(before) = before {
        query = query.filter(audit_events::id.lt(before));
    }
    Ok(query
        .order(audit_events::id.desc())
        .limit(limit)
        .select((AuditEvent::as_select(), Option::<User>::as_select()))
        .load(conn)
        .await?)
}
