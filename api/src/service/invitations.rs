//! Invitations: OWNER/ADMIN invite by e-mail (only an OWNER invites OWNERs and ADMINs),
//! resend and revoke. The worker issues the token and sends the link (job
//! `send_invitation`); accepting lives in [`crate::service::auth::accept_invitation`].

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, enqueue, organization};
use crate::state::{AppState, RequestMeta};
use diesel_async::AsyncConnection;
use schema::db::invitations::{self, Invitation};
use schema::db::{AsyncPgConnection, users};
use schema::enums::{MemberStatus, OrgRole};
use schema::jobs::Job;
use schema::validation;
use serde_json::json;
use uuid::Uuid;

async fn require_admin(state: &AppState, caller: &Caller) -> ApiResult<OrgRole> {
    let (_, role) = organization::current(state, caller).await?;
    if !role.is_admin() {
        return Err(ApiError::Forbidden(
            "only owners and admins can manage invitations".into(),
        ));
    }
    Ok(role)
}

fn not_found() -> ApiError {
    ApiError::NotFound("invitation not found".into())
}

async fn send(
    tx: &mut AsyncPgConnection,
    meta: &RequestMeta,
    caller: &Caller,
    invitation: &Invitation,
) -> Result<(), schema::db::DbError> {
    enqueue(
        tx,
        meta,
        Some(caller.org),
        Job::SendInvitation {
            invitation_id: invitation.id,
        },
    )
    .await
}

/// One page of open invitations (pending or expired), newest first. OWNER/ADMIN.
#[tracing::instrument(skip_all)]
pub async fn list_open(
    state: &AppState,
    caller: &Caller,
    after: Option<(chrono::DateTime<chrono::Utc>, Uuid)>,
    first: i64,
) -> ApiResult<(Vec<Invitation>, bool)> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let mut page = invitations::list_open(&mut conn, caller.org, after, first + 1).await?;
    let more = page.len() as i64 > first;
    page.truncate(first as usize);
    Ok((page, more))
}

/// Invites `email` to the caller's organization with `role` and queues the e-mail.
#[tracing::instrument(skip_all)]
pub async fn invite(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    email: &str,
    role: OrgRole,
) -> ApiResult<Invitation> {
    let email = validation::validate_email(email)?;
    let actor = require_admin(state, caller).await?;
    if role.is_admin() && actor != OrgRole::Owner {
        return Err(ApiError::Forbidden(
            "only owners can invite owners and admins".into(),
        ));
    }
    let mut conn = state.db().await?;
    let invitation = conn
        .transaction::<_, ApiError, _>(async |tx| {
            if let Some(user) = users::find_by_email(tx, &email).await? {
                let member = schema::db::members::find_for_update(tx, caller.org, user.id).await?;
                if let Some((membership, _)) = member
                    && membership.status != MemberStatus::Invited
                {
                    return Err(ApiError::Conflict {
                        field: Some("email"),
                        message: "email: this person is already a member".into(),
                    });
                }
            }
            let invitation =
                invitations::insert(tx, Uuid::new_v4(), caller.org, &email, role, caller.user)
                    .await?
                    .ok_or_else(|| {
                        ApiError::Conflict {
                field: Some("email"),
                message:
                    "email: an invitation to this address is already pending; resend it instead"
                        .into(),
            }
                    })?;
            send(tx, meta, caller, &invitation).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "invitation.create",
                Some(("invitation", invitation.id.to_string())),
                json!({ "before": null, "after": { "email": email, "role": role } }),
            )
            .await?;
            Ok(invitation)
        })
        .await?;
    state.outbox.wake();
    Ok(invitation)
}

/// Sends a pending invitation again with a new link (the old one stops working).
#[tracing::instrument(skip_all)]
pub async fn resend(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<Invitation> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    let invitation = conn
        .transaction::<_, ApiError, _>(async |tx| {
            let invitation = invitations::find_for_update(tx, caller.org, id)
                .await?
                .ok_or_else(not_found)?;
            if !invitation.is_open() {
                return Err(ApiError::Conflict {
                    field: Some("id"),
                    message: "id: this invitation was already accepted or revoked".into(),
                });
            }
            send(tx, meta, caller, &invitation).await?;
            audit(
                tx,
                meta,
                Some(caller.org),
                Some(caller.user),
                "invitation.resend",
                Some(("invitation", id.to_string())),
                json!({ "email": invitation.email }),
            )
            .await?;
            Ok(invitation)
        })
        .await?;
    state.outbox.wake();
    Ok(invitation)
}

/// Withdraws a pending invitation; its link stops working.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    state: &AppState,
    meta: &RequestMeta,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<Invitation> {
    require_admin(state, caller).await?;
    let mut conn = state.db().await?;
    conn.transaction::<_, ApiError, _>(async |tx| {
        let before = invitations::find_for_update(tx, caller.org, id)
            .await?
            .ok_or_else(not_found)?;
        if !before.is_open() {
            return Err(ApiError::Conflict {
                field: Some("id"),
                message: "id: this invitation was already accepted or revoked".into(),
            });
        }
        let after = invitations::revoke(tx, id).await?;
        audit(
            tx,
            meta,
            Some(caller.org),
            Some(caller.user),
            "invitation.revoke",
            Some(("invitation", id.to_string())),
            json!({ "before": { "status": "PENDING" }, "after": { "status": "REVOKED" }, "email": after.email }),
        )
        .await?;
        Ok(after)
    })
    .await
}
